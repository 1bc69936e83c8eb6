//! `cargo replay`: the built-in scenario's exact lines, every kind of bad input refused with
//! its line number, failures injected by name, and the command line's streams and exit codes.

use std::collections::HashSet;
use std::process::Command;

use netnotify_replay::{
    LAPTOP_JOINS_WIFI, ParseError, Report, VPN_ROUTE_STORM, decode_text, parse, run,
};

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
    assert_eq!(report.lines, 29);
    assert!(report.violations.is_empty());
    assert_eq!(parse(LAPTOP_JOINS_WIFI).unwrap().len(), 17);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "5000 notifications are too slow under Miri; tests/storm_limiter.rs runs the limiter there"
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
        "\"values\" has no setting \"Colour\"; the settings are \"Notifications\", \"Family\", \
         \"InitialNotification\", \"Requery\", \"Verbosity\", \"LinesPerSecond\" or \"Burst\""
    );
    assert_eq!(
        refused(&format!(
            "{{\"step\":\"route\",\"type\":\"add\",\"row\":\"{}\",\"repeat\":0}}",
            "00".repeat(104)
        ))
        .message,
        "\"repeat\" is 0, expected a whole number from 1 to 100000"
    );
}

#[test]
fn the_kernel_contract_scenarios_print_their_golden_lines_without_misuse() {
    for (scenario, golden, notes_expected) in [
        (
            include_str!("failed-cancel.jsonl"),
            include_str!("failed-cancel.out"),
            "replay: a cancel failed: the driver kept that registration and stays in memory\n",
        ),
        (
            include_str!("irql-above-passive.jsonl"),
            include_str!("irql-above-passive.out"),
            "",
        ),
        (
            include_str!("low-stack.jsonl"),
            include_str!("low-stack.out"),
            "",
        ),
    ] {
        let (out, notes, report) = play(scenario);
        assert_eq!(out, golden);
        assert_eq!(notes, notes_expected);
        assert!(report.violations.is_empty(), "{:?}", report.violations);
    }
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
            "netnotify: address type=7 192.168.1.23 if=12 luid=0:0 name=? alias=?",
            "netnotify: address parameter 192.168.1.23 if=12 luid=0:0 name=? alias=? \
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
        "netnotify: address add 192.168.1.23 if=12 luid=0:0 name=? alias=? \
         (re-query failed with status 0xC0000001)\n"
    ));
    assert!(out.contains("netnotify: error: CancelMibChangeNotify2 for route failed"));
}

