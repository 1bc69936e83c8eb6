//! ETW: netnotify's `TraceLogging` provider.
//!
//! Owns the provider's name, GUID and traits, its keywords and levels, whether a session
//! listens ([`Session`]), the self-describing encoding of an event ([`Event`], written through
//! [`Fields`]), how each value of a record becomes a typed field ([`Fields::value`]), the
//! start of every event and the driver's own events (the functions at the end of this
//! module), and the boundary to the kernel's `Etw*` routines ([`Trace`]).
//!
//! One record, two renderings: a notification's or stable table's event carries every field
//! its record has, taken from the field table ([`crate::fields`]) through the renderer's
//! visitors, the same path `cargo replay --json` writes its objects by; the driver's own events
//! carry `--json`'s names and values for its lines. docs/replay.md#etw gives the rules (types,
//! `null`, the keys that are the lines' only), `replay/tests/etw_json.rs` and `ci/wine/run`
//! hold every event to its JSON object.
//!
//! `TraceLogging` events describe themselves: each write carries the provider's traits, the
//! event's metadata (its name, then each field's name and type) and the payload, in three
//! data descriptors, so no manifest is installed (Microsoft Learn, "`TraceLogging`" and
//! "`EtwWriteTransfer`"). The encoding constants (`InType`, `OutType`, `Level`, `Channel`) and
//! the descriptor layout are Microsoft's `tracelogging` crate's. The events are built here, in
//! the core, rather than by the crate's `write_event!` in the shell: the crate's provider is
//! a no-op on other hosts, so only events the core builds can be recorded by the simulator's
//! trace double and compared with the lines; and the crate's `Provider::register` has runtime
//! `panic!`s that the image's no-panic proof cannot exclude, so the shell calls the `Etw*`
//! routines itself (`src/shell.rs` says how).
//!
//! Building an event allocates nothing and cannot panic: the metadata and the payload are
//! written into fixed buffers on the caller's stack; an event that does not fit is not
//! written (and counted in [`Session::dropped`]). Storm control does not apply: ETW is made
//! for rates `DbgPrint` is not.

use core::ffi::c_void;
use core::fmt;
use core::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};

// `EVENT_DESCRIPTOR` as the crate lays it out; 1.2.4 exports it only from its macro support
// module (pinned with `=`, so the path cannot move under us).
pub use tracelogging::_internal::EventDescriptor;
pub use tracelogging::{Channel, Guid, InType, Level, Opcode, OutType};

use crate::counters::{ChangeCounts, Counters, StableCounts};
use crate::decode::{Change, SocketAddress};
use crate::fields::{
    ADDRESS_ROW, Field, FieldValue, INTERFACE_ROW, Kind, NAMES, ROUTE_ROW, Value as FieldValueKind,
    Visit, Width, driver, stable,
};
use crate::line::{Out, Put};
use crate::notification::{Notification, NotificationSet};
use crate::render::Note;
use crate::settings::{SETTINGS, Settings};
use crate::status::NtStatus;
use crate::storm::Summary;

/// The provider's name: `*netnotify` in `tracelog`, WPR and `PerfView`.
pub const PROVIDER_NAME: &str = "netnotify";

/// The provider's GUID: `TraceLogging`'s hash of [`PROVIDER_NAME`].
///
/// SHA-1 over a fixed namespace and the upper-cased name in UTF-16BE), which is what `*netnotify` names. A test
/// checks it against the `tracelogging` crate's `Guid::from_name`.
pub const PROVIDER_GUID: Guid = Guid::from_u128(&0xcabe4808_b99f_5fdb_95a1_c1294a861355);

/// The provider's traits: its size and name.
///
/// As `EtwSetInformation(EventProviderSetTraits)` receives them and as every write's first data descriptor carries them: the total size (u16, little-endian),
/// then the name, NUL-terminated.
pub const PROVIDER_TRAITS: [u8; 12] = *b"\x0c\x00netnotify\0";

/// `EVENT_INFO_CLASS::EventProviderSetTraits`.
pub const EVENT_PROVIDER_SET_TRAITS: u32 = 2;

/// `EVENT_DATA_DESCRIPTOR.Reserved` (the descriptor's type) of the provider traits.
pub const DESCRIPTOR_PROVIDER_TRAITS: u32 = 2;
/// `EVENT_DATA_DESCRIPTOR.Reserved` of the event metadata.
pub const DESCRIPTOR_EVENT_METADATA: u32 = 1;
/// `EVENT_DATA_DESCRIPTOR.Reserved` of the payload.
pub const DESCRIPTOR_PAYLOAD: u32 = 0;

/// `EVENT_CONTROL_CODE_CAPTURE_STATE`: a controller asks for the provider's state.
pub const CAPTURE_STATE: u32 = 2;

/// The keywords, one per kind, as a session selects them (`MatchAnyKeyword`).
pub mod keyword {
    /// Interface notifications.
    pub const INTERFACE: u64 = 0x1;
    /// Unicast address notifications.
    pub const ADDRESS: u64 = 0x2;
    /// Route notifications.
    pub const ROUTE: u64 = 0x4;
    /// Stable unicast address tables and their entries.
    pub const STABLE_TABLE: u64 = 0x8;
    /// Settings, loaded, unloaded, counters, storm summaries, warnings and errors.
    pub const LIFECYCLE: u64 = 0x10;
}

/// The keyword of a notification kind's events.
#[must_use]
pub const fn keyword_of(notification: Notification) -> u64 {
    match notification {
        Notification::Interface => keyword::INTERFACE,
        Notification::Address => keyword::ADDRESS,
        Notification::Route => keyword::ROUTE,
        Notification::StableTable => keyword::STABLE_TABLE,
    }
}

