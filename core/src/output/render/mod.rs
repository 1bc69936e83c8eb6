//! Rendering: every line the driver prints, into a [`Line`]. Safe code; no allocation.
//!
//! Every line is a record's ([`crate::model::record::Record`]): the event lines are made
//! here, the driver's own (`settings`, `loaded`, `unloaded`, `storm:`, warnings and errors)
//! in `records`, with each record's fields for a visitor and the header every record's
//! object starts with ([`visit_header`]); [`record_lines`] prints any record.
//!
//! Lines start with `netnotify: `, then the notification and the change, then `key=value`
//! fields in a fixed order (documented with examples in `docs/lines.md`): the row's key
//! fields first, then the interface's name and alias, then — when the full state of the
//! object is known — every other field. Each field's name comes from its table
//! ([`crate::model::fields`]); each run of fields is declared once (`segment!`) for both the line and
//! a [`Visit`](crate::model::fields::Visit)or (`visit_interface`, `visit_address`, `visit_route`:
//! what `cargo replay --json` writes), so the two cannot differ. A line that carries only the keys of an add or
//! parameter notification says why ([`Note`]): docs/netio.md#requery, only the keys of a delivered
//! row are reliable.
//!
//! No line is cut: the interface's full state is two lines, and the name and alias are
//! printed at most [`NAME_CHARACTERS`] and [`ALIAS_CHARACTERS`] long, so that every line
//! stays within one `DbgPrint` whatever the row holds — but for an interface's `zones=`
//! list, sized for the seven scope levels Windows defines (`tests/properties.rs` checks the
//! bound on arbitrary rows with 256-character names and aliases).
//!
//! Speed and stack: values write themselves into the line ([`Put`]) instead of going through
//! `core::fmt`; see [`crate::output::line::Put`] for the measurements.
//!
//! This module holds the line helpers and the event writers (`write_*`, one per kind of
//! line); its parts hold the rest: `values` the scalar writers, `address` the address and
//! prefix writer, `text` the names and aliases, `segments` the runs
//! of fields and the visitors, `field_values` what a record writer sees of each value,
//! `records` the driver's own records, `driver` the settings' warnings.

use core::fmt;

use crate::model::counters::{ChangeCounts, StableCounts};
use crate::model::decode::{
    Address, AddressKeys, Change, Flag, Interface, InterfaceKeys, Millis, Offload, Prefix, Route,
    RouteKeys, SocketAddress, Unset, ZoneIndices,
};
use crate::model::notification::{Notification, NotificationSet};
use crate::model::printed::{Out, Put, display_by_put, put};
use crate::model::status::NtStatus;
use crate::output::line::Line;

mod address;
pub mod driver;
mod field_values;
mod records;
mod segments;
mod text;
mod values;

#[doc(hidden)]
pub use segments::put_field;
pub use segments::{
    visit_address, visit_interface, visit_route, visit_stable_entry, visit_stable_header,
};
// The model's, for the users outside the core (`netnotify_core::output::render::Names`).
pub use crate::model::decode::Timestamp;
pub use crate::model::names::{ALIAS_CHARACTERS, NAME_CHARACTERS, Names, Text};
pub use crate::model::record::{Completion, Detail, Note};
pub use records::{
    NoteWords, Printed, StableLeakedText, Word, record_lines, visit_header, write_error,
    write_lifecycle_record, write_loaded, write_message, write_settings, write_stable_leaked,
    write_storm, write_storm_of, write_unloaded, write_warning,
};
pub use values::{Dec, Family, Hex};

use segments::{
    address_full, address_keys, detail, interface_full, interface_keys, interface_more, route_full,
    route_keys,
};

/// Every line begins with this.
pub const PREFIX: &str = "netnotify: ";

/// Starts a line with the prefix and formatted text (lines printed outside callbacks).
/// `Line` never fails a write, so the `fmt::Result` carries nothing and is dropped.
#[must_use]
pub fn line(args: fmt::Arguments<'_>) -> Line {
    let mut line = Line::new();
    line.push_str(PREFIX);
    let _ = fmt::Write::write_fmt(&mut line, args);
    line
}

/// Appends formatted text to `line`.
pub fn append(line: &mut Line, args: fmt::Arguments<'_>) {
    let _ = fmt::Write::write_fmt(line, args);
}

impl Put for Note {
    /// Empty, or the note's words ([`NoteWords`]) in parentheses, with a leading space.
    fn put<O: Out>(&self, out: &mut O) {
        if *self != Self::None {
            put!(out; " (", NoteWords(*self), ")");
        }
    }
}

impl Put for Change {
    fn put<O: Out>(&self, out: &mut O) {
        match self {
            Self::Other(raw) => put!(out; "type=", Dec(*raw)),
            known => out.put_str(known.name()),
        }
    }
}

