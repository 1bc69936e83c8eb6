//! What the watcher does with each event, and what it says: the portable half.
//!
//! Owns the handling of one received event ([`Watcher::event`]: decoded by the core's
//! `TraceLogging` decoder, read back into the driver's record by field name
//! (`netnotify_core::output::trace::read`), counted by kind, written by [`write_event`]), the
//! one-time notes (no event yet, [`Watcher::idle`]; a schema this watcher does not know), the
//! scenario written at the end ([`Watcher::finish`]), the closing summary
//! ([`Watcher::summary`]) and the wording of every failure ([`failure`], [`stale_session`]).
//! The Windows session (`session.rs`) only moves bytes from an `EVENT_RECORD` into a
//! [`Received`] and calls here, so all of this is tested on any host.
//!
//! The forms (docs/lines.md, "Events as lines"; docs/replay.md): the driver's own lines, byte
//! for byte, every event's (a kept-out one marked `[kept out] `); `cargo replay --json`'s
//! objects, written by replay's own writer; a scenario for `cargo replay`.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::time::Duration;

use netnotify_core::model::decode::Timestamp;
use netnotify_core::model::record::SCHEMA;
use netnotify_core::output::render::read_lines;
use netnotify_core::output::trace::decode;
use netnotify_core::output::trace::read::{self, Read, ReadError};
use netnotify_replay::json::read_event;

use crate::args::{Format, KINDS, Options};

/// How long without any event before the note that the driver may not be started.
pub const NO_EVENTS_AFTER: Duration = Duration::from_secs(5);

/// The note, once, when no event came within [`NO_EVENTS_AFTER`]; the watcher keeps waiting.
pub const NO_EVENTS_NOTE: &str =
    "netnotify-watch: no netnotify events yet — is the driver started? (`sc.exe query netnotify`)";

/// What precedes the line of an event storm control or the verbosity kept out of the lines
/// (docs/lines.md, "Events as lines"): no line of the driver's starts with it.
pub use netnotify_core::output::render::KEPT_OUT;

/// The note when the session ended under the watcher (its `ProcessTrace` returned with no
/// Ctrl+C): another program stopped it. The watcher then ends as on Ctrl+C, without the
/// session's lost counts.
pub const STOPPED_ELSEWHERE: &str = "netnotify-watch: the session was stopped by another \
    program (a second watcher, or `logman stop netnotify-watch -ets`): no more events come";

/// The session's name: one per machine, so a killed watcher's is found again by it.
pub const SESSION_NAME: &str = "netnotify-watch";

/// One event as ETW delivered it (Microsoft Learn, "`EVENT_RECORD` structure (evntcons.h)",
/// <https://learn.microsoft.com/windows/win32/api/evntcons/ns-evntcons-event_record>).
#[derive(Clone, Copy, Debug)]
pub struct Received<'a> {
    /// `EventHeader.EventDescriptor.Keyword`.
    pub keyword: u64,
    /// `EventHeader.TimeStamp`: a `FILETIME` (100 ns since 1601, UTC), as `ProcessTrace`
    /// converts it without `PROCESS_TRACE_MODE_RAW_TIMESTAMP`.
    pub timestamp: i64,
    /// 4 if the header has `EVENT_HEADER_FLAG_32_BIT_HEADER`, else 8.
    pub pointer_size: u8,
    /// The `EVENT_HEADER_EXT_TYPE_EVENT_SCHEMA_TL` item's bytes, if the event has one.
    pub metadata: Option<&'a [u8]>,
    /// `UserData`, `UserDataLength` bytes.
    pub payload: &'a [u8],
}

/// What the session lost, from its `EVENT_TRACE_PROPERTIES` after `ControlTraceW` stopped it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lost {
    /// `EventsLost`.
    pub events: u32,
    /// `LogBuffersLost`.
    pub log_buffers: u32,
    /// `RealTimeBuffersLost`.
    pub real_time_buffers: u32,
}

