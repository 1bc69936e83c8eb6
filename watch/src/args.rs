//! The command line: what to watch, and how to print it.
//!
//! Owns the options ([`Options`]), their parsing with `lexopt` ([`parse`]), the keyword mask
//! `--kinds` selects ([`kinds`]) and the `--help` text ([`HELP`]).

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

use netnotify_core::output::trace::keyword;

/// Each `--kinds` word and its keyword (core/src/output/trace/provider.rs, `keyword`).
pub const KINDS: [(&str, u64); 5] = [
    ("interface", keyword::INTERFACE),
    ("address", keyword::ADDRESS),
    ("route", keyword::ROUTE),
    ("stable-table", keyword::STABLE_TABLE),
    ("lifecycle", keyword::LIFECYCLE),
];

/// Every kind: the default, passed to `EnableTraceEx2` explicitly (0x1F), never "all bits".
pub const ALL_KINDS: u64 = keyword::INTERFACE
    | keyword::ADDRESS
    | keyword::ROUTE
    | keyword::STABLE_TABLE
    | keyword::LIFECYCLE;

/// How each event is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// The driver's line, a kept-out event's marked (docs/lines.md).
    #[default]
    Lines,
    /// `cargo replay --json`'s objects.
    Json,
    /// Scenario steps `cargo replay` replays.
    Scenario,
}

/// What the watcher does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The session's `MatchAnyKeyword`.
    pub keywords: u64,
    /// Each event's timestamp in front.
    pub time: bool,
    /// The output form.
    pub format: Format,
    /// A capture to read instead of a live session.
    pub etl: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            keywords: ALL_KINDS,
            time: false,
            format: Format::Lines,
            etl: None,
        }
    }
}

/// What the command line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `--help`: print [`HELP`].
    Help,
    /// Watch.
    Watch(Options),
}

/// A command line that does not parse: one line, naming the option and the way out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgError(pub String);

impl fmt::Display for ArgError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "netnotify-watch: {} (see --help)", self.0)
    }
}

/// The `--help` text: every option.
pub const HELP: &str = "\
netnotify-watch: netnotify's ETW events, live or from a capture

Usage: netnotify-watch [--kinds LIST] [--time] [--json | --scenario] [--etl FILE]

