//! `cargo replay`: the driver's real lifecycle — `DriverEntry`, the events of a scenario,
//! `DriverUnload` — run in the NETIO simulator, printing exactly the lines the driver would
//! print with `DbgPrintEx`, and nothing else, on stdout.
//!
//! A scenario is JSON Lines, one step per line; the format is documented in
//! `docs/replay.md`. [`parse`] validates the whole scenario before anything runs, so bad input
//! prints no line at all; [`run`] plays it.

use std::fmt;
use std::io::{self, Write};

use netnotify_core::ffi::{
    MibIpForwardRow2, MibIpInterfaceRow, MibUnicastIpAddressRow, notification_type,
};
use netnotify_core::host::DriverKey;
use netnotify_core::lifecycle::driver_entry;
use netnotify_core::notification::Notification;
use netnotify_core::settings::{RawValue, SETTINGS};
use netnotify_core::sim::{Delivery, Event, Outcome, Sim, StableMode};
use netnotify_core::status::NtStatus;
use serde_json::Value;

pub mod docs;
pub mod import;
pub mod json;
pub mod readable;

/// The built-in scenario: a laptop joining Wi-Fi (`replay/scenarios/laptop-joins-wifi.jsonl`).
pub const LAPTOP_JOINS_WIFI: &str = include_str!("../scenarios/laptop-joins-wifi.jsonl");

/// The built-in storm (`cargo replay --storm`): a VPN connecting floods route notifications
/// and storm control keeps the output bounded (`replay/scenarios/vpn-route-storm.jsonl`).
pub const VPN_ROUTE_STORM: &str = include_str!("../scenarios/vpn-route-storm.jsonl");

/// The most times one step may repeat its notification.
pub const MAX_REPEAT: u32 = 100_000;

/// 100-ns clock ticks in a millisecond.
const TICKS_PER_MILLISECOND: u64 = 10_000;

