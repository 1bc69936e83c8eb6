//! Stand-in for wdk-alloc 0.4.2: `WdkAllocator`, a `GlobalAlloc` over `ExAllocatePool2`.
#![no_std]

use core::alloc::{GlobalAlloc, Layout};

/// The allocator type the shell names.
pub struct WdkAllocator;

// SAFETY: never allocates (stand-in for type checking only).
unsafe impl GlobalAlloc for WdkAllocator {
    unsafe fn alloc(&self, _layout: Layout) -> *mut u8 {
        core::ptr::null_mut()
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
}
