//! Decoding: typed values from the row copies of [`crate::ffi`], every field of docs/netio.md#rows
//! with the meaning docs/netio.md#values gives it. Safe code only.
//!
//! Nothing is rejected: an unknown notification type becomes [`Change::Other`], an unknown
//! address family [`SocketAddress::Other`], an unknown enum value the `Unknown` variant of its
//! type, an out-of-range prefix length stays as delivered ([`Prefix::is_valid`] says so). No
//! function here can panic: fields are read from fixed-size arrays by destructuring or
//! `get`, never by indexing.

use core::net::{Ipv4Addr, Ipv6Addr};

use crate::ffi::{
    AF_INET, AF_INET6, AF_UNSPEC, MibIpForwardRow2, MibIpInterfaceRow, MibUnicastIpAddressRow,
    SockaddrInet, notification_type,
};
use crate::line::{Out, Put, display_by_put};

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

    /// Whether the object exists after this change, so that its full state can be queried.
    #[must_use]
    pub const fn has_current_state(self) -> bool {
        matches!(self, Self::Add | Self::Parameter)
    }
}

/// Declares a C enum as a Rust enum with an `Unknown` variant that keeps any other value: a
/// C enum may hold values this driver has never heard of, so transmuting would be undefined
/// behaviour. `Put` and `Display` print the name, or the number for an unknown value.
macro_rules! c_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident: $raw:ty {
            $($variant:ident = $value:literal => $text:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub enum $name {
            $(
                #[doc = concat!("`", stringify!($value), "`, printed `", $text, "`.")]
                $variant,
            )+
            /// Any other value, printed as its number.
            Unknown($raw),
        }

        impl $name {
            /// Every value Windows defines, with its printed name (for tools that read the
            /// names back, such as `cargo replay`'s readable rows).
            pub const NAMES: &'static [($raw, &'static str)] = &[$(($value, $text),)+];

            /// Decodes the raw value.
            #[must_use]
            pub const fn from_raw(raw: $raw) -> Self {
                match raw {
                    $($value => Self::$variant,)+
                    other => Self::Unknown(other),
                }
            }

            /// The printed name; `None` for an unknown value.
            #[must_use]
            pub const fn name(self) -> Option<&'static str> {
                match self {
                    $(Self::$variant => Some($text),)+
                    Self::Unknown(_) => None,
                }
            }
        }

        impl Put for $name {
            fn put<O: Out>(&self, out: &mut O) {
                match self {
                    Self::Unknown(raw) => out.put_str(itoa::Buffer::new().format(*raw)),
                    known => out.put_str(known.name().unwrap_or("")),
                }
            }
        }

        display_by_put!($name);
    };
}

c_enum! {
    /// `NL_PREFIX_ORIGIN`: where an address's prefix came from.
    pub enum PrefixOrigin: i32 {
        Other = 0 => "other",
        Manual = 1 => "manual",
        WellKnown = 2 => "well-known",
        Dhcp = 3 => "dhcp",
        RouterAdvertisement = 4 => "router-advertisement",
        Unchanged = 16 => "unchanged",
    }
}

c_enum! {
    /// `NL_SUFFIX_ORIGIN`: where an address's interface identifier came from.
    pub enum SuffixOrigin: i32 {
        Other = 0 => "other",
        Manual = 1 => "manual",
        WellKnown = 2 => "well-known",
        Dhcp = 3 => "dhcp",
        LinkLayerAddress = 4 => "link-layer-address",
        Random = 5 => "random",
        Unchanged = 16 => "unchanged",
    }
}

c_enum! {
    /// `NL_DAD_STATE`: duplicate address detection.
    pub enum DadState: i32 {
        Invalid = 0 => "invalid",
        Tentative = 1 => "tentative",
        Duplicate = 2 => "duplicate",
        Deprecated = 3 => "deprecated",
        Preferred = 4 => "preferred",
    }
}

