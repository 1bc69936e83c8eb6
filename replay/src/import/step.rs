//! The scenario being written: its steps, in the order and words they are written.
//!
//! This module owns a written step (its fields in order, its `repeat`, the lines it came from)
//! and its JSON line, whose `comment` names those lines.

use serde_json::{Map, Value};

/// A readable row in the lines' order: field names to values.
pub(super) type Row = Vec<(String, Value)>;

/// A value of a step, kept in the order it is written.
#[derive(Clone, PartialEq, Debug)]
pub(super) enum Json {
    Value(Value),
    Row(Row),
    Rows(Option<Vec<Row>>),
}

/// One step of the scenario being written, with the lines it came from.
#[derive(Clone, PartialEq, Debug)]
pub(super) struct Step {
    pub(super) first_line: usize,
    pub(super) last_line: usize,
    pub(super) repeat: u32,
    pub(super) fields: Vec<(&'static str, Json)>,
}

impl Step {
    pub(super) const fn new(line: usize, fields: Vec<(&'static str, Json)>) -> Self {
        Self {
            first_line: line,
            last_line: line,
            repeat: 1,
            fields,
        }
    }

    /// The steps the driver does not load at (docs/replay.md), comments included.
    pub(super) fn is_setup(&self) -> bool {
        match self.fields.first() {
            Some(("step", Json::Value(Value::String(step)))) => matches!(
                step.as_str(),
                "settings"
                    | "stable"
                    | "fail"
                    | "null-handle"
                    | "irql"
                    | "stack"
                    | "name"
                    | "clock"
            ),
            _ => true,
        }
    }

    pub(super) fn is_change(&self) -> bool {
        matches!(self.fields.first(), Some((_, Json::Value(Value::String(step))))
            if matches!(step.as_str(), "interface" | "address" | "route"))
    }

    /// The step as one line of JSON, its fields in the order they were written
    /// (`serde_json`'s map with `preserve_order`).
    pub(super) fn write(&self, out: &mut String) {
        let mut object = Map::new();
        for (name, value) in &self.fields {
            let value = match value {
                Json::Value(value) => value.clone(),
                Json::Row(row) => row_object(row),
                Json::Rows(None) => Value::Null,
                Json::Rows(Some(rows)) => rows.iter().map(row_object).collect(),
            };
            object.insert((*name).to_owned(), value);
        }
        if self.repeat > 1 {
            object.insert("repeat".to_owned(), self.repeat.into());
        }
        if !object.contains_key("comment") {
            let lines = if self.first_line == self.last_line {
                format!("line {}", self.first_line)
            } else {
                format!("lines {} to {}", self.first_line, self.last_line)
            };
            object.insert("comment".to_owned(), lines.into());
        }
        out.push_str(&Value::Object(object).to_string());
    }
}

fn row_object(row: &Row) -> Value {
    Value::Object(row.iter().cloned().collect())
}

pub(super) fn text(value: &str) -> Json {
    Json::Value(Value::String(value.to_owned()))
}

pub(super) fn pending_step(line: usize) -> Step {
    Step::new(
        line,
        vec![("step", text("stable")), ("completion", text("pending"))],
    )
}
