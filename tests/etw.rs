//! The ETW provider through the simulator's trace double: registration at load and
//! unregistration after the last event, what a failed registration costs, which events a
//! session gets for its level and keywords, capture-state, and that storm control leaves the
//! events alone.

mod common;

use core::net::Ipv4Addr;

use common::{ETHERNET_LUID, ipv4, route_row};
use netnotify_core::boundary::ffi::{MibIpInterfaceRow, notification_type as nt};
use netnotify_core::model::counters::{ChangeCounts, StableCounts, Summary};
use netnotify_core::model::notification::{Notification, NotificationSet};
use netnotify_core::model::record::{
    ErrorMessage, Loaded, Record, StableState, Storm, Totals, WarningMessage,
};
use netnotify_core::model::settings::{RawValue, SETTINGS, Settings};
use netnotify_core::model::status::NtStatus;
use netnotify_core::output::render;
use netnotify_core::output::trace::{
    self, Channel, DESCRIPTOR_PROVIDER_TRAITS, Level, PROVIDER_GUID, PROVIDER_NAME,
    PROVIDER_TRAITS, keyword,
};
use netnotify_core::policy::lifecycle::driver_entry;
use netnotify_core::sim::{Event, Sim};

const GUID: &str = "{cabe4808-b99f-5fdb-95a1-c1294a861355}";

/// Every keyword, every level: what `wpr` or `tracelog` ask for by default.
const ALL: u64 = u64::MAX;

fn route_add() -> Event {
    Event::Route(
        Some(route_row(
            ipv4(Ipv4Addr::new(10, 1, 0, 0)),
            16,
            ipv4(Ipv4Addr::new(10, 0, 0, 1)),
            ETHERNET_LUID,
            3,
        )),
        nt::ADD,
    )
}

fn loaded(sim: &Sim) -> String {
    sim.lines()
        .into_iter()
        .find(|line| line.starts_with("netnotify: loaded "))
        .expect("a loaded line")
}

#[test]
fn the_provider_is_netnotify_and_its_guid_the_hash_of_the_name() {
    assert_eq!(PROVIDER_NAME, "netnotify");
    // Microsoft's crate hashes the name (case-insensitively) as TraceLogging does.
    for name in ["netnotify", "NetNotify"] {
        let hash = tracelogging::Guid::from_name(name);
        assert_eq!(PROVIDER_GUID.to_u128(), hash.to_u128(), "{name}");
    }
    assert_eq!(DESCRIPTOR_PROVIDER_TRAITS, 2);
    let sim = Sim::new();
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    assert!(loaded(&sim).ends_with(&format!(" unload=enabled etw={GUID}")));
    assert_eq!(sim.etw_traits().as_deref(), Some(&PROVIDER_TRAITS[..]));
    assert_eq!(sim.etw_registrations(), (1, 0));
    sim.unload_driver();
    assert_eq!(sim.etw_registrations(), (1, 1));
    sim.finish();
}

#[test]
fn with_no_session_nothing_is_written() {
    let sim = Sim::new();
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    sim.deliver(route_add());
    sim.etw_control(trace::CAPTURE_STATE, 0, 0, 0);
    sim.unload_driver();
    assert!(sim.etw_writes().is_empty());
    sim.finish();
}

#[test]
fn a_session_gets_every_event_from_settings_to_unloaded_and_nothing_after_the_unregister() {
    let sim = Sim::new();
    sim.etw_session_at_register(0, ALL);
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    sim.deliver(route_add());
    sim.unload_driver();
    let events = sim.etw_events();
    assert_eq!(
        events,
        [
            r#"{"event":"settings","seq":1,"printed":true,"Notifications":15,"Family":0,"InitialNotification":1,"Requery":1,"Verbosity":2,"LinesPerSecond":20,"Burst":100}"#,
            // No row: every column its type's zero, `present` 0.
            r#"{"event":"interface","change":"initial","seq":1,"printed":true,"note":"","present":0,"family":"","if":0,"luid":"0x0000000000000000","connected":false,"mtu":0,"metric":0,"flags":"0x00000000","router-discovery":"","link-local":"","link-local-timeout":0,"dad-transmits":0,"reachable":0,"base-reachable":0,"retransmit":0,"pmtu-timeout":0,"ra-interval":"","site-prefix":0,"offload":"","zones":[],"name":"","alias":""}"#,
            r#"{"event":"interface","change":"initial","seq":2,"printed":true,"note":"","present":0,"family":"","if":0,"luid":"0x0000000000000000","connected":false,"mtu":0,"metric":0,"flags":"0x00000000","router-discovery":"","link-local":"","link-local-timeout":0,"dad-transmits":0,"reachable":0,"base-reachable":0,"retransmit":0,"pmtu-timeout":0,"ra-interval":"","site-prefix":0,"offload":"","zones":[],"name":"","alias":""}"#,
            r#"{"event":"address","change":"initial","seq":1,"printed":true,"note":"","present":0,"address":"","address-length":0,"if":0,"luid":"0x0000000000000000","dad":"","prefix-origin":"","suffix-origin":"","valid":0,"preferred":0,"skip-as-source":false,"scope-id":0,"created":0,"name":"","alias":""}"#,
            r#"{"event":"address","change":"initial","seq":2,"printed":true,"note":"","present":0,"address":"","address-length":0,"if":0,"luid":"0x0000000000000000","dad":"","prefix-origin":"","suffix-origin":"","valid":0,"preferred":0,"skip-as-source":false,"scope-id":0,"created":0,"name":"","alias":""}"#,
            r#"{"event":"route","change":"initial","seq":1,"printed":true,"note":"","present":0,"destination":"","destination-length":0,"via":"","if":0,"luid":"0x0000000000000000","route-metric":0,"protocol":"","origin":"","valid":0,"preferred":0,"age":0,"site-prefix":0,"loopback":false,"autoconf":false,"publish":false,"immortal":false,"name":"","alias":""}"#,
            r#"{"event":"route","change":"initial","seq":2,"printed":true,"note":"","present":0,"destination":"","destination-length":0,"via":"","if":0,"luid":"0x0000000000000000","route-metric":0,"protocol":"","origin":"","valid":0,"preferred":0,"age":0,"site-prefix":0,"loopback":false,"autoconf":false,"publish":false,"immortal":false,"name":"","alias":""}"#,
            r#"{"event":"stable-table","seq":1,"printed":true,"present":3,"completion":"immediate","entries":0,"position":0,"address":"","address-length":0,"if":0,"luid":"0x0000000000000000","dad":"","prefix-origin":"","suffix-origin":"","valid":0,"preferred":0,"skip-as-source":false,"scope-id":0,"created":0,"name":"","alias":""}"#,
            r#"{"event":"loaded","seq":1,"printed":true,"version":"0.1.0","schema":2,"present":127,"registered":"interface,address,route,stable-table","family":"unspec","initial":true,"stable-table":"immediate","entries":0,"unload":"enabled","etw":"{cabe4808-b99f-5fdb-95a1-c1294a861355}"}"#,
            // The line's record: the keys as delivered, the note, no names (the sim's
            // network has no such route, so the re-query found none): `present` has the
            // four keys' bits.
            r#"{"event":"route","change":"add","seq":3,"printed":true,"note":"gone before re-query","present":31,"destination":"10.1.0.0","destination-length":16,"via":"10.0.0.1","if":3,"luid":"0x0006000001000000","route-metric":0,"protocol":"","origin":"","valid":0,"preferred":0,"age":0,"site-prefix":0,"loopback":false,"autoconf":false,"publish":false,"immortal":false,"name":"","alias":""}"#,
            // Every counter always: `kept` empty and `leaked-tables` 0 where the line
            // leaves them out.
            r#"{"event":"unloaded","seq":1,"printed":true,"interface.initial":2,"interface.add":0,"interface.delete":0,"interface.parameter":0,"interface.other":0,"address.initial":2,"address.add":0,"address.delete":0,"address.parameter":0,"address.other":0,"route.initial":2,"route.add":1,"route.delete":0,"route.parameter":0,"route.other":0,"stable-table.tables":1,"stable-table.entries":0,"kept":"","leaked-tables":0,"etw-dropped":0,"low-stack":0,"min-stack":18432}"#,
        ]
    );
    // Every event is a TraceLogging event of the provider, at its level, with its keyword.
    let writes = sim.etw_writes();
    for write in &writes {
        assert_eq!(write.traits, PROVIDER_TRAITS);
        assert_eq!(write.descriptor.channel, Channel::TraceLogging);
        assert_eq!(write.descriptor.level, Level::Informational);
    }
    let keywords: Vec<u64> = writes
        .iter()
        .map(|write| write.descriptor.keyword)
        .collect();
    assert_eq!(
        keywords,
        [
            keyword::LIFECYCLE,
            keyword::INTERFACE,
            keyword::INTERFACE,
            keyword::ADDRESS,
            keyword::ADDRESS,
            keyword::ROUTE,
            keyword::ROUTE,
            keyword::STABLE_TABLE,
            keyword::LIFECYCLE,
            keyword::ROUTE,
            keyword::LIFECYCLE,
        ]
    );
    assert!(!sim.etw_registered());
    sim.finish();
}

