//! The output: what the driver writes. The fixed-size line and the `Put` trait values write
//! themselves with ([`line`](mod@line)), every line's text ([`render`]), and the ETW
//! (`TraceLogging`) provider with its events ([`trace`]).

pub mod line;
pub mod render;
pub mod trace;
