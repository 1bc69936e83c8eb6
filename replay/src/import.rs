//! `cargo replay --import`: the lines a user saw, back into a scenario.
//!
//! This module owns the conversion of captured driver lines (a `DebugView` saved log, `WinDbg`
//! output, or any text whose lines contain `netnotify: `) into a JSON Lines scenario
//! (docs/replay.md) that replays to the same event lines. It reads each line as docs/lines.md
//! describes it: an event line becomes a step with a readable row ([`crate::readable`], whose
//! field tables it checks every row against), an interface's two lines are joined again, the
//! driver's own lines become the steps that produce them (`settings`, `fail`, `null-handle`,
//! `stable`, `irql`, `name`, `unload`), `DebugView`'s time column becomes `clock` steps, and a
//! storm summary becomes a comment: the events storm control left out of the lines cannot
//! come back.
//!
//! Nothing here panics on any input: a line cut at the 512-byte limit or mangled by a viewer
//! gives a note naming its line number, and the conversion goes on.

use std::collections::HashMap;
use std::fmt::Write as _;

use netnotify_core::decode::IfType;
use netnotify_core::notification::Notification;
use netnotify_core::settings::SETTINGS;
use netnotify_core::status::NtStatus;
use serde_json::{Map, Value};

use crate::{MAX_REPEAT, readable};

/// What every driver line starts with.
const PREFIX: &str = "netnotify: ";

/// The marker at the end of a line that did not fit one `DbgPrint` call.
const CUT: &str = " [...]";

/// 100-ns clock ticks in a millisecond (the replay's clock steps are whole milliseconds).
const TICKS_PER_MILLISECOND: u64 = 10_000;

// Positions in `SETTINGS` (and in the `settings` line), checked against its names when this
// compiles.
const NOTIFICATIONS: usize = 0;
const FAMILY: usize = 1;
const INITIAL: usize = 2;
const REQUERY: usize = 3;
const VERBOSITY: usize = 4;
const LINES_PER_SECOND: usize = 5;
const BURST: usize = 6;

const fn named(position: usize, name: &str) -> bool {
    let (actual, name) = (SETTINGS[position].name.as_bytes(), name.as_bytes());
    if actual.len() != name.len() {
        return false;
    }
    let mut index = 0;
    while index < name.len() {
        if actual[index] != name[index] {
            return false;
        }
        index += 1;
    }
    true
}

const _: () = assert!(
    named(NOTIFICATIONS, "Notifications")
        && named(FAMILY, "Family")
        && named(INITIAL, "InitialNotification")
        && named(REQUERY, "Requery")
        && named(VERBOSITY, "Verbosity")
        && named(LINES_PER_SECOND, "LinesPerSecond")
        && named(BURST, "Burst")
);

/// A day in milliseconds: `DebugView`'s clock time wraps at midnight.
const DAY_MS: u64 = 86_400_000;

/// The result of an import: the scenario and what the reader should know about it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Imported {
    /// The scenario, JSON Lines, one step a line.
    pub scenario: String,
    /// Notes for stderr, each naming the line it is about (`line 7: ...`).
    pub notes: Vec<String>,
    /// Events the lines do not show: storm control left them out (its `storm:` summaries count
    /// them), or the verbosity did; the `unloaded` line counts every event.
    pub left_out: u64,
}

/// The per-kind facts of the three event lines: the step's name, the `Get*Entry` call that
/// re-queries it, and the readable row's field table and checker ([`readable`]'s, so that the
/// field names are defined in one place).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Interface,
    Address,
    Route,
}

impl Kind {
    const fn name(self) -> &'static str {
        match self {
            Self::Interface => "interface",
            Self::Address => "address",
            Self::Route => "route",
        }
    }

    const fn query(self) -> &'static str {
        match self {
            Self::Interface => "GetIpInterfaceEntry",
            Self::Address => "GetUnicastIpAddressEntry",
            Self::Route => "GetIpForwardEntry2",
        }
    }

    const fn slot(self) -> usize {
        match self {
            Self::Interface => 0,
            Self::Address => 1,
            Self::Route => 2,
        }
    }

    /// The readable row's fields, in the lines' order: the key field first.
    const fn fields(self) -> &'static [&'static str] {
        match self {
            Self::Interface => &readable::INTERFACE_FIELDS,
            Self::Address => &readable::ADDRESS_FIELDS,
            Self::Route => &readable::ROUTE_FIELDS,
        }
    }

    /// The smallest row the step format takes, for a `(no row)` line (`"deliver":"null"`):
    /// the key field, of IPv4.
    fn placeholder(self) -> Row {
        let key = self.fields().first().copied().unwrap_or_default();
        let value = match self {
            Self::Interface => "ipv4",
            Self::Address => "0.0.0.0",
            Self::Route => "0.0.0.0/0",
        };
        vec![(key.to_owned(), Value::String(value.to_owned()))]
    }

    /// Checks a readable row exactly as the scenario reader will.
    fn check(self, row: &Row) -> Result<(), String> {
        let map: Map<String, Value> = row.iter().cloned().collect();
        match self {
            Self::Interface => readable::interface(map).map(drop),
            Self::Address => readable::address_row(map).map(drop),
            Self::Route => readable::route(map).map(drop),
        }
    }

    /// Whether a row of this kind printed every field rather than its keys: it has the field
    /// that follows the keys (`luid` is the last key of every kind).
    fn is_full(self, row: &Row) -> bool {
        let fields = self.fields();
        let first_full_field = fields
            .iter()
            .position(|field| *field == "luid")
            .and_then(|luid| fields.get(luid + 1));
        row.iter()
            .any(|(field, _)| Some(&field.as_str()) == first_full_field)
    }
}

/// A readable row in the lines' order: field names to values.
type Row = Vec<(String, Value)>;

/// A value of a step, kept in the order it is written.
#[derive(Clone, PartialEq, Debug)]
enum Json {
    Value(Value),
    Row(Row),
    Rows(Option<Vec<Row>>),
}

