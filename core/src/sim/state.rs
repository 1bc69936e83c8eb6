//! The simulated kernel's state behind [`Sim`]: the registrations and their callbacks, the
//! device, the storm timer, the registry, what the ETW double knows of the provider ([`Etw`],
//! its run-down reference, the writes), and the lock that guards them.

use core::ffi::c_void;
use core::ptr::NonNull;
use std::alloc::Layout;
use std::boxed::Box;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::string::String;
use std::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize};
use std::sync::{Condvar, Mutex};
use std::vec::Vec;

use crate::boundary::ffi::{
    MibIpForwardRow2, MibIpInterfaceRow, MibUnicastIpAddressRow, MibUnicastIpAddressTable,
};
use crate::boundary::host::Level;
use crate::model::notification::Notification;
use crate::model::settings::RawValue;
use crate::model::status::NtStatus;

use super::network::Network;
use super::scenario::{Call, Event, Outcome, RegistryOpen, StableMode};
use crate::output::trace::EventDescriptor;

#[derive(Clone, Copy)]
pub(super) enum Callback {
    Interface(unsafe extern "system" fn(*mut c_void, *mut MibIpInterfaceRow, i32)),
    Address(unsafe extern "system" fn(*mut c_void, *mut MibUnicastIpAddressRow, i32)),
    Route(unsafe extern "system" fn(*mut c_void, *mut MibIpForwardRow2, i32)),
    Stable(unsafe extern "system" fn(*mut c_void, *mut MibUnicastIpAddressTable)),
}

pub(super) struct Registration {
    pub(super) notification: Notification,
    /// `Family`: `AF_UNSPEC`, or the only family NETIO reports to it.
    pub(super) family: u16,
    pub(super) callback: Callback,
    /// The caller context, provenance kept (so Miri checks every access through it).
    pub(super) context: SendPtr,
    /// The handle given out (0 for a NULL-handle registration).
    pub(super) handle: usize,
    pub(super) in_flight: usize,
    pub(super) cancelling: bool,
    /// The device holding the context was deleted while this registration was live.
    pub(super) orphaned: bool,
}

/// A raw pointer that crosses threads inside the simulator's state.
#[derive(Clone, Copy)]
pub(super) struct SendPtr(pub(super) *mut c_void);

// SAFETY: the pointee is the driver's extension or a table, both usable from any thread (the
// driver's callbacks run on arbitrary threads by contract).
unsafe impl Send for SendPtr {}

pub(super) struct Device {
    pub(super) extension: NonNull<u8>,
    pub(super) layout: Layout,
}

#[derive(Default)]
pub(super) struct State {
    pub(super) calls: Vec<Call>,
    /// The ETW double's state (`etw.rs`).
    pub(super) etw: Etw,
    pub(super) violations: Vec<String>,
    /// `ObReferenceObject` of the driver object was called: the image stays mapped.
    pub(super) driver_kept: bool,
    pub(super) scripts: BTreeMap<Notification, VecDeque<Outcome>>,
    pub(super) cancel_failures: BTreeMap<Notification, NtStatus>,
    pub(super) query_failures: BTreeMap<Notification, NtStatus>,
    /// The status the next `Get*Table` call of a kind fails with.
    pub(super) table_failures: BTreeMap<Notification, NtStatus>,
    pub(super) parameters: BTreeMap<String, RawValue>,
    pub(super) network: Network,
    pub(super) create_device_failure: Option<NtStatus>,
    pub(super) stable_mode: Option<StableMode>,
    pub(super) during_registration: BTreeMap<Notification, Vec<Event>>,
    pub(super) registrations: BTreeMap<u64, Registration>,
    pub(super) next_id: u64,
    pub(super) cancelled_handles: BTreeSet<usize>,
    /// Tables handed out and not freed: where, how allocated, and the IRQL it was delivered at.
    pub(super) tables: BTreeMap<usize, (SendPtr, Layout, u8)>,
    pub(super) freed_tables: BTreeSet<usize>,
    pub(super) device: Option<Device>,
    pub(super) unload_enabled: bool,
    pub(super) delivered: BTreeMap<(Notification, i32), u64>,
    pub(super) stable_deliveries: u64,
    pub(super) registry: Registry,
    /// Serving a driver whose device lives elsewhere ([`Sim::serve_external_driver`]).
    pub(super) external: Option<External>,
    /// Each interface's name and alias, by LUID ([`Sim::name_interface`]).
    pub(super) names: BTreeMap<u64, (String, String)>,
    pub(super) timer: Timer,
}

