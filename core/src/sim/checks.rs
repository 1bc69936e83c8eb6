//! Robustness checks on arbitrary bytes, for the fuzz targets (`fuzz/`) and their regressions.
//!
//! Each runs the driver on the input and panics if a line breaks the output discipline or the
//! simulator saw NETIO misused.

use std::string::String;
use std::vec::Vec;

use crate::boundary::ffi::{MibIpForwardRow2, MibIpInterfaceRow, MibUnicastIpAddressRow};
use crate::model::decode::{
    Address, AddressKeys, Change, Interface, InterfaceKeys, Route, RouteKeys,
};
use crate::model::names::Names;
use crate::model::record::{Detail, Note};
use crate::model::status::NtStatus;
use crate::output::line::{DBGPRINT_LIMIT, Line, TRUNCATION_MARKER};
use crate::output::render::{self, PREFIX};
use crate::policy::lifecycle::{driver_entry, driver_unload};
use crate::sim::{Delivery, Event, Sim, StableMode};

/// The output discipline: one `DbgPrint` call ending in `"\n\0"`, printable ASCII, the
/// prefix, and the cut marker exactly when the line was cut.
///
/// # Panics
/// If `line` breaks it.
pub fn assert_line(line: &Line) {
    let c_string = line.as_c_str_with_newline().to_bytes_with_nul();
    assert!(c_string.len() <= DBGPRINT_LIMIT, "{} bytes", c_string.len());
    let text = line.as_str();
    assert_text(text);
    assert_eq!(c_string.get(text.len()..), Some(&b"\n\0"[..]));
    assert_eq!(line.is_truncated(), text.ends_with(TRUNCATION_MARKER));
}

/// As [`assert_line`], and not cut: what every line but the interface's second one
/// guarantees for any row (`render`'s module documentation).
///
/// # Panics
/// If `line` breaks the discipline or was cut.
pub fn assert_uncut(line: &Line) {
    assert_line(line);
    assert!(!line.is_truncated(), "cut: {:?}", line.as_str());
}

/// As [`assert_line`], for a line the simulator recorded.
///
/// # Panics
/// If `text` breaks the discipline.
pub fn assert_text(text: &str) {
    assert!(text.len() <= Line::MAX_TEXT, "{} characters", text.len());
    assert!(text.starts_with(PREFIX), "{text:?}");
    assert!(
        text.bytes()
            .all(|byte| byte == b' ' || byte.is_ascii_graphic()),
        "{text:?}"
    );
}

/// `size` bytes of `data` from `offset`, zero-padded.
fn take(data: &[u8], offset: usize, size: usize) -> Vec<u8> {
    let mut bytes: Vec<u8> = data.iter().skip(offset).take(size).copied().collect();
    bytes.resize(size, 0);
    bytes
}

