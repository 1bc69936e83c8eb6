//! Stand-in for wdk-alloc 0.4.2: `WdkAllocator`, the same `GlobalAlloc` over
//! `ExAllocatePool2`/`ExFreePool` (non-paged pool, tag `rust`).
//!
//! The driver never allocates (`tests/no_alloc.rs`), so a release image imports neither
//! function: `ci/image/check.py` requires that.
#![no_std]
// As the real crate, only for the driver's (Windows) targets: elsewhere `ULONG` is 64 bits and
// a host test binary has its own panic handler.
#![cfg(windows)]

use core::alloc::{GlobalAlloc, Layout};

use wdk_sys::ntddk::{ExAllocatePool2, ExFreePool};
use wdk_sys::{POOL_FLAG_NON_PAGED, SIZE_T, ULONG};

/// The allocator type the shell names.
pub struct WdkAllocator;

const RUST_TAG: ULONG = u32::from_ne_bytes(*b"rust");

// SAFETY: ExAllocatePool2 returns non-paged memory aligned to at least 16 bytes on 64-bit, or
// NULL; the memory is freed once with ExFreePool. (As in wdk-alloc, alignments above 16 are
// not honoured; the driver allocates nothing.)
unsafe impl GlobalAlloc for WdkAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: callable at IRQL <= DISPATCH_LEVEL with non-paged flags.
        unsafe { ExAllocatePool2(POOL_FLAG_NON_PAGED, layout.size() as SIZE_T, RUST_TAG) }.cast()
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above (GlobalAlloc contract).
        unsafe { ExFreePool(ptr.cast()) }
    }
}
