//! Settings from the `Parameters` key (README.md#settings): every setting valid, missing, of the
//! wrong type or size, out of range and at its extremes; the effective-settings line; the
//! registrations the settings select, with their exact arguments; and `driver.inx` and the
//! README agreeing with the table in the core.

mod common;

use netnotify_core::boundary::ffi::{AF_INET, AF_INET6, AF_UNSPEC};
use netnotify_core::boundary::host::{DriverKey, Level};
use netnotify_core::model::notification::Notification::{
    self, Address, Interface, Route, StableTable,
};
use netnotify_core::model::settings::{REG_DWORD, RawValue, SETTINGS, Settings, Verbosity};
use netnotify_core::model::status::NtStatus;
use netnotify_core::policy::lifecycle::{driver_entry, driver_unload};
use netnotify_core::sim::{Call, RegistryOpen, SERVICE_KEY, Sim};

const REG_SZ: u32 = 1;
const REG_QWORD: u32 = 11;

/// Loads the driver with `values` set; returns the simulator (loaded) and its warning lines.
fn load_with(values: &[(&str, RawValue)]) -> (Sim, Vec<String>) {
    let sim = Sim::new();
    for (name, value) in values {
        sim.set_parameter(name, *value);
    }
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    let warnings = warning_lines(&sim);
    (sim, warnings)
}

/// The warning lines printed so far.
fn warning_lines(sim: &Sim) -> Vec<String> {
    sim.records()
        .into_iter()
        .filter(|(level, _)| *level == Level::Warning)
        .map(|(_, text)| text)
        .collect()
}

fn settings_line(sim: &Sim) -> String {
    sim.lines()
        .into_iter()
        .find(|line| line.starts_with("netnotify: settings "))
        .expect("the settings line")
}

fn unload(sim: Sim) {
    if sim.unload_enabled() {
        driver_unload(&sim);
    }
    sim.finish();
}

#[test]
fn missing_values_take_the_defaults_silently() {
    let (sim, warnings) = load_with(&[]);
    assert!(warnings.is_empty());
    assert_eq!(
        settings_line(&sim),
        "netnotify: settings Notifications=15 Family=0 InitialNotification=1 Requery=1 \
         Verbosity=2 LinesPerSecond=20 Burst=100"
    );
    unload(sim);
}

#[test]
fn valid_values_are_used() {
    let read = |name: &str| match name {
        "Notifications" => RawValue::Dword(5),
        "Family" => RawValue::Dword(6),
        "InitialNotification" | "Requery" | "LinesPerSecond" => RawValue::Dword(0),
        "Verbosity" => RawValue::Dword(1),
        "Burst" => RawValue::Dword(1_000_000),
        _ => RawValue::Missing,
    };
    let settings = Settings::read(read, |line| panic!("unexpected warning {line:?}"));
    assert_eq!(settings.notifications.bits(), 5);
    assert_eq!(settings.family, AF_INET6);
    assert!(!settings.initial_notification);
    assert!(!settings.requery);
    assert_eq!(settings.verbosity, Verbosity::Keys);
    assert_eq!(settings.lines_per_second, 0);
    assert_eq!(settings.burst, 1_000_000);
    assert_eq!(settings.values(), [5, 6, 0, 0, 1, 0, 1_000_000]);
}

