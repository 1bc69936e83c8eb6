//! `cargo replay --import` of `--json`'s objects (the watcher's `--json` output): for the
//! built-in scenarios, every Wine scenario and every test scenario, the objects import to a
//! scenario that replays to the driver's very lines, storm summaries included (the objects
//! become the driver's lines through the ETW event of their record, read back by field
//! name, and carry storm control's decisions: docs/replay.md, "printed").

mod common;

use netnotify_replay::import::import;
use netnotify_replay::{Output, parse, run_as};

fn played(text: &str, output: Output) -> String {
    let scenario = parse(text).expect("a scenario");
    let (mut out, mut notes) = (Vec::new(), Vec::new());
    run_as(&scenario, output, &mut out, &mut notes).expect("in memory");
    String::from_utf8(out).expect("UTF-8")
}

/// Scenarios whose objects cannot replay to the driver's lines, and why; each must still
/// differ, so that an entry cannot outlive its reason.
const NOT_CARRIED: &[(&str, &str)] = &[(
    "low-stack.jsonl",
    "an event counted on too little stack has neither line nor event (docs/netio.md#stack), \
     so no object carries it, and the unloaded line's counts differ",
)];

#[test]
#[cfg_attr(miri, ignore = "replays every scenario: minutes under Miri")]
fn json_objects_import_to_a_scenario_that_replays_to_the_driver_s_lines() {
    let mut checked = 0;
    let mut storms = 0;
    for (name, text) in common::scenarios(&["../ci/wine/scenarios", "tests", "tests/docs"], false) {
        let lines = played(&text, Output::Lines);
        let objects = played(&text, Output::Json);
        if import(&lines).is_err() {
            // Nothing to import from the lines (no line): nor from the objects.
            continue;
        }
        let imported = import(&objects).unwrap_or_else(|error| panic!("{name}: {error}"));
        let replayed = played(&imported.scenario, Output::Lines);
        if let Some((_, why)) = NOT_CARRIED.iter().find(|(file, _)| name.ends_with(file)) {
            assert_ne!(replayed, lines, "{name} replays now ({why}): remove it");
        } else {
            // Storm control's decisions are the driver's: what it kept out is carried, and
            // nothing is left out of the scenario.
            assert_eq!(replayed, lines, "{name}\n{}", imported.scenario);
            assert_eq!(imported.left_out, 0, "{name}");
            storms += usize::from(lines.contains("netnotify: storm: "));
        }
        checked += 1;
    }
    assert!(checked > 20, "{checked}");
    // The built-in storm, storm-then-quiet and the documentation's storm at least.
    assert!(storms >= 3, "{storms}");
}

#[test]
fn the_built_in_scenario_s_objects_import_and_replay_to_its_lines() {
    let lines = played(netnotify_replay::LAPTOP_JOINS_WIFI, Output::Lines);
    let objects = played(netnotify_replay::LAPTOP_JOINS_WIFI, Output::Json);
    let imported = import(&objects).expect("objects");
    assert_eq!(played(&imported.scenario, Output::Lines), lines);
}

/// Storms of two kinds at once: one clock cannot give each summary its span, and a note says
/// so rather than leaving the difference to be found.
#[test]
fn overlapping_storms_are_noted() {
    let scenario = r#"{"step":"settings","values":{"LinesPerSecond":1,"Burst":1,"InitialNotification":0}}
{"step":"route","type":"add","row":{"destination":"10.1.0.0/16","if":12,"luid":"ieee80211:2"},"repeat":4,"every_ms":100}
{"step":"address","type":"add","row":{"address":"10.1.0.5/16","if":12,"luid":"ieee80211:2"},"repeat":3,"every_ms":200}
{"step":"route","type":"add","row":{"destination":"10.1.0.0/16","if":12,"luid":"ieee80211:2"},"repeat":2,"every_ms":300}
{"step":"clock","advance_ms":3000}
{"step":"unload"}
"#;
    let lines = played(scenario, Output::Lines);
    let imported = import(&played(scenario, Output::Json)).expect("objects");
    assert_eq!(
        imported.notes,
        [
            "line 12: storms of two kinds overlap here: one clock cannot give each summary its \
          span and its place, so the replay may print them elsewhere or with other spans"
        ]
    );
    let replayed = played(&imported.scenario, Output::Lines);
    // The route storm's 0.600s takes the address storm's 0.200s too; the rest is the same.
    assert_eq!(
        replayed.replace("over 0.800s", "over 0.600s"),
        lines,
        "{}",
        imported.scenario
    );
}

/// Events a session lost: the summary counts more than the kept-out lines carry, and a note
/// says so rather than replaying a smaller summary silently.
#[test]
fn a_summary_that_counts_lost_events_is_noted() {
    let scenario = include_str!("../../ci/wine/scenarios/storm-then-quiet.jsonl");
    let objects = played(scenario, Output::Json);
    let mut dropped = 0;
    let lost: String = objects
        .lines()
        .filter(|object| {
            let lose = dropped < 2
                && object.contains(r#""kind":"route""#)
                && object.contains(r#""printed":false"#);
            dropped += usize::from(lose);
            !lose
        })
        .flat_map(|object| [object, "\n"])
        .collect();
    let imported = import(&lost).expect("objects");
    assert_eq!(
        imported.notes,
        [
            "line 52: the summary counts 47 events, the lines show 45 of them kept out (an ETW \
          session that lost events, or lines missing): the replay's summary counts 45"
        ]
    );
    assert_eq!(imported.left_out, 2);
    assert!(played(&imported.scenario, Output::Lines).contains("add=45 "));
}

/// A watcher's lines that began after the driver loaded: its rundown's `counters` and
/// `present` lines are the watcher's own, skipped without a note; what the lines lack is
/// named once, by the `unloaded` line's counts.
#[test]
fn a_late_watcher_s_rundown_lines_are_skipped() {
    let imported = import(include_str!("docs/watch-late-attach.out")).expect("lines");
    assert_eq!(
        imported.notes,
        [
            "line 13: the unloaded line counts 20 events more than the lines and their storm \
          summaries show (left out by storm control, by the verbosity or for lack of stack, or \
          lines missing from the log): they cannot come back"
        ]
    );
    assert_eq!(imported.left_out, 20);
    assert!(!imported.scenario.contains("present"));
}

/// The steps and notes of an import of objects name the objects' lines, one object a line
/// (an interface's two lines are one object's).
#[test]
fn the_steps_name_the_objects_lines() {
    let objects = played(netnotify_replay::LAPTOP_JOINS_WIFI, Output::Json);
    let imported = import(&objects).expect("objects");
    let mut checked = 0;
    for step in imported.scenario.lines() {
        let step: serde_json::Value = serde_json::from_str(step).expect("a step");
        let (Some(kind), Some(comment)) = (step["step"].as_str(), step["comment"].as_str()) else {
            continue;
        };
        if !matches!(kind, "interface" | "address" | "route") {
            continue;
        }
        let line: usize = comment
            .strip_prefix("line ")
            .unwrap_or_else(|| panic!("{comment}"))
            .parse()
            .unwrap();
        let object = objects.lines().nth(line - 1).expect("the object's line");
        assert!(
            object.starts_with(&format!(r#"{{"kind":"{kind}""#)),
            "{comment}: {object}"
        );
        checked += 1;
    }
    assert!(checked >= 6, "{checked}");
}
