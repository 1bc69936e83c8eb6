//! The wdk stand-ins checked against `windows-sys`, Microsoft's metadata-generated bindings:
//! every type, struct, constant and function of `stand-ins/wdk-sys`, at compile time.
//!
//! Checked, for the target this crate is compiled for (CI: `x86_64-pc-windows-msvc` and
//! `aarch64-pc-windows-msvc`; the layouts are only meaningful there, because `ULONG` is
//! `c_ulong`, so this crate is empty on other targets):
//! - each type alias: width and signedness;
//! - each struct: size, alignment, and every field's offset and width (and signedness, or the
//!   signature of a function-pointer field);
//! - each constant and enum value: value, width and signedness;
//! - each function: ABI family (`extern "C"`/`"system"`, the same on these targets), the
//!   parameter count (a cast to a function pointer of that arity must compile), each
//!   parameter's and the return value's width and signedness, and whether it is variadic.
//!
//! A failed check is a compile error naming the item. Items with no windows-sys counterpart
//! are listed at the end with the reason.
#![no_std]
#![cfg(windows)]
#![allow(
    clippy::undocumented_unsafe_blocks,
    reason = "the only unsafe blocks are inside `field!`, whose SAFETY comment covers them"
)]

use core::mem::{MaybeUninit, align_of, offset_of, size_of};

use wdk_sys as wdk;
use wdk_sys::ntddk;
use windows_sys::Wdk::Foundation as wf;
use windows_sys::Wdk::System::Registry as wr;
use windows_sys::Wdk::System::SystemServices as wss;
use windows_sys::Win32::Foundation as w32;
use windows_sys::Win32::System::Diagnostics::Etw;
use windows_sys::Win32::System::{Ioctl, Kernel, Registry};

/// How the ABI passes a value: its width in bytes and how its bits are read.
#[derive(Clone, Copy)]
pub struct Scalar {
    /// Width in bytes.
    pub size: usize,
    /// 0: signed integer, 1: unsigned integer, 2: pointer, 3: nothing (`()`).
    pub kind: u8,
}

impl Scalar {
    const fn same(self, other: Self) -> bool {
        self.size == other.size && self.kind == other.kind
    }
}

/// A type the ABI passes in a register.
pub trait Abi {
    /// Its width and kind.
    const ABI: Scalar;
}

macro_rules! abi {
    ($kind:literal: $($type:ty),*) => {$(
        impl Abi for $type {
            const ABI: Scalar = Scalar { size: size_of::<$type>(), kind: $kind };
        }
    )*};
}
abi!(0: i8, i16, i32, i64, isize);
abi!(1: u8, u16, u32, u64, usize);
abi!(3: ());

// windows-sys declares C `BOOLEAN` as Rust `bool`: one byte, read as unsigned by C.
impl Abi for bool {
    const ABI: Scalar = Scalar { size: 1, kind: 1 };
}

// `LARGE_INTEGER` by value: eight bytes, passed as a signed 64-bit integer on x64 and
// aarch64, which is how windows-sys declares `KeSetTimer`'s `duetime: i64`.
impl Abi for wdk::LARGE_INTEGER {
    const ABI: Scalar = Scalar { size: 8, kind: 0 };
}
const _: () =
    assert!(size_of::<wdk::LARGE_INTEGER>() == 8 && align_of::<wdk::LARGE_INTEGER>() == 8);

impl<T: ?Sized> Abi for *mut T {
    const ABI: Scalar = Scalar {
        size: size_of::<*mut u8>(),
        kind: 2,
    };
}

impl<T: ?Sized> Abi for *const T {
    const ABI: Scalar = Scalar {
        size: size_of::<*const u8>(),
        kind: 2,
    };
}

impl<F: Signature> Abi for Option<F> {
    const ABI: Scalar = Scalar {
        size: size_of::<Self>(),
        kind: 2,
    };
}

/// A function pointer type's ABI: each parameter, the return value, and `...`.
pub trait Signature {
    /// The parameters, in order.
    const PARAMETERS: &'static [Scalar];
    /// The return value.
    const RETURN: Scalar;
    /// Whether it ends in `...`.
    const VARIADIC: bool;
}

