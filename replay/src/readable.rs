//! Rows in the lines' own words.
//!
//! A scenario's `"row"` may be a JSON object whose keys are the field names the driver prints
//! (docs/lines.md), with values as it prints them, so that what a person reads in a line is
//! what they write in a scenario. Fields left out are zero (the row's zero bytes), except the
//! ones docs/replay.md names. The parser walks the core's field tables
//! ([`netnotify_core::model::fields`]): each field's name, its x64 offset(s) and its kind, which says
//! how its value is written, so the rows and the lines cannot drift apart.

use std::net::{Ipv4Addr, Ipv6Addr};

use netnotify_core::boundary::ffi::{
    AF_INET, AF_INET6, MibIpForwardRow2, MibIpInterfaceRow, MibUnicastIpAddressRow, SockaddrInet,
};
use netnotify_core::model::decode::{Lifetime, Luid, Timestamp};
use netnotify_core::model::fields::{self, Field, Kind, Width};
use serde_json::{Map, Value};

use crate::wording::{alternatives, shown, wrong};

/// `0xFFFFFFFF`: an unset MTU or metric.
const ALL_ONES: u32 = u32::MAX;

/// The fields of one readable row, taken one by one; any left over is an error.
struct Row {
    kind: &'static str,
    fields: Map<String, Value>,
}

/// `a route`, `an interface`: the kind with its article.
fn article(kind: &str) -> String {
    let vowel = kind.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {kind}", if vowel { "an" } else { "a" })
}

impl Row {
    fn take(&mut self, name: &str) -> Option<Value> {
        self.fields.remove(name)
    }

    fn finish(self, known: &[&str]) -> Result<(), String> {
        // The first left over by name, as the message always named it: the map keeps the
        // scenario's order, and `remove` reorders it.
        self.fields.keys().min().map_or(Ok(()), |name| {
            Err(format!(
                "{} row has no field \"{name}\"; its fields are {}",
                article(self.kind),
                alternatives(known).replace(" or ", " and ")
            ))
        })
    }

    /// A field that must be given.
    fn required<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&Value) -> Option<T>,
        expected: &str,
    ) -> Result<T, String> {
        let value = self
            .take(name)
            .ok_or_else(|| format!("{} row needs \"{name}\": {expected}", article(self.kind)))?;
        parse(&value).ok_or_else(|| wrong(name, &value, expected))
    }
}

/// `created`: UTC ISO 8601 as the driver prints it (`2024-11-30T03:59:59Z`, with an optional
/// fraction of up to seven digits), back to 100-ns units since 1601 ([`Timestamp::parse`]); or
/// the raw value.
fn timestamp(value: &Value) -> Option<i64> {
    if let Some(raw) = value.as_i64() {
        return Some(raw);
    }
    Timestamp::parse(value.as_str()?).map(|timestamp| timestamp.0)
}

/// A whole number, or a string of digits followed by `unit`.
fn number(value: &Value, unit: &str) -> Option<u32> {
    match value {
        Value::Number(number) => number.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(text) if !unit.is_empty() => text.strip_suffix(unit)?.parse().ok(),
        _ => None,
    }
}

fn yes_no(value: &Value) -> Option<u8> {
    match value {
        Value::String(text) if text == "yes" => Some(1),
        Value::String(text) if text == "no" => Some(0),
        Value::Bool(flag) => Some(u8::from(*flag)),
        _ => None,
    }
}

/// A LUID as lines print it (`ieee80211:2`, `71:2`, [`Luid::parse`]), or its raw 64-bit value.
#[must_use]
pub fn parse_luid(value: &Value) -> Option<u64> {
    if let Some(raw) = value.as_u64() {
        return Some(raw);
    }
    Luid::parse(value.as_str()?).map(|luid| luid.0)
}

