//! The NETIO double for the Wine harness (`ci/wine/run`): the fourteen NETIO functions netnotify
//! imports, exported by a `netio.sys` that Wine loads in place of its placeholder, with the
//! semantics of the simulator of `netnotify-core` (it *is* that simulator, serving a driver
//! that Wine's kernel loaded), driven by the same JSON Lines scenario as `cargo replay`.
//!
//! - Initial notifications come inside the register call (twice for `AF_UNSPEC`, NULL rows);
//!   the stable table completes immediately or stays pending; `Get*Entry` answers from the
//!   simulated network; the LUID conversions answer the scenario's `name` steps; a cancel
//!   waits for callbacks in flight and none runs after it.
//! - The scenario's events run on the double's own thread, after `DriverEntry` returned: the
//!   harness creates `C:\netnotify\go` once `sc start` is back; the double plays up to the
//!   scenario's `unload` and creates `C:\netnotify\done`. A `clock` step also waits in real
//!   time (up to 5 s), so that the driver's storm timer, a real Wine timer, can expire.
//! - Misuse (a NULL, unknown or double cancel, a table never freed, a context that is not the
//!   one the first registration named) is in `C:\netnotify\double.txt`, rewritten after every
//!   registration, every cancel and the events, with what is still registered, the tables not
//!   freed and the cancels; misuse of pointers goes to `C:\netnotify\misuse.txt`. The harness
//!   fails on any.
//!
//! It also exports the kernel functions Wine 8.0 lacks and the driver imports:
//! `KeGetCurrentIrql` and `KeQueryUnbiasedInterruptTime`, answered from the scenario's IRQL and
//! clock, as `cargo replay` answers them; and `EtwRegister`, `EtwSetInformation`,
//! `EtwWriteTransfer` and `EtwUnregister`, which play an ETW session as `cargo replay --etw`
//! does (the session the harness wrote into `C:\netnotify\etw-session.txt`: the enable
//! callback inside `EtwRegister` with its level and keywords, and capture-state after the
//! events) and log every call to `C:\netnotify\etw.jsonl` in the same format
//! (docs/replay.md#etw), with a write before `EtwSetInformation` as misuse; and
//! `ExInitializeRundownProtection`, `ExAcquireRundownProtection`, `ExReleaseRundownProtection`
//! and `ExWaitForRundownProtectionRelease`, which Wine 8.0's ntoskrnl.exe exports only as
//! stubs that raise an exception when called: here with the documented semantics (no acquire
//! succeeds once the wait has begun; the wait returns when every acquirer has released) and
//! misuse checks (an `EtwUnregister` before the wait returned is one). Only the harness's build of the image imports them from here
//! (`ci/wine/imports/`); the Windows image imports them from ntoskrnl.exe.
#![allow(
    non_snake_case,
    clippy::missing_safety_doc,
    reason = "the exported names and contracts are NETIO's (docs/netio.md#registration)"
)]

use core::ffi::c_void;
use core::{ptr, slice};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};
use std::{fs, thread};

use netnotify_core::boundary::ffi::{
    Handle, IpForwardChangeCallback, IpInterfaceChangeCallback, MibIpForwardRow2,
    MibIpForwardTable2, MibIpInterfaceRow, MibIpInterfaceTable, MibUnicastIpAddressRow,
    MibUnicastIpAddressTable, StableUnicastIpAddressTableCallback, UnicastIpAddressChangeCallback,
};
use netnotify_core::boundary::host::Clock;
use netnotify_core::boundary::netio::{Irql, NetIo};
use netnotify_core::model::status::NtStatus;
use netnotify_core::output::trace::{CAPTURE_STATE, EventDescriptor, Guid};
use netnotify_core::sim::{Call, Sim, etw_log};
use netnotify_replay::EtwSession;

mod etw_transport;

/// Where the harness and the double meet: `$WINEPREFIX/drive_c/netnotify`.
const FOLDER: &str = r"C:\netnotify";
/// How long the double waits for the harness's `go` before it gives up on the events.
const GO_TIMEOUT: Duration = Duration::from_mins(1);

