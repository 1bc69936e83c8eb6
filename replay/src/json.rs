//! `cargo replay --json`: every event as one JSON object per line, the same field names as
//! the lines (docs/replay.md, "JSON").
//!
//! Every object is a record's ([`netnotify_core::model::record`]) that the simulator kept, written
//! through the core's field tables ([`netnotify_core::model::fields::Visit`]): every event, also
//! those whose line storm control left out, and the driver's own records (`settings`,
//! `loaded`, `unloaded`, `storm`, errors and warnings). No line is read back.

use std::collections::BTreeMap;

use netnotify_core::model::fields::{Field, FieldValue, Value as FieldValueKind, Visit};
use netnotify_core::model::record::Record;
use netnotify_core::output::line::{Out, Put};
use netnotify_core::output::render::visit_header;
use netnotify_core::output::trace::read::{Read, Said};
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

/// The JSON of one field's value.
///
/// Numbers as numbers, words as the lines print them, `BOOLEAN`s as `true`/`false`, what is
/// unknown (or an on-link next hop) as `null`, an interface's name and alias as their Unicode
/// string (the line's ASCII form has `?`), anything else as its printed text.
pub fn value<T: FieldValue + ?Sized>(value: &T) -> Value {
    match value.value() {
        FieldValueKind::Number(number) => number.into(),
        FieldValueKind::Signed(number) => number.into(),
        FieldValueKind::Word(word) => word.into(),
        FieldValueKind::Bool(flag) => flag.into(),
        FieldValueKind::Text(text) => text.into(),
        // A name as NETIO gave it: its Unicode string (a lone surrogate as U+FFFD).
        FieldValueKind::Utf16(units) => String::from_utf16_lossy(
            &units
                .chunks_exact(2)
                .filter_map(|unit| unit.try_into().ok())
                .map(u16::from_le_bytes)
                .collect::<Vec<u16>>(),
        )
        .into(),
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

/// The [`Visit`]or that writes a record's object: each field into the object, or into the
/// group's object while a group is open (`unloaded`'s `interface(…)`), and a span as its
/// seconds.
#[derive(Default)]
struct Writer {
    object: Object,
    group: Option<(&'static str, Object)>,
}

impl Writer {
    const fn target(&mut self) -> &mut Object {
        match &mut self.group {
            Some((_, group)) => group,
            None => &mut self.object,
        }
    }
}

impl Visit for Writer {
    fn field<T: FieldValue + ?Sized>(&mut self, field: &Field, field_value: &T) {
        self.target().push(field.name, value(field_value));
    }

    fn group(&mut self, name: &'static str) {
        self.end_group();
        self.group = Some((name, Object::default()));
    }

    fn end_group(&mut self) {
        if let Some((name, group)) = self.group.take() {
            self.object.push_object(name, group);
        }
    }

    #[allow(
        clippy::cast_precision_loss,
        reason = "milliseconds of a storm: far below 2^53, so exact"
    )]
    fn span<T: FieldValue + ?Sized>(&mut self, field: &Field, _value: &T, millis: u64) {
        // Seconds, a JSON number: the line's `over 0.046s` is 0.046.
        self.target().push(field.name, millis as f64 / 1000.0);
    }
}

/// The object of a record, numbered by `sequence`, written from the record alone.
///
/// Its header ([`visit_header`]: `kind`, `change`, `seq`, `printed`, `row`, `note`), then its
/// fields ([`Record::visit`]); no line is read.
#[must_use]
pub fn event(record: &Record, sequence: &mut Sequence) -> Object {
    let mut writer = Writer::default();
    // A rundown's `present` event is numbered 0, as its ETW event: it is no notification.
    let seq = if record.is_present() {
        0
    } else {
        sequence.next(record.kind())
    };
    visit_header(&mut writer, &record.header(seq));
    record.visit(&mut writer);
    writer.end_group();
    writer.object
}

/// Counts a record's sequence number without writing its object.
pub fn event_skipped(record: &Record, sequence: &mut Sequence) {
    if !record.is_present() {
        sequence.next(record.kind());
    }
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

/// The object of a decoded ETW event ([`netnotify_core::output::trace::read`]).
///
/// Its record's, numbered by the event's own `seq` (the driver's), with its `printed`; an error's or a
/// warning's object from its message text. What `cargo replay --json` writes for the same
/// record.
#[must_use]
pub fn read_event(read: &Read) -> Object {
    let mut writer = Writer::default();
    match &read.said {
        Said::Record(record) => {
            visit_header(&mut writer, &record.header(read.seq));
            record.visit(&mut writer);
            writer.end_group();
        }
        Said::Message(message) => {
            writer.object.push("kind", read.kind());
            writer.object.push("seq", read.seq);
            writer.object.push("printed", read.printed);
            writer.object.push("message", message.text());
        }
    }
    writer.object
}
