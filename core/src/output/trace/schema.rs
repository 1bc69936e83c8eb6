//! One schema per event name, fixed at compile time.
//!
//! Owns each event name's columns (its fields, in order, each with one in-type and out-type
//! and the most payload bytes its value takes), made from the field table
//! ([`crate::model::fields`]) by [`Column::of`], and each name's `TraceLogging` metadata: a
//! `static` byte array built by const evaluation ([`metadata`]), as TraceLoggingProvider.h
//! stores it in read-only memory (Microsoft Learn, "traceloggingprovider.h header"). Every
//! event of a name carries every column, in this order, with these types: a value the record
//! lacks is its type's zero (no text for a string) with its bit clear in `present`.
//! docs/replay.md#etw gives the schemas.

// Every function here but [`schema`] and the reading of [`Columns`] (which index nothing and
// saturate) is evaluated at compile time, where an overflow or an index out of bounds fails
// the build.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "const evaluation: a fault fails the build"
)]

use super::abi::{InType, Level, OutType};
use super::provider::keyword;
use crate::model::fields::{
    ADDRESS_ROW, CHANGE_COUNTS, Field, INTERFACE_ROW, Kind, LOADED, ROUTE_ROW, STABLE_COUNTS,
    Width, common, driver, header, stable,
};
use crate::model::record;
use crate::model::settings::SETTINGS;

/// One field of an event name's schema.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Column {
    /// What precedes the name (`interface.` of the counters), or nothing.
    pub prefix: &'static str,
    /// The field's name.
    pub name: &'static str,
    /// How the payload holds the value.
    pub in_type: InType,
    /// How a decoder shows it (the in-type's default: no out-type byte).
    pub out_type: OutType,
    /// The most payload bytes the value takes (a text's NUL included).
    pub room: usize,
}

/// Text of a decimal `i32`, at most (`-2147483648`).
const I32_TEXT: usize = 11;
/// `SOCKADDR_INET`'s size: an address of any family, as the row holds it.
pub const SOCKADDR_INET: usize = 28;
/// A `Binary` address: its `u16` byte count, then a `SOCKADDR_INET`.
const ADDRESS_ROOM: usize = 2 + SOCKADDR_INET;
/// `ZoneIndices`: a `u16` count, then sixteen `u32`.
pub const ZONES: usize = 16;
/// The name of the column after a prefix's address: its length.
pub const LENGTH: &str = "-length";

impl Column {
    const EMPTY: Self = Self::new("", InType::U8, 0);

    const fn new(name: &'static str, in_type: InType, room: usize) -> Self {
        Self {
            prefix: "",
            name,
            in_type,
            out_type: OutType::Default,
            room,
        }
    }

    /// A `u64` column.
    #[must_use]
    pub const fn u64(name: &'static str) -> Self {
        Self::new(name, InType::U64, 8)
    }

    /// A `u32` column.
    #[must_use]
    pub const fn u32(name: &'static str) -> Self {
        Self::new(name, InType::U32, 4)
    }

    /// A `BOOL32` column.
    #[must_use]
    pub const fn bool32(name: &'static str) -> Self {
        Self::new(name, InType::Bool32, 4)
    }

    /// A text column (`CStr8`) of at most `characters` characters.
    #[must_use]
    pub const fn text(name: &'static str, characters: usize) -> Self {
        Self::new(name, InType::CStr8, characters + 1)
    }

    /// A UTF-16 text column (`CStr16`): an interface's name or alias, the schema's last
    /// columns. No room in the payload's buffer: its units are written from the callback's
    /// own [`Names`](crate::model::names::Names) through data descriptors of their own.
    #[must_use]
    pub const fn utf16(name: &'static str) -> Self {
        Self::new(name, InType::CStr16, 0)
    }

