//! The events: a notification's, a stable table's, and the driver's own.
//!
//! Owns each event's room (its metadata's, computed from the field table, and its payload's,
//! measured), the start of every change and stable-table event, how a record's fields reach
//! its event ([`Fields`] as the renderer's [`Visit`]or), and the driver's own events:
//! settings, storm summaries, warnings and errors, counters.

use super::encoding::{Text, copy};
use super::{Event, Fields, InType, Level, OutType, keyword, keyword_of};
use crate::model::counters::{ChangeCounts, Counters, StableCounts, Summary};
use crate::model::decode::Change;
use crate::model::fields::{
    ADDRESS_ROW, Field, FieldValue, INTERFACE_ROW, Kind, NAMES, ROUTE_ROW, Visit, driver, stable,
};
use crate::model::notification::{Notification, NotificationSet};
use crate::model::printed::Put;
use crate::model::record::Note;
use crate::model::settings::{SETTINGS, Settings};

/// The metadata's room for a storm summary's event: it is built on a NETIO callback's stack
/// (or the storm timer's DPC), whose budget is 2 KiB (`ci/object-checks`).
pub const STORM_METADATA: usize = 160;
/// The payload's room for a storm summary's event.
pub const STORM_PAYLOAD: usize = 96;

/// A storm summary's event: small enough for a callback's stack.
pub type StormEvent = Event<STORM_METADATA, STORM_PAYLOAD>;

/// A warning's or an error's event: a short name and field, and the line's text, cut to fit
/// (the longest message today is about 200 bytes; the event is built on a callback's stack).
pub type MessageEvent = Event<32, 256>;

// The events, each with its fields. The fields of a record (a notification's row, a stable
// table's header and rows) come from the field table through the renderer's visitors
// ([`crate::render::visit_interface`] and its siblings, visiting [`Fields`]), so a field added
// to the table is in the event too; the driver's own events name their fields from the same
// table.

impl Visit for Fields<'_> {
    fn field<T: FieldValue + ?Sized>(&mut self, field: &Field, value: &T) {
        self.value(field.name, field.kind, value);
    }
}

/// Why a change event has only its keys, as `cargo replay --json`'s `note` says it: the
/// line's note without its space and parentheses.
pub(super) fn note(fields: &mut Fields<'_>, note: Note) {
    if note == Note::None {
        return;
    }
    fields.field("note", InType::CStr8, OutType::Default);
    let start = fields.payload.len;
    note.put(&mut Text(fields.payload));
    // ` (gone)` → `gone`: the text is ASCII, so cutting bytes keeps it valid.
    fields.payload.cut(start, 2, 1);
    fields.payload.push(&[0]);
}

/// The room for the metadata of an event named `name` with `fields` (each a name, its NUL,
/// its in-type and, for an address (IPv4, IPv6), its out-type), and `extra` bytes more.
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "evaluated at compile time: a fault fails the build"
)]
const fn metadata_room(name: &str, fields: &[&[Field]], extra: usize) -> usize {
    let mut room = 3 + name.len() + 1 + extra;
    let mut table = 0;
    while table < fields.len() {
        let mut field = 0;
        while field < fields[table].len() {
            let types = match fields[table][field].kind {
                Kind::Address | Kind::Prefix { .. } => 2,
                _ => 1,
            };
            room += fields[table][field].name.len() + 1 + types;
            field += 1;
        }
        table += 1;
    }
    room
}

/// `change` (text or `INT32`), `seq` and `note`, before a change event's fields.
const CHANGE_ROOM: usize = "change".len() + 2 + "seq".len() + 2 + "note".len() + 2;

/// The metadata's room of an interface event.
pub const INTERFACE_METADATA: usize =
    metadata_room("interface", &[&INTERFACE_ROW, &NAMES], CHANGE_ROOM);
/// The payload's room of an interface event.
///
/// The largest Windows makes (every flag, every
/// number at its widest, the seven scope levels Windows sets, the longest names: 443 bytes,
/// `tests/etw.rs`). An event that does not fit (sixteen zones, each at its widest) is not
/// written and counted in [`Session::dropped`](super::Session::dropped): the callback's stack has no more room.
pub const INTERFACE_PAYLOAD: usize = 448;
/// The metadata's room of an address event.
pub const ADDRESS_METADATA: usize = metadata_room("address", &[&ADDRESS_ROW, &NAMES], CHANGE_ROOM);
/// The metadata's room of a route event.
pub const ROUTE_METADATA: usize = metadata_room("route", &[&ROUTE_ROW, &NAMES], CHANGE_ROOM);
/// The payload's room of an address, route or stable-table event.
///
/// The largest any row makes (a route between two IPv6 addresses of eight full groups with zones, the widest LUID,
/// the longest names, every number at its widest: 264 bytes, `tests/etw.rs`).
pub const ROW_PAYLOAD: usize = 272;
/// The metadata's room of a stable table's event, header or row.
pub const STABLE_METADATA: usize = metadata_room(
    "stable-table",
    &[
        &ADDRESS_ROW,
        &NAMES,
        &[stable::POSITION, stable::COMPLETION, stable::ENTRIES],
    ],
    "seq".len() + 3,
);

