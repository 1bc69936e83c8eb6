//! A decoded event back into the core's record: the consumer's half of the schema.
//!
//! Owns the mapping of a decoded `TraceLogging` event ([`super::decode`]) to what the driver
//! recorded ([`read`]): a [`Record`] with its header (`seq`, `printed`, and for a change its
//! `change` and `note`), or an error's or warning's [`Message`] (its text: the event carries
//! the line's words, not the cause's parts), and the schema version the `loaded` and
//! `counters` events carry ([`Read::schema`]), which a consumer compares with
//! [`SCHEMA`] before it trusts the names.
//!
//! Every value is found by its column's name in the event, never by position, through the
//! field table ([`crate::model::fields`]): a row's field is written at its C offset into a
//! zeroed row, as the row's own bytes, and decoded by the model's decoder, the one the driver
//! reads NETIO's rows with. A column whose `present` bit is clear leaves the row's bytes zero
//! (a name its [`Text::UNKNOWN`]); which of [`Detail`]'s shapes the record had follows from the
//! bits and the note (docs/replay.md#etw).
//!
//! The bytes are untrusted: nothing here panics or allocates; an event that does not map is a
//! [`ReadError`] naming the event and the field. Used by the watcher and the simulator's
//! trace double; the driver links none of it (nothing in the image calls it).

use core::fmt;

use super::decode::{self, DecodeError, Item, Value};
use super::schema::{LENGTH, PRESENT, schema};
use crate::boundary::ffi::{
    AF_INET, AF_INET6, AF_UNSPEC, MibIpForwardRow2, MibIpInterfaceRow, MibUnicastIpAddressRow,
    TICKS_PER_SECOND,
};
use crate::model::counters::{ChangeCounts, StableCounts, Summary};
use crate::model::decode::{
    Address, AddressKeys, Change, Interface, InterfaceKeys, Route, RouteKeys,
};
use crate::model::fields::{
    ADDRESS_ROW, CHANGE_COUNTS, Field, INTERFACE_ROW, Kind, ROUTE_ROW, Width, common, driver,
    header, stable,
};
use crate::model::names::{Names, Text};
use crate::model::notification::{Notification, NotificationSet};
use crate::model::record::{
    Completion, Detail, Loaded, Note, Record, RowDetail, SCHEMA, StableState, Storm, Totals,
};
use crate::model::settings::{RawValue, SETTINGS, Settings};
use crate::model::status::NtStatus;

/// The most columns an event of the driver's has (the interface's: 26), with room.
const MAX_COLUMNS: usize = 40;

/// The longest message text an event carries ([`super::schema::MESSAGE_TEXT`]).
pub const MESSAGE_BYTES: usize = super::schema::MESSAGE_TEXT;

/// An error's or a warning's text, as its event carries it: the line's words after
/// `error: ` or `warning: `.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Message {
    /// An error (`error:`), or a warning.
    pub error: bool,
    bytes: [u8; MESSAGE_BYTES],
    len: usize,
}

impl Message {
    /// The text (a byte that is not printable ASCII read as `?`, as a line would print it).
    #[must_use]
    pub fn text(&self) -> &str {
        core::str::from_utf8(self.bytes.get(..self.len).unwrap_or_default()).unwrap_or_default()
    }
}

/// What an event says.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "one at a time, on a consumer's stack"
)]
pub enum Said {
    /// A record.
    Record(Record),
    /// An error's or a warning's message.
    Message(Message),
}

/// A decoded event as the driver's record.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Read {
    /// The record or the message.
    pub said: Said,
    /// Its `seq`: its number among its kind's (0 for a rundown's `present`).
    pub seq: u64,
    /// Its `printed`: whether the driver printed its line (storm control's decision).
    pub printed: bool,
    /// The `schema` of a `loaded` or `counters` event ([`SCHEMA`] when it is the one this
    /// reader knows).
    pub schema: Option<u32>,
}

