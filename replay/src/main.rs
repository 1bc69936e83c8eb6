//! `cargo replay [FILE]`: see the library documentation and `docs/replay.md`.

use std::io::{self, Read, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo replay [FILE | - | --storm]\n\
    Plays a JSON Lines scenario (docs/replay.md) through the driver in the NETIO simulator and\n\
    prints exactly the lines the driver would print. Without FILE: the built-in scenario, a\n\
    laptop joining Wi-Fi. --storm: the built-in route storm of a VPN connecting. With -: the\n\
    scenario on stdin.";

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let text = match arguments.as_slice() {
        [] => Ok(netnotify_replay::LAPTOP_JOINS_WIFI.to_owned()),
        [flag] if flag == "--storm" => Ok(netnotify_replay::VPN_ROUTE_STORM.to_owned()),
        [flag] if flag == "-h" || flag == "--help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        [path] if path == "-" => {
            let mut text = String::new();
            io::stdin().read_to_string(&mut text).map(|_| text)
        }
        [path] => std::fs::read_to_string(path),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let text = match text {
        Ok(text) => text,
        Err(error) => {
            eprintln!("replay: cannot read the scenario: {error}");
            return ExitCode::from(2);
        }
    };
    let scenario = match netnotify_replay::parse(&text) {
        Ok(scenario) => scenario,
        Err(error) => {
            eprintln!("replay: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = io::stdout().lock();
    let mut notes = io::stderr().lock();
    match netnotify_replay::run(&scenario, &mut out, &mut notes) {
        Ok(report) if report.violations.is_empty() => ExitCode::SUCCESS,
        Ok(report) => {
            for violation in report.violations {
                let _ = writeln!(notes, "replay: NETIO misuse: {violation}");
            }
            ExitCode::FAILURE
        }
        Err(error) => {
            let _ = writeln!(notes, "replay: cannot write: {error}");
            ExitCode::FAILURE
        }
    }
}
