//! Event records: every event a callback receives, printed or not, handed to the sink
//! ([`crate::boundary::host::Sink::record`]) with every field the line has, or would have had.
//!
//! The lines are the records' rate-limited text view; a record is the event itself. The
//! driver's sink keeps no records (the default method is empty, and the call and the record
//! it would take compile out of the callbacks); the simulator keeps them for
//! `cargo replay --json`, which writes each one through [`crate::model::fields::Visit`].
//!
//! Every line the driver prints is a record's: the notifications' and the stable table's, and
//! the driver's own (`settings`, `loaded`, `unloaded`, `storm:`, errors and warnings), so
//! `--json` writes each object from its record and never reads a line back. Capture-state's
//! [`Record::Counters`] has no line: it is ETW's.
//!
//! This module owns the record vocabulary: [`Record`], and what its variants hold
//! ([`RowDetail`], [`Detail`], [`Note`], [`Completion`], [`Loaded`], [`Totals`], [`Storm`],
//! [`ErrorMessage`], [`WarningMessage`]), the header every record carries ([`Header`]) and
//! the versions a consumer checks ([`VERSION`], [`SCHEMA`]). Each writer lives in the output
//! layer: the line renderer, and `Record::visit` (`output::render::records`) over the
//! segments that declare each run of fields once for the line and for a visitor
//! (`output::render::segments`), so that the model names no writer.

use crate::model::counters::{ChangeCounts, Counters, StableCounts, Summary};
use crate::model::decode::{
    Address, AddressKeys, Change, Interface, InterfaceKeys, Route, RouteKeys,
};
use crate::model::fields::{FieldValue, Value};
use crate::model::names::Names;
use crate::model::notification::{Notification, NotificationSet};
use crate::model::printed::{Dec, Out, Put, put};
use crate::model::settings::{RawValue, Setting, Settings};
use crate::model::status::NtStatus;

/// The driver's version (its crate's), in the `loaded` and `counters` records.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The records' schema version, in the `loaded` and `counters` records.
///
/// Bumped whenever a field of any record is added, renamed, removed or changes its type
/// (docs/replay.md, "JSON"), so that a consumer decoding by field name can warn on a schema
/// it does not know.
pub const SCHEMA: u32 = 2;

/// One event: what a change callback received and what it printed of it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "built only for a sink that keeps records"
)]
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
        /// Whether its line was printed (`false`: the verbosity left it out).
        printed: bool,
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
    /// The effective settings (`settings`).
    Settings(Settings),
    /// `DriverEntry` finished loading (`loaded`).
    Loaded(Loaded),
    /// `DriverUnload` ran (`unloaded`): the counters and what stays.
    Unloaded(Totals),
    /// The counters, as a capture-state request asks for them (`counters`): made with its
    /// ETW event, when a session takes it; no line.
    Counters(Totals),
    /// A storm is over: what storm control left out of the lines (`storm:`).
    Storm(Storm),
    /// An error (`error:`).
    Error(ErrorMessage),
    /// A warning (`warning:`).
    Warning(WarningMessage),
}

/// What the `loaded` line says.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Loaded {
    /// The notifications registered.
    pub registered: NotificationSet,
    /// The `Family` setting (`ADDRESS_FAMILY`).
    pub family: u16,
    /// The `InitialNotification` setting.
    pub initial: bool,
    /// How the stable table registered.
    pub stable: StableState,
    /// A registration cannot be cancelled: unload is disabled.
    pub pinned: bool,
    /// The ETW provider registered.
    pub etw: bool,
}

/// How the stable table registered, for the `loaded` line.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum StableState {
    /// Not registered.
    Off,
    /// Returned at once, with a table of this many rows (`None`: no table).
    Immediate(Option<u32>),
    /// Pending, with a handle.
    Pending,
    /// Pending without a handle.
    Uncancellable,
}

/// The counters at one moment, and what stays: the `unloaded` line, the `counters` event.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Totals {
    /// Interface events by change type.
    pub interface: ChangeCounts,
    /// Address events.
    pub address: ChangeCounts,
    /// Route events.
    pub route: ChangeCounts,
    /// Stable tables and their rows.
    pub stable: StableCounts,
    /// Registrations kept alive because their cancel failed.
    pub kept: NotificationSet,
    /// Stable tables delivered above `PASSIVE_LEVEL`, neither read nor freed.
    pub leaked_tables: u64,
    /// ETW events that did not fit their buffers.
    pub etw_dropped: u64,
    /// Entries the stack guard took to the count-only path.
    pub low_stack: u64,
    /// The least stack left at an entry, in bytes (`None` while nothing ran).
    pub min_stack: Option<u64>,
}