/// One step of the scenario being written, with the lines it came from.
#[derive(Clone, PartialEq, Debug)]
struct Step {
    first_line: usize,
    last_line: usize,
    repeat: u32,
    fields: Vec<(&'static str, Json)>,
}

impl Step {
    const fn new(line: usize, fields: Vec<(&'static str, Json)>) -> Self {
        Self {
            first_line: line,
            last_line: line,
            repeat: 1,
            fields,
        }
    }

    /// The steps the driver does not load at (docs/replay.md), comments included.
    fn is_setup(&self) -> bool {
        match self.fields.first() {
            Some(("step", Json::Value(Value::String(step)))) => matches!(
                step.as_str(),
                "settings" | "stable" | "fail" | "null-handle" | "irql" | "name" | "clock"
            ),
            _ => true,
        }
    }

    fn is_change(&self) -> bool {
        matches!(self.fields.first(), Some((_, Json::Value(Value::String(step))))
            if matches!(step.as_str(), "interface" | "address" | "route"))
    }

    fn write(&self, out: &mut String) {
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

fn text(value: &str) -> Json {
    Json::Value(Value::String(value.to_owned()))
}

/// Where the driver is in the lines read so far.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    /// Before `loaded` (or the failure of `DriverEntry`): registration lines.
    Loading,
    /// Loaded: events.
    Loaded,
    /// `DriverEntry` failed: nothing more happens to this driver.
    Failed,
    /// Unloaded: a scenario holds one load.
    Unloaded,
}

/// A `Get*Entry` outcome or the IRQL, as the note at the end of a keys line says.
#[derive(Clone, PartialEq, Eq, Debug)]
enum Note {
    None,
    Gone,
    QueryFailed(String),
    NotPassive(u8),
}

/// A stable table being read: its header, then its rows.
#[derive(Debug)]
struct Table {
    line: usize,
    pending: bool,
    expected: Option<usize>,
    rows: Vec<Row>,
    /// A row named a named interface `?`: the table came above `PASSIVE_LEVEL`.
    above_passive: bool,
}

/// An interface's first line, waiting for its second.
#[derive(Debug)]
struct HalfInterface {
    /// Index of its step in `Importer::steps`.
    step: usize,
    line: usize,
    change: String,
    family: String,
    index: String,
}

/// The GCRA of `core/src/storm.rs`, per kind: the import adds the clock time the printed
/// lines needed, so that a replay of the scenario prints every one of them.
#[derive(Debug, Default)]
struct Limiter {
    interval: u64,
    tolerance: u64,
    arrival: [u64; 3],
}

impl Limiter {
    fn new(lines_per_second: u32, burst: u32) -> Self {
        let interval = 10_000_000_u64
            .checked_div(u64::from(lines_per_second))
            .unwrap_or(0);
        Self {
            interval,
            tolerance: interval.saturating_mul(u64::from(burst.saturating_sub(1))),
            arrival: [0; 3],
        }
    }

    /// Admits one printed event of `kind` at `now` (ticks); returns the milliseconds the
    /// clock must move first for the driver to print it.
    fn admit(&mut self, kind: Kind, now: u64) -> u64 {
        if self.interval == 0 {
            return 0;
        }
        let Some(arrival) = self.arrival.get_mut(kind.slot()) else {
            return 0;
        };
        let start = (*arrival).max(now);
        let wait = start.saturating_sub(now).saturating_sub(self.tolerance);
        let wait_ms = wait.div_ceil(TICKS_PER_MILLISECOND);
        let now = now.saturating_add(wait_ms.saturating_mul(TICKS_PER_MILLISECOND));
        *arrival = (*arrival).max(now).saturating_add(self.interval);
        wait_ms
    }
}

/// A settings value as a warning line found it.
#[derive(Clone, Debug)]
enum Found {
    Dword(u32),
    /// A `REG_SZ` of that many characters.
    String(usize),
}

impl Found {
    fn json(&self) -> Value {
        match self {
            Self::Dword(value) => Value::from(*value),
            Self::String(characters) => Value::String("x".repeat(*characters)),
        }
    }
}

/// Which of the registration's lines were read.
#[derive(Debug, Default)]
struct Seen {
    /// The `settings` line (or settings made of the `loaded` line).
    settings: bool,
    /// A `stable` pending step was written.
    stable_pending: bool,
    /// The stable table returned at load was read.
    immediate_table: bool,
}

struct Importer {
    /// Steps before the driver loads (settings, stable, failures of registrations...).
    setup: Vec<Step>,
    /// Steps from the load on.
    steps: Vec<Step>,
    notes: Vec<String>,
    phase: Phase,
    /// The effective settings, from the `settings` line (or `loaded`), else the defaults.
    settings: [u32; 7],
    /// What the registration lines said so far.
    seen: Seen,
    /// Values the warning lines found, by setting index: in `Parameters` and in `State`.
    found: [(Option<Found>, Option<Found>); 7],
    names: HashMap<String, (String, String)>,
    irql: u8,
    halves: Vec<HalfInterface>,
    table: Option<Table>,
    limiter: Limiter,
    /// The replay's clock (ticks) and the last `DebugView` time seen (ms).
    now: u64,
    last_time: Option<(u64, bool)>,
    left_out: u64,
    /// Events whose lines were read (an interface's two lines are one).
    printed: u64,
    /// Stable tables whose header was read.
    tables: u64,
    /// Whether a step the driver loads at was written.
    started: bool,
}

/// The text of a captured log, in any encoding `DebugView` saves.
///
/// Read as scenarios are ([`crate::decode_text`]: UTF-8 with or without a byte order mark,
/// UTF-16 with one), and also in a Windows ANSI code page: the driver's lines are printable
/// ASCII, the same in every code page, so bytes that are not UTF-8 (other programs' lines)
/// become U+FFFD and are skipped with those lines.
///
/// # Errors
/// UTF-16 without a byte order mark (NUL bytes), or UTF-16 that does not decode, with how to
/// save the log; the message says "log".
pub fn decode_log(bytes: &[u8]) -> Result<String, String> {
    let text = match crate::decode_text(bytes) {
        Err(_)
            if !bytes.contains(&0)
                && !bytes.starts_with(&[0xFF, 0xFE])
                && !bytes.starts_with(&[0xFE, 0xFF]) =>
        {
            Ok(String::from_utf8_lossy(bytes).into_owned())
        }
        other => other,
    };
    text.map_err(|message| message.replace("the scenario", "the log"))
}

/// Converts captured lines into a scenario.
///
/// # Errors
/// No line contains `netnotify: ` (the message says so).
pub fn import(text: &str) -> Result<Imported, String> {
    let mut importer = Importer {
        setup: Vec::new(),
        steps: Vec::new(),
        notes: Vec::new(),
        phase: Phase::Loading,
        settings: SETTINGS.map(|setting| setting.default),
        seen: Seen::default(),
        found: Default::default(),
        names: HashMap::new(),
        irql: 0,
        halves: Vec::new(),
        table: None,
        limiter: Limiter::new(SETTINGS[LINES_PER_SECOND].default, SETTINGS[BURST].default),
        now: 0,
        last_time: None,
        left_out: 0,
        printed: 0,
        tables: 0,
        started: false,
    };
    let mut any = false;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let Some(at) = raw.find(PREFIX) else {
            continue;
        };
        any = true;
        let before = raw.get(..at).unwrap_or_default();
        let body = raw
            .get(at + PREFIX.len()..)
            .unwrap_or_default()
            .trim_end_matches(['\r', '\n', '\t', ' ']);
        if matches!(importer.phase, Phase::Unloaded | Phase::Failed)
            && (body.starts_with("settings ") || body.starts_with("loaded "))
        {
            importer.note(
                line,
                "the driver loads again here; a scenario holds one load, so this line and the \
                 rest are left out (split the log to import the next load)",
            );
            break;
        }
        if matches!(importer.phase, Phase::Unloaded | Phase::Failed) {
            importer.note(
                line,
                "a line after the driver unloaded or failed to load: left out (a scenario ends \
                 there)",
            );
            continue;
        }
        if let Some(time) = debugview_time(before) {
            importer.time(line, time);
        }
        importer.line(line, body);
    }
    if !any {
        return Err("no line contains \"netnotify: \": nothing to import".to_owned());
    }
    Ok(importer.finish())
}

/// `DebugView`'s saved log: `<sequence>\t<time>\t<text>`. The time is the elapsed seconds
/// (`12.34567890`, the default) or the clock time (`20:27:46`, `20:27:46.123` with Show
/// Milliseconds); returns milliseconds and whether it is a clock time.
fn debugview_time(before: &str) -> Option<(u64, bool)> {
    let mut columns = before.split('\t');
    let sequence = columns.next()?.trim();
    let time = columns.next()?.trim();
    columns.next()?;
    if sequence.is_empty() || !sequence.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    // A 12-hour clock, as some Windows locales show the time.
    let (time, afternoon) = match (time.strip_suffix(" AM"), time.strip_suffix(" PM")) {
        (Some(time), _) => (time, Some(false)),
        (_, Some(time)) => (time, Some(true)),
        _ => (time, None),
    };
    let (whole, fraction) = time.split_once('.').unwrap_or((time, ""));
    if !fraction.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let milliseconds: u64 = format!("{:0<3}", fraction.get(..3).unwrap_or(fraction))
        .parse()
        .ok()?;
    if whole.contains(':') {
        let mut parts = whole.split(':').map(str::parse::<u64>);
        let (hours, minutes, seconds) = (
            parts.next()?.ok()?,
            parts.next()?.ok()?,
            parts.next()?.ok()?,
        );
        if parts.next().is_some() || hours > 23 || minutes > 59 || seconds > 60 {
            return None;
        }
        let hours = match afternoon {
            Some(false) => hours % 12,
            Some(true) => hours % 12 + 12,
            None => hours,
        };
        return Some((
            ((hours * 60 + minutes) * 60 + seconds) * 1000 + milliseconds,
            true,
        ));
    }
    let seconds: u64 = whole.parse().ok()?;
    Some((seconds.checked_mul(1000)?.checked_add(milliseconds)?, false))
}

/// An `NTSTATUS` as the lines print it: `0x` and eight hex digits (fewer: a cut line).
fn ntstatus(text: &str) -> Option<NtStatus> {
    let hex = text.strip_prefix("0x").filter(|hex| hex.len() == 8)?;
    u32::from_str_radix(hex, 16)
        .ok()
        .map(|status| NtStatus(status.cast_signed()))
}

/// The value of a printed field: a number when it is one, else the text as printed.
fn value(text: &str) -> Value {
    if let Ok(number) = text.parse::<u64>() {
        return Value::from(number);
    }
    if let Ok(number) = text.parse::<i64>() {
        return Value::from(number);
    }
    Value::String(text.to_owned())
}

/// A LUID as printed: `ieee80211:2`, kept as text; `999:1(reserved=0x0000AB)` as its raw
/// 64-bit value, which the readable form takes.
fn luid(text: &str) -> Option<Value> {
    let Some((luid, reserved)) = text.split_once("(reserved=0x") else {
        return Some(Value::String(text.to_owned()));
    };
    let reserved = u64::from_str_radix(reserved.strip_suffix(')')?, 16).ok()?;
    let (if_type, index) = luid.split_once(':')?;
    let if_type = IfType::NAMES
        .iter()
        .find(|(_, name)| *name == if_type)
        .map(|(raw, _)| *raw)
        .or_else(|| if_type.parse().ok())?;
    let index: u64 = index.parse().ok().filter(|index| *index < 1 << 24)?;
    Some(Value::from(
        u64::from(if_type) << 48 | index << 24 | (reserved & 0xFF_FFFF),
    ))
}

/// An address or prefix as printed, without the `(invalid)` after a length beyond the
/// family's (the readable form takes the length as it is).
fn address(text: &str) -> Value {
    Value::String(text.trim_end_matches("(invalid)").to_owned())
}

/// The note at the end of a keys line, if any, and the line without it.
fn split_note(rest: &str) -> Result<(&str, Note), String> {
    if !rest.ends_with(')') {
        return Ok((rest, Note::None));
    }
    let Some(at) = rest.rfind(" (") else {
        return Ok((rest, Note::None));
    };
    let (head, note) = (
        rest.get(..at).unwrap_or_default(),
        rest.get(at + 2..rest.len() - 1).unwrap_or_default(),
    );
    if note == "gone before re-query" {
        return Ok((head, Note::Gone));
    }
    if let Some(status) = note.strip_prefix("re-query failed with status ") {
        return Ok((head, Note::QueryFailed(status.to_owned())));
    }
    if let Some(level) = note.strip_prefix("not re-queried at IRQL ") {
        return level
            .parse()
            .map(|level| (head, Note::NotPassive(level)))
            .map_err(|_| format!("the note \"({note})\" names no IRQL"));
    }
    // Not a note: an address's `(invalid)` or a mangled end; the fields will tell.
    Ok((rest, Note::None))
}

/// The fields of a row's text: `key=value` pairs, with the quoted alias (`"` inside it prints
/// as `'`, so the first `"` ends it) and the name (everything up to ` alias=`) kept whole.
fn tokens(text: &str) -> Result<Vec<(String, String, bool)>, String> {
    let mut fields = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let (key, after) = rest
            .split_once('=')
            .filter(|(key, _)| !key.contains(' '))
            .ok_or_else(|| {
                let word = rest.split(' ').next().unwrap_or(rest);
                format!("\"{word}\" is not a field (name=value)")
            })?;
        let quoted = key == "alias" && after.starts_with('"');
        let (value, next) = if quoted {
            let inner = after.get(1..).unwrap_or_default();
            let end = inner
                .find('"')
                .ok_or_else(|| "the alias has no closing quote".to_owned())?;
            (
                inner.get(..end).unwrap_or_default(),
                inner.get(end + 1..).unwrap_or_default(),
            )
        } else if key == "name" && after.contains(" alias=") {
            after
                .split_once(" alias=")
                .map_or((after, ""), |(name, _)| {
                    (name, after.get(name.len()..).unwrap_or_default())
                })
        } else {
            after.split_once(' ').unwrap_or((after, ""))
        };
        fields.push((key.to_owned(), value.to_owned(), quoted));
        rest = next.trim_start();
    }
    Ok(fields)
}

/// What a line says of an interface's names.
#[derive(Clone, PartialEq, Eq, Debug)]
enum Names {
    /// Both known (a name printed `?` with a known alias is the name `?`: it prints the same).
    Known(String, String),
    /// The name only: NETIO could not convert the alias, which no scenario step reproduces.
    NameOnly(String),
    /// Neither.
    Unknown,
}

/// A row's text, parsed: its fields, and the interface's names.
struct Parsed {
    row: Row,
    luid: Option<String>,
    names: Names,
    /// Whether the line printed names (`name=`), known or not.
    has_names: bool,
}

/// Reads the fields after the positional ones: every `key=value` into the row, but `name` and
/// `alias`, which are NETIO's answers for the LUID rather than fields of the row.
fn fields(mut row: Row, text: &str) -> Result<Parsed, String> {
    let mut name = None;
    let mut alias = None;
    let mut luid_text = None;
    for (key, printed, quoted) in tokens(text)? {
        match key.as_str() {
            "name" => name = Some(printed),
            // Known aliases print quoted, an unknown one as a bare `?`.
            "alias" => alias = Some(quoted.then_some(printed)),
            "luid" => {
                let parsed =
                    luid(&printed).ok_or_else(|| format!("luid={printed} is not a LUID"))?;
                luid_text = Some(printed);
                row.push((key, parsed));
            }
            _ => row.push((key, value(&printed))),
        }
    }
    let has_names = name.is_some();
    let names = match (name, alias.flatten()) {
        (Some(name), Some(alias)) => Names::Known(name, alias),
        (Some(name), None) if name != "?" => Names::NameOnly(name),
        _ => Names::Unknown,
    };
    Ok(Parsed {
        row,
        luid: luid_text,
        names,
        has_names,
    })
}

impl Importer {
    fn note(&mut self, line: usize, message: impl AsRef<str>) {
        self.notes
            .push(format!("line {line}: {}", message.as_ref()));
    }

