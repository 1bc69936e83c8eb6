//! The capture-state rundown (docs/netio.md#rundown): after its `counters` event, one
//! `present` event per interface, unicast address and route NETIO has now, from
//! `GetIpInterfaceTable`, `GetUnicastIpAddressTable` and `GetIpForwardTable2`, each table freed
//! once; only the kinds the settings register and a session's keywords take; no line, no
//! counter, `seq` 0; a failed table call an `error:` and the rest of the rundown all the same;
//! and the simulator's own checks of those calls (a leaked table, a double free, a call above
//! `PASSIVE_LEVEL`).

mod common;

use core::net::{Ipv4Addr, Ipv6Addr};
use core::ptr;

use common::{ETHERNET_LUID, address_row, interface_row, ipv4, ipv6, route_row};
use netnotify_core::boundary::ffi::{
    AF_INET, AF_INET6, DISPATCH_LEVEL, MibIpForwardTable2, notification_type as nt,
};
use netnotify_core::boundary::netio::NetIo;
use netnotify_core::model::notification::Notification;
use netnotify_core::model::settings::RawValue;
use netnotify_core::model::status::NtStatus;
use netnotify_core::output::trace::{self, Level, keyword};
use netnotify_core::policy::lifecycle::driver_entry;
use netnotify_core::sim::{Call, Delivery, Event, Sim};

/// Two interfaces (IPv4 and IPv6 of one adapter), an address of each family, one route.
fn network(sim: &Sim) {
    for event in [
        Event::Interface(Some(interface_row(AF_INET, ETHERNET_LUID, 3)), nt::ADD),
        Event::Interface(Some(interface_row(AF_INET6, ETHERNET_LUID, 3)), nt::ADD),
        Event::Address(
            Some(address_row(
                ipv4(Ipv4Addr::new(10, 0, 0, 5)),
                ETHERNET_LUID,
                3,
            )),
            nt::ADD,
        ),
        Event::Address(
            Some(address_row(
                ipv6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 5), 3),
                ETHERNET_LUID,
                3,
            )),
            nt::ADD,
        ),
        Event::Route(
            Some(route_row(
                ipv4(Ipv4Addr::new(10, 0, 0, 0)),
                8,
                ipv4(Ipv4Addr::UNSPECIFIED),
                ETHERNET_LUID,
                3,
            )),
            nt::ADD,
        ),
    ] {
        // Into NETIO's tables whether or not the driver registered for the kind.
        sim.notify(event, Delivery::Full);
    }
}

/// A loaded driver on [`network`], with a session of `keywords` listening from the load.
fn loaded(keywords: u64) -> Sim {
    let sim = Sim::new();
    sim.etw_session_at_register(Level::Verbose.as_int(), keywords);
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    network(&sim);
    sim
}

/// The calls, lines and events a capture-state request made.
fn capture_state(sim: &Sim) -> (Vec<Call>, Vec<String>, Vec<String>) {
    let (calls, lines, events) = (sim.calls().len(), sim.lines().len(), sim.etw_events().len());
    sim.etw_control(trace::CAPTURE_STATE, 0, 0, 0);
    (
        sim.calls()[calls..].to_vec(),
        sim.lines_since(lines),
        sim.etw_events()[events..].to_vec(),
    )
}