/// The simulator serving the driver, created at the first call into the double.
static SIM: OnceLock<Sim> = OnceLock::new();

fn path(name: &str) -> String {
    format!(r"{FOLDER}\{name}")
}

#[link(name = "kernel32")]
unsafe extern "system" {
    fn GetModuleHandleExW(flags: u32, name: *const u16, module: *mut *mut c_void) -> i32;
}

/// `GET_MODULE_HANDLE_EX_FLAG_PIN | GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS`.
const PIN_THE_MODULE_AT_THIS_ADDRESS: u32 = 0x1 | 0x4;

/// Keeps this DLL loaded until the process ends. Wine unloads NETIO.SYS with its last
/// importer, the driver, while the double's thread may still be playing events (a storm
/// stopped by `sc stop`); the real NETIO never unloads.
fn pin() {
    let mut module = ptr::null_mut();
    // SAFETY: an address inside this DLL (this function) and a valid out-pointer.
    let pinned = unsafe {
        GetModuleHandleExW(
            PIN_THE_MODULE_AT_THIS_ADDRESS,
            pin as *const u16,
            &raw mut module,
        )
    };
    if pinned == 0 {
        misuse("the double could not pin itself in memory (GetModuleHandleExW failed)");
    }
}

/// The simulator, with the scenario's setup played; its events start on their own thread.
/// The longest real wait for a `clock` step.
const QUIET_WAIT: Duration = Duration::from_secs(5);

fn sim() -> &'static Sim {
    SIM.get_or_init(|| {
        pin();
        let sim = Sim::new();
        sim.serve_external_driver();
        let scenario = fs::read_to_string(path("scenario.jsonl"))
            .map_err(|error| format!("cannot read the scenario: {error}"))
            .and_then(|text| netnotify_replay::parse(&text).map_err(|error| error.to_string()));
        match scenario {
            Ok(scenario) => {
                scenario.play_setup(&sim);
                let player = sim.clone();
                thread::spawn(move || {
                    if wait_for(&path("go")) {
                        // A `clock` step is quiet time: wait as long in real time (at most
                        // 5 s), so that the driver's storm timer, a real Wine kernel timer
                        // set in real time, expires inside it as the simulator's does.
                        // A `capture-state` step is the double's session attaching.
                        scenario.play_events_controlling(
                            &player,
                            |ticks| {
                                thread::sleep(Duration::from_micros(ticks / 10).min(QUIET_WAIT));
                            },
                            enable,
                        );
                        if session().capture_state {
                            enable(CAPTURE_STATE, 0, 0);
                        }
                    }
                    report(&player, "events played");
                    let _ = fs::write(path("done"), "");
                });
            }
            Err(error) => misuse(&format!("scenario: {error}")),
        }
        sim
    })
}

/// Polls for `file` until it exists or [`GO_TIMEOUT`] passes.
fn wait_for(file: &str) -> bool {
    let start = Instant::now();
    while start.elapsed() < GO_TIMEOUT {
        if Path::new(file).exists() {
            return true;
        }
        thread::sleep(Duration::from_millis(1));
    }
    false
}

/// Writes what the double saw: every misuse, what is still registered, tables not freed.
fn report(sim: &Sim, when: &str) {
    let mut text = format!("report: {when}\n");
    for violation in sim.violations() {
        let _ = writeln!(text, "misuse: {violation}");
    }
    let live = sim.live_registrations();
    let _ = writeln!(text, "registered: {}", live.len());
    for notification in live {
        let _ = writeln!(text, "registered: {}", notification.name());
    }
    let _ = writeln!(text, "tables not freed: {}", sim.live_tables());
    let cancels = sim
        .calls()
        .iter()
        .filter(|call| matches!(call, Call::Cancel { .. }))
        .count();
    let _ = writeln!(text, "cancels: {cancels}");
    let _ = fs::write(path("double.txt"), text);
}

