//! The driver's own records, written: each variant's line (`settings`, `loaded`, `unloaded`,
//! `storm:`, `error:`, `warning:`) and its fields for a [`Visit`]or, from the same field
//! table; the header every record's object starts with ([`visit_header`]); and the lines of
//! any record ([`record_lines`]), the one renderer the policy prints a record with, and of a
//! decoded ETW event ([`read_lines`]).
//!
//! A line's fields and the visitor's are written from the same constants of
//! [`crate::model::fields`] (`segment!` where a run is fixed, `put_field` beside
//! `Visit::field` where the line leaves a field out), so `cargo replay --json` never reads a
//! line back.

use core::fmt;

use crate::boundary::ffi::TICKS_PER_SECOND;
use crate::model::counters::{ChangeCounts, StableCounts, Summary};
use crate::model::decode::{Change, Flag};
use crate::model::fields::{
    self, Field, FieldValue, Value, Visit, driver as driver_fields, header as header_fields,
};
use crate::model::notification::{Notification, NotificationSet};
use crate::model::printed::{Out, Put, display, display_by_put, put};
use crate::model::record::{
    ErrorMessage, Header, Loaded, Note, NoteWords, Record, RowDetail, SCHEMA, StableState, Storm,
    Totals, VERSION, WarningMessage,
};
use crate::model::settings::{REG_DWORD, RawValue, Settings};
use crate::output::line::Line;
use crate::output::trace::provider::BracedGuid;
use crate::output::trace::read::{Read, Said};

use super::events::{
    PREFIX, address_event, interface_event, route_event, stable_entry, stable_header,
};
use super::segments::{
    put_field, visit_address, visit_interface, visit_route, visit_stable_entry, visit_stable_header,
};
use super::values::{Dec, Family};
use crate::model::printed::Digits;

/// A word (a kind, a state): printed as it is, a JSON string.
#[derive(Clone, Copy)]
pub struct Word(pub &'static str);

impl Put for Word {
    fn put<O: Out>(&self, out: &mut O) {
        out.put_str(self.0);
    }
}

impl FieldValue for Word {
    fn value(&self) -> Value<'_> {
        Value::Word(self.0)
    }
}

/// A value whose writers all take its printed form (a message, a set of notifications).
pub struct Printed<T>(pub T);

impl<T: Put> Put for Printed<T> {
    fn put<O: Out>(&self, out: &mut O) {
        self.0.put(out);
    }
}

impl<T: Put> FieldValue for Printed<T> {
    fn value(&self) -> Value<'_> {
        Value::Printed
    }
}

/// Nothing: `none` in a line, `null` in JSON.
struct Nothing;

impl Put for Nothing {
    fn put<O: Out>(&self, out: &mut O) {
        out.put_str("none");
    }
}

impl FieldValue for Nothing {
    fn value(&self) -> Value<'_> {
        Value::Unknown
    }
}

/// A change as the header names it: its word, or the number of a type Windows does not
/// define.
struct ChangeValue(Change);

impl Put for ChangeValue {
    fn put<O: Out>(&self, out: &mut O) {
        self.0.put(out);
    }
}

impl FieldValue for ChangeValue {
    fn value(&self) -> Value<'_> {
        match self.0 {
            Change::Other(raw) => Value::Signed(raw.into()),
            known => Value::Word(known.name()),
        }
    }
}

/// Hands the header of a record to `visit`: the one writer of the header, for every record.
///
/// `kind`, a change's `change`, `seq`, `printed`, `row` (`null`) where NETIO passed none, and
/// the `note` of a line with only the keys.
pub fn visit_header<V: Visit>(visit: &mut V, header: &Header) {
    visit.field(&header_fields::KIND, &Word(header.kind));
    if let Some(change) = header.change {
        visit.field(&header_fields::CHANGE, &ChangeValue(change));
    }
    visit.field(&header_fields::SEQ, &Dec(header.seq));
    visit.field(&header_fields::PRINTED, &Flag(u8::from(header.printed)));
    if header.no_row {
        visit.field(&header_fields::ROW, &Nothing);
    }
    if header.note != Note::None {
        visit.field(&header_fields::NOTE, &NoteWords(header.note));
    }
}

