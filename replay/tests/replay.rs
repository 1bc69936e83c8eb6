//! `cargo replay`: the built-in scenario's exact lines, every kind of bad input refused with
//! its line number, failures injected by name, and the command line's streams and exit codes.

use std::process::Command;

use netnotify_replay::{LAPTOP_JOINS_WIFI, ParseError, Report, VPN_ROUTE_STORM, parse, run};

/// Plays `scenario`; returns (stdout, notes, report).
fn play(scenario: &str) -> (String, String, Report) {
    let scenario = parse(scenario).expect("valid scenario");
    let (mut out, mut notes) = (Vec::new(), Vec::new());
    let report = run(&scenario, &mut out, &mut notes).expect("writes to memory succeed");
    (
        String::from_utf8(out).unwrap(),
        String::from_utf8(notes).unwrap(),
        report,
    )
}

fn refused(scenario: &str) -> ParseError {
    parse(scenario).expect_err("the scenario must be refused")
}

/// 192.168.1.23/24 on ifIndex 12, all other fields zero (80 bytes).
fn address_hex() -> String {
    let mut row = [0_u8; 80];
    row[0] = 2;
    row[4..8].copy_from_slice(&[192, 168, 1, 23]);
    row[40] = 12;
    row[60] = 24;
    hex::encode(row)
}

#[test]
fn the_built_in_scenario_prints_exactly_the_expected_lines() {
    let (out, notes, report) = play(LAPTOP_JOINS_WIFI);
    assert_eq!(out, include_str!("laptop-joins-wifi.out"));
    assert_eq!(notes, "");
    assert_eq!(report.lines, 25);
    assert!(report.violations.is_empty());
    assert_eq!(parse(LAPTOP_JOINS_WIFI).unwrap().len(), 16);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "5000 notifications are too slow under Miri; tests/storm_control.rs runs the limiter there"
)]
fn the_built_in_storm_is_limited_and_every_event_is_accounted_for() {
    let (out, notes, report) = play(VPN_ROUTE_STORM);
    assert_eq!(out, include_str!("vpn-route-storm.out"));
    assert_eq!(notes, "");
    assert!(report.violations.is_empty());
    let printed = out
        .lines()
        .filter(|line| line.starts_with("netnotify: route add "))
        .count() as u64;
    let summarised: u64 = out
        .lines()
        .filter(|line| line.starts_with("netnotify: storm: route "))
        .filter_map(|line| line.split_whitespace().find_map(|f| f.strip_prefix("add=")))
        .map(|count| count.parse::<u64>().unwrap())
        .sum();
    assert_eq!(printed, 14, "the burst of 5, then 2 per second for 4.5 s");
    assert_eq!(printed + summarised, 5_000);
    assert!(out.contains("route(initial=0 add=5000 delete=1 parameter=0 other=0)"));
}

#[test]
fn settings_and_clock_steps_reach_the_driver() {
    let (out, _, _) = play(
        "{\"step\":\"settings\",\"values\":{\"Family\":\"ipv4\",\"Verbosity\":0}}\n\
         {\"step\":\"clock\",\"advance_ms\":5}\n",
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..2],
        [
            "netnotify: warning: setting Family: found registry type 1, 10 bytes; expected a \
             REG_DWORD 0, 4 or 6; using 0",
            "netnotify: settings Notifications=15 Family=0 InitialNotification=1 Requery=1 \
             Verbosity=0 LinesPerSecond=20 Burst=100",
        ]
    );
    assert!(
        !out.contains(" initial (no row)"),
        "Verbosity=0 prints no event line"
    );
    assert_eq!(
        refused("{\"step\":\"settings\",\"values\":{\"Colour\":1}}").message,
        "unknown setting \"Colour\", expected one of Notifications, Family, InitialNotification, \
         Requery, Verbosity, LinesPerSecond, Burst"
    );
    assert_eq!(
        refused(&format!(
            "{{\"step\":\"route\",\"type\":\"add\",\"row\":\"{}\",\"repeat\":0}}",
            "00".repeat(104)
        ))
        .message,
        "repeat is 0, expected 1 to 100000"
    );
}

