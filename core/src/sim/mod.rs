//! The NETIO simulator and recording WDM host the tests drive the core with (`sim` feature).
//!
//! [`Sim`] implements [`NetIo`](crate::netio::NetIo), [`Host`](crate::host::Host) and
//! [`Sink`](crate::host::Sink) and reproduces the behaviour of
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

use core::ffi::c_void;
use core::ptr::{self, NonNull};
use std::alloc::{self, Layout};
use std::boxed::Box;
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::format;
use std::string::String;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::vec::Vec;

use crate::extension::Extension;
use crate::ffi::{
    AF_UNSPEC, DISPATCH_LEVEL, Handle, MibIpForwardRow2, MibIpInterfaceRow, MibUnicastIpAddressRow,
    MibUnicastIpAddressTable, PASSIVE_LEVEL, notification_type,
};
use crate::host::{DriverKey, Level};
use crate::notification::Notification;
use crate::settings::RawValue;
use crate::status::NtStatus;

pub mod checks;
mod etw;
mod host;
mod netio;
mod network;
pub mod stub;

pub use etw::{Write as EtwWrite, decode as decode_etw};
/// The `--keep-etw` format: one JSON object per ETW call.
pub mod etw_log {
    pub use super::etw::{
        enable_line, register_line, set_information_line, unregister_line, write_line,
    };
}
use network::{Network, Object, apply, delivered, of_family, sockaddr_family};

/// One call the driver made into the simulated kernel, in order.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Call {
    /// `IoCreateDevice` with this extension size.
    CreateDevice {
        /// `DeviceExtensionSize`.
        extension_size: usize,
    },
    /// A `Notify*` registration call.
    Register {
        /// Which one.
        notification: Notification,
        /// `Family`.
        family: u16,
        /// `InitialNotification` (always false for the stable table, which has none).
        initial: bool,
    },
    /// `CancelMibChangeNotify2` of the registration of `notification` (`None`: not a live
    /// handle).
    Cancel {
        /// The registration the handle belonged to.
        notification: Option<Notification>,
    },
    /// `FreeMibTable`.
    FreeMibTable,
    /// A `Get*Entry` re-query of an object of `notification`'s kind.
    Query(Notification),
    /// `IoDeleteDevice`.
    DeleteDevice,
    /// `DriverObject->DriverUnload` set.
    EnableUnload,
    /// `ObReferenceObject(DriverObject)`: the driver object outlives the unload.
    KeepDriverObject,
}

/// How the driver opened a registry key, in order ([`Sim::registry_opens`]).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum RegistryOpen {
    /// `IoOpenDriverRegistryKey` of this key.
    DriverKey(DriverKey),
    /// `ZwOpenKey` of this path.
    Path(String),
}

/// The `RegistryPath` the simulated I/O manager hands `DriverEntry`.
pub const SERVICE_KEY: &str = "\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Services\\netnotify";

/// A scripted result for the next registration of one notification.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Outcome {
    /// Fail with this status: nothing registered, handle NULL.
    Fail(NtStatus),
    /// Register (callbacks live) but return `STATUS_SUCCESS` with a NULL handle; for the stable
    /// table, return `STATUS_PENDING` with a NULL handle.
    NullHandle,
    /// Register and return this non-negative status with a valid handle.
    Status(NtStatus),
}

/// How `NotifyStableUnicastIpAddressTable` completes.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum StableMode {
    /// `STATUS_SUCCESS` with a table of these rows (`None`: with a NULL table).
    Immediate(Option<Vec<MibUnicastIpAddressRow>>),
    /// This pending status (`STATUS_PENDING` or `ERROR_IO_PENDING`), NULL table, a handle; the
    /// tables come through [`Sim::complete_stable`].
    Pending(NtStatus),
}

/// A change notification to deliver.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Event {
    /// To the interface registrations.
    Interface(Option<MibIpInterfaceRow>, i32),
    /// To the unicast address registrations.
    Address(Option<MibUnicastIpAddressRow>, i32),
    /// To the route registrations.
    Route(Option<MibIpForwardRow2>, i32),
}

/// How [`Sim::notify`] hands the row to the callback.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Delivery {
    /// The key fields only, every other field zero: what NETIO promises (docs/netio.md#requery).
    #[default]
    Keys,
    /// The full row as given.
    Full,
    /// A NULL row.
    Null,
}

impl Event {
    /// The family of the event's row (`None` for a NULL row).
    fn family(&self) -> Option<u16> {
        match self {
            Self::Interface(row, _) => row.map(|row| row.family),
            Self::Address(row, _) => row.map(|row| sockaddr_family(&row.address)),
            Self::Route(row, _) => row.map(|row| sockaddr_family(&row.destination_prefix.prefix)),
        }
    }

