//! The WDM shell and the core, linked as the driver is (fat LTO, `panic = "abort"`), with a
//! panic handler that calls a symbol nothing defines. `no_panic.py` then proves from the
//! object's relocations that no code reachable from `DriverEntry` (and through it the unload
//! routine and every callback NETIO is handed) can reach that handler.
#![no_std]

#[path = "../../src/shell.rs"]
mod shell;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    unsafe extern "C" {
        fn netnotify_panic_is_reachable() -> !;
    }
    // SAFETY: never executed; the call only marks the handler in the object file.
    unsafe { netnotify_panic_is_reachable() }
}

/// The checker's self-test: an index the optimiser cannot prove in bounds, so its panic
/// path must be reported as reachable from this root.
#[unsafe(no_mangle)]
pub extern "C" fn netnotify_self_test_panics(bytes: &[u8; 4], index: usize) -> u8 {
    bytes[index]
}