/// The driver's version and the records' schema (`loaded`, `counters`).
fn visit_versions<V: Visit>(visit: &mut V) {
    visit.field(&header_fields::VERSION, &Word(VERSION));
    visit.field(&header_fields::SCHEMA, &Dec(SCHEMA));
}

/// The lines of a record: one, two for an interface's full state, none for `counters`.
///
/// (`counters` has no line: its event and its record only.) Each variant has one writer,
/// which this calls: the callbacks call theirs directly (`write_route_event`,
/// [`write_storm_of`], …), the lifecycle [`write_lifecycle_record`].
#[must_use]
pub fn record_lines(record: &Record) -> (Option<Line>, Option<Line>) {
    match record {
        Record::Change {
            change,
            detail,
            names,
            ..
        } => match detail {
            RowDetail::Interface(detail) => {
                let (first, more) = interface_event(*change, detail, names);
                (Some(first), more)
            }
            RowDetail::Address(detail) => (Some(address_event(*change, detail, names)), None),
            RowDetail::Route(detail) => (Some(route_event(*change, detail, names)), None),
        },
        Record::StableTable {
            completion,
            entries,
            ..
        } => (Some(stable_header(*completion, *entries)), None),
        Record::StableEntry {
            position,
            row,
            names,
        } => (Some(stable_entry(*position, row, names)), None),
        Record::Counters(_) => (None, None),
        Record::Storm(storm) => (Some(Line::written(|line| write_storm(line, storm))), None),
        lifecycle => {
            let mut line = Line::new();
            (
                write_lifecycle_record(&mut line, lifecycle).then_some(line),
                None,
            )
        }
    }
}

/// What precedes the line of an event storm control or the verbosity kept out of the lines.
///
/// Where every event is printed (docs/lines.md, "Events as lines"): no line of the driver's
/// starts with it. The watcher writes it; `cargo replay --import` reads it back as the
/// driver's decision.
pub const KEPT_OUT: &str = "[kept out] ";

/// The driver's lines of what an event says.
///
/// Its record's (one, or two for an interface's full state), an error's or a warning's line,
/// and for `counters`, which has no line of the driver's, the `unloaded` line's form with the
/// word `counters` (docs/lines.md, "Events as lines"). A `present` record's line has its
/// change word `present` (docs/lines.md).
#[must_use]
pub fn read_lines(read: &Read) -> (Option<Line>, Option<Line>) {
    match &read.said {
        Said::Message(message) => {
            let word = if message.error {
                "error: "
            } else {
                "warning: "
            };
            let mut line = Line::new();
            line.push_str(PREFIX);
            line.push_str(word);
            line.push_str(message.text());
            (Some(line), None)
        }
        Said::Record(Record::Counters(totals)) => {
            let mut unloaded = Line::new();
            write_unloaded(&mut unloaded, totals);
            let rest = unloaded
                .as_str()
                .strip_prefix(PREFIX)
                .and_then(|rest| rest.strip_prefix("unloaded"))
                .unwrap_or_default();
            let mut line = Line::new();
            line.push_str(PREFIX);
            line.push_str("counters");
            line.push_str(rest);
            (Some(line), None)
        }
        Said::Record(record) => record_lines(record),
    }
}

/// The line of a record `DriverEntry` or `DriverUnload` prints (`settings`, `loaded`,
/// `unloaded`, an error, a warning), into `line` (empty); `false`, and nothing written, for
/// any other.
///
/// Apart from [`record_lines`] so that the callbacks' writers (the events', the storm
/// summary's) are not called from the lifecycle too: each keeps one caller in the image,
/// which inlines it into the callback's frame (`ci/object-checks`).
pub fn write_lifecycle_record(line: &mut Line, record: &Record) -> bool {
    match record {
        Record::Settings(settings) => write_settings(line, settings),
        Record::Loaded(loaded) => write_loaded(line, loaded),
        Record::Unloaded(totals) => write_unloaded(line, totals),
        Record::Error(message) => write_error(line, message),
        Record::Warning(message) => write_warning(line, message),
        Record::Change { .. }
        | Record::StableTable { .. }
        | Record::StableEntry { .. }
        | Record::Counters(_)
        | Record::Storm(_) => return false,
    }
    true
}

