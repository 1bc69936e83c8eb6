//! A generic `TraceLogging` decoder: an event's metadata and payload back into its name and
//! fields.
//!
//! Owns the reading of the two byte strings a consumer gets for a `TraceLogging` event: the
//! metadata, which ETW delivers as the `EVENT_HEADER_EXT_TYPE_EVENT_SCHEMA_TL` extended data
//! item of the `EVENT_RECORD` (Microsoft Learn, "`EVENT_HEADER_EXTENDED_DATA_ITEM` structure
//! (evntcons.h)", <https://learn.microsoft.com/windows/win32/api/evntcons/ns-evntcons-event_header_extended_data_item>),
//! and the payload (`EVENT_RECORD.UserData`); and of the provider traits
//! (`EVENT_HEADER_EXT_TYPE_PROV_TRAITS`, [`ProviderTraits`]).
//!
//! The layout is TraceLoggingProvider.h's (Microsoft Learn, "TraceLoggingProvider.h header",
//! <https://learn.microsoft.com/windows/win32/api/traceloggingprovider/>, and "`TraceLogging`
//! wrapper macros", <https://learn.microsoft.com/windows/win32/tracelogging/tracelogging-wrapper-macros>),
//! as Microsoft's `tracelogging` crate 1.2.4 writes it (`src/enums.rs`, and
//! `tracelogging_dynamic`'s `src/builder.rs`):
//! - the metadata: its size (`u16`), the event's tags (one to four bytes, the high bit of each
//!   saying another follows), the event's name (UTF-8, NUL-terminated), then per field: its
//!   name (NUL-terminated), the in-type byte ([`in_type`]: the type in the low five bits, the
//!   array and custom flags in `0x60`, and `0x80` when an out-type byte follows), the
//!   out-type byte ([`out_type`]: `0x80` when a field tag follows, in one to four bytes as
//!   the event's), a constant array's count (`u16`) and a custom field's type information
//!   (`u16` size, then the bytes);
//! - a struct is a field of in-type [`in_type::STRUCT`] whose out-type slot holds the number
//!   of fields after it that are its members (1 to 127); it holds no payload of its own;
//! - the payload: the fields' values in order, little-endian, a variable array's count
//!   (`u16`) before its elements.
//!
//! The decoder is the type system only: it knows no event of the driver's, so whatever in-type
//! a column is written in, it is read back by that in-type. The walk allocates nothing, cannot
//! panic, and reads the bytes as untrusted: every read is bounded, a nesting of structs is
//! bounded by [`MAX_DEPTH`], the items an event yields by [`MAX_ITEMS`] and the metadata bytes
//! it reads (struct arrays re-read their members') by [`MAX_WORK`], an array of elements of
//! no size is refused (its count would be work without bytes), and a byte string that
//! does not parse is a [`DecodeError`] naming the field and the byte offset.

use core::fmt;

/// The most nested structs a decoded event may have (an array of structs is one level).
pub const MAX_DEPTH: usize = 8;

/// The most items ([`Item`]) one event yields: bounds the work an array of structs that take
/// no payload can ask for. An ETW event is at most 64 KB, so a real one is far below.
pub const MAX_ITEMS: u32 = 1 << 17;

/// The most metadata bytes one event's walk reads, re-reads included.
///
/// Bounds the work of arrays of structs, whose members' descriptions are read once per element. A real event
/// (64 KB at most, and far fewer fields) stays far below.
pub const MAX_WORK: usize = 1 << 22;

/// The in-types (`TlgIn_t`, TraceLoggingProvider.h; the `tracelogging` crate's `InType`):
/// how the payload holds a value. The low five bits of the in-type byte.
///
/// Defined here rather than in `abi` (which holds only what the driver writes, and which
/// this change does not touch): a decoder must know every type a producer may write.
pub mod in_type {
    /// `TlgInNULL`: no value.
    pub const NULL: u8 = 0;
    /// `TlgInUNICODESTRING`: NUL-terminated UTF-16LE.
    pub const CSTR16: u8 = 1;
    /// `TlgInANSISTRING`: NUL-terminated 8-bit text.
    pub const CSTR8: u8 = 2;
    /// `TlgInINT8`.
    pub const I8: u8 = 3;
    /// `TlgInUINT8`.
    pub const U8: u8 = 4;
    /// `TlgInINT16`.
    pub const I16: u8 = 5;
    /// `TlgInUINT16`.
    pub const U16: u8 = 6;
    /// `TlgInINT32`.
    pub const I32: u8 = 7;
    /// `TlgInUINT32`.
    pub const U32: u8 = 8;
    /// `TlgInINT64`.
    pub const I64: u8 = 9;
    /// `TlgInUINT64`.
    pub const U64: u8 = 10;
    /// `TlgInFLOAT`.
    pub const F32: u8 = 11;
    /// `TlgInDOUBLE`.
    pub const F64: u8 = 12;
    /// `TlgInBOOL32`.
    pub const BOOL32: u8 = 13;
    /// `TlgInBINARY`: a `u16` byte count, then the bytes.
    pub const BINARY: u8 = 14;
    /// `TlgInGUID`: 16 bytes, Windows (little-endian fields) order.
    pub const GUID: u8 = 15;
    /// `_TlgInPOINTER_unsupported` (TDH's `TDH_INTYPE_POINTER`): a pointer of the event's
    /// size ([`super::decode`]'s `pointer_size`).
    pub const POINTER: u8 = 16;
    /// `TlgInFILETIME`: 64-bit count of 100 ns since 1601.
    pub const FILETIME: u8 = 17;
    /// `TlgInSYSTEMTIME`: eight `u16`.
    pub const SYSTEMTIME: u8 = 18;
    /// `TlgInSID`: `8 + 4 * SubAuthorityCount` bytes (the count is its second byte).
    pub const SID: u8 = 19;
    /// `TlgInHEXINT32`.
    pub const HEX32: u8 = 20;
    /// `TlgInHEXINT64`.
    pub const HEX64: u8 = 21;
    /// `TlgInCOUNTEDSTRING`: a `u16` byte count, then UTF-16LE.
    pub const STR16: u8 = 22;
    /// `TlgInCOUNTEDANSISTRING`: a `u16` byte count, then 8-bit text.
    pub const STR8: u8 = 23;
    /// `_TlgInSTRUCT`: no payload; its members are the next fields.
    pub const STRUCT: u8 = 24;
    /// `TlgInCOUNTEDBINARY`: a `u16` byte count, then the bytes.
    pub const BINARYC: u8 = 25;

    /// The type bits of the in-type byte.
    pub const TYPE_MASK: u8 = 0x1F;
    /// `_TlgInCcount`: a constant array, its `u16` count in the metadata.
    pub const CONSTANT_COUNT: u8 = 0x20;
    /// `TlgInVcount`: a variable array, its `u16` count in the payload.
    pub const VARIABLE_COUNT: u8 = 0x40;
    /// `_TlgInCUSTOM`: a custom-serialized field (both flag bits).
    pub const CUSTOM: u8 = 0x60;
    /// The flag bits of the in-type byte.
    pub const FLAG_MASK: u8 = 0x60;
    /// The chain bit: an out-type byte follows.
    pub const CHAIN: u8 = 0x80;
}

