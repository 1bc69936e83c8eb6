//! The `#[repr(C)]` mirrors of netnotify-core against `windows-sys` (Microsoft's generated
//! bindings): size, alignment, and the offset and width of every field.
//!
//! windows-sys declares C `BOOLEAN` as Rust `bool` and is user-mode; the mirrors use `u8` and
//! are what the driver reads NETIO memory through. Same widths and offsets, safer types.

use core::mem::{align_of, offset_of, size_of, size_of_val};

use netnotify_core::boundary::ffi::{
    IpAddressPrefix, MibIpForwardRow2, MibIpForwardTable2, MibIpInterfaceRow, MibIpInterfaceTable,
    MibUnicastIpAddressRow, MibUnicastIpAddressTable, SockaddrInet, sockaddr,
};
use windows_sys::Win32::NetworkManagement::IpHelper::{
    IP_ADDRESS_PREFIX, MIB_IPFORWARD_ROW2, MIB_IPFORWARD_TABLE2, MIB_IPINTERFACE_ROW,
    MIB_IPINTERFACE_TABLE, MIB_UNICASTIPADDRESS_ROW, MIB_UNICASTIPADDRESS_TABLE,
};
use windows_sys::Win32::Networking::WinSock::{SOCKADDR_IN, SOCKADDR_IN6, SOCKADDR_INET};

/// Asserts equal size and alignment, then, for each `ours => theirs` pair, equal offset and
/// equal width. The pairs must name every field of both types.
macro_rules! same_layout {
    ($ours:ty, $theirs:ty, { $($a:ident => $b:ident),* $(,)? }) => {{
        assert_eq!(size_of::<$ours>(), size_of::<$theirs>(), "size of {}", stringify!($ours));
        assert_eq!(align_of::<$ours>(), align_of::<$theirs>(), "align of {}", stringify!($ours));
        let ours = <$ours>::default();
        let theirs = <$theirs>::default();
        let mut covered = 0;
        $(
            assert_eq!(
                offset_of!($ours, $a),
                offset_of!($theirs, $b),
                "offset of {}::{}",
                stringify!($ours),
                stringify!($a)
            );
            assert_eq!(
                size_of_val(&ours.$a),
                size_of_val(&theirs.$b),
                "width of {}::{}",
                stringify!($ours),
                stringify!($a)
            );
            covered += size_of_val(&ours.$a);
        )*
        covered
    }};
}

#[test]
fn sockaddr_inet_matches_windows_sys() {
    assert_eq!(size_of::<SockaddrInet>(), size_of::<SOCKADDR_INET>());
    assert_eq!(align_of::<SockaddrInet>(), align_of::<SOCKADDR_INET>());
    assert_eq!(sockaddr::FAMILY, offset_of!(SOCKADDR_IN, sin_family));
    assert_eq!(sockaddr::FAMILY, offset_of!(SOCKADDR_IN6, sin6_family));
    assert_eq!(sockaddr::IPV4_ADDRESS, offset_of!(SOCKADDR_IN, sin_addr));
    assert_eq!(sockaddr::IPV6_ADDRESS, offset_of!(SOCKADDR_IN6, sin6_addr));
    assert_eq!(sockaddr::IPV6_SCOPE_ID, offset_of!(SOCKADDR_IN6, Anonymous));
    assert_eq!(size_of::<SOCKADDR_IN6>(), 28);
}

#[test]
fn ip_address_prefix_matches_windows_sys() {
    same_layout!(IpAddressPrefix, IP_ADDRESS_PREFIX, {
        prefix => Prefix,
        prefix_length => PrefixLength,
    });
}

