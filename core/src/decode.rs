//! Decoding: typed values from the row copies of [`crate::ffi`]. Safe code only.
//!
//! Unknown values are kept, never rejected: an unknown notification type becomes
//! [`Change::Other`], an unknown address family [`SocketAddress::Other`]. No function here can
//! panic: fields are read from fixed-size arrays by destructuring, never by indexing.

use core::net::{Ipv4Addr, Ipv6Addr};

use crate::ffi::{
    AF_INET, AF_INET6, MibIpForwardRow2, MibIpInterfaceRow, MibUnicastIpAddressRow, SockaddrInet,
    notification_type,
};

/// What a change notification reports (`MIB_NOTIFICATION_TYPE`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Change {
    /// `MibParameterNotification`.
    Parameter,
    /// `MibAddInstance`.
    Add,
    /// `MibDeleteInstance`.
    Delete,
    /// `MibInitialNotification`.
    Initial,
    /// Any other value, kept for printing.
    Other(i32),
}

impl Change {
    /// Decodes a raw `MIB_NOTIFICATION_TYPE`.
    #[must_use]
    pub const fn from_raw(raw: i32) -> Self {
        match raw {
            notification_type::PARAMETER => Self::Parameter,
            notification_type::ADD => Self::Add,
            notification_type::DELETE => Self::Delete,
            notification_type::INITIAL => Self::Initial,
            other => Self::Other(other),
        }
    }

    /// The word printed in lines.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Parameter => "parameter",
            Self::Add => "add",
            Self::Delete => "delete",
            Self::Initial => "initial",
            Self::Other(_) => "type",
        }
    }
}

/// A decoded `SOCKADDR_INET`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SocketAddress {
    /// `AF_INET`.
    V4(Ipv4Addr),
    /// `AF_INET6` with its `sin6_scope_id` (0 when unset).
    V6(Ipv6Addr, u32),
    /// Any other `si_family`, kept for printing.
    Other(u16),
}

impl SocketAddress {
    /// Reads `si_family` first, then only the fields that family defines (reference §9).
    #[must_use]
    pub const fn decode(raw: &SockaddrInet) -> Self {
        #[rustfmt::skip]
        let [
            f0, f1, _, _, // family, port
            a4, b4, c4, d4, // sin_addr (IPv4) / sin6_flowinfo (IPv6)
            v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15, // sin6_addr
            s0, s1, s2, s3, // sin6_scope_id
        ] = raw.bytes;
        match u16::from_ne_bytes([f0, f1]) {
            AF_INET => Self::V4(Ipv4Addr::new(a4, b4, c4, d4)),
            AF_INET6 => Self::V6(
                Ipv6Addr::from_octets([
                    v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15,
                ]),
                u32::from_ne_bytes([s0, s1, s2, s3]),
            ),
            other => Self::Other(other),
        }
    }

    /// Whether this is the unspecified address: `0.0.0.0`, `::`, or no family at all
    /// (`AF_UNSPEC`, as in a key-only row). As a route's next hop it means "on-link".
    #[must_use]
    pub const fn is_unspecified(&self) -> bool {
        match self {
            Self::V4(address) => address.is_unspecified(),
            Self::V6(address, _) => address.is_unspecified(),
            Self::Other(family) => *family == crate::ffi::AF_UNSPEC,
        }
    }
}

/// A `NET_LUID`: the interface type (IANA ifType) and the per-type index.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Luid(pub u64);

impl Luid {
    /// `IfType`: bits 48–63.
    #[must_use]
    pub const fn if_type(self) -> u16 {
        // Truncation is the point: the top 16 bits.
        #[allow(clippy::cast_possible_truncation, reason = "extracts bits 48..64")]
        let if_type = (self.0 >> 48) as u16;
        if_type
    }

    /// `NetLuidIndex`: bits 24–47.
    #[must_use]
    pub const fn net_luid_index(self) -> u32 {
        #[allow(clippy::cast_possible_truncation, reason = "extracts bits 24..48")]
        let index = ((self.0 >> 24) & 0x00FF_FFFF) as u32;
        index
    }
}

