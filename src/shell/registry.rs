//! The driver's registry, read through the core's `Host` (`Wdm`'s registry methods forward
//! here): the `Parameters` key by `IoOpenDriverRegistryKey`, looked up at run time,
//! `DriverEntry`'s registry path, and `ZwOpenKey`/`ZwQueryValueKey`/`ZwClose`. Only
//! `DriverEntry` reads the registry (`PASSIVE_LEVEL`).

use core::ptr;

use netnotify_core::boundary::host::{DriverKey, Key};
use netnotify_core::model::settings::{self, PARAMETER_BUFFER, VALUE_NAME_CAPACITY};
use netnotify_core::model::status::NtStatus;
use wdk_sys::ntddk::{
    IoOpenDriverRegistryKey, MmGetSystemRoutineAddress, ZwClose, ZwOpenKey, ZwQueryValueKey,
};
use wdk_sys::{
    _DRIVER_REGKEY_TYPE, _KEY_VALUE_INFORMATION_CLASS, ACCESS_MASK, DRIVER_REGKEY_TYPE, HANDLE,
    KEY_QUERY_VALUE, NTSTATUS, OBJ_CASE_INSENSITIVE, OBJ_KERNEL_HANDLE, OBJECT_ATTRIBUTES,
    PDRIVER_OBJECT, PHANDLE, PVOID, ULONG, UNICODE_STRING,
};

use super::kernel::Wdm;

/// `IoOpenDriverRegistryKey`'s prototype (wdm.h), for the address `MmGetSystemRoutineAddress`
/// finds: the routine exists from Windows 10 1803 on, so it is not imported (an image that
/// imports a missing export does not load).
type OpenDriverRegistryKey = unsafe extern "C" fn(
    PDRIVER_OBJECT,
    DRIVER_REGKEY_TYPE,
    ACCESS_MASK,
    ULONG,
    PHANDLE,
) -> NTSTATUS;

// The type above is wdk-sys' declaration of IoOpenDriverRegistryKey, or this does not compile
// (the stand-in's declaration is checked against windows-sys). A const: it imports nothing.
const _: OpenDriverRegistryKey = IoOpenDriverRegistryKey;

/// `"IoOpenDriverRegistryKey"` in UTF-16, for `MmGetSystemRoutineAddress`.
const OPEN_DRIVER_REGISTRY_KEY: [u16; 23] = utf16(*b"IoOpenDriverRegistryKey");

/// ASCII bytes widened to UTF-16 units.
const fn utf16<const N: usize>(ascii: [u8; N]) -> [u16; N] {
    let mut units = [0; N];
    let mut index = 0;
    while index < N {
        units[index] = ascii[index] as u16;
        index += 1;
    }
    units
}

/// A `UNICODE_STRING` over `units` (lengths in bytes); `None` if longer than it can describe.
fn unicode_string(units: &[u16]) -> Option<UNICODE_STRING> {
    let length = u16::try_from(units.len().checked_mul(2)?).ok()?;
    Some(UNICODE_STRING {
        Length: length,
        MaximumLength: length,
        // The kernel reads names through this pointer and never writes them.
        Buffer: units.as_ptr().cast_mut(),
    })
}

/// The kernel handle behind the core's opaque key: a handle is a value, not a pointer to
/// memory this driver may follow, so it carries no provenance.
const fn handle(key: Key) -> HANDLE {
    ptr::without_provenance_mut(key.0)
}

/// `Host::open_driver_key`: `IoOpenDriverRegistryKey`, looked up at run time.
pub(super) fn open_driver_key(host: &Wdm, kind: DriverKey) -> Option<Result<Key, NtStatus>> {
    let mut name = unicode_string(&OPEN_DRIVER_REGISTRY_KEY)?;
    // SAFETY: PASSIVE_LEVEL (DriverEntry); a UNICODE_STRING over a constant.
    let address: PVOID = unsafe { MmGetSystemRoutineAddress(&raw mut name) };
    if address.is_null() {
        return None;
    }
    // SAFETY: the kernel's export of that name, whose prototype is wdm.h's.
    let open = unsafe { core::mem::transmute::<PVOID, OpenDriverRegistryKey>(address) };
    let mut key: HANDLE = ptr::null_mut();
    // SAFETY: PASSIVE_LEVEL; the live DRIVER_OBJECT; `key` is a valid out-pointer.
    let status = unsafe {
        open(
            host.driver,
            match kind {
                DriverKey::Parameters => _DRIVER_REGKEY_TYPE::DriverRegKeyParameters,
            },
            KEY_QUERY_VALUE,
            0,
            &raw mut key,
        )
    };
    Some(opened(status, key))
}