    /// Adds a step: before the load while the driver is loading, else in order.
    fn push(&mut self, step: Step) {
        if self.phase == Phase::Loading {
            self.setup.push(step);
        } else {
            self.started |= !step.is_setup();
            self.steps.push(step);
        }
    }

    /// Moves the replay's clock forward, merging with a clock step just written.
    fn advance(&mut self, line: usize, milliseconds: u64) {
        if milliseconds == 0 {
            return;
        }
        self.now = self
            .now
            .saturating_add(milliseconds.saturating_mul(TICKS_PER_MILLISECOND));
        if !self.started {
            // The replay loads at its first event: time before that paces nothing, and the
            // limiter's clock starts at the load.
            return;
        }
        if let Some(last) = self.steps.last_mut()
            && let Some((_, Json::Value(Value::String(step)))) = last.fields.first()
            && step == "clock"
            && let Some((_, Json::Value(advance))) = last.fields.get_mut(1)
        {
            *advance = Value::from(advance.as_u64().unwrap_or(0).saturating_add(milliseconds));
            last.last_line = line;
            return;
        }
        self.steps.push(Step::new(
            line,
            vec![
                ("step", text("clock")),
                ("advance_ms", Json::Value(Value::from(milliseconds))),
            ],
        ));
    }

    /// A `DebugView` time column: the clock moves by the time since the last line.
    fn time(&mut self, line: usize, (time, clock): (u64, bool)) {
        let previous = self.last_time.replace((time, clock));
        let Some((previous, _)) = previous else {
            return;
        };
        let elapsed = if time >= previous {
            time - previous
        } else if clock {
            // Past midnight.
            time + DAY_MS - previous
        } else {
            // The display was cleared: the elapsed time starts again at 0.
            0
        };
        self.advance(line, elapsed);
    }