/// The key fields of an IP interface row.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct InterfaceKeys {
    /// `Family`.
    pub family: u16,
    /// `InterfaceLuid`.
    pub luid: Luid,
    /// `InterfaceIndex`.
    pub index: u32,
}

impl InterfaceKeys {
    /// The keys of `row`.
    #[must_use]
    pub const fn decode(row: &MibIpInterfaceRow) -> Self {
        Self {
            family: row.family,
            luid: Luid(row.interface_luid),
            index: row.interface_index,
        }
    }
}

/// The key fields of a unicast address row.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct AddressKeys {
    /// `Address`.
    pub address: SocketAddress,
    /// `InterfaceLuid`.
    pub luid: Luid,
    /// `InterfaceIndex`.
    pub index: u32,
}

impl AddressKeys {
    /// The keys of `row`.
    #[must_use]
    pub const fn decode(row: &MibUnicastIpAddressRow) -> Self {
        Self {
            address: SocketAddress::decode(&row.address),
            luid: Luid(row.interface_luid),
            index: row.interface_index,
        }
    }
}

/// The key fields of a route row.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RouteKeys {
    /// `DestinationPrefix.Prefix`.
    pub destination: SocketAddress,
    /// `DestinationPrefix.PrefixLength`, as delivered (may be out of range).
    pub prefix_length: u8,
    /// `NextHop`.
    pub next_hop: SocketAddress,
    /// `InterfaceLuid`.
    pub luid: Luid,
    /// `InterfaceIndex`.
    pub index: u32,
}

impl RouteKeys {
    /// The keys of `row`.
    #[must_use]
    pub const fn decode(row: &MibIpForwardRow2) -> Self {
        Self {
            destination: SocketAddress::decode(&row.destination_prefix.prefix),
            prefix_length: row.destination_prefix.prefix_length,
            next_hop: SocketAddress::decode(&row.next_hop),
            luid: Luid(row.interface_luid),
            index: row.interface_index,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Change, Luid, SocketAddress};
    use crate::ffi::SockaddrInet;
    use core::net::{Ipv4Addr, Ipv6Addr};

    fn sockaddr(prefix: &[u8]) -> SockaddrInet {
        let mut raw = SockaddrInet::default();
        raw.bytes[..prefix.len()].copy_from_slice(prefix);
        raw
    }

    #[test]
    fn notification_types_decode_and_unknown_values_are_kept() {
        assert_eq!(Change::from_raw(0), Change::Parameter);
        assert_eq!(Change::from_raw(1), Change::Add);
        assert_eq!(Change::from_raw(2), Change::Delete);
        assert_eq!(Change::from_raw(3), Change::Initial);
        assert_eq!(Change::from_raw(7), Change::Other(7));
        assert_eq!(Change::from_raw(-1), Change::Other(-1));
    }

    #[test]
    fn ipv4_reads_sin_addr() {
        let raw = sockaddr(&[2, 0, 0, 0, 192, 168, 1, 10]);
        assert_eq!(
            SocketAddress::decode(&raw),
            SocketAddress::V4(Ipv4Addr::new(192, 168, 1, 10))
        );
    }

    #[test]
    fn ipv6_reads_sin6_addr_and_scope_id() {
        let mut bytes = [0_u8; 28];
        bytes[..2].copy_from_slice(&23_u16.to_ne_bytes());
        bytes[8] = 0xfe;
        bytes[9] = 0x80;
        bytes[23] = 1;
        bytes[24..28].copy_from_slice(&12_u32.to_ne_bytes());
        let decoded = SocketAddress::decode(&SockaddrInet { bytes });
        assert_eq!(
            decoded,
            SocketAddress::V6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1), 12)
        );
    }

    #[test]
    fn unknown_family_is_kept() {
        assert_eq!(
            SocketAddress::decode(&sockaddr(&[99, 0])),
            SocketAddress::Other(99)
        );
    }

    #[test]
    fn luid_splits_into_type_and_index() {
        let luid = Luid(0x0006_0000_0100_0000);
        assert_eq!(luid.if_type(), 6);
        assert_eq!(luid.net_luid_index(), 1);
    }
}
