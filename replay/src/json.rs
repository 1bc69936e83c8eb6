//! `cargo replay --json`: every event as one JSON object per line, the same field names as
//! the lines (docs/replay.md, "JSON").
//!
//! Events come from the simulator's event records ([`netnotify_core::record`]), written
//! through the core's field tables ([`netnotify_core::fields::Visit`]): every event, also
//! those whose line storm control left out. The driver's own lines (`settings`, `loaded`,
//! `unloaded`, `storm:`, errors and warnings) are never left out, so each is its record: it
//! is read back into an object with the same tables.

use std::collections::BTreeMap;

use netnotify_core::decode::Change;
use netnotify_core::fields::{self, Field, FieldValue, Kind, Value as FieldValueKind, Visit};
use netnotify_core::line::{Out, Put};
use netnotify_core::record::{Record, RowDetail};
use netnotify_core::render::{Detail, Note};
use netnotify_core::settings::SETTINGS;
use serde_json::{Map, Value};

/// An object whose keys keep the order they were written in (the lines' order):
/// `serde_json`'s map with its `preserve_order` feature, written by `serde_json`.
#[derive(Default, Debug, Clone, PartialEq, Eq)]
pub struct Object(Map<String, Value>);

impl Object {
    /// Adds a key (a key added again keeps its place and takes the new value).
    pub fn push(&mut self, key: &str, value: impl Into<Value>) {
        self.0.insert(key.to_owned(), value.into());
    }

    /// Adds a key whose value is an object.
    pub fn push_object(&mut self, key: &str, object: Self) {
        self.push(key, Value::Object(object.0));
    }

    /// Inserts a key at `index` (at the end if beyond it).
    fn insert(&mut self, index: usize, key: &str, value: Value) {
        let index = index.min(self.0.len());
        self.0.shift_insert(index, key.to_owned(), value);
    }

    /// The object as one line of JSON.
    #[must_use]
    pub fn to_json(&self) -> String {
        // `serde_json`'s compact writer, the one `Value`'s `Display` is and every value was
        // always written with: the same escapes and numbers, no spaces. A map of string keys
        // and values always serializes, so the default is never taken.
        serde_json::to_string(&self.0).unwrap_or_default()
    }

    /// As a `serde_json` map.
    #[must_use]
    pub fn to_map(&self) -> Map<String, Value> {
        self.0.clone()
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }
}

/// Text a [`Put`] value writes.
struct Text(String);

impl Out for Text {
    fn put_str(&mut self, text: &str) {
        self.0.push_str(text);
    }
}

/// A value's printed form.
pub fn printed(value: &(impl Put + ?Sized)) -> String {
    let mut text = Text(String::new());
    value.put(&mut text);
    text.0
}

/// The JSON of one field's value: numbers as numbers, words as the lines print them,
/// `BOOLEAN`s as `true`/`false`, what is unknown (or an on-link next hop) as `null`, anything
/// else as its printed text.
pub fn value<T: FieldValue + ?Sized>(value: &T) -> Value {
    match value.value() {
        FieldValueKind::Number(number) => number.into(),
        FieldValueKind::Signed(number) => number.into(),
        FieldValueKind::Word(word) => word.into(),
        FieldValueKind::Bool(flag) => flag.into(),
        FieldValueKind::Text(text) => text.into(),
        FieldValueKind::Unknown => Value::Null,
        FieldValueKind::Address(address) => printed(&address).into(),
        FieldValueKind::Prefix(prefix) => printed(&prefix).into(),
        FieldValueKind::Printed => printed(value).into(),
    }
}

/// The [`Visit`] that writes each field into an object.
impl Visit for Object {
    fn field<T: FieldValue + ?Sized>(&mut self, field: &Field, field_value: &T) {
        self.push(field.name, value(field_value));
    }
}

/// Per-kind sequence numbers, from 1.
#[derive(Default, Debug)]
pub struct Sequence(BTreeMap<String, u64>);

