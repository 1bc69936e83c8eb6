//! The one module that meets raw kernel memory: the device extension behind a pointer, the
//! callback trampolines NETIO calls, the rows and tables NETIO hands over, and the unsafe
//! NETIO calls. Every `unsafe` block is one operation with its justification.
//!
//! Provenance of every pointer here:
//! - the extension comes from [`Host::create_device`](crate::boundary::host::Host::create_device) and is
//!   valid until `delete_device`, which the lifecycle calls only after every cancel returned;
//! - callback contexts are that extension pointer, handed to NETIO at registration;
//! - rows are NETIO's, valid for the duration of the callback; tables are NETIO's until the
//!   driver frees them with `FreeMibTable`.
#![allow(
    unsafe_code,
    reason = "this module is the fence around raw memory and FFI"
)]

use core::ffi::c_void;
use core::mem::{align_of, offset_of, size_of};
use core::ptr::{self, NonNull};

use crate::boundary::ffi::{
    DISPATCH_LEVEL, Handle, MibIpForwardRow2, MibIpForwardTable2, MibIpInterfaceRow,
    MibIpInterfaceTable, MibUnicastIpAddressRow, MibUnicastIpAddressTable,
};
use crate::boundary::host::{Host, Sink};
use crate::boundary::netio::NetIo;
use crate::model::notification::Notification;
use crate::model::record::Completion;
use crate::model::status::NtStatus;
use crate::output::trace::{RegHandle, Trace};
use crate::policy::extension::Extension;
use crate::policy::{events, rundown};

/// An initialised extension living in device-extension memory. Not `Clone`: dropping its
/// contents consumes it, so no reference can outlive [`Installed::drop_in_place`].
pub struct Installed<N, S> {
    extension: NonNull<Extension<N, S>>,
}

impl<N: NetIo, S: Sink> Installed<N, S> {
    /// Moves `extension` into `storage` (fresh device-extension memory of at least
    /// `size_of::<Extension<N, S>>()` bytes). `None` (and `extension` dropped) if `storage`
    /// is misaligned for it.
    pub fn init(storage: NonNull<u8>, extension: Extension<N, S>) -> Option<Self> {
        let target = storage.cast::<Extension<N, S>>();
        if !target.as_ptr().is_aligned() {
            return None;
        }
        // SAFETY: `storage` is writable, unaliased and large enough (Host contract), and
        // aligned (checked above); nothing was there to drop.
        unsafe { target.write(extension) };
        Some(Self { extension: target })
    }

    /// The extension of the host's device, if the device exists.
    ///
    /// The device exists only between a `driver_entry` that initialised its extension (every
    /// failure path of `driver_entry` deletes the device again) and the `driver_unload` that
    /// drops the extension and then deletes the device; `Installed` is not `Clone`, and
    /// `drop_in_place` consumes it.
    pub fn from_host<H: Host<NetIo = N, Sink = S>>(host: &H) -> Option<Self> {
        host.device_extension().map(|storage| Self {
            extension: storage.cast(),
        })
    }

    /// The extension.
    pub const fn get(&self) -> &Extension<N, S> {
        // SAFETY: initialised by `init` (or found by `from_host` on a device that exists, so
        // initialised) and not dropped: `drop_in_place` consumes `self`. Only shared references
        // are ever made.
        unsafe { self.extension.as_ref() }
    }

    /// Drops the extension's contents. Call only after every registration was cancelled and
    /// the storm timer stopped.
    pub fn drop_in_place(self) {
        // SAFETY: the value is initialised and, `self` being consumed, dropped exactly once;
        // every cancel has returned, so no callback holds a reference.
        unsafe { ptr::drop_in_place(self.extension.as_ptr()) };
    }

    /// The callback context handed to NETIO: the extension itself. Derived from the raw
    /// pointer (not from a reference) so that it stays valid until `drop_in_place`.
    const fn context(&self) -> *mut c_void {
        self.extension.as_ptr().cast()
    }

