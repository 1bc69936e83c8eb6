//! Golden lines: rows built byte by byte at the x64 offsets of docs/netio.md#rows, each with the
//! exact line the driver prints for it. The format is documented in `docs/lines.md`.

mod common;

use core::net::Ipv6Addr;

use common::RowBytes;
use netnotify_core::boundary::ffi::{MibIpForwardRow2, MibIpInterfaceRow, MibUnicastIpAddressRow};
use netnotify_core::model::decode::Change::{Add, Delete, Initial, Other, Parameter};
use netnotify_core::model::decode::{
    Address, AddressKeys, Change, Interface, InterfaceKeys, Route, RouteKeys,
};
use netnotify_core::model::status::NtStatus;
use netnotify_core::output::render::{self, Detail, Names, Note};

const WIFI: u64 = 0x0047_0000_0200_0000; // ieee80211, NetLuidIndex 2
const LOOPBACK: u64 = 0x0018_0000_0000_0000; // softwareLoopback, NetLuidIndex 0
const TEREDO: u64 = 0x0083_0000_0500_0000; // tunnel, NetLuidIndex 5

/// The names NETIO gives each interface here; the Teredo tunnel's conversions fail.
fn names(luid: u64) -> Names {
    match luid {
        WIFI => Names::new("wireless_32768", "Wi-Fi"),
        LOOPBACK => Names::new("loopback_0", "Loopback Pseudo-Interface 1"),
        common::ETHERNET_LUID => Names::new("ethernet_32769", "Ethernet 2"),
        _ => Names::UNKNOWN,
    }
}

/// The interface's lines, one per line of text.
fn interface_full(change: Change, row: &MibIpInterfaceRow) -> String {
    let (first, more) = render::interface_event(
        change,
        &Detail::Full(Interface::decode(row)),
        &names(row.interface_luid),
    );
    let more = more.expect("a full state has a second line");
    format!("{}\n{}", first.as_str(), more.as_str())
}

fn interface_keys(change: Change, row: &MibIpInterfaceRow, note: Note) -> String {
    let keys = Detail::Keys(InterfaceKeys::decode(row), note);
    let (first, more) = render::interface_event(change, &keys, &names(row.interface_luid));
    assert!(more.is_none(), "keys are one line");
    first.as_str().to_owned()
}

fn address_full(change: Change, row: &MibUnicastIpAddressRow) -> String {
    let names = names(row.interface_luid);
    render::address_event(change, &Detail::Full(Address::decode(row)), &names)
        .as_str()
        .to_owned()
}

fn address_keys(change: Change, row: &MibUnicastIpAddressRow, note: Note) -> String {
    let names = names(row.interface_luid);
    render::address_event(
        change,
        &Detail::Keys(AddressKeys::decode(row), note),
        &names,
    )
    .as_str()
    .to_owned()
}

fn route_full(change: Change, row: &MibIpForwardRow2) -> String {
    let names = names(row.interface_luid);
    render::route_event(change, &Detail::Full(Route::decode(row)), &names)
        .as_str()
        .to_owned()
}

fn route_keys(change: Change, row: &MibIpForwardRow2, note: Note) -> String {
    let names = names(row.interface_luid);
    render::route_event(change, &Detail::Keys(RouteKeys::decode(row), note), &names)
        .as_str()
        .to_owned()
}

// ---- MIB_IPINTERFACE_ROW (168 bytes) ----