#[test]
#[allow(
    clippy::too_many_lines,
    reason = "one table of cases, each with its exact message"
)]
fn bad_input_names_the_line_and_the_problem() {
    let row = address_hex();
    let cases = [
        (
            "{\"step\":".to_owned(),
            1,
            "not JSON: the line ends before its object does (a missing } or \")",
        ),
        (
            "{\"step\":\"unload\" \"comment\":\"x\"}".to_owned(),
            1,
            "column 18: not JSON: expected `,` or `}`",
        ),
        (
            "[1,2]".to_owned(),
            1,
            "expected a JSON object such as {\"step\":\"unload\"}, found [1,2]",
        ),
        (
            "{\"type\":\"add\"}".to_owned(),
            1,
            "no \"step\": every line is an object whose \"step\" is \"interface\", \"address\", \
             \"route\", \"settings\", \"clock\", \"stable\", \"stable-complete\", \"fail\", \
             \"null-handle\", \"irql\", \"stack\", \"name\", \"capture-state\" or \"unload\"",
        ),
        (
            "{\"step\":\"stack\",\"bytes\":2000000}".to_owned(),
            1,
            "\"bytes\" is 2000000, expected a whole number of bytes from 0 to 1048576, or null",
        ),
        (
            "{\"step\":\"stack\"}".to_owned(),
            1,
            "step \"stack\" needs \"bytes\": a whole number of bytes from 0 to 1048576, or null",
        ),
        (
            "\n{\"step\":\"tunnel\"}".to_owned(),
            2,
            "\"step\" is \"tunnel\", expected \"interface\", \"address\", \"route\", \"settings\", \
             \"clock\", \"stable\", \"stable-complete\", \"fail\", \"null-handle\", \"irql\", \
             \"stack\", \"name\", \"capture-state\" or \"unload\"",
        ),
        (
            format!("{{\"step\":\"address\",\"type\":\"remove\",\"row\":\"{row}\"}}"),
            1,
            "\"type\" is \"remove\", expected \"add\", \"delete\", \"parameter\", \"initial\" or a \
             MIB_NOTIFICATION_TYPE number",
        ),
        (
            "{\"step\":\"address\",\"type\":\"add\"}".to_owned(),
            1,
            "step \"address\" needs \"row\": the row: an object of the fields the lines print, \
             or hex (docs/replay.md, \"Rows\")",
        ),
        (
            "{\"step\":\"route\",\"type\":\"add\",\"row\":\"00ff\"}".to_owned(),
            1,
            "\"row\" has 4 hex digits, expected 208",
        ),
        (
            "{\"step\":\"interface\",\"type\":\"add\",\"row\":\"xy\"}".to_owned(),
            1,
            "\"row\" has 'x' at position 0, not a hex digit",
        ),
        (
            format!(
                "{{\"step\":\"address\",\"type\":\"add\",\"row\":\"{row}\",\"deliver\":\"all\"}}"
            ),
            1,
            "\"deliver\" is \"all\", expected \"keys\", \"full\" or \"null\"",
        ),
        (
            format!("{{\"step\":\"address\",\"type\":\"add\",\"row\":\"{row}\",\"repeat\":0}}"),
            1,
            "\"repeat\" is 0, expected a whole number from 1 to 100000",
        ),
        (
            "{\"step\":\"settings\",\"values\":{\"Famly\":4}}".to_owned(),
            1,
            "\"values\" has no setting \"Famly\"; the settings are \"Notifications\", \"Family\", \
             \"InitialNotification\", \"Requery\", \"Verbosity\", \"LinesPerSecond\" or \"Burst\"",
        ),
        (
            "{\"step\":\"settings\",\"values\":{\"Family\":-1}}".to_owned(),
            1,
            "\"Family\" is -1, expected a REG_DWORD from 0 to 4294967295, or a string for a REG_SZ",
        ),
        (
            "{\"step\":\"stable-complete\",\"rows\":[]}".to_owned(),
            1,
            "\"stable-complete\", but the stable table is not pending: put \
             {\"step\":\"stable\",\"completion\":\"pending\"} before the first event",
        ),
        (
            "{\"step\":\"irql\",\"level\":300}".to_owned(),
            1,
            "\"level\" is 300, expected a number from 0 to 2",
        ),
        (
            "{\"step\":\"fail\",\"call\":\"NotifyEverything\",\"status\":\"0xC0000001\"}"
                .to_owned(),
            1,
            "\"call\" is \"NotifyEverything\", expected \"IoCreateDevice\", \
             \"NotifyIpInterfaceChange\", \"NotifyUnicastIpAddressChange\", \"NotifyRouteChange2\", \
             \"NotifyStableUnicastIpAddressTable\", \"CancelMibChangeNotify2\", \
             \"GetIpInterfaceEntry\", \"GetUnicastIpAddressEntry\", \"GetIpForwardEntry2\", \
             \"GetIpInterfaceTable\", \"GetUnicastIpAddressTable\", \"GetIpForwardTable2\", \
             \"EtwRegister\" or \"EtwSetInformation\"",
        ),
        (
            "{\"step\":\"fail\",\"call\":\"EtwSetInformation\",\"status\":\"0xC0000001\",\
             \"class\":\"EventProviderSetInformation\"}"
                .to_owned(),
            1,
            "\"class\" is \"EventProviderSetInformation\", expected \"EventProviderSetTraits\" (the \
             default) or \"EventProviderUseDescriptorType\"",
        ),
        (
            "{\"step\":\"fail\",\"call\":\"EtwRegister\",\"status\":\"0xC0000001\",\
             \"class\":\"EventProviderSetTraits\"}"
                .to_owned(),
            1,
            "\"class\" goes only with EtwSetInformation, not EtwRegister",
        ),
        (
            "{\"step\":\"fail\",\"call\":\"EtwSetInformation\",\"status\":0}".to_owned(),
            1,
            "\"status\" of EtwSetInformation must be an error status, not 0x00000000",
        ),
        (
            "{\"step\":\"fail\",\"call\":\"NotifyRouteChange2\",\"status\":0}".to_owned(),
            1,
            "\"status\" of NotifyRouteChange2 must be an error status, not 0x00000000",
        ),
        (
            "{\"step\":\"fail\",\"call\":\"CancelMibChangeNotify2\",\"status\":\"0x40000000\",\
             \"notification\":\"route\"}"
                .to_owned(),
            1,
            "\"status\" of CancelMibChangeNotify2 must be an error status, not 0x40000000",
        ),
        (
            "{\"step\":\"fail\",\"call\":\"CancelMibChangeNotify2\",\"status\":\"0xC0000001\",\
             \"notification\":\"routes\"}"
                .to_owned(),
            1,
            "\"notification\" is \"routes\", expected \"interface\", \"address\", \"route\" or \
             \"stable-table\"",
        ),
        (
            "{\"step\":\"unload\"}\n{\"step\":\"unload\"}".to_owned(),
            2,
            "the driver unloaded on line 1: nothing can follow",
        ),
        (
            "{\"step\":\"unload\",\"colour\":\"red\"}".to_owned(),
            1,
            "step \"unload\" has no field \"colour\"; its fields are \"step\" and \"comment\"",
        ),
        (
            "{\"step\":\"unload\",\"comment\":7}".to_owned(),
            1,
            "\"comment\" is 7, expected a string",
        ),
    ];
    for (scenario, line, message) in cases {
        assert_eq!(
            refused(&scenario),
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
        "replay: line 2: step \"address\" needs \"type\": \"add\", \"delete\", \"parameter\", \
         \"initial\" or a MIB_NOTIFICATION_TYPE number\n"
    );
}

/// The scenarios behind the documents' examples (`replay/tests/docs/`): name, scenario and
/// golden output. Each plays to exactly its golden output
/// (`the_documents_scenarios_print_their_golden_outputs`).
const DOC_SCENARIOS: [(&str, &str, &str); 9] = [
    (
        "etw-off",
        include_str!("docs/etw-off.jsonl"),
        include_str!("docs/etw-off.out"),
    ),
    (
        "etw-set-information",
        include_str!("docs/etw-set-information.jsonl"),
        include_str!("docs/etw-set-information.out"),
    ),
    (
        "etw-traits",
        include_str!("docs/etw-traits.jsonl"),
        include_str!("docs/etw-traits.out"),
    ),
    (
        "events",
        include_str!("docs/events.jsonl"),
        include_str!("docs/events.out"),
    ),
    (
        "null-handle",
        include_str!("docs/null-handle.jsonl"),
        include_str!("docs/null-handle.out"),
    ),
    (
        "rollback",
        include_str!("docs/rollback.jsonl"),
        include_str!("docs/rollback.out"),
    ),
    (
        "settings-bad",
        include_str!("docs/settings-bad.jsonl"),
        include_str!("docs/settings-bad.out"),
    ),
    (
        "settings-parameters",
        include_str!("docs/settings-parameters.jsonl"),
        include_str!("docs/settings-parameters.out"),
    ),
    (
        "storm",
        include_str!("docs/storm.jsonl"),
        include_str!("docs/storm.out"),
    ),
];

/// `pinned-unload`: the driver pinned by a registration without a handle, then `DriverUnload`
/// called although the driver never set it (Windows does not do that; `cargo replay` does
/// not either): the branch that keeps every registration prints its error and an `unloaded`
/// line with `kept=` every registration, and keeps the driver object. Its golden output is
/// what docs/lines.md quotes. `BLESS=1 cargo test -p netnotify-replay --test replay pinned`
/// rewrites it.
#[test]
fn a_pinned_driver_asked_to_unload_keeps_every_registration() {
    use netnotify_core::model::status::NtStatus;
    use netnotify_core::policy::lifecycle::driver_entry;
    use netnotify_core::sim::Sim;

    let scenario = parse(include_str!("docs/pinned-unload.jsonl")).expect("valid scenario");
    let sim = Sim::new();
    scenario.play_setup(&sim);
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    scenario.play_events(&sim);
    assert!(!sim.unload_enabled());
    sim.unload_driver();
    assert!(sim.driver_object_kept());
    let mut out = sim.lines().join("\n");
    out.push('\n');
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/docs/pinned-unload.out");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(path, &out).expect("golden written");
    }
    assert_eq!(out, include_str!("docs/pinned-unload.out"), "{path}");
    assert!(sim.close().is_empty());
}

