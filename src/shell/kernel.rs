//! What the kernel and the core see of the driver: the types the core is instantiated with
//! (`Wdm`, `Kernel`, `DebugPrint`, `Etw`) and the routines the kernel calls through a pointer
//! (`storm_timer_dpc`, `etw_enable_callback`).
//!
//! A symbol's path is where its item is defined, and users set breakpoints on these
//! (docs/windows.md#symbol-names); defined in this leaf module, which imports nothing of the
//! shell, so that the modules implementing them (`registry`, `print`, `timer`, `etw`, `netio`)
//! and `shell` itself all import it and none imports another back (`ci/import-cycles`).

use core::cell::UnsafeCell;
use core::mem::MaybeUninit;

use wdk_sys::{
    DRIVER_OBJECT, KDPC, KTIMER, LPCGUID, PCUNICODE_STRING, PDEVICE_OBJECT,
    PEVENT_FILTER_DESCRIPTOR, PVOID, UCHAR, ULONG, ULONGLONG,
};

/// The driver object, seen as the core's host.
pub(super) struct Wdm {
    pub(super) driver: *mut DRIVER_OBJECT,
    /// `DriverEntry`'s `RegistryPath`, valid during `DriverEntry`; NULL in the unload routine.
    pub(super) registry_path: PCUNICODE_STRING,
}
impl Wdm {
    /// The driver's one device object (head of its device list), or NULL.
    pub(super) fn device(&self) -> PDEVICE_OBJECT {
        // SAFETY: the I/O manager's DRIVER_OBJECT, valid while the driver is loaded.
        unsafe { (*self.driver).DeviceObject }
    }
}

/// The ETW provider `netnotify`: the `Etw*` calls, with the handle the core gives, and the run-down
/// protection of the enable callback.
///
/// Microsoft's `tracelogging` crate (`kernel_mode`) would do this with `Provider::register` and
/// `write_event!`; the crate's `register` checks its own state with runtime `panic!`s
/// (called twice, or concurrently), which the image's no-panic proof cannot show unreachable.
/// So the shell calls the four routines itself, with the core's GUID, descriptor, traits and
/// events and wdk-sys' `EVENT_DATA_DESCRIPTOR` (the crate is not a dependency at all: see
/// `netnotify_core::output::trace`'s `abi` module); the core registers once, at `PASSIVE_LEVEL`, keeps
/// the handle, and unregisters once (Microsoft Learn: `EtwRegister`, `EtwSetInformation`,
/// `EtwWriteTransfer`, `EtwUnregister`). No state: the handle is the core's, the run-down
/// reference `etw`'s `ETW_RUNDOWN`, the image's.
pub(super) struct Etw;

/// `DbgPrintEx` with the `DPFLTR_IHVNETWORK_ID` component, the clock, and the storm timer:
/// a `KTIMER` and its `KDPC`, which live in the device extension with the rest of the sink
/// (`print` implements the lines and the clock, `timer` the timer).
pub(super) struct DebugPrint {
    pub(super) timer: UnsafeCell<MaybeUninit<KTIMER>>,
    pub(super) dpc: UnsafeCell<MaybeUninit<KDPC>>,
    pub(super) etw: Etw,
}

// SAFETY: the timer and the DPC are only ever touched through the Ke* routines, which
// synchronise on them internally (at any IRQL they allow); Rust code never reads them.
unsafe impl Sync for DebugPrint {}

/// The storm timer's DPC routine (`DISPATCH_LEVEL`): `DeferredContext` is the extension.
pub(super) unsafe extern "C" fn storm_timer_dpc(
    _dpc: *mut KDPC,
    context: PVOID,
    _argument1: PVOID,
    _argument2: PVOID,
) {
    // SAFETY: the context `start_timer` received, which `stop_timer` outlives (core contract).
    unsafe { netnotify_core::storm_timer_expired::<Kernel, DebugPrint>(context) };
}

/// The provider's enable callback (`ETWENABLECALLBACK`, called at `PASSIVE_LEVEL` in a system
/// thread as its page says, docs/netio.md#stack): `CallbackContext` is
/// the extension the core registered.
pub(super) unsafe extern "C" fn etw_enable_callback(
    _source: LPCGUID,
    code: ULONG,
    level: UCHAR,
    any: ULONGLONG,
    all: ULONGLONG,
    _filter: PEVENT_FILTER_DESCRIPTOR,
    context: PVOID,
) {
    // SAFETY: the context `register` received; the core touches it only under the run-down
    // protection of ETW_RUNDOWN, which unload waits for before it frees the extension.
    unsafe {
        netnotify_core::trace_enable::<Kernel, DebugPrint>(&Etw, context, code, level, any, all);
    };
}

/// The NETIO imports, forwarded one to one, the IRQL and the stack limits (`netio`).
pub(super) struct Kernel;
