//! The watcher's output the README shows is real: a watcher attached after the driver loaded
//! (the built-in scenario's present state, then `sc stop`) against its golden output
//! (`replay/tests/docs/watch-late-attach.out`, which replay's document test counts among the
//! golden outputs), and every watcher line the README's code blocks show (`[kept out] …`,
//! `present` and `counters` lines, `netnotify-watch: …`) a line the watcher writes.
//! `BLESS=1 cargo test -p netnotify-watch --test readme` rewrites the golden output.

use std::collections::HashSet;

mod common;

use common::{Write, fed};
use netnotify_replay::Output;
use netnotify_watch::args::{Format, Options};
use netnotify_watch::watcher::{
    KEPT_OUT, Lost, NO_EVENTS_NOTE, STOPPED_ELSEWHERE, failure, no_present_state, stale_session,
};

/// The driver's ETW writes for `text`; with `capture_state`, the session asks for the
/// provider's state after the events, before the unload.
fn writes(text: &str, capture_state: bool) -> Vec<Write> {
    common::played(text, Output::Lines, capture_state).1
}

/// The watcher's lines form for `writes`: stdout, then the summary it writes to stderr at
/// Ctrl+C (a session that lost nothing); nothing else on stderr.
fn watched(writes: &[Write]) -> String {
    let options = Options {
        format: Format::Lines,
        ..Options::default()
    };
    let (watcher, out, err) = fed(writes, options);
    assert_eq!(String::from_utf8(err).unwrap(), "");
    let mut out = String::from_utf8(out).unwrap();
    out.push_str(&watcher.summary(Some(Lost::default())));
    out.push('\n');
    out
}

/// Whether a write is the capture-state `counters` event (its metadata's name).
fn is_counters(write: &Write) -> bool {
    write
        .1
        .get(3..)
        .is_some_and(|name| name.starts_with(b"counters\0"))
}

/// The watcher started after the driver: the first event it gets is the `counters` of the
/// capture state it asked for, then the rundown, then what happens next (here `sc stop`).
fn late_attach() -> String {
    let writes = writes(netnotify_replay::LAPTOP_JOINS_WIFI, true);
    let attach = writes
        .iter()
        .position(is_counters)
        .expect("a counters event");
    watched(&writes[attach..])
}

#[test]
fn a_late_watcher_shows_the_present_state_first() {
    let out = late_attach();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../replay/tests/docs/watch-late-attach.out"
    );
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(path, &out).expect("golden written");
    }
    assert_eq!(
        out,
        include_str!("../../replay/tests/docs/watch-late-attach.out"),
        "{path}"
    );
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("netnotify: counters interface(initial=2 add=2 "));
    // Two lines for each of the two interfaces, then the two addresses and the five routes.
    let present: Vec<&str> = lines[1..]
        .iter()
        .take_while(|line| line.split(' ').nth(2) == Some("present"))
        .map(|line| line.split(' ').nth(1).unwrap())
        .collect();
    assert_eq!(
        present,
        [["interface"; 4].as_slice(), &["address"; 2], &["route"; 5]].concat()
    );
    assert!(lines[12].starts_with("netnotify: unloaded "));
    assert_eq!(
        lines[13],
        "netnotify-watch: 11 events: interface 2, address 2, route 5, stable-table 0, \
         lifecycle 2, other 0, undecodable 0"
    );
    assert_eq!(lines.len(), 15);
}

/// Every line the watcher writes in the README's examples, and its one-line messages.
fn watcher_lines() -> HashSet<String> {
    let mut lines: HashSet<String> = [
        late_attach(),
        watched(&writes(netnotify_replay::LAPTOP_JOINS_WIFI, false)),
        watched(&writes(netnotify_replay::VPN_ROUTE_STORM, false)),
    ]
    .iter()
    .flat_map(|out| out.lines().map(str::to_owned).collect::<Vec<_>>())
    .collect();
    for call in [
        "StartTraceW",
        "EnableTraceEx2",
        "OpenTraceW",
        "ProcessTrace",
    ] {
        for code in [2, 5, 120, 183, 1450] {
            lines.insert(failure(call, code));
        }
    }
    lines.insert(NO_EVENTS_NOTE.to_owned());
    lines.insert(STOPPED_ELSEWHERE.to_owned());
    lines.insert(stale_session());
    for code in [2, 5, 120, 183, 1450] {
        lines.insert(no_present_state(code));
    }
    lines
}

/// Whether `line` is one only the watcher writes: a kept-out event's, a `present` or
/// `counters` line, or the watcher's own (`netnotify-watch: `).
fn is_watcher_line(line: &str) -> bool {
    line.strip_prefix(KEPT_OUT)
        .is_some_and(|line| line.starts_with("netnotify: "))
        || line.starts_with("netnotify-watch: ")
        || line.starts_with("netnotify: counters ")
        || (line.starts_with("netnotify: ") && line.split(' ').nth(2) == Some("present"))
}

/// The README's watcher lines: code-block lines (indented or not) and inline code spans;
/// those with `…` are the format, not examples.
fn readme_watcher_lines() -> Vec<&'static str> {
    netnotify_replay::docs::shown(include_str!("../../README.md"), is_watcher_line)
}

#[test]
fn every_watcher_line_the_readme_shows_is_the_watcher_s() {
    let known = watcher_lines();
    let shown = readme_watcher_lines();
    for line in &shown {
        assert!(
            known.contains(*line),
            "README: not a line the watcher writes: {line}"
        );
    }
    // The README's watcher step shows a kept-out line, the late attach and the summary.
    assert!(shown.iter().any(|line| line.starts_with(KEPT_OUT)));
    assert!(
        shown
            .iter()
            .any(|line| line.starts_with("netnotify: counters "))
    );
    assert!(
        shown
            .iter()
            .any(|line| line.starts_with("netnotify-watch: "))
    );
}
