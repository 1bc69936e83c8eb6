//! The self-describing encoding of a `TraceLogging` event, in fixed buffers.
//!
//! Owns [`Event`] (its descriptor, metadata and payload, with room fixed by its type) and
//! [`Fields`], the writer of its fields: each field's name and type in the metadata, its
//! value in the payload, and how each value of a record becomes a typed field
//! ([`Fields::value`]). What does not fit is refused, never cut into a malformed event.

use core::fmt;
use core::sync::atomic::Ordering;

use super::{Channel, EventDescriptor, InType, Level, OutType, Session, Trace};
use crate::model::decode::SocketAddress;
use crate::model::fields::{FieldValue, Kind, Value as FieldValueKind, Width};
use crate::model::printed::{Out, Put};

/// The event metadata's room, in bytes, for the lifecycle events (the counters' 20 fields).
pub const METADATA_CAPACITY: usize = 640;
/// The payload's room, in bytes, for the lifecycle events.
pub const PAYLOAD_CAPACITY: usize = 320;

/// A byte buffer that refuses what does not fit and remembers that it did: `[u8; N]` where
/// it lies, `[u8]` where it is written (so the writers exist once, not once per size).
pub(super) struct Bytes<B: ?Sized> {
    pub(super) len: usize,
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
    pub(super) fn push(&mut self, bytes: &[u8]) {
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
    pub(super) fn push_text(&mut self, text: &str) {
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
    pub(super) fn cut(&mut self, start: usize, front: usize, back: usize) {
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
pub(super) fn copy(to: &mut [u8], from: &[u8]) {
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
    pub(super) payload: &'a mut Bytes<[u8]>,
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
    pub(super) fn field(&mut self, name: &str, in_type: InType, out_type: OutType) {
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

    /// Writes the event through `trace`, unless it did not fit (then counts it as dropped) or
    /// no handle is published: an enable callback inside `EtwRegister`, before the traits
    /// are set, writes nothing (docs/netio.md#etw). Not inlined: its call's frame is not
    /// held by the callbacks' frames while they encode their fields (their stack budget).
    #[inline(never)]
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
        let Some(handle) = session.handle() else {
            return;
        };
        // A failed write (no buffer space in a session) is ETW's to count: the session reports
        // its lost events.
        let _ = trace.write(
            handle,
            descriptor,
            self.metadata.as_slice(),
            self.payload.as_slice(),
        );
    }
}

/// A text field's payload as the renderer's output.
pub(super) struct Text<'a>(pub(super) &'a mut Bytes<[u8]>);

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
