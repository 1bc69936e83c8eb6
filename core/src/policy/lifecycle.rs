//! `DriverEntry` and `DriverUnload`, as decisions: registration order, what every status
//! means, rollback, the stable table's outcomes, cancel order and teardown.
//!
//! The shell's `DriverEntry` is `driver_entry(&host)` and its unload routine is
//! `driver_unload(&host)`; the tests call the same two functions with the simulator as host.

use crate::boundary::host::Clock;
use crate::boundary::netio::Irql;
use core::mem::size_of;

use crate::boundary::ffi::{Handle, PASSIVE_LEVEL};
use crate::boundary::host::{DriverKey, Host, Key, Sink};
use crate::boundary::netio::NetIo;
use crate::boundary::raw::Installed;

use crate::model::notification::{Notification, NotificationSet};
use crate::model::record::{
    ErrorMessage, Loaded as RecordLoaded, Record, StableState, Totals, WarningMessage,
};
use crate::model::settings::{self, PARAMETER_BUFFER, RawValue, Settings};
use crate::model::status::NtStatus;
use crate::output::trace::{self, Trace as _};
use crate::policy::events;
use crate::policy::extension::{Extension, Numbers};

/// What a `Notify*Change` call's status and handle mean (docs/netio.md#registration).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ChangeOutcome {
    /// Registered; cancel the handle at unload. `status` is `STATUS_SUCCESS` or, unexpectedly,
    /// another non-negative value.
    Registered {
        /// The returned status.
        status: NtStatus,
        /// The handle to cancel.
        handle: Handle,
    },
    /// Success without a handle: callbacks may be live and can never be cancelled, so the
    /// driver must stay loaded.
    Uncancellable(NtStatus),
    /// Failed; nothing registered.
    Failed(NtStatus),
}

impl ChangeOutcome {
    /// Classifies a `Notify*Change` result.
    #[must_use]
    pub const fn classify(status: NtStatus, handle: Handle) -> Self {
        if status.is_error() {
            Self::Failed(status)
        } else if handle.is_null() {
            Self::Uncancellable(status)
        } else {
            Self::Registered { status, handle }
        }
    }
}

/// What a `NotifyStableUnicastIpAddressTable` result means (docs/netio.md#stable-table).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum StableOutcome {
    /// `STATUS_SUCCESS` without a handle: the table (if any) is ours; nothing to cancel.
    Immediate,
    /// A handle came back: cancel it at unload. `status` is normally `STATUS_PENDING` or
    /// `ERROR_IO_PENDING`.
    Pending {
        /// The returned status.
        status: NtStatus,
        /// The handle to cancel.
        handle: Handle,
    },
    /// A non-negative status other than `STATUS_SUCCESS` with no handle: the request may be
    /// pending with no way to cancel it. It looks like a failure, but failing would
    /// unload the image under a callback that may still come, so the safe choice is to treat
    /// it like a change registration that succeeded without a handle and stay loaded.
    Uncancellable(NtStatus),
    /// Failed; nothing to free, nothing to cancel.
    Failed(NtStatus),
}

impl StableOutcome {
    /// Classifies a `NotifyStableUnicastIpAddressTable` result. A table, if one came back
    /// with a non-failure status, is printed and freed whatever the outcome.
    #[must_use]
    pub const fn classify(status: NtStatus, handle: Handle) -> Self {
        if status.is_error() {
            Self::Failed(status)
        } else if !handle.is_null() {
            Self::Pending { status, handle }
        } else if status.0 == NtStatus::SUCCESS.0 {
            Self::Immediate
        } else {
            Self::Uncancellable(status)
        }
    }
}

/// How `DriverEntry` ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Loaded {
    /// Everything registered can be cancelled: the unload routine is set.
    Unloadable,
    /// A registration cannot be cancelled: the driver stays loaded for good.
    Pinned,
    /// A registration failed and everything was rolled back.
    Failed(NtStatus),
}