Starts a real-time ETW session of its own (\"netnotify-watch\"), enables the provider
netnotify {cabe4808-b99f-5fdb-95a1-c1294a861355} at level verbose, asks for its present
state, and prints every event until Ctrl+C, then what it saw and what the session lost.
Needs an elevated prompt, or membership of Performance Log Users.

Options:
  --kinds LIST   the kinds to watch, comma-separated: interface, address, route,
                 stable-table, lifecycle (default: all of them, keywords 0x1F)
  --time         put each event's timestamp (UTC) in front
  --json         print each event as cargo replay --json's object
  --scenario     print scenario steps that cargo replay replays
  --etl FILE     read a capture (wpr, netsh trace, tracelog) instead of a live session
  -h, --help     print this help
";

/// The keyword mask of a `--kinds` list.
///
/// # Errors
/// A word that is no kind, or an empty list.
pub fn kinds(list: &str) -> Result<u64, ArgError> {
    let mut mask = 0;
    for word in list.split(',') {
        let word = word.trim();
        let Some((_, bit)) = KINDS.iter().find(|(name, _)| *name == word) else {
            let known: Vec<&str> = KINDS.iter().map(|(name, _)| *name).collect();
            return Err(ArgError(format!(
                "--kinds: {word:?} is not a kind; use {}",
                known.join(",")
            )));
        };
        mask |= bit;
    }
    Ok(mask)
}

/// Parses the arguments after the program's name.
///
/// # Errors
/// An unknown option, a missing or bad value, `--json` with `--scenario`.
pub fn parse<I>(args: I) -> Result<Command, ArgError>
where
    I: IntoIterator,
    I::Item: Into<OsString>,
{
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let mut options = Options::default();
    let mut formats = Vec::new();
    loop {
        let arg = parser.next().map_err(|error| ArgError(error.to_string()))?;
        let Some(arg) = arg else { break };
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Long("kinds") => {
                let value = parser
                    .value()
                    .map_err(|error| ArgError(error.to_string()))?;
                let value = value
                    .into_string()
                    .map_err(|_| ArgError("--kinds: not text".into()))?;
                options.keywords = kinds(&value)?;
            }
            Long("time") => options.time = true,
            Long("json") => formats.push(Format::Json),
            Long("scenario") => formats.push(Format::Scenario),
            Long("etl") => {
                let value = parser
                    .value()
                    .map_err(|error| ArgError(error.to_string()))?;
                options.etl = Some(PathBuf::from(value));
            }
            other => return Err(ArgError(other.unexpected().to_string())),
        }
    }
    formats.dedup();
    match formats.as_slice() {
        [] => {}
        [format] => options.format = *format,
        _ => return Err(ArgError("--json and --scenario: choose one".into())),
    }
    Ok(Command::Watch(options))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watch(args: &[&str]) -> Options {
        match parse(args.iter().copied()) {
            Ok(Command::Watch(options)) => options,
            other => panic!("{other:?}"),
        }
    }

    fn error(args: &[&str]) -> String {
        parse(args.iter().copied()).unwrap_err().to_string()
    }

    #[test]
    fn the_default_is_every_kind_as_lines() {
        let options = watch(&[]);
        assert_eq!(options.keywords, 0x1F);
        assert_eq!(options, Options::default());
        assert!(!options.time);
        assert_eq!(options.format, Format::Lines);
        assert_eq!(options.etl, None);
    }

    #[test]
    fn kinds_select_their_keywords() {
        assert_eq!(watch(&["--kinds", "interface"]).keywords, 0x1);
        assert_eq!(watch(&["--kinds", "address,route"]).keywords, 0x6);
        assert_eq!(watch(&["--kinds=stable-table,lifecycle"]).keywords, 0x18);
        assert_eq!(
            watch(&["--kinds", "interface,address,route,stable-table,lifecycle"]).keywords,
            0x1F
        );
    }

    #[test]
    fn the_options_are_read() {
        let options = watch(&["--time", "--json", "--etl", "capture.etl"]);
        assert!(options.time);
        assert_eq!(options.format, Format::Json);
        assert_eq!(options.etl, Some(PathBuf::from("capture.etl")));
        assert_eq!(watch(&["--scenario"]).format, Format::Scenario);
        assert_eq!(parse(["--help"]), Ok(Command::Help));
        assert_eq!(parse(["--time", "-h"]), Ok(Command::Help));
    }

    #[test]
    fn a_bad_command_line_is_one_line_with_the_way_out() {
        assert_eq!(
            error(&["--kinds", "routes"]),
            "netnotify-watch: --kinds: \"routes\" is not a kind; use \
             interface,address,route,stable-table,lifecycle (see --help)"
        );
        assert_eq!(
            error(&["--kinds", ""]),
            "netnotify-watch: --kinds: \"\" is not a kind; use \
             interface,address,route,stable-table,lifecycle (see --help)"
        );
        assert_eq!(
            error(&["--json", "--scenario"]),
            "netnotify-watch: --json and --scenario: choose one (see --help)"
        );
        assert_eq!(
            error(&["--bogus"]),
            "netnotify-watch: invalid option '--bogus' (see --help)"
        );
        assert_eq!(
            error(&["--etl"]),
            "netnotify-watch: missing argument for option '--etl' (see --help)"
        );
    }

    #[test]
    fn the_help_lists_every_option() {
        for option in [
            "--kinds",
            "--time",
            "--json",
            "--scenario",
            "--etl",
            "--help",
        ] {
            assert!(HELP.contains(option), "{option}");
        }
        for (kind, _) in KINDS {
            assert!(HELP.contains(kind), "{kind}");
        }
    }
}