    const fn notification(&self) -> Notification {
        match self {
            Self::Interface(..) => Notification::Interface,
            Self::Address(..) => Notification::Address,
            Self::Route(..) => Notification::Route,
        }
    }

    const fn notification_type(&self) -> i32 {
        match self {
            Self::Interface(_, raw) | Self::Address(_, raw) | Self::Route(_, raw) => *raw,
        }
    }
}

#[derive(Clone, Copy)]
enum Callback {
    Interface(unsafe extern "system" fn(*mut c_void, *mut MibIpInterfaceRow, i32)),
    Address(unsafe extern "system" fn(*mut c_void, *mut MibUnicastIpAddressRow, i32)),
    Route(unsafe extern "system" fn(*mut c_void, *mut MibIpForwardRow2, i32)),
    Stable(unsafe extern "system" fn(*mut c_void, *mut MibUnicastIpAddressTable)),
}

struct Registration {
    notification: Notification,
    /// `Family`: `AF_UNSPEC`, or the only family NETIO reports to it.
    family: u16,
    callback: Callback,
    /// The caller context, provenance kept (so Miri checks every access through it).
    context: SendPtr,
    /// The handle given out (0 for a NULL-handle registration).
    handle: usize,
    in_flight: usize,
    cancelling: bool,
    /// The device holding the context was deleted while this registration was live.
    orphaned: bool,
}

/// A raw pointer that crosses threads inside the simulator's state.
#[derive(Clone, Copy)]
struct SendPtr(*mut c_void);

// SAFETY: the pointee is the driver's extension or a table, both usable from any thread (the
// driver's callbacks run on arbitrary threads by contract).
unsafe impl Send for SendPtr {}

struct Device {
    extension: NonNull<u8>,
    layout: Layout,
}

#[derive(Default)]
struct State {
    calls: Vec<Call>,
    /// The ETW double's state (`etw.rs`).
    etw: etw::Etw,
    violations: Vec<String>,
    /// `ObReferenceObject` of the driver object was called: the image stays mapped.
    driver_kept: bool,
    scripts: BTreeMap<Notification, VecDeque<Outcome>>,
    cancel_failures: BTreeMap<Notification, NtStatus>,
    query_failures: BTreeMap<Notification, NtStatus>,
    parameters: BTreeMap<String, RawValue>,
    network: Network,
    create_device_failure: Option<NtStatus>,
    stable_mode: Option<StableMode>,
    during_registration: BTreeMap<Notification, Vec<Event>>,
    registrations: BTreeMap<u64, Registration>,
    next_id: u64,
    cancelled_handles: BTreeSet<usize>,
    /// Tables handed out and not freed: where, how allocated, and the IRQL it was delivered at.
    tables: BTreeMap<usize, (SendPtr, Layout, u8)>,
    freed_tables: BTreeSet<usize>,
    device: Option<Device>,
    unload_enabled: bool,
    delivered: BTreeMap<(Notification, i32), u64>,
    stable_deliveries: u64,
    registry: Registry,
    /// Serving a driver whose device lives elsewhere ([`Sim::serve_external_driver`]).
    external: Option<External>,
    /// Each interface's name and alias, by LUID ([`Sim::name_interface`]).
    names: BTreeMap<u64, (String, String)>,
    timer: Timer,
}

/// The storm timer the driver keeps in its sink: a one-shot kernel timer and its DPC.
#[derive(Default)]
struct Timer {
    /// The DPC's context, once `KeInitializeTimer`/`KeInitializeDpc` ran.
    context: Option<SendPtr>,
    /// When it expires, if set.
    due: Option<u64>,
    /// `KeCancelTimer` + `KeFlushQueuedDpcs` ran.
    stopped: bool,
    /// Every due time it was set to, in order.
    sets: Vec<u64>,
    /// Every time it expired (the DPC ran), in order.
    expiries: Vec<u64>,
}

/// The context of a driver whose device lives elsewhere.
#[derive(Clone, Copy)]
enum External {
    /// No registration yet.
    Unseen,
    /// The context the first registration named.
    Context(usize),
}

/// The simulated registry as the driver sees it.
#[derive(Default)]
struct Registry {
    /// Whether the kernel has `IoOpenDriverRegistryKey` (Windows 10 1803 and later).
    driver_key_routine: bool,
    /// The status the next open of each key fails with.
    open_failures: BTreeMap<&'static str, NtStatus>,
    /// Whether the `State` key exists (a value was set, or `IoOpenDriverRegistryKey` made it).
    state_key: bool,
    /// The values of the `State` key.
    state: BTreeMap<String, RawValue>,
    opens: Vec<RegistryOpen>,
    open_keys: BTreeMap<usize, DriverKey>,
    next_key: usize,
}

