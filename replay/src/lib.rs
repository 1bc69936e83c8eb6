//! `cargo replay`: the driver's real lifecycle — `DriverEntry`, the events of a scenario,
//! `DriverUnload` — run in the NETIO simulator, printing exactly the lines the driver would
//! print with `DbgPrintEx`, and nothing else, on stdout.
//!
//! A scenario is JSON Lines, one step per line; the format is documented in
//! `docs/replay.md`. [`parse`] validates the whole scenario before anything runs, so bad input
//! prints no line at all; [`run`] plays it.

mod play;
mod scenario;
mod wording;

pub mod cli;
pub mod docs;
pub mod etw_view;
pub mod import;
pub mod json;
pub mod readable;

pub use play::{
    EtwSession, Output, RecordedEvent, Report, etw_writes, recorded_events, run, run_as, run_with,
    run_with_etw,
};
pub use scenario::{MAX_REPEAT, ParseError, Scenario, decode_text, parse};

/// The built-in scenario: a laptop joining Wi-Fi (`replay/scenarios/laptop-joins-wifi.jsonl`).
pub const LAPTOP_JOINS_WIFI: &str = include_str!("../scenarios/laptop-joins-wifi.jsonl");

/// The built-in storm (`cargo replay --storm`): a VPN connecting floods route notifications
/// and storm control keeps the output bounded (`replay/scenarios/vpn-route-storm.jsonl`).
pub const VPN_ROUTE_STORM: &str = include_str!("../scenarios/vpn-route-storm.jsonl");

/// The fuzz check (`fuzz/` and its regression tests): any bytes as a scenario.
///
/// Parsing never panics; a valid scenario plays without NETIO misuse and prints only lines
/// that keep the output discipline.
///
/// # Panics
/// If the driver misbehaved on this scenario.
pub fn check_scenario_bytes(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(scenario) = parse(text) else {
        return;
    };
    let (mut out, mut notes) = (Vec::new(), Vec::new());
    let report = run(&scenario, &mut out, &mut notes).expect("writing to memory cannot fail");
    assert!(report.violations.is_empty(), "{:?}", report.violations);
    let printed = String::from_utf8(out).expect("lines are ASCII");
    assert_eq!(printed.lines().count(), report.lines);
    for line in printed.lines() {
        netnotify_core::sim::checks::assert_text(line);
    }
}
