//! Whether a session listens: what the enable callback last asked for.
//!
//! Owns [`Session`] (the level and keywords the sessions asked for, whether the provider is
//! registered, its published registration handle, the stable table's record numbers and the
//! events dropped for want of room) and what an enable callback asks for ([`Control`]).

use core::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};

use super::abi::Level;
use super::provider::{CAPTURE_STATE, RegHandle};

/// What the sessions listening to the provider asked for, as the enable callback last said;
/// and what the provider did.
#[derive(Debug, Default)]
pub struct Session {
    registered: AtomicBool,
    /// The registration handle once the traits are set, else 0: what every write reads.
    handle: AtomicU64,
    enabled: AtomicBool,
    level: AtomicU8,
    any: AtomicU64,
    all: AtomicU64,
    pub(super) dropped: AtomicU64,
    stable_records: AtomicU64,
}

/// What an enable callback asks for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Control {
    /// Enable or disable: nothing to do but remember.
    Updated,
    /// `EVENT_CONTROL_CODE_CAPTURE_STATE`: write the state now.
    CaptureState,
}

impl Session {
    /// Whether an event of `level` and `keyword` is wanted: the one check an event costs when
    /// no session listens. As `EtwEventEnabled` decides: a session level of 0 takes every
    /// level; a keyword is wanted if it is 0, or matches one of `MatchAnyKeyword` and all of
    /// `MatchAllKeyword`.
    ///
    /// And only with a published handle: before the traits are set, after both
    /// `EtwSetInformation` calls failed, and from the unload's unpublish, an event could not be
    /// written, so it is neither built nor counted dropped, whatever an enable callback racing
    /// those moments recorded. Relaxed: the write loads the handle again with Acquire
    /// ([`Session::handle`]); this load only spares the building, one more load per event.
    #[inline]
    pub fn enabled(&self, level: Level, keyword: u64) -> bool {
        if !self.enabled.load(Ordering::Acquire) || self.handle.load(Ordering::Relaxed) == 0 {
            return false;
        }
        let session = self.level.load(Ordering::Relaxed);
        let any = self.any.load(Ordering::Relaxed);
        let all = self.all.load(Ordering::Relaxed);
        (session == 0 || level.as_int() <= session)
            && (keyword == 0 || (keyword & any != 0 && keyword & all == all))
    }

    /// The enable callback: `code` 0 disables, 1 enables with `level` and the keywords, 2 asks
    /// for the state (capture-state, rundown).
    pub fn control(&self, code: u32, level: u8, any: u64, all: u64) -> Control {
        match code {
            0 => self.enabled.store(false, Ordering::Release),
            1 => {
                self.level.store(level, Ordering::Relaxed);
                self.any.store(any, Ordering::Relaxed);
                self.all.store(all, Ordering::Relaxed);
                self.enabled.store(true, Ordering::Release);
            }
            CAPTURE_STATE => return Control::CaptureState,
            _ => {}
        }
        Control::Updated
    }

    /// Records whether the provider is registered.
    pub(crate) fn set_registered(&self, registered: bool) {
        self.registered.store(registered, Ordering::Release);
        if !registered {
            self.enabled.store(false, Ordering::Release);
        }
    }

    /// Publishes the registration handle, once its traits are set: from now on events are
    /// written. The Release store pairs with [`Session::handle`]'s Acquire load, so a writer
    /// that sees the handle also sees everything done before (the traits set). The lifecycle
    /// calls it once per registration.
    pub fn publish(&self, handle: RegHandle) {
        self.handle.store(handle.0, Ordering::Release);
    }

    /// Takes the handle back before it is unregistered: no event is written after this.
    pub(crate) fn unpublish(&self) -> RegHandle {
        RegHandle(self.handle.swap(0, Ordering::AcqRel))
    }

    /// The published handle, `None` before the traits are set and after the unregister.
    pub fn handle(&self) -> Option<RegHandle> {
        match self.handle.load(Ordering::Acquire) {
            0 => None,
            handle => Some(RegHandle(handle)),
        }
    }

    /// Whether the provider is registered.
    pub fn registered(&self) -> bool {
        self.registered.load(Ordering::Acquire)
    }

    /// The next `seq` of the stable table's records (headers and rows alike, from 1), as
    /// `cargo replay --json` numbers them: counted whether or not a session listens.
    pub fn next_stable_record(&self) -> u64 {
        self.stable_records
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_add(1)
    }

    /// Events not written: they did not fit their buffers (none valid does), or
    /// `EtwWriteTransfer` refused them.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}
