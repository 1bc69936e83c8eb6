//! The NETIO trait: the kernel calls the core makes, with the contract each one keeps.
//!
//! The driver shell implements it by forwarding to the NETIO imports it declares
//! (`src/shell/netio_imports.rs`); the tests implement it with the simulator (`sim` feature). Every
//! method mirrors its C function one to one, so the shell's implementation stays mechanical and
//! the core's calls are exactly the kernel's.
//!
//! Contract common to the three `Notify*Change` methods (docs/netio.md#registration, #callbacks):
//! - Call at `PASSIVE_LEVEL`, holding nothing a callback may wait for.
//! - `handle` is written: NULL on failure, the registration's handle on success — although a
//!   success with a NULL handle has been observed and must be survived.
//! - With `initial_notification` = 1, the callback receives `MibInitialNotification` (row NULL)
//!   *before the call returns* (twice for `AF_UNSPEC`), on the calling thread.
//! - Real notifications may arrive on other threads at any time after the registration exists,
//!   even before the call returns, concurrently with each other (also for one registration).
//! - The callback may run until [`NetIo::cancel_mib_change_notify2`] on the handle returns.
//!
//! The three `Get*Entry` re-queries and the two LUID conversions are safe to call: they only
//! write the row or buffer they are given (its length passed with it).
//! Their one precondition, `PASSIVE_LEVEL`, is checked by the core with
//! [`Irql::current_irql`] before every call.

use core::ffi::c_void;

use crate::boundary::ffi::{
    Handle, IpForwardChangeCallback, IpInterfaceChangeCallback, MibIpForwardRow2,
    MibIpForwardTable2, MibIpInterfaceRow, MibIpInterfaceTable, MibUnicastIpAddressRow,
    MibUnicastIpAddressTable, StableUnicastIpAddressTableCallback, UnicastIpAddressChangeCallback,
};
use crate::model::status::NtStatus;

/// NETIO's notification API, as the core uses it. `Sync` because the callbacks reach it (to
/// re-query rows and free tables) from NETIO's threads.
#[allow(
    unsafe_code,
    reason = "declares the FFI contracts; the calls happen only in the raw module"
)]
pub trait NetIo: Irql + KernelStack {
    /// `NotifyIpInterfaceChange`.
    ///
    /// # Safety
    /// `context` must stay valid for `callback` until the handle's cancel has returned; after a
    /// success with a NULL handle, forever.
    unsafe fn notify_ip_interface_change(
        &self,
        family: u16,
        callback: IpInterfaceChangeCallback,
        context: *mut c_void,
        initial_notification: u8,
        handle: &mut Handle,
    ) -> NtStatus;

    /// `NotifyUnicastIpAddressChange`.
    ///
    /// # Safety
    /// As [`NetIo::notify_ip_interface_change`].
    unsafe fn notify_unicast_ip_address_change(
        &self,
        family: u16,
        callback: UnicastIpAddressChangeCallback,
        context: *mut c_void,
        initial_notification: u8,
        handle: &mut Handle,
    ) -> NtStatus;

    /// `NotifyRouteChange2`.
    ///
    /// # Safety
    /// As [`NetIo::notify_ip_interface_change`].
    unsafe fn notify_route_change2(
        &self,
        family: u16,
        callback: IpForwardChangeCallback,
        context: *mut c_void,
        initial_notification: u8,
        handle: &mut Handle,
    ) -> NtStatus;

    /// `NotifyStableUnicastIpAddressTable` (docs/netio.md#stable-table). Outcomes:
    /// - `STATUS_SUCCESS`: `table` holds a table the caller owns and frees with
    ///   [`NetIo::free_mib_table`]; `handle` stays NULL; the callback is never called.
    /// - pending (`STATUS_PENDING`, or `ERROR_IO_PENDING` as the WDK page says): `table` is
    ///   NULL, `handle` is valid; the callback receives zero, one or several tables (each one
    ///   the receiver's to free, possibly NULL) until the handle is cancelled.
    /// - failure: nothing to free, nothing to cancel.
    ///
    /// # Safety
    /// As [`NetIo::notify_ip_interface_change`].
    unsafe fn notify_stable_unicast_ip_address_table(
        &self,
        family: u16,
        table: &mut *mut MibUnicastIpAddressTable,
        callback: StableUnicastIpAddressTableCallback,
        context: *mut c_void,
        handle: &mut Handle,
    ) -> NtStatus;

    /// `CancelMibChangeNotify2`: waits for callbacks of `handle` that are running, and none
    /// runs after it returns. Never call it from a callback, twice, or with NULL.
    ///
    /// # Safety
    /// `handle` must come from a successful registration and not have been cancelled yet.
    unsafe fn cancel_mib_change_notify2(&self, handle: Handle) -> NtStatus;

    /// `FreeMibTable`.
    ///
    /// # Safety
    /// `memory` must be a table NETIO handed to this driver and not freed yet.
    unsafe fn free_mib_table(&self, memory: *mut c_void);

    /// `GetIpInterfaceEntry`: fills `row` with the current state of the interface its keys
    /// (`Family`, then `InterfaceLuid` or else `InterfaceIndex`) name. `STATUS_NOT_FOUND` when
    /// there is none. Call only at `PASSIVE_LEVEL`.
    fn get_ip_interface_entry(&self, row: &mut MibIpInterfaceRow) -> NtStatus;

