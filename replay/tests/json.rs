//! `cargo replay --json` (docs/replay.md, "JSON"): every event as an object with the lines'
//! field names, and each event's object a readable row that replays to the same line.

mod common;

use netnotify_replay::{Output, parse, recorded_events, run_as};
use serde_json::Value;

/// The lines of a scenario's `settings` steps: a replayed row runs under the same settings.
fn settings_steps(text: &str) -> String {
    let mut steps = String::new();
    for line in text.lines() {
        if line.contains("\"step\":\"settings\"") {
            steps.push_str(line);
            steps.push('\n');
        }
    }
    steps
}

fn replay_lines(text: &str) -> Vec<String> {
    let scenario = parse(text).unwrap_or_else(|error| panic!("{error}\n{text}"));
    let (mut out, mut notes) = (Vec::new(), Vec::new());
    run_as(&scenario, Output::Lines, &mut out, &mut notes).expect("in memory");
    String::from_utf8(out)
        .expect("ASCII")
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
#[cfg_attr(
    miri,
    ignore = "reads files and replays every event: too slow under Miri"
)]
fn every_printed_event_replays_from_its_object_to_the_same_lines() {
    let mut checked = 0;
    for (name, text) in common::scenarios(&["../ci/wine/scenarios"], true) {
        let scenario = parse(&text).expect("valid");
        let settings = settings_steps(&text);
        // A storm repeats one row: each distinct object and its lines once.
        let mut seen = std::collections::HashSet::new();
        for event in recorded_events(&scenario) {
            let mut object = event.object.to_map();
            object.remove("seq");
            if !seen.insert((
                Value::Object(object.clone()).to_string(),
                event.lines.clone(),
            )) {
                continue;
            }
            // What a row cannot say: a line left out (nothing to compare), no row at all,
            // and a note (the re-query's failure is the system's, not the row's).
            if event.lines.is_empty() || object.contains_key("row") || object.contains_key("note") {
                continue;
            }
            let step = serde_json::json!({
                "step": object["kind"],
                "type": object["change"],
                "row": Value::Object(object.clone()),
            });
            let kind = object["kind"].as_str().expect("kind");
            // The event's lines are the last of its kind (after the initial notifications).
            let mut replayed: Vec<String> = replay_lines(&format!("{settings}{step}\n"))
                .into_iter()
                .filter(|line| line.starts_with(&format!("netnotify: {kind} ")))
                .collect();
            let replayed = replayed.split_off(replayed.len().saturating_sub(event.lines.len()));
            assert_eq!(replayed, event.lines, "{name}: {step}");
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} events checked");
}

#[test]
#[cfg_attr(miri, ignore = "5000 notifications are too slow under Miri")]
fn json_has_every_event_including_those_left_out_of_the_lines() {
    let scenario = parse(netnotify_replay::VPN_ROUTE_STORM).expect("valid");
    let (mut out, mut notes) = (Vec::new(), Vec::new());
    run_as(&scenario, Output::Json, &mut out, &mut notes).expect("in memory");
    let objects: Vec<Value> = String::from_utf8(out)
        .expect("UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect();
    let routes: Vec<&Value> = objects.iter().filter(|o| o["kind"] == "route").collect();
    // 5000 adds and the delete, each with its own sequence number.
    assert_eq!(routes.len(), 5001);
    for (index, route) in routes.iter().enumerate() {
        assert_eq!(route["seq"], index + 1);
    }
    let left_out = routes.iter().filter(|o| o["printed"] == false).count();
    let lines = replay_lines(netnotify_replay::VPN_ROUTE_STORM);
    let printed = lines
        .iter()
        .filter(|line| line.starts_with("netnotify: route "))
        .count();
    assert_eq!(left_out + printed, 5001);
    // The driver's own records are objects too.
    for kind in ["settings", "loaded", "storm", "unloaded"] {
        assert!(objects.iter().any(|o| o["kind"] == kind), "{kind}");
    }
    let unloaded = objects.iter().find(|o| o["kind"] == "unloaded").unwrap();
    assert_eq!(unloaded["route"]["add"], 5000);
}

#[test]
fn the_built_in_scenario_starts_with_these_objects() {
    let scenario = parse(netnotify_replay::LAPTOP_JOINS_WIFI).expect("valid");
    let (mut out, mut notes) = (Vec::new(), Vec::new());
    run_as(&scenario, Output::Json, &mut out, &mut notes).expect("in memory");
    let text = String::from_utf8(out).expect("UTF-8");
    let first: Vec<&str> = text.lines().take(3).collect();
    assert_eq!(
        first,
        [
            "{\"kind\":\"settings\",\"seq\":1,\"printed\":true,\"Notifications\":15,\"Family\":0,\
             \"InitialNotification\":1,\"Requery\":1,\"Verbosity\":2,\"LinesPerSecond\":20,\
             \"Burst\":100}",
            "{\"kind\":\"interface\",\"change\":\"initial\",\"seq\":1,\"printed\":true,\"row\":null}",
            "{\"kind\":\"interface\",\"change\":\"initial\",\"seq\":2,\"printed\":true,\"row\":null}",
        ]
    );
}

/// Every JSON object docs/replay.md shows is one `cargo replay --json` writes.
#[test]
fn the_docs_json_examples_are_the_built_in_scenarios_output() {
    let scenario = parse(netnotify_replay::LAPTOP_JOINS_WIFI).expect("valid");
    let (mut out, mut notes) = (Vec::new(), Vec::new());
    run_as(&scenario, Output::Json, &mut out, &mut notes).expect("in memory");
    let text = String::from_utf8(out).expect("UTF-8");
    let docs = include_str!("../../docs/replay.md");
    let examples: Vec<&str> = docs
        .lines()
        .filter(|line| line.starts_with("{\"kind\":"))
        .collect();
    assert!(examples.len() >= 4);
    for example in examples {
        assert!(text.lines().any(|line| line == example), "{example}");
    }
}

/// `json::Object` is written by `serde_json`'s compact writer in the order its keys were
/// added: escapes, integers, floats, `null`, `true` and nested objects as the hand-joined
/// writer it replaced wrote them (the same bytes; the goldens depend on it).
#[test]
fn an_object_keeps_its_order_and_serde_json_s_escapes_and_numbers() {
    let mut inner = netnotify_replay::json::Object::default();
    inner.push("initial", 0_u64);
    inner.push("add", 4_294_967_295_u64);
    let mut object = netnotify_replay::json::Object::default();
    object.push("kind", "storm");
    object.push("seq", 1_u64);
    object.push("message", "a \"quoted\" \\ tab\t, é and \u{1}");
    object.push("over", 0.046_f64);
    object.push("whole", 2.0_f64);
    object.push("signed", -7_i64);
    object.push("row", Value::Null);
    object.push("printed", true);
    object.push_object("route", inner);
    assert_eq!(
        object.to_json(),
        "{\"kind\":\"storm\",\"seq\":1,\"message\":\"a \\\"quoted\\\" \\\\ tab\\t, é and \
         \\u0001\",\"over\":0.046,\"whole\":2.0,\"signed\":-7,\"row\":null,\"printed\":true,\
         \"route\":{\"initial\":0,\"add\":4294967295}}"
    );
    assert_eq!(
        object.keys().collect::<Vec<_>>(),
        [
            "kind", "seq", "message", "over", "whole", "signed", "row", "printed", "route"
        ]
    );
    let parsed: Value = serde_json::from_str(&object.to_json()).unwrap();
    assert_eq!(parsed, Value::Object(object.to_map()));
}