/// Records misuse the simulator cannot see (it is called with references, never NULL).
fn misuse(text: &str) {
    let written = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path("misuse.txt"))
        .and_then(|mut file| {
            std::io::Write::write_all(&mut file, format!("misuse: {text}\n").as_bytes())
        });
    drop(written);
}

/// Writes `handle` through the caller's out-pointer; a NULL one is misuse, reported.
///
/// # Safety
/// `out` is NULL or valid for a write.
unsafe fn store(out: *mut Handle, handle: Handle, function: &str) {
    if out.is_null() {
        misuse(&format!("{function} with a NULL handle pointer"));
        return;
    }
    // SAFETY: non-NULL, and valid for a write by the caller's contract.
    unsafe { out.write(handle) };
}

/// A registration on the simulator: its handle goes out through the driver's pointer, and the
/// report is rewritten.
///
/// # Safety
/// `handle` is NULL or valid for a write; `register` keeps NETIO's contract.
unsafe fn register(
    function: &str,
    handle: *mut Handle,
    register: impl FnOnce(&Sim, &mut Handle) -> NtStatus,
) -> NtStatus {
    let mut registered = ptr::null_mut();
    let status = register(sim(), &mut registered);
    // SAFETY: the driver's out-pointer (this function's contract).
    unsafe { store(handle, registered, function) };
    report(sim(), &format!("after {function}"));
    status
}

/// Declares a change registration, forwarded to the simulator's method of the same name.
macro_rules! change_registration {
    ($($export:ident($callback:ty) => $method:ident;)*) => {$(
        #[doc = concat!("NETIO's `", stringify!($export), "`, served by the simulator.")]
        #[unsafe(no_mangle)]
        pub unsafe extern "system" fn $export(
            family: u16,
            callback: $callback,
            context: *mut c_void,
            initial_notification: u8,
            handle: *mut Handle,
        ) -> NtStatus {
            let call = |sim: &Sim, registered: &mut Handle| {
                // SAFETY: NETIO's contract, which the driver under test keeps (the simulator
                // checks it).
                unsafe { sim.$method(family, callback, context, initial_notification, registered) }
            };
            // SAFETY: `handle` is the driver's out-pointer.
            unsafe { register(stringify!($export), handle, call) }
        }
    )*};
}

change_registration! {
    NotifyIpInterfaceChange(IpInterfaceChangeCallback) => notify_ip_interface_change;
    NotifyUnicastIpAddressChange(UnicastIpAddressChangeCallback) => notify_unicast_ip_address_change;
    NotifyRouteChange2(IpForwardChangeCallback) => notify_route_change2;
}

/// NETIO's `NotifyStableUnicastIpAddressTable`, served by the simulator.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NotifyStableUnicastIpAddressTable(
    family: u16,
    table: *mut *mut MibUnicastIpAddressTable,
    callback: StableUnicastIpAddressTableCallback,
    context: *mut c_void,
    handle: *mut Handle,
) -> NtStatus {
    let mut immediate = ptr::null_mut();
    let call = |sim: &Sim, registered: &mut Handle| {
        // SAFETY: NETIO's contract, which the driver under test keeps.
        unsafe {
            sim.notify_stable_unicast_ip_address_table(
                family,
                &mut immediate,
                callback,
                context,
                registered,
            )
        }
    };
    // SAFETY: `handle` is the driver's out-pointer.
    let status = unsafe { register("NotifyStableUnicastIpAddressTable", handle, call) };
    if table.is_null() {
        misuse("NotifyStableUnicastIpAddressTable with a NULL table pointer");
    } else {
        // SAFETY: non-NULL, and valid for a write by NETIO's contract.
        unsafe { table.write(immediate) };
    }
    status
}

/// NETIO's `CancelMibChangeNotify2`, served by the simulator.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn CancelMibChangeNotify2(handle: Handle) -> NtStatus {
    let sim = sim();
    // SAFETY: the simulator checks the handle (NULL, unknown, cancelled twice: misuse).
    let status = unsafe { sim.cancel_mib_change_notify2(handle) };
    report(sim, "after a cancel");
    status
}