/// An IPv6 Wi-Fi interface as Windows reports it once connected.
fn wifi_ipv6_interface() -> RowBytes<168> {
    let mut row = RowBytes::<168>::zeroed()
        .u16(0, 23) // Family AF_INET6
        .u64(8, WIFI) // InterfaceLuid
        .u32(16, 12) // InterfaceIndex
        .u32(32, 200_000) // MinRouterAdvertisementInterval
        .u32(36, 600_000) // MaxRouterAdvertisementInterval
        .u8(44, 1) // UseAutomaticMetric
        .u8(45, 1) // UseNeighborUnreachabilityDetection
        .i32(52, 1) // RouterDiscoveryBehavior enabled
        .u32(56, 1) // DadTransmits
        .u32(60, 30_000) // BaseReachableTime
        .u32(64, 1_000) // RetransmitTime
        .u32(68, 600_000) // PathMtuDiscoveryTimeout
        .i32(72, 2) // LinkLocalAddressBehavior always-on
        .u32(76, 0) // LinkLocalAddressTimeout
        .u32(144, 64) // SitePrefixLength
        .u32(148, 45) // Metric
        .u32(152, 1500) // NlMtu
        .u8(156, 1) // Connected
        .u8(157, 1) // SupportsWakeUpPatterns
        .u8(158, 1) // SupportsNeighborDiscovery
        .u8(159, 1) // SupportsRouterDiscovery
        .u32(160, 25_500) // ReachableTime
        .u8(164, 0x3F) // TransmitOffload
        .u8(165, 0x1F); // ReceiveOffload
    // ZoneIndices[level] at 80 + 4 * level: interface, link, subnet, admin = 12; site,
    // organization, global = 1.
    for (level, zone) in [(1, 12), (2, 12), (3, 12), (4, 12), (5, 1), (8, 1), (14, 1)] {
        row = row.u32(80 + 4 * level, zone);
    }
    row
}

/// The IPv4 loopback interface: `NlMtu` unset, connected, no router discovery.
fn loopback_interface() -> RowBytes<168> {
    RowBytes::<168>::zeroed()
        .u16(0, 2) // AF_INET
        .u64(8, LOOPBACK)
        .u32(16, 1)
        .u8(41, 0) // ForwardingEnabled
        .u8(42, 1) // WeakHostSend
        .u8(43, 1) // WeakHostReceive
        .u8(44, 1) // UseAutomaticMetric
        .i32(52, 0) // RouterDiscoveryBehavior disabled
        .u32(56, 0) // DadTransmits
        .u32(60, 30_000)
        .u32(64, 1_000)
        .u32(68, 600_000)
        .i32(72, 1) // LinkLocalAddressBehavior delayed
        .u32(76, 6_000)
        .u32(84, 1) // ZoneIndices[1]
        .u32(88, 1) // ZoneIndices[2]
        .u32(148, 75) // Metric
        .u32(152, u32::MAX) // NlMtu: not set
        .u8(156, 1) // Connected
}

/// A Teredo tunnel interface, disconnected, with odd enum values.
fn tunnel_interface() -> RowBytes<168> {
    RowBytes::<168>::zeroed()
        .u16(0, 23)
        .u64(8, TEREDO)
        .u32(16, 9)
        .u8(41, 7) // ForwardingEnabled: any non-zero BOOLEAN is true
        .i32(52, -1) // RouterDiscoveryBehavior unchanged
        .i32(72, 9) // LinkLocalAddressBehavior: unknown
        .u32(152, 1280)
}

// ---- MIB_UNICASTIPADDRESS_ROW (80 bytes) ----

/// 192.168.1.23/24 from DHCP on Wi-Fi, with `DadState` `dad`.
fn dhcp_address(dad: i32) -> RowBytes<80> {
    RowBytes::<80>::zeroed()
        .sockaddr_v4(0, [192, 168, 1, 23]) // Address
        .u64(32, WIFI) // InterfaceLuid
        .u32(40, 12) // InterfaceIndex
        .i32(44, 3) // PrefixOrigin dhcp
        .i32(48, 3) // SuffixOrigin dhcp
        .u32(52, 86_400) // ValidLifetime
        .u32(56, 86_400) // PreferredLifetime
        .u8(60, 24) // OnLinkPrefixLength
        .i32(64, dad) // DadState
        .i64(72, 133_774_128_000_000_000) // CreationTimeStamp
}

