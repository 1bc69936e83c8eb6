//! The four NETIO notifications the driver registers, in registration order.

/// One of the driver's four registrations.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Notification {
    /// `NotifyIpInterfaceChange`.
    Interface,
    /// `NotifyUnicastIpAddressChange`.
    Address,
    /// `NotifyRouteChange2`.
    Route,
    /// `NotifyStableUnicastIpAddressTable`.
    StableTable,
}

impl Notification {
    /// Registration order; unload and rollback walk it backwards.
    pub const ALL: [Self; 4] = [
        Self::Interface,
        Self::Address,
        Self::Route,
        Self::StableTable,
    ];

    /// The word used in lines.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Interface => "interface",
            Self::Address => "address",
            Self::Route => "route",
            Self::StableTable => "stable-table",
        }
    }

    /// The NETIO function that registers it, named in error lines.
    #[must_use]
    pub const fn function(self) -> &'static str {
        match self {
            Self::Interface => "NotifyIpInterfaceChange",
            Self::Address => "NotifyUnicastIpAddressChange",
            Self::Route => "NotifyRouteChange2",
            Self::StableTable => "NotifyStableUnicastIpAddressTable",
        }
    }

    /// The NETIO function that returns every current object of its kind as a table, for a
    /// capture-state rundown (the stable table's rows are addresses:
    /// `GetUnicastIpAddressTable`).
    #[must_use]
    pub const fn table_function(self) -> &'static str {
        match self {
            Self::Interface => "GetIpInterfaceTable",
            Self::Address | Self::StableTable => "GetUnicastIpAddressTable",
            Self::Route => "GetIpForwardTable2",
        }
    }

    /// A bit for [`NotificationSet`].
    const fn bit(self) -> u8 {
        match self {
            Self::Interface => 1,
            Self::Address => 2,
            Self::Route => 4,
            Self::StableTable => 8,
        }
    }
}

/// A set of notifications.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct NotificationSet(u8);

impl NotificationSet {
    /// All four.
    pub const ALL: Self = Self(0b1111);
    /// None.
    pub const EMPTY: Self = Self(0);

    /// The set of the bits of `bits` (1 interface, 2 address, 4 route, 8 stable table).
    #[must_use]
    pub const fn from_bits(bits: u8) -> Self {
        Self(bits & Self::ALL.0)
    }

    /// The bits of the set.
    #[must_use]
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// The set with `notification` added.
    #[must_use]
    pub const fn with(self, notification: Notification) -> Self {
        Self(self.0 | notification.bit())
    }

    /// Whether `notification` is in the set.
    #[must_use]
    pub const fn contains(self, notification: Notification) -> bool {
        self.0 & notification.bit() != 0
    }
}
