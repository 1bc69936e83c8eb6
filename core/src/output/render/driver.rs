//! The driver's own lines: `settings`, `loaded`, `unloaded`, warnings and errors.
//!
//! Every warning and error of `DriverEntry` and `DriverUnload` is made here. Each function
//! returns the finished line; the lifecycle and the settings reader only decide which to print.

use core::fmt;

use crate::model::counters::Counters;
use crate::model::fields;
use crate::model::notification::{Notification, NotificationSet};
use crate::model::settings::{REG_DWORD, RawValue, Setting, Settings};
use crate::model::status::NtStatus;
use crate::output::line::Line;
use crate::output::trace;

use super::{Dec, Family, append, line};

/// `DriverEntry` ran above `PASSIVE_LEVEL`.
#[must_use]
pub fn irql_refused(irql: u8) -> Line {
    line(format_args!(
        "error: DriverEntry called at IRQL {irql}, not PASSIVE_LEVEL; not loading"
    ))
}

/// `IoCreateDevice` failed.
#[must_use]
pub fn create_device_failed(status: NtStatus) -> Line {
    line(format_args!(
        "error: IoCreateDevice failed with status {status}; not loading"
    ))
}

/// The device extension is not aligned for the driver's state.
#[must_use]
pub fn misaligned() -> Line {
    line(format_args!(
        "error: the device extension is misaligned; not loading"
    ))
}

/// An unload was asked for although a registration cannot be cancelled: every registration
/// is kept (the `unloaded` line that follows names them).
#[must_use]
pub fn unload_refused() -> Line {
    line(format_args!(
        "error: unload requested, but a registration cannot be cancelled; netnotify keeps \
         every registration and stays in memory"
    ))
}

/// The `unloaded` line: the counters, then what stays, what was dropped and what the stack
/// guard saw.
///
/// What stays alive (`kept=`), the stable tables that could not be freed (`leaked-tables=`),
/// the ETW events that did not fit (`etw-dropped=`, `dropped`) and the entries the stack guard
/// turned away (`low-stack=`: below the floor, or not measurable), each only when there are
/// any; last the least stack measured (`min-stack=`, `none` while nothing was measured).
#[must_use]
pub fn unloaded(counters: &Counters, kept: NotificationSet, dropped: u64) -> Line {
    let mut unloaded = line(format_args!(
        "unloaded interface({}) address({}) route({}) stable-table({})",
        counters.interface.snapshot(),
        counters.address.snapshot(),
        counters.route.snapshot(),
        counters.stable.snapshot(),
    ));
    if kept != NotificationSet::EMPTY {
        append(
            &mut unloaded,
            format_args!("{}{kept}", fields::driver::KEPT.label),
        );
    }
    let leaked = counters.stable.leaked();
    if leaked != 0 {
        append(
            &mut unloaded,
            format_args!("{}{leaked}", fields::driver::LEAKED_TABLES.label),
        );
    }
    if dropped != 0 {
        append(
            &mut unloaded,
            format_args!("{}{dropped}", fields::driver::ETW_DROPPED.label),
        );
    }
    let low = counters.stack.low();
    if low != 0 {
        append(
            &mut unloaded,
            format_args!("{}{low}", fields::driver::LOW_STACK.label),
        );
    }
    let label = fields::driver::MIN_STACK.label;
    match counters.stack.min() {
        Some(min) => append(&mut unloaded, format_args!("{label}{min}")),
        None => append(&mut unloaded, format_args!("{label}none")),
    }
    unloaded
}

/// `EtwRegister` failed.
#[must_use]
pub fn etw_register_failed(status: NtStatus) -> Line {
    line(format_args!(
        "warning: EtwRegister failed with status {status}; no ETW events, the lines are \
         unaffected"
    ))
}

/// `EtwSetInformation(EventProviderSetTraits)` failed and `EventProviderUseDescriptorType`
/// took its place: the events are written and decode as always.
#[must_use]
pub fn etw_set_traits_failed(status: NtStatus) -> Line {
    line(format_args!(
        "warning: EtwSetInformation(EventProviderSetTraits) failed with status {status}; ETW \
         events are written with EventProviderUseDescriptorType instead"
    ))
}

/// Both `EtwSetInformation` calls failed: the provider is unregistered.
#[must_use]
pub fn etw_set_information_failed(traits: NtStatus, descriptor_type: NtStatus) -> Line {
    line(format_args!(
        "warning: EtwSetInformation failed with status {traits} (EventProviderSetTraits) and \
         {descriptor_type} (EventProviderUseDescriptorType); no ETW events, the lines are \
         unaffected"
    ))
}

/// The effective settings.
#[must_use]
pub fn settings(settings: &Settings) -> Line {
    line(format_args!("settings {settings}"))
}

/// A value in `Parameters` that is not valid: the default is used.
#[must_use]
pub fn setting_defaulted(setting: &Setting, found: RawValue) -> Line {
    line(format_args!(
        "warning: setting {}: found {}; expected a REG_DWORD {}; using {}",
        setting.name,
        Found(found),
        setting.valid_text,
        Dec(setting.default)
    ))
}

