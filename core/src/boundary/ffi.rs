//! The NETIO boundary: `#[repr(C)]` mirrors of the rows NETIO hands out and the callback types.
//!
//! The kernel imports of `netio.lib` (NETIO.SYS) that take them are declared by the only code
//! that calls them, the driver shell (`src/shell/netio_imports.rs`).
//!
//! `netioapi.h` is not bound by `wdk-sys`, and the `windows-sys` declarations are the user-mode
//! ones (iphlpapi.dll, Win32 error returns, Rust `bool` for C `BOOLEAN`), so everything here is
//! declared by hand (docs/netio.md#imports, #rows):
//! - C `BOOLEAN` is `u8` (any byte value is valid; a Rust `bool` is not),
//! - C enums (`NL_*`, `MIB_NOTIFICATION_TYPE`) are `i32` (unknown values are legal),
//! - `NET_LUID` is `u64`, `SCOPE_ID` is `u32`, `LARGE_INTEGER` is `i64`,
//! - the `SOCKADDR_INET` union is exposed as its 28 bytes (with its alignment of 4) so that
//!   decoding it needs no `unsafe`; [`crate::model::decode`] reads its fields by offset.
//!
//! Every type is plain integers, so any bit pattern is a valid value: copying a row out of
//! NETIO memory with `read_unaligned` can never produce an invalid value. Sizes and offsets are
//! pinned by the `const` assertions below on every target, and by `tests/layout.rs` against
//! `windows-sys` (Microsoft's generated bindings).

use core::ffi::c_void;
use core::mem::{offset_of, size_of};

/// An opaque NETIO notification handle (`HANDLE`). NULL means "none".
pub type Handle = *mut c_void;

/// `ADDRESS_FAMILY` value `AF_UNSPEC`: both IPv4 and IPv6 in one registration.
pub const AF_UNSPEC: u16 = 0;
/// `ADDRESS_FAMILY` value `AF_INET`.
pub const AF_INET: u16 = 2;
/// `ADDRESS_FAMILY` value `AF_INET6`.
pub const AF_INET6: u16 = 23;

/// `MIB_NOTIFICATION_TYPE` values (docs/netio.md#notification-types). Other values occur and
/// must be tolerated.
pub mod notification_type {
    /// `MibParameterNotification`: an attribute of an existing object changed.
    pub const PARAMETER: i32 = 0;
    /// `MibAddInstance`: an object appeared.
    pub const ADD: i32 = 1;
    /// `MibDeleteInstance`: an object went away.
    pub const DELETE: i32 = 2;
    /// `MibInitialNotification`: confirms the registration; the row is NULL.
    pub const INITIAL: i32 = 3;
}

/// `KIRQL` value `PASSIVE_LEVEL`.
pub const PASSIVE_LEVEL: u8 = 0;

/// `KIRQL` value `APC_LEVEL`.
pub const APC_LEVEL: u8 = 1;

/// `KIRQL` value `DISPATCH_LEVEL`: `FreeMibTable` must be called below it.
pub const DISPATCH_LEVEL: u8 = 2;

/// 100-ns units in a second: the unit of the kernel's times (`KeQueryInterruptTime`, a row's
/// `LARGE_INTEGER` time stamps).
pub const TICKS_PER_SECOND: u64 = 10_000_000;

/// `SOCKADDR_INET` (28 bytes, align 4): a union of `SOCKADDR_IN`, `SOCKADDR_IN6` and the
/// leading `si_family`. Kept as bytes; see [`crate::model::decode::SocketAddress`] for the fields.
#[repr(C, align(4))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SockaddrInet {
    /// The union's bytes, in memory order.
    pub bytes: [u8; 28],
}

/// Byte offsets inside [`SockaddrInet`] (docs/netio.md#rows, `SOCKADDR_IN` / `SOCKADDR_IN6`).
pub mod sockaddr {
    /// `si_family` / `sin_family` / `sin6_family` (u16, native order).
    pub const FAMILY: usize = 0;
    /// `sin_addr`: four bytes in network order.
    pub const IPV4_ADDRESS: usize = 4;
    /// `sin6_addr`: sixteen bytes in network order.
    pub const IPV6_ADDRESS: usize = 8;
    /// `sin6_scope_id` (u32, native order).
    pub const IPV6_SCOPE_ID: usize = 24;
}

/// `IP_ADDRESS_PREFIX` (32 bytes, align 4).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IpAddressPrefix {
    /// `Prefix`.
    pub prefix: SockaddrInet,
    /// `PrefixLength`; 255 marks "illegal", > 32 / > 128 are invalid.
    pub prefix_length: u8,
}