impl Read {
    /// The record's kind: the event's name.
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match &self.said {
            Said::Record(record) => record.kind(),
            Said::Message(message) if message.error => "error",
            Said::Message(_) => "warning",
        }
    }

    /// Whether it is a rundown's `present` event.
    #[must_use]
    pub const fn is_present(&self) -> bool {
        matches!(&self.said, Said::Record(record) if record.is_present())
    }

    /// Whether the event's schema is another than the one this reader knows.
    #[must_use]
    pub fn schema_differs(&self) -> bool {
        self.schema.is_some_and(|schema| schema != SCHEMA)
    }
}

/// Why an event does not map to a record.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ReadError<'a> {
    /// The bytes do not decode.
    Decode(DecodeError<'a>),
    /// A column is missing, of another type, or holds what the driver never writes.
    Field {
        /// The event's name.
        event: &'a str,
        /// The column's name (empty: the event itself).
        field: &'a str,
        /// What was wrong.
        problem: &'static str,
    },
}

impl fmt::Display for ReadError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Decode(error) => error.fmt(f),
            Self::Field {
                event,
                field: "",
                problem,
            } => write!(f, "event {event:?}: {problem}"),
            Self::Field {
                event,
                field,
                problem,
            } => write!(f, "event {event:?} field {field:?}: {problem}"),
        }
    }
}

/// The event's fields by name.
struct Columns<'a> {
    event: &'a str,
    fields: [Option<(&'a str, Value<'a>)>; MAX_COLUMNS],
    count: usize,
    /// The `present` bits, and the column index they count from.
    present: Option<(u32, usize)>,
}

