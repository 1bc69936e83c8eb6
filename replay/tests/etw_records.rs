//! The watcher's reading of the driver's events (`netnotify_core::output::trace::read`) over
//! every simulator write: the built-in scenarios, every Wine scenario and every test
//! scenario, played with a session that takes every event, capture state included. Each
//! write's metadata and payload, decoded by the project's decoder and read back into the
//! driver's record by field name, gives:
//! - for the events the driver printed, exactly the driver's lines, in order (those printed
//!   before the provider registered have no event: docs/replay.md#etw);
//! - for every event, capture state's `counters` and `present` ones included, exactly
//!   `cargo replay --json`'s object, `seq` and `printed` included.
//!
//! The kept-out and `present` events are checked by their objects, and their marked lines
//! by the watcher's tests (docs/lines.md, "Events as lines").

mod common;

use netnotify_core::output::render::read_lines;
use netnotify_core::output::trace::decode;
use netnotify_core::output::trace::read::{self, Read, Said};
use netnotify_replay::json::read_event;
use netnotify_replay::{EtwSession, Output, etw_writes, parse, run_with};
use serde_json::Value;

/// The outputs of `scenario` as `output` writes them, and its ETW calls.
fn played(text: &str, output: Output) -> (Vec<String>, Vec<String>) {
    let scenario = parse(text).expect("a scenario");
    let session = EtwSession {
        listen: Some((5, u64::MAX)),
        capture_state: true,
    };
    let (mut out, mut notes) = (Vec::new(), Vec::new());
    let (_, log) = run_with(&scenario, output, session, &mut out, &mut notes).expect("in memory");
    let out = String::from_utf8(out).expect("UTF-8");
    (out.lines().map(str::to_owned).collect(), log)
}

/// Whether an output of the driver's (a line, or an object's kind and message) has an event:
/// from `settings` on, but the warning that the traits could not be set.
fn has_events<T>(
    all: &[T],
    is_settings: impl Fn(&T) -> bool,
    is_traits: impl Fn(&T) -> bool,
) -> Vec<&T> {
    let Some(first) = all.iter().position(&is_settings) else {
        return Vec::new();
    };
    all[first..]
        .iter()
        .filter(|item| !is_traits(item))
        .collect()
}

#[test]
#[cfg_attr(miri, ignore = "replays every scenario: minutes under Miri")]
fn every_event_reads_back_to_the_driver_s_lines_and_json_objects() {
    let (mut events, mut lines_checked, mut scenarios_read) = (0, 0, 0);
    for (name, text) in common::scenarios(
        &["scenarios", "../ci/wine/scenarios", "tests", "tests/docs"],
        false,
    ) {
        let (lines, log) = played(&text, Output::Lines);
        let (objects, json_log) = played(&text, Output::Json);
        assert_eq!(log, json_log, "{name}: the same calls");
        let reads: Vec<Read> = etw_writes(&log)
            .iter()
            .map(|write| {
                let event = decode::decode(&write.metadata, &write.payload, 8)
                    .unwrap_or_else(|error| panic!("{name}: {error}"));
                read::read(event).unwrap_or_else(|error| panic!("{name}: {error}"))
            })
            .collect();
        let registered = !reads.is_empty();
        // The lines of the printed events.
        let mut ours = Vec::new();
        for read in &reads {
            assert!(!read.schema_differs(), "{name}: {read:?}");
            let counters = matches!(read.said, Said::Record(r) if r.kind() == "counters");
            if read.printed && !counters && !read.is_present() {
                let (first, second) = read_lines(read);
                ours.extend(
                    first
                        .iter()
                        .chain(&second)
                        .map(|line| line.as_str().to_owned()),
                );
            }
        }
        let theirs: Vec<String> = if registered {
            has_events(
                &lines,
                |line| line.starts_with("netnotify: settings "),
                |line| line.starts_with("netnotify: warning: EtwSetInformation("),
            )
            .into_iter()
            .cloned()
            .collect()
        } else {
            Vec::new()
        };
        assert_eq!(ours, theirs, "{name}: lines");
        lines_checked += ours.len();
        // The objects of every event: each has its record.
        let ours: Vec<Value> = reads
            .iter()
            .map(|read| Value::Object(read_event(read).to_map()))
            .collect();
        let objects: Vec<Value> = objects
            .iter()
            .map(|object| serde_json::from_str(object).expect("JSON"))
            .collect();
        let theirs: Vec<Value> = if registered {
            has_events(
                &objects,
                |object| object["kind"] == "settings",
                |object| {
                    object["kind"] == "warning"
                        && object["message"]
                            .as_str()
                            .is_some_and(|text| text.starts_with("EtwSetInformation("))
                },
            )
            .into_iter()
            .cloned()
            .collect()
        } else {
            Vec::new()
        };
        for (at, (our, their)) in ours.iter().zip(&theirs).enumerate() {
            assert_eq!(our, their, "{name}: object {at}");
        }
        assert_eq!(ours.len(), theirs.len(), "{name}: objects");
        events += reads.len();
        scenarios_read += 1;
    }
    println!("{scenarios_read} scenarios, {events} events, {lines_checked} lines");
    assert!(scenarios_read > 20, "{scenarios_read}");
    assert!(events > 5000, "{events}");
}
