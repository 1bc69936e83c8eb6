//! Stand-in for wdk-sys 0.5.2 on Linux: exactly the items the driver shell uses, with the
//! paths, spellings, types and attributes that wdk-build 0.6.0's bindgen generates from the WDK
//! headers, so that `src/shell/` compiles, lints and links here as it does on Windows.
//!
//! What "exactly" means (checked by `stand-ins/fidelity` against `windows-sys`, Microsoft's
//! metadata-generated bindings, at compile time for x86_64 and aarch64):
//! - types are aliases over C types (`ULONG` = `c_ulong`, `LONG` = `c_long`: 32 bits on
//!   Windows); there is no `DEVICE_TYPE` (a `#define` in `wdm.h`, so bindgen has no type);
//! - C enums are modules of `c_int` constants with `pub use self::_X::Type as X`
//!   (bindgen's `ModuleConsts` style);
//! - structs have their full layout, every field at its WDK offset. Structs the shell never
//!   looks inside (`KDPC`, `KEVENT`, ...) keep their size and alignment but not their fields;
//! - functions live in `ntddk` inside `unsafe extern "C"`, and every one returning `NTSTATUS`
//!   is `#[must_use]` (wdk-build: `.must_use_type("NTSTATUS")`);
//! - the `_fltused` marker that wdk-sys defines for the linker.
//!
//! On hosts other than Windows, `c_ulong` is 64 bits, so these layouts are only right when
//! compiled for a Windows target: the one place they are used.
#![no_std]
#![allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    missing_docs,
    clippy::pedantic,
    clippy::nursery,
    reason = "the WDK's own names and bindgen's shapes, kept as wdk-sys generates them"
)]

use core::ffi::{
    c_char, c_int, c_long, c_longlong, c_short, c_uchar, c_ulong, c_ulonglong, c_ushort, c_void,
};

pub type NTSTATUS = LONG;
pub type LONG = c_long;
pub type ULONG = c_ulong;
pub type CSHORT = c_short;
pub type USHORT = c_ushort;
pub type UCHAR = c_uchar;
pub type CCHAR = c_char;
pub type BOOLEAN = UCHAR;
pub type KIRQL = UCHAR;
pub type PVOID = *mut c_void;
pub type CHAR = c_char;
pub type PCSTR = *const CHAR;
pub type WCHAR = c_ushort;
pub type PWCH = *mut WCHAR;
pub type ULONGLONG = c_ulonglong;
pub type HANDLE = PVOID;
pub type PHANDLE = *mut HANDLE;
pub type ACCESS_MASK = ULONG;
pub type PULONG = *mut ULONG;
pub type PSECURITY_DESCRIPTOR = PVOID;

/// `_fltused`: the MSVC linker's marker that floating point is used; wdk-sys defines it
/// because no C runtime does in a driver.
#[unsafe(no_mangle)]
pub static _fltused: i32 = 0;

#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct _UNICODE_STRING {
    pub Length: USHORT,
    pub MaximumLength: USHORT,
    pub Buffer: PWCH,
}
pub type UNICODE_STRING = _UNICODE_STRING;
pub type PUNICODE_STRING = *mut UNICODE_STRING;
pub type PCUNICODE_STRING = *const UNICODE_STRING;

#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct _LIST_ENTRY {
    pub Flink: *mut _LIST_ENTRY,
    pub Blink: *mut _LIST_ENTRY,
}
pub type LIST_ENTRY = _LIST_ENTRY;

/// Declares structs that the shell only ever holds by pointer or embeds: their size and
/// alignment are the WDK's (checked), their fields are not spelled out.
macro_rules! opaque {
    ($($name:ident = $alias:ident: [$unit:ty; $count:literal];)*) => {$(
        #[repr(C)]
        #[derive(Debug, Copy, Clone)]
        pub struct $name {
            _opaque: [$unit; $count],
        }
        pub type $alias = $name;
    )*};
}

opaque! {
    _KDEVICE_QUEUE = KDEVICE_QUEUE: [u64; 5];
    _KDPC = KDPC: [u64; 8];
    _KEVENT = KEVENT: [u64; 3];
    _KTIMER = KTIMER: [u64; 8];
    _WAIT_CONTEXT_BLOCK = WAIT_CONTEXT_BLOCK: [u64; 9];
}