    /// The column of a field of the table, by its kind (docs/replay.md#etw says why each):
    /// integers of their C field's width (a lifetime's `infinite` and an `unset` metric or
    /// MTU are the all-ones value the row holds), `BOOLEAN`s as `BOOL32`, a LUID as its
    /// `u64` shown in hex, the interface's flags as a `u32` of bits shown in hex (bit `n` the
    /// `n`-th of its fields), a time stamp as its `i64` shown as a `FILETIME`, the zone indices
    /// as sixteen `u32`, an address (a prefix's too: its length is the next column,
    /// [`Column::length`]) as the `SOCKADDR_INET` it is, shown by its family, and what the
    /// lines print as words or text (a family, an enum's name or, for a value Windows does
    /// not define, its number; an offload pair, a range) as the JSON's text.
    ///
    /// # Panics
    /// At compile time (where the schemas are made), if a field has more flags than a `u32`
    /// has bits.
    #[must_use]
    pub const fn of(field: &Field) -> Self {
        let (in_type, out_type, room) = match field.kind {
            Kind::Number(Width::U8) => (InType::U8, OutType::Default, 1),
            Kind::Number(Width::U32)
            | Kind::Unset
            | Kind::Millis
            | Kind::Seconds
            | Kind::Lifetime => (InType::U32, OutType::Default, 4),
            Kind::Count => (InType::U64, OutType::Default, 8),
            Kind::Flag => (InType::Bool32, OutType::Default, 4),
            Kind::Family => (InType::CStr8, OutType::Default, 6 + 1),
            Kind::Enum(names) => (
                InType::CStr8,
                OutType::Default,
                longest(names, I32_TEXT) + 1,
            ),
            Kind::Prefix { .. } | Kind::Address => {
                (InType::Binary, OutType::SocketAddress, ADDRESS_ROOM)
            }
            Kind::Luid => (InType::U64, OutType::Hex, 8),
            Kind::MillisRange { .. } => (InType::CStr8, OutType::Default, 10 + 1 + 10 + 2 + 1),
            Kind::Offload { .. } => (InType::CStr8, OutType::Default, 9 + 1),
            Kind::Zones => (InType::U32Array, OutType::Default, 2 + 4 * ZONES),
            Kind::Flags(flags) => {
                assert!(flags.len() <= 32, "a bit for every flag");
                (InType::U32, OutType::Hex, 4)
            }
            Kind::Timestamp => (InType::I64, OutType::DateTime, 8),
            Kind::Names => (InType::CStr8, OutType::Default, NOTIFICATION_NAMES + 1),
            // A word of a fixed list; the driver's longest is a braced GUID.
            Kind::Word => (InType::CStr8, OutType::Default, 38 + 1),
            Kind::Text => (InType::CStr16, OutType::Default, 0),
        };
        Self {
            out_type,
            ..Self::new(field.name, in_type, room)
        }
    }

    /// The column after a prefix's address (`destination`): its length, `destination-length`.
    #[must_use]
    pub const fn length(field: &Field) -> Self {
        Self {
            prefix: field.name,
            ..Self::new(LENGTH, InType::U8, 1)
        }
    }

    /// [`Column::of`] under `prefix`: `interface.` `initial`.
    #[must_use]
    pub const fn prefixed(prefix: &'static str, field: &Field) -> Self {
        Self {
            prefix,
            ..Self::of(field)
        }
    }
}

/// `interface,address,route,stable-table`.
const NOTIFICATION_NAMES: usize = 9 + 1 + 7 + 1 + 5 + 1 + 12;

/// The longest of `names`' names, or `at_least`.
#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: a fault fails the build"
)]
const fn longest(names: &[(i32, &str)], at_least: usize) -> usize {
    let mut longest = at_least;
    let mut at = 0;
    while at < names.len() {
        if names[at].1.len() > longest {
            longest = names[at].1.len();
        }
        at += 1;
    }
    longest
}

