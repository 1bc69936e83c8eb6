//! The payload of a `TraceLogging` event of a fixed schema, in a fixed buffer.
//!
//! Owns [`Event`] (its schema and payload, with room fixed by its type) and [`Fields`], the
//! writer of its payload: each column's value in the schema's order and type, a column the
//! record lacks as its type's zero with its bit clear in `present`, and how each value of a
//! record becomes its column's type ([`Fields::value`]). The metadata is the schema's
//! `static` ([`super::schema`]): nothing of it is written at run time. What does not fit
//! (nothing valid: every payload's room is its columns' largest values) is refused, never
//! cut into a malformed event.

use core::fmt;
use core::sync::atomic::Ordering;

use super::abi::{Channel, EventDescriptor, InType};
use super::provider::Trace;
#[cfg(any(test, feature = "sim"))]
use super::schema::CHANGE_HEADER;
use super::schema::{
    CHANGE_HEADER_METADATA, Columns, LENGTH, NAMES_METADATA, PRESENT, SOCKADDR_INET, Schema, ZONES,
};
use super::session::Session;
use crate::boundary::ffi::{AF_INET, AF_INET6};
use crate::model::decode::SocketAddress;
use crate::model::fields::{Bits, FieldValue, Value as FieldValueKind};
use crate::model::names::Names;
use crate::model::printed::{Out, Put, eight_digits};

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
    /// Pushes a fixed-size value (an integer's bytes): one store, no loop.
    #[inline]
    pub(super) fn push_array<const K: usize>(&mut self, bytes: [u8; K]) {
        // Below the buffer's length: no wrap. One range check, its length `K` by construction.
        let end = self.len.wrapping_add(K);
        match self
            .buffer
            .get_mut(self.len..end)
            .and_then(|room| <&mut [u8; K]>::try_from(room).ok())
        {
            Some(room) => {
                *room = bytes;
                self.len = end;
            }
            None => self.overflow = true,
        }
    }

    /// The next `K` bytes, for a value written where it lies (no copy of it on the stack);
    /// `None` (and the overflow noted) if they do not fit.
    #[inline]
    pub(super) fn reserve<const K: usize>(&mut self) -> Option<&mut [u8; K]> {
        // As [`Bytes::push_array`]'s: one range check.
        let end = self.len.wrapping_add(K);
        if let Some(room) = self
            .buffer
            .get_mut(self.len..end)
            .and_then(|room| <&mut [u8; K]>::try_from(room).ok())
        {
            self.len = end;
            Some(room)
        } else {
            self.overflow = true;
            None
        }
    }

    /// Pushes text, a NUL inside it as `?` (it would end the `CStr8`; what the driver writes
    /// never has one): one pass, as the line copies its text.
    #[inline]
    pub(super) fn push_text(&mut self, text: &str) {
        self.push_ascii(text.as_bytes());
    }

    /// A word of the driver's own tables (an enum's name, `infinite`, a family) and its NUL:
    /// copied as it is, since none holds a NUL (`Value::Word`'s words are literals of the
    /// source; `tests::no_enum_name_holds_a_nul` reads the field table's enum names).
    #[inline]
    pub(super) fn push_word(&mut self, word: &str) {
        let end = self.len.saturating_add(word.len());
        match self.buffer.get_mut(self.len..=end) {
            Some(room) => {
                copy(room, word.as_bytes());
                if let Some(nul) = room.last_mut() {
                    *nul = 0;
                }
                self.len = end.saturating_add(1);
            }
            None => self.overflow = true,
        }
    }

    /// As [`Bytes::push_text`], for bytes the renderer produced.
    #[inline]
    pub(super) fn push_ascii(&mut self, bytes: &[u8]) {
        let end = self.len.saturating_add(bytes.len());
        match self.buffer.get_mut(self.len..end) {
            Some(room) => {
                for (to, from) in room.iter_mut().zip(bytes) {
                    *to = if *from == 0 { b'?' } else { *from };
                }
                self.len = end;
            }
            None => self.overflow = true,
        }
    }

    fn as_slice(&self) -> &[u8] {
        self.buffer.get(..self.len).unwrap_or_default()
    }
}

/// Copies `from` into `to`, as far as both go: `copy_from_slice` would keep a panic path for
/// a length mismatch that the image's no-panic proof cannot see past (`ci/object-checks`).
#[allow(
    clippy::inline_always,
    reason = "a fixed-length copy once inlined: a move, no loop"
)]
#[inline(always)]
pub(super) fn copy(to: &mut [u8], from: &[u8]) {
    for (to, from) in to.iter_mut().zip(from) {
        *to = *from;
    }
}

