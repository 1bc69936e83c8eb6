//! The scenario being written: its steps, in the order and words they are written.
//!
//! This module owns a written step (its fields in order, its `repeat`, the lines it came from)
//! and its JSON line, whose `comment` names those lines.

use std::fmt::Write as _;

use serde_json::Value;

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

    pub(super) fn write(&self, out: &mut String) {
        out.push('{');
        for (index, (name, value)) in self.fields.iter().enumerate() {
            if index != 0 {
                out.push(',');
            }
            let _ = write!(out, "\"{name}\":");
            match value {
                Json::Value(value) => out.push_str(&value.to_string()),
                Json::Row(row) => write_row(out, row),
                Json::Rows(None) => out.push_str("null"),
                Json::Rows(Some(rows)) => {
                    out.push('[');
                    for (index, row) in rows.iter().enumerate() {
                        if index != 0 {
                            out.push(',');
                        }
                        write_row(out, row);
                    }
                    out.push(']');
                }
            }
        }
        if self.repeat > 1 {
            let _ = write!(out, ",\"repeat\":{}", self.repeat);
        }
        if self.fields.iter().all(|(name, _)| *name != "comment") {
            let lines = if self.first_line == self.last_line {
                format!("line {}", self.first_line)
            } else {
                format!("lines {} to {}", self.first_line, self.last_line)
            };
            let _ = write!(out, ",\"comment\":{}", Value::String(lines));
        }
        out.push('}');
    }
}

fn write_row(out: &mut String, row: &Row) {
    out.push('{');
    for (index, (name, value)) in row.iter().enumerate() {
        if index != 0 {
            out.push(',');
        }
        let _ = write!(out, "{}:{value}", Value::String(name.clone()));
    }
    out.push('}');
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