    fn set_irql(&mut self, line: usize, level: u8) {
        if level > 2 {
            // NETIO's callbacks never run above DISPATCH_LEVEL (docs/netio.md#irql).
            self.note(
                line,
                format!("IRQL {level}: a scenario's callbacks run at 0 to 2; the IRQL stays"),
            );
            return;
        }
        if self.phase == Phase::Loaded && !self.started && level != 0 {
            // The replay loads at its first event, and DriverEntry refuses to load above
            // PASSIVE_LEVEL.
            self.note(
                line,
                format!(
                    "the driver's first event ran at IRQL {level}; the scenario loads the driver \
                     at its first event, which cannot be above PASSIVE_LEVEL: it plays at \
                     PASSIVE_LEVEL"
                ),
            );
            return;
        }
        if self.irql != level {
            self.irql = level;
            self.push(Step::new(
                line,
                vec![
                    ("step", text("irql")),
                    ("level", Json::Value(Value::from(level))),
                ],
            ));
        }
    }

    /// The names a line printed for a LUID: a `name` step the first time (or when they
    /// change); unknown names of a named interface mean the callback ran above
    /// `PASSIVE_LEVEL`, where the driver does not ask (a scenario cannot unname it).
    /// `passive`: the line shows the callback ran at `PASSIVE_LEVEL`.
    fn names(&mut self, line: usize, parsed: &Parsed, passive: bool) {
        let Some(luid_text) = &parsed.luid else {
            return;
        };
        if !parsed.has_names {
            return;
        }
        match &parsed.names {
            Names::Known(name, alias) => {
                self.set_irql(line, 0);
                if self.names.get(luid_text) != Some(&(name.clone(), alias.clone())) {
                    self.names
                        .insert(luid_text.clone(), (name.clone(), alias.clone()));
                    let luid_value =
                        luid(luid_text).unwrap_or_else(|| Value::String(luid_text.clone()));
                    self.push(Step::new(
                        line,
                        vec![
                            ("step", text("name")),
                            ("luid", Json::Value(luid_value)),
                            ("name", text(name)),
                            ("alias", text(alias)),
                        ],
                    ));
                }
            }
            Names::NameOnly(name) => self.note(
                line,
                format!(
                    "{luid_text} has the name {name} but no alias: no scenario step makes \
                     NETIO fail the alias alone; the interface stays unnamed in the scenario"
                ),
            ),
            Names::Unknown if self.names.contains_key(luid_text) => {
                if passive {
                    self.note(
                        line,
                        format!(
                            "the names of {luid_text} are unknown here, though an earlier line \
                             named it and this one ran at PASSIVE_LEVEL: a scenario cannot \
                             unname an interface, so the replay prints its names"
                        ),
                    );
                } else if self.irql == 0 {
                    self.set_irql(line, 1);
                }
            }
            Names::Unknown => {}
        }
    }

    fn line(&mut self, line: usize, body: &str) {
        let (word, rest) = body.split_once(' ').unwrap_or((body, ""));
        if self.table.is_some() && !(word == "stable-table" && rest.starts_with('[')) {
            self.end_table();
        }
        match word {
            "interface" => self.event(line, Kind::Interface, rest),
            "address" => self.event(line, Kind::Address, rest),
            "route" => self.event(line, Kind::Route, rest),
            "stable-table" => self.stable_line(line, rest),
            "settings" => self.settings_line(line, rest),
            "loaded" => self.loaded_line(line, rest),
            "unloaded" => {
                self.counted(line, rest);
                self.end_load(line);
                self.phase = Phase::Loaded;
                self.push(Step::new(line, vec![("step", text("unload"))]));
                self.phase = Phase::Unloaded;
            }
            "storm:" => self.storm_line(line, body),
            "warning:" => self.warning_line(line, rest),
            "error:" => self.error_line(line, rest),
            _ => self.note(
                line,
                format!(
                    "\"{}\" is not a line netnotify prints: left out",
                    shorten(body)
                ),
            ),
        }
    }

