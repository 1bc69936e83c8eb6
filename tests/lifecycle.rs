//! `DriverEntry` and `DriverUnload`, driven through the simulator exactly as the WDM shell drives
//! them: registration order and arguments, stored handles, rollback at every step, both
//! stable-table completions, uncancellable registrations, and unload order.

mod common;

use core::mem::size_of;
use core::net::{Ipv4Addr, Ipv6Addr};

use common::{ETHERNET_LUID, WIFI_LUID, address_row, interface_row, ipv4, ipv6, route_row};
use netnotify_core::boundary::ffi::{AF_INET6, AF_UNSPEC, SockaddrInet, notification_type as nt};
use netnotify_core::boundary::host::Level;
use netnotify_core::model::notification::Notification::{
    self, Address, Interface, Route, StableTable,
};
use netnotify_core::model::settings::RawValue;
use netnotify_core::model::status::NtStatus;
use netnotify_core::policy::extension::Extension;
use netnotify_core::policy::lifecycle::{driver_entry, driver_unload};
use netnotify_core::policy::storm::TICKS_PER_SECOND;
use netnotify_core::sim::{Call, Event, Outcome, Sim, StableMode};

const EXTENSION_SIZE: usize = size_of::<Extension<Sim, Sim>>();

const fn register(notification: Notification) -> Call {
    Call::Register {
        notification,
        family: AF_UNSPEC,
        initial: !matches!(notification, StableTable),
    }
}

const fn cancel(notification: Notification) -> Call {
    Call::Cancel {
        notification: Some(notification),
    }
}

const CREATE: Call = Call::CreateDevice {
    extension_size: EXTENSION_SIZE,
};

/// The effective-settings line of the defaults.
const SETTINGS_LINE: &str = "netnotify: settings Notifications=15 Family=0 \
    InitialNotification=1 Requery=1 Verbosity=2 LinesPerSecond=20 Burst=100";

/// The settings line and the six initial-notification lines of a default registration (two
/// per change notification, because `AF_UNSPEC`).
fn initial_lines() -> Vec<String> {
    std::iter::once(SETTINGS_LINE.to_owned())
        .chain(
            [
                "interface",
                "interface",
                "address",
                "address",
                "route",
                "route",
            ]
            .iter()
            .map(|kind| format!("netnotify: {kind} initial (no row)")),
        )
        .collect()
}

/// A complete address row, as the stable table holds them: 10.0.0.5/24, manual, preferred.
fn stable_address() -> netnotify_core::boundary::ffi::MibUnicastIpAddressRow {
    netnotify_core::boundary::ffi::MibUnicastIpAddressRow {
        prefix_origin: 1,
        suffix_origin: 1,
        valid_lifetime: u32::MAX,
        preferred_lifetime: u32::MAX,
        on_link_prefix_length: 24,
        dad_state: 4,
        creation_time_stamp: 133_000_000_000_000_000,
        ..address_row(ipv4(Ipv4Addr::new(10, 0, 0, 5)), ETHERNET_LUID, 4)
    }
}

/// The stable-table line of [`stable_address`] at position 0.
const STABLE_LINE: &str = "netnotify: stable-table [0] 10.0.0.5/24 if=4 luid=ethernetCsmacd:1 name=? alias=? \
    dad=preferred prefix-origin=manual suffix-origin=manual valid=infinite preferred=infinite \
    skip-as-source=no scope-id=0 created=2022-06-18T04:26:40Z";

