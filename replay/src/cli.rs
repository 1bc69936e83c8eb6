//! `cargo replay`'s command line: the options, in any order, read with `lexopt` into a
//! [`Command`]; the `--help` text; the messages that name a bad option or value.
//!
//! This module owns only the reading of the arguments. What each command does is the
//! binary's (`src/main.rs`) and the library's.

use std::ffi::OsString;

use crate::EtwSession;

/// `cargo replay --help`: every option, one line each.
pub const HELP: &str = "\
usage: cargo replay [--json | --registry] [--etw SESSION OUT] [FILE | - | --storm]
       cargo replay --import LOG | -

Plays a JSON Lines scenario (docs/replay.md) through the driver in the NETIO simulator and
prints exactly the lines the driver would print. Options go in any order.

  FILE               the scenario to play; without FILE, the built-in one: a laptop joining Wi-Fi
  -                  the scenario on stdin
  --storm            the built-in storm instead of FILE: a VPN floods 5000 route notifications
  --json             every event (also those storm control left out) as one JSON object a line
  --registry         the scenario's settings as `Parameters NAME REG_DWORD|REG_SZ DATA` lines
  --etw SESSION OUT  an ETW session listens (none, or LEVEL:KEYWORDS[:capture-state]); every
                     ETW call goes to OUT, one JSON object a line (docs/replay.md#etw)
  --import LOG       captured lines (DebugView, WinDbg, any with `netnotify: `, the watcher's
                     lines or its --json objects), - for stdin, back into a scenario on
                     stdout; notes on stderr
  -h, --help         this help";

/// The options, for the message about an unknown one.
const OPTIONS: &str = "--storm, --json, --registry, --etw, --import and --help";

/// Where the scenario comes from.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Input {
    /// The built-in scenario ([`crate::LAPTOP_JOINS_WIFI`]).
    BuiltIn,
    /// `--storm` ([`crate::VPN_ROUTE_STORM`]).
    Storm,
    /// `-`.
    Stdin,
    /// A file.
    File(OsString),
}

/// What to do with the scenario.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Command {
    /// `--help`.
    Help,
    /// Play it: the lines, or `--json`'s objects, with an ETW session if `--etw` names one.
    Play {
        /// The scenario.
        input: Input,
        /// `--json`.
        json: bool,
        /// `--etw SESSION OUT`: the session and the file of its calls.
        etw: Option<(EtwSession, OsString)>,
    },
    /// `--registry`: print its settings.
    Registry(Input),
    /// `--import LOG`: a captured log (never a scenario; `Stdin` is `-`) into a scenario.
    Import(Input),
}

/// Reads the arguments (without the program's name).
///
/// # Errors
/// The message for a bad option or value, a missing value, or options that do not go
/// together: one line, naming it and pointing at `--help`.
pub fn parse_args(
    arguments: impl IntoIterator<Item = impl Into<OsString>>,
) -> Result<Command, String> {
    use lexopt::prelude::*;

    let mut parser = lexopt::Parser::from_args(arguments);
    let (mut input, mut json, mut registry, mut etw, mut import) =
        (None::<Input>, false, false, None, None::<Input>);
    let mut set_input = |given: Input, shown: &str| {
        if let Some(earlier) = &input {
            return Err(with_help(&format!(
                "{} and {shown} both name the scenario; give one",
                name_input(earlier)
            )));
        }
        input = Some(given);
        Ok(())
    };
    while let Some(argument) = parser.next().map_err(|error| lexopt_error(&error))? {
        match argument {
            Short('h') | Long("help") => return Ok(Command::Help),
            Long("storm") => set_input(Input::Storm, "--storm")?,
            Long("json") => json = true,
            Long("registry") => registry = true,
            Long("etw") => {
                let spec = value(&mut parser, "--etw needs SESSION and OUT")?;
                let out = value(&mut parser, "--etw needs OUT after SESSION")?;
                let spec = spec.into_string().map_err(|spec| {
                    with_help(&format!("--etw SESSION {} is not text", spec.display()))
                })?;
                let session = EtwSession::parse(&spec).map_err(|message| with_help(&message))?;
                if etw.replace((session, out)).is_some() {
                    return Err(with_help("--etw is given twice"));
                }
            }
            Long("import") => {
                let log = value(&mut parser, "--import needs a LOG file, or - for stdin")?;
                let log = if log == "-" {
                    Input::Stdin
                } else {
                    Input::File(log)
                };
                if import.replace(log).is_some() {
                    return Err(with_help("--import is given twice"));
                }
            }
            Value(value) => {
                let given = if value == "-" {
                    Input::Stdin
                } else {
                    Input::File(value)
                };
                let shown = name_input(&given);
                set_input(given, &shown)?;
            }
            Short(letter) => return Err(unknown(&format!("-{letter}"))),
            Long(name) => return Err(unknown(&format!("--{name}"))),
        }
    }
    let together =
        |one: &str, other: &str| Err(with_help(&format!("{one} and {other} do not go together")));
    if let Some(log) = import {
        return match (input, json, registry, &etw) {
            (Some(input), ..) => together("--import", &name_input(&input)),
            (_, true, ..) => together("--import", "--json"),
            (_, _, true, _) => together("--import", "--registry"),
            (.., Some(_)) => together("--import", "--etw"),
            (None, false, false, None) => Ok(Command::Import(log)),
        };
    }
    let input = input.unwrap_or(Input::BuiltIn);
    match (registry, json, &etw) {
        (true, true, _) => together("--registry", "--json"),
        (true, _, Some(_)) => together("--registry", "--etw"),
        (true, false, None) => Ok(Command::Registry(input)),
        (false, ..) => Ok(Command::Play { input, json, etw }),
    }
}

/// An option's value: the next argument, unless there is none or it is another option.
fn value(parser: &mut lexopt::Parser, missing: &str) -> Result<OsString, String> {
    match parser.optional_value().or_else(|| parser.value().ok()) {
        Some(value) if value == "-" || !value.to_string_lossy().starts_with('-') => Ok(value),
        Some(option) => Err(with_help(&format!(
            "{missing}, not the option {}",
            option.display()
        ))),
        None => Err(with_help(missing)),
    }
}

/// An input as the command line gives it.
fn name_input(input: &Input) -> String {
    match input {
        Input::BuiltIn => "the built-in scenario".to_owned(),
        Input::Storm => "--storm".to_owned(),
        Input::Stdin => "-".to_owned(),
        Input::File(path) => format!("\"{}\"", path.display()),
    }
}

/// The message about an unknown option.
fn unknown(option: &str) -> String {
    format!(
        "unknown option {option}; the options are {OPTIONS} (cargo replay --help says what \
         each does)"
    )
}

/// A message, pointing at `--help`.
fn with_help(message: &str) -> String {
    format!("{message} (cargo replay --help)")
}

/// `lexopt`'s own errors: a value given to an option that takes none (`--json=yes`), or an
/// argument that is not text.
fn lexopt_error(error: &lexopt::Error) -> String {
    with_help(&error.to_string())
}
