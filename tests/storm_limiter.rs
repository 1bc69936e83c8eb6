//! Storm control (README.md#storm-control): per-kind rate limiting with a burst, driven by the
//! simulator's clock; a summary line when output resumes and at unload; exact counts whatever
//! is printed, also with a million route notifications from several threads.

mod common;

use core::net::Ipv4Addr;

use common::{ETHERNET_LUID, ipv4, route_row};
use netnotify_core::boundary::ffi::{SockaddrInet, notification_type as nt};
use netnotify_core::model::settings::RawValue;
use netnotify_core::model::status::NtStatus;
use netnotify_core::policy::lifecycle::{driver_entry, driver_unload};
use netnotify_core::sim::{Event, Sim};

const MILLISECOND: u64 = 10_000;

fn route() -> Event {
    let row = route_row(
        ipv4(Ipv4Addr::new(10, 0, 0, 0)),
        8,
        SockaddrInet::default(),
        ETHERNET_LUID,
        4,
    );
    Event::Route(Some(row), nt::ADD)
}

const ROUTE_LINE: &str =
    "netnotify: route add 10.0.0.0/8 on-link if=4 luid=ethernetCsmacd:1 name=? alias=?";

/// A loaded driver: no initial notifications, key lines, `rate` lines/s after `burst`.
fn loaded(rate: u32, burst: u32) -> Sim {
    let sim = Sim::new();
    sim.set_parameter("InitialNotification", RawValue::Dword(0));
    sim.set_parameter("Verbosity", RawValue::Dword(1));
    sim.set_parameter("LinesPerSecond", RawValue::Dword(rate));
    sim.set_parameter("Burst", RawValue::Dword(burst));
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    sim
}

fn lines_after(sim: &Sim, start: usize) -> Vec<String> {
    sim.lines()[start..].to_vec()
}

#[test]
fn burst_steady_rate_summary_and_recovery_on_a_deterministic_clock() {
    // 10 lines per second (one per 100 ms) after a burst of 3.
    let sim = loaded(10, 3);
    let start = sim.lines().len();

    // A burst of 10 at one instant: 3 printed, 7 left out.
    for _ in 0..10 {
        sim.deliver(route());
    }
    assert_eq!(lines_after(&sim, start), [ROUTE_LINE; 3]);

    // 100 ms later one line is due: the summary of the 7, then the line.
    sim.advance(100 * MILLISECOND);
    sim.deliver(route());
    let after_burst = start + 3;
    assert_eq!(
        lines_after(&sim, after_burst),
        [
            "netnotify: storm: route lines not printed: initial=0 add=7 delete=0 parameter=0 \
             other=0 over 0.000s",
            ROUTE_LINE,
        ]
    );

    // Steady rate: an event every 50 ms prints every second one.
    let steady = sim.lines().len();
    for _ in 0..10 {
        sim.advance(50 * MILLISECOND);
        sim.deliver(route());
    }
    // The arrival time runs 200 ms ahead after the burst, so the events at 150, 250, … ms
    // are left out, and each printed line first reports the one left out 50 ms before it
    // (one event: a span of nothing).
    let summary = "netnotify: storm: route lines not printed: initial=0 add=1 delete=0 \
                   parameter=0 other=0 over 0.000s";
    assert_eq!(lines_after(&sim, steady), [summary, ROUTE_LINE].repeat(5));

    // Recovery: after a quiet second the whole burst is available again.
    sim.advance(1_000 * MILLISECOND);
    let recovered = sim.lines().len();
    for _ in 0..3 {
        sim.deliver(route());
    }
    assert_eq!(lines_after(&sim, recovered), [ROUTE_LINE; 3]);

    // Left out and not yet reported at unload: reported then.
    sim.deliver(route());
    sim.deliver(route());
    sim.advance(250 * MILLISECOND);
    let before_unload = sim.lines().len();
    driver_unload(&sim);
    assert_eq!(
        lines_after(&sim, before_unload),
        [
            "netnotify: storm: route lines not printed: initial=0 add=2 delete=0 parameter=0 \
             other=0 over 0.000s",
            "netnotify: unloaded interface(initial=0 add=0 delete=0 parameter=0 other=0) \
             address(initial=0 add=0 delete=0 parameter=0 other=0) \
             route(initial=0 add=26 delete=0 parameter=0 other=0) stable-table(tables=1 entries=0) \
             min-stack=18432",
        ]
    );
    sim.finish();
}

