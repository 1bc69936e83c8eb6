//! Model checks of the storm limiter's lock-free protocols with loom: the storm timer's
//! arm/expire handshake, a suppression racing the summary that ends its episode (the
//! straggler), and the unload's stop-then-cancel sequence against a running expiry and a
//! callback. The protocols are in `core/src/policy/storm.rs`'s module docs. And the ETW
//! enable callback's run-down protection against the unload that frees its extension
//! and the handle it writes with (`raw::trace_enable`, `lifecycle::unregister_trace`,
//! docs/netio.md#etw).
//!
//! Loom runs each model in every interleaving of its threads, and lets every load read any
//! store the memory model allows, so the stale reads of a CPU's store buffer are explored
//! too. The storm's atomics are loom's only under `--cfg loom` (as `.ci/run` runs it):
//!
//! ```text
//! RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom \
//!     cargo test -p netnotify-core --test loom --release -- --nocapture
//! ```
//!
//! Each model prints how many interleavings it ran. One is bounded in preemptions
//! ([`PREEMPTIONS`]); `LOOM_MAX_PREEMPTIONS` sets the bound of all of them, and
//! `LOOM_LOG=trace LOOM_LOCATION=1` prints each step of a failing one.
//!
//! The kernel timer (`KTIMER` and its `KDPC`) is the tests' own [`Timer`]; "the DPC" is the
//! thread that runs [`Storm::expire`] when it fires.
//!
//! What the handshake model found in the orderings before the fences (its first
//! interleaving, from loom's trace with its object numbers replaced by field names): the
//! storm armed at 1, its summary taken by the line at `QUIET`, so `timer_armed` is true and
//! `first` is 0. The DPC (thread 0) stores `timer_armed = false` (Release) and loads
//! `first` (Acquire): 0, no episode, so no re-arm. Then the callback (thread 1) loads
//! `first`: 0, opens the episode with the compare-and-swap, counts, and loads `timer_armed`
//! (Relaxed): true, the value from before the DPC's store, which nothing ordered before it;
//! so it does not arm the timer either. Result: "an episode is open and no timer is set".
#![cfg(loom)]

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use loom::model::Builder;
use loom::sync::{Arc, Mutex};
use loom::thread;
use netnotify_core::model::counters::Summary;
use netnotify_core::model::decode::Change;
use netnotify_core::model::notification::Notification::Route;
use storm::{Admission, QUIET, Storm};

/// What `storm`'s `crate::` paths name (they name the layer): the library's modules.
mod model {
    pub use netnotify_core::{model::counters, model::decode, model::notification};
}
/// As [`model`].
mod boundary {
    pub use netnotify_core::boundary::ffi;
}

/// The storm limiter's own source, compiled here with loom's atomics (its `sync` shim under
/// `cfg(all(loom, test))`): loom is a dev-dependency, so the library never links it.
#[path = "../src/policy/storm.rs"]
#[allow(dead_code, reason = "the models use only part of the module")]
mod storm;

/// A time after every other in these models: every storm is over by then.
const LATER: u64 = 100 * QUIET;

/// The preemption bound of the model with three threads and a spinning flush: all its
/// interleavings are 600,139 runs (45 s on a 2-core machine); with 4 preemptions, 8,026
/// (under a second).
const PREEMPTIONS: usize = 4;

/// Runs `model` in every interleaving loom explores and says how many that was. `preemptions`
/// bounds the models whose state space is too large to explore whole in CI (unless
/// `LOOM_MAX_PREEMPTIONS` says otherwise).
fn explore(
    name: &str,
    preemptions: Option<usize>,
    model: impl Fn() + Sync + Send + 'static,
) -> usize {
    let runs = std::sync::Arc::new(AtomicUsize::new(0));
    let counted = std::sync::Arc::clone(&runs);
    let model = move || {
        counted.fetch_add(1, Relaxed);
        model();
    };
    let mut builder = Builder::new();
    match preemptions {
        Some(bound) if builder.preemption_bound.is_none() => {
            builder.preemption_bound = Some(bound);
            builder.check(model);
        }
        // As the environment says, with `LOOM_LOG` and the rest.
        _ => loom::model(model),
    }
    let runs = runs.load(Relaxed);
    let bound = builder.preemption_bound.map_or(String::new(), |bound| {
        format!(", at most {bound} preemptions")
    });
    eprintln!("loom: {name}: {runs} interleavings{bound}");
    runs
}