#[test]
#[allow(clippy::too_many_lines, reason = "one story: load, events, unload")]
fn happy_path_registers_in_order_prints_events_and_unloads_in_reverse() {
    let sim = Sim::new();
    sim.stable(StableMode::Immediate(Some(vec![stable_address()])));

    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);

    assert_eq!(
        sim.calls(),
        [
            CREATE,
            register(Interface),
            register(Address),
            register(Route),
            register(StableTable),
            Call::FreeMibTable,
            Call::EnableUnload,
        ]
    );
    assert_eq!(sim.live_registrations(), [Interface, Address, Route]);
    let mut expected = initial_lines();
    expected.extend([
        "netnotify: stable-table immediate entries=1".to_owned(),
        STABLE_LINE.to_owned(),
        "netnotify: loaded registered=interface,address,route,stable-table family=unspec \
         initial=yes stable-table=immediate entries=1 unload=enabled etw={cabe4808-b99f-5fdb-95a1-c1294a861355}"
            .to_owned(),
    ]);
    assert_eq!(sim.lines(), expected);

    let link_local = Ipv6Addr::new(0xfe80, 0, 0, 0, 0x1c2a, 0x5ff, 0xfe00, 1);
    assert_eq!(
        sim.deliver(Event::Interface(
            Some(interface_row(AF_INET6, WIFI_LUID, 12)),
            nt::ADD
        )),
        1
    );
    sim.deliver(Event::Address(
        Some(address_row(ipv6(link_local, 12), WIFI_LUID, 12)),
        nt::ADD,
    ));
    sim.deliver(Event::Address(
        Some(address_row(
            ipv4(Ipv4Addr::new(192, 168, 1, 10)),
            WIFI_LUID,
            12,
        )),
        nt::PARAMETER,
    ));
    sim.deliver(Event::Route(
        Some(route_row(
            ipv4(Ipv4Addr::UNSPECIFIED),
            0,
            ipv4(Ipv4Addr::new(192, 168, 1, 1)),
            WIFI_LUID,
            12,
        )),
        nt::ADD,
    ));
    sim.deliver(Event::Route(
        Some(route_row(
            ipv6(Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 0),
            8,
            ipv6(Ipv6Addr::UNSPECIFIED, 0),
            ETHERNET_LUID,
            1,
        )),
        nt::DELETE,
    ));
    sim.deliver(Event::Route(None, 7));
    let events = &sim.lines()[expected.len()..];
    assert_eq!(
        events,
        [
            // Raw deliveries bypass the simulated network: the re-queries find nothing.
            "netnotify: interface add family=ipv6 if=12 luid=ieee80211:2 name=? alias=? (gone before re-query)",
            "netnotify: address add fe80::1c2a:5ff:fe00:1%12 if=12 luid=ieee80211:2 name=? alias=? \
             (gone before re-query)",
            "netnotify: address parameter 192.168.1.10 if=12 luid=ieee80211:2 name=? alias=? \
             (gone before re-query)",
            "netnotify: route add 0.0.0.0/0 via 192.168.1.1 if=12 luid=ieee80211:2 name=? alias=? \
             (gone before re-query)",
            "netnotify: route delete ff00::/8 on-link if=1 luid=ethernetCsmacd:1 name=? alias=?",
            "netnotify: route type=7 (no row)",
        ]
    );

    let before_unload = sim.calls().len();
    driver_unload(&sim);

    assert_eq!(
        sim.calls()[before_unload..],
        [
            cancel(Route),
            cancel(Address),
            cancel(Interface),
            Call::DeleteDevice
        ]
    );
    assert_eq!(
        sim.lines().last().map(String::as_str),
        Some(
            "netnotify: unloaded \
             interface(initial=2 add=1 delete=0 parameter=0 other=0) \
             address(initial=2 add=1 delete=0 parameter=1 other=0) \
             route(initial=2 add=1 delete=1 parameter=0 other=1) \
             stable-table(tables=1 entries=1) min-stack=18432"
        )
    );
    assert!(sim.live_registrations().is_empty());
    assert!(!sim.device_exists());
    // No callback reaches the driver after unload.
    assert_eq!(sim.deliver(Event::Route(None, nt::ADD)), 0);
    sim.finish();
}

