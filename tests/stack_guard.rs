//! The stack guard (docs/netio.md#stack): a callback or the storm timer's DPC that finds less
//! than `STACK_FLOOR` bytes of stack at its entry counts what it must and nothing more; the
//! `unloaded` line and event report `low-stack` and the least stack seen, `min-stack`.

mod common;

use core::net::Ipv4Addr;

use common::{ETHERNET_LUID, address_row, ipv4, route_row};
use netnotify_core::boundary::ffi::{SockaddrInet, notification_type as nt};
use netnotify_core::model::settings::RawValue;
use netnotify_core::model::status::NtStatus;
use netnotify_core::output::trace::{Level, keyword};
use netnotify_core::policy::events::STACK_FLOOR;
use netnotify_core::policy::lifecycle::{driver_entry, driver_unload};
use netnotify_core::sim::{Call, DEFAULT_STACK, Event, Sim, StableMode};

const MILLISECOND: u64 = 10_000;
const ALL: u64 = u64::MAX;

fn route(change: i32) -> Event {
    let row = route_row(
        ipv4(Ipv4Addr::new(10, 0, 0, 0)),
        8,
        SockaddrInet::default(),
        ETHERNET_LUID,
        4,
    );
    Event::Route(Some(row), change)
}

const ROUTE_LINE: &str = "netnotify: route add 10.0.0.0/8 on-link if=4 luid=ethernetCsmacd:1 \
     name=? alias=? route-metric=0 protocol=0 origin=manual valid=0s preferred=0s age=0s \
     site-prefix=0 loopback=no autoconf=no publish=no immortal=no";

/// The counters of a driver that registered routes only (and no stable table).
fn unloaded_routes(add: u64, delete: u64, tail: &str) -> String {
    format!(
        "netnotify: unloaded interface(initial=0 add=0 delete=0 parameter=0 other=0) \
         address(initial=0 add=0 delete=0 parameter=0 other=0) route(initial=0 add={add} \
         delete={delete} parameter=0 other=0) stable-table(tables=0 entries=0){tail}"
    )
}

/// Routes only, no initial notification, every event line; an ETW session for everything.
fn loaded(lines_per_second: u32, burst: u32) -> Sim {
    let sim = Sim::new();
    sim.etw_session_at_register(Level::Verbose.as_int(), ALL);
    sim.set_parameter("Notifications", RawValue::Dword(4));
    sim.set_parameter("InitialNotification", RawValue::Dword(0));
    sim.set_parameter("Requery", RawValue::Dword(0));
    sim.set_parameter("LinesPerSecond", RawValue::Dword(lines_per_second));
    sim.set_parameter("Burst", RawValue::Dword(burst));
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    sim
}