/// The kernel's ETW routines for the provider.
///
/// The shell implements them with `EtwRegister`, `EtwSetInformation`, `EtwWriteTransfer` and `EtwUnregister` (wdm.h; Microsoft Learn pages of
/// the same names), and the simulator with a recording double.
#[allow(
    unsafe_code,
    reason = "declares the enable callback's context contract; calls happen in the raw module"
)]
pub trait Trace: Sync {
    /// `EtwRegister(&PROVIDER_GUID, the enable callback, context, &handle)`. `PASSIVE_LEVEL`.
    /// Returns its status.
    ///
    /// The enable callback calls [`crate::trace_enable`] with `context`; it may run before
    /// this returns (a session already listening), and on another thread.
    ///
    /// # Safety
    /// `context` is the extension holding this trace; [`Trace::unregister`] returns before it
    /// is dropped.
    unsafe fn register(&self, context: *mut c_void) -> NtStatus;
    /// `EtwSetInformation(handle, EventProviderSetTraits, PROVIDER_TRAITS)`, once, after a
    /// successful [`Trace::register`]. `PASSIVE_LEVEL`. Without the traits ETW ignores the data
    /// descriptors' types and logs `TraceLogging`'s metadata as payload: no event could be
    /// decoded (docs/netio.md#etw), so a failure means no ETW at all.
    fn set_traits(&self) -> NtStatus;
    /// `EtwUnregister`, once, after a successful [`Trace::register`]. `PASSIVE_LEVEL`. When it
    /// returns, no enable callback runs or will run.
    fn unregister(&self);
    /// `EtwWriteTransfer(handle, descriptor, NULL, NULL, 3, …)` with the data descriptors
    /// [`PROVIDER_TRAITS`] (`Reserved` 2), `metadata` (1) and `payload` (0). Any IRQL: both
    /// buffers are on the caller's stack, which is not paged out while it runs above
    /// `APC_LEVEL`. Only called between a successful `register` and `unregister`.
    fn write(&self, descriptor: &EventDescriptor, metadata: &[u8], payload: &[u8]) -> NtStatus;
}

/// What the sessions listening to the provider asked for, as the enable callback last said;
/// and what the provider did.
#[derive(Debug, Default)]
pub struct Session {
    registered: AtomicBool,
    enabled: AtomicBool,
    level: AtomicU8,
    any: AtomicU64,
    all: AtomicU64,
    dropped: AtomicU64,
    stable_records: AtomicU64,
}

/// What an enable callback asks for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Control {
    /// Enable or disable: nothing to do but remember.
    Updated,
    /// `EVENT_CONTROL_CODE_CAPTURE_STATE`: write the state now.
    CaptureState,
}

impl Session {
    /// Whether an event of `level` and `keyword` is wanted: the one check an event costs when
    /// no session listens. As `EtwEventEnabled` decides: a session level of 0 takes every
    /// level; a keyword is wanted if it is 0, or matches one of `MatchAnyKeyword` and all of
    /// `MatchAllKeyword`.
    #[inline]
    pub fn enabled(&self, level: Level, keyword: u64) -> bool {
        if !self.enabled.load(Ordering::Acquire) {
            return false;
        }
        let session = self.level.load(Ordering::Relaxed);
        let any = self.any.load(Ordering::Relaxed);
        let all = self.all.load(Ordering::Relaxed);
        (session == 0 || level.as_int() <= session)
            && (keyword == 0 || (keyword & any != 0 && keyword & all == all))
    }

    /// The enable callback: `code` 0 disables, 1 enables with `level` and the keywords, 2 asks
    /// for the state (capture-state, rundown).
    pub fn control(&self, code: u32, level: u8, any: u64, all: u64) -> Control {
        match code {
            0 => self.enabled.store(false, Ordering::Release),
            1 => {
                self.level.store(level, Ordering::Relaxed);
                self.any.store(any, Ordering::Relaxed);
                self.all.store(all, Ordering::Relaxed);
                self.enabled.store(true, Ordering::Release);
            }
            CAPTURE_STATE => return Control::CaptureState,
            _ => {}
        }
        Control::Updated
    }

    /// Records whether the provider is registered.
    pub(crate) fn set_registered(&self, registered: bool) {
        self.registered.store(registered, Ordering::Release);
        if !registered {
            self.enabled.store(false, Ordering::Release);
        }
    }

    /// Whether the provider is registered.
    pub fn registered(&self) -> bool {
        self.registered.load(Ordering::Acquire)
    }

    /// The next `seq` of the stable table's records (headers and rows alike, from 1), as
    /// `cargo replay --json` numbers them: counted whether or not a session listens.
    pub fn next_stable_record(&self) -> u64 {
        self.stable_records
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_add(1)
    }