// SAFETY: the device memory is owned by the state, and only touched under its mutex or by the
// driver under the Host contract; nothing in it is tied to a thread.
#[allow(clippy::non_send_fields_in_send_ty, reason = "see the SAFETY comment")]
unsafe impl Send for State {}

struct Inner {
    state: Mutex<State>,
    /// The IRQL every thread runs at, unless it runs a DPC ([`DPC_IRQL`]).
    irql: AtomicU8,
    idle: Condvar,
    lines: Mutex<Vec<(Level, String)>>,
    /// Every event record (`Sink::record`), with the number of lines printed before it.
    events: Mutex<Vec<(usize, crate::record::Record)>>,
    /// The monotonic clock the sink reports (100-ns units); moved only by the test.
    clock: AtomicU64,
    /// What `DriverEntry` receives as `RegistryPath`.
    service_key: Box<[u16]>,
}

std::thread_local! {
    /// The registration whose callback this thread is running, if any.
    static IN_CALLBACK: Cell<Option<u64>> = const { Cell::new(None) };
    /// The IRQL of this thread when it is not the one [`Sim::set_irql`] sets: `DISPATCH_LEVEL`
    /// while it runs the storm timer's DPC, `PASSIVE_LEVEL` while it runs `DriverUnload`.
    static THREAD_IRQL: Cell<Option<u8>> = const { Cell::new(None) };
}

/// The highest IRQL a kernel routine may be called at, as its Microsoft Learn page says
/// (docs/netio.md#irql). The simulator records a call above it as misuse.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum IrqlRule {
    /// `PASSIVE_LEVEL` only.
    Passive,
    /// Below `DISPATCH_LEVEL` (`FreeMibTable`, `IoCreateDevice`, `IoDeleteDevice`).
    BelowDispatch,
    /// At or below `DISPATCH_LEVEL`.
    Dispatch,
    /// At or below DIRQL (`DbgPrintEx`): device IRQLs lie below `CLOCK_LEVEL` (13 on x64), so
    /// 12 is the highest accepted; the safe reading of "DIRQL".
    Dirql,
}

impl IrqlRule {
    /// The highest IRQL the rule accepts.
    #[must_use]
    pub const fn highest(self) -> u8 {
        match self {
            Self::Passive => PASSIVE_LEVEL,
            Self::BelowDispatch => DISPATCH_LEVEL - 1,
            Self::Dispatch => DISPATCH_LEVEL,
            Self::Dirql => 12,
        }
    }
}

/// Fake handles are distinct, non-NULL and never dereferenced.
const HANDLE_BASE: usize = 0x5100_0000;

/// The simulated kernel. Cheap to clone; every clone is the same kernel.
#[derive(Clone)]
pub struct Sim(Arc<Inner>);

impl Default for Sim {
    fn default() -> Self {
        Self::new()
    }
}

impl Sim {
    /// A kernel at `PASSIVE_LEVEL` with nothing scripted; the stable table completes
    /// immediately with an empty table.
    #[must_use]
    pub fn new() -> Self {
        Self::with_service_key(SERVICE_KEY)
    }

