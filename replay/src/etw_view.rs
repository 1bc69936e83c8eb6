//! What the driver's ETW events decode to, from `cargo replay --json`'s objects.
//!
//! One record, two renderings (docs/replay.md#etw), by each event name's fixed schema
//! ([`mod@netnotify_core::output::trace::schema`]).

use netnotify_core::output::trace::{InType, schema};
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
/// - Each value in its column's type: a number column's `infinite` or `unset` is
///   4294967295, the all-ones value the row holds; a text column's number (an enum value or
///   change type Windows does not define) is its decimal text.
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
fn view(object: &Map<String, Value>, kind: &str) -> Map<String, Value> {
    let mut view = Map::new();
    view.insert("event".to_owned(), kind.into());
    let Some(schema) = schema(kind) else {
        view.insert("unexpected.kind".to_owned(), kind.into());
        return view;
    };
    let mut used: Vec<String> = vec!["kind".to_owned(), "row".to_owned()];
    let mut present: Option<(String, usize)> = None;
    let mut bits = 0_u64;
    for (at, (key, in_type)) in schema.columns().enumerate() {
        let key = key.to_owned();
        // `interface.initial`: `initial` of the object's `interface`.
        let found = if let Some((outer, inner)) = key.split_once('.') {
            used.push(outer.to_owned());
            object
                .get(outer)
                .and_then(Value::as_object)
                .and_then(|object| object.get(inner))
        } else {
            used.push(key.clone());
            object.get(&key)
        };
        let value = match key.as_str() {
            "printed" => found.cloned().unwrap_or(Value::Bool(true)),
            "present" => {
                present = Some((key.clone(), at));
                0.into()
            }
            _ => found.filter(|value| !value.is_null()).map_or_else(
                || zero(in_type),
                |value| {
                    if let Some((_, from)) = &present {
                        bits |= 1 << (at - from - 1);
                    }
                    typed(in_type, value)
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

/// `value` in a column of `in_type`.
fn typed(in_type: InType, value: &Value) -> Value {
    match (in_type, value) {
        (InType::U32, Value::String(word)) if word == "infinite" || word == "unset" => {
            u32::MAX.into()
        }
        (InType::CStr8, Value::Number(number)) => number.to_string().into(),
        _ => value.clone(),
    }
}

/// A column's zero: what an event holds for a value its record lacks.
fn zero(in_type: InType) -> Value {
    match in_type {
        InType::CStr8 | InType::CStr16 => "".into(),
        InType::Bool32 => false.into(),
        InType::F64 => 0.0.into(),
        _ => 0.into(),
    }
}