/// Every document whose `netnotify: ` lines must be real output.
const DOCUMENTS: [(&str, &str); 6] = [
    ("README.md", include_str!("../../README.md")),
    ("docs/lines.md", include_str!("../../docs/lines.md")),
    ("docs/replay.md", include_str!("../../docs/replay.md")),
    ("docs/netio.md", include_str!("../../docs/netio.md")),
    ("docs/windows.md", include_str!("../../docs/windows.md")),
    ("docs/checks.md", include_str!("../../docs/checks.md")),
];

#[test]
fn the_documents_scenarios_print_their_golden_outputs() {
    for (name, scenario, golden) in DOC_SCENARIOS {
        let (out, _, report) = play(scenario);
        assert!(report.violations.is_empty(), "{name}: {report:?}");
        assert_eq!(out, golden, "replay/tests/docs/{name}.out");
    }
}

/// Every whole line of every golden output a document may quote.
fn golden_lines() -> HashSet<&'static str> {
    [
        include_str!("laptop-joins-wifi.out"),
        include_str!("vpn-route-storm.out"),
        include_str!("failed-cancel.out"),
        include_str!("irql-above-passive.out"),
        include_str!("low-stack.out"),
        include_str!("capture-state.out"),
    ]
    .into_iter()
    .chain(DOC_SCENARIOS.map(|(_, _, golden)| golden))
    .chain([
        include_str!("docs/pinned-unload.out"),
        // The watcher attached after load (watch/tests/readme.rs writes and checks it).
        include_str!("docs/watch-late-attach.out"),
    ])
    .flat_map(str::lines)
    .collect()
}

