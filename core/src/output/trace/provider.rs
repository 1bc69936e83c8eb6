//! The provider's identity and the kernel's routines for it.
//!
//! Owns the provider's name, GUID and traits ([`PROVIDER_NAME`], [`PROVIDER_GUID`],
//! [`PROVIDER_TRAITS`], printed as [`BracedGuid`]), the constants the `Etw*` calls take, the
//! keywords a session selects by ([`keyword`], [`keyword_of`]), and the boundary to the
//! kernel's `Etw*` routines and the enable callback's run-down protection ([`Trace`]).

use core::ffi::c_void;
use core::fmt;

use super::abi::{EventDescriptor, Guid};
use crate::model::names::Names;
use crate::model::notification::Notification;
use crate::model::printed::{Out, Put};
use crate::model::status::NtStatus;

/// The provider's name: `*netnotify` in `tracelog`, WPR and `PerfView`.
pub const PROVIDER_NAME: &str = "netnotify";

/// The provider's GUID: `TraceLogging`'s hash of [`PROVIDER_NAME`].
///
/// SHA-1 over a fixed namespace and the upper-cased name in UTF-16BE), which is what `*netnotify` names. A test
/// checks it against the `tracelogging` crate's `Guid::from_name`.
pub const PROVIDER_GUID: Guid = Guid::from_u128(&0xcabe4808_b99f_5fdb_95a1_c1294a861355);

/// The provider's traits: its size and name.
///
/// As `EtwSetInformation(EventProviderSetTraits)` receives them and as every write's first data descriptor carries them: the total size (u16, little-endian),
/// then the name, NUL-terminated.
pub const PROVIDER_TRAITS: [u8; 12] = *b"\x0c\x00netnotify\0";

/// `EVENT_INFO_CLASS::EventProviderSetTraits`.
pub const EVENT_PROVIDER_SET_TRAITS: u32 = 2;
/// `EVENT_INFO_CLASS::EventProviderUseDescriptorType`.
pub const EVENT_PROVIDER_USE_DESCRIPTOR_TYPE: u32 = 3;

/// A provider registration handle (`REGHANDLE`), as `EtwRegister` returned it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RegHandle(pub u64);

/// What `EtwSetInformation` sets on the registration.
///
/// Either makes ETW read the data descriptors' `Type`, without which every event's metadata
/// would be logged as payload (Microsoft Learn, "`EVENT_DATA_DESCRIPTOR`" and
/// "`EVENT_INFO_CLASS`").
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ProviderInformation {
    /// `EventProviderSetTraits` with [`PROVIDER_TRAITS`]: the provider's name too.
    Traits,
    /// `EventProviderUseDescriptorType` with a `BOOLEAN` `TRUE`: the types only. Every write
    /// carries the traits in its first data descriptor, so the events name their provider all
    /// the same.
    UseDescriptorType,
}

impl ProviderInformation {
    /// The `EVENT_INFO_CLASS` value.
    #[must_use]
    pub const fn class(self) -> u32 {
        match self {
            Self::Traits => EVENT_PROVIDER_SET_TRAITS,
            Self::UseDescriptorType => EVENT_PROVIDER_USE_DESCRIPTOR_TYPE,
        }
    }

    /// The information `EtwSetInformation` reads: the traits, or one `BOOLEAN` `TRUE`.
    #[must_use]
    pub const fn bytes(self) -> &'static [u8] {
        match self {
            Self::Traits => &PROVIDER_TRAITS,
            Self::UseDescriptorType => &[1],
        }
    }

    /// The class's name, as the warning lines print it.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Traits => "EventProviderSetTraits",
            Self::UseDescriptorType => "EventProviderUseDescriptorType",
        }
    }
}

/// `EVENT_DATA_DESCRIPTOR.Reserved` (the descriptor's type) of the provider traits.
pub const DESCRIPTOR_PROVIDER_TRAITS: u32 = 2;
/// `EVENT_DATA_DESCRIPTOR.Reserved` of the event metadata.
pub const DESCRIPTOR_EVENT_METADATA: u32 = 1;
/// `EVENT_DATA_DESCRIPTOR.Reserved` of the payload.
pub const DESCRIPTOR_PAYLOAD: u32 = 0;

