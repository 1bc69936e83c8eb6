//! Event records: every event a callback receives, printed or not, handed to the sink
//! ([`crate::host::Sink::record`]) with every field the line has, or would have had.
//!
//! The lines are the records' rate-limited text view; a record is the event itself. The
//! driver's sink keeps no records (the default method is empty, and the call and the record
//! it would take compile out of the callbacks); the simulator keeps them for
//! `cargo replay --json`, which writes each one through [`crate::fields::Visit`].

use crate::model::decode::{
    Address, AddressKeys, Change, Interface, InterfaceKeys, Route, RouteKeys,
};
use crate::model::fields::Visit;
use crate::model::notification::Notification;
use crate::output::render::{self, Completion, Detail, Names};

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

    /// Hands every field of the record's row to `visit`, in the lines' order (nothing for a
    /// change without a row, and for a stable table's header but `entries`).
    pub fn visit<V: Visit>(&self, visit: &mut V) {
        match self {
            Self::Change { detail, names, .. } => match detail {
                RowDetail::Interface(detail) => render::visit_interface(visit, detail, names),
                RowDetail::Address(detail) => render::visit_address(visit, detail, names),
                RowDetail::Route(detail) => render::visit_route(visit, detail, names),
            },
            Self::StableTable {
                completion,
                entries,
            } => {
                render::visit_stable_header(visit, *completion, *entries);
            }
            Self::StableEntry {
                position,
                row,
                names,
            } => render::visit_stable_entry(visit, *position, row, names),
        }
    }
}
