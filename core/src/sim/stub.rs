//! A NETIO and a sink without the simulator's bookkeeping (no lock, no recording, no
//! allocation), for measuring the callback path and proving it allocation-free.

use core::ffi::c_void;
use core::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::boundary::ffi::{
    Handle, IpForwardChangeCallback, IpInterfaceChangeCallback, MibIpForwardRow2,
    MibIpForwardTable2, MibIpInterfaceRow, MibIpInterfaceTable, MibUnicastIpAddressRow,
    MibUnicastIpAddressTable, PASSIVE_LEVEL, StableUnicastIpAddressTableCallback,
    UnicastIpAddressChangeCallback,
};
use crate::boundary::host::{Clock, Level, Sink, StormTimer};
use crate::boundary::netio::{Irql, KernelStack, NetIo};
use crate::model::status::NtStatus;
use crate::output::line::Line;
use crate::output::trace::{EventDescriptor, ProviderInformation, RegHandle, Trace};

use super::netio::{ansi, fill};

/// A NETIO that registers nothing and answers every re-query with a completed row, at
/// `PASSIVE_LEVEL`, as the kernel would for an object that exists.
#[derive(Clone, Copy, Debug, Default)]
pub struct Answering;

impl NetIo for Answering {
    unsafe fn notify_ip_interface_change(
        &self,
        _: u16,
        _: IpInterfaceChangeCallback,
        _: *mut c_void,
        _: u8,
        _: &mut Handle,
    ) -> NtStatus {
        NtStatus::UNSUCCESSFUL
    }

    unsafe fn notify_unicast_ip_address_change(
        &self,
        _: u16,
        _: UnicastIpAddressChangeCallback,
        _: *mut c_void,
        _: u8,
        _: &mut Handle,
    ) -> NtStatus {
        NtStatus::UNSUCCESSFUL
    }

    unsafe fn notify_route_change2(
        &self,
        _: u16,
        _: IpForwardChangeCallback,
        _: *mut c_void,
        _: u8,
        _: &mut Handle,
    ) -> NtStatus {
        NtStatus::UNSUCCESSFUL
    }

    unsafe fn notify_stable_unicast_ip_address_table(
        &self,
        _: u16,
        _: &mut *mut MibUnicastIpAddressTable,
        _: StableUnicastIpAddressTableCallback,
        _: *mut c_void,
        _: &mut Handle,
    ) -> NtStatus {
        NtStatus::UNSUCCESSFUL
    }

    unsafe fn cancel_mib_change_notify2(&self, _: Handle) -> NtStatus {
        NtStatus::UNSUCCESSFUL
    }

    unsafe fn free_mib_table(&self, _: *mut c_void) {}

    fn get_ip_interface_entry(&self, row: &mut MibIpInterfaceRow) -> NtStatus {
        row.nl_mtu = 1500;
        row.connected = 1;
        row.zone_indices = [12; 16];
        NtStatus::SUCCESS
    }

    fn get_unicast_ip_address_entry(&self, row: &mut MibUnicastIpAddressRow) -> NtStatus {
        row.on_link_prefix_length = 64;
        row.dad_state = 4;
        row.valid_lifetime = u32::MAX;
        NtStatus::SUCCESS
    }

    fn get_ip_forward_entry2(&self, row: &mut MibIpForwardRow2) -> NtStatus {
        row.protocol = 3;
        row.metric = 256;
        NtStatus::SUCCESS
    }

    // No tables: a rundown here reports each call failed and frees nothing.
    fn get_ip_interface_table(&self, _: u16, _: &mut *mut MibIpInterfaceTable) -> NtStatus {
        NtStatus::UNSUCCESSFUL
    }

    fn get_unicast_ip_address_table(
        &self,
        _: u16,
        _: &mut *mut MibUnicastIpAddressTable,
    ) -> NtStatus {
        NtStatus::UNSUCCESSFUL
    }