/// The most payload parts a [`Trace::write`] takes: the buffer, the name and its NUL, the
/// alias and its NUL.
pub const PAYLOAD_PARTS: usize = 5;

/// A UTF-16 NUL: the end of a name's units.
static NUL16: [u8; 2] = [0; 2];

/// The payload's parts, in order.
///
/// The buffer, then (in an event with the interface's names) the name's UTF-16 units and
/// their NUL, the alias's and theirs. A name that is empty or unknown is its NUL alone: no
/// data descriptor of no bytes. Listed without an array of them on the stack (the callbacks'
/// budget).
#[derive(Clone, Debug)]
pub struct Parts<'a> {
    payload: &'a [u8],
    names: Option<&'a Names>,
    next: u8,
}

impl<'a> Parts<'a> {
    /// The parts of `payload` and `names`.
    #[must_use]
    pub const fn new(payload: &'a [u8], names: Option<&'a Names>) -> Self {
        Self {
            payload,
            names,
            next: 0,
        }
    }
}

impl<'a> Iterator for Parts<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        loop {
            let step = self.next;
            self.next = self.next.saturating_add(1);
            let part: &'a [u8] = match (step, self.names) {
                (0, _) => self.payload,
                (1, Some(names)) => names.name.utf16_bytes(),
                (3, Some(names)) => names.alias.utf16_bytes(),
                (2 | 4, Some(_)) => &NUL16,
                _ => return None,
            };
            if !part.is_empty() || step == 0 {
                return Some(part);
            }
        }
    }
}

/// `EVENT_CONTROL_CODE_CAPTURE_STATE`: a controller asks for the provider's state.
pub const CAPTURE_STATE: u32 = 2;

/// The keywords, one per kind, as a session selects them (`MatchAnyKeyword`).
pub mod keyword {
    /// Interface notifications.
    pub const INTERFACE: u64 = 0x1;
    /// Unicast address notifications.
    pub const ADDRESS: u64 = 0x2;
    /// Route notifications.
    pub const ROUTE: u64 = 0x4;
    /// Stable unicast address tables and their entries.
    pub const STABLE_TABLE: u64 = 0x8;
    /// Settings, loaded, unloaded, counters, storm summaries, warnings and errors.
    pub const LIFECYCLE: u64 = 0x10;
}

/// The keyword of a notification kind's events.
#[must_use]
pub const fn keyword_of(notification: Notification) -> u64 {
    match notification {
        Notification::Interface => keyword::INTERFACE,
        Notification::Address => keyword::ADDRESS,
        Notification::Route => keyword::ROUTE,
        Notification::StableTable => keyword::STABLE_TABLE,
    }
}

