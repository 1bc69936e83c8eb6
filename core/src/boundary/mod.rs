//! The boundary: where the core meets the kernel.
//!
//! The `#[repr(C)]` mirrors of NETIO's rows and
//! callback types ([`ffi`]), the NETIO calls as a trait ([`netio`]), what the WDM shell gives
//! besides them ([`host`]), and `raw`, the one module with `unsafe` code: the device extension
//! behind a pointer, the callback trampolines, NETIO's rows and tables.
//!
//! Not one rank but three (the table is `ci/layers.py`'s): `ffi` is below everything, facts
//! of the kernel's ABI that the model decodes; `netio` and `host` are above the output, as the
//! kernel's services take finished lines and ETW events; `raw` is the kernel calling in, so it
//! calls the policy (`policy::events`) and only `policy::lifecycle`, which installs the
//! extension through it, and the simulator import it. The model and the output never import
//! `netio`, `host` or `raw`.

pub mod ffi;
pub mod host;
pub mod netio;
pub(crate) mod raw;