/// `fe80::1c2a:5ff:fe00:1%12`, the Wi-Fi link-local address.
fn link_local_address() -> RowBytes<80> {
    RowBytes::<80>::zeroed()
        .sockaddr_v6(
            0,
            Ipv6Addr::new(0xfe80, 0, 0, 0, 0x1c2a, 0x5ff, 0xfe00, 1),
            12,
        )
        .u64(32, WIFI)
        .u32(40, 12)
        .i32(44, 2) // well-known
        .i32(48, 4) // link-layer address
        .u32(52, u32::MAX) // infinite
        .u32(56, u32::MAX)
        .u8(60, 64)
        .i32(64, 4) // preferred
        .u32(68, 12) // ScopeId
        .i64(72, 133_774_127_990_000_000)
}

/// A temporary IPv6 address from a router advertisement, past its preferred lifetime.
fn deprecated_temporary_address() -> RowBytes<80> {
    RowBytes::<80>::zeroed()
        .sockaddr_v6(
            0,
            Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0xa1b2, 0xc3d4, 0xe5f6, 0x789),
            0,
        )
        .u64(32, WIFI)
        .u32(40, 12)
        .i32(44, 4) // router advertisement
        .i32(48, 5) // random
        .u32(52, 604_800)
        .u32(56, 0)
        .u8(60, 64)
        .i32(64, 3) // deprecated
}

/// A manual address another host already uses.
fn duplicate_manual_address() -> RowBytes<80> {
    RowBytes::<80>::zeroed()
        .sockaddr_v4(0, [10, 0, 0, 5])
        .u64(32, common::ETHERNET_LUID)
        .u32(40, 4)
        .i32(44, 1) // manual
        .i32(48, 1) // manual
        .u32(52, u32::MAX)
        .u32(56, u32::MAX)
        .u8(60, 8)
        .u8(61, 1) // SkipAsSource
        .i32(64, 2) // duplicate
}

/// Values no Windows version defines: they print as numbers, the bad length is marked.
fn strange_address() -> RowBytes<80> {
    RowBytes::<80>::zeroed()
        .sockaddr_v4(0, [169, 254, 7, 7])
        .u64(32, 0x03E7_0000_0100_00AB) // IfType 999, reserved bits 0xAB
        .u32(40, 3)
        .i32(44, 9)
        .i32(48, -3)
        .u8(60, 255) // the documented "illegal" length
        .i32(64, 77)
        .u32(68, 0x2000_0003)
        .i64(72, -1)
}

// ---- MIB_IPFORWARD_ROW2 (104 bytes) ----

/// A route on Wi-Fi: `DestinationPrefix` at 12 (length at 40), `NextHop` at 44.
fn wifi_route() -> RowBytes<104> {
    RowBytes::<104>::zeroed()
        .u64(0, WIFI) // InterfaceLuid
        .u32(8, 12) // InterfaceIndex
        .u32(76, u32::MAX) // ValidLifetime
        .u32(80, u32::MAX) // PreferredLifetime
        .i32(88, 3) // Protocol netmgmt
        .u8(93, 1) // AutoconfigureAddress
}

fn default_route_v4() -> RowBytes<104> {
    wifi_route()
        .sockaddr_v4(12, [0, 0, 0, 0])
        .u8(40, 0)
        .sockaddr_v4(44, [192, 168, 1, 1])
        .u32(84, 0) // Metric
        .u32(96, 12) // Age
        .i32(100, 2) // Origin dhcp
}

fn on_link_route_v4() -> RowBytes<104> {
    wifi_route()
        .sockaddr_v4(12, [192, 168, 1, 0])
        .u8(40, 24)
        .sockaddr_v4(44, [0, 0, 0, 0])
        .i32(88, 2) // local
        .u32(84, 256)
        .i32(100, 1) // well-known
}

fn host_route_v4() -> RowBytes<104> {
    on_link_route_v4()
        .sockaddr_v4(12, [192, 168, 1, 23])
        .u8(40, 32)
}