#[test]
fn every_bad_value_takes_its_default_with_one_warning_naming_it() {
    let cases: [(&str, RawValue, &str); 11] = [
        (
            "Notifications",
            RawValue::Dword(16),
            ": found 16; expected a REG_DWORD 0 to 15; using 15",
        ),
        (
            "Notifications",
            RawValue::Dword(u32::MAX),
            ": found 4294967295; expected a REG_DWORD 0 to 15; using 15",
        ),
        (
            "Family",
            RawValue::Dword(2),
            ": found 2; expected a REG_DWORD 0, 4 or 6; using 0",
        ),
        (
            "InitialNotification",
            RawValue::Dword(2),
            ": found 2; expected a REG_DWORD 0 or 1; using 1",
        ),
        (
            "Requery",
            RawValue::Other {
                value_type: REG_SZ,
                size: 4,
            },
            ": found registry type 1, 4 bytes; expected a REG_DWORD 0 or 1; using 1",
        ),
        (
            "Verbosity",
            RawValue::Dword(3),
            ": found 3; expected a REG_DWORD 0, 1 or 2; using 2",
        ),
        (
            "LinesPerSecond",
            RawValue::Other {
                value_type: REG_QWORD,
                size: 8,
            },
            ": found registry type 11, 8 bytes; expected a REG_DWORD 0 to 1000000; using 20",
        ),
        (
            "LinesPerSecond",
            RawValue::Dword(1_000_001),
            ": found 1000001; expected a REG_DWORD 0 to 1000000; using 20",
        ),
        (
            "Burst",
            RawValue::Dword(0),
            ": found 0; expected a REG_DWORD 1 to 1000000; using 100",
        ),
        (
            "Burst",
            RawValue::Other {
                value_type: REG_DWORD,
                size: 2,
            },
            ": found a REG_DWORD of 2 bytes; expected a REG_DWORD 1 to 1000000; using 100",
        ),
        (
            "Verbosity",
            RawValue::Unreadable(NtStatus::INSUFFICIENT_RESOURCES),
            ": found unreadable (status 0xC000009A); expected a REG_DWORD 0, 1 or 2; using 2",
        ),
    ];
    for (name, value, problem) in cases {
        let mut warnings = Vec::new();
        let settings = Settings::read(
            |asked| {
                if asked == name {
                    value
                } else {
                    RawValue::Missing
                }
            },
            |line| warnings.push(line.as_str().to_owned()),
        );
        assert_eq!(
            warnings,
            [format!("netnotify: warning: setting {name}{problem}")],
            "{name} = {value:?}"
        );
        assert_eq!(settings, Settings::DEFAULT, "{name} = {value:?}");
    }
}

#[test]
fn extreme_valid_values_are_kept() {
    for (name, value) in [
        ("Notifications", 0),
        ("Notifications", 15),
        ("LinesPerSecond", 1_000_000),
        ("LinesPerSecond", 1),
        ("Burst", 1),
    ] {
        let settings = Settings::read(
            |asked| {
                if asked == name {
                    RawValue::Dword(value)
                } else {
                    RawValue::Missing
                }
            },
            |line| panic!("unexpected warning {line:?}"),
        );
        let position = SETTINGS
            .iter()
            .position(|setting| setting.name == name)
            .unwrap();
        assert_eq!(settings.values()[position], value, "{name}");
    }
}

#[test]
fn registry_values_decode_from_key_value_partial_information() {
    let mut buffer = [0_u8; 16];
    buffer[4..8].copy_from_slice(&REG_DWORD.to_le_bytes());
    buffer[8..12].copy_from_slice(&4_u32.to_le_bytes());
    buffer[12..16].copy_from_slice(&0xDEAD_BEEF_u32.to_le_bytes());
    assert_eq!(
        RawValue::decode(NtStatus::SUCCESS, &buffer),
        RawValue::Dword(0xDEAD_BEEF)
    );
    buffer[4..8].copy_from_slice(&REG_SZ.to_le_bytes());
    buffer[8..12].copy_from_slice(&40_u32.to_le_bytes());
    assert_eq!(
        RawValue::decode(NtStatus::BUFFER_OVERFLOW, &buffer),
        RawValue::Other {
            value_type: REG_SZ,
            size: 40
        }
    );
    assert_eq!(
        RawValue::decode(NtStatus::OBJECT_NAME_NOT_FOUND, &buffer),
        RawValue::Missing
    );
    assert_eq!(
        RawValue::decode(NtStatus::UNSUCCESSFUL, &buffer),
        RawValue::Unreadable(NtStatus::UNSUCCESSFUL)
    );
}

