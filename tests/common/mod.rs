//! Row builders shared by the integration tests: rows as NETIO would hand them out.
#![allow(dead_code, reason = "each test binary uses a different part")]

use core::net::{Ipv4Addr, Ipv6Addr};

use netnotify_core::boundary::ffi::{
    AF_INET, AF_INET6, IpAddressPrefix, MibIpForwardRow2, MibIpInterfaceRow,
    MibUnicastIpAddressRow, SockaddrInet,
};

/// LUID of an Ethernet interface (`IfType` 6) with `NetLuidIndex` 1.
pub const ETHERNET_LUID: u64 = 0x0006_0000_0100_0000;
/// LUID of a Wi-Fi interface (`IfType` 71) with `NetLuidIndex` 2.
pub const WIFI_LUID: u64 = 0x0047_0000_0200_0000;

pub fn ipv4(address: Ipv4Addr) -> SockaddrInet {
    let mut bytes = [0; 28];
    bytes[..2].copy_from_slice(&AF_INET.to_ne_bytes());
    bytes[4..8].copy_from_slice(&address.octets());
    SockaddrInet { bytes }
}

pub fn ipv6(address: Ipv6Addr, scope_id: u32) -> SockaddrInet {
    let mut bytes = [0; 28];
    bytes[..2].copy_from_slice(&AF_INET6.to_ne_bytes());
    bytes[8..24].copy_from_slice(&address.octets());
    bytes[24..28].copy_from_slice(&scope_id.to_ne_bytes());
    SockaddrInet { bytes }
}

pub fn interface_row(family: u16, luid: u64, index: u32) -> MibIpInterfaceRow {
    MibIpInterfaceRow {
        family,
        interface_luid: luid,
        interface_index: index,
        ..MibIpInterfaceRow::default()
    }
}

pub fn address_row(address: SockaddrInet, luid: u64, index: u32) -> MibUnicastIpAddressRow {
    MibUnicastIpAddressRow {
        address,
        interface_luid: luid,
        interface_index: index,
        ..MibUnicastIpAddressRow::default()
    }
}

pub fn route_row(
    destination: SockaddrInet,
    prefix_length: u8,
    next_hop: SockaddrInet,
    luid: u64,
    index: u32,
) -> MibIpForwardRow2 {
    MibIpForwardRow2 {
        interface_luid: luid,
        interface_index: index,
        destination_prefix: IpAddressPrefix {
            prefix: destination,
            prefix_length,
        },
        next_hop,
        ..MibIpForwardRow2::default()
    }
}

/// A row built byte by byte at the offsets of docs/netio.md#rows, the way NETIO lays it out on x64.
pub struct RowBytes<const N: usize>(pub [u8; N]);

impl<const N: usize> RowBytes<N> {
    pub const fn zeroed() -> Self {
        Self([0; N])
    }

    pub fn bytes(mut self, offset: usize, bytes: &[u8]) -> Self {
        self.0[offset..offset + bytes.len()].copy_from_slice(bytes);
        self
    }

    pub fn u8(self, offset: usize, value: u8) -> Self {
        self.bytes(offset, &[value])
    }

    pub fn u16(self, offset: usize, value: u16) -> Self {
        self.bytes(offset, &value.to_le_bytes())
    }

    pub fn u32(self, offset: usize, value: u32) -> Self {
        self.bytes(offset, &value.to_le_bytes())
    }

    pub fn i32(self, offset: usize, value: i32) -> Self {
        self.bytes(offset, &value.to_le_bytes())
    }

    pub fn u64(self, offset: usize, value: u64) -> Self {
        self.bytes(offset, &value.to_le_bytes())
    }

    pub fn i64(self, offset: usize, value: i64) -> Self {
        self.bytes(offset, &value.to_le_bytes())
    }

    /// A `SOCKADDR_IN` at `offset`: family 2 at +0, the address at +4.
    pub fn sockaddr_v4(self, offset: usize, address: [u8; 4]) -> Self {
        self.u16(offset, 2).bytes(offset + 4, &address)
    }

    /// A `SOCKADDR_IN6` at `offset`: family 23 at +0, the address at +8, the scope id at +24.
    pub fn sockaddr_v6(self, offset: usize, address: Ipv6Addr, scope_id: u32) -> Self {
        self.u16(offset, 23)
            .bytes(offset + 8, &address.octets())
            .u32(offset + 24, scope_id)
    }

    pub const fn interface(&self) -> MibIpInterfaceRow {
        MibIpInterfaceRow::from_bytes(&self.0).expect("168 bytes")
    }

    pub const fn address(&self) -> MibUnicastIpAddressRow {
        MibUnicastIpAddressRow::from_bytes(&self.0).expect("80 bytes")
    }

    pub const fn route(&self) -> MibIpForwardRow2 {
        MibIpForwardRow2::from_bytes(&self.0).expect("104 bytes")
    }
}
