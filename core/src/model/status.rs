//! NTSTATUS values: the few the driver names, and how to tell success, pending and failure apart.
//!
//! The driver never matches on specific failure codes (the WDK pages name codes that are not
//! NTSTATUS values at all, docs/netio.md#registration); it only tells success, pending and
//! failure apart, and prints the hex value (`render` writes it: `0xC000009A`).

/// A kernel `NTSTATUS`: negative values are errors (`NT_SUCCESS` is `status >= 0`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[repr(transparent)]
pub struct NtStatus(pub i32);

impl NtStatus {
    /// `STATUS_SUCCESS`.
    pub const SUCCESS: Self = Self(0);
    /// `STATUS_PENDING` (0x103): a *success* code, so never test it with `is_success` alone.
    pub const PENDING: Self = Self(0x103);
    /// `ERROR_IO_PENDING` (997): the Win32 code the WDK page names for the pending stable
    /// table; accepted as pending too (docs/netio.md#stable-table).
    pub const ERROR_IO_PENDING: Self = Self(997);
    /// `STATUS_UNSUCCESSFUL`.
    pub const UNSUCCESSFUL: Self = Self(0xC000_0001_u32.cast_signed());
    /// `STATUS_INVALID_HANDLE`.
    pub const INVALID_HANDLE: Self = Self(0xC000_0008_u32.cast_signed());
    /// `STATUS_INVALID_PARAMETER`.
    pub const INVALID_PARAMETER: Self = Self(0xC000_000D_u32.cast_signed());
    /// `STATUS_NO_MEMORY`.
    pub const NO_MEMORY: Self = Self(0xC000_0017_u32.cast_signed());
    /// `STATUS_INSUFFICIENT_RESOURCES`.
    pub const INSUFFICIENT_RESOURCES: Self = Self(0xC000_009A_u32.cast_signed());
    /// `STATUS_INVALID_DEVICE_STATE`: returned when `DriverEntry` runs above `PASSIVE_LEVEL`.
    pub const INVALID_DEVICE_STATE: Self = Self(0xC000_0184_u32.cast_signed());
    /// `STATUS_NAME_TOO_LONG`: a registry path longer than the driver's buffer.
    pub const NAME_TOO_LONG: Self = Self(0xC000_0106_u32.cast_signed());
    /// `STATUS_OBJECT_NAME_NOT_FOUND`: no such registry value.
    pub const OBJECT_NAME_NOT_FOUND: Self = Self(0xC000_0034_u32.cast_signed());
    /// `STATUS_BUFFER_OVERFLOW` (a warning): the data did not fit, the header was written.
    pub const BUFFER_OVERFLOW: Self = Self(0x8000_0005_u32.cast_signed());
    /// `STATUS_NOT_FOUND`.
    pub const NOT_FOUND: Self = Self(0xC000_0225_u32.cast_signed());
    /// `STATUS_DATATYPE_MISALIGNMENT_ERROR`: the device extension is not aligned for it.
    pub const DATATYPE_MISALIGNMENT_ERROR: Self = Self(0xC000_02C5_u32.cast_signed());

    /// `NT_SUCCESS(status)`: true for every non-negative value, `STATUS_PENDING` included.
    #[must_use]
    pub const fn is_success(self) -> bool {
        self.0 >= 0
    }

    /// `!NT_SUCCESS(status)`.
    #[must_use]
    pub const fn is_error(self) -> bool {
        self.0 < 0
    }
}

#[cfg(test)]
mod tests {
    use super::NtStatus;
    use std::string::ToString;

    #[test]
    fn renders_eight_hex_digits() {
        assert_eq!(NtStatus::SUCCESS.to_string(), "0x00000000");
        assert_eq!(NtStatus::PENDING.to_string(), "0x00000103");
        assert_eq!(NtStatus::INSUFFICIENT_RESOURCES.to_string(), "0xC000009A");
    }

    #[test]
    fn pending_is_a_success_code() {
        assert!(NtStatus::PENDING.is_success());
        assert!(!NtStatus::PENDING.is_error());
        assert!(NtStatus::NOT_FOUND.is_error());
    }
}
