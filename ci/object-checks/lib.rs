//! The object checkers' self-test fixtures, linked with the same stand-in wdk-panic as the image
//! and built like it (release, fat LTO), for each target. A checker that cannot see what these
//! plant proves nothing when it finds nothing in the image.
//!
//! - `no_panic.py`: a root that indexes a slice the optimiser cannot prove in bounds, so there
//!   must be a path from it to `KeBugCheckEx`, the kernel function wdk-panic's handler calls.
//! - `stack_budget.py`: a root with a local array of 3,000 bytes calling a leaf with one of
//!   1,500 bytes, so their frames, read from the unwind data, must hold the arrays, and the
//!   deepest stack from the root both.
#![no_std]

use core::hint::black_box;

extern crate wdk_panic;

/// An unchecked index: its panic path must be reported.
#[unsafe(no_mangle)]
pub extern "C" fn netnotify_self_test_panics(bytes: &[u8; 4], index: usize) -> u8 {
    bytes[index]
}

/// A frame of at least 3,000 bytes that calls [`netnotify_self_test_leaf`].
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn netnotify_self_test_frame(seed: u8) -> u8 {
    let mut local = [seed; 3000];
    // The optimiser must keep every byte: the array escapes.
    black_box(&mut local);
    local[2999] ^ netnotify_self_test_leaf(local[0])
}

/// A frame of at least 1,500 bytes.
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn netnotify_self_test_leaf(seed: u8) -> u8 {
    let mut local = [seed; 1500];
    black_box(&mut local);
    local[1499]
}