    /// As [`Sim::new`], with `service_key` as the `RegistryPath` `DriverEntry` receives.
    #[must_use]
    pub fn with_service_key(service_key: &str) -> Self {
        Self(Arc::new(Inner {
            state: Mutex::new(State {
                next_id: 1,
                registry: Registry {
                    driver_key_routine: true,
                    next_key: 0x4B00,
                    ..Registry::default()
                },
                ..State::default()
            }),
            irql: AtomicU8::new(PASSIVE_LEVEL),
            idle: Condvar::new(),
            lines: Mutex::new(Vec::new()),
            events: Mutex::new(Vec::new()),
            clock: AtomicU64::new(0),
            service_key: service_key.encode_utf16().collect(),
        }))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Scripts the next registration of `notification`.
    pub fn script(&self, notification: Notification, outcome: Outcome) {
        self.state()
            .scripts
            .entry(notification)
            .or_default()
            .push_back(outcome);
    }

    /// Makes the cancel of `notification`'s registration return `status`. The registration
    /// stays live, as only a successful cancel stops callbacks (docs/netio.md#failed-cancel):
    /// it keeps receiving notifications, and the driver must keep serving them.
    pub fn fail_cancel(&self, notification: Notification, status: NtStatus) {
        self.state().cancel_failures.insert(notification, status);
    }

    /// Makes the next `Get*Entry` re-query of a `notification` object return `status`.
    pub fn fail_query(&self, notification: Notification, status: NtStatus) {
        self.state().query_failures.insert(notification, status);
    }

    /// Sets the value `name` of the service's `Parameters` key.
    pub fn set_parameter(&self, name: &str, value: RawValue) {
        self.state().parameters.insert(String::from(name), value);
    }

    /// NETIO only, for a driver loaded by another kernel (the Wine harness's NETIO double):
    /// the device and its extension belong to that kernel's I/O manager, so a registration's
    /// context is checked to be the same non-NULL pointer as the first registration's.
    pub fn serve_external_driver(&self) {
        self.state().external = Some(External::Unseen);
    }

    /// A kernel without `IoOpenDriverRegistryKey` (Windows before 10 1803, Wine): the driver
    /// must open `<RegistryPath>\\Parameters` with `ZwOpenKey`.
    pub fn without_driver_registry_key(&self) {
        self.state().registry.driver_key_routine = false;
    }

    /// The next open of the `Parameters` key, by either path, fails with `status`.
    pub fn fail_registry_open(&self, status: NtStatus) {
        self.fail_key_open(DriverKey::Parameters, status);
    }

    /// The next open of `key`, by either path, fails with `status`.
    pub fn fail_key_open(&self, key: DriverKey, status: NtStatus) {
        self.state()
            .registry
            .open_failures
            .insert(key.subkey(), status);
    }

    /// Sets the value `name` of the driver's persistent state (the `State` key, where a
    /// user's overrides go), creating the key.
    pub fn set_state_value(&self, name: &str, value: RawValue) {
        let mut state = self.state();
        state.registry.state_key = true;
        state.registry.state.insert(String::from(name), value);
    }

    /// The registry keys the driver opened, in order.
    #[must_use]
    pub fn registry_opens(&self) -> Vec<RegistryOpen> {
        self.state().registry.opens.clone()
    }

    /// Moves the clock forward by `ticks` (100-ns units). The storm timer expires on the way
    /// if it is due: the clock stops at its due time and its DPC runs (on this thread), as a
    /// kernel timer would, then the clock goes on.
    pub fn advance(&self, ticks: u64) {
        let target = self.0.clock.load(Ordering::Relaxed).saturating_add(ticks);
        loop {
            let expiry = {
                let mut state = self.state();
                match (state.timer.due, state.timer.context) {
                    (Some(due), Some(context)) if due <= target => {
                        state.timer.due = None;
                        state.timer.expiries.push(due);
                        Some((due, context))
                    }
                    _ => None,
                }
            };
            let Some((due, context)) = expiry else {
                break;
            };
            self.0.clock.fetch_max(due, Ordering::Relaxed);
            // A DPC runs at DISPATCH_LEVEL.
            Self::at_irql(DISPATCH_LEVEL, || {
                // SAFETY: the context the driver gave `start_timer`: its extension, which
                // lives until the device is deleted, and `delete_device` requires the timer
                // stopped.
                unsafe { crate::raw::storm_timer_expired::<Self, Self>(context.0) };
            });
        }
        self.0.clock.fetch_max(target, Ordering::Relaxed);
    }

    /// Every due time the storm timer was set to, in order (100-ns units).
    #[must_use]
    pub fn timer_sets(&self) -> Vec<u64> {
        self.state().timer.sets.clone()
    }

    /// Every time the storm timer expired, in order.
    #[must_use]
    pub fn timer_expiries(&self) -> Vec<u64> {
        self.state().timer.expiries.clone()
    }

    /// When the storm timer is due, if it is set.
    #[must_use]
    pub fn timer_due(&self) -> Option<u64> {
        self.state().timer.due
    }

    /// Gives the interface `luid` a name and an alias, which NETIO's
    /// `ConvertInterfaceLuidToNameA`/`ConvertInterfaceLuidToAlias` return. A LUID without
    /// them is one NETIO does not know (`STATUS_INVALID_PARAMETER`).
    pub fn name_interface(&self, luid: u64, name: &str, alias: &str) {
        self.state()
            .names
            .insert(luid, (String::from(name), String::from(alias)));
    }

    /// Makes the next `IoCreateDevice` fail with `status`.
    pub fn fail_create_device(&self, status: NtStatus) {
        self.state().create_device_failure = Some(status);
    }

    /// Sets the IRQL that `DriverEntry` and the callbacks observe (a DPC runs at
    /// `DISPATCH_LEVEL` and [`Sim::unload_driver`] at `PASSIVE_LEVEL` whatever it is).
    pub fn set_irql(&self, irql: u8) {
        self.0.irql.store(irql, Ordering::Relaxed);
    }

    /// The IRQL of the calling thread.
    #[must_use]
    pub fn irql(&self) -> u8 {
        THREAD_IRQL
            .with(Cell::get)
            .unwrap_or_else(|| self.0.irql.load(Ordering::Relaxed))
    }

    /// Runs `work` on this thread at `irql`.
    fn at_irql<T>(irql: u8, work: impl FnOnce() -> T) -> T {
        let outer = THREAD_IRQL.with(|current| current.replace(Some(irql)));
        let result = work();
        THREAD_IRQL.with(|current| current.set(outer));
        result
    }

    /// Records a call of `function` above the IRQL `rule` allows as misuse.
    fn check_irql(&self, state: &mut State, function: &str, rule: IrqlRule) {
        let irql = self.irql();
        if irql > rule.highest() {
            state.violations.push(format!(
                "{function} called at IRQL {irql}, above {} (docs/netio.md#irql)",
                rule.highest()
            ));
        }
    }

    /// As [`Sim::check_irql`], taking the state's lock itself.
    fn check_irql_unlocked(&self, function: &str, rule: IrqlRule) {
        if self.irql() > rule.highest() {
            let mut state = self.state();
            self.check_irql(&mut state, function, rule);
        }
    }

    /// `DriverUnload` as the I/O manager runs it: [`crate::lifecycle::driver_unload`] at
    /// `PASSIVE_LEVEL` on this thread, then the image is unmapped unless the driver referenced
    /// its driver object. A registration still live then would call into unmapped code:
    /// recorded as misuse, and never delivered again.
    pub fn unload_driver(&self) {
        Self::at_irql(PASSIVE_LEVEL, || crate::lifecycle::driver_unload(self));
        let mut state = self.state();
        if state.driver_kept {
            return;
        }
        if state.etw.registered() {
            state
                .violations
                .push("image unmapped while the ETW provider is registered".into());
        }
        let mut live = Vec::new();
        for registration in state.registrations.values_mut() {
            registration.orphaned = true;
            live.push(registration.notification);
        }
        for notification in live {
            state.violations.push(format!(
                "image unmapped while the {} registration is live",
                notification.name()
            ));
        }
    }

    /// Whether the driver took a reference on its driver object ([`Call::KeepDriverObject`]).
    #[must_use]
    pub fn driver_object_kept(&self) -> bool {
        self.state().driver_kept
    }

    /// Sets how the stable-table call completes.
    pub fn stable(&self, mode: StableMode) {
        self.state().stable_mode = Some(mode);
    }

    /// Delivers `events` from another thread while the register call of `notification` is
    /// running: they overlap the initial notifications and end before the call returns.
    pub fn during_registration(&self, notification: Notification, events: Vec<Event>) {
        self.state()
            .during_registration
            .insert(notification, events);
    }

    /// The calls made so far.
    #[must_use]
    pub fn calls(&self) -> Vec<Call> {
        self.state().calls.clone()
    }

    /// The lines printed after the first `from`, in order: what a tool that streams the
    /// output has not seen yet, at the cost of the new lines only.
    #[must_use]
    pub fn lines_since(&self, from: usize) -> Vec<String> {
        let lines = self.0.lines.lock().unwrap_or_else(PoisonError::into_inner);
        lines
            .get(from..)
            .unwrap_or_default()
            .iter()
            .map(|(_, text)| text.clone())
            .collect()
    }

    /// The lines emitted so far.
    #[must_use]
    pub fn lines(&self) -> Vec<String> {
        self.records().into_iter().map(|(_, text)| text).collect()
    }

    /// The lines emitted so far, with their levels.
    #[must_use]
    pub fn records(&self) -> Vec<(Level, String)> {
        self.0
            .lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Misuse recorded so far.
    #[must_use]
    pub fn violations(&self) -> Vec<String> {
        self.state().violations.clone()
    }

    /// Whether the driver set its unload routine.
    #[must_use]
    pub fn unload_enabled(&self) -> bool {
        self.state().unload_enabled
    }

    /// Whether the device object exists.
    #[must_use]
    pub fn device_exists(&self) -> bool {
        self.state().device.is_some()
    }

    /// The notifications with a live (not cancelled) registration, sorted by registration.
    #[must_use]
    pub fn live_registrations(&self) -> Vec<Notification> {
        let state = self.state();
        let mut live: Vec<(u64, Notification)> = state
            .registrations
            .iter()
            .map(|(id, registration)| (*id, registration.notification))
            .collect();
        live.sort_unstable_by_key(|(id, _)| *id);
        live.into_iter()
            .map(|(_, notification)| notification)
            .collect()
    }

    /// Tables handed out and not freed.
    #[must_use]
    pub fn live_tables(&self) -> usize {
        self.state().tables.len()
    }

    /// Tables handed out at or above `DISPATCH_LEVEL` and not freed (`FreeMibTable` is not
    /// allowed there).
    #[must_use]
    pub fn tables_left_above_dispatch(&self) -> usize {
        self.state()
            .tables
            .values()
            .filter(|(_, _, irql)| *irql >= DISPATCH_LEVEL)
            .count()
    }

    /// Callbacks that ran for `notification` with the raw type `notification_type`.
    #[must_use]
    pub fn delivered(&self, notification: Notification, notification_type: i32) -> u64 {
        self.state()
            .delivered
            .get(&(notification, notification_type))
            .copied()
            .unwrap_or(0)
    }

    /// Stable-table callbacks that ran.
    #[must_use]
    pub fn stable_deliveries(&self) -> u64 {
        self.state().stable_deliveries
    }

    /// Delivers `event` to every live registration of its kind, on this thread; returns how
    /// many callbacks ran (0 once the registration is cancelled).
    pub fn deliver(&self, event: Event) -> usize {
        self.deliver_times(event, 1)
    }

    /// Delivers `event` `times` times in a row to every live registration of its kind, each
    /// registration in flight for the whole burst (a cancel waits for it): how a storm of a
    /// million notifications is played without a lock per event. Returns how many
    /// registrations received them.
    pub fn deliver_times(&self, event: Event, times: u64) -> usize {
        let notification = event.notification();
        let raw_type = event.notification_type();
        self.deliver_to(
            notification,
            event.family(),
            |callback, context, _| {
                // Each callback gets a pointer to a row copy that outlives the call (or NULL), and
                // the context it registered, as NETIO does.
                match (callback, event) {
                    (Callback::Interface(function), Event::Interface(mut row, raw)) => {
                        // SAFETY: see above.
                        unsafe { function(context, optional_pointer(&mut row), raw) };
                    }
                    (Callback::Address(function), Event::Address(mut row, raw)) => {
                        // SAFETY: see above.
                        unsafe { function(context, optional_pointer(&mut row), raw) };
                    }
                    (Callback::Route(function), Event::Route(mut row, raw)) => {
                        // SAFETY: see above.
                        unsafe { function(context, optional_pointer(&mut row), raw) };
                    }
                    _ => panic!("callback kind does not match the event"),
                }
            },
            Some(raw_type),
            times,
        )
    }

    /// A change of the network, as NETIO reports it: `event`'s row is the object's full state,
    /// which the simulated network takes (add, parameter) or drops (delete) before the
    /// callbacks receive the row as `delivery` says. Returns how many callbacks ran.
    pub fn notify(&self, event: Event, delivery: Delivery) -> usize {
        let delivered_event = {
            let mut state = self.state();
            let network = &mut state.network;
            match event {
                Event::Interface(Some(row), raw) => {
                    apply(network, &row, raw);
                    Event::Interface(delivered(&row, delivery), raw)
                }
                Event::Address(Some(row), raw) => {
                    apply(network, &row, raw);
                    Event::Address(delivered(&row, delivery), raw)
                }
                Event::Route(Some(row), raw) => {
                    apply(network, &row, raw);
                    Event::Route(delivered(&row, delivery), raw)
                }
                no_row => no_row,
            }
        };
        self.deliver(delivered_event)
    }

    /// `Get*Entry`: the current state of the object `row`'s keys name.
    fn query<R: Object>(&self, row: &mut R, function: &str) -> NtStatus {
        let mut state = self.state();
        state.calls.push(Call::Query(R::NOTIFICATION));
        self.check_irql(&mut state, function, IrqlRule::Passive);
        if let Some(status) = state.query_failures.remove(&R::NOTIFICATION) {
            return status;
        }
        if !row.has_interface() {
            return NtStatus::INVALID_PARAMETER;
        }
        let found = R::table(&mut state.network).get(row);
        found.map_or(NtStatus::NOT_FOUND, |current| {
            *row = current;
            NtStatus::SUCCESS
        })
    }

    /// Completes the pending stable-table request: every live stable registration's callback
    /// receives a new table of `rows` (`None`: a NULL table). Returns how many callbacks ran.
    pub fn complete_stable(&self, rows: Option<&[MibUnicastIpAddressRow]>) -> usize {
        let this = self.clone();
        self.deliver_to(
            Notification::StableTable,
            None,
            move |callback, context, family| {
                let table = rows.map_or(ptr::null_mut(), |rows| {
                    this.allocate_table(&of_family(rows, family))
                });
                let Callback::Stable(function) = callback else {
                    panic!("callback kind does not match the stable table");
                };
                // SAFETY: the table is a fresh allocation the driver now owns, the context is
                // the one it registered.
                unsafe { function(context, table) };
            },
            None,
            1,
        )
    }

    /// Runs `invoke` (callback, context, the registration's family) for every live
    /// registration of `notification` that asked for `family` (`None`: a row without one, a
    /// NULL row or a stable table, goes to every registration).
    fn deliver_to(
        &self,
        notification: Notification,
        family: Option<u16>,
        invoke: impl Fn(Callback, *mut c_void, u16),
        raw_type: Option<i32>,
        times: u64,
    ) -> usize {
        let targets: Vec<(u64, Callback, SendPtr, u16)> = {
            let mut state = self.state();
            let mut targets = Vec::new();
            let mut orphaned = Vec::new();
            for (id, registration) in &mut state.registrations {
                if registration.notification != notification || registration.cancelling {
                    continue;
                }
                // NETIO reports to a registration only the family it asked for.
                if family.is_some_and(|family| {
                    registration.family != AF_UNSPEC && registration.family != family
                }) {
                    continue;
                }
                if registration.orphaned {
                    orphaned.push(*id);
                    continue;
                }
                registration.in_flight += 1;
                targets.push((
                    *id,
                    registration.callback,
                    registration.context,
                    registration.family,
                ));
            }
            for id in orphaned {
                state.violations.push(format!(
                    "a {} notification (registration {id}) would run after its device was \
                     deleted: use after free",
                    notification.name()
                ));
            }
            targets
        };
        for (id, callback, context, registered_family) in &targets {
            let outer = IN_CALLBACK.with(|current| current.replace(Some(*id)));
            for _ in 0..times {
                invoke(*callback, context.0, *registered_family);
            }
            IN_CALLBACK.with(|current| current.set(outer));
            let mut state = self.state();
            if let Some(registration) = state.registrations.get_mut(id) {
                registration.in_flight -= 1;
            }
            match raw_type {
                Some(raw) => *state.delivered.entry((notification, raw)).or_default() += times,
                None => state.stable_deliveries += times,
            }
            drop(state);
            self.0.idle.notify_all();
        }
        targets.len()
    }

    fn allocate_table(&self, rows: &[MibUnicastIpAddressRow]) -> *mut MibUnicastIpAddressTable {
        let header = core::mem::offset_of!(MibUnicastIpAddressTable, table);
        let stride = size_of::<MibUnicastIpAddressRow>();
        let size = (header + size_of_val(rows)).max(size_of::<MibUnicastIpAddressTable>());
        let layout = Layout::from_size_align(size, align_of::<MibUnicastIpAddressTable>())
            .unwrap()
            .align_to(align_of::<MibUnicastIpAddressTable>())
            .unwrap();
        let layout_for_table = Layout::new::<MibUnicastIpAddressTable>();
        assert_eq!(layout.align(), layout_for_table.align());
        // SAFETY: `layout` has a non-zero size.
        let memory = unsafe { alloc::alloc_zeroed(layout) };
        assert!(!memory.is_null(), "out of memory");
        #[allow(
            clippy::cast_ptr_alignment,
            reason = "allocated with the table's alignment"
        )]
        let table = memory.cast::<MibUnicastIpAddressTable>();
        // SAFETY: the allocation holds the header.
        unsafe {
            table
                .cast::<u32>()
                .write(u32::try_from(rows.len()).unwrap());
        };
        for (index, row) in rows.iter().enumerate() {
            let slot = table
                .wrapping_byte_add(header + stride * index)
                .cast::<MibUnicastIpAddressRow>();
            // SAFETY: row `index` lies inside the allocation, which is 8-aligned like the row.
            unsafe { slot.write(*row) };
        }
        let irql = self.irql();
        self.state()
            .tables
            .insert(table.addr(), (SendPtr(table.cast()), layout, irql));
        table
    }