/// Every `netnotify: …` line of a document: code-block lines (indented or not) and inline
/// code spans; lines with `<placeholders>` or `…` are the format, not examples, and the bare
/// prefix is not a line.
fn shown_lines(document: &str) -> Vec<&str> {
    let mut shown = netnotify_replay::docs::shown(document, |line| line.starts_with("netnotify: "));
    shown.retain(|line| !line.contains('<') && line.trim_end() != "netnotify:");
    shown
}

/// Issue 17: a document's example lines are compared with golden outputs, whole line for
/// whole line, never with test sources or comments; nothing depends on how prose is wrapped.
#[test]
fn every_line_the_documents_show_is_a_line_of_a_golden_output() {
    let golden = golden_lines();
    let mut total = 0;
    for (document, text) in DOCUMENTS {
        for line in shown_lines(text) {
            assert!(
                golden.contains(line),
                "{document}: not a line of any golden output: {line}"
            );
            total += 1;
        }
    }
    assert!(total >= 30, "the documents show {total} lines");
}

/// The counts the README gives, from the golden outputs, in the README's prose with its
/// line breaks read as spaces.
#[test]
fn the_readme_counts_are_the_golden_outputs() {
    let readme = include_str!("../../README.md")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let laptop = include_str!("laptop-joins-wifi.out").lines().count();
    assert!(readme.contains(&format!("some of its {laptop} lines")));
    let storm = include_str!("vpn-route-storm.out");
    let routes = storm
        .lines()
        .filter(|line| line.starts_with("netnotify: route "))
        .count();
    let summaries = storm
        .lines()
        .filter(|line| line.starts_with("netnotify: storm: "))
        .count();
    assert!(
        readme.contains(&format!(
            "{routes} route lines ({} of the adds and the delete) and {summaries} summaries",
            routes - 1
        )),
        "README storm counts: {routes} route lines, {summaries} summaries"
    );
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
    assert!(lines[9].ends_with(" unload=disabled etw={cabe4808-b99f-5fdb-95a1-c1294a861355}"));
    assert_eq!(lines.len(), 10, "no unloaded line: DriverUnload never runs");
    assert_eq!(
        notes,
        "replay: the driver set no DriverUnload (a registration has no handle, so it cannot be \
         cancelled): it stays loaded\n"
    );
    assert!(report.violations.is_empty());
    assert_eq!(
        refused("{\"step\":\"null-handle\",\"call\":\"IoCreateDevice\"}").to_string(),
        "line 1: \"call\" is \"IoCreateDevice\", expected \"NotifyIpInterfaceChange\", \
         \"NotifyUnicastIpAddressChange\", \"NotifyRouteChange2\" or \
         \"NotifyStableUnicastIpAddressTable\""
    );
}

/// A cancel that fails in `DriverEntry`'s rollback also leaves the driver without an unload
/// routine; the note names that cause, not a missing handle.
#[test]
fn a_rollback_that_kept_a_registration_is_named_as_the_cause() {
    let (out, notes, report) = play(
        "{\"step\":\"fail\",\"call\":\"CancelMibChangeNotify2\",\"notification\":\"address\",\
         \"status\":\"0xC0000001\"}\n\
         {\"step\":\"fail\",\"call\":\"NotifyRouteChange2\",\"status\":\"0xC000009A\"}\n\
         {\"step\":\"unload\"}\n",
    );
    assert!(
        out.contains("netnotify: error: CancelMibChangeNotify2 for address failed"),
        "{out}"
    );
    assert!(!out.contains("netnotify: loaded "), "{out}");
    assert_eq!(
        notes,
        "replay: the driver set no DriverUnload (a cancel failed in DriverEntry's rollback and \
         that registration was kept): it stays loaded\n"
    );
    assert!(report.violations.is_empty(), "{:?}", report.violations);
}