    /// Registers the change notification `notification` (not the stable table).
    pub fn register_change(&self, notification: Notification) -> (NtStatus, Handle) {
        let extension = self.get();
        let settings = extension.settings;
        let initial = u8::from(settings.initial_notification);
        let mut handle: Handle = ptr::null_mut();
        let netio = &extension.netio;
        let status = match notification {
            // SAFETY: the context is the initialised extension, which stays valid until this
            // registration's cancel returns, or forever if it cannot be cancelled (lifecycle).
            Notification::Interface => unsafe {
                netio.notify_ip_interface_change(
                    settings.family,
                    Some(interface_callback::<N, S>),
                    self.context(),
                    initial,
                    &mut handle,
                )
            },
            // SAFETY: as above.
            Notification::Address => unsafe {
                netio.notify_unicast_ip_address_change(
                    settings.family,
                    Some(address_callback::<N, S>),
                    self.context(),
                    initial,
                    &mut handle,
                )
            },
            // SAFETY: as above.
            Notification::Route => unsafe {
                netio.notify_route_change2(
                    settings.family,
                    Some(route_callback::<N, S>),
                    self.context(),
                    initial,
                    &mut handle,
                )
            },
            Notification::StableTable => return (NtStatus::INVALID_PARAMETER, handle),
        };
        (status, handle)
    }

    /// Calls `NotifyStableUnicastIpAddressTable`; returns the status, the table if one came
    /// back, and the handle (NULL if none).
    pub fn register_stable_table(&self) -> (NtStatus, Option<ReturnedTable>, Handle) {
        let extension = self.get();
        let mut table: *mut MibUnicastIpAddressTable = ptr::null_mut();
        let mut handle: Handle = ptr::null_mut();
        // SAFETY: as for the change notifications: the context outlives the registration.
        let status = unsafe {
            extension.netio.notify_stable_unicast_ip_address_table(
                extension.settings.family,
                &mut table,
                Some(stable_table_callback::<N, S>),
                self.context(),
                &mut handle,
            )
        };
        (status, NonNull::new(table).map(ReturnedTable), handle)
    }

    /// Prints and frees a table the registering call returned; returns its row count.
    #[allow(
        clippy::needless_pass_by_value,
        reason = "consuming the table is the point"
    )]
    pub fn consume_returned_table(&self, table: ReturnedTable) -> Option<u32> {
        // SAFETY: `ReturnedTable` is only made from a table NETIO returned to this driver, and
        // consuming it here is the only way to free it.
        unsafe { consume_table(self.get(), table.0.as_ptr(), Completion::Immediate) }
    }

    /// Initialises the storm timer with the extension as its DPC's context. Once, right
    /// after `init`, before the first registration.
    pub fn start_timer(&self) {
        // SAFETY: the context is this extension, holding the sink; every path that drops it
        // calls `stop_timer` first (lifecycle), and the shell's DPC only ever calls
        // `storm_timer_expired` with it.
        unsafe { self.get().sink.start_timer(self.context()) };
    }

    /// Cancels the storm timer and waits for a running expiry: afterwards nothing but the
    /// caller uses the extension. Call after every NETIO cancel (no callback can set the
    /// timer again).
    ///
    /// The storm is stopped first, so an expiry that starts from now on sets nothing. One
    /// already running may still set the timer once, after the first cancel: the second
    /// round cancels what it set, or waits for its expiry, which sets nothing.
    pub fn stop_timer(&self) {
        let extension = self.get();
        extension.storm.stop();
        extension.sink.stop_timer();
        extension.sink.stop_timer();
    }

    /// Registers the ETW provider, with this extension as its enable callback's context;
    /// the handle, not yet published.
    pub fn register_trace(&self) -> Result<RegHandle, NtStatus> {
        // SAFETY: the context is this extension; every path that drops it first waits for the
        // enable callback's run-down and then unregisters the provider, and a driver that
        // keeps it keeps the provider too (lifecycle).
        unsafe { self.get().sink.trace().register(self.context()) }
    }

    /// Cancels `handle`, a handle a registration returned and nobody cancelled yet (each
    /// handle is taken out of the extension exactly once before it gets here).
    pub fn cancel(&self, handle: Handle) -> NtStatus {
        // SAFETY: `handle` is non-NULL, from a successful registration, and was swapped out of
        // its slot, so this is its only cancel.
        unsafe { self.get().netio.cancel_mib_change_notify2(handle) }
    }
}