    fn get_ip_forward_table2(&self, _: u16, _: &mut *mut MibIpForwardTable2) -> NtStatus {
        NtStatus::UNSUCCESSFUL
    }

    fn convert_interface_luid_to_name(&self, _: u64, name: &mut [u8]) -> NtStatus {
        fill("wireless_32768".encode_utf16(), name, ansi)
    }

    fn convert_interface_luid_to_alias(&self, _: u64, alias: &mut [u16]) -> NtStatus {
        fill("Wi-Fi".encode_utf16(), alias, |unit| unit)
    }
}

impl Irql for Answering {
    fn current_irql(&self) -> u8 {
        PASSIVE_LEVEL
    }
}

impl KernelStack for Answering {
    fn remaining_stack(&self) -> Option<usize> {
        Some(super::DEFAULT_STACK)
    }
}

/// A sink that keeps only the length of the last line (so the work cannot be optimised
/// away), with a fixed clock or the real one.
#[derive(Debug)]
pub struct Discard {
    last: AtomicUsize,
    start: Option<Instant>,
    trace: Counted,
}

impl Discard {
    /// Time stands still at 0.
    #[must_use]
    pub const fn frozen() -> Self {
        Self {
            last: AtomicUsize::new(0),
            start: None,
            trace: Counted(AtomicUsize::new(0)),
        }
    }

    /// Time runs: 100-ns ticks since creation.
    #[must_use]
    pub fn real_time() -> Self {
        Self {
            last: AtomicUsize::new(0),
            start: Some(Instant::now()),
            trace: Counted(AtomicUsize::new(0)),
        }
    }

    /// ETW events written: none unless a session was enabled through
    /// `events::trace_control` (no enable callback comes by itself).
    #[must_use]
    pub fn events_written(&self) -> usize {
        self.trace.0.load(Ordering::Relaxed)
    }

    /// Bytes of the last line emitted.
    #[must_use]
    pub fn last_length(&self) -> usize {
        self.last.load(Ordering::Relaxed)
    }
}

impl Sink for Discard {
    type Trace = Counted;

    fn trace(&self) -> &Counted {
        &self.trace
    }

    fn emit(&self, _: Level, line: &Line) {
        self.last.store(
            line.as_c_str_with_newline().to_bytes().len(),
            Ordering::Relaxed,
        );
    }
}

impl Clock for Discard {
    fn now(&self) -> u64 {
        self.start.map_or(0, |start| {
            u64::try_from(start.elapsed().as_nanos() / 100).unwrap_or(u64::MAX)
        })
    }
}

impl StormTimer for Discard {
    // No timer: a storm's summary comes with the next printed line or at unload.
    unsafe fn start_timer(&self, _: *mut c_void) {}

    fn set_timer(&self, _: u64) {}

    fn stop_timer(&self) {}
}

/// An ETW provider that only counts what it is asked to write.
///
/// Registration succeeds and no enable callback comes by itself, so until a test enables a session every event costs its
/// one enabled check and nothing is written.
#[derive(Debug)]
pub struct Counted(AtomicUsize);

impl Trace for Counted {
    unsafe fn register(&self, _: *mut c_void) -> Result<RegHandle, NtStatus> {
        Ok(RegHandle(1))
    }

    fn set_information(&self, _: RegHandle, _: ProviderInformation) -> NtStatus {
        NtStatus::SUCCESS
    }

    fn unregister(&self, _: RegHandle) {}

    fn write(
        &self,
        _: RegHandle,
        _: &EventDescriptor,
        _: &[u8],
        _: &[u8],
        _: Option<&crate::model::names::Names>,
    ) -> NtStatus {
        self.0.fetch_add(1, Ordering::Relaxed);
        NtStatus::SUCCESS
    }

    fn rundown_init(&self) {}

    fn rundown_acquire(&self) -> bool {
        true
    }

    fn rundown_release(&self) {}

    fn rundown_wait(&self) {}
}