    /// The driver is loaded: what the registration lines said is complete.
    fn end_load(&mut self, line: usize) {
        if self.phase != Phase::Loading {
            return;
        }
        if !self.seen.settings {
            self.settings_step(line);
            self.seen.settings = true;
        }
        self.phase = Phase::Loaded;
    }

    fn event(&mut self, line: usize, kind: Kind, rest: &str) {
        if self.phase == Phase::Unloaded || self.phase == Phase::Failed {
            self.note(line, "an event after the driver unloaded: left out");
            return;
        }
        let (change, rest) = rest.split_once(' ').unwrap_or((rest, ""));
        // One event each, but an interface's second line (which repeats no LUID).
        if kind != Kind::Interface || rest == "(no row)" || rest.contains("luid=") {
            self.printed += 1;
        }
        let change_value = match change {
            "add" | "delete" | "parameter" | "initial" => Value::String(change.to_owned()),
            _ => {
                let Some(Ok(raw)) = change.strip_prefix("type=").map(str::parse::<i32>) else {
                    self.note(
                        line,
                        format!(
                            "\"{change}\" is not a change (add, delete, parameter, initial or \
                             type=<n>): left out"
                        ),
                    );
                    return;
                };
                Value::from(raw)
            }
        };
        if rest == "(no row)" {
            if self.phase == Phase::Loading && change == "initial" {
                // The registration's own initial notification: it comes back by itself.
                let wait = self.limiter.admit(kind, self.now);
                self.advance(line, wait);
                return;
            }
            self.loaded_by_event(line);
            self.change_step(
                line,
                kind,
                change_value,
                kind.placeholder(),
                Some("null"),
                None,
            );
            return;
        }
        self.loaded_by_event(line);
        let cut = rest.ends_with(CUT);
        // The last field may be cut in its middle: it goes too.
        let rest = rest.strip_suffix(CUT).map_or(rest, |rest| {
            rest.rsplit_once(' ').map_or(rest, |(head, _)| head)
        });
        if cut {
            self.note(
                line,
                "cut at the 512-byte limit (it ends with [...]): the fields after the cut are \
                 zero in the scenario",
            );
        }
        // Checked before any step is written for it (a name, a failure, an IRQL).
        let parsed = split_note(rest).and_then(|(rest, note)| {
            let (positional, rest) = positional(kind, rest)?;
            let parsed = fields(positional, rest)?;
            kind.check(&parsed.row)?;
            Ok((parsed, note))
        });
        let (parsed, note) = match parsed {
            Ok(parsed) => parsed,
            Err(message) => {
                self.note(line, format!("{message}: the line is left out"));
                return;
            }
        };
        let full = kind.is_full(&parsed.row);
        let requery = self.settings[REQUERY] != 0 && self.settings[VERBOSITY] == 2;
        let state_change = matches!(change, "add" | "parameter");
        let passive = match &note {
            Note::Gone | Note::QueryFailed(_) => true,
            Note::NotPassive(_) => false,
            Note::None => full && requery && state_change,
        };
        // The second line of an interface's full state.
        if kind == Kind::Interface && parsed.luid.is_none() {
            self.second_half(line, change, &parsed.row);
            return;
        }
        if let Note::NotPassive(level) = note {
            self.set_irql(line, level);
        }
        self.names(line, &parsed, passive);
        if passive && self.irql != 0 {
            self.set_irql(line, 0);
        }
        self.query_failure(line, kind, &note);
        // Without re-query the driver prints the row NETIO delivered: deliver all of it.
        let deliver = (full && !requery).then_some("full");
        if kind == Kind::Interface && full && !cut {
            let (family, index) = (field(&parsed.row, "family"), field(&parsed.row, "if"));
            self.change_step(
                line,
                kind,
                change_value,
                parsed.row,
                deliver,
                Some((change.to_owned(), family, index)),
            );
            return;
        }
        self.change_step(line, kind, change_value, parsed.row, deliver, None);
    }

    /// A re-query that failed: the same failure, injected into the same call.
    fn query_failure(&mut self, line: usize, kind: Kind, note: &Note) {
        let status = match note {
            // The driver prints this for STATUS_NOT_FOUND (core/src/events.rs).
            Note::Gone => NtStatus::NOT_FOUND,
            Note::QueryFailed(status) => {
                let Some(status) = ntstatus(status) else {
                    self.note(line, format!("\"{status}\" is not an NTSTATUS: no failure"));
                    return;
                };
                status
            }
            Note::None | Note::NotPassive(_) => return,
        };
        let status = status.to_string();
        self.push(Step::new(
            line,
            vec![
                ("step", text("fail")),
                ("call", text(kind.query())),
                ("status", text(&status)),
            ],
        ));
    }

    /// An event line before any `loaded` line: the capture began after the driver loaded.
    fn loaded_by_event(&mut self, line: usize) {
        if self.phase == Phase::Loading {
            if !self.seen.settings {
                self.note(
                    line,
                    "an event before the driver's settings and loaded lines: the capture began \
                     after it loaded; the scenario uses the default settings",
                );
            }
            self.end_load(line);
        }
    }

    fn change_step(
        &mut self,
        line: usize,
        kind: Kind,
        change: Value,
        row: Row,
        deliver: Option<&'static str>,
        half: Option<(String, String, String)>,
    ) {
        if half.is_none()
            && let Err(message) = kind.check(&row)
        {
            self.note(line, format!("{message}: the line is left out"));
            return;
        }
        let wait = self.limiter.admit(kind, self.now);
        if wait != 0 && !self.started {
            self.note(
                line,
                "the registration's initial lines spent storm control's burst, and the scenario \
                 loads the driver at its first event, with no time between them: the replay \
                 may leave this event out",
            );
        }
        self.advance(line, wait);
        let mut fields = vec![
            ("step", text(kind.name())),
            ("type", Json::Value(change)),
            ("row", Json::Row(row)),
        ];
        if let Some(deliver) = deliver {
            fields.push(("deliver", text(deliver)));
        }
        let step = Step::new(line, fields);
        if let Some((change, family, index)) = half {
            self.halves.push(HalfInterface {
                step: self.steps.len(),
                line,
                change,
                family,
                index,
            });
            self.started = true;
            self.steps.push(step);
            return;
        }
        // The same event again: one step that repeats.
        let last_is_half = self
            .halves
            .iter()
            .any(|half| half.step + 1 == self.steps.len());
        if !last_is_half
            && let Some(last) = self.steps.last_mut()
            && last.is_change()
            && last.fields == step.fields
            && last.repeat < MAX_REPEAT
        {
            last.repeat += 1;
            last.last_line = line;
            return;
        }
        self.started = true;
        self.steps.push(step);
    }