/// An interface notification's event.
pub type InterfaceEvent = Event<INTERFACE_METADATA, INTERFACE_PAYLOAD>;
/// An address notification's event.
pub type AddressEvent = Event<ADDRESS_METADATA, ROW_PAYLOAD>;
/// A route notification's event.
pub type RouteEvent = Event<ROUTE_METADATA, ROW_PAYLOAD>;
/// A stable table's event: its header, or one of its rows.
pub type StableEvent = Event<STABLE_METADATA, ROW_PAYLOAD>;

/// Starts a change notification's event in `event`.
///
/// `kind` is its name, then `change` (its
/// word, or the number of a type Windows does not define), the kind's `seq` (1 for its first
/// event), and `note` when the event has only its keys for a reason. Every field of its
/// record follows ([`crate::record::Record::visit`]'s, through the renderer's visitors).
pub fn start_change<const M: usize, const P: usize>(
    event: &mut Event<M, P>,
    notification: Notification,
    change: Change,
    seq: u64,
    why: Note,
) {
    event.start(
        notification.name(),
        Level::Informational,
        keyword_of(notification),
    );
    let mut fields = event.fields();
    match change {
        Change::Other(raw) => fields.i32("change", raw),
        known => fields.str("change", known.name()),
    }
    fields.u64("seq", seq);
    note(&mut fields, why);
}

/// Starts a stable table's header or row event in `event`.
///
/// Named `stable-table`, with its `seq`
/// among the stable table's records (headers and rows alike, as `cargo replay --json`
/// numbers them). Its fields follow ([`crate::render::visit_stable_header`],
/// [`crate::render::visit_stable_entry`]).
pub fn start_stable(event: &mut StableEvent, seq: u64) {
    event.start(
        Notification::StableTable.name(),
        Level::Informational,
        keyword::STABLE_TABLE,
    );
    event.fields().u64("seq", seq);
}

/// The effective settings, named as the `settings` line names them.
#[must_use]
pub fn settings_event(settings: &Settings) -> Event {
    let mut event = Event::new("settings", Level::Informational, keyword::LIFECYCLE);
    for (setting, value) in SETTINGS.iter().zip(settings.values()) {
        event.u32(setting.name, value);
    }
    event
}

/// A storm summary, written into `event` where it lies: what storm control left out of the
/// lines of `notification`.
///
/// `over` is
/// the seconds from the first to the last left out, a `DOUBLE` as the line's `over 0.046s`
/// reads (its bits made with integers: [`millis_as_seconds`]).
pub fn storm_event(event: &mut StormEvent, notification: Notification, summary: &Summary) {
    event.start("storm", Level::Warning, keyword::LIFECYCLE);
    let mut fields = event.fields();
    fields.str(driver::STORM_KIND.name, notification.name());
    counts(&mut fields, "", &summary.counts);
    let millis = summary.last.saturating_sub(summary.first) / 10_000;
    fields.f64_bits(driver::OVER.name, millis_as_seconds(millis));
}

/// The bits of the `f64` nearest `millis / 1000` (ties to even).
///
/// As a parser reads the decimal `<s>.<ms>`, computed with integers: kernel code does not touch the floating-point
/// state unasked (Microsoft Learn, "Using Floating Point in a WDM Driver").
#[must_use]
#[allow(
    clippy::cast_possible_truncation,
    clippy::arithmetic_side_effects,
    reason = "the mantissa is below 2^53 and the shift below 128; integer casts in a const fn"
)]
pub const fn millis_as_seconds(millis: u64) -> u64 {
    if millis == 0 {
        return 0;
    }
    // millis * 2^64 / 1000 (at least 2^54, below 2^118), by long division in u64 steps: a
    // u128 division would call compiler-builtins' `__udivti3`, whose aarch64 unwind data
    // names a C++ handler a kernel image has not.
    let high = millis / 1000;
    let (middle, rest) = (
        ((millis % 1000) << 32) / 1000,
        ((millis % 1000) << 32) % 1000,
    );
    let (low, rest) = ((rest << 32) / 1000, (rest << 32) % 1000);
    let quotient = ((high as u128) << 64) | ((middle as u128) << 32) | low as u128;
    let inexact = rest != 0;
    let bits = 128 - quotient.leading_zeros();
    // Keep 53 significant bits; `bits` is at least 55.
    let mut shift = bits.saturating_sub(53);
    let mut mantissa = quotient >> shift;
    let dropped = quotient & ((1_u128 << shift).wrapping_sub(1));
    let half = 1_u128 << shift.saturating_sub(1);
    if dropped > half || (dropped == half && (inexact || mantissa & 1 == 1)) {
        mantissa = mantissa.wrapping_add(1);
        if mantissa == 1 << 53 {
            mantissa >>= 1;
            shift = shift.wrapping_add(1);
        }
    }
    // value = mantissa * 2^(shift - 64) = 1.f * 2^(shift - 12).
    let exponent = (shift as u64).wrapping_add(1023).wrapping_sub(12);
    (exponent << 52) | ((mantissa as u64) & ((1 << 52) - 1))
}