#[test]
fn an_empty_scenario_loads_and_unloads() {
    let (out, notes, report) = play("");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.len(),
        10,
        "settings, 6 initial, stable table, loaded, unloaded"
    );
    assert!(lines[9].starts_with("netnotify: unloaded "));
    assert_eq!(notes, "");
    assert_eq!(report.lines, 10);
}

#[test]
fn delivery_modes_and_raw_types_reach_the_driver_as_written() {
    let row = address_hex();
    let scenario = format!(
        "{{\"step\":\"address\",\"type\":\"add\",\"row\":\"{row}\",\"deliver\":\"null\"}}\n\
         {{\"step\":\"address\",\"type\":7,\"row\":\"{row}\",\"deliver\":\"full\"}}\n\
         {{\"step\":\"irql\",\"level\":2}}\n\
         {{\"step\":\"address\",\"type\":\"parameter\",\"row\":\"{row}\"}}\n\
         {{\"step\":\"irql\",\"level\":0}}\n"
    );
    let (out, _, report) = play(&scenario);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[9..12],
        [
            "netnotify: address add (no row)",
            "netnotify: address type=7 192.168.1.23 if=12 luid=0:0",
            "netnotify: address parameter 192.168.1.23 if=12 luid=0:0 \
             (not re-queried at IRQL 2)",
        ]
    );
    assert!(report.violations.is_empty());
}

#[test]
fn failures_are_injected_into_the_named_call() {
    let (out, notes, report) = play(
        "{\"step\":\"fail\",\"call\":\"NotifyRouteChange2\",\"status\":\"0xC000009A\"}\n\
         {\"step\":\"unload\"}\n",
    );
    assert_eq!(
        out.lines().last(),
        Some(
            "netnotify: error: NotifyRouteChange2 failed with status 0xC000009A; rolled back \
             interface,address; not loading"
        )
    );
    assert_eq!(
        notes,
        "replay: DriverEntry returned 0xC000009A: the driver is not loaded\n"
    );
    assert!(report.violations.is_empty());

    let row = address_hex();
    let (out, _, _) = play(&format!(
        "{{\"step\":\"fail\",\"call\":\"GetUnicastIpAddressEntry\",\"status\":3221225473}}\n\
         {{\"step\":\"address\",\"type\":\"add\",\"row\":\"{row}\"}}\n\
         {{\"step\":\"fail\",\"call\":\"CancelMibChangeNotify2\",\"notification\":\"route\",\
         \"status\":\"0xC0000008\"}}\n"
    ));
    assert!(out.contains(
        "netnotify: address add 192.168.1.23 if=12 luid=0:0 \
         (re-query failed with status 0xC0000001)\n"
    ));
    assert!(out.contains("netnotify: error: CancelMibChangeNotify2 for route failed"));
}