#[test]
fn every_line_is_printed_at_its_level() {
    let sim = Sim::new();
    sim.script(Route, Outcome::Status(NtStatus::PENDING));
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    driver_unload(&sim);
    let levels: Vec<Level> = sim.records().into_iter().map(|(level, _)| level).collect();
    let mut expected = vec![Level::Info; 7]; // settings, six initial notifications
    expected.push(Level::Warning); // NotifyRouteChange2's unexpected status
    expected.extend([Level::Info, Level::Info, Level::Info]); // table header, loaded, unloaded
    assert_eq!(levels, expected);
    sim.finish();
}

#[test]
fn a_failure_at_each_registration_rolls_back_in_reverse_and_returns_its_status() {
    let order = [Interface, Address, Route, StableTable];
    for (step, failing) in order.into_iter().enumerate() {
        let sim = Sim::new();
        let status = NtStatus::INSUFFICIENT_RESOURCES;
        sim.script(failing, Outcome::Fail(status));

        assert_eq!(driver_entry(&sim), status, "failing {failing:?}");

        let mut expected = vec![CREATE];
        expected.extend(order[..=step].iter().map(|n| register(*n)));
        expected.extend(order[..step].iter().rev().map(|n| cancel(*n)));
        expected.push(Call::DeleteDevice);
        assert_eq!(sim.calls(), expected, "failing {failing:?}");

        let rolled_back: Vec<&str> = order[..step].iter().map(|n| n.name()).collect();
        let rolled_back = if rolled_back.is_empty() {
            "none".to_owned()
        } else {
            rolled_back.join(",")
        };
        assert_eq!(
            sim.records().last().cloned(),
            Some((
                Level::Error,
                format!(
                    "netnotify: error: {} failed with status 0xC000009A; rolled back {rolled_back}; \
                     not loading",
                    failing.function()
                )
            )),
            "failing {failing:?}"
        );
        assert!(!sim.unload_enabled());
        assert!(!sim.device_exists());
        assert!(sim.live_registrations().is_empty());
        sim.finish();
    }
}

#[test]
fn device_creation_failure_is_reported_and_returned() {
    let sim = Sim::new();
    sim.fail_create_device(NtStatus::INSUFFICIENT_RESOURCES);
    assert_eq!(driver_entry(&sim), NtStatus::INSUFFICIENT_RESOURCES);
    assert_eq!(sim.calls(), [CREATE]);
    assert_eq!(
        sim.records(),
        [
            (Level::Info, SETTINGS_LINE.to_owned()),
            (
                Level::Error,
                "netnotify: error: IoCreateDevice failed with status 0xC000009A; not loading"
                    .to_owned()
            )
        ]
    );
    sim.finish();
}

#[test]
fn driver_entry_above_passive_level_refuses_to_load() {
    let sim = Sim::new();
    sim.set_irql(2);
    assert_eq!(driver_entry(&sim), NtStatus::INVALID_DEVICE_STATE);
    assert!(sim.calls().is_empty());
    assert_eq!(
        sim.lines(),
        ["netnotify: error: DriverEntry called at IRQL 2, not PASSIVE_LEVEL; not loading"]
    );
    sim.finish();
}

#[test]
fn stable_table_immediate_without_a_table_is_tolerated() {
    let sim = Sim::new();
    sim.stable(StableMode::Immediate(None));
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    assert!(!sim.calls().contains(&Call::FreeMibTable));
    assert!(
        sim.lines()
            .last()
            .unwrap()
            .contains("stable-table=immediate (no table) unload=enabled etw={cabe4808-b99f-5fdb-95a1-c1294a861355}")
    );
    driver_unload(&sim);
    assert!(!sim.calls().contains(&cancel(StableTable)));
    sim.finish();
}

