//! `cargo replay`'s cost per step, from 1,000 to 100,000 steps (docs/replay.md): it must stay flat.
//! Each scenario adds then deletes distinct IPv4 addresses and routes (rows in the lines' own
//! words) on the built-in scenario's Wi-Fi interface, every line printed (`LinesPerSecond=0`).
//!
//! `cargo bench -p netnotify-replay --bench steps`; criterion reports the time per scenario
//! and the steps per second ("thrpt").

use std::hint::black_box;
use std::io;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use netnotify_replay::{LAPTOP_JOINS_WIFI, parse, run};
use serde_json::json;

/// A scenario of about `steps` steps.
fn scenario(steps: usize) -> String {
    let mut lines = vec![json!({"step": "settings", "values": {"LinesPerSecond": 0}}).to_string()];
    lines.extend(
        LAPTOP_JOINS_WIFI
            .lines()
            .filter(|line| line.contains("\"step\":\"interface\"") && line.contains("\"add\""))
            .map(str::to_owned),
    );
    for change in ["add", "delete"] {
        for n in 0..steps / 4 {
            let (high, low) = (n >> 8 & 255, n & 255);
            let address = json!({"address": format!("10.{high}.{low}.1/24"), "if": 12,
                "luid": "ieee80211:2", "dad": "preferred", "valid": "infinite"});
            let route = json!({"destination": format!("10.{high}.{low}.0/24"), "if": 12,
                "luid": "ieee80211:2", "route-metric": 256, "protocol": "local"});
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