/// A warning or an error line, as an event written into `event` where it lies: its text
/// without the `netnotify: ` prefix and its level word, as `message`.
pub fn message_event(event: &mut MessageEvent, error: bool, text: &str) {
    let (name, level) = if error {
        ("error", Level::Error)
    } else {
        ("warning", Level::Warning)
    };
    event.start(name, level, keyword::LIFECYCLE);
    event.fields().str_cut(driver::MESSAGE.name, text);
}

/// The counters: in `unloaded`, and in `counters` (capture-state, which has no line).
///
/// Each
/// group of the line (`interface(...)`) is its fields named `interface.initial` and so on:
/// the flattened form of `cargo replay --json`'s nested objects (`TraceLogging` structs exist,
/// but etl-parser cannot decode them). `kept` and `leaked-tables` only when not empty, as in
/// the line; `etw-dropped` (`dropped`, the events that did not fit so far), `low-stack` and
/// `min-stack` always (`min-stack` 0 while nothing ran: no entry that ran had 0 bytes left,
/// docs/netio.md#stack).
#[must_use]
pub fn counters_event(
    name: &str,
    counters: &Counters,
    kept: NotificationSet,
    dropped: u64,
) -> Event {
    let mut event = Event::new(name, Level::Informational, keyword::LIFECYCLE);
    let mut fields = event.fields();
    counts(&mut fields, "interface.", &counters.interface.snapshot());
    counts(&mut fields, "address.", &counters.address.snapshot());
    counts(&mut fields, "route.", &counters.route.snapshot());
    let StableCounts { tables, entries } = counters.stable.snapshot();
    let mut name = FieldName::new();
    name.push("stable-table.");
    name.push(driver::TABLES.name);
    fields.u64(name.as_str(), tables);
    let mut name = FieldName::new();
    name.push("stable-table.");
    name.push(driver::ROWS.name);
    fields.u64(name.as_str(), entries);
    if kept != NotificationSet::EMPTY {
        fields.display(driver::KEPT.name, &kept);
    }
    let leaked = counters.stable.leaked();
    if leaked != 0 {
        fields.u64(driver::LEAKED_TABLES.name, leaked);
    }
    fields.u64(driver::ETW_DROPPED.name, dropped);
    fields.u64(driver::LOW_STACK.name, counters.stack.low());
    fields.u64(driver::MIN_STACK.name, counters.stack.min().unwrap_or(0));
    event
}

fn counts(event: &mut Fields<'_>, prefix: &str, counts: &ChangeCounts) {
    count(event, prefix, driver::INITIAL_COUNT.name, counts.initial);
    count(event, prefix, driver::ADD.name, counts.add);
    count(event, prefix, driver::DELETE.name, counts.delete);
    count(event, prefix, driver::PARAMETER.name, counts.parameter);
    count(event, prefix, driver::OTHER.name, counts.other);
}

/// A count named `<prefix><name>`.
fn count(event: &mut Fields<'_>, prefix: &str, name: &str, value: u64) {
    let mut full = FieldName::new();
    full.push(prefix);
    full.push(name);
    event.u64(full.as_str(), value);
}

/// A field name put together from a prefix and a name, on the stack.
struct FieldName {
    bytes: [u8; 32],
    len: usize,
}

impl FieldName {
    const fn new() -> Self {
        Self {
            bytes: [0; 32],
            len: 0,
        }
    }

    fn push(&mut self, text: &str) {
        let end = self.len.saturating_add(text.len());
        if let Some(room) = self.bytes.get_mut(self.len..end) {
            copy(room, text.as_bytes());
            self.len = end;
        }
    }

    fn as_str(&self) -> &str {
        self.bytes
            .get(..self.len)
            .and_then(|bytes| core::str::from_utf8(bytes).ok())
            .unwrap_or("?")
    }
}