fn pending_stable_table(pending: NtStatus) {
    let sim = Sim::new();
    sim.stable(StableMode::Pending(pending));
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    assert_eq!(
        sim.lines().last().map(String::as_str),
        Some(
            "netnotify: loaded registered=interface,address,route,stable-table family=unspec \
             initial=yes stable-table=pending unload=enabled etw={cabe4808-b99f-5fdb-95a1-c1294a861355}"
        )
    );
    assert_eq!(
        sim.live_registrations(),
        [Interface, Address, Route, StableTable]
    );
    let start = sim.lines().len();

    let second = address_row(
        ipv6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 0),
        WIFI_LUID,
        7,
    );
    assert_eq!(sim.complete_stable(Some(&[stable_address()])), 1);
    assert_eq!(sim.complete_stable(None), 1);
    assert_eq!(sim.complete_stable(Some(&[stable_address(), second])), 1);
    assert_eq!(
        sim.lines()[start..],
        [
            "netnotify: stable-table pending entries=1",
            STABLE_LINE,
            "netnotify: stable-table pending (no table)",
            "netnotify: stable-table pending entries=2",
            STABLE_LINE,
            // A row of zeros but for its keys still prints every field.
            "netnotify: stable-table [1] 2001:db8::1/0 if=7 luid=ieee80211:2 name=? alias=? dad=invalid \
             prefix-origin=other suffix-origin=other valid=0s preferred=0s skip-as-source=no \
             scope-id=0 created=1601-01-01T00:00:00Z",
        ]
    );
    assert_eq!(sim.live_tables(), 0, "every delivered table was freed");
    let frees = sim
        .calls()
        .iter()
        .filter(|call| **call == Call::FreeMibTable)
        .count();
    assert_eq!(frees, 2);

    let before_unload = sim.calls().len();
    driver_unload(&sim);
    assert_eq!(
        sim.calls()[before_unload..],
        [
            cancel(StableTable),
            cancel(Route),
            cancel(Address),
            cancel(Interface),
            Call::DeleteDevice
        ]
    );
    assert!(
        sim.lines()
            .last()
            .unwrap()
            .ends_with("stable-table(tables=3 entries=3) min-stack=18432")
    );
    assert_eq!(sim.complete_stable(Some(&[stable_address()])), 0);
    sim.finish();
}

#[test]
fn stable_table_pending_with_status_pending_frees_every_delivered_table() {
    pending_stable_table(NtStatus::PENDING);
}

#[test]
fn stable_table_pending_with_error_io_pending_is_pending_too() {
    pending_stable_table(NtStatus::ERROR_IO_PENDING);
}

#[test]
fn stable_table_pending_that_never_completes_is_still_cancelled() {
    let sim = Sim::new();
    sim.stable(StableMode::Pending(NtStatus::PENDING));
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    let before_unload = sim.calls().len();
    driver_unload(&sim);
    assert_eq!(sim.calls()[before_unload], cancel(StableTable));
    assert!(
        sim.lines()
            .last()
            .unwrap()
            .ends_with("stable-table(tables=0 entries=0) min-stack=18432")
    );
    sim.finish();
}

#[test]
fn success_with_a_null_handle_keeps_the_driver_loaded_for_good() {
    let sim = Sim::new();
    sim.script(Address, Outcome::NullHandle);
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);

    // Registration goes on; nothing is rolled back, unload is never enabled.
    assert_eq!(
        sim.calls(),
        [
            CREATE,
            register(Interface),
            register(Address),
            register(Route),
            register(StableTable),
            Call::FreeMibTable,
        ]
    );
    assert!(!sim.unload_enabled());
    assert!(sim.device_exists());
    assert!(
        sim.records().contains(&(
            Level::Error,
            "netnotify: error: NotifyUnicastIpAddressChange returned status 0x00000000 without a \
         handle; it cannot be cancelled, so netnotify stays loaded (unload disabled)"
                .to_owned()
        ))
    );
    assert!(
        sim.lines()
            .last()
            .unwrap()
            .ends_with("unload=disabled etw={cabe4808-b99f-5fdb-95a1-c1294a861355}")
    );
    // The uncancellable registration still delivers, into the still-valid extension.
    assert_eq!(sim.deliver(Event::Address(None, nt::DELETE)), 1);
    assert_eq!(
        sim.lines().last().map(String::as_str),
        Some("netnotify: address delete (no row)")
    );
    sim.finish();
}

