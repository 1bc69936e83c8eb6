//! The ETW provider `netnotify`, the core's `Trace`: `EtwRegister`, `EtwSetInformation`,
//! `EtwWriteTransfer` and `EtwUnregister`, and the enable callback's run-down reference
//! (`Ex*RundownProtection`). The type `Etw` and the enable callback itself,
//! `etw_enable_callback`, are defined in `kernel` for their symbol names
//! (docs/windows.md#symbol-names).

use core::cell::UnsafeCell;
use core::ffi::c_void;
use core::ptr;

use netnotify_core::model::names::Names;
use netnotify_core::model::status::NtStatus;
use netnotify_core::output::trace::{
    DESCRIPTOR_EVENT_METADATA, DESCRIPTOR_PAYLOAD, DESCRIPTOR_PROVIDER_TRAITS,
    EVENT_PROVIDER_SET_TRAITS, EVENT_PROVIDER_USE_DESCRIPTOR_TYPE, EventDescriptor, Guid,
    PAYLOAD_PARTS, PROVIDER_GUID, PROVIDER_TRAITS, Parts, ProviderInformation, RegHandle, Trace,
};
use wdk_sys::_EVENT_DATA_DESCRIPTOR__bindgen_ty_1;
use wdk_sys::ntddk::{
    EtwRegister, EtwSetInformation, EtwUnregister, EtwWriteTransfer, ExAcquireRundownProtection,
    ExInitializeRundownProtection, ExReleaseRundownProtection, ExWaitForRundownProtectionRelease,
};
use wdk_sys::{
    _EVENT_INFO_CLASS, _EX_RUNDOWN_REF__bindgen_ty_1, EVENT_DATA_DESCRIPTOR, EVENT_DESCRIPTOR,
    EX_RUNDOWN_REF, GUID, REGHANDLE, ULONG, ULONGLONG,
};

use super::kernel::{Etw, etw_enable_callback};

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

// "EventWrite function (evntprov.h)": at most 128 data descriptors per event.
const _: () = assert!(2 + PAYLOAD_PARTS <= 128);

/// An `EVENT_DATA_DESCRIPTOR` for `bytes`, whose `Reserved` (the descriptor's type) is `kind`.
fn data_descriptor(bytes: &[u8], kind: ULONG) -> EVENT_DATA_DESCRIPTOR {
    EVENT_DATA_DESCRIPTOR {
        // Exposed, not only its address: the kernel reads the bytes through this integer
        // ("EVENT_DATA_DESCRIPTOR structure": cast the data pointer to an unsigned integer).
        Ptr: bytes.as_ptr().expose_provenance() as ULONGLONG,
        // Never above u32::MAX: the buffers are the core's fixed few hundred bytes.
        Size: ULONG::try_from(bytes.len()).unwrap_or(0),
        __bindgen_anon_1: _EVENT_DATA_DESCRIPTOR__bindgen_ty_1 { Reserved: kind },
    }
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
        names: Option<&Names>,
    ) -> NtStatus {
        // The traits, the metadata, then each payload part (at most PAYLOAD_PARTS): the blocks
        // are "concatenated in order with no padding or alignment" into the event ("EventWrite
        // function (evntprov.h)", UserData, Microsoft Learn). The names' units are passed
        // where the core holds them, not copied.
        let mut data = [data_descriptor(&[], DESCRIPTOR_PAYLOAD); 2 + PAYLOAD_PARTS];
        let mut count: ULONG = 2;
        let [traits, meta, parts @ ..] = &mut data;
        *traits = data_descriptor(&PROVIDER_TRAITS, DESCRIPTOR_PROVIDER_TRAITS);
        *meta = data_descriptor(metadata, DESCRIPTOR_EVENT_METADATA);
        let mut slots = parts.iter_mut();
        for part in Parts::new(payload, names) {
            // A part with no slot would cut the event short (a string without its NUL):
            // refused whole, and counted as dropped by the caller.
            let Some(slot) = slots.next() else {
                return NtStatus::BUFFER_OVERFLOW;
            };
            *slot = data_descriptor(part, DESCRIPTOR_PAYLOAD);
            count = count.saturating_add(1);
        }
        // SAFETY: "EtwWriteTransfer function (wdm.h)": any IRQL, with the data in system space
        // and non-paged above APC_LEVEL: the descriptor and the `count` (at most 2 +
        // PAYLOAD_PARTS, under the 128 data descriptors "EventWrite function" allows) data
        // descriptors point to the kernel stack and the image's read-only data (the
        // traits, the metadata statics, `Names::UNKNOWN`), all alive until the call returns
        // and only read by it; the handle is a published one (the core's contract).
        NtStatus(unsafe {
            EtwWriteTransfer(
                handle.0,
                ptr::from_ref(descriptor).cast::<EVENT_DESCRIPTOR>(),
                ptr::null(),
                ptr::null(),
                count,
                data.as_mut_ptr(),
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
