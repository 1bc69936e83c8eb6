//! What the watcher does with each event, and what it says: the portable half.
//!
//! Owns the handling of one received event ([`Watcher::event`]: decoded by the core's
//! `TraceLogging` decoder, counted by kind, written by [`write_event`]), the one-time note when
//! no event comes ([`Watcher::idle`]), the closing summary ([`Watcher::summary`]) and the
//! wording of every failure ([`failure`], [`stale_session`]). The Windows session
//! (`session.rs`) only moves bytes from an `EVENT_RECORD` into a [`Received`] and calls here,
//! so all of this is tested on any host.
//!
//! **Interim output.** Until the decoded fields are mapped back to the core's `Record` (later
//! work: the event columns are changing), every form prints each event as
//! `name field=value …` ([`interim`]); [`write_event`] is the one function the `--json` and
//! `--scenario` writers, and the driver's own lines, will go behind.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::time::Duration;

use netnotify_core::output::trace::decode::{self, Item};

use crate::args::{Format, KINDS, Options};

/// How long without any event before the note that the driver may not be started.
pub const NO_EVENTS_AFTER: Duration = Duration::from_secs(5);

/// The note, once, when no event came within [`NO_EVENTS_AFTER`]; the watcher keeps waiting.
pub const NO_EVENTS_NOTE: &str =
    "netnotify-watch: no netnotify events yet — is the driver started? (`sc query netnotify`)";

/// The note, once, that the output is the interim form.
pub const INTERIM_NOTE: &str = "netnotify-watch: interim output: each event as `name field=value …` \
     (the driver's lines, --json and --scenario come with the mapping to the driver's records)";

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
    /// Whether the no-event note or the interim note was given.
    noted_idle: bool,
    noted_interim: bool,
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
            noted_interim: false,
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
        if !self.noted_interim {
            self.noted_interim = true;
            writeln!(err, "{INTERIM_NOTE}")?;
        }
        let Some(metadata) = event.metadata else {
            self.undecodable += 1;
            return writeln!(
                err,
                "netnotify-watch: an event (keyword {:#x}) without TraceLogging metadata: skipped",
                event.keyword
            );
        };
        let mut text = String::new();
        if self.options.time {
            text.push_str(&filetime_utc(event.timestamp));
            text.push(' ');
        }
        match decode::decode(metadata, event.payload, event.pointer_size).and_then(|decoded| {
            write_event(self.options.format, &decoded, &mut text).map(|()| decoded)
        }) {
            Ok(_) => {
                match KINDS.iter().position(|(_, bit)| event.keyword & bit != 0) {
                    Some(kind) => self.by_kind[kind] += 1,
                    None => self.other += 1,
                }
                writeln!(out, "{text}")
            }
            Err(error) => {
                self.undecodable += 1;
                let name = decode::decode(metadata, &[], event.pointer_size)
                    .map_or("?", |decoded| decoded.name);
                writeln!(
                    err,
                    "netnotify-watch: cannot decode event {name:?}: {error}; skipped"
                )
            }
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

/// Writes one decoded event in `format`: the one place the forms part.
///
/// Today every form is the interim one ([`interim`]); the change that maps the fields back to
/// the core's records writes the driver's line, `cargo replay --json`'s object and a scenario
/// step here.
///
/// # Errors
/// The event does not decode: the walk's error.
pub fn write_event<'a>(
    format: Format,
    event: &decode::Event<'a>,
    out: &mut String,
) -> Result<(), decode::DecodeError<'a>> {
    match format {
        Format::Lines | Format::Json | Format::Scenario => interim(event, out),
    }
}

/// The interim form: `name field=value …`, a struct as `name[count]{ … }`, each value as
/// the decoder shows it by its out-type.
///
/// # Errors
/// The walk's error; `out` then holds what came before it.
pub fn interim<'a>(
    event: &decode::Event<'a>,
    out: &mut String,
) -> Result<(), decode::DecodeError<'a>> {
    out.push_str(event.name);
    for item in event.fields.clone() {
        match item? {
            Item::Field(field) => {
                let _ = write!(
                    out,
                    " {}={}",
                    field.meta.name,
                    field.value.shown(field.meta.out_type)
                );
            }
            Item::Struct { meta, count } => {
                let _ = write!(out, " {}[{count}]{{", meta.name);
            }
            Item::StructEnd => out.push_str(" }"),
        }
    }
    Ok(())
}