/// A `settings` step naming the `State` key is refused, saying where settings live now: the
/// persistent-state key is the driver's own, and the driver reads `Parameters` only.
#[test]
fn a_settings_step_naming_the_state_key_says_where_settings_live() {
    let error = parse(
        "{\"step\":\"settings\",\"values\":{\"Family\":4}}\n\
         {\"step\":\"settings\",\"key\":\"State\",\"values\":{\"Verbosity\":1}}\n",
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "line 2: step \"settings\": the State key is the driver's own persistent state, not \
         settings; the driver reads its settings from Parameters only (README \"Settings\", \
         docs/windows.md): leave \"key\" out"
    );
    // Any other key is refused, naming only what is taken.
    let error = parse("{\"step\":\"settings\",\"key\":\"Run\",\"values\":{}}\n").unwrap_err();
    assert_eq!(
        error.to_string(),
        "line 1: \"key\" is \"Run\", expected \"Parameters\" (or leave \"key\" out)"
    );
    assert_eq!(
        parse("{\"step\":\"settings\",\"key\":\"state\",\"values\":{}}\n")
            .unwrap_err()
            .message,
        error_state_message(),
    );
}

fn error_state_message() -> String {
    "step \"settings\": the State key is the driver's own persistent state, not settings; the \
     driver reads its settings from Parameters only (README \"Settings\", docs/windows.md): \
     leave \"key\" out"
        .to_owned()
}

/// The registry's key names are case-insensitive, so is a `settings` step's `key`: any case
/// of `Parameters` plays as the step without it.
#[test]
fn a_settings_step_takes_parameters_in_any_case() {
    let without =
        play("{\"step\":\"settings\",\"values\":{\"Family\":4}}\n{\"step\":\"unload\"}\n");
    assert!(without.0.contains(" Family=4 "), "{}", without.0);
    for key in ["Parameters", "parameters", "PARAMETERS", "pArAmEtErS"] {
        let scenario = format!(
            "{{\"step\":\"settings\",\"key\":\"{key}\",\"values\":{{\"Family\":4}}}}\n\
             {{\"step\":\"unload\"}}\n"
        );
        assert_eq!(play(&scenario).0, without.0, "{key}");
    }
}

/// What the Wine harness plays: the settings for the registry, the setup before the driver
/// loads, and the events after it up to `unload`, on a simulator serving a driver loaded
/// elsewhere.
#[test]
fn a_scenario_splits_into_settings_setup_and_events() {
    let text = "{\"step\":\"settings\",\"values\":{\"Family\":4,\"Burst\":\"five\"}}\n\
                {\"step\":\"settings\",\"key\":\"Parameters\",\"values\":{\"Verbosity\":1}}\n\
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
        [
            "Burst=Other { value_type: 1, size: 10 }",
            "Family=Dword(4)",
            "Verbosity=Dword(1)",
        ]
    );
    let sim = netnotify_core::sim::Sim::new();
    sim.serve_external_driver();
    scenario.play_setup(&sim);
    assert_eq!(netnotify_core::boundary::netio::Irql::current_irql(&sim), 2);
    assert_eq!(netnotify_core::boundary::host::Clock::now(&sim), 50_000);
    scenario.play_events(&sim);
    assert_eq!(netnotify_core::boundary::host::Clock::now(&sim), 120_000);
    assert!(sim.close().is_empty());
}

/// NETIO reports to a registration only the family it asked for
/// (docs/netio.md#registration): the built-in scenario with `Family=6` prints no IPv4
/// interface, address or route, and its stable table holds only the IPv6 address, while every
/// IPv6 line is the same as with both families.
#[test]
fn a_registration_of_one_family_hears_nothing_of_the_other() {
    let both = play(LAPTOP_JOINS_WIFI).0;
    let (ipv6, notes, report) = play(&format!(
        "{{\"step\":\"settings\",\"values\":{{\"Family\":6}}}}\n{LAPTOP_JOINS_WIFI}"
    ));
    assert_eq!(notes, "");
    assert!(report.violations.is_empty());
    let lines: Vec<&str> = ipv6.lines().collect();
    assert!(
        lines
            .iter()
            .all(|line| !line.contains("192.168.") && !line.contains("ipv4"))
    );
    let expected: Vec<&str> = both
        .lines()
        .filter(|line| line.contains("fe80::") || line.contains("family=ipv6"))
        .collect();
    let printed: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|line| !line.starts_with("netnotify: loaded "))
        .filter(|line| line.contains("fe80::") || line.contains("family=ipv6"))
        .collect();
    assert_eq!(printed, expected);
    assert!(
        lines.contains(&"netnotify: stable-table pending entries=1"),
        "{lines:#?}"
    );
    assert_eq!(lines.len(), 15, "{lines:#?}");
}

