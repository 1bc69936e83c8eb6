//! The IRQL rules of every kernel routine the driver calls (docs/netio.md#irql): the simulator
//! records a call above its routine's highest IRQL as misuse, and the driver keeps to them
//! whatever IRQL NETIO's callbacks run at.

mod common;

use core::ffi::c_void;
use core::net::Ipv4Addr;
use core::ptr;
use netnotify_core::boundary::host::StormTimer;

use common::{ETHERNET_LUID, address_row, ipv4, route_row};
use netnotify_core::boundary::ffi::{
    AF_INET, MibIpForwardRow2, MibIpInterfaceRow, MibUnicastIpAddressRow, MibUnicastIpAddressTable,
    SockaddrInet, notification_type as nt,
};
use netnotify_core::boundary::host::{DriverKey, Host, Key, Level, Sink};
use netnotify_core::boundary::netio::NetIo;
use netnotify_core::model::status::NtStatus;
use netnotify_core::output::line::Line;
use netnotify_core::output::trace::{EventDescriptor, ProviderInformation, RegHandle, Trace};
use netnotify_core::policy::lifecycle::driver_entry;
use netnotify_core::policy::storm::TICKS_PER_SECOND;
use netnotify_core::sim::{Call, Delivery, Event, IrqlRule, Sim, StableMode};

type Probe = fn(&Sim);

/// Every routine the driver calls with its rule, and a call of it that needs no driver.
const RULES: &[(&str, IrqlRule, Probe)] = &[
    ("NotifyIpInterfaceChange", IrqlRule::Passive, |sim| {
        let mut handle = ptr::null_mut();
        // SAFETY: no callback is given, so no context is ever used.
        let _ = unsafe {
            sim.notify_ip_interface_change(AF_INET, None, ptr::null_mut(), 0, &mut handle)
        };
    }),
    ("NotifyUnicastIpAddressChange", IrqlRule::Passive, |sim| {
        let mut handle = ptr::null_mut();
        // SAFETY: as above.
        let _ = unsafe {
            sim.notify_unicast_ip_address_change(AF_INET, None, ptr::null_mut(), 0, &mut handle)
        };
    }),
    ("NotifyRouteChange2", IrqlRule::Passive, |sim| {
        let mut handle = ptr::null_mut();
        // SAFETY: as above.
        let _ = unsafe { sim.notify_route_change2(AF_INET, None, ptr::null_mut(), 0, &mut handle) };
    }),
    (
        "NotifyStableUnicastIpAddressTable",
        IrqlRule::Passive,
        |sim| {
            let mut handle = ptr::null_mut();
            let mut table: *mut MibUnicastIpAddressTable = ptr::null_mut();
            // SAFETY: as above.
            let _ = unsafe {
                sim.notify_stable_unicast_ip_address_table(
                    AF_INET,
                    &mut table,
                    None,
                    ptr::null_mut(),
                    &mut handle,
                )
            };
        },
    ),
    ("CancelMibChangeNotify2", IrqlRule::Passive, |sim| {
        // SAFETY: the simulator records a NULL handle as misuse and touches nothing.
        let _ = unsafe { sim.cancel_mib_change_notify2(ptr::null_mut()) };
    }),
    ("FreeMibTable", IrqlRule::BelowDispatch, |sim| {
        // SAFETY: as above, for a NULL table.
        unsafe { sim.free_mib_table(ptr::null_mut::<c_void>()) };
    }),
    ("GetIpInterfaceEntry", IrqlRule::Passive, |sim| {
        let _ = sim.get_ip_interface_entry(&mut MibIpInterfaceRow::default());
    }),
    ("GetUnicastIpAddressEntry", IrqlRule::Passive, |sim| {
        let _ = sim.get_unicast_ip_address_entry(&mut MibUnicastIpAddressRow::default());
    }),
    ("GetIpForwardEntry2", IrqlRule::Passive, |sim| {
        let _ = sim.get_ip_forward_entry2(&mut MibIpForwardRow2::default());
    }),
    ("ConvertInterfaceLuidToNameA", IrqlRule::Passive, |sim| {
        let _ = sim.convert_interface_luid_to_name(ETHERNET_LUID, &mut [0; 257]);
    }),
    ("ConvertInterfaceLuidToAlias", IrqlRule::Passive, |sim| {
        let _ = sim.convert_interface_luid_to_alias(ETHERNET_LUID, &mut [0; 257]);
    }),
    ("DbgPrintEx", IrqlRule::Dirql, |sim| {
        sim.emit(Level::Info, &Line::new());
    }),
    ("KeInitializeTimer", IrqlRule::Dispatch, |sim| {
        // SAFETY: the simulator only records the context; no expiry is due.
        unsafe { sim.start_timer(ptr::null_mut()) };
    }),
    ("KeSetTimer", IrqlRule::Dispatch, |sim| sim.set_timer(1)),
    ("KeFlushQueuedDpcs", IrqlRule::Passive, Sim::stop_timer),
    (
        "IoDeleteDevice",
        IrqlRule::BelowDispatch,
        Sim::delete_device,
    ),
    (
        "ObfReferenceObject",
        IrqlRule::Dispatch,
        Sim::keep_driver_object,
    ),
    ("MmGetSystemRoutineAddress", IrqlRule::Passive, |sim| {
        let _ = sim.open_driver_key(DriverKey::Parameters);
    }),
    ("ZwOpenKey", IrqlRule::Passive, |sim| {
        let _ = sim.open_key(&[]);
    }),
    ("ZwQueryValueKey", IrqlRule::Passive, |sim| {
        let _ = sim.query_value(Key(0), "Verbosity", &mut [0; 16]);
    }),
    ("ZwClose", IrqlRule::Passive, |sim| sim.close_key(Key(0))),
    ("EtwUnregister", IrqlRule::Passive, |sim| {
        sim.unregister(RegHandle(0));
    }),
    (
        "ExInitializeRundownProtection",
        IrqlRule::BelowDispatch,
        Sim::rundown_init,
    ),
    ("ExAcquireRundownProtection", IrqlRule::Dispatch, |sim| {
        rundown_initialised(sim);
        let _ = sim.rundown_acquire();
    }),
    ("ExReleaseRundownProtection", IrqlRule::Dispatch, |sim| {
        rundown_acquired(sim);
        sim.rundown_release();
    }),
    (
        "ExWaitForRundownProtectionRelease",
        IrqlRule::BelowDispatch,
        |sim| {
            rundown_initialised(sim);
            sim.rundown_wait();
        },
    ),
];

