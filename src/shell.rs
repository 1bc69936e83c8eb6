//! The WDM plumbing: `DriverEntry`, the unload routine, the device object, `DbgPrintEx`, the
//! ETW provider's `Etw*` calls and its enable callback's run-down reference, and the NETIO
//! imports. Mechanical by design; nothing here is a decision a test would check.
//!
//! Follows microsoft/windows-drivers-rs `examples/sample-wdm-driver` (crate attributes, panic
//! handler, allocator, entry point) and docs/netio.md's contracts for the rest.

#[cfg(not(test))]
extern crate wdk_panic;

use core::cell::UnsafeCell;
use core::ffi::c_void;
use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};

use crate::netio_imports as imports;
use netnotify_core::ffi::{
    Handle, IpForwardChangeCallback, IpInterfaceChangeCallback, MibIpForwardRow2,
    MibIpInterfaceRow, MibUnicastIpAddressRow, MibUnicastIpAddressTable,
    StableUnicastIpAddressTableCallback, UnicastIpAddressChangeCallback,
};
use netnotify_core::host::{Clock, DriverKey, Host, Key, Level, Sink, StormTimer};
use netnotify_core::lifecycle;
use netnotify_core::line::Line;
use netnotify_core::netio::{Irql, KernelStack, NetIo};
use netnotify_core::settings::{self, PARAMETER_BUFFER, VALUE_NAME_CAPACITY};
use netnotify_core::status::NtStatus;
use netnotify_core::trace::{
    DESCRIPTOR_EVENT_METADATA, DESCRIPTOR_PAYLOAD, DESCRIPTOR_PROVIDER_TRAITS,
    EVENT_PROVIDER_SET_TRAITS, EVENT_PROVIDER_USE_DESCRIPTOR_TYPE, EventDescriptor, Guid,
    PROVIDER_GUID, PROVIDER_TRAITS, ProviderInformation, RegHandle, Trace,
};
#[cfg(not(test))]
use wdk_alloc::WdkAllocator;
use wdk_sys::_DPFLTR_TYPE::DPFLTR_IHVNETWORK_ID;
use wdk_sys::_EVENT_DATA_DESCRIPTOR__bindgen_ty_1;
use wdk_sys::ntddk::{
    DbgPrintEx, EtwRegister, EtwSetInformation, EtwUnregister, EtwWriteTransfer,
    ExAcquireRundownProtection, ExInitializeRundownProtection, ExReleaseRundownProtection,
    ExWaitForRundownProtectionRelease, IoCreateDevice, IoDeleteDevice, IoGetStackLimits,
    IoOpenDriverRegistryKey, KeCancelTimer, KeFlushQueuedDpcs, KeGetCurrentIrql, KeInitializeDpc,
    KeInitializeTimer, KeQueryUnbiasedInterruptTime, KeSetTimer, MmGetSystemRoutineAddress,
    ObfReferenceObject, ZwClose, ZwOpenKey, ZwQueryValueKey,
};
use wdk_sys::{
    _DRIVER_REGKEY_TYPE, _EVENT_INFO_CLASS, _EX_RUNDOWN_REF__bindgen_ty_1,
    _KEY_VALUE_INFORMATION_CLASS, ACCESS_MASK, DRIVER_OBJECT, DRIVER_REGKEY_TYPE,
    EVENT_DATA_DESCRIPTOR, EVENT_DESCRIPTOR, EX_RUNDOWN_REF, FILE_DEVICE_SECURE_OPEN,
    FILE_DEVICE_UNKNOWN, GUID, HANDLE, KDPC, KEY_QUERY_VALUE, KTIMER, LARGE_INTEGER, LPCGUID,
    NTSTATUS, OBJ_CASE_INSENSITIVE, OBJ_KERNEL_HANDLE, OBJECT_ATTRIBUTES, PCUNICODE_STRING,
    PDEVICE_OBJECT, PDRIVER_OBJECT, PEVENT_FILTER_DESCRIPTOR, PHANDLE, PVOID, REGHANDLE, UCHAR,
    ULONG, ULONG_PTR, ULONGLONG, UNICODE_STRING,
};

