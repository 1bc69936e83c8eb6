//! Storm control: at most `LinesPerSecond` event lines per notification kind after a burst of
//! `Burst`, and a summary of what was left out, printed on time.
//!
//! Each kind has a GCRA limiter (the "virtual scheduling" form of a token bucket): one atomic
//! theoretical arrival time, advanced by compare-and-swap, so callbacks of one kind running
//! concurrently need no lock and never wait. Time is the shell's monotonic clock in 100-ns
//! units ([`crate::boundary::host::Clock::now`]). Left-out events are counted per change type, with the
//! times of the first and the last of them.
//!
//! The summary of a storm is printed by whichever comes first: the next line of that kind
//! (before it), or the storm timer ([`Storm::expire`], a kernel timer's DPC in the driver)
//! once [`QUIET`] has passed without an event being left out, or the unload. The first event
//! left out arms the timer ([`Admission::Suppress`] says so); the timer re-arms itself while
//! a storm goes on. Counts are exact: every suppressed event is in exactly one summary, on
//! time even when it races the summary that ends its episode (stragglers, below), and no
//! summary is empty. The event counters of [`crate::model::counters`] count every event whatever
//! is printed.
//!
//! # The timer handshake
//!
//! `timer_armed` is true while the storm timer is set or its expiry runs, so that one episode
//! sets the timer once, and no suppression after the first pays more than a read of it. The
//! suppression that opens an episode (the compare-and-swap of `first` from 0) and the expiry
//! race: the expiry clears `timer_armed` and then reads `first`, the suppression writes
//! `first` and then reads `timer_armed`. Each is a store then a load of another location, so
//! without more each can read the other's old value (store buffering: x64 allows it) and
//! neither sets the timer for the new episode, whose summary then waits for the next line or
//! the unload. A `fence(SeqCst)` between the store and the load on both sides forbids that:
//! one of the two fences comes first, and the load after the other sees the store before
//! it. So the expiry sees the episode and sets the timer again ([`Expiry::rearm`]), or the
//! suppression sees the timer disarmed and sets it ([`Admission::Suppress`]'s `arm_timer`),
//! and the swap of `timer_armed` lets only one of them do it. Only the suppression that opens
//! an episode pays for the fence: the later ones of the episode are covered by its timer.
//! An expiry deferred for stack ([`Storm::defer`]) takes nothing but keeps the same handshake,
//! so it too sets the timer again only for an open episode.
//!
//! # Stragglers
//!
//! A suppression counts its event first (`pending`, Acquire) and only then looks for the
//! episode (`first`); a summary ends the episode (`first` to 0) and then takes the counts
//! (Release). So if a summary took this event's slot before the event was added, the add
//! sees that summary's end of the episode and the suppression opens the next one, which
//! gets its timer like any other; otherwise the event is in that summary. (Looking for the
//! episode first, a suppression that saw one just as a summary ended it left its count
//! with no episode and no timer, until the next storm or the unload; and an expiry could
//! take an episode whose opener had not counted yet, and print an empty summary.) An
//! episode whose opener's count went into the summary that ended the one before it has no
//! count: taking it prints nothing. The episode is opened with Release, so whoever sees it
//! sees its count and its `last`.
//!
//! # Unload
//!
//! [`Storm::stop`] comes before the timer is cancelled: an expiry that starts
//! after it sets nothing, and one already running may set the timer once more, which the
//! second cancel round undoes (`raw::Installed::stop_timer`). That holds only once no
//! callback can run: a suppression may set the timer at any time.
//!
//! `core/tests/loom.rs` model-checks these protocols with loom (it compiles this file with
//! loom's atomics under `--cfg loom`): every interleaving of a suppression with an expiry or a printed
//! line, and of the unload against an expiry (and, up to 4 preemptions, a callback before
//! it). Without either fence it finds
//! an episode left open with no timer set; with the count after the look for the episode,
//! or without the Acquire or the Release that pair them, a count left for the unload; and
//! without the rule for an episode with no count, an empty summary. The Release of the
//! opening is the one ordering it cannot check: loom gives a read-modify-write the newest
//! value in the order it ran them.