/// The record's walk, declared here with the segments it is made of (the model names no
/// writer: [`crate::model::record`]).
impl Record {
    /// Hands every field of the record to `visit` (its header is [`visit_header`]'s), in the
    /// lines' order: a row's (nothing for a change without a row, and for a stable table's
    /// header but `entries`), or the driver's own record's.
    pub fn visit<V: Visit>(&self, visit: &mut V) {
        match self {
            Self::Change { detail, names, .. } => match detail {
                RowDetail::Interface(detail) => visit_interface(visit, detail, names),
                RowDetail::Address(detail) => visit_address(visit, detail, names),
                RowDetail::Route(detail) => visit_route(visit, detail, names),
            },
            Self::StableTable {
                completion,
                entries,
                ..
            } => visit_stable_header(visit, *completion, *entries),
            Self::StableEntry {
                position,
                row,
                names,
            } => visit_stable_entry(visit, *position, row, names),
            Self::Settings(settings) => visit_settings(visit, settings),
            Self::Loaded(loaded) => {
                visit_versions(visit);
                visit_loaded(visit, loaded);
            }
            Self::Unloaded(totals) => visit_totals(visit, totals),
            Self::Counters(totals) => {
                visit_versions(visit);
                visit_totals(visit, totals);
            }
            Self::Storm(storm) => visit_storm(visit, storm),
            Self::Error(message) => visit.field(&driver_fields::MESSAGE, &Printed(message)),
            Self::Warning(message) => visit.field(&driver_fields::MESSAGE, &Printed(message)),
        }
    }
}

/// A line `DriverEntry` or `DriverUnload` prints, as an [`Out`] whose every write is one call.
///
/// These lines are printed once a load: written through this rather than [`Line`]'s own
/// [`Out`], which the callbacks inline for speed, they keep the image's size (inlined, they
/// made it 10 KiB larger), and the callbacks' writers keep their callers.
struct ColdLine<'a>(&'a mut Line);

impl Out for ColdLine<'_> {
    #[inline(never)]
    fn put_str(&mut self, text: &str) {
        self.0.push_str(text);
    }
}

/// One field of a [`ColdLine`]: its label, then its value; one copy per value type.
#[inline(never)]
fn line_field<T: Put + ?Sized>(line: &mut ColdLine<'_>, field: &Field, value: &T) {
    put_field(line, field, value);
}

/// A field whose label the line writes itself (a setting's ` Name=`).
const NO_LABEL: Field = Field {
    label: "",
    ..driver_fields::MESSAGE
};

/// `netnotify: settings Notifications=15 Family=0 …`: every setting by its value name.
pub fn write_settings(line: &mut Line, settings: &Settings) {
    let line = &mut ColdLine(line);
    put!(line; PREFIX, "settings");
    for (field, value) in fields::SETTINGS.iter().zip(settings.values()) {
        put!(line; " ", field.name, "=");
        line_field(line, &NO_LABEL, &Dec(value));
    }
}

fn visit_settings<V: Visit>(visit: &mut V, settings: &Settings) {
    for (field, value) in fields::SETTINGS.iter().zip(settings.values()) {
        visit.field(field, &Dec(value));
    }
}

/// ` registered=interface,address family=unspec initial=yes`: the line writes them through
/// [`LineVisit`].
fn visit_loaded_settings<V: Visit>(visit: &mut V, loaded: &Loaded) {
    visit.field(&driver_fields::REGISTERED, &Printed(loaded.registered));
    visit.field(&driver_fields::FAMILY, &Family(loaded.family));
    visit.field(&driver_fields::INITIAL, &Flag(u8::from(loaded.initial)));
}

impl StableState {
    const fn word(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Immediate(_) => "immediate",
            Self::Pending => "pending",
            Self::Uncancellable => "uncancellable",
        }
    }
}

/// `enabled`, or `disabled` when a registration cannot be cancelled.
const fn unload_word(pinned: bool) -> Word {
    Word(if pinned { "disabled" } else { "enabled" })
}