/// NETIO's `FreeMibTable`, served by the simulator.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn FreeMibTable(memory: *mut c_void) {
    // SAFETY: the simulator checks the table (unknown or freed twice: misuse).
    unsafe { sim().free_mib_table(memory) };
}

/// NETIO's `GetIpInterfaceEntry`, served by the simulator.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn GetIpInterfaceEntry(row: *mut MibIpInterfaceRow) -> NtStatus {
    // SAFETY: NETIO's contract: a valid, exclusive row to read the keys from and fill.
    unsafe { row.as_mut() }.map_or(NtStatus::INVALID_PARAMETER, |row| {
        sim().get_ip_interface_entry(row)
    })
}

/// NETIO's `GetUnicastIpAddressEntry`, served by the simulator.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn GetUnicastIpAddressEntry(
    row: *mut MibUnicastIpAddressRow,
) -> NtStatus {
    // SAFETY: as above.
    unsafe { row.as_mut() }.map_or(NtStatus::INVALID_PARAMETER, |row| {
        sim().get_unicast_ip_address_entry(row)
    })
}

/// NETIO's `GetIpForwardEntry2`, served by the simulator.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn GetIpForwardEntry2(row: *mut MibIpForwardRow2) -> NtStatus {
    // SAFETY: as above.
    unsafe { row.as_mut() }.map_or(NtStatus::INVALID_PARAMETER, |row| {
        sim().get_ip_forward_entry2(row)
    })
}

/// NETIO's `GetIpInterfaceTable`, served by the simulator (a capture-state rundown): a table
/// of the simulated network's interfaces, which the driver frees with `FreeMibTable`.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn GetIpInterfaceTable(
    family: u16,
    table: *mut *mut MibIpInterfaceTable,
) -> NtStatus {
    // SAFETY: NETIO's contract: a valid out-pointer.
    unsafe { table.as_mut() }.map_or(NtStatus::INVALID_PARAMETER, |table| {
        sim().get_ip_interface_table(family, table)
    })
}

/// NETIO's `GetUnicastIpAddressTable`, served by the simulator.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn GetUnicastIpAddressTable(
    family: u16,
    table: *mut *mut MibUnicastIpAddressTable,
) -> NtStatus {
    // SAFETY: as above.
    unsafe { table.as_mut() }.map_or(NtStatus::INVALID_PARAMETER, |table| {
        sim().get_unicast_ip_address_table(family, table)
    })
}

/// NETIO's `GetIpForwardTable2`, served by the simulator.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn GetIpForwardTable2(
    family: u16,
    table: *mut *mut MibIpForwardTable2,
) -> NtStatus {
    // SAFETY: as above.
    unsafe { table.as_mut() }.map_or(NtStatus::INVALID_PARAMETER, |table| {
        sim().get_ip_forward_table2(family, table)
    })
}

/// NETIO's `ConvertInterfaceLuidToNameA`, served by the simulator (the scenario's `name`
/// steps).
#[unsafe(no_mangle)]
pub unsafe extern "system" fn ConvertInterfaceLuidToNameA(
    luid: *const u64,
    name: *mut u8,
    length: usize,
) -> NtStatus {
    // SAFETY: NETIO's contract, forwarded.
    unsafe { convert(luid, name, length, Sim::convert_interface_luid_to_name) }
}

/// NETIO's `ConvertInterfaceLuidToAlias`, served by the simulator.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn ConvertInterfaceLuidToAlias(
    luid: *const u64,
    alias: *mut u16,
    length: usize,
) -> NtStatus {
    // SAFETY: NETIO's contract, forwarded.
    unsafe { convert(luid, alias, length, Sim::convert_interface_luid_to_alias) }
}