/// The out-types (`TlgOut_t`, TraceLoggingProvider.h; the `tracelogging` crate's `OutType`):
/// how a decoder shows a value. The low seven bits of the out-type byte.
pub mod out_type {
    /// `TlgOutDEFAULT`.
    pub const DEFAULT: u8 = 0;
    /// `TlgOutNOPRINT`.
    pub const NOPRINT: u8 = 1;
    /// `TlgOutSTRING`.
    pub const STRING: u8 = 2;
    /// `TlgOutBOOLEAN`.
    pub const BOOLEAN: u8 = 3;
    /// `TlgOutHEX`.
    pub const HEX: u8 = 4;
    /// `TlgOutPID`.
    pub const PID: u8 = 5;
    /// `TlgOutTID`.
    pub const TID: u8 = 6;
    /// `TlgOutPORT`: a `u16` in network order.
    pub const PORT: u8 = 7;
    /// `TlgOutIPV4`: a `u32` in network order.
    pub const IPV4: u8 = 8;
    /// `TlgOutIPV6`: 16 bytes.
    pub const IPV6: u8 = 9;
    /// `TlgOutSOCKETADDRESS`: a `SOCKADDR`.
    pub const SOCKETADDRESS: u8 = 10;
    /// `TlgOutXML`.
    pub const XML: u8 = 11;
    /// `TlgOutJSON`.
    pub const JSON: u8 = 12;
    /// `TlgOutWIN32ERROR`.
    pub const WIN32ERROR: u8 = 13;
    /// `TlgOutNTSTATUS`.
    pub const NTSTATUS: u8 = 14;
    /// `TlgOutHRESULT`.
    pub const HRESULT: u8 = 15;
    /// `TlgOutFILETIME`.
    pub const DATETIME: u8 = 16;
    /// `TlgOutSIGNED`.
    pub const SIGNED: u8 = 17;
    /// `TlgOutUNSIGNED`.
    pub const UNSIGNED: u8 = 18;
    /// `TlgOutDATETIME_CULTURE_INSENSITIVE`.
    pub const DATETIME_CULTURE_INSENSITIVE: u8 = 33;
    /// `TlgOutUTF8`.
    pub const UTF8: u8 = 35;
    /// `TlgOutPKCS7_WITH_TYPE_INFO`.
    pub const PKCS7_WITH_TYPE_INFO: u8 = 36;
    /// `TlgOutCODE_POINTER`.
    pub const CODE_POINTER: u8 = 37;
    /// `TlgOutDATETIME_UTC`.
    pub const DATETIME_UTC: u8 = 38;

    /// The type bits of the out-type byte.
    pub const TYPE_MASK: u8 = 0x7F;
    /// The chain bit: a field tag follows.
    pub const CHAIN: u8 = 0x80;
}

// The writer's named values (`abi`, each compared with Microsoft's crate by its tests) are
// these tables' numbers: a drift between the encoder and the decoder fails the build.
const _: () = {
    use super::abi::{InType, OutType};
    assert!(
        InType::CStr16.as_int() == in_type::CSTR16
            && InType::CStr8.as_int() == in_type::CSTR8
            && InType::U8.as_int() == in_type::U8
            && InType::U16.as_int() == in_type::U16
            && InType::I32.as_int() == in_type::I32
            && InType::U32.as_int() == in_type::U32
            && InType::I64.as_int() == in_type::I64
            && InType::U64.as_int() == in_type::U64
            && InType::F64.as_int() == in_type::F64
            && InType::Bool32.as_int() == in_type::BOOL32
            && InType::Binary.as_int() == in_type::BINARY
            && InType::U32Array.as_int() == in_type::U32 | in_type::VARIABLE_COUNT
    );
    assert!(
        OutType::Default.as_int() == out_type::DEFAULT
            && OutType::Hex.as_int() == out_type::HEX
            && OutType::IPv4.as_int() == out_type::IPV4
            && OutType::IPv6.as_int() == out_type::IPV6
            && OutType::SocketAddress.as_int() == out_type::SOCKETADDRESS
            && OutType::DateTime.as_int() == out_type::DATETIME
    );
};

/// Where a decode failed: in the metadata or in the payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// The metadata (the `EVENT_SCHEMA_TL` item).
    Metadata,
    /// The payload (`UserData`).
    Payload,
}

/// What was wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The bytes end before the item does.
    Truncated,
    /// The metadata's size is not within its bytes, or is smaller than its own header.
    Size,
    /// More than four tag bytes.
    Tags,
    /// A name without its NUL.
    Unterminated,
    /// A name that is not UTF-8.
    NotUtf8,
    /// An in-type this decoder does not know (the type bits).
    UnknownInType(u8),
    /// A struct of no members.
    EmptyStruct,
    /// Structs nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// More than [`MAX_ITEMS`] items, or [`MAX_WORK`] metadata bytes read.
    TooMany,
    /// An array whose elements take no bytes (of in-type `NULL`).
    EmptyElements,
    /// A struct's members run past the end of the metadata.
    MissingMembers,
    /// Payload bytes left after the last field.
    TrailingPayload,
}

/// A decode failure: the field it was in (empty: the event's header), where, and what.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeError<'a> {
    /// The field's name as its bytes (perhaps not UTF-8), or empty.
    pub field: &'a [u8],
    /// Metadata or payload.
    pub place: Place,
    /// The byte offset in that place.
    pub offset: usize,
    /// What was wrong.
    pub problem: Problem,
}

impl fmt::Display for DecodeError<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = match self.place {
            Place::Metadata => "metadata",
            Place::Payload => "payload",
        };
        let what = match self.problem {
            Problem::Truncated => "truncated",
            Problem::Size => "size out of bounds",
            Problem::Tags => "more than four tag bytes",
            Problem::Unterminated => "name without NUL",
            Problem::NotUtf8 => "name not UTF-8",
            Problem::UnknownInType(_) => "unknown in-type",
            Problem::EmptyStruct => "struct of no members",
            Problem::TooDeep => "structs nested too deep",
            Problem::TooMany => "too many items",
            Problem::EmptyElements => "array of elements of no size",
            Problem::MissingMembers => "struct members missing",
            Problem::TrailingPayload => "payload left after the last field",
        };
        formatter.write_str(what)?;
        if let Problem::UnknownInType(value) = self.problem {
            write!(formatter, " {value}")?;
        }
        if self.field.is_empty() {
            if !matches!(self.problem, Problem::TrailingPayload | Problem::TooMany) {
                formatter.write_str(" in the event header")?;
            }
        } else {
            formatter.write_str(" in field ")?;
            quoted(formatter, lossy(self.field))?;
        }
        write!(formatter, " at {place} byte {}", self.offset)
    }
}

/// A field's description in the metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldMeta<'a> {
    /// The name.
    pub name: &'a str,
    /// The in-type's type bits ([`in_type`]).
    pub in_type: u8,
    /// The in-type's flag bits: 0, [`in_type::CONSTANT_COUNT`], [`in_type::VARIABLE_COUNT`]
    /// or [`in_type::CUSTOM`].
    pub flags: u8,
    /// The out-type's type bits ([`out_type`]; for a struct, its member count).
    pub out_type: u8,
    /// The field tag (28 bits), 0 if none.
    pub tag: u32,
    /// Where the field's description starts in the metadata.
    pub offset: usize,
}

/// A UTF-16LE string's bytes (an even count, no NUL).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Utf16<'a>(pub &'a [u8]);

impl<'a> Utf16<'a> {
    /// The code units.
    pub fn units(self) -> impl Iterator<Item = u16> + 'a {
        self.0.chunks_exact(2).map(|pair| {
            u16::from_le_bytes([
                pair.first().copied().unwrap_or(0),
                pair.get(1).copied().unwrap_or(0),
            ])
        })
    }

    /// The characters, an unpaired surrogate as U+FFFD.
    pub fn chars(self) -> impl Iterator<Item = char> + 'a {
        char::decode_utf16(self.units()).map(|unit| unit.unwrap_or(char::REPLACEMENT_CHARACTER))
    }
}

