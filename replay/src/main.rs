//! `cargo replay [FILE]`: see the library documentation and `docs/replay.md`.

use std::io::{self, Read, Write};
use std::process::ExitCode;

use netnotify_core::settings::RawValue;

const USAGE: &str = "usage: cargo replay [--registry | --json | --etw SESSION OUT] [FILE | - | --storm]\n\
    Plays a JSON Lines scenario (docs/replay.md) through the driver in the NETIO simulator and\n\
    prints exactly the lines the driver would print. Without FILE: the built-in scenario, a\n\
    laptop joining Wi-Fi. --storm: the built-in route storm of a VPN connecting. With -: the\n\
    scenario on stdin. --registry: print the scenario's settings instead, one\n\
    `Parameters|State NAME REG_DWORD|REG_SZ DATA` line each, for writing them into a real\n\
    registry. --json: every event (also those storm control left out of the lines) and\n\
    every driver record as one JSON object per line. --etw SESSION OUT: an ETW session listens\n\
    (none, or LEVEL:KEYWORDS, with :capture-state to ask for the state before the unload);\n\
    every ETW call goes to OUT, one JSON object a line (docs/replay.md#etw).";

/// The options, for the message about an unknown one.
const OPTIONS: &str = "--storm, --registry, --json, --etw and --help (or a FILE, or - for stdin)";

fn main() -> ExitCode {
    let mut arguments: Vec<String> = std::env::args().skip(1).collect();
    let registry = arguments.first().is_some_and(|flag| flag == "--registry");
    if registry {
        arguments.remove(0);
    }
    let json = arguments.first().is_some_and(|flag| flag == "--json");
    if json {
        arguments.remove(0);
    }
    let output = if json {
        netnotify_replay::Output::Json
    } else {
        netnotify_replay::Output::Lines
    };
    let etw = match take_etw(&mut arguments) {
        Ok(etw) => etw,
        Err(code) => return code,
    };
    let bytes = match arguments.as_slice() {
        [] => Ok(netnotify_replay::LAPTOP_JOINS_WIFI.as_bytes().to_vec()),
        [flag] if flag == "--storm" => Ok(netnotify_replay::VPN_ROUTE_STORM.as_bytes().to_vec()),
        [flag] if flag == "-h" || flag == "--help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        [flag] if flag.starts_with("--") => {
            eprintln!("replay: unknown option {flag}; the options are {OPTIONS}");
            return ExitCode::from(2);
        }
        [path] if path == "-" => {
            let mut bytes = Vec::new();
            io::stdin()
                .read_to_end(&mut bytes)
                .map(|_| bytes)
                .map_err(|error| ("standard input".to_owned(), error))
        }
        [path] => std::fs::read(path).map_err(|error| (format!("\"{path}\""), error)),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err((what, error)) => {
            let reason = error.to_string();
            let reason = reason.split(" (os error").next().unwrap_or(&reason);
            eprintln!("replay: cannot read {what}: {reason}");
            return ExitCode::from(2);
        }
    };
    let text = match netnotify_replay::decode_text(&bytes) {
        Ok(text) => text,
        Err(message) => {
            eprintln!("replay: {message}");
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
    if registry {
        return print_registry(&scenario, &mut out, &mut notes);
    }
    let session = etw
        .as_ref()
        .map(|(session, _)| *session)
        .unwrap_or_default();
    let played = netnotify_replay::run_with(&scenario, output, session, &mut out, &mut notes);
    let played = match (played, &etw) {
        (Ok((report, log)), Some((_, file))) => {
            let mut text = log.join("\n");
            text.push('\n');
            std::fs::write(file, text).map(|()| report)
        }
        (played, _) => played.map(|(report, _)| report),
    };
    match played {
        Ok(report) if report.violations.is_empty() => ExitCode::SUCCESS,
        Ok(report) => {
            for violation in report.violations {
                let _ = writeln!(notes, "replay: NETIO misuse: {violation}");
            }
            ExitCode::FAILURE
        }
        Err(error) => written(&error, &mut notes),
    }
}

/// `--registry`: the scenario's settings, one `KEY NAME TYPE DATA` line each.
fn print_registry(
    scenario: &netnotify_replay::Scenario,
    out: &mut impl Write,
    notes: &mut impl Write,
) -> ExitCode {
    for (key, name, value) in scenario.settings() {
        let key = key.subkey();
        let line = match value {
            RawValue::Dword(value) => format!("{key} {name} REG_DWORD {value}"),
            // A string provokes the wrong-type warning, which names its size in bytes
            // (UTF-16 with the terminator): a string of that size says the same.
            RawValue::Other { size, .. } => {
                let characters = usize::try_from(size / 2).unwrap_or(1).saturating_sub(1);
                format!("{key} {name} REG_SZ {}", "x".repeat(characters))
            }
            RawValue::Missing | RawValue::Unreadable(_) => continue,
        };
        if let Err(error) = writeln!(out, "{line}") {
            return written(&error, notes);
        }
    }
    ExitCode::SUCCESS
}

/// `--etw SESSION OUT` at the front of the arguments, taken out of them.
fn take_etw(
    arguments: &mut Vec<String>,
) -> Result<Option<(netnotify_replay::EtwSession, String)>, ExitCode> {
    if arguments.first().is_none_or(|flag| flag != "--etw") {
        return Ok(None);
    }
    if arguments.len() < 3 {
        eprintln!("{USAGE}");
        return Err(ExitCode::from(2));
    }
    let mut taken = arguments.drain(..3).skip(1);
    let (spec, file) = (
        taken.next().unwrap_or_default(),
        taken.next().unwrap_or_default(),
    );
    drop(taken);
    netnotify_replay::EtwSession::parse(&spec)
        .map(|session| Some((session, file)))
        .map_err(|message| {
            eprintln!("replay: {message}");
            ExitCode::from(2)
        })
}

/// A write that failed: a reader that went away (`cargo replay | head`) ends the replay
/// quietly, as other command-line tools do; anything else is an error.
fn written(error: &io::Error, notes: &mut impl Write) -> ExitCode {
    if error.kind() == io::ErrorKind::BrokenPipe {
        return ExitCode::SUCCESS;
    }
    let _ = writeln!(notes, "replay: cannot write: {error}");
    ExitCode::FAILURE
}
