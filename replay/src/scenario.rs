//! Scenarios: the validated steps of a JSON Lines file (docs/replay.md) and how it is read.
//!
//! This module owns [`Scenario`] and its steps, the text of a scenario file ([`decode_text`]),
//! the whole-file rules (where `settings`, `stable` and `unload` may stand) in [`parse`], and the
//! wording of every message about a value; [`steps`] reads each step's object.

use std::fmt;

use netnotify_core::ffi::MibUnicastIpAddressRow;
use netnotify_core::notification::Notification;
use netnotify_core::settings::RawValue;
use netnotify_core::sim::{Delivery, Event, StableMode};
use netnotify_core::status::NtStatus;
use serde_json::Value;
pub use steps::MAX_STACK;
use steps::step;

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

/// One step, ready to play.
#[derive(Debug)]
pub enum Step {
    /// A change notification, `repeat` times, the clock advancing `every` ticks in between:
    /// the row is the object's full state.
    Change {
        event: Event,
        delivery: Delivery,
        repeat: u32,
        every: u64,
        /// The interface's name and alias, when the row gives them (as `--json` writes it).
        names: Option<(String, String)>,
    },
    /// Values of the `Parameters` key (where the driver reads its settings) before the driver
    /// loads.
    Settings(Vec<(&'static str, RawValue)>),
    /// The monotonic clock moves forward by this many ticks.
    Clock(u64),
    /// How `NotifyStableUnicastIpAddressTable` will complete (before the driver loads).
    Stable(StableMode),
    /// The pending stable-table request completes with these rows (`None`: a NULL table).
    StableComplete(Option<Vec<MibUnicastIpAddressRow>>),
    /// The next call of a function fails.
    Fail(Failure),
    /// The next registration of this notification succeeds with a NULL handle, which can
    /// never be cancelled (docs/netio.md#null-handle).
    NullHandle(Notification),
    /// The IRQL the driver's code runs at from now on.
    Irql(u8),
    /// The stack (bytes) every callback and the storm timer's DPC find left at their entry from
    /// now on (docs/netio.md#stack); `None`: not measurable (`"bytes": null`).
    Stack(Option<usize>),
    /// NETIO knows the interface `luid` by this name and alias (`ConvertInterfaceLuidTo*`).
    Name {
        luid: u64,
        name: String,
        alias: String,
    },
    /// `sc stop`: the driver unloads.
    Unload,
}

impl Step {
    /// Steps that prepare the system rather than happen to the driver: the driver loads at the
    /// first step that is not one of these.
    pub(super) const fn is_setup(&self) -> bool {
        matches!(
            self,
            Self::Stable(_)
                | Self::Settings(..)
                | Self::Fail(_)
                | Self::NullHandle(_)
                | Self::Irql(_)
                | Self::Stack(_)
                | Self::Clock(_)
                | Self::Name { .. }
        )
    }

    /// Steps that only make sense before the driver loads.
    const fn before_load(&self) -> bool {
        matches!(self, Self::Stable(_) | Self::Settings(..))
    }
}

/// A failure injected into the next call of a function.
#[derive(Clone, Copy, Debug)]
pub enum Failure {
    Register(Notification, NtStatus),
    Cancel(Notification, NtStatus),
    Query(Notification, NtStatus),
    CreateDevice(NtStatus),
    EtwRegister(NtStatus),
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
/// `"a", "b" or "c"`.
pub fn alternatives(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("\"{name}\"")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// A value as a message shows it: its JSON text, cut short.
pub fn shown(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= 40 {
        return text;
    }
    let cut: String = text.chars().take(37).collect();
    format!("{cut}...")
}

/// `"field" is <value>, expected <expected>`.
pub fn wrong(field: &str, value: &Value, expected: &str) -> String {
    format!("\"{field}\" is {}, expected {expected}", shown(value))
}

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
    format!("column {}: not JSON: {what}", error.column())
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