/// Declares types that only appear behind pointers in the structs above (size unknown here).
macro_rules! pointee {
    ($($name:ident),*) => {$(
        #[repr(C)]
        #[derive(Debug)]
        pub struct $name {
            _private: [u8; 0],
        }
    )*};
}

pointee!(
    _IRP,
    _IO_TIMER,
    _VPB,
    _DEVOBJ_EXTENSION,
    _DRIVER_EXTENSION,
    _FAST_IO_DISPATCH
);

#[repr(C)]
#[derive(Copy, Clone)]
pub union _DEVICE_OBJECT__bindgen_ty_1 {
    pub ListEntry: LIST_ENTRY,
    pub Wcb: WAIT_CONTEXT_BLOCK,
}

#[repr(C)]
#[derive(Copy, Clone)]
pub struct _DEVICE_OBJECT {
    pub Type: CSHORT,
    pub Size: USHORT,
    pub ReferenceCount: LONG,
    pub DriverObject: *mut _DRIVER_OBJECT,
    pub NextDevice: *mut _DEVICE_OBJECT,
    pub AttachedDevice: *mut _DEVICE_OBJECT,
    pub CurrentIrp: *mut _IRP,
    pub Timer: *mut _IO_TIMER,
    pub Flags: ULONG,
    pub Characteristics: ULONG,
    pub Vpb: *mut _VPB,
    pub DeviceExtension: PVOID,
    pub DeviceType: ULONG,
    pub StackSize: CCHAR,
    pub Queue: _DEVICE_OBJECT__bindgen_ty_1,
    pub AlignmentRequirement: ULONG,
    pub DeviceQueue: KDEVICE_QUEUE,
    pub Dpc: KDPC,
    pub ActiveThreadCount: ULONG,
    pub SecurityDescriptor: PSECURITY_DESCRIPTOR,
    pub DeviceLock: KEVENT,
    pub SectorSize: USHORT,
    pub Spare1: USHORT,
    pub DeviceObjectExtension: *mut _DEVOBJ_EXTENSION,
    pub Reserved: PVOID,
}
pub type DEVICE_OBJECT = _DEVICE_OBJECT;
pub type PDEVICE_OBJECT = *mut DEVICE_OBJECT;

pub type PDRIVER_INITIALIZE = Option<
    unsafe extern "C" fn(
        DriverObject: *mut _DRIVER_OBJECT,
        RegistryPath: PUNICODE_STRING,
    ) -> NTSTATUS,
>;
pub type PDRIVER_STARTIO =
    Option<unsafe extern "C" fn(DeviceObject: *mut _DEVICE_OBJECT, Irp: *mut _IRP)>;
pub type PDRIVER_UNLOAD = Option<unsafe extern "C" fn(DriverObject: *mut _DRIVER_OBJECT)>;
pub type PDRIVER_DISPATCH =
    Option<unsafe extern "C" fn(DeviceObject: *mut _DEVICE_OBJECT, Irp: *mut _IRP) -> NTSTATUS>;

#[repr(C)]
#[derive(Copy, Clone)]
pub struct _DRIVER_OBJECT {
    pub Type: CSHORT,
    pub Size: CSHORT,
    pub DeviceObject: PDEVICE_OBJECT,
    pub Flags: ULONG,
    pub DriverStart: PVOID,
    pub DriverSize: ULONG,
    pub DriverSection: PVOID,
    pub DriverExtension: *mut _DRIVER_EXTENSION,
    pub DriverName: UNICODE_STRING,
    pub HardwareDatabase: PUNICODE_STRING,
    pub FastIoDispatch: *mut _FAST_IO_DISPATCH,
    pub DriverInit: PDRIVER_INITIALIZE,
    pub DriverStartIo: PDRIVER_STARTIO,
    pub DriverUnload: PDRIVER_UNLOAD,
    pub MajorFunction: [PDRIVER_DISPATCH; 28],
}
pub type DRIVER_OBJECT = _DRIVER_OBJECT;
pub type PDRIVER_OBJECT = *mut DRIVER_OBJECT;