/// A `FILETIME` as ISO 8601 UTC with its seven fraction digits; a negative one as its number.
#[must_use]
pub fn filetime_utc(filetime: i64) -> String {
    /// 100 ns units in a day.
    const DAY: i64 = 864_000_000_000;
    if filetime < 0 {
        return filetime.to_string();
    }
    let (days, rest) = (filetime / DAY, filetime % DAY);
    // Days since 1601-01-01 to a civil date (H. Hinnant's days_from_civil, inverted), from
    // 0000-03-01: 1601-01-01 is day 584,694 of that era count.
    let z = days + 584_694;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let seconds = rest / 10_000_000;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:07}Z",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60,
        rest % 10_000_000
    )
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
    let (cause, way_out) = match code {
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
    };
    format!("netnotify-watch: {call} failed: {cause} — {way_out}")
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

    /// A `route`-like event's metadata: `seq` (`U64`), `printed` (`BOOL32`), `dest` (`CStr8`).
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
    fn an_event_is_its_name_and_fields_and_counted_by_kind() {
        let payload = payload();
        let event = Received {
            keyword: ROUTE_KEYWORD,
            timestamp: 0,
            pointer_size: 8,
            metadata: Some(METADATA),
            payload: &payload,
        };
        let mut watcher = Watcher::new(Options::default());
        let (out, err) = run(&mut watcher, &event);
        assert_eq!(out, "route seq=7 printed=true dest=\"10.1.0.0/16\"\n");
        assert_eq!(err, format!("{INTERIM_NOTE}\n"));
        // The note comes once.
        let (out, err) = run(&mut watcher, &event);
        assert_eq!(out, "route seq=7 printed=true dest=\"10.1.0.0/16\"\n");
        assert_eq!(err, "");
        assert_eq!(
            watcher.summary(Some(Lost {
                events: 3,
                log_buffers: 0,
                real_time_buffers: 1
            })),
            "netnotify-watch: 2 events: interface 0, address 0, route 2, stable-table 0, \
             lifecycle 0, other 0, undecodable 0\n\
             netnotify-watch: lost: 3 events, 0 log buffers, 1 real-time buffers \
             (the session's EventsLost, LogBuffersLost, RealTimeBuffersLost)"
        );
    }

    /// An event the core's own encoder wrote, as the driver writes it: its schema's metadata
    /// (the extended item) and payload. Only its header columns are named here: the others
    /// are the schema's, which is changing.
    #[test]
    fn the_driver_s_own_event_is_printed_in_the_interim_form() {
        use netnotify_core::output::trace::{Event, schema};
        let settings = schema("settings").unwrap();
        let mut event: Event<1024> = Event::new(settings);
        event.fields().u64("seq", 42);
        event.fields().bool32("printed", true);
        assert!(event.finish());
        let mut watcher = Watcher::new(Options::default());
        let (out, _) = run(
            &mut watcher,
            &Received {
                keyword: event.descriptor().keyword,
                timestamp: 0,
                pointer_size: 8,
                metadata: Some(settings.metadata),
                payload: event.payload(),
            },
        );
        assert!(out.starts_with("settings seq=42 printed=true "), "{out}");
        assert!(out.ends_with('\n') && out.lines().count() == 1, "{out}");
        assert!(watcher.summary(None).contains("lifecycle 1,"));
    }

    #[test]
    fn with_time_the_timestamp_comes_first() {
        let payload = payload();
        let event = Received {
            keyword: ROUTE_KEYWORD,
            timestamp: 134_094_954_461_234_567,
            pointer_size: 8,
            metadata: Some(METADATA),
            payload: &payload,
        };
        let mut watcher = Watcher::new(Options {
            time: true,
            ..Options::default()
        });
        let (out, _) = run(&mut watcher, &event);
        assert_eq!(
            out,
            "2025-12-06T11:50:46.1234567Z route seq=7 printed=true dest=\"10.1.0.0/16\"\n"
        );
    }

    #[test]
    fn filetimes_are_utc_dates() {
        assert_eq!(filetime_utc(0), "1601-01-01T00:00:00.0000000Z");
        // The Unix epoch: 11,644,473,600 s after 1601.
        assert_eq!(
            filetime_utc(116_444_736_000_000_000),
            "1970-01-01T00:00:00.0000000Z"
        );
        assert_eq!(
            filetime_utc(116_444_736_000_000_000 + 951_782_400 * 10_000_000 + 1),
            "2000-02-29T00:00:00.0000001Z"
        );
        assert_eq!(filetime_utc(i64::MAX), "30828-09-14T02:48:05.4775807Z");
        assert_eq!(filetime_utc(-1), "-1");
    }

    #[test]
    fn an_undecodable_event_is_a_note_naming_it() {
        let payload = payload();
        let short = &payload[..10];
        let mut watcher = Watcher::new(Options::default());
        let event = Received {
            keyword: ROUTE_KEYWORD,
            timestamp: 0,
            pointer_size: 8,
            metadata: Some(METADATA),
            payload: short,
        };
        let (out, err) = run(&mut watcher, &event);
        assert_eq!(out, "");
        assert_eq!(
            err,
            format!(
                "{INTERIM_NOTE}\nnetnotify-watch: cannot decode event \"route\": truncated in \
                 field \"printed\" at payload byte 10; skipped\n"
            )
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
        assert_eq!(watcher.seen(), 3);
        assert!(watcher.summary(None).ends_with("other 0, undecodable 3"));
    }

    #[test]
    fn the_no_event_note_comes_once_after_five_seconds_and_not_after_an_event() {
        let mut watcher = Watcher::new(Options::default());
        assert_eq!(watcher.idle(Duration::from_millis(4999)), None);
        assert_eq!(watcher.idle(Duration::from_secs(5)), Some(NO_EVENTS_NOTE));
        assert_eq!(watcher.idle(Duration::from_mins(1)), None);
        assert_eq!(
            NO_EVENTS_NOTE,
            "netnotify-watch: no netnotify events yet — is the driver started? (`sc query netnotify`)"
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
        assert!(busy.summary(None).contains("lifecycle 1,"));
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