    /// An interface's second line: joined to its first (lines of concurrent events may come
    /// between them).
    fn second_half(&mut self, line: usize, change: &str, row: &Row) {
        let (family, index) = (field(row, "family"), field(row, "if"));
        let Some(position) = self
            .halves
            .iter()
            .position(|half| half.change == change && half.family == family && half.index == index)
        else {
            self.note(
                line,
                format!(
                    "the second line of an interface (family={family} if={index}) whose first \
                     line is not in the log: left out"
                ),
            );
            return;
        };
        let half = self.halves.remove(position);
        let Some(step) = self.steps.get_mut(half.step) else {
            return;
        };
        step.last_line = line;
        let mut problem = None;
        for (name, value) in &mut step.fields {
            if *name == "row"
                && let Json::Row(first) = value
            {
                first.extend(
                    row.iter()
                        .filter(|(field, _)| field != "family" && field != "if")
                        .cloned(),
                );
                problem = Kind::Interface.check(first).err();
            }
        }
        if let Some(message) = problem {
            self.note(
                line,
                format!(
                    "{message}: the interface of lines {} and {line} is left out",
                    half.line
                ),
            );
            // Neutralised rather than removed: later indices stay valid.
            if let Some(step) = self.steps.get_mut(half.step) {
                step.fields = vec![("comment", text("an interface left out"))];
            }
        }
    }

    fn stable_line(&mut self, line: usize, rest: &str) {
        if let Some(position) = rest.strip_prefix('[') {
            let Some((_, row_text)) = position.split_once("] ") else {
                self.note(line, "a stable-table row without its position: left out");
                return;
            };
            let parsed = positional(Kind::Address, row_text).and_then(|(row, rest)| {
                let parsed = fields(row, rest)?;
                Kind::Address.check(&parsed.row).map(|()| parsed)
            });
            match parsed {
                Err(message) => self.note(line, format!("{message}: the row is left out")),
                Ok(parsed) => {
                    if self.table.is_none() {
                        self.note(line, "a stable-table row without its header: left out");
                        return;
                    }
                    let above_passive = parsed.names == Names::Unknown
                        && parsed
                            .luid
                            .as_ref()
                            .is_some_and(|luid| self.names.contains_key(luid));
                    self.names(line, &parsed, false);
                    let complete = self.table.as_mut().is_some_and(|table| {
                        table.above_passive |= above_passive;
                        table.rows.push(parsed.row);
                        table.expected == Some(table.rows.len())
                    });
                    // Ended here rather than at the next line, whose time may move the clock.
                    if complete {
                        self.end_table();
                    }
                }
            }
            return;
        }
        let (completion, entries) = rest.split_once(' ').unwrap_or((rest, ""));
        let expected = if entries == "(no table)" {
            None
        } else if let Some(Ok(count)) = entries.strip_prefix("entries=").map(str::parse::<usize>) {
            Some(count)
        } else {
            self.note(
                line,
                format!("\"{rest}\" is not a stable-table header: left out"),
            );
            return;
        };
        let pending = match completion {
            "pending" => true,
            "immediate" => false,
            _ => {
                self.note(
                    line,
                    format!("\"{completion}\" is neither immediate nor pending"),
                );
                return;
            }
        };
        if pending {
            self.loaded_by_event(line);
            if !self.seen.stable_pending {
                self.seen.stable_pending = true;
                self.setup.push(pending_step(line));
            }
        }
        self.table = Some(Table {
            line,
            pending,
            expected,
            rows: Vec::new(),
            above_passive: false,
        });
        if expected == Some(0) || expected.is_none() {
            self.end_table();
        }
    }

    fn end_table(&mut self) {
        let Some(table) = self.table.take() else {
            return;
        };
        if let Some(expected) = table.expected
            && table.rows.len() != expected
        {
            self.note(
                table.line,
                format!(
                    "the stable table has entries={expected} but {} rows follow: the scenario \
                     has those",
                    table.rows.len()
                ),
            );
        }
        let rows = table.expected.map(|_| table.rows);
        self.tables += 1;
        if !table.pending {
            self.seen.immediate_table = true;
        }
        if table.pending {
            if self.irql >= 2 {
                self.set_irql(table.line, u8::from(table.above_passive));
            }
            self.push(Step::new(
                table.line,
                vec![
                    ("step", text("stable-complete")),
                    ("rows", Json::Rows(rows)),
                ],
            ));
        } else if rows.as_ref().is_none_or(|rows| !rows.is_empty()) {
            // An immediate table is the registration's: before the load.
            self.setup.push(Step::new(
                table.line,
                vec![
                    ("step", text("stable")),
                    ("completion", text("immediate")),
                    ("rows", Json::Rows(rows)),
                ],
            ));
        }
    }

    fn settings_line(&mut self, line: usize, rest: &str) {
        let mut values = self.settings;
        let mut overrides: Vec<String> = Vec::new();
        for (key, value) in rest.split(' ').filter_map(|field| field.split_once('=')) {
            if key == "overrides" {
                overrides = value.split(',').map(str::to_owned).collect();
            } else if let Some(index) = SETTINGS.iter().position(|setting| setting.name == key)
                && let (Some(slot), Ok(value)) = (values.get_mut(index), value.parse())
            {
                *slot = value;
            } else {
                self.note(line, format!("\"{key}={value}\" is not a setting: ignored"));
            }
        }
        self.settings = values;
        self.seen.settings = true;
        if values[VERBOSITY] == 0 {
            self.note(
                line,
                "Verbosity=0: the driver printed no event, so the scenario has none (the \
                 unloaded line counts them, and they cannot come back)",
            );
        }
        self.limiter = Limiter::new(values[LINES_PER_SECOND], values[BURST]);
        let mut parameters = Vec::new();
        let mut state = Vec::new();
        for (index, setting) in SETTINGS.iter().enumerate() {
            let overridden = overrides.iter().any(|name| name == setting.name);
            let value = values.get(index).copied().unwrap_or(setting.default);
            let (found_parameters, found_state) =
                self.found.get(index).cloned().unwrap_or_default();
            if let Some(found) = found_parameters {
                parameters.push((setting.name, found.json()));
            } else if !overridden && value != setting.default {
                parameters.push((setting.name, Value::from(value)));
            }
            if overridden {
                state.push((setting.name, Value::from(value)));
            } else if let Some(found) = found_state {
                state.push((setting.name, found.json()));
            }
        }
        self.push_settings(line, parameters, None);
        self.push_settings(line, state, Some("State"));
    }

    fn push_settings(&mut self, line: usize, values: Vec<(&str, Value)>, key: Option<&str>) {
        if values.is_empty() {
            return;
        }
        let row = values
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect();
        let mut fields = vec![("step", text("settings"))];
        if let Some(key) = key {
            fields.push(("key", text(key)));
        }
        fields.push(("values", Json::Row(row)));
        self.setup.push(Step::new(line, fields));
    }

