//! Completing rows (docs/netio.md#requery): add and parameter notifications are re-queried at
//! `PASSIVE_LEVEL` and print the object's full current state; deletes, NULL rows and
//! initial notifications print what was delivered; a failed re-query says why.

mod common;

use core::net::Ipv4Addr;

use common::{WIFI_LUID, address_row, ipv4, route_row};
use netnotify_core::boundary::ffi::{
    MibUnicastIpAddressRow, SockaddrInet, notification_type as nt,
};
use netnotify_core::model::notification::Notification::{Address, Route};
use netnotify_core::model::status::NtStatus;
use netnotify_core::policy::lifecycle::{driver_entry, driver_unload};
use netnotify_core::sim::{Call, Delivery, Event, Sim};

/// 192.168.1.23/24 from DHCP, in DAD state `dad`.
fn dhcp_address(dad: i32) -> MibUnicastIpAddressRow {
    MibUnicastIpAddressRow {
        prefix_origin: 3,
        suffix_origin: 3,
        valid_lifetime: 86_400,
        preferred_lifetime: 86_400,
        on_link_prefix_length: 24,
        dad_state: dad,
        ..address_row(ipv4(Ipv4Addr::new(192, 168, 1, 23)), WIFI_LUID, 12)
    }
}

const TENTATIVE: &str = "netnotify: address add 192.168.1.23/24 if=12 luid=ieee80211:2 name=wireless_32768 alias=\"Wi-Fi\" \
    dad=tentative prefix-origin=dhcp suffix-origin=dhcp valid=86400s preferred=86400s \
    skip-as-source=no scope-id=0 created=1601-01-01T00:00:00Z";
const PREFERRED: &str = "netnotify: address parameter 192.168.1.23/24 if=12 luid=ieee80211:2 name=wireless_32768 alias=\"Wi-Fi\" \
    dad=preferred prefix-origin=dhcp suffix-origin=dhcp valid=86400s preferred=86400s \
    skip-as-source=no scope-id=0 created=1601-01-01T00:00:00Z";

/// A loaded driver on a kernel that names the Wi-Fi interface; returns the simulator and the
/// number of lines printed so far.
fn loaded() -> (Sim, usize) {
    let sim = Sim::new();
    sim.name_interface(WIFI_LUID, "wireless_32768", "Wi-Fi");
    assert_eq!(driver_entry(&sim), NtStatus::SUCCESS);
    let printed = sim.lines().len();
    (sim, printed)
}

fn queries(sim: &Sim) -> usize {
    sim.calls()
        .iter()
        .filter(|call| matches!(call, Call::Query(_)))
        .count()
}

#[test]
fn add_and_parameter_print_the_requeried_state_not_the_delivered_keys() {
    let (sim, printed) = loaded();
    assert_eq!(
        sim.notify(
            Event::Address(Some(dhcp_address(1)), nt::ADD),
            Delivery::Keys
        ),
        1
    );
    assert_eq!(
        sim.notify(
            Event::Address(Some(dhcp_address(4)), nt::PARAMETER),
            Delivery::Keys
        ),
        1
    );
    assert_eq!(sim.lines()[printed..], [TENTATIVE, PREFERRED]);
    assert_eq!(
        sim.calls().last(),
        Some(&Call::Query(Address)),
        "the parameter change was re-queried"
    );
    assert_eq!(queries(&sim), 2);
    driver_unload(&sim);
    sim.finish();
}

#[test]
fn delete_prints_the_keys_without_a_requery_and_the_object_is_gone_afterwards() {
    let (sim, printed) = loaded();
    sim.notify(
        Event::Address(Some(dhcp_address(4)), nt::ADD),
        Delivery::Keys,
    );
    sim.notify(
        Event::Address(Some(dhcp_address(4)), nt::DELETE),
        Delivery::Keys,
    );
    assert_eq!(queries(&sim), 1, "only the add was re-queried");
    // A late parameter notification for the deleted address: the re-query finds nothing.
    sim.deliver(Event::Address(Some(dhcp_address(4)), nt::PARAMETER));
    assert_eq!(
        sim.lines()[printed + 1..],
        [
            "netnotify: address delete 192.168.1.23 if=12 luid=ieee80211:2 name=wireless_32768 alias=\"Wi-Fi\"",
            "netnotify: address parameter 192.168.1.23 if=12 luid=ieee80211:2 name=wireless_32768 alias=\"Wi-Fi\" \
             (gone before re-query)",
        ]
    );
    driver_unload(&sim);
    sim.finish();
}

