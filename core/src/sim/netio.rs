//! The simulator as NETIO: the `NetIo` trait, each call recorded and checked against the
//! rules of docs/netio.md, registrations kept, initial notifications delivered inside the call.

use core::cell::Cell;
use core::ffi::c_void;
use core::ptr;
use std::alloc;
use std::format;
use std::string::String;
use std::sync::PoisonError;
use std::sync::atomic::Ordering;
use std::vec::Vec;

use crate::boundary::ffi::{
    Handle, IpForwardChangeCallback, IpInterfaceChangeCallback, MibIpForwardRow2,
    MibIpForwardTable2, MibIpInterfaceRow, MibIpInterfaceTable, MibUnicastIpAddressRow,
    MibUnicastIpAddressTable, StableUnicastIpAddressTableCallback, UnicastIpAddressChangeCallback,
};
use crate::boundary::netio::{Irql, KernelStack, NetIo};
use crate::model::notification::Notification;
use crate::model::status::NtStatus;

use super::kernel::{IN_CALLBACK, IrqlRule, Sim, UNKNOWN_STACK};
use super::network::{Object, of_family};
use super::scenario::{Call, Outcome, StableMode};
use super::state::Callback;

impl NetIo for Sim {
    unsafe fn notify_ip_interface_change(
        &self,
        family: u16,
        callback: IpInterfaceChangeCallback,
        context: *mut c_void,
        initial_notification: u8,
        handle: &mut Handle,
    ) -> NtStatus {
        // SAFETY: forwarded contract.
        unsafe {
            self.register_change(
                Notification::Interface,
                family,
                callback.map(Callback::Interface),
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
        // SAFETY: forwarded contract.
        unsafe {
            self.register_change(
                Notification::Address,
                family,
                callback.map(Callback::Address),
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
        // SAFETY: forwarded contract.
        unsafe {
            self.register_change(
                Notification::Route,
                family,
                callback.map(Callback::Route),
                context,
                initial_notification,
                handle,
            )
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
        *table = ptr::null_mut();
        *handle = ptr::null_mut();
        let mut state = self.state();
        state.calls.push(Call::Register {
            notification: Notification::StableTable,
            family,
            initial: false,
        });
        self.check_irql(
            &mut state,
            Notification::StableTable.function(),
            IrqlRule::Passive,
        );
        let Some(callback) = callback else {
            state
                .violations
                .push("NotifyStableUnicastIpAddressTable called with a NULL callback".into());
            return NtStatus::INVALID_PARAMETER;
        };
        Self::check_context(&mut state, Notification::StableTable, context);
        let callback = Callback::Stable(callback);
        let (status, null_handle) = match Self::next_outcome(&mut state, Notification::StableTable)
        {
            Some(Outcome::Fail(status)) => return status,
            Some(Outcome::NullHandle) => (NtStatus::PENDING, true),
            Some(Outcome::Status(status)) => (status, false),
            None => match state
                .stable_mode
                .clone()
                .unwrap_or(StableMode::Immediate(Some(Vec::new())))
            {
                StableMode::Pending(status) => (status, false),
                StableMode::Immediate(rows) => {
                    drop(state);
                    if let Some(rows) = rows {
                        *table = self.allocate_table(&of_family(&rows, family));
                    }
                    return NtStatus::SUCCESS;
                }
            },
        };
        let id = Self::insert(
            &mut state,
            Notification::StableTable,
            family,
            callback,
            context,
            null_handle,
        );
        // A NULL-handle registration has handle 0, which is NULL.
        *handle = ptr::without_provenance_mut(state.registrations[&id].handle);
        status
    }

    unsafe fn cancel_mib_change_notify2(&self, handle: Handle) -> NtStatus {
        let mut state = self.state();
        let found = state
            .registrations
            .iter()
            .find(|(_, registration)| {
                registration.handle != 0 && registration.handle == handle.addr()
            })
            .map(|(id, registration)| (*id, registration.notification));
        state.calls.push(Call::Cancel {
            notification: found.map(|(_, notification)| notification),
        });
        self.check_irql(&mut state, "CancelMibChangeNotify2", IrqlRule::Passive);
        if handle.is_null() {
            state.violations.push("CancelMibChangeNotify2(NULL)".into());
            return NtStatus::INVALID_PARAMETER;
        }
        let Some((id, notification)) = found else {
            let problem = if state.cancelled_handles.contains(&handle.addr()) {
                "a handle that was already cancelled"
            } else {
                "an unknown handle"
            };
            state
                .violations
                .push(format!("CancelMibChangeNotify2 of {problem} ({handle:p})"));
            return NtStatus::INVALID_PARAMETER;
        };
        if IN_CALLBACK.with(Cell::get).is_some() {
            // In the kernel this deadlocks (cancel waits for the running callback).
            state.violations.push(format!(
                "CancelMibChangeNotify2 for {} called from inside a callback",
                notification.name()
            ));
            return NtStatus::INVALID_PARAMETER;
        }
        if let Some(status) = state.cancel_failures.remove(&notification) {
            // Only a successful cancel stops callbacks: this registration stays live.
            return status;
        }
        state.registrations.get_mut(&id).unwrap().cancelling = true;
        while state.registrations[&id].in_flight > 0 {
            state = self
                .0
                .idle
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.registrations.remove(&id);
        state.cancelled_handles.insert(handle.addr());
        NtStatus::SUCCESS
    }

    fn get_ip_interface_entry(&self, row: &mut MibIpInterfaceRow) -> NtStatus {
        self.query(row, "GetIpInterfaceEntry")
    }

    fn get_unicast_ip_address_entry(&self, row: &mut MibUnicastIpAddressRow) -> NtStatus {
        self.query(row, "GetUnicastIpAddressEntry")
    }

    fn get_ip_forward_entry2(&self, row: &mut MibIpForwardRow2) -> NtStatus {
        self.query(row, "GetIpForwardEntry2")
    }

    fn get_ip_interface_table(
        &self,
        family: u16,
        table: &mut *mut MibIpInterfaceTable,
    ) -> NtStatus {
        self.snapshot::<MibIpInterfaceRow, _>(family, table, "GetIpInterfaceTable")
    }

    fn get_unicast_ip_address_table(
        &self,
        family: u16,
        table: &mut *mut MibUnicastIpAddressTable,
    ) -> NtStatus {
        self.snapshot::<MibUnicastIpAddressRow, _>(family, table, "GetUnicastIpAddressTable")
    }

    fn get_ip_forward_table2(&self, family: u16, table: &mut *mut MibIpForwardTable2) -> NtStatus {
        self.snapshot::<MibIpForwardRow2, _>(family, table, "GetIpForwardTable2")
    }

    fn convert_interface_luid_to_name(&self, luid: u64, name: &mut [u8]) -> NtStatus {
        let found = self.convert(luid, "ConvertInterfaceLuidToNameA", |(name, _)| {
            name.bytes().map(u16::from).collect()
        });
        found.map_or_else(
            |status| status,
            |units| fill(units.iter().copied(), name, ansi),
        )
    }

    fn convert_interface_luid_to_alias(&self, luid: u64, alias: &mut [u16]) -> NtStatus {
        let found = self.convert(luid, "ConvertInterfaceLuidToAlias", |(_, alias)| {
            alias.encode_utf16().collect()
        });
        found.map_or_else(
            |status| status,
            |units| fill(units.iter().copied(), alias, |unit| unit),
        )
    }

    unsafe fn free_mib_table(&self, memory: *mut c_void) {
        let mut state = self.state();
        state.calls.push(Call::FreeMibTable);
        self.check_irql(&mut state, "FreeMibTable", IrqlRule::BelowDispatch);
        let address = memory.addr();
        if memory.is_null() {
            state.violations.push("FreeMibTable(NULL)".into());
        } else if let Some((_, layout, _)) = state.tables.remove(&address) {
            state.freed_tables.insert(address);
            drop(state);
            // SAFETY: allocated by `allocate_table` with this layout and not freed before.
            unsafe { alloc::dealloc(memory.cast(), layout) };
        } else if state.freed_tables.contains(&address) {
            state
                .violations
                .push(format!("FreeMibTable of table {address:#x} twice"));
        } else {
            state.violations.push(format!(
                "FreeMibTable of {address:#x}, which NETIO never handed out"
            ));
        }
    }
}

impl Irql for Sim {
    fn current_irql(&self) -> u8 {
        self.irql()
    }
}

impl KernelStack for Sim {
    fn remaining_stack(&self) -> Option<usize> {
        match self.0.stack.load(Ordering::Relaxed) {
            UNKNOWN_STACK => None,
            bytes => Some(bytes),
        }
    }
}

/// What a failed `Get*Table` call of the double leaves in its out-pointer: an address no
/// table has (the first page is never mapped).
pub const FAILED_TABLE: usize = 0xBAD;

impl Sim {
    /// A `Get*Table` call: checks the IRQL (`PASSIVE_LEVEL`, as each routine's page says),
    /// then hands out a new table of the network's objects of `family`, the caller's until it
    /// frees it with `FreeMibTable` (a table never freed fails [`Sim::finish`]).
    ///
    /// No object of the kind is `STATUS_NOT_FOUND`. A failure scripted with
    /// [`Sim::fail_table`] returns its status; so does a call above
    /// `PASSIVE_LEVEL` (`STATUS_INVALID_DEVICE_STATE`, after recording the misuse). What a
    /// failed call leaves in `Table` is undocumented, so the double leaves the worst: a
    /// non-NULL pointer to nothing ([`FAILED_TABLE`]), which a driver that read it would
    /// fault on (Miri) and a driver that freed it would be told about (`FreeMibTable` of a
    /// table NETIO never handed out).
    fn snapshot<R: Object, T>(&self, family: u16, table: &mut *mut T, function: &str) -> NtStatus {
        *table = ptr::without_provenance_mut(FAILED_TABLE);
        let rows = {
            let mut state = self.state();
            state.calls.push(Call::GetTable(R::NOTIFICATION));
            self.check_irql(&mut state, function, IrqlRule::Passive);
            if self.irql() > IrqlRule::Passive.highest() {
                return NtStatus::INVALID_DEVICE_STATE;
            }
            if let Some(status) = state.table_failures.remove(&R::NOTIFICATION) {
                return status;
            }
            R::table(&mut state.network).of_family(family)
        };
        // No object of the kind: `STATUS_NOT_FOUND` and no table, as the routines' pages say
        // (the user-mode pages' `ERROR_NOT_FOUND`, "no … entries … were found").
        if rows.is_empty() {
            return NtStatus::NOT_FOUND;
        }
        *table = self.allocate_rows(&rows).cast();
        NtStatus::SUCCESS
    }

    /// A LUID conversion: checks the IRQL, then looks the interface's names up.
    fn convert(
        &self,
        luid: u64,
        function: &str,
        pick: impl Fn(&(String, String)) -> Vec<u16>,
    ) -> Result<Vec<u16>, NtStatus> {
        let mut state = self.state();
        self.check_irql(&mut state, function, IrqlRule::Passive);
        state
            .names
            .get(&luid)
            .map(pick)
            .ok_or(NtStatus::INVALID_PARAMETER)
    }
}

/// Copies a conversion's result and its NUL into `buffer`, as NETIO does:
/// `STATUS_NO_MEMORY` (the pages' "not enough memory") when it does not fit. Allocates
/// nothing (the stub NETIO's conversions use it too).
pub(super) fn fill<T: Default>(
    units: impl Iterator<Item = u16> + Clone,
    buffer: &mut [T],
    unit: impl Fn(u16) -> T,
) -> NtStatus {
    if units.clone().count() >= buffer.len() {
        return NtStatus::NO_MEMORY;
    }
    for (slot, value) in buffer.iter_mut().zip(units.map(unit).chain([T::default()])) {
        *slot = value;
    }
    NtStatus::SUCCESS
}

/// A UTF-16 unit of an ANSI name as its byte.
pub(super) fn ansi(unit: u16) -> u8 {
    u8::try_from(unit).unwrap_or(b'?')
}
