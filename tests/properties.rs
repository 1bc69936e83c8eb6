//! Robustness (docs/lines.md, "No line is cut"): any bytes, as any row kind and with any
//! notification type, render without panicking into one line that fits a single `DbgPrint`
//! call and is printable ASCII. Proptest explores natively; under Miri (too slow for it) a
//! fixed set of byte patterns runs the same check.

mod common;

use netnotify_core::boundary::ffi::{MibIpForwardRow2, MibIpInterfaceRow, MibUnicastIpAddressRow};
use netnotify_core::model::decode::{Address, Change, Interface, Route};
use netnotify_core::model::status::NtStatus;
use netnotify_core::output::render::{self, Detail, Names};
use netnotify_core::sim::checks;
use proptest::prelude::*;

/// Every line that can be rendered from these bytes — every row kind, in full and as keys
/// with every note — and the same rows delivered to a loaded driver, checked against the
/// output discipline: the checks the `decode_rows` and `rows` fuzz targets run
/// (`sim::checks::render_rows`, `sim::checks::rows`).
fn check_all_kinds(bytes: &[u8], raw_type: i32, status: i32, irql: u8) {
    let mut data = Vec::with_capacity(9 + bytes.len());
    data.extend_from_slice(&raw_type.to_le_bytes());
    data.extend_from_slice(&status.to_le_bytes());
    data.push(irql);
    data.extend_from_slice(bytes);
    checks::render_rows(&data);
    checks::rows(&data);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    #[cfg_attr(miri, ignore = "proptest is too slow under Miri; see fixed_patterns_render_safely")]
    fn any_bytes_render_as_one_printable_dbgprint_line(
        bytes in proptest::collection::vec(any::<u8>(), 168),
        raw_type in any::<i32>(),
        status in any::<i32>(),
        irql in any::<u8>(),
    ) {
        check_all_kinds(&bytes, raw_type, status, irql);
    }

    #[test]
    #[cfg_attr(miri, ignore = "proptest is too slow under Miri")]
    fn any_text_keeps_the_line_invariants(text in ".{0,700}") {
        let mut line = render::line(format_args!("{text}"));
        line.push_str(&text);
        checks::assert_line(&line);
    }

    /// Issue 11's bound: with zone entries only at the seven scope levels Windows defines, no
    /// line of any row is cut, whatever its other bytes, with any name and alias of up to 256
    /// characters (the most NETIO returns), in any characters.
    #[test]
    #[cfg_attr(miri, ignore = "proptest is too slow under Miri; see fixed_patterns_render_safely")]
    fn no_line_is_cut_with_any_names(
        bytes in proptest::collection::vec(any::<u8>(), 168),
        name in "\\PC{0,256}",
        alias in "\\PC{0,256}",
        raw_type in any::<i32>(),
    ) {
        let mut interface = MibIpInterfaceRow::from_bytes(&bytes).unwrap();
        for (level, zone) in interface.zone_indices.iter_mut().enumerate() {
            if ![1, 2, 3, 4, 5, 8, 14].contains(&level) {
                *zone = 0;
            }
        }
        let address = MibUnicastIpAddressRow::from_bytes(&bytes[..80]).unwrap();
        let route = MibIpForwardRow2::from_bytes(&bytes[..104]).unwrap();
        let names = Names::new(&name, &alias);
        let change = Change::from_raw(raw_type);
        let (first, more) =
            render::interface_event(change, &Detail::Full(Interface::decode(&interface)), &names);
        checks::assert_uncut(&first);
        checks::assert_uncut(&more.unwrap());
        checks::assert_uncut(&render::address_event(change, &Detail::Full(Address::decode(&address)), &names));
        checks::assert_uncut(&render::route_event(change, &Detail::Full(Route::decode(&route)), &names));
        checks::assert_uncut(&render::stable_entry(u32::MAX, &Address::decode(&address), &names));
    }

    #[test]
    #[cfg_attr(miri, ignore = "proptest is too slow under Miri")]
    fn rows_of_the_wrong_size_are_refused(length in 0_usize..300) {
        prop_assert_eq!(MibIpInterfaceRow::from_bytes(&vec![0; length]).is_some(), length == 168);
        prop_assert_eq!(MibUnicastIpAddressRow::from_bytes(&vec![0; length]).is_some(), length == 80);
        prop_assert_eq!(MibIpForwardRow2::from_bytes(&vec![0; length]).is_some(), length == 104);
    }
}

