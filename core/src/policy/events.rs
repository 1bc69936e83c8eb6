//! What a callback does with what it received: count it, complete it, render it, emit it.
//! Safe code that runs on NETIO's threads: no lock, no allocation, no panic, no blocking.
//!
//! A sink that keeps event records (the simulator, for `cargo replay --json`; see
//! [`crate::model::record`]) also gets a record of every event, printed or left out; for the
//! driver's sink ([`Sink::RECORDS`] false) no record is built.
//!
//! Completing a row (docs/netio.md#requery): the row a change callback receives is reliable only in
//! its key fields. For an add or a parameter change the object still exists, so the callback
//! asks NETIO for its current state with the row's keys (`Get*Entry`) — but only at
//! `PASSIVE_LEVEL`, which those calls require and which the callbacks are not documented to
//! run at. A delete prints the keys: the object is gone and cannot be queried.
//!
//! Naming the interface: every line with a row carries the interface's name and alias,
//! asked of NETIO (`ConvertInterfaceLuidToNameA`, `ConvertInterfaceLuidToAlias`) under the
//! same rule — at `PASSIVE_LEVEL` only; above it, or when a conversion fails, they print as
//! `?`. Each conversion runs in its own frame with the kernel-sized buffer
//! (`NDIS_IF_MAX_STRING_SIZE + 1` characters), and only the printed [`Names`] come back.
//!
//! Guarding the stack (docs/netio.md#stack): every callback and the storm timer's DPC first
//! measure the stack left ([`enough_stack`]); below [`STACK_FLOOR`] they take the count-only
//! path: the event is counted, nothing is printed or written, a stable table is still freed,
//! and the DPC sets its timer again.

use crate::boundary::ffi::{
    MibIpForwardRow2, MibIpInterfaceRow, MibUnicastIpAddressRow, PASSIVE_LEVEL,
};
use crate::boundary::host::{Level, Sink};
use crate::boundary::netio::NetIo;
use crate::model::counters::{ChangeCounters, Summary};
use crate::model::decode::{
    Address, AddressKeys, Change, Interface, InterfaceKeys, Luid, Route, RouteKeys,
};
use crate::model::names::{ALIAS_CHARACTERS, NAME_CHARACTERS, Names, Text};
use crate::model::notification::Notification;
use crate::model::printed::Put;
use crate::model::record::{
    Completion, Detail, ErrorMessage, Note, Record, RowDetail, Storm, Totals,
};
use crate::model::settings::Verbosity;
use crate::model::status::NtStatus;
use crate::output::line::Line;
use crate::output::render;
use crate::output::trace::{self, Session, Trace};
use crate::policy::extension::{Extension, Numbered, Numbers};
use crate::policy::storm::{Admission, LIMITED, QUIET};

/// The least stack, in bytes, a callback or the storm timer's DPC must find at its entry.
///
/// Its own frames (at most 1,792 bytes, `ci/object-checks`), the deepest kernel routine it
/// calls (`EtwWriteTransfer`, `DbgPrintEx` with a debugger attached, the NSI path behind the
/// re-queries and name lookups), and an interrupt taken on top of them. docs/netio.md#stack
/// gives the sources and what is uncertain.
pub const STACK_FLOOR: usize = 8 * 1024;

/// Measures the stack at a callback's or the DPC's entry: true when there is enough.
///
/// Records the least measured (`min-stack`); false, counted in `low-stack`, when the caller
/// must take the count-only path: below the floor, or not measurable (the stack limits are
/// the thread's and the entry is on another stack, docs/netio.md#stack), which is the safe
/// side. One kernel call, one compare, one atomic minimum. In a frame of its own: what it
/// keeps is gone before the callback goes deeper (`ci/object-checks`).
#[inline(never)]
pub fn enough_stack<N: NetIo, S>(extension: &Extension<N, S>) -> bool {
    let stack = &extension.counters.stack;
    let Some(remaining) = extension.netio.remaining_stack() else {
        stack.count_low();
        return false;
    };
    stack.see(remaining);
    if remaining >= STACK_FLOOR {
        return true;
    }
    stack.count_low();
    false
}

/// A change event on too little stack: counted by type, and nothing more (no record, no line,
/// no event, no sequence number).
pub fn count_only(counters: &ChangeCounters, notification_type: i32) {
    counters.count_unsequenced(Change::from_raw(notification_type));
}

