//! The events: a notification's, a stable table's, and the driver's own.
//!
//! Owns each event's type (its payload's room: its schema's, [`super::schema`]), the header
//! of every change and stable-table event, how a record's fields reach its event ([`Fields`]
//! as the renderer's [`Visit`]or), and the driver's own events: settings, loaded, storm
//! summaries, warnings and errors, unloaded and counters.

use super::encoding::Text;
use super::encoding::{Event, Fields};
use super::schema::{
    ADDRESS, COUNTERS, ERROR, INTERFACE, LOADED_EVENT, MESSAGE_TEXT, ROUTE, SETTINGS_EVENT,
    STABLE_TABLE, STORM, UNLOADED, WARNING,
};
use super::session::Session;
use crate::model::counters::{ChangeCounts, Counters, StableCounts, Summary};
use crate::model::decode::{Change, Family};
use crate::model::fields::{
    CHANGE_COUNTS, Field, FieldValue, Kind, STABLE_COUNTS, Visit, driver, header,
};
use crate::model::notification::{Notification, NotificationSet};
use crate::model::printed::Put;

use crate::model::printed::Dec;
use crate::model::record::{self, Note, StableState};
use crate::model::settings::{SETTINGS, Settings};

/// An interface notification's event.
pub type InterfaceEvent = Event<{ INTERFACE.payload }>;
/// An address notification's event.
pub type AddressEvent = Event<{ ADDRESS.payload }>;
/// A route notification's event.
pub type RouteEvent = Event<{ ROUTE.payload }>;
/// A stable table's event: its header, or one of its rows.
pub type StableEvent = Event<{ STABLE_TABLE.payload }>;
/// A storm summary's event.
pub type StormEvent = Event<{ STORM.payload }>;
/// A warning's or an error's event.
pub type MessageEvent = Event<{ WARNING.payload }>;
/// The settings' event.
pub type SettingsEvent = Event<{ SETTINGS_EVENT.payload }>;
/// The `loaded` event.
pub type LoadedEvent = Event<{ LOADED_EVENT.payload }>;
/// The `unloaded` and `counters` events.
pub type CountersEvent = Event<{ COUNTERS.payload }>;

const _: () = assert!(WARNING.payload == ERROR.payload && UNLOADED.payload <= COUNTERS.payload);

/// The driver's own events, each numbered from 1 by its name ([`Session::next_seq`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DriverEvent {
    /// `settings`.
    Settings,
    /// `loaded`.
    Loaded,
    /// `storm`.
    Storm,
    /// `warning`.
    Warning,
    /// `error`.
    Error,
    /// `unloaded`.
    Unloaded,
    /// `counters`.
    Counters,
}

// The fields of a record (a notification's row, a stable table's header and rows) come from
// the field table through the renderer's visitors ([`crate::output::render::visit_interface`] and
// its siblings, visiting [`Fields`]) in the schema's order, which is made from the same table.

impl Visit for Fields<'_> {
    fn field<T: FieldValue + ?Sized>(&mut self, field: &Field, value: &T) {
        // The interface's names are the schemas' last columns, written from the names
        // themselves ([`Event::write_names`]).
        if field.kind != Kind::Text {
            self.value(field.name, value);
        }
    }
}

/// Why a change event has only its keys, as `cargo replay --json`'s `note` says it: the
/// line's note without its space and parentheses; empty when it has every field it can.
pub(super) fn note(fields: &mut Fields<'_>, note: Note) {
    fields.text_with("note", |payload| {
        if note == Note::None {
            return;
        }
        let start = payload.len;
        note.put(&mut Text(payload));
        // ` (gone)` → `gone`: the text is ASCII, so cutting bytes keeps it valid.
        payload.cut(start, 2, 1);
    });
}

/// Starts a change notification's event: its header.
///
/// `change` (its word, or the decimal number of a type Windows does not define), the kind's
/// `seq` (1 for its first event), `printed` (whether storm control and the verbosity let its
/// line through), `note` (empty unless the event has only its keys for a reason) and
/// `present`. Every field of its record follows ([`crate::model::record::Record::visit`]'s, through
/// the renderer's visitors).
pub fn start_change<const P: usize>(
    event: &mut Event<P>,
    change: Change,
    seq: u64,
    printed: bool,
    why: Note,
) {
    let mut fields = event.fields();
    match change {
        Change::Other(raw) => fields.str("change", itoa::Buffer::new().format(raw)),
        known => fields.str("change", known.name()),
    }
    fields.u64("seq", seq);
    fields.bool32("printed", printed);
    note(&mut fields, why);
    fields.present();
}