/// The Miri-sized twin of the property: the patterns most likely to reach edge cases (all
/// zeros, all ones, alternating bits, counting bytes).
#[test]
fn fixed_patterns_render_safely() {
    let counting: Vec<u8> = (0..=255_u8).cycle().take(168).collect();
    for bytes in [
        vec![0; 168],
        vec![0xFF; 168],
        vec![0xAA; 168],
        vec![0x55; 168],
        counting,
    ] {
        // Under Miri, one known and one unknown type: the rest of the line does not depend on it.
        let raw_types: &[i32] = if cfg!(miri) {
            &[1, -1]
        } else {
            &[0, 1, 2, 3, -1, i32::MAX]
        };
        for &raw_type in raw_types {
            check_all_kinds(&bytes, raw_type, i32::MIN, u8::MAX);
        }
    }
}

/// The driver's own address writer (`core/src/output/render/address.rs`) against `core::net`, the
/// oracle: the same text for every address.
fn assert_formats_like_core_net(v4: [u8; 4], v6: u128) {
    use core::net::{Ipv4Addr, Ipv6Addr};
    use netnotify_core::model::decode::SocketAddress;
    let ipv4 = Ipv4Addr::from(v4);
    let ipv6 = Ipv6Addr::from(v6);
    assert_eq!(SocketAddress::V4(ipv4).to_string(), ipv4.to_string());
    assert_eq!(SocketAddress::V6(ipv6, 0).to_string(), ipv6.to_string());
    assert_eq!(SocketAddress::V6(ipv6, 7).to_string(), format!("{ipv6}%7"));
}

/// Addresses whose groups are mostly zero, where RFC 5952's `::` rules matter.
fn sparse_ipv6() -> impl Strategy<Value = u128> {
    proptest::collection::vec(
        prop_oneof![3 => Just(0_u16), 1 => any::<u16>(), 1 => Just(0xffff_u16)],
        8,
    )
    .prop_map(|groups| {
        groups
            .iter()
            .fold(0_u128, |acc, group| (acc << 16) | u128::from(*group))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    #[cfg_attr(miri, ignore = "proptest is too slow under Miri; see address_edge_cases_print_as_core_net_prints_them")]
    fn addresses_print_as_core_net_prints_them(v4 in any::<[u8; 4]>(), v6 in any::<u128>(), sparse in sparse_ipv6()) {
        assert_formats_like_core_net(v4, v6);
        assert_formats_like_core_net(v4, sparse);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5_000, failure_persistence: None, ..ProptestConfig::default() })]

    /// The driver's own fixed-width hex writer (statuses, LUID reserved bits, offload bytes)
    /// against `core::fmt`'s `{:08X}`.
    #[test]
    #[cfg_attr(miri, ignore = "proptest is too slow under Miri; golden.rs covers the writer")]
    fn statuses_print_as_core_fmt_prints_them(raw in any::<i32>()) {
        prop_assert_eq!(NtStatus(raw).to_string(), format!("0x{:08X}", raw.cast_unsigned()));
    }
}

#[test]
fn address_edge_cases_print_as_core_net_prints_them() {
    for v6 in [
        0_u128,                                    // ::
        1,                                         // ::1
        0xffff_0102_0304,                          // ::ffff:1.2.3.4 (mapped)
        0x0102_0304,                               // ::102:304 (compatible: not dotted)
        0x2001_0db8_0000_0000_0001_0000_0000_0001, // two equal runs: the first is elided
        0x2001_0db8_0000_0001_0001_0001_0001_0001, // a single zero group stays 0
        0xfe80_0000_0000_0000_1c2a_05ff_fe00_0001,
        0x0000_0000_0000_0000_0000_0000_0001_0000, // ::1:0
        0x0001_0000_0000_0000_0000_0000_0000_0000, // 1::
        u128::MAX,
    ] {
        assert_formats_like_core_net([0, 0, 0, 0], v6);
    }
    assert_formats_like_core_net([255, 255, 255, 255], 0);
}