impl Totals {
    /// The counters now, with the registrations `kept` and the ETW events `etw_dropped`.
    #[must_use]
    pub fn of(counters: &Counters, kept: NotificationSet, etw_dropped: u64) -> Self {
        Self {
            interface: counters.interface.snapshot(),
            address: counters.address.snapshot(),
            route: counters.route.snapshot(),
            stable: counters.stable.snapshot(),
            kept,
            leaked_tables: counters.stable.leaked(),
            etw_dropped,
            low_stack: counters.stack.low(),
            min_stack: counters.stack.min(),
        }
    }
}

/// A storm summary: the events of one kind storm control left out of the lines.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Storm {
    /// The notification whose lines were left out.
    pub notification: Notification,
    /// What was left out, and when.
    pub summary: Summary,
}

/// An error line's cause, with what the line says of it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ErrorMessage {
    /// `DriverEntry` ran above `PASSIVE_LEVEL`, at this IRQL.
    IrqlRefused(u8),
    /// `IoCreateDevice` failed.
    CreateDeviceFailed(NtStatus),
    /// The device extension is not aligned for the driver's state.
    Misaligned,
    /// An unload was asked for although a registration cannot be cancelled.
    UnloadRefused,
    /// `CancelMibChangeNotify2` failed: the registration is kept.
    CancelFailed(Notification, NtStatus),
    /// A registration failed after one that cannot be cancelled: loading goes on.
    FailedPinned(Notification, NtStatus),
    /// A registration failed, and a cancel of the rollback failed too.
    FailedKept {
        /// The registration that failed.
        notification: Notification,
        /// Its status.
        status: NtStatus,
        /// What the rollback cancelled.
        cancelled: NotificationSet,
        /// What it could not.
        kept: NotificationSet,
    },
    /// A registration failed and everything was rolled back.
    FailedRolledBack {
        /// The registration that failed.
        notification: Notification,
        /// Its status.
        status: NtStatus,
        /// What the rollback cancelled.
        cancelled: NotificationSet,
    },
    /// A registration succeeded without a handle: it cannot be cancelled.
    Uncancellable(Notification, NtStatus),
    /// A pending stable table was delivered at this IRQL (`DISPATCH_LEVEL` or above): not
    /// read, not freed.
    StableLeaked(u8),
    /// A capture-state rundown's `Get*Table` call for these objects failed with this status:
    /// none of them is in the rundown; the other kinds still are.
    TableFailed(Notification, NtStatus),
    /// A capture-state request came at this IRQL, above `PASSIVE_LEVEL`, where the
    /// `Get*Table` calls may not be made: no rundown but the counters.
    RundownNotPassive(u8),
}

/// A warning line's cause, with what the line says of it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum WarningMessage {
    /// `EtwRegister` failed.
    EtwRegisterFailed(NtStatus),
    /// `EtwSetInformation(EventProviderSetTraits)` failed; `EventProviderUseDescriptorType`
    /// took its place.
    EtwSetTraitsFailed(NtStatus),
    /// Both `EtwSetInformation` calls failed.
    EtwSetInformationFailed {
        /// `EventProviderSetTraits`'s status.
        traits: NtStatus,
        /// `EventProviderUseDescriptorType`'s status.
        descriptor_type: NtStatus,
    },
    /// A value in `Parameters` is not valid: the default is used.
    SettingDefaulted {
        /// The setting's value name.
        name: &'static str,
        /// Its valid values, as the warning says them.
        valid_text: &'static str,
        /// The default used instead.
        default: u32,
        /// What was found.
        found: RawValue,
    },
    /// A registration returned a success other than `STATUS_SUCCESS` with a handle.
    UnexpectedStatus(Notification, NtStatus),
}

impl WarningMessage {
    /// The warning that `setting` was `found` not valid.
    #[must_use]
    pub const fn setting_defaulted(setting: &Setting, found: RawValue) -> Self {
        Self::SettingDefaulted {
            name: setting.name,
            valid_text: setting.valid_text,
            default: setting.default,
            found,
        }
    }
}

