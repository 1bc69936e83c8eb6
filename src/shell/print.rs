//! `DebugPrint`'s lines and clock: the core's `Sink` (`DbgPrintEx` with the
//! `DPFLTR_IHVNETWORK_ID` component, and the ETW provider it writes to) and `Clock`
//! (`KeQueryUnbiasedInterruptTime`). Its storm timer is `timer`'s.

use netnotify_core::boundary::host::{Clock, Level, Sink};
use netnotify_core::output::line::Line;
use wdk_sys::_DPFLTR_TYPE::DPFLTR_IHVNETWORK_ID;
use wdk_sys::ntddk::{DbgPrintEx, KeQueryUnbiasedInterruptTime};

use super::kernel::{DebugPrint, Etw};

impl Sink for DebugPrint {
    type Trace = Etw;

    fn trace(&self) -> &Etw {
        &self.etw
    }

    fn emit(&self, level: Level, line: &Line) {
        // SAFETY: a constant "%s" format whose argument is a NUL-terminated ASCII string that
        // outlives the call; DbgPrintEx is callable at IRQL <= DIRQL.
        unsafe {
            DbgPrintEx(
                DPFLTR_IHVNETWORK_ID.cast_unsigned(),
                level.dpfltr_level(),
                c"%s".as_ptr().cast(),
                line.as_c_str_with_newline().as_ptr(),
            );
        }
    }
}

impl Clock for DebugPrint {
    fn now(&self) -> u64 {
        // SAFETY: callable at any IRQL; monotonic, excludes time asleep.
        unsafe { KeQueryUnbiasedInterruptTime() }
    }
}