    /// Settings without a `settings` line: the defaults, and what `loaded` says.
    fn settings_step(&mut self, line: usize) {
        let mut parameters = Vec::new();
        let mut state = Vec::new();
        for (index, setting) in SETTINGS.iter().enumerate() {
            let value = self.settings.get(index).copied().unwrap_or(setting.default);
            let (found_parameters, found_state) =
                self.found.get(index).cloned().unwrap_or_default();
            if let Some(found) = found_parameters {
                parameters.push((setting.name, found.json()));
            } else if value != setting.default {
                parameters.push((setting.name, Value::from(value)));
            }
            if let Some(found) = found_state {
                state.push((setting.name, found.json()));
            }
        }
        self.push_settings(line, parameters, None);
        self.push_settings(line, state, Some("State"));
    }

    fn loaded_line(&mut self, line: usize, rest: &str) {
        if !self.seen.settings {
            for (key, value) in rest.split(' ').filter_map(|field| field.split_once('=')) {
                match key {
                    "registered" => {
                        let bits = value.split(',').fold(0, |bits, name| {
                            Notification::ALL
                                .iter()
                                .position(|notification| notification.name() == name)
                                .map_or(bits, |position| bits | 1 << position)
                        });
                        self.settings[NOTIFICATIONS] = bits;
                    }
                    "family" => {
                        self.settings[FAMILY] = match value {
                            "ipv4" => 4,
                            "ipv6" => 6,
                            _ => 0,
                        };
                    }
                    "initial" => self.settings[INITIAL] = u32::from(value == "yes"),
                    _ => {}
                }
            }
        }
        // A table returned at once whose lines are not in the log (`Verbosity=0`): `loaded`
        // says how many rows it had, not what they were.
        if let Some(entries) = rest
            .split_once(" stable-table=immediate entries=")
            .and_then(|(_, entries)| entries.split(' ').next()?.parse::<usize>().ok())
            .filter(|entries| *entries != 0 && !self.seen.immediate_table)
        {
            // Of the registration's family, or NETIO would not return them.
            let address = if self.settings[FAMILY] == 6 {
                "::"
            } else {
                "0.0.0.0"
            };
            self.note(
                line,
                format!(
                    "the stable table returned at load had {entries} rows, which are not in the \
                     lines: the scenario's are zero (address {address})"
                ),
            );
            let key = Kind::Address.fields().first().copied().unwrap_or_default();
            let row = vec![(key.to_owned(), Value::String(address.to_owned()))];
            let rows = vec![row; entries.min(1000)];
            self.setup.push(Step::new(
                line,
                vec![
                    ("step", text("stable")),
                    ("completion", text("immediate")),
                    ("rows", Json::Rows(Some(rows))),
                ],
            ));
            self.tables += 1;
        }
        // A NULL table returned at once prints no header: `loaded` alone says so.
        if rest.contains(" stable-table=immediate (no table)") {
            self.setup.push(Step::new(
                line,
                vec![
                    ("step", text("stable")),
                    ("completion", text("immediate")),
                    ("rows", Json::Rows(None)),
                ],
            ));
        }
        if rest.contains(" stable-table=pending") && !self.seen.stable_pending {
            self.seen.stable_pending = true;
            self.setup.push(pending_step(line));
        }
        self.end_load(line);
    }

    /// The `unloaded` line's counters (events and stable tables) against the lines read: the
    /// difference is what the lines do not show, beyond the storm summaries (a summary that a
    /// kept registration never let print, or `Verbosity=0`).
    fn counted(&mut self, line: usize, rest: &str) {
        let mut counted: u64 = 0;
        for kind in ["interface(", "address(", "route("] {
            let Some((_, counts)) = rest.split_once(kind) else {
                continue;
            };
            let counts = counts.split(')').next().unwrap_or_default();
            counted = counts
                .split(' ')
                .filter_map(|field| field.split_once('=')?.1.parse::<u64>().ok())
                .fold(counted, u64::saturating_add);
        }
        // Stable tables count as notifications too.
        let tables = rest
            .split_once("stable-table(tables=")
            .and_then(|(_, tables)| tables.split(' ').next()?.parse::<u64>().ok())
            .unwrap_or(0);
        let hidden = counted
            .saturating_sub(self.printed)
            .saturating_add(tables.saturating_sub(self.tables));
        if hidden > self.left_out {
            self.note(
                line,
                format!(
                    "the unloaded line counts {} more than the lines and their storm summaries \
                     show (left out by storm control or by the verbosity, or lines missing from \
                     the log): they cannot come back",
                    match hidden - self.left_out {
                        1 => "1 event".to_owned(),
                        more => format!("{more} events"),
                    }
                ),
            );
            self.left_out = hidden;
        }
    }

    fn storm_line(&mut self, line: usize, body: &str) {
        let counts: u64 = body
            .split(' ')
            .filter_map(|field| field.split_once('='))
            .filter_map(|(_, count)| count.parse::<u64>().ok())
            .sum();
        self.left_out = self.left_out.saturating_add(counts);
        let step = Step::new(
            line,
            vec![(
                "comment",
                Json::Value(Value::String(format!(
                    "line {line}: {body} (left out of the lines by storm control: they cannot \
                     come back)"
                ))),
            )],
        );
        self.push(step);
    }

    fn warning_line(&mut self, line: usize, rest: &str) {
        // The ETW provider could not be registered: the driver loads without it.
        if let Some(status) = rest
            .strip_prefix("EtwRegister failed with status ")
            .and_then(|status| ntstatus(status.split(';').next()?))
            .filter(|status| status.is_error())
        {
            self.push(Step::new(
                line,
                vec![
                    ("step", text("fail")),
                    ("call", text("EtwRegister")),
                    ("status", text(&status.to_string())),
                ],
            ));
            return;
        }
        let Some(setting) = rest.strip_prefix("setting ") else {
            self.note(
                line,
                format!(
                    "\"warning: {}\": no scenario step makes the driver print it; left out",
                    shorten(rest)
                ),
            );
            return;
        };
        let (name, rest) = setting.split_once(": found ").unwrap_or((setting, ""));
        let (name, in_state) = name
            .strip_suffix(" in State")
            .map_or((name, false), |name| (name, true));
        let found = rest.split_once(';').map_or(rest, |(found, _)| found);
        let value = found.parse().map(Found::Dword).ok().or_else(|| {
            found
                .strip_prefix("registry type 1, ")
                .and_then(|size| size.strip_suffix(" bytes"))
                .and_then(|size| size.parse::<usize>().ok())
                .filter(|size| size % 2 == 0 && *size >= 2)
                .map(|size| Found::String(size / 2 - 1))
        });
        let index = SETTINGS.iter().position(|setting| setting.name == name);
        match (index.and_then(|index| self.found.get_mut(index)), value) {
            (Some(slot), Some(value)) => {
                if in_state {
                    slot.1 = Some(value);
                } else {
                    slot.0 = Some(value);
                }
            }
            _ => self.note(
                line,
                format!(
                    "the setting warning \"{}\" names a value a scenario cannot hold (numbers \
                     and REG_SZ strings only): left out",
                    shorten(rest)
                ),
            ),
        }
    }