macro_rules! signature {
    ($($parameter:ident),*) => {
        signature!(@abi "C", $($parameter),*);
        signature!(@abi "system", $($parameter),*);
    };
    (@abi $abi:literal, $($parameter:ident),*) => {
        impl<R: Abi, $($parameter: Abi),*> Signature for unsafe extern $abi fn($($parameter),*) -> R {
            const PARAMETERS: &'static [Scalar] = &[$($parameter::ABI),*];
            const RETURN: Scalar = R::ABI;
            const VARIADIC: bool = false;
        }
    };
}
signature!();
signature!(A);
signature!(A, B);
signature!(A, B, C);
signature!(A, B, C, D);
signature!(A, B, C, D, E);
signature!(A, B, C, D, E, F);
signature!(A, B, C, D, E, F, G);

impl<R: Abi, A: Abi, B: Abi, C: Abi> Signature for unsafe extern "C" fn(A, B, C, ...) -> R {
    const PARAMETERS: &'static [Scalar] = &[A::ABI, B::ABI, C::ABI];
    const RETURN: Scalar = R::ABI;
    const VARIADIC: bool = true;
}

/// The same ABI: equal parameter lists, return values and variadic-ness.
const fn same_signature<A: Signature, B: Signature>() -> bool {
    if A::PARAMETERS.len() != B::PARAMETERS.len() || A::VARIADIC != B::VARIADIC {
        return false;
    }
    let mut index = 0;
    while index < A::PARAMETERS.len() {
        if !A::PARAMETERS[index].same(B::PARAMETERS[index]) {
            return false;
        }
        index += 1;
    }
    A::RETURN.same(B::RETURN)
}

/// [`same_signature`] of two function values (their types, by inference).
const fn same_functions<A: Signature, B: Signature>(_: &A, _: &B) -> bool {
    same_signature::<A, B>()
}

/// The ABI of the value behind a pointer (its type, by inference).
const fn abi_at<T: Abi>(_: *const T) -> Scalar {
    T::ABI
}

/// The size of the value behind a pointer (its type, by inference).
const fn size_at<T>(_: *const T) -> usize {
    size_of::<T>()
}

/// The ABI of a value (its type, by inference).
const fn abi_of<T: Abi>(_: &T) -> Scalar {
    T::ABI
}

/// Whether two function-pointer fields have the same signature.
const fn same_callbacks<A: Signature, B: Signature>(
    _: *const Option<A>,
    _: *const Option<B>,
) -> bool {
    same_signature::<A, B>()
}

/// A pointer to `$type::$field` of an uninitialised value: its type, without a value.
macro_rules! field {
    ($holder:ident, $field:ident) => {
        // SAFETY: a place projection of a live (uninitialised) local; nothing is read.
        unsafe { &raw const (*$holder.as_ptr()).$field }
    };
}

/// Same size, alignment, and per field the same offset and: `scalar` width and signedness,
/// `callback` signature, `bytes` width. The list must name every field.
macro_rules! same_struct {
    ($ours:ty, $theirs:ty { $($field:ident: $how:ident),* $(,)? }) => {
        const _: () = {
            const FIELDS: usize = [$(stringify!($field)),*].len();
            assert!(size_of::<$ours>() == size_of::<$theirs>(), concat!("size of ", stringify!($ours)));
            assert!(align_of::<$ours>() == align_of::<$theirs>(), concat!("alignment of ", stringify!($ours)));
            let ours = MaybeUninit::<$ours>::uninit();
            let theirs = MaybeUninit::<$theirs>::uninit();
            let mut covered = 0_usize;
            $(
                assert!(
                    offset_of!($ours, $field) == offset_of!($theirs, $field),
                    concat!("offset of ", stringify!($ours), "::", stringify!($field))
                );
                assert!(
                    same_struct!(@$how field!(ours, $field), field!(theirs, $field)),
                    concat!("type of ", stringify!($ours), "::", stringify!($field))
                );
                covered += size_at(field!(ours, $field));
            )*
            // Every field named: a struct's fields cover it but for padding (less than its
            // alignment per field); a union's each cover at most all of it.
            assert!(
                covered + align_of::<$ours>() * FIELDS > size_of::<$ours>(),
                concat!("fields of ", stringify!($ours))
            );
        };
    };
    (@scalar $ours:expr, $theirs:expr) => { abi_at($ours).same(abi_at($theirs)) };
    // windows-sys declares opaque handle types (`PIO_TIMER`) as `isize`: same width.
    (@handle $ours:expr, $theirs:expr) => {
        abi_at($ours).same(Scalar { kind: 2, ..abi_at($theirs) })
    };
    (@callback $ours:expr, $theirs:expr) => { same_callbacks($ours, $theirs) };
    (@bytes $ours:expr, $theirs:expr) => { size_at($ours) == size_at($theirs) };
}