#[test]
fn a_bad_setting_never_stops_the_driver_and_is_reported_before_it_loads() {
    let (sim, warnings) = load_with(&[
        ("Family", RawValue::Dword(99)),
        (
            "Verbosity",
            RawValue::Other {
                value_type: REG_SZ,
                size: 10,
            },
        ),
    ]);
    assert_eq!(
        warnings,
        [
            "netnotify: warning: setting Family: found 99; expected a REG_DWORD 0, 4 or 6; \
             using 0",
            "netnotify: warning: setting Verbosity: found registry type 1, 10 bytes; expected \
             a REG_DWORD 0, 1 or 2; using 2",
        ]
    );
    assert!(sim.unload_enabled());
    unload(sim);
}

/// The registrations made, with their arguments.
fn registrations(sim: &Sim) -> Vec<(Notification, u16, bool)> {
    sim.calls()
        .into_iter()
        .filter_map(|call| match call {
            Call::Register {
                notification,
                family,
                initial,
            } => Some((notification, family, initial)),
            _ => None,
        })
        .collect()
}

#[test]
fn only_the_selected_notifications_and_family_are_registered() {
    let (sim, _) = load_with(&[
        ("Notifications", RawValue::Dword(4 | 1)),
        ("Family", RawValue::Dword(4)),
        ("InitialNotification", RawValue::Dword(0)),
    ]);
    assert_eq!(
        registrations(&sim),
        [(Interface, AF_INET, false), (Route, AF_INET, false)]
    );
    assert_eq!(sim.live_registrations(), [Interface, Route]);
    assert!(sim.lines().iter().any(|line| line.starts_with(
        "netnotify: loaded registered=interface,route family=ipv4 initial=no stable-table=off"
    )));
    unload(sim);

    let (sim, _) = load_with(&[
        ("Notifications", RawValue::Dword(8 | 2)),
        ("Family", RawValue::Dword(6)),
    ]);
    assert_eq!(
        registrations(&sim),
        [(Address, AF_INET6, true), (StableTable, AF_INET6, false)]
    );
    unload(sim);

    let (sim, _) = load_with(&[("Notifications", RawValue::Dword(0))]);
    assert!(registrations(&sim).is_empty());
    assert!(
        sim.lines()
            .iter()
            .any(|line| line.starts_with("netnotify: loaded registered=none family=unspec"))
    );
    unload(sim);

    let (sim, _) = load_with(&[]);
    assert_eq!(
        registrations(&sim),
        [
            (Interface, AF_UNSPEC, true),
            (Address, AF_UNSPEC, true),
            (Route, AF_UNSPEC, true),
            (StableTable, AF_UNSPEC, false)
        ]
    );
    unload(sim);
}

/// `HKR, Parameters, <name>, 0x00010001, <default>` in the INF's `AddReg` section, and a row
/// of the README's settings table, for every setting.
#[test]
fn the_inf_writes_every_default_and_the_readme_lists_every_setting() {
    let inf = include_str!("../driver.inx");
    let readme = include_str!("../README.md");
    for setting in SETTINGS {
        let line = format!(
            "HKR, Parameters, {}, 0x00010001, {}",
            setting.name, setting.default
        );
        assert!(inf.contains(&line), "driver.inx lacks `{line}`");
        let row = format!("| `{}` | DWORD | {} |", setting.name, setting.default);
        assert!(readme.contains(&row), "README lacks `{row}`");
    }
}

mod lines {
    use super::common;
    use super::{RawValue, load_with, unload};
    use core::net::Ipv4Addr;
    use netnotify_core::boundary::ffi::{MibUnicastIpAddressRow, notification_type as nt};
    use netnotify_core::sim::{Call, Delivery, Event};

    fn address() -> MibUnicastIpAddressRow {
        MibUnicastIpAddressRow {
            on_link_prefix_length: 24,
            dad_state: 4,
            ..common::address_row(
                common::ipv4(Ipv4Addr::new(192, 168, 1, 23)),
                common::WIFI_LUID,
                12,
            )
        }
    }

