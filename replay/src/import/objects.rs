//! `cargo replay --json`'s objects (and the watcher's `--json` output) back into the driver's
//! lines, which the importer then reads as any captured lines.
//!
//! Each object becomes the ETW event the driver writes for its record (its columns by
//! [`crate::etw_view`]'s rules, the bytes by its schema's in-types), which the core reads back
//! into the record by field name and renders as the driver renders it
//! (`netnotify_core::output::trace::read`, `read_lines`): one way from a record's fields to its
//! line, the watcher's. An error's or a warning's object is its line's words. A change
//! object with `printed` false (storm control or the verbosity kept it out) becomes its line
//! marked `[kept out] `, as the watcher prints it, so that the scenario carries the driver's
//! decision (`super::decided`); a rundown's `present` object and `counters` have no line.

use netnotify_core::output::render::{KEPT_OUT, read_lines};
use netnotify_core::output::trace::read::read;
use netnotify_core::output::trace::{InType, OutType, decode, schema};
use serde_json::{Map, Value};

/// Whether `text` is JSON objects: its first line that is not blank begins with `{`, or with
/// a time and `{"kind":` (the watcher's `--json --time`).
pub(super) fn is_objects(text: &str) -> bool {
    text.lines()
        .map(str::trim_start)
        .find(|line| !line.is_empty())
        .is_some_and(|line| line.starts_with('{') || line.contains(" {\"kind\":"))
}

/// The driver's lines of `text`'s objects, in order, each with the number of the object's
/// line (the import's notes and comments name the user's lines); each object that is not
/// one of the driver's records a note naming its line.
pub(super) fn lines(text: &str, notes: &mut Vec<String>) -> Vec<(usize, String)> {
    let mut lines = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let line = index + 1;
        // A time in front (`--json --time`) is not the object's.
        let raw = raw.find('{').map_or(raw, |at| &raw[at..]);
        let Ok(Value::Object(object)) = serde_json::from_str::<Value>(raw) else {
            notes.push(format!("line {line}: not a JSON object: left out"));
            continue;
        };
        match object_lines(&object) {
            Ok(more) => lines.extend(more.into_iter().map(|text| (line, text))),
            Err(why) => notes.push(format!("line {line}: {why}: left out")),
        }
    }
    lines
}

/// The lines one object printed (none if it printed none).
fn object_lines(object: &Map<String, Value>) -> Result<Vec<String>, String> {
    let kind = object
        .get("kind")
        .and_then(Value::as_str)
        .ok_or("an object without a \"kind\"")?;
    let kept_out = object.get("printed") == Some(&Value::Bool(false));
    let change = matches!(kind, "interface" | "address" | "route");
    if (kept_out && !change)
        || object.get("change").and_then(Value::as_str) == Some("present")
        || kind == "counters"
    {
        return Ok(Vec::new());
    }
    if kind == "error" || kind == "warning" {
        let message = object
            .get("message")
            .and_then(Value::as_str)
            .ok_or("an error or warning without a \"message\"")?;
        return Ok(vec![format!("netnotify: {kind}: {message}")]);
    }
    let schema = schema(kind).ok_or_else(|| format!("no record of kind {kind:?}"))?;
    let view = crate::etw_view::view(object, kind);
    if let Some(key) = view.keys().find(|key| key.starts_with("unexpected.")) {
        return Err(format!("a {kind} object has no field {:?}", &key[11..]));
    }
    let mut payload = Vec::new();
    for (column, in_type, out_type) in schema.typed_columns() {
        let value = view.get(column).unwrap_or(&Value::Null);
        encode(&mut payload, in_type, out_type, value)
            .ok_or_else(|| format!("a {kind} object's {column:?} is not what the driver writes"))?;
    }
    let event = decode::decode(schema.metadata, &payload, 8).map_err(|error| error.to_string())?;
    let read = read(event).map_err(|error| error.to_string())?;
    let (first, second) = read_lines(&read);
    let marker = if kept_out { KEPT_OUT } else { "" };
    Ok(first
        .iter()
        .chain(&second)
        .map(|line| format!("{marker}{}", line.as_str()))
        .collect())
}

/// A number, or its hex text (`0x…`, a LUID's or the flags' form).
fn unsigned(value: &Value) -> Option<u64> {
    match value {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => u64::from_str_radix(text.strip_prefix("0x")?, 16).ok(),
        _ => None,
    }
}

/// Appends `value` as a column of `in_type` writes it.
fn encode(payload: &mut Vec<u8>, in_type: InType, out_type: OutType, value: &Value) -> Option<()> {
    match in_type {
        InType::U8 => payload.push(u8::try_from(unsigned(value)?).ok()?),
        InType::U32 => payload.extend(u32::try_from(unsigned(value)?).ok()?.to_le_bytes()),
        InType::U64 => payload.extend(unsigned(value)?.to_le_bytes()),
        InType::I64 => payload.extend(value.as_i64()?.to_le_bytes()),
        InType::Bool32 => payload.extend(u32::from(value.as_bool()?).to_le_bytes()),
        InType::F64 => payload.extend(value.as_f64()?.to_le_bytes()),
        InType::CStr8 => {
            payload.extend(value.as_str()?.as_bytes());
            payload.push(0);
        }
        InType::CStr16 => {
            for unit in value.as_str()?.encode_utf16().chain([0]) {
                payload.extend(unit.to_le_bytes());
            }
        }
        InType::U32Array => {
            let zones = value.as_array()?;
            payload.extend(u16::try_from(zones.len()).ok()?.to_le_bytes());
            for zone in zones {
                payload.extend(u32::try_from(zone.as_u64()?).ok()?.to_le_bytes());
            }
        }
        InType::Binary if out_type == OutType::SocketAddress => {
            let text = value.as_str()?;
            if text.is_empty() {
                payload.extend(0_u16.to_le_bytes());
                return Some(());
            }
            let mut bytes = [0_u8; 28];
            if let Some(family) = text
                .strip_prefix("family(")
                .and_then(|rest| rest.strip_suffix(')'))
            {
                bytes[..2].copy_from_slice(&family.parse::<u16>().ok()?.to_le_bytes());
            } else {
                bytes = crate::readable::address(text)?.0.bytes;
            }
            payload.extend(28_u16.to_le_bytes());
            payload.extend(bytes);
        }
        _ => return None,
    }
    Some(())
}