    /// `GetUnicastIpAddressEntry`: as [`NetIo::get_ip_interface_entry`], keyed by `Address`
    /// and `InterfaceLuid` or else `InterfaceIndex`.
    fn get_unicast_ip_address_entry(&self, row: &mut MibUnicastIpAddressRow) -> NtStatus;

    /// `ConvertInterfaceLuidToNameA`: the interface's name (`wireless_32768`), NUL-terminated,
    /// into `name`, whose length is the `Length` passed (the API wants
    /// `NDIS_IF_MAX_STRING_SIZE + 1` bytes; smaller fails with `STATUS_NOT_ENOUGH_MEMORY`).
    /// `STATUS_INVALID_PARAMETER` for a LUID NETIO does not know. Call only at `PASSIVE_LEVEL`.
    fn convert_interface_luid_to_name(&self, luid: u64, name: &mut [u8]) -> NtStatus;

    /// `ConvertInterfaceLuidToAlias`: the interface's alias (`Wi-Fi`), NUL-terminated UTF-16,
    /// into `alias`; as [`NetIo::convert_interface_luid_to_name`] otherwise.
    fn convert_interface_luid_to_alias(&self, luid: u64, alias: &mut [u16]) -> NtStatus;

    /// `GetIpForwardEntry2`: as [`NetIo::get_ip_interface_entry`], keyed by
    /// `DestinationPrefix`, `NextHop` and `InterfaceLuid` or else `InterfaceIndex`.
    fn get_ip_forward_entry2(&self, row: &mut MibIpForwardRow2) -> NtStatus;

    /// `GetIpInterfaceTable(Family, &Table)`: every IP interface of `family` (both for
    /// `AF_UNSPEC`) in a table NETIO allocates, written to `table`. On success the caller owns
    /// it and frees it once with [`NetIo::free_mib_table`]; on failure nothing is the
    /// caller's (docs/netio.md#rundown). Call only at `PASSIVE_LEVEL`.
    fn get_ip_interface_table(&self, family: u16, table: &mut *mut MibIpInterfaceTable)
    -> NtStatus;

    /// `GetUnicastIpAddressTable`: as [`NetIo::get_ip_interface_table`], the unicast
    /// addresses.
    fn get_unicast_ip_address_table(
        &self,
        family: u16,
        table: &mut *mut MibUnicastIpAddressTable,
    ) -> NtStatus;

    /// `GetIpForwardTable2`: as [`NetIo::get_ip_interface_table`], the routes.
    fn get_ip_forward_table2(&self, family: u16, table: &mut *mut MibIpForwardTable2) -> NtStatus;
}

/// The processor's interrupt level: `KeGetCurrentIrql()`, not a NETIO call, but what every
/// NETIO call depends on. Any IRQL.
pub trait Irql: Sync {
    /// The current IRQL. Every NETIO call wants `PASSIVE_LEVEL` (docs/netio.md#irql), and the
    /// IRQL of the callbacks is undocumented (docs/netio.md#callbacks), so the core asks first.
    fn current_irql(&self) -> u8;
}

/// The current thread's kernel stack left, at any IRQL (docs/netio.md#stack).
///
/// What wdm.h's inline `IoGetRemainingStackSize` computes, from `IoGetStackLimits` (an
/// `NtosKrnl` export, any IRQL) and the address of a local.
pub trait KernelStack: Sync {
    /// The bytes of stack left below the caller: the address of a local of this call minus
    /// the stack's low limit, as `IoGetRemainingStackSize` returns it. One kernel call, two
    /// compares and a subtraction; never panics. `None` when it cannot be measured: the local
    /// lies outside the limits `IoGetStackLimits` gives, which are the current thread's, while
    /// a DPC may run on the processor's DPC stack. The core asks at the entry of every
    /// callback and of the storm timer's DPC, before anything else that uses the stack, and
    /// takes the count-only path below [`crate::policy::events::STACK_FLOOR`] or when `None`.
    fn remaining_stack(&self) -> Option<usize>;
}

/// The stack left for a local at `here`, in a stack whose limits are `low` and `high`.
///
/// As `IoGetStackLimits` gives the limits: `here - low`, or `None` unless `low < here <= high`
/// (the limits are the thread's, and a DPC may run on another stack: docs/netio.md#stack).
/// The shell's [`KernelStack::remaining_stack`] reads the limits and the address; this is its
/// decision, here where the tests reach it. Never panics.
#[must_use]
pub const fn stack_left(low: usize, high: usize, here: usize) -> Option<usize> {
    if here > high {
        return None;
    }
    match here.checked_sub(low) {
        Some(0) | None => None,
        left => left,
    }
}

#[cfg(test)]
mod tests {
    use super::stack_left;

    #[test]
    fn stack_left_is_the_distance_to_the_low_limit_only_inside_the_limits() {
        let (low, high) = (0x1000, 0x7000);
        assert_eq!(stack_left(low, high, 0x6000), Some(0x5000));
        assert_eq!(stack_left(low, high, high), Some(0x6000));
        assert_eq!(stack_left(low, high, low + 1), Some(1));
        // On the limit, below it, above the top: not this stack.
        assert_eq!(stack_left(low, high, low), None);
        assert_eq!(stack_left(low, high, 0x800), None);
        assert_eq!(stack_left(low, high, high + 1), None);
        // Limits that make no sense (low above high) measure nothing.
        assert_eq!(stack_left(high, low, 0x6000), None);
        assert_eq!(stack_left(0, usize::MAX, usize::MAX), Some(usize::MAX));
    }
}
