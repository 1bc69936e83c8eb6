//! The driver's settings, read once in `DriverEntry`, parsed and validated here.
//!
//! Immutable afterwards. Each value is read from `Parameters` (`DriverRegKeyParameters`: the
//! INF's defaults, where users change settings), else it is the built-in default. Only there:
//! Microsoft defines the persistent-state key as the driver's own internal state, not a
//! place for settings (README "Settings", docs/windows.md).
//!
//! The shell only reads a value's raw `KEY_VALUE_PARTIAL_INFORMATION`; [`RawValue::decode`]
//! turns it into a value, [`Settings::read_with`] checks it against [`SETTINGS`]. A missing
//! value takes its default silently; a value of the wrong type, size or range takes its
//! default and one warning line says which value, what was found and what is used. No setting
//! can stop the driver from loading. `driver.inx` writes the defaults and the README lists the
//! table; tests check both against [`SETTINGS`].
//!
//! This module owns the values and their rules and writes no line: the warning line is the
//! output's (`Settings::read` and `Settings::read_records`, in `output::render::driver`, wrap
//! [`Settings::read_with`]; each warning is a record).

use core::fmt;

use crate::boundary::ffi::{AF_INET, AF_INET6, AF_UNSPEC};
use crate::model::notification::NotificationSet;
use crate::model::status::NtStatus;

/// `REG_DWORD`.
pub const REG_DWORD: u32 = 4;

/// Bytes of the buffer the shell fills with `KEY_VALUE_PARTIAL_INFORMATION`: the 12-byte
/// header (`TitleIndex`, `Type`, `DataLength`) and room for a `REG_DWORD`.
pub const PARAMETER_BUFFER: usize = 16;

/// UTF-16 units of the longest `<RegistryPath>\<subkey>` the driver composes: a service key
/// is `\REGISTRY\MACHINE\SYSTEM\<ControlSet>\Services\<name>`, well under this.
pub const KEY_PATH_CAPACITY: usize = 256;

/// Writes `<service>\<subkey>` into `path`; its length in units, or `None` if it does not
/// fit. `service` is the `RegistryPath` `DriverEntry` received.
#[must_use]
pub fn key_path(
    service: &[u16],
    subkey: &str,
    path: &mut [u16; KEY_PATH_CAPACITY],
) -> Option<usize> {
    let length = service.len().checked_add(subkey.len())?.checked_add(1)?;
    if length > KEY_PATH_CAPACITY {
        return None;
    }
    let units = service
        .iter()
        .copied()
        .chain("\\".encode_utf16())
        .chain(subkey.encode_utf16());
    for (slot, unit) in path.iter_mut().zip(units) {
        *slot = unit;
    }
    Some(length)
}

/// Room for a value name in UTF-16 units: the longest of the driver's names has 19.
pub const VALUE_NAME_CAPACITY: usize = 32;

/// `name` in UTF-16 in `buffer`, for `ZwQueryValueKey`; `None` if it does not fit. Never a
/// cut or empty name: an empty one would read the key's default value instead of failing.
#[must_use]
pub fn value_name<'a>(name: &str, buffer: &'a mut [u16; VALUE_NAME_CAPACITY]) -> Option<&'a [u16]> {
    let length = name.encode_utf16().count();
    if length == 0 || length > VALUE_NAME_CAPACITY {
        return None;
    }
    for (slot, unit) in buffer.iter_mut().zip(name.encode_utf16()) {
        *slot = unit;
    }
    buffer.get(..length)
}

/// A registry value as the shell found it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RawValue {
    /// No such value (or no `Parameters` key).
    Missing,
    /// A 4-byte `REG_DWORD`.
    Dword(u32),
    /// Anything else: its registry type and size in bytes.
    Other {
        /// `Type` (`REG_SZ` is 1, `REG_BINARY` 3, `REG_QWORD` 11, …).
        value_type: u32,
        /// `DataLength`.
        size: u32,
    },
    /// The query failed with this status.
    Unreadable(NtStatus),
}

impl RawValue {
    /// Decodes what `ZwQueryValueKey(KeyValuePartialInformation)` returned into `buffer`:
    /// success, or `STATUS_BUFFER_OVERFLOW` when the data did not fit (the header is filled
    /// then), or `STATUS_OBJECT_NAME_NOT_FOUND`.
    #[must_use]
    pub const fn decode(status: NtStatus, buffer: &[u8; PARAMETER_BUFFER]) -> Self {
        let [_, _, _, _, t0, t1, t2, t3, l0, l1, l2, l3, d0, d1, d2, d3] = *buffer;
        let value_type = u32::from_le_bytes([t0, t1, t2, t3]);
        let size = u32::from_le_bytes([l0, l1, l2, l3]);
        match status {
            NtStatus::OBJECT_NAME_NOT_FOUND => Self::Missing,
            NtStatus::SUCCESS if value_type == REG_DWORD && size == 4 => {
                Self::Dword(u32::from_le_bytes([d0, d1, d2, d3]))
            }
            NtStatus::SUCCESS | NtStatus::BUFFER_OVERFLOW => Self::Other { value_type, size },
            status => Self::Unreadable(status),
        }
    }
}

/// How much each event prints (`Verbosity`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord)]
pub enum Verbosity {
    /// 0: no event lines; errors, warnings and the driver's own lines only.
    Errors,
    /// 1: one short line per event: its key fields and the interface's names (no re-query).
    Keys,
    /// 2: every field of the object's current state (two lines for an interface).
    Full,
}