    /// The event lines and re-queries of one add delivered with `delivery`.
    fn event_lines(values: &[(&str, RawValue)], delivery: Delivery) -> (Vec<String>, usize) {
        let (sim, _) = load_with(values);
        let before = sim.lines().len();
        sim.notify(Event::Address(Some(address()), nt::ADD), delivery);
        let lines = sim.lines()[before..].to_vec();
        let queries = sim
            .calls()
            .iter()
            .filter(|call| matches!(call, Call::Query(_)))
            .count();
        unload(sim);
        (lines, queries)
    }

    #[test]
    fn verbosity_and_requery_decide_what_an_event_prints() {
        let full = "netnotify: address add 192.168.1.23/24 if=12 luid=ieee80211:2 name=? alias=? dad=preferred \
                    prefix-origin=other suffix-origin=other valid=0s preferred=0s \
                    skip-as-source=no scope-id=0 created=1601-01-01T00:00:00Z";
        // Defaults: re-queried, every field.
        assert_eq!(event_lines(&[], Delivery::Keys), (vec![full.to_owned()], 1));
        // Requery=0: every field as delivered (here the keys only), no query.
        assert_eq!(
            event_lines(&[("Requery", RawValue::Dword(0))], Delivery::Keys),
            (
                vec![
                    "netnotify: address add 192.168.1.23/0 if=12 luid=ieee80211:2 name=? alias=? dad=invalid \
                     prefix-origin=other suffix-origin=other valid=0s preferred=0s \
                     skip-as-source=no scope-id=0 created=1601-01-01T00:00:00Z"
                        .to_owned()
                ],
                0
            )
        );
        assert_eq!(
            event_lines(&[("Requery", RawValue::Dword(0))], Delivery::Full),
            (vec![full.to_owned()], 0)
        );
        // Verbosity=1: the keys, no query.
        assert_eq!(
            event_lines(&[("Verbosity", RawValue::Dword(1))], Delivery::Full),
            (
                vec![
                    "netnotify: address add 192.168.1.23 if=12 luid=ieee80211:2 name=? alias=?"
                        .to_owned()
                ],
                0
            )
        );
        // Verbosity=0: nothing, but the event is counted (the unloaded line, checked in
        // tests/storm_limiter.rs for the route counters).
        assert_eq!(
            event_lines(&[("Verbosity", RawValue::Dword(0))], Delivery::Full),
            (Vec::new(), 0)
        );
    }
}

/// `Parameters` is opened once, by `IoOpenDriverRegistryKey` where the kernel has it and by
/// `ZwOpenKey` of `<RegistryPath>\Parameters` where it does not (Windows before 10 1803,
/// Wine); the values read the same either way, and the key is closed (`finish` fails on a key
/// left open). Nothing else is opened.
#[test]
fn the_keys_are_opened_by_either_path_and_read_the_same() {
    for with_routine in [true, false] {
        let sim = Sim::new();
        if !with_routine {
            sim.without_driver_registry_key();
        }
        sim.set_parameter("Family", RawValue::Dword(4));
        sim.set_parameter("Notifications", RawValue::Dword(1));
        sim.set_parameter("Verbosity", RawValue::Dword(1));
        assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
        let expected = if with_routine {
            vec![RegistryOpen::DriverKey(DriverKey::Parameters)]
        } else {
            vec![RegistryOpen::Path(format!("{SERVICE_KEY}\\Parameters"))]
        };
        assert_eq!(sim.registry_opens(), expected, "routine: {with_routine}");
        assert_eq!(registrations(&sim), [(Interface, AF_INET, true)]);
        assert_eq!(
            settings_line(&sim),
            "netnotify: settings Notifications=1 Family=4 InitialNotification=1 Requery=1 \
             Verbosity=1 LinesPerSecond=20 Burst=100"
        );
        unload(sim);
    }
}