    /// Events that did not fit their buffers, so were not written.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// The event metadata's room, in bytes, for the lifecycle events (the counters' 20 fields).
pub const METADATA_CAPACITY: usize = 640;
/// The payload's room, in bytes, for the lifecycle events.
pub const PAYLOAD_CAPACITY: usize = 320;
/// The metadata's room for a storm summary's event: it is built on a NETIO callback's stack
/// (or the storm timer's DPC), whose budget is 2 KiB (`ci/object-checks`).
pub const STORM_METADATA: usize = 160;
/// The payload's room for a storm summary's event.
pub const STORM_PAYLOAD: usize = 96;

/// A storm summary's event: small enough for a callback's stack.
pub type StormEvent = Event<STORM_METADATA, STORM_PAYLOAD>;

/// A warning's or an error's event: a short name and field, and the line's text, cut to fit
/// (the longest message today is about 200 bytes; the event is built on a callback's stack).
pub type MessageEvent = Event<32, 256>;

/// A byte buffer that refuses what does not fit and remembers that it did: `[u8; N]` where
/// it lies, `[u8]` where it is written (so the writers exist once, not once per size).
struct Bytes<B: ?Sized> {
    len: usize,
    overflow: bool,
    buffer: B,
}

impl<const N: usize> Bytes<[u8; N]> {
    #[allow(
        clippy::inline_always,
        reason = "built in the caller's frame, not copied into it: a callback's stack budget"
    )]
    #[inline(always)]
    const fn new() -> Self {
        Self {
            len: 0,
            overflow: false,
            buffer: [0; N],
        }
    }
}

impl Bytes<[u8]> {
    fn push(&mut self, bytes: &[u8]) {
        let end = self.len.saturating_add(bytes.len());
        match self.buffer.get_mut(self.len..end) {
            Some(room) => {
                copy(room, bytes);
                self.len = end;
            }
            None => self.overflow = true,
        }
    }

    /// Pushes `text` without its NUL bytes: in one copy when it has none (what the driver
    /// writes never has), byte by byte otherwise.
    fn push_text(&mut self, text: &str) {
        let text = text.as_bytes();
        if text.contains(&0) {
            for byte in text.iter().filter(|&&byte| byte != 0) {
                self.push(&[*byte]);
            }
        } else {
            self.push(text);
        }
    }

    fn as_slice(&self) -> &[u8] {
        self.buffer.get(..self.len).unwrap_or_default()
    }

    const fn clear(&mut self) {
        self.len = 0;
        self.overflow = false;
    }

    /// Cuts `front` bytes from the start of what was pushed since `start`, and `back` from
    /// its end (when there is that much).
    fn cut(&mut self, start: usize, front: usize, back: usize) {
        let Some(written) = self.len.checked_sub(start) else {
            return;
        };
        if written < front.saturating_add(back) || self.overflow {
            return;
        }
        let end = self.len.saturating_sub(back);
        let mut to = start;
        for from in start.saturating_add(front)..end {
            let byte = self.buffer.get(from).copied().unwrap_or(0);
            if let Some(slot) = self.buffer.get_mut(to) {
                *slot = byte;
            }
            to = to.saturating_add(1);
        }
        self.len = to;
    }
}

/// Copies `from` into `to`, as far as both go: `copy_from_slice` would keep a panic path for
/// a length mismatch that the image's no-panic proof cannot see past (`ci/object-checks`).
fn copy(to: &mut [u8], from: &[u8]) {
    for (to, from) in to.iter_mut().zip(from) {
        *to = *from;
    }
}

/// One `TraceLogging` event being built: its descriptor, metadata and payload, with room for
/// `M` and `P` bytes. Its fields are written through [`Event::fields`].
pub struct Event<const M: usize = METADATA_CAPACITY, const P: usize = PAYLOAD_CAPACITY> {
    descriptor: EventDescriptor,
    metadata: Bytes<[u8; M]>,
    payload: Bytes<[u8; P]>,
}

impl<const M: usize, const P: usize> Event<M, P> {
    /// An empty event, to [`Event::start`] where it lies: a callback's event is built in
    /// its frame, never moved (a move of its buffers costs their size again on the stack).
    pub const BLANK: Self = Self {
        descriptor: EventDescriptor::zero(),
        metadata: Bytes::new(),
        payload: Bytes::new(),
    };

    /// An event named `name` at `level` with `keyword` ([`Event::start`]).
    #[must_use]
    #[allow(
        clippy::inline_always,
        reason = "built in the caller's frame, not copied into it: a callback's stack budget"
    )]
    #[inline(always)]
    pub fn new(name: &str, level: Level, keyword: u64) -> Self {
        let mut event = Self::BLANK;
        event.start(name, level, keyword);
        event
    }

    /// Starts the event named `name` at `level` with `keyword`: the metadata starts with its
    /// size (filled in when the event is written), no tags (one 0 byte), and the name.
    pub fn start(&mut self, name: &str, level: Level, keyword: u64) {
        self.descriptor = EventDescriptor::new(level, keyword);
        self.descriptor.channel = Channel::TraceLogging;
        self.fields().start(name);
    }

    /// The writer of the event's fields: one for every size of event.
    pub const fn fields(&mut self) -> Fields<'_> {
        Fields {
            metadata: &mut self.metadata,
            payload: &mut self.payload,
        }
    }

    /// A `u32` field.
    pub fn u32(&mut self, name: &str, value: u32) {
        self.fields().u32(name, value);
    }

    /// An IPv4 address.
    pub fn ipv4(&mut self, name: &str, octets: [u8; 4]) {
        self.fields().ipv4(name, octets);
    }

    /// A text field.
    pub fn str(&mut self, name: &str, value: &str) {
        self.fields().str(name, value);
    }

    /// A `BOOL32` field.
    pub fn bool32(&mut self, name: &str, value: bool) {
        self.fields().bool32(name, value);
    }

    /// A text field holding what `value` prints in a line.
    pub fn put<V: Put + ?Sized>(&mut self, name: &str, value: &V) {
        self.fields().put(name, value);
    }

    /// A text field holding what `value` displays (`core::fmt`: not on the callback path).
    pub fn display<D: fmt::Display + ?Sized>(&mut self, name: &str, value: &D) {
        self.fields().display(name, value);
    }

    /// The descriptor.
    #[must_use]
    pub const fn descriptor(&self) -> &EventDescriptor {
        &self.descriptor
    }

    /// The metadata, its size filled in; `None` if the event did not fit.
    pub fn metadata(&mut self) -> Option<&[u8]> {
        self.fields().finish().then(|| {
            self.metadata
                .buffer
                .get(..self.metadata.len)
                .unwrap_or_default()
        })
    }

    /// The payload.
    #[must_use]
    pub fn payload(&self) -> &[u8] {
        self.payload
            .buffer
            .get(..self.payload.len)
            .unwrap_or_default()
    }

    /// Writes the event through `trace`, unless it did not fit (then counts it as dropped).
    pub fn write<T: Trace + ?Sized>(&mut self, trace: &T, session: &Session) {
        let mut fields = Fields {
            metadata: &mut self.metadata,
            payload: &mut self.payload,
        };
        fields.write(&self.descriptor, trace, session);
    }
}

