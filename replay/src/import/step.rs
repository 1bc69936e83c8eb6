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
    /// Clock time written before the step (a `clock` step with this comment), added once
    /// the lines after it say how much: a storm's span, or its timer's quiet second
    /// (`super::decided`). Kept beside the step so the indices of later steps stay.
    pub(super) before: Option<(u64, String)>,
    /// Milliseconds between the repetitions of a step that repeats (`every_ms`).
    pub(super) every_ms: u64,
    /// Milliseconds more before the last repetition alone: the step is written as its other
    /// repetitions, a `clock` step and the last one.
    pub(super) last_gap_ms: u64,
}

impl Step {
    pub(super) const fn new(line: usize, fields: Vec<(&'static str, Json)>) -> Self {
        Self {
            first_line: line,
            last_line: line,
            repeat: 1,
            fields,
            before: None,
            every_ms: 0,
            last_gap_ms: 0,
        }
    }

    /// Adds `milliseconds` of clock time before the step, saying why.
    pub(super) fn wait_before(&mut self, milliseconds: u64, why: &str) {
        if milliseconds == 0 {
            return;
        }
        let (before, comment) = self.before.get_or_insert_with(|| (0, why.to_owned()));
        *before = before.saturating_add(milliseconds);
        if comment != why {
            comment.push_str("; ");
            comment.push_str(why);
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

    /// The step as lines of JSON, each ending with a newline: the `clock` step before it if
    /// it has one, then the step, its fields in the order they were written (`serde_json`'s
    /// map with `preserve_order`); a step whose last repetition waits longer is its other
    /// repetitions, a `clock` step and the last one.
    pub(super) fn write(&self, out: &mut String) {
        if let Some((milliseconds, comment)) = &self.before {
            clock(*milliseconds, comment, out);
        }
        if self.repeat > 1 && self.last_gap_ms > 0 {
            let others = Self {
                repeat: self.repeat - 1,
                last_gap_ms: 0,
                before: None,
                ..self.clone()
            };
            others.write_one(out);
            clock(
                self.every_ms.saturating_add(self.last_gap_ms),
                "part of a storm summary's span, before the last repetition",
                out,
            );
            let last = Self {
                repeat: 1,
                every_ms: 0,
                last_gap_ms: 0,
                before: None,
                ..self.clone()
            };
            last.write_one(out);
            return;
        }
        self.write_one(out);
    }

    fn write_one(&self, out: &mut String) {
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
            if self.every_ms > 0 {
                object.insert("every_ms".to_owned(), self.every_ms.into());
            }
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
        out.push('\n');
    }
}

/// A `clock` step of `milliseconds`, with `comment`.
fn clock(milliseconds: u64, comment: &str, out: &mut String) {
    let mut object = Map::new();
    object.insert("step".to_owned(), "clock".into());
    object.insert("advance_ms".to_owned(), milliseconds.into());
    object.insert("comment".to_owned(), comment.into());
    out.push_str(&Value::Object(object).to_string());
    out.push('\n');
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
