//! The three rows, decoded: an IP interface, a unicast address and a route, each with the key
//! fields that identify it (what a re-query needs) and the state it carries.

use crate::boundary::ffi::{MibIpForwardRow2, MibIpInterfaceRow, MibUnicastIpAddressRow};

use super::enums::{
    DadState, LinkLocalBehavior, PrefixOrigin, RouteOrigin, RouteProtocol, RouterDiscovery,
    SuffixOrigin,
};
use super::lifetime::Lifetime;
use super::luid::Luid;
use super::values::{Flag, Millis, Offload, Prefix, SocketAddress, Unset, ZoneIndices};

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