/// A LUID conversion: the LUID and the caller's buffer of `length` units, as `call` takes them.
///
/// # Safety
/// NETIO's contract: `luid` is NULL or readable; `buffer` is NULL or writable for `length`
/// units and the caller's for the call.
unsafe fn convert<T>(
    luid: *const u64,
    buffer: *mut T,
    length: usize,
    call: impl FnOnce(&Sim, u64, &mut [T]) -> NtStatus,
) -> NtStatus {
    if luid.is_null() || buffer.is_null() {
        return NtStatus::INVALID_PARAMETER;
    }
    // SAFETY: non-NULL (checked above) and readable (caller).
    let luid = unsafe { luid.read_unaligned() };
    // SAFETY: non-NULL (checked above), writable for `length` units, ours (caller).
    let buffer = unsafe { slice::from_raw_parts_mut(buffer, length) };
    call(sim(), luid, buffer)
}

/// Harness only (Wine 8.0 has no such export): the scenario's IRQL (`irql` steps).
#[unsafe(no_mangle)]
pub extern "system" fn KeGetCurrentIrql() -> u8 {
    sim().current_irql()
}

/// Harness only (Wine 8.0 has no such export): the scenario's clock (`clock` steps,
/// `every_ms`), so that storm control paces exactly as in `cargo replay`.
#[unsafe(no_mangle)]
pub extern "system" fn KeQueryUnbiasedInterruptTime() -> u64 {
    sim().now()
}

// ETW: the session the harness asked for, played on the driver's provider.

/// `ETWENABLECALLBACK` (wdm.h).
type EnableCallback = unsafe extern "system" fn(
    source: *const Guid,
    code: u32,
    level: u8,
    any: u64,
    all: u64,
    filter: *mut c_void,
    context: *mut c_void,
);

/// The registered provider: its GUID, enable callback and context.
struct Provider {
    guid: Guid,
    callback: Option<EnableCallback>,
    context: usize,
}

/// The provider while registered, and the log (`C:\netnotify\etw.jsonl`).
static PROVIDER: Mutex<Option<Provider>> = Mutex::new(None);
static LOG: Mutex<()> = Mutex::new(());
/// Whether `EtwSetInformation` made ETW read the data descriptors' types.
static TYPES_READ: AtomicBool = AtomicBool::new(false);
/// The traits `EtwSetInformation(EventProviderSetTraits)` set: ETW gives them to a consumer
/// with each event (`EVENT_HEADER_EXT_TYPE_PROV_TRAITS`).
static TRAITS: Mutex<Vec<u8>> = Mutex::new(Vec::new());
/// `EventProviderSetTraits` (evntprov.h's `EVENT_INFO_CLASS`).
const SET_TRAITS: i32 = 2;
/// `ExWaitForRundownProtectionRelease` returned since the last `ExInitializeRundownProtection`:
/// no enable callback holds the protection, so none can write with the handle any more.
static RUNDOWN_WAITED: AtomicBool = AtomicBool::new(false);
/// The fake registration handle.
const REGHANDLE: u64 = 0x6E65_7477;

/// The session the harness wrote; none if it wrote none.
fn session() -> EtwSession {
    static SESSION: OnceLock<EtwSession> = OnceLock::new();
    *SESSION.get_or_init(|| {
        fs::read_to_string(path("etw-session.txt")).map_or_else(
            |_| EtwSession::default(),
            |spec| {
                EtwSession::parse(spec.trim()).unwrap_or_else(|error| {
                    misuse(&format!("etw-session.txt: {error}"));
                    EtwSession::default()
                })
            },
        )
    })
}

/// Appends one call to the log.
fn log(line: &str) {
    let _guard = LOG.lock().unwrap_or_else(PoisonError::into_inner);
    let written = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path("etw.jsonl"))
        .and_then(|mut file| std::io::Write::write_all(&mut file, format!("{line}\n").as_bytes()));
    if written.is_err() {
        misuse("the double could not write etw.jsonl");
    }
}

