//! A step: [`Step`], ready to play, and its JSON form (docs/replay.md), field by field.
//!
//! This module owns the step's type, its limits ([`MAX_REPEAT`], [`MAX_STACK`]) and the
//! reading of one step's object; [`crate::scenario`] the whole file's rules.
//!
//! Read by hand from `serde_json::Value` rather than derived, so that every message names the
//! line, the field and the values it takes, in the scenario's own words.

use netnotify_core::boundary::ffi::{
    MibIpForwardRow2, MibIpInterfaceRow, MibUnicastIpAddressRow, notification_type,
};
use netnotify_core::model::notification::Notification;
use netnotify_core::model::settings::{RawValue, SETTINGS};
use netnotify_core::model::status::NtStatus;
use netnotify_core::sim::{Delivery, Event, StableMode};
use serde_json::Value;

use crate::readable;
use crate::wording::{alternatives, shown, wrong};

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
        /// `printed`: the decision the driver made for its line (a watcher's scenario
        /// carries it), replayed instead of storm control's; `None`, storm control decides.
        printed: Option<bool>,
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
    /// A session attaches: it enables the provider at `level` with `MatchAnyKeyword`
    /// `keywords`, then asks for capture state (the rundown of the present state,
    /// docs/netio.md#rundown).
    CaptureState { level: u8, keywords: u64 },
    /// `sc stop`: the driver unloads.
    Unload,
}