impl State {
    /// Marks every live registration whose context `dies` as orphaned and records `what`
    /// happened to it as misuse: the callback would touch freed memory or unmapped code, so the
    /// simulator records it and never delivers to it again.
    pub(super) fn orphan(&mut self, dies: impl Fn(&Registration) -> bool, what: &str) {
        let mut live = Vec::new();
        for registration in self.registrations.values_mut() {
            if dies(registration) {
                registration.orphaned = true;
                live.push(registration.notification);
            }
        }
        for notification in live {
            self.violations.push(std::format!(
                "{what} while the {} registration is live",
                notification.name()
            ));
        }
    }
}

/// The storm timer the driver keeps in its sink: a one-shot kernel timer and its DPC.
#[derive(Default)]
pub(super) struct Timer {
    /// The DPC's context, once `KeInitializeTimer`/`KeInitializeDpc` ran.
    pub(super) context: Option<SendPtr>,
    /// When it expires, if set.
    pub(super) due: Option<u64>,
    /// `KeCancelTimer` + `KeFlushQueuedDpcs` ran.
    pub(super) stopped: bool,
    /// Every due time it was set to, in order.
    pub(super) sets: Vec<u64>,
    /// Every time it expired (the DPC ran), in order.
    pub(super) expiries: Vec<u64>,
}

/// The context of a driver whose device lives elsewhere.
#[derive(Clone, Copy)]
pub(super) enum External {
    /// No registration yet.
    Unseen,
    /// The context the first registration named.
    Context(usize),
}

/// A subkey of the service key.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Subkey {
    /// `Parameters`: the settings.
    Parameters,
    /// `State`: where Windows keeps the driver's persistent state, which the driver must not
    /// read settings from. Here so that a driver opening it would read what a test put there.
    State,
}

impl Subkey {
    pub(super) const fn name(self) -> &'static str {
        match self {
            Self::Parameters => "Parameters",
            Self::State => "State",
        }
    }
}

/// The simulated registry as the driver sees it.
#[derive(Default)]
pub(super) struct Registry {
    /// Whether the kernel has `IoOpenDriverRegistryKey` (Windows 10 1803 and later).
    pub(super) driver_key_routine: bool,
    /// The status the next open of `Parameters` fails with.
    pub(super) open_failure: Option<NtStatus>,
    /// Whether the `State` key exists (a value was set in it).
    pub(super) state_key: bool,
    /// The values of the `State` key.
    pub(super) state: BTreeMap<String, RawValue>,
    pub(super) opens: Vec<RegistryOpen>,
    pub(super) open_keys: BTreeMap<usize, Subkey>,
    pub(super) next_key: usize,
}

// SAFETY: the device memory is owned by the state, and only touched under its mutex or by the
// driver under the Host contract; nothing in it is tied to a thread.
#[allow(clippy::non_send_fields_in_send_ty, reason = "see the SAFETY comment")]
unsafe impl Send for State {}

/// [`Inner::decision`]: storm control decides, as in the driver.
pub(super) const DECIDED_BY_STORM: u8 = 0;
/// [`Inner::decision`]: the driver printed the event's line.
pub(super) const DECIDED_PRINTED: u8 = 1;
/// [`Inner::decision`]: storm control kept the event's line out.
pub(super) const DECIDED_KEPT_OUT: u8 = 2;

pub(super) struct Inner {
    pub(super) state: Mutex<State>,
    /// The IRQL every thread runs at, unless it runs a DPC ([`DPC_IRQL`]).
    pub(super) irql: AtomicU8,
    /// The stack every callback and DPC finds left at its entry ([`super::DEFAULT_STACK`]
    /// until [`super::Sim::set_stack`]).
    pub(super) stack: AtomicUsize,
    pub(super) idle: Condvar,
    pub(super) lines: Mutex<Vec<(Level, String)>>,
    /// Every event record (`Sink::record`), with the number of lines printed before it.
    pub(super) events: Mutex<Vec<(usize, crate::model::record::Record)>>,
    /// The monotonic clock the sink reports (100-ns units); moved only by the test.
    pub(super) clock: AtomicU64,
    /// Storm control's decision the next events replay ([`super::Sim::decide`]):
    /// [`DECIDED_BY_STORM`] (storm control decides), [`DECIDED_PRINTED`] or
    /// [`DECIDED_KEPT_OUT`].
    pub(super) decision: AtomicU8,
    /// What `DriverEntry` receives as `RegistryPath`.
    pub(super) service_key: Box<[u16]>,
}