/// `DriverEntry`: creates the device, initialises its extension, registers the notifications
/// the settings select, and returns the status `DriverEntry` returns.
pub fn driver_entry<H: Host>(host: &H) -> NtStatus {
    // The records before the extension exists are numbered here; the extension takes the
    // numbers over.
    let numbers = Numbers::default();
    let irql = host.netio().current_irql();
    if irql != PASSIVE_LEVEL {
        events::emit_record(
            &host.sink(),
            &numbers,
            &Record::Error(ErrorMessage::IrqlRefused(irql)),
        );
        return NtStatus::INVALID_DEVICE_STATE;
    }
    let (settings, settings_seq) = read_settings(host, &numbers);
    let storage = match host.create_device(size_of::<Extension<H::NetIo, H::Sink>>()) {
        Ok(storage) => storage,
        Err(status) => {
            events::emit_record(
                &host.sink(),
                &numbers,
                &Record::Error(ErrorMessage::CreateDeviceFailed(status)),
            );
            return status;
        }
    };
    let mut extension = Extension::new(host.netio(), host.sink(), settings);
    extension.numbers = numbers;
    let Some(installed) = Installed::init(storage, extension) else {
        // The extension is not installed: its numbers are gone, and this is the last record.
        events::emit_record(
            &host.sink(),
            &Numbers::default(),
            &Record::Error(ErrorMessage::Misaligned),
        );
        host.delete_device();
        return NtStatus::DATATYPE_MISALIGNMENT_ERROR;
    };
    installed.start_timer();
    let etw = register_trace(&installed, settings_seq);
    match register_all(&installed, etw) {
        Loaded::Unloadable => {
            installed.get().allow_unload();
            host.enable_unload();
            NtStatus::SUCCESS
        }
        // The extension stays initialised in the device for as long as the image is loaded.
        Loaded::Pinned => NtStatus::SUCCESS,
        Loaded::Failed(status) => {
            installed.stop_timer();
            // After the last cancel (the rollback) and the timer's flush: no event can follow.
            if etw {
                unregister_trace(&installed);
            }
            installed.drop_in_place();
            host.delete_device();
            status
        }
    }
}

/// `DriverUnload`: cancels, prints the counters, drops the extension, deletes the device.
///
/// Every stored handle is cancelled in reverse registration order with no lock held; the
/// extension is dropped and the device deleted strictly after the last cancel returned.
///
/// A cancel that fails leaves its registration alive (docs/netio.md#failed-cancel): its
/// callback may still run, into the extension and this image. Then nothing is freed: the
/// extension, its storm timer and the device stay, the driver object is referenced for good
/// ([`Host::keep_driver_object`]), and the `unloaded` line names what is kept.
///
/// Called although a registration cannot be cancelled (the shell sets no unload routine then),
/// it cancels nothing and keeps every live registration the same way.
pub fn driver_unload<H: Host>(host: &H) {
    let Some(installed) = Installed::from_host(host) else {
        return;
    };
    let extension = installed.get();
    if !extension.unload_allowed() {
        // The shell never sets the unload routine then. Were it called anyway, returning is
        // no refusal (DRIVER_UNLOAD returns nothing; the image is unmapped after it): keep
        // what a live registration may call into, as a failed cancel does.
        events::report(extension, &Record::Error(ErrorMessage::UnloadRefused));
        host.keep_driver_object();
        emit_unloaded(extension, extension.live());
        return;
    }
    let Cancelled { kept, .. } = cancel_all(&installed);
    if kept != NotificationSet::EMPTY {
        // A kept registration may still call: the storm timer stays alive with the rest of
        // the extension, and its summaries still come on time.
        host.keep_driver_object();
        emit_unloaded(extension, kept);
        return;
    }
    // No callback can set the storm timer now; after this no expiry runs either.
    installed.stop_timer();
    // What storm control left out and has not reported yet.
    let now = extension.sink.now();
    for notification in Notification::ALL {
        if let Some(summary) = extension.storm.drain(notification, now) {
            events::emit_summary(extension, notification, &summary);
        }
    }
    emit_unloaded(extension, kept);
    // The last event is written: no event can follow the unregister.
    if extension.session.registered() {
        unregister_trace(&installed);
    }
    installed.drop_in_place();
    host.delete_device();
}

