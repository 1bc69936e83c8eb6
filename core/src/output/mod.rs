//! The output: what the driver writes.
//!
//! The fixed-size line ([`line`](mod@line)), every line's
//! text ([`render`]), and the ETW (`TraceLogging`) provider with its events ([`trace`]).
//!
//! Above the model, below the policy: it writes the model's values (their printed form,
//! `Put`, is the model's: `model::printed`) and knows nothing of the decisions that ask for a
//! line. What a line needs of storm control (`Summary`) and of the clock (`TICKS_PER_SECOND`)
//! is the model's and the boundary's `ffi`.

pub mod line;
pub mod render;
pub mod trace;
