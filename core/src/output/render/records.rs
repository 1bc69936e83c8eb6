//! The driver's own records, written: each variant's line (`settings`, `loaded`, `unloaded`,
//! `storm:`, `error:`, `warning:`) and its fields for a [`Visit`]or, from the same field
//! table; the header every record's object starts with ([`visit_header`]); and the lines of
//! any record ([`record_lines`]), the one renderer the policy prints a record with.
//!
//! A line's fields and the visitor's are written from the same constants of
//! [`crate::model::fields`] (`segment!` where a run is fixed, `put_field` beside
//! `Visit::field` where the line leaves a field out), so `cargo replay --json` never reads a
//! line back.

use crate::boundary::ffi::TICKS_PER_SECOND;
use crate::model::counters::{ChangeCounts, StableCounts, Summary};
use crate::model::decode::{Change, Flag};
use crate::model::fields::{
    self, FieldValue, Value, Visit, driver as driver_fields, header as header_fields,
};
use crate::model::notification::{Notification, NotificationSet};
use crate::model::printed::{Out, Put, put};
use crate::model::record::{
    ErrorMessage, Header, Loaded, Note, Record, RowDetail, SCHEMA, StableState, Storm, Totals,
    VERSION, WarningMessage,
};
use crate::model::settings::{REG_DWORD, RawValue, Settings};
use crate::output::line::Line;
use crate::output::trace::BracedGuid;

use super::segments::{
    put_field, visit_address, visit_interface, visit_route, visit_stable_entry, visit_stable_header,
};
use super::time::Digits;
use super::values::{Dec, Family};
use super::{PREFIX, address_event, interface_event, route_event, stable_entry, stable_header};

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

/// A note's words, without the parentheses the line puts around them: `gone before
/// re-query`. Empty for [`Note::None`].
pub struct NoteWords(pub Note);

impl Put for NoteWords {
    fn put<O: Out>(&self, out: &mut O) {
        match self.0 {
            Note::None => {}
            Note::Gone => out.put_str("gone before re-query"),
            Note::QueryFailed(status) => put!(out; "re-query failed with status ", status),
            Note::NotPassive(irql) => put!(out; "not re-queried at IRQL ", Dec(irql)),
        }
    }
}