/// The issue-11 storm: 49 ms of route events, then quiet. The summary spans the events left
/// out (first to last), and the storm timer prints it one second after the last of them,
/// with no further event and long before unload.
#[test]
fn a_storm_followed_by_quiet_is_summarised_one_second_after_it_ends() {
    let sim = loaded(10, 3);
    let start = sim.lines().len();
    for _ in 0..50 {
        sim.deliver(route());
        sim.advance(MILLISECOND);
    }
    // 3 printed at once, then one at 100 ms would be due: none came that late. Left out:
    // the 47 events at 3..49 ms. The first of them set the timer to 1.003 s.
    assert_eq!(lines_after(&sim, start), [ROUTE_LINE; 3]);
    assert_eq!(sim.timer_sets(), [1_003 * MILLISECOND]);
    // At 1.003 s the storm has been quiet for only 954 ms: the timer is set again for the
    // moment the last event left out (49 ms) is one second old.
    sim.advance(990 * MILLISECOND);
    assert_eq!(sim.timer_expiries(), [1_003 * MILLISECOND]);
    assert_eq!(sim.timer_sets(), [1_003 * MILLISECOND, 1_049 * MILLISECOND]);
    assert_eq!(sim.lines().len(), start + 3, "not over yet");
    sim.advance(2 * 3_600 * 1_000 * MILLISECOND);
    assert_eq!(
        sim.timer_expiries(),
        [1_003 * MILLISECOND, 1_049 * MILLISECOND],
        "the timer stops once no storm is left"
    );
    assert_eq!(
        lines_after(&sim, start + 3),
        [
            "netnotify: storm: route lines not printed: initial=0 add=47 delete=0 parameter=0 \
          other=0 over 0.046s"
        ]
    );
    // Two hours later the unload has nothing left to report.
    let before_unload = sim.lines().len();
    driver_unload(&sim);
    assert_eq!(lines_after(&sim, before_unload).len(), 1, "only `unloaded`");
    sim.finish();
}

/// A storm that lasts: the timer goes on re-arming itself while events are left out, prints
/// nothing until a whole second is quiet, and counts every event once across kinds.
#[test]
fn a_long_storm_is_summarised_once_when_it_ends_and_kinds_are_separate() {
    let sim = loaded(1, 1);
    let start = sim.lines().len();
    let address = Event::Address(
        Some(common::address_row(
            ipv4(Ipv4Addr::new(10, 0, 0, 5)),
            ETHERNET_LUID,
            4,
        )),
        nt::DELETE,
    );
    // 5 s of one route every 10 ms; two addresses at 2 s.
    for step in 0..500 {
        sim.deliver(route());
        if step == 200 {
            sim.deliver(address);
            sim.deliver(address);
        }
        sim.advance(10 * MILLISECOND);
    }
    sim.advance(5_000 * MILLISECOND);
    let lines = lines_after(&sim, start);
    let summaries: Vec<&String> = lines
        .iter()
        .filter(|line| line.starts_with("netnotify: storm:"))
        .collect();
    // One line per second is allowed, so each printed route first reports the 99 before it;
    // the address storm (one left out) is reported a second after it, on its own.
    assert!(
        summaries.contains(
            &&"netnotify: storm: address lines not printed: initial=0 \
                                  add=0 delete=1 parameter=0 other=0 over 0.000s"
                .to_owned()
        )
    );
    let routes: u64 = summaries
        .iter()
        .filter(|line| line.starts_with("netnotify: storm: route "))
        .map(|line| added(line))
        .sum();
    let printed = lines
        .iter()
        .filter(|line| line.as_str() == ROUTE_LINE)
        .count() as u64;
    assert_eq!(routes + printed, 500);
    assert_eq!(printed, 5);
    assert_eq!(sim.timer_due(), None, "quiet: no timer left");
    driver_unload(&sim);
    sim.finish();
}

#[test]
fn no_limit_and_other_kinds_are_independent() {
    let sim = loaded(0, 1);
    let start = sim.lines().len();
    for _ in 0..500 {
        sim.deliver(route());
    }
    assert_eq!(sim.lines().len() - start, 500, "LinesPerSecond=0: no limit");
    driver_unload(&sim);
    sim.finish();
}

/// The `add=` count of a summary line.
fn added(line: &str) -> u64 {
    line.split_whitespace()
        .find_map(|field| field.strip_prefix("add="))
        .and_then(|count| count.parse().ok())
        .unwrap()
}

#[test]
fn a_million_route_notifications_from_four_threads_add_up_exactly() {
    const THREADS: u64 = 4;
    // Miri runs the same storm, a thousand times smaller.
    let (per_thread, chunk) = if cfg!(miri) {
        (250, 50)
    } else {
        (250_000, 1_000)
    };
    let sim = loaded(20, 100);
    let start = sim.lines().len();
    let done = std::sync::atomic::AtomicU64::new(0);
    std::thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                for _ in 0..per_thread / chunk {
                    assert_eq!(sim.deliver_times(route(), chunk), 1);
                }
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            });
        }
        // The clock runs while the storm lasts.
        scope.spawn(|| {
            while done.load(std::sync::atomic::Ordering::SeqCst) < THREADS {
                sim.advance(MILLISECOND);
                std::thread::yield_now();
            }
        });
    });
    driver_unload(&sim);
    let lines = lines_after(&sim, start);
    let delivered = THREADS * per_thread;
    let printed = lines
        .iter()
        .filter(|line| line.as_str() == ROUTE_LINE)
        .count() as u64;
    let summarised: u64 = lines
        .iter()
        .filter(|line| line.starts_with("netnotify: storm: route "))
        .map(|line| added(line))
        .sum();
    assert_eq!(
        printed + summarised,
        delivered,
        "every event printed or summarised, once"
    );
    assert!(printed >= 100, "at least the burst was printed");
    assert!(printed < delivered / 2, "the storm was limited");
    assert!(
        lines.last().unwrap().contains(&format!(
            "route(initial=0 add={delivered} delete=0 parameter=0 other=0)"
        )),
        "the counters count every event"
    );
    sim.finish();
}