/// The event of a change notification of `notification`, empty.
#[must_use]
#[allow(
    clippy::inline_always,
    reason = "built in the caller's frame, not copied into it: a callback's stack budget"
)]
#[inline(always)]
pub const fn change_event<const P: usize>(notification: Notification) -> Event<P> {
    Event::new(match notification {
        Notification::Interface => &INTERFACE,
        Notification::Address => &ADDRESS,
        Notification::Route => &ROUTE,
        Notification::StableTable => &STABLE_TABLE,
    })
}

/// Starts a stable table's header or row event.
///
/// Named `stable-table`, with its `seq`
/// among the stable table's records (headers and rows alike, as `cargo replay --json`
/// numbers them), `printed` and `present`. Its fields follow
/// ([`crate::output::render::visit_stable_header`], [`crate::output::render::visit_stable_entry`]).
pub fn start_stable(event: &mut StableEvent, seq: u64, printed: bool) {
    let mut fields = event.fields();
    fields.u64("seq", seq);
    fields.bool32("printed", printed);
    fields.present();
}

/// A stable table's event, empty.
#[must_use]
#[allow(
    clippy::inline_always,
    reason = "built in the caller's frame, not copied into it: a callback's stack budget"
)]
#[inline(always)]
pub const fn stable_event() -> StableEvent {
    Event::new(&STABLE_TABLE)
}

/// A driver event's header: its `seq` and `printed` (true: the driver's lines are never
/// left out).
fn driver_header(fields: &mut Fields<'_>, session: &Session, event: DriverEvent) {
    fields.u64(header::SEQ.name, session.next_seq(event));
    fields.bool32(header::PRINTED.name, true);
}

/// The driver's version and the records' schema version, as the `loaded` record has them.
fn versions(fields: &mut Fields<'_>) {
    fields.str(header::VERSION.name, record::VERSION);
    fields.u32(header::SCHEMA.name, record::SCHEMA);
}

/// The effective settings, named as the `settings` line names them.
#[must_use]
pub fn settings_event(settings: &Settings, session: &Session) -> SettingsEvent {
    let mut event = Event::new(&SETTINGS_EVENT);
    let mut fields = event.fields();
    driver_header(&mut fields, session, DriverEvent::Settings);
    for (setting, value) in SETTINGS.iter().zip(settings.values()) {
        fields.u32(setting.name, value);
    }
    event
}

/// The `loaded` event: the `loaded` line's fields, each under its name; `entries` only with
/// `stable-table=immediate` and a table (its bit in `present`), as in `cargo replay --json`.
#[must_use]
pub fn loaded_event(
    registered: NotificationSet,
    settings: &Settings,
    stable: StableState,
    pinned: bool,
    session: &Session,
) -> LoadedEvent {
    let mut event = Event::new(&LOADED_EVENT);
    let mut fields = event.fields();
    driver_header(&mut fields, session, DriverEvent::Loaded);
    versions(&mut fields);
    fields.present();
    fields.put(driver::REGISTERED.name, &registered);
    fields.value(driver::FAMILY.name, &Family(settings.family));
    fields.bool32(driver::INITIAL.name, settings.initial_notification);
    let (state, entries) = match stable {
        StableState::Off => ("off", None),
        StableState::Immediate(entries) => ("immediate", entries),
        StableState::Pending => ("pending", None),
        StableState::Uncancellable => ("uncancellable", None),
    };
    fields.str(driver::STABLE_TABLE.name, state);
    if let Some(entries) = entries {
        fields.value(driver::ENTRIES.name, &Dec(u64::from(entries)));
    }
    fields.str(
        driver::UNLOAD.name,
        if pinned { "disabled" } else { "enabled" },
    );
    // Written only while registered, so always the GUID.
    fields.put(driver::ETW.name, &super::provider::BracedGuid);
    event
}