/// One `EtwWriteTransfer`: the event descriptor and the three data descriptors' bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Write {
    /// The event descriptor.
    pub descriptor: EventDescriptor,
    /// The provider traits (data descriptor `Reserved` 2).
    pub traits: Vec<u8>,
    /// The event metadata (`Reserved` 1).
    pub metadata: Vec<u8>,
    /// The payload (`Reserved` 0): its parts, joined.
    pub payload: Vec<u8>,
}

/// What the double knows of the provider.
#[derive(Default)]
pub struct Etw {
    /// The status the next `EtwRegister` fails with.
    pub(super) register_failure: Option<NtStatus>,
    /// The status the next `EtwSetInformation(EventProviderSetTraits)` fails with.
    pub(super) set_traits_failure: Option<NtStatus>,
    /// The status the next `EtwSetInformation(EventProviderUseDescriptorType)` fails with.
    pub(super) descriptor_type_failure: Option<NtStatus>,
    /// A session already listening when the provider registers: its level and keywords.
    pub(super) session_at_register: Option<(u8, u64, u64)>,
    /// That session also asks for capture-state inside `EtwRegister`.
    pub(super) capture_state_at_register: bool,
    /// The status the next `EtwWriteTransfer` fails with (a session out of buffers).
    pub(super) write_failure: Option<NtStatus>,
    /// Whether ETW reads the data descriptors' types: set by either `EtwSetInformation`.
    pub(super) types_read: bool,
    /// Enable callbacks that come while the driver waits for the run-down (`code`s).
    pub(super) during_rundown_wait: Vec<u32>,
    /// Enable callbacks on another thread that acquire the protection just before the
    /// driver's wait begins (`code`s).
    pub(super) before_rundown_wait: Vec<u32>,
    /// The enable callback's run-down reference.
    pub(super) rundown: Rundown,
    /// The IRQL the enable callback runs at (`PASSIVE_LEVEL`, 0, by default).
    pub(super) callback_irql: u8,
    /// The enable callback's context while registered.
    pub(super) context: Option<SendPtr>,
    /// The context of the last registration, for the callbacks that outlive it.
    pub(super) last_context: Option<SendPtr>,
    /// `EtwRegister` calls that succeeded, and `EtwUnregister` calls.
    pub(super) registrations: u32,
    pub(super) unregistrations: u32,
    /// What `EtwSetInformation(EventProviderSetTraits)` received.
    pub(super) traits: Option<Vec<u8>>,
    pub(super) writes: Vec<Write>,
    /// The metadata of each event name written, as first written: every later event of the
    /// name must carry the same bytes (one schema per name).
    pub(super) metadata: Vec<Vec<u8>>,
    /// Every call, in order, as [`log_line`] and its siblings write them (`--keep-etw`).
    pub(super) log: Vec<String>,
}

/// An `EX_RUNDOWN_REF` as the `Ex*RundownProtection` routines keep it.
#[derive(Default, Debug)]
pub struct Rundown {
    /// `ExInitializeRundownProtection` ran.
    pub(super) initialised: bool,
    /// Protections acquired and not released.
    pub(super) held: u32,
    /// `ExWaitForRundownProtectionRelease` has begun: no acquire succeeds any more.
    pub(super) waiting: bool,
    /// It returned.
    pub(super) waited: bool,
    /// Acquires that succeeded, and those refused because the wait had begun.
    pub(super) acquired: u32,
    pub(super) refused: u32,
}

impl Etw {
    /// Whether the device may be deleted: a provider that was ever registered has had its
    /// run-down waited for.
    pub(super) const fn rundown_done(&self) -> bool {
        self.registrations == 0 || self.rundown.waited
    }

    /// Whether the provider is registered.
    pub(super) const fn registered(&self) -> bool {
        self.context.is_some()
    }
}
