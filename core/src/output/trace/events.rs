//! The events: a notification's, a stable table's, and the driver's own.
//!
//! Owns each event's type (its payload's room: its schema's, [`super::schema`]), the header
//! of every change and stable-table event, how a record's fields reach its event ([`Fields`]
//! as the renderer's [`Visit`]or), and the driver's own events, each written from its record's
//! data ([`crate::model::record::Record`]'s variants) with the record's `seq`: settings,
//! loaded, storm summaries, warnings and errors (the message its `Put` writes), unloaded and
//! counters.

use super::encoding::{Bytes, Event, Fields, Text};
use super::schema::{
    ADDRESS, COUNTERS, ERROR, INTERFACE, LOADED_EVENT, MESSAGE_TEXT, ROUTE, SETTINGS_EVENT,
    STABLE_TABLE, STORM, UNLOADED, WARNING,
};
use crate::model::counters::{ChangeCounts, StableCounts};
use crate::model::decode::{Change, Family};
use crate::model::fields::{
    CHANGE_COUNTS, Field, FieldValue, Kind, STABLE_COUNTS, Visit, driver, header,
};
use crate::model::notification::{Notification, NotificationSet};
use crate::model::printed::{Out, Put};

use crate::model::printed::Dec;
use crate::model::record::{self, Loaded, Note, NoteWords, StableState, Storm, Totals};
#[cfg(doc)]
use crate::model::record::{ErrorMessage, Record, WarningMessage};
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

// The fields of a record (a notification's row, a stable table's header and rows) come from
// the field table through the renderer's visitors ([`crate::output::render::visit_interface`] and
// its siblings, visiting [`Fields`]) in the schema's order, which is made from the same table.

impl Visit for Fields<'_> {
    // Inlined into the row's visitor with [`Fields::value`]: no call per column.
    #[inline]
    fn field<T: FieldValue + ?Sized>(&mut self, field: &Field, value: &T) {
        // The interface's names are the schemas' last columns, written from the names
        // themselves ([`Event::write_names`]).
        if field.kind != Kind::Text {
            self.value(field.name, value);
        }
    }
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
    event.fields().change_header(
        |payload| match change {
            Change::Other(raw) => {
                payload.push_text(itoa::Buffer::new().format(raw));
                payload.push_array([0]);
            }
            known => payload.push_word(known.name()),
        },
        seq,
        printed,
        |payload| NoteWords(why).put(&mut Text(payload)),
    );
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
    seq_printed(&mut fields, seq, printed);
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

/// `seq` and `printed`, which every event's header has (a change's after its `change`): its
/// record's `seq` (for the driver's own records, the policy numbers each kind once, for the
/// sink's record and for this event) and `printed` as the record's header has it (a driver
/// line is never left out; `counters`, which has no line, is false).
fn seq_printed(fields: &mut Fields<'_>, seq: u64, printed: bool) {
    fields.u64(header::SEQ.name, seq);
    fields.bool32(header::PRINTED.name, printed);
}

/// The driver's version and the records' schema version, as the `loaded` record has them.
fn versions(fields: &mut Fields<'_>) {
    fields.str(header::VERSION.name, record::VERSION);
    fields.u32(header::SCHEMA.name, record::SCHEMA);
}

/// The effective settings ([`Record::Settings`]'s), named as the `settings` line names them.
#[must_use]
pub fn settings_event(settings: &Settings, seq: u64) -> SettingsEvent {
    let mut event = Event::new(&SETTINGS_EVENT);
    let mut fields = event.fields();
    seq_printed(&mut fields, seq, true);
    for (setting, value) in SETTINGS.iter().zip(settings.values()) {
        fields.u32(setting.name, value);
    }
    event
}

/// The `loaded` event, from [`Record::Loaded`]'s record.
///
/// The `loaded` line's fields, each under its name; `entries` only with `stable-table=immediate` and a table (its bit in
/// `present`), as in `cargo replay --json`.
#[must_use]
pub fn loaded_event(loaded: &Loaded, seq: u64) -> LoadedEvent {
    let mut event = Event::new(&LOADED_EVENT);
    let mut fields = event.fields();
    seq_printed(&mut fields, seq, true);
    versions(&mut fields);
    fields.present();
    fields.put(driver::REGISTERED.name, &loaded.registered);
    fields.value(driver::FAMILY.name, &Family(loaded.family));
    fields.bool32(driver::INITIAL.name, loaded.initial);
    let (state, entries) = match loaded.stable {
        StableState::Off => ("off", None),
        StableState::Immediate(entries) => ("immediate", entries),
        StableState::Pending => ("pending", None),
        StableState::Uncancellable => ("uncancellable", None),
    };
    fields.str(driver::STABLE_TABLE.name, state);
    if let Some(entries) = entries {
        fields.value(driver::ENTRIES.name, &Dec(entries));
    }
    fields.str(
        driver::UNLOAD.name,
        if loaded.pinned { "disabled" } else { "enabled" },
    );
    // Written only while registered (`loaded.etw`), so always the GUID; `off` otherwise, as
    // the line says.
    if loaded.etw {
        fields.put(driver::ETW.name, &super::provider::BracedGuid);
    } else {
        fields.str(driver::ETW.name, "off");
    }
    event
}