#[test]
fn bad_input_names_the_line_and_the_problem() {
    let row = address_hex();
    let cases = [
        (
            "{\"step\":",
            1,
            "not JSON: EOF while parsing a value at line 1 column 8",
        ),
        (
            "\n{\"step\":\"tunnel\"}",
            2,
            "unknown variant `tunnel`, expected one of `interface`, `address`, `route`, \
             `stable`, `stable-complete`, `fail`, `irql`, `null-handle`, `settings`, `clock`, `unload`",
        ),
        (
            "{\"step\":\"route\",\"type\":\"add\",\"row\":\"00ff\"}",
            1,
            "route row is 2 bytes, expected 104",
        ),
        (
            "{\"step\":\"interface\",\"type\":\"add\",\"row\":\"xy\"}",
            1,
            "interface row is not hex: Invalid character 'x' at position 0",
        ),
        (
            "{\"step\":\"fail\",\"call\":\"NotifyEverything\",\"status\":\"0xC0000001\"}",
            1,
            "unknown call \"NotifyEverything\"",
        ),
        (
            "{\"step\":\"fail\",\"call\":\"NotifyRouteChange2\",\"status\":0}",
            1,
            "NotifyRouteChange2 can only fail with an error status, not 0x00000000",
        ),
        (
            "{\"step\":\"unload\"}\n{\"step\":\"unload\"}",
            2,
            "the driver unloaded on line 1: nothing can follow",
        ),
        (
            "{\"step\":\"unload\",\"colour\":\"red\"}",
            1,
            "unknown field `colour`, there are no fields",
        ),
        (
            "{\"step\":\"unload\",\"comment\":7}",
            1,
            "\"comment\" must be a string",
        ),
    ];
    for (scenario, line, message) in cases {
        assert_eq!(
            refused(scenario),
            ParseError {
                line,
                message: message.to_owned()
            },
            "{scenario}"
        );
    }
    let late_stable = format!(
        "{{\"step\":\"address\",\"type\":\"add\",\"row\":\"{row}\"}}\n\
         {{\"step\":\"stable\",\"completion\":\"pending\"}}"
    );
    assert_eq!(
        refused(&late_stable).to_string(),
        "line 2: stable applies when the driver loads, but it loaded on line 1: put it before \
         the first event"
    );
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot start processes")]
fn the_command_prints_lines_on_stdout_and_one_error_line_on_stderr() {
    let binary = env!("CARGO_BIN_EXE_netnotify-replay");
    let built_in = Command::new(binary).output().unwrap();
    assert!(built_in.status.success());
    assert_eq!(
        String::from_utf8(built_in.stdout).unwrap(),
        include_str!("laptop-joins-wifi.out")
    );
    assert!(built_in.stderr.is_empty());

    let storm = Command::new(binary).arg("--storm").output().unwrap();
    assert!(storm.status.success());
    assert_eq!(
        String::from_utf8(storm.stdout).unwrap(),
        include_str!("vpn-route-storm.out")
    );

    let shipped = Command::new(binary)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/laptop-joins-wifi.jsonl"
        ))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(shipped.stdout).unwrap(),
        include_str!("laptop-joins-wifi.out")
    );

    let directory = std::env::temp_dir().join(format!("netnotify-replay-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let bad = directory.join("bad.jsonl");
    std::fs::write(&bad, "{\"step\":\"unload\"}\n{\"step\":\"address\"}\n").unwrap();
    let refused = Command::new(binary).arg(&bad).output().unwrap();
    std::fs::remove_dir_all(&directory).unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        refused.stdout.is_empty(),
        "nothing printed for a bad scenario"
    );
    assert_eq!(
        String::from_utf8(refused.stderr).unwrap(),
        "replay: line 2: missing field `type`\n"
    );
}

#[test]
fn the_readme_shows_real_lines_of_the_built_in_scenario() {
    let readme = include_str!("../../README.md");
    let output = include_str!("laptop-joins-wifi.out");
    let shown: Vec<&str> = readme
        .lines()
        .filter(|line| line.starts_with("netnotify: "))
        .collect();
    assert!(shown.len() >= 9, "the README shows the replay's lines");
    for line in shown {
        assert!(
            output.lines().any(|printed| printed == line)
                || include_str!("../../docs/lines.md").contains(line),
            "README line not printed by the driver: {line}"
        );
    }
}

