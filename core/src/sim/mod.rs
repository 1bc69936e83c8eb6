//! The NETIO simulator and recording WDM host the tests drive the core with (`sim` feature).
//!
//! [`Sim`] implements [`NetIo`](crate::boundary::netio::NetIo), [`Host`](crate::boundary::host::Host) and
//! [`Sink`](crate::boundary::host::Sink) and reproduces the behaviour of
//! docs/netio.md#simulator:
//! - initial notifications delivered inside the register call, on the calling thread, with
//!   `Row == NULL` (twice for `AF_UNSPEC`);
//! - notifications from other threads at any time ([`Sim::deliver`]), also while a register
//!   call is still running ([`Sim::during_registration`]), concurrently with each other;
//! - `CancelMibChangeNotify2` that waits for callbacks in flight and after which the callback
//!   never runs again;
//! - the stable table completing immediately (with a table or none) or pending, then zero, one
//!   or several deliveries ([`Sim::complete_stable`]), NULL tables included;
//! - success with a NULL handle, unexpected non-negative statuses, and a failure injected into
//!   any call ([`Sim::script`], [`Sim::fail_cancel`], [`Sim::fail_query`],
//!   [`Sim::fail_create_device`]);
//! - a network whose objects the `Get*Entry` re-queries read: [`Sim::notify`] updates it with
//!   an object's full state and delivers the row the way NETIO does, keys only
//!   (docs/netio.md#requery); a re-query of an object that is not there returns `STATUS_NOT_FOUND`.
//!
//! Misuse becomes a recorded violation that [`Sim::finish`] turns into a test failure:
//! cancelling a NULL, unknown or already-cancelled handle, cancelling from inside a callback,
//! freeing a table twice or one NETIO never handed out, leaking a table, registering a
//! context that is not the device extension, and deleting the device while a registration
//! could still call into it (the callback would touch freed memory; the simulator records it
//! instead of delivering).
//!
//! This module holds only the parts' declarations and the public API they make up. The parts:
//! `kernel` [`Sim`] itself (its construction, what a test scripts and reads back, the IRQL it
//! runs at, and its end, [`Sim::finish`]), `scenario` the public types tests use with it,
//! `state` the kernel state behind it, `registration` and `delivery` the two halves of the
//! notification protocol, `netio` and `host` the trait implementations, `etw` the ETW double,
//! `network` the objects re-queries read, `checks` the fuzz targets' robustness checks, `stub`
//! a NETIO without bookkeeping.
#![allow(
    unsafe_code,
    reason = "the simulator plays NETIO and the I/O manager: it calls raw callbacks and owns raw memory"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::missing_panics_doc,
    clippy::must_use_candidate,
    clippy::significant_drop_tightening,
    reason = "test-only code: a broken invariant here is a test failure, not a bugcheck"
)]

pub mod checks;
mod delivery;
mod etw;
mod host;
mod kernel;
mod netio;
mod network;
mod registration;
mod scenario;
mod state;
pub mod stub;

pub use etw::decode as decode_etw;
pub use state::Write as EtwWrite;
/// The `--keep-etw` format: one JSON object per ETW call.
pub mod etw_log {
    pub use crate::sim::etw::{
        enable_line, register_line, set_information_line, unregister_line, write_line,
    };
}

pub use kernel::{DEFAULT_STACK, IrqlRule, Sim};
pub use netio::FAILED_TABLE;
pub use scenario::{Call, Delivery, Event, Outcome, RegistryOpen, SERVICE_KEY, StableMode};