impl Step {
    /// Steps that prepare the system rather than happen to the driver: the driver loads at the
    /// first step that is not one of these.
    pub(crate) const fn is_setup(&self) -> bool {
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
    pub(super) const fn before_load(&self) -> bool {
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
    /// `EtwSetInformation(EventProviderSetTraits)`.
    EtwSetTraits(NtStatus),
    /// `EtwSetInformation(EventProviderUseDescriptorType)`, which the driver calls only when
    /// setting the traits failed.
    EtwUseDescriptorType(NtStatus),
    /// A capture-state rundown's `Get*Table` call for this kind's objects.
    Table(Notification, NtStatus),
}

/// The most times one step may repeat its notification.
pub const MAX_REPEAT: u32 = 100_000;

/// 100-ns clock ticks in a millisecond.
const TICKS_PER_MILLISECOND: u64 = 10_000;

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
    "stack",
    "name",
    "capture-state",
    "unload",
];
/// The most stack a `stack` step gives: 1 MiB, a user thread's default (a kernel thread's
/// is 24 KiB on x64); more would only hide the floor.
pub const MAX_STACK: u64 = 1 << 20;

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
        // The first left over by name, as the message always named it: the map keeps the
        // scenario's order, and `remove` reorders it.
        let Some(name) = self.map.keys().min() else {
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
    let printed = match fields.take("printed") {
        None => None,
        Some(Value::Bool(printed)) => Some(printed),
        Some(other) => {
            return Err(wrong(
                "printed",
                &other,
                "true or false: whether the driver printed the event's line (storm control's \
                 decision, replayed)",
            ));
        }
    };
    fields.finish(&["type", "row", "deliver", "repeat", "every_ms", "printed"])?;
    Ok(Step::Change {
        event,
        delivery,
        repeat: u32::try_from(repeat).unwrap_or(MAX_REPEAT),
        every: every_ms * TICKS_PER_MILLISECOND,
        names,
        printed,
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

/// What a `settings` step naming the `State` key is told.
const STATE_KEY: &str = "step \"settings\": the State key is the driver's own persistent \
    state, not settings; the driver reads its settings from Parameters only (README \
    \"Settings\", docs/windows.md): leave \"key\" out";

/// A `settings` step: setting names to numbers (`REG_DWORD`) or strings (`REG_SZ`, to see the
/// driver's warning).
fn settings(mut fields: Fields) -> Result<Step, String> {
    let names: Vec<&str> = SETTINGS.iter().map(|setting| setting.name).collect();
    let expected = "an object of settings, such as {\"Family\": 4}";
    let values = fields.required("values", expected)?;
    let Value::Object(values) = values else {
        return Err(wrong("values", &values, expected));
    };
    // `key` may still name `Parameters`, the only key settings are read from, in any case:
    // registry key names are case-insensitive.
    if let Some(key) = fields.take("key") {
        match key.as_str() {
            Some(name) if name.eq_ignore_ascii_case("Parameters") => {}
            Some(name) if name.eq_ignore_ascii_case("State") => return Err(STATE_KEY.to_owned()),
            _ => {
                return Err(wrong("key", &key, "\"Parameters\" (or leave \"key\" out)"));
            }
        }
    }
    fields.finish(&["values", "key"])?;
    let mut parsed = Vec::new();
    // By name, as they always were read (and `--registry` prints them): the map keeps the
    // scenario's order.
    let mut values: Vec<(String, Value)> = values.into_iter().collect();
    values.sort_by(|(one, _), (other, _)| one.cmp(other));
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
    Ok(Step::Settings(parsed))
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
        "GetIpInterfaceTable",
        "GetUnicastIpAddressTable",
        "GetIpForwardTable2",
        "EtwRegister",
        "EtwSetInformation",
    ];
    let call = fields.required("call", &alternatives(&calls))?;
    let status = status(&fields.required("status", "an NTSTATUS such as \"0xC000009A\"")?)?;
    let notification = fields.take("notification");
    let class = fields.take("class");
    fields.finish(&["call", "status", "notification", "class"])?;
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
        _ if class.is_some() && name != "EtwSetInformation" => Err(format!(
            "\"class\" goes only with EtwSetInformation, not {name}"
        )),
        ("IoCreateDevice", None) => needs_error(Failure::CreateDevice(status)),
        ("EtwRegister", None) => needs_error(Failure::EtwRegister(status)),
        // The class whose call fails; the descriptor-type call comes only after the traits'
        // failed, so it takes a step of its own.
        ("EtwSetInformation", None) => match class.as_ref().map(|value| (value, value.as_str())) {
            None | Some((_, Some("EventProviderSetTraits"))) => {
                needs_error(Failure::EtwSetTraits(status))
            }
            Some((_, Some("EventProviderUseDescriptorType"))) => {
                needs_error(Failure::EtwUseDescriptorType(status))
            }
            Some((value, _)) => Err(wrong(
                "class",
                value,
                "\"EventProviderSetTraits\" (the default) or \"EventProviderUseDescriptorType\"",
            )),
        },
        ("GetIpInterfaceEntry", None) => {
            Ok(Step::Fail(Failure::Query(Notification::Interface, status)))
        }
        ("GetUnicastIpAddressEntry", None) => {
            Ok(Step::Fail(Failure::Query(Notification::Address, status)))
        }
        ("GetIpForwardEntry2", None) => Ok(Step::Fail(Failure::Query(Notification::Route, status))),
        ("GetIpInterfaceTable", None) => {
            Ok(Step::Fail(Failure::Table(Notification::Interface, status)))
        }
        ("GetUnicastIpAddressTable", None) => {
            Ok(Step::Fail(Failure::Table(Notification::Address, status)))
        }
        ("GetIpForwardTable2", None) => Ok(Step::Fail(Failure::Table(Notification::Route, status))),
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

/// A `capture-state` step: a session attaches with `keywords` (`MatchAnyKeyword`, default
/// every kind, 0x1F) at `level` (default 5, verbose) and asks for the present state.
fn capture_state(mut fields: Fields) -> Result<Step, String> {
    let level = fields.number("level", 0, 255, 5)?;
    let expected = "the session's MatchAnyKeyword: a number, or hex such as \"0x1F\"";
    let keywords = match fields.take("keywords") {
        None => 0x1F,
        Some(value) => match &value {
            Value::Number(number) => number.as_u64(),
            Value::String(text) => text
                .strip_prefix("0x")
                .or_else(|| text.strip_prefix("0X"))
                .and_then(|hex| u64::from_str_radix(hex, 16).ok()),
            _ => None,
        }
        .ok_or_else(|| wrong("keywords", &value, expected))?,
    };
    fields.finish(&["level", "keywords"])?;
    Ok(Step::CaptureState {
        level: u8::try_from(level).unwrap_or(u8::MAX),
        keywords,
    })
}

/// The `stack` step's `bytes`: a number of bytes, or `null` for a stack that cannot be
/// measured (docs/netio.md#stack).
fn stack_bytes(mut fields: Fields) -> Result<Option<usize>, String> {
    let expected = format!("a whole number of bytes from 0 to {MAX_STACK}, or null");
    let bytes = fields.required("bytes", &expected)?;
    fields.finish(&["bytes"])?;
    if bytes.is_null() {
        return Ok(None);
    }
    bytes
        .as_u64()
        .filter(|bytes| *bytes <= MAX_STACK)
        .and_then(|bytes| usize::try_from(bytes).ok())
        .map(Some)
        .ok_or_else(|| wrong("bytes", &bytes, &expected))
}

pub(super) fn step(value: Value) -> Result<Step, String> {
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
        "stack" => Step::Stack(stack_bytes(fields)?),
        "capture-state" => capture_state(fields)?,
        _ => {
            fields.finish(&[])?;
            Step::Unload
        }
    })
}