/// Writes an event's fields: its metadata and payload, whatever their room.
pub struct Fields<'a> {
    metadata: &'a mut Bytes<[u8]>,
    payload: &'a mut Bytes<[u8]>,
}

impl Fields<'_> {
    /// Starts the event named `name` (see [`Event::start`]).
    fn start(&mut self, name: &str) {
        self.metadata.clear();
        self.payload.clear();
        self.metadata.push(&[0, 0, 0]);
        self.name(name);
    }

    /// A NUL-terminated name (an event's or a field's); NUL bytes inside are left out.
    fn name(&mut self, name: &str) {
        self.metadata.push_text(name);
        self.metadata.push(&[0]);
    }

    // Inline: a frame of its own on every field's path costs the interface's callback the
    // last bytes of its stack budget.
    #[allow(clippy::inline_always, reason = "a callback's stack budget")]
    #[inline(always)]
    fn field(&mut self, name: &str, in_type: InType, out_type: OutType) {
        self.name(name);
        if out_type == OutType::Default {
            self.metadata.push(&[in_type.as_int()]);
        } else {
            // The high bit of the in-type says an out-type follows.
            self.metadata
                .push(&[in_type.as_int() | 0x80, out_type.as_int()]);
        }
    }

    /// A `u32` field.
    pub fn u32(&mut self, name: &str, value: u32) {
        self.field(name, InType::U32, OutType::Default);
        self.payload.push(&value.to_le_bytes());
    }

    /// A `u64` field.
    pub fn u64(&mut self, name: &str, value: u64) {
        self.field(name, InType::U64, OutType::Default);
        self.payload.push(&value.to_le_bytes());
    }

    /// A `u8` field.
    pub fn u8(&mut self, name: &str, value: u8) {
        self.field(name, InType::U8, OutType::Default);
        self.payload.push(&[value]);
    }

    /// A `u16` field.
    pub fn u16(&mut self, name: &str, value: u16) {
        self.field(name, InType::U16, OutType::Default);
        self.payload.push(&value.to_le_bytes());
    }

    /// An `i32` field.
    pub fn i32(&mut self, name: &str, value: i32) {
        self.field(name, InType::I32, OutType::Default);
        self.payload.push(&value.to_le_bytes());
    }

    /// An `i64` field.
    pub fn i64(&mut self, name: &str, value: i64) {
        self.field(name, InType::I64, OutType::Default);
        self.payload.push(&value.to_le_bytes());
    }

    /// A `BOOL32` field: 1 or 0.
    pub fn bool32(&mut self, name: &str, value: bool) {
        self.field(name, InType::Bool32, OutType::Default);
        self.payload.push(&u32::from(value).to_le_bytes());
    }

    /// A `DOUBLE` field, given as its bits.
    pub fn f64_bits(&mut self, name: &str, bits: u64) {
        self.field(name, InType::F64, OutType::Default);
        self.payload.push(&bits.to_le_bytes());
    }

    /// An IPv4 address: a `u32` in network order, shown as an address.
    pub fn ipv4(&mut self, name: &str, octets: [u8; 4]) {
        self.field(name, InType::U32, OutType::IPv4);
        self.payload.push(&octets);
    }

    /// An IPv6 address: 16 counted bytes, shown as an address.
    pub fn ipv6(&mut self, name: &str, octets: [u8; 16]) {
        self.field(name, InType::Binary, OutType::IPv6);
        self.payload.push(&16_u16.to_le_bytes());
        self.payload.push(&octets);
    }

    /// A text field: NUL-terminated 8-bit text (`CStr8`); NUL bytes inside are left out.
    /// Everything the driver writes is ASCII (the names too: [`crate::render::Text`]), so
    /// the default out-type (the code page's text) shows it as the lines do, and the
    /// metadata spends no out-type byte on it.
    pub fn str(&mut self, name: &str, value: &str) {
        self.field(name, InType::CStr8, OutType::Default);
        self.payload.push_text(value);
        self.payload.push(&[0]);
    }

    /// A text field cut to the room left, at a character boundary, rather than refused.
    pub fn str_cut(&mut self, name: &str, value: &str) {
        self.field(name, InType::CStr8, OutType::Default);
        let room = self
            .payload
            .buffer
            .len()
            .saturating_sub(self.payload.len)
            .saturating_sub(1);
        let mut end = value.len().min(room);
        while !value.is_char_boundary(end) {
            end = end.saturating_sub(1);
        }
        self.payload.push_text(value.get(..end).unwrap_or_default());
        self.payload.push(&[0]);
    }

    /// A text field holding what `value` prints in a line.
    pub fn put<V: Put + ?Sized>(&mut self, name: &str, value: &V) {
        self.field(name, InType::CStr8, OutType::Default);
        value.put(&mut Text(self.payload));
        self.payload.push(&[0]);
    }

    /// A text field holding what `value` displays (`core::fmt`: not on the callback path).
    pub fn display<D: fmt::Display + ?Sized>(&mut self, name: &str, value: &D) {
        self.field(name, InType::CStr8, OutType::Default);
        let _ = fmt::write(&mut Text(self.payload), format_args!("{value}"));
        self.payload.push(&[0]);
    }

    /// An address as its family's type where that shows what the line prints: IPv4, and IPv6
    /// without a zone (`%12`, which the type cannot carry) and not IPv4-mapped (decoders
    /// differ on `::ffff:a.b.c.d`); any other as the line's text.
    pub fn address(&mut self, name: &str, address: &SocketAddress) {
        match address {
            SocketAddress::V4(v4) => self.ipv4(name, v4.octets()),
            SocketAddress::V6(v6, 0) if v6.to_ipv4_mapped().is_none() => {
                self.ipv6(name, v6.octets());
            }
            other => self.put(name, other),
        }
    }

    /// A field's value in its natural type, as `cargo replay --json` writes it (docs/replay.md#etw):
    /// a number as an integer of its C field's width, a `BOOLEAN` as `BOOL32`, an IPv4 address
    /// as an IPv4 (and an IPv6 address without a zone as an IPv6: see [`Fields::address`]),
    /// anything else as the text the JSON has. A value the JSON writes as `null` (unknown, or
    /// none) is left out of the event: `TraceLogging` has no null.
    pub fn value<T: FieldValue + ?Sized>(&mut self, name: &str, kind: Kind, value: &T) {
        match value.value() {
            FieldValueKind::Number(number) => self.number(name, kind, number),
            FieldValueKind::Signed(number) => match i32::try_from(number) {
                Ok(number) => self.i32(name, number),
                Err(_) => self.i64(name, number),
            },
            FieldValueKind::Word(text) | FieldValueKind::Text(text) => self.str(name, text),
            FieldValueKind::Bool(flag) => self.bool32(name, flag),
            FieldValueKind::Unknown => {}
            FieldValueKind::Address(address) => self.address(name, &address),
            FieldValueKind::Prefix(prefix) => self.put(name, &prefix),
            FieldValueKind::Printed => self.put(name, value),
        }
    }

    /// A number in the width of its field's C type (`ULONG`, `UCHAR`, `ADDRESS_FAMILY`, a
    /// count the driver keeps as `u64`); a value too wide for it (none is) as a `u64`.
    fn number(&mut self, name: &str, kind: Kind, number: u64) {
        match kind {
            Kind::Number(Width::U8) => match u8::try_from(number) {
                Ok(number) => self.u8(name, number),
                Err(_) => self.u64(name, number),
            },
            Kind::Family => match u16::try_from(number) {
                Ok(number) => self.u16(name, number),
                Err(_) => self.u64(name, number),
            },
            Kind::Count | Kind::Luid | Kind::Timestamp => self.u64(name, number),
            _ => match u32::try_from(number) {
                Ok(number) => self.u32(name, number),
                Err(_) => self.u64(name, number),
            },
        }
    }

    /// Fills in the metadata's size; false if the event did not fit.
    fn finish(&mut self) -> bool {
        if self.metadata.overflow || self.payload.overflow {
            return false;
        }
        let (Ok(size), Some(room)) = (
            u16::try_from(self.metadata.len),
            self.metadata.buffer.get_mut(..2),
        ) else {
            return false;
        };
        copy(room, &size.to_le_bytes());
        true
    }

    /// Writes the event through `trace`, unless it did not fit (then counts it as dropped).
    fn write<T: Trace + ?Sized>(
        &mut self,
        descriptor: &EventDescriptor,
        trace: &T,
        session: &Session,
    ) {
        if !self.finish() {
            session.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        // A failed write (no buffer space in a session) is ETW's to count: the session reports
        // its lost events.
        let _ = trace.write(
            descriptor,
            self.metadata.as_slice(),
            self.payload.as_slice(),
        );
    }
}

