//! Event counters: lock-free atomics the callbacks bump from any thread, read once at unload.
//!
//! Also a storm's [`Summary`]: what was counted, whoever counted it (storm control,
//! `policy::storm`, decides when; the lines and ETW events write the counts).

use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::model::decode::Change;

/// Counts of one change notification's events, by type.
#[derive(Debug, Default)]
pub struct ChangeCounters {
    initial: AtomicU64,
    add: AtomicU64,
    delete: AtomicU64,
    parameter: AtomicU64,
    other: AtomicU64,
    /// Every event, whatever its type: the kind's sequence number.
    seq: AtomicU64,
}

/// A copy of [`ChangeCounters`] at one moment.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct ChangeCounts {
    /// `MibInitialNotification`.
    pub initial: u64,
    /// `MibAddInstance`.
    pub add: u64,
    /// `MibDeleteInstance`.
    pub delete: u64,
    /// `MibParameterNotification`.
    pub parameter: u64,
    /// Any other type value.
    pub other: u64,
}

impl ChangeCounters {
    /// Counts one event; returns its sequence number among this kind's events (1 for the
    /// first). `fetch_add` wraps on overflow, so this never panics.
    pub fn count(&self, change: Change) -> u64 {
        self.count_unsequenced(change);
        self.seq.fetch_add(1, Ordering::Relaxed).wrapping_add(1)
    }

    /// Counts one event that is neither printed nor written (the stack guard's count-only
    /// path): by type, without a sequence number, which numbers the events that have a
    /// record and an event (so `cargo replay --json`'s `seq` and the events' stay equal).
    pub fn count_unsequenced(&self, change: Change) {
        let counter = match change {
            Change::Initial => &self.initial,
            Change::Add => &self.add,
            Change::Delete => &self.delete,
            Change::Parameter => &self.parameter,
            Change::Other(_) => &self.other,
            // A rundown's row is no notification: it changes no counter.
            Change::Present => return,
        };
        // Relaxed: each counter is independent; unload reads them after the cancels returned,
        // which orders every callback before it.
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The current counts.
    pub fn snapshot(&self) -> ChangeCounts {
        ChangeCounts {
            initial: self.initial.load(Ordering::Relaxed),
            add: self.add.load(Ordering::Relaxed),
            delete: self.delete.load(Ordering::Relaxed),
            parameter: self.parameter.load(Ordering::Relaxed),
            other: self.other.load(Ordering::Relaxed),
        }
    }
}

/// Counts of the stable-table completions.
#[derive(Debug, Default)]
pub struct StableCounters {
    tables: AtomicU64,
    entries: AtomicU64,
    leaked: AtomicU64,
}

/// A copy of [`StableCounters`].
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct StableCounts {
    /// Tables received (immediately or through the callback), NULL ones included.
    pub tables: u64,
    /// Rows in those tables.
    pub entries: u64,
}

impl StableCounters {
    /// Counts one table of `entries` rows; returns its sequence number among the tables.
    pub fn count(&self, entries: u32) -> u64 {
        self.entries
            .fetch_add(u64::from(entries), Ordering::Relaxed);
        self.tables.fetch_add(1, Ordering::Relaxed).wrapping_add(1)
    }

    /// Counts one table delivered at or above `DISPATCH_LEVEL`: neither read nor freed
    /// (docs/netio.md#stable-above-passive). It counts as a table of no rows.
    pub fn count_leaked(&self) {
        let _seq = self.count(0);
        self.leaked.fetch_add(1, Ordering::Relaxed);
    }

    /// The current counts.
    pub fn snapshot(&self) -> StableCounts {
        StableCounts {
            tables: self.tables.load(Ordering::Relaxed),
            entries: self.entries.load(Ordering::Relaxed),
        }
    }

    /// Tables left unfreed by [`StableCounters::count_leaked`].
    pub fn leaked(&self) -> u64 {
        self.leaked.load(Ordering::Relaxed)
    }
}

/// What the stack guard saw (docs/netio.md#stack): the entries it turned to the count-only
/// path, and the least stack any entry had.
#[derive(Debug)]
pub struct StackCounters {
    low: AtomicU64,
    /// The least remaining stack seen; `usize::MAX` until an entry is seen.
    min: AtomicUsize,
}

impl Default for StackCounters {
    fn default() -> Self {
        Self {
            low: AtomicU64::new(0),
            min: AtomicUsize::new(usize::MAX),
        }
    }
}

impl StackCounters {
    /// Records the stack `remaining` at a callback's or the DPC's entry.
    pub fn see(&self, remaining: usize) {
        // Relaxed: a statistic read at unload (after the cancels and the timer flush, which
        // order every callback before it) or by the capture-state event, where any value
        // already seen will do; nothing else is published through it. `fetch_min` is one
        // atomic instruction (a CAS loop on x64 and arm64 without LSE), never a lock.
        // Read first: once the least is known, an entry pays a load, and the cache line is not
        // written from every CPU.
        if self.min.load(Ordering::Relaxed) > remaining {
            self.min.fetch_min(remaining, Ordering::Relaxed);
        }
    }

    /// Counts one event (or one expiry of the storm timer) taken to the count-only path.
    pub fn count_low(&self) {
        self.low.fetch_add(1, Ordering::Relaxed);
    }

    /// Entries taken to the count-only path for lack of stack.
    pub fn low(&self) -> u64 {
        self.low.load(Ordering::Relaxed)
    }

    /// The least remaining stack seen at an entry, in bytes; `None` before the first.
    pub fn min(&self) -> Option<u64> {
        let min = self.min.load(Ordering::Relaxed);
        (min != usize::MAX).then(|| u64::try_from(min).unwrap_or(u64::MAX))
    }
}

/// All of the driver's counters.
#[derive(Debug, Default)]
pub struct Counters {
    /// Interface notifications.
    pub interface: ChangeCounters,
    /// Unicast address notifications.
    pub address: ChangeCounters,
    /// Route notifications.
    pub route: ChangeCounters,
    /// Stable-table completions.
    pub stable: StableCounters,
    /// The stack guard's.
    pub stack: StackCounters,
}

/// Events of one kind that were not printed, by change type, and when the first and the
/// last of them were left out.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Summary {
    /// The counts.
    pub counts: ChangeCounts,
    /// When the first of them was left out (100-ns units).
    pub first: u64,
    /// When the last of them was left out.
    pub last: u64,
}