/// The settings as `DriverEntry` reads them: [`Settings::read_with`], each value that is not
/// valid reported as a warning line ([`setting_defaulted`]). Here rather than in the model,
/// which writes no line.
impl Settings {
    /// Reads every setting with `read` (the shell's query of the value in `Parameters`), and
    /// hands each warning line to `warn`: a value that is not valid takes the default.
    pub fn read(read: impl FnMut(&str) -> RawValue, mut warn: impl FnMut(&Line)) -> Self {
        Self::read_with(read, |setting, found| {
            warn(&setting_defaulted(setting, found));
        })
    }
}

/// What was found instead of a valid value, for the warning line.
struct Found(RawValue);

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            RawValue::Missing => f.write_str("missing"),
            RawValue::Dword(value) => write!(f, "{value}"),
            RawValue::Other {
                value_type: REG_DWORD,
                size,
            } => write!(f, "a REG_DWORD of {size} bytes"),
            RawValue::Other { value_type, size } => {
                write!(f, "registry type {value_type}, {size} bytes")
            }
            RawValue::Unreadable(status) => write!(f, "unreadable (status {status})"),
        }
    }
}

/// `CancelMibChangeNotify2` failed: the registration is kept.
#[must_use]
pub fn cancel_failed(notification: Notification, status: NtStatus) -> Line {
    line(format_args!(
        "error: CancelMibChangeNotify2 for {} failed with status {status}; its callback may \
         still run, so netnotify keeps it and stays in memory",
        notification.name()
    ))
}

/// A registration failed after one that cannot be cancelled: loading goes on.
#[must_use]
pub fn failed_pinned(notification: Notification, status: NtStatus) -> Line {
    line(format_args!(
        "error: {} failed with status {status}; continuing, netnotify cannot unload",
        notification.function()
    ))
}

/// A registration failed, and a cancel of the rollback failed too: the driver stays loaded.
#[must_use]
pub fn failed_kept(
    notification: Notification,
    status: NtStatus,
    cancelled: NotificationSet,
    kept: NotificationSet,
) -> Line {
    line(format_args!(
        "error: {} failed with status {status}; rolled back {cancelled}; kept={kept}; \
         netnotify stays loaded (unload disabled)",
        notification.function()
    ))
}

/// A registration failed and everything was rolled back.
#[must_use]
pub fn failed_rolled_back(
    notification: Notification,
    status: NtStatus,
    cancelled: NotificationSet,
) -> Line {
    line(format_args!(
        "error: {} failed with status {status}; rolled back {cancelled}; not loading",
        notification.function()
    ))
}

/// A registration returned a success other than `STATUS_SUCCESS` with a handle.
#[must_use]
pub fn unexpected_status(notification: Notification, status: NtStatus) -> Line {
    line(format_args!(
        "warning: {} returned unexpected status {status}; keeping its handle",
        notification.function()
    ))
}

/// A registration succeeded without a handle: it cannot be cancelled.
#[must_use]
pub fn uncancellable(notification: Notification, status: NtStatus) -> Line {
    line(format_args!(
        "error: {} returned status {status} without a handle; it cannot be cancelled, so \
         netnotify stays loaded (unload disabled)",
        notification.function()
    ))
}

/// How the stable table registered, for the `loaded` line.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum StableState {
    /// Not registered.
    Off,
    /// Returned at once, with a table of this many rows (`None`: no table).
    Immediate(Option<u32>),
    /// Pending, with a handle.
    Pending,
    /// Pending without a handle.
    Uncancellable,
}

/// The `loaded` line: what was registered, the family and initial-notification settings,
/// the stable table, whether unload is possible, and the ETW provider (its GUID, or `off`).
#[must_use]
pub fn loaded(
    registered: NotificationSet,
    settings: &Settings,
    stable: StableState,
    pinned: bool,
    etw: bool,
) -> Line {
    let mut loaded = line(format_args!(
        "loaded registered={registered} family={} initial={}",
        Family(settings.family),
        if settings.initial_notification {
            "yes"
        } else {
            "no"
        },
    ));
    match stable {
        StableState::Off => loaded.push_str(" stable-table=off"),
        StableState::Immediate(Some(entries)) => append(
            &mut loaded,
            format_args!(" stable-table=immediate entries={entries}"),
        ),
        StableState::Immediate(None) => loaded.push_str(" stable-table=immediate (no table)"),
        StableState::Pending => loaded.push_str(" stable-table=pending"),
        StableState::Uncancellable => loaded.push_str(" stable-table=uncancellable"),
    }
    loaded.push_str(if pinned {
        " unload=disabled"
    } else {
        " unload=enabled"
    });
    if etw {
        append(
            &mut loaded,
            format_args!("{}{}", fields::driver::ETW.label, trace::BracedGuid),
        );
    } else {
        loaded.push_str(" etw=off");
    }
    loaded
}