impl<'a> Columns<'a> {
    const fn error(&self, field: &'a str, problem: &'static str) -> ReadError<'a> {
        ReadError::Field {
            event: self.event,
            field,
            problem,
        }
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.fields
            .iter()
            .take(self.count)
            .position(|field| field.is_some_and(|(known, _)| known == name))
    }

    fn get(&self, name: &'a str) -> Result<Value<'a>, ReadError<'a>> {
        self.index(name)
            .and_then(|at| *self.fields.get(at)?)
            .map(|(_, value)| value)
            .ok_or_else(|| self.error(name, "missing"))
    }

    /// Whether the column has a value: its `present` bit, or true in an event without one.
    fn has(&self, name: &str) -> bool {
        let Some((bits, from)) = self.present else {
            return true;
        };
        self.index(name).is_some_and(|at| {
            at.checked_sub(from.saturating_add(1))
                .and_then(|bit| u32::try_from(bit).ok())
                .and_then(|bit| bits.checked_shr(bit))
                .is_some_and(|bits| bits & 1 != 0)
        })
    }

    fn u64(&self, name: &'a str) -> Result<u64, ReadError<'a>> {
        match self.get(name)? {
            Value::U64(value) => Ok(value),
            _ => Err(self.error(name, "not a u64")),
        }
    }

    fn u32(&self, name: &'a str) -> Result<u32, ReadError<'a>> {
        match self.get(name)? {
            Value::U32(value) => Ok(value),
            _ => Err(self.error(name, "not a u32")),
        }
    }

    fn flag(&self, name: &'a str) -> Result<bool, ReadError<'a>> {
        match self.get(name)? {
            Value::Bool32(value) => Ok(value != 0),
            _ => Err(self.error(name, "not a BOOL32")),
        }
    }

    fn text(&self, name: &'a str) -> Result<&'a str, ReadError<'a>> {
        match self.get(name)? {
            Value::CStr8(bytes) => {
                core::str::from_utf8(bytes).map_err(|_| self.error(name, "not UTF-8"))
            }
            _ => Err(self.error(name, "not a CStr8")),
        }
    }
}

/// Collects the event's fields; the driver writes no struct and no two columns of one name.
fn columns(event: decode::Event<'_>) -> Result<Columns<'_>, ReadError<'_>> {
    let mut columns = Columns {
        event: event.name,
        fields: [None; MAX_COLUMNS],
        count: 0,
        present: None,
    };
    for item in event.fields {
        let Item::Field(field) = item.map_err(ReadError::Decode)? else {
            return Err(columns.error("", "a struct, which the driver never writes"));
        };
        let name = field.meta.name;
        if columns.index(name).is_some() {
            return Err(columns.error(name, "twice"));
        }
        let slot = columns
            .fields
            .get_mut(columns.count)
            .ok_or(ReadError::Field {
                event: event.name,
                field: name,
                problem: "more columns than any event of the driver's",
            })?;
        *slot = Some((name, field.value));
        if name == PRESENT {
            let Value::U32(bits) = field.value else {
                return Err(columns.error(name, "not a u32"));
            };
            columns.present = Some((bits, columns.count));
        }
        columns.count = columns.count.saturating_add(1);
    }
    Ok(columns)
}

/// Maps a decoded event to the record the driver wrote it from.
///
/// # Errors
/// The event does not decode, is not one of the driver's, or a column is missing, of
/// another type than its schema's, or holds what the driver never writes: the error names
/// the event and the column.
pub fn read(event: decode::Event<'_>) -> Result<Read, ReadError<'_>> {
    let name = event.name;
    let Some(schema) = schema(name) else {
        return Err(ReadError::Field {
            event: name,
            field: "",
            problem: "not an event of the driver's",
        });
    };
    let columns = columns(event)?;
    // The schema says every column is there: a decoder of another schema must not guess.
    for (column, _, _) in schema.typed_columns() {
        if columns.index(column).is_none() {
            return Err(columns.error(column, "missing"));
        }
    }
    let seq = columns.u64(header::SEQ.name)?;
    let printed = columns.flag(header::PRINTED.name)?;
    let mut schema_version = None;
    let said = match name {
        "interface" | "address" | "route" => Said::Record(change(&columns, printed)?),
        "stable-table" => Said::Record(stable_table(&columns, printed)?),
        "settings" => Said::Record(Record::Settings(settings(&columns)?)),
        "loaded" => {
            schema_version = Some(columns.u32(header::SCHEMA.name)?);
            Said::Record(Record::Loaded(loaded(&columns)?))
        }
        "unloaded" => Said::Record(Record::Unloaded(totals(&columns)?)),
        "counters" => {
            schema_version = Some(columns.u32(header::SCHEMA.name)?);
            Said::Record(Record::Counters(totals(&columns)?))
        }
        "storm" => Said::Record(Record::Storm(storm(&columns)?)),
        "error" | "warning" => Said::Message(message(&columns, name == "error")?),
        _ => return Err(columns.error("", "not an event of the driver's")),
    };
    Ok(Read {
        said,
        seq,
        printed,
        schema: schema_version,
    })
}

/// A change's `change`: its word, or the decimal number of a type Windows does not define.
fn change_word<'a>(columns: &Columns<'a>) -> Result<Change, ReadError<'a>> {
    let word = columns.text(header::CHANGE.name)?;
    let known = [
        Change::Parameter,
        Change::Add,
        Change::Delete,
        Change::Initial,
        Change::Present,
    ];
    if let Some(change) = known.into_iter().find(|change| change.name() == word) {
        return Ok(change);
    }
    match word.parse::<i32>() {
        // A number that is a known type is written as its word.
        Ok(raw) if matches!(Change::from_raw(raw), Change::Other(_)) => Ok(Change::Other(raw)),
        _ => Err(columns.error(header::CHANGE.name, "not a change")),
    }
}

/// A `note`'s words back into the note.
fn note<'a>(columns: &Columns<'a>) -> Result<Note, ReadError<'a>> {
    let words = columns.text(header::NOTE.name)?;
    let bad = || columns.error(header::NOTE.name, "not a note");
    if words.is_empty() {
        return Ok(Note::None);
    }
    if words == "gone before re-query" {
        return Ok(Note::Gone);
    }
    if let Some(status) = words.strip_prefix("re-query failed with status 0x") {
        let status = u32::from_str_radix(status, 16).map_err(|_| bad())?;
        return Ok(Note::QueryFailed(NtStatus(status.cast_signed())));
    }
    if let Some(irql) = words.strip_prefix("not re-queried at IRQL ") {
        return irql.parse().map(Note::NotPassive).map_err(|_| bad());
    }
    Err(bad())
}

