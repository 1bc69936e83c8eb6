//! `cargo replay [OPTIONS] [FILE]`: see `cargo replay --help`, the library documentation and
//! `docs/replay.md`. The arguments are read by [`netnotify_replay::cli`].

use std::io::{self, Read, Write};
use std::process::ExitCode;

use netnotify_core::model::settings::RawValue;
use netnotify_replay::cli::{self, Command, Input};

fn main() -> ExitCode {
    let command = match cli::parse_args(std::env::args_os().skip(1)) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("replay: {message}");
            return ExitCode::from(2);
        }
    };
    let (input, json, etw, registry) = match command {
        Command::Help => {
            println!("{}", cli::HELP);
            return ExitCode::SUCCESS;
        }
        Command::Import(log) => return import(&log),
        Command::Registry(input) => (input, false, None, true),
        Command::Play { input, json, etw } => (input, json, etw, false),
    };
    let output = if json {
        netnotify_replay::Output::Json
    } else {
        netnotify_replay::Output::Lines
    };
    let bytes = match read_input(&input) {
        Ok(bytes) => bytes,
        Err(code) => return code,
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
            // The two record files of the watcher (`--json`'s and `--scenario`'s) are easily
            // swapped: say which command reads this one.
            if netnotify_replay::import::import(&text).is_ok() {
                eprintln!(
                    "replay: this is a capture of the driver's lines or events, not a \
                     scenario: `cargo replay --import FILE > scenario.jsonl` turns it into one"
                );
            }
            return ExitCode::FAILURE;
        }
    };
    // The ETW log's file is created before anything is played: a path that cannot be written
    // is an argument error, named, not found after the lines.
    let mut etw_file = match &etw {
        Some((_, path)) => match std::fs::File::create(path) {
            Ok(file) => Some(file),
            Err(error) => {
                eprintln!("replay: cannot create {}: {error}", path.display());
                return ExitCode::from(2);
            }
        },
        None => None,
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
    let played = match (played, &mut etw_file) {
        (Ok((report, log)), Some(file)) => {
            // One line per call, each ended by a newline (none for no call).
            log.iter()
                .try_for_each(|line| writeln!(file, "{line}"))
                .map(|()| report)
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

/// `--import LOG`: the log read, decoded and turned into a scenario.
fn import(log: &Input) -> ExitCode {
    let bytes = match read_input(log) {
        Ok(bytes) => bytes,
        Err(code) => return code,
    };
    match netnotify_replay::import::decode_log(&bytes) {
        Ok(text) => import_lines(&text),
        Err(message) => {
            let name = match log {
                Input::File(path) => path.display().to_string(),
                _ => "-".to_owned(),
            };
            eprintln!("replay: \"{name}\": {message}");
            ExitCode::from(2)
        }
    }
}

/// The bytes of the input: a built-in scenario, stdin or a file. `Err`: the exit code, after
/// the error was printed.
fn read_input(input: &Input) -> Result<Vec<u8>, ExitCode> {
    let bytes = match input {
        Input::BuiltIn => Ok(netnotify_replay::LAPTOP_JOINS_WIFI.as_bytes().to_vec()),
        Input::Storm => Ok(netnotify_replay::VPN_ROUTE_STORM.as_bytes().to_vec()),
        Input::Stdin => {
            let mut bytes = Vec::new();
            io::stdin()
                .read_to_end(&mut bytes)
                .map(|_| bytes)
                .map_err(|error| ("standard input".to_owned(), error))
        }
        Input::File(path) => {
            std::fs::read(path).map_err(|error| (format!("\"{}\"", path.display()), error))
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
            if netnotify_replay::parse(text).is_ok() {
                eprintln!(
                    "replay: --import: this is a scenario already: `cargo replay FILE` \
                     replays it"
                );
            }
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
             stack left them out of a log, the capture began after them, or an ETW session \
             lost them); they cannot come back: the scenario has the events the lines show",
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

/// A write that failed: a reader that went away (`cargo replay | head`) ends the replay
/// quietly, as other command-line tools do; anything else is an error.
fn written(error: &io::Error, notes: &mut impl Write) -> ExitCode {
    if error.kind() == io::ErrorKind::BrokenPipe {
        return ExitCode::SUCCESS;
    }
    let _ = writeln!(notes, "replay: cannot write: {error}");
    ExitCode::FAILURE
}
