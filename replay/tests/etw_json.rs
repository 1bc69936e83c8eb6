//! One record, two renderings (docs/replay.md#etw): for the built-in scenarios, every Wine
//! scenario and the test scenarios, the ETW events the driver writes, decoded by the
//! simulator's reader (`netnotify_core::sim::etw::decode`), equal `cargo replay --json`'s
//! objects in order, as [`netnotify_replay::json::etw_view`] states the rules; and every
//! event of a name, in every scenario, carries the same metadata bytes: its schema's.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use netnotify_core::output::trace::{EventDescriptor, Level, schema};
use netnotify_core::sim::{EtwWrite as Write, decode_etw as decode};
use netnotify_replay::json::etw_view;
use netnotify_replay::{EtwSession, Output, parse, run_with};
use serde_json::Value;

/// The writes of an `--etw` log, decoded; each event name's metadata recorded in `metadata`
/// (the first seen), and every later event's held to it.
fn decoded(log: &[String], metadata: &mut BTreeMap<String, Vec<u8>>, name: &str) -> Vec<Value> {
    log.iter()
        .map(|call| serde_json::from_str::<Value>(call).expect("a JSON call"))
        .filter(|call| call["call"] == "EtwWriteTransfer")
        .map(|call| {
            // The payload is every type-0 descriptor's bytes, in order.
            let part = |kind: u64| {
                let data = call["data"].as_array().expect("data");
                data.iter()
                    .filter(|part| part["type"] == kind)
                    .flat_map(|part| hex::decode(part["hex"].as_str().expect("hex")).expect("hex"))
                    .collect::<Vec<u8>>()
            };
            let write = Write {
                descriptor: EventDescriptor::new(Level::Informational, 0),
                traits: part(2),
                metadata: part(1),
                payload: part(0),
            };
            let event = write.metadata[3..]
                .split(|&byte| byte == 0)
                .next()
                .map(|event| String::from_utf8_lossy(event).into_owned())
                .expect("a name");
            let first = metadata
                .entry(event.clone())
                .or_insert_with(|| write.metadata.clone());
            assert!(
                *first == write.metadata,
                "{name}: an {event} event's metadata differs from an earlier one's"
            );
            let text = decode(&write);
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("{text}"))
        })
        .collect()
}

#[test]
#[cfg_attr(miri, ignore = "replays every scenario: minutes under Miri")]
fn every_event_decodes_to_its_json_object() {
    let session = EtwSession {
        listen: Some((0, u64::MAX)),
        capture_state: false,
    };
    let mut checked = 0;
    let mut metadata = BTreeMap::new();
    for (name, text) in common::scenarios(&["../ci/wine/scenarios", "tests", "tests/docs"], true) {
        let scenario = parse(&text).unwrap_or_else(|error| panic!("{name}: {error}"));
        let (mut out, mut notes) = (Vec::new(), Vec::new());
        let (_, log) =
            run_with(&scenario, Output::Json, session, &mut out, &mut notes).expect("in memory");
        let objects: Vec<Value> = String::from_utf8(out)
            .expect("UTF-8")
            .lines()
            .map(|line| serde_json::from_str(line).expect("a JSON object"))
            .collect();
        let registered = log.iter().any(|call| call.contains("\"EtwRegister\""))
            && !objects.iter().any(|object| object["etw"] == "off");
        let expected = etw_view(&objects, registered);
        // Every event has its object, a capture-state step's included: its `counters` and
        // its rundown's `present` events.
        let events = decoded(&log, &mut metadata, &name);
        for (at, (event, object)) in events.iter().zip(&expected).enumerate() {
            assert_eq!(event, object, "{name}: event {at}");
        }
        assert_eq!(
            events.len(),
            expected.len(),
            "{name}: events\n{events:#?}\nobjects\n{expected:#?}"
        );
        checked += events.len();
    }
    // 5,016 of them from `cargo replay --storm` alone.
    assert!(checked > 5000, "{checked} events");
    // Every event name the scenarios wrote kept its schema's metadata, the static built at
    // compile time; and the scenarios wrote every name but `warning` (tests/etw.rs writes it;
    // `counters` comes from the capture-state scenarios).
    for (event, bytes) in &metadata {
        let schema = schema(event).unwrap_or_else(|| panic!("no schema named {event}"));
        assert_eq!(bytes.as_slice(), schema.metadata, "{event}");
    }
    let names: Vec<&str> = metadata.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "address",
            "counters",
            "error",
            "interface",
            "loaded",
            "route",
            "settings",
            "stable-table",
            "storm",
            "unloaded",
        ]
    );
}