/// Writes `bytes` at `offset` of `row`; `false` if they do not fit.
fn put(row: &mut [u8], offset: usize, bytes: &[u8]) -> bool {
    offset
        .checked_add(bytes.len())
        .and_then(|end| row.get_mut(offset..end))
        .map(|target| target.copy_from_slice(bytes))
        .is_some()
}

/// The column `name` of a row's field `field` into `row` at its offset(s), by its kind.
#[allow(clippy::too_many_lines, reason = "one arm per kind of the field table")]
fn row_field<'a>(
    columns: &Columns<'a>,
    field: &'a Field,
    row: &mut [u8],
) -> Result<(), ReadError<'a>> {
    let name = field.name;
    let offset = usize::from(field.offset.unwrap_or(0));
    let bad = |problem| columns.error(name, problem);
    let value = columns.get(name)?;
    let fits = match (field.kind, value) {
        (Kind::Number(Width::U8), Value::U8(number)) => put(row, offset, &[number]),
        (
            Kind::Number(Width::U32) | Kind::Unset | Kind::Millis | Kind::Seconds | Kind::Lifetime,
            Value::U32(number),
        ) => put(row, offset, &number.to_le_bytes()),
        (Kind::Flag, Value::Bool32(flag)) => put(row, offset, &[u8::from(flag != 0)]),
        (Kind::Luid, Value::U64(luid)) => put(row, offset, &luid.to_le_bytes()),
        (Kind::Timestamp, Value::I64(stamp)) => put(row, offset, &stamp.to_le_bytes()),
        (Kind::Family, Value::CStr8(text)) => {
            let family = family(text).ok_or_else(|| bad("not a family"))?;
            put(row, offset, &family.to_le_bytes())
        }
        (Kind::Enum(names), Value::CStr8(text)) => {
            let text = core::str::from_utf8(text).map_err(|_| bad("not UTF-8"))?;
            let raw = names
                .iter()
                .find(|(_, known)| *known == text)
                .map(|(raw, _)| *raw)
                .or_else(|| text.parse::<i32>().ok())
                .ok_or_else(|| bad("not a value of its enum"))?;
            put(row, offset, &raw.to_le_bytes())
        }
        (Kind::MillisRange { max_at }, Value::CStr8(text)) => {
            let (min, max) = core::str::from_utf8(text)
                .ok()
                .and_then(|text| text.strip_suffix("ms")?.split_once('-'))
                .and_then(|(min, max)| Some((min.parse::<u32>().ok()?, max.parse::<u32>().ok()?)))
                .ok_or_else(|| bad("not a range of milliseconds"))?;
            put(row, offset, &min.to_le_bytes())
                && put(row, usize::from(max_at), &max.to_le_bytes())
        }
        (Kind::Offload { receive_at }, Value::CStr8(text)) => {
            let hex = |text: &str| u8::from_str_radix(text.strip_prefix("0x")?, 16).ok();
            let (transmit, receive) = core::str::from_utf8(text)
                .ok()
                .and_then(|text| text.split_once('/'))
                .and_then(|(transmit, receive)| Some((hex(transmit)?, hex(receive)?)))
                .ok_or_else(|| bad("not an offload pair"))?;
            put(row, offset, &[transmit]) && put(row, usize::from(receive_at), &[receive])
        }
        (Kind::Zones, Value::Array(array)) if array.in_type == decode::in_type::U32 => {
            let mut fits = true;
            for (level, zone) in array.iter().enumerate() {
                let Value::U32(zone) = zone else {
                    return Err(bad("not a u32 zone"));
                };
                let at = level.checked_mul(4).and_then(|at| at.checked_add(offset));
                fits &= at.is_some_and(|at| level < 16 && put(row, at, &zone.to_le_bytes()));
            }
            fits
        }
        (Kind::Flags(bits), Value::U32(set)) => {
            let mut fits = true;
            for (at, bit) in bits.iter().enumerate() {
                let on = u32::try_from(at)
                    .ok()
                    .and_then(|at| set.checked_shr(at))
                    .is_some_and(|set| set & 1 != 0);
                if on {
                    fits &= put(row, usize::from(bit.offset.unwrap_or(0)), &[1]);
                }
            }
            // A bit past the fields: the driver sets none.
            let past = u32::try_from(bits.len())
                .ok()
                .and_then(|count| set.checked_shr(count))
                .unwrap_or(0);
            fits && past == 0
        }
        (Kind::Prefix { length_at }, Value::Binary(address)) => {
            let mut length_name = [0_u8; 64];
            let length = length_column(columns, name, &mut length_name)?;
            address_bytes(row, offset, address) && put(row, usize::from(length_at), &[length])
        }
        (Kind::Address, Value::Binary(address)) => address_bytes(row, offset, address),
        _ => return Err(bad("not of its column's type")),
    };
    if fits {
        Ok(())
    } else {
        Err(bad("does not fit its row"))
    }
}