#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct _KEY_VALUE_PARTIAL_INFORMATION {
    pub TitleIndex: ULONG,
    pub Type: ULONG,
    pub DataLength: ULONG,
    pub Data: [UCHAR; 1],
}
pub type KEY_VALUE_PARTIAL_INFORMATION = _KEY_VALUE_PARTIAL_INFORMATION;

#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct _OBJECT_ATTRIBUTES {
    pub Length: ULONG,
    pub RootDirectory: HANDLE,
    pub ObjectName: PUNICODE_STRING,
    pub Attributes: ULONG,
    pub SecurityDescriptor: PVOID,
    pub SecurityQualityOfService: PVOID,
}
pub type OBJECT_ATTRIBUTES = _OBJECT_ATTRIBUTES;
pub type POBJECT_ATTRIBUTES = *mut OBJECT_ATTRIBUTES;

pub const OBJ_CASE_INSENSITIVE: u32 = 64;
pub const OBJ_KERNEL_HANDLE: u32 = 512;
pub const FILE_DEVICE_UNKNOWN: u32 = 34;
pub const FILE_DEVICE_SECURE_OPEN: u32 = 256;
pub const KEY_QUERY_VALUE: u32 = 1;

pub mod _DPFLTR_TYPE {
    pub type Type = super::c_int;
    pub const DPFLTR_IHVNETWORK_ID: Type = 80;
}
pub use self::_DPFLTR_TYPE::Type as DPFLTR_TYPE;

pub mod _DRIVER_REGKEY_TYPE {
    pub type Type = super::c_int;
    pub const DriverRegKeyParameters: Type = 0;
    pub const DriverRegKeyPersistentState: Type = 1;
}
pub use self::_DRIVER_REGKEY_TYPE::Type as DRIVER_REGKEY_TYPE;

pub mod _KEY_VALUE_INFORMATION_CLASS {
    pub type Type = super::c_int;
    pub const KeyValuePartialInformation: Type = 2;
}
pub use self::_KEY_VALUE_INFORMATION_CLASS::Type as KEY_VALUE_INFORMATION_CLASS;

// ETW (wdm.h, evntprov.h): what the shell's TraceLogging provider registers and writes with.

pub type REGHANDLE = ULONGLONG;
pub type PREGHANDLE = *mut REGHANDLE;

#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct _GUID {
    pub Data1: c_ulong,
    pub Data2: c_ushort,
    pub Data3: c_ushort,
    pub Data4: [c_uchar; 8usize],
}
pub type GUID = _GUID;
pub type LPCGUID = *const GUID;

#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct _EVENT_DESCRIPTOR {
    pub Id: USHORT,
    pub Version: UCHAR,
    pub Channel: UCHAR,
    pub Level: UCHAR,
    pub Opcode: UCHAR,
    pub Task: USHORT,
    pub Keyword: ULONGLONG,
}
pub type EVENT_DESCRIPTOR = _EVENT_DESCRIPTOR;
pub type PCEVENT_DESCRIPTOR = *const EVENT_DESCRIPTOR;

#[repr(C)]
#[derive(Copy, Clone)]
pub struct _EVENT_DATA_DESCRIPTOR {
    pub Ptr: ULONGLONG,
    pub Size: ULONG,
    pub __bindgen_anon_1: _EVENT_DATA_DESCRIPTOR__bindgen_ty_1,
}
#[repr(C)]
#[derive(Copy, Clone)]
pub union _EVENT_DATA_DESCRIPTOR__bindgen_ty_1 {
    pub Reserved: ULONG,
    pub __bindgen_anon_1: _EVENT_DATA_DESCRIPTOR__bindgen_ty_1__bindgen_ty_1,
}
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct _EVENT_DATA_DESCRIPTOR__bindgen_ty_1__bindgen_ty_1 {
    pub Type: UCHAR,
    pub Reserved1: UCHAR,
    pub Reserved2: USHORT,
}
pub type EVENT_DATA_DESCRIPTOR = _EVENT_DATA_DESCRIPTOR;
pub type PEVENT_DATA_DESCRIPTOR = *mut EVENT_DATA_DESCRIPTOR;