/// Same value, width and signedness.
macro_rules! same_constant {
    ($($ours:expr => $theirs:expr),* $(,)?) => {$(
        const _: () = assert!(
            $ours as i128 == $theirs as i128 && abi_of(&$ours).same(abi_of(&$theirs)),
            concat!("constant ", stringify!($ours))
        );
    )*};
}

/// Same width and signedness.
macro_rules! same_type {
    ($($ours:ty => $theirs:ty),* $(,)?) => {$(
        const _: () = assert!(
            <$ours as Abi>::ABI.same(<$theirs as Abi>::ABI),
            concat!("type ", stringify!($ours))
        );
    )*};
}

/// Same signature; the `_`s are the parameter count, `...` marks a variadic function.
macro_rules! same_function {
    ($ours:path => $abi:literal $theirs:path; $($parameter:tt),* $(; $dots:tt)?) => {
        const _: () = assert!(
            same_functions(
                &($ours as unsafe extern "C" fn($($parameter),* $(, $dots)?) -> _),
                &($theirs as unsafe extern $abi fn($($parameter),* $(, $dots)?) -> _),
            ),
            concat!("signature of ", stringify!($ours))
        );
    };
}

same_type! {
    wdk::NTSTATUS => w32::NTSTATUS,
    wdk::LONG => i32,
    wdk::ULONG => u32,
    wdk::CSHORT => i16,
    wdk::USHORT => u16,
    wdk::UCHAR => u8,
    wdk::CCHAR => i8,
    wdk::BOOLEAN => bool,
    wdk::KIRQL => u8,
    wdk::PVOID => *mut core::ffi::c_void,
    wdk::CHAR => i8,
    wdk::PCSTR => windows_sys::core::PCSTR,
    wdk::WCHAR => u16,
    wdk::PWCH => windows_sys::core::PWSTR,
    wdk::ULONGLONG => u64,
    wdk::HANDLE => w32::HANDLE,
    wdk::PHANDLE => *mut w32::HANDLE,
    wdk::ACCESS_MASK => u32,
    wdk::PULONG => *mut u32,
    wdk::PSECURITY_DESCRIPTOR => windows_sys::Win32::Security::PSECURITY_DESCRIPTOR,
    wdk::SIZE_T => usize,
    wdk::ULONG_PTR => usize,
    wdk::LONG_PTR => isize,
    wdk::ULONG64 => u64,
    wdk::POOL_FLAGS => u64, // ExAllocatePool2's `flags: u64` below
    wdk::DRIVER_REGKEY_TYPE => wss::DRIVER_REGKEY_TYPE,
    wdk::KEY_VALUE_INFORMATION_CLASS => wr::KEY_VALUE_INFORMATION_CLASS,
    wdk::PDEVICE_OBJECT => *mut wf::DEVICE_OBJECT,
    wdk::PDRIVER_OBJECT => *mut wf::DRIVER_OBJECT,
    wdk::PUNICODE_STRING => *mut w32::UNICODE_STRING,
    wdk::PCUNICODE_STRING => *const w32::UNICODE_STRING,
    wdk::POBJECT_ATTRIBUTES => *mut wf::OBJECT_ATTRIBUTES,
    wdk::REGHANDLE => u64, // wdm.h: `ULONGLONG`; windows-sys: `i64` (see same_but_handle)
    wdk::PREGHANDLE => *mut Etw::REGHANDLE,
    wdk::LPCGUID => *const windows_sys::core::GUID,
    wdk::PCEVENT_DESCRIPTOR => *const Etw::EVENT_DESCRIPTOR,
    wdk::PEVENT_DATA_DESCRIPTOR => *mut Etw::EVENT_DATA_DESCRIPTOR,
    wdk::PEVENT_FILTER_DESCRIPTOR => *mut Etw::EVENT_FILTER_DESCRIPTOR,
    wdk::EVENT_INFO_CLASS => Etw::EVENT_INFO_CLASS,
    wdk::PEX_RUNDOWN_REF => *mut wss::EX_RUNDOWN_REF,
}

