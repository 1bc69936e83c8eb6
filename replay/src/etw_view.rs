//! What the driver's ETW events decode to, from `cargo replay --json`'s objects.
//!
//! One record, two renderings (docs/replay.md#etw), by each event name's fixed schema
//! ([`mod@netnotify_core::output::trace::schema`]).

use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

use netnotify_core::model::decode::{Luid, Timestamp};
use netnotify_core::model::fields::interface::FLAG_BITS;
use netnotify_core::output::trace::schema::{LENGTH, ZONES};
use netnotify_core::output::trace::{InType, OutType, schema};
use serde_json::{Map, Value};

/// What the driver's ETW events decode to, from `--json`'s objects (docs/replay.md#etw).
///
/// One record, two renderings. `objects` are `--json`'s objects in order; `registered` says
/// whether the provider registered (`loaded` … `etw=` not `off`).
///
/// - The objects before `settings` have no event: they were printed before `EtwRegister`
///   (the settings' warnings, a failed `IoCreateDevice`). With no provider, none has.
/// - The warning that setting the provider's traits failed has no event either: the driver
///   prints it before it publishes the handle, so that no event is written untyped.
/// - `kind` is the event's name (`event` in a decoded event).
/// - Every event has every column of its name's schema, in the schema's order: a key the
///   object lacks or has as `null` is the column's zero (0, `false`, empty text) with its bit
///   clear in `present` (bit `n`: the `n`-th column after `present`); `note` is empty when
///   the object has none; `row: null` (no row) is `present` 0.
/// - Each value in its column's type (schema 2): a number column's `infinite` or `unset` is
///   4294967295, the all-ones value the row holds; a text column's number (an enum value or
///   change type Windows does not define) is its decimal text; a LUID is its `u64` in hex
///   (`0x0047000002000000`), the interface's flags their bits in hex (`0x00001c81`), a time
///   stamp its `FILETIME` count, the zones their sixteen
///   numbers, an address the `SOCKADDR_INET` the decoders show ([`address`]) and a prefix's
///   length (`destination-length`) the number after its address's `/`.
/// - Every event's `seq` is its object's: the record's number among its kind's, which the
///   driver gives its event too (those before `settings` are numbered, without an event);
///   `printed` is `true` where the object has none (the driver's own lines are never left
///   out).
/// - A nested object (the `unloaded` counts) is its fields named `outer.inner`: etl-parser
///   decodes no `TraceLogging` struct.
/// - A key of the object that its schema has no column for is kept as `unexpected.<key>`,
///   so that no value goes unchecked.
#[must_use]
pub fn etw_view(objects: &[Value], registered: bool) -> Vec<Value> {
    if !registered {
        return Vec::new();
    }
    let Some(first) = objects
        .iter()
        .position(|object| object.get("kind").and_then(Value::as_str) == Some("settings"))
    else {
        return Vec::new();
    };
    objects
        .iter()
        .skip(first)
        .filter_map(Value::as_object)
        .filter(|object| {
            object.get("kind").and_then(Value::as_str) != Some("warning")
                || !object
                    .get("message")
                    .and_then(Value::as_str)
                    .is_some_and(|message| message.starts_with("EtwSetInformation("))
        })
        .map(|object| {
            let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
            Value::Object(view(object, kind))
        })
        .collect()
}

/// The event of one object.
pub(crate) fn view(object: &Map<String, Value>, kind: &str) -> Map<String, Value> {
    let mut view = Map::new();
    view.insert("event".to_owned(), kind.into());
    let Some(schema) = schema(kind) else {
        view.insert("unexpected.kind".to_owned(), kind.into());
        return view;
    };
    let mut used: Vec<String> = vec!["kind".to_owned(), "row".to_owned()];
    let mut present: Option<(String, usize)> = None;
    let mut bits = 0_u64;
    for (at, (key, in_type, out_type)) in schema.typed_columns().enumerate() {
        let key = key.to_owned();
        // `destination-length`: the length in the object's `destination`.
        let length = key
            .strip_suffix(LENGTH)
            .filter(|_| in_type == InType::U8)
            .and_then(|stem| object.get(stem))
            .and_then(Value::as_str)
            .and_then(prefix_length);
        // `interface.initial`: `initial` of the object's `interface`.
        let nested = || {
            if let Some((outer, inner)) = key.split_once('.') {
                used.push(outer.to_owned());
                object
                    .get(outer)
                    .and_then(Value::as_object)
                    .and_then(|object| object.get(inner))
            } else {
                used.push(key.clone());
                object.get(&key)
            }
        };
        let found = length.as_ref().map_or_else(nested, Some);
        let value = match key.as_str() {
            "printed" => found.cloned().unwrap_or(Value::Bool(true)),
            "present" => {
                present = Some((key.clone(), at));
                0.into()
            }
            _ => found.filter(|value| !value.is_null()).map_or_else(
                || zero(in_type, out_type),
                |value| {
                    if let Some((_, from)) = &present {
                        bits |= 1 << (at - from - 1);
                    }
                    typed(in_type, out_type, value)
                },
            ),
        };
        view.insert(key, value);
    }
    if let Some((key, _)) = present {
        view.insert(key, bits.into());
    }
    for (key, value) in object {
        if !used.contains(key) {
            view.insert(format!("unexpected.{key}"), value.clone());
        }
    }
    view
}