/// One event name's schema: its name, level and keyword, its columns and its metadata.
#[derive(Clone, Copy, Debug)]
pub struct Schema {
    /// The event's name.
    pub name: &'static str,
    /// Its level.
    pub level: Level,
    /// Its keyword.
    pub keyword: u64,
    /// The `TraceLogging` metadata: its size, no tags, the name, each column's name and types.
    /// The one copy of the columns the image holds: a writer reads them from here
    /// ([`Schema::columns`]).
    pub metadata: &'static [u8],
    /// The most bytes an event's payload buffer takes: the sum of the columns' rooms.
    pub payload: usize,
    /// Whether its last columns are the interface's name and alias ([`NAMES`]).
    pub names: bool,
    /// Whether its first columns are [`CHANGE_HEADER`]: a change's header, which its writer
    /// passes without looking each column up ([`CHANGE_HEADER_METADATA`] bytes).
    pub change: bool,
}

impl Schema {
    /// Where the first column is in the metadata: after the size, the tags byte and the name.
    #[must_use]
    pub const fn first_column(&self) -> usize {
        self.name.len().saturating_add(4)
    }

    /// The columns, read from the metadata: each name and in-type.
    #[must_use]
    pub const fn columns(&self) -> Columns {
        Columns {
            metadata: self.metadata,
            at: self.first_column(),
        }
    }
}

impl Schema {
    /// The columns with their out-types: each name, in-type and out-type.
    pub fn typed_columns(&self) -> impl Iterator<Item = (&'static str, InType, OutType)> {
        let metadata = self.metadata;
        let mut at = self.first_column();
        core::iter::from_fn(move || {
            let (name, in_type, next) = Columns::read(metadata, at)?;
            let out_type = if next.wrapping_sub(at) == name.len().saturating_add(3) {
                OutType::from_int(*metadata.get(next.saturating_sub(1))?)
            } else {
                OutType::Default
            };
            at = next;
            Some((core::str::from_utf8(name).ok()?, in_type, out_type))
        })
    }
}

/// A schema's columns read from its metadata ([`Schema::columns`]).
#[derive(Clone, Debug)]
pub struct Columns {
    metadata: &'static [u8],
    at: usize,
}

impl Columns {
    /// The column at byte `at` of `metadata`: its name, in-type, and where the next begins.
    #[must_use]
    pub fn read(metadata: &[u8], at: usize) -> Option<(&[u8], InType, usize)> {
        let rest = metadata.get(at..)?;
        let end = rest.iter().position(|&byte| byte == 0)?;
        let name = rest.get(..end)?;
        let in_type = *rest.get(end.saturating_add(1))?;
        // The high bit of the in-type: an out-type byte follows.
        let size = end.saturating_add(if in_type & 0x80 == 0 { 2 } else { 3 });
        Some((
            name,
            InType::from_int(in_type & 0x7F),
            at.saturating_add(size),
        ))
    }
}

impl Iterator for Columns {
    /// A column's name (with its prefix: `interface.initial`) and in-type.
    type Item = (&'static str, InType);

    fn next(&mut self) -> Option<Self::Item> {
        let (name, in_type, next) = Self::read(self.metadata, self.at)?;
        let name = core::str::from_utf8(name).ok()?;
        self.at = next;
        Some((name, in_type))
    }
}

/// Columns in all of `parts`.
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "evaluated at compile time: a fault fails the build"
)]
#[must_use]
pub const fn count(parts: &[&[Column]]) -> usize {
    let mut count = 0;
    let mut part = 0;
    while part < parts.len() {
        count += parts[part].len();
        part += 1;
    }
    count
}

/// `parts`, one after the other.
///
/// # Panics
/// At compile time, if they are not `N` columns.
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "evaluated at compile time: a fault fails the build"
)]
#[must_use]
pub const fn concat<const N: usize>(parts: &[&[Column]]) -> [Column; N] {
    let mut columns = [Column::EMPTY; N];
    let mut at = 0;
    let mut part = 0;
    while part < parts.len() {
        let mut column = 0;
        while column < parts[part].len() {
            columns[at] = parts[part][column];
            at += 1;
            column += 1;
        }
        part += 1;
    }
    assert!(at == N, "the columns fill the array");
    columns
}

