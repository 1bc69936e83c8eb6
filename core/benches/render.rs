//! Decode + render per event, for each row kind, against a naive baseline that formats the
//! same fields into a heap `String` with `format!` (README.md#cost-of-a-line).
//!
//! Each benchmark starts from the raw row copy a callback holds and ends with the finished
//! lines; the baseline uses the same typed values and their `Display` impls, so the
//! difference is writing into the fixed line (`Put`) against `format!` into a heap string.
//! The interface's name and alias are given: looking them up is NETIO's work, not rendering.
//! In the same run: building each notification's ETW event (`*/etw-event`: its keys decoded,
//! its `TraceLogging` metadata and payload written), and the one check an event costs when no
//! session listens. Run: `cargo bench -p netnotify-core`.

use std::hint::black_box;
use std::net::{Ipv4Addr, Ipv6Addr};

use criterion::{Criterion, criterion_group, criterion_main};
use netnotify_core::boundary::ffi::{
    IpAddressPrefix, MibIpForwardRow2, MibIpInterfaceRow, MibUnicastIpAddressRow, SockaddrInet,
};
use netnotify_core::model::decode::{Address, Change, Interface, Route, RouteKeys};
use netnotify_core::model::fields;
use netnotify_core::model::notification::Notification;
use netnotify_core::output::line::Line;
use netnotify_core::output::render::{self, Detail, Family, Names, Note, Timestamp};
use netnotify_core::output::trace::{self, Session};

fn ipv4(address: Ipv4Addr) -> SockaddrInet {
    let mut bytes = [0; 28];
    bytes[..2].copy_from_slice(&2_u16.to_ne_bytes());
    bytes[4..8].copy_from_slice(&address.octets());
    SockaddrInet { bytes }
}

fn ipv6(address: Ipv6Addr, scope_id: u32) -> SockaddrInet {
    let mut bytes = [0; 28];
    bytes[..2].copy_from_slice(&23_u16.to_ne_bytes());
    bytes[8..24].copy_from_slice(&address.octets());
    bytes[24..28].copy_from_slice(&scope_id.to_ne_bytes());
    SockaddrInet { bytes }
}

const WIFI: u64 = 0x0047_0000_0200_0000;

fn interface_row() -> MibIpInterfaceRow {
    let mut zone_indices = [0; 16];
    for (level, zone) in [(1, 12), (2, 12), (3, 12), (4, 12), (5, 1), (8, 1), (14, 1)] {
        zone_indices[level] = zone;
    }
    MibIpInterfaceRow {
        family: 23,
        interface_luid: WIFI,
        interface_index: 12,
        min_router_advertisement_interval: 200_000,
        max_router_advertisement_interval: 600_000,
        use_automatic_metric: 1,
        use_neighbor_unreachability_detection: 1,
        router_discovery_behavior: 1,
        dad_transmits: 1,
        base_reachable_time: 30_000,
        retransmit_time: 1_000,
        path_mtu_discovery_timeout: 600_000,
        link_local_address_behavior: 2,
        zone_indices,
        site_prefix_length: 64,
        metric: 45,
        nl_mtu: 1500,
        connected: 1,
        supports_wake_up_patterns: 1,
        supports_neighbor_discovery: 1,
        supports_router_discovery: 1,
        reachable_time: 25_500,
        transmit_offload: 0x3F,
        receive_offload: 0x1F,
        ..MibIpInterfaceRow::default()
    }
}

fn address_row() -> MibUnicastIpAddressRow {
    MibUnicastIpAddressRow {
        address: ipv6(
            Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0xa1b2, 0xc3d4, 0xe5f6, 0x789),
            0,
        ),
        interface_luid: WIFI,
        interface_index: 12,
        prefix_origin: 4,
        suffix_origin: 5,
        valid_lifetime: 604_800,
        preferred_lifetime: 86_400,
        on_link_prefix_length: 64,
        dad_state: 4,
        creation_time_stamp: 133_774_128_000_000_000,
        ..MibUnicastIpAddressRow::default()
    }
}

/// The worst case: two full IPv6 addresses with zones.
fn route_row_v6() -> MibIpForwardRow2 {
    MibIpForwardRow2 {
        interface_luid: WIFI,
        interface_index: 12,
        destination_prefix: IpAddressPrefix {
            prefix: ipv6(Ipv6Addr::new(0x2001, 0xdb8, 0xaaaa, 0xbbbb, 0, 0, 0, 0), 12),
            prefix_length: 64,
        },
        next_hop: ipv6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0x1c2a, 0x5ff, 0xfe00, 1), 12),
        valid_lifetime: 1_800,
        preferred_lifetime: 1_800,
        metric: 256,
        protocol: 2,
        autoconfigure_address: 1,
        origin: 3,
        ..MibIpForwardRow2::default()
    }
}

fn route_row_v4() -> MibIpForwardRow2 {
    MibIpForwardRow2 {
        destination_prefix: IpAddressPrefix {
            prefix: ipv4(Ipv4Addr::UNSPECIFIED),
            prefix_length: 0,
        },
        next_hop: ipv4(Ipv4Addr::new(192, 168, 1, 1)),
        ..route_row_v6()
    }
}

