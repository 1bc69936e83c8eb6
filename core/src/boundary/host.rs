//! The host: what the WDM shell gives the core besides NETIO — the device object whose
//! extension holds the driver's state, the unload routine, and the output sink.

use core::ptr::NonNull;

use crate::boundary::netio::NetIo;
use crate::model::record::Record;
use crate::model::settings::PARAMETER_BUFFER;
use crate::model::status::NtStatus;
use crate::output::line::Line;
use crate::output::trace::Trace;

/// How important a line is; the shell maps it to a `DbgPrintEx` level.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Level {
    /// A failure or a condition the user must act on: visible with the default filter.
    Error,
    /// Something unusual that did not stop the driver.
    Warning,
    /// Events, registration and summary lines.
    Info,
}

impl Level {
    /// The `DPFLTR_*_LEVEL` value for `DbgPrintEx`: errors at `DPFLTR_ERROR_LEVEL` (0, shown
    /// by default), warnings at `DPFLTR_WARNING_LEVEL` (1), everything else at
    /// `DPFLTR_INFO_LEVEL` (3), which the README tells users to enable.
    #[must_use]
    pub const fn dpfltr_level(self) -> u32 {
        match self {
            Self::Error => 0,
            Self::Warning => 1,
            Self::Info => 3,
        }
    }
}

/// The monotonic clock that paces the lines (`KeQueryUnbiasedInterruptTime` in the driver).
pub trait Clock: Sync {
    /// Monotonic time in 100-ns units, for storm control. Any IRQL.
    fn now(&self) -> u64;
}

/// The storm timer: a one-shot kernel timer (`KTIMER`) and its DPC.
///
/// The DPC calls `raw::storm_timer_expired` with the context given to
/// [`StormTimer::start_timer`]. The driver keeps it in the device extension: non-paged, valid
/// for as long as the extension.
#[allow(
    unsafe_code,
    reason = "declares the timer's lifetime contract; the calls happen only in the raw module"
)]
pub trait StormTimer: Sync {
    /// `KeInitializeTimer` and `KeInitializeDpc(routine, context)`: once, on the timer stored
    /// in the extension, before the first registration.
    ///
    /// # Safety
    /// `context` must be the extension holding this timer, and [`StormTimer::stop_timer`] must
    /// have returned before the extension is dropped.
    unsafe fn start_timer(&self, context: *mut core::ffi::c_void);
    /// `KeSetTimer` to expire `delay` ticks from now (a relative due time); setting it again
    /// replaces the due time. Callable at `DISPATCH_LEVEL` and below.
    fn set_timer(&self, delay: u64);
    /// `KeCancelTimer`, then `KeFlushQueuedDpcs`: the timer is not set, and no expiry that
    /// was queued or running still runs. At `PASSIVE_LEVEL`; the core calls it twice
    /// (`raw::Installed::stop_timer` says why).
    fn stop_timer(&self);
}

/// Where finished lines go (`DbgPrintEx` in the driver) and where events go (ETW).
///
/// Events go through [`Sink::trace`]. The driver's sink also holds the [`Clock`] and the
/// [`StormTimer`] that pace its lines, so one value in the extension serves all three.
///
/// Called from NETIO callbacks on any thread, concurrently: it must not block, allocate or
/// panic in the driver.
pub trait Sink: Clock + StormTimer {
    /// The ETW provider's routines.
    type Trace: Trace;
    /// The ETW provider: lives in the extension with the rest of the sink.
    fn trace(&self) -> &Self::Trace;
    /// Emits one line. `line.as_c_str_with_newline()` is what reaches `DbgPrintEx("%s", …)`.
    fn emit(&self, level: Level, line: &Line);

    /// Whether this sink keeps event records ([`Sink::record`]). The callbacks build a record
    /// only when it does, so for the driver's sink the code is not even generated.
    const RECORDS: bool = false;

    /// Keeps the record of an event, printed or not (the simulator, for `cargo replay
    /// --json`). Called only when [`Sink::RECORDS`] is set.
    fn record(&self, _record: &Record) {}

    /// Whether this sink replays storm control's decisions ([`Sink::decision`]). Only then
    /// do the callbacks ask: for the driver's sink the branch folds away, and
    /// [`crate::policy::storm::Storm::decided`], called from nowhere else, is left out of
    /// the image by the linker (no `decided` symbol in `netnotify.o`, `ci/object-checks`).
    const REPLAYS_DECISIONS: bool = false;