/// The `unloaded` line and event: the counters, then what stays alive (`kept=`), the stable
/// tables that could not be freed (`leaked-tables=`) and the ETW events that did not fit
/// (`etw-dropped=`), each only when there are any (the event has `etw-dropped` always).
fn emit_unloaded<N, S: Sink>(extension: &Extension<N, S>, kept: NotificationSet) {
    // Read once: the line and the event say the same (this event, if it is dropped, is not
    // in it).
    let totals = Totals::of(extension.counters(), kept, extension.session.dropped());
    let seq = events::emit_record(
        &extension.sink,
        &extension.numbers,
        &Record::Unloaded(totals),
    );
    if extension
        .session
        .enabled(trace::Level::Informational, trace::keyword::LIFECYCLE)
    {
        trace::counters_event(true, &totals, seq).write(extension.sink.trace(), &extension.session);
    }
}

/// Registers the ETW provider (`PASSIVE_LEVEL`, before the first NETIO registration, so that
/// every event can be written) and writes the settings event. A failed registration costs
/// only the events: one warning line, and the driver loads without ETW. Returns whether the
/// provider is registered.
///
/// The order (docs/netio.md#etw): the enable callback's run-down protection is initialised
/// before `EtwRegister`, whose callback may run inside it; the handle `EtwRegister` returns
/// stays here until ETW reads the data descriptors' types (the traits, or failing them
/// `EventProviderUseDescriptorType`), and only then is it published for the writers. An
/// event a callback writes before that is not written rather than logged undecodable.
fn register_trace<N: NetIo, S: Sink>(installed: &Installed<N, S>, settings_seq: u64) -> bool {
    let extension = installed.get();
    let trace = extension.sink.trace();
    trace.rundown_init();
    // Set first: the enable callback may run inside EtwRegister.
    extension.session.set_registered(true);
    let handle = match installed.register_trace() {
        Ok(handle) => handle,
        Err(status) => {
            extension.session.set_registered(false);
            events::emit_record(
                &extension.sink,
                &extension.numbers,
                &Record::Warning(WarningMessage::EtwRegisterFailed(status)),
            );
            return false;
        }
    };
    let traits = trace.set_information(handle, trace::ProviderInformation::Traits);
    if traits.is_error() {
        let types = trace.set_information(handle, trace::ProviderInformation::UseDescriptorType);
        if types.is_error() {
            // Events whose types ETW ignores cannot be decoded: none rather than garbage.
            extension.session.set_registered(false);
            // As unregister_trace: no callback may still be running when the handle goes.
            trace.rundown_wait();
            trace.unregister(handle);
            events::emit_record(
                &extension.sink,
                &extension.numbers,
                &Record::Warning(WarningMessage::EtwSetInformationFailed {
                    traits,
                    descriptor_type: types,
                }),
            );
            return false;
        }
        events::emit_record(
            &extension.sink,
            &extension.numbers,
            &Record::Warning(WarningMessage::EtwSetTraitsFailed(traits)),
        );
    }
    extension.session.publish(handle);
    if extension
        .session
        .enabled(trace::Level::Informational, trace::keyword::LIFECYCLE)
    {
        // The `settings` record's: printed before the extension existed.
        trace::settings_event(&extension.settings, settings_seq)
            .write(extension.sink.trace(), &extension.session);
    }
    true
}

/// Waits for the enable callbacks that hold the run-down protection, then unregisters the ETW
/// provider: after it, no event is written and no enable callback uses the extension.
///
/// The order (docs/netio.md#etw): unpublish, wait, `EtwUnregister`. A callback that acquired
/// the protection and loaded the handle before the unpublish may still write with it, so the
/// handle stays registered until the wait returns ("`EtwUnregister` function (wdm.h)": no
/// tracing call outside `EtwRegister`..`EtwUnregister`). A callback that comes after the wait
/// has begun is refused and touches neither the extension nor the handle.
fn unregister_trace<N: NetIo, S: Sink>(installed: &Installed<N, S>) {
    let extension = installed.get();
    extension.session.set_registered(false);
    let handle = extension.session.unpublish();
    let trace = extension.sink.trace();
    trace.rundown_wait();
    trace.unregister(handle);
}

