//! What the watcher's tests share: the driver's ETW writes for a scenario, as the simulator's
//! ETW double hands them to a session that takes every keyword from before load, and the
//! watcher fed with them.

use netnotify_replay::{EtwSession, Output, etw_writes, parse, run_with};
use netnotify_watch::args::Options;
use netnotify_watch::watcher::{Received, Watcher};

/// The first event's timestamp, a `FILETIME` (2024-11-30T04:00:00Z); each next event 1 ms on.
pub const START: i64 = 133_774_128_000_000_000;

/// A write's keyword, metadata and payload.
pub type Write = (u64, Vec<u8>, Vec<u8>);

/// The scenario's output as `output` writes it, and each write's keyword, metadata and
/// payload; with `capture_state`, the session asks for the provider's state after the events,
/// before the unload.
pub fn played(text: &str, output: Output, capture_state: bool) -> (Vec<String>, Vec<Write>) {
    let scenario = parse(text).expect("a scenario");
    let session = EtwSession {
        listen: Some((5, 0x1F)),
        capture_state,
    };
    let (mut out, mut notes) = (Vec::new(), Vec::new());
    let (_, log) = run_with(&scenario, output, session, &mut out, &mut notes).expect("in memory");
    let writes = etw_writes(&log)
        .into_iter()
        .map(|write| (write.descriptor.keyword, write.metadata, write.payload))
        .collect();
    let out = String::from_utf8(out).expect("UTF-8");
    (out.lines().map(str::to_owned).collect(), writes)
}

/// A watcher with `options` given every write, in order, 1 ms apart from [`START`]: the
/// watcher, and what it wrote to stdout and stderr.
pub fn fed(writes: &[Write], options: Options) -> (Watcher, Vec<u8>, Vec<u8>) {
    let mut watcher = Watcher::new(options);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    for (at, (keyword, metadata, payload)) in writes.iter().enumerate() {
        let event = Received {
            keyword: *keyword,
            timestamp: START + i64::try_from(at).unwrap() * 10_000,
            pointer_size: 8,
            metadata: Some(metadata),
            payload,
        };
        watcher.event(&event, &mut out, &mut err).unwrap();
    }
    (watcher, out, err)
}