#[cfg(not(test))]
#[global_allocator]
static GLOBAL_ALLOCATOR: WdkAllocator = WdkAllocator;

// Links the NETIO imports declared in `crate::netio_imports` against netio.lib, which
// wdk-build's search path (`<WDK>\Lib\<ver>\km\<arch>`) provides. Same form as wdk-sys' own
// link directives.
#[link(name = "netio", kind = "static", modifiers = "-bundle")]
unsafe extern "system" {}

/// `DriverEntry` (`PASSIVE_LEVEL`, system thread).
///
/// # Safety
/// Called by the I/O manager with its live `DRIVER_OBJECT`.
#[unsafe(export_name = "DriverEntry")]
pub unsafe extern "system" fn driver_entry(
    driver: *mut DRIVER_OBJECT,
    registry_path: PCUNICODE_STRING,
) -> NTSTATUS {
    lifecycle::driver_entry(&Wdm {
        driver,
        registry_path,
    })
    .0
}

/// The unload routine (`PASSIVE_LEVEL`, system thread); set only by `Host::enable_unload`.
extern "C" fn driver_unload(driver: *mut DRIVER_OBJECT) {
    lifecycle::driver_unload(&Wdm {
        driver,
        registry_path: ptr::null(),
    });
}

/// The driver object, seen as the core's host.
struct Wdm {
    driver: *mut DRIVER_OBJECT,
    /// `DriverEntry`'s `RegistryPath`, valid during `DriverEntry`; NULL in the unload routine.
    registry_path: PCUNICODE_STRING,
}

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

impl Wdm {
    /// The driver's one device object (head of its device list), or NULL.
    fn device(&self) -> PDEVICE_OBJECT {
        // SAFETY: the I/O manager's DRIVER_OBJECT, valid while the driver is loaded.
        unsafe { (*self.driver).DeviceObject }
    }
}

// SAFETY: the extension is the one IoCreateDevice allocated with the requested size (pool
// memory, 16-byte aligned on 64-bit), valid until IoDeleteDevice; `device_extension` reads it
// back from the driver's only device object.
unsafe impl Host for Wdm {
    type NetIo = Kernel;
    type Sink = DebugPrint;

    fn netio(&self) -> Kernel {
        Kernel
    }

    fn sink(&self) -> DebugPrint {
        DebugPrint {
            timer: UnsafeCell::new(MaybeUninit::uninit()),
            dpc: UnsafeCell::new(MaybeUninit::uninit()),
            etw: Etw,
        }
    }

    fn create_device(&self, extension_size: usize) -> Result<NonNull<u8>, NtStatus> {
        let size = u32::try_from(extension_size).map_err(|_| NtStatus::INVALID_PARAMETER)?;
        let mut device: PDEVICE_OBJECT = ptr::null_mut();
        // SAFETY: PASSIVE_LEVEL (the core checked); unnamed device, so no name to secure
        // (docs/netio.md#device); FILE_DEVICE_SECURE_OPEN as every Microsoft sample; not exclusive.
        let status = unsafe {
            IoCreateDevice(
                self.driver,
                size,
                ptr::null_mut(),
                FILE_DEVICE_UNKNOWN,
                FILE_DEVICE_SECURE_OPEN,
                0,
                &raw mut device,
            )
        };
        if NtStatus(status).is_error() {
            return Err(NtStatus(status));
        }
        // SAFETY: IoCreateDevice succeeded, so `device` is a valid device object.
        let extension = unsafe { (*device).DeviceExtension };
        NonNull::new(extension.cast()).ok_or(NtStatus::UNSUCCESSFUL)
    }

    fn device_extension(&self) -> Option<NonNull<u8>> {
        let device = self.device();
        if device.is_null() {
            return None;
        }
        // SAFETY: a device object of this driver, not yet deleted.
        NonNull::new(unsafe { (*device).DeviceExtension }.cast())
    }

