//! The watcher's three forms for the built-in scenario (`cargo replay`'s laptop joining
//! Wi-Fi), its events as the simulator's ETW double delivers them to a session that took
//! every keyword from before load and asked for capture state: exact outputs, and the round
//! trip of `--scenario` through `cargo replay`.

mod common;

use common::{Write, fed};
use netnotify_replay::Output;
use netnotify_watch::args::{Format, Options};
use netnotify_watch::watcher::KEPT_OUT;

/// The scenario's output as `output` writes it, and its writes, capture state asked for.
fn played(text: &str, output: Output) -> (Vec<String>, Vec<Write>) {
    common::played(text, output, true)
}

/// What the watcher prints for `writes` with `options`: stdout (the events, then what
/// `finish` writes) and stderr.
fn watched(writes: &[Write], options: Options) -> (String, String) {
    let (mut watcher, mut out, mut err) = fed(writes, options);
    watcher.finish(&mut out, &mut err).unwrap();
    (
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn options(format: Format, time: bool) -> Options {
    Options {
        format,
        time,
        ..Options::default()
    }
}

/// The driver's lines that have an event: from `settings` on.
fn with_events(lines: &[String]) -> Vec<String> {
    let first = lines
        .iter()
        .position(|line| line.starts_with("netnotify: settings "))
        .expect("settings");
    lines[first..].to_vec()
}

#[test]
fn the_built_in_scenario_in_the_driver_s_lines() {
    let (lines, writes) = played(netnotify_replay::LAPTOP_JOINS_WIFI, Output::Lines);
    let (out, err) = watched(&writes, options(Format::Lines, false));
    assert_eq!(err, "");
    let out: Vec<&str> = out.lines().collect();
    assert_eq!(
        out[..5],
        [
            "netnotify: settings Notifications=15 Family=0 InitialNotification=1 Requery=1 Verbosity=2 LinesPerSecond=20 Burst=100",
            "netnotify: interface initial (no row)",
            "netnotify: interface initial (no row)",
            "netnotify: address initial (no row)",
            "netnotify: address initial (no row)",
        ]
    );
    // Every line but capture state's (`counters`, and the rundown's `present` events: two
    // lines for each of the two interfaces, two addresses, five routes) is the driver's, in
    // order; nothing is kept out here.
    let present = |line: &&&str| line.split(' ').nth(2) == Some("present");
    assert_eq!(out.iter().filter(present).count(), 2 * 2 + 2 + 5);
    let driver: Vec<String> = out
        .iter()
        .filter(|line| !line.starts_with("netnotify: counters ") && !present(line))
        .map(|line| (*line).to_owned())
        .collect();
    assert!(!out.iter().any(|line| line.starts_with(KEPT_OUT)));
    assert_eq!(driver, with_events(&lines));
    assert_eq!(
        out.iter()
            .filter(|line| line.starts_with("netnotify: counters "))
            .count(),
        1
    );
}

#[test]
fn with_time_each_line_has_its_event_s_timestamp_in_front() {
    let (_, writes) = played(netnotify_replay::LAPTOP_JOINS_WIFI, Output::Lines);
    let (plain, _) = watched(&writes, options(Format::Lines, false));
    let (timed, err) = watched(&writes, options(Format::Lines, true));
    assert_eq!(err, "");
    let timed: Vec<&str> = timed.lines().collect();
    assert_eq!(
        timed[..5],
        [
            "2024-11-30T04:00:00Z netnotify: settings Notifications=15 Family=0 InitialNotification=1 Requery=1 Verbosity=2 LinesPerSecond=20 Burst=100",
            "2024-11-30T04:00:00.0010000Z netnotify: interface initial (no row)",
            "2024-11-30T04:00:00.0020000Z netnotify: interface initial (no row)",
            "2024-11-30T04:00:00.0030000Z netnotify: address initial (no row)",
            "2024-11-30T04:00:00.0040000Z netnotify: address initial (no row)",
        ]
    );
    // Without the time, byte for byte the lines; with it, the same after the first space.
    let untimed: Vec<&str> = timed
        .iter()
        .map(|line| line.split_once(' ').unwrap().1)
        .collect();
    assert_eq!(untimed, plain.lines().collect::<Vec<_>>());
}

#[test]
fn json_is_cargo_replay_s_objects() {
    let (objects, writes) = played(netnotify_replay::LAPTOP_JOINS_WIFI, Output::Json);
    let (out, err) = watched(&writes, options(Format::Json, false));
    assert_eq!(err, "");
    let out: Vec<&str> = out.lines().collect();
    assert_eq!(
        out[..5],
        [
            r#"{"kind":"settings","seq":1,"printed":true,"Notifications":15,"Family":0,"InitialNotification":1,"Requery":1,"Verbosity":2,"LinesPerSecond":20,"Burst":100}"#,
            r#"{"kind":"interface","change":"initial","seq":1,"printed":true,"row":null}"#,
            r#"{"kind":"interface","change":"initial","seq":2,"printed":true,"row":null}"#,
            r#"{"kind":"address","change":"initial","seq":1,"printed":true,"row":null}"#,
            r#"{"kind":"address","change":"initial","seq":2,"printed":true,"row":null}"#,
        ]
    );
    // One for one, capture state's `counters` object and its rundown's `present` ones too.
    let first = objects
        .iter()
        .position(|object| object.starts_with(r#"{"kind":"settings""#))
        .unwrap();
    assert_eq!(
        out,
        objects[first..]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        out.iter()
            .filter(|object| object.starts_with(r#"{"kind":"counters","seq":1,"printed":false,"#))
            .count(),
        1
    );
}

#[test]
fn the_scenario_replays_to_the_same_lines() {
    let (lines, writes) = played(netnotify_replay::LAPTOP_JOINS_WIFI, Output::Lines);
    let (scenario, err) = watched(&writes, options(Format::Scenario, false));
    assert_eq!(err, "");
    let (replayed, _) = played(&scenario, Output::Lines);
    assert_eq!(with_events(&replayed), with_events(&lines));
}

#[test]
fn the_storm_s_kept_out_events_are_marked_and_the_rest_are_the_driver_s_lines() {
    let (lines, writes) = played(netnotify_replay::VPN_ROUTE_STORM, Output::Lines);
    let (out, err) = watched(&writes, options(Format::Lines, false));
    assert_eq!(err, "");
    let kept_out = out
        .lines()
        .filter(|line| line.starts_with(KEPT_OUT))
        .count();
    // Every event the ten `storm:` summaries count (495 + 9 × 499), each marked.
    assert_eq!(kept_out, 4986);
    assert!(
        out.lines()
            .all(|line| line.starts_with(KEPT_OUT) || line.starts_with("netnotify: "))
    );
    // Each marked line is a line the driver's renderer writes (a route's).
    assert!(
        out.lines()
            .filter_map(|line| line.strip_prefix(KEPT_OUT))
            .all(|line| line.starts_with("netnotify: route "))
    );
    let driver: Vec<String> = out
        .lines()
        .filter(|line| {
            !line.starts_with(KEPT_OUT)
                && !line.starts_with("netnotify: counters ")
                && line.split(' ').nth(2) != Some("present")
        })
        .map(str::to_owned)
        .collect();
    assert_eq!(driver, with_events(&lines));
    // Saved and imported anywhere, the marked lines carry the driver's decisions: the storm
    // comes back, summaries and all.
    let imported = netnotify_replay::import::import(&out).expect("lines");
    assert_eq!(imported.notes, Vec::<String>::new());
    let (replayed, _) = played(&imported.scenario, Output::Lines);
    assert_eq!(with_events(&replayed), with_events(&lines));
}

#[test]
fn json_imports_and_replays_to_the_same_lines() {
    let (lines, writes) = played(netnotify_replay::LAPTOP_JOINS_WIFI, Output::Lines);
    let (objects, _) = watched(&writes, options(Format::Json, false));
    let imported = netnotify_replay::import::import(&objects).expect("objects");
    assert_eq!(imported.notes, Vec::<String>::new());
    let (replayed, _) = played(&imported.scenario, Output::Lines);
    assert_eq!(with_events(&replayed), with_events(&lines));
}

#[test]
fn a_schema_this_watcher_does_not_know_is_warned_of_once() {
    let (_, mut writes) = played(netnotify_replay::LAPTOP_JOINS_WIFI, Output::Lines);
    // The `schema` column of `loaded` and `counters`: after `seq`, `printed` and `version`.
    let version = b"0.1.0\0".len();
    let mut patched = 0;
    for (_, metadata, payload) in &mut writes {
        if metadata[3..].starts_with(b"loaded\0") || metadata[3..].starts_with(b"counters\0") {
            assert_eq!(&payload[12..12 + version], b"0.1.0\0");
            payload[12 + version..16 + version].copy_from_slice(&3_u32.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2);
    let (out, err) = watched(&writes, options(Format::Lines, false));
    assert_eq!(
        err,
        "netnotify-watch: warning: the driver writes schema 3, this watcher knows schema 2: \
         fields are read by name, but may be missing or misread — use the watcher of the \
         driver's release\n"
    );
    // The events are still printed.
    assert!(out.contains("netnotify: loaded registered="));
}

#[test]
fn json_with_time_imports_too() {
    let (lines, writes) = played(netnotify_replay::LAPTOP_JOINS_WIFI, Output::Lines);
    let (objects, _) = watched(&writes, options(Format::Json, true));
    assert!(objects.starts_with("2024-11-30T04:00:00Z {\"kind\":\"settings\""));
    let imported = netnotify_replay::import::import(&objects).expect("objects");
    let (replayed, _) = played(&imported.scenario, Output::Lines);
    assert_eq!(with_events(&replayed), with_events(&lines));
}

#[test]
fn the_storm_s_scenario_carries_the_driver_s_decisions_and_replays_to_the_same_lines() {
    let (lines, writes) = played(netnotify_replay::VPN_ROUTE_STORM, Output::Lines);
    let (scenario, err) = watched(&writes, options(Format::Scenario, false));
    assert_eq!(err, "");
    // Every event is a step: the 4,986 the ten summaries count say the driver kept them out.
    let kept_out: u64 = scenario
        .lines()
        .filter(|step| step.contains(r#""printed":false"#))
        .map(|step| {
            let object: serde_json::Value = serde_json::from_str(step).expect("a step");
            object["repeat"].as_u64().unwrap_or(1)
        })
        .sum();
    assert_eq!(kept_out, 4986);
    let (replayed, _) = played(&scenario, Output::Lines);
    assert_eq!(with_events(&replayed), with_events(&lines));
    assert_eq!(
        with_events(&replayed)
            .iter()
            .filter(|line| line.starts_with("netnotify: storm: "))
            .count(),
        10
    );
}