/// `Host::registry_path`: `DriverEntry`'s `RegistryPath`, empty in the unload routine.
pub(super) fn registry_path(host: &Wdm) -> &[u16] {
    if host.registry_path.is_null() {
        return &[];
    }
    // SAFETY: DriverEntry's RegistryPath, valid while DriverEntry runs, which is the only
    // time the core reads the registry.
    let path = unsafe { &*host.registry_path };
    if path.Buffer.is_null() {
        return &[];
    }
    // SAFETY: Buffer holds Length bytes of UTF-16 (UNICODE_STRING contract).
    unsafe { core::slice::from_raw_parts(path.Buffer, usize::from(path.Length / 2)) }
}

/// `Host::open_key`: `ZwOpenKey` for reading values.
pub(super) fn open_key(path: &[u16]) -> Result<Key, NtStatus> {
    let mut name = unicode_string(path).ok_or(NtStatus::NAME_TOO_LONG)?;
    let mut attributes = OBJECT_ATTRIBUTES {
        Length: ULONG::try_from(size_of::<OBJECT_ATTRIBUTES>()).unwrap_or(0),
        RootDirectory: ptr::null_mut(),
        ObjectName: &raw mut name,
        // A kernel handle: not usable from the process DriverEntry happens to run in.
        Attributes: OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE,
        SecurityDescriptor: ptr::null_mut(),
        SecurityQualityOfService: ptr::null_mut(),
    };
    let mut key: HANDLE = ptr::null_mut();
    // SAFETY: PASSIVE_LEVEL (DriverEntry); attributes naming a UNICODE_STRING over
    // `path`, both alive for the call; `key` is a valid out-pointer.
    let status = unsafe { ZwOpenKey(&raw mut key, KEY_QUERY_VALUE, &raw mut attributes) };
    opened(status, key)
}

/// `Host::query_value`: `ZwQueryValueKey`'s `KeyValuePartialInformation`.
pub(super) fn query_value(key: Key, name: &str, buffer: &mut [u8; PARAMETER_BUFFER]) -> NtStatus {
    // A name that does not fit is an error, never an empty name (the default value).
    let mut wide = [0_u16; VALUE_NAME_CAPACITY];
    let Some(mut value_name) = settings::value_name(name, &mut wide).and_then(unicode_string)
    else {
        return NtStatus::NAME_TOO_LONG;
    };
    let mut information = Aligned([0; PARAMETER_BUFFER]);
    let mut result_length: ULONG = 0;
    // SAFETY: PASSIVE_LEVEL; an open key handle, a UNICODE_STRING over `wide`, and an
    // aligned buffer of PARAMETER_BUFFER bytes with its exact length.
    let status = unsafe {
        ZwQueryValueKey(
            handle(key),
            &raw mut value_name,
            _KEY_VALUE_INFORMATION_CLASS::KeyValuePartialInformation,
            information.0.as_mut_ptr().cast(),
            ULONG::try_from(PARAMETER_BUFFER).unwrap_or(0),
            &raw mut result_length,
        )
    };
    *buffer = information.0;
    NtStatus(status)
}

/// `Host::close_key`: `ZwClose`.
pub(super) fn close_key(key: Key) {
    // SAFETY: a handle open_driver_key or open_key returned, closed once.
    let closed = unsafe { ZwClose(handle(key)) };
    // ZwClose fails only for a handle that is not open, and this one is: nothing to undo
    // or report.
    let _ = closed;
}

/// An open's result: the key, or the status it failed with.
fn opened(status: NTSTATUS, key: HANDLE) -> Result<Key, NtStatus> {
    if NtStatus(status).is_error() {
        return Err(NtStatus(status));
    }
    Ok(Key(key.addr()))
}

/// Room for `KEY_VALUE_PARTIAL_INFORMATION`, whose `ULONG` fields want 4-byte alignment.
#[repr(C, align(8))]
struct Aligned([u8; PARAMETER_BUFFER]);