use sync::{AtomicBool, AtomicU64, Ordering, fence};

use crate::model::counters::ChangeCounts;
// The model's (the lines and events write it); also here for the users outside the core
// (`netnotify_core::policy::storm::Summary`).
pub use crate::model::counters::Summary;
use crate::model::decode::Change;
use crate::model::notification::Notification;

/// The atomics: the core's own, or loom's where core/tests/loom.rs compiles this file into
/// its test under `--cfg loom`, so that the model checker explores every interleaving and
/// every value a load may read. loom is a dev-dependency: the library, even under
/// `--cfg loom`, keeps the core's.
mod sync {
    #[cfg(all(loom, test))]
    pub use loom::sync::atomic::{AtomicBool, AtomicU64, Ordering, fence};

    #[cfg(not(all(loom, test)))]
    pub use core::sync::atomic::{AtomicBool, AtomicU64, Ordering, fence};
}

// The kernel's unit, kept where the kernel's facts are; also here for the users outside the
// core (`netnotify_core::policy::storm::TICKS_PER_SECOND`).
pub use crate::boundary::ffi::TICKS_PER_SECOND;

/// How long no event must have been left out before a storm counts as over and its summary
/// is printed: one second.
pub const QUIET: u64 = TICKS_PER_SECOND;

/// Whether an event's line may be printed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Admission {
    /// Print it; first report what was left out before it, if anything was.
    Print(Option<Summary>),
    /// Leave it out (it is counted). `arm_timer`: the caller must arm the storm timer to
    /// expire [`QUIET`] from now (this event opened the first storm in progress).
    Suppress {
        /// Whether to arm the storm timer.
        arm_timer: bool,
    },
}

/// One kind's limiter and left-out counts.
#[derive(Debug, Default)]
struct Kind {
    /// Theoretical arrival time of the next line.
    arrival: AtomicU64,
    /// Left out since the last summary: parameter, add, delete, initial, other.
    pending: [AtomicU64; 5],
    /// Time of the first event left out since the last summary, plus one; 0 for none.
    first: AtomicU64,
    /// Time of the last event left out since the last summary, plus one.
    last: AtomicU64,
}

/// The limiters of the three change notifications.
#[derive(Debug)]
pub struct Storm {
    /// Ticks between lines at the steady rate; 0: no limit.
    interval: u64,
    /// How far ahead of now the arrival time may run: `(burst - 1) * interval`.
    tolerance: u64,
    kinds: [Kind; 3],
    /// Whether the storm timer is armed (or its expiry is running).
    timer_armed: AtomicBool,
    /// Set at unload before the timer is cancelled: an expiry then does nothing, and above
    /// all never sets the timer again.
    stopped: AtomicBool,
}

/// What [`Storm::expire`] found.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Expiry {
    /// The summary of each kind whose storm is over (interface, address, route).
    pub summaries: [Option<Summary>; 3],
    /// Re-arm the timer to expire after this many ticks: a storm is still going on.
    pub rearm: Option<u64>,
}

const fn slot(change: Change) -> usize {
    match change {
        Change::Parameter => 0,
        Change::Add => 1,
        Change::Delete => 2,
        Change::Initial => 3,
        // A rundown's `present` event has no line, so storm control never sees one.
        Change::Other(_) | Change::Present => 4,
    }
}

/// The kinds with a limiter, in the order of [`Expiry::summaries`].
pub const LIMITED: [Notification; 3] = [
    Notification::Interface,
    Notification::Address,
    Notification::Route,
];

impl Storm {
    /// A limiter of `lines_per_second` lines (0: no limit) after a burst of `burst`.
    #[must_use]
    pub fn new(lines_per_second: u32, burst: u32) -> Self {
        let interval = TICKS_PER_SECOND
            .checked_div(u64::from(lines_per_second))
            .unwrap_or(0);
        Self {
            interval,
            tolerance: interval.saturating_mul(u64::from(burst.saturating_sub(1))),
            kinds: Default::default(),
            timer_armed: AtomicBool::new(false),
            stopped: AtomicBool::new(false),
        }
    }