// ---- The baseline: the same fields with `format!` into a `String` ----

/// The names a callback looked up (the lookups are NETIO's, not rendering).
fn names() -> Names {
    Names::new("wireless_32768", "Wi-Fi")
}

fn naive_interface(row: &MibIpInterfaceRow) -> (String, String) {
    let row = Interface::decode(row);
    let zones = row
        .zone_indices
        .0
        .iter()
        .enumerate()
        .filter(|(_, zone)| **zone != 0)
        .map(|(level, zone)| format!("{level}:{zone}"))
        .collect::<Vec<_>>()
        .join(",");
    // The flag names are the field table's (core/src/model/fields.rs), in its order.
    let flags = [
        row.use_automatic_metric,
        row.forwarding_enabled,
        row.advertising_enabled,
        row.advertise_default_route,
        row.disable_default_routes,
        row.weak_host_send,
        row.weak_host_receive,
        row.use_neighbor_unreachability_detection,
        row.managed_address_configuration_supported,
        row.other_stateful_configuration_supported,
        row.supports_wake_up_patterns,
        row.supports_neighbor_discovery,
        row.supports_router_discovery,
    ]
    .iter()
    .zip(&fields::interface::FLAG_BITS)
    .filter(|(flag, _)| flag.is_set())
    .map(|(_, bit)| bit.name)
    .collect::<Vec<_>>()
    .join(",");
    let names = names();
    (
        format!(
            "netnotify: interface {} family={} if={} luid={} name={} alias=\"{}\" connected={} \
             mtu={} metric={} flags={flags}",
            Change::Parameter,
            Family(row.keys.family),
            row.keys.index,
            row.keys.luid,
            names.name.as_ascii(&mut [0; 32]).unwrap_or("?"),
            names.alias.as_ascii(&mut [0; 48]).unwrap_or("?"),
            row.connected,
            row.nl_mtu,
            row.metric,
        ),
        format!(
            "netnotify: interface {} family={} if={} router-discovery={} link-local={} \
             link-local-timeout={} dad-transmits={} reachable={} base-reachable={} \
             retransmit={} pmtu-timeout={} ra-interval={}-{} site-prefix={} offload={}/{} \
             zones={zones}",
            Change::Parameter,
            Family(row.keys.family),
            row.keys.index,
            row.router_discovery_behavior,
            row.link_local_address_behavior,
            row.link_local_address_timeout,
            row.dad_transmits,
            row.reachable_time,
            row.base_reachable_time,
            row.retransmit_time,
            row.path_mtu_discovery_timeout,
            row.min_router_advertisement_interval.0,
            row.max_router_advertisement_interval,
            row.site_prefix_length,
            row.transmit_offload,
            row.receive_offload,
        ),
    )
}

fn naive_address(row: &MibUnicastIpAddressRow) -> String {
    let row = Address::decode(row);
    let names = names();
    format!(
        "netnotify: address {} {} if={} luid={} name={} alias=\"{}\" dad={} prefix-origin={} \
         suffix-origin={} valid={} preferred={} skip-as-source={} scope-id={} created={}",
        Change::Add,
        row.prefix(),
        row.keys.index,
        row.keys.luid,
        names.name.as_ascii(&mut [0; 32]).unwrap_or("?"),
        names.alias.as_ascii(&mut [0; 48]).unwrap_or("?"),
        row.dad_state,
        row.prefix_origin,
        row.suffix_origin,
        row.valid_lifetime,
        row.preferred_lifetime,
        row.skip_as_source,
        row.scope_id,
        Timestamp(row.creation_time_stamp),
    )
}

fn naive_route(row: &MibIpForwardRow2) -> String {
    let row = Route::decode(row);
    let next_hop = if row.keys.next_hop.is_unspecified() {
        "on-link".to_owned()
    } else {
        format!("via {}", row.keys.next_hop)
    };
    let names = names();
    format!(
        "netnotify: route {} {} {next_hop} if={} luid={} name={} alias=\"{}\" route-metric={} \
         protocol={} origin={} valid={} preferred={} age={}s site-prefix={} loopback={} \
         autoconf={} publish={} immortal={}",
        Change::Add,
        row.keys.destination,
        row.keys.index,
        row.keys.luid,
        names.name.as_ascii(&mut [0; 32]).unwrap_or("?"),
        names.alias.as_ascii(&mut [0; 48]).unwrap_or("?"),
        row.metric,
        row.protocol,
        row.origin,
        row.valid_lifetime,
        row.preferred_lifetime,
        row.age,
        row.site_prefix_length,
        row.loopback,
        row.autoconfigure_address,
        row.publish,
        row.immortal,
    )
}