/// Calls the provider's enable callback as a controller does, with `code`.
fn enable(code: u32, level: u8, any: u64) {
    // Held through the callback: `EtwUnregister` waits for it, so that a callback the watcher's
    // session started (etw_transport.rs, another thread) never runs into an unloaded driver.
    let _calling = CALLING.lock().unwrap_or_else(PoisonError::into_inner);
    let provider = PROVIDER
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
        .map(|provider| (provider.guid, provider.callback, provider.context));
    let Some((guid, Some(callback), context)) = provider else {
        return;
    };
    match code {
        0 => *ENABLED.lock().unwrap_or_else(PoisonError::into_inner) = None,
        1 => *ENABLED.lock().unwrap_or_else(PoisonError::into_inner) = Some((level, any)),
        _ => {}
    }
    log(&etw_log::enable_line(code, level, any, 0));
    // SAFETY: the callback and context the driver registered, which stay valid until it
    // unregisters; the lock is not held, so the callback may write events.
    unsafe {
        callback(
            &raw const guid,
            code,
            level,
            any,
            0,
            ptr::null_mut(),
            ptr::with_exposed_provenance_mut::<c_void>(context),
        );
    }
}

/// What a watcher's session asked later (`etw_transport.rs`): `code` 1 is a change of the
/// sessions' combined level and keywords (none left: disabled), 2 a capture-state request.
fn control(code: u32) {
    let combined = etw_transport::combined(session().listen);
    if code == CAPTURE_STATE {
        enable(CAPTURE_STATE, 0, 0);
    } else if code == etw_transport::SESSION_GONE
        && combined == *ENABLED.lock().unwrap_or_else(PoisonError::into_inner)
    {
        // The sessions left ask what was asked: nothing to tell the provider (and the
        // harness's own session's log stays `cargo replay --etw`'s).
    } else if let Some((level, any)) = combined {
        enable(1, level, any);
    } else {
        enable(0, 0, 0);
    }
}

/// Held by [`enable`] while it calls the provider's enable callback.
static CALLING: Mutex<()> = Mutex::new(());

/// The level and keywords of the last enable callback; `None` once disabled.
static ENABLED: Mutex<Option<(u8, u64)>> = Mutex::new(None);

/// Harness only: the kernel's `EtwRegister`, registering with the double's session.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn EtwRegister(
    provider: *const Guid,
    callback: Option<EnableCallback>,
    context: *mut c_void,
    handle: *mut u64,
) -> NtStatus {
    // SAFETY: the driver's GUID, readable (EtwRegister's contract); NULL is misuse.
    let Some(guid) = (unsafe { provider.as_ref() }).copied() else {
        misuse("EtwRegister with a NULL provider GUID");
        return NtStatus::INVALID_PARAMETER;
    };
    if handle.is_null() {
        misuse("EtwRegister with a NULL handle pointer");
        return NtStatus::INVALID_PARAMETER;
    }
    let _ = sim();
    {
        let mut registered = PROVIDER.lock().unwrap_or_else(PoisonError::into_inner);
        if registered.is_some() {
            misuse("EtwRegister while the provider is registered");
        }
        *registered = Some(Provider {
            guid,
            callback,
            context: context.expose_provenance(),
        });
    }
    log(&etw_log::register_line(&guid));
    // SAFETY: non-NULL, and valid for a write (EtwRegister's contract). Written before the
    // enable callback, as ETW does.
    unsafe { handle.write(REGHANDLE) };
    // The harness's session and the watcher's (etw_transport.rs), combined as ETW combines
    // sessions: one enable callback inside the registration.
    etw_transport::registered(etw_transport::provider_bytes(&guid), control);
    if let Some((level, any)) = etw_transport::combined(session().listen) {
        enable(1, level, any);
    }
    NtStatus::SUCCESS
}

/// Harness only: the kernel's `EtwSetInformation`, logged.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn EtwSetInformation(
    handle: u64,
    class: i32,
    information: *const u8,
    length: u32,
) -> NtStatus {
    if handle != REGHANDLE || information.is_null() {
        misuse("EtwSetInformation with a bad handle or no information");
        return NtStatus::INVALID_PARAMETER;
    }
    // SAFETY: `length` readable bytes (EtwSetInformation's contract).
    let bytes = unsafe { slice::from_raw_parts(information, length as usize) };
    log(&etw_log::set_information_line(class.cast_unsigned(), bytes));
    if class == SET_TRAITS {
        *TRAITS.lock().unwrap_or_else(PoisonError::into_inner) = bytes.to_vec();
    }
    TYPES_READ.store(true, Ordering::Release);
    NtStatus::SUCCESS
}