/// The persistent-state key (`State`) is the driver's own state, not settings
/// (docs/windows.md, "Settings"): values there, valid or not, have no effect and draw no
/// warning, by either path, and the key is never even opened; `Parameters` decides.
#[test]
fn values_in_the_state_key_have_no_effect() {
    for with_routine in [true, false] {
        let sim = Sim::new();
        if !with_routine {
            sim.without_driver_registry_key();
        }
        sim.set_parameter("LinesPerSecond", RawValue::Dword(5));
        sim.set_parameter("Burst", RawValue::Dword(7));
        sim.set_parameter("Family", RawValue::Dword(6));
        sim.set_state_value("LinesPerSecond", RawValue::Dword(50));
        sim.set_state_value("Verbosity", RawValue::Dword(0));
        sim.set_state_value("Family", RawValue::Dword(5));
        sim.set_state_value(
            "Burst",
            RawValue::Other {
                value_type: REG_SZ,
                size: 8,
            },
        );
        assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
        assert!(warning_lines(&sim).is_empty(), "{:?}", warning_lines(&sim));
        assert_eq!(
            settings_line(&sim),
            "netnotify: settings Notifications=15 Family=6 InitialNotification=1 Requery=1 \
             Verbosity=2 LinesPerSecond=5 Burst=7"
        );
        let expected = if with_routine {
            vec![RegistryOpen::DriverKey(DriverKey::Parameters)]
        } else {
            vec![RegistryOpen::Path(format!("{SERVICE_KEY}\\Parameters"))]
        };
        assert_eq!(sim.registry_opens(), expected, "routine: {with_routine}");
        unload(sim);
    }
}

/// A key that cannot be opened: no key means the defaults, silently; any other failure is
/// one warning per setting with the status; a registry path too long for the driver's buffer
/// is not opened at all. The driver loads every time.
#[test]
fn a_parameters_key_that_cannot_be_opened_leaves_the_defaults() {
    let cases = [
        (NtStatus::OBJECT_NAME_NOT_FOUND, 0),
        (NtStatus(0xC000_0022_u32.cast_signed()), SETTINGS.len()),
    ];
    for (status, warnings_expected) in cases {
        for with_routine in [true, false] {
            let sim = Sim::new();
            if !with_routine {
                sim.without_driver_registry_key();
            }
            sim.fail_registry_open(status);
            sim.set_parameter("Family", RawValue::Dword(4));
            assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
            let warnings = warning_lines(&sim);
            assert_eq!(warnings.len(), warnings_expected, "{status}: {warnings:?}");
            if warnings_expected != 0 {
                assert_eq!(
                    warnings[0],
                    "netnotify: warning: setting Notifications: found unreadable (status \
                     0xC0000022); expected a REG_DWORD 0 to 15; using 15"
                );
            }
            assert!(settings_line(&sim).contains(" Family=0 "));
            unload(sim);
        }
    }
    let long = format!("{SERVICE_KEY}{}", "x".repeat(250));
    let sim = Sim::with_service_key(&long);
    sim.without_driver_registry_key();
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    assert!(
        sim.registry_opens().is_empty(),
        "a path that does not fit is not opened"
    );
    assert!(
        sim.lines()
            .iter()
            .any(|line| line.contains("found unreadable (status 0xC0000106)"))
    );
    unload(sim);
}

#[test]
fn a_value_name_that_does_not_fit_is_refused_never_cut_or_emptied() {
    use netnotify_core::model::settings::{VALUE_NAME_CAPACITY, value_name};
    let mut buffer = [0_u16; VALUE_NAME_CAPACITY];
    let units: Vec<u16> = "LinesPerSecond".encode_utf16().collect();
    assert_eq!(value_name("LinesPerSecond", &mut buffer), Some(&units[..]));
    let longest = "N".repeat(VALUE_NAME_CAPACITY);
    assert_eq!(
        value_name(&longest, &mut buffer).map(<[u16]>::len),
        Some(VALUE_NAME_CAPACITY)
    );
    // One unit more, or none at all: an error (the shell returns STATUS_NAME_TOO_LONG), not a
    // cut name or the empty name that would read the key's default value.
    assert_eq!(
        value_name(&"N".repeat(VALUE_NAME_CAPACITY + 1), &mut buffer),
        None
    );
    assert_eq!(value_name("", &mut buffer), None);
    // Every name the driver reads fits.
    for setting in SETTINGS {
        assert!(
            value_name(setting.name, &mut buffer).is_some(),
            "{}",
            setting.name
        );
    }
}