// GUID: windows-sys spells its fields in lower case, so offset by offset.
const _: () = {
    use windows_sys::core::GUID;
    assert!(
        size_of::<wdk::GUID>() == size_of::<GUID>()
            && align_of::<wdk::GUID>() == align_of::<GUID>()
    );
    assert!(offset_of!(wdk::GUID, Data1) == offset_of!(GUID, data1));
    assert!(offset_of!(wdk::GUID, Data2) == offset_of!(GUID, data2));
    assert!(offset_of!(wdk::GUID, Data3) == offset_of!(GUID, data3));
    assert!(offset_of!(wdk::GUID, Data4) == offset_of!(GUID, data4));
    let ours = MaybeUninit::<wdk::GUID>::uninit();
    assert!(abi_at(field!(ours, Data1)).same(Scalar { size: 4, kind: 1 }));
};

same_struct!(
    wdk::EVENT_DESCRIPTOR,
    Etw::EVENT_DESCRIPTOR {
        Id: scalar,
        Version: scalar,
        Channel: scalar,
        Level: scalar,
        Opcode: scalar,
        Task: scalar,
        Keyword: scalar,
    }
);

// EVENT_DATA_DESCRIPTOR: bindgen names the union `__bindgen_anon_1`, windows-sys `Anonymous`.
const _: () = {
    type Theirs = Etw::EVENT_DATA_DESCRIPTOR;
    assert!(size_of::<wdk::EVENT_DATA_DESCRIPTOR>() == size_of::<Theirs>());
    assert!(align_of::<wdk::EVENT_DATA_DESCRIPTOR>() == align_of::<Theirs>());
    assert!(offset_of!(wdk::EVENT_DATA_DESCRIPTOR, Ptr) == offset_of!(Theirs, Ptr));
    assert!(offset_of!(wdk::EVENT_DATA_DESCRIPTOR, Size) == offset_of!(Theirs, Size));
    assert!(
        offset_of!(wdk::EVENT_DATA_DESCRIPTOR, __bindgen_anon_1) == offset_of!(Theirs, Anonymous)
    );
    let ours = MaybeUninit::<wdk::EVENT_DATA_DESCRIPTOR>::uninit();
    let theirs = MaybeUninit::<Theirs>::uninit();
    assert!(abi_at(field!(ours, Ptr)).same(abi_at(field!(theirs, Ptr))));
    assert!(abi_at(field!(ours, Size)).same(abi_at(field!(theirs, Size))));
    assert!(size_at(field!(ours, __bindgen_anon_1)) == size_at(field!(theirs, Anonymous)));
};

same_struct!(
    wdk::_EVENT_FILTER_DESCRIPTOR,
    Etw::EVENT_FILTER_DESCRIPTOR {
        Ptr: scalar,
        Size: scalar,
        Type: scalar,
    }
);

// The enable callback: windows-sys' kernel `PETWENABLECALLBACK` has no parameters (see
// NOT_IN_WINDOWS_SYS); its user-mode twin `PENABLECALLBACK` (evntprov.h) has wdm.h's
// parameter list, and the kernel passes the same values.
const _: () = assert!(same_callbacks(
    core::ptr::null::<wdk::PETWENABLECALLBACK>(),
    core::ptr::null::<Etw::PENABLECALLBACK>(),
));