/// Where the event's writer is in its schema.
struct Cursor {
    schema: &'static Schema,
    /// The schema's metadata (held here: one load less per column than through `schema`).
    metadata: &'static [u8],
    /// Where the next column begins in `metadata`: an offset, so that moving past a column
    /// is one store (a shrinking slice is two, and a bounds check's selects).
    at: usize,
    /// The payload offset of `present`, once written (`usize::MAX` before).
    present_at: usize,
    /// The bit in `present` of the last column moved to, and of the next (0 before
    /// `present`: a column before it has none). Shifted as the writer moves, so that marking
    /// a column present is one `or`.
    bit: u32,
    next_bit: u32,
    /// The columns after `present` that have a value.
    bits: u32,
    /// A value was written that its column's type does not hold, or a column out of order.
    malformed: bool,
}

/// One `TraceLogging` event of a fixed schema being built.
///
/// Its payload has room for `P` bytes (the schema's [`Schema::payload`]); its columns are
/// written through [`Event::fields`], in the schema's order.
pub struct Event<const P: usize> {
    cursor: Cursor,
    payload: Bytes<[u8; P]>,
}

impl<const P: usize> Event<P> {
    /// The payload's room, in bytes: its schema's largest payload.
    pub const PAYLOAD: usize = P;

    /// An empty event of `schema`, built where it lies: a callback's event is built in its
    /// frame, never moved (a move of its buffer costs its size again on the stack).
    #[must_use]
    #[allow(
        clippy::inline_always,
        reason = "built in the caller's frame, not copied into it: a callback's stack budget"
    )]
    #[inline(always)]
    pub const fn new(schema: &'static Schema) -> Self {
        Self {
            cursor: Cursor {
                schema,
                metadata: schema.metadata,
                at: schema.first_column(),
                present_at: usize::MAX,
                bit: 0,
                next_bit: 0,
                bits: 0,
                malformed: false,
            },
            payload: Bytes::new(),
        }
    }

    /// The writer of the event's columns: one for every size of event.
    pub const fn fields(&mut self) -> Fields<'_> {
        Fields {
            cursor: &mut self.cursor,
            payload: &mut self.payload,
        }
    }

    /// The descriptor: the schema's level and keyword, on the `TraceLogging` channel.
    #[must_use]
    pub const fn descriptor(&self) -> EventDescriptor {
        descriptor(self.cursor.schema)
    }

    /// The metadata: the schema's, the same bytes for every event of its name.
    #[must_use]
    pub const fn metadata(&self) -> &'static [u8] {
        self.cursor.schema.metadata
    }

    /// Writes the columns not written yet (each its type's zero) and fills in `present`;
    /// false if the event did not fit or was written out of its schema.
    pub fn finish(&mut self) -> bool {
        self.fields().finish(None)
    }

    /// The payload (complete after [`Event::finish`]).
    #[must_use]
    pub fn payload(&self) -> &[u8] {
        self.payload
            .buffer
            .get(..self.payload.len)
            .unwrap_or_default()
    }

    /// Writes the event through `trace`, unless it did not fit (then counts it as dropped).
    /// An event whose schema has the interface's names has them empty, their bits clear.
    pub fn write<T: Trace + ?Sized>(&mut self, trace: &T, session: &Session) {
        self.fields().write(trace, session, None);
    }

    /// Writes the event with the interface's `names`: their UTF-16 units go to ETW from
    /// `names` itself, each in a data descriptor of its own, without a copy.
    pub fn write_names<T: Trace + ?Sized>(&mut self, trace: &T, session: &Session, names: &Names) {
        self.fields().write(trace, session, Some(names));
    }
}

/// An event descriptor of `schema`.
const fn descriptor(schema: &Schema) -> EventDescriptor {
    let mut descriptor = EventDescriptor::new(schema.level, schema.keyword);
    descriptor.channel = Channel::TraceLogging;
    descriptor
}

/// Writes an event's payload, whatever its room, column by column in its schema's order.
pub struct Fields<'a> {
    cursor: &'a mut Cursor,
    pub(super) payload: &'a mut Bytes<[u8]>,
}