/// A text field's payload as the renderer's output.
struct Text<'a>(&'a mut Bytes<[u8]>);

impl Out for Text<'_> {
    fn put_str(&mut self, text: &str) {
        self.0.push_text(text);
    }
}

impl fmt::Write for Text<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.0.push_text(text);
        Ok(())
    }
}

/// [`PROVIDER_GUID`] as `tracelog`, `netsh` and the `loaded` line print it:
/// `{cabe4808-b99f-5fdb-95a1-c1294a861355}`.
pub struct BracedGuid;

impl Put for BracedGuid {
    fn put<O: Out>(&self, out: &mut O) {
        out.put_str("{");
        out.put_ascii(&PROVIDER_GUID.to_utf8_bytes());
        out.put_str("}");
    }
}

impl fmt::Display for BracedGuid {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = PROVIDER_GUID.to_utf8_bytes();
        formatter.write_str("{")?;
        formatter.write_str(core::str::from_utf8(&text).unwrap_or("?"))?;
        formatter.write_str("}")
    }
}

// The events, each with its fields. The fields of a record (a notification's row, a stable
// table's header and rows) come from the field table through the renderer's visitors
// ([`crate::render::visit_interface`] and its siblings, visiting [`Fields`]), so a field added
// to the table is in the event too; the driver's own events name their fields from the same
// table.