    fn delete_device(&self) {
        let device = self.device();
        if !device.is_null() {
            // SAFETY: the driver's device; the core calls this after the last cancel returned.
            unsafe { IoDeleteDevice(device) };
        }
    }

    fn enable_unload(&self) {
        // SAFETY: the live DRIVER_OBJECT; DriverEntry is still running, nothing else writes it.
        unsafe { (*self.driver).DriverUnload = Some(driver_unload) };
    }

    fn keep_driver_object(&self) {
        // SAFETY: the live DRIVER_OBJECT (the unload routine runs before the I/O manager drops
        // its reference); PASSIVE_LEVEL. The new count is of no use: the reference is never
        // released (docs/netio.md#failed-cancel).
        let _ = unsafe { ObfReferenceObject(self.driver.cast()) };
    }

    fn open_driver_key(&self, kind: DriverKey) -> Option<Result<Key, NtStatus>> {
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
                self.driver,
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

    fn registry_path(&self) -> &[u16] {
        if self.registry_path.is_null() {
            return &[];
        }
        // SAFETY: DriverEntry's RegistryPath, valid while DriverEntry runs, which is the only
        // time the core reads the registry.
        let path = unsafe { &*self.registry_path };
        if path.Buffer.is_null() {
            return &[];
        }
        // SAFETY: Buffer holds Length bytes of UTF-16 (UNICODE_STRING contract).
        unsafe { core::slice::from_raw_parts(path.Buffer, usize::from(path.Length / 2)) }
    }

    fn open_key(&self, path: &[u16]) -> Result<Key, NtStatus> {
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

    fn query_value(&self, key: Key, name: &str, buffer: &mut [u8; PARAMETER_BUFFER]) -> NtStatus {
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

    fn close_key(&self, key: Key) {
        // SAFETY: a handle open_driver_key or open_key returned, closed once.
        let closed = unsafe { ZwClose(handle(key)) };
        // ZwClose fails only for a handle that is not open, and this one is: nothing to undo
        // or report.
        let _ = closed;
    }
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

/// `DbgPrintEx` with the `DPFLTR_IHVNETWORK_ID` component, the clock, and the storm timer:
/// a `KTIMER` and its `KDPC`, which live in the device extension with the rest of the sink.
struct DebugPrint {
    timer: UnsafeCell<MaybeUninit<KTIMER>>,
    dpc: UnsafeCell<MaybeUninit<KDPC>>,
    etw: Etw,
}

// SAFETY: the timer and the DPC are only ever touched through the Ke* routines, which
// synchronise on them internally (at any IRQL they allow); Rust code never reads them.
unsafe impl Sync for DebugPrint {}

/// The storm timer's DPC routine (`DISPATCH_LEVEL`): `DeferredContext` is the extension.
unsafe extern "C" fn storm_timer_dpc(
    _dpc: *mut KDPC,
    context: PVOID,
    _argument1: PVOID,
    _argument2: PVOID,
) {
    // SAFETY: the context `start_timer` received, which `stop_timer` outlives (core contract).
    unsafe { netnotify_core::storm_timer_expired::<Kernel, DebugPrint>(context) };
}

impl Sink for DebugPrint {
    type Trace = Etw;

    fn trace(&self) -> &Etw {
        &self.etw
    }

    fn emit(&self, level: Level, line: &Line) {
        // SAFETY: a constant "%s" format whose argument is a NUL-terminated ASCII string that
        // outlives the call; DbgPrintEx is callable at IRQL <= DIRQL.
        unsafe {
            DbgPrintEx(
                DPFLTR_IHVNETWORK_ID.cast_unsigned(),
                level.dpfltr_level(),
                c"%s".as_ptr().cast(),
                line.as_c_str_with_newline().as_ptr(),
            );
        }
    }
}

impl Clock for DebugPrint {
    fn now(&self) -> u64 {
        // SAFETY: callable at any IRQL; monotonic, excludes time asleep.
        unsafe { KeQueryUnbiasedInterruptTime() }
    }
}

impl StormTimer for DebugPrint {
    unsafe fn start_timer(&self, context: *mut c_void) {
        // SAFETY: non-paged storage in the device extension, initialised once, before any
        // use (core contract); PASSIVE_LEVEL.
        unsafe { KeInitializeTimer(self.timer.get().cast()) };
        // SAFETY: as above; the routine takes the context the core gave (its contract).
        unsafe { KeInitializeDpc(self.dpc.get().cast(), Some(storm_timer_dpc), context) };
    }

    fn set_timer(&self, delay: u64) {
        // A negative due time is relative, in 100-ns units.
        let due = LARGE_INTEGER {
            QuadPart: i64::try_from(delay).map_or(i64::MIN, i64::wrapping_neg),
        };
        // SAFETY: both objects were initialised by start_timer; callable at <= DISPATCH_LEVEL.
        // The BOOLEAN says whether the timer was already set: replacing its due time is meant.
        let _ = unsafe { KeSetTimer(self.timer.get().cast(), due, self.dpc.get().cast()) };
    }

    fn stop_timer(&self) {
        // SAFETY: initialised by start_timer; PASSIVE_LEVEL. The BOOLEAN (was it set) does not
        // matter: a DPC already queued is waited for just below.
        let _ = unsafe { KeCancelTimer(self.timer.get().cast()) };
        // SAFETY: PASSIVE_LEVEL; returns when every queued DPC, ours included, has run.
        unsafe { KeFlushQueuedDpcs() };
    }
}

/// The ETW provider `netnotify`: the `Etw*` calls, with the handle the core gives, and the run-down
/// protection of the enable callback.
///
/// Microsoft's `tracelogging` crate (`kernel_mode`) would do this with `Provider::register` and
/// `write_event!`; the crate's `register` checks its own state with runtime `panic!`s
/// (called twice, or concurrently), which the image's no-panic proof cannot show unreachable.
/// So the shell calls the four routines itself, with the core's GUID, descriptor, traits and
/// events and wdk-sys' `EVENT_DATA_DESCRIPTOR` (the crate is not a dependency at all: see
/// `netnotify_core::trace`'s `abi` module); the core registers once, at `PASSIVE_LEVEL`, keeps
/// the handle, and unregisters once (Microsoft Learn: `EtwRegister`, `EtwSetInformation`,
/// `EtwWriteTransfer`, `EtwUnregister`). No state: the handle is the core's, the run-down
/// reference [`ETW_RUNDOWN`] the image's.
struct Etw;

/// The enable callback's `EX_RUNDOWN_REF`, in the image's own non-paged static storage rather
/// than in the device extension it protects: the callback acquires it before it looks at the
/// extension, and may find the extension gone (docs/netio.md#etw).
static ETW_RUNDOWN: RundownRef = RundownRef(UnsafeCell::new(EX_RUNDOWN_REF {
    __bindgen_anon_1: _EX_RUNDOWN_REF__bindgen_ty_1 { Count: 0 },
}));

/// An `EX_RUNDOWN_REF` shared by the threads that call the `Ex*RundownProtection` routines.
struct RundownRef(UnsafeCell<EX_RUNDOWN_REF>);

// SAFETY: Rust code never reads or writes it; only the Ex*RundownProtection routines do.
// Acquire, release and wait update it with interlocked operations. ExInitializeRundownProtection
// is a plain store, safe because it runs once in DriverEntry before EtwRegister: no enable
// callback, the only other user, can run yet.
unsafe impl Sync for RundownRef {}

// The core's information classes are the WDK's (checked against windows-sys in
// stand-ins/fidelity).
const _: () = assert!(
    EVENT_PROVIDER_SET_TRAITS.cast_signed() == _EVENT_INFO_CLASS::EventProviderSetTraits
        && EVENT_PROVIDER_USE_DESCRIPTOR_TYPE.cast_signed()
            == _EVENT_INFO_CLASS::EventProviderUseDescriptorType
);

// The core's descriptor and GUID are the WDK's structures (checked field by field against
// windows-sys and the tracelogging crate in the core's tests), so they are passed by pointer
// as they are.
const _: () = assert!(
    size_of::<EventDescriptor>() == size_of::<EVENT_DESCRIPTOR>()
        && align_of::<EventDescriptor>() == align_of::<EVENT_DESCRIPTOR>()
);
const _: () =
    assert!(size_of::<Guid>() == size_of::<GUID>() && align_of::<Guid>() <= align_of::<GUID>());

/// An `EVENT_DATA_DESCRIPTOR` for `bytes`, whose `Reserved` (the descriptor's type) is `kind`.
fn data_descriptor(bytes: &[u8], kind: ULONG) -> EVENT_DATA_DESCRIPTOR {
    EVENT_DATA_DESCRIPTOR {
        Ptr: bytes.as_ptr().addr() as ULONGLONG,
        // Never above u32::MAX: the buffers are the core's fixed few hundred bytes.
        Size: ULONG::try_from(bytes.len()).unwrap_or(0),
        __bindgen_anon_1: _EVENT_DATA_DESCRIPTOR__bindgen_ty_1 { Reserved: kind },
    }
}

/// The provider's enable callback (`ETWENABLECALLBACK`, `PASSIVE_LEVEL`): `CallbackContext` is
/// the extension the core registered.
unsafe extern "C" fn etw_enable_callback(
    _source: LPCGUID,
    code: ULONG,
    level: UCHAR,
    any: ULONGLONG,
    all: ULONGLONG,
    _filter: PEVENT_FILTER_DESCRIPTOR,
    context: PVOID,
) {
    // SAFETY: the context `register` received; the core touches it only under the run-down
    // protection of ETW_RUNDOWN, which unload waits for before it frees the extension.
    unsafe {
        netnotify_core::trace_enable::<Kernel, DebugPrint>(&Etw, context, code, level, any, all);
    };
}

impl Trace for Etw {
    unsafe fn register(&self, context: *mut c_void) -> Result<RegHandle, NtStatus> {
        // Local: no writer sees the handle until the core publishes it, after the traits.
        let mut handle: REGHANDLE = 0;
        // SAFETY: PASSIVE_LEVEL (DriverEntry); a GUID in the image; the callback's context is
        // valid until the run-down wait before `unregister` (core contract); `handle` is a
        // valid out-pointer on this stack.
        let status = unsafe {
            EtwRegister(
                ptr::from_ref(&PROVIDER_GUID).cast::<GUID>(),
                Some(etw_enable_callback),
                context,
                &raw mut handle,
            )
        };
        if NtStatus(status).is_error() {
            return Err(NtStatus(status));
        }
        Ok(RegHandle(handle))
    }

    fn set_information(&self, handle: RegHandle, information: ProviderInformation) -> NtStatus {
        let class = match information {
            ProviderInformation::Traits => _EVENT_INFO_CLASS::EventProviderSetTraits,
            ProviderInformation::UseDescriptorType => {
                _EVENT_INFO_CLASS::EventProviderUseDescriptorType
            }
        };
        let bytes = information.bytes();
        // SAFETY: PASSIVE_LEVEL (DriverEntry); the handle `register` returned; the information
        // is a constant of its exact length, only read.
        let status = unsafe {
            EtwSetInformation(
                handle.0,
                class,
                bytes.as_ptr().cast_mut().cast(),
                ULONG::try_from(bytes.len()).unwrap_or(0),
            )
        };
        NtStatus(status)
    }

    fn unregister(&self, handle: RegHandle) {
        // SAFETY: PASSIVE_LEVEL (DriverUnload, or DriverEntry failing); the handle EtwRegister
        // returned, unregistered once, after the run-down wait (core contract): no enable
        // callback writes with it any more. Its status says only whether the handle
        // was valid, which it is.
        let _ = unsafe { EtwUnregister(handle.0) };
    }

    fn write(
        &self,
        handle: RegHandle,
        descriptor: &EventDescriptor,
        metadata: &[u8],
        payload: &[u8],
    ) -> NtStatus {
        let data = [
            data_descriptor(&PROVIDER_TRAITS, DESCRIPTOR_PROVIDER_TRAITS),
            data_descriptor(metadata, DESCRIPTOR_EVENT_METADATA),
            data_descriptor(payload, DESCRIPTOR_PAYLOAD),
        ];
        // SAFETY: any IRQL; a published handle (core contract); the descriptor and three data
        // descriptors point to the image's constants and the caller's stack, non-paged while
        // it runs, and only read during the call.
        NtStatus(unsafe {
            EtwWriteTransfer(
                handle.0,
                ptr::from_ref(descriptor).cast::<EVENT_DESCRIPTOR>(),
                ptr::null(),
                ptr::null(),
                3,
                data.as_ptr().cast_mut(),
            )
        })
    }

    fn rundown_init(&self) {
        // SAFETY: PASSIVE_LEVEL (DriverEntry), before EtwRegister: no callback uses it yet;
        // a static, so 8-byte aligned and non-paged.
        unsafe { ExInitializeRundownProtection(ETW_RUNDOWN.0.get()) };
    }

    fn rundown_acquire(&self) -> bool {
        // SAFETY: initialised before the callback was registered; non-paged, so any IRQL up
        // to DISPATCH_LEVEL.
        unsafe { ExAcquireRundownProtection(ETW_RUNDOWN.0.get()) != 0 }
    }

    fn rundown_release(&self) {
        // SAFETY: as above; after an acquire that succeeded (core contract).
        unsafe { ExReleaseRundownProtection(ETW_RUNDOWN.0.get()) };
    }

    fn rundown_wait(&self) {
        // SAFETY: PASSIVE_LEVEL (DriverUnload, or DriverEntry failing), after the handle is
        // unpublished and before EtwUnregister; the reference was initialised in DriverEntry.
        unsafe { ExWaitForRundownProtectionRelease(ETW_RUNDOWN.0.get()) };
    }
}

/// The NETIO imports, forwarded one to one.
struct Kernel;

impl NetIo for Kernel {
    unsafe fn notify_ip_interface_change(
        &self,
        family: u16,
        callback: IpInterfaceChangeCallback,
        context: *mut c_void,
        initial_notification: u8,
        handle: &mut Handle,
    ) -> NtStatus {
        // SAFETY: forwarded contract (NetIo); `handle` is a valid out-pointer.
        unsafe {
            imports::NotifyIpInterfaceChange(
                family,
                callback,
                context,
                initial_notification,
                handle,
            )
        }
    }

    unsafe fn notify_unicast_ip_address_change(
        &self,
        family: u16,
        callback: UnicastIpAddressChangeCallback,
        context: *mut c_void,
        initial_notification: u8,
        handle: &mut Handle,
    ) -> NtStatus {
        // SAFETY: forwarded contract (NetIo); `handle` is a valid out-pointer.
        unsafe {
            imports::NotifyUnicastIpAddressChange(
                family,
                callback,
                context,
                initial_notification,
                handle,
            )
        }
    }

    unsafe fn notify_route_change2(
        &self,
        family: u16,
        callback: IpForwardChangeCallback,
        context: *mut c_void,
        initial_notification: u8,
        handle: &mut Handle,
    ) -> NtStatus {
        // SAFETY: forwarded contract (NetIo); `handle` is a valid out-pointer.
        unsafe {
            imports::NotifyRouteChange2(family, callback, context, initial_notification, handle)
        }
    }

    unsafe fn notify_stable_unicast_ip_address_table(
        &self,
        family: u16,
        table: &mut *mut MibUnicastIpAddressTable,
        callback: StableUnicastIpAddressTableCallback,
        context: *mut c_void,
        handle: &mut Handle,
    ) -> NtStatus {
        // SAFETY: forwarded contract (NetIo); both out-pointers are valid and non-NULL.
        unsafe {
            imports::NotifyStableUnicastIpAddressTable(family, table, callback, context, handle)
        }
    }

    unsafe fn cancel_mib_change_notify2(&self, handle: Handle) -> NtStatus {
        // SAFETY: forwarded contract (NetIo): a live handle, cancelled once, at PASSIVE_LEVEL.
        unsafe { imports::CancelMibChangeNotify2(handle) }
    }

    unsafe fn free_mib_table(&self, memory: *mut c_void) {
        // SAFETY: forwarded contract (NetIo): a table NETIO handed out, freed once.
        unsafe { imports::FreeMibTable(memory) }
    }

    fn get_ip_interface_entry(&self, row: &mut MibIpInterfaceRow) -> NtStatus {
        // SAFETY: `row` is a valid, exclusive row for the call to read keys from and fill; the
        // core calls this only at PASSIVE_LEVEL (NetIo contract).
        unsafe { imports::GetIpInterfaceEntry(row) }
    }

    fn get_unicast_ip_address_entry(&self, row: &mut MibUnicastIpAddressRow) -> NtStatus {
        // SAFETY: as above.
        unsafe { imports::GetUnicastIpAddressEntry(row) }
    }

    fn get_ip_forward_entry2(&self, row: &mut MibIpForwardRow2) -> NtStatus {
        // SAFETY: as above.
        unsafe { imports::GetIpForwardEntry2(row) }
    }

    fn convert_interface_luid_to_name(&self, luid: u64, name: &mut [u8]) -> NtStatus {
        // SAFETY: a LUID to read and a buffer of exactly `name.len()` bytes to write; the core
        // calls this only at PASSIVE_LEVEL (NetIo contract).
        unsafe {
            imports::ConvertInterfaceLuidToNameA(&raw const luid, name.as_mut_ptr(), name.len())
        }
    }

    fn convert_interface_luid_to_alias(&self, luid: u64, alias: &mut [u16]) -> NtStatus {
        // SAFETY: as above, `alias.len()` characters.
        unsafe {
            imports::ConvertInterfaceLuidToAlias(&raw const luid, alias.as_mut_ptr(), alias.len())
        }
    }
}

impl Irql for Kernel {
    fn current_irql(&self) -> u8 {
        // SAFETY: callable at any IRQL.
        unsafe { KeGetCurrentIrql() }
    }
}

impl KernelStack for Kernel {
    /// wdm.h's inline `IoGetRemainingStackSize`: the address of a local minus the low limit
    /// `IoGetStackLimits` gives (Microsoft Learn, "`IoGetStackLimits` function (wdm.h)":
    /// <https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetstacklimits>).
    /// Inlined into the core's `enough_stack`, a frame of its own just below the callback's
    /// (so the limits' slots are gone before the callback goes deeper): the local lies a few
    /// bytes deeper than the callback's frame, which only under-states what is left.
    ///
    /// `None` unless the local lies within (low, high]: the limits are the current *thread's*
    /// stack, and a DPC may run on the processor's DPC stack (docs/netio.md#stack), where the
    /// difference would mean nothing.
    #[inline]
    fn remaining_stack(&self) -> Option<usize> {
        let mut low: ULONG_PTR = 0;
        let mut high: ULONG_PTR = 0;
        // SAFETY: callable at any IRQL (Windows Server 2003 SP1 and later); two valid
        // out-pointers to locals, written before it returns.
        unsafe { IoGetStackLimits(&raw mut low, &raw mut high) };
        let here = (&raw const high).addr();
        let low = usize::try_from(low).ok()?;
        let high = usize::try_from(high).ok()?;
        if here > high {
            return None;
        }
        here.checked_sub(low).filter(|&left| left != 0)
    }
}