#[test]
fn above_passive_level_nothing_is_requeried_or_named_and_the_line_says_so() {
    let (sim, printed) = loaded();
    sim.set_irql(2);
    sim.notify(
        Event::Address(Some(dhcp_address(1)), nt::ADD),
        Delivery::Keys,
    );
    sim.set_irql(0);
    assert_eq!(queries(&sim), 0);
    assert_eq!(
        sim.lines()[printed..],
        [
            "netnotify: address add 192.168.1.23 if=12 luid=ieee80211:2 name=? alias=? \
          (not re-queried at IRQL 2)"
        ]
    );
    driver_unload(&sim);
    // No violation: the simulator records any Get*Entry call and any LUID conversion above
    // PASSIVE_LEVEL; the names print as `?`.
    sim.finish();
}

#[test]
fn a_failed_requery_prints_the_keys_and_the_status() {
    let (sim, printed) = loaded();
    sim.fail_query(Route, NtStatus::INSUFFICIENT_RESOURCES);
    let on_link = route_row(
        ipv4(Ipv4Addr::new(192, 168, 1, 0)),
        24,
        SockaddrInet::default(),
        WIFI_LUID,
        12,
    );
    sim.notify(Event::Route(Some(on_link), nt::ADD), Delivery::Keys);
    // The failure was for one call only: the next re-query succeeds.
    sim.notify(Event::Route(Some(on_link), nt::PARAMETER), Delivery::Keys);
    assert_eq!(
        sim.lines()[printed..],
        [
            "netnotify: route add 192.168.1.0/24 on-link if=12 luid=ieee80211:2 name=wireless_32768 alias=\"Wi-Fi\" \
             (re-query failed with status 0xC000009A)",
            "netnotify: route parameter 192.168.1.0/24 on-link if=12 luid=ieee80211:2 name=wireless_32768 alias=\"Wi-Fi\" \
             route-metric=0 protocol=0 origin=manual valid=0s preferred=0s age=0s site-prefix=0 \
             loopback=no autoconf=no publish=no immortal=no",
        ]
    );
    assert_eq!(queries(&sim), 2);
    driver_unload(&sim);
    sim.finish();
}

#[test]
fn null_rows_initial_and_unknown_types_are_never_requeried() {
    let (sim, printed) = loaded();
    sim.notify(
        Event::Address(Some(dhcp_address(4)), nt::ADD),
        Delivery::Null,
    );
    sim.notify(
        Event::Address(Some(dhcp_address(4)), nt::INITIAL),
        Delivery::Keys,
    );
    sim.notify(Event::Address(Some(dhcp_address(4)), 9), Delivery::Keys);
    assert_eq!(queries(&sim), 0);
    assert_eq!(
        sim.lines()[printed..],
        [
            "netnotify: address add (no row)",
            "netnotify: address initial 192.168.1.23 if=12 luid=ieee80211:2 name=wireless_32768 alias=\"Wi-Fi\"",
            "netnotify: address type=9 192.168.1.23 if=12 luid=ieee80211:2 name=wireless_32768 alias=\"Wi-Fi\"",
        ]
    );
    driver_unload(&sim);
    sim.finish();
}

#[test]
fn a_full_row_delivered_is_still_requeried_for_the_current_state() {
    let (sim, printed) = loaded();
    sim.notify(
        Event::Address(Some(dhcp_address(1)), nt::ADD),
        Delivery::Keys,
    );
    // Delivered row says tentative, but the network has moved on to preferred.
    let stale = dhcp_address(1);
    sim.notify(
        Event::Address(Some(dhcp_address(4)), nt::PARAMETER),
        Delivery::Keys,
    );
    sim.deliver(Event::Address(Some(stale), nt::PARAMETER));
    assert_eq!(sim.lines()[printed + 2..], [PREFERRED]);
    driver_unload(&sim);
    sim.finish();
}
