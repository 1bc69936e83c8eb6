//! Stand-in for wdk-panic 0.5.0: the real one provides the kernel `#[panic_handler]`.
#![no_std]
