//! Portable core of the netnotify driver: every decision the driver makes, on any host.
//!
//! Four layers, a folder each under `core/src/`, each importing only the ones below it
//! (`ci/layers.py` checks it, and that no two modules import each other; docs/checks.md#layers):
//!
//! - `model/` (what the driver knows, as plain data): [`decode`](model::decode), [`fields`](model::fields), [`names`](model::names),
//!   [`printed`](model::printed), [`record`](model::record), [`notification`](model::notification), [`status`](model::status), [`settings`](model::settings), [`counters`](model::counters);
//! - `output/` (what is written of it): [`line`](mod@output::line), [`render`](output::render), [`trace`](output::trace);
//! - `policy/` (the decisions): [`lifecycle`](policy::lifecycle), [`events`](policy::events), [`storm`](policy::storm), [`extension`](policy::extension);
//! - `boundary/` (where the core meets the kernel), at three heights: [`ffi`](boundary::ffi), the kernel's
//!   layouts and units, below the model; [`netio`](boundary::netio) and [`host`](boundary::host), the kernel's services as
//!   traits that take finished lines and ETW events, above the output; `raw`, the kernel
//!   calling in (the trampolines dispatch to [`events`](policy::events)), above the callbacks' policy and
//!   below [`lifecycle`](policy::lifecycle), which installs the extension through it. The model and the output
//!   never import `netio`, `host` or `raw`.
//!
//! Paths name the layer, inside the core (`crate::model::settings`) and outside it (the shell,
//! `replay`, the tests: `netnotify_core::model::settings`).
//!
//! The Windows-only shell (the root crate) owns nothing but plumbing: it implements
//! [`host::Host`](boundary::host::Host) and [`netio::NetIo`](boundary::netio::NetIo) with `IoCreateDevice`, `DbgPrintEx` and the NETIO
//! imports, and calls [`lifecycle::driver_entry`](policy::lifecycle::driver_entry) and [`lifecycle::driver_unload`](policy::lifecycle::driver_unload). Everything
//! else lives here, where the tests reach it through the simulator (`sim` feature):
//!
//! - [`lifecycle`](policy::lifecycle): registration order, status rules, rollback, the stable table, unload;
//! - `raw` (private): the only `unsafe` code — extension memory, callback trampolines,
//!   NETIO rows and tables;
//! - [`events`](policy::events), [`decode`](model::decode), [`render`](output::render), [`line`](mod@output::line): what a callback does with a row, without
//!   locks, allocation or panics;
//! - [`ffi`](boundary::ffi): the `#[repr(C)]` mirrors and callback types (the shell declares the imports);
//!   [`counters`](model::counters), [`extension`](policy::extension), [`settings`](model::settings), [`storm`](policy::storm), [`notification`](model::notification), [`status`](model::status): the
//!   state behind them;
//! - [`trace`](output::trace): the ETW (`TraceLogging`) provider, its events and their encoding.
#![no_std]
#![deny(unsafe_code)]
// Code that runs in NETIO callbacks must never panic (a panic is a bugcheck): the lints that
// would let one in are errors outside tests.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented,
        clippy::arithmetic_side_effects
    )
)]

#[cfg(any(test, feature = "sim"))]
extern crate std;

// The layers, one folder each; every module keeps its path at the crate root.
pub mod boundary;
pub mod model;
pub mod output;
pub mod policy;
#[cfg(feature = "sim")]
pub mod sim;

// The two routines the kernel calls through a pointer, for the shell to name.
pub use boundary::raw::{storm_timer_expired, trace_enable};
