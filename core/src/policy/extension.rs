//! The device extension: everything the callbacks touch, initialised completely before the
//! first registration and dropped only after the last cancel has returned.
//!
//! Callbacks may run before a registering call returns and concurrently with each other, so
//! the extension is only ever shared (`&Extension`): the settings are immutable, the counters
//! and the stored handles are atomics. Callbacks never read the handles (docs/netio.md#timing).
//!
//! Policy, not model: it is the running driver's state as the policy keeps it (the NETIO and
//! the sink it writes to, the storm limiter, the ETW session, which registrations are live),
//! not plain data; the model's values it holds (settings, counters) know nothing of it.
//!
//! Owns [`Extension`] and the driver's own records' numbers ([`Numbers`], by [`Numbered`]
//! kind), which the extension keeps.

use core::ffi::c_void;
use core::ptr;
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU8, AtomicU64, Ordering};

use crate::boundary::ffi::Handle;
use crate::model::counters::Counters;
use crate::model::notification::{Notification, NotificationSet};
use crate::model::record::Record;
use crate::model::settings::Settings;
use crate::output::trace::Session;
use crate::policy::storm::Storm;

/// The driver's state, stored in the device object's extension.
pub struct Extension<N, S> {
    pub(crate) netio: N,
    pub(crate) sink: S,
    pub(crate) settings: Settings,
    pub(crate) counters: Counters,
    pub(crate) storm: Storm,
    /// What the ETW sessions listening to the provider asked for.
    pub(crate) session: Session,
    /// The driver's own records' `seq`, by kind: the sink's records and their ETW events.
    pub(crate) numbers: Numbers,
    handles: [AtomicPtr<c_void>; 4],
    /// The registrations whose callback may still run ([`NotificationSet`] bits): set when one
    /// succeeds, with or without a handle, cleared when its cancel succeeds. What an unload
    /// that frees nothing keeps (`kept=`).
    live: AtomicU8,
    /// Set when every registration can be cancelled, just before the unload routine is set.
    unloadable: AtomicBool,
}

impl<N, S> Extension<N, S> {
    /// A fresh extension: zero counters, no handles.
    pub fn new(netio: N, sink: S, settings: Settings) -> Self {
        Self {
            netio,
            sink,
            settings,
            counters: Counters::default(),
            storm: Storm::new(settings.lines_per_second, settings.burst),
            session: Session::default(),
            numbers: Numbers::default(),
            handles: [const { AtomicPtr::new(ptr::null_mut()) }; 4],
            live: AtomicU8::new(0),
            unloadable: AtomicBool::new(false),
        }
    }

    /// The counters.
    pub const fn counters(&self) -> &Counters {
        &self.counters
    }

    /// The settings.
    pub const fn settings(&self) -> &Settings {
        &self.settings
    }

    /// What the ETW sessions asked for, and whether the provider is registered.
    pub const fn session(&self) -> &Session {
        &self.session
    }

    /// The output sink.
    pub const fn sink(&self) -> &S {
        &self.sink
    }

    const fn slot(&self, notification: Notification) -> &AtomicPtr<c_void> {
        let [interface, address, route, stable] = &self.handles;
        match notification {
            Notification::Interface => interface,
            Notification::Address => address,
            Notification::Route => route,
            Notification::StableTable => stable,
        }
    }

    /// Stores the handle of a registration that succeeded.
    pub(crate) fn store_handle(&self, notification: Notification, handle: Handle) {
        self.slot(notification).store(handle, Ordering::Release);
    }

    /// Records that `notification` registered: its callback may run until a cancel succeeds.
    pub(crate) fn record_live(&self, notification: Notification) {
        self.live.fetch_or(
            NotificationSet::EMPTY.with(notification).bits(),
            Ordering::AcqRel,
        );
    }

    /// Records that the cancel of `notification` succeeded: its callback never runs again.
    pub(crate) fn record_cancelled(&self, notification: Notification) {
        self.live.fetch_and(
            !NotificationSet::EMPTY.with(notification).bits(),
            Ordering::AcqRel,
        );
    }

    /// The registrations whose callback may still run.
    pub(crate) fn live(&self) -> NotificationSet {
        NotificationSet::from_bits(self.live.load(Ordering::Acquire))
    }

    /// Records that every registration can be cancelled, so unloading is safe.
    pub(crate) fn allow_unload(&self) {
        self.unloadable.store(true, Ordering::Release);
    }

    /// Whether [`Extension::allow_unload`] was called.
    pub(crate) fn unload_allowed(&self) -> bool {
        self.unloadable.load(Ordering::Acquire)
    }

    /// Takes the stored handle, leaving NULL: each handle is taken, so cancelled, once.
    pub(crate) fn take_handle(&self, notification: Notification) -> Handle {
        self.slot(notification)
            .swap(ptr::null_mut(), Ordering::AcqRel)
    }
}

/// A kind of the driver's own records, each numbered from 1 ([`Numbers`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Numbered {
    /// `settings`.
    Settings,
    /// `loaded`.
    Loaded,
    /// `unloaded`.
    Unloaded,
    /// `counters` (capture-state's: no line).
    Counters,
    /// `storm`.
    Storm,
    /// `error`.
    Error,
    /// `warning`.
    Warning,
}

impl Numbered {
    /// The kind of `record`, if it is one of the driver's own (`None` for the notifications'
    /// and the stable table's, which their counters number).
    #[must_use]
    pub const fn of(record: &Record) -> Option<Self> {
        Some(match record {
            Record::Settings(_) => Self::Settings,
            Record::Loaded(_) => Self::Loaded,
            Record::Unloaded(_) => Self::Unloaded,
            Record::Counters(_) => Self::Counters,
            Record::Storm(_) => Self::Storm,
            Record::Error(_) => Self::Error,
            Record::Warning(_) => Self::Warning,
            Record::Change { .. } | Record::StableTable { .. } | Record::StableEntry { .. } => {
                return None;
            }
        })
    }
}

/// The driver's own records' `seq`, by kind.
///
/// Each kind's records are numbered once, from 1, as they are made (a session listening or
/// not), and the number is given to the record's ETW event, so that the event's `seq` is the
/// record's (`cargo replay --json`'s).
#[derive(Debug, Default)]
pub struct Numbers([AtomicU64; 7]);

impl Numbers {
    /// The next `seq` of `kind`.
    pub fn next(&self, kind: Numbered) -> u64 {
        self.0.get(kind as usize).map_or(0, |count| {
            count.fetch_add(1, Ordering::Relaxed).wrapping_add(1)
        })
    }

    /// The next `seq` of `record`'s kind (0 for a record the driver's counters number).
    pub fn next_of(&self, record: &Record) -> u64 {
        Numbered::of(record).map_or(0, |kind| self.next(kind))
    }
}