/// The watcher's state: its options and what it has seen.
#[derive(Debug)]
pub struct Watcher {
    options: Options,
    /// Events per kind, in [`KINDS`]' order.
    by_kind: [u64; KINDS.len()],
    /// Events of no kind of ours (another provider's, in a capture).
    other: u64,
    /// Events that did not decode.
    undecodable: u64,
    /// Whether the no-event note or the schema's warning was given.
    noted_idle: bool,
    noted_schema: bool,
    /// `--scenario`: every event's lines so far (kept-out ones marked), for
    /// [`Watcher::finish`].
    scenario: String,
}

impl Watcher {
    /// A watcher that has seen nothing.
    #[must_use]
    pub const fn new(options: Options) -> Self {
        Self {
            options,
            by_kind: [0; KINDS.len()],
            other: 0,
            undecodable: 0,
            noted_idle: false,
            noted_schema: false,
            scenario: String::new(),
        }
    }

    /// Every event seen, decoded or not.
    #[must_use]
    pub fn seen(&self) -> u64 {
        self.by_kind.iter().sum::<u64>() + self.other + self.undecodable
    }

    /// One event: decoded and written to `out`, or a note on `err` naming it.
    ///
    /// # Errors
    /// Writing failed.
    pub fn event(
        &mut self,
        event: &Received<'_>,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> io::Result<()> {
        let Some(metadata) = event.metadata else {
            self.undecodable += 1;
            return writeln!(
                err,
                "netnotify-watch: an event (keyword {:#x}) without TraceLogging metadata: skipped",
                event.keyword
            );
        };
        let read = decode::decode(metadata, event.payload, event.pointer_size)
            .map_err(ReadError::Decode)
            .and_then(read::read);
        let read = match read {
            Ok(read) => read,
            Err(error) => {
                self.undecodable += 1;
                let name = decode::decode(metadata, &[], event.pointer_size)
                    .map_or("?", |decoded| decoded.name);
                return writeln!(
                    err,
                    "netnotify-watch: cannot decode event {name:?}: {error}; skipped"
                );
            }
        };
        if read.schema_differs() && !self.noted_schema {
            self.noted_schema = true;
            writeln!(err, "{}", schema_warning(read.schema.unwrap_or(0)))?;
        }
        match KINDS.iter().position(|(_, bit)| event.keyword & bit != 0) {
            Some(kind) => self.by_kind[kind] += 1,
            None => self.other += 1,
        }
        let time = self.options.time.then_some(Timestamp(event.timestamp));
        if self.options.format == Format::Scenario {
            // The lines form without times: what `cargo replay --import` reads.
            write_event(Format::Lines, &read, None, &mut self.scenario);
            return Ok(());
        }
        let mut text = String::new();
        write_event(self.options.format, &read, time, &mut text);
        out.write_all(text.as_bytes())
    }

    /// `--scenario`: the scenario of every event so far, written to `out` when the watcher
    /// stops (nothing in the other forms); notes on what it cannot carry to `err`.
    ///
    /// The scenario is `cargo replay --import`'s of every event's lines, with the driver's
    /// decisions (`import_decisions`): each change step says whether the driver printed its
    /// line, so the replay keeps out what storm control kept out and prints its summaries
    /// where it printed them (docs/replay.md). A rundown's `present` events and `counters`
    /// are not replayed. The Windows session must call this before its summary.
    ///
    /// # Errors
    /// Writing failed.
    pub fn finish(&mut self, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()> {
        if self.options.format != Format::Scenario || self.scenario.is_empty() {
            return Ok(());
        }
        let lines = core::mem::take(&mut self.scenario);
        match netnotify_replay::import::import_decisions(&lines) {
            Ok(imported) => {
                out.write_all(imported.scenario.as_bytes())?;
                for note in imported.notes {
                    writeln!(err, "netnotify-watch: {note}")?;
                }
                Ok(())
            }
            Err(error) => writeln!(err, "netnotify-watch: no scenario: {error}"),
        }
    }

    /// Called while waiting, `waited` after the session started: the note, once, if no event
    /// has come by [`NO_EVENTS_AFTER`].
    pub fn idle(&mut self, waited: Duration) -> Option<&'static str> {
        if self.noted_idle || waited < NO_EVENTS_AFTER || self.seen() > 0 {
            return None;
        }
        self.noted_idle = true;
        Some(NO_EVENTS_NOTE)
    }

