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
use netnotify_core::lifecycle::{driver_entry, driver_unload};
use netnotify_core::notification::Notification;
use netnotify_core::settings::{RawValue, SETTINGS};
use netnotify_core::sim::{Delivery, Event, Outcome, Sim, StableMode};
use netnotify_core::status::NtStatus;
use serde::Deserialize;
use serde_json::Value;

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
    },
    /// Values of the `Parameters` key (before the driver loads).
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
    /// never be cancelled (reference §2).
    NullHandle(Notification),
    /// The IRQL the driver's code runs at from now on.
    Irql(u8),
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
                | Self::Settings(_)
                | Self::Fail(_)
                | Self::NullHandle(_)
                | Self::Irql(_)
                | Self::Clock(_)
        )
    }

    /// Steps that only make sense before the driver loads.
    const fn before_load(&self) -> bool {
        matches!(self, Self::Stable(_) | Self::Settings(_))
    }
}

/// A failure injected into the next call of a function.
#[derive(Clone, Copy, Debug)]
enum Failure {
    Register(Notification, NtStatus),
    Cancel(Notification, NtStatus),
    Query(Notification, NtStatus),
    CreateDevice(NtStatus),
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

#[derive(Deserialize)]
#[serde(tag = "step", rename_all = "kebab-case", deny_unknown_fields)]
enum RawStep {
    Interface(RawChange),
    Address(RawChange),
    Route(RawChange),
    Stable {
        completion: RawCompletion,
        #[serde(default = "no_rows")]
        rows: Option<Vec<String>>,
    },
    StableComplete {
        #[serde(default = "no_rows")]
        rows: Option<Vec<String>>,
    },
    Fail {
        call: String,
        #[serde(default)]
        notification: Option<RawNotification>,
        status: RawStatus,
    },
    Irql {
        level: u8,
    },
    NullHandle {
        call: String,
    },
    Settings {
        values: serde_json::Map<String, Value>,
    },
    Clock {
        advance_ms: u64,
    },
    // A struct variant, not a unit one: serde ignores unknown fields of unit variants.
    Unload {},
}

/// `rows` left out is an empty table; `"rows": null` is a NULL table.
#[allow(
    clippy::unnecessary_wraps,
    reason = "serde's default must have the field's type"
)]
const fn no_rows() -> Option<Vec<String>> {
    Some(Vec::new())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChange {
    #[serde(rename = "type")]
    change: RawType,
    row: String,
    #[serde(default)]
    deliver: RawDelivery,
    #[serde(default = "once")]
    repeat: u32,
    #[serde(default)]
    every_ms: u64,
}

const fn once() -> u32 {
    1
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawType {
    Named(RawTypeName),
    Number(i32),
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
enum RawTypeName {
    Parameter,
    Add,
    Delete,
    Initial,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
enum RawDelivery {
    #[default]
    Keys,
    Full,
    Null,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
enum RawCompletion {
    Immediate,
    Pending,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum RawNotification {
    Interface,
    Address,
    Route,
    StableTable,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawStatus {
    Number(i64),
    Text(String),
}

impl From<RawNotification> for Notification {
    fn from(raw: RawNotification) -> Self {
        match raw {
            RawNotification::Interface => Self::Interface,
            RawNotification::Address => Self::Address,
            RawNotification::Route => Self::Route,
            RawNotification::StableTable => Self::StableTable,
        }
    }
}

/// An `NTSTATUS` from a number or a string (`"0xC000009A"` or decimal).
fn status(raw: RawStatus) -> Result<NtStatus, String> {
    let value = match raw {
        RawStatus::Number(number) => number,
        RawStatus::Text(text) => {
            let parsed = text
                .strip_prefix("0x")
                .or_else(|| text.strip_prefix("0X"))
                .map_or_else(|| text.parse(), |hex| i64::from_str_radix(hex, 16));
            parsed.map_err(|_| format!("status {text:?} is not a number"))?
        }
    };
    // NTSTATUS values are written as unsigned 32-bit hex; accept the signed form too.
    u32::try_from(value)
        .map(u32::cast_signed)
        .or_else(|_| i32::try_from(value))
        .map(NtStatus)
        .map_err(|_| format!("status {value} does not fit 32 bits"))
}

/// Decodes a row given as the hex of its exact x64 bytes.
fn row<T>(kind: &str, hex_text: &str, from_bytes: fn(&[u8]) -> Option<T>) -> Result<T, String> {
    let bytes = hex::decode(hex_text).map_err(|error| format!("{kind} row is not hex: {error}"))?;
    from_bytes(&bytes).ok_or_else(|| {
        format!(
            "{kind} row is {} bytes, expected {}",
            bytes.len(),
            size_of::<T>()
        )
    })
}

fn address_rows(rows: Option<Vec<String>>) -> Result<Option<Vec<MibUnicastIpAddressRow>>, String> {
    rows.map(|rows| {
        rows.iter()
            .map(|hex_text| row("address", hex_text, MibUnicastIpAddressRow::from_bytes))
            .collect()
    })
    .transpose()
}

/// A change step: `event` builds the event from the raw notification type.
fn change(raw: &RawChange, event: impl FnOnce(i32) -> Event) -> Result<Step, String> {
    if !(1..=MAX_REPEAT).contains(&raw.repeat) {
        return Err(format!(
            "repeat is {}, expected 1 to {MAX_REPEAT}",
            raw.repeat
        ));
    }
    let raw_type = match raw.change {
        RawType::Number(number) => number,
        RawType::Named(RawTypeName::Parameter) => notification_type::PARAMETER,
        RawType::Named(RawTypeName::Add) => notification_type::ADD,
        RawType::Named(RawTypeName::Delete) => notification_type::DELETE,
        RawType::Named(RawTypeName::Initial) => notification_type::INITIAL,
    };
    let delivery = match raw.deliver {
        RawDelivery::Keys => Delivery::Keys,
        RawDelivery::Full => Delivery::Full,
        RawDelivery::Null => Delivery::Null,
    };
    Ok(Step::Change {
        event: event(raw_type),
        delivery,
        repeat: raw.repeat,
        every: raw.every_ms.saturating_mul(TICKS_PER_MILLISECOND),
    })
}

/// `REG_SZ`.
const REG_SZ: u32 = 1;

/// A `settings` step: setting names to numbers (`REG_DWORD`) or strings (`REG_SZ`, to see the
/// driver's warning).
fn settings(values: serde_json::Map<String, Value>) -> Result<Step, String> {
    let mut parsed = Vec::new();
    for (name, value) in values {
        let Some(setting) = SETTINGS.iter().find(|setting| setting.name == name) else {
            let names: Vec<&str> = SETTINGS.iter().map(|setting| setting.name).collect();
            return Err(format!(
                "unknown setting {name:?}, expected one of {}",
                names.join(", ")
            ));
        };
        let raw = match value {
            Value::Number(number) => number
                .as_u64()
                .and_then(|number| u32::try_from(number).ok())
                .map(RawValue::Dword)
                .ok_or_else(|| format!("setting {name} is {number}, not a 32-bit DWORD"))?,
            Value::String(text) => RawValue::Other {
                value_type: REG_SZ,
                size: u32::try_from(text.encode_utf16().count().saturating_add(1) * 2)
                    .unwrap_or(u32::MAX),
            },
            other => {
                return Err(format!(
                    "setting {name} is {other}, not a number or a string"
                ));
            }
        };
        parsed.push((setting.name, raw));
    }
    Ok(Step::Settings(parsed))
}

fn failure(
    call: &str,
    notification: Option<RawNotification>,
    status: NtStatus,
) -> Result<Failure, String> {
    let needs_error = |failure: Failure| {
        if status.is_error() {
            Ok(failure)
        } else {
            Err(format!(
                "{call} can only fail with an error status, not {status}"
            ))
        }
    };
    match (call, notification) {
        ("IoCreateDevice", None) => needs_error(Failure::CreateDevice(status)),
        ("CancelMibChangeNotify2", Some(notification)) => {
            Ok(Failure::Cancel(notification.into(), status))
        }
        ("CancelMibChangeNotify2", None) => Err(
            "CancelMibChangeNotify2 needs \"notification\": the registration whose cancel fails"
                .to_owned(),
        ),
        ("GetIpInterfaceEntry", None) => Ok(Failure::Query(Notification::Interface, status)),
        ("GetUnicastIpAddressEntry", None) => Ok(Failure::Query(Notification::Address, status)),
        ("GetIpForwardEntry2", None) => Ok(Failure::Query(Notification::Route, status)),
        (_, Some(_)) => Err(format!(
            "\"notification\" only goes with CancelMibChangeNotify2, not {call}"
        )),
        (name, None) => Notification::ALL
            .into_iter()
            .find(|notification| notification.function() == name)
            .map_or_else(
                || Err(format!("unknown call {name:?}")),
                |notification| needs_error(Failure::Register(notification, status)),
            ),
    }
}

fn step(value: Value) -> Result<Step, String> {
    let raw: RawStep = serde_json::from_value(value).map_err(|error| error.to_string())?;
    Ok(match raw {
        RawStep::Interface(raw) => {
            let row = row("interface", &raw.row, MibIpInterfaceRow::from_bytes)?;
            change(&raw, |raw_type| Event::Interface(Some(row), raw_type))?
        }
        RawStep::Address(raw) => {
            let row = row("address", &raw.row, MibUnicastIpAddressRow::from_bytes)?;
            change(&raw, |raw_type| Event::Address(Some(row), raw_type))?
        }
        RawStep::Route(raw) => {
            let row = row("route", &raw.row, MibIpForwardRow2::from_bytes)?;
            change(&raw, |raw_type| Event::Route(Some(row), raw_type))?
        }
        RawStep::Stable {
            completion: RawCompletion::Immediate,
            rows,
        } => Step::Stable(StableMode::Immediate(address_rows(rows)?)),
        RawStep::Stable {
            completion: RawCompletion::Pending,
            rows,
        } => {
            if rows.as_ref().is_none_or(|rows| !rows.is_empty()) {
                return Err(
                    "a pending stable table has no rows yet: give them to stable-complete"
                        .to_owned(),
                );
            }
            Step::Stable(StableMode::Pending(NtStatus::PENDING))
        }
        RawStep::StableComplete { rows } => Step::StableComplete(address_rows(rows)?),
        RawStep::Fail {
            call,
            notification,
            status: raw_status,
        } => Step::Fail(failure(&call, notification, status(raw_status)?)?),
        RawStep::Irql { level } => Step::Irql(level),
        RawStep::NullHandle { call } => Step::NullHandle(
            Notification::ALL
                .into_iter()
                .find(|notification| notification.function() == call)
                .ok_or_else(|| {
                    format!(
                        "null-handle needs a registration call: NotifyIpInterfaceChange, \
                         NotifyUnicastIpAddressChange, NotifyRouteChange2 or \
                         NotifyStableUnicastIpAddressTable, not {call:?}"
                    )
                })?,
        ),
        RawStep::Settings { values } => settings(values)?,
        RawStep::Clock { advance_ms } => {
            Step::Clock(advance_ms.saturating_mul(TICKS_PER_MILLISECOND))
        }
        RawStep::Unload {} => Step::Unload,
    })
}

/// Parses and validates a whole scenario.
///
/// # Errors
/// The first line that is not a valid step, or a step in the wrong place.
pub fn parse(text: &str) -> Result<Scenario, ParseError> {
    let mut steps = Vec::new();
    let mut loads_at: Option<usize> = None;
    let mut unload_at: Option<usize> = None;
    for (index, text) in text.lines().enumerate() {
        let line = index + 1;
        let fail = |message: String| ParseError { line, message };
        if text.trim().is_empty() {
            continue;
        }
        let mut value: Value =
            serde_json::from_str(text).map_err(|error| fail(format!("not JSON: {error}")))?;
        if let Some(object) = value.as_object_mut() {
            match object.remove("comment") {
                None | Some(Value::String(_)) => {}
                Some(_) => return Err(fail("\"comment\" must be a string".to_owned())),
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
    let sim = Sim::new();
    let mut printed = 0;
    let mut loaded: Option<bool> = None;
    let mut unloaded = false;
    for step in &scenario.steps {
        if loaded.is_none() && !step.is_setup() {
            loaded = Some(load(&sim, notes)?);
        }
        if matches!(step, Step::Unload) {
            unload(&sim, loaded == Some(true), notes)?;
            unloaded = true;
        } else {
            apply(&sim, step);
        }
        printed = flush(&sim, printed, out)?;
    }
    if loaded.is_none() {
        loaded = Some(load(&sim, notes)?);
    }
    if !unloaded {
        unload(&sim, loaded == Some(true), notes)?;
    }
    let lines = flush(&sim, printed, out)?;
    Ok(Report {
        lines,
        violations: sim.close(),
    })
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
        } => {
            for time in 0..*repeat {
                if time != 0 {
                    sim.advance(*every);
                }
                sim.notify(*event, *delivery);
            }
        }
        Step::Settings(values) => {
            for (name, value) in values {
                sim.set_parameter(name, *value);
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
        Step::Unload => {}
    }
}

impl Scenario {
    /// The `Parameters` values the scenario sets, in order (for a harness that writes them
    /// into a real registry before the driver loads).
    #[must_use]
    pub fn settings(&self) -> Vec<(&'static str, RawValue)> {
        self.steps
            .iter()
            .filter_map(|step| match step {
                Step::Settings(values) => Some(values.iter().copied()),
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
        for step in self
            .steps
            .iter()
            .skip_while(|step| step.is_setup())
            .take_while(|step| !matches!(step, Step::Unload))
        {
            apply(sim, step);
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
        driver_unload(sim);
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
    }
}

/// Writes the lines printed since `printed`; returns the new count.
fn flush(sim: &Sim, printed: usize, out: &mut impl Write) -> io::Result<usize> {
    let lines = sim.lines();
    for line in lines.iter().skip(printed) {
        writeln!(out, "{line}")?;
    }
    Ok(lines.len())
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
