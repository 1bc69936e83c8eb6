//! The capture-state rundown: the present state, written as ETW events when a session asks
//! for it (`EVENT_CONTROL_CODE_CAPTURE_STATE`, docs/netio.md#rundown).
//!
//! Owns the rundown's decisions: which kinds are run down (those the settings register and
//! a session's keywords select), whether the IRQL allows it, what a present row becomes (an
//! event of change `present`, `seq` 0, `printed` false, every field of the row, the
//! interface's names; no line, no counter) and what a failed `Get*Table` call becomes (an
//! `error:` line and event, the other kinds still run down; `STATUS_NOT_FOUND` an empty
//! kind). The tables themselves are read
//! and freed in `boundary::raw`, the one module that meets NETIO's memory, which calls these
//! for each kind and each row.

use crate::boundary::ffi::{
    MibIpForwardRow2, MibIpInterfaceRow, MibUnicastIpAddressRow, PASSIVE_LEVEL,
};
use crate::boundary::host::Sink;
use crate::boundary::netio::NetIo;
use crate::model::decode::Change;
use crate::model::names::Names;
use crate::model::notification::Notification;
use crate::model::record::{Detail, ErrorMessage, Record};
use crate::model::status::NtStatus;
use crate::output::trace;
use crate::policy::events::{self, ChangeRow};
use crate::policy::extension::Extension;

/// The kinds a rundown can cover, in the order it writes them.
pub const KINDS: [Notification; 3] = [
    Notification::Interface,
    Notification::Address,
    Notification::Route,
];

/// Whether the rundown may run: at `PASSIVE_LEVEL`, with stack enough.
///
/// "ETWENABLECALLBACK callback function (wdm.h)" says the callback runs at `PASSIVE_LEVEL` in
/// a system thread, and the `Get*Table` calls want less than `DISPATCH_LEVEL`; the check stays
/// as a safety net (docs/netio.md#rundown). Above it, an `error:` says so and only the counters
/// were written. The table calls, the names' look-ups and `FreeMibTable` go into the network
/// stack to a depth no page states, so the rundown takes the callbacks' stack floor too: below
/// it the rundown is only counted (`low-stack=`), as a callback's event is, with no line.
pub fn may_run<N: NetIo, S: Sink>(extension: &Extension<N, S>) -> bool {
    let irql = extension.netio.current_irql();
    if irql != PASSIVE_LEVEL {
        report(extension, ErrorMessage::RundownNotPassive(irql));
        return false;
    }
    events::enough_stack(extension)
}

/// Reports a rundown's error (its line, record and event), in a frame of its own: the line's
/// buffer is never on the stack beside the rows (the enable callback's stack budget).
#[cold]
#[inline(never)]
fn report<N, S: Sink>(extension: &Extension<N, S>, message: ErrorMessage) {
    events::report(extension, &Record::Error(message));
}

/// Whether `notification`'s objects are run down.
///
/// The settings register it, and a session takes its keyword (at the level of a change
/// event). ETW hands each event to every session
/// whose keywords match it, so this is the sessions' union as the last enable callback gave
/// it; a kind no session takes is not even queried.
pub fn wanted<N, S>(extension: &Extension<N, S>, notification: Notification) -> bool {
    extension.settings.notifications.contains(notification)
        && extension
            .session
            .enabled(trace::Level::Informational, trace::keyword_of(notification))
}

/// Whether the `Get*Table` call for `notification` returned a table: `STATUS_SUCCESS` only.
///
/// `STATUS_NOT_FOUND` is no failure but an empty state, no object of the kind (as the
/// routines' pages say of their `NOT_FOUND`): nothing to run down, nothing said. Any other
/// status is an `error:` line and event (its record for `--json`) naming the routine and the
/// status; the caller then neither reads nor frees what the call may have left in its
/// out-pointer, and goes on with the next kind.
pub fn table_returned<N, S: Sink>(
    extension: &Extension<N, S>,
    notification: Notification,
    status: NtStatus,
) -> bool {
    match status {
        NtStatus::SUCCESS => true,
        NtStatus::NOT_FOUND => false,
        failed => {
            report(extension, ErrorMessage::TableFailed(notification, failed));
            false
        }
    }
}

/// A present interface, as `GetIpInterfaceTable` returned it.
pub fn interface<N: NetIo, S: Sink>(extension: &Extension<N, S>, row: &MibIpInterfaceRow) {
    present(extension, row);
}

/// A present unicast address, as `GetUnicastIpAddressTable` returned it.
pub fn address<N: NetIo, S: Sink>(extension: &Extension<N, S>, row: &MibUnicastIpAddressRow) {
    present(extension, row);
}

/// A present route, as `GetIpForwardTable2` returned it.
pub fn route<N: NetIo, S: Sink>(extension: &Extension<N, S>, row: &MibIpForwardRow2) {
    present(extension, row);
}

/// One present object: its event of change `present` with every field of the table's row
/// (a table row is complete, so nothing is re-queried) and the interface's names, `seq` 0,
/// `printed` false (no line), no counter; its record for a sink that keeps them. In a frame
/// of its own per row: the names and the decoded row are gone before the next row is read.
#[inline(never)]
fn present<N: NetIo, S: Sink, R: ChangeRow<N, S::Trace>>(extension: &Extension<N, S>, row: &R) {
    let mut names = Names::UNKNOWN;
    events::look_up_names(&extension.netio, (R::ROW.luid)(row), &mut names);
    let detail = Detail::Full((R::ROW.full)(row));
    if S::RECORDS {
        extension.sink.record(&Record::Change {
            change: Change::Present,
            detail: (R::ROW.record)(detail),
            names,
            printed: false,
        });
    }
    (R::ROW.trace)(
        extension.sink.trace(),
        &extension.session,
        Change::Present,
        0,
        false,
        &detail,
        &names,
    );
}