fn default_route_v6() -> RowBytes<104> {
    wifi_route()
        .sockaddr_v6(12, Ipv6Addr::UNSPECIFIED, 0)
        .u8(40, 0)
        .sockaddr_v6(44, Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1), 12)
        .u32(76, 1_800) // ValidLifetime: the router lifetime
        .u32(80, 1_800)
        .i32(88, 2)
        .u32(84, 256)
        .i32(100, 3) // router advertisement
}

fn loopback_route() -> RowBytes<104> {
    RowBytes::<104>::zeroed()
        .u64(0, LOOPBACK)
        .u32(8, 1)
        .sockaddr_v4(12, [127, 0, 0, 0])
        .u8(40, 8)
        .u32(76, u32::MAX)
        .u32(80, u32::MAX)
        .u32(84, 256)
        .i32(88, 2)
        .u8(92, 1) // Loopback
        .u8(95, 1) // Immortal
        .u32(96, 86_400)
        .i32(100, 1)
}

/// The longest route line: two full IPv6 addresses with the largest scope ids.
fn widest_route_v6() -> RowBytes<104> {
    let all = Ipv6Addr::new(
        0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xfffe,
    );
    RowBytes::<104>::zeroed()
        .u64(0, 0x00F1_FFFF_FF00_0000) // IfType 241, NetLuidIndex 0xFFFFFF
        .u32(8, u32::MAX)
        .sockaddr_v6(12, all, u32::MAX)
        .u8(40, 128)
        .sockaddr_v6(44, all, u32::MAX)
        .u8(72, 255)
        .u32(76, 4_294_967_294)
        .u32(80, 4_294_967_294)
        .u32(84, 4_294_967_294)
        .i32(88, 10_007)
        .u8(92, 1)
        .u8(93, 1)
        .u8(94, 1)
        .u8(95, 1)
        .u32(96, u32::MAX)
        .i32(100, 4)
}

fn strange_route() -> RowBytes<104> {
    RowBytes::<104>::zeroed()
        .u64(0, common::ETHERNET_LUID)
        .u32(8, 4)
        .sockaddr_v4(12, [10, 0, 0, 0])
        .u8(40, 33) // beyond /32
        .u16(44, 99) // NextHop of an unknown family
        .u32(84, u32::MAX) // Metric unused
        .i32(88, 0) // no such protocol
        .i32(100, -7)
}

/// One test per case: `name: actual => expected;`.
macro_rules! golden {
    ($($name:ident: $actual:expr => $expected:expr;)+) => {$(
        #[test]
        fn $name() {
            let actual = $actual;
            if std::env::var_os("GOLDEN_PRINT").is_some() {
                std::println!("GOLDEN {} {:?}", stringify!($name), actual);
            }
            assert_eq!(actual, $expected);
        }
    )+};
}