impl Sequence {
    fn next(&mut self, kind: &str) -> u64 {
        let seq = self.0.entry(kind.to_owned()).or_insert(0);
        *seq += 1;
        *seq
    }
}

/// `change`: the lines' word, or the number of a type Windows does not define.
fn change(change: Change) -> Value {
    match change {
        Change::Other(raw) => raw.into(),
        known => known.name().into(),
    }
}

/// The note a key-only line ends with, without its parentheses.
fn note(note: Note) -> Option<String> {
    let text = printed(&note);
    let text = text.trim_start().strip_prefix('(')?.strip_suffix(')')?;
    Some(text.to_owned())
}

/// The object of an event record.
#[must_use]
pub fn event(record: &Record, sequence: &mut Sequence) -> Object {
    let kind = record.notification().name();
    let mut object = Object::default();
    object.push("kind", kind);
    match record {
        Record::Change {
            change: what,
            detail,
            printed,
            ..
        } => {
            object.push("change", change(*what));
            object.push("seq", sequence.next(kind));
            object.push("printed", *printed);
            let (no_row, keys_note) = match detail {
                RowDetail::Interface(detail) => detail_note(detail),
                RowDetail::Address(detail) => detail_note(detail),
                RowDetail::Route(detail) => detail_note(detail),
            };
            if no_row {
                object.push("row", Value::Null);
            }
            if let Some(text) = keys_note.and_then(note) {
                object.push("note", text);
            }
        }
        Record::StableTable { .. } | Record::StableEntry { .. } => {
            object.push("seq", sequence.next(kind));
        }
    }
    record.visit(&mut object);
    object
}

/// Counts an event record's sequence number without writing its object.
pub fn event_skipped(record: &Record, sequence: &mut Sequence) {
    sequence.next(record.notification().name());
}

/// Whether a detail has no row, and its note.
const fn detail_note<K, F>(detail: &Detail<K, F>) -> (bool, Option<Note>) {
    match detail {
        Detail::NoRow => (true, None),
        Detail::Keys(_, Note::None) | Detail::Full(_) => (false, None),
        Detail::Keys(_, note) => (false, Some(*note)),
    }
}

/// Whether a printed line is an event's (its record says more) rather than the driver's own.
#[must_use]
pub fn is_event_line(line: &str) -> bool {
    let Some(rest) = line.strip_prefix(netnotify_core::render::PREFIX) else {
        return false;
    };
    ["interface ", "address ", "route ", "stable-table "]
        .iter()
        .any(|kind| rest.starts_with(kind))
}

/// A value of the driver's own lines as JSON, by the field's kind.
fn typed(kind: Kind, text: &str) -> Value {
    match kind {
        // `none`: a count with nothing to count yet (`min-stack=none`).
        Kind::Count if text == "none" => Value::Null,
        Kind::Count | Kind::Number(_) => text
            .parse::<u64>()
            .map_or_else(|_| text.into(), Value::from),
        Kind::Flag => match text {
            "yes" => true.into(),
            "no" => false.into(),
            other => other.into(),
        },
        _ => text.into(),
    }
}

/// `key=value` pairs read by `table` into `object`; a pair the table does not name is kept
/// as text.
fn pairs(object: &mut Object, text: &str, table: &[Field]) {
    for pair in text.split(' ').filter(|pair| !pair.is_empty()) {
        let Some((key, raw)) = pair.split_once('=') else {
            continue;
        };
        let kind = table
            .iter()
            .find(|field| field.name == key)
            .map_or(Kind::Word, |field| field.kind);
        object.push(key, typed(kind, raw));
    }
}