    /// From now on [`Storm::expire`] takes nothing and never asks for the timer again (the
    /// unload's summaries are [`Storm::drain`]'s).
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
    }

    const fn kind(&self, notification: Notification) -> Option<&Kind> {
        match notification {
            Notification::Interface => Some(&self.kinds[0]),
            Notification::Address => Some(&self.kinds[1]),
            Notification::Route => Some(&self.kinds[2]),
            Notification::StableTable => None,
        }
    }

    /// Decides for one event of `notification` with `change` at time `now`.
    pub fn admit(&self, notification: Notification, change: Change, now: u64) -> Admission {
        let Some(kind) = self.kind(notification) else {
            return Admission::Print(None);
        };
        if self.interval == 0 {
            return Admission::Print(None);
        }
        let mut arrival = kind.arrival.load(Ordering::Relaxed);
        loop {
            let start = arrival.max(now);
            if start.saturating_sub(now) > self.tolerance {
                return self.suppress(kind, change, now);
            }
            match kind.arrival.compare_exchange_weak(
                arrival,
                start.saturating_add(self.interval),
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(current) => arrival = current,
            }
        }
        Admission::Print(Self::take(kind))
    }

    /// Takes a decision a driver made for one event of `notification` at `now`, as the
    /// replay of its record gives it ([`crate::boundary::host::Sink::decision`]): printed,
    /// the summary of what was left out before it comes first, as in [`Storm::admit`]; kept
    /// out, it is counted for the summary and may arm the timer, as a suppression is. The
    /// limiter is not consulted, so its next decision is not this one's to make.
    pub fn decided(
        &self,
        notification: Notification,
        change: Change,
        now: u64,
        printed: bool,
    ) -> Admission {
        match self.kind(notification) {
            None => Admission::Print(None),
            Some(kind) if printed => Admission::Print(Self::take(kind)),
            Some(kind) => self.suppress(kind, change, now),
        }
    }

    /// Counts a left-out event, then opens the episode unless one is open (counted first:
    /// the straggler rule in the module docs). `first` is read before it is swapped: a
    /// compare-and-swap on every event would bounce the cache line between CPUs.
    fn suppress(&self, kind: &Kind, change: Change, now: u64) -> Admission {
        let stamp = now.saturating_add(1);
        if kind.last.load(Ordering::Relaxed) < stamp {
            kind.last.fetch_max(stamp, Ordering::Relaxed);
        }
        if let Some(pending) = kind.pending.get(slot(change)) {
            // Acquire: if a summary took this slot before this add, the end of its episode
            // is seen below, and this event opens the next one.
            pending.fetch_add(1, Ordering::Acquire);
        }
        // Release: whoever sees the new episode sees its count and `last`.
        if kind.first.load(Ordering::Relaxed) == 0
            && kind
                .first
                .compare_exchange(0, stamp, Ordering::Release, Ordering::Relaxed)
                .is_ok()
        {
            // This event opened the episode: read `timer_armed` only after the episode is
            // visible to an expiry that reads `first` after disarming (the handshake in the
            // module docs; the expiry has the other fence).
            fence(Ordering::SeqCst);
        }
        let arm_timer = !self.timer_armed.load(Ordering::Relaxed)
            && !self.timer_armed.swap(true, Ordering::AcqRel);
        Admission::Suppress { arm_timer }
    }

    /// The storm timer expired at `now`: takes the summary of every kind whose last left-out
    /// event is [`QUIET`] old, and says when to expire again if a storm is still going on.
    pub fn expire(&self, now: u64) -> Expiry {
        let mut summaries = [None; 3];
        if self.stopped.load(Ordering::Acquire) {
            return Expiry {
                summaries,
                rearm: None,
            };
        }
        // Disarm first: a suppression that opens an episode from here on sees it and arms
        // the timer itself, or its episode is seen below (the fence pairs with the one in
        // `suppress`: the handshake in the module docs).
        self.timer_armed.store(false, Ordering::Release);
        fence(Ordering::SeqCst);
        let mut next: Option<u64> = None;
        for (summary, kind) in summaries.iter_mut().zip(&self.kinds) {
            let first = kind.first.load(Ordering::Acquire);
            if first == 0 {
                continue;
            }
            // `last` may still be an earlier episode's (or 0): the episode is `first` at least.
            let last = kind
                .last
                .load(Ordering::Relaxed)
                .max(first)
                .saturating_sub(1);
            let quiet_at = last.saturating_add(QUIET);
            if quiet_at <= now {
                *summary = Self::take(kind);
            } else {
                let wait = quiet_at.saturating_sub(now);
                next = Some(next.map_or(wait, |earlier| earlier.min(wait)));
            }
        }
        let rearm = next.filter(|_| !self.timer_armed.swap(true, Ordering::AcqRel));
        Expiry { summaries, rearm }
    }

    /// The storm timer expired, but on too little stack to print (docs/netio.md#stack): takes
    /// nothing, and asks for the timer again in [`QUIET`] only where [`Storm::expire`] would
    /// have: an episode is open (a summary is pending) and the storm is not stopped. A quiet
    /// driver's timer stops. The same handshake as `expire` (module docs): disarm, fence,
    /// look at the episodes, re-arm only if no suppression armed the timer meanwhile.
    pub fn defer(&self) -> Option<u64> {
        if self.stopped.load(Ordering::Acquire) {
            return None;
        }
        self.timer_armed.store(false, Ordering::Release);
        fence(Ordering::SeqCst);
        let open = self
            .kinds
            .iter()
            .any(|kind| kind.first.load(Ordering::Acquire) != 0);
        (open && !self.timer_armed.swap(true, Ordering::AcqRel)).then_some(QUIET)
    }

    /// What `notification` left out and has not reported yet (for the unload summary).
    pub fn drain(&self, notification: Notification, now: u64) -> Option<Summary> {
        let kind = self.kind(notification)?;
        let taken = Self::take(kind);
        // Counts without an episode: none once no callback runs (the straggler rule in the
        // module docs), but the unload is where nothing may be lost.
        let stragglers = Self::counts(kind);
        match (taken, stragglers) {
            (Some(mut summary), extra) => {
                summary.counts = add(summary.counts, extra);
                Some(summary)
            }
            (None, extra) if extra != ChangeCounts::default() => Some(Summary {
                counts: extra,
                first: now,
                last: now,
            }),
            (None, _) => None,
        }
    }

    /// Ends the episode, if one is open, and takes its counts: nothing if an earlier summary
    /// took them all (the straggler rule in the module docs).
    fn take(kind: &Kind) -> Option<Summary> {
        let first = kind.first.swap(0, Ordering::AcqRel);
        if first == 0 {
            return None;
        }
        let last = kind.last.swap(0, Ordering::Relaxed);
        let counts = Self::counts(kind);
        (counts != ChangeCounts::default()).then(|| Summary {
            counts,
            first: first.saturating_sub(1),
            last: last.max(first).saturating_sub(1),
        })
    }

    fn counts(kind: &Kind) -> ChangeCounts {
        let [parameter, add, delete, initial, other] = kind
            .pending
            .each_ref()
            // Release: a suppression whose add comes after this sees the episode ended.
            .map(|count| count.swap(0, Ordering::Release));
        ChangeCounts {
            initial,
            add,
            delete,
            parameter,
            other,
        }
    }
}