/// Reads the settings from `Parameters` (a warning line for each bad value) and prints the
/// effective settings in one line. A key that does not exist
/// (`STATUS_OBJECT_NAME_NOT_FOUND`) has no values; one that cannot be opened otherwise makes
/// each value read as unreadable (a warning per value, naming the status). The
/// persistent-state key is the driver's own state, not settings: it is never opened
/// (docs/windows.md, "Settings").
///
/// Returns the settings and their record's `seq`.
fn read_settings<H: Host>(host: &H, numbers: &Numbers) -> (Settings, u64) {
    let sink = host.sink();
    let parameters = open_driver_key(host, DriverKey::Parameters);
    let settings = Settings::read_records(
        |name| {
            let mut buffer = [0; PARAMETER_BUFFER];
            let status = match parameters {
                Ok(key) => host.query_value(key, name, &mut buffer),
                Err(status) => status,
            };
            RawValue::decode(status, &buffer)
        },
        |record| {
            events::emit_record(&sink, numbers, record);
        },
    );
    if let Ok(key) = parameters {
        host.close_key(key);
    }
    let seq = events::emit_record(&sink, numbers, &Record::Settings(settings));
    (settings, seq)
}

/// One of the driver's keys: `IoOpenDriverRegistryKey` where the kernel has it, else
/// `ZwOpenKey` of `<RegistryPath>\<subkey>`, where Windows keeps the same key (and Wine,
/// which lacks `IoOpenDriverRegistryKey`, the registry the harness writes).
fn open_driver_key<H: Host>(host: &H, kind: DriverKey) -> Result<Key, NtStatus> {
    if let Some(opened) = host.open_driver_key(kind) {
        return opened;
    }
    let mut path = [0; settings::KEY_PATH_CAPACITY];
    let length = settings::key_path(host.registry_path(), kind.subkey(), &mut path)
        .ok_or(NtStatus::NAME_TOO_LONG)?;
    host.open_key(path.get(..length).unwrap_or_default())
}

/// What [`cancel_all`] did.
#[derive(Clone, Copy)]
struct Cancelled {
    /// Cancelled: no callback of these runs any more.
    cancelled: NotificationSet,
    /// Their cancel failed: these registrations may still call (docs/netio.md#failed-cancel).
    kept: NotificationSet,
}

/// Takes every stored handle in reverse registration order and cancels it once. A failed
/// cancel is printed and the others still run; its registration is kept, never cancelled
/// again (a second cancel of the handle is not documented either).
fn cancel_all<N: NetIo, S: Sink>(installed: &Installed<N, S>) -> Cancelled {
    let extension = installed.get();
    let mut done = Cancelled {
        cancelled: NotificationSet::EMPTY,
        kept: NotificationSet::EMPTY,
    };
    for notification in Notification::ALL.into_iter().rev() {
        let handle = extension.take_handle(notification);
        if handle.is_null() {
            continue;
        }
        let status = installed.cancel(handle);
        if status.is_error() {
            events::report(
                extension,
                &Record::Error(ErrorMessage::CancelFailed(notification, status)),
            );
            done.kept = done.kept.with(notification);
        } else {
            extension.record_cancelled(notification);
            done.cancelled = done.cancelled.with(notification);
        }
    }
    done
}