/// The `N` columns of `fields` (the field table's row) from the field `from`, in the
/// table's order: a prefix's address, then its length.
///
/// # Panics
/// At compile time, if the `N`-th column is a prefix's address without its length.
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "evaluated at compile time: a fault fails the build"
)]
#[must_use]
pub const fn columns<const N: usize>(fields: &[Field], from: usize) -> [Column; N] {
    let mut columns = [Column::EMPTY; N];
    let mut at = 0;
    let mut field = from;
    while at < N {
        columns[at] = Column::of(&fields[field]);
        at += 1;
        if matches!(fields[field].kind, Kind::Prefix { .. }) {
            columns[at] = Column::length(&fields[field]);
            at += 1;
        }
        field += 1;
    }
    columns
}

/// The size of the metadata of an event named `name` with `columns`.
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "evaluated at compile time: a fault fails the build"
)]
#[must_use]
pub const fn metadata_len(name: &str, columns: &[Column]) -> usize {
    let mut len = 2 + 1 + name.len() + 1;
    let mut at = 0;
    while at < columns.len() {
        let column = &columns[at];
        len += column.prefix.len() + column.name.len() + 1 + 1;
        if column.out_type.as_int() != OutType::Default.as_int() {
            len += 1;
        }
        at += 1;
    }
    len
}

/// The sum of `columns`' rooms.
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "evaluated at compile time: a fault fails the build"
)]
#[must_use]
pub const fn payload_room(columns: &[Column]) -> usize {
    let mut room = 0;
    let mut at = 0;
    while at < columns.len() {
        room += columns[at].room;
        at += 1;
    }
    room
}

/// Copies `text` into `bytes` at `at`; the next position.
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "evaluated at compile time: a fault fails the build"
)]
const fn put(bytes: &mut [u8], mut at: usize, text: &str) -> usize {
    let text = text.as_bytes();
    let mut from = 0;
    while from < text.len() {
        assert!(text[from] != 0, "no NUL inside a name");
        bytes[at] = text[from];
        at += 1;
        from += 1;
    }
    at
}

/// The `TraceLogging` metadata of an event named `name` with `columns`.
///
/// `N` is [`metadata_len`]. Its size (`u16`), no tags (one 0 byte), the name, then each
/// column's name, in-type (its high bit set when an out-type follows) and out-type, names
/// NUL-terminated: TraceLoggingProvider.h's layout (a test checks the bytes).
///
/// # Panics
/// At compile time, if `N` is not the metadata's size, a name holds a NUL, or the metadata
/// is larger than a `u16` counts.
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    reason = "evaluated at compile time: a fault fails the build; N is checked below u16::MAX"
)]
#[must_use]
pub const fn metadata<const N: usize>(name: &str, columns: &[Column]) -> [u8; N] {
    assert!(N == metadata_len(name, columns) && N <= 0xFFFF);
    let mut bytes = [0; N];
    let size = (N as u16).to_le_bytes();
    bytes[0] = size[0];
    bytes[1] = size[1];
    let mut at = put(&mut bytes, 3, name) + 1;
    let mut column = 0;
    while column < columns.len() {
        let this = &columns[column];
        at = put(&mut bytes, at, this.prefix);
        at = put(&mut bytes, at, this.name) + 1;
        if this.out_type.as_int() == OutType::Default.as_int() {
            bytes[at] = this.in_type.as_int();
            at += 1;
        } else {
            bytes[at] = this.in_type.as_int() | 0x80;
            bytes[at + 1] = this.out_type.as_int();
            at += 2;
        }
        column += 1;
    }
    assert!(at == N);
    bytes
}