/// An interface event's line, written into `line` (empty): the callbacks' form. A full
/// state has a second line, [`write_interface_more`].
pub fn write_interface_event(
    line: &mut Line,
    change: Change,
    row: &Detail<InterfaceKeys, Interface>,
    names: &Names,
) {
    put!(line; PREFIX, "interface ", change);
    detail(line, row, names, interface_keys, interface_full);
}

/// The second line of an interface event with a full state, written into `line` (empty);
/// `false` (and nothing written) for any other detail.
pub fn write_interface_more(
    line: &mut Line,
    change: Change,
    row: &Detail<InterfaceKeys, Interface>,
) -> bool {
    let Detail::Full(row) = row else {
        return false;
    };
    put!(line; PREFIX, "interface ", change);
    interface_more(line, row);
    true
}

/// An interface event's lines: one, or two for a full state.
#[must_use]
pub fn interface_event(
    change: Change,
    row: &Detail<InterfaceKeys, Interface>,
    names: &Names,
) -> (Line, Option<Line>) {
    let first = Line::written(|line| write_interface_event(line, change, row, names));
    let mut more = Line::new();
    let more = write_interface_more(&mut more, change, row).then_some(more);
    (first, more)
}

/// A unicast address event, written into `line` (empty): the callbacks' form.
pub fn write_address_event(
    line: &mut Line,
    change: Change,
    row: &Detail<AddressKeys, Address>,
    names: &Names,
) {
    put!(line; PREFIX, "address ", change);
    detail(line, row, names, address_keys, address_full);
}

/// A unicast address event as a new line.
#[must_use]
pub fn address_event(change: Change, row: &Detail<AddressKeys, Address>, names: &Names) -> Line {
    Line::written(|line| write_address_event(line, change, row, names))
}

/// A route event, written into `line` (empty): the callbacks' form.
pub fn write_route_event(
    line: &mut Line,
    change: Change,
    row: &Detail<RouteKeys, Route>,
    names: &Names,
) {
    put!(line; PREFIX, "route ", change);
    detail(line, row, names, route_keys, route_full);
}

/// A route event as a new line.
#[must_use]
pub fn route_event(change: Change, row: &Detail<RouteKeys, Route>, names: &Names) -> Line {
    Line::written(|line| write_route_event(line, change, row, names))
}

impl Put for Completion {
    fn put<O: Out>(&self, out: &mut O) {
        out.put_str(match self {
            Self::Immediate => "immediate",
            Self::Pending => "pending",
        });
    }
}

/// The header line of a stable table, written into `line` (empty); `entries` is `None` for a
/// NULL table.
pub fn write_stable_header(line: &mut Line, completion: Completion, entries: Option<u32>) {
    put!(line; PREFIX, "stable-table ", completion);
    match entries {
        Some(entries) => put!(line; " entries=", Dec(entries)),
        None => line.push_str(" (no table)"),
    }
}

/// As [`write_stable_header`], as a new line.
#[must_use]
pub fn stable_header(completion: Completion, entries: Option<u32>) -> Line {
    Line::written(|line| write_stable_header(line, completion, entries))
}

/// One row of a stable table, written into `line` (empty): a complete row (the table is a
/// snapshot, not a notification).
pub fn write_stable_entry(line: &mut Line, position: u32, row: &Address, names: &Names) {
    put!(line; PREFIX, "stable-table [", Dec(position), "]");
    address_full(line, row, names);
}

/// As [`write_stable_entry`], as a new line.
#[must_use]
pub fn stable_entry(position: u32, row: &Address, names: &Names) -> Line {
    Line::written(|line| write_stable_entry(line, position, row, names))
}

impl Put for ChangeCounts {
    fn put<O: Out>(&self, out: &mut O) {
        records::put_change_counts(out, self);
    }
}

impl Put for StableCounts {
    fn put<O: Out>(&self, out: &mut O) {
        records::put_stable_counts(out, self);
    }
}

/// The eight-digit hex form users search for, e.g. `0xC000009A`.
impl Put for NtStatus {
    fn put<O: Out>(&self, out: &mut O) {
        out.put_str("0x");
        Hex(u64::from(self.0.cast_unsigned()), 8).put(out);
    }
}

/// Comma-separated names, or `none`.
impl Put for NotificationSet {
    fn put<O: Out>(&self, out: &mut O) {
        let mut first = true;
        for notification in Notification::ALL {
            if self.contains(notification) {
                if !first {
                    out.put_str(",");
                }
                first = false;
                out.put_str(notification.name());
            }
        }
        if first {
            out.put_str("none");
        }
    }
}

display_by_put!(
    Note,
    Change,
    Hex,
    Family,
    SocketAddress,
    Prefix,
    Flag,
    Millis,
    Unset,
    Offload,
    ZoneIndices,
    Names,
    Completion,
    ChangeCounts,
    StableCounts,
    NotificationSet,
    NtStatus,
);