/// The object of one of the driver's own lines.
#[must_use]
pub fn driver_line(line: &str, sequence: &mut Sequence) -> Object {
    let text = line
        .strip_prefix(netnotify_core::render::PREFIX)
        .unwrap_or(line);
    let mut object = Object::default();
    let (kind, rest) = text.split_once(' ').unwrap_or((text, ""));
    let kind = kind.trim_end_matches(':');
    object.push("kind", kind);
    object.push("seq", sequence.next(kind));
    match kind {
        "settings" => {
            let numbers: Vec<Field> = SETTINGS
                .iter()
                .map(|setting| Field {
                    name: setting.name,
                    label: "",
                    c: "",
                    offset: None,
                    kind: Kind::Count,
                    about: "",
                })
                .collect();
            pairs(&mut object, rest, &numbers);
        }
        "loaded" => {
            let (rest, no_table) = match rest.split_once(" (no table)") {
                Some((before, after)) => (format!("{before}{after}"), true),
                None => (rest.to_owned(), false),
            };
            pairs(&mut object, &rest, &fields::LOADED);
            if no_table {
                // `entries` goes after `stable-table`, as the line has it.
                let at = object
                    .keys()
                    .position(|key| key == "stable-table")
                    .map_or(usize::MAX, |at| at + 1);
                object.insert(at, fields::driver::ENTRIES.name, Value::Null);
            }
        }
        "unloaded" => {
            let mut rest = rest;
            while let Some((group, after)) = rest.split_once(')') {
                let Some((name, counts)) = group.trim_start().split_once('(') else {
                    break;
                };
                let mut inner = Object::default();
                let table: &[Field] = if name == "stable-table" {
                    &fields::STABLE_COUNTS
                } else {
                    &fields::CHANGE_COUNTS
                };
                pairs(&mut inner, counts, table);
                object.push_object(name, inner);
                rest = after;
            }
            pairs(&mut object, rest, &fields::UNLOADED);
            // The line has `etw-dropped` only when not 0; the event (so the object) always, in
            // the field table's place: before the stack guard's counters.
            let dropped = fields::driver::ETW_DROPPED.name;
            if !object.keys().any(|key| key == dropped) {
                let stack = [
                    fields::driver::LOW_STACK.name,
                    fields::driver::MIN_STACK.name,
                ];
                let at = object
                    .keys()
                    .position(|key| stack.contains(&key))
                    .unwrap_or(usize::MAX);
                object.insert(at, dropped, Value::from(0_u64));
            }
        }
        "storm" => {
            // `storm: route lines not printed: initial=0 … over 0.046s`
            let (notification, counts) = rest
                .split_once(" lines not printed: ")
                .unwrap_or((rest, ""));
            object.push(fields::driver::STORM_KIND.name, notification);
            let (counts, over) = counts.split_once(" over ").unwrap_or((counts, ""));
            pairs(&mut object, counts, &fields::CHANGE_COUNTS);
            // Seconds, a JSON number: `over 0.046s` is 0.046.
            let seconds = over
                .strip_suffix('s')
                .and_then(|seconds| seconds.parse::<f64>().ok())
                .map_or_else(|| Value::from(over), Value::from);
            object.push(fields::driver::OVER.name, seconds);
        }
        _ => object.push(fields::driver::MESSAGE.name, rest),
    }
    object
}

pub use crate::etw_view::etw_view;

/// The `decode_rows` fuzz check (`fuzz/` and its regression tests): any bytes as a row.
///
/// The first byte picks a record of the row kinds the rest decodes to, which is rendered as
/// its line ([`netnotify_core::sim::checks::render_row`]) and as its JSON object of
/// `cargo replay --json`. The object is valid JSON, keeps its keys unique, and names the
/// record's kind.
///
/// # Panics
/// If the line breaks the output discipline or the object is not that JSON.
pub fn check_row_bytes(data: &[u8]) {
    let record = netnotify_core::sim::checks::render_row(data);
    let object = event(&record, &mut Sequence::default());
    let text = object.to_json();
    let parsed: Map<String, Value> =
        serde_json::from_str(&text).unwrap_or_else(|error| panic!("{error}: {text}"));
    assert_eq!(parsed.len(), object.0.len(), "a key twice: {text}");
    assert_eq!(
        parsed.get("kind").and_then(Value::as_str),
        Some(record.notification().name()),
        "{text}"
    );
}
