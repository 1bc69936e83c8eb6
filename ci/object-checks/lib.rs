//! The no-panic checker's self-test fixture: a root that indexes a slice the optimiser cannot
//! prove in bounds, linked with the same stand-in wdk-panic as the image, so `no_panic.py` must
//! find a path from it to `KeBugCheckEx`, the kernel function wdk-panic's handler calls. A checker
//! that cannot see this panic proves nothing when it finds none in the image.
#![no_std]

extern crate wdk_panic;

/// An unchecked index: its panic path must be reported.
#[unsafe(no_mangle)]
pub extern "C" fn netnotify_self_test_panics(bytes: &[u8; 4], index: usize) -> u8 {
    bytes[index]
}