/// Counts the interleavings in which something happened (in std's atomics: they outlive the
/// model's runs).
#[derive(Clone, Default)]
struct Tally(std::sync::Arc<AtomicUsize>);

impl Tally {
    fn count(&self, happened: bool) {
        if happened {
            self.0.fetch_add(1, Relaxed);
        }
    }

    fn get(&self) -> usize {
        self.0.load(Relaxed)
    }
}

/// Events of `summary`, all change types together; a summary is never empty.
fn total(summary: Option<Summary>) -> u64 {
    summary.map_or(0, |summary| {
        let counts = summary.counts;
        let total = counts.initial + counts.add + counts.delete + counts.parameter + counts.other;
        assert_ne!(total, 0, "an empty summary: {summary:?}");
        total
    })
}

/// One line per second, no burst: after a line at `t`, events are left out until
/// `t + QUIET`.
fn one_per_second() -> Storm {
    Storm::new(1, 1)
}

/// A storm of one route event left out at 1, which armed the timer, and whose summary the
/// next printed line (at `QUIET`) took: the timer is armed, no episode is open. Events are
/// left out until `2 * QUIET`.
fn timer_armed_no_episode() -> Storm {
    let storm = one_per_second();
    assert_eq!(storm.admit(Route, Change::Add, 0), Admission::Print(None));
    assert_eq!(
        storm.admit(Route, Change::Add, 1),
        Admission::Suppress { arm_timer: true }
    );
    let Admission::Print(Some(summary)) = storm.admit(Route, Change::Add, QUIET) else {
        panic!("the printed line takes the summary");
    };
    assert_eq!(total(Some(summary)), 1);
    storm
}

/// The storm timer as the kernel keeps it: set or not, and how many of its DPCs are queued
/// or running. Each operation is atomic, as the kernel's are under its timer and DPC locks.
#[derive(Default)]
struct Timer(Mutex<TimerState>);

#[derive(Default, Clone, Copy, PartialEq, Eq, Debug)]
struct TimerState {
    set: bool,
    dpcs: u32,
}

impl Timer {
    /// `KeSetTimer`.
    fn set(&self) {
        self.0.lock().unwrap().set = true;
    }

    /// The timer expires if it is set: its DPC is queued (and runs on the caller's thread).
    fn fire(&self) -> bool {
        let mut state = self.0.lock().unwrap();
        let fired = state.set;
        if fired {
            state.set = false;
            state.dpcs += 1;
        }
        fired
    }

    /// The DPC routine returned.
    fn dpc_returned(&self) {
        self.0.lock().unwrap().dpcs -= 1;
    }

    /// `KeCancelTimer`, then `KeFlushQueuedDpcs`: the shell's `StormTimer::stop_timer`.
    fn cancel_and_flush(&self) {
        self.0.lock().unwrap().set = false;
        while self.0.lock().unwrap().dpcs > 0 {
            thread::yield_now();
        }
    }

    fn state(&self) -> TimerState {
        *self.0.lock().unwrap()
    }

    /// What the driver's unload does once no callback can run: `raw::Installed::stop_timer`.
    fn stop(&self, storm: &Storm) {
        storm.stop();
        self.cancel_and_flush();
        self.cancel_and_flush();
    }
}

/// The DPC: runs the expiry each time the timer fires, at most once per time in `at` (the
/// clock of each run), and returns how many route events its summaries reported.
fn dpc(storm: &Storm, timer: &Timer, at: &[u64]) -> u64 {
    let mut printed = 0;
    for &now in at {
        if !timer.fire() {
            break;
        }
        let expiry = storm.expire(now);
        printed += total(expiry.summaries[2]);
        if expiry.rearm.is_some() {
            timer.set();
        }
        timer.dpc_returned();
    }
    printed
}

/// The handshake: a callback leaves an event out and so opens an episode, while the timer
/// armed for the last episode expires (its DPC: here the main thread). Whoever runs last
/// must see the other: if an episode is open at the end, one of them set the timer again.
/// And the expiry never takes the episode before its event is counted in it.
#[test]
fn an_episode_opened_during_an_expiry_has_a_timer() {
    explore("handshake", None, || {
        let storm = Arc::new(timer_armed_no_episode());
        let callback = {
            let storm = Arc::clone(&storm);
            thread::spawn(move || storm.admit(Route, Change::Delete, QUIET + 1))
        };
        let expiry = storm.expire(QUIET + 1);
        let admission = callback.join().unwrap();

        let Admission::Suppress { arm_timer } = admission else {
            panic!("left out: {admission:?}");
        };
        let rearm = expiry.rearm.is_some();
        // One wake-up, one timer: never both.
        assert!(!(arm_timer && rearm), "both set the timer");
        let open = storm.expire(LATER).summaries[2];
        assert!(
            open.is_none() || arm_timer || rearm,
            "an episode is open and no timer is set: {open:?}"
        );
        // The event is in exactly one summary (never an empty one: `total`), and not left
        // for the unload.
        assert_no_straggler(&storm);
        assert_eq!(total(expiry.summaries[2]) + total(open), 1);
    });
}

