//! `netnotify-watch`: netnotify's ETW events on the machine where the driver runs, with
//! nothing else installed.
//!
//! It starts a real-time ETW session of its own, enables the provider `netnotify`
//! (`{cabe4808-b99f-5fdb-95a1-c1294a861355}`) at level verbose with the keywords `--kinds`
//! selects, asks for the provider's present state (capture state), and decodes each
//! `EVENT_RECORD` with the core's `TraceLogging` decoder
//! (`netnotify_core::output::trace::decode`) until Ctrl+C, which stops and deletes the
//! session and prints what it saw and what the session lost. `--etl FILE` reads a capture
//! instead, through the same decoding path.
//!
//! The crate owns the command line (`args`), what is done with each event and every message
//! (`watcher`, portable and tested on any host) and, on Windows only, the session (`session`,
//! thin: it moves bytes from ETW into `watcher`).
//!
//! Each event is read back into the driver's record by field name
//! (`netnotify_core::output::trace::read`, the simulator's trace double's decoder too) and
//! printed as the driver's own line (a kept-out event marked, docs/lines.md), as
//! `cargo replay --json`'s object, or, at the end, as a scenario `cargo replay` replays
//! (`watcher::Watcher::finish`). The summary and every note go to stderr, so stdout holds only
//! events.
//!
//! Checked here (Linux): the portable half by `cargo test -p netnotify-watch`; the Windows
//! half cross-built for `x86_64-pc-windows-gnu` and linted for both msvc targets against
//! `windows-sys`. Nothing here has run on Windows.

pub mod args;
#[cfg(windows)]
pub mod session;
pub mod watcher;
