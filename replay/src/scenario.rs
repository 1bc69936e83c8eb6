//! Scenarios: the validated steps of a JSON Lines file (docs/replay.md) and how it is read.
//!
//! This module owns [`Scenario`] and its steps, the text of a scenario file ([`decode_text`]),
//! the whole-file rules (where `settings`, `stable` and `unload` may stand) in [`parse`];
//! [`steps`] owns a step and reads each step's object, [`crate::wording`] words the messages.

use std::fmt;

use netnotify_core::model::notification::Notification;
use netnotify_core::sim::StableMode;
use serde_json::Value;
use steps::step;
pub use steps::{Failure, MAX_REPEAT, MAX_STACK, Step};

use crate::wording::wrong;

mod steps;

/// A validated scenario.
#[derive(Debug)]
pub struct Scenario {
    pub(super) steps: Vec<Step>,
}

impl Scenario {
    /// How many steps it has.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether it has no step.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

/// Why a scenario was refused: its line number (from 1) and the problem.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ParseError {
    /// The line of the scenario.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}
/// The text of a scenario file: UTF-8, with or without a byte order mark, or UTF-16 with one
/// (what Windows PowerShell 5.1's `>` writes), converted.
///
/// # Errors
/// Bytes that are neither, with how to save the file as UTF-8.
pub fn decode_text(bytes: &[u8]) -> Result<String, String> {
    let utf16 = |units: Vec<u16>| {
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|_| "the scenario is not valid UTF-16: save it as UTF-8".to_owned())
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => decode_text(rest),
        [0xFF, 0xFE, rest @ ..] => utf16(
            rest.chunks(2)
                .map(|pair| u16::from_le_bytes([pair[0], *pair.get(1).unwrap_or(&0)]))
                .collect(),
        ),
        [0xFE, 0xFF, rest @ ..] => utf16(
            rest.chunks(2)
                .map(|pair| u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]))
                .collect(),
        ),
        _ if bytes.contains(&0) => Err("the scenario has NUL bytes: UTF-16 without a byte \
                                        order mark? Save it as UTF-8 (in PowerShell: \
                                        Set-Content -Encoding utf8)"
            .to_owned()),
        _ => String::from_utf8(bytes.to_vec()).map_err(|error| {
            format!(
                "the scenario is not UTF-8 text (byte {}): save it as UTF-8 (in PowerShell: \
                 Set-Content -Encoding utf8)",
                error.utf8_error().valid_up_to() + 1
            )
        }),
    }
}

/// A JSON syntax error in the scenario's words: the column and what is wrong, without the
/// parser's own line number (each scenario line is parsed alone).
fn not_json(error: &serde_json::Error) -> String {
    if error.is_eof() {
        return "not JSON: the line ends before its object does (a missing } or \")".to_owned();
    }
    let text = error.to_string();
    let what = text.split(" at line ").next().unwrap_or(&text);
    // Wrong from its first characters: not an object at all.
    let hint = if error.column() <= 2 {
        " (each line is one object: {\"step\":…})"
    } else {
        ""
    };
    format!("column {}: not JSON: {what}{hint}", error.column())
}

/// Parses and validates a whole scenario.
///
/// # Errors
/// The first line that is not a valid step, or a step in the wrong place.
pub fn parse(text: &str) -> Result<Scenario, ParseError> {
    let mut steps = Vec::new();
    let mut loads_at: Option<usize> = None;
    let mut unload_at: Option<usize> = None;
    let mut stable_pending = false;
    for (index, text) in text.lines().enumerate() {
        let line = index + 1;
        let fail = |message: String| ParseError { line, message };
        if text.trim().is_empty() {
            continue;
        }
        let mut value: Value =
            serde_json::from_str(text).map_err(|error| fail(not_json(&error)))?;
        if let Some(object) = value.as_object_mut() {
            match object.remove("comment") {
                // A comment alone is a line of its own (`--import` writes storm summaries so).
                Some(Value::String(_)) if object.is_empty() => continue,
                None | Some(Value::String(_)) => {}
                Some(other) => return Err(fail(wrong("comment", &other, "a string"))),
            }
        }
        let step = step(value).map_err(fail)?;
        if let Some(unload) = unload_at {
            return Err(fail(format!(
                "the driver unloaded on line {unload}: nothing can follow"
            )));
        }
        if step.before_load() {
            if let Some(load) = loads_at {
                return Err(fail(format!(
                    "{} applies when the driver loads, but it loaded on line {load}: put it \
                     before the first event",
                    if matches!(step, Step::Stable(_)) {
                        "stable"
                    } else {
                        "settings"
                    }
                )));
            }
        } else if !step.is_setup() && loads_at.is_none() {
            loads_at = Some(line);
        }
        if matches!(step, Step::Unload) {
            unload_at = Some(line);
        }
        match step {
            Step::Stable(StableMode::Pending(_)) | Step::NullHandle(Notification::StableTable) => {
                stable_pending = true;
            }
            Step::StableComplete(_) if !stable_pending => {
                return Err(fail(
                    "\"stable-complete\", but the stable table is not pending: put \
                     {\"step\":\"stable\",\"completion\":\"pending\"} before the first event"
                        .to_owned(),
                ));
            }
            _ => {}
        }
        steps.push(step);
    }
    Ok(Scenario { steps })
}