/// The kernel's ETW routines for the provider, and the run-down protection of its enable
/// callback.
///
/// The shell implements them with `EtwRegister`, `EtwSetInformation`, `EtwWriteTransfer` and
/// `EtwUnregister` (wdm.h; Microsoft Learn pages of the same names) and with
/// `ExInitializeRundownProtection`, `ExAcquireRundownProtection`, `ExReleaseRundownProtection`
/// and `ExWaitForRundownProtectionRelease` on one `EX_RUNDOWN_REF` in the image's static
/// storage; the simulator with a recording double that checks each contract.
///
/// The implementation holds no handle: the core keeps the one `register` returned, publishes
/// it in the [`Session`](super::Session) once the traits are set, and passes it to every call.
/// A `write` the core makes therefore never sees a handle whose traits are not set, nor (the
/// run-down wait comes before `unregister`) one that is unregistered.
#[allow(
    unsafe_code,
    reason = "declares the enable callback's context contract; calls happen in the raw module"
)]
pub trait Trace: Sync {
    /// `EtwRegister(&PROVIDER_GUID, the enable callback, context, &handle)` into a local
    /// handle, returned on success. `PASSIVE_LEVEL`.
    ///
    /// The enable callback calls [`crate::trace_enable`] with `context`; it may run before
    /// this returns (a session already listening), and on another thread.
    ///
    /// # Errors
    /// `EtwRegister`'s status when it fails; nothing is registered then.
    ///
    /// # Safety
    /// `context` is the extension holding this trace; [`Trace::rundown_wait`] returns before
    /// [`Trace::unregister`] and before it is dropped.
    unsafe fn register(&self, context: *mut c_void) -> Result<RegHandle, NtStatus>;
    /// `EtwSetInformation(handle, information.class(), information.bytes())`, after a
    /// successful [`Trace::register`] and before the handle is published. `PASSIVE_LEVEL`.
    fn set_information(&self, handle: RegHandle, information: ProviderInformation) -> NtStatus;
    /// `EtwUnregister(handle)`, once, after a successful [`Trace::register`] and after
    /// [`Trace::rundown_wait`] returned: an enable callback holding the protection may still
    /// write with the handle, and no tracing call may follow `EtwUnregister` ("`EtwUnregister`
    /// function (wdm.h)"). No Microsoft page says that it waits for an enable callback already
    /// running (docs/netio.md#etw). `PASSIVE_LEVEL`.
    fn unregister(&self, handle: RegHandle);
    /// `EtwWriteTransfer(handle, descriptor, NULL, NULL, n, …)` with the data descriptors
    /// [`PROVIDER_TRAITS`] (`Reserved` 2), `metadata` (1) and each part of the payload (0) that
    /// [`Parts`] lists for `payload` and `names`, in order: ETW joins the parts into one
    /// payload. At most [`PAYLOAD_PARTS`] parts. Any IRQL: the metadata is the image's, the
    /// parts are on the caller's stack (its payload buffer, the interface's names), which is
    /// not paged out while it runs above `APC_LEVEL`. Only called with a published handle
    /// (traits set, not unregistered).
    fn write(
        &self,
        handle: RegHandle,
        descriptor: &EventDescriptor,
        metadata: &[u8],
        payload: &[u8],
        names: Option<&Names>,
    ) -> NtStatus;
    /// `ExInitializeRundownProtection` of the enable callback's run-down reference. Once, at
    /// `PASSIVE_LEVEL`, before [`Trace::register`] (`<= APC_LEVEL`).
    fn rundown_init(&self);
    /// `ExAcquireRundownProtection`: whether the enable callback may use its context. `false`
    /// once [`Trace::rundown_wait`] has begun; then the callback returns without touching it.
    /// `<= DISPATCH_LEVEL` (the reference is in non-paged static storage).
    fn rundown_acquire(&self) -> bool;
    /// `ExReleaseRundownProtection`, once after each `rundown_acquire` that returned `true`.
    /// `<= DISPATCH_LEVEL`.
    fn rundown_release(&self);
    /// `ExWaitForRundownProtectionRelease`: no acquire succeeds from its start, and it returns
    /// once every acquirer has released. Once, after the handle is unpublished and before
    /// [`Trace::unregister`] and the context is dropped. `<= APC_LEVEL`.
    fn rundown_wait(&self);
}

/// [`PROVIDER_GUID`] as `tracelog`, `netsh` and the `loaded` line print it:
/// `{cabe4808-b99f-5fdb-95a1-c1294a861355}`.
pub struct BracedGuid;

impl Put for BracedGuid {
    fn put<O: Out>(&self, out: &mut O) {
        out.put_str("{");
        out.put_ascii(&PROVIDER_GUID.to_utf8_bytes());
        out.put_str("}");
    }
}

impl fmt::Display for BracedGuid {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = PROVIDER_GUID.to_utf8_bytes();
        formatter.write_str("{")?;
        formatter.write_str(core::str::from_utf8(&text).unwrap_or("?"))?;
        formatter.write_str("}")
    }
}