#[test]
fn an_event_below_the_floor_is_counted_and_neither_printed_nor_written() {
    let sim = loaded(0, 0);
    let (lines, writes, calls) = (sim.lines().len(), sim.etw_writes().len(), sim.calls());
    sim.set_stack(STACK_FLOOR - 1);
    sim.deliver(route(nt::ADD));
    sim.deliver(route(nt::DELETE));
    assert_eq!(sim.lines().len(), lines, "no line");
    assert_eq!(sim.etw_writes().len(), writes, "no event");
    assert_eq!(sim.calls(), calls, "nothing asked of NETIO");
    // At the floor exactly, the event goes on: its line, and its event with `seq` 1 (the
    // events skipped have none).
    sim.set_stack(STACK_FLOOR);
    sim.deliver(route(nt::ADD));
    assert_eq!(sim.lines()[lines..], [ROUTE_LINE]);
    let events = sim.etw_events();
    assert!(
        events[events.len() - 1].starts_with(r#"{"event":"route","change":"add","seq":1,"#),
        "{events:?}"
    );
    driver_unload(&sim);
    assert_eq!(
        sim.lines().last().unwrap(),
        &unloaded_routes(2, 1, " low-stack=2 min-stack=8191")
    );
    let unloaded = sim.etw_events().pop().unwrap();
    assert!(
        unloaded.ends_with(
            r#""stable-table.entries":0,"kept":"","leaked-tables":0,"etw-dropped":0,"low-stack":2,"min-stack":8191}"#
        ),
        "{unloaded}"
    );
    sim.finish();
}

#[test]
fn a_stable_table_below_the_floor_is_still_freed_or_counted_as_leaked() {
    let sim = Sim::new();
    sim.set_parameter("Notifications", RawValue::Dword(8));
    sim.stable(StableMode::Pending(NtStatus::PENDING));
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    let lines = sim.lines().len();
    let row = address_row(ipv4(Ipv4Addr::new(192, 168, 1, 23)), ETHERNET_LUID, 4);
    sim.set_stack(4096);
    sim.complete_stable(Some(&[row, row]));
    // Freed without being read: the table counts, its two rows do not (entries=0 below).
    assert_eq!(sim.live_tables(), 0, "freed");
    assert_eq!(sim.calls().last(), Some(&Call::FreeMibTable));
    sim.complete_stable(None);
    // At DISPATCH_LEVEL it cannot be freed: counted as leaked, and no error line.
    sim.set_irql(2);
    sim.complete_stable(Some(&[row]));
    assert_eq!(sim.tables_left_above_dispatch(), 1);
    sim.set_irql(0);
    assert_eq!(sim.lines().len(), lines, "no line");
    driver_unload(&sim);
    assert_eq!(
        sim.lines().last().unwrap(),
        "netnotify: unloaded interface(initial=0 add=0 delete=0 parameter=0 other=0) \
         address(initial=0 add=0 delete=0 parameter=0 other=0) route(initial=0 add=0 delete=0 \
         parameter=0 other=0) stable-table(tables=3 entries=0) leaked-tables=1 low-stack=3 \
         min-stack=4096"
    );
    sim.finish();
}

#[test]
fn a_dpc_below_the_floor_sets_its_timer_again_and_prints_nothing() {
    // One line per second after a burst of 1: the second event is left out and sets the
    // timer to one second later.
    let sim = loaded(1, 1);
    let lines = sim.lines().len();
    sim.deliver(route(nt::ADD));
    sim.advance(MILLISECOND);
    sim.deliver(route(nt::ADD));
    let due = 1_001 * MILLISECOND;
    assert_eq!(sim.timer_sets(), [due]);
    let writes = sim.etw_writes().len();
    sim.set_stack(1024);
    sim.advance(1_500 * MILLISECOND);
    // It expired, took nothing and set itself one second later.
    assert_eq!(sim.timer_expiries(), [due]);
    assert_eq!(sim.timer_sets(), [due, due + 1_000 * MILLISECOND]);
    assert_eq!(sim.lines().len(), lines + 1, "only the first route line");
    assert_eq!(sim.etw_writes().len(), writes, "no storm event");
    // With stack again, the next expiry prints the summary.
    sim.set_stack(DEFAULT_STACK);
    sim.advance(1_000 * MILLISECOND);
    assert_eq!(sim.timer_expiries(), [due, due + 1_000 * MILLISECOND]);
    assert_eq!(
        sim.lines()[lines..],
        [
            ROUTE_LINE,
            "netnotify: storm: route lines not printed: initial=0 add=1 delete=0 parameter=0 \
             other=0 over 0.000s"
        ]
    );
    driver_unload(&sim);
    assert_eq!(
        sim.lines().last().unwrap(),
        &unloaded_routes(2, 0, " low-stack=1 min-stack=1024")
    );
    sim.finish();
}

/// The timer left set by an episode that a printed line has since closed (its summary
/// printed with it): the DPC below the floor finds no episode open, so it does not set its
/// timer again, as an expiry with stack would not. A quiet driver's timer stops.
#[test]
fn a_dpc_below_the_floor_with_no_episode_open_does_not_set_its_timer_again() {
    let sim = loaded(1, 1);
    let lines = sim.lines().len();
    sim.deliver(route(nt::ADD));
    sim.advance(MILLISECOND);
    sim.deliver(route(nt::ADD));
    let due = 1_001 * MILLISECOND;
    assert_eq!(sim.timer_sets(), [due]);
    // A second later a line is printed again, and takes the summary: no episode is open.
    sim.advance(999 * MILLISECOND);
    sim.deliver(route(nt::DELETE));
    assert_eq!(sim.lines().len(), lines + 3, "{:?}", &sim.lines()[lines..]);
    sim.set_stack(1024);
    sim.advance(5_000 * MILLISECOND);
    assert_eq!(sim.timer_expiries(), [due]);
    assert_eq!(sim.timer_sets(), [due], "set again with no episode open");
    assert_eq!(sim.lines().len(), lines + 3);
    driver_unload(&sim);
    assert_eq!(
        sim.lines().last().unwrap(),
        &unloaded_routes(2, 1, " low-stack=1 min-stack=1024")
    );
    sim.finish();
}

/// A stack that cannot be measured (the local outside the limits `IoGetStackLimits` gives,
/// as on a processor's DPC stack) is the safe side: the count-only path, counted in
/// `low-stack`; `min-stack` keeps only measured values.
#[test]
fn an_entry_whose_stack_cannot_be_measured_takes_the_count_only_path() {
    let sim = loaded(0, 0);
    sim.set_stack(12_000);
    sim.deliver(route(nt::ADD));
    let lines = sim.lines().len();
    let writes = sim.etw_writes().len();
    sim.set_stack_unknown();
    sim.deliver(route(nt::DELETE));
    assert_eq!(sim.lines().len(), lines, "no line");
    assert_eq!(sim.etw_writes().len(), writes, "no event");
    driver_unload(&sim);
    assert_eq!(
        sim.lines().last().unwrap(),
        &unloaded_routes(1, 1, " low-stack=1 min-stack=12000")
    );
    sim.finish();
}

#[test]
fn min_stack_is_the_least_seen_and_none_before_any_callback() {
    let sim = loaded(0, 0);
    for stack in [12_000, 9_000, 15_000] {
        sim.set_stack(stack);
        sim.deliver(route(nt::ADD));
    }
    // The capture-state counters carry both counters too.
    sim.etw_control(2, Level::Informational.as_int(), keyword::LIFECYCLE, 0);
    let counters = sim.etw_events().pop().unwrap();
    assert!(
        counters.starts_with(r#"{"event":"counters","#)
            && counters.ends_with(r#""low-stack":0,"min-stack":9000}"#),
        "{counters}"
    );
    driver_unload(&sim);
    assert_eq!(
        sim.lines().last().unwrap(),
        &unloaded_routes(3, 0, " min-stack=9000")
    );
    sim.finish();

    let quiet = loaded(0, 0);
    driver_unload(&quiet);
    assert_eq!(
        quiet.lines().last().unwrap(),
        &unloaded_routes(0, 0, " min-stack=none")
    );
    let unloaded = quiet.etw_events().pop().unwrap();
    assert!(
        unloaded.ends_with(r#""low-stack":0,"min-stack":0}"#),
        "{unloaded}"
    );
    quiet.finish();
}