/// An address as the lines print it, with an optional `/<length>`: `192.168.1.23/24`,
/// `fe80::1%12/64`.
pub(crate) fn address(text: &str) -> Option<(SockaddrInet, Option<u8>)> {
    let (address, length) = match text.split_once('/') {
        Some((address, length)) => (address, Some(length.parse().ok()?)),
        None => (text, None),
    };
    let mut bytes = [0_u8; 28];
    if let Ok(v4) = address.parse::<Ipv4Addr>() {
        bytes[..2].copy_from_slice(&AF_INET.to_le_bytes());
        bytes[4..8].copy_from_slice(&v4.octets());
    } else {
        let (v6, scope) = match address.split_once('%') {
            Some((v6, scope)) => (v6, scope.parse::<u32>().ok()?),
            None => (address, 0),
        };
        let v6: Ipv6Addr = v6.parse().ok()?;
        bytes[..2].copy_from_slice(&AF_INET6.to_le_bytes());
        bytes[8..24].copy_from_slice(&v6.octets());
        bytes[24..28].copy_from_slice(&scope.to_le_bytes());
    }
    Some((SockaddrInet { bytes }, length))
}

const ADDRESS_EXPECTED: &str = "an address as the lines print it, such as \"192.168.1.23/24\" \
                                or \"fe80::1%12/64\"";

/// Writes `bytes` at `offset` of `row`.
fn put(row: &mut [u8], offset: u16, bytes: &[u8]) {
    let offset = usize::from(offset);
    if let Some(target) = row.get_mut(offset..offset + bytes.len()) {
        target.copy_from_slice(bytes);
    }
}

/// What a field of `kind` takes, for the messages.
fn expected(field: &Field) -> String {
    match field.kind {
        Kind::Family => "\"ipv4\" or \"ipv6\"".to_owned(),
        Kind::Number(_) => "a whole number".to_owned(),
        Kind::Luid => "\"<ifType>:<index>\" such as \"ieee80211:2\", or a number".to_owned(),
        Kind::Flag => "\"yes\" or \"no\"".to_owned(),
        Kind::Unset => "a whole number or \"unset\"".to_owned(),
        Kind::Millis => "a whole number, optionally followed by ms".to_owned(),
        Kind::Seconds => "a whole number, optionally followed by s".to_owned(),
        Kind::Lifetime => "seconds (\"86400s\" or a number) or \"infinite\"".to_owned(),
        Kind::Enum(names) => {
            let listed: Vec<&str> = names.iter().map(|(_, text)| *text).collect();
            format!(
                "{} or a number",
                alternatives(&listed).replace(" or ", ", ")
            )
        }
        Kind::Prefix { .. } if field.name == "destination" => {
            "a prefix as the lines print it, such as \"192.168.1.0/24\" or \"::/0\"".to_owned()
        }
        Kind::Prefix { .. } => ADDRESS_EXPECTED.to_owned(),
        Kind::Address => {
            "the next hop's address, such as \"192.168.1.1\" (leave it out for on-link)".to_owned()
        }
        Kind::MillisRange { .. } => "\"<min>-<max>ms\" such as \"200000-600000ms\"".to_owned(),
        Kind::Offload { .. } => "\"0x<transmit>/0x<receive>\" such as \"0x3F/0x1F\"".to_owned(),
        Kind::Zones => {
            "\"<scope level 0-15>:<zone>\" entries joined by commas, or \"none\"".to_owned()
        }
        Kind::Flags(_) => "the names of the flags that are set, joined by commas".to_owned(),
        Kind::Timestamp => {
            "a UTC time as lines print it (\"2024-11-30T03:59:59Z\"), or the raw 64-bit value"
                .to_owned()
        }
        Kind::Text | Kind::Count | Kind::Word | Kind::Names => "text".to_owned(),
    }
}

/// The u32 a numeric field's value gives: a number, or as printed (`86400s`, `30000ms`,
/// `infinite`, `unset`).
fn unsigned(kind: Kind, value: &Value) -> Option<u32> {
    match kind {
        Kind::Unset => match value.as_str() {
            Some("unset") => Some(ALL_ONES),
            _ => number(value, ""),
        },
        Kind::Millis => number(value, "ms"),
        Kind::Seconds => number(value, "s"),
        Kind::Lifetime => match value {
            Value::String(text) => Lifetime::parse(text).map(|lifetime| lifetime.0),
            _ => number(value, ""),
        },
        _ => number(value, ""),
    }
}