#[test]
fn a_failure_after_an_uncancellable_registration_does_not_fail_driver_entry() {
    let sim = Sim::new();
    sim.script(Interface, Outcome::NullHandle);
    sim.script(Route, Outcome::Fail(NtStatus::NO_MEMORY));
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    assert!(
        !sim.calls()
            .iter()
            .any(|call| matches!(call, Call::Cancel { .. } | Call::DeleteDevice))
    );
    assert!(
        sim.records().contains(&(
            Level::Error,
            "netnotify: error: NotifyRouteChange2 failed with status 0xC0000017; continuing, \
         netnotify cannot unload"
                .to_owned()
        ))
    );
    assert!(
        sim.lines()
            .last()
            .unwrap()
            .contains("registered=interface,address,stable-table ")
    );
    sim.finish();
}

#[test]
fn stable_table_pending_without_a_handle_is_uncancellable() {
    let sim = Sim::new();
    sim.script(StableTable, Outcome::NullHandle);
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    assert!(!sim.unload_enabled());
    assert!(sim.lines().last().unwrap().ends_with(
        "stable-table=uncancellable unload=disabled etw={cabe4808-b99f-5fdb-95a1-c1294a861355}"
    ));
    assert_eq!(sim.complete_stable(Some(&[stable_address()])), 1);
    assert_eq!(sim.live_tables(), 0);
    sim.finish();
}

#[test]
fn unexpected_success_status_with_a_handle_is_kept_and_cancelled() {
    let sim = Sim::new();
    sim.script(Interface, Outcome::Status(NtStatus(0x0000_0105)));
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    assert!(
        sim.records().contains(&(
            Level::Warning,
            "netnotify: warning: NotifyIpInterfaceChange returned unexpected status 0x00000105; \
         keeping its handle"
                .to_owned()
        ))
    );
    driver_unload(&sim);
    assert!(sim.calls().contains(&cancel(Interface)));
    sim.finish();
}

/// The counters of a default registration (`AF_UNSPEC`, initial notifications) that saw
/// nothing else, as the `unloaded` line prints them.
const INITIAL_COUNTERS: &str = "interface(initial=2 add=0 delete=0 parameter=0 other=0) \
    address(initial=2 add=0 delete=0 parameter=0 other=0) \
    route(initial=2 add=0 delete=0 parameter=0 other=0) stable-table(tables=0 entries=0)";

/// Delivers one event to each kind in `kinds`; returns the lines it printed.
fn deliver_one_each(sim: &Sim, kinds: &[Notification]) -> Vec<String> {
    let from = sim.lines().len();
    for kind in kinds {
        let ran = match kind {
            Interface => sim.deliver(Event::Interface(None, nt::ADD)),
            Address => sim.deliver(Event::Address(None, nt::ADD)),
            Route => sim.deliver(Event::Route(None, nt::ADD)),
            StableTable => sim.complete_stable(Some(&[])),
        };
        assert_eq!(ran, 1, "{kind:?} still delivers");
    }
    sim.lines_since(from)
}

/// What every kind prints for [`deliver_one_each`].
fn served_line(kind: Notification) -> String {
    match kind {
        StableTable => "netnotify: stable-table pending entries=0".to_owned(),
        kind => format!("netnotify: {} add (no row)", kind.name()),
    }
}