#[test]
fn every_example_in_docs_lines_is_asserted_by_a_test() {
    // The examples of docs/lines.md, each found in a test's expected output: the replay's
    // golden file, or (with Rust string continuations joined) a test source, this one included.
    let sources = [
        include_str!("laptop-joins-wifi.out"),
        include_str!("../../tests/golden.rs"),
        include_str!("../../tests/requery.rs"),
        include_str!("../../tests/lifecycle.rs"),
        include_str!("../../tests/settings.rs"),
        include_str!("vpn-route-storm.out"),
        include_str!("replay.rs"),
    ]
    .map(|source| {
        // Join `\`-continued string literals as Rust reads them.
        let mut joined = String::new();
        let mut lines = source.lines();
        while let Some(line) = lines.next() {
            let mut line = line.to_owned();
            while line.ends_with('\\') {
                line.pop();
                match lines.next() {
                    Some(next) => line.push_str(next.trim_start()),
                    None => break,
                }
            }
            joined.push_str(&line);
            joined.push('\n');
        }
        joined
    });
    // Lines with `<placeholders>` are the format, not examples.
    let examples: Vec<&str> = include_str!("../../docs/lines.md")
        .lines()
        .filter(|line| line.starts_with("netnotify: ") && !line.contains('<'))
        .collect();
    assert!(examples.len() >= 15);
    for example in examples {
        assert!(
            sources.iter().any(|source| source.contains(example)),
            "docs/lines.md example not asserted by any test: {example}"
        );
    }
}

/// `null-handle`: the registration succeeds without a handle, the driver stays loaded for
/// good (no `DriverUnload`, no cancel), and a bad call name lists the four it takes.
#[test]
fn a_null_handle_keeps_the_driver_loaded_and_nothing_is_cancelled() {
    let (out, notes, report) =
        play("{\"step\":\"null-handle\",\"call\":\"NotifyRouteChange2\"}\n{\"step\":\"unload\"}\n");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[7],
        "netnotify: error: NotifyRouteChange2 returned status 0x00000000 without a handle; it \
         cannot be cancelled, so netnotify stays loaded (unload disabled)"
    );
    assert!(lines[9].ends_with(" unload=disabled"));
    assert_eq!(lines.len(), 10, "no unloaded line: DriverUnload never runs");
    assert_eq!(
        notes,
        "replay: the driver set no DriverUnload (a registration cannot be cancelled): it stays \
         loaded\n"
    );
    assert!(report.violations.is_empty());
    assert_eq!(
        refused("{\"step\":\"null-handle\",\"call\":\"IoCreateDevice\"}").to_string(),
        "line 1: null-handle needs a registration call: NotifyIpInterfaceChange, \
         NotifyUnicastIpAddressChange, NotifyRouteChange2 or NotifyStableUnicastIpAddressTable, \
         not \"IoCreateDevice\""
    );
}

/// What the Wine harness plays: the settings for the registry, the setup before the driver
/// loads, and the events after it up to `unload`, on a simulator serving a driver loaded
/// elsewhere.
#[test]
fn a_scenario_splits_into_settings_setup_and_events() {
    let text = "{\"step\":\"settings\",\"values\":{\"Family\":4,\"Burst\":\"five\"}}\n\
                {\"step\":\"irql\",\"level\":2}\n\
                {\"step\":\"clock\",\"advance_ms\":5}\n\
                {\"step\":\"address\",\"type\":\"add\",\"row\":\"ADDRESS\"}\n\
                {\"step\":\"clock\",\"advance_ms\":7}\n\
                {\"step\":\"unload\"}\n"
        .replace("ADDRESS", &address_hex());
    let scenario = parse(&text).unwrap();
    let settings: Vec<String> = scenario
        .settings()
        .iter()
        .map(|(name, value)| format!("{name}={value:?}"))
        .collect();
    // A JSON object's keys in their sorted order; "five" is a REG_SZ of 5 UTF-16 units.
    assert_eq!(
        settings,
        ["Burst=Other { value_type: 1, size: 10 }", "Family=Dword(4)"]
    );
    let sim = netnotify_core::sim::Sim::new();
    sim.serve_external_driver();
    scenario.play_setup(&sim);
    assert_eq!(netnotify_core::netio::NetIo::current_irql(&sim), 2);
    assert_eq!(netnotify_core::host::Sink::now(&sim), 50_000);
    scenario.play_events(&sim);
    assert_eq!(netnotify_core::host::Sink::now(&sim), 120_000);
    assert!(sim.close().is_empty());
}