/// An `EVENT_DATA_DESCRIPTOR`: the address and size of a block, and its type (`Reserved`).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct DataDescriptor {
    address: u64,
    size: u32,
    kind: u32,
}

/// Harness only: the kernel's `EtwWriteTransfer`, logged with every byte it was given.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn EtwWriteTransfer(
    handle: u64,
    descriptor: *const EventDescriptor,
    activity: *const Guid,
    related: *const Guid,
    count: u32,
    data: *const DataDescriptor,
) -> NtStatus {
    if handle != REGHANDLE
        || PROVIDER
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_none()
    {
        misuse("EtwWriteTransfer without a registered provider");
        return NtStatus::INVALID_PARAMETER;
    }
    if descriptor.is_null() || !activity.is_null() || !related.is_null() {
        misuse("EtwWriteTransfer with no descriptor, or with activity ids");
    }
    if !TYPES_READ.load(Ordering::Acquire) {
        misuse("EtwWriteTransfer before EtwSetInformation: the metadata would be payload");
    }
    // SAFETY: a readable EVENT_DESCRIPTOR (EtwWriteTransfer's contract).
    let Some(descriptor) = (unsafe { descriptor.as_ref() }).copied() else {
        return NtStatus::INVALID_PARAMETER;
    };
    // "EventWrite function (evntprov.h)": at most 128 data descriptors.
    if count > 128 {
        misuse("EtwWriteTransfer with more than 128 data descriptors");
        return NtStatus::INVALID_PARAMETER;
    }
    let descriptors: &[DataDescriptor] = if data.is_null() {
        &[]
    } else {
        // SAFETY: `count` readable data descriptors (EtwWriteTransfer's contract).
        unsafe { slice::from_raw_parts(data, count as usize) }
    };
    let parts: Vec<(u32, &[u8])> = descriptors
        .iter()
        .map(|part| {
            let address = usize::try_from(part.address).unwrap_or(0);
            let address = ptr::with_exposed_provenance::<u8>(address);
            if address.is_null() {
                return (part.kind, &[][..]);
            }
            // SAFETY: each descriptor names `size` readable bytes for the call.
            (part.kind, unsafe {
                slice::from_raw_parts(address, part.size as usize)
            })
        })
        .collect();
    // The types the driver sets ("EVENT_DATA_DESCRIPTOR structure": 0 payload, 1 metadata, 2
    // traits, the rest of `Reserved` 0), no empty part (a zero-size descriptor carries
    // nothing), and an event under ETW's 64 KB.
    if parts
        .iter()
        .any(|(kind, bytes)| *kind > 2 || bytes.is_empty())
    {
        misuse("EtwWriteTransfer with a descriptor of an unknown type, or an empty one");
    }
    if parts.iter().map(|(_, bytes)| bytes.len()).sum::<usize>() >= 64 * 1024 {
        misuse("EtwWriteTransfer with an event of 64 KB or more");
    }
    log(&etw_log::write_line(&descriptor, &parts));
    let provider = PROVIDER
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
        .map(|provider| etw_transport::provider_bytes(&provider.guid));
    if let Some(provider) = provider {
        // SAFETY: an EVENT_DESCRIPTOR is 16 bytes without padding (`EventDescriptor` mirrors
        // it, checked against windows-sys in stand-ins/fidelity); read as bytes for the frame.
        let bytes = unsafe { (&raw const descriptor).cast::<[u8; 16]>().read_unaligned() };
        let traits = TRAITS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        etw_transport::deliver(provider, bytes, &parts, &traits);
    }
    NtStatus::SUCCESS
}