impl FieldValue for NoteWords {
    fn value(&self) -> Value<'_> {
        Value::Printed
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
/// (`counters` is an ETW event only.) Each variant has one writer, which this calls: the
/// callbacks call theirs directly (`write_route_event`, [`write_storm_of`], …), the lifecycle
/// [`write_lifecycle_record`].
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

/// `netnotify: settings Notifications=15 Family=0 …`: every setting by its value name.
pub fn write_settings(line: &mut Line, settings: &Settings) {
    put!(line; PREFIX, "settings");
    for (field, value) in fields::SETTINGS.iter().zip(settings.values()) {
        put!(line; " ", field.name, "=", Dec(value));
    }
}

fn visit_settings<V: Visit>(visit: &mut V, settings: &Settings) {
    for (field, value) in fields::SETTINGS.iter().zip(settings.values()) {
        visit.field(field, &Dec(value));
    }
}

crate::segment! {
    /// ` registered=interface,address family=unspec initial=yes`.
    fn loaded_settings, visit_loaded_settings(loaded: &Loaded) {
        driver_fields::REGISTERED => Printed(loaded.registered),
        driver_fields::FAMILY => Family(loaded.family),
        driver_fields::INITIAL => Flag(u8::from(loaded.initial)),
    }
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
    put!(line; PREFIX, "loaded");
    loaded_settings(line, loaded);
    put_field(
        line,
        &driver_fields::STABLE_TABLE,
        &Word(loaded.stable.word()),
    );
    match loaded.stable {
        StableState::Immediate(Some(entries)) => {
            put_field(line, &driver_fields::ENTRIES, &Dec(entries));
        }
        StableState::Immediate(None) => line.push_str(" (no table)"),
        _ => {}
    }
    put_field(line, &driver_fields::UNLOAD, &unload_word(loaded.pinned));
    if loaded.etw {
        put_field(line, &driver_fields::ETW, &BracedGuid);
    } else {
        put_field(line, &driver_fields::ETW, &Word("off"));
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
    /// Inlined: the storm summary's line, on the storm timer's DPC, writes them in its own
    /// frame rather than in one more (`ci/object-checks`).
    #[allow(clippy::inline_always, reason = "the storm timer's stack")]
    #[inline(always)]
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
    put!(line; PREFIX, "unloaded");
    for (notification, counts) in totals.changes() {
        put!(line; " ", notification.name(), "(");
        put_change_counts(line, counts);
        line.push_str(")");
    }
    put!(line; " ", Notification::StableTable.name(), "(");
    put_stable_counts(line, &totals.stable);
    line.push_str(")");
    if totals.kept != NotificationSet::EMPTY {
        put_field(line, &driver_fields::KEPT, &totals.kept);
    }
    if totals.leaked_tables != 0 {
        put_field(
            line,
            &driver_fields::LEAKED_TABLES,
            &Dec(totals.leaked_tables),
        );
    }
    if totals.etw_dropped != 0 {
        put_field(line, &driver_fields::ETW_DROPPED, &Dec(totals.etw_dropped));
    }
    if totals.low_stack != 0 {
        put_field(line, &driver_fields::LOW_STACK, &Dec(totals.low_stack));
    }
    match min_stack(totals) {
        Ok(min) => put_field(line, &driver_fields::MIN_STACK, &min),
        Err(none) => put_field(line, &driver_fields::MIN_STACK, &none),
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

/// `netnotify: error: …`: the callbacks' form, into `line` (empty).
pub fn write_error(line: &mut Line, message: &ErrorMessage) {
    put!(line; PREFIX, "error: ", message);
}

/// `netnotify: warning: …`, into `line` (empty).
pub fn write_warning(line: &mut Line, message: &WarningMessage) {
    put!(line; PREFIX, "warning: ", message);
}

/// The text after `error: `.
impl Put for ErrorMessage {
    fn put<O: Out>(&self, out: &mut O) {
        match *self {
            Self::IrqlRefused(irql) => put!(out;
                "DriverEntry called at IRQL ", Dec(irql), ", not PASSIVE_LEVEL; not loading"),
            Self::CreateDeviceFailed(status) => put!(out;
                "IoCreateDevice failed with status ", status, "; not loading"),
            Self::Misaligned => out.put_str("the device extension is misaligned; not loading"),
            // Every registration is kept: the `unloaded` line that follows names them.
            Self::UnloadRefused => out.put_str(
                "unload requested, but a registration cannot be cancelled; netnotify keeps \
                 every registration and stays in memory",
            ),
            Self::CancelFailed(notification, status) => put!(out;
                "CancelMibChangeNotify2 for ", notification.name(), " failed with status ",
                status, "; its callback may still run, so netnotify keeps it and stays in memory"),
            Self::FailedPinned(notification, status) => put!(out;
                notification.function(), " failed with status ", status,
                "; continuing, netnotify cannot unload"),
            Self::FailedKept {
                notification,
                status,
                cancelled,
                kept,
            } => put!(out;
                notification.function(), " failed with status ", status, "; rolled back ",
                cancelled, "; kept=", kept, "; netnotify stays loaded (unload disabled)"),
            Self::FailedRolledBack {
                notification,
                status,
                cancelled,
            } => put!(out;
                notification.function(), " failed with status ", status, "; rolled back ",
                cancelled, "; not loading"),
            Self::Uncancellable(notification, status) => put!(out;
                notification.function(), " returned status ", status,
                " without a handle; it cannot be cancelled, so netnotify stays loaded (unload \
                 disabled)"),
            Self::StableLeaked(irql) => put!(out;
                "stable-table pending delivered at IRQL ", Dec(irql),
                ": not read, not freed (FreeMibTable needs IRQL below DISPATCH_LEVEL); leaked"),
        }
    }
}

/// The text after `warning: `.
impl Put for WarningMessage {
    fn put<O: Out>(&self, out: &mut O) {
        match *self {
            Self::EtwRegisterFailed(status) => put!(out;
                "EtwRegister failed with status ", status,
                "; no ETW events, the lines are unaffected"),
            // The events are written and decode as always.
            Self::EtwSetTraitsFailed(status) => put!(out;
                "EtwSetInformation(EventProviderSetTraits) failed with status ", status,
                "; ETW events are written with EventProviderUseDescriptorType instead"),
            Self::EtwSetInformationFailed {
                traits,
                descriptor_type,
            } => put!(out;
                "EtwSetInformation failed with status ", traits,
                " (EventProviderSetTraits) and ", descriptor_type,
                " (EventProviderUseDescriptorType); no ETW events, the lines are unaffected"),
            Self::SettingDefaulted {
                name,
                valid_text,
                default,
                found,
            } => put!(out;
                "setting ", name, ": found ", Found(found), "; expected a REG_DWORD ",
                valid_text, "; using ", Dec(default)),
            Self::UnexpectedStatus(notification, status) => put!(out;
                notification.function(), " returned unexpected status ", status,
                "; keeping its handle"),
        }
    }
}

/// What was found instead of a valid value, for the warning line.
struct Found(RawValue);

impl Put for Found {
    fn put<O: Out>(&self, out: &mut O) {
        match self.0 {
            RawValue::Missing => out.put_str("missing"),
            RawValue::Dword(value) => Dec(value).put(out),
            RawValue::Other {
                value_type: REG_DWORD,
                size,
            } => put!(out; "a REG_DWORD of ", Dec(size), " bytes"),
            RawValue::Other { value_type, size } => {
                put!(out; "registry type ", Dec(value_type), ", ", Dec(size), " bytes");
            }
            RawValue::Unreadable(status) => put!(out; "unreadable (status ", status, ")"),
        }
    }
}