/// `ExInitializeRundownProtection` at `PASSIVE_LEVEL`, as the driver calls it, whatever IRQL
/// the probe runs at.
fn rundown_initialised(sim: &Sim) {
    let irql = sim.irql();
    sim.set_irql(0);
    sim.rundown_init();
    sim.set_irql(irql);
}

/// As [`rundown_initialised`], then one protection acquired at `PASSIVE_LEVEL`.
fn rundown_acquired(sim: &Sim) {
    let irql = sim.irql();
    sim.set_irql(0);
    sim.rundown_init();
    assert!(sim.rundown_acquire());
    sim.set_irql(irql);
}

/// The IRQL violations a call of `probe` at `irql` records.
fn irql_violations(irql: u8, probe: Probe) -> Vec<String> {
    let sim = Sim::new();
    sim.set_irql(irql);
    probe(&sim);
    sim.set_irql(0);
    sim.close()
        .into_iter()
        .filter(|violation| violation.contains(" called at IRQL "))
        .collect()
}

#[test]
fn each_routine_is_allowed_up_to_its_irql_and_misuse_above_it() {
    for &(function, rule, probe) in RULES {
        let highest = rule.highest();
        assert_eq!(
            irql_violations(highest, probe),
            [] as [String; 0],
            "{function}"
        );
        assert_eq!(
            irql_violations(highest + 1, probe),
            [format!(
                "{function} called at IRQL {}, above {highest} (docs/netio.md#irql)",
                highest + 1
            )],
            "{function}"
        );
    }
    let highest: Vec<(&str, u8)> = RULES
        .iter()
        .map(|(function, rule, _)| (*function, rule.highest()))
        .filter(|(_, highest)| *highest != 0)
        .collect();
    assert_eq!(
        highest,
        [
            ("FreeMibTable", 1),
            ("DbgPrintEx", 12),
            ("KeInitializeTimer", 2),
            ("KeSetTimer", 2),
            ("IoDeleteDevice", 1),
            ("ObfReferenceObject", 2),
            ("ExInitializeRundownProtection", 1),
            ("ExAcquireRundownProtection", 2),
            ("ExReleaseRundownProtection", 2),
            ("ExWaitForRundownProtectionRelease", 1),
        ]
    );
}

#[test]
fn etw_register_and_its_traits_are_passive_only_and_writes_any_irql() {
    let sim = Sim::new();
    sim.set_irql(1);
    sim.rundown_init();
    // SAFETY: no session listens, so the context is never used.
    let handle = unsafe { sim.register(ptr::null_mut()) }.expect("registered");
    assert_eq!(
        sim.set_information(handle, ProviderInformation::Traits),
        NtStatus::SUCCESS
    );
    sim.set_irql(15);
    let _ = sim.write(handle, &EventDescriptor::zero(), &[], &[], None);
    sim.set_irql(0);
    sim.rundown_wait();
    sim.unregister(handle);
    assert_eq!(
        sim.close(),
        [
            "EtwRegister called at IRQL 1, above 0 (docs/netio.md#irql)",
            "EtwSetInformation called at IRQL 1, above 0 (docs/netio.md#irql)",
        ]
    );
}