fn i32_at(data: &[u8], offset: usize) -> i32 {
    let bytes = take(data, offset, 4);
    i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

/// Arbitrary bytes as every row kind, rendered every way, then delivered to a loaded driver.
///
/// The driver sees them as add, parameter, the input's own type, and delete of that object.
/// Layout of `data`: notification type (4 bytes), a status (4), an IRQL (1), then the row
/// bytes (zero-padded to each row's size).
///
/// # Panics
/// If a line breaks the output discipline or NETIO is misused.
pub fn rows(data: &[u8]) {
    let change = Change::from_raw(i32_at(data, 0));
    let status = NtStatus(i32_at(data, 4));
    let irql = take(data, 8, 1)[0];
    let interface = MibIpInterfaceRow::from_bytes(&take(data, 9, 168)).unwrap();
    let address = MibUnicastIpAddressRow::from_bytes(&take(data, 9, 80)).unwrap();
    let route = MibIpForwardRow2::from_bytes(&take(data, 9, 104)).unwrap();

    // The longest name and alias NETIO can return (256 characters each), and none.
    let long: String = "Ethernet adapter with a very long alias ".repeat(7);
    let long = long.get(..256).unwrap_or_default();
    for names in [Names::new(long, long), Names::UNKNOWN] {
        let (first, more) =
            render::interface_event(change, &Detail::Full(Interface::decode(&interface)), &names);
        assert_uncut(&first);
        // The second line's zones: Windows defines 7 scope levels; more non-zero entries
        // than that could fill it (docs/lines.md).
        assert_line(&more.unwrap());
        assert_uncut(&render::address_event(
            change,
            &Detail::Full(Address::decode(&address)),
            &names,
        ));
        assert_uncut(&render::route_event(
            change,
            &Detail::Full(Route::decode(&route)),
            &names,
        ));
        assert_uncut(&render::stable_entry(
            u32::MAX,
            &Address::decode(&address),
            &names,
        ));
        for note in [
            Note::None,
            Note::Gone,
            Note::QueryFailed(status),
            Note::NotPassive(irql),
        ] {
            let keys = InterfaceKeys::decode(&interface);
            let (first, more) = render::interface_event(change, &Detail::Keys(keys, note), &names);
            assert_uncut(&first);
            assert!(more.is_none());
            let keys = AddressKeys::decode(&address);
            assert_uncut(&render::address_event(
                change,
                &Detail::Keys(keys, note),
                &names,
            ));
            let keys = RouteKeys::decode(&route);
            assert_uncut(&render::route_event(
                change,
                &Detail::Keys(keys, note),
                &names,
            ));
        }
    }

    let sim = Sim::new();
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    let raw = i32_at(data, 0);
    for (notification_type, delivery) in [
        (1, Delivery::Keys),
        (0, Delivery::Full),
        (raw, Delivery::Keys),
        (2, Delivery::Full),
    ] {
        sim.notify(
            Event::Interface(Some(interface), notification_type),
            delivery,
        );
        sim.notify(Event::Address(Some(address), notification_type), delivery);
        sim.notify(Event::Route(Some(route), notification_type), delivery);
    }
    driver_unload(&sim);
    for line in sim.lines() {
        assert_text(&line);
    }
    let violations = sim.close();
    assert!(violations.is_empty(), "{violations:?}");
}

/// Arbitrary bytes as stable tables: the first byte picks the completion (even: immediate,
/// odd: pending) and whether the pending table is NULL (bit 1); the rest are 80-byte rows.
///
/// # Panics
/// If a line breaks the output discipline, a table is leaked or freed twice, or NETIO is
/// misused.
pub fn stable_table(data: &[u8]) {
    let mode = data.first().copied().unwrap_or(0);
    let rows: Vec<MibUnicastIpAddressRow> = data
        .get(1..)
        .unwrap_or_default()
        .chunks(80)
        .map(|chunk| {
            let mut bytes = chunk.to_vec();
            bytes.resize(80, 0);
            MibUnicastIpAddressRow::from_bytes(&bytes).unwrap()
        })
        .collect();
    let sim = Sim::new();
    if mode % 2 == 0 {
        sim.stable(StableMode::Immediate(Some(rows.clone())));
    } else {
        sim.stable(StableMode::Pending(NtStatus::PENDING));
    }
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    if mode % 2 == 1 {
        let table = if mode & 2 == 0 {
            Some(rows.as_slice())
        } else {
            None
        };
        assert_eq!(sim.complete_stable(table), 1);
        assert_eq!(sim.complete_stable(Some(&rows)), 1);
    }
    driver_unload(&sim);
    let lines = sim.lines();
    for line in &lines {
        assert_text(line);
    }
    let entries = lines
        .iter()
        .filter(|line| line.starts_with("netnotify: stable-table ["))
        .count();
    let tables = if mode % 2 == 0 {
        1
    } else if mode & 2 == 0 {
        2
    } else {
        1
    };
    assert_eq!(
        entries,
        rows.len() * tables,
        "one line per row of every table"
    );
    assert_eq!(sim.live_tables(), 0, "every table freed");
    let violations = sim.close();
    assert!(violations.is_empty(), "{violations:?}");
}
