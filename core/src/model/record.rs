//! Event records: every event a callback receives, printed or not, handed to the sink
//! ([`crate::host::Sink::record`]) with every field the line has, or would have had.
//!
//! The lines are the records' rate-limited text view; a record is the event itself. The
//! driver's sink keeps no records (the default method is empty, and the call and the record
//! it would take compile out of the callbacks); the simulator keeps them for
//! `cargo replay --json`, which writes each one through [`crate::fields::Visit`].
//!
//! This module owns the record vocabulary: [`Record`], and what its variants hold
//! ([`RowDetail`], [`Detail`], [`Note`], [`Completion`]). Each writer lives in the output
//! layer: the line renderer, and `Record::visit` beside the segments that declare each run of
//! fields once for the line and for a visitor (`output::render::segments`), so that the
//! model names no writer.

use crate::model::decode::{
    Address, AddressKeys, Change, Interface, InterfaceKeys, Route, RouteKeys,
};
use crate::model::names::Names;
use crate::model::notification::Notification;
use crate::model::status::NtStatus;

/// One event: what a change callback received and what it printed of it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Record {
    /// A change notification.
    Change {
        /// The change.
        change: Change,
        /// Every field the line shows, and why it has only the keys if it says (for an event
        /// whose line was left out: the keys as delivered, as the driver does not re-query
        /// what it does not print).
        detail: RowDetail,
        /// The interface's names (unknown for an event whose line was left out).
        names: Names,
        /// Whether the line was printed (`false`: storm control or the verbosity left it
        /// out).
        printed: bool,
    },
    /// A stable table's header.
    StableTable {
        /// How it reached the driver.
        completion: Completion,
        /// Its rows, `None` for a NULL table.
        entries: Option<u32>,
    },
    /// A row of a stable table.
    StableEntry {
        /// Its index in the table.
        position: u32,
        /// The row.
        row: Address,
        /// The interface's names.
        names: Names,
    },
}

/// The detail of a change record, by row kind.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RowDetail {
    /// An interface.
    Interface(Detail<InterfaceKeys, Interface>),
    /// A unicast address.
    Address(Detail<AddressKeys, Address>),
    /// A route.
    Route(Detail<RouteKeys, Route>),
}

impl Record {
    /// The notification whose callback saw it.
    #[must_use]
    pub const fn notification(&self) -> Notification {
        match self {
            Self::Change { detail, .. } => match detail {
                RowDetail::Interface(_) => Notification::Interface,
                RowDetail::Address(_) => Notification::Address,
                RowDetail::Route(_) => Notification::Route,
            },
            Self::StableTable { .. } | Self::StableEntry { .. } => Notification::StableTable,
        }
    }
}

/// What an event line can show of its row.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Detail<K, F> {
    /// NETIO passed no row.
    NoRow,
    /// The key fields only, and why.
    Keys(K, Note),
    /// Every field of the object's current state.
    Full(F),
}

/// Why a line carries only the key fields.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Note {
    /// Nothing more to say: a delete (the object is gone), an initial or unknown type.
    None,
    /// The re-query found no such object: it went away after the notification.
    Gone,
    /// The re-query failed with this status.
    QueryFailed(NtStatus),
    /// The callback ran above `PASSIVE_LEVEL` (this IRQL), where re-querying is not allowed.
    NotPassive(u8),
}

/// How a stable table reached the driver.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Completion {
    /// Returned by `NotifyStableUnicastIpAddressTable` itself.
    Immediate,
    /// Delivered to the callback after a pending return.
    Pending,
}