#[test]
fn io_create_device_is_below_dispatch_level_only() {
    let sim = Sim::new();
    sim.set_irql(1);
    assert!(sim.create_device(16).is_ok());
    sim.set_irql(0);
    sim.delete_device();
    assert_eq!(sim.close(), [] as [String; 0]);
    let sim = Sim::new();
    sim.set_irql(2);
    assert!(sim.create_device(16).is_ok());
    sim.set_irql(0);
    sim.delete_device();
    assert_eq!(
        sim.close(),
        ["IoCreateDevice called at IRQL 2, above 1 (docs/netio.md#irql)"]
    );
}

fn stable_rows() -> Vec<MibUnicastIpAddressRow> {
    vec![address_row(
        ipv4(Ipv4Addr::new(192, 168, 1, 23)),
        ETHERNET_LUID,
        3,
    )]
}

#[test]
fn a_stable_table_delivered_at_dispatch_level_is_neither_read_nor_freed_but_counted() {
    let sim = Sim::new();
    sim.stable(StableMode::Pending(NtStatus::PENDING));
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    let from = sim.lines().len();
    sim.set_irql(2);
    assert_eq!(sim.complete_stable(Some(&stable_rows())), 1);
    // A NULL table has nothing to read or free: reported as usual.
    assert_eq!(sim.complete_stable(None), 1);
    sim.set_irql(0);
    let calls = sim.calls().len();
    sim.unload_driver();
    assert!(!sim.calls()[..calls].contains(&Call::FreeMibTable));
    let lines = sim.lines_since(from);
    assert_eq!(
        lines.first().map(String::as_str),
        Some(
            "netnotify: error: stable-table pending delivered at IRQL 2: not read, not freed \
             (FreeMibTable needs IRQL below DISPATCH_LEVEL); leaked"
        )
    );
    assert_eq!(
        lines.get(1).map(String::as_str),
        Some("netnotify: stable-table pending (no table)")
    );
    assert!(
        lines.last().is_some_and(|line| line
            .ends_with(" stable-table(tables=2 entries=0) leaked-tables=1 min-stack=18432")),
        "{lines:?}"
    );
    assert_eq!(sim.tables_left_above_dispatch(), 1);
    sim.finish();
}

#[test]
fn below_dispatch_level_a_stable_table_is_printed_and_freed_and_nothing_is_queried() {
    let sim = Sim::new();
    sim.stable(StableMode::Pending(NtStatus::PENDING));
    sim.name_interface(ETHERNET_LUID, "ethernet_32768", "Ethernet");
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    let from = sim.lines().len();
    let calls = sim.calls().len();
    sim.set_irql(1);
    assert_eq!(sim.complete_stable(Some(&stable_rows())), 1);
    let route = route_row(
        ipv4(Ipv4Addr::new(10, 1, 0, 0)),
        16,
        SockaddrInet::default(),
        ETHERNET_LUID,
        3,
    );
    sim.notify(Event::Route(Some(route), nt::ADD), Delivery::Keys);
    sim.set_irql(0);
    // Freed at APC_LEVEL; no Get*Entry or name lookup above PASSIVE_LEVEL.
    assert_eq!(sim.calls()[calls..], [Call::FreeMibTable]);
    assert_eq!(
        sim.lines_since(from),
        [
            "netnotify: stable-table pending entries=1",
            "netnotify: stable-table [0] 192.168.1.23/0 if=3 luid=ethernetCsmacd:1 name=? \
             alias=? dad=invalid prefix-origin=other suffix-origin=other valid=0s preferred=0s \
             skip-as-source=no scope-id=0 created=1601-01-01T00:00:00Z",
            "netnotify: route add 10.1.0.0/16 on-link if=3 luid=ethernetCsmacd:1 name=? \
             alias=? (not re-queried at IRQL 1)",
        ]
    );
    sim.unload_driver();
    sim.finish();
}

#[test]
fn the_storm_timer_runs_at_dispatch_level_and_the_unload_at_passive_level() {
    let sim = Sim::new();
    sim.set_parameter(
        "LinesPerSecond",
        netnotify_core::model::settings::RawValue::Dword(1),
    );
    sim.set_parameter("Burst", netnotify_core::model::settings::RawValue::Dword(1));
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    sim.advance(TICKS_PER_SECOND);
    for _ in 0..3 {
        sim.deliver(Event::Route(None, nt::ADD));
    }
    // The DPC prints at DISPATCH_LEVEL (allowed) and sets nothing it may not; the unload runs
    // at PASSIVE_LEVEL whatever the callbacks' IRQL was.
    sim.advance(2 * TICKS_PER_SECOND);
    // The first expiry reports the initial notifications' storm (burst 1), the second this one.
    assert_eq!(
        sim.timer_expiries(),
        [TICKS_PER_SECOND, 2 * TICKS_PER_SECOND]
    );
    sim.set_irql(2);
    sim.unload_driver();
    sim.finish();
}
