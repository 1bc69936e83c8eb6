//! The WDM plumbing: `DriverEntry`, the unload routine and the device object (`Wdm`, the
//! core's `Host`), and the routines the kernel calls into the driver. Mechanical by design;
//! nothing here is a decision a test would check.
//!
//! A symbol's path is where its item is defined, and users set breakpoints on these
//! (docs/windows.md#symbol-names): the entry points `driver_entry` and `driver_unload` are
//! defined here; the routines the kernel calls through a pointer (`storm_timer_dpc`,
//! `etw_enable_callback`) and the types the core is instantiated with (`Wdm`, `Kernel`,
//! `DebugPrint`, `Etw`) in `kernel`, a leaf that every other module imports and that imports
//! none of them (no import circle, `ci/import-cycles`). Their implementations live in the
//! submodules, by what they call:
//! - `registry`: the driver's registry, which `Wdm`'s `Host` reads;
//! - `print`: `DebugPrint`'s lines (`DbgPrintEx`) and clock;
//! - `timer`: `DebugPrint`'s storm timer (`KTIMER`, `KDPC`);
//! - `etw`: the ETW provider (`Etw*`) and its enable callback's run-down reference;
//! - `netio`: `Kernel`, the NETIO imports (`netio_imports`) forwarded, IRQL and stack.
//!
//! Follows microsoft/windows-drivers-rs `examples/sample-wdm-driver` (crate attributes, panic
//! handler, allocator, entry point) and docs/netio.md's contracts for the rest.

#[cfg(not(test))]
extern crate wdk_panic;

mod etw;
mod kernel;
mod netio;
mod netio_imports;
mod print;
mod registry;
mod timer;

use core::cell::UnsafeCell;
use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};

use netnotify_core::boundary::host::{DriverKey, Host, Key};
use netnotify_core::model::settings::PARAMETER_BUFFER;
use netnotify_core::model::status::NtStatus;
use netnotify_core::policy::lifecycle;
#[cfg(not(test))]
use wdk_alloc::WdkAllocator;
use wdk_sys::ntddk::{IoCreateDevice, IoDeleteDevice, ObfReferenceObject};
use wdk_sys::{
    DRIVER_OBJECT, FILE_DEVICE_SECURE_OPEN, FILE_DEVICE_UNKNOWN, NTSTATUS, PCUNICODE_STRING,
    PDEVICE_OBJECT,
};

use kernel::{DebugPrint, Etw, Kernel, Wdm};

#[cfg(not(test))]
#[global_allocator]
static GLOBAL_ALLOCATOR: WdkAllocator = WdkAllocator;

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
        registry::open_driver_key(self, kind)
    }

    fn registry_path(&self) -> &[u16] {
        registry::registry_path(self)
    }

    fn open_key(&self, path: &[u16]) -> Result<Key, NtStatus> {
        registry::open_key(path)
    }

    fn query_value(&self, key: Key, name: &str, buffer: &mut [u8; PARAMETER_BUFFER]) -> NtStatus {
        registry::query_value(key, name, buffer)
    }

    fn close_key(&self, key: Key) {
        registry::close_key(key);
    }
}