/// Parses one field's value and writes it into `row` at the field's offset(s).
fn field(row: &mut [u8], field: &Field, value: &Value) -> Result<(), String> {
    let offset = field.offset.unwrap_or(0);
    let bad = || wrong(field.name, value, &expected(field));
    match field.kind {
        Kind::Family => {
            let family = match value.as_str() {
                Some("ipv4") => AF_INET,
                Some("ipv6") => AF_INET6,
                _ => return Err(bad()),
            };
            put(row, offset, &family.to_le_bytes());
        }
        Kind::Number(Width::U32) | Kind::Unset | Kind::Millis | Kind::Seconds | Kind::Lifetime => {
            put(
                row,
                offset,
                &unsigned(field.kind, value).ok_or_else(bad)?.to_le_bytes(),
            );
        }
        Kind::Number(Width::U8) => {
            let number = number(value, "").ok_or_else(bad)?;
            let byte =
                u8::try_from(number).map_err(|_| format!("\"{}\" is more than 255", field.name))?;
            put(row, offset, &[byte]);
        }
        Kind::Luid => put(
            row,
            offset,
            &parse_luid(value).ok_or_else(bad)?.to_le_bytes(),
        ),
        Kind::Flag => put(row, offset, &[yes_no(value).ok_or_else(bad)?]),
        Kind::Enum(names) => {
            let raw = match value {
                Value::String(text) => names
                    .iter()
                    .find(|(_, known)| known == text)
                    .map(|(raw, _)| *raw),
                _ => value.as_i64().and_then(|raw| i32::try_from(raw).ok()),
            };
            put(row, offset, &raw.ok_or_else(bad)?.to_le_bytes());
        }
        Kind::Prefix { length_at } => {
            let (address, length) = value.as_str().and_then(address).ok_or_else(bad)?;
            put(row, offset, &address.bytes);
            put(row, length_at, &[length.unwrap_or(0)]);
        }
        Kind::Address => {
            let (address, _) = value
                .as_str()
                .and_then(address)
                .filter(|(_, length)| length.is_none())
                .ok_or_else(bad)?;
            put(row, offset, &address.bytes);
        }
        Kind::MillisRange { max_at } => {
            let (min, max) = value
                .as_str()
                .and_then(|text| text.strip_suffix("ms")?.split_once('-'))
                .and_then(|(min, max)| Some((min.parse::<u32>().ok()?, max.parse::<u32>().ok()?)))
                .ok_or_else(bad)?;
            put(row, offset, &min.to_le_bytes());
            put(row, max_at, &max.to_le_bytes());
        }
        Kind::Offload { receive_at } => {
            let hex = |text: &str| u8::from_str_radix(text.strip_prefix("0x")?, 16).ok();
            let (tx, rx) = value
                .as_str()
                .and_then(|text| text.split_once('/'))
                .and_then(|(tx, rx)| Some((hex(tx)?, hex(rx)?)))
                .ok_or_else(bad)?;
            put(row, offset, &[tx]);
            put(row, receive_at, &[rx]);
        }
        Kind::Zones => zones(row, field, value)?,
        Kind::Flags(bits) => flags(row, field, bits, value)?,
        Kind::Timestamp => put(
            row,
            offset,
            &timestamp(value).ok_or_else(bad)?.to_le_bytes(),
        ),
        Kind::Text | Kind::Count | Kind::Word | Kind::Names => return Err(bad()),
    }
    Ok(())
}

/// `zones`: `<scope level>:<zone>` entries joined by commas, or `none`.
fn zones(row: &mut [u8], field: &Field, value: &Value) -> Result<(), String> {
    let bad = || wrong(field.name, value, &expected(field));
    let text = value.as_str().ok_or_else(bad)?;
    if text != "none" {
        for zone in text.split(',') {
            let (level, zone) = zone
                .split_once(':')
                .and_then(|(level, zone)| {
                    Some((level.parse::<u16>().ok()?, zone.parse::<u32>().ok()?))
                })
                .filter(|(level, _)| *level < 16)
                .ok_or_else(bad)?;
            put(
                row,
                field.offset.unwrap_or(0) + level * 4,
                &zone.to_le_bytes(),
            );
        }
    }
    Ok(())
}

/// `flags`: the names of the `BOOLEAN`s that are set (`bits`, each at its offset), or `none`.
fn flags(row: &mut [u8], field: &Field, bits: &[Field], value: &Value) -> Result<(), String> {
    let text = value
        .as_str()
        .ok_or_else(|| wrong(field.name, value, &expected(field)))?;
    if text != "none" {
        for flag in text.split(',') {
            let Some(bit) = bits.iter().find(|bit| bit.name == flag) else {
                let names: Vec<&str> = bits.iter().map(|bit| bit.name).collect();
                return Err(format!(
                    "\"{}\" has {}, expected {}: {}",
                    field.name,
                    shown(&Value::String(flag.to_owned())),
                    expected(field),
                    alternatives(&names)
                ));
            };
            put(row, bit.offset.unwrap_or(0), &[1]);
        }
    }
    Ok(())
}

