//! The driver's settings: which notifications to register, for which family, and whether to
//! ask for initial notifications. Immutable once the extension is initialised.

use crate::ffi::AF_UNSPEC;
use crate::notification::NotificationSet;

/// Effective settings.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Settings {
    /// The notifications to register.
    pub notifications: NotificationSet,
    /// `ADDRESS_FAMILY` passed to every registration.
    pub family: u16,
    /// `InitialNotification` for the three change notifications.
    pub initial_notification: bool,
}

impl Settings {
    /// The defaults: all four notifications, `AF_UNSPEC`, initial notifications on.
    pub const DEFAULT: Self = Self {
        notifications: NotificationSet::ALL,
        family: AF_UNSPEC,
        initial_notification: true,
    };
}

impl Default for Settings {
    fn default() -> Self {
        Self::DEFAULT
    }
}
