//! Rendering needs no heap (README.md#cost-of-a-line): the whole callback path — decode, re-query,
//! count, render, emit — runs under a counting global allocator and must allocate nothing;
//! so does building and writing the ETW events with a session listening.
//!
//! The count is per thread, so the test harness's own threads cannot disturb it.

mod common;

use core::cell::Cell;
use core::net::{Ipv4Addr, Ipv6Addr};
use std::alloc::{GlobalAlloc, Layout, System};

use common::{ETHERNET_LUID, WIFI_LUID, address_row, interface_row, ipv4, ipv6, route_row};
use netnotify_core::boundary::ffi::{AF_INET6, notification_type as nt};
use netnotify_core::model::settings::Settings;
use netnotify_core::output::render::Completion;
use netnotify_core::output::trace::RegHandle;
use netnotify_core::policy::events;
use netnotify_core::policy::extension::Extension;
use netnotify_core::sim::stub::{Answering, Discard};

std::thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

struct Counting;

// SAFETY: forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        // SAFETY: forwarded contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(pointer, layout) }
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        // SAFETY: forwarded contract.
        unsafe { System.realloc(pointer, layout, size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn every_callback_path_renders_without_allocating() {
    let extension = Extension::new(Answering, Discard::frozen(), Settings::DEFAULT);
    let link_local = Ipv6Addr::new(0xfe80, 0, 0, 0, 0x1c2a, 0x5ff, 0xfe00, 1);
    let interface = interface_row(AF_INET6, WIFI_LUID, 12);
    let address = address_row(ipv6(link_local, 12), WIFI_LUID, 12);
    let route = route_row(
        ipv6(Ipv6Addr::UNSPECIFIED, 0),
        0,
        ipv6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1), 12),
        WIFI_LUID,
        12,
    );
    let stable = address_row(ipv4(Ipv4Addr::new(10, 0, 0, 5)), ETHERNET_LUID, 4);

    let before = allocations();
    for raw in [nt::ADD, nt::PARAMETER, nt::DELETE, nt::INITIAL, 42] {
        events::interface(&extension, Some(interface), raw);
        events::interface(&extension, None, raw);
        events::address(&extension, Some(address), raw);
        events::address(&extension, None, raw);
        events::route(&extension, Some(route), raw);
        events::route(&extension, None, raw);
    }
    events::stable_table(&extension, Completion::Pending, Some(1));
    events::stable_entry(&extension, 0, &stable);
    events::stable_table(&extension, Completion::Immediate, None);
    let allocated = allocations() - before;

    assert_eq!(allocated, 0, "allocations on the callback path");
    // The lines did reach the sink: the last one is `netnotify: stable-table immediate (no
    // table)` and its newline.
    assert_eq!(extension.sink().last_length(), 45);
    // The counter works: a heap allocation on this thread is seen.
    let boxed = std::hint::black_box(Box::new(1_u8));
    assert_eq!(allocations() - before, 1);
    drop(boxed);
}

#[test]
fn with_a_session_listening_writing_every_event_allocates_nothing() {
    let extension = Extension::new(Answering, Discard::frozen(), Settings::DEFAULT);
    // Registered, its traits set: the handle the writes take.
    extension.session().publish(RegHandle(1));
    // A session for every level and keyword, as the enable callback reports it.
    events::trace_control(&extension, 1, 0, u64::MAX, 0);
    let address = address_row(
        ipv6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1), 12),
        WIFI_LUID,
        12,
    );
    let route = route_row(
        ipv4(Ipv4Addr::new(10, 1, 0, 0)),
        16,
        ipv4(Ipv4Addr::new(10, 0, 0, 1)),
        ETHERNET_LUID,
        3,
    );

    let before = allocations();
    events::interface(
        &extension,
        Some(interface_row(AF_INET6, WIFI_LUID, 12)),
        nt::ADD,
    );
    events::address(&extension, Some(address), nt::DELETE);
    events::route(&extension, Some(route), nt::ADD);
    events::stable_table(&extension, Completion::Pending, Some(1));
    events::stable_entry(&extension, 0, &address);
    events::trace_control(&extension, 2, 0, 0, 0);
    let allocated = allocations() - before;

    assert_eq!(allocated, 0, "allocations writing events");
    // Six events: three notifications, a table and its entry, the capture-state counters.
    assert_eq!(extension.sink().events_written(), 6);
}