fn benches(c: &mut Criterion) {
    let interface = interface_row();
    let address = address_row();
    let route_v6 = route_row_v6();
    let route_v4 = route_row_v4();

    // The baseline must print the very same lines, or the comparison means nothing.
    let names = names();
    let (first, more) = render::interface_event(
        Change::Parameter,
        &Detail::Full(Interface::decode(&interface)),
        &names,
    );
    let naive = naive_interface(&interface);
    assert_eq!(first.as_str(), naive.0);
    assert_eq!(more.as_ref().map(Line::as_str), Some(naive.1.as_str()));
    let same = |line: &Line, naive: String| assert_eq!(line.as_str(), naive);
    same(
        &render::address_event(
            Change::Add,
            &Detail::Full(Address::decode(&address)),
            &names,
        ),
        naive_address(&address),
    );
    same(
        &render::route_event(Change::Add, &Detail::Full(Route::decode(&route_v6)), &names),
        naive_route(&route_v6),
    );

    let mut group = c.benchmark_group("event");
    group.bench_function("interface/line", |b| {
        b.iter(|| {
            render::interface_event(
                Change::Parameter,
                &Detail::Full(Interface::decode(black_box(&interface))),
                black_box(&names),
            )
        });
    });
    group.bench_function("interface/format!", |b| {
        b.iter(|| naive_interface(black_box(&interface)));
    });
    group.bench_function("address/line", |b| {
        b.iter(|| {
            render::address_event(
                Change::Add,
                &Detail::Full(Address::decode(black_box(&address))),
                black_box(&names),
            )
        });
    });
    group.bench_function("address/format!", |b| {
        b.iter(|| naive_address(black_box(&address)));
    });
    group.bench_function("route-ipv4/line", |b| {
        b.iter(|| {
            render::route_event(
                Change::Add,
                &Detail::Full(Route::decode(black_box(&route_v4))),
                black_box(&names),
            )
        });
    });
    group.bench_function("route-ipv4/format!", |b| {
        b.iter(|| naive_route(black_box(&route_v4)));
    });
    group.bench_function("route-ipv6/line", |b| {
        b.iter(|| {
            render::route_event(
                Change::Add,
                &Detail::Full(Route::decode(black_box(&route_v6))),
                black_box(&names),
            )
        });
    });
    group.bench_function("route-ipv6/format!", |b| {
        b.iter(|| naive_route(black_box(&route_v6)));
    });
    group.finish();
}

/// The ETW event of the same notifications, in the same run and group.
fn etw_benches(c: &mut Criterion) {
    let interface = interface_row();
    let address = address_row();
    let route_v6 = route_row_v6();
    let route_v4 = route_row_v4();
    let names = names();
    let mut group = c.benchmark_group("event");
    // The ETW event of the same notification, as the callback writes it for a printed
    // line: every field of the full row and the names, from the field table through the
    // renderer's visitor, into the payload on the stack in the schema's fixed order and types
    // (the metadata is a static: what the callback hands to EtwWriteTransfer with it).
    group.bench_function("interface/etw-event", |b| {
        b.iter(|| {
            let detail = Detail::Full(Interface::decode(black_box(&interface)));
            let mut event: trace::InterfaceEvent = trace::change_event(Notification::Interface);
            trace::start_change(&mut event, Change::Parameter, 7, true, Note::None);
            render::visit_interface(&mut event.fields(), &detail, black_box(&names));
            black_box(event.finish());
            event
        });
    });
    group.bench_function("address/etw-event", |b| {
        b.iter(|| {
            let detail = Detail::Full(Address::decode(black_box(&address)));
            let mut event: trace::AddressEvent = trace::change_event(Notification::Address);
            trace::start_change(&mut event, Change::Add, 7, true, Note::None);
            render::visit_address(&mut event.fields(), &detail, black_box(&names));
            black_box(event.finish());
            event
        });
    });
    for (name, row) in [
        ("route-ipv4/etw-event", &route_v4),
        ("route-ipv6/etw-event", &route_v6),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let detail = Detail::Full(Route::decode(black_box(row)));
                let mut event: trace::RouteEvent = trace::change_event(Notification::Route);
                trace::start_change(&mut event, Change::Add, 7, true, Note::None);
                render::visit_route(&mut event.fields(), &detail, black_box(&names));
                black_box(event.finish());
                event
            });
        });
    }
    // A storm's left-out event: the keys as delivered, no names.
    group.bench_function("route-ipv4/etw-event-left-out", |b| {
        b.iter(|| {
            let detail: Detail<RouteKeys, Route> =
                Detail::Keys(RouteKeys::decode(black_box(&route_v4)), Note::None);
            let mut event: trace::RouteEvent = trace::change_event(Notification::Route);
            trace::start_change(&mut event, Change::Add, 7, false, Note::None);
            render::visit_route(&mut event.fields(), &detail, &Names::UNKNOWN);
            black_box(event.finish());
            event
        });
    });
    // With no session: the one check an event costs.
    let session = Session::default();
    group.bench_function("no-session/enabled-check", |b| {
        b.iter(|| black_box(&session).enabled(trace::Level::Informational, trace::keyword::ROUTE));
    });
    group.finish();
}

criterion_group!(render_benches, benches, etw_benches);
criterion_main!(render_benches);
