//! Every line the driver prints is a record's: the printed records a sink keeps, written by
//! `render::record_lines`, are exactly the lines printed, in order, at the same levels. So
//! `cargo replay --json`, which writes one object per record, leaves no line out and needs
//! none.

mod common;

use core::net::Ipv4Addr;

use common::{ETHERNET_LUID, ipv4, route_row};
use netnotify_core::boundary::ffi::notification_type as nt;
use netnotify_core::boundary::host::Level;
use netnotify_core::model::notification::Notification;
use netnotify_core::model::record::Record;
use netnotify_core::model::settings::RawValue;
use netnotify_core::model::status::NtStatus;
use netnotify_core::output::render::record_lines;
use netnotify_core::policy::lifecycle::driver_entry;
use netnotify_core::sim::{Event, Sim};

fn route_add(index: u8) -> Event {
    Event::Route(
        Some(route_row(
            ipv4(Ipv4Addr::new(10, index, 0, 0)),
            16,
            ipv4(Ipv4Addr::new(10, 0, 0, 1)),
            ETHERNET_LUID,
            3,
        )),
        nt::ADD,
    )
}

const fn level(record: &Record) -> Level {
    match record {
        Record::Error(_) => Level::Error,
        Record::Warning(_) | Record::Storm(_) => Level::Warning,
        _ => Level::Info,
    }
}

/// Plays bad settings, a storm (a burst of 2) and an unload, the cancel of `fail` failing;
/// checks that the printed records written are the lines; returns the records' kinds.
fn play(fail: Option<Notification>) -> Vec<&'static str> {
    let sim = Sim::new();
    sim.set_parameter("Family", RawValue::Dword(99));
    sim.set_parameter("Burst", RawValue::Dword(2));
    sim.set_parameter("LinesPerSecond", RawValue::Dword(1));
    if let Some(notification) = fail {
        sim.fail_cancel(notification, NtStatus(0xC000_0001_u32.cast_signed()));
    }
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    for index in 0..10 {
        sim.deliver(route_add(index));
    }
    sim.unload_driver();
    let records = sim.event_records_since(0);
    let mut written = Vec::new();
    for (_, record) in &records {
        if !record.printed() {
            continue;
        }
        let lines: [_; 2] = record_lines(record).into();
        for line in lines.into_iter().flatten() {
            written.push((level(record), line.as_str().to_owned()));
        }
    }
    assert_eq!(written, sim.records());
    assert!(records.iter().any(|(_, record)| !record.printed()));
    records.iter().map(|(_, record)| record.kind()).collect()
}

#[test]
fn the_printed_records_written_are_the_lines() {
    let kinds = play(None);
    for kind in [
        "warning", "settings", "loaded", "route", "storm", "unloaded",
    ] {
        assert!(kinds.contains(&kind), "{kind}: {kinds:?}");
    }
    let kinds = play(Some(Notification::Address));
    assert!(kinds.contains(&"error"), "{kinds:?}");
}