/// A decoded value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    /// [`in_type::NULL`].
    Null,
    /// [`in_type::I8`].
    I8(i8),
    /// [`in_type::U8`].
    U8(u8),
    /// [`in_type::I16`].
    I16(i16),
    /// [`in_type::U16`].
    U16(u16),
    /// [`in_type::I32`].
    I32(i32),
    /// [`in_type::U32`].
    U32(u32),
    /// [`in_type::I64`].
    I64(i64),
    /// [`in_type::U64`].
    U64(u64),
    /// [`in_type::F32`].
    F32(f32),
    /// [`in_type::F64`].
    F64(f64),
    /// [`in_type::BOOL32`]: the value as written (any non-zero is true).
    Bool32(u32),
    /// [`in_type::HEX32`].
    Hex32(u32),
    /// [`in_type::HEX64`].
    Hex64(u64),
    /// [`in_type::POINTER`], widened.
    Pointer(u64),
    /// [`in_type::GUID`]: the 16 bytes as written (Windows order).
    Guid([u8; 16]),
    /// [`in_type::FILETIME`].
    FileTime(u64),
    /// [`in_type::SYSTEMTIME`]: year, month, day of week, day, hour, minute, second, ms.
    SystemTime([u16; 8]),
    /// [`in_type::SID`]: its bytes.
    Sid(&'a [u8]),
    /// [`in_type::CSTR8`]: the bytes before the NUL.
    CStr8(&'a [u8]),
    /// [`in_type::CSTR16`]: the units before the NUL.
    CStr16(Utf16<'a>),
    /// [`in_type::STR8`]: the counted bytes.
    Str8(&'a [u8]),
    /// [`in_type::STR16`]: the counted units.
    Str16(Utf16<'a>),
    /// [`in_type::BINARY`]: the counted bytes.
    Binary(&'a [u8]),
    /// [`in_type::BINARYC`]: the counted bytes.
    BinaryC(&'a [u8]),
    /// A custom-serialized field: its type information (metadata) and bytes (payload).
    Custom {
        /// The metadata's type information.
        type_info: &'a [u8],
        /// The payload's bytes.
        bytes: &'a [u8],
    },
    /// An array of a non-struct type.
    Array(Array<'a>),
}

/// An array's elements, read one by one ([`Array::iter`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Array<'a> {
    /// The elements' in-type.
    pub in_type: u8,
    /// How many.
    pub count: u16,
    /// The elements' bytes (after a variable array's count).
    pub bytes: &'a [u8],
    pointer_size: u8,
}

impl<'a> Array<'a> {
    /// The elements, each decoded as a scalar of the array's in-type.
    #[must_use]
    pub const fn iter(&self) -> Elements<'a> {
        Elements {
            array: *self,
            at: 0,
            left: self.count,
        }
    }
}

impl<'a> IntoIterator for &Array<'a> {
    type Item = Value<'a>;
    type IntoIter = Elements<'a>;

    fn into_iter(self) -> Elements<'a> {
        self.iter()
    }
}

/// [`Array::iter`].
#[derive(Clone, Debug)]
pub struct Elements<'a> {
    array: Array<'a>,
    at: usize,
    left: u16,
}

impl<'a> Iterator for Elements<'a> {
    type Item = Value<'a>;

    fn next(&mut self) -> Option<Value<'a>> {
        self.left = self.left.checked_sub(1)?;
        let rest = self.array.bytes.get(self.at..)?;
        let (value, size) = scalar(self.array.in_type, rest, self.array.pointer_size).ok()?;
        self.at = self.at.saturating_add(size);
        Some(value)
    }
}

/// A field and its value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Field<'a> {
    /// Its description.
    pub meta: FieldMeta<'a>,
    /// Its value.
    pub value: Value<'a>,
    /// Where its value starts in the payload.
    pub offset: usize,
}

/// What the walk over an event's fields yields.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Item<'a> {
    /// A field that is not a struct (an array of scalars is one field).
    Field(Field<'a>),
    /// A struct begins: its description, members and element count (1 if not an array).
    /// Its members follow, once per element, then [`Item::StructEnd`].
    Struct {
        /// Its description (`out_type` is the member count).
        meta: FieldMeta<'a>,
        /// The elements: 1, or the array's count (its members are not yielded when 0).
        count: u16,
    },
    /// The struct begun last ends.
    StructEnd,
}

/// A decoded event: its name, tags, and a walk over its fields.
#[derive(Clone, Debug)]
pub struct Event<'a> {
    /// The event's name.
    pub name: &'a str,
    /// The event's tags (28 bits).
    pub tags: u32,
    /// The fields, in order.
    pub fields: Walk<'a>,
}

/// One struct being walked.
#[derive(Clone, Copy, Debug, Default)]
struct Frame {
    /// Where its first member's description is.
    first_member: usize,
    members: u8,
    members_left: u8,
    elements_left: u16,
}

/// The walk over an event's fields: an iterator of [`Item`]s, ending after the first error.
#[derive(Clone, Debug)]
pub struct Walk<'a> {
    metadata: &'a [u8],
    payload: &'a [u8],
    meta_at: usize,
    pay_at: usize,
    pointer_size: u8,
    stack: [Frame; MAX_DEPTH],
    depth: usize,
    items: u32,
    /// Metadata bytes read so far.
    work: usize,
    done: bool,
}

/// Decodes an event's header from `metadata` (the `EVENT_SCHEMA_TL` item) and prepares the
/// walk over its fields in `payload`.
///
/// `pointer_size` is the event's: 8, or 4 if its header has `EVENT_HEADER_FLAG_32_BIT_HEADER`
/// (Microsoft Learn, "`EVENT_HEADER` structure (evntcons.h)"); anything but 4 is taken as 8.
///
/// # Errors
/// The header does not parse.
pub fn decode<'a>(
    metadata: &'a [u8],
    payload: &'a [u8],
    pointer_size: u8,
) -> Result<Event<'a>, DecodeError<'a>> {
    let metadata = sized(metadata)?;
    let (tags, at) = read_tags(metadata, 2).map_err(header)?;
    let (name, at) = read_name(metadata, at).map_err(header)?;
    Ok(Event {
        name,
        tags,
        fields: Walk {
            metadata,
            payload,
            meta_at: at,
            pay_at: 0,
            pointer_size: if pointer_size == 4 { 4 } else { 8 },
            stack: [Frame::default(); MAX_DEPTH],
            depth: 0,
            items: 0,
            work: 0,
            done: false,
        },
    })
}

impl<'a> Walk<'a> {
    /// The walk's last item: an error.
    const fn fail(
        &mut self,
        field: &'a [u8],
        place: Place,
        offset: usize,
        problem: Problem,
    ) -> Result<Item<'a>, DecodeError<'a>> {
        self.done = true;
        Err(DecodeError {
            field,
            place,
            offset,
            problem,
        })
    }

    fn step(&mut self) -> Option<Result<Item<'a>, DecodeError<'a>>> {
        // The innermost struct: its next element, its end, or one member fewer.
        if let Some(frame) = self
            .depth
            .checked_sub(1)
            .and_then(|top| self.stack.get_mut(top))
        {
            if frame.members_left == 0 {
                if frame.elements_left > 1 {
                    frame.elements_left = frame.elements_left.saturating_sub(1);
                    frame.members_left = frame.members;
                    self.meta_at = frame.first_member;
                } else {
                    self.depth = self.depth.saturating_sub(1);
                    return Some(Ok(Item::StructEnd));
                }
            }
            // Re-borrowed: the branch above may have changed nothing or the members.
            if let Some(frame) = self
                .depth
                .checked_sub(1)
                .and_then(|top| self.stack.get_mut(top))
            {
                frame.members_left = frame.members_left.saturating_sub(1);
            }
        } else if self.meta_at >= self.metadata.len() {
            self.done = true;
            if self.pay_at < self.payload.len() {
                return Some(self.fail(&[], Place::Payload, self.pay_at, Problem::TrailingPayload));
            }
            return None;
        }
        let (meta, count, type_info, next_meta) = match read_field(self.metadata, self.meta_at) {
            Ok(read) => read,
            Err((name, offset, problem)) => {
                // Inside a struct, metadata that ends is members missing.
                let problem = if self.depth > 0 && self.meta_at >= self.metadata.len() {
                    Problem::MissingMembers
                } else {
                    problem
                };
                return Some(self.fail(name, Place::Metadata, offset, problem));
            }
        };
        self.work = self
            .work
            .saturating_add(next_meta.saturating_sub(self.meta_at));
        self.meta_at = next_meta;
        let name = meta.name.as_bytes();
        if self.work > MAX_WORK {
            return Some(self.fail(name, Place::Metadata, meta.offset, Problem::TooMany));
        }
        // The element count: 1, the metadata's, or the payload's.
        let (array, elements) = match meta.flags {
            in_type::CONSTANT_COUNT => (true, count),
            in_type::VARIABLE_COUNT => {
                let Some(count) = read_u16(self.payload, self.pay_at) else {
                    return Some(self.fail(name, Place::Payload, self.pay_at, Problem::Truncated));
                };
                self.pay_at = self.pay_at.saturating_add(2);
                (true, count)
            }
            _ => (false, 1),
        };
        if meta.in_type == in_type::STRUCT {
            return Some(self.begin_struct(meta, elements));
        }
        let offset = self.pay_at;
        let rest = self.payload.get(offset..).unwrap_or_default();
        let read = if meta.flags == in_type::CUSTOM {
            counted(rest).map(|(bytes, size)| (Value::Custom { type_info, bytes }, size))
        } else if array {
            array_value(meta.in_type, elements, rest, self.pointer_size)
        } else {
            scalar(meta.in_type, rest, self.pointer_size)
        };
        match read {
            Ok((value, size)) => {
                self.pay_at = offset.saturating_add(size);
                Some(Ok(Item::Field(Field {
                    meta,
                    value,
                    offset: if array && meta.flags == in_type::VARIABLE_COUNT {
                        offset.saturating_sub(2)
                    } else {
                        offset
                    },
                })))
            }
            Err((problem, at)) => {
                Some(self.fail(name, Place::Payload, offset.saturating_add(at), problem))
            }
        }
    }

