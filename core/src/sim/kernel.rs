//! [`Sim`] itself, the simulated kernel: its construction, what a test scripts and reads back,
//! the IRQL it runs at and the rules each kernel routine's IRQL is checked against, the stack
//! callbacks find, and its end ([`Sim::finish`]).

use core::ptr;
use std::alloc::{self, Layout};
use std::cell::Cell;
use std::format;
use std::string::String;
use std::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::vec::Vec;

use crate::boundary::ffi::{DISPATCH_LEVEL, PASSIVE_LEVEL};
use crate::boundary::host::Level;
use crate::model::notification::Notification;
use crate::model::settings::RawValue;
use crate::model::status::NtStatus;
use crate::policy::extension::Extension;

use super::scenario::{Call, Event, Outcome, RegistryOpen, SERVICE_KEY, StableMode};
use super::state::{
    DECIDED_BY_STORM, DECIDED_KEPT_OUT, DECIDED_PRINTED, External, Inner, Registry, SendPtr, State,
};

std::thread_local! {
    /// The registration whose callback this thread is running, if any.
    pub(super) static IN_CALLBACK: Cell<Option<u64>> = const { Cell::new(None) };
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
    /// Below `DISPATCH_LEVEL` (`FreeMibTable`, `IoCreateDevice`, `IoDeleteDevice`,
    /// `ExInitializeRundownProtection`, `ExWaitForRundownProtectionRelease`).
    BelowDispatch,
    /// At or below `DISPATCH_LEVEL` (`KeSetTimer`, `ObfReferenceObject`,
    /// `ExAcquireRundownProtection` and `ExReleaseRundownProtection` on a non-paged reference).
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

/// The stack every callback and the storm timer's DPC find left at their entry by default.
///
/// 18 KiB: an x64 kernel thread's 24 KiB (`KERNEL_STACK_SIZE`) with 6 KiB used by the
/// callers; [`Sim::set_stack`] changes it. A fixed number, so that every `unloaded` line's
/// `min-stack=` is the same in every run (docs/netio.md#stack).
pub const DEFAULT_STACK: usize = 18 * 1024;

/// What the simulated stack holds while it cannot be measured ([`Sim::set_stack_unknown`]).
pub(super) const UNKNOWN_STACK: usize = usize::MAX;

/// The simulated kernel. Cheap to clone; every clone is the same kernel.
#[derive(Clone)]
pub struct Sim(pub(super) Arc<Inner>);

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
            stack: AtomicUsize::new(DEFAULT_STACK),
            idle: Condvar::new(),
            lines: Mutex::new(Vec::new()),
            events: Mutex::new(Vec::new()),
            clock: AtomicU64::new(0),
            decision: AtomicU8::new(DECIDED_BY_STORM),
            service_key: service_key.encode_utf16().collect(),
        }))
    }

    pub(super) fn state(&self) -> MutexGuard<'_, State> {
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

    /// Makes the next `Get*Table` call of `notification`'s objects (`GetIpInterfaceTable`,
    /// `GetUnicastIpAddressTable`, `GetIpForwardTable2`) fail with `status`, returning no
    /// table.
    pub fn fail_table(&self, notification: Notification, status: NtStatus) {
        self.state().table_failures.insert(notification, status);
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
        self.state().registry.open_failure = Some(status);
    }

    /// Sets the value `name` of the service key's `State` subkey, creating it: where Windows
    /// keeps the driver's persistent state, which is the driver's own and never settings. The
    /// driver must not open it (docs/windows.md, "Settings").
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
                unsafe { crate::boundary::raw::storm_timer_expired::<Self, Self>(context.0) };
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

    /// What storm control decides for the change events delivered from now on: `None`, it
    /// decides as in the driver (from the clock); `Some(printed)`, the decision a driver made,
    /// replayed (a scenario step's `printed`, docs/replay.md): the line is printed, or kept
    /// out and counted for the storm's summary, whatever the clock says.
    pub fn decide(&self, printed: Option<bool>) {
        let decision = match printed {
            None => DECIDED_BY_STORM,
            Some(true) => DECIDED_PRINTED,
            Some(false) => DECIDED_KEPT_OUT,
        };
        self.0.decision.store(decision, Ordering::Relaxed);
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

    /// The stack (bytes) every callback and DPC finds left at its entry from now on
    /// (`IoGetStackLimits` and the address of a local, as the driver measures it).
    pub fn set_stack(&self, bytes: usize) {
        self.0
            .stack
            .store(bytes.min(UNKNOWN_STACK - 1), Ordering::Relaxed);
    }

    /// From now on every callback and DPC finds a stack it cannot measure: the local's address
    /// outside the limits `IoGetStackLimits` gives (a DPC on the processor's DPC stack,
    /// docs/netio.md#stack). [`Sim::set_stack`] ends it.
    pub fn set_stack_unknown(&self) {
        self.0.stack.store(UNKNOWN_STACK, Ordering::Relaxed);
    }

    /// Runs `work` on this thread at `irql`.
    pub(super) fn at_irql<T>(irql: u8, work: impl FnOnce() -> T) -> T {
        let outer = THREAD_IRQL.with(|current| current.replace(Some(irql)));
        let result = work();
        THREAD_IRQL.with(|current| current.set(outer));
        result
    }

    /// Records a call of `function` above the IRQL `rule` allows as misuse.
    pub(super) fn check_irql(&self, state: &mut State, function: &str, rule: IrqlRule) {
        let irql = self.irql();
        if irql > rule.highest() {
            state.violations.push(format!(
                "{function} called at IRQL {irql}, above {} (docs/netio.md#irql)",
                rule.highest()
            ));
        }
    }

    /// As [`Sim::check_irql`], taking the state's lock itself.
    pub(super) fn check_irql_unlocked(&self, function: &str, rule: IrqlRule) {
        if self.irql() > rule.highest() {
            let mut state = self.state();
            self.check_irql(&mut state, function, rule);
        }
    }

    /// `DriverUnload` as the I/O manager runs it: [`crate::policy::lifecycle::driver_unload`] at
    /// `PASSIVE_LEVEL` on this thread, then the image is unmapped unless the driver referenced
    /// its driver object. A registration still live then would call into unmapped code:
    /// recorded as misuse, and never delivered again.
    pub fn unload_driver(&self) {
        Self::at_irql(PASSIVE_LEVEL, || {
            crate::policy::lifecycle::driver_unload(self);
        });
        let mut state = self.state();
        if state.driver_kept {
            return;
        }
        if state.etw.registered() {
            state
                .violations
                .push("image unmapped while the ETW provider is registered".into());
        }
        state.orphan(|_| true, "image unmapped");
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