golden! {
    wifi_ipv6_interface_parameter_prints_every_field: interface_full(Parameter, &wifi_ipv6_interface().interface())
        => "netnotify: interface parameter family=ipv6 if=12 luid=ieee80211:2 \
          name=wireless_32768 alias=\"Wi-Fi\" connected=yes mtu=1500 metric=45 \
          flags=auto-metric,nud,wake,nd,rd\nnetnotify: interface parameter family=ipv6 \
          if=12 router-discovery=enabled link-local=always-on link-local-timeout=0ms \
          dad-transmits=1 reachable=25500ms base-reachable=30000ms retransmit=1000ms \
          pmtu-timeout=600000ms ra-interval=200000-600000ms site-prefix=64 \
          offload=0x3F/0x1F zones=1:12,2:12,3:12,4:12,5:1,8:1,14:1";
    loopback_interface_with_unset_mtu: interface_full(Add, &loopback_interface().interface())
        => "netnotify: interface add family=ipv4 if=1 luid=softwareLoopback:0 \
          name=loopback_0 alias=\"Loopback Pseudo-Interface 1\" connected=yes mtu=unset \
          metric=75 flags=auto-metric,weak-send,weak-receive\nnetnotify: interface add \
          family=ipv4 if=1 router-discovery=disabled link-local=delayed \
          link-local-timeout=6000ms dad-transmits=0 reachable=0ms base-reachable=30000ms \
          retransmit=1000ms pmtu-timeout=600000ms ra-interval=0-0ms site-prefix=0 \
          offload=0x00/0x00 zones=1:1,2:1";
    tunnel_interface_with_unknown_link_local_behaviour_and_odd_boolean: interface_full(Parameter, &tunnel_interface().interface())
        => "netnotify: interface parameter family=ipv6 if=9 luid=tunnel:5 name=? alias=? \
          connected=no mtu=1280 metric=0 flags=forwarding\nnetnotify: interface parameter \
          family=ipv6 if=9 router-discovery=unchanged link-local=9 link-local-timeout=0ms \
          dad-transmits=0 reachable=0ms base-reachable=0ms retransmit=0ms pmtu-timeout=0ms \
          ra-interval=0-0ms site-prefix=0 offload=0x00/0x00 zones=none";
    interface_delete_prints_the_keys: interface_keys(Delete, &tunnel_interface().interface(), Note::None)
        => "netnotify: interface delete family=ipv6 if=9 luid=tunnel:5 name=? alias=?";
    interface_gone_before_requery_says_so: interface_keys(Add, &wifi_ipv6_interface().interface(), Note::Gone)
        => "netnotify: interface add family=ipv6 if=12 luid=ieee80211:2 \
          name=wireless_32768 alias=\"Wi-Fi\" (gone before re-query)";
    dhcp_ipv4_address_tentative_with_finite_lifetimes: address_full(Add, &dhcp_address(1).address())
        => "netnotify: address add 192.168.1.23/24 if=12 luid=ieee80211:2 \
          name=wireless_32768 alias=\"Wi-Fi\" dad=tentative prefix-origin=dhcp \
          suffix-origin=dhcp valid=86400s preferred=86400s skip-as-source=no scope-id=0 \
          created=2024-11-30T04:00:00Z";
    dhcp_ipv4_address_preferred: address_full(Parameter, &dhcp_address(4).address())
        => "netnotify: address parameter 192.168.1.23/24 if=12 luid=ieee80211:2 \
          name=wireless_32768 alias=\"Wi-Fi\" dad=preferred prefix-origin=dhcp \
          suffix-origin=dhcp valid=86400s preferred=86400s skip-as-source=no scope-id=0 \
          created=2024-11-30T04:00:00Z";
    link_local_ipv6_address_with_zone_and_infinite_lifetimes: address_full(Add, &link_local_address().address())
        => "netnotify: address add fe80::1c2a:5ff:fe00:1%12/64 if=12 luid=ieee80211:2 \
          name=wireless_32768 alias=\"Wi-Fi\" dad=preferred prefix-origin=well-known \
          suffix-origin=link-layer-address valid=infinite preferred=infinite \
          skip-as-source=no scope-id=12 created=2024-11-30T03:59:59Z";
    router_advertised_temporary_address_deprecated: address_full(Parameter, &deprecated_temporary_address().address())
        => "netnotify: address parameter 2001:db8:1:0:a1b2:c3d4:e5f6:789/64 if=12 \
          luid=ieee80211:2 name=wireless_32768 alias=\"Wi-Fi\" dad=deprecated \
          prefix-origin=router-advertisement suffix-origin=random valid=604800s \
          preferred=0s skip-as-source=no scope-id=0 created=1601-01-01T00:00:00Z";
    manual_address_duplicate_and_skipped_as_source: address_full(Parameter, &duplicate_manual_address().address())
        => "netnotify: address parameter 10.0.0.5/8 if=4 luid=ethernetCsmacd:1 \
          name=ethernet_32769 alias=\"Ethernet 2\" dad=duplicate prefix-origin=manual \
          suffix-origin=manual valid=infinite preferred=infinite skip-as-source=yes \
          scope-id=0 created=1601-01-01T00:00:00Z";
    unknown_enum_values_print_as_numbers_and_bad_lengths_are_marked: address_full(Add, &strange_address().address())
        => "netnotify: address add 169.254.7.7/255(invalid) if=3 \
          luid=999:1(reserved=0x0000AB) name=? alias=? dad=77 prefix-origin=9 \
          suffix-origin=-3 valid=0s preferred=0s skip-as-source=no scope-id=536870915 \
          created=-1";
    address_delete_prints_the_keys_with_zone: address_keys(Delete, &link_local_address().address(), Note::None)
        => "netnotify: address delete fe80::1c2a:5ff:fe00:1%12 if=12 luid=ieee80211:2 \
          name=wireless_32768 alias=\"Wi-Fi\"";
    address_not_requeried_above_passive_level_says_so: address_keys(Add, &dhcp_address(1).address(), Note::NotPassive(2))
        => "netnotify: address add 192.168.1.23 if=12 luid=ieee80211:2 name=wireless_32768 \
          alias=\"Wi-Fi\" (not re-queried at IRQL 2)";
    address_requery_failure_names_the_status: address_keys(
            Parameter,
            &dhcp_address(1).address(),
            Note::QueryFailed(NtStatus::INSUFFICIENT_RESOURCES),
        )
        => "netnotify: address parameter 192.168.1.23 if=12 luid=ieee80211:2 \
          name=wireless_32768 alias=\"Wi-Fi\" (re-query failed with status 0xC000009A)";
    ipv4_default_route_via_gateway: route_full(Add, &default_route_v4().route())
        => "netnotify: route add 0.0.0.0/0 via 192.168.1.1 if=12 luid=ieee80211:2 \
          name=wireless_32768 alias=\"Wi-Fi\" route-metric=0 protocol=netmgmt origin=dhcp \
          valid=infinite preferred=infinite age=12s site-prefix=0 loopback=no autoconf=yes \
          publish=no immortal=no";
    ipv4_on_link_subnet_route: route_full(Add, &on_link_route_v4().route())
        => "netnotify: route add 192.168.1.0/24 on-link if=12 luid=ieee80211:2 \
          name=wireless_32768 alias=\"Wi-Fi\" route-metric=256 protocol=local \
          origin=well-known valid=infinite preferred=infinite age=0s site-prefix=0 \
          loopback=no autoconf=yes publish=no immortal=no";
    ipv4_host_route: route_full(Add, &host_route_v4().route())
        => "netnotify: route add 192.168.1.23/32 on-link if=12 luid=ieee80211:2 \
          name=wireless_32768 alias=\"Wi-Fi\" route-metric=256 protocol=local \
          origin=well-known valid=infinite preferred=infinite age=0s site-prefix=0 \
          loopback=no autoconf=yes publish=no immortal=no";
    ipv6_default_route_via_link_local_router: route_full(Parameter, &default_route_v6().route())
        => "netnotify: route parameter ::/0 via fe80::1%12 if=12 luid=ieee80211:2 \
          name=wireless_32768 alias=\"Wi-Fi\" route-metric=256 protocol=local \
          origin=router-advertisement valid=1800s preferred=1800s age=0s site-prefix=0 \
          loopback=no autoconf=yes publish=no immortal=no";
    loopback_route_immortal: route_full(Add, &loopback_route().route())
        => "netnotify: route add 127.0.0.0/8 on-link if=1 luid=softwareLoopback:0 \
          name=loopback_0 alias=\"Loopback Pseudo-Interface 1\" route-metric=256 \
          protocol=local origin=well-known valid=infinite preferred=infinite age=86400s \
          site-prefix=0 loopback=yes autoconf=no publish=no immortal=yes";
    widest_ipv6_route_with_names_unknown: route_full(Parameter, &widest_route_v6().route())
        => "netnotify: route parameter \
          ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe%4294967295/128 via \
          ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe%4294967295 if=4294967295 \
          luid=241:16777215 name=? alias=? route-metric=4294967294 \
          protocol=nt-static-non-dod origin=6to4 valid=4294967294s preferred=4294967294s \
          age=4294967295s site-prefix=255 loopback=yes autoconf=yes publish=yes \
          immortal=yes";
    route_with_unknown_values_and_invalid_prefix: route_full(Add, &strange_route().route())
        => "netnotify: route add 10.0.0.0/33(invalid) via family(99) if=4 \
          luid=ethernetCsmacd:1 name=ethernet_32769 alias=\"Ethernet 2\" \
          route-metric=unset protocol=0 origin=-7 valid=0s preferred=0s age=0s \
          site-prefix=0 loopback=no autoconf=no publish=no immortal=no";
    route_delete_prints_the_keys: route_keys(Delete, &default_route_v6().route(), Note::None)
        => "netnotify: route delete ::/0 via fe80::1%12 if=12 luid=ieee80211:2 \
          name=wireless_32768 alias=\"Wi-Fi\"";
    unknown_notification_type_prints_its_number_and_the_keys: route_keys(Other(42), &on_link_route_v4().route(), Note::None)
        => "netnotify: route type=42 192.168.1.0/24 on-link if=12 luid=ieee80211:2 \
          name=wireless_32768 alias=\"Wi-Fi\"";
    null_interface_row: render::interface_event(Initial, &Detail::NoRow, &Names::UNKNOWN).0.as_str().to_owned()
        => "netnotify: interface initial (no row)";
    null_address_row: render::address_event(Add, &Detail::NoRow, &Names::UNKNOWN).as_str().to_owned()
        => "netnotify: address add (no row)";
    null_route_row_of_unknown_type: render::route_event(Other(-1), &Detail::NoRow, &Names::UNKNOWN).as_str().to_owned()
        => "netnotify: route type=-1 (no row)";
}

