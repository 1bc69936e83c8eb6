//! The scalar fields of the rows: address families, socket addresses, prefixes, `BOOLEAN` flags, intervals,
//! "unset" values, offload bits and zone indices. The LUID, the lifetime and the time stamp
//! have files of their own (`luid`, `lifetime`, `time`), each with its text and its parser.

use core::net::{Ipv4Addr, Ipv6Addr};

use crate::boundary::ffi::{AF_INET, AF_INET6, AF_UNSPEC, SockaddrInet};
use crate::model::printed::{Dec, Out, Put, put};

/// An `ADDRESS_FAMILY`, printed as a word (`ipv4`), or `family(N)` for one Windows does not
/// define here.
#[derive(Clone, Copy, Debug)]
pub struct Family(pub u16);

impl Put for Family {
    fn put<O: Out>(&self, out: &mut O) {
        match self.0 {
            AF_UNSPEC => out.put_str("unspec"),
            AF_INET => out.put_str("ipv4"),
            AF_INET6 => out.put_str("ipv6"),
            other => put!(out; "family(", Dec(other), ")"),
        }
    }
}

/// A decoded `SOCKADDR_INET`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum SocketAddress {
    /// `AF_INET`.
    V4(Ipv4Addr),
    /// `AF_INET6` with its `sin6_scope_id` (0 when unset).
    V6(Ipv6Addr, u32),
    /// Any other `si_family`, kept for printing.
    Other(u16),
}

impl SocketAddress {
    /// Reads `si_family` first, then only the fields that family defines (docs/netio.md#rows).
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
            Self::Other(family) => *family == AF_UNSPEC,
        }
    }

    /// The longest prefix length this family allows (`None` for an unknown family).
    #[must_use]
    pub const fn max_prefix_length(&self) -> Option<u8> {
        match self {
            Self::V4(_) => Some(32),
            Self::V6(..) => Some(128),
            Self::Other(_) => None,
        }
    }
}

/// An address and a prefix length (`IP_ADDRESS_PREFIX`, or an address with its on-link
/// prefix length), the length as delivered.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct Prefix {
    /// The address.
    pub address: SocketAddress,
    /// The prefix length, possibly out of range (255 is the documented "illegal" marker).
    pub length: u8,
}

impl Prefix {
    /// Whether the length is within the family's range.
    #[must_use]
    pub const fn is_valid(&self) -> bool {
        match self.address.max_prefix_length() {
            Some(max) => self.length <= max,
            None => false,
        }
    }
}

/// A C `BOOLEAN`: any non-zero byte is true.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Flag(pub u8);

impl Flag {
    /// Whether the flag is set.
    #[must_use]
    pub const fn is_set(self) -> bool {
        self.0 != 0
    }
}

/// A duration in milliseconds, as the interface row stores its timers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Millis(pub u32);

/// A value where `0xFFFFFFFF` means "not set" (`NlMtu` as `WireGuardNT` reads it; a route's
/// `Metric`, docs/netio.md#values).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Unset(pub u32);

impl Unset {
    /// The "not set" value.
    pub const UNSET: u32 = u32::MAX;
}

/// An `NL_INTERFACE_OFFLOAD_ROD` bitfield byte (bit 0 first, docs/netio.md#rows).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Offload(pub u8);

/// `ZoneIndices`: the zone of the interface at each `SCOPE_LEVEL` (the array index).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ZoneIndices(pub [u32; 16]);