/// Harness only: the kernel's `EtwUnregister`, logged; no enable callback comes after it.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn EtwUnregister(handle: u64) -> NtStatus {
    let registered = PROVIDER
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    // An enable callback in progress ends before the unregister returns, as ETW waits for it.
    drop(CALLING.lock().unwrap_or_else(PoisonError::into_inner));
    if handle != REGHANDLE || registered.is_none() {
        misuse("EtwUnregister of a provider that is not registered");
        return NtStatus::INVALID_PARAMETER;
    }
    // An enable callback holding the protection may still write with the handle: no tracing
    // call may follow EtwUnregister (Microsoft Learn, "EtwUnregister function (wdm.h)").
    if !RUNDOWN_WAITED.load(Ordering::Acquire) {
        misuse("EtwUnregister before ExWaitForRundownProtectionRelease");
    }
    TYPES_READ.store(false, Ordering::Release);
    log(&etw_log::unregister_line());
    NtStatus::SUCCESS
}

// Run-down protection, as wdm.h's EX_RUNDOWN_REF counts it: the protections held times 2, plus
// 1 once the wait has begun (the ReactOS and WRK encoding; the driver never looks inside).

/// The driver's `EX_RUNDOWN_REF`, as the counter it is.
///
/// # Safety
/// `reference` is the driver's 8-byte aligned static, alive while the image is.
const unsafe fn counter<'a>(reference: *mut usize) -> Option<&'a AtomicUsize> {
    // SAFETY: see the contract; an AtomicUsize has usize's layout.
    unsafe { reference.cast::<AtomicUsize>().as_ref() }
}

/// The run-down bit: the wait has begun.
const RUNDOWN_ACTIVE: usize = 1;
/// One protection.
const PROTECTION: usize = 2;

/// Harness only: the kernel's `ExInitializeRundownProtection`.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn ExInitializeRundownProtection(reference: *mut usize) {
    // SAFETY: the driver's reference (the routine's contract).
    let Some(counter) = (unsafe { counter(reference) }) else {
        misuse("ExInitializeRundownProtection of NULL");
        return;
    };
    counter.store(0, Ordering::Release);
    RUNDOWN_WAITED.store(false, Ordering::Release);
}

/// Harness only: the kernel's `ExAcquireRundownProtection`: TRUE unless the wait has begun.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn ExAcquireRundownProtection(reference: *mut usize) -> u8 {
    // SAFETY: as above.
    let Some(counter) = (unsafe { counter(reference) }) else {
        misuse("ExAcquireRundownProtection of NULL");
        return 0;
    };
    let acquired = counter.fetch_update(Ordering::Acquire, Ordering::Relaxed, |count| {
        (count & RUNDOWN_ACTIVE == 0)
            .then(|| count.checked_add(PROTECTION))
            .flatten()
    });
    u8::from(acquired.is_ok())
}

/// Harness only: the kernel's `ExReleaseRundownProtection`.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn ExReleaseRundownProtection(reference: *mut usize) {
    // SAFETY: as above.
    let Some(counter) = (unsafe { counter(reference) }) else {
        misuse("ExReleaseRundownProtection of NULL");
        return;
    };
    let released = counter.fetch_update(Ordering::Release, Ordering::Relaxed, |count| {
        count.checked_sub(PROTECTION)
    });
    if released.is_err() {
        misuse("ExReleaseRundownProtection without an acquire");
    }
}

/// Harness only: the kernel's `ExWaitForRundownProtectionRelease`: refuses every acquire from
/// now on and returns once every protection is released.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn ExWaitForRundownProtectionRelease(reference: *mut usize) {
    // SAFETY: as above.
    let Some(counter) = (unsafe { counter(reference) }) else {
        misuse("ExWaitForRundownProtectionRelease of NULL");
        return;
    };
    if counter.fetch_or(RUNDOWN_ACTIVE, Ordering::AcqRel) & RUNDOWN_ACTIVE != 0 {
        misuse("ExWaitForRundownProtectionRelease twice");
    }
    while counter.load(Ordering::Acquire) != RUNDOWN_ACTIVE {
        thread::sleep(Duration::from_millis(1));
    }
    RUNDOWN_WAITED.store(true, Ordering::Release);
}
