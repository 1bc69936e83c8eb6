//! Rendering: every line the driver prints, into a [`Line`](crate::output::line::Line). Safe code; no allocation.
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
//! Speed and stack: values write themselves into the line ([`Put`](crate::model::printed::Put)) instead of going through
//! `core::fmt`; see [`crate::output::line::Put`] for the measurements.
//!
//! This module only names its parts: `events` the line helpers and the event lines
//! (`write_*`, one per kind of line), `values` the scalar writers, `address` the address and
//! prefix writer, `text` the names and aliases, `segments` the runs
//! of fields and the visitors, `field_values` what a record writer sees of each value,
//! `records` the driver's own records, `driver` the settings' warnings.

mod address;
pub mod driver;
mod events;
mod field_values;
mod records;
#[doc(hidden)]
pub mod segments;
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
pub use crate::model::record::{Completion, Detail, Note, NoteWords};
pub use events::{
    PREFIX, address_event, append, interface_event, line, route_event, stable_entry, stable_header,
    write_address_event, write_interface_event, write_interface_more, write_route_event,
    write_stable_entry, write_stable_header,
};
pub use records::{
    KEPT_OUT, Printed, StableLeakedText, Word, read_lines, record_lines, visit_header, write_error,
    write_lifecycle_record, write_loaded, write_message, write_settings, write_stable_leaked,
    write_storm, write_storm_of, write_unloaded, write_warning,
};
pub use values::{Dec, Family, Hex};