/// `netnotify: loaded registered=… family=… initial=… stable-table=… unload=… etw=…`.
///
/// What was registered, the family and initial-notification settings, the stable table (with
/// `entries=` after `immediate`, or ` (no table)`), whether unload is possible, and the ETW
/// provider (its GUID, or `off`).
pub fn write_loaded(line: &mut Line, loaded: &Loaded) {
    let line = &mut ColdLine(line);
    put!(line; PREFIX, "loaded");
    visit_loaded_settings(&mut LineVisit(line), loaded);
    line_field(
        line,
        &driver_fields::STABLE_TABLE,
        &Word(loaded.stable.word()),
    );
    match loaded.stable {
        StableState::Immediate(Some(entries)) => {
            line_field(line, &driver_fields::ENTRIES, &Dec(entries));
        }
        StableState::Immediate(None) => line.put_str(" (no table)"),
        _ => {}
    }
    line_field(line, &driver_fields::UNLOAD, &unload_word(loaded.pinned));
    if loaded.etw {
        line_field(line, &driver_fields::ETW, &BracedGuid);
    } else {
        line_field(line, &driver_fields::ETW, &Word("off"));
    }
}

fn visit_loaded<V: Visit>(visit: &mut V, loaded: &Loaded) {
    visit_loaded_settings(visit, loaded);
    visit.field(&driver_fields::STABLE_TABLE, &Word(loaded.stable.word()));
    match loaded.stable {
        StableState::Immediate(Some(entries)) => {
            visit.field(&driver_fields::ENTRIES, &Dec(entries));
        }
        StableState::Immediate(None) => visit.field(&driver_fields::ENTRIES, &Nothing),
        _ => {}
    }
    visit.field(&driver_fields::UNLOAD, &unload_word(loaded.pinned));
    if loaded.etw {
        visit.field(&driver_fields::ETW, &Printed(BracedGuid));
    } else {
        visit.field(&driver_fields::ETW, &Word("off"));
    }
}

crate::segment! {
    /// `initial=0 add=950 delete=0 parameter=0 other=0`: one notification's counts.
    ///
    /// Written into a line by the storm summary only (on the storm timer's DPC, which inlines
    /// it), the `unloaded` line writes its groups through [`LineVisit`].
    pub(super) fn put_change_counts, visit_change_counts(counts: &ChangeCounts) {
        driver_fields::INITIAL_COUNT => Dec(counts.initial),
        driver_fields::ADD => Dec(counts.add),
        driver_fields::DELETE => Dec(counts.delete),
        driver_fields::PARAMETER => Dec(counts.parameter),
        driver_fields::OTHER => Dec(counts.other),
    }
}

crate::segment! {
    /// `tables=1 entries=3`: the stable table's counts.
    pub(super) fn put_stable_counts, visit_stable_counts(counts: &StableCounts) {
        driver_fields::TABLES => Dec(counts.tables),
        driver_fields::ROWS => Dec(counts.entries),
    }
}

impl Put for ChangeCounts {
    fn put<O: Out>(&self, out: &mut O) {
        put_change_counts(out, self);
    }
}

impl Put for StableCounts {
    fn put<O: Out>(&self, out: &mut O) {
        put_stable_counts(out, self);
    }
}

display_by_put!(Note, ChangeCounts, StableCounts);

impl Totals {
    /// The change notifications' counts, each with its notification.
    const fn changes(&self) -> [(Notification, &ChangeCounts); 3] {
        [
            (Notification::Interface, &self.interface),
            (Notification::Address, &self.address),
            (Notification::Route, &self.route),
        ]
    }
}

/// The least stack measured, `none` (JSON `null`) while nothing was.
fn min_stack(totals: &Totals) -> Result<Dec<u64>, Nothing> {
    totals.min_stack.map(Dec).ok_or(Nothing)
}

