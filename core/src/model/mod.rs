//! The model: what the driver knows, as plain data. Rows decoded into typed values
//! ([`decode`]), the one table of every printed field ([`fields`]) and the record a visitor
//! walks ([`record`]), the four notifications ([`notification`]), `NTSTATUS` ([`status`]),
//! the settings ([`settings`]) and the event counters ([`counters`]).

pub mod counters;
pub mod decode;
pub mod fields;
pub mod names;
pub mod notification;
pub mod printed;
pub mod record;
pub mod settings;
pub mod status;