/// A table `NotifyStableUnicastIpAddressTable` returned to the caller. Not `Clone`: consumed
/// (printed and freed) at most once. Dropping it without consuming leaks it, which is what the
/// lifecycle does when the call failed and the table may not be ours.
pub struct ReturnedTable(NonNull<MibUnicastIpAddressTable>);

/// Copies the row NETIO passed, if any.
///
/// # Safety
/// `row` is NULL or points to a `T` readable for the duration of the call.
const unsafe fn read_row<T: Copy>(row: *const T) -> Option<T> {
    if row.is_null() {
        return None;
    }
    // SAFETY: non-NULL and readable (caller). `T` is a row mirror of plain integers, so every
    // bit pattern is a valid value; unaligned read removes any alignment assumption.
    Some(unsafe { row.read_unaligned() })
}

/// The extension behind a callback context.
///
/// # Safety
/// `context` is NULL or the context registered by [`Installed`], whose extension outlives every
/// callback (cancel waits for running callbacks before the extension is dropped).
const unsafe fn extension<'a, N, S>(context: *mut c_void) -> Option<&'a Extension<N, S>> {
    // SAFETY: see the function's contract; only shared references are made.
    unsafe { context.cast::<Extension<N, S>>().cast_const().as_ref() }
}

unsafe extern "system" fn interface_callback<N: NetIo, S: Sink>(
    context: *mut c_void,
    row: *mut MibIpInterfaceRow,
    notification_type: i32,
) {
    // SAFETY: NETIO passes back the context registered in `register_change`.
    let Some(extension) = (unsafe { extension::<N, S>(context) }) else {
        return;
    };
    if !events::enough_stack(extension) {
        events::count_only(&extension.counters.interface, notification_type);
        return;
    }
    // SAFETY: NETIO's row (or NULL), valid during this call.
    let row = unsafe { read_row(row) };
    events::interface(extension, row, notification_type);
}

unsafe extern "system" fn address_callback<N: NetIo, S: Sink>(
    context: *mut c_void,
    row: *mut MibUnicastIpAddressRow,
    notification_type: i32,
) {
    // SAFETY: NETIO passes back the context registered in `register_change`.
    let Some(extension) = (unsafe { extension::<N, S>(context) }) else {
        return;
    };
    if !events::enough_stack(extension) {
        events::count_only(&extension.counters.address, notification_type);
        return;
    }
    // SAFETY: NETIO's row (or NULL), valid during this call.
    let row = unsafe { read_row(row) };
    events::address(extension, row, notification_type);
}

unsafe extern "system" fn route_callback<N: NetIo, S: Sink>(
    context: *mut c_void,
    row: *mut MibIpForwardRow2,
    notification_type: i32,
) {
    // SAFETY: NETIO passes back the context registered in `register_change`.
    let Some(extension) = (unsafe { extension::<N, S>(context) }) else {
        return;
    };
    if !events::enough_stack(extension) {
        events::count_only(&extension.counters.route, notification_type);
        return;
    }
    // SAFETY: NETIO's row (or NULL), valid during this call.
    let row = unsafe { read_row(row) };
    events::route(extension, row, notification_type);
}