    fn error_line(&mut self, line: usize, rest: &str) {
        let error_of = |text: &str| {
            text.split_once("status ")
                .and_then(|(_, status)| ntstatus(status.split([';', ' ']).next()?))
                .filter(|status| status.is_error())
                .map(|status| status.to_string())
        };
        let function = rest.split(' ').next().unwrap_or_default();
        let registration = Notification::ALL
            .into_iter()
            .find(|notification| notification.function() == function);
        if let Some(level) = rest
            .strip_prefix("DriverEntry called at IRQL ")
            .and_then(|level| level.split(',').next())
            .and_then(|level| level.parse::<u8>().ok())
        {
            self.set_irql(line, level);
            self.phase = Phase::Failed;
        } else if let Some(kind) = rest
            .strip_prefix("CancelMibChangeNotify2 for ")
            .and_then(|rest| rest.split(' ').next())
            .filter(|kind| Notification::ALL.iter().any(|n| n.name() == *kind))
            && let Some(status) = error_of(rest)
        {
            self.push(Step::new(
                line,
                vec![
                    ("step", text("fail")),
                    ("call", text("CancelMibChangeNotify2")),
                    ("status", text(&status)),
                    ("notification", text(kind)),
                ],
            ));
        } else if let Some(notification) = registration
            && rest.contains(" without a handle")
        {
            self.push(Step::new(
                line,
                vec![
                    ("step", text("null-handle")),
                    ("call", text(notification.function())),
                ],
            ));
        } else if (registration.is_some() || function == "IoCreateDevice")
            && rest.contains(" failed with status ")
            && let Some(status) = error_of(rest)
        {
            self.push(Step::new(
                line,
                vec![
                    ("step", text("fail")),
                    ("call", text(function)),
                    ("status", text(&status)),
                ],
            ));
            if rest.ends_with("not loading") {
                self.phase = Phase::Failed;
            } else if rest.ends_with("stays loaded (unload disabled)") {
                // A rollback whose cancel failed: loaded for good, with no `loaded` line.
                self.end_load(line);
            }
        } else if let Some(level) = rest
            .strip_prefix("stable-table pending delivered at IRQL ")
            .and_then(|level| level.split(':').next())
            .and_then(|level| level.parse::<u8>().ok())
        {
            self.loaded_by_event(line);
            if !self.seen.stable_pending {
                self.seen.stable_pending = true;
                self.setup.push(pending_step(line));
            }
            self.set_irql(line, level);
            self.tables += 1;
            self.push(Step::new(
                line,
                vec![
                    ("step", text("stable-complete")),
                    ("rows", Json::Rows(Some(Vec::new()))),
                ],
            ));
        } else if rest.starts_with("unload requested") {
            self.phase = Phase::Loaded;
            self.push(Step::new(line, vec![("step", text("unload"))]));
            self.phase = Phase::Unloaded;
        } else {
            self.note(
                line,
                format!(
                    "\"error: {}\": no scenario step makes the driver print it; left out",
                    shorten(rest)
                ),
            );
        }
    }

    fn finish(mut self) -> Imported {
        self.end_table();
        if self.phase == Phase::Loading && !self.seen.settings {
            self.settings_step(0);
        }
        for half in std::mem::take(&mut self.halves) {
            let problem = self.steps.get(half.step).and_then(|step| {
                step.fields.iter().find_map(|(name, value)| match value {
                    Json::Row(row) if *name == "row" => Kind::Interface.check(row).err(),
                    _ => None,
                })
            });
            self.note(
                half.line,
                "an interface's first line whose second line (its IP settings) is not in the \
                 log: those settings are zero in the scenario",
            );
            if let Some(message) = problem {
                self.note(half.line, format!("{message}: the interface is left out"));
                if let Some(step) = self.steps.get_mut(half.step) {
                    step.fields = vec![("comment", text("an interface left out"))];
                }
            }
        }
        let mut scenario = String::new();
        for step in self.setup.iter().chain(&self.steps) {
            step.write(&mut scenario);
            scenario.push('\n');
        }
        Imported {
            scenario,
            notes: self.notes,
            left_out: self.left_out,
        }
    }
}

fn pending_step(line: usize) -> Step {
    Step::new(
        line,
        vec![("step", text("stable")), ("completion", text("pending"))],
    )
}

/// A row field's value as text, for matching an interface's two lines.
fn field(row: &Row, name: &str) -> String {
    row.iter()
        .find(|(field, _)| field == name)
        .map(|(_, value)| match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
        .unwrap_or_default()
}

/// The fields a row prints before its `key=value` pairs: an address's `<address>`, a route's
/// `<destination> via <next hop>` or `<destination> on-link`.
fn positional(kind: Kind, text: &str) -> Result<(Row, &str), String> {
    match kind {
        Kind::Interface => Ok((Vec::new(), text)),
        Kind::Address => {
            let (address_text, rest) = text.split_once(' ').unwrap_or((text, ""));
            Ok((vec![("address".to_owned(), address(address_text))], rest))
        }
        Kind::Route => {
            let mut words = text.splitn(3, ' ');
            let destination = words.next().unwrap_or_default();
            let mut row = vec![("destination".to_owned(), address(destination))];
            match words.next() {
                Some("on-link") => {
                    let rest = text
                        .get(destination.len() + " on-link".len()..)
                        .unwrap_or_default();
                    Ok((row, rest))
                }
                Some("via") => {
                    let rest = words.next().unwrap_or_default();
                    let (hop, rest) = rest.split_once(' ').unwrap_or((rest, ""));
                    row.push(("via".to_owned(), address(hop)));
                    Ok((row, rest))
                }
                _ => Err(format!(
                    "the route {destination} has neither \"via <next hop>\" nor \"on-link\""
                )),
            }
        }
    }
}

/// A line as a note quotes it: at most 60 characters.
fn shorten(text: &str) -> String {
    if text.chars().count() <= 60 {
        return text.to_owned();
    }
    let cut: String = text.chars().take(57).collect();
    format!("{cut}...")
}

/// The fuzz check (`fuzz/` and its regression tests): any bytes as a captured log.
///
/// Importing never panics, and what it writes is always a scenario that parses and plays
/// without NETIO misuse ([`crate::check_scenario_bytes`]).
///
/// # Panics
/// If the import wrote a scenario the reader refuses, or the driver misbehaved on it.
pub fn check_import_bytes(data: &[u8]) {
    let Ok(text) = decode_log(data) else {
        return;
    };
    let Ok(imported) = import(&text) else {
        return;
    };
    if let Err(error) = crate::parse(&imported.scenario) {
        panic!(
            "the import wrote a bad scenario: {error}\n{}",
            imported.scenario
        );
    }
    crate::check_scenario_bytes(imported.scenario.as_bytes());
}