impl Fields<'_> {
    /// Moves to the column `prefix` `name`, the next one the writer has not passed: the
    /// columns before it that were not written get their type's zero. `None` (the event
    /// malformed) if there is no such column after the last one written. Not inlined: one
    /// copy for every field's writer (the image's size).
    ///
    /// The columns are addressed by position, not looked up by name: the next column is the
    /// one written if its name is as long as `prefix` `name` (its NUL is where that name's
    /// would be), and one of another length is passed over as absent (a record without a
    /// column in the middle: `loaded`'s `entries`, a stable table row's header columns). That
    /// the names are equal is proven where the encoding is tested (the byte-identical
    /// metadata and payload tests, the simulator's decoding): builds with the simulator
    /// compare them too ([`Fields::same_name`]) and refuse an event written under another
    /// name than its column's, or out of its schema's order.
    #[inline(never)]
    fn column(&mut self, prefix: &str, name: &str) -> Option<InType> {
        if let found @ Some(_) = self.claim(prefix, name) {
            return found;
        }
        self.pass(prefix, name)
    }

    /// Moves past the next column if it is as long as `prefix` `name`: its in-type.
    #[allow(
        clippy::inline_always,
        reason = "the whole of a field's addressing: no call of its own"
    )]
    #[inline(always)]
    fn claim(&mut self, prefix: &str, name: &str) -> Option<InType> {
        // Names and offsets within a schema's metadata (below 64 KiB): no add can wrap.
        let at = self.cursor.at;
        let end = at.wrapping_add(prefix.len()).wrapping_add(name.len());
        let metadata = self.cursor.metadata;
        // The name's NUL where a name as long would end, then the in-type: one bounds check.
        let Some(&[0, in_type]) = metadata.get(end..end.wrapping_add(2)) else {
            return None;
        };
        self.advance();
        // The high bit of the in-type: an out-type byte follows. Past the metadata's end
        // (a malformed schema), every later column is found missing.
        self.cursor.at = end.wrapping_add(2 | usize::from(in_type >> 7));
        if !Self::same_name(metadata.get(at..).unwrap_or_default(), prefix, name) {
            self.cursor.malformed = true;
        }
        Some(InType::from_int(in_type & 0x7F))
    }

    /// [`Fields::column`] past columns of another length than `prefix` `name`'s, each its
    /// type's zero, to the next one as long. Out of line: the writers of a complete record
    /// never come here.
    #[inline(never)]
    fn pass(&mut self, prefix: &str, name: &str) -> Option<InType> {
        loop {
            let Some((_, in_type, next)) = Columns::read(self.cursor.metadata, self.cursor.at)
            else {
                self.cursor.malformed = true;
                return None;
            };
            self.cursor.at = next;
            self.advance();
            self.zero(in_type);
            if let Some(in_type) = self.claim(prefix, name) {
                return Some(in_type);
            }
        }
    }

    /// Whether the column at the start of `rest` is named `prefix` `name` (as long as it:
    /// [`Fields::column`] found so). Compared only in builds with the simulator, where every
    /// event the tests write is checked; the driver's writers are the same code.
    #[cfg(any(test, feature = "sim"))]
    fn same_name(rest: &[u8], prefix: &str, name: &str) -> bool {
        rest.starts_with(prefix.as_bytes())
            && rest
                .get(prefix.len()..)
                .is_some_and(|rest| rest.starts_with(name.as_bytes()))
    }

    /// Without the simulator: the names were proven equal by its tests.
    #[cfg(not(any(test, feature = "sim")))]
    #[inline]
    const fn same_name(_rest: &[u8], _prefix: &str, _name: &str) -> bool {
        true
    }

    /// Moves to the column `name`, which must be of `in_type`.
    #[inline]
    fn typed(&mut self, name: &str, in_type: InType) -> bool {
        self.prefixed_typed("", name, in_type)
    }

    /// Moves to the column `prefix` `name`, which must be of `in_type`.
    #[inline]
    fn prefixed_typed(&mut self, prefix: &str, name: &str, in_type: InType) -> bool {
        match self.column(prefix, name) {
            Some(found) if found == in_type => {
                self.mark();
                true
            }
            Some(found) => {
                self.cursor.malformed = true;
                self.zero(found);
                false
            }
            None => false,
        }
    }

    /// Moves past a column: its bit is the next one.
    #[allow(clippy::inline_always, reason = "two moves, on every column's path")]
    #[inline(always)]
    const fn advance(&mut self) {
        self.cursor.bit = self.cursor.next_bit;
        // At most 32 columns after `present` (a schema's compile-time assert): the bit of a
        // column past them, never marked, may shift out.
        self.cursor.next_bit = self.cursor.next_bit.wrapping_shl(1);
    }

    /// The last column moved to has a value: its bit in `present`.
    #[allow(clippy::inline_always, reason = "one `or`, on every column's path")]
    #[inline(always)]
    const fn mark(&mut self) {
        self.cursor.bits |= self.cursor.bit;
    }

    /// `column`'s type's zero: no value (a counted type's count 0).
    #[inline(never)]
    fn zero(&mut self, in_type: InType) {
        match in_type {
            InType::CStr8 | InType::U8 => self.payload.push_array([0]),
            InType::CStr16 | InType::U16 | InType::Binary | InType::U32Array => {
                self.payload.push_array([0; 2]);
            }
            InType::U64 | InType::I64 | InType::F64 => self.payload.push_array([0; 8]),
            _ => self.payload.push_array([0; 4]),
        }
    }

    /// A change's header, the schema's first columns
    /// ([`CHANGE_HEADER`](super::schema::CHANGE_HEADER)), written without looking each
    /// column up: `change` (the text and NUL `change` pushes), `seq`, `printed`, `note`
    /// (the text `note` pushes) and `present`. The event is malformed if its schema has no
    /// such header, or if the writer has moved.
    pub(super) fn change_header(
        &mut self,
        change: impl FnOnce(&mut Bytes<[u8]>),
        seq: u64,
        printed: bool,
        note: impl FnOnce(&mut Bytes<[u8]>),
    ) {
        let schema = self.cursor.schema;
        let first = schema.first_column();
        let header = schema
            .metadata
            .get(first..)
            .and_then(|rest| rest.split_at_checked(CHANGE_HEADER_METADATA));
        match header {
            Some((columns, _))
                if schema.change && self.payload.len == 0 && Self::same_header(columns) =>
            {
                // Within the metadata, just checked: no wrap.
                self.cursor.at = first.wrapping_add(CHANGE_HEADER_METADATA);
            }
            _ => {
                self.cursor.malformed = true;
                return;
            }
        }
        change(self.payload);
        self.payload.push_array(seq.to_le_bytes());
        self.payload.push_array(u32::from(printed).to_le_bytes());
        note(self.payload);
        self.payload.push_array([0]);
        self.cursor.present_at = self.payload.len;
        self.cursor.next_bit = 1;
        self.payload.push_array([0; 4]);
    }

    /// Whether `columns` (a schema's first bytes of columns) are [`CHANGE_HEADER`]'s. Compared
    /// in builds with the simulator, as the names are ([`Fields::same_name`]): the driver's
    /// schemas are the same statics, and `Schema::change` is computed from their columns.
    #[cfg(any(test, feature = "sim"))]
    fn same_header(columns: &[u8]) -> bool {
        let mut at = 0;
        CHANGE_HEADER.iter().all(|column| {
            let Some((name, in_type, next)) = Columns::read(columns, at) else {
                return false;
            };
            at = next;
            name == column.name.as_bytes() && in_type == column.in_type
        }) && at == columns.len()
    }

    /// Without the simulator: the headers were proven equal by its tests.
    #[cfg(not(any(test, feature = "sim")))]
    #[inline]
    const fn same_header(_columns: &[u8]) -> bool {
        true
    }

    /// `present`: its bits are filled in when the event is finished.
    pub fn present(&mut self) {
        if self.typed(PRESENT, InType::U32) {
            self.cursor.present_at = self.payload.len;
            self.cursor.next_bit = 1;
            self.payload.push_array([0; 4]);
        }
    }

    /// A `u32` column.
    #[inline(never)]
    pub fn u32(&mut self, name: &str, value: u32) {
        if self.typed(name, InType::U32) {
            self.payload.push_array(value.to_le_bytes());
        }
    }

    /// A `u64` column.
    pub fn u64(&mut self, name: &str, value: u64) {
        self.prefixed_u64("", name, value);
    }

    /// A `u64` column named `prefix` `name`.
    #[inline(never)]
    pub fn prefixed_u64(&mut self, prefix: &str, name: &str, value: u64) {
        if self.prefixed_typed(prefix, name, InType::U64) {
            self.payload.push_array(value.to_le_bytes());
        }
    }

    /// A `BOOL32` column: 1 or 0.
    #[inline(never)]
    pub fn bool32(&mut self, name: &str, value: bool) {
        if self.typed(name, InType::Bool32) {
            self.payload.push_array(u32::from(value).to_le_bytes());
        }
    }

    /// A `DOUBLE` column, given as its bits.
    #[inline(never)]
    pub fn f64_bits(&mut self, name: &str, bits: u64) {
        if self.typed(name, InType::F64) {
            self.payload.push_array(bits.to_le_bytes());
        }
    }

    /// A text column (`CStr8`): a NUL inside is `?`. Everything the driver writes
    /// in one is ASCII, so the default out-type (the code page's text) shows it as the lines
    /// do, and the metadata spends no out-type byte on it.
    #[inline(never)]
    pub fn str(&mut self, name: &str, value: &str) {
        if self.typed(name, InType::CStr8) {
            self.payload.push_text(value);
            self.payload.push_array([0]);
        }
    }

    /// A text column cut to `room` bytes at a character boundary, rather than refused.
    pub fn str_cut(&mut self, name: &str, value: &str, room: usize) {
        let mut end = value.len().min(room);
        while !value.is_char_boundary(end) {
            end = end.saturating_sub(1);
        }
        self.str(name, value.get(..end).unwrap_or_default());
    }

    /// A text column holding what `value` prints in a line.
    #[inline(never)]
    pub fn put<V: Put + ?Sized>(&mut self, name: &str, value: &V) {
        if self.typed(name, InType::CStr8) {
            value.put(&mut Text(self.payload));
            self.payload.push_array([0]);
        }
    }

    /// A text column whose text `write` pushes.
    pub(super) fn text_with(&mut self, name: &str, write: impl FnOnce(&mut Bytes<[u8]>)) {
        if self.typed(name, InType::CStr8) {
            write(self.payload);
            self.payload.push_array([0]);
        }
    }

    /// A record's value in its column's type (docs/replay.md#etw): a number as its column's
    /// integer (a word of a number column, `infinite` or `unset`, as the all-ones value the
    /// row holds), a `BOOLEAN` as `BOOL32`, a name as UTF-16, anything else as the text the
    /// JSON has (an enum Windows does not define as its decimal number). A value the JSON
    /// writes as `null` (unknown, or none) is its type's zero with its bit in `present` clear.
    ///
    /// Inlined into each field's [`Visit::field`](crate::model::fields::Visit::field), where
    /// its name and kind are constants: a call per column, its frame and saved registers,
    /// cost about a third of a column (callgrind, per event of each kind).
    #[inline]
    pub fn value<T: FieldValue + ?Sized>(&mut self, name: &str, value: &T) {
        // The column's addressing inlined: every field of a record comes here.
        let Some(in_type) = self.claim("", name).or_else(|| self.pass("", name)) else {
            return;
        };
        // The binary kinds first: a type without them has `Bits::None` inlined, so its
        // writer has no branch for them.
        let written = match value.bits() {
            Bits::None => match value.value() {
                FieldValueKind::Printed if in_type == InType::CStr8 => self.printed(value),
                FieldValueKind::Address(address) if in_type == InType::Binary => {
                    self.address(&address);
                    true
                }
                FieldValueKind::Prefix(prefix) if in_type == InType::Binary => {
                    self.address(&prefix.address);
                    self.mark();
                    // Its length: the next column (`destination-length`), its own bit.
                    self.length(name, prefix.length);
                    return;
                }
                // Only a printed value needs `T`; every other kind is written by one
                // function for every type (the image's size).
                kind => self.kind(in_type, kind),
            },
            // Never its printed form: a type with bits has no text writer in the events.
            bits => self.binary(in_type, bits),
        };
        if written {
            self.mark();
        } else {
            self.zero(in_type);
        }
    }

    /// A value's bits in a column of `in_type`; false (the event malformed) if the column's
    /// type does not hold them.
    #[inline(never)]
    fn binary(&mut self, in_type: InType, bits: Bits<'_>) -> bool {
        match (in_type, bits) {
            (InType::U64, Bits::Luid(luid)) => self.payload.push_array(luid.to_le_bytes()),
            (InType::I64, Bits::Timestamp(stamp)) => {
                self.payload.push_array(stamp.to_le_bytes());
            }
            (InType::U32Array, Bits::Zones(zones)) => self.zones(zones),
            (InType::U32, Bits::Flags(flags)) => self.payload.push_array(flags.to_le_bytes()),
            _ => {
                self.cursor.malformed = true;
                return false;
            }
        }
        true
    }

    /// An address as the `SOCKADDR_INET` it is: its byte count, then the family and what
    /// that family defines (port and flow info 0, as NETIO's rows have them).
    #[inline(never)]
    fn address(&mut self, address: &SocketAddress) {
        // `SOCKADDR_IN`: family, port, the address at 4; `SOCKADDR_IN6`: family, port, flow
        // info, the address at 8, the scope id at 24 (ws2def.h, ws2ipdef.h).
        let Some(bytes) = self.payload.reserve::<{ 2 + SOCKADDR_INET }>() else {
            return;
        };
        *bytes = [0; 2 + SOCKADDR_INET];
        #[allow(clippy::cast_possible_truncation, reason = "28 fits a u16")]
        copy(bytes, &(SOCKADDR_INET as u16).to_le_bytes());
        let sockaddr = bytes.get_mut(2..).unwrap_or_default();
        match address {
            SocketAddress::V4(ip) => {
                copy(sockaddr, &AF_INET.to_le_bytes());
                copy(sockaddr.get_mut(4..).unwrap_or_default(), &ip.octets());
            }
            SocketAddress::V6(ip, scope) => {
                copy(sockaddr, &AF_INET6.to_le_bytes());
                copy(sockaddr.get_mut(8..).unwrap_or_default(), &ip.octets());
                copy(
                    sockaddr.get_mut(24..).unwrap_or_default(),
                    &scope.to_le_bytes(),
                );
            }
            SocketAddress::Other(family) => copy(sockaddr, &family.to_le_bytes()),
        }
    }

    /// A prefix's length, in the column after its address.
    #[inline(never)]
    fn length(&mut self, name: &str, length: u8) {
        // Always right after its address: claimed where it is, no other column passed.
        match self.claim(name, LENGTH) {
            Some(InType::U8) => {
                self.mark();
                self.payload.push_array([length]);
            }
            _ => self.cursor.malformed = true,
        }
    }

    /// The zone indices: their count, then each.
    #[inline(never)]
    fn zones(&mut self, zones: &[u32; ZONES]) {
        // Written where it lies: a whole array per unit, no per-byte bounds checks.
        let Some(bytes) = self.payload.reserve::<{ 2 + 4 * ZONES }>() else {
            return;
        };
        let Some((count, rest)) = bytes.split_first_chunk_mut::<2>() else {
            return;
        };
        #[allow(clippy::cast_possible_truncation, reason = "16 fits a u16")]
        {
            *count = (ZONES as u16).to_le_bytes();
        }
        for (to, zone) in rest.as_chunks_mut::<4>().0.iter_mut().zip(zones) {
            *to = zone.to_le_bytes();
        }
    }

    /// `value`'s printed text. Not inlined: the frame of a long text's formatting is not the
    /// frame of every field's writer (the callbacks' stack).
    #[inline(never)]
    fn printed<T: Put + ?Sized>(&mut self, value: &T) -> bool {
        value.put(&mut Text(self.payload));
        self.payload.push_array([0]);
        true
    }

    /// A value of `kind` in a column of `in_type`; false if it has none (or the column's type
    /// cannot hold it: the event is malformed then). Inlined into each type's
    /// [`Fields::value`], where its kind is known: only its column's types are left.
    #[allow(
        clippy::inline_always,
        reason = "folded to the one kind each type has (the events' cost)"
    )]
    #[inline(always)]
    fn kind(&mut self, in_type: InType, kind: FieldValueKind<'_>) -> bool {
        match (in_type, kind) {
            (_, FieldValueKind::Unknown) => false,
            (InType::U32, FieldValueKind::Number(number)) => {
                self.payload
                    .push_array(u32::try_from(number).unwrap_or(u32::MAX).to_le_bytes());
                true
            }
            (InType::U32, FieldValueKind::Word(_)) => {
                self.payload.push_array(u32::MAX.to_le_bytes());
                true
            }
            (InType::U8, FieldValueKind::Number(number)) => {
                self.payload
                    .push_array([u8::try_from(number).unwrap_or(u8::MAX)]);
                true
            }
            (InType::U64, FieldValueKind::Number(number)) => {
                self.payload.push_array(number.to_le_bytes());
                true
            }
            (InType::Bool32, FieldValueKind::Bool(flag)) => {
                self.payload.push_array(u32::from(flag).to_le_bytes());
                true
            }
            (InType::CStr8, FieldValueKind::Word(word)) => {
                self.payload.push_word(word);
                true
            }
            (InType::CStr8, FieldValueKind::Text(text)) => {
                self.payload.push_text(text);
                self.payload.push_array([0]);
                true
            }
            (InType::CStr8, FieldValueKind::Number(number)) => {
                self.decimal(number);
                true
            }
            (InType::CStr8, FieldValueKind::Signed(number)) => {
                self.decimal(number);
                true
            }
            _ => {
                self.cursor.malformed = true;
                false
            }
        }
    }

    /// `number` as decimal text. Out of line: its buffer is not in the frame of every
    /// field's [`Fields::kind`] (a call's cost for the common kinds).
    #[inline(never)]
    fn decimal<I: itoa::Integer>(&mut self, number: I) {
        self.payload
            .push_ascii(itoa::Buffer::new().format(number).as_bytes());
        self.payload.push_array([0]);
    }

    /// Writes the columns not written yet and fills in `present` (with the bits of the
    /// `names` that are known); false if the event did not fit or was written out of its
    /// schema. The names' columns, last, are not in the payload's buffer.
    fn finish(&mut self, names: Option<&Names>) -> bool {
        // A record written to its last field: only the names' columns are left (the schemas'
        // last, `names_last`), nothing to pass over.
        let at_names = self.cursor.schema.names
            && self.cursor.metadata.len().saturating_sub(self.cursor.at) == NAMES_METADATA;
        while let Some((_, in_type, next)) =
            Columns::read(self.cursor.metadata, self.cursor.at).filter(|_| !at_names)
        {
            if in_type == InType::CStr16 {
                break;
            }
            self.cursor.at = next;
            self.advance();
            self.zero(in_type);
        }
        if let Some(names) = names {
            // The name and alias columns are the last two, the cursor at the name's.
            let name = self.cursor.next_bit;
            for (known, bit) in [
                (names.name.is_known(), name),
                (names.alias.is_known(), name.wrapping_shl(1)),
            ] {
                if known {
                    self.cursor.bits |= bit;
                }
            }
        }
        if let Some(room) = self
            .payload
            .buffer
            .get_mut(self.cursor.present_at..)
            .and_then(<[u8]>::first_chunk_mut::<4>)
        {
            *room = self.cursor.bits.to_le_bytes();
        }
        !(self.payload.overflow || self.cursor.malformed)
    }

    /// Writes the event through `trace`, unless it did not fit (then counts it as dropped) or
    /// no handle is published: an enable callback inside `EtwRegister`, before the traits
    /// are set, writes nothing (docs/netio.md#etw). A write ETW refuses (no buffer space in a
    /// session) is counted as dropped too. Not inlined: its call's frame is not held by the
    /// callbacks' frames while they encode their fields (their stack budget).
    #[inline(never)]
    fn write<T: Trace + ?Sized>(&mut self, trace: &T, session: &Session, names: Option<&Names>) {
        if !self.finish(names) {
            session.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let Some(handle) = session.handle() else {
            return;
        };
        let schema = self.cursor.schema;
        let names = if schema.names {
            Some(names.unwrap_or(&Names::UNKNOWN))
        } else {
            None
        };
        let status = trace.write(
            handle,
            &descriptor(schema),
            schema.metadata,
            self.payload.as_slice(),
            names,
        );
        if status.is_error() {
            session.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}
/// A text field's payload as the renderer's output.
pub(super) struct Text<'a>(pub(super) &'a mut Bytes<[u8]>);

// Not inlined: every value's printed form calls them many times (the image's size).
impl Out for Text<'_> {
    #[inline(never)]
    fn put_str(&mut self, text: &str) {
        self.0.push_text(text);
    }

    /// As the line's: below 10^8 the digits at once ([`eight_digits`]), `itoa`'s above.
    #[inline(never)]
    fn put_decimal(&mut self, value: u64) {
        if let Ok(small) = u32::try_from(value)
            && let Some((digits, count)) = eight_digits(small)
        {
            let count = usize::try_from(count).unwrap_or(8);
            self.0.push_ascii(digits.get(..count).unwrap_or_default());
            return;
        }
        self.0
            .push_ascii(itoa::Buffer::new().format(value).as_bytes());
    }

    #[inline(never)]
    fn put_ascii(&mut self, bytes: &[u8]) {
        self.0.push_ascii(bytes);
    }
}