/// Declares an event name's schema: its columns, concatenated from parts, and its metadata,
/// a `static` computed at compile time.
macro_rules! schema {
    ($(#[$doc:meta])* $schema:ident: $name:expr, $level:expr, $keyword:expr, [$($part:expr),+ $(,)?]) => {
        schema!($(#[$doc])* $schema: $name, $level, $keyword, [$($part),+], false);
    };
    ($(#[$doc:meta])* $schema:ident: $name:expr, $level:expr, $keyword:expr, [$($part:expr),+ $(,)?], $names:expr) => {
        $(#[$doc])*
        pub const $schema: Schema = {
            const PARTS: &[&[Column]] = &[$($part),+];
            const COLUMNS: [Column; count(PARTS)] = concat(PARTS);
            static METADATA: [u8; metadata_len($name, &COLUMNS)] = metadata($name, &COLUMNS);
            // `present` has a bit for every column after it.
            const _: () = assert!(present_bits(&COLUMNS) <= 32);
            const _: () = assert!(names_last(&COLUMNS, $names));
            Schema {
                name: $name,
                level: $level,
                keyword: $keyword,
                metadata: &METADATA,
                payload: payload_room(&COLUMNS),
                names: $names,
                change: starts_with(&COLUMNS, &CHANGE_HEADER),
            }
        };
    };
}

/// The longest note: `query failed with status 0xC0000001`, `not re-queried at IRQL 255`.
const NOTE_TEXT: usize = 40;

/// A change event's header: `change` (its word, or the decimal number of a type Windows does
/// not define), `seq`, `printed`, `note` (empty when the event has every field it can) and
/// `present`.
pub const CHANGE_HEADER: [Column; 5] = [
    Column::text(header::CHANGE.name, I32_TEXT),
    Column::u64(header::SEQ.name),
    Column::bool32(header::PRINTED.name),
    Column::text(header::NOTE.name, NOTE_TEXT),
    Column::u32(PRESENT),
];

/// The bytes of [`CHANGE_HEADER`]'s columns in a schema's metadata (without the size, tags
/// and event name [`metadata_len`] counts).
pub const CHANGE_HEADER_METADATA: usize = metadata_len("", &CHANGE_HEADER) - 4;

/// Whether `columns` begin with `first`: the same names and types.
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "evaluated at compile time: a fault fails the build"
)]
#[must_use]
pub const fn starts_with(columns: &[Column], first: &[Column]) -> bool {
    if columns.len() < first.len() {
        return false;
    }
    let mut at = 0;
    while at < first.len() {
        let (this, that) = (&columns[at], &first[at]);
        if !same(this.prefix, that.prefix)
            || !same(this.name, that.name)
            || this.in_type.as_int() != that.in_type.as_int()
            || this.out_type.as_int() != that.out_type.as_int()
        {
            return false;
        }
        at += 1;
    }
    true
}

/// The presence bitmask's name: bit `n` set when the `n`-th column after it has a value.
pub const PRESENT: &str = "present";

/// The interface's names, UTF-16, as many characters as the line keeps.
///
/// At most [`NAME_CHARACTERS`](crate::model::names::NAME_CHARACTERS) and
/// [`ALIAS_CHARACTERS`](crate::model::names::ALIAS_CHARACTERS); the last columns of the
/// events that have them, so that their units are data descriptors of their own after the
/// payload's buffer.
pub const NAMES: [Column; 2] = [
    Column::utf16(common::NAME.name),
    Column::utf16(common::ALIAS.name),
];

/// The bytes of [`NAMES`]' columns, a schema's last when it has them.
pub const NAMES_METADATA: usize = metadata_len("", &NAMES) - 4;

/// A driver event's header: `seq` (its number among the provider's events of its name) and
/// `printed` (always true: the driver's own lines are never left out).
pub const DRIVER_HEADER: [Column; 2] = [
    Column::u64(header::SEQ.name),
    Column::bool32(header::PRINTED.name),
];

/// The longest version text (`major.minor.patch`, each part at most five digits).
const VERSION_TEXT: usize = 17;

/// The versions a consumer checks before it decodes by field name (`loaded`, `counters`):
/// the driver's ([`record::VERSION`]) and the records' schema ([`record::SCHEMA`]).
pub const VERSIONS: [Column; 2] = [
    Column::text(header::VERSION.name, VERSION_TEXT),
    Column::u32(header::SCHEMA.name),
];

const _: () = assert!(record::VERSION.len() <= VERSION_TEXT);

const INTERFACE_KEYS: [Column; 3] = columns(&INTERFACE_ROW, 0);
const INTERFACE_REST: [Column; 16] = columns(&INTERFACE_ROW, 3);
// The address's and the destination's prefix length: a column after each.
const ADDRESS_KEYS: [Column; 4] = columns(&ADDRESS_ROW, 0);
const ADDRESS_REST: [Column; 8] = columns(&ADDRESS_ROW, 3);
const ROUTE_KEYS: [Column; 5] = columns(&ROUTE_ROW, 0);
const ROUTE_REST: [Column; 11] = columns(&ROUTE_ROW, 4);

// The rows' keys are the fields a key-only line has, in the renderer's order (the names,
// which the renderer visits after them, are the events' last columns).
const _: () = assert!(
    matches!(INTERFACE_ROW[2].kind, Kind::Luid)
        && matches!(ADDRESS_ROW[2].kind, Kind::Luid)
        && matches!(ROUTE_ROW[3].kind, Kind::Luid)
);

schema! {
    /// `interface`: the header, the row, the names.
    INTERFACE: "interface", Level::Informational, keyword::INTERFACE,
        [&CHANGE_HEADER, &INTERFACE_KEYS, &INTERFACE_REST, &NAMES], true
}

schema! {
    /// `address`.
    ADDRESS: "address", Level::Informational, keyword::ADDRESS,
        [&CHANGE_HEADER, &ADDRESS_KEYS, &ADDRESS_REST, &NAMES], true
}

schema! {
    /// `route`.
    ROUTE: "route", Level::Informational, keyword::ROUTE,
        [&CHANGE_HEADER, &ROUTE_KEYS, &ROUTE_REST, &NAMES], true
}

schema! {
    /// `stable-table`, a table's header (`completion`, `entries`) or one of its rows
    /// (`position` and the address row).
    STABLE_TABLE: "stable-table", Level::Informational, keyword::STABLE_TABLE,
        [
            &[DRIVER_HEADER[0], DRIVER_HEADER[1], Column::u32(PRESENT)],
            &[
                Column::of(&stable::COMPLETION),
                Column::of(&stable::ENTRIES),
                Column::of(&stable::POSITION),
            ],
            &ADDRESS_KEYS, &ADDRESS_REST, &NAMES,
        ], true
}

const SETTINGS_COLUMNS: [Column; 7] = {
    let mut columns = [Column::EMPTY; 7];
    let mut at = 0;
    while at < 7 {
        #[allow(clippy::indexing_slicing, reason = "evaluated at compile time")]
        {
            columns[at] = Column::u32(SETTINGS[at].name);
        }
        at += 1;
    }
    columns
};

schema! {
    /// `settings`: every setting's effective value.
    SETTINGS_EVENT: "settings", Level::Informational, keyword::LIFECYCLE,
        [&DRIVER_HEADER, &SETTINGS_COLUMNS]
}

const LOADED_COLUMNS: [Column; 7] = columns(&LOADED, 0);

schema! {
    /// `loaded`: the `loaded` line's fields (`entries` absent but after
    /// `stable-table=immediate` with a table).
    LOADED_EVENT: "loaded", Level::Informational, keyword::LIFECYCLE,
        [&DRIVER_HEADER, &VERSIONS, &[Column::u32(PRESENT)], &LOADED_COLUMNS]
}

/// Five counts under `prefix`.
const fn change_counts(prefix: &'static str) -> [Column; 5] {
    [
        Column::prefixed(prefix, &CHANGE_COUNTS[0]),
        Column::prefixed(prefix, &CHANGE_COUNTS[1]),
        Column::prefixed(prefix, &CHANGE_COUNTS[2]),
        Column::prefixed(prefix, &CHANGE_COUNTS[3]),
        Column::prefixed(prefix, &CHANGE_COUNTS[4]),
    ]
}

const STORM_COLUMNS: [Column; 7] = {
    let counts = change_counts("");
    [
        Column::text(driver::STORM_KIND.name, 12),
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        counts[4],
        Column::new(driver::OVER.name, InType::F64, 8),
    ]
};

schema! {
    /// `storm`: what storm control left out of one kind's lines, and over how long.
    STORM: "storm", Level::Warning, keyword::LIFECYCLE, [&DRIVER_HEADER, &STORM_COLUMNS]
}

/// The longest message a warning or error event carries; a longer one is cut (the longest
/// today is about 200 bytes).
pub const MESSAGE_TEXT: usize = 255;

schema! {
    /// `warning`: a warning line's text.
    WARNING: "warning", Level::Warning, keyword::LIFECYCLE,
        [&DRIVER_HEADER, &[Column::text(driver::MESSAGE.name, MESSAGE_TEXT)]]
}

schema! {
    /// `error`: an error line's text.
    ERROR: "error", Level::Error, keyword::LIFECYCLE,
        [&DRIVER_HEADER, &[Column::text(driver::MESSAGE.name, MESSAGE_TEXT)]]
}

const COUNTERS_COLUMNS: [Column; 22] = {
    const PARTS: &[&[Column]] = &[
        &change_counts("interface."),
        &change_counts("address."),
        &change_counts("route."),
        &[
            Column::prefixed("stable-table.", &STABLE_COUNTS[0]),
            Column::prefixed("stable-table.", &STABLE_COUNTS[1]),
            Column::of(&driver::KEPT),
            Column::of(&driver::LEAKED_TABLES),
            Column::of(&driver::ETW_DROPPED),
            Column::of(&driver::LOW_STACK),
            Column::of(&driver::MIN_STACK),
        ],
    ];
    concat(PARTS)
};

schema! {
    /// `unloaded`: the counters at unload, and what stays (`kept`, empty when nothing does).
    UNLOADED: "unloaded", Level::Informational, keyword::LIFECYCLE,
        [&DRIVER_HEADER, &COUNTERS_COLUMNS]
}

schema! {
    /// `counters`: the counters so far, at capture-state.
    COUNTERS: "counters", Level::Informational, keyword::LIFECYCLE,
        [&DRIVER_HEADER, &VERSIONS, &COUNTERS_COLUMNS]
}

/// Every event name's schema.
pub static SCHEMAS: [Schema; 11] = [
    INTERFACE,
    ADDRESS,
    ROUTE,
    STABLE_TABLE,
    SETTINGS_EVENT,
    LOADED_EVENT,
    STORM,
    WARNING,
    ERROR,
    UNLOADED,
    COUNTERS,
];

/// The schema of the events named `name`.
#[must_use]
pub fn schema(name: &str) -> Option<&'static Schema> {
    SCHEMAS.iter().find(|schema| schema.name == name)
}

/// The columns after `present` (0 without one): each has a bit in it.
#[must_use]
pub const fn present_bits(columns: &[Column]) -> usize {
    let mut at = 0;
    while at < columns.len() {
        if same(columns[at].name, PRESENT) {
            return columns.len() - at - 1;
        }
        at += 1;
    }
    0
}

/// Whether `a` and `b` are the same text (`==` is not a `const fn` on `str`).
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "evaluated at compile time: a fault fails the build"
)]
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut at = 0;
    while at < a.len() {
        if a[at] != b[at] {
            return false;
        }
        at += 1;
    }
    true
}

/// Whether the UTF-16 columns are exactly the last two, in a schema that has the names.
///
/// The writer ends the payload's buffer at the first `CStr16` and passes the names as
/// descriptors of their own after it, so a `CStr16` anywhere else would cut the event.
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "evaluated at compile time: a fault fails the build"
)]
#[must_use]
pub const fn names_last(columns: &[Column], names: bool) -> bool {
    let mut at = 0;
    while at < columns.len() {
        let last_two = at + 2 >= columns.len();
        let utf16 = matches!(columns[at].in_type, InType::CStr16);
        if utf16 != (names && last_two) {
            return false;
        }
        at += 1;
    }
    true
}
