//! `DebugPrint`'s storm timer, the core's `StormTimer`: a `KTIMER` and its `KDPC` in the
//! device extension (`KeInitializeTimer`, `KeInitializeDpc`, `KeSetTimer`, `KeCancelTimer`,
//! `KeFlushQueuedDpcs`). The DPC routine itself, `storm_timer_dpc`, is defined in `kernel` for
//! its symbol name (docs/windows.md#symbol-names).

use core::ffi::c_void;

use netnotify_core::boundary::host::StormTimer;
use wdk_sys::LARGE_INTEGER;
use wdk_sys::ntddk::{
    KeCancelTimer, KeFlushQueuedDpcs, KeInitializeDpc, KeInitializeTimer, KeSetTimer,
};

use super::kernel::{DebugPrint, storm_timer_dpc};

impl StormTimer for DebugPrint {
    unsafe fn start_timer(&self, context: *mut c_void) {
        // SAFETY: non-paged storage in the device extension, initialised once, before any
        // use (core contract); PASSIVE_LEVEL.
        unsafe { KeInitializeTimer(self.timer.get().cast()) };
        // SAFETY: as above; the routine takes the context the core gave (its contract).
        unsafe { KeInitializeDpc(self.dpc.get().cast(), Some(storm_timer_dpc), context) };
    }

    fn set_timer(&self, delay: u64) {
        // A negative due time is relative, in 100-ns units.
        let due = LARGE_INTEGER {
            QuadPart: i64::try_from(delay).map_or(i64::MIN, i64::wrapping_neg),
        };
        // SAFETY: both objects were initialised by start_timer; callable at <= DISPATCH_LEVEL.
        // The BOOLEAN says whether the timer was already set: replacing its due time is meant.
        let _ = unsafe { KeSetTimer(self.timer.get().cast(), due, self.dpc.get().cast()) };
    }

    fn stop_timer(&self) {
        // SAFETY: initialised by start_timer; PASSIVE_LEVEL. The BOOLEAN (was it set) does not
        // matter: a DPC already queued is waited for just below.
        let _ = unsafe { KeCancelTimer(self.timer.get().cast()) };
        // SAFETY: PASSIVE_LEVEL; returns when every queued DPC, ours included, has run.
        unsafe { KeFlushQueuedDpcs() };
    }
}