/// A `SOCKADDR_INET`'s bytes (28, or none for no address) at `offset`.
fn address_bytes(row: &mut [u8], offset: usize, address: &[u8]) -> bool {
    address.is_empty() || address.len() == super::schema::SOCKADDR_INET && put(row, offset, address)
}

/// The prefix length after the address column `name` (`destination-length`).
fn length_column<'a>(
    columns: &Columns<'a>,
    name: &'a str,
    buffer: &mut [u8; 64],
) -> Result<u8, ReadError<'a>> {
    let total = name.len().saturating_add(LENGTH.len());
    let ok = put(buffer, 0, name.as_bytes()) && put(buffer, name.len(), LENGTH.as_bytes());
    let length_name = buffer
        .get(..total)
        .filter(|_| ok)
        .and_then(|bytes| core::str::from_utf8(bytes).ok())
        .ok_or_else(|| columns.error(name, "no length column"))?;
    let at = columns
        .index(length_name)
        .ok_or_else(|| columns.error(name, "no length column"))?;
    match columns.fields.get(at).copied().flatten() {
        Some((_, Value::U8(length))) => Ok(length),
        _ => Err(columns.error(name, "its length is not a u8")),
    }
}

/// A family's word (`ipv4`, `ipv6`, `unspec`) or number.
fn family(text: &[u8]) -> Option<u16> {
    match text {
        b"ipv4" => Some(AF_INET),
        b"ipv6" => Some(AF_INET6),
        b"unspec" => Some(AF_UNSPEC),
        other => core::str::from_utf8(other).ok()?.parse().ok(),
    }
}

/// The row of a change or stable-table event: the fields whose bits are set written at
/// their offsets into a zeroed row of `N` bytes; whether any field past the first `keys` was.
fn row<'a, const N: usize>(
    columns: &Columns<'a>,
    table: &'a [Field],
    keys: usize,
) -> Result<([u8; N], bool, bool), ReadError<'a>> {
    let mut bytes = [0_u8; N];
    let (mut any_key, mut any_rest) = (false, false);
    for (at, field) in table.iter().enumerate() {
        if !columns.has(field.name) {
            continue;
        }
        row_field(columns, field, &mut bytes)?;
        if at < keys {
            any_key = true;
        } else {
            any_rest = true;
        }
    }
    // An on-link next hop (no address) is the unspecified address of the first key's family.
    if let Some(via) = table
        .iter()
        .find(|field| matches!(field.kind, Kind::Address))
        .filter(|via| !columns.has(via.name))
    {
        let first = usize::from(table.first().and_then(|field| field.offset).unwrap_or(0));
        let family = [
            bytes.get(first).copied().unwrap_or(0),
            bytes.get(first.saturating_add(1)).copied().unwrap_or(0),
        ];
        put(&mut bytes, usize::from(via.offset.unwrap_or(0)), &family);
    }
    Ok((bytes, any_key, any_rest))
}