/// A validated scenario.
#[derive(Debug)]
pub struct Scenario {
    steps: Vec<Step>,
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
enum Step {
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
    /// Values of the `Parameters` key, or of the persistent-state key `State` (read first), before
    /// the driver loads.
    Settings(DriverKey, Vec<(&'static str, RawValue)>),
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
    const fn is_setup(&self) -> bool {
        matches!(
            self,
            Self::Stable(_)
                | Self::Settings(..)
                | Self::Fail(_)
                | Self::NullHandle(_)
                | Self::Irql(_)
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
enum Failure {
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

// ---- The JSON form of a step (docs/replay.md) ----
//
// Read by hand from `serde_json::Value` rather than derived, so that every message names the
// line, the field and the values it takes, in the scenario's own words.

/// Every step, as docs/replay.md lists them.
const STEPS: &[&str] = &[
    "interface",
    "address",
    "route",
    "settings",
    "clock",
    "stable",
    "stable-complete",
    "fail",
    "null-handle",
    "irql",
    "name",
    "unload",
];

/// `"a", "b" or "c"`.
fn alternatives(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("\"{name}\"")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// A value as a message shows it: its JSON text, cut short.
fn shown(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= 40 {
        return text;
    }
    let cut: String = text.chars().take(37).collect();
    format!("{cut}...")
}

/// `"field" is <value>, expected <expected>`.
fn wrong(field: &str, value: &Value, expected: &str) -> String {
    format!("\"{field}\" is {}, expected {expected}", shown(value))
}

/// The fields of one step's object, taken one by one; any left over is an error.
struct Fields {
    step: &'static str,
    map: serde_json::Map<String, Value>,
}

impl Fields {
    fn take(&mut self, name: &str) -> Option<Value> {
        self.map.remove(name)
    }

    fn required(&mut self, name: &str, expected: &str) -> Result<Value, String> {
        self.take(name)
            .ok_or_else(|| format!("step \"{}\" needs \"{name}\": {expected}", self.step))
    }

    /// A whole number from `low` to `high`, or `default` when the field is left out.
    fn number(&mut self, name: &str, low: u64, high: u64, default: u64) -> Result<u64, String> {
        self.take(name).map_or(Ok(default), |value| {
            value
                .as_u64()
                .filter(|number| (low..=high).contains(number))
                .ok_or_else(|| {
                    wrong(
                        name,
                        &value,
                        &format!("a whole number from {low} to {high}"),
                    )
                })
        })
    }

    /// One of `options`, or the first when the field is left out.
    fn choice<T: Copy>(&mut self, name: &str, options: &[(&str, T)]) -> Result<T, String> {
        let names: Vec<&str> = options.iter().map(|(name, _)| *name).collect();
        let Some(value) = self.take(name) else {
            return options
                .first()
                .map(|(_, option)| *option)
                .ok_or_else(|| format!("\"{name}\" has no default"));
        };
        value
            .as_str()
            .and_then(|text| options.iter().find(|(option, _)| *option == text))
            .map(|(_, option)| *option)
            .ok_or_else(|| wrong(name, &value, &alternatives(&names)))
    }

    /// Nothing left but the fields `known`.
    fn finish(self, known: &[&str]) -> Result<(), String> {
        let Some(name) = self.map.keys().next() else {
            return Ok(());
        };
        let mut fields = vec!["step"];
        fields.extend_from_slice(known);
        fields.push("comment");
        Err(format!(
            "step \"{}\" has no field \"{name}\"; its fields are {}",
            self.step,
            alternatives(&fields).replace(" or ", " and ")
        ))
    }
}

/// An `NTSTATUS` from a number or a string (`"0xC000009A"` or decimal).
fn status(value: &Value) -> Result<NtStatus, String> {
    let expected = "an NTSTATUS such as \"0xC000009A\" or a number";
    let number = match value {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text
            .strip_prefix("0x")
            .or_else(|| text.strip_prefix("0X"))
            .map_or_else(
                || text.parse().ok(),
                |hex| i64::from_str_radix(hex, 16).ok(),
            ),
        _ => None,
    }
    .ok_or_else(|| wrong("status", value, expected))?;
    // NTSTATUS values are written as unsigned 32-bit hex; accept the signed form too.
    u32::try_from(number)
        .map(u32::cast_signed)
        .or_else(|_| i32::try_from(number))
        .map(NtStatus)
        .map_err(|_| wrong("status", value, "a 32-bit NTSTATUS"))
}

/// A row: an object of the fields the lines print ([`readable`]), or the hex of its exact x64
/// bytes.
fn row<T>(
    field: &str,
    value: &Value,
    from_bytes: fn(&[u8]) -> Option<T>,
    readable: fn(serde_json::Map<String, Value>) -> Result<T, String>,
) -> Result<T, String> {
    if let Value::Object(fields) = value {
        return readable(fields.clone());
    }
    let size = size_of::<T>();
    let expected = format!(
        "an object of the fields the lines print, or the row's {size} bytes as {} hex digits",
        size * 2
    );
    let text = value
        .as_str()
        .ok_or_else(|| wrong(field, value, &expected))?;
    let bytes = hex::decode(text).map_err(|error| match error {
        hex::FromHexError::InvalidHexCharacter { c, index } => {
            format!("\"{field}\" has {c:?} at position {index}, not a hex digit")
        }
        _ => format!(
            "\"{field}\" has {} hex digits, expected {}",
            text.len(),
            size * 2
        ),
    })?;
    from_bytes(&bytes).ok_or_else(|| {
        format!(
            "\"{field}\" has {} hex digits, expected {}",
            text.len(),
            size * 2
        )
    })
}

/// `"rows"`: a list of address rows, `null` (a NULL table), or left out (an empty table).
fn address_rows(fields: &mut Fields) -> Result<Option<Vec<MibUnicastIpAddressRow>>, String> {
    match fields.take("rows") {
        None => Ok(Some(Vec::new())),
        Some(Value::Null) => Ok(None),
        Some(Value::Array(rows)) => rows
            .iter()
            .map(|value| {
                row(
                    "rows",
                    value,
                    MibUnicastIpAddressRow::from_bytes,
                    readable::address_row,
                )
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(wrong(
            "rows",
            &other,
            "a list of address rows in hex, or null for a NULL table",
        )),
    }
}

/// The four registration calls, by their function names.
fn registration(field: &str, value: &Value) -> Result<Notification, String> {
    let names: Vec<&str> = Notification::ALL.iter().map(|n| n.function()).collect();
    value
        .as_str()
        .and_then(|name| Notification::ALL.into_iter().find(|n| n.function() == name))
        .ok_or_else(|| wrong(field, value, &alternatives(&names)))
}

/// A change step (`interface`, `address`, `route`).
fn change(
    mut fields: Fields,
    event: impl FnOnce(&Value, i32) -> Result<Event, String>,
) -> Result<Step, String> {
    let types = "\"add\", \"delete\", \"parameter\", \"initial\" or a MIB_NOTIFICATION_TYPE number";
    let change = fields.required("type", types)?;
    let raw_type = match &change {
        Value::String(name) => match name.as_str() {
            "add" => Some(notification_type::ADD),
            "delete" => Some(notification_type::DELETE),
            "parameter" => Some(notification_type::PARAMETER),
            "initial" => Some(notification_type::INITIAL),
            _ => None,
        },
        Value::Number(number) => number
            .as_i64()
            .and_then(|number| i32::try_from(number).ok()),
        _ => None,
    }
    .ok_or_else(|| wrong("type", &change, types))?;
    let mut row = fields.required(
        "row",
        "the row: an object of the fields the lines print, or hex (docs/replay.md, \"Rows\")",
    )?;
    let names = record_keys(&mut row)?;
    let event = event(&row, raw_type)?;
    let delivery = fields.choice(
        "deliver",
        &[
            ("keys", Delivery::Keys),
            ("full", Delivery::Full),
            ("null", Delivery::Null),
        ],
    )?;
    let repeat = fields.number("repeat", 1, u64::from(MAX_REPEAT), 1)?;
    let every_ms = fields.number("every_ms", 0, u64::MAX / TICKS_PER_MILLISECOND, 0)?;
    fields.finish(&["type", "row", "deliver", "repeat", "every_ms"])?;
    Ok(Step::Change {
        event,
        delivery,
        repeat: u32::try_from(repeat).unwrap_or(MAX_REPEAT),
        every: every_ms * TICKS_PER_MILLISECOND,
        names,
    })
}

/// The keys a `--json` object has beside the row's fields: accepted in a row and left out of
/// it, so that an event's object is a row. `name` and `alias` (both known) name the
/// interface, as a `name` step would; `null` in any field is the same as leaving it out.
fn record_keys(row: &mut Value) -> Result<Option<(String, String)>, String> {
    let Value::Object(fields) = row else {
        return Ok(None);
    };
    for key in ["kind", "change", "seq", "printed", "note"] {
        fields.remove(key);
    }
    fields.retain(|_, value| !value.is_null());
    let mut text = |key: &str| match fields.remove(key) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(other) => Err(wrong(key, &other, "a string")),
    };
    let (name, alias) = (text("name")?, text("alias")?);
    Ok(name.zip(alias))
}

/// `REG_SZ`.
const REG_SZ: u32 = 1;

/// A `settings` step: setting names to numbers (`REG_DWORD`) or strings (`REG_SZ`, to see the
/// driver's warning).
fn settings(mut fields: Fields) -> Result<Step, String> {
    let names: Vec<&str> = SETTINGS.iter().map(|setting| setting.name).collect();
    let expected = "an object of settings, such as {\"Family\": 4}";
    let values = fields.required("values", expected)?;
    let Value::Object(values) = values else {
        return Err(wrong("values", &values, expected));
    };
    let key = fields.choice(
        "key",
        &[
            ("Parameters", DriverKey::Parameters),
            ("State", DriverKey::PersistentState),
        ],
    )?;
    fields.finish(&["values", "key"])?;
    let mut parsed = Vec::new();
    for (name, value) in values {
        let Some(setting) = SETTINGS.iter().find(|setting| setting.name == name) else {
            return Err(format!(
                "\"values\" has no setting \"{name}\"; the settings are {}",
                alternatives(&names)
            ));
        };
        let raw = match &value {
            Value::Number(number) => number
                .as_u64()
                .and_then(|number| u32::try_from(number).ok())
                .map(RawValue::Dword)
                .ok_or_else(|| {
                    wrong(
                        setting.name,
                        &value,
                        "a REG_DWORD from 0 to 4294967295, or a string for a REG_SZ",
                    )
                })?,
            Value::String(text) => RawValue::Other {
                value_type: REG_SZ,
                size: u32::try_from(text.encode_utf16().count().saturating_add(1) * 2)
                    .unwrap_or(u32::MAX),
            },
            _ => {
                return Err(wrong(
                    setting.name,
                    &value,
                    "a number (REG_DWORD) or a string (REG_SZ)",
                ));
            }
        };
        parsed.push((setting.name, raw));
    }
    Ok(Step::Settings(key, parsed))
}

/// A `name` step: what NETIO's LUID conversions answer for one interface.
fn name_step(mut fields: Fields) -> Result<Step, String> {
    let expected_luid = "the interface's LUID, as lines print it (\"ieee80211:2\")";
    let luid = fields.required("luid", expected_luid)?;
    let mut text = |field: &str, expected: &str| {
        let value = fields.required(field, expected)?;
        value
            .as_str()
            .map(String::from)
            .ok_or_else(|| wrong(field, &value, expected))
    };
    let name = text("name", "the interface name (\"wireless_32768\")")?;
    let alias = text("alias", "the interface alias (\"Wi-Fi\")")?;
    fields.finish(&["luid", "name", "alias"])?;
    Ok(Step::Name {
        luid: readable::parse_luid(&luid).ok_or_else(|| wrong("luid", &luid, expected_luid))?,
        name,
        alias,
    })
}

/// A `fail` step.
fn failure(mut fields: Fields) -> Result<Step, String> {
    let calls = [
        "IoCreateDevice",
        "NotifyIpInterfaceChange",
        "NotifyUnicastIpAddressChange",
        "NotifyRouteChange2",
        "NotifyStableUnicastIpAddressTable",
        "CancelMibChangeNotify2",
        "GetIpInterfaceEntry",
        "GetUnicastIpAddressEntry",
        "GetIpForwardEntry2",
        "EtwRegister",
    ];
    let call = fields.required("call", &alternatives(&calls))?;
    let status = status(&fields.required("status", "an NTSTATUS such as \"0xC000009A\"")?)?;
    let notification = fields.take("notification");
    fields.finish(&["call", "status", "notification"])?;
    let name = call.as_str().unwrap_or_default();
    let needs_error = |failure: Failure| {
        if status.is_error() {
            Ok(Step::Fail(failure))
        } else {
            Err(format!(
                "\"status\" of {name} must be an error status, not {status}"
            ))
        }
    };
    match (name, notification) {
        ("CancelMibChangeNotify2", Some(value)) => {
            let which = value
                .as_str()
                .and_then(|text| Notification::ALL.into_iter().find(|n| n.name() == text))
                .ok_or_else(|| {
                    let names: Vec<&str> = Notification::ALL.iter().map(|n| n.name()).collect();
                    wrong("notification", &value, &alternatives(&names))
                })?;
            // Only an error status is a failed cancel to the driver (NT_SUCCESS decides).
            needs_error(Failure::Cancel(which, status))
        }
        ("CancelMibChangeNotify2", None) => Err(
            "step \"fail\" of CancelMibChangeNotify2 needs \"notification\": the registration \
             whose cancel fails, \"interface\", \"address\", \"route\" or \"stable-table\""
                .to_owned(),
        ),
        (_, Some(_)) => Err(format!(
            "\"notification\" goes only with CancelMibChangeNotify2, not {name}"
        )),
        ("IoCreateDevice", None) => needs_error(Failure::CreateDevice(status)),
        ("EtwRegister", None) => needs_error(Failure::EtwRegister(status)),
        ("GetIpInterfaceEntry", None) => {
            Ok(Step::Fail(Failure::Query(Notification::Interface, status)))
        }
        ("GetUnicastIpAddressEntry", None) => {
            Ok(Step::Fail(Failure::Query(Notification::Address, status)))
        }
        ("GetIpForwardEntry2", None) => Ok(Step::Fail(Failure::Query(Notification::Route, status))),
        (_, None) => Notification::ALL
            .into_iter()
            .find(|notification| notification.function() == name)
            .map_or_else(
                || Err(wrong("call", &call, &alternatives(&calls))),
                |notification| needs_error(Failure::Register(notification, status)),
            ),
    }
}

/// A `stable` step: how `NotifyStableUnicastIpAddressTable` will complete.
fn stable(mut fields: Fields) -> Result<Step, String> {
    let pending = fields.choice("completion", &[("immediate", false), ("pending", true)])?;
    let had_rows = fields.map.contains_key("rows");
    let rows = address_rows(&mut fields)?;
    fields.finish(&["completion", "rows"])?;
    if pending && had_rows {
        return Err(
            "a pending stable table has no rows yet: give them to \"stable-complete\"".to_owned(),
        );
    }
    Ok(Step::Stable(if pending {
        StableMode::Pending(NtStatus::PENDING)
    } else {
        StableMode::Immediate(rows)
    }))
}

fn step(value: Value) -> Result<Step, String> {
    let Value::Object(mut map) = value else {
        return Err(format!(
            "expected a JSON object such as {{\"step\":\"unload\"}}, found {}",
            shown(&value)
        ));
    };
    let expected = alternatives(STEPS);
    let name = map.remove("step").ok_or_else(|| {
        format!("no \"step\": every line is an object whose \"step\" is {expected}")
    })?;
    let step = name
        .as_str()
        .and_then(|text| STEPS.iter().copied().find(|step| *step == text))
        .ok_or_else(|| wrong("step", &name, &expected))?;
    let mut fields = Fields { step, map };
    Ok(match step {
        "interface" => change(fields, |row_value, raw_type| {
            Ok(Event::Interface(
                Some(row(
                    "row",
                    row_value,
                    MibIpInterfaceRow::from_bytes,
                    readable::interface,
                )?),
                raw_type,
            ))
        })?,
        "address" => change(fields, |row_value, raw_type| {
            Ok(Event::Address(
                Some(row(
                    "row",
                    row_value,
                    MibUnicastIpAddressRow::from_bytes,
                    readable::address_row,
                )?),
                raw_type,
            ))
        })?,
        "route" => change(fields, |row_value, raw_type| {
            Ok(Event::Route(
                Some(row(
                    "row",
                    row_value,
                    MibIpForwardRow2::from_bytes,
                    readable::route,
                )?),
                raw_type,
            ))
        })?,
        "settings" => settings(fields)?,
        "clock" => {
            let advance = fields.required("advance_ms", "a whole number of milliseconds")?;
            fields.finish(&["advance_ms"])?;
            let milliseconds = advance
                .as_u64()
                .ok_or_else(|| wrong("advance_ms", &advance, "a whole number of milliseconds"))?;
            Step::Clock(milliseconds.saturating_mul(TICKS_PER_MILLISECOND))
        }
        "stable" => stable(fields)?,
        "stable-complete" => {
            let rows = address_rows(&mut fields)?;
            fields.finish(&["rows"])?;
            Step::StableComplete(rows)
        }
        "fail" => failure(fields)?,
        "null-handle" => {
            let call = fields.required("call", "the registration call")?;
            fields.finish(&["call"])?;
            Step::NullHandle(registration("call", &call)?)
        }
        "name" => name_step(fields)?,
        "irql" => {
            // NETIO's callbacks run in threads or DPCs, never at a device IRQL, where even
            // DbgPrintEx is not allowed (docs/netio.md#irql).
            let level = fields.required("level", "a number from 0 to 2")?;
            fields.finish(&["level"])?;
            Step::Irql(
                level
                    .as_u64()
                    .and_then(|level| u8::try_from(level).ok())
                    .filter(|level| *level <= 2)
                    .ok_or_else(|| wrong("level", &level, "a number from 0 to 2"))?,
            )
        }
        _ => {
            fields.finish(&[])?;
            Step::Unload
        }
    })
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

/// How the replay ended.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Report {
    /// Lines printed.
    pub lines: usize,
    /// Misuse of NETIO the simulator saw (a driver bug); empty in a good run.
    pub violations: Vec<String>,
}

/// What a replay writes on `out`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Output {
    /// The driver's lines.
    Lines,
    /// Every event and every driver record as one JSON object per line (`--json`).
    Json,
}

/// Plays `scenario`: the driver's lines go to `out`, notes about the simulated system (a
/// failed `DriverEntry`, a driver that cannot unload) to `notes`.
///
/// # Errors
/// Writing to `out` or `notes` failed.
pub fn run(
    scenario: &Scenario,
    out: &mut impl Write,
    notes: &mut impl Write,
) -> io::Result<Report> {
    run_as(scenario, Output::Lines, out, notes)
}

/// As [`run`], writing `output`.
///
/// # Errors
/// Writing to `out` or `notes` failed.
pub fn run_as(
    scenario: &Scenario,
    output: Output,
    out: &mut impl Write,
    notes: &mut impl Write,
) -> io::Result<Report> {
    run_with(scenario, output, EtwSession::default(), out, notes).map(|(report, _)| report)
}

/// An ETW session during a run, as a controller would run one.
///
/// Listening from before the driver loads (its enable callback comes inside `EtwRegister`) at a level with keywords,
/// and, if `capture_state`, asking for the provider's state after the events, before the
/// unload. The Wine harness's double plays the same session (docs/replay.md#etw).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct EtwSession {
    /// The level and `MatchAnyKeyword`; `None`: no session.
    pub listen: Option<(u8, u64)>,
    /// Capture-state after the events.
    pub capture_state: bool,
}

impl EtwSession {
    /// `none`, or `LEVEL:KEYWORDS[:capture-state]` (keywords in hex with `0x`, or decimal).
    ///
    /// # Errors
    /// A message naming what is wrong.
    pub fn parse(spec: &str) -> Result<Self, String> {
        if spec == "none" {
            return Ok(Self::default());
        }
        let mut parts = spec.split(':');
        let level = parts.next().and_then(|level| level.parse::<u8>().ok());
        let any = parts.next().and_then(|any| {
            any.strip_prefix("0x").map_or_else(
                || any.parse::<u64>().ok(),
                |hex| u64::from_str_radix(hex, 16).ok(),
            )
        });
        let capture_state = match parts.next() {
            None => false,
            Some("capture-state") => true,
            Some(other) => return Err(format!("unknown ETW session option {other:?}")),
        };
        match (level, any) {
            (Some(level), Some(any)) => Ok(Self {
                listen: Some((level, any)),
                capture_state,
            }),
            _ => Err(format!(
                "ETW session {spec:?}: expected none or LEVEL:KEYWORDS[:capture-state]"
            )),
        }
    }
}

/// [`run`] with an ETW session; also returns every ETW call, one JSON object each
/// (docs/replay.md#etw).
///
/// # Errors
/// Writing to `out` or `notes` failed.
pub fn run_with_etw(
    scenario: &Scenario,
    session: EtwSession,
    out: &mut impl Write,
    notes: &mut impl Write,
) -> io::Result<(Report, Vec<String>)> {
    run_with(scenario, Output::Lines, session, out, notes)
}

/// Plays `scenario` writing `output`, with an ETW `session`; the report and every ETW call.
///
/// # Errors
/// Writing to `out` or `notes` failed.
pub fn run_with(
    scenario: &Scenario,
    output: Output,
    session: EtwSession,
    out: &mut impl Write,
    notes: &mut impl Write,
) -> io::Result<(Report, Vec<String>)> {
    let sim = Sim::new();
    if let Some((level, any)) = session.listen {
        sim.etw_session_at_register(level, any);
    }
    let lines = run_on(&sim, scenario, output, session.capture_state, out, notes)?;
    let log = sim.etw_log();
    Ok((
        Report {
            lines,
            violations: sim.close(),
        },
        log,
    ))
}

/// Plays `scenario` on `sim`; returns the number of lines printed. `capture_state`: a
/// capture-state request reaches the driver before its unload.
fn run_on(
    sim: &Sim,
    scenario: &Scenario,
    output: Output,
    capture_state: bool,
    out: &mut impl Write,
    notes: &mut impl Write,
) -> io::Result<usize> {
    let mut json = (output == Output::Json).then(JsonState::default);
    let capture = |sim: &Sim| {
        if capture_state {
            sim.etw_control(netnotify_core::trace::CAPTURE_STATE, 0, 0, 0);
        }
    };
    let mut printed = 0;
    let mut loaded: Option<bool> = None;
    let mut unloaded = false;
    for step in &scenario.steps {
        if loaded.is_none() && !step.is_setup() {
            loaded = Some(load(sim, notes)?);
        }
        if matches!(step, Step::Unload) {
            capture(sim);
            unload(sim, loaded == Some(true), notes)?;
            unloaded = true;
        } else {
            apply(sim, step);
        }
        printed = flush(sim, printed, json.as_mut(), out)?;
    }
    if loaded.is_none() {
        loaded = Some(load(sim, notes)?);
    }
    if !unloaded {
        capture(sim);
        unload(sim, loaded == Some(true), notes)?;
    }
    flush(sim, printed, json.as_mut(), out)
}

/// What a step does to the simulated system (everything but `unload`, which the caller
/// performs: `cargo replay` calls the lifecycle, the Wine harness runs `sc stop`).
fn apply(sim: &Sim, step: &Step) {
    match step {
        Step::Change {
            event,
            delivery,
            repeat,
            every,
            names,
        } => {
            if let Some((name, alias)) = names {
                let luid = match event {
                    Event::Interface(row, _) => row.map(|row| row.interface_luid),
                    Event::Address(row, _) => row.map(|row| row.interface_luid),
                    Event::Route(row, _) => row.map(|row| row.interface_luid),
                };
                if let Some(luid) = luid {
                    sim.name_interface(luid, name, alias);
                }
            }
            for time in 0..*repeat {
                if time != 0 {
                    sim.advance(*every);
                }
                sim.notify(*event, *delivery);
            }
        }
        Step::Settings(key, values) => {
            for (name, value) in values {
                match key {
                    DriverKey::Parameters => sim.set_parameter(name, *value),
                    DriverKey::PersistentState => sim.set_state_value(name, *value),
                }
            }
        }
        Step::Clock(ticks) => sim.advance(*ticks),
        Step::Stable(mode) => sim.stable(mode.clone()),
        Step::StableComplete(rows) => {
            sim.complete_stable(rows.as_deref());
        }
        Step::Fail(failure) => inject(sim, *failure),
        Step::NullHandle(notification) => sim.script(*notification, Outcome::NullHandle),
        Step::Irql(level) => sim.set_irql(*level),
        Step::Name { luid, name, alias } => sim.name_interface(*luid, name, alias),
        Step::Unload => {}
    }
}

impl Scenario {
    /// The `Parameters` values the scenario sets, in order (for a harness that writes them
    /// into a real registry before the driver loads).
    #[must_use]
    pub fn settings(&self) -> Vec<(DriverKey, &'static str, RawValue)> {
        self.steps
            .iter()
            .filter_map(|step| match step {
                Step::Settings(key, values) => {
                    Some(values.iter().map(|(name, value)| (*key, *name, *value)))
                }
                _ => None,
            })
            .flatten()
            .collect()
    }

    /// Plays the steps before the driver loads (how the stable table completes, injected
    /// failures, the IRQL, the clock) on `sim`, for a driver that another kernel loads (the
    /// Wine harness's NETIO double). Settings are the harness's: see [`Scenario::settings`].
    pub fn play_setup(&self, sim: &Sim) {
        for step in self.steps.iter().take_while(|step| step.is_setup()) {
            apply(sim, step);
        }
    }

    /// Plays the steps after the driver loaded, up to `unload` (which the caller performs),
    /// on `sim`, exactly as [`run`] does.
    pub fn play_events(&self, sim: &Sim) {
        self.play_events_pacing(sim, |_| {});
    }

    /// As [`Scenario::play_events`], calling `wait` with the ticks of every `clock` step
    /// after moving the clock: a harness whose kernel has real timers (Wine's) waits that
    /// long in real time, so that a timer due within the quiet time expires where it would.
    pub fn play_events_pacing(&self, sim: &Sim, mut wait: impl FnMut(u64)) {
        for step in self
            .steps
            .iter()
            .skip_while(|step| step.is_setup())
            .take_while(|step| !matches!(step, Step::Unload))
        {
            apply(sim, step);
            if let Step::Clock(ticks) = step {
                wait(*ticks);
            }
        }
    }
}

fn load(sim: &Sim, notes: &mut impl Write) -> io::Result<bool> {
    let status = driver_entry(sim);
    if status == NtStatus::SUCCESS {
        return Ok(true);
    }
    writeln!(
        notes,
        "replay: DriverEntry returned {status}: the driver is not loaded"
    )?;
    Ok(false)
}

fn unload(sim: &Sim, loaded: bool, notes: &mut impl Write) -> io::Result<()> {
    if !loaded {
        return Ok(());
    }
    if sim.unload_enabled() {
        // As the I/O manager does: the image is unmapped unless the driver kept its object.
        sim.unload_driver();
        if sim.driver_object_kept() {
            writeln!(
                notes,
                "replay: a cancel failed: the driver kept that registration and stays in memory"
            )?;
        }
    } else {
        writeln!(
            notes,
            "replay: the driver set no DriverUnload (a registration cannot be cancelled): \
             it stays loaded"
        )?;
    }
    Ok(())
}

fn inject(sim: &Sim, failure: Failure) {
    match failure {
        Failure::Register(notification, status) => sim.script(notification, Outcome::Fail(status)),
        Failure::Cancel(notification, status) => sim.fail_cancel(notification, status),
        Failure::Query(notification, status) => sim.fail_query(notification, status),
        Failure::CreateDevice(status) => sim.fail_create_device(status),
        Failure::EtwRegister(status) => sim.fail_etw_register(status),
    }
}

/// What `--json` has written so far.
#[derive(Default)]
struct JsonState {
    records: usize,
    sequence: json::Sequence,
}

/// Writes the lines printed since `printed` (or, for `--json`, the objects of the records and
/// lines since then); returns the new count of lines. Costs the new lines only, so a replay
/// takes time in proportion to its output.
fn flush(
    sim: &Sim,
    printed: usize,
    json: Option<&mut JsonState>,
    out: &mut impl Write,
) -> io::Result<usize> {
    let lines = sim.lines_since(printed);
    let Some(state) = json else {
        for line in &lines {
            writeln!(out, "{line}")?;
        }
        return Ok(printed + lines.len());
    };
    let records = sim.event_records_since(state.records);
    state.records += records.len();
    let mut records = records.into_iter().peekable();
    for (offset, line) in lines.iter().enumerate() {
        // A record comes before its line.
        while let Some((_, record)) = records.next_if(|(at, _)| *at <= printed + offset) {
            writeln!(
                out,
                "{}",
                json::event(&record, &mut state.sequence).to_json()
            )?;
        }
        if !json::is_event_line(line) {
            writeln!(
                out,
                "{}",
                json::driver_line(line, &mut state.sequence).to_json()
            )?;
        }
    }
    for (_, record) in records {
        writeln!(
            out,
            "{}",
            json::event(&record, &mut state.sequence).to_json()
        )?;
    }
    Ok(printed + lines.len())
}

/// One printed change event of a replay: its `--json` object and its lines (two for an
/// interface's full state).
#[derive(Debug)]
pub struct RecordedEvent {
    /// The object `--json` writes.
    pub object: json::Object,
    /// The lines it printed.
    pub lines: Vec<String>,
}

/// Plays `scenario` and returns every change event whose line was printed, with its lines:
/// how the round trip of `--json` objects through readable rows is checked.
#[must_use]
pub fn recorded_events(scenario: &Scenario) -> Vec<RecordedEvent> {
    use netnotify_core::record::{Record, RowDetail};
    use netnotify_core::render::Detail;

    let sim = Sim::new();
    let (mut out, mut notes) = (Vec::new(), Vec::new());
    let _ = run_on(&sim, scenario, Output::Lines, false, &mut out, &mut notes);
    let lines = sim.lines();
    let mut sequence = json::Sequence::default();
    let mut events = Vec::new();
    for (at, record) in sim.event_records_since(0) {
        let Record::Change {
            printed, detail, ..
        } = record
        else {
            continue;
        };
        // Numbered as `--json` numbers it, built only for the lines to compare.
        if !printed {
            json::event_skipped(&record, &mut sequence);
            continue;
        }
        let count = match detail {
            RowDetail::Interface(Detail::Full(_)) => 2,
            _ => 1,
        };
        events.push(RecordedEvent {
            object: json::event(&record, &mut sequence),
            lines: lines.get(at..at + count).unwrap_or_default().to_vec(),
        });
    }
    events
}

/// The fuzz check (`fuzz/` and its regression tests): any bytes as a scenario.
///
/// Parsing never panics; a valid scenario plays without NETIO misuse and prints only lines
/// that keep the output discipline.
///
/// # Panics
/// If the driver misbehaved on this scenario.
pub fn check_scenario_bytes(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(scenario) = parse(text) else {
        return;
    };
    let (mut out, mut notes) = (Vec::new(), Vec::new());
    let report = run(&scenario, &mut out, &mut notes).expect("writing to memory cannot fail");
    assert!(report.violations.is_empty(), "{:?}", report.violations);
    let printed = String::from_utf8(out).expect("lines are ASCII");
    assert_eq!(printed.lines().count(), report.lines);
    for line in printed.lines() {
        netnotify_core::sim::checks::assert_text(line);
    }
}