/// `value` in a column of `in_type` and `out_type`; the JSON's own text where it is not
/// what the event can hold (so that the comparison shows it).
fn typed(in_type: InType, out_type: OutType, value: &Value) -> Value {
    match (in_type, value) {
        (InType::U32, Value::String(word)) if word == "infinite" || word == "unset" => {
            u32::MAX.into()
        }
        (InType::CStr8, Value::Number(number)) => number.to_string().into(),
        (InType::U32, Value::String(text)) if out_type == OutType::Hex => {
            flags(text).map_or_else(|| value.clone(), |bits| format!("{bits:#010x}").into())
        }
        (InType::U64, Value::String(text)) if out_type == OutType::Hex => {
            Luid::parse(text).map_or_else(|| value.clone(), |luid| hex(luid.0))
        }
        (InType::I64, Value::String(text)) => {
            Timestamp::parse(text).map_or_else(|| value.clone(), |stamp| stamp.0.into())
        }
        (InType::U32Array, Value::String(text)) => zones(text).unwrap_or_else(|| value.clone()),
        (InType::Binary, Value::String(text)) if out_type == OutType::SocketAddress => {
            address(text).map_or_else(|| value.clone(), Value::from)
        }
        _ => value.clone(),
    }
}

/// A column's zero: what an event holds for a value its record lacks.
fn zero(in_type: InType, out_type: OutType) -> Value {
    match in_type {
        InType::CStr8 | InType::CStr16 | InType::Binary => "".into(),
        InType::U64 if out_type == OutType::Hex => hex(0),
        InType::U32 if out_type == OutType::Hex => format!("{:#010x}", 0).into(),
        InType::U32Array => Value::Array(Vec::new()),
        InType::Bool32 => false.into(),
        InType::F64 => 0.0.into(),
        _ => 0.into(),
    }
}

/// A hex column's value as the decoders show it: `0x` and sixteen digits.
fn hex(value: u64) -> Value {
    format!("{value:#018x}").into()
}

/// The flags' line form (`auto-metric,nud`, or `none`) as their bits: bit `n` the `n`-th of
/// the interface's flags.
fn flags(text: &str) -> Option<u32> {
    if text == "none" {
        return Some(0);
    }
    text.split(',').try_fold(0, |bits, name| {
        let at = FLAG_BITS.iter().position(|flag| flag.name == name)?;
        Some(bits | 1 << at)
    })
}

/// The zones' line form (`1:12,2:12,14:1`, or `none`) as their sixteen numbers.
fn zones(text: &str) -> Option<Value> {
    let mut zones = [0_u32; ZONES];
    if text != "none" {
        for pair in text.split(',') {
            let (level, zone) = pair.split_once(':')?;
            *zones.get_mut(level.parse::<usize>().ok()?)? = zone.parse().ok()?;
        }
    }
    Some(zones.iter().copied().map(Value::from).collect())
}

/// The length of a prefix's line form (`10.0.0.0/8`, `…/200(invalid)`).
fn prefix_length(text: &str) -> Option<Value> {
    let (_, length) = text.split_once('/')?;
    let length = length.strip_suffix("(invalid)").unwrap_or(length);
    length.parse::<u8>().ok().map(Value::from)
}

/// An address's line form (with a prefix's `/<length>` or not) as the decoders show it.
///
/// As its `SOCKADDR_INET` (docs/replay.md#etw): IPv4 dotted, IPv6 as its eight groups in hex,
/// none elided, with `%<scope id>` when set, any other family `family(<n>)` as the line has it.
#[must_use]
pub fn address(text: &str) -> Option<String> {
    let text = text.split_once('/').map_or(text, |(address, _)| address);
    if text.starts_with("family(") {
        return Some(text.to_owned());
    }
    if let Ok(ipv4) = text.parse::<Ipv4Addr>() {
        return Some(ipv4.to_string());
    }
    let (ipv6, scope) = text.split_once('%').unwrap_or((text, "0"));
    let ipv6: Ipv6Addr = ipv6.parse().ok()?;
    let scope: u32 = scope.parse().ok()?;
    let mut shown = ipv6
        .segments()
        .iter()
        .map(|group| format!("{group:x}"))
        .collect::<Vec<_>>()
        .join(":");
    if scope != 0 {
        let _ = write!(shown, "%{scope}");
    }
    Some(shown)
}