/// A 256-character alias (the most NETIO returns) with every flag set: the first line keeps
/// the first 45 characters and `...`, and nothing is cut.
#[test]
fn long_alias_is_shortened_visibly_and_every_flag_fits() {
    let mut row = wifi_ipv6_interface();
    for offset in [40, 41, 42, 43, 44, 45, 46, 47, 48, 157, 158, 159, 166] {
        row = row.u8(offset, 1);
    }
    let alias: String = "Intel(R) Wi-Fi 6E AX211 160MHz \"office\" ".repeat(7);
    let names = Names::new("wireless_32768", &alias);
    let (first, more) = render::interface_event(
        Parameter,
        &Detail::Full(Interface::decode(&row.interface())),
        &names,
    );
    assert_eq!(
        first.as_str(),
        "netnotify: interface parameter family=ipv6 if=12 luid=ieee80211:2 \
         name=wireless_32768 alias=\"Intel(R) Wi-Fi 6E AX211 160MHz 'office' Intel...\" \
         connected=yes mtu=1500 metric=45 flags=auto-metric,forwarding,advertising,\
         advertise-default,no-default-routes,weak-send,weak-receive,nud,managed,\
         other-stateful,wake,nd,rd"
    );
    assert!(!first.is_truncated() && !more.unwrap().is_truncated());
}

/// What is not printable ASCII in an alias prints as `?`; a name without an alias (one
/// conversion failed) prints the one it has.
#[test]
fn alias_characters_outside_ascii_print_as_question_marks() {
    let names = Names {
        alias: render::Text::from_text("Ethernet \u{e9}t\u{e9}\t2"),
        ..Names::UNKNOWN
    };
    let row = on_link_route_v4().route();
    let line = render::route_event(
        Delete,
        &Detail::Keys(RouteKeys::decode(&row), Note::None),
        &names,
    );
    assert_eq!(
        line.as_str(),
        "netnotify: route delete 192.168.1.0/24 on-link if=12 luid=ieee80211:2 name=? \
         alias=\"Ethernet ?t??2\""
    );
}