    /// A struct's description read: its frame pushed (its members come next, once per
    /// element; none if it has no element).
    fn begin_struct(
        &mut self,
        meta: FieldMeta<'a>,
        elements: u16,
    ) -> Result<Item<'a>, DecodeError<'a>> {
        let name = meta.name.as_bytes();
        let members = meta.out_type;
        if members == 0 {
            return self.fail(name, Place::Metadata, meta.offset, Problem::EmptyStruct);
        }
        if elements == 0 {
            // No element: its members' descriptions are passed over, without payload; it is
            // yielded as its begin, then (next step) its end.
            match skip_fields(self.metadata, self.meta_at, members) {
                Ok(next) => {
                    self.work = self.work.saturating_add(next.saturating_sub(self.meta_at));
                    self.meta_at = next;
                }
                Err((offset, problem)) => {
                    return self.fail(name, Place::Metadata, offset, problem);
                }
            }
        }
        let Some(frame) = self.stack.get_mut(self.depth) else {
            return self.fail(name, Place::Metadata, meta.offset, Problem::TooDeep);
        };
        *frame = Frame {
            first_member: self.meta_at,
            members,
            members_left: if elements == 0 { 0 } else { members },
            elements_left: elements,
        };
        self.depth = self.depth.saturating_add(1);
        Ok(Item::Struct {
            meta,
            count: elements,
        })
    }
}

impl<'a> Iterator for Walk<'a> {
    type Item = Result<Item<'a>, DecodeError<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        self.items = self.items.saturating_add(1);
        if self.items > MAX_ITEMS {
            return Some(self.fail(&[], Place::Metadata, self.meta_at, Problem::TooMany));
        }
        self.step()
    }
}

/// The provider traits (`EVENT_HEADER_EXT_TYPE_PROV_TRAITS`).
///
/// As "Provider Traits" on Microsoft Learn gives them: the size (`u16`), the provider's name (NUL-terminated), then traits, each its
/// size (`u16`, itself included), type (`u8`) and data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProviderTraits<'a> {
    /// The provider's name.
    pub name: &'a str,
    /// The traits after the name, as written.
    pub traits: &'a [u8],
}

impl<'a> ProviderTraits<'a> {
    /// Reads `bytes`.
    ///
    /// # Errors
    /// The size is out of bounds, or the name unterminated or not UTF-8.
    pub fn read(bytes: &'a [u8]) -> Result<Self, DecodeError<'a>> {
        let bytes = sized(bytes)?;
        let (name, at) = read_name(bytes, 2).map_err(header)?;
        Ok(Self {
            name,
            traits: bytes.get(at..).unwrap_or_default(),
        })
    }

    /// Each trait's type and data; ends at the first malformed one.
    pub fn iter(&self) -> impl Iterator<Item = (u8, &'a [u8])> + 'a {
        let mut rest = self.traits;
        core::iter::from_fn(move || {
            let size = usize::from(read_u16(rest, 0)?);
            let item = rest.get(..size).filter(|item| item.len() >= 3)?;
            rest = rest.get(size..)?;
            Some((*item.get(2)?, item.get(3..)?))
        })
    }
}

/// A problem at `offset` in the metadata (or the provider traits) that names no field.
const fn header<'a>((offset, problem): (usize, Problem)) -> DecodeError<'a> {
    DecodeError {
        field: &[],
        place: Place::Metadata,
        offset,
        problem,
    }
}

/// The block `bytes` begins: `TraceLogging`'s metadata and provider traits both start with
/// their own size, a `UINT16` that counts itself, and end there.
fn sized(bytes: &[u8]) -> Result<&[u8], DecodeError<'_>> {
    let size = read_u16(bytes, 0).ok_or(header((0, Problem::Truncated)))?;
    bytes
        .get(..usize::from(size))
        .filter(|block| block.len() >= 2)
        .ok_or(header((0, Problem::Size)))
}

fn read_u16(bytes: &[u8], at: usize) -> Option<u16> {
    let pair = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([*pair.first()?, *pair.get(1)?]))
}

/// The `N` bytes at the start of `bytes`.
fn take<const N: usize>(bytes: &[u8]) -> Result<[u8; N], (Problem, usize)> {
    bytes
        .get(..N)
        .and_then(|bytes| <[u8; N]>::try_from(bytes).ok())
        .ok_or((Problem::Truncated, bytes.len()))
}

/// Tag bytes from `at`: seven bits each, the high bit saying another follows; at most four.
fn read_tags(bytes: &[u8], at: usize) -> Result<(u32, usize), (usize, Problem)> {
    let mut tags: u32 = 0;
    let mut at = at;
    for index in 0..4_u32 {
        let byte = *bytes.get(at).ok_or((at, Problem::Truncated))?;
        at = at.saturating_add(1);
        tags |= u32::from(byte & 0x7F) << (21_u32.saturating_sub(index.saturating_mul(7)));
        if byte & 0x80 == 0 {
            return Ok((tags, at));
        }
    }
    Err((at, Problem::Tags))
}

/// A NUL-terminated UTF-8 name at `at`, and where the bytes after its NUL are.
fn read_name(bytes: &[u8], at: usize) -> Result<(&str, usize), (usize, Problem)> {
    let rest = bytes.get(at..).ok_or((at, Problem::Truncated))?;
    let end = rest
        .iter()
        .position(|&byte| byte == 0)
        .ok_or((at, Problem::Unterminated))?;
    let name = core::str::from_utf8(rest.get(..end).unwrap_or_default())
        .map_err(|_| (at, Problem::NotUtf8))?;
    Ok((name, at.saturating_add(end).saturating_add(1)))
}

/// What [`read_field`] reads: the field's description, its constant count, its custom type
/// information, and where the next description begins.
type ReadField<'a> = (FieldMeta<'a>, u16, &'a [u8], usize);

/// The field description at `at`.
fn read_field(metadata: &[u8], at: usize) -> Result<ReadField<'_>, (&[u8], usize, Problem)> {
    let (name, next) = read_name(metadata, at).map_err(|(offset, problem)| {
        // The name's first bytes, for the message.
        let rest = metadata.get(at..).unwrap_or_default();
        (rest.get(..32).unwrap_or(rest), offset, problem)
    })?;
    let field = name.as_bytes();
    let fail = |offset, problem| (field, offset, problem);
    let in_byte = *metadata
        .get(next)
        .ok_or_else(|| fail(next, Problem::Truncated))?;
    let mut cursor = next.saturating_add(1);
    let mut out_byte = 0;
    if in_byte & in_type::CHAIN != 0 {
        out_byte = *metadata
            .get(cursor)
            .ok_or_else(|| fail(cursor, Problem::Truncated))?;
        cursor = cursor.saturating_add(1);
    }
    let mut tag = 0;
    if out_byte & out_type::CHAIN != 0 {
        let (read, after) =
            read_tags(metadata, cursor).map_err(|(offset, problem)| fail(offset, problem))?;
        tag = read;
        cursor = after;
    }
    let flags = in_byte & in_type::FLAG_MASK;
    let mut count = 1;
    let mut type_info: &[u8] = &[];
    if flags == in_type::CONSTANT_COUNT {
        count = read_u16(metadata, cursor).ok_or_else(|| fail(cursor, Problem::Truncated))?;
        cursor = cursor.saturating_add(2);
    } else if flags == in_type::CUSTOM {
        let size = read_u16(metadata, cursor).ok_or_else(|| fail(cursor, Problem::Truncated))?;
        let start = cursor.saturating_add(2);
        let end = start.saturating_add(usize::from(size));
        type_info = metadata
            .get(start..end)
            .ok_or_else(|| fail(start, Problem::Truncated))?;
        cursor = end;
    }
    let type_bits = in_byte & in_type::TYPE_MASK;
    if type_bits > in_type::BINARYC {
        return Err(fail(next, Problem::UnknownInType(type_bits)));
    }
    Ok((
        FieldMeta {
            name,
            in_type: type_bits,
            flags,
            out_type: out_byte & out_type::TYPE_MASK,
            tag,
            offset: at,
        },
        count,
        type_info,
        cursor,
    ))
}

