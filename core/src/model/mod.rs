//! The model: what the driver knows, as plain data.
//!
//! Rows decoded into typed values
//! ([`decode`]), the one table of every printed field ([`fields`]), the records and what they
//! hold ([`record`], [`names`]), a value's printed form ([`printed`]), the four notifications
//! ([`notification`]), `NTSTATUS` ([`status`]), the settings ([`settings`]) and the event
//! counters ([`counters`]).
//!
//! The lowest layer but the kernel's layouts (`boundary::ffi`, which rows are decoded from):
//! it imports nothing from the output, the policy or the rest of the boundary. The writers
//! of a record (the line, `cargo replay --json`, ETW) are the output's.

pub mod counters;
pub mod decode;
pub mod fields;
pub mod names;
pub mod notification;
pub mod printed;
pub mod record;
pub mod settings;
pub mod status;