/// The interface's names from their UTF-16 columns ([`Text::UNKNOWN`] where a bit is clear).
fn names<'a>(columns: &Columns<'a>) -> Result<Names, ReadError<'a>> {
    let text = |field: &'a Field| -> Result<Option<decode::Utf16<'a>>, ReadError<'a>> {
        if !columns.has(field.name) {
            return Ok(None);
        }
        match columns.get(field.name)? {
            Value::CStr16(units) => Ok(Some(units)),
            _ => Err(columns.error(field.name, "not a CStr16")),
        }
    };
    let mut names = Names::UNKNOWN;
    if let Some(units) = text(&common::NAME)? {
        names.name = Text::from_units(units.units());
    }
    if let Some(units) = text(&common::ALIAS)? {
        names.alias = Text::from_units(units.units());
    }
    Ok(names)
}

/// The shape of a change's row: no row (no bit), the keys (a note, or no other field), or
/// every field.
fn detail<K, F>(
    any_key: bool,
    any_rest: bool,
    note: Note,
    keys: impl FnOnce() -> K,
    full: impl FnOnce() -> F,
) -> Detail<K, F> {
    if !any_key && !any_rest {
        Detail::NoRow
    } else if any_rest && note == Note::None {
        Detail::Full(full())
    } else {
        Detail::Keys(keys(), note)
    }
}

/// An `interface`, `address` or `route` event's record.
fn change<'a>(columns: &Columns<'a>, printed: bool) -> Result<Record, ReadError<'a>> {
    let change = change_word(columns)?;
    let note = note(columns)?;
    let detail = match columns.event {
        "interface" => {
            let (bytes, any_key, any_rest) =
                row::<{ size_of::<MibIpInterfaceRow>() }>(columns, &INTERFACE_ROW, 3)?;
            let row = MibIpInterfaceRow::from_bytes(&bytes)
                .ok_or_else(|| columns.error("", "an interface row's size"))?;
            RowDetail::Interface(detail(
                any_key,
                any_rest,
                note,
                || InterfaceKeys::decode(&row),
                || Interface::decode(&row),
            ))
        }
        "address" => {
            let (bytes, any_key, any_rest) =
                row::<{ size_of::<MibUnicastIpAddressRow>() }>(columns, &ADDRESS_ROW, 3)?;
            let row = MibUnicastIpAddressRow::from_bytes(&bytes)
                .ok_or_else(|| columns.error("", "an address row's size"))?;
            RowDetail::Address(detail(
                any_key,
                any_rest,
                note,
                || AddressKeys::decode(&row),
                || Address::decode(&row),
            ))
        }
        _ => {
            let (bytes, any_key, any_rest) =
                row::<{ size_of::<MibIpForwardRow2>() }>(columns, &ROUTE_ROW, 4)?;
            let row = MibIpForwardRow2::from_bytes(&bytes)
                .ok_or_else(|| columns.error("", "a route row's size"))?;
            RowDetail::Route(detail(
                any_key,
                any_rest,
                note,
                || RouteKeys::decode(&row),
                || Route::decode(&row),
            ))
        }
    };
    if !matches!(
        detail,
        RowDetail::Interface(Detail::Keys(..))
            | RowDetail::Address(Detail::Keys(..))
            | RowDetail::Route(Detail::Keys(..))
    ) && note != Note::None
    {
        return Err(columns.error(header::NOTE.name, "a note without the keys"));
    }
    Ok(Record::Change {
        change,
        detail,
        names: names(columns)?,
        printed,
    })
}