/// Past `members` field descriptions from `at` (a struct's among them counting its own).
fn skip_fields(metadata: &[u8], at: usize, members: u8) -> Result<usize, (usize, Problem)> {
    let mut left = u32::from(members);
    let mut at = at;
    while left > 0 {
        if at >= metadata.len() {
            return Err((at, Problem::MissingMembers));
        }
        let (meta, _, _, next) =
            read_field(metadata, at).map_err(|(_, offset, problem)| (offset, problem))?;
        at = next;
        left = left.saturating_sub(1);
        if meta.in_type == in_type::STRUCT {
            if meta.out_type == 0 {
                return Err((meta.offset, Problem::EmptyStruct));
            }
            left = left.saturating_add(u32::from(meta.out_type));
        }
    }
    Ok(at)
}

/// A `u16` byte count and the bytes after it: the bytes and the size of both.
fn counted(bytes: &[u8]) -> Result<(&[u8], usize), (Problem, usize)> {
    let size = usize::from(read_u16(bytes, 0).ok_or((Problem::Truncated, bytes.len()))?);
    let end = size.saturating_add(2);
    let value = bytes.get(2..end).ok_or((Problem::Truncated, 2))?;
    Ok((value, end))
}

/// One value of `in_type` at the start of `bytes`, and its size.
fn scalar(
    kind: u8,
    bytes: &[u8],
    pointer_size: u8,
) -> Result<(Value<'_>, usize), (Problem, usize)> {
    use self::in_type as t;
    Ok(match kind {
        t::NULL => (Value::Null, 0),
        t::I8 => (Value::I8(i8::from_le_bytes(take(bytes)?)), 1),
        t::U8 => (Value::U8(take::<1>(bytes)?[0]), 1),
        t::I16 => (Value::I16(i16::from_le_bytes(take(bytes)?)), 2),
        t::U16 => (Value::U16(u16::from_le_bytes(take(bytes)?)), 2),
        t::I32 => (Value::I32(i32::from_le_bytes(take(bytes)?)), 4),
        t::U32 => (Value::U32(u32::from_le_bytes(take(bytes)?)), 4),
        t::I64 => (Value::I64(i64::from_le_bytes(take(bytes)?)), 8),
        t::U64 => (Value::U64(u64::from_le_bytes(take(bytes)?)), 8),
        t::F32 => (Value::F32(f32::from_le_bytes(take(bytes)?)), 4),
        t::F64 => (Value::F64(f64::from_le_bytes(take(bytes)?)), 8),
        t::BOOL32 => (Value::Bool32(u32::from_le_bytes(take(bytes)?)), 4),
        t::HEX32 => (Value::Hex32(u32::from_le_bytes(take(bytes)?)), 4),
        t::HEX64 => (Value::Hex64(u64::from_le_bytes(take(bytes)?)), 8),
        t::FILETIME => (Value::FileTime(u64::from_le_bytes(take(bytes)?)), 8),
        t::GUID => (Value::Guid(take(bytes)?), 16),
        t::POINTER if pointer_size == 4 => (
            Value::Pointer(u64::from(u32::from_le_bytes(take(bytes)?))),
            4,
        ),
        t::POINTER => (Value::Pointer(u64::from_le_bytes(take(bytes)?)), 8),
        t::SYSTEMTIME => {
            let raw: [u8; 16] = take(bytes)?;
            let mut parts = [0_u16; 8];
            for (part, pair) in parts.iter_mut().zip(raw.chunks_exact(2)) {
                *part = u16::from_le_bytes([
                    pair.first().copied().unwrap_or(0),
                    pair.get(1).copied().unwrap_or(0),
                ]);
            }
            (Value::SystemTime(parts), 16)
        }
        t::SID => {
            let sub_authorities = *bytes.get(1).ok_or((Problem::Truncated, bytes.len()))?;
            let size = usize::from(sub_authorities)
                .saturating_mul(4)
                .saturating_add(8);
            let sid = bytes.get(..size).ok_or((Problem::Truncated, bytes.len()))?;
            (Value::Sid(sid), size)
        }
        t::CSTR8 => {
            let end = bytes
                .iter()
                .position(|&byte| byte == 0)
                .ok_or((Problem::Truncated, bytes.len()))?;
            (
                Value::CStr8(bytes.get(..end).unwrap_or_default()),
                end.saturating_add(1),
            )
        }
        t::CSTR16 => {
            let units = bytes
                .chunks_exact(2)
                .position(|pair| pair == [0, 0])
                .ok_or((Problem::Truncated, bytes.len()))?;
            let end = units.saturating_mul(2);
            (
                Value::CStr16(Utf16(bytes.get(..end).unwrap_or_default())),
                end.saturating_add(2),
            )
        }
        t::STR8 => counted(bytes).map(|(value, size)| (Value::Str8(value), size))?,
        t::STR16 => {
            let (value, size) = counted(bytes)?;
            // An odd count's last byte is no unit: left out of the units, kept in the size.
            let even = value.len() & !1;
            (
                Value::Str16(Utf16(value.get(..even).unwrap_or_default())),
                size,
            )
        }
        t::BINARY => counted(bytes).map(|(value, size)| (Value::Binary(value), size))?,
        t::BINARYC => counted(bytes).map(|(value, size)| (Value::BinaryC(value), size))?,
        other => return Err((Problem::UnknownInType(other), 0)),
    })
}

/// `count` elements of `in_type` at the start of `bytes`: the array, and its size.
fn array_value(
    in_type: u8,
    count: u16,
    bytes: &[u8],
    pointer_size: u8,
) -> Result<(Value<'_>, usize), (Problem, usize)> {
    if in_type == self::in_type::NULL && count > 0 {
        return Err((Problem::EmptyElements, 0));
    }
    let mut at: usize = 0;
    for _ in 0..count {
        let rest = bytes.get(at..).unwrap_or_default();
        let (_, size) = scalar(in_type, rest, pointer_size)
            .map_err(|(problem, offset)| (problem, at.saturating_add(offset)))?;
        at = at.saturating_add(size);
    }
    Ok((
        Value::Array(Array {
            in_type,
            count,
            bytes: bytes.get(..at).unwrap_or_default(),
            pointer_size,
        }),
        at,
    ))
}

/// 8-bit text's characters: UTF-8 where it is, each other run of bytes as U+FFFD.
fn lossy(bytes: &[u8]) -> impl Iterator<Item = char> + '_ {
    bytes.utf8_chunks().flat_map(|chunk| {
        chunk
            .valid()
            .chars()
            .chain((!chunk.invalid().is_empty()).then_some(char::REPLACEMENT_CHARACTER))
    })
}

/// A string in double quotes, escaped as Rust's `{:?}` escapes a `char`.
fn quoted(formatter: &mut fmt::Formatter<'_>, chars: impl Iterator<Item = char>) -> fmt::Result {
    use fmt::Write as _;
    formatter.write_char('"')?;
    for character in chars {
        if character == '\'' {
            formatter.write_char(character)?;
        } else {
            for escaped in character.escape_debug() {
                formatter.write_char(escaped)?;
            }
        }
    }
    formatter.write_char('"')
}

fn hex_bytes(formatter: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    formatter.write_str("0x")?;
    for byte in bytes {
        write!(formatter, "{byte:02x}")?;
    }
    Ok(())
}

/// A value as the watcher's interim output prints it ([`Shown`]).
impl Value<'_> {
    /// The value shown with its field's out-type: an IPv4 or IPv6 address, a port, hex,
    /// text quoted; otherwise by its in-type.
    #[must_use]
    pub const fn shown(&self, out_type: u8) -> Shown<'_> {
        Shown {
            value: self,
            out_type,
        }
    }
}

