//! Unload racing a storm of callbacks from several threads, many times over: no callback runs
//! after `driver_unload` returns, the device is never freed under a live registration, and the
//! counters in the unload summary equal exactly what the simulator delivered.

mod common;

use core::net::Ipv4Addr;
use std::thread;

use common::{ETHERNET_LUID, address_row, interface_row, ipv4, route_row};
use netnotify_core::boundary::ffi::{AF_INET, notification_type as nt};
use netnotify_core::model::notification::Notification;
use netnotify_core::model::status::NtStatus;
use netnotify_core::policy::lifecycle::{driver_entry, driver_unload};
use netnotify_core::sim::{Event, Sim, StableMode};

/// Rounds of the race. Each is a full load, storm, unload.
const ROUNDS: usize = if cfg!(miri) { 2 } else { 100 };
/// Change-notification threads (plus one for stable-table completions).
const THREADS: usize = 4;
/// Lines the storm must have produced before unload starts, so that unload races it.
const WARM_UP_LINES: usize = if cfg!(miri) { 12 } else { 200 };

const TYPES: [i32; 5] = [nt::ADD, nt::DELETE, nt::PARAMETER, nt::INITIAL, 7];

fn event(thread: usize, sequence: usize) -> Event {
    let raw = TYPES[sequence % TYPES.len()];
    let with_row = !sequence.is_multiple_of(3);
    let index = u32::try_from(sequence % 50).unwrap();
    match thread % 3 {
        0 => Event::Interface(
            with_row.then(|| interface_row(AF_INET, ETHERNET_LUID, index)),
            raw,
        ),
        1 => Event::Address(
            with_row.then(|| address_row(ipv4(Ipv4Addr::new(10, 0, 0, 1)), ETHERNET_LUID, index)),
            raw,
        ),
        _ => Event::Route(
            with_row.then(|| {
                route_row(
                    ipv4(Ipv4Addr::new(10, 0, 0, 0)),
                    8,
                    ipv4(Ipv4Addr::LOCALHOST),
                    ETHERNET_LUID,
                    index,
                )
            }),
            raw,
        ),
    }
}

fn counts(sim: &Sim, notification: Notification) -> String {
    let [add, delete, parameter, initial, other] =
        TYPES.map(|raw| sim.delivered(notification, raw));
    format!("initial={initial} add={add} delete={delete} parameter={parameter} other={other}")
}

#[test]
fn unload_racing_a_callback_storm_loses_nothing_and_leaves_nothing_running() {
    for round in 0..ROUNDS {
        let sim = Sim::new();
        sim.stable(StableMode::Pending(NtStatus::PENDING));
        assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
        let stable_row = address_row(ipv4(Ipv4Addr::new(10, 9, 9, 9)), ETHERNET_LUID, 1);

        let lines_at_unload = thread::scope(|scope| {
            for thread in 0..THREADS {
                let sim = sim.clone();
                scope.spawn(move || {
                    let mut sequence = 0;
                    while sim.deliver(event(thread, sequence)) > 0 {
                        sequence += 1;
                    }
                });
            }
            let stable_sim = sim.clone();
            scope.spawn(move || while stable_sim.complete_stable(Some(&[stable_row])) > 0 {});
            while sim.lines().len() < WARM_UP_LINES {
                thread::yield_now();
            }
            driver_unload(&sim);
            sim.lines().len()
        });

        // Nothing was printed after unload returned, although the storm threads kept trying.
        let lines = sim.lines();
        assert_eq!(lines.len(), lines_at_unload, "round {round}");
        let stable_tables = sim.stable_deliveries();
        assert_eq!(
            lines.last().map(String::as_str),
            Some(
                format!(
                    "netnotify: unloaded interface({}) address({}) route({}) \
                     stable-table(tables={stable_tables} entries={stable_tables}) min-stack=18432",
                    counts(&sim, Notification::Interface),
                    counts(&sim, Notification::Address),
                    counts(&sim, Notification::Route),
                )
                .as_str()
            ),
            "round {round}"
        );
        assert!(!sim.device_exists());
        sim.finish();
    }
}