impl Visit for Fields<'_> {
    fn field<T: FieldValue + ?Sized>(&mut self, field: &Field, value: &T) {
        self.value(field.name, field.kind, value);
    }
}

/// Why a change event has only its keys, as `cargo replay --json`'s `note` says it: the
/// line's note without its space and parentheses.
fn note(fields: &mut Fields<'_>, note: Note) {
    if note == Note::None {
        return;
    }
    fields.field("note", InType::CStr8, OutType::Default);
    let start = fields.payload.len;
    note.put(&mut Text(fields.payload));
    // ` (gone)` → `gone`: the text is ASCII, so cutting bytes keeps it valid.
    fields.payload.cut(start, 2, 1);
    fields.payload.push(&[0]);
}

/// The room for the metadata of an event named `name` with `fields` (each a name, its NUL,
/// its in-type and, for an address (IPv4, IPv6), its out-type), and `extra` bytes more.
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "evaluated at compile time: a fault fails the build"
)]
const fn metadata_room(name: &str, fields: &[&[Field]], extra: usize) -> usize {
    let mut room = 3 + name.len() + 1 + extra;
    let mut table = 0;
    while table < fields.len() {
        let mut field = 0;
        while field < fields[table].len() {
            let types = match fields[table][field].kind {
                Kind::Address | Kind::Prefix { .. } => 2,
                _ => 1,
            };
            room += fields[table][field].name.len() + 1 + types;
            field += 1;
        }
        table += 1;
    }
    room
}

/// `change` (text or `INT32`), `seq` and `note`, before a change event's fields.
const CHANGE_ROOM: usize = "change".len() + 2 + "seq".len() + 2 + "note".len() + 2;

/// The metadata's room of an interface event.
pub const INTERFACE_METADATA: usize =
    metadata_room("interface", &[&INTERFACE_ROW, &NAMES], CHANGE_ROOM);
/// The payload's room of an interface event.
///
/// The largest Windows makes (every flag, every
/// number at its widest, the seven scope levels Windows sets, the longest names: 443 bytes,
/// `tests/etw.rs`). An event that does not fit (sixteen zones, each at its widest) is not
/// written and counted in [`Session::dropped`]: the callback's stack has no more room.
pub const INTERFACE_PAYLOAD: usize = 448;
/// The metadata's room of an address event.
pub const ADDRESS_METADATA: usize = metadata_room("address", &[&ADDRESS_ROW, &NAMES], CHANGE_ROOM);
/// The metadata's room of a route event.
pub const ROUTE_METADATA: usize = metadata_room("route", &[&ROUTE_ROW, &NAMES], CHANGE_ROOM);
/// The payload's room of an address, route or stable-table event.
///
/// The largest any row makes (a route between two IPv6 addresses of eight full groups with zones, the widest LUID,
/// the longest names, every number at its widest: 264 bytes, `tests/etw.rs`).
pub const ROW_PAYLOAD: usize = 272;
/// The metadata's room of a stable table's event, header or row.
pub const STABLE_METADATA: usize = metadata_room(
    "stable-table",
    &[
        &ADDRESS_ROW,
        &NAMES,
        &[stable::POSITION, stable::COMPLETION, stable::ENTRIES],
    ],
    "seq".len() + 3,
);

/// An interface notification's event.
pub type InterfaceEvent = Event<INTERFACE_METADATA, INTERFACE_PAYLOAD>;
/// An address notification's event.
pub type AddressEvent = Event<ADDRESS_METADATA, ROW_PAYLOAD>;
/// A route notification's event.
pub type RouteEvent = Event<ROUTE_METADATA, ROW_PAYLOAD>;
/// A stable table's event: its header, or one of its rows.
pub type StableEvent = Event<STABLE_METADATA, ROW_PAYLOAD>;

/// Starts a change notification's event in `event`.
///
/// `kind` is its name, then `change` (its
/// word, or the number of a type Windows does not define), the kind's `seq` (1 for its first
/// event), and `note` when the event has only its keys for a reason. Every field of its
/// record follows ([`crate::record::Record::visit`]'s, through the renderer's visitors).
pub fn start_change<const M: usize, const P: usize>(
    event: &mut Event<M, P>,
    notification: Notification,
    change: Change,
    seq: u64,
    why: Note,
) {
    event.start(
        notification.name(),
        Level::Informational,
        keyword_of(notification),
    );
    let mut fields = event.fields();
    match change {
        Change::Other(raw) => fields.i32("change", raw),
        known => fields.str("change", known.name()),
    }
    fields.u64("seq", seq);
    note(&mut fields, why);
}

/// Starts a stable table's header or row event in `event`.
///
/// Named `stable-table`, with its `seq`
/// among the stable table's records (headers and rows alike, as `cargo replay --json`
/// numbers them). Its fields follow ([`crate::render::visit_stable_header`],
/// [`crate::render::visit_stable_entry`]).
pub fn start_stable(event: &mut StableEvent, seq: u64) {
    event.start(
        Notification::StableTable.name(),
        Level::Informational,
        keyword::STABLE_TABLE,
    );
    event.fields().u64("seq", seq);
}