/// What Windows editors and shells write: UTF-8 with a byte order mark, and UTF-16 with one
/// (Windows PowerShell 5.1's `>`), read as the same scenario; other bytes refused with how to
/// save the file as UTF-8.
#[test]
fn scenario_files_in_windows_encodings_are_read_or_refused_with_advice() {
    let text = "{\"step\":\"unload\"}\n";
    let bom: Vec<u8> = [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat();
    assert_eq!(decode_text(&bom).unwrap(), text);
    let little: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    assert_eq!(decode_text(&little).unwrap(), text);
    let big: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    assert_eq!(decode_text(&big).unwrap(), text);
    let no_mark: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    assert_eq!(
        decode_text(&no_mark).unwrap_err(),
        "the scenario has NUL bytes: UTF-16 without a byte order mark? Save it as UTF-8 (in \
         PowerShell: Set-Content -Encoding utf8)"
    );
    assert_eq!(
        decode_text(b"{\"step\":\"unl\xff\"}").unwrap_err(),
        "the scenario is not UTF-8 text (byte 13): save it as UTF-8 (in PowerShell: \
         Set-Content -Encoding utf8)"
    );
}

/// The command line: an unknown option lists the options, a missing file names its path,
/// and a reader that stops early (`cargo replay | head`) ends the replay quietly.
#[test]
#[cfg_attr(miri, ignore = "Miri cannot start processes")]
fn the_command_explains_bad_arguments_and_ends_quietly_on_a_closed_pipe() {
    use std::io::Read;
    use std::process::Stdio;

    let binary = env!("CARGO_BIN_EXE_netnotify-replay");
    let option = Command::new(binary).arg("--strom").output().unwrap();
    assert_eq!(option.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(option.stderr).unwrap(),
        "replay: unknown option --strom; the options are --storm, --json, --registry, --etw, \
         --import and --help (cargo replay --help says what each does)\n"
    );
    let missing = Command::new(binary)
        .arg("no/such/file.jsonl")
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(missing.stderr).unwrap(),
        "replay: cannot read \"no/such/file.jsonl\": No such file or directory\n"
    );
    let mut child = Command::new(binary)
        .arg("--storm")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0_u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap(); // then the pipe closes
    let mut errors = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut errors)
        .unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(errors, "", "nothing said about the closed pipe");
}

/// Rows in the lines' own words are the same rows as hex (docs/replay.md#rows): the built-in
/// scenario written both ways prints the same golden lines.
#[test]
fn readable_rows_and_hex_rows_play_the_same() {
    let (readable, _, _) = play(LAPTOP_JOINS_WIFI);
    let (hex, _, _) = play(include_str!("laptop-joins-wifi.hex.jsonl"));
    assert_eq!(readable, hex);
    assert_eq!(readable, include_str!("laptop-joins-wifi.out"));
    assert!(
        !LAPTOP_JOINS_WIFI.contains("\"row\":\""),
        "the built-in scenario is readable"
    );
}

/// A readable row needs only its first key; every other field is zero, as docs/replay.md says.
#[test]
fn fields_left_out_of_a_readable_row_are_zero() {
    let (out, _, _) = play(
        "{\"step\":\"settings\",\"values\":{\"Requery\":0}}\n\
         {\"step\":\"address\",\"type\":\"add\",\"deliver\":\"full\",\"row\":{\"address\":\"2001:db8::25/64\"}}\n\
         {\"step\":\"route\",\"type\":\"add\",\"deliver\":\"full\",\"row\":{\"destination\":\"10.0.0.0/8\"}}\n\
         {\"step\":\"interface\",\"type\":\"add\",\"deliver\":\"full\",\"row\":{\"family\":\"ipv6\"}}\n",
    );
    let lines: Vec<&str> = out.lines().filter(|line| line.contains(" add ")).collect();
    assert_eq!(
        lines,
        [
            "netnotify: address add 2001:db8::25/64 if=0 luid=0:0 name=? alias=? dad=invalid \
             prefix-origin=other suffix-origin=other valid=0s preferred=0s skip-as-source=no \
             scope-id=0 created=1601-01-01T00:00:00Z",
            "netnotify: route add 10.0.0.0/8 on-link if=0 luid=0:0 name=? alias=? route-metric=0 \
             protocol=0 origin=manual valid=0s preferred=0s age=0s site-prefix=0 loopback=no \
             autoconf=no publish=no immortal=no",
            "netnotify: interface add family=ipv6 if=0 luid=0:0 name=? alias=? connected=no mtu=0 \
             metric=0 flags=none",
            "netnotify: interface add family=ipv6 if=0 router-discovery=disabled \
             link-local=always-off link-local-timeout=0ms dad-transmits=0 reachable=0ms \
             base-reachable=0ms retransmit=0ms pmtu-timeout=0ms ra-interval=0-0ms site-prefix=0 \
             offload=0x00/0x00 zones=none",
        ]
    );
}