    /// What it saw, by kind, and what the session lost (`None` for a capture: no session).
    #[must_use]
    pub fn summary(&self, lost: Option<Lost>) -> String {
        let mut text = format!("netnotify-watch: {} events:", self.seen());
        for ((name, _), count) in KINDS.iter().zip(self.by_kind) {
            let _ = write!(text, " {name} {count},");
        }
        let _ = write!(
            text,
            " other {}, undecodable {}",
            self.other, self.undecodable
        );
        if let Some(lost) = lost {
            let _ = write!(
                text,
                "\nnetnotify-watch: lost: {} events, {} log buffers, {} real-time buffers \
                 (the session's EventsLost, LogBuffersLost, RealTimeBuffersLost)",
                lost.events, lost.log_buffers, lost.real_time_buffers
            );
        }
        text
    }
}

/// The warning, once, that the driver writes a schema this watcher does not know.
#[must_use]
pub fn schema_warning(schema: u32) -> String {
    format!(
        "netnotify-watch: warning: the driver writes schema {schema}, this watcher knows schema \
         {SCHEMA}: fields are read by name, but may be missing or misread — use the watcher of \
         the driver's release"
    )
}

/// Writes one event in `format`, each line ending with a newline.
///
/// The one place the forms part. With `time`, the event's timestamp (UTC ISO 8601, the project's calendar) and a space
/// in front of each line.
///
/// - [`Format::Lines`]: the driver's own line (two for an interface's full state), byte for
///   byte the `DbgPrint` text; an event storm control or the verbosity kept out has
///   [`KEPT_OUT`] in front, a `present` one its word `present`, `counters` the `unloaded`
///   line's form (docs/lines.md, "Events as lines").
/// - [`Format::Json`]: `cargo replay --json`'s object, by replay's own writer.
/// - [`Format::Scenario`]: the line form, which [`Watcher::finish`] turns into steps.
pub fn write_event(format: Format, read: &Read, time: Option<Timestamp>, out: &mut String) {
    let stamp = |out: &mut String| {
        if let Some(time) = time {
            let _ = write!(out, "{time} ");
        }
    };
    match format {
        Format::Json => {
            stamp(out);
            out.push_str(&read_event(read).to_json());
            out.push('\n');
        }
        Format::Lines | Format::Scenario => {
            let (first, second) = read_lines(read);
            for line in first.iter().chain(&second) {
                stamp(out);
                if kept_out(read) {
                    out.push_str(KEPT_OUT);
                }
                out.push_str(line.as_str());
                out.push('\n');
            }
        }
    }
}

/// Whether the event's line was kept out: not printed, and neither a rundown's `present` nor
/// `counters` (which the driver never prints, and which their words mark).
fn kept_out(read: &Read) -> bool {
    !read.printed && !read.is_present() && read.kind() != "counters"
}

/// `ERROR_ACCESS_DENIED` (winerror.h).
pub const ERROR_ACCESS_DENIED: u32 = 5;
/// `ERROR_ALREADY_EXISTS`.
pub const ERROR_ALREADY_EXISTS: u32 = 183;
/// `ERROR_FILE_NOT_FOUND`.
pub const ERROR_FILE_NOT_FOUND: u32 = 2;
/// `ERROR_CALL_NOT_IMPLEMENTED`.
pub const ERROR_CALL_NOT_IMPLEMENTED: u32 = 120;
/// `ERROR_NO_SYSTEM_RESOURCES`: every session slot in use.
pub const ERROR_NO_SYSTEM_RESOURCES: u32 = 1450;

/// The one line a failed call gives: the call, the cause and the way out.
#[must_use]
pub fn failure(call: &str, code: u32) -> String {
    let (cause, way_out) = cause(code);
    format!("netnotify-watch: {call} failed: {cause} — {way_out}")
}

