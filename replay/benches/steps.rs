//! `cargo replay`'s cost per step, from 1,000 to 100,000 steps (issue 12): it must stay flat.
//! Each scenario adds then deletes distinct IPv4 addresses and routes on the built-in
//! scenario's Wi-Fi interface, every line printed (`LinesPerSecond=0`).
//!
//! `cargo bench -p netnotify-replay --bench steps`; criterion reports the time per scenario
//! and the steps per second ("thrpt").

use std::hint::black_box;
use std::io;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use netnotify_replay::{LAPTOP_JOINS_WIFI, parse, run};
use serde_json::{Value, json};

/// The built-in scenario's first row of `step` whose hex has IPv4's family (2) at
/// `family_at` (in hex digits).
fn ipv4_row(step: &str, family_at: usize) -> String {
    LAPTOP_JOINS_WIFI
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|value| value["step"] == step)
        .filter_map(|value| value["row"].as_str().map(str::to_owned))
        .find(|row| row.get(family_at..family_at + 4) == Some("0200"))
        .expect("the built-in scenario has one")
}

/// A scenario of about `steps` steps.
fn scenario(steps: usize) -> String {
    let address = ipv4_row("address", 0); // sin_addr at byte 4
    let route = ipv4_row("route", 24); // DestinationPrefix at byte 12, its sin_addr at 16
    let mut lines = vec![json!({"step": "settings", "values": {"LinesPerSecond": 0}}).to_string()];
    lines.extend(
        LAPTOP_JOINS_WIFI
            .lines()
            .filter(|line| line.contains("\"step\":\"interface\"") && line.contains("\"add\""))
            .map(str::to_owned),
    );
    for change in ["add", "delete"] {
        for n in 0..steps / 4 {
            let octets = format!("0a{n:06x}");
            let address = format!("{}{octets}{}", &address[..8], &address[16..]);
            let route = format!("{}{octets}{}", &route[..32], &route[40..]);
            lines.push(json!({"step": "address", "type": change, "row": address}).to_string());
            lines.push(json!({"step": "route", "type": change, "row": route}).to_string());
        }
    }
    lines.join("\n")
}

fn steps(c: &mut Criterion) {
    let mut group = c.benchmark_group("replay");
    group.sample_size(10);
    for count in [1_000, 10_000, 100_000] {
        let scenario = parse(&scenario(count)).expect("a valid scenario");
        group.throughput(Throughput::Elements(scenario.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("steps", count),
            &scenario,
            |b, scenario| {
                b.iter(|| run(black_box(scenario), &mut io::sink(), &mut io::sink()).unwrap());
            },
        );
    }
    group.finish();
}

criterion_group!(benches, steps);
criterion_main!(benches);