/// A row's bytes from its printed fields, walking the row's table ([`fields`]): the first
/// field is required, every other one left out is zero — but a route's `via`, which is then
/// on-link (the unspecified address of the destination's family).
fn row_bytes(
    kind: &'static str,
    table: &[Field],
    size: usize,
    fields: Map<String, Value>,
) -> Result<Vec<u8>, String> {
    let mut row = Row { kind, fields };
    let mut bytes = vec![0_u8; size];
    for (index, spec) in table.iter().enumerate() {
        let value = if index == 0 {
            Some(row.required(spec.name, |value| Some(value.clone()), &expected(spec))?)
        } else {
            row.take(spec.name)
        };
        match value {
            Some(value) => field(&mut bytes, spec, &value)?,
            None if spec.kind == Kind::Address => {
                // On-link: the family of the row's first key, the address zero.
                let first = usize::from(table.first().and_then(|f| f.offset).unwrap_or(0));
                let family = [bytes[first], bytes[first + 1]];
                put(&mut bytes, spec.offset.unwrap_or(0), &family);
            }
            None => {}
        }
    }
    let names: Vec<&str> = table.iter().map(|spec| spec.name).collect();
    row.finish(&names)?;
    Ok(bytes)
}

/// A `MIB_IPINTERFACE_ROW` from its printed fields.
///
/// # Errors
/// The first field that is missing, unknown, or not a value the lines print.
pub fn interface(fields: Map<String, Value>) -> Result<MibIpInterfaceRow, String> {
    let bytes = row_bytes(
        "interface",
        &fields::INTERFACE_ROW,
        size_of::<MibIpInterfaceRow>(),
        fields,
    )?;
    MibIpInterfaceRow::from_bytes(&bytes).ok_or_else(|| "an interface row's size".to_owned())
}

/// The names of a table's fields.
const fn names<const N: usize>(table: &[Field; N]) -> [&'static str; N] {
    let mut names = [""; N];
    let mut index = 0;
    while index < N {
        names[index] = table[index].name;
        index += 1;
    }
    names
}

/// Every field of a readable interface row, in the lines' order.
pub const INTERFACE_FIELDS: [&str; 19] = names(&fields::INTERFACE_ROW);

/// A `MIB_UNICASTIPADDRESS_ROW` from its printed fields.
///
/// # Errors
/// The first field that is missing, unknown, or not a value the lines print.
pub fn address_row(fields: Map<String, Value>) -> Result<MibUnicastIpAddressRow, String> {
    let bytes = row_bytes(
        "address",
        &fields::ADDRESS_ROW,
        size_of::<MibUnicastIpAddressRow>(),
        fields,
    )?;
    MibUnicastIpAddressRow::from_bytes(&bytes).ok_or_else(|| "an address row's size".to_owned())
}

/// Every field of a readable address row, in the lines' order.
pub const ADDRESS_FIELDS: [&str; 11] = names(&fields::ADDRESS_ROW);

/// A `MIB_IPFORWARD_ROW2` from its printed fields.
///
/// # Errors
/// The first field that is missing, unknown, or not a value the lines print.
pub fn route(fields: Map<String, Value>) -> Result<MibIpForwardRow2, String> {
    let bytes = row_bytes(
        "route",
        &fields::ROUTE_ROW,
        size_of::<MibIpForwardRow2>(),
        fields,
    )?;
    MibIpForwardRow2::from_bytes(&bytes).ok_or_else(|| "a route row's size".to_owned())
}

/// Every field of a readable route row, in the lines' order.
pub const ROUTE_FIELDS: [&str; 15] = names(&fields::ROUTE_ROW);

/// A row of any table (a test's), from its printed fields: the bytes of a row of `size`.
///
/// # Errors
/// As [`interface`].
pub fn row_of(
    kind: &'static str,
    table: &[Field],
    size: usize,
    fields: Map<String, Value>,
) -> Result<Vec<u8>, String> {
    row_bytes(kind, table, size, fields)
}