/// Each event's name and change, as `event/change` (`counters` for the driver's own).
fn shapes(events: &[String]) -> Vec<String> {
    events
        .iter()
        .map(|event| {
            let field = |name: &str| {
                event
                    .split(&format!(r#""{name}":""#))
                    .nth(1)
                    .and_then(|rest| rest.split('"').next())
                    .unwrap_or_default()
                    .to_owned()
            };
            let change = field("change");
            if change.is_empty() {
                field("event")
            } else {
                format!("{}/{change}", field("event"))
            }
        })
        .collect()
}

const PRESENT: [&str; 5] = [
    "interface/present",
    "interface/present",
    "address/present",
    "address/present",
    "route/present",
];

#[test]
fn capture_state_runs_down_every_kind_after_the_counters_and_frees_each_table_once() {
    let sim = loaded(u64::MAX);
    let unloaded_without = {
        let other = loaded(u64::MAX);
        other.unload_driver();
        let line = other.lines().pop();
        other.finish();
        line
    };
    let (calls, lines, events) = capture_state(&sim);
    assert_eq!(
        calls,
        [
            Call::GetTable(Notification::Interface),
            Call::FreeMibTable,
            Call::GetTable(Notification::Address),
            Call::FreeMibTable,
            Call::GetTable(Notification::Route),
            Call::FreeMibTable,
        ]
    );
    // No line: a present event is ETW's only.
    assert_eq!(lines, Vec::<String>::new());
    let mut expected = vec!["counters"];
    expected.extend(PRESENT);
    assert_eq!(shapes(&events), expected, "{events:#?}");
    for event in &events[1..] {
        assert!(
            event.contains(r#""change":"present","seq":0,"printed":false,"note":"","#),
            "{event}"
        );
    }
    // Every field of the table's row and the interface's names, as for a change event.
    assert!(
        events[3].contains(r#""address":"10.0.0.5","address-length":0,"if":3,"#),
        "{}",
        events[3]
    );
    assert!(
        events[5].contains(r#""destination":"10.0.0.0","destination-length":8,"#),
        "{}",
        events[5]
    );
    // No counter moved: the unload's line is the one of a driver never asked.
    sim.unload_driver();
    assert_eq!(sim.lines().pop(), unloaded_without);
    sim.finish();
}

#[test]
fn only_the_kinds_the_settings_register_and_the_sessions_take_are_queried() {
    // Settings: address and route. Session: route and lifecycle.
    let sim = Sim::new();
    sim.set_parameter("Notifications", RawValue::Dword(2 | 4));
    sim.etw_session_at_register(Level::Verbose.as_int(), keyword::ROUTE | keyword::LIFECYCLE);
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    network(&sim);
    let (calls, _, events) = capture_state(&sim);
    assert_eq!(
        calls,
        [Call::GetTable(Notification::Route), Call::FreeMibTable]
    );
    assert_eq!(shapes(&events), ["counters", "route/present"]);
    // No session at all: nothing asked of NETIO, nothing written.
    sim.etw_control(0, 0, 0, 0);
    let (calls, _, events) = capture_state(&sim);
    assert_eq!((calls, events), (vec![], vec![]));
    sim.unload_driver();
    sim.finish();
}

#[test]
fn the_configured_family_is_the_one_asked_for() {
    let sim = Sim::new();
    // `Family` 6: IPv6 only, `AF_INET6` to every NETIO call.
    sim.set_parameter("Family", RawValue::Dword(6));
    sim.etw_session_at_register(Level::Verbose.as_int(), u64::MAX);
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    network(&sim);
    let (calls, lines, events) = capture_state(&sim);
    // The one route is IPv4: no IPv6 route, `STATUS_NOT_FOUND`, which is an empty kind, no
    // error, and no table to free.
    assert_eq!(
        calls,
        [
            Call::GetTable(Notification::Interface),
            Call::FreeMibTable,
            Call::GetTable(Notification::Address),
            Call::FreeMibTable,
            Call::GetTable(Notification::Route),
        ]
    );
    assert_eq!(lines, Vec::<String>::new());
    // The IPv6 interface and address.
    assert_eq!(
        shapes(&events),
        ["counters", "interface/present", "address/present"]
    );
    assert!(events[1].contains(r#""family":"ipv6""#), "{}", events[1]);
    assert!(
        events[2].contains(r#""address":"fe80:0:0:0:0:0:0:5%3","address-length":0"#),
        "{}",
        events[2]
    );
    sim.unload_driver();
    sim.finish();
}

#[test]
fn a_failed_table_call_is_an_error_and_the_rest_of_the_rundown_still_comes() {
    let sim = loaded(u64::MAX);
    sim.fail_table(Notification::Interface, NtStatus::INSUFFICIENT_RESOURCES);
    let (calls, lines, events) = capture_state(&sim);
    // What the failed call left in its out-pointer is neither read nor freed (the double
    // leaves a pointer to nothing there: a free would be misuse, a read a fault).
    assert_eq!(
        calls,
        [
            Call::GetTable(Notification::Interface),
            Call::GetTable(Notification::Address),
            Call::FreeMibTable,
            Call::GetTable(Notification::Route),
            Call::FreeMibTable,
        ]
    );
    let error = "GetIpInterfaceTable failed with status 0xC000009A; capture-state: no present \
                 interface events";
    assert_eq!(lines, [format!("netnotify: error: {error}")]);
    assert_eq!(
        shapes(&events),
        [
            "counters",
            "error",
            "address/present",
            "address/present",
            "route/present"
        ]
    );
    assert_eq!(
        events[1],
        format!(r#"{{"event":"error","seq":1,"printed":true,"message":"{error}"}}"#)
    );
    sim.unload_driver();
    sim.finish();
}

#[test]
fn a_capture_state_above_passive_level_writes_the_counters_and_queries_nothing() {
    let sim = loaded(u64::MAX);
    sim.etw_enable_callback_irql(DISPATCH_LEVEL);
    let (calls, lines, events) = capture_state(&sim);
    assert_eq!(calls, []);
    let error = "capture-state at IRQL 2, not PASSIVE_LEVEL: no present events (the Get*Table \
                 calls need PASSIVE_LEVEL)";
    assert_eq!(lines, [format!("netnotify: error: {error}")]);
    assert_eq!(shapes(&events), ["counters", "error"]);
    sim.etw_enable_callback_irql(0);
    sim.unload_driver();
    sim.finish();
}

#[test]
fn the_simulator_reports_a_leaked_table_a_double_free_and_a_call_at_dispatch_level() {
    let get = |sim: &Sim| {
        let mut table: *mut MibIpForwardTable2 = ptr::null_mut();
        assert_eq!(sim.get_ip_forward_table2(0, &mut table), NtStatus::SUCCESS);
        assert!(!table.is_null());
        table
    };
    let leaked = Sim::new();
    network(&leaked);
    let _ = get(&leaked);
    let violations = leaked.close();
    assert!(
        violations.len() == 1 && violations[0].ends_with("was never freed"),
        "{violations:?}"
    );

    let twice = Sim::new();
    network(&twice);
    let table = get(&twice);
    // SAFETY: a table the simulator handed out; the second free is the misuse under test,
    // which the simulator records instead of freeing.
    unsafe { twice.free_mib_table(table.cast()) };
    // SAFETY: as above.
    unsafe { twice.free_mib_table(table.cast()) };
    let violations = twice.close();
    assert!(
        violations.len() == 1 && violations[0].ends_with("twice"),
        "{violations:?}"
    );

    let dispatch = Sim::new();
    dispatch.set_irql(DISPATCH_LEVEL);
    let mut table: *mut MibIpForwardTable2 = ptr::null_mut();
    assert!(dispatch.get_ip_forward_table2(0, &mut table).is_error());
    assert_eq!(
        dispatch.close(),
        ["GetIpForwardTable2 called at IRQL 2, above 0 (docs/netio.md#irql)"]
    );
}

/// The 1,000-route rundown docs/netio.md#rundown measures: 1,001 events (the counters, a
/// route each), no line, one table freed. Its time is printed, not asserted (this machine's,
/// in the simulator: `cargo test --release --test rundown -- --nocapture thousand`).
#[test]
#[cfg_attr(
    miri,
    ignore = "1,000 routes are slow under Miri; the other tests run the path"
)]
fn a_thousand_routes_run_down_as_a_thousand_events() {
    let sim = Sim::new();
    sim.set_parameter("Notifications", RawValue::Dword(4));
    sim.etw_session_at_register(Level::Verbose.as_int(), u64::MAX);
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    for n in 0..1000_u32 {
        let [_, _, high, low] = n.to_be_bytes();
        let row = route_row(
            ipv4(Ipv4Addr::new(10, high, low, 0)),
            24,
            ipv4(Ipv4Addr::new(10, 0, 0, 1)),
            ETHERNET_LUID,
            3,
        );
        sim.notify(Event::Route(Some(row), nt::ADD), Delivery::Full);
    }
    let writes = sim.etw_writes().len();
    let lines = sim.lines().len();
    let start = std::time::Instant::now();
    sim.etw_control(trace::CAPTURE_STATE, 0, 0, 0);
    let took = start.elapsed();
    let written = sim.etw_writes().len() - writes;
    assert_eq!(written, 1 + 1000);
    assert_eq!(sim.lines().len(), lines);
    eprintln!("a rundown of 1,000 routes: {written} events written in {took:?}");
    sim.unload_driver();
    sim.finish();
}

#[test]
fn a_capture_state_on_too_little_stack_only_counts_it() {
    let sim = loaded(u64::MAX);
    sim.set_stack(1024);
    let (calls, lines, events) = capture_state(&sim);
    // The counters, then no table is asked for: the calls go into the network stack to a
    // depth no page states, so below the callbacks' floor the rundown is only counted.
    assert!(
        !calls.iter().any(|call| matches!(call, Call::GetTable(_))),
        "{calls:?}"
    );
    assert_eq!(lines, Vec::<String>::new());
    assert_eq!(shapes(&events), ["counters"]);
    sim.set_stack(64 * 1024);
    sim.unload_driver();
    let unloaded = sim.lines().pop().unwrap_or_default();
    assert!(
        unloaded.contains(" low-stack=1 min-stack=1024"),
        "{unloaded}"
    );
    sim.finish();
}