/// `MIB_IPINTERFACE_ROW` (168 bytes, align 8). Keys: `family`, `interface_luid`,
/// `interface_index`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[allow(
    missing_docs,
    reason = "fields are the C fields of the same name (docs/netio.md#rows)"
)]
pub struct MibIpInterfaceRow {
    pub family: u16,
    pub interface_luid: u64,
    pub interface_index: u32,
    pub max_reassembly_size: u32,
    pub interface_identifier: u64,
    pub min_router_advertisement_interval: u32,
    pub max_router_advertisement_interval: u32,
    pub advertising_enabled: u8,
    pub forwarding_enabled: u8,
    pub weak_host_send: u8,
    pub weak_host_receive: u8,
    pub use_automatic_metric: u8,
    pub use_neighbor_unreachability_detection: u8,
    pub managed_address_configuration_supported: u8,
    pub other_stateful_configuration_supported: u8,
    pub advertise_default_route: u8,
    pub router_discovery_behavior: i32,
    pub dad_transmits: u32,
    pub base_reachable_time: u32,
    pub retransmit_time: u32,
    pub path_mtu_discovery_timeout: u32,
    pub link_local_address_behavior: i32,
    pub link_local_address_timeout: u32,
    pub zone_indices: [u32; 16],
    pub site_prefix_length: u32,
    pub metric: u32,
    pub nl_mtu: u32,
    pub connected: u8,
    pub supports_wake_up_patterns: u8,
    pub supports_neighbor_discovery: u8,
    pub supports_router_discovery: u8,
    pub reachable_time: u32,
    pub transmit_offload: u8,
    pub receive_offload: u8,
    pub disable_default_routes: u8,
}

/// `MIB_UNICASTIPADDRESS_ROW` (80 bytes, align 8). Keys: `address`, `interface_luid`,
/// `interface_index`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[allow(
    missing_docs,
    reason = "fields are the C fields of the same name (docs/netio.md#rows)"
)]
pub struct MibUnicastIpAddressRow {
    pub address: SockaddrInet,
    pub interface_luid: u64,
    pub interface_index: u32,
    pub prefix_origin: i32,
    pub suffix_origin: i32,
    pub valid_lifetime: u32,
    pub preferred_lifetime: u32,
    pub on_link_prefix_length: u8,
    pub skip_as_source: u8,
    pub dad_state: i32,
    pub scope_id: u32,
    pub creation_time_stamp: i64,
}

/// `MIB_UNICASTIPADDRESS_TABLE`: `NumEntries`, then the rows from offset 8, stride 80. Declared
/// with one row like the C type (`size_of` = 88); index rows with the C layout, never by hand.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MibUnicastIpAddressTable {
    /// `NumEntries`.
    pub num_entries: u32,
    /// `Table[ANY_SIZE]`.
    pub table: [MibUnicastIpAddressRow; 1],
}

/// `MIB_IPINTERFACE_TABLE` (`GetIpInterfaceTable`).
///
/// `NumEntries`, padding, then the rows from offset 8, stride 168. Declared with one row like the C type (`Table[ANY_SIZE]`); the
/// rows are read through a raw pointer with the C layout, never as a slice.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MibIpInterfaceTable {
    /// `NumEntries`.
    pub num_entries: u32,
    /// `Table[ANY_SIZE]`.
    pub table: [MibIpInterfaceRow; 1],
}

/// `MIB_IPFORWARD_TABLE2`: `NumEntries`, padding, then the rows from offset 8, stride 104
/// (`GetIpForwardTable2`). As [`MibIpInterfaceTable`].
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MibIpForwardTable2 {
    /// `NumEntries`.
    pub num_entries: u32,
    /// `Table[ANY_SIZE]`.
    pub table: [MibIpForwardRow2; 1],
}

/// `MIB_IPFORWARD_ROW2` (104 bytes, align 8). Keys: `interface_luid`, `interface_index`,
/// `destination_prefix`, `next_hop`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[allow(
    missing_docs,
    reason = "fields are the C fields of the same name (docs/netio.md#rows)"
)]
pub struct MibIpForwardRow2 {
    pub interface_luid: u64,
    pub interface_index: u32,
    pub destination_prefix: IpAddressPrefix,
    pub next_hop: SockaddrInet,
    pub site_prefix_length: u8,
    pub valid_lifetime: u32,
    pub preferred_lifetime: u32,
    pub metric: u32,
    pub protocol: i32,
    pub loopback: u8,
    pub autoconfigure_address: u8,
    pub publish: u8,
    pub immortal: u8,
    pub age: u32,
    pub origin: i32,
}