const fn add(left: ChangeCounts, right: ChangeCounts) -> ChangeCounts {
    ChangeCounts {
        initial: left.initial.saturating_add(right.initial),
        add: left.add.saturating_add(right.add),
        delete: left.delete.saturating_add(right.delete),
        parameter: left.parameter.saturating_add(right.parameter),
        other: left.other.saturating_add(right.other),
    }
}

// Not in core/tests/loom.rs, where these atomics are loom's and work only inside a model.
#[cfg(all(test, not(loom)))]
mod tests {
    use super::{Admission, Ordering, QUIET, Storm, TICKS_PER_SECOND};
    use crate::model::decode::Change;
    use crate::model::notification::Notification::Route;
    use std::vec::Vec;

    #[test]
    fn burst_then_steady_rate_then_recovery() {
        // 10 lines per second after a burst of 3: one line every 100 ms.
        let storm = Storm::new(10, 3);
        let tick = TICKS_PER_SECOND / 10;
        let at = |n: u64| 1_000 + n * tick / 4;
        let decisions: Vec<bool> = (0..20)
            .map(|n| matches!(storm.admit(Route, Change::Add, at(n)), Admission::Print(_)))
            .collect();
        // The burst of 3, then exactly one per 100 ms (every 4th event at 25 ms apart): the
        // arrival time runs 2 intervals ahead at most.
        let printed: Vec<usize> = (0..20).filter(|&n| decisions[n]).collect();
        assert_eq!(printed, [0, 1, 2, 4, 8, 12, 16]);
    }