/// The storm timer's expiry: what the shell's DPC routine calls with its `DeferredContext`.
///
/// # Safety
/// `context` is the context `Installed::start_timer` gave the sink, or NULL; the
/// extension outlives every expiry (`stop_timer` flushes them before it is dropped).
pub unsafe fn storm_timer_expired<N: NetIo, S: Sink>(context: *mut c_void) {
    // SAFETY: the context given to `start_timer` (caller), valid until `stop_timer` returned.
    let Some(extension) = (unsafe { extension::<N, S>(context) }) else {
        return;
    };
    if !events::enough_stack(extension) {
        events::storm_timer_deferred(extension);
        return;
    }
    events::storm_timer(extension);
}

/// The ETW enable callback, under run-down protection.
///
/// What the shell's callback calls with `trace` (the run-down protection, which lives outside
/// the extension), its `CallbackContext`, the control code, the level and the keywords.
///
/// The extension is touched only under run-down protection: unload waits for it to be released
/// (`Trace::rundown_wait`, before `EtwUnregister`) before it drops the extension, and once that
/// wait has begun the acquire fails and the callback returns without touching it. No Microsoft
/// page says `EtwUnregister` waits for a running callback (docs/netio.md#etw).
///
/// # Safety
/// `context` is the context `Installed::register_trace` gave, or NULL; the extension lives until
/// the run-down wait that precedes the unregister has returned.
pub unsafe fn trace_enable<N: NetIo, S: Sink>(
    trace: &S::Trace,
    context: *mut c_void,
    code: u32,
    level: u8,
    any: u64,
    all: u64,
) {
    if !trace.rundown_acquire() {
        return;
    }
    // SAFETY: the context given to `register_trace` (caller); the protection just acquired keeps
    // the extension from being dropped until it is released below.
    if let Some(extension) = unsafe { extension::<N, S>(context) }
        && events::trace_control(extension, code, level, any, all)
    {
        capture_state(extension);
    }
    trace.rundown_release();
}

/// The rundown of a capture-state request, after its `counters` event: every interface,
/// unicast address and route NETIO has now, of the configured family, each kind from its
/// `Get*Table` call, read row by row and freed with `FreeMibTable` (docs/netio.md#rundown).
/// On the enable callback's thread, under its run-down protection; which kinds, and what each
/// row and failure becomes, is [`rundown`]'s. In a frame of its own, below the enable
/// callback's (its stack budget, `ci/object-checks`).
#[inline(never)]
fn capture_state<N: NetIo, S: Sink>(extension: &Extension<N, S>) {
    if !rundown::may_run(extension) {
        return;
    }
    let netio = &extension.netio;
    let family = extension.settings.family;
    for notification in rundown::KINDS {
        if !rundown::wanted(extension, notification) {
            continue;
        }
        match notification {
            Notification::Interface => {
                let mut table: *mut MibIpInterfaceTable = ptr::null_mut();
                let status = netio.get_ip_interface_table(family, &mut table);
                // SAFETY: what `Get*Table` just wrote, rows of its row type, held by no one else.
                unsafe { run_down(extension, notification, status, table, rundown::interface) };
            }
            Notification::Address => {
                let mut table: *mut MibUnicastIpAddressTable = ptr::null_mut();
                let status = netio.get_unicast_ip_address_table(family, &mut table);
                // SAFETY: what `Get*Table` just wrote, rows of its row type, held by no one else.
                unsafe { run_down(extension, notification, status, table, rundown::address) };
            }
            Notification::Route => {
                let mut table: *mut MibIpForwardTable2 = ptr::null_mut();
                let status = netio.get_ip_forward_table2(family, &mut table);
                // SAFETY: what `Get*Table` just wrote, rows of its row type, held by no one else.
                unsafe { run_down(extension, notification, status, table, rundown::route) };
            }
            Notification::StableTable => {}
        }
    }
}

