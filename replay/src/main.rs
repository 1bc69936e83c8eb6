//! `cargo replay [FILE]`: see the library documentation and `docs/replay.md`.

use std::io::{self, Read, Write};
use std::process::ExitCode;

use netnotify_core::settings::RawValue;

const USAGE: &str = "usage: cargo replay [--registry | --json | --etw SESSION OUT] [FILE | - | --storm]\n\
    \x20      cargo replay --import LOG | -\n\
    Plays a JSON Lines scenario (docs/replay.md) through the driver in the NETIO simulator and\n\
    prints exactly the lines the driver would print. Without FILE: the built-in scenario, a\n\
    laptop joining Wi-Fi. --storm: the built-in route storm of a VPN connecting. With -: the\n\
    scenario on stdin. --registry: print the scenario's settings instead, one\n\
    `Parameters NAME REG_DWORD|REG_SZ DATA` line each, for writing them into a real\n\
    registry. --json: every event (also those storm control left out of the lines) and\n\
    every driver record as one JSON object per line. --etw SESSION OUT: an ETW session listens\n\
    (none, or LEVEL:KEYWORDS, with :capture-state to ask for the state before the unload);\n\
    every ETW call goes to OUT, one JSON object a line (docs/replay.md#etw). --import: turn\n\
    captured lines (a DebugView log, WinDbg output, any lines with `netnotify: `) into a\n\
    scenario on stdout, notes on stderr.";

/// The options, for the message about an unknown one.
const OPTIONS: &str =
    "--storm, --registry, --json, --etw, --import and --help (or a FILE, or - for stdin)";

fn main() -> ExitCode {
    let mut arguments: Vec<String> = std::env::args().skip(1).collect();
    let registry = arguments.first().is_some_and(|flag| flag == "--registry");
    let import = arguments.first().is_some_and(|flag| flag == "--import");
    if registry || import {
        arguments.remove(0);
    }
    if import && !matches!(arguments.as_slice(), [path] if !path.starts_with("--")) {
        eprintln!("replay: --import takes one LOG file, or - for stdin\n{USAGE}");
        return ExitCode::from(2);
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
    let bytes = match read_input(&arguments) {
        Ok(bytes) => bytes,
        Err(code) => return code,
    };
    if import {
        return match netnotify_replay::import::decode_log(&bytes) {
            Ok(text) => import_lines(&text),
            Err(message) => {
                let name = arguments.first().map_or("-", String::as_str);
                eprintln!("replay: \"{name}\": {message}");
                ExitCode::from(2)
            }
        };
    }
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

/// The input the arguments name: the built-in scenarios, stdin or a file. `Err`: the exit
/// code, after the help or an error was printed.
fn read_input(arguments: &[String]) -> Result<Vec<u8>, ExitCode> {
    let bytes = match arguments {
        [] => Ok(netnotify_replay::LAPTOP_JOINS_WIFI.as_bytes().to_vec()),
        [flag] if flag == "--storm" => Ok(netnotify_replay::VPN_ROUTE_STORM.as_bytes().to_vec()),
        [flag] if flag == "-h" || flag == "--help" => {
            println!("{USAGE}");
            return Err(ExitCode::SUCCESS);
        }
        [flag] if flag.starts_with("--") => {
            eprintln!("replay: unknown option {flag}; the options are {OPTIONS}");
            return Err(ExitCode::from(2));
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
            return Err(ExitCode::from(2));
        }
    };
    bytes.map_err(|(what, error)| {
        let reason = error.to_string();
        let reason = reason.split(" (os error").next().unwrap_or(&reason);
        eprintln!("replay: cannot read {what}: {reason}");
        ExitCode::from(2)
    })
}

/// `--registry`: the scenario's settings, one `KEY NAME TYPE DATA` line each.
fn print_registry(
    scenario: &netnotify_replay::Scenario,
    out: &mut impl Write,
    notes: &mut impl Write,
) -> ExitCode {
    for (name, value) in scenario.settings() {
        let key = "Parameters";
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

/// `--import`: the scenario on stdout, a note per line that did not convert on stderr.
fn import_lines(text: &str) -> ExitCode {
    let imported = match netnotify_replay::import::import(text) {
        Ok(imported) => imported,
        Err(message) => {
            eprintln!("replay: --import: {message}");
            return ExitCode::FAILURE;
        }
    };
    let mut notes = io::stderr().lock();
    for note in &imported.notes {
        let _ = writeln!(notes, "replay: --import: {note}");
    }
    if imported.left_out != 0 {
        let _ = writeln!(
            notes,
            "replay: --import: {} not in the lines (storm control, the verbosity or lack of \
             stack left them out); they cannot come back: the scenario has the printed ones, \
             and the storm summaries as comments",
            match imported.left_out {
                1 => "1 event is".to_owned(),
                more => format!("{more} events are"),
            }
        );
    }
    match io::stdout().lock().write_all(imported.scenario.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => written(&error, &mut notes),
    }
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
