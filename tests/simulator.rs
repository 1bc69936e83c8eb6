//! The simulator's own contract: the NETIO semantics it models and the misuse it reports. The
//! lifecycle tests are only as good as this double, so it is tested on its own.

use core::ffi::c_void;
use core::ptr;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::thread;
use std::time::Duration;

use netnotify_core::boundary::ffi::{
    AF_INET, AF_UNSPEC, Handle, MibIpForwardRow2, MibUnicastIpAddressTable, notification_type as nt,
};
use netnotify_core::boundary::host::Host;
use netnotify_core::boundary::netio::NetIo;
use netnotify_core::model::status::NtStatus;
use netnotify_core::sim::{Event, Sim, StableMode};

/// What the test callbacks write into the device extension (their context).
#[derive(Default)]
struct Probe {
    calls: AtomicU32,
    initial: AtomicU32,
    entered: AtomicBool,
    release: AtomicBool,
    block: AtomicBool,
}

unsafe extern "system" fn probe_route(context: *mut c_void, _row: *mut MibIpForwardRow2, raw: i32) {
    // SAFETY: every registration in this file passes a `Probe` that outlives it.
    let probe = unsafe { &*context.cast::<Probe>() };
    if raw == nt::INITIAL {
        probe.initial.fetch_add(1, Ordering::SeqCst);
    }
    if probe.block.load(Ordering::SeqCst) {
        probe.entered.store(true, Ordering::SeqCst);
        while !probe.release.load(Ordering::SeqCst) {
            thread::yield_now();
        }
    }
    probe.calls.fetch_add(1, Ordering::SeqCst);
}

const unsafe extern "system" fn ignore_table(
    _context: *mut c_void,
    _table: *mut MibUnicastIpAddressTable,
) {
}

/// A device whose extension holds a `Probe`, as the registration context.
fn probe_device(sim: &Sim) -> &'static Probe {
    let storage = sim.create_device(size_of::<Probe>()).unwrap();
    let probe = storage.cast::<Probe>();
    // SAFETY: fresh, aligned, large enough; lives until `delete_device`.
    unsafe { probe.write(Probe::default()) };
    // SAFETY: initialised above; the tests delete the device only at their end.
    unsafe { probe.as_ref() }
}

fn register_route(sim: &Sim, probe: &Probe, family: u16, initial: u8) -> Handle {
    let mut handle = ptr::null_mut();
    let context = ptr::from_ref(probe).cast_mut().cast();
    // SAFETY: the probe lives in the device extension until the test deletes the device.
    let status = unsafe {
        sim.notify_route_change2(family, Some(probe_route), context, initial, &mut handle)
    };
    assert_eq!(status, NtStatus::SUCCESS);
    assert!(!handle.is_null());
    handle
}

fn cancel(sim: &Sim, handle: Handle) -> NtStatus {
    // SAFETY: the simulator never dereferences handles.
    unsafe { sim.cancel_mib_change_notify2(handle) }
}

#[test]
fn initial_notifications_arrive_inside_the_call_once_per_family() {
    for (family, initial, expected) in [(AF_UNSPEC, 1, 2), (AF_INET, 1, 1), (AF_UNSPEC, 0, 0)] {
        let sim = Sim::new();
        let probe = probe_device(&sim);
        let handle = register_route(&sim, probe, family, initial);
        assert_eq!(
            probe.initial.load(Ordering::SeqCst),
            expected,
            "family {family}"
        );
        assert_eq!(cancel(&sim, handle), NtStatus::SUCCESS);
        sim.delete_device();
        sim.finish();
    }
}

#[test]
fn cancel_waits_for_the_callback_in_flight_and_none_runs_after_it() {
    let sim = Sim::new();
    let probe = probe_device(&sim);
    let handle = register_route(&sim, probe, AF_INET, 0);
    probe.block.store(true, Ordering::SeqCst);
    let cancel_returned = AtomicBool::new(false);
    thread::scope(|scope| {
        let deliverer = sim.clone();
        scope.spawn(move || deliverer.deliver(Event::Route(None, nt::ADD)));
        while !probe.entered.load(Ordering::SeqCst) {
            thread::yield_now();
        }
        let handle_address = handle.addr();
        let (canceller, returned) = (&sim, &cancel_returned);
        scope.spawn(move || {
            assert_eq!(
                cancel(canceller, ptr::without_provenance_mut(handle_address)),
                NtStatus::SUCCESS
            );
            returned.store(true, Ordering::SeqCst);
        });
        thread::sleep(Duration::from_millis(50));
        assert!(
            !cancel_returned.load(Ordering::SeqCst),
            "cancel returned under a running callback"
        );
        probe.release.store(true, Ordering::SeqCst);
    });
    assert!(cancel_returned.load(Ordering::SeqCst));
    assert_eq!(probe.calls.load(Ordering::SeqCst), 1);
    assert_eq!(sim.deliver(Event::Route(None, nt::ADD)), 0);
    sim.delete_device();
    sim.finish();
}