/// Where every `MIB_*_TABLE`'s rows start: `NumEntries` (a `ULONG`) padded to the rows'
/// 8-byte alignment (`ffi`'s assertions: `offset_of!(…, table) == 8` for each).
const ROWS: usize = 8;
const _: () = assert!(
    offset_of!(MibIpInterfaceTable, table) == ROWS
        && offset_of!(MibUnicastIpAddressTable, table) == ROWS
        && offset_of!(MibIpForwardTable2, table) == ROWS
);

/// One kind's table: on `STATUS_SUCCESS`, each of its `NumEntries` rows handed to `each`, read
/// through a raw pointer with the C stride (no slice is made: nothing but the allocation
/// bounds `NumEntries`), then the table freed once. Any other status, `table` is neither read
/// nor freed (what a failed call leaves there is undocumented, and freeing what may not be
/// ours is worse than a leak), and [`rundown::table_returned`] says what it means; a success
/// with a NULL table has nothing to read or free.
///
/// # Safety
/// On `STATUS_SUCCESS`, `table` is NULL or a table the `Get*Table` call just returned to this
/// driver, of rows `R` from offset [`ROWS`], not freed yet. `T` is its `MIB_*_TABLE` type.
unsafe fn run_down<N: NetIo, S: Sink, T, R: Plain>(
    extension: &Extension<N, S>,
    notification: Notification,
    status: NtStatus,
    table: *mut T,
    each: fn(&Extension<N, S>, &R),
) {
    if !rundown::table_returned(extension, notification, status) || table.is_null() {
        return;
    }
    // SAFETY: a live table starts with `NumEntries` (u32 at offset 0).
    let entries = unsafe { table.cast::<u32>().read_unaligned() };
    let first = table.wrapping_byte_add(ROWS).cast::<R>();
    for position in 0..entries {
        // An unload that began meanwhile unpublished the provider's handle (or every session
        // went): the remaining rows would be looked up for events no one writes, while the
        // unload waits for this callback (its run-down protection).
        if !rundown::wanted(extension, notification) {
            break;
        }
        let Ok(index) = usize::try_from(position) else {
            break;
        };
        // SAFETY: `index < NumEntries`, so the row lies inside the table NETIO allocated;
        // `R` is plain data (any bytes are a valid row), read unaligned.
        let row = unsafe { first.wrapping_add(index).read_unaligned() };
        each(extension, &row);
    }
    // SAFETY: the table is this driver's to free (the call succeeded), freed exactly once,
    // here, at PASSIVE_LEVEL (`rundown::may_run`).
    unsafe { extension.netio.free_mib_table(table.cast()) };
}

unsafe extern "system" fn stable_table_callback<N: NetIo, S: Sink>(
    context: *mut c_void,
    table: *mut MibUnicastIpAddressTable,
) {
    // SAFETY: NETIO passes back the context registered in `register_stable_table`.
    let Some(extension) = (unsafe { extension::<N, S>(context) }) else {
        return;
    };
    let enough_stack = events::enough_stack(extension);
    let irql = extension.netio.current_irql();
    if irql >= DISPATCH_LEVEL && !table.is_null() {
        // Not read (NETIO's table may be pageable) and not freed (`FreeMibTable` requires
        // IRQL < DISPATCH_LEVEL): a counted leak (docs/netio.md#stable-above-passive),
        // reported only where the stack allows.
        if enough_stack {
            events::stable_table_leaked(extension, irql);
        } else {
            extension.counters.stable.count_leaked();
        }
        return;
    }
    if !enough_stack {
        // SAFETY: as below: the receiver's table, below DISPATCH_LEVEL, freed once.
        unsafe { count_and_free_table(extension, table) };
        return;
    }
    // SAFETY: the table NETIO delivers is the receiver's to free (docs/netio.md#stable-table),
    // once; below DISPATCH_LEVEL (checked above), where reading and freeing it is allowed.
    let _entries = unsafe { consume_table(extension, table, Completion::Pending) };
}