/// Only pointed to (the enable callback's filter data, which the driver ignores).
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct _EVENT_FILTER_DESCRIPTOR {
    pub Ptr: ULONGLONG,
    pub Size: ULONG,
    pub Type: ULONG,
}
pub type PEVENT_FILTER_DESCRIPTOR = *mut _EVENT_FILTER_DESCRIPTOR;

pub type PETWENABLECALLBACK = ::core::option::Option<
    unsafe extern "C" fn(
        SourceId: LPCGUID,
        ControlCode: ULONG,
        Level: UCHAR,
        MatchAnyKeyword: ULONGLONG,
        MatchAllKeyword: ULONGLONG,
        FilterData: PEVENT_FILTER_DESCRIPTOR,
        CallbackContext: PVOID,
    ),
>;

pub mod _EVENT_INFO_CLASS {
    pub type Type = super::c_int;
    pub const EventProviderSetTraits: Type = 2;
    pub const EventProviderUseDescriptorType: Type = 3;
}
pub use self::_EVENT_INFO_CLASS::Type as EVENT_INFO_CLASS;

// Run-down protection (wdm.h): the enable callback's, on a reference in the image.

#[repr(C)]
#[derive(Copy, Clone)]
pub struct _EX_RUNDOWN_REF {
    pub __bindgen_anon_1: _EX_RUNDOWN_REF__bindgen_ty_1,
}
#[repr(C)]
#[derive(Copy, Clone)]
pub union _EX_RUNDOWN_REF__bindgen_ty_1 {
    pub Count: ULONG_PTR,
    pub Ptr: PVOID,
}
pub type EX_RUNDOWN_REF = _EX_RUNDOWN_REF;
pub type PEX_RUNDOWN_REF = *mut _EX_RUNDOWN_REF;

pub type PKTIMER = *mut KTIMER;
pub type PKDPC = *mut KDPC;
pub type PRKDPC = *mut KDPC;
pub type LONGLONG = c_longlong;

/// `KDEFERRED_ROUTINE` (wdm.h): a DPC's routine.
pub type PKDEFERRED_ROUTINE = Option<
    unsafe extern "C" fn(
        Dpc: *mut _KDPC,
        DeferredContext: PVOID,
        SystemArgument1: PVOID,
        SystemArgument2: PVOID,
    ),
>;

/// `LARGE_INTEGER`, as bindgen writes the union (the shell only uses `QuadPart`).
#[repr(C)]
#[derive(Copy, Clone)]
pub union _LARGE_INTEGER {
    pub __bindgen_anon_1: _LARGE_INTEGER__bindgen_ty_1,
    pub u: _LARGE_INTEGER__bindgen_ty_2,
    pub QuadPart: LONGLONG,
}
pub type LARGE_INTEGER = _LARGE_INTEGER;

#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct _LARGE_INTEGER__bindgen_ty_1 {
    pub LowPart: ULONG,
    pub HighPart: LONG,
}

#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct _LARGE_INTEGER__bindgen_ty_2 {
    pub LowPart: ULONG,
    pub HighPart: LONG,
}

pub mod ntddk {
    use super::{
        ACCESS_MASK, BOOLEAN, DRIVER_REGKEY_TYPE, EVENT_INFO_CLASS, HANDLE,
        KEY_VALUE_INFORMATION_CLASS, KIRQL, LARGE_INTEGER, LONG_PTR, LPCGUID, NTSTATUS,
        PCEVENT_DESCRIPTOR, PCSTR, PDEVICE_OBJECT, PDRIVER_OBJECT, PETWENABLECALLBACK,
        PEVENT_DATA_DESCRIPTOR, PEX_RUNDOWN_REF, PHANDLE, PKDEFERRED_ROUTINE, PKDPC, PKTIMER,
        POBJECT_ATTRIBUTES, POOL_FLAGS, PREGHANDLE, PRKDPC, PULONG, PULONG_PTR, PUNICODE_STRING,
        PVOID, REGHANDLE, SIZE_T, ULONG, ULONGLONG,
    };