/// What every record's object and event starts with: [`Record::header`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Header {
    /// The record's kind: `interface`, …, `stable-table`, `settings`, `loaded`, `unloaded`,
    /// `counters`, `storm`, `error`, `warning`.
    pub kind: &'static str,
    /// A change record's change.
    pub change: Option<Change>,
    /// The record's number among its kind's (from 1).
    pub seq: u64,
    /// Whether its line was printed (`false`: storm control or the verbosity left it out;
    /// `capture-state`'s `counters` has no line).
    pub printed: bool,
    /// A change record without a row (NETIO passed NULL).
    pub no_row: bool,
    /// Why a change record has only the keys ([`Note::None`] for every other).
    pub note: Note,
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
    /// The notification whose callback saw it (of a storm: the one it summarises; of the
    /// driver's other records, which no callback saw, [`Notification::StableTable`]: use
    /// [`Record::kind`] for what a record is).
    #[must_use]
    pub const fn notification(&self) -> Notification {
        match self {
            Self::Change { detail, .. } => match detail {
                RowDetail::Interface(_) => Notification::Interface,
                RowDetail::Address(_) => Notification::Address,
                RowDetail::Route(_) => Notification::Route,
            },
            Self::Storm(storm) => storm.notification,
            // The stable table's records; the driver's own belong to no notification, and
            // their `kind` says what they are ([`Record::kind`]).
            Self::StableTable { .. }
            | Self::StableEntry { .. }
            | Self::Settings(_)
            | Self::Loaded(_)
            | Self::Unloaded(_)
            | Self::Counters(_)
            | Self::Error(_)
            | Self::Warning(_) => Notification::StableTable,
        }
    }

    /// The record's kind: the event's name, `--json`'s `kind`, the line's first word.
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::Change { .. } | Self::StableTable { .. } | Self::StableEntry { .. } => {
                self.notification().name()
            }
            Self::Settings(_) => "settings",
            Self::Loaded(_) => "loaded",
            Self::Unloaded(_) => "unloaded",
            Self::Counters(_) => "counters",
            Self::Storm(_) => "storm",
            Self::Error(_) => "error",
            Self::Warning(_) => "warning",
        }
    }

    /// Whether its line was printed: `false` for a change or a stable table's header that
    /// storm control or the verbosity left out, and for `counters`, which has no line.
    #[must_use]
    pub const fn printed(&self) -> bool {
        match self {
            Self::Change { printed, .. } | Self::StableTable { printed, .. } => *printed,
            Self::Counters(_) => false,
            _ => true,
        }
    }

    /// Whether it is a capture-state rundown's `present` event: `seq` 0, never numbered
    /// among its kind's, no line (`printed` false), no counter (docs/netio.md#rundown).
    #[must_use]
    pub const fn is_present(&self) -> bool {
        matches!(
            self,
            Self::Change {
                change: Change::Present,
                ..
            }
        )
    }

    /// The header, with the record's `seq` (the caller numbers each kind).
    #[must_use]
    pub const fn header(&self, seq: u64) -> Header {
        let (change, no_row, note) = match self {
            Self::Change { change, detail, .. } => {
                let (no_row, note) = match detail {
                    RowDetail::Interface(detail) => detail.shape(),
                    RowDetail::Address(detail) => detail.shape(),
                    RowDetail::Route(detail) => detail.shape(),
                };
                (Some(*change), no_row, note)
            }
            _ => (None, false, Note::None),
        };
        Header {
            kind: self.kind(),
            change,
            seq,
            printed: self.printed(),
            no_row,
            note,
        }
    }
}

impl<K, F> Detail<K, F> {
    /// Whether it has no row, and why it has only the keys.
    #[must_use]
    pub const fn shape(&self) -> (bool, Note) {
        match self {
            Self::NoRow => (true, Note::None),
            Self::Keys(_, note) => (false, *note),
            Self::Full(_) => (false, Note::None),
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

/// A note's words, without the parentheses the line puts around them: `gone before
/// re-query`. Empty for [`Note::None`].
pub struct NoteWords(pub Note);

impl Put for Note {
    /// Empty, or the note's words ([`NoteWords`]) in parentheses, with a leading space.
    fn put<O: Out>(&self, out: &mut O) {
        if *self != Self::None {
            put!(out; " (", NoteWords(*self), ")");
        }
    }
}

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
