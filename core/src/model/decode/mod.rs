//! Decoding: typed values from the row copies of [`crate::boundary::ffi`], every field of docs/netio.md#rows
//! with the meaning docs/netio.md#values gives it. Safe code only.
//!
//! Nothing is rejected: an unknown notification type becomes [`Change::Other`], an unknown
//! address family [`SocketAddress::Other`], an unknown enum value the `Unknown` variant of its
//! type, an out-of-range prefix length stays as delivered ([`Prefix::is_valid`] says so). No
//! function here can panic: fields are read from fixed-size arrays by destructuring or
//! `get`, never by indexing.
//!
//! This module holds the notification type ([`Change`]); its parts hold the rest: `enums` the
//! C enums, `values` the scalar fields, `rows` the three rows and their keys; `luid`,
//! `lifetime` and `time` each one value with its printed form and the parser of that form.

use crate::boundary::ffi::notification_type;

mod enums;
mod lifetime;
mod luid;
mod rows;
mod time;
mod values;

pub use enums::{
    DadState, IfType, LinkLocalBehavior, PrefixOrigin, RouteOrigin, RouteProtocol, RouterDiscovery,
    SuffixOrigin,
};
pub use lifetime::Lifetime;
pub use luid::Luid;
pub use rows::{Address, AddressKeys, Interface, InterfaceKeys, Route, RouteKeys};
pub use time::Timestamp;
pub use values::{Family, Flag, Millis, Offload, Prefix, SocketAddress, Unset, ZoneIndices};

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
    /// Not a notification: an object that exists as a capture-state rundown found it
    /// (`GetIpInterfaceTable`, `GetUnicastIpAddressTable`, `GetIpForwardTable2`). Never
    /// decoded from a `MIB_NOTIFICATION_TYPE`; its events have `seq` 0 and change no counter
    /// (docs/netio.md#rundown).
    Present,
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
            Self::Present => "present",
        }
    }

    /// Whether the object exists after this change, so that its full state can be queried.
    #[must_use]
    pub const fn has_current_state(self) -> bool {
        matches!(self, Self::Add | Self::Parameter | Self::Present)
    }

    /// Whether it is a rundown's [`Change::Present`]: no notification, no counter, `seq` 0.
    #[must_use]
    pub const fn is_present(self) -> bool {
        matches!(self, Self::Present)
    }
}

#[cfg(test)]
mod tests {
    use super::{
        Change, DadState, IfType, Luid, Prefix, RouteProtocol, RouterDiscovery, SocketAddress,
    };
    use crate::boundary::ffi::SockaddrInet;
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
    fn luid_splits_into_type_index_and_reserved_bits() {
        let luid = Luid(0x0006_0000_0100_0000);
        assert_eq!(luid.if_type(), IfType::EthernetCsmacd);
        assert_eq!(luid.net_luid_index(), 1);
        assert_eq!(luid.reserved(), 0);
        let odd = Luid(0xFFFF_ABCD_EF12_3456);
        assert_eq!(odd.if_type(), IfType::Unknown(0xFFFF));
        assert_eq!(odd.net_luid_index(), 0x00AB_CDEF);
        assert_eq!(odd.reserved(), 0x0012_3456);
    }

    #[test]
    fn enums_keep_unknown_values_including_negative_ones() {
        assert_eq!(DadState::from_raw(4), DadState::Preferred);
        assert_eq!(DadState::from_raw(5), DadState::Unknown(5));
        assert_eq!(RouterDiscovery::from_raw(-1), RouterDiscovery::Unchanged);
        assert_eq!(RouterDiscovery::from_raw(-2), RouterDiscovery::Unknown(-2));
        assert_eq!(
            RouteProtocol::from_raw(10007),
            RouteProtocol::NtStaticNonDod
        );
        assert_eq!(RouteProtocol::from_raw(0), RouteProtocol::Unknown(0));
    }

    #[test]
    fn prefix_length_is_checked_against_the_family() {
        let v4 = SocketAddress::V4(Ipv4Addr::UNSPECIFIED);
        let v6 = SocketAddress::V6(Ipv6Addr::UNSPECIFIED, 0);
        assert!(
            Prefix {
                address: v4,
                length: 32
            }
            .is_valid()
        );
        assert!(
            !Prefix {
                address: v4,
                length: 33
            }
            .is_valid()
        );
        assert!(
            Prefix {
                address: v6,
                length: 128
            }
            .is_valid()
        );
        assert!(
            !Prefix {
                address: v6,
                length: 255
            }
            .is_valid()
        );
        assert!(
            !Prefix {
                address: SocketAddress::Other(0),
                length: 0
            }
            .is_valid()
        );
    }
}