/// Unload with the cancels of `failing` (in registration order) failing: every handle is still
/// cancelled once, in reverse order; nothing is freed; the driver object is referenced; the
/// `unloaded` line names what is kept; and the kept registrations keep being served.
fn unload_with_failed_cancels(failing: &[Notification]) {
    let sim = Sim::new();
    sim.stable(StableMode::Pending(NtStatus::PENDING));
    for &kind in failing {
        sim.fail_cancel(kind, NtStatus::UNSUCCESSFUL);
    }
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    let calls = sim.calls().len();
    let lines = sim.lines().len();
    sim.unload_driver();
    assert_eq!(
        sim.calls()[calls..],
        [
            cancel(StableTable),
            cancel(Route),
            cancel(Address),
            cancel(Interface),
            Call::KeepDriverObject
        ],
        "{failing:?}"
    );
    let kept: Vec<&str> = failing.iter().map(|kind| kind.name()).collect();
    let mut expected: Vec<String> = failing
        .iter()
        .rev()
        .map(|kind| {
            format!(
                "netnotify: error: CancelMibChangeNotify2 for {} failed with status 0xC0000001; \
                 its callback may still run, so netnotify keeps it and stays in memory",
                kind.name()
            )
        })
        .collect();
    expected.push(format!(
        "netnotify: unloaded {INITIAL_COUNTERS} kept={} min-stack=18432",
        kept.join(",")
    ));
    assert_eq!(sim.lines_since(lines), expected);
    assert!(sim.device_exists(), "the extension stays in its device");
    assert!(sim.driver_object_kept());
    assert_eq!(sim.live_registrations(), failing);
    let served: Vec<String> = failing.iter().map(|&kind| served_line(kind)).collect();
    assert_eq!(deliver_one_each(&sim, failing), served);
    sim.finish();
}

#[test]
fn a_failed_cancel_at_unload_keeps_that_registration_alive_and_served() {
    for kind in Notification::ALL {
        unload_with_failed_cancels(&[kind]);
    }
}

#[test]
fn two_failed_cancels_at_unload_keep_both() {
    for (index, first) in Notification::ALL.into_iter().enumerate() {
        for second in Notification::ALL.into_iter().skip(index + 1) {
            unload_with_failed_cancels(&[first, second]);
        }
    }
}

#[test]
fn a_kept_registration_still_has_its_storm_timer() {
    let sim = Sim::new();
    sim.set_parameter("LinesPerSecond", RawValue::Dword(1));
    sim.set_parameter("Burst", RawValue::Dword(1));
    sim.fail_cancel(Route, NtStatus::UNSUCCESSFUL);
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    sim.advance(10 * TICKS_PER_SECOND);
    sim.unload_driver();
    let from = sim.lines().len();
    for _ in 0..3 {
        sim.deliver(Event::Route(None, nt::ADD));
    }
    // One line, two left out; the timer the first left-out event set prints their summary.
    sim.advance(2 * TICKS_PER_SECOND);
    assert_eq!(
        sim.lines_since(from),
        [
            "netnotify: route add (no row)",
            "netnotify: storm: route lines not printed: initial=0 add=2 delete=0 parameter=0 \
             other=0 over 0.000s",
        ]
    );
    assert_eq!(sim.timer_due(), None);
    sim.finish();
}

/// `DriverEntry`'s rollback with the cancels of `failing` failing, after `failed` failed to
/// register: the driver stays loaded without an unload routine, and serves what it kept.
fn rollback_with_failed_cancels(failing: &[Notification], failed: Notification) {
    let sim = Sim::new();
    sim.stable(StableMode::Pending(NtStatus::PENDING));
    for &kind in failing {
        sim.fail_cancel(kind, NtStatus::UNSUCCESSFUL);
    }
    sim.script(failed, Outcome::Fail(NtStatus::INVALID_PARAMETER));
    assert_eq!(
        driver_entry(&sim),
        NtStatus::SUCCESS,
        "stays loaded: {failing:?}"
    );
    let registered: Vec<Notification> = Notification::ALL
        .into_iter()
        .take_while(|&kind| kind != failed)
        .collect();
    let rolled_back: Vec<&str> = registered
        .iter()
        .filter(|kind| !failing.contains(kind))
        .map(|kind| kind.name())
        .collect();
    let kept: Vec<&str> = failing.iter().map(|kind| kind.name()).collect();
    let lines = sim.lines();
    assert_eq!(
        lines.last().map(String::as_str),
        Some(
            format!(
                "netnotify: error: {} failed with status 0xC000000D; rolled back {}; kept={}; \
                 netnotify stays loaded (unload disabled)",
                failed.function(),
                if rolled_back.is_empty() {
                    "none".to_owned()
                } else {
                    rolled_back.join(",")
                },
                kept.join(",")
            )
            .as_str()
        )
    );
    assert!(!sim.unload_enabled());
    assert!(sim.device_exists());
    assert!(!sim.calls().contains(&Call::DeleteDevice));
    assert_eq!(sim.live_registrations(), failing);
    let served: Vec<String> = failing.iter().map(|&kind| served_line(kind)).collect();
    assert_eq!(deliver_one_each(&sim, failing), served);
    sim.finish();
}