/// A `stable-table` event's record: a table's header (no `position`) or one of its rows.
fn stable_table<'a>(columns: &Columns<'a>, printed: bool) -> Result<Record, ReadError<'a>> {
    if columns.has(stable::POSITION.name) {
        let position = columns.u32(stable::POSITION.name)?;
        let (bytes, _, _) =
            row::<{ size_of::<MibUnicastIpAddressRow>() }>(columns, &ADDRESS_ROW, 3)?;
        let row = MibUnicastIpAddressRow::from_bytes(&bytes)
            .ok_or_else(|| columns.error("", "an address row's size"))?;
        return Ok(Record::StableEntry {
            position,
            row: Address::decode(&row),
            names: names(columns)?,
        });
    }
    let completion = match columns.text(stable::COMPLETION.name)? {
        "immediate" => Completion::Immediate,
        "pending" => Completion::Pending,
        _ => return Err(columns.error(stable::COMPLETION.name, "not a completion")),
    };
    let entries = if columns.has(stable::ENTRIES.name) {
        Some(columns.u32(stable::ENTRIES.name)?)
    } else {
        None
    };
    Ok(Record::StableTable {
        completion,
        entries,
        printed,
    })
}

/// `settings`: every setting's value, by its name.
fn settings<'a>(columns: &Columns<'a>) -> Result<Settings, ReadError<'a>> {
    let mut values = [0_u32; 7];
    for (value, setting) in values.iter_mut().zip(SETTINGS) {
        *value = columns.u32(setting.name)?;
    }
    let mut valid = true;
    let settings = Settings::read_with(
        |name| {
            SETTINGS
                .iter()
                .zip(values)
                .find(|(setting, _)| setting.name == name)
                .map_or(RawValue::Missing, |(_, value)| RawValue::Dword(value))
        },
        |_, _| valid = false,
    );
    if valid {
        Ok(settings)
    } else {
        Err(columns.error("", "a setting the driver would not take"))
    }
}

/// Names joined by commas (`interface,route`), `none` or empty: the set.
fn notification_set(text: &str) -> Option<NotificationSet> {
    let mut set = NotificationSet::from_bits(0);
    if text.is_empty() || text == "none" {
        return Some(set);
    }
    for name in text.split(',') {
        let notification = Notification::ALL
            .into_iter()
            .find(|notification| notification.name() == name)?;
        set = set.with(notification);
    }
    Some(set)
}

/// `loaded`.
fn loaded<'a>(columns: &Columns<'a>) -> Result<Loaded, ReadError<'a>> {
    let registered = notification_set(columns.text(driver::REGISTERED.name)?)
        .ok_or_else(|| columns.error(driver::REGISTERED.name, "not notification names"))?;
    let family = family(columns.text(driver::FAMILY.name)?.as_bytes())
        .ok_or_else(|| columns.error(driver::FAMILY.name, "not a family"))?;
    let stable = match columns.text(driver::STABLE_TABLE.name)? {
        "off" => StableState::Off,
        "immediate" if columns.has(driver::ENTRIES.name) => {
            StableState::Immediate(Some(columns.u32(driver::ENTRIES.name)?))
        }
        "immediate" => StableState::Immediate(None),
        "pending" => StableState::Pending,
        "uncancellable" => StableState::Uncancellable,
        _ => return Err(columns.error(driver::STABLE_TABLE.name, "not a state")),
    };
    let pinned = match columns.text(driver::UNLOAD.name)? {
        "enabled" => false,
        "disabled" => true,
        _ => return Err(columns.error(driver::UNLOAD.name, "not enabled or disabled")),
    };
    let etw = match columns.text(driver::ETW.name)? {
        "off" => false,
        guid if guid.starts_with('{') => true,
        _ => return Err(columns.error(driver::ETW.name, "not a GUID or off")),
    };
    Ok(Loaded {
        registered,
        family,
        initial: columns.flag(driver::INITIAL.name)?,
        stable,
        pinned,
        etw,
    })
}

/// The five counts of `prefix` (`interface.`, or none for a storm's).
fn change_counts<'a>(columns: &Columns<'a>, prefix: &str) -> Result<ChangeCounts, ReadError<'a>> {
    let mut values = [0_u64; 5];
    for (value, field) in values.iter_mut().zip(&CHANGE_COUNTS) {
        *value = prefixed_u64(columns, prefix, field.name)?;
    }
    let [initial, add, delete, parameter, other] = values;
    Ok(ChangeCounts {
        initial,
        add,
        delete,
        parameter,
        other,
    })
}