/// The handshake again, with the expiry deferred for stack ([`Storm::defer`]): it takes
/// nothing, and sets the timer again only for an open episode. A callback opening an episode
/// meanwhile still ends with exactly one of them setting the timer; and with no episode open
/// the deferred expiry sets nothing.
#[test]
fn an_episode_opened_during_a_deferred_expiry_has_a_timer() {
    explore("handshake, deferred", None, || {
        let storm = Arc::new(timer_armed_no_episode());
        let callback = {
            let storm = Arc::clone(&storm);
            thread::spawn(move || storm.admit(Route, Change::Delete, QUIET + 1))
        };
        let rearm = storm.defer().is_some();
        let admission = callback.join().unwrap();
        let Admission::Suppress { arm_timer } = admission else {
            panic!("left out: {admission:?}");
        };
        assert!(!(arm_timer && rearm), "both set the timer");
        assert!(arm_timer || rearm, "an episode is open and no timer is set");
        assert_eq!(total(storm.expire(LATER).summaries[2]), 1);
        // The episode is taken: a deferred expiry now sets nothing.
        assert_eq!(storm.defer(), None);
    });
}

/// What the unload would find with no episode: nothing.
fn assert_no_straggler(storm: &Storm) {
    assert_eq!(storm.drain(Route, LATER), None, "counts without an episode");
}

/// The straggler: a callback leaves an event out while the storm timer takes the summary of
/// the episode it belongs to (the storm is quiet by the expiry's clock). The event is in
/// that summary, or in the next episode, which has a timer: never left for the unload.
#[test]
fn a_suppression_racing_the_expiry_that_ends_its_episode() {
    explore("straggler vs expiry", None, || {
        let storm = Arc::new(one_per_second());
        assert_eq!(storm.admit(Route, Change::Add, 0), Admission::Print(None));
        assert_eq!(
            storm.admit(Route, Change::Add, 1),
            Admission::Suppress { arm_timer: true }
        );
        let callback = {
            let storm = Arc::clone(&storm);
            thread::spawn(move || storm.admit(Route, Change::Delete, 2))
        };
        // The DPC, late: the storm is over by its clock, whatever `last` it reads.
        let expiry = storm.expire(2 * QUIET + 3);
        let Admission::Suppress { arm_timer } = callback.join().unwrap() else {
            panic!("left out");
        };
        assert_eq!(expiry.rearm, None);
        let open = storm.expire(LATER).summaries[2];
        assert!(
            open.is_none() || arm_timer,
            "an episode is open and no timer is set"
        );
        assert_no_straggler(&storm);
        assert_eq!(total(expiry.summaries[2]) + total(open), 2);
        assert!(total(expiry.summaries[2]) >= 1);
    });
}

/// The straggler again, against a line: two events at once, one printed (and taking the
/// summary before it), one left out.
#[test]
fn a_suppression_racing_the_line_that_ends_its_episode() {
    explore("straggler vs line", None, || {
        let storm = Arc::new(one_per_second());
        assert_eq!(storm.admit(Route, Change::Add, 0), Admission::Print(None));
        assert_eq!(
            storm.admit(Route, Change::Add, 1),
            Admission::Suppress { arm_timer: true }
        );
        let callback = {
            let storm = Arc::clone(&storm);
            thread::spawn(move || storm.admit(Route, Change::Delete, QUIET))
        };
        let here = storm.admit(Route, Change::Parameter, QUIET);
        let there = callback.join().unwrap();
        let ((Admission::Print(summary), Admission::Suppress { .. })
        | (Admission::Suppress { .. }, Admission::Print(summary))) = (here, there)
        else {
            panic!("one printed, one left out: {here:?} {there:?}");
        };
        // The timer armed at 1 is still set: it takes what is open.
        let open = storm.expire(LATER).summaries[2];
        assert_no_straggler(&storm);
        assert_eq!(total(summary) + total(open), 2);
        assert!(total(summary) >= 1);
    });
}

