//! The NETIO kernel imports: the `extern "system"` declarations of `netio.lib` (NETIO.SYS),
//! kernel expansion, every one called at `PASSIVE_LEVEL`.
//!
//! Prototypes as docs/netio.md#registration gives them, and for the `Get*Entry`, `Get*Table`
//! and `ConvertInterfaceLuidTo*` calls from their WDK pages (`NETIOAPI_API` is `NTSTATUS NTAPI` in
//! kernel mode); the rows and callback types are the core's (`netnotify_core::boundary::ffi`).
//!
//! Declared here, in the shell, with the `#[link(name = "netio")]` directive, because only the
//! shell's `NetIo` implementation (`netio`) calls them. The portable core and its host test
//! binaries never name these symbols.

use core::ffi::c_void;

use netnotify_core::boundary::ffi::{
    Handle, IpForwardChangeCallback, IpInterfaceChangeCallback, MibIpForwardRow2,
    MibIpForwardTable2, MibIpInterfaceRow, MibIpInterfaceTable, MibUnicastIpAddressRow,
    MibUnicastIpAddressTable, StableUnicastIpAddressTableCallback, UnicastIpAddressChangeCallback,
};
use netnotify_core::model::status::NtStatus;

// Links the NETIO imports declared below against netio.lib, which wdk-build's search path
// (`<WDK>\Lib\<ver>\km\<arch>`) provides. Same form as wdk-sys' own link directives.
#[link(name = "netio", kind = "static", modifiers = "-bundle")]
unsafe extern "system" {}

#[allow(non_snake_case, reason = "the exported names of NETIO.SYS")]
unsafe extern "system" {
    /// `NotifyIpInterfaceChange`.
    pub fn NotifyIpInterfaceChange(
        family: u16,
        callback: IpInterfaceChangeCallback,
        caller_context: *mut c_void,
        initial_notification: u8,
        notification_handle: *mut Handle,
    ) -> NtStatus;
    /// `NotifyUnicastIpAddressChange`.
    pub fn NotifyUnicastIpAddressChange(
        family: u16,
        callback: UnicastIpAddressChangeCallback,
        caller_context: *mut c_void,
        initial_notification: u8,
        notification_handle: *mut Handle,
    ) -> NtStatus;
    /// `NotifyRouteChange2`.
    pub fn NotifyRouteChange2(
        address_family: u16,
        callback: IpForwardChangeCallback,
        caller_context: *mut c_void,
        initial_notification: u8,
        notification_handle: *mut Handle,
    ) -> NtStatus;
    /// `NotifyStableUnicastIpAddressTable`.
    pub fn NotifyStableUnicastIpAddressTable(
        family: u16,
        table: *mut *mut MibUnicastIpAddressTable,
        caller_callback: StableUnicastIpAddressTableCallback,
        caller_context: *mut c_void,
        notification_handle: *mut Handle,
    ) -> NtStatus;
    /// `CancelMibChangeNotify2`: blocks until running callbacks of the handle return.
    pub fn CancelMibChangeNotify2(notification_handle: Handle) -> NtStatus;
    /// `FreeMibTable`.
    pub fn FreeMibTable(memory: *mut c_void);
    /// `GetIpInterfaceEntry` (`_Inout_ PMIB_IPINTERFACE_ROW`).
    pub fn GetIpInterfaceEntry(row: *mut MibIpInterfaceRow) -> NtStatus;
    /// `GetUnicastIpAddressEntry` (`_Inout_ PMIB_UNICASTIPADDRESS_ROW`).
    pub fn GetUnicastIpAddressEntry(row: *mut MibUnicastIpAddressRow) -> NtStatus;
    /// `GetIpForwardEntry2` (`_Inout_ PMIB_IPFORWARD_ROW2`).
    pub fn GetIpForwardEntry2(row: *mut MibIpForwardRow2) -> NtStatus;
    /// `GetIpInterfaceTable(ADDRESS_FAMILY, _Outptr_ PMIB_IPINTERFACE_TABLE*)`.
    pub fn GetIpInterfaceTable(family: u16, table: *mut *mut MibIpInterfaceTable) -> NtStatus;
    /// `GetUnicastIpAddressTable(ADDRESS_FAMILY, _Outptr_ PMIB_UNICASTIPADDRESS_TABLE*)`.
    pub fn GetUnicastIpAddressTable(
        family: u16,
        table: *mut *mut MibUnicastIpAddressTable,
    ) -> NtStatus;
    /// `GetIpForwardTable2(ADDRESS_FAMILY, _Outptr_ PMIB_IPFORWARD_TABLE2*)`.
    pub fn GetIpForwardTable2(family: u16, table: *mut *mut MibIpForwardTable2) -> NtStatus;
    /// `ConvertInterfaceLuidToNameA(const NET_LUID*, PSTR, SIZE_T Length)`: `Length` in
    /// bytes.
    pub fn ConvertInterfaceLuidToNameA(
        interface_luid: *const u64,
        interface_name: *mut u8,
        length: usize,
    ) -> NtStatus;
    /// `ConvertInterfaceLuidToAlias(const NET_LUID*, PWSTR, SIZE_T Length)`: `Length` in
    /// characters.
    pub fn ConvertInterfaceLuidToAlias(
        interface_luid: *const u64,
        interface_alias: *mut u16,
        length: usize,
    ) -> NtStatus;
}