/// The `u64` column `prefix` `name` (`interface.add`).
fn prefixed_u64<'a>(columns: &Columns<'a>, prefix: &str, name: &str) -> Result<u64, ReadError<'a>> {
    let at = columns.fields.iter().take(columns.count).position(|field| {
        field.is_some_and(|(known, _)| known.strip_prefix(prefix).is_some_and(|rest| rest == name))
    });
    match at.and_then(|at| columns.fields.get(at).copied().flatten()) {
        Some((_, Value::U64(value))) => Ok(value),
        Some((known, _)) => Err(columns.error(known, "not a u64")),
        None => Err(columns.error("", "a count is missing")),
    }
}

/// `unloaded`'s and `counters`' counts.
fn totals<'a>(columns: &Columns<'a>) -> Result<Totals, ReadError<'a>> {
    let stable = StableCounts {
        tables: prefixed_u64(columns, "stable-table.", driver::TABLES.name)?,
        entries: prefixed_u64(columns, "stable-table.", driver::ROWS.name)?,
    };
    let min_stack = columns.u64(driver::MIN_STACK.name)?;
    Ok(Totals {
        interface: change_counts(columns, "interface.")?,
        address: change_counts(columns, "address.")?,
        route: change_counts(columns, "route.")?,
        stable,
        kept: notification_set(columns.text(driver::KEPT.name)?)
            .ok_or_else(|| columns.error(driver::KEPT.name, "not notification names"))?,
        leaked_tables: columns.u64(driver::LEAKED_TABLES.name)?,
        etw_dropped: columns.u64(driver::ETW_DROPPED.name)?,
        low_stack: columns.u64(driver::LOW_STACK.name)?,
        // 0 while nothing ran (docs/replay.md#etw): no entry ever has no stack left.
        min_stack: (min_stack != 0).then_some(min_stack),
    })
}

/// `storm`: the kind, its counts and the span in seconds, back to the ticks the line says.
fn storm<'a>(columns: &Columns<'a>) -> Result<Storm, ReadError<'a>> {
    let kind = columns.text(driver::STORM_KIND.name)?;
    let notification = Notification::ALL
        .into_iter()
        .find(|notification| notification.name() == kind)
        .ok_or_else(|| columns.error(driver::STORM_KIND.name, "not a notification"))?;
    let Value::F64(seconds) = columns.get(driver::OVER.name)? else {
        return Err(columns.error(driver::OVER.name, "not an f64"));
    };
    let millis =
        millis_of(seconds).ok_or_else(|| columns.error(driver::OVER.name, "not a span"))?;
    Ok(Storm {
        notification,
        summary: Summary {
            counts: change_counts(columns, "")?,
            first: 0,
            last: millis.saturating_mul(TICKS_PER_SECOND / 1000),
        },
    })
}

/// Whole milliseconds of `seconds` (the driver writes a count of them divided by 1000: the
/// nearest count whose quotient is `seconds`), if it is a span.
fn millis_of(seconds: f64) -> Option<u64> {
    if !(0.0..=1.0e15).contains(&seconds) {
        return None;
    }
    let scaled = seconds * 1000.0;
    // Exact below 2^53, checked above: a float's whole part as an integer.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "within 0..1e18, checked"
    )]
    let millis = (scaled + 0.5) as u64;
    (super::events::millis_as_seconds(millis) == seconds.to_bits()).then_some(millis)
}

/// An `error` or `warning` event's message.
fn message<'a>(columns: &Columns<'a>, error: bool) -> Result<Message, ReadError<'a>> {
    let text = columns.text(driver::MESSAGE.name)?;
    let mut message = Message {
        error,
        bytes: [0; MESSAGE_BYTES],
        len: 0,
    };
    if !put(&mut message.bytes, 0, text.as_bytes()) {
        return Err(columns.error(driver::MESSAGE.name, "longer than the driver writes"));
    }
    message.len = text.len();
    Ok(message)
}