    #[test]
    fn a_replayed_decision_is_taken_whatever_the_limiter_would_say() {
        // No limit at all (0 lines per second): the limiter would print every line.
        let storm = Storm::new(0, 0);
        // Kept out twice, 5 ms apart: counted, and only the first arms the timer.
        assert_eq!(
            storm.decided(Route, Change::Add, 10, false),
            Admission::Suppress { arm_timer: true }
        );
        assert_eq!(
            storm.decided(Route, Change::Delete, 50_010, false),
            Admission::Suppress { arm_timer: false }
        );
        // Printed: the summary of the two comes first, with their times.
        let Admission::Print(Some(summary)) = storm.decided(Route, Change::Add, 60_000, true)
        else {
            panic!("no summary before the printed line");
        };
        assert_eq!((summary.counts.add, summary.counts.delete), (1, 1));
        assert_eq!(summary.last - summary.first, 50_000);
        // Printed again: nothing left to report.
        assert_eq!(
            storm.decided(Route, Change::Add, 70_000, true),
            Admission::Print(None)
        );
        // The stable table has no storm control: printed whatever the decision.
        assert_eq!(
            storm.decided(
                crate::model::notification::Notification::StableTable,
                Change::Add,
                0,
                false
            ),
            Admission::Print(None)
        );
    }

    #[test]
    fn an_episode_without_counts_prints_nothing() {
        // What a suppression leaves whose count the summary ending the episode before took
        // (the straggler rule in the module docs): opened, nothing counted.
        let storm = Storm::new(1, 1);
        storm.kinds[2].first.store(2, Ordering::Relaxed);
        let expiry = storm.expire(2 * QUIET);
        assert_eq!(expiry.summaries, [None; 3]);
        assert_eq!(expiry.rearm, None);
        assert_eq!(storm.drain(Route, 3 * QUIET), None);
    }

    #[test]
    fn a_stopped_storm_expires_to_nothing_and_never_rearms() {
        let storm = Storm::new(1, 1);
        assert_eq!(storm.admit(Route, Change::Add, 0), Admission::Print(None));
        assert_eq!(
            storm.admit(Route, Change::Add, 1),
            Admission::Suppress { arm_timer: true }
        );
        // Running: not quiet yet, so set again.
        assert_eq!(storm.expire(2).rearm, Some(QUIET - 1));
        // An expiry on too little stack defers while running, never once stopped.
        assert_eq!(storm.defer(), Some(QUIET));
        storm.stop();
        assert_eq!(storm.defer(), None);
        let expiry = storm.expire(2 * QUIET);
        assert_eq!(expiry.summaries, [None; 3]);
        assert_eq!(expiry.rearm, None);
        // What was left out is the unload's.
        assert_eq!(
            storm
                .drain(Route, 3 * QUIET)
                .map(|summary| summary.counts.add),
            Some(1)
        );
    }
}
