//! The boundary: where the core meets the kernel. The `#[repr(C)]` mirrors of NETIO's rows and
//! callback types ([`ffi`]), the NETIO calls as a trait ([`netio`]), what the WDM shell gives
//! besides them ([`host`]), and `raw`, the one module with `unsafe` code: the device extension
//! behind a pointer, the callback trampolines, NETIO's rows and tables.

pub mod ffi;
pub mod host;
pub mod netio;
pub mod raw;
