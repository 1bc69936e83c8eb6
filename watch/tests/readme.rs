//! The watcher's output the README shows is real: a watcher attached after the driver loaded
//! (the built-in scenario's present state, then `sc stop`) against its golden output
//! (`replay/tests/docs/watch-late-attach.out`, which replay's document test counts among the
//! golden outputs), and every watcher line the README's code blocks show (`[kept out] …`,
//! `present` and `counters` lines, `netnotify-watch: …`) a line the watcher writes.
//! `BLESS=1 cargo test -p netnotify-watch --test readme` rewrites the golden output.

use std::collections::HashSet;

use netnotify_replay::{EtwSession, Output, etw_writes, parse, run_with};
use netnotify_watch::args::{Format, Options};
use netnotify_watch::watcher::{
    KEPT_OUT, Lost, NO_EVENTS_NOTE, Received, STOPPED_ELSEWHERE, Watcher, failure,
    no_present_state, stale_session,
};

/// A write's keyword, metadata and payload.
type Write = (u64, Vec<u8>, Vec<u8>);

/// The driver's ETW writes for `text`, a session of every keyword listening from before load;
/// with `capture_state`, it asks for the provider's state after the events, before the unload.
fn writes(text: &str, capture_state: bool) -> Vec<Write> {
    let scenario = parse(text).expect("a scenario");
    let session = EtwSession {
        listen: Some((5, 0x1F)),
        capture_state,
    };
    let (mut out, mut notes) = (Vec::new(), Vec::new());
    let (_, log) =
        run_with(&scenario, Output::Lines, session, &mut out, &mut notes).expect("in memory");
    etw_writes(&log)
        .into_iter()
        .map(|write| (write.descriptor.keyword, write.metadata, write.payload))
        .collect()
}

/// The watcher's lines form for `writes`: stdout, then the summary it writes to stderr at
/// Ctrl+C (a session that lost nothing); nothing else on stderr.
fn watched(writes: &[Write]) -> String {
    let mut watcher = Watcher::new(Options {
        format: Format::Lines,
        ..Options::default()
    });
    let (mut out, mut err) = (Vec::new(), Vec::new());
    for (keyword, metadata, payload) in writes {
        let event = Received {
            keyword: *keyword,
            timestamp: 0,
            pointer_size: 8,
            metadata: Some(metadata),
            payload,
        };
        watcher.event(&event, &mut out, &mut err).unwrap();
    }
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
/// spans with `…` are the format, not examples.
fn readme_watcher_lines() -> Vec<&'static str> {
    let mut shown = Vec::new();
    for line in include_str!("../../README.md").lines() {
        let trimmed = line.trim_start();
        if is_watcher_line(trimmed) {
            shown.push(trimmed);
        } else {
            shown.extend(
                line.split('`')
                    .skip(1)
                    .step_by(2)
                    .filter(|span| is_watcher_line(span) && !span.contains('…')),
            );
        }
    }
    shown
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