impl fmt::Write for Text<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.0.push_text(text);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    // Crate paths: the import-cycle check reads `super::` in an inline module as the file's.
    use crate::output::trace::abi::Level;
    use crate::output::trace::encoding::Event;
    use crate::output::trace::schema::{Column, Schema, metadata, metadata_len, payload_room};

    /// Two columns as long as each other, of one type: a writer that swaps them is written
    /// to the right positions' lengths and types, so only the names tell. Then one longer.
    const PAIR: [Column; 3] = [
        Column::bool32("loopback"),
        Column::bool32("autoconf"),
        Column::u32("route-metric"),
    ];
    static PAIR_METADATA: [u8; metadata_len("pair", &PAIR)] = metadata("pair", &PAIR);
    static PAIR_SCHEMA: Schema = Schema {
        name: "pair",
        level: Level::Informational,
        keyword: 1,
        metadata: &PAIR_METADATA,
        payload: payload_room(&PAIR),
        names: false,
        change: false,
    };

    /// A fixed-size push or reservation is checked by one range, `K` long by construction:
    /// it fits up to the buffer's last byte, and one byte past it is refused and remembered,
    /// the bytes written before it kept.
    #[test]
    fn a_push_fits_to_the_buffers_last_byte_and_no_further() {
        use crate::output::trace::encoding::Bytes;
        let mut buffer = Bytes::<[u8; 7]>::new();
        let bytes: &mut Bytes<[u8]> = &mut buffer;
        bytes.push_array([1, 2, 3, 4]);
        if let Some(room) = bytes.reserve::<2>() {
            *room = [5, 6];
        }
        assert!(!bytes.overflow);
        bytes.push_array([7, 8]);
        assert!(bytes.overflow);
        assert!(bytes.reserve::<2>().is_none());
        assert_eq!(bytes.as_slice(), [1, 2, 3, 4, 5, 6]);
        bytes.push_array([7]);
        assert!(bytes.reserve::<1>().is_none());
        bytes.push_array([]);
        assert_eq!(bytes.as_slice(), [1, 2, 3, 4, 5, 6, 7]);
    }

    /// The enum names of every row's fields, which `Fields::value` copies as they are.
    #[test]
    fn no_enum_name_holds_a_nul() {
        use crate::model::fields::{ADDRESS_ROW, INTERFACE_ROW, Kind, ROUTE_ROW};
        let mut names = 0;
        for field in INTERFACE_ROW.iter().chain(&ADDRESS_ROW).chain(&ROUTE_ROW) {
            if let Kind::Enum(table) = field.kind {
                for (_, name) in table {
                    assert!(!name.contains('\0'), "{}: {name:?}", field.name);
                    names += 1;
                }
            }
        }
        assert!(names > 20, "{names}");
    }

    #[test]
    fn columns_are_written_in_order_under_their_names() {
        let mut event: Event<{ PAIR_SCHEMA.payload }> = Event::new(&PAIR_SCHEMA);
        event.fields().bool32("loopback", true);
        event.fields().bool32("autoconf", false);
        event.fields().u32("route-metric", 7);
        assert!(event.finish());
        assert_eq!(event.payload(), [1, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0]);
        // Columns of another length are passed over as absent: their zeros.
        let mut event: Event<{ PAIR_SCHEMA.payload }> = Event::new(&PAIR_SCHEMA);
        event.fields().u32("route-metric", 7);
        assert!(event.finish());
        assert_eq!(event.payload(), [0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0]);
    }

    /// Addressed by position, a swapped or misnamed column would land in another's place:
    /// builds with the simulator compare the names and refuse the event.
    #[test]
    fn a_column_written_out_of_order_or_misnamed_is_refused() {
        let mut event: Event<{ PAIR_SCHEMA.payload }> = Event::new(&PAIR_SCHEMA);
        event.fields().bool32("autoconf", true);
        event.fields().bool32("loopback", false);
        assert!(!event.finish());
        let mut event: Event<{ PAIR_SCHEMA.payload }> = Event::new(&PAIR_SCHEMA);
        event.fields().bool32("loopbacK", true);
        assert!(!event.finish());
        // Written twice: the second finds no column after the first.
        let mut event: Event<{ PAIR_SCHEMA.payload }> = Event::new(&PAIR_SCHEMA);
        event.fields().bool32("loopback", true);
        event.fields().bool32("loopback", true);
        event.fields().bool32("loopback", true);
        assert!(!event.finish());
    }
}