/// [`Value::shown`].
pub struct Shown<'a> {
    value: &'a Value<'a>,
    out_type: u8,
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        use out_type as o;
        match (*self.value, self.out_type) {
            (Value::U32(value), o::IPV4) => {
                core::net::Ipv4Addr::from(value.to_le_bytes()).fmt(formatter)
            }
            (Value::Binary(bytes) | Value::BinaryC(bytes), o::IPV6) if bytes.len() == 16 => {
                let mut octets = [0_u8; 16];
                octets.copy_from_slice(bytes);
                core::net::Ipv6Addr::from(octets).fmt(formatter)
            }
            (Value::U16(value), o::PORT) => u16::from_be(value).fmt(formatter),
            (Value::U8(value), o::HEX) => write!(formatter, "{value:#x}"),
            (Value::U16(value), o::HEX) => write!(formatter, "{value:#x}"),
            (
                Value::U32(value) | Value::Hex32(value),
                o::HEX | o::WIN32ERROR | o::NTSTATUS | o::HRESULT,
            ) => {
                write!(formatter, "{value:#x}")
            }
            (Value::U64(value), o::HEX) => write!(formatter, "{value:#x}"),
            (Value::I32(value), o::HRESULT | o::HEX) => write!(formatter, "{value:#x}"),
            (Value::U8(value), o::BOOLEAN) => (value != 0).fmt(formatter),
            (Value::Array(array), out_type) => {
                formatter.write_str("[")?;
                for (index, element) in array.iter().enumerate() {
                    if index > 0 {
                        formatter.write_str(",")?;
                    }
                    element.shown(out_type).fmt(formatter)?;
                }
                formatter.write_str("]")
            }
            (value, _) => value.fmt(formatter),
        }
    }
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Null => formatter.write_str("null"),
            Self::I8(value) => value.fmt(formatter),
            Self::U8(value) => value.fmt(formatter),
            Self::I16(value) => value.fmt(formatter),
            Self::U16(value) => value.fmt(formatter),
            Self::I32(value) => value.fmt(formatter),
            Self::U32(value) => value.fmt(formatter),
            Self::I64(value) => value.fmt(formatter),
            Self::U64(value) => value.fmt(formatter),
            Self::F32(value) => value.fmt(formatter),
            Self::F64(value) => value.fmt(formatter),
            Self::Bool32(value) => (value != 0).fmt(formatter),
            Self::Hex32(value) => write!(formatter, "{value:#x}"),
            Self::Hex64(value) | Self::Pointer(value) => write!(formatter, "{value:#x}"),
            Self::FileTime(value) => write!(formatter, "filetime:{value}"),
            Self::Guid(bytes) => {
                let [a0, a1, a2, a3, b0, b1, c0, c1, d @ ..] = bytes;
                write!(
                    formatter,
                    "{{{:08x}-{:04x}-{:04x}-",
                    u32::from_le_bytes([a0, a1, a2, a3]),
                    u16::from_le_bytes([b0, b1]),
                    u16::from_le_bytes([c0, c1])
                )?;
                let [d0, d1, d2, d3, d4, d5, d6, d7] = d;
                write!(
                    formatter,
                    "{d0:02x}{d1:02x}-{d2:02x}{d3:02x}{d4:02x}{d5:02x}{d6:02x}{d7:02x}}}"
                )
            }
            Self::SystemTime([year, month, _, day, hour, minute, second, millis]) => write!(
                formatter,
                "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{millis:03}"
            ),
            Self::Sid(bytes) | Self::Binary(bytes) | Self::BinaryC(bytes) => {
                hex_bytes(formatter, bytes)
            }
            Self::Custom { bytes, .. } => hex_bytes(formatter, bytes),
            Self::CStr8(bytes) | Self::Str8(bytes) => quoted(formatter, lossy(bytes)),
            Self::CStr16(units) | Self::Str16(units) => quoted(formatter, units.chars()),
            Self::Array(_) => self.shown(out_type::DEFAULT).fmt(formatter),
        }
    }
}

/// The fuzz target's check (`fuzz/fuzz_targets/tl_decode.rs`, and its regression test).
///
/// `data` is a pointer-size byte (bit 0: 4, else 8), the metadata's length (`u16`), the
/// metadata, then the payload. Every item is formatted.
///
/// # Panics
/// If the walk runs past [`MAX_ITEMS`], a field's value lies outside the payload, or a walk
/// without error leaves a struct open: each a decoder bug.
#[cfg(any(test, feature = "sim"))]
pub fn check_bytes(data: &[u8]) {
    /// Counts what is formatted, allocating nothing.
    struct Sink(usize);
    impl fmt::Write for Sink {
        fn write_str(&mut self, text: &str) -> fmt::Result {
            self.0 = self.0.saturating_add(text.len());
            Ok(())
        }
    }
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let length = usize::from(read_u16(rest, 0).unwrap_or(0));
    let rest = rest.get(2..).unwrap_or_default();
    let (metadata, payload) = rest.split_at(length.min(rest.len()));
    let pointer_size = if selector & 1 == 1 { 4 } else { 8 };
    let mut sink = Sink(0);
    let _ = ProviderTraits::read(metadata).map(|traits| traits.iter().count());
    let Ok(event) = decode(metadata, payload, pointer_size) else {
        return;
    };
    let (mut depth, mut items, mut failed) = (0_usize, 0_u32, false);
    for item in event.fields {
        items = items.saturating_add(1);
        assert!(items <= MAX_ITEMS.saturating_add(1), "the walk runs away");
        match item {
            Ok(Item::Field(field)) => {
                assert!(field.offset <= payload.len(), "a value outside the payload");
                let _ = fmt::write(
                    &mut sink,
                    format_args!("{}", field.value.shown(field.meta.out_type)),
                );
                if let Value::Array(array) = field.value {
                    assert!(array.iter().count() <= usize::from(array.count));
                }
            }
            Ok(Item::Struct { .. }) => depth = depth.saturating_add(1),
            Ok(Item::StructEnd) => {
                assert!(depth > 0, "a struct ended that never began");
                depth = depth.saturating_sub(1);
            }
            Err(error) => {
                failed = true;
                let _ = fmt::write(&mut sink, format_args!("{error}"));
            }
        }
    }
    assert!(failed || depth == 0, "a struct left open");
}

#[cfg(all(test, not(loom)))]
mod tests {
    use core::fmt::Write as _;
    use std::format;
    use std::string::{String, ToString};
    use std::vec::Vec;

    use proptest::prelude::*;
    use tracelogging_dynamic as tld;

    use super::*;
    use crate::output::trace::schema::SCHEMAS;
    use crate::output::trace::{Event as Written, InType};

    /// Every item of an event as one line: `name field=value …`, structs as `name{…}`,
    /// or the error.
    fn line(metadata: &[u8], payload: &[u8], pointer_size: u8) -> String {
        let event = match decode(metadata, payload, pointer_size) {
            Ok(event) => event,
            Err(error) => return format!("error: {error}"),
        };
        let mut out = String::from(event.name);
        if event.tags != 0 {
            let _ = write!(out, " tags={:#x}", event.tags);
        }
        for item in event.fields {
            match item {
                Ok(Item::Field(field)) => {
                    let _ = write!(
                        out,
                        " {}={}",
                        field.meta.name,
                        field.value.shown(field.meta.out_type)
                    );
                    if field.meta.tag != 0 {
                        let _ = write!(out, "#{:#x}", field.meta.tag);
                    }
                }
                Ok(Item::Struct { meta, count }) => {
                    let _ = write!(out, " {}[{count}]{{", meta.name);
                }
                Ok(Item::StructEnd) => out += " }",
                Err(error) => {
                    let _ = write!(out, " error: {error}");
                }
            }
        }
        out
    }