#[test]
fn mib_ipinterface_row_matches_windows_sys() {
    let covered = same_layout!(MibIpInterfaceRow, MIB_IPINTERFACE_ROW, {
        family => Family,
        interface_luid => InterfaceLuid,
        interface_index => InterfaceIndex,
        max_reassembly_size => MaxReassemblySize,
        interface_identifier => InterfaceIdentifier,
        min_router_advertisement_interval => MinRouterAdvertisementInterval,
        max_router_advertisement_interval => MaxRouterAdvertisementInterval,
        advertising_enabled => AdvertisingEnabled,
        forwarding_enabled => ForwardingEnabled,
        weak_host_send => WeakHostSend,
        weak_host_receive => WeakHostReceive,
        use_automatic_metric => UseAutomaticMetric,
        use_neighbor_unreachability_detection => UseNeighborUnreachabilityDetection,
        managed_address_configuration_supported => ManagedAddressConfigurationSupported,
        other_stateful_configuration_supported => OtherStatefulConfigurationSupported,
        advertise_default_route => AdvertiseDefaultRoute,
        router_discovery_behavior => RouterDiscoveryBehavior,
        dad_transmits => DadTransmits,
        base_reachable_time => BaseReachableTime,
        retransmit_time => RetransmitTime,
        path_mtu_discovery_timeout => PathMtuDiscoveryTimeout,
        link_local_address_behavior => LinkLocalAddressBehavior,
        link_local_address_timeout => LinkLocalAddressTimeout,
        zone_indices => ZoneIndices,
        site_prefix_length => SitePrefixLength,
        metric => Metric,
        nl_mtu => NlMtu,
        connected => Connected,
        supports_wake_up_patterns => SupportsWakeUpPatterns,
        supports_neighbor_discovery => SupportsNeighborDiscovery,
        supports_router_discovery => SupportsRouterDiscovery,
        reachable_time => ReachableTime,
        transmit_offload => TransmitOffload,
        receive_offload => ReceiveOffload,
        disable_default_routes => DisableDefaultRoutes,
    });
    // 168 bytes = the fields + 6 (after Family) + 3 (after AdvertiseDefaultRoute) + 1 (tail)
    // bytes of padding: no field was left out.
    assert_eq!(covered + 6 + 3 + 1, 168);
}

#[test]
fn mib_unicastipaddress_row_matches_windows_sys() {
    let covered = same_layout!(MibUnicastIpAddressRow, MIB_UNICASTIPADDRESS_ROW, {
        address => Address,
        interface_luid => InterfaceLuid,
        interface_index => InterfaceIndex,
        prefix_origin => PrefixOrigin,
        suffix_origin => SuffixOrigin,
        valid_lifetime => ValidLifetime,
        preferred_lifetime => PreferredLifetime,
        on_link_prefix_length => OnLinkPrefixLength,
        skip_as_source => SkipAsSource,
        dad_state => DadState,
        scope_id => ScopeId,
        creation_time_stamp => CreationTimeStamp,
    });
    assert_eq!(covered + 4 + 2, 80);
}

#[test]
fn mib_ipforward_row2_matches_windows_sys() {
    let covered = same_layout!(MibIpForwardRow2, MIB_IPFORWARD_ROW2, {
        interface_luid => InterfaceLuid,
        interface_index => InterfaceIndex,
        destination_prefix => DestinationPrefix,
        next_hop => NextHop,
        site_prefix_length => SitePrefixLength,
        valid_lifetime => ValidLifetime,
        preferred_lifetime => PreferredLifetime,
        metric => Metric,
        protocol => Protocol,
        loopback => Loopback,
        autoconfigure_address => AutoconfigureAddress,
        publish => Publish,
        immortal => Immortal,
        age => Age,
        origin => Origin,
    });
    assert_eq!(covered + 3, 104);
}

#[test]
fn mib_unicastipaddress_table_matches_windows_sys() {
    same_layout!(MibUnicastIpAddressTable, MIB_UNICASTIPADDRESS_TABLE, {
        num_entries => NumEntries,
        table => Table,
    });
}

#[test]
fn mib_ipinterface_table_matches_windows_sys() {
    let covered = same_layout!(MibIpInterfaceTable, MIB_IPINTERFACE_TABLE, {
        num_entries => NumEntries,
        table => Table,
    });
    // NumEntries, four bytes of padding, one row: the rows start at 8 with the row's stride.
    assert_eq!(covered + 4, size_of::<MIB_IPINTERFACE_TABLE>());
    assert_eq!(
        size_of::<MibIpInterfaceRow>(),
        size_of::<MIB_IPINTERFACE_ROW>()
    );
}

#[test]
fn mib_ipforward_table2_matches_windows_sys() {
    let covered = same_layout!(MibIpForwardTable2, MIB_IPFORWARD_TABLE2, {
        num_entries => NumEntries,
        table => Table,
    });
    assert_eq!(covered + 4, size_of::<MIB_IPFORWARD_TABLE2>());
    assert_eq!(
        size_of::<MibIpForwardRow2>(),
        size_of::<MIB_IPFORWARD_ROW2>()
    );
}