/// The note when the request for the driver's present state failed: the watcher goes on.
///
/// The events from now on still come. No Microsoft Learn page says what
/// `EnableTraceEx2(EVENT_CONTROL_CODE_CAPTURE_STATE)` returns for a provider not registered
/// yet (a watcher started before `sc.exe start`), so its failure never ends the watcher.
#[must_use]
pub fn no_present_state(code: u32) -> String {
    let (cause, _) = cause(code);
    format!(
        "netnotify-watch: EnableTraceEx2(EVENT_CONTROL_CODE_CAPTURE_STATE) failed: {cause}; \
         the driver's present state is not shown, its events from now on are"
    )
}

/// A status's cause and the way out, in words.
fn cause(code: u32) -> (String, String) {
    match code {
        ERROR_ACCESS_DENIED => (
            "access denied (ERROR_ACCESS_DENIED)".to_owned(),
            "run elevated or join Performance Log Users".to_owned(),
        ),
        ERROR_ALREADY_EXISTS => (
            format!("a session named {SESSION_NAME} still exists (ERROR_ALREADY_EXISTS)"),
            format!("stop it with `logman stop {SESSION_NAME} -ets`"),
        ),
        ERROR_FILE_NOT_FOUND => (
            "not found (ERROR_FILE_NOT_FOUND)".to_owned(),
            "check the path, or the session's name".to_owned(),
        ),
        ERROR_CALL_NOT_IMPLEMENTED => (
            "not implemented here (ERROR_CALL_NOT_IMPLEMENTED)".to_owned(),
            "this system has no ETW consumer (Wine's sechost stubs it); run on Windows".to_owned(),
        ),
        ERROR_NO_SYSTEM_RESOURCES => (
            "no ETW session slot free (ERROR_NO_SYSTEM_RESOURCES)".to_owned(),
            "stop a session you do not need (`logman query -ets`)".to_owned(),
        ),
        other => (
            format!("Win32 error {other}"),
            "see Microsoft Learn, \"System Error Codes\"".to_owned(),
        ),
    }
}