/// A readable row's mistakes name the field and what it takes.
#[test]
fn readable_row_errors_name_the_field_and_its_values() {
    let cases = [
        (
            "{\"step\":\"address\",\"type\":\"add\",\"row\":{\"if\":12}}",
            "an address row needs \"address\": an address as the lines print it, such as \
             \"192.168.1.23/24\" or \"fe80::1%12/64\"",
        ),
        (
            "{\"step\":\"address\",\"type\":\"add\",\"row\":{\"address\":\"192.168.1.300\"}}",
            "\"address\" is \"192.168.1.300\", expected an address as the lines print it, such \
             as \"192.168.1.23/24\" or \"fe80::1%12/64\"",
        ),
        (
            "{\"step\":\"address\",\"type\":\"add\",\"row\":{\"address\":\"::1\",\"dad\":\"fine\"}}",
            "\"dad\" is \"fine\", expected \"invalid\", \"tentative\", \"duplicate\", \
             \"deprecated\", \"preferred\" or a number",
        ),
        (
            "{\"step\":\"address\",\"type\":\"add\",\"row\":{\"address\":\"::1\",\"colour\":1}}",
            "an address row has no field \"colour\"; its fields are \"address\", \"if\", \
             \"luid\", \"dad\", \"prefix-origin\", \"suffix-origin\", \"valid\", \"preferred\", \
             \"skip-as-source\", \"scope-id\" and \"created\"",
        ),
        (
            "{\"step\":\"route\",\"type\":\"add\",\"row\":{\"destination\":\"::/0\",\"luid\":\"wifi:2\"}}",
            "\"luid\" is \"wifi:2\", expected \"<ifType>:<index>\" such as \"ieee80211:2\", or a \
             number",
        ),
        (
            "{\"step\":\"route\",\"type\":\"add\",\"row\":{\"destination\":\"::/0\",\"valid\":\"forever\"}}",
            "\"valid\" is \"forever\", expected seconds (\"86400s\" or a number) or \"infinite\"",
        ),
        (
            "{\"step\":\"interface\",\"type\":\"add\",\"row\":{\"family\":\"ipv6\",\"flags\":\"fast\"}}",
            "\"flags\" has \"fast\", expected the names of the flags that are set, joined by \
             commas: \"auto-metric\", \"forwarding\", \"advertising\", \"advertise-default\", \
             \"no-default-routes\", \"weak-send\", \"weak-receive\", \"nud\", \"managed\", \
             \"other-stateful\", \"wake\", \"nd\" or \"rd\"",
        ),
        (
            "{\"step\":\"interface\",\"type\":\"add\",\"row\":{\"family\":\"ipv6\",\"zones\":\"16:1\"}}",
            "\"zones\" is \"16:1\", expected \"<scope level 0-15>:<zone>\" entries joined by \
             commas, or \"none\"",
        ),
    ];
    for (scenario, message) in cases {
        assert_eq!(refused(scenario).message, message, "{scenario}");
    }
}

/// docs/replay.md documents every readable field, and every example line in it plays.
#[test]
fn the_scenario_docs_name_every_field_and_their_examples_play() {
    let docs = include_str!("../../docs/replay.md");
    let fields = netnotify_replay::readable::INTERFACE_FIELDS
        .iter()
        .chain(&netnotify_replay::readable::ADDRESS_FIELDS)
        .chain(&netnotify_replay::readable::ROUTE_FIELDS);
    for field in fields {
        assert!(
            docs.contains(&format!("| `{field}`")),
            "docs/replay.md lacks `{field}`"
        );
    }
    let (before, after) = docs.split_once("### Examples").unwrap();
    for line in before.lines().filter(|line| line.starts_with("{\"step\"")) {
        assert!(parse(line).is_ok(), "{line}");
    }
    let examples: Vec<&str> = after
        .lines()
        .filter(|line| line.starts_with("{\"step\""))
        .collect();
    assert_eq!(examples.len(), 14);
    let (out, _, report) = play(&examples.join("\n"));
    assert!(report.violations.is_empty());
    // Verbosity 1: the keys and the names from the `name` step.
    assert!(out.contains(
        "netnotify: route add 0.0.0.0/0 via 192.168.1.1 if=12 luid=ieee80211:2 \
         name=wireless_32768 alias=\"Wi-Fi\"\n"
    ));
    assert!(out.contains(" Verbosity=1 LinesPerSecond=2 Burst=5\n"));
}