    /// The decision a driver made for the event being delivered, replayed: `Some(true)` its
    /// line was printed, `Some(false)` storm control kept it out; `None`, storm control
    /// decides from the clock (the driver, always). The simulator replays a watcher's
    /// scenario this way (docs/replay.md, "printed"): on Windows storm control's clock is
    /// not the events' timestamps, so replay takes the driver's decisions rather than
    /// hoping to make the same ones. Called only when [`Sink::REPLAYS_DECISIONS`] is set.
    fn decision(&self) -> Option<bool> {
        None
    }
}

/// The WDM plumbing the core's lifecycle drives.
///
/// # Safety
/// Implementors guarantee that [`Host::create_device`] returns memory of at least the
/// requested size, writable, not aliased, and valid until [`Host::delete_device`]; and that
/// [`Host::device_extension`] returns that same pointer while the device exists.
#[allow(
    unsafe_code,
    reason = "declares the memory contract the raw module relies on"
)]
pub unsafe trait Host {
    /// The NETIO implementation stored in the extension for the callbacks.
    type NetIo: NetIo;
    /// The output sink stored in the extension for the callbacks.
    type Sink: Sink;

    /// The NETIO implementation.
    fn netio(&self) -> Self::NetIo;
    /// The output sink.
    fn sink(&self) -> Self::Sink;
    /// `IoCreateDevice` of the unnamed device with an extension of `extension_size` bytes;
    /// returns the extension.
    ///
    /// # Errors
    /// The status `IoCreateDevice` failed with.
    fn create_device(&self, extension_size: usize) -> Result<NonNull<u8>, NtStatus>;
    /// The extension of the device created by [`Host::create_device`], if it exists.
    fn device_extension(&self) -> Option<NonNull<u8>>;
    /// `IoDeleteDevice` of that device (frees the extension).
    fn delete_device(&self);
    /// Sets `DriverObject->DriverUnload`: called last, and only when every registration can be
    /// cancelled.
    fn enable_unload(&self);
    /// `ObReferenceObject(DriverObject)`, never released: called by an unload that leaves a
    /// registration alive (its cancel failed), so that the driver object, and with it the
    /// image the registration's callback runs in, outlives the unload
    /// (docs/netio.md#failed-cancel). At or below `DISPATCH_LEVEL`.
    fn keep_driver_object(&self);

    // The registry: at `PASSIVE_LEVEL`, during `DriverEntry` only. Which key to open is the
    // core's decision (`lifecycle`); the shell only forwards.

    /// `IoOpenDriverRegistryKey(kind, KEY_QUERY_VALUE)`, if this kernel has it (Windows 10
    /// 1803 and later; the shell resolves it by name with `MmGetSystemRoutineAddress`, so the
    /// image also loads where it does not exist); `None` if it does not.
    fn open_driver_key(&self, kind: DriverKey) -> Option<Result<Key, NtStatus>>;
    /// The `RegistryPath` `DriverEntry` received: the service's key, as UTF-16 units.
    fn registry_path(&self) -> &[u16];
    /// `ZwOpenKey(KEY_QUERY_VALUE)` of the absolute kernel path `path` (UTF-16 units).
    ///
    /// # Errors
    /// The status `ZwOpenKey` returned (`STATUS_OBJECT_NAME_NOT_FOUND`: no such key).
    fn open_key(&self, path: &[u16]) -> Result<Key, NtStatus>;
    /// `ZwQueryValueKey(KeyValuePartialInformation)` of the value `name` in `key`, into
    /// `buffer`; the status it returned (`STATUS_OBJECT_NAME_NOT_FOUND`: no such value).
    fn query_value(&self, key: Key, name: &str, buffer: &mut [u8; PARAMETER_BUFFER]) -> NtStatus;
    /// `ZwClose` of a key opened above, once.
    fn close_key(&self, key: Key);
}

/// The registry keys the driver reads, as driver package isolation names them.
///
/// Settings come from `Parameters` only. The persistent-state key
/// (`DriverRegKeyPersistentState`) is the driver's own internal state ([DRIVER_REGKEY_TYPE],
/// docs/windows.md), never a place for settings, so it has no variant: the core cannot open
/// it.
///
/// [DRIVER_REGKEY_TYPE]: https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ne-wdm-driver_regkey_type
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DriverKey {
    /// `DriverRegKeyParameters`: the `Parameters` subkey, where the INF writes the defaults
    /// and users change them.
    Parameters,
}

impl DriverKey {
    /// The subkey of the service key that holds it, for kernels without
    /// `IoOpenDriverRegistryKey`.
    #[must_use]
    pub const fn subkey(self) -> &'static str {
        match self {
            Self::Parameters => "Parameters",
        }
    }
}

/// An open registry key: the shell's kernel handle, opaque to the core (a handle is not a
/// pointer the core could follow, so it is kept as its value).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Key(pub usize);
