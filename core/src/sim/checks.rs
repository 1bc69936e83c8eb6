//! Robustness checks on arbitrary bytes, for the fuzz targets (`fuzz/`) and their regressions.
//!
//! Each runs the driver on the input and panics if a line breaks the output discipline or the
//! simulator saw NETIO misused.

use std::string::String;
use std::sync::LazyLock;
use std::vec::Vec;

use crate::boundary::ffi::{MibIpForwardRow2, MibIpInterfaceRow, MibUnicastIpAddressRow};
use crate::model::decode::{
    Address, AddressKeys, Change, Interface, InterfaceKeys, Route, RouteKeys,
};
use crate::model::names::Names;
use crate::model::record::{Detail, Note, Record, RowDetail};
use crate::model::status::NtStatus;
use crate::output::line::{DBGPRINT_LIMIT, Line, TRUNCATION_MARKER};
use crate::output::render::{self, PREFIX};
use crate::policy::lifecycle::{driver_entry, driver_unload};
use crate::sim::kernel::Sim;
use crate::sim::scenario::{Delivery, Event, StableMode};

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

/// The longest name and alias NETIO can return (256 characters each), made once: the fuzz
/// targets run [`RowInput::record`] tens of thousands of times a second.
static LONG_NAMES: LazyLock<Names> = LazyLock::new(|| {
    let long: String = "Ethernet adapter with a very long alias ".repeat(7);
    let long = long.get(..256).unwrap_or_default();
    Names::new(long, long)
});

/// The fuzz input of the row targets (`rows`, `decode_rows`), decoded.
///
/// Layout of the bytes: notification type (4 bytes), a status (4), an IRQL (1), then the row
/// bytes, zero-padded to each row's size: the same bytes are an interface, an address and a
/// route row.
#[derive(Clone, Copy, Debug)]
pub struct RowInput {
    /// The notification type as delivered.
    pub raw_type: i32,
    /// The status of a failed re-query's note.
    pub status: NtStatus,
    /// The IRQL of an above-passive note.
    pub irql: u8,
    /// The row bytes as an interface.
    pub interface: MibIpInterfaceRow,
    /// The row bytes as an address.
    pub address: MibUnicastIpAddressRow,
    /// The row bytes as a route.
    pub route: MibIpForwardRow2,
}

impl RowInput {
    /// Decodes any bytes (short input is zero-padded).
    ///
    /// # Panics
    /// Never: each row is read from exactly its size.
    #[must_use]
    pub fn from_bytes(data: &[u8]) -> Self {
        Self {
            raw_type: i32_at(data, 0),
            status: NtStatus(i32_at(data, 4)),
            irql: take(data, 8, 1)[0],
            interface: MibIpInterfaceRow::from_bytes(&take(data, 9, 168)).unwrap(),
            address: MibUnicastIpAddressRow::from_bytes(&take(data, 9, 80)).unwrap(),
            route: MibIpForwardRow2::from_bytes(&take(data, 9, 104)).unwrap(),
        }
    }

    /// The record `selector` picks from these rows: bits 0-1 the kind (interface, address,
    /// route, the address as a stable table's last entry), bits 2-4 the detail (modulo 6: in
    /// full, as keys with no note, gone, a failed re-query, above passive level, no row), bit
    /// 5 the names (the longest NETIO can return, 256 characters each, or none).
    #[must_use]
    pub fn record(&self, selector: u8) -> Record {
        let change = Change::from_raw(self.raw_type);
        let names = if selector & 0x20 == 0 {
            *LONG_NAMES
        } else {
            Names::UNKNOWN
        };
        let note = match (selector >> 2 & 7) % 6 {
            0 => None,
            1 => Some(Some(Note::None)),
            2 => Some(Some(Note::Gone)),
            3 => Some(Some(Note::QueryFailed(self.status))),
            4 => Some(Some(Note::NotPassive(self.irql))),
            _ => Some(None),
        };
        let detail = match selector & 3 {
            0 => RowDetail::Interface(detail(
                note,
                InterfaceKeys::decode(&self.interface),
                Interface::decode(&self.interface),
            )),
            1 => RowDetail::Address(detail(
                note,
                AddressKeys::decode(&self.address),
                Address::decode(&self.address),
            )),
            2 => RowDetail::Route(detail(
                note,
                RouteKeys::decode(&self.route),
                Route::decode(&self.route),
            )),
            _ => {
                return Record::StableEntry {
                    position: u32::MAX,
                    row: Address::decode(&self.address),
                    names,
                };
            }
        };
        Record::Change {
            change,
            detail,
            names,
            printed: true,
        }
    }

    /// Every record [`Self::record`] can pick.
    #[must_use]
    pub fn records(&self) -> Vec<Record> {
        (0..0x40).map(|selector| self.record(selector)).collect()
    }
}

/// `None`: in full; `Some(Some(note))`: the keys with `note`; `Some(None)`: no row.
#[allow(
    clippy::option_option,
    reason = "three cases read at one place, private"
)]
fn detail<K, F>(note: Option<Option<Note>>, keys: K, full: F) -> Detail<K, F> {
    match note {
        None => Detail::Full(full),
        Some(Some(note)) => Detail::Keys(keys, note),
        Some(None) => Detail::NoRow,
    }
}

/// The `decode_rows` fuzz check's line half: one record of arbitrary rows, rendered.
///
/// The first byte of `data` picks a record ([`RowInput::record`]) of the rows in the rest
/// ([`RowInput`]), which is rendered and checked against the output discipline; returns the
/// record (the JSON half is `netnotify_replay::json::check_row_bytes`). One record per input
/// keeps the target fast.
///
/// # Panics
/// If the line breaks the output discipline, or a line but the interface's second one is cut.
pub fn render_row(data: &[u8]) -> Record {
    let selector = data.first().copied().unwrap_or(0);
    let record = RowInput::from_bytes(data.get(1..).unwrap_or_default()).record(selector);
    assert_record_lines(&record);
    record
}

/// Every record of the rows in `data` ([`RowInput::records`]), rendered and checked.
///
/// [`render_row`] for every selector at once (the property tests).
///
/// # Panics
/// If a line breaks the output discipline, or a line but the interface's second one is cut.
pub fn render_rows(data: &[u8]) {
    for record in RowInput::from_bytes(data).records() {
        assert_record_lines(&record);
    }
}

/// Renders `record` as the driver would print it ([`render::record_lines`]) and checks its
/// lines: an interface's second line only with its full state (its zones: Windows defines 7
/// scope levels; more non-zero entries than that could fill it, docs/lines.md).
fn assert_record_lines(record: &Record) {
    let (first, more) = render::record_lines(record);
    if let Some(first) = &first {
        assert_uncut(first);
    }
    let full_interface = matches!(
        record,
        Record::Change {
            detail: RowDetail::Interface(Detail::Full(_)),
            ..
        }
    );
    match &more {
        Some(more) => {
            assert!(full_interface, "a second line for a record without one");
            assert_line(more);
        }
        None => assert!(!full_interface, "a full interface without its second line"),
    }
}

/// Arbitrary bytes as every row kind, delivered to a loaded driver: the `rows` fuzz check.
///
/// The rows of [`RowInput`] as add, parameter, the input's own type and delete of each
/// object, as keys and in full: a whole `DriverEntry` per input (the renders alone are
/// [`render_rows`]).
///
/// # Panics
/// If a line breaks the output discipline or NETIO is misused.
pub fn rows(data: &[u8]) {
    let RowInput {
        raw_type: raw,
        interface,
        address,
        route,
        ..
    } = RowInput::from_bytes(data);
    let sim = Sim::new();
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
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