/// A storm summary, written into `event` where it lies: what storm control left out of the
/// lines of `notification`.
///
/// `over` is
/// the seconds from the first to the last left out, a `DOUBLE` as the line's `over 0.046s`
/// reads (its bits made with integers: [`millis_as_seconds`]).
pub fn storm_event(
    event: &mut StormEvent,
    notification: Notification,
    summary: &Summary,
    session: &Session,
) {
    let mut fields = event.fields();
    driver_header(&mut fields, session, DriverEvent::Storm);
    fields.str(driver::STORM_KIND.name, notification.name());
    counts(&mut fields, "", &summary.counts);
    let millis = summary.last.saturating_sub(summary.first) / 10_000;
    fields.f64_bits(driver::OVER.name, millis_as_seconds(millis));
}

/// A storm summary's event, empty.
#[must_use]
#[allow(
    clippy::inline_always,
    reason = "built in the caller's frame, not copied into it: a callback's stack budget"
)]
#[inline(always)]
pub const fn new_storm_event() -> StormEvent {
    Event::new(&STORM)
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
/// without the `netnotify: ` prefix and its level word, as `message` (cut to
/// [`MESSAGE_TEXT`] bytes).
pub fn message_event(event: &mut MessageEvent, error: bool, text: &str, session: &Session) {
    let mut fields = event.fields();
    driver_header(
        &mut fields,
        session,
        if error {
            DriverEvent::Error
        } else {
            DriverEvent::Warning
        },
    );
    fields.str_cut(driver::MESSAGE.name, text, MESSAGE_TEXT);
}

/// A warning's or an error's event, empty.
#[must_use]
#[allow(
    clippy::inline_always,
    reason = "built in the caller's frame, not copied into it: a callback's stack budget"
)]
#[inline(always)]
pub const fn new_message_event(error: bool) -> MessageEvent {
    Event::new(if error { &ERROR } else { &WARNING })
}

/// The counters: in `unloaded`, and in `counters` (capture-state, which has no line).
///
/// Each group of the line (`interface(...)`) is its fields named `interface.initial` and so
/// on: the flattened form of `cargo replay --json`'s nested objects (`TraceLogging` structs
/// exist, but etl-parser cannot decode them). Every count always, where the line leaves out
/// what is 0: `kept` (empty text when nothing is kept), `leaked-tables`, `etw-dropped` (the
/// events not written so far), `low-stack` and `min-stack` (0 while nothing ran: no entry
/// that ran had 0 bytes left, docs/netio.md#stack).
#[must_use]
pub fn counters_event(
    unloaded: bool,
    counters: &Counters,
    kept: NotificationSet,
    dropped: u64,
    session: &Session,
) -> CountersEvent {
    let (schema, which) = if unloaded {
        (&UNLOADED, DriverEvent::Unloaded)
    } else {
        (&COUNTERS, DriverEvent::Counters)
    };
    let mut event = Event::new(schema);
    let mut fields = event.fields();
    driver_header(&mut fields, session, which);
    if !unloaded {
        versions(&mut fields);
    }
    counts(&mut fields, "interface.", &counters.interface.snapshot());
    counts(&mut fields, "address.", &counters.address.snapshot());
    counts(&mut fields, "route.", &counters.route.snapshot());
    let StableCounts { tables, entries } = counters.stable.snapshot();
    fields.prefixed_u64("stable-table.", STABLE_COUNTS[0].name, tables);
    fields.prefixed_u64("stable-table.", STABLE_COUNTS[1].name, entries);
    if kept == NotificationSet::EMPTY {
        fields.str(driver::KEPT.name, "");
    } else {
        fields.put(driver::KEPT.name, &kept);
    }
    fields.u64(driver::LEAKED_TABLES.name, counters.stable.leaked());
    fields.u64(driver::ETW_DROPPED.name, dropped);
    fields.u64(driver::LOW_STACK.name, counters.stack.low());
    fields.u64(driver::MIN_STACK.name, counters.stack.min().unwrap_or(0));
    event
}

fn counts(fields: &mut Fields<'_>, prefix: &str, counts: &ChangeCounts) {
    let values = [
        counts.initial,
        counts.add,
        counts.delete,
        counts.parameter,
        counts.other,
    ];
    for (field, value) in CHANGE_COUNTS.iter().zip(values) {
        fields.prefixed_u64(prefix, field.name, value);
    }
}