/// `netnotify: unloaded interface(…) address(…) route(…) stable-table(…)`, and more.
///
/// After the counts: what stays alive (`kept=`), the stable tables that could not be freed (`leaked-tables=`), the ETW
/// events that did not fit (`etw-dropped=`) and the entries the stack guard turned away
/// (`low-stack=`), each only when there are any; last the least stack measured
/// (`min-stack=`, `none` while nothing was measured).
pub fn write_unloaded(line: &mut Line, totals: &Totals) {
    let line = &mut ColdLine(line);
    put!(line; PREFIX, "unloaded");
    for (notification, counts) in totals.changes() {
        put!(line; " ", notification.name(), "(");
        visit_change_counts(&mut LineVisit(line), counts);
        line.put_str(")");
    }
    put!(line; " ", Notification::StableTable.name(), "(");
    visit_stable_counts(&mut LineVisit(line), &totals.stable);
    line.put_str(")");
    if totals.kept != NotificationSet::EMPTY {
        line_field(line, &driver_fields::KEPT, &totals.kept);
    }
    if totals.leaked_tables != 0 {
        line_field(
            line,
            &driver_fields::LEAKED_TABLES,
            &Dec(totals.leaked_tables),
        );
    }
    if totals.etw_dropped != 0 {
        line_field(line, &driver_fields::ETW_DROPPED, &Dec(totals.etw_dropped));
    }
    if totals.low_stack != 0 {
        line_field(line, &driver_fields::LOW_STACK, &Dec(totals.low_stack));
    }
    match min_stack(totals) {
        Ok(min) => line_field(line, &driver_fields::MIN_STACK, &min),
        Err(none) => line_field(line, &driver_fields::MIN_STACK, &none),
    }
}

/// A line as a [`Visit`]or: each field's label, then its value, as the segments write them.
struct LineVisit<'a, 'b>(&'a mut ColdLine<'b>);

impl Visit for LineVisit<'_, '_> {
    fn field<T: FieldValue + ?Sized>(&mut self, field: &Field, value: &T) {
        line_field(self.0, field, value);
    }
}

/// The fields of `unloaded` and `counters`: as the line, but `etw-dropped` always (the events
/// carry it always).
fn visit_totals<V: Visit>(visit: &mut V, totals: &Totals) {
    for (notification, counts) in totals.changes() {
        visit.group(notification.name());
        visit_change_counts(visit, counts);
        visit.end_group();
    }
    visit.group(Notification::StableTable.name());
    visit_stable_counts(visit, &totals.stable);
    visit.end_group();
    if totals.kept != NotificationSet::EMPTY {
        visit.field(&driver_fields::KEPT, &Printed(totals.kept));
    }
    if totals.leaked_tables != 0 {
        visit.field(&driver_fields::LEAKED_TABLES, &Dec(totals.leaked_tables));
    }
    visit.field(&driver_fields::ETW_DROPPED, &Dec(totals.etw_dropped));
    if totals.low_stack != 0 {
        visit.field(&driver_fields::LOW_STACK, &Dec(totals.low_stack));
    }
    match min_stack(totals) {
        Ok(min) => visit.field(&driver_fields::MIN_STACK, &min),
        Err(none) => visit.field(&driver_fields::MIN_STACK, &none),
    }
}

/// `<seconds>.<milliseconds>s` of a span of 100-ns ticks.
struct Span(u64);

impl Span {
    /// The whole milliseconds.
    const fn millis(&self) -> u64 {
        self.0 / (TICKS_PER_SECOND / 1000)
    }
}

impl Put for Span {
    fn put<O: Out>(&self, out: &mut O) {
        let seconds = self.0 / TICKS_PER_SECOND;
        let millis = (self.0 % TICKS_PER_SECOND) / (TICKS_PER_SECOND / 1000);
        put!(out; Dec(seconds), ".", Digits(millis.cast_signed(), 3), "s");
    }
}

impl FieldValue for Span {
    fn value(&self) -> Value<'_> {
        Value::Printed
    }
}

impl Storm {
    /// From the first to the last event left out ([`write_storm_of`] says it too).
    const fn span(&self) -> Span {
        Span(self.summary.last.saturating_sub(self.summary.first))
    }
}

/// `netnotify: storm: route lines not printed: initial=0 add=950 … over 1.250s` — the span
/// from the first to the last event left out, into `line` (empty).
pub fn write_storm(line: &mut Line, storm: &Storm) {
    write_storm_of(line, storm.notification, &storm.summary);
}

/// [`write_storm`] of the record's parts: the callbacks' form, which builds no record where
/// the sink keeps none.
pub fn write_storm_of(line: &mut Line, notification: Notification, summary: &Summary) {
    put!(line; PREFIX, "storm: ", notification.name(), " lines not printed: ");
    put_change_counts(line, &summary.counts);
    // ` over 1.250s`: words, not `over=` (docs/lines.md), as the line always had them.
    let span = Span(summary.last.saturating_sub(summary.first));
    put!(line; " ", driver_fields::OVER.name, " ", span);
}

