//! Stand-in for wdk-panic 0.5.0: the same kernel panic handler (a debugger break in debug
//! builds, then `KeBugCheckEx` with code `RPNC` and the panic's location), so the image built
//! here carries the panic path Windows would run.
//!
//! `KeBugCheckEx` is imported only if a panic is reachable: `ci/image/check.py` requires a
//! release image without it, which proves on the linked image that no panic path survived.
#![no_std]
// As the real crate, only for the driver's (Windows) targets: elsewhere `ULONG` is 64 bits and
// a host test binary has its own panic handler.
#![cfg(windows)]

use core::panic::PanicInfo;

#[allow(non_snake_case, reason = "the kernel's export")]
unsafe extern "system" {
    fn KeBugCheckEx(
        BugCheckCode: u32,
        BugCheckParameter1: usize,
        BugCheckParameter2: usize,
        BugCheckParameter3: usize,
        BugCheckParameter4: usize,
    ) -> !;
}

const RUST_PANIC_BUGCHECK_CODE: u32 = u32::from_be_bytes(*b"RPNC");

#[cold]
#[panic_handler]
fn panic(info: &PanicInfo<'_>) -> ! {
    #[cfg(debug_assertions)]
    // SAFETY: a breakpoint instruction, as wdk::dbg_break executes it.
    unsafe {
        #[cfg(target_arch = "x86_64")]
        core::arch::asm!("int 3");
        #[cfg(target_arch = "aarch64")]
        core::arch::asm!("brk #0xF000");
    }
    let (file, length, line, column) = info.location().map_or((0, 0, 0, 0), |location| {
        (
            location.file().as_ptr() as usize,
            location.file().len(),
            location.line() as usize,
            location.column() as usize,
        )
    });
    // SAFETY: KeBugCheckEx takes any values and never returns.
    unsafe { KeBugCheckEx(RUST_PANIC_BUGCHECK_CODE, file, length, line, column) }
}