/// The effective settings, named as the `settings` line names them, and `overrides` when any
/// came from the `State` key.
#[must_use]
pub fn settings_event(settings: &Settings) -> Event {
    let mut event = Event::new("settings", Level::Informational, keyword::LIFECYCLE);
    for (setting, value) in SETTINGS.iter().zip(settings.values()) {
        event.u32(setting.name, value);
    }
    if settings.overrides != 0 {
        let event = &mut event.fields();
        event.field(driver::OVERRIDES.name, InType::CStr8, OutType::Default);
        let mut first = true;
        for (index, setting) in SETTINGS.iter().enumerate() {
            let bit = u32::try_from(index)
                .ok()
                .and_then(|index| 1_u8.checked_shl(index))
                .unwrap_or(0);
            if settings.overrides & bit != 0 {
                if !first {
                    event.payload.push_text(",");
                }
                event.payload.push_text(setting.name);
                first = false;
            }
        }
        event.payload.push(&[0]);
    }
    event
}

/// A storm summary, written into `event` where it lies: what storm control left out of the
/// lines of `notification`.
///
/// `over` is
/// the seconds from the first to the last left out, a `DOUBLE` as the line's `over 0.046s`
/// reads (its bits made with integers: [`millis_as_seconds`]).
pub fn storm_event(event: &mut StormEvent, notification: Notification, summary: &Summary) {
    event.start("storm", Level::Warning, keyword::LIFECYCLE);
    let mut fields = event.fields();
    fields.str(driver::STORM_KIND.name, notification.name());
    counts(&mut fields, "", &summary.counts);
    let millis = summary.last.saturating_sub(summary.first) / 10_000;
    fields.f64_bits(driver::OVER.name, millis_as_seconds(millis));
}

/// The bits of the `f64` nearest `millis / 1000` (ties to even).
///
/// As a parser reads the decimal `<s>.<ms>`, computed with integers: kernel code does not touch the floating-point
/// state unasked (Microsoft Learn, "Using Floating Point in a WDM Driver").
#[must_use]
#[allow(
    clippy::cast_possible_truncation,
    clippy::arithmetic_side_effects,
    reason = "the mantissa is below 2^53 and the shift below 128; integer casts in a const fn"
)]
pub const fn millis_as_seconds(millis: u64) -> u64 {
    if millis == 0 {
        return 0;
    }
    // millis * 2^64 / 1000 (at least 2^54, below 2^118), by long division in u64 steps: a
    // u128 division would call compiler-builtins' `__udivti3`, whose aarch64 unwind data
    // names a C++ handler a kernel image has not.
    let high = millis / 1000;
    let (middle, rest) = (
        ((millis % 1000) << 32) / 1000,
        ((millis % 1000) << 32) % 1000,
    );
    let (low, rest) = ((rest << 32) / 1000, (rest << 32) % 1000);
    let quotient = ((high as u128) << 64) | ((middle as u128) << 32) | low as u128;
    let inexact = rest != 0;
    let bits = 128 - quotient.leading_zeros();
    // Keep 53 significant bits; `bits` is at least 55.
    let mut shift = bits.saturating_sub(53);
    let mut mantissa = quotient >> shift;
    let dropped = quotient & ((1_u128 << shift).wrapping_sub(1));
    let half = 1_u128 << shift.saturating_sub(1);
    if dropped > half || (dropped == half && (inexact || mantissa & 1 == 1)) {
        mantissa = mantissa.wrapping_add(1);
        if mantissa == 1 << 53 {
            mantissa >>= 1;
            shift = shift.wrapping_add(1);
        }
    }
    // value = mantissa * 2^(shift - 64) = 1.f * 2^(shift - 12).
    let exponent = (shift as u64).wrapping_add(1023).wrapping_sub(12);
    (exponent << 52) | ((mantissa as u64) & ((1 << 52) - 1))
}

/// A warning or an error line, as an event written into `event` where it lies: its text
/// without the `netnotify: ` prefix and its level word, as `message`.
pub fn message_event(event: &mut MessageEvent, error: bool, text: &str) {
    let (name, level) = if error {
        ("error", Level::Error)
    } else {
        ("warning", Level::Warning)
    };
    event.start(name, level, keyword::LIFECYCLE);
    event.fields().str_cut(driver::MESSAGE.name, text);
}

/// The counters: in `unloaded`, and in `counters` (capture-state, which has no line).
///
/// Each
/// group of the line (`interface(...)`) is its fields named `interface.initial` and so on:
/// the flattened form of `cargo replay --json`'s nested objects (`TraceLogging` structs exist,
/// but etl-parser cannot decode them). `kept` and `leaked-tables` only when not empty, as in
/// the line.
#[must_use]
pub fn counters_event(name: &str, counters: &Counters, kept: NotificationSet) -> Event {
    let mut event = Event::new(name, Level::Informational, keyword::LIFECYCLE);
    let mut fields = event.fields();
    counts(&mut fields, "interface.", &counters.interface.snapshot());
    counts(&mut fields, "address.", &counters.address.snapshot());
    counts(&mut fields, "route.", &counters.route.snapshot());
    let StableCounts { tables, entries } = counters.stable.snapshot();
    let mut name = FieldName::new();
    name.push("stable-table.");
    name.push(driver::TABLES.name);
    fields.u64(name.as_str(), tables);
    let mut name = FieldName::new();
    name.push("stable-table.");
    name.push(driver::ROWS.name);
    fields.u64(name.as_str(), entries);
    if kept != NotificationSet::EMPTY {
        fields.display(driver::KEPT.name, &kept);
    }
    let leaked = counters.stable.leaked();
    if leaked != 0 {
        fields.u64(driver::LEAKED_TABLES.name, leaked);
    }
    event
}

fn counts(event: &mut Fields<'_>, prefix: &str, counts: &ChangeCounts) {
    count(event, prefix, driver::INITIAL_COUNT.name, counts.initial);
    count(event, prefix, driver::ADD.name, counts.add);
    count(event, prefix, driver::DELETE.name, counts.delete);
    count(event, prefix, driver::PARAMETER.name, counts.parameter);
    count(event, prefix, driver::OTHER.name, counts.other);
}