/// Registers the selected notifications in order; on a failure rolls back what was registered
/// (unless an uncancellable registration already pins the driver).
#[allow(
    clippy::too_many_lines,
    reason = "one pass over the notifications and the one loaded line that sums it up"
)]
fn register_all<N: NetIo, S: Sink>(installed: &Installed<N, S>, etw: bool) -> Loaded {
    let extension = installed.get();
    let settings = extension.settings;
    let mut registered = NotificationSet::EMPTY;
    let mut pinned = false;
    let mut stable = StableState::Off;
    for notification in Notification::ALL {
        if !settings.notifications.contains(notification) {
            continue;
        }
        let failure = if notification == Notification::StableTable {
            match register_stable_table(installed) {
                Ok(state) => {
                    if matches!(state, StableState::Uncancellable) {
                        pinned = true;
                    }
                    stable = state;
                    None
                }
                Err(status) => Some(status),
            }
        } else {
            match register_change(installed, notification) {
                Ok(cancellable) => {
                    pinned |= !cancellable;
                    None
                }
                Err(status) => Some(status),
            }
        };
        match failure {
            None => registered = registered.with(notification),
            Some(status) if pinned => events::report(
                extension,
                &Record::Error(ErrorMessage::FailedPinned(notification, status)),
            ),
            Some(status) => {
                let Cancelled { cancelled, kept } = cancel_all(installed);
                if kept != NotificationSet::EMPTY {
                    // Failing DriverEntry would unload the image under the kept callback:
                    // stay loaded, without an unload routine (docs/netio.md#failed-cancel).
                    events::report(
                        extension,
                        &Record::Error(ErrorMessage::FailedKept {
                            notification,
                            status,
                            cancelled,
                            kept,
                        }),
                    );
                    return Loaded::Pinned;
                }
                events::report(
                    extension,
                    &Record::Error(ErrorMessage::FailedRolledBack {
                        notification,
                        status,
                        cancelled,
                    }),
                );
                return Loaded::Failed(status);
            }
        }
    }
    let loaded = RecordLoaded {
        registered,
        family: settings.family,
        initial: settings.initial_notification,
        stable,
        pinned,
        etw,
    };
    let seq = events::emit_record(&extension.sink, &extension.numbers, &Record::Loaded(loaded));
    if extension
        .session
        .enabled(trace::Level::Informational, trace::keyword::LIFECYCLE)
    {
        trace::loaded_event(&loaded, seq).write(extension.sink.trace(), &extension.session);
    }
    if pinned {
        Loaded::Pinned
    } else {
        Loaded::Unloadable
    }
}

/// Registers one change notification. `Ok(true)`: registered with a handle to cancel;
/// `Ok(false)`: registered without one (uncancellable); `Err`: failed, nothing registered.
fn register_change<N: NetIo, S: Sink>(
    installed: &Installed<N, S>,
    notification: Notification,
) -> Result<bool, NtStatus> {
    let extension = installed.get();
    let (status, handle) = installed.register_change(notification);
    match ChangeOutcome::classify(status, handle) {
        ChangeOutcome::Registered { status, handle } => {
            if status != NtStatus::SUCCESS {
                warn_unexpected(extension, notification, status);
            }
            extension.store_handle(notification, handle);
            extension.record_live(notification);
            Ok(true)
        }
        ChangeOutcome::Uncancellable(status) => {
            extension.record_live(notification);
            report_uncancellable(extension, notification, status);
            Ok(false)
        }
        ChangeOutcome::Failed(status) => Err(status),
    }
}

fn register_stable_table<N: NetIo, S: Sink>(
    installed: &Installed<N, S>,
) -> Result<StableState, NtStatus> {
    let extension = installed.get();
    let (status, table, handle) = installed.register_stable_table();
    let outcome = StableOutcome::classify(status, handle);
    let table_entries = match table {
        // On failure the table is not ours (and should be NULL): never free what we may not
        // own; a leak is safer than a double free.
        Some(_) if matches!(outcome, StableOutcome::Failed(_)) => None,
        Some(table) => installed.consume_returned_table(table),
        None => None,
    };
    match outcome {
        // Complete: no callback comes, so nothing is live.
        StableOutcome::Immediate => Ok(StableState::Immediate(table_entries)),
        StableOutcome::Pending { status, handle } => {
            if status != NtStatus::PENDING && status != NtStatus::ERROR_IO_PENDING {
                warn_unexpected(extension, Notification::StableTable, status);
            }
            extension.store_handle(Notification::StableTable, handle);
            extension.record_live(Notification::StableTable);
            Ok(StableState::Pending)
        }
        StableOutcome::Uncancellable(status) => {
            extension.record_live(Notification::StableTable);
            report_uncancellable(extension, Notification::StableTable, status);
            Ok(StableState::Uncancellable)
        }
        StableOutcome::Failed(status) => Err(status),
    }
}

fn warn_unexpected<N, S: Sink>(
    extension: &Extension<N, S>,
    notification: Notification,
    status: NtStatus,
) {
    events::report(
        extension,
        &Record::Warning(WarningMessage::UnexpectedStatus(notification, status)),
    );
}

fn report_uncancellable<N, S: Sink>(
    extension: &Extension<N, S>,
    notification: Notification,
    status: NtStatus,
) {
    events::report(
        extension,
        &Record::Error(ErrorMessage::Uncancellable(notification, status)),
    );
}
