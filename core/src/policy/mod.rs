//! The policy: every decision the driver makes.
//!
//! `DriverEntry` and `DriverUnload` ([`lifecycle`]), what a callback does with an event
//! ([`events`]), the present state a capture-state request asks for ([`rundown`]), storm
//! control ([`storm`]), and the device extension those decisions share ([`extension`]).

pub mod events;
pub mod extension;
pub mod lifecycle;
pub mod rundown;
pub mod storm;