/// The unload against an expiry that is running and sets the timer again (the storm goes
/// on): after the second cancel round the timer is not set and no DPC is queued or running,
/// and it stays so.
#[test]
fn stop_timer_outlasts_an_expiry_that_sets_the_timer_again() {
    explore("unload vs expiry", None, || {
        let storm = Arc::new(one_per_second());
        let timer = Arc::new(Timer::default());
        assert_eq!(storm.admit(Route, Change::Add, 0), Admission::Print(None));
        for now in [1, QUIET / 2] {
            let admission = storm.admit(Route, Change::Add, now);
            if admission == (Admission::Suppress { arm_timer: true }) {
                timer.set();
            }
        }
        let expiries = {
            let (storm, timer) = (Arc::clone(&storm), Arc::clone(&timer));
            // The first expiry finds the storm going on and sets the timer again; the second
            // finds it over.
            thread::spawn(move || dpc(&storm, &timer, &[QUIET + 1, 2 * QUIET]))
        };
        timer.stop(&storm);
        assert_eq!(timer.state(), TimerState::default());
        let printed = expiries.join().unwrap();
        assert_eq!(timer.state(), TimerState::default());
        assert_eq!(printed + total(storm.drain(Route, LATER)), 2);
    });
}

/// The DPC on too little stack (docs/netio.md#stack): each time the timer fires it takes
/// nothing and sets the timer again ([`Storm::defer`]) unless the storm is stopped.
fn low_stack_dpc(storm: &Storm, timer: &Timer, expiries: usize) {
    for _ in 0..expiries {
        if !timer.fire() {
            break;
        }
        if storm.defer().is_some() {
            timer.set();
        }
        timer.dpc_returned();
    }
}

/// The unload against expiries that find too little stack and set the timer again each
/// time: after the two cancel rounds the timer is not set and no DPC runs, and the events
/// left out are the unload's summary.
#[test]
fn stop_timer_outlasts_expiries_deferred_for_stack() {
    explore("unload vs deferred expiry", None, || {
        let storm = Arc::new(one_per_second());
        let timer = Arc::new(Timer::default());
        assert_eq!(storm.admit(Route, Change::Add, 0), Admission::Print(None));
        assert_eq!(
            storm.admit(Route, Change::Add, 1),
            Admission::Suppress { arm_timer: true }
        );
        timer.set();
        let expiries = {
            let (storm, timer) = (Arc::clone(&storm), Arc::clone(&timer));
            thread::spawn(move || low_stack_dpc(&storm, &timer, 3))
        };
        timer.stop(&storm);
        assert_eq!(timer.state(), TimerState::default());
        expiries.join().unwrap();
        assert_eq!(timer.state(), TimerState::default());
        assert_eq!(total(storm.drain(Route, LATER)), 1);
    });
}

/// Why two rounds: after one, an expiry that was running when the storm was stopped may
/// have set the timer again.
#[test]
fn one_cancel_round_can_leave_the_timer_set() {
    let set = Tally::default();
    let runs = {
        let counted = set.clone();
        explore("one round", None, move || {
            let storm = Arc::new(one_per_second());
            let timer = Arc::new(Timer::default());
            assert_eq!(storm.admit(Route, Change::Add, 0), Admission::Print(None));
            assert_eq!(
                storm.admit(Route, Change::Add, QUIET / 2),
                Admission::Suppress { arm_timer: true }
            );
            timer.set();
            let expiries = {
                let (storm, timer) = (Arc::clone(&storm), Arc::clone(&timer));
                thread::spawn(move || dpc(&storm, &timer, &[QUIET / 2 + 1]))
            };
            storm.stop();
            timer.cancel_and_flush();
            counted.count(timer.state().set);
            expiries.join().unwrap();
        })
    };
    eprintln!(
        "loom: one round: the timer is set after it in {} of {runs}",
        set.get()
    );
    assert!(set.get() > 0);
}