// EX_RUNDOWN_REF: one pointer-sized union, `__bindgen_anon_1` here, `Anonymous` there.
const _: () = {
    type Theirs = wss::EX_RUNDOWN_REF;
    assert!(size_of::<wdk::EX_RUNDOWN_REF>() == size_of::<Theirs>());
    assert!(align_of::<wdk::EX_RUNDOWN_REF>() == align_of::<Theirs>());
    assert!(offset_of!(wdk::EX_RUNDOWN_REF, __bindgen_anon_1) == offset_of!(Theirs, Anonymous));
};
same_struct!(
    wdk::_EX_RUNDOWN_REF__bindgen_ty_1,
    wss::EX_RUNDOWN_REF_0 {
        Count: scalar,
        Ptr: scalar,
    }
);

same_struct!(
    wdk::UNICODE_STRING,
    w32::UNICODE_STRING {
        Length: scalar,
        MaximumLength: scalar,
        Buffer: scalar,
    }
);

same_struct!(
    wdk::LIST_ENTRY,
    Kernel::LIST_ENTRY {
        Flink: scalar,
        Blink: scalar
    }
);

same_struct!(
    wdk::_DEVICE_OBJECT__bindgen_ty_1,
    wf::DEVICE_OBJECT_0 {
        ListEntry: bytes,
        Wcb: bytes,
    }
);

same_struct!(
    wdk::DEVICE_OBJECT,
    wf::DEVICE_OBJECT {
        Type: scalar,
        Size: scalar,
        ReferenceCount: scalar,
        DriverObject: scalar,
        NextDevice: scalar,
        AttachedDevice: scalar,
        CurrentIrp: scalar,
        Timer: handle,
        Flags: scalar,
        Characteristics: scalar,
        Vpb: scalar,
        DeviceExtension: scalar,
        DeviceType: scalar,
        StackSize: scalar,
        Queue: bytes,
        AlignmentRequirement: scalar,
        DeviceQueue: bytes,
        Dpc: bytes,
        ActiveThreadCount: scalar,
        SecurityDescriptor: scalar,
        DeviceLock: bytes,
        SectorSize: scalar,
        Spare1: scalar,
        DeviceObjectExtension: scalar,
        Reserved: scalar,
    }
);

same_struct!(
    wdk::DRIVER_OBJECT,
    wf::DRIVER_OBJECT {
        Type: scalar,
        Size: scalar,
        DeviceObject: scalar,
        Flags: scalar,
        DriverStart: scalar,
        DriverSize: scalar,
        DriverSection: scalar,
        DriverExtension: scalar,
        DriverName: bytes,
        HardwareDatabase: scalar,
        FastIoDispatch: scalar,
        DriverInit: callback,
        DriverStartIo: callback,
        DriverUnload: callback,
        MajorFunction: bytes,
    }
);

same_struct!(
    wdk::OBJECT_ATTRIBUTES,
    wf::OBJECT_ATTRIBUTES {
        Length: scalar,
        RootDirectory: scalar,
        ObjectName: scalar,
        Attributes: scalar,
        SecurityDescriptor: scalar,
        SecurityQualityOfService: scalar,
    }
);

same_struct!(
    wdk::KEY_VALUE_PARTIAL_INFORMATION,
    wss::KEY_VALUE_PARTIAL_INFORMATION {
        TitleIndex: scalar,
        Type: scalar,
        DataLength: scalar,
        Data: bytes,
    }
);

// The embedded structs the shell never looks inside: size and alignment.
macro_rules! same_size_and_alignment {
    ($($ours:ty => $theirs:ty),* $(,)?) => {$(
        const _: () = assert!(
            size_of::<$ours>() == size_of::<$theirs>() && align_of::<$ours>() == align_of::<$theirs>(),
            concat!("size or alignment of ", stringify!($ours))
        );
    )*};
}
same_size_and_alignment! {
    wdk::KDEVICE_QUEUE => wf::KDEVICE_QUEUE,
    wdk::KDPC => wf::KDPC,
    wdk::KEVENT => wf::KEVENT,
    wdk::KTIMER => wss::KTIMER,
    wdk::WAIT_CONTEXT_BLOCK => wss::WAIT_CONTEXT_BLOCK,
    // Every MajorFunction slot is a dispatch routine pointer.
    wdk::PDRIVER_DISPATCH => wf::DRIVER_DISPATCH,
}
const _: () = assert!(same_signature::<
    unsafe extern "C" fn(*mut wdk::_DEVICE_OBJECT, *mut wdk::_IRP) -> wdk::NTSTATUS,
    unsafe extern "system" fn(*const wf::DEVICE_OBJECT, *mut wf::IRP) -> w32::NTSTATUS,
>());

