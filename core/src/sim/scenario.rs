//! What tests tell the simulator and read back from it: the calls the driver made ([`Call`]),
//! registry opens, scripted registration outcomes, the stable table's mode, and the events and
//! deliveries NETIO makes.

use std::string::String;
use std::vec::Vec;

use crate::boundary::ffi::{MibIpForwardRow2, MibIpInterfaceRow, MibUnicastIpAddressRow};
use crate::boundary::host::DriverKey;
use crate::model::notification::Notification;
use crate::model::status::NtStatus;

use super::network::sockaddr_family;

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
    /// A `Get*Table` call for `notification`'s objects (`GetIpInterfaceTable`,
    /// `GetUnicastIpAddressTable`, `GetIpForwardTable2`): a capture-state rundown.
    GetTable(Notification),
    /// `IoDeleteDevice`.
    DeleteDevice,
    /// `DriverObject->DriverUnload` set.
    EnableUnload,
    /// `ObReferenceObject(DriverObject)`: the driver object outlives the unload.
    KeepDriverObject,
}

/// How the driver opened a registry key, in order
/// ([`Sim::registry_opens`](super::Sim::registry_opens)).
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
    /// tables come through [`Sim::complete_stable`](super::Sim::complete_stable).
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

/// How [`Sim::notify`](super::Sim::notify) hands the row to the callback.
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
    pub(super) fn family(&self) -> Option<u16> {
        match self {
            Self::Interface(row, _) => row.map(|row| row.family),
            Self::Address(row, _) => row.map(|row| sockaddr_family(&row.address)),
            Self::Route(row, _) => row.map(|row| sockaddr_family(&row.destination_prefix.prefix)),
        }
    }

    pub(super) const fn notification(&self) -> Notification {
        match self {
            Self::Interface(..) => Notification::Interface,
            Self::Address(..) => Notification::Address,
            Self::Route(..) => Notification::Route,
        }
    }

    pub(super) const fn notification_type(&self) -> i32 {
        match self {
            Self::Interface(_, raw) | Self::Address(_, raw) | Self::Route(_, raw) => *raw,
        }
    }
}