c_enum! {
    /// `NL_ROUTE_PROTOCOL` (`MIB_IPPROTO_*`): who added a route.
    pub enum RouteProtocol: i32 {
        Other = 1 => "other",
        Local = 2 => "local",
        NetMgmt = 3 => "netmgmt",
        Icmp = 4 => "icmp",
        Egp = 5 => "egp",
        Ggp = 6 => "ggp",
        Hello = 7 => "hello",
        Rip = 8 => "rip",
        IsIs = 9 => "is-is",
        EsIs = 10 => "es-is",
        Cisco = 11 => "cisco",
        Bbn = 12 => "bbn",
        Ospf = 13 => "ospf",
        Bgp = 14 => "bgp",
        Idpr = 15 => "idpr",
        Eigrp = 16 => "eigrp",
        Dvmrp = 17 => "dvmrp",
        Rpl = 18 => "rpl",
        Dhcp = 19 => "dhcp",
        NtAutostatic = 10002 => "nt-autostatic",
        NtStatic = 10006 => "nt-static",
        NtStaticNonDod = 10007 => "nt-static-non-dod",
    }
}

c_enum! {
    /// `NL_ROUTE_ORIGIN`: how a route was created.
    pub enum RouteOrigin: i32 {
        Manual = 0 => "manual",
        WellKnown = 1 => "well-known",
        Dhcp = 2 => "dhcp",
        RouterAdvertisement = 3 => "router-advertisement",
        SixToFour = 4 => "6to4",
    }
}

c_enum! {
    /// `NL_ROUTER_DISCOVERY_BEHAVIOR`.
    pub enum RouterDiscovery: i32 {
        Unchanged = -1 => "unchanged",
        Disabled = 0 => "disabled",
        Enabled = 1 => "enabled",
        Dhcp = 2 => "dhcp",
    }
}

c_enum! {
    /// `NL_LINK_LOCAL_ADDRESS_BEHAVIOR`.
    pub enum LinkLocalBehavior: i32 {
        Unchanged = -1 => "unchanged",
        AlwaysOff = 0 => "always-off",
        Delayed = 1 => "delayed",
        AlwaysOn = 2 => "always-on",
    }
}