// The x64 layout facts of docs/netio.md#rows, checked on every target this crate is built for.
const _: () = {
    assert!(size_of::<SockaddrInet>() == 28 && align_of::<SockaddrInet>() == 4);
    assert!(size_of::<IpAddressPrefix>() == 32 && align_of::<IpAddressPrefix>() == 4);
    assert!(offset_of!(IpAddressPrefix, prefix_length) == 28);

    assert!(size_of::<MibIpInterfaceRow>() == 168 && align_of::<MibIpInterfaceRow>() == 8);
    assert!(offset_of!(MibIpInterfaceRow, interface_luid) == 8);
    assert!(offset_of!(MibIpInterfaceRow, interface_index) == 16);
    assert!(offset_of!(MibIpInterfaceRow, advertising_enabled) == 40);
    assert!(offset_of!(MibIpInterfaceRow, advertise_default_route) == 48);
    assert!(offset_of!(MibIpInterfaceRow, router_discovery_behavior) == 52);
    assert!(offset_of!(MibIpInterfaceRow, link_local_address_behavior) == 72);
    assert!(offset_of!(MibIpInterfaceRow, zone_indices) == 80);
    assert!(offset_of!(MibIpInterfaceRow, site_prefix_length) == 144);
    assert!(offset_of!(MibIpInterfaceRow, nl_mtu) == 152);
    assert!(offset_of!(MibIpInterfaceRow, connected) == 156);
    assert!(offset_of!(MibIpInterfaceRow, reachable_time) == 160);
    assert!(offset_of!(MibIpInterfaceRow, transmit_offload) == 164);
    assert!(offset_of!(MibIpInterfaceRow, disable_default_routes) == 166);

    assert!(size_of::<MibUnicastIpAddressRow>() == 80);
    assert!(align_of::<MibUnicastIpAddressRow>() == 8);
    assert!(offset_of!(MibUnicastIpAddressRow, interface_luid) == 32);
    assert!(offset_of!(MibUnicastIpAddressRow, interface_index) == 40);
    assert!(offset_of!(MibUnicastIpAddressRow, prefix_origin) == 44);
    assert!(offset_of!(MibUnicastIpAddressRow, on_link_prefix_length) == 60);
    assert!(offset_of!(MibUnicastIpAddressRow, skip_as_source) == 61);
    assert!(offset_of!(MibUnicastIpAddressRow, dad_state) == 64);
    assert!(offset_of!(MibUnicastIpAddressRow, scope_id) == 68);
    assert!(offset_of!(MibUnicastIpAddressRow, creation_time_stamp) == 72);

    assert!(size_of::<MibUnicastIpAddressTable>() == 88);
    assert!(offset_of!(MibUnicastIpAddressTable, table) == 8);

    assert!(size_of::<MibIpInterfaceTable>() == 176 && align_of::<MibIpInterfaceTable>() == 8);
    assert!(offset_of!(MibIpInterfaceTable, table) == 8);
    assert!(size_of::<MibIpForwardTable2>() == 112 && align_of::<MibIpForwardTable2>() == 8);
    assert!(offset_of!(MibIpForwardTable2, table) == 8);

    assert!(size_of::<MibIpForwardRow2>() == 104 && align_of::<MibIpForwardRow2>() == 8);
    assert!(offset_of!(MibIpForwardRow2, interface_index) == 8);
    assert!(offset_of!(MibIpForwardRow2, destination_prefix) == 12);
    assert!(offset_of!(MibIpForwardRow2, next_hop) == 44);
    assert!(offset_of!(MibIpForwardRow2, site_prefix_length) == 72);
    assert!(offset_of!(MibIpForwardRow2, valid_lifetime) == 76);
    assert!(offset_of!(MibIpForwardRow2, metric) == 84);
    assert!(offset_of!(MibIpForwardRow2, protocol) == 88);
    assert!(offset_of!(MibIpForwardRow2, loopback) == 92);
    assert!(offset_of!(MibIpForwardRow2, immortal) == 95);
    assert!(offset_of!(MibIpForwardRow2, age) == 96);
    assert!(offset_of!(MibIpForwardRow2, origin) == 100);
};

/// `PIPINTERFACE_CHANGE_CALLBACK`: (caller context, row or NULL, `MIB_NOTIFICATION_TYPE`).
pub type IpInterfaceChangeCallback =
    Option<unsafe extern "system" fn(*mut c_void, *mut MibIpInterfaceRow, i32)>;
/// `PUNICAST_IPADDRESS_CHANGE_CALLBACK`.
pub type UnicastIpAddressChangeCallback =
    Option<unsafe extern "system" fn(*mut c_void, *mut MibUnicastIpAddressRow, i32)>;
/// `PIPFORWARD_CHANGE_CALLBACK`.
pub type IpForwardChangeCallback =
    Option<unsafe extern "system" fn(*mut c_void, *mut MibIpForwardRow2, i32)>;
/// `PSTABLE_UNICAST_IPADDRESS_TABLE_CALLBACK`: (caller context, table or NULL).
pub type StableUnicastIpAddressTableCallback =
    Option<unsafe extern "system" fn(*mut c_void, *mut MibUnicastIpAddressTable)>;