/// What the watcher says when it stopped a session left by a killed watcher.
#[must_use]
pub fn stale_session() -> String {
    format!(
        "netnotify-watch: a session named {SESSION_NAME} was left by an earlier watcher \
         (ERROR_ALREADY_EXISTS); stopped it, starting again"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTE_KEYWORD: u64 = 0x4;

    /// A `route`-like event's metadata: `seq` (`U64`), `printed` (`BOOL32`), `dest` (`CStr8`):
    /// not one of the driver's schemas.
    const METADATA: &[u8] = b"\x1d\x00\x00route\0seq\0\x0aprinted\0\x0ddest\0\x02";

    fn payload() -> Vec<u8> {
        let mut payload = 7_u64.to_le_bytes().to_vec();
        payload.extend(1_u32.to_le_bytes());
        payload.extend(b"10.1.0.0/16\0");
        payload
    }

    fn run(watcher: &mut Watcher, event: &Received<'_>) -> (String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        watcher.event(event, &mut out, &mut err).unwrap();
        (
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn the_summary_counts_by_kind_and_says_what_was_lost() {
        let watcher = Watcher::new(Options::default());
        assert_eq!(
            watcher.summary(Some(Lost {
                events: 3,
                log_buffers: 0,
                real_time_buffers: 1
            })),
            "netnotify-watch: 0 events: interface 0, address 0, route 0, stable-table 0, \
             lifecycle 0, other 0, undecodable 0\n\
             netnotify-watch: lost: 3 events, 0 log buffers, 1 real-time buffers \
             (the session's EventsLost, LogBuffersLost, RealTimeBuffersLost)"
        );
    }

    #[test]
    fn an_undecodable_event_is_a_note_naming_it() {
        let payload = payload();
        let mut watcher = Watcher::new(Options::default());
        let event = Received {
            keyword: ROUTE_KEYWORD,
            timestamp: 0,
            pointer_size: 8,
            metadata: Some(METADATA),
            payload: &payload[..10],
        };
        let (out, err) = run(&mut watcher, &event);
        assert_eq!(out, "");
        assert_eq!(
            err,
            "netnotify-watch: cannot decode event \"route\": truncated in field \"printed\" at \
             payload byte 10; skipped\n"
        );
        // Whole, but not the driver's `route`: its columns are not the schema's.
        let (out, err) = run(
            &mut watcher,
            &Received {
                payload: &payload,
                ..event
            },
        );
        assert_eq!(out, "");
        assert_eq!(
            err,
            "netnotify-watch: cannot decode event \"route\": event \"route\" field \"change\": \
             missing; skipped\n"
        );
        let (out, err) = run(
            &mut watcher,
            &Received {
                metadata: None,
                ..event
            },
        );
        assert_eq!(out, "");
        assert_eq!(
            err,
            "netnotify-watch: an event (keyword 0x4) without TraceLogging metadata: skipped\n"
        );
        let (_, err) = run(
            &mut watcher,
            &Received {
                metadata: Some(b"\xff\xff"),
                ..event
            },
        );
        assert_eq!(
            err,
            "netnotify-watch: cannot decode event \"?\": size out of bounds in the event \
             header at metadata byte 0; skipped\n"
        );
        assert_eq!(watcher.seen(), 4);
        assert!(watcher.summary(None).ends_with("other 0, undecodable 4"));
    }

    #[test]
    fn the_no_event_note_comes_once_after_five_seconds_and_not_after_an_event() {
        let mut watcher = Watcher::new(Options::default());
        assert_eq!(watcher.idle(Duration::from_millis(4999)), None);
        assert_eq!(watcher.idle(Duration::from_secs(5)), Some(NO_EVENTS_NOTE));
        assert_eq!(watcher.idle(Duration::from_mins(1)), None);
        assert_eq!(
            NO_EVENTS_NOTE,
            "netnotify-watch: no netnotify events yet — is the driver started? (`sc.exe query netnotify`)"
        );
        let mut busy = Watcher::new(Options::default());
        let payload = payload();
        run(
            &mut busy,
            &Received {
                keyword: 0x10,
                timestamp: 0,
                pointer_size: 8,
                metadata: Some(METADATA),
                payload: &payload,
            },
        );
        assert_eq!(busy.idle(Duration::from_secs(6)), None);
        assert!(busy.summary(None).ends_with("undecodable 1"));
    }

    #[test]
    fn a_failed_capture_state_request_is_a_note_naming_what_still_comes() {
        assert_eq!(
            no_present_state(ERROR_ACCESS_DENIED),
            "netnotify-watch: EnableTraceEx2(EVENT_CONTROL_CODE_CAPTURE_STATE) failed: access \
             denied (ERROR_ACCESS_DENIED); the driver's present state is not shown, its events \
             from now on are"
        );
    }

    #[test]
    fn every_failure_is_one_line_with_its_way_out() {
        assert_eq!(
            failure("StartTraceW", 5),
            "netnotify-watch: StartTraceW failed: access denied (ERROR_ACCESS_DENIED) — run \
             elevated or join Performance Log Users"
        );
        assert_eq!(
            failure("StartTraceW", 183),
            "netnotify-watch: StartTraceW failed: a session named netnotify-watch still exists \
             (ERROR_ALREADY_EXISTS) — stop it with `logman stop netnotify-watch -ets`"
        );
        assert_eq!(
            failure("ProcessTrace", 120),
            "netnotify-watch: ProcessTrace failed: not implemented here \
             (ERROR_CALL_NOT_IMPLEMENTED) — this system has no ETW consumer (Wine's sechost \
             stubs it); run on Windows"
        );
        assert_eq!(
            failure("EnableTraceEx2", 87),
            "netnotify-watch: EnableTraceEx2 failed: Win32 error 87 — see Microsoft Learn, \
             \"System Error Codes\""
        );
        for code in [2, 5, 87, 120, 183, 1450] {
            assert!(!failure("OpenTraceW", code).contains('\n'));
        }
        assert_eq!(
            stale_session(),
            "netnotify-watch: a session named netnotify-watch was left by an earlier watcher \
             (ERROR_ALREADY_EXISTS); stopped it, starting again"
        );
    }
}