/// What the unload promises, and why only then: `stop_timer` runs once no callback can run
/// (every NETIO cancel succeeded, and a successful `CancelMibChangeNotify2` waits for the
/// callbacks in progress: here, the join). A callback and an expiry race each other before
/// it; afterwards no timer is set and no DPC runs.
#[test]
fn stop_timer_after_the_last_callback_leaves_no_timer() {
    explore("unload after callbacks", Some(PREEMPTIONS), || {
        let storm = Arc::new(timer_armed_no_episode());
        let timer = Arc::new(Timer::default());
        timer.set();
        let callback = {
            let (storm, timer) = (Arc::clone(&storm), Arc::clone(&timer));
            thread::spawn(move || {
                let admission = storm.admit(Route, Change::Delete, QUIET + 1);
                if admission == (Admission::Suppress { arm_timer: true }) {
                    timer.set();
                }
            })
        };
        let expiries = {
            let (storm, timer) = (Arc::clone(&storm), Arc::clone(&timer));
            thread::spawn(move || dpc(&storm, &timer, &[QUIET + 1, 2 * QUIET + 2]))
        };
        callback.join().unwrap();
        timer.stop(&storm);
        assert_eq!(timer.state(), TimerState::default());
        let printed = expiries.join().unwrap();
        assert_eq!(timer.state(), TimerState::default());
        assert_eq!(printed + total(storm.drain(Route, LATER)), 1);
    });
}

/// And why not earlier: a callback still running while `stop_timer` runs (its registration's
/// cancel failed, so NETIO may still call it) can set the timer after the second round. That
/// is why the unload then keeps the storm and the timer alive instead.
#[test]
fn a_callback_during_stop_timer_can_set_the_timer_after_it() {
    let set = Tally::default();
    let runs = {
        let counted = set.clone();
        explore("callback during unload", None, move || {
            let storm = Arc::new(one_per_second());
            let timer = Arc::new(Timer::default());
            assert_eq!(storm.admit(Route, Change::Add, 0), Admission::Print(None));
            let callback = {
                let (storm, timer) = (Arc::clone(&storm), Arc::clone(&timer));
                thread::spawn(move || {
                    let admission = storm.admit(Route, Change::Delete, 1);
                    if admission == (Admission::Suppress { arm_timer: true }) {
                        timer.set();
                    }
                })
            };
            timer.stop(&storm);
            callback.join().unwrap();
            counted.count(timer.state().set);
        })
    };
    eprintln!(
        "loom: callback during unload: the timer is set after stop_timer in {} of {runs}",
        set.get()
    );
    assert!(set.get() > 0);
}

/// `EX_RUNDOWN_REF` as its Microsoft Learn pages document it (`ExAcquireRundownProtection`,
/// `ExReleaseRundownProtection`, `ExWaitForRundownProtectionRelease`): an acquire fails once a
/// wait has begun; the wait returns once every protection acquired before it is released.
/// Encoded as the kernel does (ReactOS, WRK): the protections times 2, plus 1 once the wait
/// has begun.
#[derive(Default)]
struct RundownRef(loom::sync::atomic::AtomicUsize);

impl RundownRef {
    fn acquire(&self) -> bool {
        use std::sync::atomic::Ordering::{Acquire, Relaxed};
        let mut count = self.0.load(Relaxed);
        loop {
            if count & 1 != 0 {
                return false;
            }
            match self.0.compare_exchange(count, count + 2, Acquire, Relaxed) {
                Ok(_) => return true,
                Err(now) => count = now,
            }
        }
    }

    fn release(&self) {
        self.0.fetch_sub(2, std::sync::atomic::Ordering::Release);
    }

    fn wait(&self) {
        use std::sync::atomic::Ordering::{AcqRel, Acquire};
        self.0.fetch_or(1, AcqRel);
        while self.0.load(Acquire) != 1 {
            thread::yield_now();
        }
    }
}

/// The device extension an enable callback reads; `FREED` once unload dropped it. Loom's
/// `UnsafeCell` also fails the model on a read that races the free.
const FREED: u64 = 0xDEAD;

/// The unload's order against the handle (`lifecycle::unregister_trace`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum UnloadOrder {
    /// Unpublish, wait for the run-down, `EtwUnregister`, free: what the driver does.
    WaitThenUnregister,
    /// Unpublish, `EtwUnregister`, wait, free: the order before, kept to show the model
    /// catches it.
    UnregisterThenWait,
}

/// What the enable callback did.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Outcome {
    /// ETW did not call it: the provider was unregistered.
    NotCalled,
    /// Refused by the run-down protection: touched nothing.
    Refused,
    /// Used the extension, and wrote an event with the handle it loaded.
    Wrote,
    /// Used the extension; the handle was unpublished already, so it wrote nothing.
    Used,
}

/// The handle `EtwRegister` returned, as the session publishes it.
const HANDLE: u64 = 0x6E65_7477;