#[test]
fn a_failed_cancel_during_rollback_keeps_the_driver_loaded() {
    // Each kind that can be rolled back fails to cancel in turn, with the last kind failing
    // to register; and two together.
    for kind in [Interface, Address, Route] {
        rollback_with_failed_cancels(&[kind], StableTable);
    }
    rollback_with_failed_cancels(&[Interface, Route], StableTable);
    rollback_with_failed_cancels(&[Interface, Address], Route);
}

#[test]
fn notifications_during_registration_from_another_thread_are_counted() {
    let sim = Sim::new();
    let row = route_row(
        ipv4(Ipv4Addr::new(10, 1, 0, 0)),
        16,
        SockaddrInet::default(),
        ETHERNET_LUID,
        3,
    );
    sim.during_registration(
        Route,
        vec![
            Event::Route(Some(row), nt::ADD),
            Event::Route(Some(row), nt::DELETE),
            Event::Route(None, 9),
        ],
    );
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    let mut route_lines: Vec<String> = sim
        .lines()
        .into_iter()
        .filter(|line| line.starts_with("netnotify: route "))
        .collect();
    route_lines.sort();
    assert_eq!(
        route_lines,
        [
            "netnotify: route add 10.1.0.0/16 on-link if=3 luid=ethernetCsmacd:1 name=? alias=? \
             (gone before re-query)",
            "netnotify: route delete 10.1.0.0/16 on-link if=3 luid=ethernetCsmacd:1 name=? alias=?",
            "netnotify: route initial (no row)",
            "netnotify: route initial (no row)",
            "netnotify: route type=9 (no row)",
        ]
    );
    driver_unload(&sim);
    assert!(
        sim.lines()
            .last()
            .unwrap()
            .contains("route(initial=2 add=1 delete=1 parameter=0 other=1)")
    );
    sim.finish();
}