same_constant! {
    wdk::FILE_DEVICE_UNKNOWN => Ioctl::FILE_DEVICE_UNKNOWN,
    wdk::FILE_DEVICE_SECURE_OPEN => wss::FILE_DEVICE_SECURE_OPEN,
    wdk::KEY_QUERY_VALUE => Registry::KEY_QUERY_VALUE,
    wdk::OBJ_CASE_INSENSITIVE => w32::OBJ_CASE_INSENSITIVE,
    wdk::OBJ_KERNEL_HANDLE => w32::OBJ_KERNEL_HANDLE,
    wdk::_DRIVER_REGKEY_TYPE::DriverRegKeyParameters => wss::DriverRegKeyParameters,
    wdk::_DRIVER_REGKEY_TYPE::DriverRegKeyPersistentState => wss::DriverRegKeyPersistentState,
    wdk::_KEY_VALUE_INFORMATION_CLASS::KeyValuePartialInformation => wr::KeyValuePartialInformation,
    wdk::_EVENT_INFO_CLASS::EventProviderSetTraits => Etw::EventProviderSetTraits,
    wdk::_EVENT_INFO_CLASS::EventProviderUseDescriptorType => Etw::EventProviderUseDescriptorType,
}

same_function!(ntddk::IoCreateDevice => "system" wss::IoCreateDevice; _, _, _, _, _, _, _);
same_function!(ntddk::IoDeleteDevice => "system" wss::IoDeleteDevice; _);
same_function!(ntddk::KeGetCurrentIrql => "system" wss::KeGetCurrentIrql;);
same_function!(ntddk::DbgPrintEx => "C" wss::DbgPrintEx; _, _, _; ...);
same_function!(ntddk::KeQueryUnbiasedInterruptTime => "system" wss::KeQueryUnbiasedInterruptTime;);
same_function!(ntddk::IoOpenDriverRegistryKey => "system" wss::IoOpenDriverRegistryKey; _, _, _, _, _);
same_function!(ntddk::ZwQueryValueKey => "system" wr::ZwQueryValueKey; _, _, _, _, _, _);
same_function!(ntddk::ZwClose => "system" wss::ZwClose; _);
same_function!(ntddk::ZwOpenKey => "system" wr::ZwOpenKey; _, _, _);
same_function!(ntddk::MmGetSystemRoutineAddress => "system" wss::MmGetSystemRoutineAddress; _);
same_function!(ntddk::KeInitializeTimer => "system" wss::KeInitializeTimer; _);
same_function!(ntddk::KeInitializeDpc => "system" wss::KeInitializeDpc; _, _, _);
same_function!(ntddk::KeSetTimer => "system" wss::KeSetTimer; _, _, _);
same_function!(ntddk::KeCancelTimer => "system" wss::KeCancelTimer; _);
same_function!(ntddk::KeFlushQueuedDpcs => "system" wss::KeFlushQueuedDpcs;);
same_function!(ntddk::IoGetStackLimits => "system" wss::IoGetStackLimits; _, _);
same_function!(ntddk::ObfReferenceObject => "system" wss::ObfReferenceObject; _);
same_function!(ntddk::ExAllocatePool2 => "system" wss::ExAllocatePool2; _, _, _);
same_function!(ntddk::ExFreePool => "system" wss::ExFreePool; _);
same_function!(ntddk::EtwRegister => "system" wss::EtwRegister; _, _, _, _);
same_function!(ntddk::ExInitializeRundownProtection => "system" wss::ExInitializeRundownProtection; _);
same_function!(ntddk::ExAcquireRundownProtection => "system" wss::ExAcquireRundownProtection; _);
same_function!(ntddk::ExReleaseRundownProtection => "system" wss::ExReleaseRundownProtection; _);
same_function!(ntddk::ExWaitForRundownProtectionRelease => "system" wss::ExWaitForRundownProtectionRelease; _);

