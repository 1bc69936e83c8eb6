//! `cargo replay --import` of `--json`'s objects (the watcher's `--json` output): for the
//! built-in scenarios, every Wine scenario and every test scenario, the objects import to the
//! very scenario the lines import to (the objects become the driver's lines through the ETW
//! event of their record, read back by field name), and for the built-in scenario that
//! scenario replays to the same lines.

mod common;

use netnotify_replay::import::import;
use netnotify_replay::{Output, parse, run_as};

fn played(text: &str, output: Output) -> String {
    let scenario = parse(text).expect("a scenario");
    let (mut out, mut notes) = (Vec::new(), Vec::new());
    run_as(&scenario, output, &mut out, &mut notes).expect("in memory");
    String::from_utf8(out).expect("UTF-8")
}

#[test]
#[cfg_attr(miri, ignore = "replays every scenario: minutes under Miri")]
fn json_objects_import_to_the_scenario_their_lines_import_to() {
    let mut checked = 0;
    for (name, text) in common::scenarios(&["../ci/wine/scenarios", "tests", "tests/docs"], false) {
        let lines = played(&text, Output::Lines);
        let objects = played(&text, Output::Json);
        let (Ok(from_lines), from_objects) = (import(&lines), import(&objects)) else {
            // Nothing to import from the lines (no line): nor from the objects.
            continue;
        };
        let from_objects = from_objects.unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(from_objects.scenario, from_lines.scenario, "{name}");
        assert_eq!(from_objects.notes, from_lines.notes, "{name}");
        assert_eq!(from_objects.left_out, from_lines.left_out, "{name}");
        checked += 1;
    }
    assert!(checked > 20, "{checked}");
}

#[test]
fn the_built_in_scenario_s_objects_import_and_replay_to_its_lines() {
    let lines = played(netnotify_replay::LAPTOP_JOINS_WIFI, Output::Lines);
    let objects = played(netnotify_replay::LAPTOP_JOINS_WIFI, Output::Json);
    let imported = import(&objects).expect("objects");
    assert_eq!(played(&imported.scenario, Output::Lines), lines);
}