#[test]
fn misuse_is_recorded() {
    let sim = Sim::new();
    let probe = probe_device(&sim);
    let handle = register_route(&sim, probe, AF_INET, 0);
    assert_eq!(cancel(&sim, handle), NtStatus::SUCCESS);
    assert_eq!(cancel(&sim, handle), NtStatus::INVALID_PARAMETER);
    assert_eq!(cancel(&sim, ptr::null_mut()), NtStatus::INVALID_PARAMETER);
    assert_eq!(
        cancel(&sim, ptr::without_provenance_mut(0x1234)),
        NtStatus::INVALID_PARAMETER
    );

    sim.stable(StableMode::Immediate(Some(Vec::new())));
    let mut table = ptr::null_mut();
    let mut stable_handle = ptr::null_mut();
    let context = ptr::from_ref(probe).cast_mut().cast();
    // SAFETY: the callback ignores its context.
    let status = unsafe {
        sim.notify_stable_unicast_ip_address_table(
            AF_UNSPEC,
            &mut table,
            Some(ignore_table),
            context,
            &mut stable_handle,
        )
    };
    assert_eq!(status, NtStatus::SUCCESS);
    assert!(stable_handle.is_null());
    // SAFETY: the simulator checks the pointer instead of freeing blindly.
    unsafe { sim.free_mib_table(table.cast()) };
    // SAFETY: as above.
    unsafe { sim.free_mib_table(table.cast()) };

    // A live registration whose context is freed with the device.
    let _live = register_route(&sim, probe, AF_INET, 0);
    sim.delete_device();
    assert_eq!(sim.deliver(Event::Route(None, nt::ADD)), 0);

    let violations = sim.violations();
    let expected_starts = [
        "CancelMibChangeNotify2 of a handle that was already cancelled",
        "CancelMibChangeNotify2(NULL)",
        "CancelMibChangeNotify2 of an unknown handle",
        "FreeMibTable of table",
        "device deleted while the route registration is live",
        "a route notification (registration 2) would run after its device was deleted",
    ];
    assert_eq!(violations.len(), expected_starts.len(), "{violations:#?}");
    for (violation, start) in violations.iter().zip(expected_starts) {
        assert!(
            violation.starts_with(start),
            "{violation:?} should start with {start:?}"
        );
    }
}

#[test]
#[should_panic(expected = "was never freed")]
fn a_leaked_table_fails_the_test() {
    let sim = Sim::new();
    let probe = probe_device(&sim);
    sim.stable(StableMode::Immediate(Some(Vec::new())));
    let mut table = ptr::null_mut();
    let mut handle = ptr::null_mut();
    let context = ptr::from_ref(probe).cast_mut().cast();
    // SAFETY: the callback ignores its context.
    let _ = unsafe {
        sim.notify_stable_unicast_ip_address_table(
            AF_UNSPEC,
            &mut table,
            Some(ignore_table),
            context,
            &mut handle,
        )
    };
    sim.delete_device();
    sim.finish();
}

#[test]
fn a_context_outside_the_device_extension_is_reported() {
    let sim = Sim::new();
    let probe = Probe::default();
    let mut handle = ptr::null_mut();
    let context = ptr::from_ref(&probe).cast_mut().cast();
    // SAFETY: `probe` outlives the registration, which is cancelled below.
    let status =
        unsafe { sim.notify_route_change2(AF_INET, Some(probe_route), context, 0, &mut handle) };
    assert_eq!(status, NtStatus::SUCCESS);
    assert_eq!(cancel(&sim, handle), NtStatus::SUCCESS);
    assert_eq!(
        sim.violations(),
        ["NotifyRouteChange2 registered with a context that is not the device extension"]
    );
}
