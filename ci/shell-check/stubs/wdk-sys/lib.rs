//! Stand-in for the wdk-sys 0.5.2 items the shell uses, in the shapes bindgen generates them
//! (guide §3.2–§3.3): type aliases over C types, `_DEVICE_OBJECT`/`_DRIVER_OBJECT` with only the
//! fields the shell touches, enums as modules of constants, functions in `ntddk` with the C ABI.
#![no_std]
#![allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    missing_docs
)]

use core::ffi::{c_char, c_int, c_void};

pub type NTSTATUS = i32;
pub type ULONG = u32;
pub type USHORT = u16;
pub type UCHAR = u8;
pub type BOOLEAN = UCHAR;
pub type KIRQL = UCHAR;
pub type PVOID = *mut c_void;
pub type DEVICE_TYPE = ULONG;
pub type CHAR = c_char;
pub type PCSTR = *const CHAR;
pub type WCHAR = u16;
pub type ULONGLONG = u64;
pub type HANDLE = PVOID;
pub type PHANDLE = *mut HANDLE;
pub type ACCESS_MASK = ULONG;
pub type PULONG = *mut ULONG;

#[repr(C)]
pub struct _UNICODE_STRING {
    pub Length: USHORT,
    pub MaximumLength: USHORT,
    pub Buffer: *mut WCHAR,
}
pub type UNICODE_STRING = _UNICODE_STRING;
pub type PUNICODE_STRING = *mut UNICODE_STRING;
pub type PCUNICODE_STRING = *const UNICODE_STRING;

#[repr(C)]
pub struct _DEVICE_OBJECT {
    pub DeviceExtension: PVOID,
}
pub type DEVICE_OBJECT = _DEVICE_OBJECT;
pub type PDEVICE_OBJECT = *mut DEVICE_OBJECT;

pub type PDRIVER_UNLOAD = Option<unsafe extern "C" fn(DriverObject: *mut _DRIVER_OBJECT)>;

#[repr(C)]
pub struct _DRIVER_OBJECT {
    pub DeviceObject: PDEVICE_OBJECT,
    pub DriverUnload: PDRIVER_UNLOAD,
}
pub type DRIVER_OBJECT = _DRIVER_OBJECT;
pub type PDRIVER_OBJECT = *mut DRIVER_OBJECT;

pub const FILE_DEVICE_UNKNOWN: u32 = 0x22;
pub const FILE_DEVICE_SECURE_OPEN: u32 = 0x100;

pub const KEY_QUERY_VALUE: u32 = 0x0001;

pub mod _DPFLTR_TYPE {
    pub type Type = super::c_int;
    pub const DPFLTR_IHVNETWORK_ID: Type = 80;
}

pub mod _DRIVER_REGKEY_TYPE {
    pub type Type = super::c_int;
    pub const DriverRegKeyParameters: Type = 0;
}
pub type DRIVER_REGKEY_TYPE = _DRIVER_REGKEY_TYPE::Type;

pub mod _KEY_VALUE_INFORMATION_CLASS {
    pub type Type = super::c_int;
    pub const KeyValuePartialInformation: Type = 2;
}
pub type KEY_VALUE_INFORMATION_CLASS = _KEY_VALUE_INFORMATION_CLASS::Type;

pub mod ntddk {
    use super::{
        ACCESS_MASK, BOOLEAN, DEVICE_TYPE, DRIVER_REGKEY_TYPE, HANDLE, KEY_VALUE_INFORMATION_CLASS,
        KIRQL, NTSTATUS, PCSTR, PDEVICE_OBJECT, PDRIVER_OBJECT, PHANDLE, PULONG, PUNICODE_STRING,
        PVOID, ULONG, ULONGLONG,
    };

    unsafe extern "C" {
        #[must_use]
        pub fn IoCreateDevice(
            DriverObject: PDRIVER_OBJECT,
            DeviceExtensionSize: ULONG,
            DeviceName: PUNICODE_STRING,
            DeviceType: DEVICE_TYPE,
            DeviceCharacteristics: ULONG,
            Exclusive: BOOLEAN,
            DeviceObject: *mut PDEVICE_OBJECT,
        ) -> NTSTATUS;
        pub fn IoDeleteDevice(DeviceObject: PDEVICE_OBJECT);
        pub fn KeGetCurrentIrql() -> KIRQL;
        pub fn DbgPrintEx(ComponentId: ULONG, Level: ULONG, Format: PCSTR, ...) -> ULONG;
        pub fn KeQueryUnbiasedInterruptTime() -> ULONGLONG;
        #[must_use]
        pub fn IoOpenDriverRegistryKey(
            DriverObject: PDRIVER_OBJECT,
            RegKeyType: DRIVER_REGKEY_TYPE,
            DesiredAccess: ACCESS_MASK,
            Flags: ULONG,
            DriverRegKey: PHANDLE,
        ) -> NTSTATUS;
        #[must_use]
        pub fn ZwQueryValueKey(
            KeyHandle: HANDLE,
            ValueName: PUNICODE_STRING,
            KeyValueInformationClass: KEY_VALUE_INFORMATION_CLASS,
            KeyValueInformation: PVOID,
            Length: ULONG,
            ResultLength: PULONG,
        ) -> NTSTATUS;
        pub fn ZwClose(Handle: HANDLE) -> NTSTATUS;
    }
}