/// `DriverUnload` called although a registration cannot be cancelled (the shell sets no
/// unload routine then; were it called anyway, the image would be unmapped after it, as
/// `DRIVER_UNLOAD` returns nothing): nothing is cancelled or freed, the driver object is
/// referenced, and the `unloaded` line (and its event) names every registration whose callback
/// may still run. `stable` is how the stable table completes; `pinned` registers without a
/// handle. `tables`: stable tables delivered (an immediate one counts).
fn unload_while_pinned(stable: StableMode, pinned: Notification, kept: &str, tables: u8) {
    let sim = Sim::new();
    sim.etw_session_at_register(0, u64::MAX);
    sim.stable(stable);
    sim.script(pinned, Outcome::NullHandle);
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    assert!(!sim.unload_enabled());
    let calls = sim.calls().len();
    let lines = sim.lines().len();
    let events = sim.etw_events().len();
    sim.unload_driver();
    assert_eq!(sim.calls()[calls..], [Call::KeepDriverObject], "{pinned:?}");
    let error = "unload requested, but a registration cannot be cancelled; netnotify keeps \
                 every registration and stays in memory";
    assert_eq!(
        sim.lines_since(lines),
        [
            format!("netnotify: error: {error}"),
            format!(
                "netnotify: unloaded {} kept={kept} min-stack=18432",
                INITIAL_COUNTERS.replace("tables=0", &format!("tables={tables}"))
            ),
        ]
    );
    let counters = format!(
        "\"interface.initial\":2,\"interface.add\":0,\"interface.delete\":0,\
        \"interface.parameter\":0,\"interface.other\":0,\"address.initial\":2,\"address.add\":0,\
        \"address.delete\":0,\"address.parameter\":0,\"address.other\":0,\"route.initial\":2,\
        \"route.add\":0,\"route.delete\":0,\"route.parameter\":0,\"route.other\":0,\
        \"stable-table.tables\":{tables},\"stable-table.entries\":0"
    );
    // The error event's `seq` follows the error events before it.
    let errors = sim.etw_events()[..events]
        .iter()
        .filter(|event| event.starts_with("{\"event\":\"error\""))
        .count()
        + 1;
    assert_eq!(
        sim.etw_events()[events..],
        [
            format!(
                "{{\"event\":\"error\",\"seq\":{errors},\"printed\":true,\"message\":\"{error}\"}}"
            ),
            format!(
                "{{\"event\":\"unloaded\",\"seq\":1,\"printed\":true,{counters},\"kept\":\"{kept}\",\"leaked-tables\":0,\"etw-dropped\":0,\"low-stack\":0,\"min-stack\":18432}}"
            ),
        ]
    );
    assert!(sim.driver_object_kept());
    assert!(sim.device_exists(), "the extension stays in its device");
    assert_eq!(
        sim.etw_registrations(),
        (1, 0),
        "the provider stays registered"
    );
    let live: Vec<Notification> = Notification::ALL
        .into_iter()
        .filter(|kind| kept.split(',').any(|name| name == kind.name()))
        .collect();
    assert_eq!(sim.live_registrations(), live);
    let served: Vec<String> = live.iter().map(|&kind| served_line(kind)).collect();
    assert_eq!(deliver_one_each(&sim, &live), served);
    sim.finish();
}

#[test]
fn an_unload_while_pinned_keeps_every_live_registration() {
    // An immediate stable table has no callback to come: it is not kept.
    unload_while_pinned(
        StableMode::Immediate(Some(Vec::new())),
        Address,
        "interface,address,route",
        1,
    );
    unload_while_pinned(
        StableMode::Pending(NtStatus::PENDING),
        Route,
        "interface,address,route,stable-table",
        0,
    );
    unload_while_pinned(
        StableMode::Pending(NtStatus::PENDING),
        StableTable,
        "interface,address,route,stable-table",
        0,
    );
}

#[test]
fn an_unload_after_a_kept_rollback_keeps_only_what_was_not_cancelled() {
    let sim = Sim::new();
    sim.stable(StableMode::Pending(NtStatus::PENDING));
    sim.fail_cancel(Address, NtStatus::UNSUCCESSFUL);
    sim.script(Route, Outcome::Fail(NtStatus::INVALID_PARAMETER));
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    assert!(!sim.unload_enabled());
    let calls = sim.calls().len();
    let lines = sim.lines().len();
    sim.unload_driver();
    assert_eq!(sim.calls()[calls..], [Call::KeepDriverObject]);
    let unloaded = sim.lines_since(lines);
    assert_eq!(unloaded.len(), 2, "{unloaded:?}");
    assert!(unloaded[0].starts_with("netnotify: error: unload requested"));
    // The interface's cancel succeeded in the rollback: only the address is kept.
    assert!(
        unloaded[1].starts_with("netnotify: unloaded ")
            && unloaded[1].ends_with(" kept=address min-stack=18432"),
        "{}",
        unloaded[1]
    );
    assert_eq!(sim.live_registrations(), [Address]);
    sim.finish();
}

#[test]
fn unload_without_a_device_does_nothing() {
    let sim = Sim::new();
    driver_unload(&sim);
    assert!(sim.calls().is_empty());
    assert!(sim.lines().is_empty());
    sim.finish();
}