    fn next_outcome(state: &mut State, notification: Notification) -> Option<Outcome> {
        state
            .scripts
            .get_mut(&notification)
            .and_then(VecDeque::pop_front)
    }

    fn check_context(state: &mut State, notification: Notification, context: *mut c_void) {
        if let Some(adopted) = &mut state.external {
            let same = match *adopted {
                External::Unseen if !context.is_null() => {
                    *adopted = External::Context(context.addr());
                    true
                }
                External::Unseen => false,
                External::Context(first) => first == context.addr(),
            };
            if !same {
                state.violations.push(format!(
                    "{} registered with context {context:p}, not the device extension the \
                     first registration named",
                    notification.function()
                ));
            }
            return;
        }
        let inside = state
            .device
            .as_ref()
            .is_some_and(|device| device.extension.as_ptr().cast::<c_void>() == context);
        if !inside {
            state.violations.push(format!(
                "{} registered with a context that is not the device extension",
                notification.function()
            ));
        }
    }

    /// The common part of the three change registrations.
    ///
    /// # Safety
    /// As the `NetIo` methods: `context` must stay valid for the callback.
    unsafe fn register_change(
        &self,
        notification: Notification,
        family: u16,
        callback: Option<Callback>,
        context: *mut c_void,
        initial_notification: u8,
        handle: &mut Handle,
    ) -> NtStatus {
        *handle = ptr::null_mut();
        let (id, status, concurrent) = {
            let mut state = self.state();
            state.calls.push(Call::Register {
                notification,
                family,
                initial: initial_notification != 0,
            });
            self.check_irql(&mut state, notification.function(), IrqlRule::Passive);
            let Some(callback) = callback else {
                state.violations.push(format!(
                    "{} called with a NULL callback",
                    notification.function()
                ));
                return NtStatus::INVALID_PARAMETER;
            };
            Self::check_context(&mut state, notification, context);
            let (status, null_handle) = match Self::next_outcome(&mut state, notification) {
                Some(Outcome::Fail(status)) => return status,
                Some(Outcome::NullHandle) => (NtStatus::SUCCESS, true),
                Some(Outcome::Status(status)) => (status, false),
                None => (NtStatus::SUCCESS, false),
            };
            let id = Self::insert(
                &mut state,
                notification,
                family,
                callback,
                context,
                null_handle,
            );
            let concurrent = state
                .during_registration
                .remove(&notification)
                .unwrap_or_default();
            (id, status, concurrent)
        };
        let initial_count = match (initial_notification, family) {
            (0, _) => 0,
            (_, AF_UNSPEC) => 2,
            _ => 1,
        };
        std::thread::scope(|scope| {
            let this = self.clone();
            if !concurrent.is_empty() {
                scope.spawn(move || {
                    for event in concurrent {
                        this.deliver(event);
                    }
                });
            }
            for _ in 0..initial_count {
                let initial = match notification {
                    Notification::Interface => Event::Interface(None, notification_type::INITIAL),
                    Notification::Address => Event::Address(None, notification_type::INITIAL),
                    _ => Event::Route(None, notification_type::INITIAL),
                };
                self.deliver(initial);
            }
        });
        let state = self.state();
        if let Some(registration) = state.registrations.get(&id) {
            *handle = ptr::without_provenance_mut(registration.handle);
        }
        status
    }

