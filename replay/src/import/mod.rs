//! `cargo replay --import`: the lines a user saw, back into a scenario.
//!
//! This module owns the conversion of captured driver lines (a `DebugView` saved log, `WinDbg`
//! output, or any text whose lines contain `netnotify: `) into a JSON Lines scenario
//! (docs/replay.md) that replays to the same event lines. It reads each line as docs/lines.md
//! describes it: an event line becomes a step with a readable row ([`crate::readable`], whose
//! field tables it checks every row against), an interface's two lines are joined again, the
//! driver's own lines become the steps that produce them (`settings`, `fail`, `null-handle`,
//! `stable`, `irql`, `name`, `stack`, `unload`), `DebugView`'s time column becomes `clock` steps, and a
//! storm summary becomes a comment: the events storm control left out of the lines cannot
//! come back.
//!
//! This file holds the loop over the lines; `state` the state carried from line to line,
//! `text` reads a line's text, `kind` what differs per kind of event line, `step` writes the
//! scenario's steps, `events` converts the event lines, `stable` the stable table's,
//! `driver` the driver's own lines, and `decided` what lines that carry the driver's
//! decisions add. The readers import `state`, `text`, `kind` and `step`, and none imports
//! this file or another reader (`ci/import-cycles/check.py`).
//!
//! The watcher's lines carry every event, those storm control kept out marked `[kept out] `:
//! such lines import with the driver's decisions (`decided`), each change step saying
//! whether its line was printed, so that the storm summaries come back too.
//! `cargo replay --json`'s objects (the watcher's `--json` output) are read too: `objects`
//! turns them into the watcher's lines (through the ETW event of each record, read back by
//! field name as the watcher reads it), which are then imported with their decisions.
//!
//! Nothing here panics on any input: a line cut at the 512-byte limit or mangled by a viewer
//! gives a note naming its line number, and the conversion goes on.

use std::collections::HashMap;

use netnotify_core::model::settings::SETTINGS;
use netnotify_core::output::render::KEPT_OUT;
use serde_json::Value;

use kind::Kind;
use state::{BURST, Importer, LINES_PER_SECOND, Limiter, Phase, Seen, TICKS_PER_MILLISECOND};
use step::{Json, Step, text};
use text::{debugview_time, shorten};

mod decided;
mod driver;
mod events;
mod kind;
mod objects;
mod stable;
mod state;
mod step;
mod text;

/// What every driver line starts with.
const PREFIX: &str = "netnotify: ";

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
    let watched = text.lines().any(is_watchers);
    import_lines(text, watched)
}

/// Whether a line is one only the watcher prints (docs/lines.md, "Events as lines"): an
/// event's line marked kept out, a rundown's `present` event or its `counters`.
fn is_watchers(line: &str) -> bool {
    let Some(at) = line.find(PREFIX) else {
        return false;
    };
    let (before, body) = (&line[..at], &line[at + PREFIX.len()..]);
    let mut words = body.split(' ');
    let (first, second) = (words.next(), words.next());
    before.ends_with(KEPT_OUT)
        || first == Some("counters")
        || (matches!(first, Some("interface" | "address" | "route")) && second == Some("present"))
}

/// Converts the lines of every event the driver wrote into a scenario that carries the
/// driver's decisions.
///
/// The lines are as the watcher prints them (those storm control or the verbosity kept out
/// marked `[kept out] `); the decisions are each change step's `printed` (docs/replay.md), and the
/// clock its storm summaries need (`decided`). [`import`] does this by itself for lines
/// with a marked one and for `--json` objects; the watcher's `--scenario` asks for it
/// whatever its events were.
///
/// # Errors
/// No line contains `netnotify: ` (the message says so).
pub fn import_decisions(text: &str) -> Result<Imported, String> {
    import_lines(text, true)
}

fn import_lines(text: &str, decided: bool) -> Result<Imported, String> {
    // `cargo replay --json`'s objects (the watcher's `--json`): their lines first, each kept-out
    // event's marked, so the objects' `printed` bits are the scenario's.
    let mut object_notes = Vec::new();
    let from_objects;
    let (numbered, decided): (Box<dyn Iterator<Item = (usize, &str)>>, bool) =
        if objects::is_objects(text) {
            from_objects = objects::lines(text, &mut object_notes);
            let lines = from_objects
                .iter()
                .map(|(line, text)| (*line, text.as_str()));
            (Box::new(lines), true)
        } else {
            (
                Box::new(
                    text.lines()
                        .enumerate()
                        .map(|(index, raw)| (index + 1, raw)),
                ),
                decided,
            )
        };
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
        decided,
        kept: false,
        episodes: Default::default(),
        storms: Vec::new(),
    };
    let mut any = false;
    for (line, raw) in numbered {
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
        if importer.decided {
            // The driver's decisions are carried, and the clock is made for its storm
            // summaries alone (`decided`): a time column paces nothing.
            importer.kept = before.ends_with(KEPT_OUT);
            importer.before_line(body);
        } else if let Some(time) = debugview_time(before) {
            importer.time(line, time);
        }
        importer.line(line, body);
    }
    if !any {
        return Err("no line contains \"netnotify: \": nothing to import".to_owned());
    }
    let mut result = importer.finish();
    object_notes.append(&mut result.notes);
    result.notes = object_notes;
    Ok(result)
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

    fn line(&mut self, line: usize, body: &str) {
        let (word, rest) = body.split_once(' ').unwrap_or((body, ""));
        if self.table.is_some() && !(word == "stable-table" && rest.starts_with('[')) {
            self.end_table();
        }
        if self.decided
            && (word == "counters"
                || (matches!(word, "interface" | "address" | "route")
                    && rest.starts_with("present")))
        {
            // The watcher's lines of the capture-state rundown it asked for (docs/lines.md,
            // "Events as lines"): the driver printed none of them, and the present state they
            // show came before the scenario. Skipped without a note: every watcher asks.
            return;
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
                self.stack(line, rest);
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

    fn finish(mut self) -> Imported {
        self.end_table();
        // Summaries at the end of the lines: their timer printed them.
        self.timer_printed();
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
        }
        Imported {
            scenario,
            notes: self.notes,
            left_out: self.left_out,
        }
    }
}

/// The `import_parse` fuzz check (`fuzz/` and its regression tests): any bytes as a captured
/// log, imported, and the scenario it writes read back; nothing is played (that is
/// [`check_import_bytes`]).
///
/// Importing never panics, and what it writes is always a scenario the reader accepts.
///
/// # Panics
/// If the import wrote a scenario the reader refuses.
pub fn check_import_parse_bytes(data: &[u8]) {
    let _scenario = imported_scenario(data);
}

/// The scenario the import of `data` writes, checked to parse; `None` if `data` is no log.
fn imported_scenario(data: &[u8]) -> Option<String> {
    let text = decode_log(data).ok()?;
    let imported = import(&text).ok()?;
    if let Err(error) = crate::parse(&imported.scenario) {
        panic!(
            "the import wrote a bad scenario: {error}\n{}",
            imported.scenario
        );
    }
    Some(imported.scenario)
}

/// The `import` fuzz check (`fuzz/` and its regression tests): any bytes as a captured log.
///
/// Importing never panics, and what it writes is always a scenario that parses and plays
/// without NETIO misuse ([`crate::check_scenario_bytes`]).
///
/// # Panics
/// If the import wrote a scenario the reader refuses, or the driver misbehaved on it.
pub fn check_import_bytes(data: &[u8]) {
    if let Some(scenario) = imported_scenario(data) {
        crate::check_scenario_bytes(scenario.as_bytes());
    }
}