c_enum! {
    /// `IFTYPE`: the IANA ifType of an interface, printed by name (docs/netio.md#values).
    pub enum IfType: u16 {
        Other = 1 => "other",
        EthernetCsmacd = 6 => "ethernetCsmacd",
        Iso88025TokenRing = 9 => "iso88025TokenRing",
        Fddi = 15 => "fddi",
        Ppp = 23 => "ppp",
        SoftwareLoopback = 24 => "softwareLoopback",
        Slip = 28 => "slip",
        Atm = 37 => "atm",
        Modem = 48 => "modem",
        PropVirtual = 53 => "propVirtual",
        PropMultiplexor = 54 => "propMultiplexor",
        FastEther = 62 => "fastEther",
        Ieee80211 = 71 => "ieee80211",
        GigabitEthernet = 117 => "gigabitEthernet",
        Tunnel = 131 => "tunnel",
        L2Vlan = 135 => "l2vlan",
        L3IpVlan = 136 => "l3ipvlan",
        Ieee1394 = 144 => "ieee1394",
        Ieee8023adLag = 161 => "ieee8023adLag",
        Ieee80216Wman = 237 => "ieee80216WMAN",
        WwanPp = 243 => "wwanPP",
        WwanPp2 = 244 => "wwanPP2",
        XboxWireless = 281 => "xboxWireless",
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

/// A `NET_LUID`: the interface type (IANA ifType) and the per-type index.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Luid(pub u64);

impl Luid {
    /// `IfType`: bits 48–63.
    #[must_use]
    pub const fn if_type(self) -> IfType {
        // Truncation is the point: the top 16 bits.
        #[allow(clippy::cast_possible_truncation, reason = "extracts bits 48..64")]
        let if_type = (self.0 >> 48) as u16;
        IfType::from_raw(if_type)
    }

    /// `NetLuidIndex`: bits 24–47.
    #[must_use]
    pub const fn net_luid_index(self) -> u32 {
        #[allow(clippy::cast_possible_truncation, reason = "extracts bits 24..48")]
        let index = ((self.0 >> 24) & 0x00FF_FFFF) as u32;
        index
    }

    /// `Reserved`: bits 0–23, zero in every LUID the stack hands out.
    #[must_use]
    pub const fn reserved(self) -> u32 {
        #[allow(clippy::cast_possible_truncation, reason = "extracts bits 0..24")]
        let reserved = (self.0 & 0x00FF_FFFF) as u32;
        reserved
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

/// A lifetime in seconds; `0xFFFFFFFF` is infinite (docs/netio.md#values).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Lifetime(pub u32);

impl Lifetime {
    /// The documented "infinite" value.
    pub const INFINITE: u32 = u32::MAX;
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

/// Every field of an IP interface row (`MIB_IPINTERFACE_ROW`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[allow(
    missing_docs,
    reason = "fields are the C fields of the same name (docs/netio.md#rows)"
)]
pub struct Interface {
    pub keys: InterfaceKeys,
    /// Reserved (0).
    pub max_reassembly_size: u32,
    /// Reserved (0).
    pub interface_identifier: u64,
    pub min_router_advertisement_interval: Millis,
    pub max_router_advertisement_interval: Millis,
    pub advertising_enabled: Flag,
    pub forwarding_enabled: Flag,
    pub weak_host_send: Flag,
    pub weak_host_receive: Flag,
    pub use_automatic_metric: Flag,
    pub use_neighbor_unreachability_detection: Flag,
    pub managed_address_configuration_supported: Flag,
    pub other_stateful_configuration_supported: Flag,
    pub advertise_default_route: Flag,
    pub router_discovery_behavior: RouterDiscovery,
    pub dad_transmits: u32,
    pub base_reachable_time: Millis,
    pub retransmit_time: Millis,
    pub path_mtu_discovery_timeout: Millis,
    pub link_local_address_behavior: LinkLocalBehavior,
    pub link_local_address_timeout: Millis,
    pub zone_indices: ZoneIndices,
    pub site_prefix_length: u32,
    pub metric: u32,
    pub nl_mtu: Unset,
    pub connected: Flag,
    pub supports_wake_up_patterns: Flag,
    pub supports_neighbor_discovery: Flag,
    pub supports_router_discovery: Flag,
    pub reachable_time: Millis,
    pub transmit_offload: Offload,
    pub receive_offload: Offload,
    pub disable_default_routes: Flag,
}

impl Interface {
    /// Every field of `row`.
    #[must_use]
    pub const fn decode(row: &MibIpInterfaceRow) -> Self {
        Self {
            keys: InterfaceKeys::decode(row),
            max_reassembly_size: row.max_reassembly_size,
            interface_identifier: row.interface_identifier,
            min_router_advertisement_interval: Millis(row.min_router_advertisement_interval),
            max_router_advertisement_interval: Millis(row.max_router_advertisement_interval),
            advertising_enabled: Flag(row.advertising_enabled),
            forwarding_enabled: Flag(row.forwarding_enabled),
            weak_host_send: Flag(row.weak_host_send),
            weak_host_receive: Flag(row.weak_host_receive),
            use_automatic_metric: Flag(row.use_automatic_metric),
            use_neighbor_unreachability_detection: Flag(row.use_neighbor_unreachability_detection),
            managed_address_configuration_supported: Flag(
                row.managed_address_configuration_supported,
            ),
            other_stateful_configuration_supported: Flag(
                row.other_stateful_configuration_supported,
            ),
            advertise_default_route: Flag(row.advertise_default_route),
            router_discovery_behavior: RouterDiscovery::from_raw(row.router_discovery_behavior),
            dad_transmits: row.dad_transmits,
            base_reachable_time: Millis(row.base_reachable_time),
            retransmit_time: Millis(row.retransmit_time),
            path_mtu_discovery_timeout: Millis(row.path_mtu_discovery_timeout),
            link_local_address_behavior: LinkLocalBehavior::from_raw(
                row.link_local_address_behavior,
            ),
            link_local_address_timeout: Millis(row.link_local_address_timeout),
            zone_indices: ZoneIndices(row.zone_indices),
            site_prefix_length: row.site_prefix_length,
            metric: row.metric,
            nl_mtu: Unset(row.nl_mtu),
            connected: Flag(row.connected),
            supports_wake_up_patterns: Flag(row.supports_wake_up_patterns),
            supports_neighbor_discovery: Flag(row.supports_neighbor_discovery),
            supports_router_discovery: Flag(row.supports_router_discovery),
            reachable_time: Millis(row.reachable_time),
            transmit_offload: Offload(row.transmit_offload),
            receive_offload: Offload(row.receive_offload),
            disable_default_routes: Flag(row.disable_default_routes),
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

/// Every field of a unicast address row (`MIB_UNICASTIPADDRESS_ROW`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[allow(
    missing_docs,
    reason = "fields are the C fields of the same name (docs/netio.md#rows)"
)]
pub struct Address {
    pub keys: AddressKeys,
    pub prefix_origin: PrefixOrigin,
    pub suffix_origin: SuffixOrigin,
    pub valid_lifetime: Lifetime,
    pub preferred_lifetime: Lifetime,
    pub on_link_prefix_length: u8,
    pub skip_as_source: Flag,
    pub dad_state: DadState,
    /// `ScopeId` (`SCOPE_ID`, set by the stack for IPv6), raw.
    pub scope_id: u32,
    /// `CreationTimeStamp`, raw: its units are not documented (docs/netio.md#uncertain).
    pub creation_time_stamp: i64,
}

impl Address {
    /// Every field of `row`.
    #[must_use]
    pub const fn decode(row: &MibUnicastIpAddressRow) -> Self {
        Self {
            keys: AddressKeys::decode(row),
            prefix_origin: PrefixOrigin::from_raw(row.prefix_origin),
            suffix_origin: SuffixOrigin::from_raw(row.suffix_origin),
            valid_lifetime: Lifetime(row.valid_lifetime),
            preferred_lifetime: Lifetime(row.preferred_lifetime),
            on_link_prefix_length: row.on_link_prefix_length,
            skip_as_source: Flag(row.skip_as_source),
            dad_state: DadState::from_raw(row.dad_state),
            scope_id: row.scope_id,
            creation_time_stamp: row.creation_time_stamp,
        }
    }

    /// The address with its on-link prefix length.
    #[must_use]
    pub const fn prefix(&self) -> Prefix {
        Prefix {
            address: self.keys.address,
            length: self.on_link_prefix_length,
        }
    }
}

/// The key fields of a route row.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RouteKeys {
    /// `DestinationPrefix`.
    pub destination: Prefix,
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
            destination: Prefix {
                address: SocketAddress::decode(&row.destination_prefix.prefix),
                length: row.destination_prefix.prefix_length,
            },
            next_hop: SocketAddress::decode(&row.next_hop),
            luid: Luid(row.interface_luid),
            index: row.interface_index,
        }
    }
}

/// Every field of a route row (`MIB_IPFORWARD_ROW2`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[allow(
    missing_docs,
    reason = "fields are the C fields of the same name (docs/netio.md#rows)"
)]
pub struct Route {
    pub keys: RouteKeys,
    pub site_prefix_length: u8,
    pub valid_lifetime: Lifetime,
    pub preferred_lifetime: Lifetime,
    /// The route's metric offset (the effective metric adds the interface's).
    pub metric: Unset,
    pub protocol: RouteProtocol,
    pub loopback: Flag,
    pub autoconfigure_address: Flag,
    pub publish: Flag,
    pub immortal: Flag,
    /// Seconds since the route was added or changed.
    pub age: u32,
    pub origin: RouteOrigin,
}

impl Route {
    /// Every field of `row`.
    #[must_use]
    pub const fn decode(row: &MibIpForwardRow2) -> Self {
        Self {
            keys: RouteKeys::decode(row),
            site_prefix_length: row.site_prefix_length,
            valid_lifetime: Lifetime(row.valid_lifetime),
            preferred_lifetime: Lifetime(row.preferred_lifetime),
            metric: Unset(row.metric),
            protocol: RouteProtocol::from_raw(row.protocol),
            loopback: Flag(row.loopback),
            autoconfigure_address: Flag(row.autoconfigure_address),
            publish: Flag(row.publish),
            immortal: Flag(row.immortal),
            age: row.age,
            origin: RouteOrigin::from_raw(row.origin),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{
        Change, DadState, IfType, Luid, Prefix, RouteProtocol, RouterDiscovery, SocketAddress,
    };
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