fn visit_storm<V: Visit>(visit: &mut V, storm: &Storm) {
    visit.field(&driver_fields::STORM_KIND, &Word(storm.notification.name()));
    visit_change_counts(visit, &storm.summary.counts);
    let span = storm.span();
    visit.span(&driver_fields::OVER, &span, span.millis());
}

/// The text of [`ErrorMessage::StableLeaked`] at this IRQL: what [`ErrorMessage`]'s [`Put`]
/// writes of it, without `core::fmt`, for the callback that reports it (its line and its
/// event) to write alone.
pub struct StableLeakedText(pub u8);

impl Put for StableLeakedText {
    fn put<O: Out>(&self, out: &mut O) {
        put_stable_leaked(out, self.0);
    }
}

/// The text of [`ErrorMessage::StableLeaked`].
fn put_stable_leaked<O: Out>(out: &mut O, irql: u8) {
    put!(out;
        "stable-table pending delivered at IRQL ", Dec(irql),
        ": not read, not freed (FreeMibTable needs IRQL below DISPATCH_LEVEL); leaked");
}

/// `netnotify: error: stable-table pending delivered at IRQL …`: the callback's form of
/// [`ErrorMessage::StableLeaked`]'s line, into `line` (empty), without `core::fmt`.
pub fn write_stable_leaked(line: &mut Line, irql: u8) {
    put!(line; PREFIX, "error: ");
    put_stable_leaked(line, irql);
}

/// The message of an error's or a warning's record, what its line says after `error: ` or
/// `warning: `, into `line` (empty): the text its ETW event carries.
///
/// Written by the message's [`Put`] through the same writer as [`write_error`] and
/// [`write_warning`] (one copy of each message's code in the image). `None`, and nothing
/// written, for any other record; else whether it is an error.
pub fn write_message(line: &mut Line, record: &Record) -> Option<bool> {
    match record {
        Record::Error(message) => {
            message.put(&mut ColdLine(line));
            Some(true)
        }
        Record::Warning(message) => {
            message.put(&mut ColdLine(line));
            Some(false)
        }
        _ => None,
    }
}

/// `netnotify: error: …`, into `line` (empty).
pub fn write_error(line: &mut Line, message: &ErrorMessage) {
    put!(&mut ColdLine(line); PREFIX, "error: ", message);
}

/// `netnotify: warning: …`, into `line` (empty).
pub fn write_warning(line: &mut Line, message: &WarningMessage) {
    put!(&mut ColdLine(line); PREFIX, "warning: ", message);
}

/// An [`Out`] as a `core::fmt::Write`, for the messages of `DriverEntry` and `DriverUnload`.
///
/// Printed outside the callbacks, they share `core::fmt`'s code rather than each inlining its
/// own writers: the image keeps its size (`ci/image/check.py`).
struct FmtOut<'a, O>(&'a mut O);

impl<O: Out> fmt::Write for FmtOut<'_, O> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.0.put_str(text);
        Ok(())
    }
}

/// Writes `args` into `out` (an [`Out`] never fails, so neither does this).
fn put_fmt<O: Out>(out: &mut O, args: fmt::Arguments<'_>) {
    let _ = fmt::write(&mut FmtOut(out), args);
}

/// The text after `error: `.
impl Put for ErrorMessage {
    fn put<O: Out>(&self, out: &mut O) {
        match *self {
            // On a callback's stack: written piece by piece, without `core::fmt`.
            Self::StableLeaked(irql) => put_stable_leaked(out, irql),
            lifecycle => put_fmt(out, format_args!("{}", LifecycleError(lifecycle))),
        }
    }
}

/// The errors of `DriverEntry` and `DriverUnload`, through `core::fmt` ([`FmtOut`]).
struct LifecycleError(ErrorMessage);