    fn insert(
        state: &mut State,
        notification: Notification,
        family: u16,
        callback: Callback,
        context: *mut c_void,
        null_handle: bool,
    ) -> u64 {
        let id = state.next_id;
        state.next_id += 1;
        let handle = if null_handle {
            0
        } else {
            HANDLE_BASE + usize::try_from(id).unwrap() * 0x10
        };
        state.registrations.insert(
            id,
            Registration {
                notification,
                family,
                callback,
                context: SendPtr(context),
                handle,
                in_flight: 0,
                cancelling: false,
                orphaned: false,
            },
        );
        id
    }

    /// Ends the simulated system: drops a device the driver left behind (a driver that could
    /// not unload), frees what is left, and fails the test on any violation or leaked table.
    ///
    /// # Panics
    /// On recorded violations or tables never freed.
    pub fn finish(self) {
        let violations = self.close();
        assert!(violations.is_empty(), "NETIO misuse: {violations:#?}");
    }

    /// As [`Sim::finish`], but returns the violations instead of failing: for tools such as
    /// `cargo replay`, which report them and must not panic.
    #[must_use]
    pub fn close(self) -> Vec<String> {
        self.shutdown();
        self.state().violations.clone()
    }

    fn shutdown(&self) {
        let mut state = self.state();
        state.registrations.clear();
        let open_keys = state.registry.open_keys.len();
        if open_keys != 0 {
            state
                .violations
                .push(format!("{open_keys} registry key(s) never closed"));
        }
        let leaked: Vec<(usize, (SendPtr, Layout, u8))> =
            core::mem::take(&mut state.tables).into_iter().collect();
        for (address, (table, layout, irql)) in &leaked {
            // Delivered where FreeMibTable is not allowed: the driver's documented choice is
            // to leak it and say so (docs/netio.md#stable-above-passive); not misuse.
            if *irql < DISPATCH_LEVEL {
                state
                    .violations
                    .push(format!("table {address:#x} was never freed"));
            }
            // SAFETY: allocated by `allocate_table` with this layout, not freed.
            unsafe { alloc::dealloc(table.0.cast(), *layout) };
        }
        let device = state.device.take();
        drop(state);
        if let Some(device) = device {
            let extension = device.extension.cast::<Extension<Self, Self>>();
            // SAFETY: a device left at shutdown belongs to a driver that stayed loaded after a
            // successful DriverEntry, so its extension is initialised; nothing calls into it
            // any more (registrations were cleared above).
            unsafe { ptr::drop_in_place(extension.as_ptr()) };
            // SAFETY: allocated by `create_device` with this layout.
            unsafe { alloc::dealloc(device.extension.as_ptr(), device.layout) };
        }
    }
}

/// A pointer to the row, or NULL.
fn optional_pointer<T>(row: &mut Option<T>) -> *mut T {
    row.as_mut().map_or(ptr::null_mut(), ptr::from_mut)
}