#[test]
fn a_route_keyword_session_gets_only_route_events() {
    let sim = Sim::new();
    sim.etw_session_at_register(Level::Verbose.as_int(), keyword::ROUTE);
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    sim.deliver(route_add());
    sim.deliver(Event::Interface(None, nt::ADD));
    sim.unload_driver();
    let events = sim.etw_events();
    assert_eq!(events.len(), 3, "{events:#?}");
    assert!(
        events
            .iter()
            .all(|event| event.starts_with(r#"{"event":"route","#)),
        "{events:#?}"
    );
    sim.finish();
}

#[test]
fn an_error_level_session_gets_only_errors() {
    let sim = Sim::new();
    sim.etw_session_at_register(Level::Error.as_int(), ALL);
    sim.fail_cancel(Notification::Route, NtStatus::INVALID_PARAMETER);
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    sim.deliver(route_add());
    sim.unload_driver();
    assert_eq!(
        sim.etw_events(),
        [
            r#"{"event":"error","seq":1,"printed":true,"message":"CancelMibChangeNotify2 for route failed with status 0xC000000D; its callback may still run, so netnotify keeps it and stays in memory"}"#
        ]
    );
    // The registration stays, and so does the provider: its callback may still write.
    assert!(sim.etw_registered());
    assert_eq!(sim.etw_writes()[0].descriptor.level, Level::Error);
    sim.finish();
}

#[test]
fn capture_state_writes_the_counters_so_far() {
    let sim = Sim::new();
    sim.set_parameter("Notifications", RawValue::Dword(4));
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    sim.deliver(route_add());
    // A session starts after the load (`xperf -capturestate`, a new WPR session): enable,
    // then capture-state.
    sim.etw_control(1, Level::Informational.as_int(), keyword::LIFECYCLE, 0);
    sim.etw_control(trace::CAPTURE_STATE, 0, 0, 0);
    let events = sim.etw_events();
    assert_eq!(
        events,
        [
            r#"{"event":"counters","seq":1,"printed":false,"version":"0.1.0","schema":2,"interface.initial":0,"interface.add":0,"interface.delete":0,"interface.parameter":0,"interface.other":0,"address.initial":0,"address.add":0,"address.delete":0,"address.parameter":0,"address.other":0,"route.initial":2,"route.add":1,"route.delete":0,"route.parameter":0,"route.other":0,"stable-table.tables":0,"stable-table.entries":0,"kept":"","leaked-tables":0,"etw-dropped":0,"low-stack":0,"min-stack":18432}"#
        ]
    );
    // Its record (`cargo replay --json`'s object), after the route's, with the event's totals.
    let records: Vec<Record> = sim
        .event_records_since(0)
        .into_iter()
        .map(|(_, record)| record)
        .collect();
    assert_eq!(
        records.last(),
        Some(&Record::Counters(Totals {
            interface: ChangeCounts::default(),
            address: ChangeCounts::default(),
            route: ChangeCounts {
                initial: 2,
                add: 1,
                ..ChangeCounts::default()
            },
            stable: StableCounts::default(),
            kept: NotificationSet::EMPTY,
            leaked_tables: 0,
            etw_dropped: 0,
            low_stack: 0,
            min_stack: Some(18_432),
        }))
    );
    // A session that does not take the lifecycle keyword gets no `counters` event, and no
    // record is made for it (nor a rundown: the interfaces are not registered).
    sim.etw_control(1, Level::Informational.as_int(), keyword::INTERFACE, 0);
    sim.etw_control(trace::CAPTURE_STATE, 0, 0, 0);
    assert_eq!(sim.etw_events().len(), 1, "{:?}", sim.etw_events());
    assert!(
        sim.event_records_since(records.len())
            .iter()
            .all(|(_, record)| record.kind() != "counters")
    );
    // Disabled: nothing more.
    sim.etw_control(0, 0, 0, 0);
    sim.deliver(route_add());
    sim.unload_driver();
    assert_eq!(sim.etw_writes().len(), 1);
    sim.finish();
}

#[test]
fn a_failed_registration_loads_without_etw_and_says_so() {
    let sim = Sim::new();
    sim.fail_etw_register(NtStatus::INSUFFICIENT_RESOURCES);
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    let lines = sim.lines();
    assert_eq!(
        lines[1],
        "netnotify: warning: EtwRegister failed with status 0xC000009A; no ETW events, the \
         lines are unaffected"
    );
    assert!(loaded(&sim).ends_with(" unload=enabled etw=off"));
    sim.deliver(route_add());
    sim.unload_driver();
    // Never registered, so never unregistered, and nothing written.
    assert_eq!(sim.etw_registrations(), (0, 0));
    assert!(sim.etw_writes().is_empty());
    sim.finish();
}

#[test]
fn a_driver_entry_that_fails_unregisters_the_provider() {
    let sim = Sim::new();
    // A storm during the registrations sets the storm timer: the provider is unregistered
    // only after the timer's flush (the simulator checks), so no summary can follow it.
    sim.set_parameter("LinesPerSecond", RawValue::Dword(1));
    sim.set_parameter("Burst", RawValue::Dword(1));
    sim.etw_session_at_register(0, ALL);
    sim.script(
        Notification::Route,
        netnotify_core::sim::Outcome::Fail(NtStatus::INSUFFICIENT_RESOURCES),
    );
    assert_eq!(driver_entry(&sim), NtStatus::INSUFFICIENT_RESOURCES);
    assert_eq!(sim.etw_registrations(), (1, 1));
    // One line of each kind's two initial notifications: storm control left one out and set
    // the timer.
    assert_eq!(sim.lines().len(), 4, "{:#?}", sim.lines());
    let events = sim.etw_events();
    assert_eq!(
        events.last().map(String::as_str),
        Some(
            r#"{"event":"error","seq":1,"printed":true,"message":"NotifyRouteChange2 failed with status 0xC000009A; rolled back interface,address; not loading"}"#
        )
    );
    sim.finish();
}

#[test]
fn storm_control_limits_the_lines_not_the_events() {
    let sim = Sim::new();
    sim.set_parameter("Notifications", RawValue::Dword(4));
    sim.set_parameter("LinesPerSecond", RawValue::Dword(1));
    sim.set_parameter("Burst", RawValue::Dword(1));
    sim.etw_session_at_register(0, keyword::ROUTE);
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    for _ in 0..50 {
        sim.deliver(route_add());
    }
    let printed = sim
        .lines()
        .iter()
        .filter(|line| line.starts_with("netnotify: route add"))
        .count();
    sim.unload_driver();
    let events = sim.etw_events();
    assert!(printed < 5, "{printed} lines");
    assert_eq!(events.len(), 52);
    assert!(events[51].contains(r#""seq":52,"#));
    sim.finish();
}

#[test]
fn a_storm_summary_is_an_event_too() {
    let sim = Sim::new();
    sim.set_parameter("Notifications", RawValue::Dword(4));
    sim.set_parameter("LinesPerSecond", RawValue::Dword(1));
    sim.set_parameter("Burst", RawValue::Dword(1));
    sim.etw_session_at_register(0, keyword::LIFECYCLE);
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    for _ in 0..3 {
        sim.deliver(Event::Route(None, nt::DELETE));
    }
    sim.unload_driver();
    let events = sim.etw_events();
    let storm: Vec<&String> = events
        .iter()
        .filter(|event| event.starts_with(r#"{"event":"storm""#))
        .collect();
    assert_eq!(
        storm,
        [
            r#"{"event":"storm","seq":1,"printed":true,"notification":"route","initial":1,"add":0,"delete":3,"parameter":0,"other":0,"over":0.0}"#
        ]
    );
    let write = sim
        .etw_writes()
        .into_iter()
        .find(|write| netnotify_core::sim::decode_etw(write).contains("storm"))
        .unwrap();
    assert_eq!(write.descriptor.level, Level::Warning);
    sim.finish();
}

#[test]
fn a_warning_is_an_event_at_the_warning_level() {
    let sim = Sim::new();
    sim.etw_session_at_register(Level::Warning.as_int(), keyword::LIFECYCLE);
    sim.script(
        Notification::Interface,
        netnotify_core::sim::Outcome::Status(NtStatus(0x0000_0105)),
    );
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    sim.unload_driver();
    assert_eq!(
        sim.etw_events(),
        [
            r#"{"event":"warning","seq":1,"printed":true,"message":"NotifyIpInterfaceChange returned unexpected status 0x00000105; keeping its handle"}"#
        ]
    );
    assert_eq!(sim.etw_writes()[0].descriptor.level, Level::Warning);
    sim.finish();
}

/// An interface row with every flag set and every number at its widest, the zones of the
/// scope levels Windows sets at their widest too.
fn widest_interface_row() -> MibIpInterfaceRow {
    MibIpInterfaceRow {
        family: 23,
        interface_luid: u64::MAX,
        interface_index: u32::MAX,
        min_router_advertisement_interval: u32::MAX,
        max_router_advertisement_interval: u32::MAX,
        advertising_enabled: 1,
        forwarding_enabled: 1,
        weak_host_send: 1,
        weak_host_receive: 1,
        use_automatic_metric: 1,
        use_neighbor_unreachability_detection: 1,
        managed_address_configuration_supported: 1,
        other_stateful_configuration_supported: 1,
        advertise_default_route: 1,
        router_discovery_behavior: i32::MIN,
        dad_transmits: u32::MAX,
        base_reachable_time: u32::MAX,
        retransmit_time: u32::MAX,
        path_mtu_discovery_timeout: u32::MAX,
        link_local_address_behavior: i32::MIN,
        link_local_address_timeout: u32::MAX,
        // The scope levels Windows sets (1 interface … 14 global), each zone at its widest.
        zone_indices: core::array::from_fn(|level| {
            if [1, 2, 3, 4, 5, 8, 14].contains(&level) {
                u32::MAX
            } else {
                0
            }
        }),
        site_prefix_length: u32::MAX,
        metric: u32::MAX,
        nl_mtu: u32::MAX - 1,
        connected: 1,
        supports_wake_up_patterns: 1,
        supports_neighbor_discovery: 1,
        supports_router_discovery: 1,
        reachable_time: u32::MAX,
        transmit_offload: 0xFF,
        receive_offload: 0xFF,
        disable_default_routes: 1,
        ..MibIpInterfaceRow::default()
    }
}

/// Builds `detail`'s event as the interface callback does and finishes it: its payload, or
/// `None` if it was refused.
fn interface_payload(
    detail: &netnotify_core::output::render::Detail<
        netnotify_core::model::decode::InterfaceKeys,
        netnotify_core::model::decode::Interface,
    >,
    names: &netnotify_core::output::render::Names,
    note: netnotify_core::output::render::Note,
) -> Option<Vec<u8>> {
    use netnotify_core::model::decode::Change;
    let mut event: trace::InterfaceEvent = trace::change_event(Notification::Interface);
    trace::start_change(&mut event, Change::Other(i32::MIN), u64::MAX, true, note);
    netnotify_core::output::render::visit_interface(&mut event.fields(), detail, names);
    event.finish().then(|| event.payload().to_vec())
}

/// The largest interface events: every flag set, every number at its widest, all sixteen
/// zones at their widest (`u32::MAX`), the longest name and alias, the widest change type;
/// and the key-only event with the longest note. Each fits its payload's room, computed from
/// the schema (`trace::schema::INTERFACE.payload`): no valid interface row is dropped.
/// (Before the fixed schema, sixteen zones at their widest did not fit and were dropped.)
#[test]
fn the_largest_interface_event_fits() {
    use netnotify_core::model::decode::{Interface, InterfaceKeys};
    use netnotify_core::model::status::NtStatus;
    use netnotify_core::output::render::{Detail, Names, Note, Text};
    let row = MibIpInterfaceRow {
        zone_indices: [u32::MAX; 16],
        ..widest_interface_row()
    };
    let names = Names {
        name: Text::from_text(&"n".repeat(300)),
        alias: Text::from_text(&"a".repeat(300)),
    };
    let full = interface_payload(&Detail::Full(Interface::decode(&row)), &names, Note::None)
        .expect("the widest interface row fits");
    assert_eq!(full.len(), 214);
    assert!(full.len() <= trace::schema::INTERFACE.payload);
    let note = Note::QueryFailed(NtStatus(0xC000_0001_u32.cast_signed()));
    let keys = interface_payload(
        &Detail::Keys(InterfaceKeys::decode(&row), note),
        &names,
        note,
    )
    .expect("the key-only row fits");
    assert!(keys.len() < full.len(), "{}", keys.len());
}

/// The largest address, stable-table and route events: an IPv6 address of eight full groups
/// with a zone, the widest LUID (a long interface type, the largest index), the longest name
/// and alias, enum values no name is known for, every number at its widest. They fit their
/// schemas' payload rooms, so no such event is dropped.
#[test]
fn the_largest_address_and_route_events_fit() {
    use core::net::Ipv6Addr;
    use netnotify_core::model::decode::{Address, Change, Route};
    use netnotify_core::output::render::{self, Detail, Names, Note, Text};
    // IF_TYPE_IEEE80211 with the largest 24-bit index.
    let luid = (71_u64 << 48) | (0xFF_FFFF << 24);
    let wide = Ipv6Addr::new(
        0xffff, 0xfffe, 0xfffd, 0xfffc, 0xfffb, 0xfffa, 0xfff9, 0xfff8,
    );
    let names = Names {
        name: Text::from_text(&"n".repeat(300)),
        alias: Text::from_text(&"a".repeat(300)),
    };
    let mut address = common::address_row(common::ipv6(wide, u32::MAX), luid, u32::MAX);
    address.prefix_origin = i32::MIN;
    address.suffix_origin = i32::MIN;
    address.dad_state = i32::MIN;
    address.valid_lifetime = u32::MAX - 1;
    address.preferred_lifetime = u32::MAX - 1;
    address.on_link_prefix_length = 128;
    address.scope_id = u32::MAX;
    address.creation_time_stamp = i64::MIN;
    let detail = Detail::Full(Address::decode(&address));
    let mut event: trace::AddressEvent = trace::change_event(Notification::Address);
    trace::start_change(
        &mut event,
        Change::Other(i32::MIN),
        u64::MAX,
        true,
        Note::None,
    );
    render::visit_address(&mut event.fields(), &detail, &names);
    assert!(event.finish(), "address");
    let address_payload = event.payload().len();
    let mut event = trace::stable_event();
    trace::start_stable(&mut event, u64::MAX, true);
    render::visit_stable_entry(
        &mut event.fields(),
        u32::MAX,
        &Address::decode(&address),
        &names,
    );
    assert!(event.finish(), "stable-table");
    let stable_payload = event.payload().len();
    let mut route = route_row(
        common::ipv6(wide, u32::MAX),
        128,
        common::ipv6(wide, u32::MAX),
        luid,
        u32::MAX,
    );
    route.metric = u32::MAX - 1;
    route.protocol = i32::MIN;
    route.origin = i32::MIN;
    route.valid_lifetime = u32::MAX - 1;
    route.preferred_lifetime = u32::MAX - 1;
    route.age = u32::MAX;
    route.site_prefix_length = u8::MAX;
    let detail = Detail::Full(Route::decode(&route));
    let mut event: trace::RouteEvent = trace::change_event(Notification::Route);
    trace::start_change(
        &mut event,
        Change::Other(i32::MIN),
        u64::MAX,
        true,
        Note::None,
    );
    render::visit_route(&mut event.fields(), &detail, &names);
    assert!(event.finish(), "route");
    let route_payload = event.payload().len();
    assert_eq!(
        (address_payload, stable_payload, route_payload),
        (132, 128, 159)
    );
}

#[test]
fn a_failed_set_traits_falls_back_to_use_descriptor_type_and_keeps_etw() {
    // Either call makes ETW read the descriptors' types (EVENT_INFO_CLASS); every write
    // carries the traits itself, so the events still name their provider.
    let sim = Sim::new();
    sim.etw_session_at_register(0, ALL);
    sim.fail_etw_set_traits(NtStatus(0xC000_0001_u32.cast_signed()));
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    assert_eq!(
        sim.lines()[1],
        "netnotify: warning: EtwSetInformation(EventProviderSetTraits) failed with status \
         0xC0000001; ETW events are written with EventProviderUseDescriptorType instead"
    );
    assert!(loaded(&sim).ends_with(&format!(" unload=enabled etw={GUID}")));
    // Not set: the double records only what a successful EventProviderSetTraits received.
    assert_eq!(sim.etw_traits(), None);
    let log = sim.etw_log();
    assert_eq!(
        log[2], r#"{"call":"EtwSetInformation","class":3,"hex":"01"}"#,
        "{log:#?}"
    );
    assert!(sim.etw_events()[0].starts_with(r#"{"event":"settings","#));
    sim.unload_driver();
    assert_eq!(sim.etw_registrations(), (1, 1));
    sim.finish();
}

#[test]
fn a_failed_etw_set_information_unregisters_and_loads_without_etw() {
    // Without the descriptors' types ETW would log every event's metadata as payload
    // (docs/netio.md#etw): the driver unregisters, waits for the enable callback's run-down,
    // says so, and loads without ETW.
    let sim = Sim::new();
    sim.etw_session_at_register(0, ALL);
    sim.fail_etw_set_traits(NtStatus(0xC000_0001_u32.cast_signed()));
    sim.fail_etw_use_descriptor_type(NtStatus::INVALID_PARAMETER);
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    let lines = sim.lines();
    assert_eq!(
        lines[1],
        "netnotify: warning: EtwSetInformation failed with status 0xC0000001 \
         (EventProviderSetTraits) and 0xC000000D (EventProviderUseDescriptorType); no ETW \
         events, the lines are unaffected"
    );
    assert!(
        lines
            .last()
            .is_some_and(|line| line.ends_with(" unload=enabled etw=off")),
        "{lines:?}"
    );
    assert!(!sim.etw_registered());
    assert_eq!(sim.etw_registrations(), (1, 1));
    // The enable callback inside EtwRegister ran under the protection.
    assert_eq!(sim.etw_rundown_acquires(), (1, 0));
    assert!(sim.etw_writes().is_empty());
    sim.unload_driver();
    assert!(sim.etw_writes().is_empty());
    sim.finish();
}

/// After both `EtwSetInformation` calls failed, an enable callback on another thread that
/// acquired the run-down protection just before the wait still records a session. No handle is
/// published: the events are neither built nor written, so none is counted as dropped either
/// (the widest interface, as in `the_widest_interface_is_written_and_an_event_etw_refuses_is_counted`).
#[test]
fn after_both_set_information_calls_fail_no_event_is_built_nor_counted_dropped() {
    use netnotify_core::boundary::ffi::AF_INET;
    use netnotify_core::sim::Delivery;
    let sim = Sim::new();
    sim.set_parameter("Notifications", RawValue::Dword(1));
    sim.etw_session_at_register(0, ALL);
    sim.fail_etw_set_traits(NtStatus(0xC000_0001_u32.cast_signed()));
    sim.fail_etw_use_descriptor_type(NtStatus::INVALID_PARAMETER);
    sim.etw_control_before_rundown_wait(1);
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    assert_eq!(sim.etw_rundown_acquires(), (2, 0));
    sim.name_interface(ETHERNET_LUID, &"n".repeat(256), &"a".repeat(256));
    let widest = MibIpInterfaceRow {
        family: AF_INET,
        interface_luid: ETHERNET_LUID,
        zone_indices: [u32::MAX; 16],
        ..widest_interface_row()
    };
    assert_eq!(
        sim.notify(Event::Interface(Some(widest), nt::ADD), Delivery::Full),
        1
    );
    sim.unload_driver();
    assert!(sim.etw_writes().is_empty());
    assert_eq!(
        sim.lines().last().map(String::as_str),
        Some(
            "netnotify: unloaded interface(initial=2 add=1 delete=0 parameter=0 other=0) \
             address(initial=0 add=0 delete=0 parameter=0 other=0) route(initial=0 add=0 \
             delete=0 parameter=0 other=0) stable-table(tables=0 entries=0) min-stack=18432"
        )
    );
    sim.finish();
}

/// No valid row is dropped: an interface whose sixteen zones are all at their widest, with
/// the longest name and alias, is written. An event ETW refuses (a session out of buffers:
/// `EtwWriteTransfer` fails) is counted: the `unloaded` line says `etw-dropped=1`, and the
/// `unloaded` and capture-state `counters` events carry the count (0 before, 1 after).
#[test]
fn the_widest_interface_is_written_and_an_event_etw_refuses_is_counted() {
    use netnotify_core::boundary::ffi::AF_INET;
    use netnotify_core::sim::Delivery;
    let sim = Sim::new();
    sim.set_parameter("Notifications", RawValue::Dword(1));
    sim.etw_session_at_register(0, ALL);
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    sim.name_interface(ETHERNET_LUID, &"n".repeat(256), &"a".repeat(256));
    let counters = |event: &str, seq: u64, add: u64, dropped: u64| {
        // `counters` carries the versions, `unloaded` does not; `counters` has no line.
        let (printed, versions) = if event == "counters" {
            (false, r#""version":"0.1.0","schema":2,"#)
        } else {
            (true, "")
        };
        format!(
            r#"{{"event":"{event}","seq":{seq},"printed":{printed},{versions}"interface.initial":2,"interface.add":{add},"interface.delete":0,"interface.parameter":0,"interface.other":0,"address.initial":0,"address.add":0,"address.delete":0,"address.parameter":0,"address.other":0,"route.initial":0,"route.add":0,"route.delete":0,"route.parameter":0,"route.other":0,"stable-table.tables":0,"stable-table.entries":0,"kept":"","leaked-tables":0,"etw-dropped":{dropped},"low-stack":0,"min-stack":18432}}"#,
        )
    };
    sim.etw_control(trace::CAPTURE_STATE, 0, 0, 0);
    assert_eq!(
        sim.etw_events().last(),
        Some(&counters("counters", 1, 0, 0))
    );
    let widest = MibIpInterfaceRow {
        family: AF_INET,
        interface_luid: ETHERNET_LUID,
        zone_indices: [u32::MAX; 16],
        ..widest_interface_row()
    };
    let writes = sim.etw_writes().len();
    assert_eq!(
        sim.notify(Event::Interface(Some(widest), nt::ADD), Delivery::Full),
        1
    );
    assert_eq!(sim.etw_writes().len(), writes + 1);
    let event = sim.etw_events().pop().unwrap_or_default();
    assert!(
        event.contains(&format!(r#""zones":[{}]"#, ["4294967295"; 16].join(","))),
        "{event}"
    );
    // The session is out of buffers for the next one: not written, counted.
    sim.fail_etw_write(NtStatus(0xC000_0017_u32.cast_signed()));
    let lines = sim.lines().len();
    assert_eq!(
        sim.notify(Event::Interface(Some(widest), nt::ADD), Delivery::Full),
        1
    );
    // The lines are printed (an interface takes two); the event is not written.
    assert_eq!(sim.lines_since(lines).len(), 2);
    assert_eq!(sim.etw_writes().len(), writes + 1);
    sim.etw_control(trace::CAPTURE_STATE, 0, 0, 0);
    // The counters, then the rundown: the one interface NETIO has, `present`, seq 0.
    let events = sim.etw_events();
    assert_eq!(
        events.get(events.len() - 2),
        Some(&counters("counters", 2, 2, 1))
    );
    assert!(
        events.last().is_some_and(|event| event
            .starts_with(r#"{"event":"interface","change":"present","seq":0,"printed":false,"#)),
        "{events:#?}"
    );
    sim.unload_driver();
    assert_eq!(
        sim.lines().last().map(String::as_str),
        Some(
            "netnotify: unloaded interface(initial=2 add=2 delete=0 parameter=0 other=0) \
             address(initial=0 add=0 delete=0 parameter=0 other=0) route(initial=0 add=0 \
             delete=0 parameter=0 other=0) stable-table(tables=0 entries=0) etw-dropped=1 min-stack=18432"
        )
    );
    assert_eq!(
        sim.etw_events().last(),
        Some(&counters("unloaded", 1, 2, 1))
    );
    sim.finish();
}

#[test]
fn capture_state_inside_etw_register_writes_nothing_before_the_traits_are_set() {
    // A session already listening asks for capture-state while EtwRegister runs: the handle
    // is not published until the traits are set, so the capture-state event is not written
    // (the EVENT_DATA_DESCRIPTOR page: the descriptors' types are ignored until then).
    let sim = Sim::new();
    sim.etw_session_at_register(0, ALL);
    sim.etw_capture_state_at_register();
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    assert_eq!(sim.violations(), [] as [String; 0]);
    let calls: Vec<String> = sim
        .etw_log()
        .iter()
        .map(|line| line.split(",\"hex\"").next().unwrap_or_default().to_owned())
        .take(5)
        .collect();
    assert_eq!(
        calls,
        [
            format!(r#"{{"call":"EtwRegister","provider":"{GUID}"}}"#),
            format!(r#"{{"call":"enable","code":1,"level":0,"any":{ALL},"all":0}}"#),
            r#"{"call":"enable","code":2,"level":0,"any":0,"all":0}"#.to_owned(),
            r#"{"call":"EtwSetInformation","class":2"#.to_owned(),
            r#"{"call":"EtwWriteTransfer","id":0,"version":0,"channel":11,"level":4,"opcode":0,"task":0,"keyword":16,"data":[{"type":2"#.to_owned(),
        ]
    );
    // The first event is the settings event, after the traits.
    assert!(sim.etw_events()[0].starts_with(r#"{"event":"settings","#));
    sim.unload_driver();
    sim.finish();
}

#[test]
fn every_enable_callback_runs_under_run_down_protection_and_unload_waits_for_it() {
    let sim = Sim::new();
    sim.etw_session_at_register(0, ALL);
    sim.etw_capture_state_at_register();
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    sim.etw_control(trace::CAPTURE_STATE, 0, 0, 0);
    // ETW started this one before EtwUnregister; it reaches the protection only during the
    // wait, is refused, and returns without touching the extension (nor writing).
    sim.etw_control_during_rundown_wait(trace::CAPTURE_STATE);
    let writes = sim.etw_writes().len();
    sim.unload_driver();
    // Three callbacks acquired (two inside EtwRegister, one after); the late one was refused.
    assert_eq!(sim.etw_rundown_acquires(), (3, 1));
    // Only the unloaded event came after: the late callback wrote no counters.
    assert_eq!(sim.etw_writes().len(), writes + 1);
    assert!(
        sim.etw_events()
            .last()
            .is_some_and(|event| event.starts_with(r#"{"event":"unloaded","#))
    );
    sim.finish();
}

#[test]
fn run_down_misuse_is_recorded() {
    use netnotify_core::boundary::host::Host as _;
    use netnotify_core::output::trace::{ProviderInformation, Trace as _};
    // Release without an acquire; a second wait; an acquire after the wait returned.
    let sim = Sim::new();
    sim.rundown_init();
    sim.rundown_release();
    sim.rundown_wait();
    assert!(!sim.rundown_acquire());
    sim.rundown_wait();
    assert_eq!(
        sim.close(),
        [
            "ExReleaseRundownProtection without an acquire",
            "ExAcquireRundownProtection after ExWaitForRundownProtectionRelease returned: an \
             enable callback after the unload's wait",
            "ExWaitForRundownProtectionRelease twice",
        ]
    );
    // A wait with protection held, and a device deleted before any
    // wait while a provider was registered.
    let sim = Sim::new();
    let _ = sim.create_device(16);
    sim.rundown_init();
    // SAFETY: no session listens, so the context is never used.
    let handle = unsafe { sim.register(core::ptr::null_mut()) }.expect("registered");
    assert_eq!(
        sim.set_information(handle, ProviderInformation::UseDescriptorType),
        NtStatus::SUCCESS
    );
    sim.delete_device();
    assert!(sim.rundown_acquire());
    sim.rundown_wait();
    sim.rundown_release();
    sim.unregister(handle);
    assert_eq!(
        sim.close(),
        [
            "device deleted before ExWaitForRundownProtectionRelease: an enable callback may \
             still use the extension",
            "ExWaitForRundownProtectionRelease with protection held: it never returns",
        ]
    );
}

#[test]
fn a_write_before_the_types_are_read_and_an_unregister_before_the_wait_are_misuse() {
    use netnotify_core::output::trace::{EventDescriptor, Trace as _};
    let sim = Sim::new();
    sim.rundown_init();
    // SAFETY: no session listens, so the context is never used.
    let handle = unsafe { sim.register(core::ptr::null_mut()) }.expect("registered");
    let _ = sim.write(handle, &EventDescriptor::zero(), &[], &[], None);
    // An enable callback holds the protection (and may hold the handle) across the
    // unregister, and writes after it: the order unregister-then-wait allowed this.
    assert!(sim.rundown_acquire());
    sim.unregister(handle);
    let _ = sim.write(handle, &EventDescriptor::zero(), &[], &[], None);
    sim.rundown_release();
    sim.rundown_wait();
    assert_eq!(
        sim.close(),
        [
            "EtwWriteTransfer before the provider traits were set: ETW would log the event's \
             metadata as payload (docs/netio.md#etw)",
            "EtwUnregister before ExWaitForRundownProtectionRelease: an enable callback holding \
             the protection may still write with the handle",
            "EtwUnregister while run-down protection is held",
            "EtwWriteTransfer without a registered provider",
        ]
    );
}

/// The simulator holds every event name to one metadata: a write whose metadata differs from
/// an earlier event's of the same name is a violation, so every simulator test that writes
/// events (each ends in `sim.finish()`) checks that its events keep one schema per name.
#[test]
fn an_event_name_written_with_two_metadata_is_misuse() {
    use netnotify_core::output::trace::{ProviderInformation, Trace as _};
    let sim = Sim::new();
    sim.rundown_init();
    // SAFETY: no session listens, so the context is never used.
    let handle = unsafe { sim.register(core::ptr::null_mut()) }.expect("registered");
    let _ = sim.set_information(handle, ProviderInformation::Traits);
    let route = trace::schema::ROUTE;
    let descriptor = trace::Event::<0>::new(&trace::schema::ROUTE).descriptor();
    assert!(
        !sim.write(handle, &descriptor, route.metadata, &[], None)
            .is_error()
    );
    assert!(
        !sim.write(handle, &descriptor, route.metadata, &[], None)
            .is_error()
    );
    // The old encoding's shape change: `change` as INT32 rather than text.
    let mut other = route.metadata.to_vec();
    other[3 + "route\0change\0".len()] = 7;
    assert!(!sim.write(handle, &descriptor, &other, &[], None).is_error());
    sim.rundown_wait();
    sim.unregister(handle);
    assert_eq!(
        sim.close(),
        [
            "EtwWriteTransfer of \"route\" with metadata unlike its earlier events': one schema \
          per event name"
        ]
    );
}

/// The interface's names travel as UTF-16, as NETIO gave them: the alias `Ethernet – Büro`
/// is that in the event, where the line keeps its ASCII form with `?`; a longer alias is cut
/// as the line cuts it (its first 45 characters and `...`). Before, the event carried the
/// line's ASCII text.
#[test]
fn the_names_are_utf16_as_netio_gave_them() {
    use netnotify_core::boundary::ffi::AF_INET6;
    use netnotify_core::sim::Delivery;
    let sim = Sim::new();
    sim.set_parameter("Notifications", RawValue::Dword(1));
    sim.etw_session_at_register(0, keyword::INTERFACE);
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    sim.name_interface(
        ETHERNET_LUID,
        "ethernet_32768",
        "Ethernet \u{2013} B\u{fc}ro \"2\"",
    );
    let row = common::interface_row(AF_INET6, ETHERNET_LUID, 7);
    let lines = sim.lines().len();
    assert_eq!(
        sim.notify(Event::Interface(Some(row), nt::ADD), Delivery::Full),
        1
    );
    let line = sim.lines_since(lines).remove(0);
    assert!(
        line.contains(r#" name=ethernet_32768 alias="Ethernet ? B?ro '2'""#),
        "{line}"
    );
    let event = sim.etw_events().pop().unwrap_or_default();
    assert!(
        event.ends_with(r#","name":"ethernet_32768","alias":"Ethernet – Büro \"2\""}"#),
        "{event}"
    );
    // Both names known: the last two bits of `present`.
    assert!(event.contains(r#""present":2097151,"#), "{event}");
    let long = format!("{}\u{1F600}tail", "x".repeat(44));
    sim.name_interface(ETHERNET_LUID, "ethernet_32768", &long);
    assert_eq!(
        sim.notify(Event::Interface(Some(row), nt::ADD), Delivery::Full),
        1
    );
    let event = sim.etw_events().pop().unwrap_or_default();
    // 45 units kept: 44 `x` and the high half of the emoji, which alone is U+FFFD.
    assert!(
        event.ends_with(&format!("\"alias\":\"{}\u{FFFD}...\"}}", "x".repeat(44))),
        "{event}"
    );
    sim.unload_driver();
    sim.finish();
}

/// An event built by the trace writers, finished and decoded as the simulator reads a write.
fn decoded_event<const P: usize>(mut event: trace::Event<P>) -> String {
    assert!(event.finish(), "the event fits and follows its schema");
    netnotify_core::sim::decode_etw(&netnotify_core::sim::EtwWrite {
        descriptor: event.descriptor(),
        traits: PROVIDER_TRAITS.to_vec(),
        metadata: event.metadata().to_vec(),
        payload: event.payload().to_vec(),
    })
}

/// The event a driver record's writer builds from the record: what `report`, `emit_record`'s
/// callers, the storm summary and capture-state write for it, with its `seq`.
fn event_of(record: &Record, seq: u64) -> String {
    match record {
        Record::Settings(settings) => decoded_event(trace::settings_event(settings, seq)),
        Record::Loaded(loaded) => decoded_event(trace::loaded_event(loaded, seq)),
        Record::Unloaded(totals) => decoded_event(trace::counters_event(true, totals, seq)),
        Record::Counters(totals) => decoded_event(trace::counters_event(false, totals, seq)),
        Record::Storm(storm) => {
            let mut event = trace::new_storm_event();
            trace::storm_event(&mut event, storm, seq);
            decoded_event(event)
        }
        Record::Error(message) => {
            let mut event = trace::new_message_event(true);
            trace::message_event(&mut event, message, seq);
            decoded_event(event)
        }
        Record::Warning(message) => {
            let mut event = trace::new_message_event(false);
            trace::message_event(&mut event, message, seq);
            decoded_event(event)
        }
        other => panic!("not a driver record: {other:?}"),
    }
}

/// The `message` of a decoded error or warning event: its last field (no message has a
/// quote or a backslash to unescape).
fn message_of(event: &str) -> String {
    let (_, message) = event.split_once(r#","message":""#).expect("a message");
    let message = message.strip_suffix(r#""}"#).expect("the last field");
    assert!(!message.contains('\\'), "{message}");
    message.to_owned()
}

/// One record of each driver kind, with its `seq`.
fn driver_records() -> [(Record, u64); 8] {
    let counts = ChangeCounts {
        initial: 1,
        add: 2,
        delete: 3,
        parameter: 4,
        other: 5,
    };
    let totals = Totals {
        interface: counts,
        address: ChangeCounts::default(),
        route: ChangeCounts {
            add: 950,
            ..ChangeCounts::default()
        },
        stable: StableCounts {
            tables: 1,
            entries: 3,
        },
        kept: NotificationSet::EMPTY.with(Notification::Route),
        leaked_tables: 1,
        etw_dropped: 2,
        low_stack: 3,
        min_stack: None,
    };
    [
        (Record::Settings(Settings::DEFAULT), 1),
        (
            Record::Loaded(Loaded {
                registered: NotificationSet::EMPTY
                    .with(Notification::Interface)
                    .with(Notification::Route),
                family: 2,
                initial: false,
                stable: StableState::Immediate(None),
                pinned: true,
                etw: true,
            }),
            1,
        ),
        (Record::Unloaded(totals), 1),
        (
            Record::Counters(Totals {
                min_stack: Some(18_432),
                kept: NotificationSet::EMPTY,
                ..totals
            }),
            2,
        ),
        (
            Record::Storm(Storm {
                notification: Notification::Route,
                summary: Summary {
                    counts,
                    first: 10_000_000,
                    last: 22_500_000,
                },
            }),
            3,
        ),
        (
            Record::Error(ErrorMessage::CancelFailed(
                Notification::Route,
                NtStatus(0xC000_0001_u32.cast_signed()),
            )),
            2,
        ),
        (Record::Error(ErrorMessage::StableLeaked(2)), 5),
        (
            Record::Warning(WarningMessage::setting_defaulted(
                &SETTINGS[4],
                RawValue::Dword(7),
            )),
            4,
        ),
    ]
}

#[test]
fn each_driver_event_is_written_from_its_record() {
    let records = driver_records();
    let events: Vec<String> = records
        .iter()
        .map(|(record, seq)| event_of(record, *seq))
        .collect();
    assert_eq!(
        events,
        [
            r#"{"event":"settings","seq":1,"printed":true,"Notifications":15,"Family":0,"InitialNotification":1,"Requery":1,"Verbosity":2,"LinesPerSecond":20,"Burst":100}"#,
            // `entries` absent (no table): 0 with its bit clear in `present`.
            r#"{"event":"loaded","seq":1,"printed":true,"version":"0.1.0","schema":2,"present":111,"registered":"interface,route","family":"ipv4","initial":false,"stable-table":"immediate","entries":0,"unload":"disabled","etw":"{cabe4808-b99f-5fdb-95a1-c1294a861355}"}"#,
            // `min-stack` none: 0.
            r#"{"event":"unloaded","seq":1,"printed":true,"interface.initial":1,"interface.add":2,"interface.delete":3,"interface.parameter":4,"interface.other":5,"address.initial":0,"address.add":0,"address.delete":0,"address.parameter":0,"address.other":0,"route.initial":0,"route.add":950,"route.delete":0,"route.parameter":0,"route.other":0,"stable-table.tables":1,"stable-table.entries":3,"kept":"route","leaked-tables":1,"etw-dropped":2,"low-stack":3,"min-stack":0}"#,
            r#"{"event":"counters","seq":2,"printed":false,"version":"0.1.0","schema":2,"interface.initial":1,"interface.add":2,"interface.delete":3,"interface.parameter":4,"interface.other":5,"address.initial":0,"address.add":0,"address.delete":0,"address.parameter":0,"address.other":0,"route.initial":0,"route.add":950,"route.delete":0,"route.parameter":0,"route.other":0,"stable-table.tables":1,"stable-table.entries":3,"kept":"","leaked-tables":1,"etw-dropped":2,"low-stack":3,"min-stack":18432}"#,
            r#"{"event":"storm","seq":3,"printed":true,"notification":"route","initial":1,"add":2,"delete":3,"parameter":4,"other":5,"over":1.25}"#,
            r#"{"event":"error","seq":2,"printed":true,"message":"CancelMibChangeNotify2 for route failed with status 0xC0000001; its callback may still run, so netnotify keeps it and stays in memory"}"#,
            r#"{"event":"error","seq":5,"printed":true,"message":"stable-table pending delivered at IRQL 2: not read, not freed (FreeMibTable needs IRQL below DISPATCH_LEVEL); leaked"}"#,
            r#"{"event":"warning","seq":4,"printed":true,"message":"setting Verbosity: found 7; expected a REG_DWORD 0, 1 or 2; using 2"}"#,
        ]
    );
    // The callback's own writer of a leaked table's message writes what the record's `Put`
    // does.
    let mut event = trace::new_message_event(true);
    trace::message_event(&mut event, &render::StableLeakedText(2), 5);
    assert_eq!(decoded_event(event), events[6]);
    // Each error and warning event's message is its line after `error: ` / `warning: `.
    for (record, seq) in &records {
        let (Record::Error(_) | Record::Warning(_)) = record else {
            continue;
        };
        let (line, _) = render::record_lines(record);
        let line = line.expect("a line");
        let (_, text) = line
            .as_str()
            .split_once(": error: ")
            .unwrap_or_else(|| line.as_str().split_once(": warning: ").expect("a level"));
        assert_eq!(message_of(&event_of(record, *seq)), text, "{record:?}");
    }
}

/// Every warning the simulated driver prints, with the simulator that printed it.
fn simulators_with_every_warning() -> Vec<Sim> {
    let mut sims = Vec::new();
    // The settings' warnings: every way a value can be wrong.
    let sim = Sim::new();
    sim.set_parameter("Notifications", RawValue::Dword(99));
    sim.set_parameter(
        "Family",
        RawValue::Other {
            value_type: 1,
            size: 6,
        },
    );
    sim.set_parameter(
        "Verbosity",
        RawValue::Other {
            value_type: netnotify_core::model::settings::REG_DWORD,
            size: 2,
        },
    );
    sim.set_parameter(
        "Burst",
        RawValue::Unreadable(NtStatus(0xC000_0022_u32.cast_signed())),
    );
    sims.push(sim);
    let sim = Sim::new();
    sim.fail_etw_register(NtStatus(0xC000_009A_u32.cast_signed()));
    sims.push(sim);
    let sim = Sim::new();
    sim.fail_etw_set_traits(NtStatus(0xC000_0002_u32.cast_signed()));
    sims.push(sim);
    let sim = Sim::new();
    sim.fail_etw_set_traits(NtStatus(0xC000_0002_u32.cast_signed()));
    sim.fail_etw_use_descriptor_type(NtStatus(0xC000_000D_u32.cast_signed()));
    sims.push(sim);
    let sim = Sim::new();
    sim.script(
        Notification::Interface,
        netnotify_core::sim::Outcome::Status(NtStatus(0x0000_0105)),
    );
    sims.push(sim);
    sims
}

#[test]
fn a_warning_s_event_says_what_its_line_says_after_warning() {
    let mut checked = Vec::new();
    for sim in simulators_with_every_warning() {
        sim.etw_session_at_register(0, ALL);
        assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
        let lines = sim.lines();
        let written: Vec<String> = sim
            .etw_events()
            .into_iter()
            .filter(|event| event.starts_with(r#"{"event":"warning""#))
            .map(|event| message_of(&event))
            .collect();
        let mut seq = 0;
        for (at, record) in sim.event_records_since(0) {
            let Record::Warning(message) = record else {
                continue;
            };
            seq += 1;
            let line = lines.get(at).expect("the record's line");
            let text = line
                .strip_prefix("netnotify: warning: ")
                .unwrap_or_else(|| panic!("a warning line: {line}"));
            // The event its record makes, and the one the driver wrote, where a provider
            // was registered to write it.
            assert_eq!(message_of(&event_of(&record, seq)), text);
            if matches!(message, WarningMessage::UnexpectedStatus(..)) {
                assert_eq!(written, [text]);
            }
            checked.push(std::mem::discriminant(&message));
        }
        sim.unload_driver();
        sim.finish();
    }
    // Every kind of warning, the settings' four times.
    assert_eq!(checked.len(), 8, "{checked:?}");
    checked.dedup();
    assert_eq!(checked.len(), 5, "{checked:?}");
}

#[test]
fn a_driver_event_s_seq_is_its_record_s_those_printed_before_etw_counted() {
    let sim = Sim::new();
    // A warning before `EtwRegister` (no event), then one with an event: `seq` 2, as
    // `--json` numbers the second warning record.
    sim.set_parameter("Burst", RawValue::Dword(0));
    sim.script(
        Notification::Interface,
        netnotify_core::sim::Outcome::Status(NtStatus(0x0000_0105)),
    );
    sim.etw_session_at_register(Level::Warning.as_int(), keyword::LIFECYCLE);
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    sim.unload_driver();
    let warnings: Vec<String> = sim
        .lines()
        .into_iter()
        .filter(|line| line.starts_with("netnotify: warning: "))
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert_eq!(
        sim.etw_events(),
        [
            r#"{"event":"warning","seq":2,"printed":true,"message":"NotifyIpInterfaceChange returned unexpected status 0x00000105; keeping its handle"}"#
        ]
    );
    sim.finish();
}
