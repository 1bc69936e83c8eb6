//! Event counters: lock-free atomics the callbacks bump from any thread, read once at unload.

use core::sync::atomic::{AtomicU64, Ordering};

use crate::decode::Change;

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
        let counter = match change {
            Change::Initial => &self.initial,
            Change::Add => &self.add,
            Change::Delete => &self.delete,
            Change::Parameter => &self.parameter,
            Change::Other(_) => &self.other,
        };
        // Relaxed: each counter is independent; unload reads them after the cancels returned,
        // which orders every callback before it.
        counter.fetch_add(1, Ordering::Relaxed);
        self.seq.fetch_add(1, Ordering::Relaxed).wrapping_add(1)
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
}