/// A storm summary ([`Record::Storm`]'s), written into `event` where it lies: what storm
/// control left out of the lines of its notification.
///
/// `over` is the seconds from the first to the last left out, a `DOUBLE` as the line's
/// `over 0.046s` reads (its bits made with integers: [`millis_as_seconds`]).
pub fn storm_event(event: &mut StormEvent, storm: &Storm, seq: u64) {
    let mut fields = event.fields();
    seq_printed(&mut fields, seq, true);
    fields.str(driver::STORM_KIND.name, storm.notification.name());
    counts(&mut fields, "", &storm.summary.counts);
    let millis = storm.summary.last.saturating_sub(storm.summary.first) / 10_000;
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

/// A warning or an error, as an event written into `event` where it lies.
///
/// Its `message` is what the record's [`Put`] writes ([`ErrorMessage`]'s,
/// [`WarningMessage`]'s: the line's text after `error: ` or `warning: `), cut to
/// [`MESSAGE_TEXT`] bytes at a character boundary. Generic so that a callback's error (a stable table delivered above
/// `PASSIVE_LEVEL`) reaches only its own text's writer, not the lifecycle's `core::fmt`.
pub fn message_event<M: Put + ?Sized>(event: &mut MessageEvent, message: &M, seq: u64) {
    let mut fields = event.fields();
    seq_printed(&mut fields, seq, true);
    fields.text_with(driver::MESSAGE.name, |payload| {
        message.put(&mut Cut {
            payload,
            left: MESSAGE_TEXT,
        });
    });
}

/// Text into a payload, cut once `left` bytes are written (at a character boundary).
struct Cut<'a> {
    payload: &'a mut Bytes<[u8]>,
    left: usize,
}

impl Out for Cut<'_> {
    fn put_str(&mut self, text: &str) {
        let mut end = text.len().min(self.left);
        while !text.is_char_boundary(end) {
            end = end.saturating_sub(1);
        }
        let kept = text.get(..end).unwrap_or_default();
        self.payload.push_text(kept);
        self.left = self.left.saturating_sub(kept.len());
        if end < text.len() {
            // A character that did not fit ends the text: nothing after it is written.
            self.left = 0;
        }
    }
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

/// The counters ([`Record::Unloaded`]'s or [`Record::Counters`]'s totals): in `unloaded`,
/// and in `counters` (capture-state, which has no line).
///
/// Each group of the line (`interface(...)`) is its fields named `interface.initial` and so
/// on: the flattened form of `cargo replay --json`'s nested objects (`TraceLogging` structs
/// exist, but etl-parser cannot decode them). Every count always, where the line leaves out
/// what is 0: `kept` (empty text when nothing is kept), `leaked-tables`, `etw-dropped` (the
/// events not written so far), `low-stack` and `min-stack` (0 while nothing ran: no entry
/// that ran had 0 bytes left, docs/netio.md#stack).
#[must_use]
pub fn counters_event(unloaded: bool, totals: &Totals, seq: u64) -> CountersEvent {
    let mut event = Event::new(if unloaded { &UNLOADED } else { &COUNTERS });
    let mut fields = event.fields();
    // `counters` has no line ([`Record::printed`]).
    seq_printed(&mut fields, seq, unloaded);
    if !unloaded {
        versions(&mut fields);
    }
    counts(&mut fields, "interface.", &totals.interface);
    counts(&mut fields, "address.", &totals.address);
    counts(&mut fields, "route.", &totals.route);
    let StableCounts { tables, entries } = totals.stable;
    fields.prefixed_u64("stable-table.", STABLE_COUNTS[0].name, tables);
    fields.prefixed_u64("stable-table.", STABLE_COUNTS[1].name, entries);
    if totals.kept == NotificationSet::EMPTY {
        fields.str(driver::KEPT.name, "");
    } else {
        fields.put(driver::KEPT.name, &totals.kept);
    }
    fields.u64(driver::LEAKED_TABLES.name, totals.leaked_tables);
    fields.u64(driver::ETW_DROPPED.name, totals.etw_dropped);
    fields.u64(driver::LOW_STACK.name, totals.low_stack);
    fields.u64(driver::MIN_STACK.name, totals.min_stack.unwrap_or(0));
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