/// `--etw`: the session's calls, in the format docs/replay.md#etw gives.
#[test]
fn an_etw_session_is_played_and_every_call_logged() {
    use netnotify_replay::EtwSession;
    let scenario = netnotify_replay::parse(netnotify_replay::LAPTOP_JOINS_WIFI).unwrap();
    let run = |spec: &str| {
        let session = EtwSession::parse(spec).unwrap();
        let (report, log) =
            netnotify_replay::run_with_etw(&scenario, session, &mut Vec::new(), &mut Vec::new())
                .unwrap();
        assert!(report.violations.is_empty());
        log
    };
    let register = r#"{"call":"EtwRegister","provider":"{cabe4808-b99f-5fdb-95a1-c1294a861355}"}"#;
    let traits = r#"{"call":"EtwSetInformation","class":2,"hex":"0c006e65746e6f7469667900"}"#;
    let unregister = r#"{"call":"EtwUnregister"}"#;
    assert_eq!(run("none"), [register, traits, unregister]);
    let all = run("0:0xffffffffffffffff");
    let docs = include_str!("../../docs/replay.md");
    for line in all.iter().take(3).chain(all.get(4)) {
        assert!(docs.contains(line.as_str()), "docs/replay.md lacks {line}");
    }
    assert_eq!(
        all.len(),
        29,
        "register, enable, traits, 25 events, unregister"
    );
    let capture = run("4:0x10:capture-state");
    // Capture-state, its counters event, then the unloaded event and the unregister.
    assert!(capture[capture.len() - 4].contains(r#""code":2"#));
    assert!(
        EtwSession::parse("4:0x10:later")
            .unwrap_err()
            .contains("later")
    );
    assert!(EtwSession::parse("x").is_err());
}

/// `capture-state.jsonl`: the built-in scenario's network, then three capture-state requests
/// (every keyword; the route keyword only; every keyword with `GetUnicastIpAddressTable`
/// failing). The lines show no rundown but the failure's `error:`; `--json` shows every
/// `present` event, `seq` 0, `printed` false, in the order interfaces, addresses, routes,
/// after the `counters` event of each request whose session takes it, the counters unchanged
/// by them. `BLESS=1 cargo test -p netnotify-replay --test replay
/// capture_state` rewrites both goldens.
#[test]
fn capture_state_runs_down_the_present_state_by_keyword_and_survives_a_failed_table() {
    use netnotify_replay::{Output, run_as};

    let scenario = parse(include_str!("capture-state.jsonl")).expect("valid scenario");
    let mut outputs = Vec::new();
    for output in [Output::Lines, Output::Json] {
        let (mut out, mut notes) = (Vec::new(), Vec::new());
        let report = run_as(&scenario, output, &mut out, &mut notes).expect("in memory");
        assert!(report.violations.is_empty(), "{:?}", report.violations);
        assert_eq!(notes, b"");
        outputs.push(String::from_utf8(out).unwrap());
    }
    let [lines, json] = [&outputs[0], &outputs[1]];
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(format!("{dir}capture-state.out"), lines).expect("golden written");
        std::fs::write(format!("{dir}capture-state.json.out"), json).expect("golden written");
    }
    assert_eq!(lines, include_str!("capture-state.out"));
    assert_eq!(json, include_str!("capture-state.json.out"));
    // No line for a present event: the lines are the built-in scenario's, the deleted
    // route's, the failure's error and the unloaded line (the route's delete counted).
    for kind in ["interface", "address", "route"] {
        assert!(
            !lines.contains(&format!("netnotify: {kind} present")),
            "{lines}"
        );
    }
    let present: Vec<&str> = json
        .lines()
        .filter(|line| line.contains(r#""change":"present""#))
        .collect();
    // 2 interfaces, 2 addresses, 4 routes; 4 routes; 2 interfaces and 4 routes.
    assert_eq!(present.len(), 8 + 4 + 6, "{json}");
    assert!(
        present
            .iter()
            .all(|line| line.contains(r#""seq":0,"printed":false,"#)),
        "{present:#?}"
    );
    let kinds: String = present.iter().map(|line| &line[9..10]).collect();
    assert_eq!(kinds, "iiaarrrr".to_owned() + "rrrr" + "iirrrr");
    // The deleted route is in no rundown.
    assert!(!present.iter().any(|line| line.contains("192.168.1.255/32")));
    // A `counters` object before each rundown whose session takes the lifecycle keyword (not
    // the route-only one's), numbered from 1, with the `unloaded` counts: a rundown counts
    // nothing.
    let counters: Vec<&str> = json
        .lines()
        .filter(|line| line.starts_with(r#"{"kind":"counters","#))
        .collect();
    assert_eq!(counters.len(), 2, "{json}");
    let unloaded = json
        .lines()
        .find(|line| line.starts_with(r#"{"kind":"unloaded","#))
        .expect("the unloaded object");
    let counts = unloaded
        .split_once(r#""interface":"#)
        .map(|(_, counts)| counts);
    for (seq, line) in (1..).zip(&counters) {
        assert!(
            line.starts_with(&format!(
                r#"{{"kind":"counters","seq":{seq},"printed":false,"#
            )),
            "{line}"
        );
        assert_eq!(
            line.split_once(r#""interface":"#).map(|(_, counts)| counts),
            counts,
            "{line}"
        );
    }
}