/// The stack guard's count-only path for a stable table (docs/netio.md#stack): counts the
/// table, not its rows, prints nothing, and frees it (a NULL table: counted, nothing to free).
/// The table is not read at all: it may be pageable (docs/netio.md#stable-above-passive), and
/// a page fault is taken on the stack that is short here.
///
/// # Safety
/// As [`consume_table`].
unsafe fn count_and_free_table<N: NetIo, S: Sink>(
    extension: &Extension<N, S>,
    table: *mut MibUnicastIpAddressTable,
) {
    let _seq = extension.counters.stable.count(0);
    if table.is_null() {
        return;
    }
    // SAFETY: the table is this driver's to free, and is freed exactly once, here.
    unsafe { extension.netio.free_mib_table(table.cast()) };
}

/// Prints a stable table row by row, then frees it; returns its row count. A NULL table is
/// reported and not freed.
///
/// # Safety
/// `table` is NULL or a table NETIO handed to this driver and not freed yet.
unsafe fn consume_table<N: NetIo, S: Sink>(
    extension: &Extension<N, S>,
    table: *mut MibUnicastIpAddressTable,
    completion: Completion,
) -> Option<u32> {
    if table.is_null() {
        events::stable_table(extension, completion, None);
        return None;
    }
    // SAFETY: a live table starts with `NumEntries` (u32 at offset 0).
    let entries = unsafe { table.cast::<u32>().read_unaligned() };
    events::stable_table(extension, completion, Some(entries));
    // Rows start at the C offset of `Table` (8) with the C stride (80), padding included.
    let first = table
        .wrapping_byte_add(offset_of!(MibUnicastIpAddressTable, table))
        .cast::<MibUnicastIpAddressRow>();
    for position in 0..entries {
        let Ok(index) = usize::try_from(position) else {
            break;
        };
        // SAFETY: `index < NumEntries`, so the row lies inside the table NETIO allocated.
        let row = unsafe { first.wrapping_add(index).read_unaligned() };
        events::stable_entry(extension, position, &row);
    }
    // SAFETY: the table is this driver's to free, and is freed exactly once, here.
    unsafe { extension.netio.free_mib_table(table.cast()) };
    Some(entries)
}

const _: () = assert!(align_of::<MibUnicastIpAddressTable>() == 8);

/// Row mirrors that are plain data: `#[repr(C)]` structs of integers and byte arrays, so
/// every byte pattern of their size is a valid value.
///
/// # Safety
/// Implement only for such types.
pub unsafe trait Plain: Copy {}

// SAFETY: plain integers and byte arrays only (see `crate::boundary::ffi`).
unsafe impl Plain for MibIpInterfaceRow {}
// SAFETY: as above.
unsafe impl Plain for MibUnicastIpAddressRow {}
// SAFETY: as above.
unsafe impl Plain for MibIpForwardRow2 {}

/// The value whose x64 bytes are `bytes`; `None` unless there are exactly `size_of::<T>()`.
pub const fn from_bytes<T: Plain>(bytes: &[u8]) -> Option<T> {
    if bytes.len() != size_of::<T>() {
        return None;
    }
    // SAFETY: `bytes` is readable for `size_of::<T>()` bytes (checked above) and every byte
    // pattern is a valid `T` (`Plain`); the unaligned read needs no alignment.
    Some(unsafe { bytes.as_ptr().cast::<T>().read_unaligned() })
}

/// Rows from their bytes: how the tests and `cargo replay` build the exact memory NETIO hands
/// out (docs/netio.md#rows gives every offset).
macro_rules! from_bytes {
    ($($row:ty),+) => {$(
        impl $row {
            /// The row whose x64 bytes (padding included) are `bytes`; `None` unless `bytes`
            /// has exactly the row's size.
            #[must_use]
            pub const fn from_bytes(bytes: &[u8]) -> Option<Self> {
                from_bytes(bytes)
            }
        }
    )+};
}

from_bytes!(MibIpInterfaceRow, MibUnicastIpAddressRow, MibIpForwardRow2);