/// One setting: a `REG_DWORD` under `Parameters`.
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    /// The value name.
    pub name: &'static str,
    /// Its default, written by `driver.inx`.
    pub default: u32,
    /// Whether a value is valid.
    pub valid: fn(u32) -> bool,
    /// The valid values, as the warning and the README say them.
    pub valid_text: &'static str,
    /// What it does, for the README.
    pub meaning: &'static str,
}

/// Every setting, in the order they are read and printed.
pub const SETTINGS: [Setting; 7] = [
    Setting {
        name: "Notifications",
        default: 0xF,
        valid: |value| value <= 0xF,
        valid_text: "0 to 15",
        meaning: "which notifications to register, a bit each: 1 interface, 2 address, 4 route, 8 stable table",
    },
    Setting {
        name: "Family",
        default: 0,
        valid: |value| matches!(value, 0 | 4 | 6),
        valid_text: "0, 4 or 6",
        meaning: "address family: 0 both, 4 IPv4 only, 6 IPv6 only",
    },
    Setting {
        name: "InitialNotification",
        default: 1,
        valid: |value| value <= 1,
        valid_text: "0 or 1",
        meaning: "1: ask NETIO for the initial notification of each registration",
    },
    Setting {
        name: "Requery",
        default: 1,
        valid: |value| value <= 1,
        valid_text: "0 or 1",
        meaning: "1: complete add and parameter rows with `Get*Entry` (at verbosity 2)",
    },
    Setting {
        name: "Verbosity",
        default: 2,
        valid: |value| value <= 2,
        valid_text: "0, 1 or 2",
        meaning: "0 errors only, 1 one line per event with its keys and names, 2 every field",
    },
    Setting {
        name: "LinesPerSecond",
        default: 20,
        valid: |value| value <= 1_000_000,
        valid_text: "0 to 1000000",
        meaning: "event lines per second per notification kind once the burst is spent; 0: no limit",
    },
    Setting {
        name: "Burst",
        default: 100,
        valid: |value| (1..=1_000_000).contains(&value),
        valid_text: "1 to 1000000",
        meaning: "event lines a kind may print at once before the rate applies",
    },
];

/// Effective settings.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Settings {
    /// The notifications to register.
    pub notifications: NotificationSet,
    /// `ADDRESS_FAMILY` passed to every registration.
    pub family: u16,
    /// `InitialNotification` for the three change notifications.
    pub initial_notification: bool,
    /// Whether add and parameter rows are re-queried.
    pub requery: bool,
    /// How much each event prints.
    pub verbosity: Verbosity,
    /// Event lines per second per kind after the burst; 0 means no limit.
    pub lines_per_second: u32,
    /// Event lines a kind may print at once.
    pub burst: u32,
}

impl Settings {
    /// The defaults of [`SETTINGS`].
    pub const DEFAULT: Self = Self::from_values([
        SETTINGS[0].default,
        SETTINGS[1].default,
        SETTINGS[2].default,
        SETTINGS[3].default,
        SETTINGS[4].default,
        SETTINGS[5].default,
        SETTINGS[6].default,
    ]);

    /// Settings from valid values, in the order of [`SETTINGS`].
    const fn from_values(values: [u32; 7]) -> Self {
        let [
            notifications,
            family,
            initial,
            requery,
            verbosity,
            lines_per_second,
            burst,
        ] = values;
        Self {
            #[allow(clippy::cast_possible_truncation, reason = "valid values are <= 15")]
            notifications: NotificationSet::from_bits(notifications as u8),
            family: match family {
                4 => AF_INET,
                6 => AF_INET6,
                _ => AF_UNSPEC,
            },
            initial_notification: initial != 0,
            requery: requery != 0,
            verbosity: match verbosity {
                0 => Verbosity::Errors,
                1 => Verbosity::Keys,
                _ => Verbosity::Full,
            },
            lines_per_second,
            burst,
        }
    }

    /// Reads every setting with `read` (the shell's query of the value in `Parameters`), and
    /// hands each value that is not valid, which takes the default, to `defaulted` with what
    /// was found. `Settings::read_records` (`output::render::driver`) makes a warning record of each.
    pub fn read_with(
        mut read: impl FnMut(&str) -> RawValue,
        mut defaulted: impl FnMut(&Setting, RawValue),
    ) -> Self {
        let mut values = [0; 7];
        for (slot, setting) in values.iter_mut().zip(SETTINGS) {
            *slot = match read(setting.name) {
                RawValue::Missing => setting.default,
                RawValue::Dword(value) if (setting.valid)(value) => value,
                found => {
                    defaulted(&setting, found);
                    setting.default
                }
            };
        }
        Self::from_values(values)
    }

    /// The values as `SETTINGS` names them, in order.
    #[must_use]
    pub const fn values(&self) -> [u32; 7] {
        [
            self.notifications.bits() as u32,
            match self.family {
                AF_INET => 4,
                AF_INET6 => 6,
                _ => 0,
            },
            self.initial_notification as u32,
            self.requery as u32,
            self.verbosity as u32,
            self.lines_per_second,
            self.burst,
        ]
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// `Name=value …` for every setting: the effective-settings line.
impl fmt::Display for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, (setting, value)) in SETTINGS.iter().zip(self.values()).enumerate() {
            if index != 0 {
                f.write_str(" ")?;
            }
            write!(f, "{}={value}", setting.name)?;
        }
        Ok(())
    }
}