/// A count named `<prefix><name>`.
fn count(event: &mut Fields<'_>, prefix: &str, name: &str, value: u64) {
    let mut full = FieldName::new();
    full.push(prefix);
    full.push(name);
    event.u64(full.as_str(), value);
}

/// A field name put together from a prefix and a name, on the stack.
struct FieldName {
    bytes: [u8; 32],
    len: usize,
}

impl FieldName {
    const fn new() -> Self {
        Self {
            bytes: [0; 32],
            len: 0,
        }
    }

    fn push(&mut self, text: &str) {
        let end = self.len.saturating_add(text.len());
        if let Some(room) = self.bytes.get_mut(self.len..end) {
            copy(room, text.as_bytes());
            self.len = end;
        }
    }

    fn as_str(&self) -> &str {
        self.bytes
            .get(..self.len)
            .and_then(|bytes| core::str::from_utf8(bytes).ok())
            .unwrap_or("?")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guid_is_tracelogging_s_hash_of_the_name() {
        assert_eq!(PROVIDER_GUID, Guid::from_name(PROVIDER_NAME));
        assert_eq!(
            std::format!("{BracedGuid}"),
            "{cabe4808-b99f-5fdb-95a1-c1294a861355}"
        );
    }

    // What Microsoft's crate makes of the same name: its `define_provider!` computes the GUID
    // and the provider metadata at compile time.
    tracelogging::define_provider!(CRATE_PROVIDER, "netnotify");

    #[test]
    fn the_guid_and_traits_are_those_of_the_crate_s_provider() {
        assert_eq!(CRATE_PROVIDER.id(), &PROVIDER_GUID);
        assert_eq!(CRATE_PROVIDER.raw_meta(), &PROVIDER_TRAITS[..]);
        assert_eq!(CRATE_PROVIDER.name(), PROVIDER_NAME);
    }

    #[test]
    fn the_traits_are_the_size_and_the_name() {
        assert_eq!(usize::from(PROVIDER_TRAITS[0]), PROVIDER_TRAITS.len());
        assert_eq!(&PROVIDER_TRAITS[2..11], PROVIDER_NAME.as_bytes());
    }

    #[test]
    fn an_event_encodes_as_tracelogging_metadata_and_payload() {
        let mut event: Event = Event::new("e", Level::Warning, keyword::ROUTE);
        event.u32("a", 7);
        event.ipv4("b", [10, 0, 0, 1]);
        event.str("c", "x");
        assert_eq!(
            event.metadata().unwrap(),
            b"\x0f\x00\x00e\0a\0\x08b\0\x88\x08c\0\x02"
        );
        assert_eq!(event.payload(), b"\x07\0\0\0\x0a\0\0\x01x\0");
        let descriptor = event.descriptor();
        assert_eq!(descriptor.level, Level::Warning);
        assert_eq!(descriptor.keyword, keyword::ROUTE);
        assert_eq!(descriptor.channel, Channel::TraceLogging);
    }

    #[test]
    fn a_session_selects_by_level_and_keyword() {
        let session = Session::default();
        assert!(!session.enabled(Level::Error, keyword::ROUTE));
        session.control(1, 4, keyword::ROUTE, 0);
        assert!(session.enabled(Level::Informational, keyword::ROUTE));
        assert!(!session.enabled(Level::Verbose, keyword::ROUTE));
        assert!(!session.enabled(Level::Informational, keyword::INTERFACE));
        session.control(1, 0, u64::MAX, 0);
        assert!(session.enabled(Level::Verbose, keyword::INTERFACE));
        assert_eq!(session.control(2, 0, 0, 0), Control::CaptureState);
        session.control(0, 0, 0, 0);
        assert!(!session.enabled(Level::Error, keyword::LIFECYCLE));
    }

    #[test]
    fn an_event_that_does_not_fit_is_refused() {
        let mut event: Event = Event::new("e", Level::Warning, keyword::ROUTE);
        for _ in 0..100 {
            event.str("field", "0123456789");
        }
        assert!(event.metadata().is_none());
    }

    #[test]
    fn seconds_are_the_double_a_parser_reads_from_the_line() {
        let mut millis: u64 = 0;
        while millis < 5_000_000 {
            let text = std::format!("{}.{:03}", millis / 1000, millis % 1000);
            let parsed: f64 = text.parse().unwrap();
            assert_eq!(millis_as_seconds(millis), parsed.to_bits(), "{text}");
            millis += 1 + millis / 7;
        }
        for millis in [
            1,
            46,
            999,
            1000,
            1001,
            u64::from(u32::MAX),
            u64::MAX / 3,
            u64::MAX,
        ] {
            #[allow(clippy::cast_precision_loss, reason = "the reference")]
            let expected = (millis as f64 / 1000.0).to_bits();
            // Division of the nearest double is not always the nearest quotient; the exact
            // quotient's nearest double is, and for these values they agree.
            assert_eq!(millis_as_seconds(millis), expected, "{millis}");
        }
    }

    #[test]
    fn a_note_is_its_words() {
        let mut event: Event = Event::new("e", Level::Warning, keyword::ROUTE);
        note(&mut event.fields(), Note::Gone);
        note(&mut event.fields(), Note::None);
        note(&mut event.fields(), Note::NotPassive(2));
        assert_eq!(
            event.payload(),
            b"gone before re-query\0not re-queried at IRQL 2\0"
        );
    }
}
