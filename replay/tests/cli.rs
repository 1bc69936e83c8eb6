//! `cargo replay`'s command line (`netnotify_replay::cli`): every pair of options in both
//! orders, the errors, and `--help`.

use std::ffi::OsString;
use std::process::Command as Process;

use netnotify_replay::EtwSession;
use netnotify_replay::cli::{Command, HELP, Input, parse_args};

/// One option as it is written: its arguments, and what it sets.
#[derive(Clone, Copy)]
enum Part {
    Storm,
    Json,
    Registry,
    Etw,
    File,
    Stdin,
    Import,
}

const PARTS: [Part; 7] = [
    Part::Storm,
    Part::Json,
    Part::Registry,
    Part::Etw,
    Part::File,
    Part::Stdin,
    Part::Import,
];

impl Part {
    const fn arguments(self) -> &'static [&'static str] {
        match self {
            Self::Storm => &["--storm"],
            Self::Json => &["--json"],
            Self::Registry => &["--registry"],
            Self::Etw => &["--etw", "4:0x1", "out.etw.jsonl"],
            Self::File => &["scenario.jsonl"],
            Self::Stdin => &["-"],
            Self::Import => &["--import", "seen.log"],
        }
    }

    /// How the error names it when it does not go with another.
    const fn shown(self) -> &'static str {
        match self {
            Self::Storm => "--storm",
            Self::Json => "--json",
            Self::Registry => "--registry",
            Self::Etw => "--etw",
            Self::File => "\"scenario.jsonl\"",
            Self::Stdin => "-",
            Self::Import => "--import",
        }
    }
}

fn parsed(arguments: &[&str]) -> Result<Command, String> {
    parse_args(arguments.iter().copied())
}

/// What a set of options means, built up option by option; `None`: they do not go together.
fn expected(parts: &[Part]) -> Option<Command> {
    let (mut input, mut json, mut registry, mut etw, mut import) =
        (None, false, false, None, false);
    for part in parts {
        match part {
            Part::Storm | Part::File | Part::Stdin if input.is_some() => return None,
            Part::Storm => input = Some(Input::Storm),
            Part::File => input = Some(Input::File("scenario.jsonl".into())),
            Part::Stdin => input = Some(Input::Stdin),
            Part::Json => json = true,
            Part::Registry => registry = true,
            Part::Etw => {
                etw = Some((
                    EtwSession::parse("4:0x1").unwrap(),
                    OsString::from("out.etw.jsonl"),
                ));
            }
            Part::Import => import = true,
        }
    }
    let input = input.unwrap_or(Input::BuiltIn);
    match (import, registry, json, etw) {
        (false, true, false, None) => Some(Command::Registry(input)),
        (false, false, json, etw) => Some(Command::Play { input, json, etw }),
        (true, ..) | (false, true, ..) => None,
    }
}

/// Every pair of options, in both orders: those that go together mean the same in either
/// order; those that do not are an error naming both, in either order.
#[test]
fn every_pair_of_options_reads_the_same_in_both_orders() {
    let mut together = 0;
    for (index, first) in PARTS.iter().enumerate() {
        for second in &PARTS[index + 1..] {
            let forward = [first.arguments(), second.arguments()].concat();
            let backward = [second.arguments(), first.arguments()].concat();
            let (one, other) = (parsed(&forward), parsed(&backward));
            match expected(&[*first, *second]) {
                Some(command) => {
                    together += 1;
                    assert_eq!(one.as_ref(), Ok(&command), "{forward:?}");
                    assert_eq!(other.as_ref(), Ok(&command), "{backward:?}");
                }
                None => {
                    for (arguments, result) in [(&forward, one), (&backward, other)] {
                        let message = result.expect_err(&format!("{arguments:?} is an error"));
                        assert!(
                            message.contains(first.shown()) && message.contains(second.shown()),
                            "{arguments:?}: {message}"
                        );
                        assert!(message.ends_with(" (cargo replay --help)"), "{message}");
                    }
                }
            }
        }
    }
    // storm+json, storm+registry, storm+etw, json+etw, and json, registry and etw each with
    // a FILE and with -.
    assert_eq!(together, 10);
}

#[test]
fn each_option_alone_and_the_examples_of_the_issue() {
    for part in PARTS {
        let command = parsed(part.arguments());
        if matches!(part, Part::Import) {
            assert_eq!(command, Ok(Command::Import(Input::File("seen.log".into()))));
        } else {
            assert_eq!(command.ok(), expected(&[part]), "{}", part.shown());
        }
    }
    assert_eq!(parsed(&[]), Ok(expected(&[]).unwrap()));
    assert_eq!(
        parsed(&["--import", "-"]),
        Ok(Command::Import(Input::Stdin))
    );
    let storm_json = Ok(Command::Play {
        input: Input::Storm,
        json: true,
        etw: None,
    });
    assert_eq!(parsed(&["--storm", "--json"]), storm_json);
    assert_eq!(parsed(&["--json", "--storm"]), storm_json);
    assert_eq!(
        parsed(&["--json", "--registry"]),
        Err("--registry and --json do not go together (cargo replay --help)".to_owned())
    );
    // Three at once, in every order.
    let three = [Part::Json, Part::Etw, Part::Storm];
    for order in [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ] {
        let arguments: Vec<&str> = order
            .iter()
            .flat_map(|&at| three[at].arguments().iter().copied())
            .collect();
        assert_eq!(parsed(&arguments).ok(), expected(&three), "{arguments:?}");
    }
    for help in [
        &["--help"][..],
        &["-h"],
        &["--storm", "--help"],
        &["--help", "--strom"],
    ] {
        assert_eq!(parsed(help), Ok(Command::Help), "{help:?}");
    }
}

