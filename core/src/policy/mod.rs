//! The policy: every decision the driver makes. `DriverEntry` and `DriverUnload`
//! ([`lifecycle`]), what a callback does with an event ([`events`]), and storm control
//! ([`storm`]).

pub mod events;
pub mod lifecycle;
pub mod storm;