/// The scenario's output as `output` writes it, and its ETW calls (every event listened to).
fn played(text: &str, output: Output) -> (Vec<String>, Vec<String>) {
    let scenario = parse(text).expect("a scenario");
    let session = EtwSession {
        listen: Some((0, u64::MAX)),
        capture_state: false,
    };
    let (mut out, mut notes) = (Vec::new(), Vec::new());
    let (_, log) = run_with(&scenario, output, session, &mut out, &mut notes).expect("in memory");
    let out = String::from_utf8(out).expect("UTF-8");
    (out.lines().map(str::to_owned).collect(), log)
}

#[test]
fn a_non_ascii_alias_is_ascii_in_the_line_and_unicode_in_json_and_etw() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../ci/wine/scenarios/unicode-alias.jsonl");
    let text = std::fs::read_to_string(path).expect("scenario");
    // One record, the route's add: the line keeps its ASCII form with `?`.
    let (lines, _) = played(&text, Output::Lines);
    let line = lines
        .iter()
        .find(|line| line.starts_with("netnotify: route add "))
        .expect("the route's line");
    assert!(
        line.contains(r#" name=ethernet_32768 alias="Ethernet ? B?ro" "#),
        "{line}"
    );
    // `--json` gives the Unicode string.
    let (objects, log) = played(&text, Output::Json);
    let object: Value = objects
        .iter()
        .map(|object| serde_json::from_str::<Value>(object).expect("JSON"))
        .find(|object| object["kind"] == "route" && object["change"] == "add")
        .expect("the route's object");
    assert_eq!(object["name"], "ethernet_32768");
    assert_eq!(object["alias"], "Ethernet \u{2013} B\u{fc}ro");
    assert_eq!(object["seq"], 3);
    // The event carries the UTF-16 units: decoded, the same string, with the same `seq`.
    let events = decoded(&log, &mut BTreeMap::new(), "unicode-alias");
    let event = events
        .iter()
        .find(|event| event["event"] == "route" && event["change"] == "add")
        .expect("the route's event");
    assert_eq!(event["name"], "ethernet_32768");
    assert_eq!(event["alias"], "Ethernet \u{2013} B\u{fc}ro");
    assert_eq!(event["seq"], 3);
    // The warning before `EtwRegister` has no event but its number: `--json` says seq 1.
    assert!(
        objects[0].starts_with(r#"{"kind":"warning","seq":1,"#),
        "{}",
        objects[0]
    );
    assert!(events.iter().all(|event| event["event"] != "warning"));
}

/// The README's decoded ETW event (its "Events (ETW)" section) is the built-in scenario's
/// default route as the ETW view gives it, value for value.
#[test]
fn the_readme_s_decoded_event_is_the_built_in_scenario_s() {
    let readme = include_str!("../../README.md");
    let shown = readme
        .split("is the event that etl-parser decodes")
        .nth(1)
        .and_then(|rest| rest.split("```json\n").nth(1))
        .and_then(|rest| rest.split("\n```").next())
        .expect("the README's decoded event");
    let shown: Value = serde_json::from_str(shown).expect("a JSON object");
    let scenario = parse(netnotify_replay::LAPTOP_JOINS_WIFI).expect("the built-in scenario");
    let (mut out, mut notes) = (Vec::new(), Vec::new());
    run_with(
        &scenario,
        Output::Json,
        EtwSession::default(),
        &mut out,
        &mut notes,
    )
    .expect("in memory");
    let objects: Vec<Value> = String::from_utf8(out)
        .expect("UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON object"))
        .collect();
    let view = etw_view(&objects, true);
    let route = view
        .iter()
        .find(|event| event["event"] == "route" && event["seq"] == shown["seq"])
        .expect("the route event");
    assert_eq!(route, &shown, "{route}");
}