    /// The metadata and payload `tracelogging_dynamic` built, read from its `Debug` (the
    /// builder keeps them private); `write` to an unregistered provider fills in the size
    /// and writes nothing.
    fn built(builder: &mut tld::EventBuilder) -> (Vec<u8>, Vec<u8>) {
        let provider = tld::Provider::new("test", &tld::Provider::options());
        builder.write(&provider, None, None);
        let text = format!("{builder:?}");
        let bytes = |key: &str| -> Vec<u8> {
            let start = text.find(key).unwrap() + key.len();
            let end = start + text[start..].find(']').unwrap();
            text[start..end]
                .split(", ")
                .filter(|number| !number.is_empty())
                .map(|number| number.parse().unwrap())
                .collect()
        };
        (bytes("meta: ["), bytes("data: ["))
    }

    fn utf16(text: &str) -> Vec<u16> {
        text.encode_utf16().collect()
    }

    /// Every in-type and the out-types the crate's builder writes, scalars and arrays,
    /// tags, and structs, as Microsoft's encoder writes them.
    #[test]
    fn every_type_of_the_crate_s_encoder_decodes_to_its_value() {
        use tld::OutType as O;
        let mut builder = tld::EventBuilder::new();
        builder.reset("every", tld::Level::Verbose, 1, 0x0abc_def1);
        builder
            .add_i8("i8", -8, O::Default, 0)
            .add_u8("u8", 8, O::Default, 0)
            .add_u8("u8hex", 0xab, O::Hex, 0)
            .add_i16("i16", -16, O::Default, 0)
            .add_u16("u16", 16, O::Default, 0)
            .add_u16("port", 0x5000, O::Port, 0)
            .add_i32("i32", -32, O::Default, 0)
            .add_u32("u32", 32, O::Default, 0x0123_4567)
            .add_u32("ipv4", u32::from_le_bytes([192, 0, 2, 1]), O::IPv4, 0)
            .add_i64("i64", -64, O::Default, 0)
            .add_u64("u64", u64::MAX, O::Default, 0)
            .add_isize("isize", -1, O::Default, 0)
            .add_usize("usize", 7, O::Default, 0)
            .add_f32("f32", 1.5, O::Default, 0)
            .add_f64("f64", 0.046, O::Default, 0)
            .add_bool32("bool", 1, O::Default, 0)
            .add_binary("binary", [1_u8, 2, 0xff], O::Default, 0)
            .add_binary(
                "ipv6",
                [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
                O::IPv6,
                0,
            )
            .add_guid(
                "guid",
                &tld::Guid::from_u128(&0xcabe_4808_b99f_5fdb_95a1_c129_4a86_1355),
                O::Default,
                0,
            )
            .add_filetime("filetime", 133_000_000_000_000_000, O::Default, 0)
            .add_systemtime(
                "systemtime",
                &[2026, 12, 0, 6, 11, 50, 46, 5],
                O::Default,
                0,
            )
            .add_sid("sid", [1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0], O::Default, 0)
            .add_hex32("hex32", 0xdead, O::Default, 0)
            .add_hex64("hex64", 0xbeef, O::Default, 0)
            .add_hexsize("hexsize", 0x10, O::Default, 0)
            .add_cstr8("cstr8", "eth0 \"x\"", O::Default, 0)
            .add_cstr16("cstr16", utf16("Ethernet é"), O::Default, 0)
            .add_str8("str8", "counted", O::Default, 0)
            .add_str16("str16", utf16("wide"), O::Default, 0)
            .add_binaryc("binaryc", [9_u8, 8], O::Default, 0)
            .add_u32_sequence("u32s", &[1, 2, 3], O::Default, 0)
            .add_cstr8_sequence("names", ["a", "bc"], O::Default, 0)
            .add_str16_sequence("wides", [utf16("x"), utf16("yz")], O::Default, 0)
            .add_binaryc_sequence("blobs", [&[1_u8][..], &[][..]], O::Default, 0)
            .add_struct("row", 2, 0)
            .add_u8("a", 1, O::Default, 0)
            .add_struct("inner", 1, 0)
            .add_cstr8("b", "in", O::Default, 0)
            .add_u16("after", 2, O::Default, 0);
        let (metadata, payload) = built(&mut builder);
        assert_eq!(
            line(&metadata, &payload, 8),
            "every tags=0xabcdef1 i8=-8 u8=8 u8hex=0xab i16=-16 u16=16 port=80 i32=-32 \
             u32=32#0x1234567 ipv4=192.0.2.1 i64=-64 u64=18446744073709551615 isize=-1 usize=7 \
             f32=1.5 f64=0.046 bool=true binary=0x0102ff ipv6=2001:db8::1 \
             guid={cabe4808-b99f-5fdb-95a1-c1294a861355} filetime=filetime:133000000000000000 \
             systemtime=2026-12-06T11:50:46.005 sid=0x010100000000000512000000 hex32=0xdead \
             hex64=0xbeef hexsize=0x10 cstr8=\"eth0 \\\"x\\\"\" cstr16=\"Ethernet é\" \
             str8=\"counted\" str16=\"wide\" binaryc=0x0908 u32s=[1,2,3] names=[\"a\",\"bc\"] \
             wides=[\"x\",\"yz\"] blobs=[0x01,0x] row[1]{ a=1 inner[1]{ b=\"in\" } } after=2"
        );
    }

    /// The tags a field carries are the crate's 28 bits (it writes all four bytes).
    #[test]
    fn a_field_tag_is_read_whole() {
        let mut builder = tld::EventBuilder::new();
        builder.reset("t", tld::Level::Verbose, 1, 0x0fff_ffff);
        builder.add_u8("x", 1, tld::OutType::Hex, 0x0fff_fffe);
        builder.add_u8("y", 2, tld::OutType::Default, 1);
        let (metadata, payload) = built(&mut builder);
        let event = decode(&metadata, &payload, 8).unwrap();
        assert_eq!(event.tags, 0x0fff_ffff);
        let tags: Vec<u32> = event
            .fields
            .map(|item| match item.unwrap() {
                Item::Field(field) => field.meta.tag,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(tags, [0x0fff_fffe, 1]);
    }

    /// What the crate's builder cannot write: a constant count, a custom field, a pointer of
    /// either size, `NULL`, an array of structs, and an array of none.
    #[test]
    fn constant_arrays_custom_fields_pointers_and_struct_arrays() {
        let mut metadata = Vec::from(*b"\0\0\0e\0");
        metadata.extend(b"c\0\xa8\x00\x03\x00"); // U32 | CONSTANT_COUNT | CHAIN, out-type 0, count 3
        metadata.extend(b"p\0\x10"); // POINTER
        metadata.extend(b"n\0\x00"); // NULL
        metadata.extend(b"k\0\xe4\x04\x02\x00\xaa\xbb"); // U8 | CUSTOM | CHAIN, HEX, info 2 bytes
        metadata.extend(b"s\0\xd8\x02"); // STRUCT | VARIABLE_COUNT | CHAIN, 2 members
        metadata.extend(b"x\0\x04y\0\x02");
        metadata.extend(b"z\0\xd8\x01w\0\x04"); // an array of none: members passed over
        metadata.extend(b"end\0\x04");
        let size = u16::try_from(metadata.len()).unwrap().to_le_bytes();
        metadata[..2].copy_from_slice(&size);
        let mut payload = Vec::new();
        for value in [1_u32, 2, 3] {
            payload.extend(value.to_le_bytes());
        }
        let pointer = |payload: &mut Vec<u8>, size| {
            if size == 4 {
                payload.extend(0x1234_u32.to_le_bytes());
            } else {
                payload.extend(0x1234_5678_9abc_u64.to_le_bytes());
            }
        };
        for size in [4_u8, 8] {
            let mut payload = payload.clone();
            pointer(&mut payload, size);
            payload.extend(b"\x01\x00\x7f"); // the custom field: one byte
            payload.extend(b"\x02\x00\x05a\0\x06bc\0"); // two elements of the struct
            payload.extend(b"\x00\x00"); // none of `z`
            payload.push(9);
            let shown = if size == 4 {
                "0x1234"
            } else {
                "0x123456789abc"
            };
            assert_eq!(
                line(&metadata, &payload, size),
                format!(
                    "e c=[1,2,3] p={shown} n=null k=0x7f s[2]{{ x=5 y=\"a\" x=6 y=\"bc\" }} z[0]{{ }} end=9"
                )
            );
        }
    }

    /// Every schema through the project's own encoder, with no field written: each column
    /// by its name and in-type, each its type's zero, and the payload read to its end. By
    /// in-type only: whatever type a column is written in today, it is read back by it.
    #[test]
    fn every_schema_of_the_project_s_encoder_decodes_to_its_columns() {
        for schema in &SCHEMAS {
            let mut event: Written<1024> = Written::new(schema);
            event.finish();
            let mut payload = event.payload().to_vec();
            // The names' UTF-16 columns come from data descriptors of their own: NULs here.
            for (_, in_type) in schema.columns() {
                if in_type == InType::CStr16 {
                    payload.extend([0, 0]);
                }
            }
            let decoded = decode(schema.metadata, &payload, 8).unwrap();
            assert_eq!(decoded.name, schema.name);
            assert_eq!(decoded.tags, 0);
            let fields: Vec<(String, u8)> = decoded
                .fields
                .map(|item| match item {
                    // The in-type byte's type and flag bits (the zones' array flag).
                    Ok(Item::Field(field)) => (
                        field.meta.name.to_string(),
                        field.meta.in_type | field.meta.flags,
                    ),
                    other => panic!("{}: {other:?}", schema.name),
                })
                .collect();
            let columns: Vec<(String, u8)> = schema
                .columns()
                .map(|(name, in_type)| (name.to_string(), in_type.as_int()))
                .collect();
            assert_eq!(fields, columns, "{}", schema.name);
        }
    }

    /// Values the project's encoder writes come back as written, by in-type.
    #[test]
    fn the_project_s_values_come_back() {
        let schema = crate::output::trace::schema("settings").unwrap();
        let mut event: Written<1024> = Written::new(schema);
        event.fields().u64("seq", 42);
        event.fields().bool32("printed", true);
        event.finish();
        let decoded = decode(schema.metadata, event.payload(), 8).unwrap();
        let mut values = decoded.fields.map(|item| match item.unwrap() {
            Item::Field(field) => (field.meta.name, field.value),
            other => panic!("{other:?}"),
        });
        assert_eq!(values.next(), Some(("seq", Value::U64(42))));
        assert_eq!(values.next(), Some(("printed", Value::Bool32(1))));
    }

    #[test]
    fn a_short_payload_names_the_field_and_the_offset() {
        let metadata = b"\x0c\x00\x00e\0a\0\x08bb\0\x0a";
        assert_eq!(
            line(metadata, b"\x01\x00\x00\x00\x02", 8),
            "e a=1 error: truncated in field \"bb\" at payload byte 5"
        );
        assert_eq!(
            line(metadata, &[0; 13], 8),
            "e a=0 bb=0 error: payload left after the last field at payload byte 12"
        );
        assert_eq!(
            line(b"\x08\x00\x00e\0a\0\x1f", &[], 8),
            "e error: unknown in-type 31 in field \"a\" at metadata byte 7"
        );
        assert_eq!(
            line(b"\x09\x00\x00e\0s\0\x98\x02", &[], 8),
            "e s[1]{ error: struct members missing in the event header at metadata byte 9"
        );
        assert_eq!(
            line(b"\x20\x00\x00e", &[], 8),
            "error: size out of bounds in the event header at metadata byte 0"
        );
        assert_eq!(
            line(b"\x04\x00\x00e", &[], 8),
            "error: name without NUL in the event header at metadata byte 3"
        );
    }

    #[test]
    fn structs_nest_no_deeper_than_the_stack() {
        let mut metadata = Vec::from(*b"\0\0\0e\0");
        for _ in 0..=MAX_DEPTH {
            metadata.extend(b"s\0\x98\x01");
        }
        metadata.extend(b"x\0\x04");
        let size = u16::try_from(metadata.len()).unwrap().to_le_bytes();
        metadata[..2].copy_from_slice(&size);
        let text = line(&metadata, &[1], 8);
        assert!(
            text.ends_with("error: structs nested too deep in field \"s\" at metadata byte 37"),
            "{text}"
        );
    }

    /// Arrays of structs that take no payload cannot make the walk run away.
    #[test]
    fn the_items_are_bounded() {
        let mut metadata = Vec::from(*b"\0\0\0e\0");
        for _ in 0..3 {
            metadata.extend(b"s\0\xb8\x01\xff\xff"); // STRUCT | CONSTANT_COUNT, 65535 elements
        }
        metadata.extend(b"n\0\x00");
        let size = u16::try_from(metadata.len()).unwrap().to_le_bytes();
        metadata[..2].copy_from_slice(&size);
        let event = decode(&metadata, &[], 8).unwrap();
        let items: Vec<_> = event.fields.collect();
        assert_eq!(items.len(), usize::try_from(MAX_ITEMS).unwrap() + 1);
        assert_eq!(items.last().unwrap().unwrap_err().problem, Problem::TooMany);
    }

    /// Struct arrays re-read their members' descriptions: bounded by [`MAX_WORK`] bytes, not
    /// only by items (long names, members that take no payload).
    #[test]
    fn the_metadata_read_is_bounded() {
        let mut metadata = Vec::from(*b"\0\0\0e\0s\0\xb8\x64\xff\xff"); // 65535 elements, 100 members
        for _ in 0..100 {
            metadata.extend([b'x'; 60]);
            metadata.extend(b"\0\x24\x00\x00"); // U8 | CONSTANT_COUNT, no element
        }
        let size = u16::try_from(metadata.len()).unwrap().to_le_bytes();
        metadata[..2].copy_from_slice(&size);
        let event = decode(&metadata, &[], 8).unwrap();
        let items: Vec<_> = event.fields.collect();
        let error = items.last().unwrap().unwrap_err();
        assert_eq!(error.problem, Problem::TooMany);
        assert!(items.len() < 70_000, "{}", items.len());
    }

    /// An array of elements of no size would be work without bytes (the fuzz target's slow
    /// input: 65,280 `NULL`s in each of 25,895 struct elements).
    #[test]
    fn an_array_of_nulls_is_refused() {
        assert_eq!(
            line(b"\x08\x00\x00e\0n\0\x40", b"\x02\x00", 8),
            "e error: array of elements of no size in field \"n\" at payload byte 2"
        );
        assert_eq!(line(b"\x08\x00\x00e\0n\0\x40", b"\x00\x00", 8), "e n=[]");
        let slow = include_bytes!(
            "../../../../fuzz/regressions/tl_decode/slow-unit-null-array-in-struct-array"
        );
        let started = std::time::Instant::now();
        check_bytes(slow);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn the_provider_traits_are_the_name_and_each_trait() {
        let traits = ProviderTraits::read(&crate::output::trace::PROVIDER_TRAITS).unwrap();
        assert_eq!(traits.name, "netnotify");
        assert_eq!(traits.iter().count(), 0);
        let with_group = b"\x17\x00p\0\x13\x00\x01\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10";
        let traits = ProviderTraits::read(with_group).unwrap();
        assert_eq!(traits.name, "p");
        let all: Vec<_> = traits.iter().collect();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].0, 1);
        assert_eq!(all[0].1.len(), 16);
    }

    proptest! {
        /// Arbitrary bytes never panic, and the walk ends.
        #[test]
        fn arbitrary_bytes_never_panic(metadata in proptest::collection::vec(any::<u8>(), 0..96),
                                       payload in proptest::collection::vec(any::<u8>(), 0..96),
                                       pointer_size in any::<u8>()) {
            if let Ok(event) = decode(&metadata, &payload, pointer_size) {
                for item in event.fields {
                    if let Ok(Item::Field(field)) = item {
                        let _ = format!("{}", field.value.shown(field.meta.out_type));
                    }
                }
            }
            let _ = ProviderTraits::read(&metadata).map(|traits| traits.iter().count());
        }

        /// A real schema's metadata with an arbitrary payload: never a panic.
        #[test]
        fn a_schema_with_arbitrary_payload_never_panics(index in 0..SCHEMAS.len(),
                                                        payload in proptest::collection::vec(any::<u8>(), 0..256)) {
            let schema = &SCHEMAS[index];
            let event = decode(schema.metadata, &payload, 8).unwrap();
            prop_assert_eq!(event.name, schema.name);
            for item in event.fields {
                if let Ok(Item::Field(field)) = item {
                    let _ = format!("{}", field.value.shown(field.meta.out_type));
                }
            }
        }
    }
}