#[test]
fn bad_options_and_missing_values_are_named() {
    let cases: [(&[&str], &str); 10] = [
        (
            &["--strom"],
            "unknown option --strom; the options are --storm, --json, --registry, --etw, \
             --import and --help (cargo replay --help says what each does)",
        ),
        (
            &["--json", "-x"],
            "unknown option -x; the options are --storm, --json, --registry, --etw, --import \
             and --help (cargo replay --help says what each does)",
        ),
        (
            &["--etw"],
            "--etw needs SESSION and OUT (cargo replay --help)",
        ),
        (
            &["--etw", "none"],
            "--etw needs OUT after SESSION (cargo replay --help)",
        ),
        (
            &["--etw", "none", "--json"],
            "--etw needs OUT after SESSION, not the option --json (cargo replay --help)",
        ),
        (
            &["--import"],
            "--import needs a LOG file, or - for stdin (cargo replay --help)",
        ),
        (
            &["--import", "--json"],
            "--import needs a LOG file, or - for stdin, not the option --json \
             (cargo replay --help)",
        ),
        (
            &["--json=yes"],
            "unexpected argument for option '--json': \"yes\" (cargo replay --help)",
        ),
        (
            &["a.jsonl", "b.jsonl"],
            "\"a.jsonl\" and \"b.jsonl\" both name the scenario; give one (cargo replay --help)",
        ),
        (
            &["--etw", "none", "a", "--etw", "none", "b"],
            "--etw is given twice (cargo replay --help)",
        ),
    ];
    for (arguments, message) in cases {
        assert_eq!(parsed(arguments), Err(message.to_owned()), "{arguments:?}");
    }
    let session = parsed(&["--etw", "loud", "out"]).unwrap_err();
    assert!(
        session.starts_with("ETW session \"loud\": ") && session.ends_with("(cargo replay --help)"),
        "{session}"
    );
}

/// `--help` lists every option, one line each, and every line fits 100 columns.
#[test]
fn help_lists_every_option() {
    for option in [
        "FILE ",
        "- ",
        "--storm ",
        "--json ",
        "--registry ",
        "--etw SESSION OUT ",
        "--import LOG ",
        "-h, --help ",
    ] {
        let lines: Vec<&str> = HELP
            .lines()
            .filter(|line| line.trim_start().starts_with(option))
            .collect();
        assert_eq!(lines.len(), 1, "{option}: {lines:?}");
        assert!(lines[0].starts_with("  "), "{option} is an option line");
    }
    let listed = HELP
        .lines()
        .filter(|line| line.starts_with("  -") || line.starts_with("  F"))
        .count();
    assert_eq!(listed, 8);
    assert!(HELP.lines().all(|line| line.len() <= 100));
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot start processes")]
fn the_command_takes_options_in_any_order_and_exits_2_on_a_bad_one() {
    let binary = env!("CARGO_BIN_EXE_netnotify-replay");
    let run = |arguments: &[&str]| Process::new(binary).args(arguments).output().unwrap();

    let (forward, backward) = (run(&["--storm", "--json"]), run(&["--json", "--storm"]));
    assert!(forward.status.success(), "{forward:?}");
    assert_eq!(forward.stdout, backward.stdout);
    assert!(
        forward
            .stdout
            .starts_with(b"{\"kind\":\"settings\",\"seq\":1,")
    );

    let scenario = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/docs/settings-parameters.jsonl"
    );
    let registry = run(&[scenario, "--registry"]);
    assert!(registry.status.success());
    assert_eq!(registry.stdout, run(&["--registry", scenario]).stdout);
    // By name, as the settings always were read, not in the scenario's order.
    assert_eq!(
        String::from_utf8(registry.stdout).unwrap(),
        "Parameters Family REG_DWORD 4\nParameters Notifications REG_DWORD 1\n\
         Parameters Verbosity REG_DWORD 1\n"
    );

    let help = run(&["--json", "--help"]);
    assert!(help.status.success());
    assert_eq!(String::from_utf8(help.stdout).unwrap(), format!("{HELP}\n"));

    for (arguments, message) in [
        (
            &["--json", "--registry"][..],
            "replay: --registry and --json do not go together (cargo replay --help)\n",
        ),
        (
            &["--storm", "--strom"],
            "replay: unknown option --strom; the options are --storm, --json, --registry, \
             --etw, --import and --help (cargo replay --help says what each does)\n",
        ),
        (
            &["--json", "--etw"],
            "replay: --etw needs SESSION and OUT (cargo replay --help)\n",
        ),
    ] {
        let refused = run(arguments);
        assert_eq!(refused.status.code(), Some(2), "{arguments:?}");
        assert!(refused.stdout.is_empty());
        assert_eq!(String::from_utf8(refused.stderr).unwrap(), message);
    }
}