impl fmt::Display for LifecycleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            ErrorMessage::IrqlRefused(irql) => write!(
                f,
                "DriverEntry called at IRQL {irql}, not PASSIVE_LEVEL; not loading"
            ),
            ErrorMessage::CreateDeviceFailed(status) => {
                write!(f, "IoCreateDevice failed with status {status}; not loading")
            }
            ErrorMessage::Misaligned => {
                f.write_str("the device extension is misaligned; not loading")
            }
            // Every registration is kept: the `unloaded` line that follows names them.
            ErrorMessage::UnloadRefused => f.write_str(
                "unload requested, but a registration cannot be cancelled; netnotify keeps \
                 every registration and stays in memory",
            ),
            ErrorMessage::CancelFailed(notification, status) => write!(
                f,
                "CancelMibChangeNotify2 for {} failed with status {status}; its callback may \
                 still run, so netnotify keeps it and stays in memory",
                notification.name()
            ),
            ErrorMessage::FailedPinned(notification, status) => write!(
                f,
                "{} failed with status {status}; continuing, netnotify cannot unload",
                notification.function()
            ),
            ErrorMessage::FailedKept {
                notification,
                status,
                cancelled,
                kept,
            } => write!(
                f,
                "{} failed with status {status}; rolled back {cancelled}; kept={kept}; \
                 netnotify stays loaded (unload disabled)",
                notification.function()
            ),
            ErrorMessage::FailedRolledBack {
                notification,
                status,
                cancelled,
            } => write!(
                f,
                "{} failed with status {status}; rolled back {cancelled}; not loading",
                notification.function()
            ),
            ErrorMessage::Uncancellable(notification, status) => write!(
                f,
                "{} returned status {status} without a handle; it cannot be cancelled, so \
                 netnotify stays loaded (unload disabled)",
                notification.function()
            ),
            ErrorMessage::TableFailed(notification, status) => write!(
                f,
                "{} failed with status {status}; capture-state: no present {} events",
                notification.table_function(),
                notification.name()
            ),
            ErrorMessage::RundownNotPassive(irql) => write!(
                f,
                "capture-state at IRQL {irql}, not PASSIVE_LEVEL: no present events (the \
                 Get*Table calls need PASSIVE_LEVEL)"
            ),
            // Written by `put` itself, never through here.
            ErrorMessage::StableLeaked(_) => display(&self.0, f),
        }
    }
}

/// The text after `warning: `, through `core::fmt` (`FmtOut`): every warning is printed
/// outside the callbacks.
impl Put for WarningMessage {
    fn put<O: Out>(&self, out: &mut O) {
        put_fmt(out, format_args!("{self}"));
    }
}

impl fmt::Display for WarningMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::EtwRegisterFailed(status) => write!(
                f,
                "EtwRegister failed with status {status}; no ETW events, the lines are \
                 unaffected"
            ),
            // The events are written and decode as always.
            Self::EtwSetTraitsFailed(status) => write!(
                f,
                "EtwSetInformation(EventProviderSetTraits) failed with status {status}; ETW \
                 events are written with EventProviderUseDescriptorType instead"
            ),
            Self::EtwSetInformationFailed {
                traits,
                descriptor_type,
            } => write!(
                f,
                "EtwSetInformation failed with status {traits} (EventProviderSetTraits) and \
                 {descriptor_type} (EventProviderUseDescriptorType); no ETW events, the lines \
                 are unaffected"
            ),
            Self::SettingDefaulted {
                name,
                valid_text,
                default,
                found,
            } => write!(
                f,
                "setting {name}: found {}; expected a REG_DWORD {valid_text}; using {default}",
                Found(found)
            ),
            Self::UnexpectedStatus(notification, status) => write!(
                f,
                "{} returned unexpected status {status}; keeping its handle",
                notification.function()
            ),
        }
    }
}

/// What was found instead of a valid value, for the warning line.
struct Found(RawValue);

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            RawValue::Missing => f.write_str("missing"),
            RawValue::Dword(value) => write!(f, "{value}"),
            RawValue::Other {
                value_type: REG_DWORD,
                size,
            } => write!(f, "a REG_DWORD of {size} bytes"),
            RawValue::Other { value_type, size } => {
                write!(f, "registry type {value_type}, {size} bytes")
            }
            RawValue::Unreadable(status) => write!(f, "unreadable (status {status})"),
        }
    }
}