/// As [`same_functions`], but the first parameter (a `REGHANDLE`) compared by width only:
/// wdm.h declares it `ULONGLONG` (so bindgen: `u64`), windows-sys' metadata `i64`; the same
/// eight bytes in the same register, and a handle has no sign.
const fn same_but_handle<A: Signature, B: Signature>(_: &A, _: &B) -> bool {
    if A::PARAMETERS.len() != B::PARAMETERS.len()
        || A::PARAMETERS.is_empty()
        || A::VARIADIC != B::VARIADIC
    {
        return false;
    }
    if A::PARAMETERS[0].size != 8 || B::PARAMETERS[0].size != 8 {
        return false;
    }
    let mut index = 1;
    while index < A::PARAMETERS.len() {
        if !A::PARAMETERS[index].same(B::PARAMETERS[index]) {
            return false;
        }
        index += 1;
    }
    A::RETURN.same(B::RETURN)
}
const _: () = assert!(same_but_handle(
    &(ntddk::EtwSetInformation as unsafe extern "C" fn(_, _, _, _) -> _),
    &(wss::EtwSetInformation as unsafe extern "system" fn(_, _, _, _) -> _),
));
const _: () = assert!(same_but_handle(
    &(ntddk::EtwWriteTransfer as unsafe extern "C" fn(_, _, _, _, _, _) -> _),
    &(wss::EtwWriteTransfer as unsafe extern "system" fn(_, _, _, _, _, _) -> _),
));
const _: () = assert!(same_but_handle(
    &(ntddk::EtwUnregister as unsafe extern "C" fn(_) -> _),
    &(wss::EtwUnregister as unsafe extern "system" fn(_) -> _),
));

/// Stand-in items with no windows-sys counterpart, and why each is still right.
pub const NOT_IN_WINDOWS_SYS: &[(&str, &str)] = &[
    (
        "_DPFLTR_TYPE::DPFLTR_IHVNETWORK_ID = 80",
        "windows-sys does not carry dpfilter.h's DPFLTR_TYPE; 80 is the value in the WDK \
         10.0.22621 dpfilter.h, and Wine prints the \
         component the driver passes (ci/wine: 00000050)",
    ),
    (
        "POOL_FLAG_NON_PAGED = 0x40",
        "a #define in wdm.h that windows-sys does not carry; wdk-sys writes it by hand with \
         this value (wdk-sys 0.5.2 constants.rs)",
    ),
    (
        "_fltused",
        "a linker marker, not a Windows API; wdk-sys defines it the same way",
    ),
    (
        "PKDEFERRED_ROUTINE's parameters",
        "windows-sys declares it as `fn()` (the metadata drops them); wdm.h's \
         KDEFERRED_ROUTINE is (PKDPC, PVOID DeferredContext, PVOID, PVOID), as bindgen \
         writes it; KeInitializeDpc's parameter is checked as a pointer-sized value",
    ),
    (
        "PETWENABLECALLBACK's parameters",
        "windows-sys declares the kernel's PETWENABLECALLBACK as `fn()` (the metadata drops \
         them); wdm.h's ETWENABLECALLBACK has evntprov.h's PENABLECALLBACK parameters, which \
         are checked against windows-sys' PENABLECALLBACK above",
    ),
    (
        "KDEVICE_QUEUE, KDPC, KEVENT, KTIMER, WAIT_CONTEXT_BLOCK fields",
        "opaque here: the shell never reads them; their size and alignment are checked",
    ),
    (
        "_IRP, _IO_TIMER, _VPB, _DEVOBJ_EXTENSION, _DRIVER_EXTENSION, _FAST_IO_DISPATCH",
        "only pointed to; a pointer's width does not depend on the pointee",
    ),
];
