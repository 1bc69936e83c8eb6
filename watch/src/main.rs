//! The `netnotify-watch` program: the command line, then the library's watcher
//! (`netnotify_watch`, whose docs say what it does).

use std::process::ExitCode;

use netnotify_watch::args::{self, Command};

fn main() -> ExitCode {
    match args::parse(std::env::args_os().skip(1)) {
        Ok(Command::Help) => {
            print!("{}", args::HELP);
            ExitCode::SUCCESS
        }
        Ok(Command::Watch(options)) => watch(options),
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(2)
        }
    }
}

#[cfg(windows)]
fn watch(options: args::Options) -> ExitCode {
    netnotify_watch::session::run(options)
}

#[cfg(not(windows))]
fn watch(_options: args::Options) -> ExitCode {
    eprintln!(
        "netnotify-watch: ETW is Windows's: on this host only --help works — run it where the \
         driver runs"
    );
    ExitCode::FAILURE
}