    // The kernel's import library; on Windows wdk-sys' generated link blocks name it, and
    // wdk-build puts the WDK's km library folder on the search path. Here ci/image makes it.
    #[cfg_attr(
        windows,
        link(name = "ntoskrnl", kind = "static", modifiers = "-bundle")
    )]
    unsafe extern "C" {
        #[must_use]
        pub fn IoCreateDevice(
            DriverObject: PDRIVER_OBJECT,
            DeviceExtensionSize: ULONG,
            DeviceName: PUNICODE_STRING,
            DeviceType: ULONG,
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
        #[must_use]
        pub fn ZwClose(Handle: HANDLE) -> NTSTATUS;
        #[must_use]
        pub fn ZwOpenKey(
            KeyHandle: PHANDLE,
            DesiredAccess: ACCESS_MASK,
            ObjectAttributes: POBJECT_ATTRIBUTES,
        ) -> NTSTATUS;
        pub fn MmGetSystemRoutineAddress(SystemRoutineName: PUNICODE_STRING) -> PVOID;
        pub fn KeInitializeTimer(Timer: PKTIMER);
        pub fn KeInitializeDpc(
            Dpc: PRKDPC,
            DeferredRoutine: PKDEFERRED_ROUTINE,
            DeferredContext: PVOID,
        );
        pub fn KeSetTimer(Timer: PKTIMER, DueTime: LARGE_INTEGER, Dpc: PKDPC) -> BOOLEAN;
        pub fn KeCancelTimer(arg1: PKTIMER) -> BOOLEAN;
        pub fn KeFlushQueuedDpcs();
        pub fn IoGetStackLimits(LowLimit: PULONG_PTR, HighLimit: PULONG_PTR);
        // wdm.h's ObReferenceObject is a macro over this export.
        pub fn ObfReferenceObject(Object: PVOID) -> LONG_PTR;
        // wdk-alloc's: the driver never allocates, so a release image must not import them.
        pub fn ExAllocatePool2(Flags: POOL_FLAGS, NumberOfBytes: SIZE_T, Tag: ULONG) -> PVOID;
        pub fn ExFreePool(P: PVOID);
        #[must_use]
        pub fn EtwRegister(
            ProviderId: LPCGUID,
            EnableCallback: PETWENABLECALLBACK,
            CallbackContext: PVOID,
            RegHandle: PREGHANDLE,
        ) -> NTSTATUS;
        #[must_use]
        pub fn EtwSetInformation(
            RegHandle: REGHANDLE,
            InformationClass: EVENT_INFO_CLASS,
            EventInformation: PVOID,
            InformationLength: ULONG,
        ) -> NTSTATUS;
        #[must_use]
        pub fn EtwWriteTransfer(
            RegHandle: REGHANDLE,
            EventDescriptor: PCEVENT_DESCRIPTOR,
            ActivityId: LPCGUID,
            RelatedActivityId: LPCGUID,
            UserDataCount: ULONG,
            UserData: PEVENT_DATA_DESCRIPTOR,
        ) -> NTSTATUS;
        #[must_use]
        pub fn EtwUnregister(RegHandle: REGHANDLE) -> NTSTATUS;
        // FASTCALL in wdm.h, which x64 and arm64 ignore: the C convention, as bindgen writes it.
        pub fn ExInitializeRundownProtection(RunRef: PEX_RUNDOWN_REF);
        pub fn ExAcquireRundownProtection(RunRef: PEX_RUNDOWN_REF) -> BOOLEAN;
        pub fn ExReleaseRundownProtection(RunRef: PEX_RUNDOWN_REF);
        pub fn ExWaitForRundownProtectionRelease(RunRef: PEX_RUNDOWN_REF);
    }
}

pub type SIZE_T = ULONG_PTR;
pub type ULONG_PTR = c_ulonglong;
pub type PULONG_PTR = *mut ULONG_PTR;
pub type LONG_PTR = c_longlong;
pub type POOL_FLAGS = ULONG64;
pub type ULONG64 = c_ulonglong;
/// Hand-written in wdk-sys (`constants.rs`): bindgen cannot evaluate the header's macro.
pub const POOL_FLAG_NON_PAGED: POOL_FLAGS = 0x40;