/// One run of the enable callback against the unload in `order`. The callback
/// (`raw::trace_enable`, then `Fields::write`): acquire, use the extension, load the published
/// handle and, if there is one, write with it (`EtwWriteTransfer`), release; or, refused,
/// return without touching either. It may have been started by ETW before `EtwUnregister` and
/// still be running after it returns: no Microsoft page says `EtwUnregister` waits for it, so
/// the model does not let it. The write asserts that the handle is still registered ("No
/// tracing calls should be made that fall outside of the code bounded by the EtwRegister and
/// EtwUnregister functions", "EtwUnregister function (wdm.h)"); the extension's read that it
/// is not freed.
fn enable_callback_against_unload(order: UnloadOrder) -> Outcome {
    use std::sync::atomic::Ordering::{AcqRel, Acquire, Release};
    let rundown = Arc::new(RundownRef::default());
    let extension = Arc::new(loom::cell::UnsafeCell::new(7_u64));
    // ETW's side: whether the provider is registered (EtwUnregister clears it).
    let registered = Arc::new(loom::sync::atomic::AtomicBool::new(true));
    // The session's published handle (`Session::publish`, `Session::unpublish`).
    let published = Arc::new(loom::sync::atomic::AtomicU64::new(HANDLE));
    let callback = {
        let (rundown, extension, registered, published) = (
            Arc::clone(&rundown),
            Arc::clone(&extension),
            Arc::clone(&registered),
            Arc::clone(&published),
        );
        thread::spawn(move || {
            // ETW calls the callback of a registered provider only; once called, it runs to
            // its end whatever EtwUnregister does meanwhile.
            if !registered.load(Acquire) {
                return Outcome::NotCalled;
            }
            if !rundown.acquire() {
                return Outcome::Refused;
            }
            // SAFETY: loom's cell: it checks this read against the free below.
            let seen = extension.with(|value| unsafe { *value });
            assert_ne!(seen, FREED, "the enable callback used the freed extension");
            let outcome = if published.load(Acquire) == HANDLE {
                // EtwWriteTransfer(handle): ETW must still hold the registration.
                assert!(
                    registered.load(Acquire),
                    "the enable callback wrote with an unregistered handle"
                );
                Outcome::Wrote
            } else {
                Outcome::Used
            };
            rundown.release();
            outcome
        })
    };
    assert_eq!(published.swap(0, AcqRel), HANDLE);
    match order {
        UnloadOrder::WaitThenUnregister => {
            rundown.wait();
            registered.store(false, Release);
        }
        UnloadOrder::UnregisterThenWait => {
            registered.store(false, Release);
            rundown.wait();
        }
    }
    // SAFETY: loom's cell: it fails the model if a callback's read races this write.
    extension.with_mut(|value| unsafe { *value = FREED });
    callback.join().unwrap()
}

/// An enable callback racing the unload (`enable_callback_against_unload`, in the driver's
/// order). In every interleaving the extension is never used once freed and the handle never
/// written once unregistered, and each of the callback's paths (wrote, used without the
/// handle, refused) is explored.
#[test]
fn an_enable_callback_racing_unload_never_uses_the_freed_extension() {
    let wrote = Tally::default();
    let used = Tally::default();
    let refused = Tally::default();
    let runs = {
        let (wrote, used, refused) = (wrote.clone(), used.clone(), refused.clone());
        explore("enable callback during unload", None, move || {
            let outcome = enable_callback_against_unload(UnloadOrder::WaitThenUnregister);
            wrote.count(outcome == Outcome::Wrote);
            used.count(outcome == Outcome::Used);
            refused.count(outcome == Outcome::Refused);
        })
    };
    eprintln!(
        "loom: enable callback during unload: wrote in {}, used the extension without the \
         handle in {}, refused in {} of {runs}",
        wrote.get(),
        used.get(),
        refused.get()
    );
    assert!(wrote.get() > 0 && used.get() > 0 && refused.get() > 0);
}

/// The order before (`EtwUnregister`, then the wait): a callback that loaded the handle before
/// the unpublish writes with it after `EtwUnregister`, and loom finds that interleaving.
#[test]
#[should_panic(expected = "the enable callback wrote with an unregistered handle")]
fn unregistering_before_the_wait_lets_an_enable_callback_write_an_unregistered_handle() {
    explore("enable callback during unload, old order", None, || {
        let _ = enable_callback_against_unload(UnloadOrder::UnregisterThenWait);
    });
}