/// The storm timer expired on too little stack: it only sets itself again.
///
/// No summary is taken or printed; the timer is set again only while an episode is open (its
/// summary pending) and the unload has not stopped the storm, so the summaries wait for an
/// expiry with stack enough (or the next line, or the unload), and a quiet driver's timer
/// stops.
pub fn storm_timer_deferred<N, S: Sink>(extension: &Extension<N, S>) {
    if let Some(delay) = extension.storm.defer() {
        extension.sink.set_timer(delay);
    }
}

/// What the callback path does differently for each row type, as data: one entry per row
/// type ([`ChangeRow::ROW`]); what is done with it is written once, over any entry
/// ([`change`], [`left_out`], [`complete`], [`emit_event`], [`trace_change`]).
///
/// Plain function pointers in a constant: each generic instance of the callback path reads
/// its row type's entry at compile time, so every call below is a direct call the optimiser
/// sees through (and inlines as it did the three trait impls this replaces).
pub(super) struct RowKind<N, T: ?Sized, R, K, F> {
    /// The notification that delivers this row type.
    pub(super) kind: Notification,
    /// The `Get*Entry` call that returns the current state of the object the keys name.
    pub(super) query: fn(&N, &mut R) -> NtStatus,
    /// The key fields, decoded.
    pub(super) keys: fn(&R) -> K,
    /// Every field, decoded.
    pub(super) full: fn(&R) -> F,
    /// The interface the row belongs to.
    pub(super) luid: fn(&R) -> Luid,
    /// The detail as a record holds it.
    pub(super) record: fn(Detail<K, F>) -> RowDetail,
    /// Writes the event's line.
    pub(super) render: fn(&mut Line, Change, &Detail<K, F>, &Names),
    /// Writes a second line into `line` (empty) if this detail has one.
    pub(super) more: fn(&mut Line, Change, &Detail<K, F>) -> bool,
    /// Every field of a detail, as its record has them, into an event (the renderer's
    /// visitor, from the field table).
    pub(super) visit: fn(&mut trace::Fields<'_>, &Detail<K, F>, &Names),
    /// Writes the change's event: [`trace_change`] with this row type's buffer sizes.
    pub(super) trace: TraceChange<T, K, F>,
}

/// Writes a change's event: its header (the change, `seq`, `printed`) and its record.
pub(super) type TraceChange<T, K, F> = fn(&T, &Session, Change, u64, bool, &Detail<K, F>, &Names);

/// A row type the change callbacks receive, with its entry: for a kernel `N` and an ETW
/// writer `T`, whose calls the entry names.
pub(super) trait ChangeRow<N, T: ?Sized>: Copy {
    /// The key fields, decoded.
    type Keys: Copy;
    /// Every field, decoded.
    type Full: Copy;
    /// What the callback path does with this row type.
    const ROW: RowKind<N, T, Self, Self::Keys, Self::Full>;
}

impl<N: NetIo, T: Trace + ?Sized> ChangeRow<N, T> for MibIpInterfaceRow {
    type Keys = InterfaceKeys;
    type Full = Interface;
    const ROW: RowKind<N, T, Self, InterfaceKeys, Interface> = RowKind {
        kind: Notification::Interface,
        query: N::get_ip_interface_entry,
        keys: InterfaceKeys::decode,
        full: Interface::decode,
        luid: |row| Luid(row.interface_luid),
        record: RowDetail::Interface,
        render: render::write_interface_event,
        more: render::write_interface_more,
        visit: |fields, detail, names| render::visit_interface(fields, detail, names),
        trace: trace_change::<N, T, Self, { trace::InterfaceEvent::PAYLOAD }>,
    };
}

impl<N: NetIo, T: Trace + ?Sized> ChangeRow<N, T> for MibUnicastIpAddressRow {
    type Keys = AddressKeys;
    type Full = Address;
    const ROW: RowKind<N, T, Self, AddressKeys, Address> = RowKind {
        kind: Notification::Address,
        query: N::get_unicast_ip_address_entry,
        keys: AddressKeys::decode,
        full: Address::decode,
        luid: |row| Luid(row.interface_luid),
        record: RowDetail::Address,
        render: render::write_address_event,
        more: |_, _, _| false,
        visit: |fields, detail, names| render::visit_address(fields, detail, names),
        trace: trace_change::<N, T, Self, { trace::AddressEvent::PAYLOAD }>,
    };
}

impl<N: NetIo, T: Trace + ?Sized> ChangeRow<N, T> for MibIpForwardRow2 {
    type Keys = RouteKeys;
    type Full = Route;
    const ROW: RowKind<N, T, Self, RouteKeys, Route> = RowKind {
        kind: Notification::Route,
        query: N::get_ip_forward_entry2,
        keys: RouteKeys::decode,
        full: Route::decode,
        luid: |row| Luid(row.interface_luid),
        record: RowDetail::Route,
        render: render::write_route_event,
        more: |_, _, _| false,
        visit: |fields, detail, names| render::visit_route(fields, detail, names),
        trace: trace_change::<N, T, Self, { trace::RouteEvent::PAYLOAD }>,
    };
}

/// Writes a change's event, every field of `detail` as its record has them, into a payload
/// of `P` bytes (the row type's schema's), in a frame of its own (the event's buffer is never
/// on the stack beside a line's). The interface's names travel as their own data descriptors
/// ([`trace::Event::write_names`]).
#[inline(never)]
fn trace_change<N, T, R, const P: usize>(
    trace: &T,
    session: &Session,
    change: Change,
    seq: u64,
    printed: bool,
    detail: &Detail<R::Keys, R::Full>,
    names: &Names,
) where
    T: Trace + ?Sized,
    R: ChangeRow<N, T>,
{
    let mut event: trace::Event<P> = trace::change_event(R::ROW.kind);
    trace::start_change(&mut event, change, seq, printed, note_of(detail));
    (R::ROW.visit)(&mut event.fields(), detail, names);
    event.write_names(trace, session, names);
}

/// Replaces `row` (the delivered keys) with the current state of the object they name, or
/// says why it cannot: in place, so the callback frame holds one row.
fn complete<N, T: ?Sized, R: ChangeRow<N, T>>(
    netio: &N,
    change: Change,
    row: &mut R,
) -> Result<(), Note>
where
    N: NetIo,
{
    if !change.has_current_state() {
        return Err(Note::None);
    }
    let irql = netio.current_irql();
    if irql != PASSIVE_LEVEL {
        return Err(Note::NotPassive(irql));
    }
    // The query reads the keys from the row and overwrites the rest.
    match (R::ROW.query)(netio, row) {
        NtStatus::SUCCESS => Ok(()),
        NtStatus::NOT_FOUND => Err(Note::Gone),
        status => Err(Note::QueryFailed(status)),
    }
}

/// `NDIS_IF_MAX_STRING_SIZE`: the longest name or alias, in characters, without the NUL.
pub const IF_MAX_STRING_SIZE: usize = 256;

/// The interface's name and alias, as NETIO converts its LUID: only at `PASSIVE_LEVEL`
/// (both conversions require it), each `?` where it fails. Written into `names` (unknown
/// before), where the caller keeps them: each lookup's text is built in the lookup's own
/// frame, never as a temporary of the callback's (its stack budget).
pub(super) fn look_up_names<N: NetIo>(netio: &N, luid: Luid, names: &mut Names) {
    if netio.current_irql() != PASSIVE_LEVEL {
        return;
    }
    name(netio, luid, &mut names.name);
    alias(netio, luid, &mut names.alias);
}

/// `ConvertInterfaceLuidToNameA` into the buffer the API asks for (257 bytes), in a frame of
/// its own so the buffer is gone before the line is rendered.
#[inline(never)]
fn name<N: NetIo>(netio: &N, luid: Luid, text: &mut Text<NAME_CHARACTERS>) {
    let mut buffer = [0_u8; IF_MAX_STRING_SIZE + 1];
    if netio.convert_interface_luid_to_name(luid.0, &mut buffer) == NtStatus::SUCCESS {
        *text = Text::from_bytes(&buffer);
    }
}

/// `ConvertInterfaceLuidToAlias` into the buffer the API asks for (257 UTF-16 units).
#[inline(never)]
fn alias<N: NetIo>(netio: &N, luid: Luid, text: &mut Text<ALIAS_CHARACTERS>) {
    let mut buffer = [0_u16; IF_MAX_STRING_SIZE + 1];
    if netio.convert_interface_luid_to_alias(luid.0, &mut buffer) == NtStatus::SUCCESS {
        *text = Text::from_units(buffer.iter().copied());
    }
}

/// What every change callback does: count the event; unless the verbosity or storm control
/// leaves its line out, complete the row (as the settings say) and print the line (two for
/// an interface's full state).
fn change<N: NetIo, S: Sink, R: ChangeRow<N, S::Trace>>(
    extension: &Extension<N, S>,
    counters: &ChangeCounters,
    mut row: Option<R>,
    notification_type: i32,
) {
    let change = Change::from_raw(notification_type);
    let seq = counters.count(change);
    let settings = &extension.settings;
    if settings.verbosity == Verbosity::Errors {
        left_out(extension, change, seq, row);
        return;
    }
    if let Some(arm_timer) = admit(extension, R::ROW.kind, change) {
        left_out(extension, change, seq, row);
        // Left out: counted. The first one left out starts the timer that prints the
        // summary once the storm is over.
        if arm_timer {
            extension.sink.set_timer(QUIET);
        }
        return;
    }
    // The names and the row are read and completed where they lie: a copy of either would
    // stay in the callback's frame beside it (the callbacks' stack budget).
    let mut names = Names::UNKNOWN;
    if let Some(row) = &row {
        look_up_names(&extension.netio, (R::ROW.luid)(row), &mut names);
    }
    let detail = row
        .as_mut()
        .map_or(Detail::NoRow, |row| match settings.verbosity {
            Verbosity::Full if settings.requery => {
                // The keys as delivered: a failed query may have overwritten the row.
                let keys = (R::ROW.keys)(row);
                match complete::<N, S::Trace, R>(&extension.netio, change, row) {
                    Ok(()) => Detail::Full((R::ROW.full)(row)),
                    Err(note) => Detail::Keys(keys, note),
                }
            }
            // Not re-queried: every field as delivered for a change that has a state.
            Verbosity::Full if change.has_current_state() => Detail::Full((R::ROW.full)(row)),
            _ => Detail::Keys((R::ROW.keys)(row), Note::None),
        });
    if S::RECORDS {
        extension.sink.record(&Record::Change {
            change,
            detail: (R::ROW.record)(detail),
            names,
            printed: true,
        });
    }
    // The event carries what the record does: one record, two renderings.
    if extension
        .session
        .enabled(trace::Level::Informational, trace::keyword_of(R::ROW.kind))
    {
        (R::ROW.trace)(
            extension.sink.trace(),
            &extension.session,
            change,
            seq,
            true,
            &detail,
            &names,
        );
    }
    emit_event::<N, S, R>(&extension.sink, change, &detail, &names);
}

/// Asks storm control whether an event's line is printed: `None` if it is (a summary of what
/// was left out before it printed first), or whether the storm timer must be armed for one
/// left out. In a frame of its own: the summary is gone before the callback looks up the
/// names and decodes the row (its stack budget).
#[inline(never)]
fn admit<N, S: Sink>(
    extension: &Extension<N, S>,
    notification: Notification,
    change: Change,
) -> Option<bool> {
    let now = extension.sink.now();
    let decision = if S::REPLAYS_DECISIONS {
        extension.sink.decision()
    } else {
        None
    };
    let admission = decision.map_or_else(
        || extension.storm.admit(notification, change, now),
        |printed| extension.storm.decided(notification, change, now, printed),
    );
    match admission {
        Admission::Print(summary) => {
            if let Some(summary) = summary {
                emit_summary(extension, notification, &summary);
            }
            None
        }
        Admission::Suppress { arm_timer } => Some(arm_timer),
    }
}

/// An event whose line is left out: recorded and written as an event with the keys as
/// delivered, nothing asked of NETIO.
fn left_out<N, S: Sink, R: ChangeRow<N, S::Trace>>(
    extension: &Extension<N, S>,
    change: Change,
    seq: u64,
    row: Option<R>,
) {
    let detail = row.map_or(Detail::NoRow, |row| {
        Detail::Keys((R::ROW.keys)(&row), Note::None)
    });
    if S::RECORDS {
        extension.sink.record(&Record::Change {
            change,
            detail: (R::ROW.record)(detail),
            names: Names::UNKNOWN,
            printed: false,
        });
    }
    if extension
        .session
        .enabled(trace::Level::Informational, trace::keyword_of(R::ROW.kind))
    {
        (R::ROW.trace)(
            extension.sink.trace(),
            &extension.session,
            change,
            seq,
            false,
            &detail,
            &Names::UNKNOWN,
        );
    }
}

/// Why a detail has only its keys.
const fn note_of<K, F>(detail: &Detail<K, F>) -> Note {
    match detail {
        Detail::Keys(_, note) => *note,
        Detail::NoRow | Detail::Full(_) => Note::None,
    }
}

// Stack economy (the callbacks run on NETIO's thread; `ci/object-checks/stack_budget.py`
// measures them on the image): each line buffer lives in a frame of its own, below the
// callback's, so it never sits on the stack together with the name lookups' buffers.

/// Renders and emits an event's line (two for an interface's full state).
#[inline(never)]
fn emit_event<N, S: Sink, R: ChangeRow<N, S::Trace>>(
    sink: &S,
    change: Change,
    detail: &Detail<R::Keys, R::Full>,
    names: &Names,
) {
    let mut line = Line::new();
    (R::ROW.render)(&mut line, change, detail, names);
    sink.emit(Level::Info, &line);
    line = Line::new();
    if (R::ROW.more)(&mut line, change, detail) {
        sink.emit(Level::Info, &line);
    }
}

/// Emits a storm summary's line and writes its event, each in a frame of its own, both
/// with the summary's one `seq`.
pub(crate) fn emit_summary<N, S: Sink>(
    extension: &Extension<N, S>,
    notification: Notification,
    summary: &Summary,
) {
    let seq = extension.numbers.next(Numbered::Storm);
    print_summary(&extension.sink, notification, summary);
    if extension
        .session
        .enabled(trace::Level::Warning, trace::keyword::LIFECYCLE)
    {
        trace_summary(extension, notification, summary, seq);
    }
}

/// Hands a storm summary's record to the sink, and renders and emits its line.
#[inline(never)]
fn print_summary<S: Sink>(sink: &S, notification: Notification, summary: &Summary) {
    if S::RECORDS {
        sink.record(&Record::Storm(Storm {
            notification,
            summary: *summary,
        }));
    }
    let mut line = Line::new();
    render::write_storm_of(&mut line, notification, summary);
    sink.emit(Level::Warning, &line);
}

/// Writes a storm summary's event, in a frame of its own (not beside the line's buffer): from
/// the record's data ([`Storm`]), built here whatever the sink keeps.
#[inline(never)]
fn trace_summary<N, S: Sink>(
    extension: &Extension<N, S>,
    notification: Notification,
    summary: &Summary,
    seq: u64,
) {
    let mut event = trace::new_storm_event();
    let storm = Storm {
        notification,
        summary: *summary,
    };
    trace::storm_event(&mut event, &storm, seq);
    event.write(extension.sink.trace(), &extension.session);
}

/// The level a record's line is printed at.
const fn level_of(record: &Record) -> Level {
    match record {
        Record::Error(_) => Level::Error,
        Record::Warning(_) | Record::Storm(_) => Level::Warning,
        _ => Level::Info,
    }
}

/// Numbers a record of the driver's own ([`Numbers`]), hands it to the sink (one that keeps
/// records) and prints its line: the driver's own records of `DriverEntry` and
/// `DriverUnload` (the callbacks print theirs with their own writers, in frames of their
/// own). Its `seq`, for its event. In a frame of its own: the line's buffer is gone before
/// the record's event is built ([`report`]; the enable callback's stack budget).
#[inline(never)]
pub(crate) fn emit_record<S: Sink>(sink: &S, numbers: &Numbers, record: &Record) -> u64 {
    let seq = numbers.next_of(record);
    if S::RECORDS {
        sink.record(record);
    }
    let mut line = Line::new();
    if render::write_lifecycle_record(&mut line, record) {
        sink.emit(level_of(record), &line);
    }
    seq
}

/// Numbers an error's or a warning's record, hands it to the sink, prints its line and writes
/// its event, from the record.
pub(crate) fn report<N, S: Sink>(extension: &Extension<N, S>, record: &Record) {
    let seq = emit_record(&extension.sink, &extension.numbers, record);
    trace_message(extension, record, seq);
}

/// Writes an error's or a warning's event, when a session listens: its message as the
/// record's [`Put`] writes it ([`render::write_message`], the line's text after `error: ` or
/// `warning: `), never read back from the line.
#[inline(never)]
fn trace_message<N, S: Sink>(extension: &Extension<N, S>, record: &Record, seq: u64) {
    let level = match record {
        Record::Error(_) => trace::Level::Error,
        Record::Warning(_) => trace::Level::Warning,
        _ => return,
    };
    if !extension.session.enabled(level, trace::keyword::LIFECYCLE) {
        return;
    }
    let mut text = Line::new();
    if let Some(error) = render::write_message(&mut text, record) {
        write_message_event(extension, error, text.as_str(), seq);
    }
}

/// Writes an error's or a warning's event with its message `text`, in a frame of its own.
#[inline(never)]
fn write_message_event<N, S: Sink>(extension: &Extension<N, S>, error: bool, text: &str, seq: u64) {
    let mut event = trace::new_message_event(error);
    trace::message_event(&mut event, text, seq);
    event.write(extension.sink.trace(), &extension.session);
}

/// The ETW enable callback: remembers what the sessions asked for, and answers capture-state
/// with the counters so far.
///
/// At `PASSIVE_LEVEL` in a system thread ("ETWENABLECALLBACK callback function", docs/netio.md#stack). Whether it was
/// capture-state, which the rundown of the present state follows
/// ([`crate::policy::rundown`]). In a frame of its own: the `counters` event's buffer is gone
/// before the rundown goes deeper (the enable callback's stack budget, `ci/object-checks`).
#[inline(never)]
pub fn trace_control<N, S: Sink>(
    extension: &Extension<N, S>,
    code: u32,
    level: u8,
    any: u64,
    all: u64,
) -> bool {
    if extension.session.control(code, level, any, all) != trace::Control::CaptureState {
        return false;
    }
    if extension
        .session
        .enabled(trace::Level::Informational, trace::keyword::LIFECYCLE)
    {
        let totals = Totals::of(
            &extension.counters,
            crate::model::notification::NotificationSet::EMPTY,
            extension.session.dropped(),
        );
        let seq = extension.numbers.next(Numbered::Counters);
        // Its record, with the event's totals: made exactly when the event is written (for a
        // session that takes it, as a rundown's `present` ones are), so that `--json`'s own
        // count of `counters` records gives the event's `seq`.
        if S::RECORDS {
            extension.sink.record(&Record::Counters(totals));
        }
        trace::counters_event(false, &totals, seq)
            .write(extension.sink.trace(), &extension.session);
    }
    true
}

/// The storm timer expired (the DPC, at `DISPATCH_LEVEL`): prints the summary of every
/// storm that is over, and sets the timer again while one goes on.
pub fn storm_timer<N, S: Sink>(extension: &Extension<N, S>) {
    let expiry = extension.storm.expire(extension.sink.now());
    for (notification, summary) in LIMITED.into_iter().zip(expiry.summaries) {
        if let Some(summary) = summary {
            emit_summary(extension, notification, &summary);
        }
    }
    if let Some(delay) = expiry.rearm {
        extension.sink.set_timer(delay);
    }
}

/// An interface notification (`row` is `None` when NETIO passed NULL).
pub fn interface<N: NetIo, S: Sink>(
    extension: &Extension<N, S>,
    row: Option<MibIpInterfaceRow>,
    notification_type: i32,
) {
    change(
        extension,
        &extension.counters.interface,
        row,
        notification_type,
    );
}

/// A unicast address notification.
pub fn address<N: NetIo, S: Sink>(
    extension: &Extension<N, S>,
    row: Option<MibUnicastIpAddressRow>,
    notification_type: i32,
) {
    change(
        extension,
        &extension.counters.address,
        row,
        notification_type,
    );
}

/// A route notification.
pub fn route<N: NetIo, S: Sink>(
    extension: &Extension<N, S>,
    row: Option<MibIpForwardRow2>,
    notification_type: i32,
) {
    change(extension, &extension.counters.route, row, notification_type);
}

/// The start of a stable table of `entries` rows, or of a NULL table (`None`).
pub fn stable_table<N, S: Sink>(
    extension: &Extension<N, S>,
    completion: Completion,
    entries: Option<u32>,
) {
    extension.counters.stable.count(entries.unwrap_or(0));
    let seq = extension.session.next_stable_record();
    if S::RECORDS {
        extension.sink.record(&Record::StableTable {
            completion,
            entries,
            printed: extension.settings.verbosity != Verbosity::Errors,
        });
    }
    if extension
        .session
        .enabled(trace::Level::Informational, trace::keyword::STABLE_TABLE)
    {
        let printed = extension.settings.verbosity != Verbosity::Errors;
        trace_stable_table(extension, completion, seq, printed, entries);
    }
    if extension.settings.verbosity == Verbosity::Errors {
        return;
    }
    print_stable_header(&extension.sink, completion, entries);
}

/// Renders and emits a stable table's header line, in a frame of its own.
#[inline(never)]
fn print_stable_header<S: Sink>(sink: &S, completion: Completion, entries: Option<u32>) {
    let mut line = Line::new();
    render::write_stable_header(&mut line, completion, entries);
    sink.emit(Level::Info, &line);
}

/// A stable table NETIO delivered at `irql`, at or above `DISPATCH_LEVEL`.
///
/// Counted as leaked and reported; the caller neither reads nor frees it
/// (docs/netio.md#stable-above-passive). Its line buffer lives in this frame only, never
/// beside the table's rows and names.
#[inline(never)]
pub fn stable_table_leaked<N, S: Sink>(extension: &Extension<N, S>, irql: u8) {
    extension.counters.stable.count_leaked();
    let seq = extension.numbers.next(Numbered::Error);
    if S::RECORDS {
        extension
            .sink
            .record(&Record::Error(ErrorMessage::StableLeaked(irql)));
    }
    let mut line = Line::new();
    render::write_stable_leaked(&mut line, irql);
    extension.sink.emit(Level::Error, &line);
    if extension
        .session
        .enabled(trace::Level::Error, trace::keyword::LIFECYCLE)
    {
        // The record's message, by the writer its `Put` uses for it (no `core::fmt` on the
        // callback's stack), into the line's buffer, which is free again.
        line = Line::new();
        render::StableLeakedText(irql).put(&mut line);
        write_message_event(extension, true, line.as_str(), seq);
    }
}

/// Row `position` of the stable table being printed: a complete row, printed in full.
pub fn stable_entry<N: NetIo, S: Sink>(
    extension: &Extension<N, S>,
    position: u32,
    row: &MibUnicastIpAddressRow,
) {
    if extension.settings.verbosity == Verbosity::Errors {
        return;
    }
    let mut names = Names::UNKNOWN;
    look_up_names(&extension.netio, Luid(row.interface_luid), &mut names);
    let row = Address::decode(row);
    let seq = extension.session.next_stable_record();
    if S::RECORDS {
        extension.sink.record(&Record::StableEntry {
            position,
            row,
            names,
        });
    }
    if extension
        .session
        .enabled(trace::Level::Informational, trace::keyword::STABLE_TABLE)
    {
        trace_stable_entry(extension, seq, position, &row, &names);
    }
    print_stable_entry(&extension.sink, position, &row, &names);
}

/// Renders and emits a stable table's row, in a frame of its own.
#[inline(never)]
fn print_stable_entry<S: Sink>(sink: &S, position: u32, row: &Address, names: &Names) {
    let mut line = Line::new();
    render::write_stable_entry(&mut line, position, row, names);
    sink.emit(Level::Info, &line);
}

/// Writes a stable table's event, in a frame of its own.
#[inline(never)]
fn trace_stable_table<N, S: Sink>(
    extension: &Extension<N, S>,
    completion: Completion,
    seq: u64,
    printed: bool,
    entries: Option<u32>,
) {
    let mut event = trace::stable_event();
    trace::start_stable(&mut event, seq, printed);
    render::visit_stable_header(&mut event.fields(), completion, entries);
    event.write(extension.sink.trace(), &extension.session);
}

/// Writes a stable table row's event, in a frame of its own.
#[inline(never)]
fn trace_stable_entry<N, S: Sink>(
    extension: &Extension<N, S>,
    seq: u64,
    position: u32,
    row: &Address,
    names: &Names,
) {
    let mut event = trace::stable_event();
    trace::start_stable(&mut event, seq, true);
    render::visit_stable_entry(&mut event.fields(), position, row, names);
    event.write_names(extension.sink.trace(), &extension.session, names);
}
