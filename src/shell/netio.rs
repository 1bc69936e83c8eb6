//! `Kernel`, the core's `NetIo`, `Irql` and `KernelStack`: the NETIO imports
//! (`netio_imports`) forwarded one to one, `KeGetCurrentIrql`, and the stack left from
//! `IoGetStackLimits`.

use core::ffi::c_void;

use netnotify_core::boundary::ffi::{
    Handle, IpForwardChangeCallback, IpInterfaceChangeCallback, MibIpForwardRow2,
    MibIpForwardTable2, MibIpInterfaceRow, MibIpInterfaceTable, MibUnicastIpAddressRow,
    MibUnicastIpAddressTable, StableUnicastIpAddressTableCallback, UnicastIpAddressChangeCallback,
};
use netnotify_core::boundary::netio::{self, Irql, KernelStack, NetIo};
use netnotify_core::model::status::NtStatus;
use wdk_sys::ULONG_PTR;
use wdk_sys::ntddk::{IoGetStackLimits, KeGetCurrentIrql};

use super::kernel::Kernel;
use super::netio_imports as imports;

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

    fn get_ip_interface_table(
        &self,
        family: u16,
        table: &mut *mut MibIpInterfaceTable,
    ) -> NtStatus {
        // SAFETY: `table` is a valid out-pointer; the core calls this only at PASSIVE_LEVEL
        // (NetIo contract) and frees what it receives once (`raw`).
        unsafe { imports::GetIpInterfaceTable(family, table) }
    }

    fn get_unicast_ip_address_table(
        &self,
        family: u16,
        table: &mut *mut MibUnicastIpAddressTable,
    ) -> NtStatus {
        // SAFETY: as above.
        unsafe { imports::GetUnicastIpAddressTable(family, table) }
    }

    fn get_ip_forward_table2(&self, family: u16, table: &mut *mut MibIpForwardTable2) -> NtStatus {
        // SAFETY: as above.
        unsafe { imports::GetIpForwardTable2(family, table) }
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
        netio::stack_left(
            usize::try_from(low).ok()?,
            usize::try_from(high).ok()?,
            here,
        )
    }
}
