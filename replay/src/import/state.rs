//! The state an import carries from line to line, and the facts every line reader shares.
//!
//! This module owns [`Importer`] (its fields; each reader adds its methods: [`super::events`]
//! the event lines, [`super::stable`] the stable table's, [`super::driver`] the driver's own,
//! and `import/mod.rs` the loop), the pieces of state each reader keeps between lines, and the
//! constants of the lines (the cut marker, the settings' positions). It imports no reader, so
//! that every reader imports it and none imports another's state back.

use std::collections::HashMap;

use netnotify_core::model::settings::SETTINGS;
use serde_json::Value;

use super::kind::Kind;
use super::step::{Row, Step};

/// The marker at the end of a line that did not fit one `DbgPrint` call.
pub(super) const CUT: &str = " [...]";

/// 100-ns clock ticks in a millisecond (the replay's clock steps are whole milliseconds).
pub(super) const TICKS_PER_MILLISECOND: u64 = 10_000;

// Positions in `SETTINGS` (and in the `settings` line), checked against its names when this
// compiles.
pub(super) const NOTIFICATIONS: usize = 0;
pub(super) const FAMILY: usize = 1;
pub(super) const INITIAL: usize = 2;
pub(super) const REQUERY: usize = 3;
pub(super) const VERBOSITY: usize = 4;
pub(super) const LINES_PER_SECOND: usize = 5;
pub(super) const BURST: usize = 6;

const fn named(position: usize, name: &str) -> bool {
    let (actual, name) = (SETTINGS[position].name.as_bytes(), name.as_bytes());
    if actual.len() != name.len() {
        return false;
    }
    let mut index = 0;
    while index < name.len() {
        if actual[index] != name[index] {
            return false;
        }
        index += 1;
    }
    true
}

const _: () = assert!(
    named(NOTIFICATIONS, "Notifications")
        && named(FAMILY, "Family")
        && named(INITIAL, "InitialNotification")
        && named(REQUERY, "Requery")
        && named(VERBOSITY, "Verbosity")
        && named(LINES_PER_SECOND, "LinesPerSecond")
        && named(BURST, "Burst")
);

/// Where the driver is in the lines read so far.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Phase {
    /// Before `loaded` (or the failure of `DriverEntry`): registration lines.
    Loading,
    /// Loaded: events.
    Loaded,
    /// `DriverEntry` failed: nothing more happens to this driver.
    Failed,
    /// Unloaded: a scenario holds one load.
    Unloaded,
}

/// Which of the registration's lines were read.
#[derive(Debug, Default)]
pub(super) struct Seen {
    /// The `settings` line (or settings made of the `loaded` line).
    pub(super) settings: bool,
    /// A `stable` pending step was written.
    pub(super) stable_pending: bool,
    /// The stable table returned at load was read.
    pub(super) immediate_table: bool,
}

pub(super) struct Importer {
    /// Steps before the driver loads (settings, stable, failures of registrations...).
    pub(super) setup: Vec<Step>,
    /// Steps from the load on.
    pub(super) steps: Vec<Step>,
    pub(super) notes: Vec<String>,
    pub(super) phase: Phase,
    /// The effective settings, from the `settings` line (or `loaded`), else the defaults.
    pub(super) settings: [u32; 7],
    /// What the registration lines said so far.
    pub(super) seen: Seen,
    /// Values the warning lines found in `Parameters`, by setting index.
    pub(super) found: [Option<Found>; 7],
    pub(super) names: HashMap<String, (String, String)>,
    pub(super) irql: u8,
    pub(super) halves: Vec<HalfInterface>,
    pub(super) table: Option<Table>,
    pub(super) limiter: Limiter,
    /// The replay's clock (ticks) and the last `DebugView` time seen (ms).
    pub(super) now: u64,
    pub(super) last_time: Option<(u64, bool)>,
    pub(super) left_out: u64,
    /// Events whose lines were read (an interface's two lines are one).
    pub(super) printed: u64,
    /// Stable tables whose header was read.
    pub(super) tables: u64,
    /// Whether a step the driver loads at was written.
    pub(super) started: bool,
    /// Whether the lines carry the driver's decisions (`super::decided`): every event is
    /// there, those kept out marked.
    pub(super) decided: bool,
    /// Whether the line being read is marked kept out.
    pub(super) kept: bool,
    /// Per kind, the steps of the kept-out events its next storm summary counts (one index
    /// per event).
    pub(super) episodes: [Vec<usize>; 3],
    /// Storm summaries (their comment steps) whose place the next line decides.
    pub(super) storms: Vec<(usize, Kind)>,
}

/// A settings value as a warning line found it.
#[derive(Clone, Debug)]
pub(super) enum Found {
    Dword(u32),
    /// A `REG_SZ` of that many characters.
    String(usize),
}

impl Found {
    pub(super) fn json(&self) -> Value {
        match self {
            Self::Dword(value) => Value::from(*value),
            Self::String(characters) => Value::String("x".repeat(*characters)),
        }
    }
}

/// An interface's first line, waiting for its second.
#[derive(Debug)]
pub(super) struct HalfInterface {
    /// Index of its step in `Importer::steps`.
    pub(super) step: usize,
    pub(super) line: usize,
    pub(super) change: String,
    pub(super) family: String,
    pub(super) index: String,
}

/// The GCRA of `core/src/policy/storm.rs`, per kind: the import adds the clock time the printed
/// lines needed, so that a replay of the scenario prints every one of them.
#[derive(Debug, Default)]
pub(super) struct Limiter {
    interval: u64,
    tolerance: u64,
    arrival: [u64; 3],
}

impl Limiter {
    pub(super) fn new(lines_per_second: u32, burst: u32) -> Self {
        let interval = 10_000_000_u64
            .checked_div(u64::from(lines_per_second))
            .unwrap_or(0);
        Self {
            interval,
            tolerance: interval.saturating_mul(u64::from(burst.saturating_sub(1))),
            arrival: [0; 3],
        }
    }

    /// Admits one printed event of `kind` at `now` (ticks); returns the milliseconds the
    /// clock must move first for the driver to print it.
    pub(super) fn admit(&mut self, kind: Kind, now: u64) -> u64 {
        if self.interval == 0 {
            return 0;
        }
        let Some(arrival) = self.arrival.get_mut(kind.slot()) else {
            return 0;
        };
        let start = (*arrival).max(now);
        let wait = start.saturating_sub(now).saturating_sub(self.tolerance);
        let wait_ms = wait.div_ceil(TICKS_PER_MILLISECOND);
        let now = now.saturating_add(wait_ms.saturating_mul(TICKS_PER_MILLISECOND));
        *arrival = (*arrival).max(now).saturating_add(self.interval);
        wait_ms
    }
}

/// A stable table being read: its header, then its rows.
#[derive(Debug)]
pub(super) struct Table {
    pub(super) line: usize,
    pub(super) pending: bool,
    pub(super) expected: Option<usize>,
    pub(super) rows: Vec<Row>,
    /// A row named a named interface `?`: the table came above `PASSIVE_LEVEL`.
    pub(super) above_passive: bool,
}
