//! The full callback path — decode, count, storm control, re-query, render into a discarding
//! sink — for a million route notifications, on one thread and on two (README.md#settings).
//! Run: `cargo bench --bench callback_path`; criterion reports events per second ("elem/s").
//!
//! `limited`: the default settings (20 lines/s after a burst of 100), as in a real storm, so
//! almost every event is counted and left out. `unlimited`: `LinesPerSecond=0`, every event
//! re-queried and rendered, for comparison.

use std::hint::black_box;
use std::net::Ipv4Addr;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use netnotify_core::boundary::ffi::{
    IpAddressPrefix, MibIpForwardRow2, SockaddrInet, notification_type,
};
use netnotify_core::model::settings::Settings;
use netnotify_core::policy::events;
use netnotify_core::policy::extension::Extension;
use netnotify_core::sim::stub::{Answering, Discard};

const EVENTS: u64 = 1_000_000;

fn route() -> MibIpForwardRow2 {
    let mut destination = [0; 28];
    destination[..2].copy_from_slice(&2_u16.to_ne_bytes());
    destination[4..8].copy_from_slice(&Ipv4Addr::new(10, 8, 0, 0).octets());
    let mut next_hop = destination;
    next_hop[4..8].copy_from_slice(&Ipv4Addr::new(10, 8, 0, 1).octets());
    MibIpForwardRow2 {
        interface_luid: 0x0035_0000_0700_0000,
        interface_index: 23,
        destination_prefix: IpAddressPrefix {
            prefix: SockaddrInet { bytes: destination },
            prefix_length: 16,
        },
        next_hop: SockaddrInet { bytes: next_hop },
        ..MibIpForwardRow2::default()
    }
}

/// `events` route notifications into `extension`, split over `threads` threads.
fn storm(extension: &Extension<Answering, Discard>, threads: u64) {
    let row = route();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                for _ in 0..EVENTS / threads {
                    events::route(extension, Some(black_box(row)), notification_type::ADD);
                }
            });
        }
    });
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("callback_path");
    group.throughput(Throughput::Elements(EVENTS));
    group.sample_size(10);
    for (name, lines_per_second) in [("limited", 20), ("unlimited", 0)] {
        let settings = Settings {
            lines_per_second,
            ..Settings::DEFAULT
        };
        for threads in [1, 2] {
            group.bench_function(format!("{name}/{threads}-thread"), |b| {
                b.iter(|| {
                    // A fresh extension each time: the storm starts with its burst.
                    let extension = Extension::new(Answering, Discard::real_time(), settings);
                    storm(&extension, threads);
                    extension.counters().route.snapshot()
                });
            });
        }
    }
    group.finish();
}

criterion_group!(storm_benches, benches);
criterion_main!(storm_benches);
