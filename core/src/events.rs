//! What a callback does with what it received: count it, render it, emit it. Safe code that
//! runs on NETIO's threads: no lock, no allocation, no panic, no blocking.

use crate::counters::ChangeCounters;
use crate::decode::{AddressKeys, Change, InterfaceKeys, RouteKeys};
use crate::extension::Extension;
use crate::ffi::{MibIpForwardRow2, MibIpInterfaceRow, MibUnicastIpAddressRow};
use crate::host::{Level, Sink};
use crate::line::Line;
use crate::render::{self, Completion};

/// What every change callback does: count the event, then print its line.
fn change<N, S: Sink, K>(
    extension: &Extension<N, S>,
    counters: &ChangeCounters,
    notification_type: i32,
    keys: Option<&K>,
    render: fn(Change, Option<&K>) -> Line,
) {
    let change = Change::from_raw(notification_type);
    counters.count(change);
    extension.sink.emit(Level::Info, &render(change, keys));
}

/// An interface notification (`row` is `None` when NETIO passed NULL).
pub fn interface<N, S: Sink>(
    extension: &Extension<N, S>,
    row: Option<&MibIpInterfaceRow>,
    notification_type: i32,
) {
    let keys = row.map(InterfaceKeys::decode);
    let counters = &extension.counters.interface;
    change(
        extension,
        counters,
        notification_type,
        keys.as_ref(),
        render::interface_event,
    );
}

/// A unicast address notification.
pub fn address<N, S: Sink>(
    extension: &Extension<N, S>,
    row: Option<&MibUnicastIpAddressRow>,
    notification_type: i32,
) {
    let keys = row.map(AddressKeys::decode);
    let counters = &extension.counters.address;
    change(
        extension,
        counters,
        notification_type,
        keys.as_ref(),
        render::address_event,
    );
}

/// A route notification.
pub fn route<N, S: Sink>(
    extension: &Extension<N, S>,
    row: Option<&MibIpForwardRow2>,
    notification_type: i32,
) {
    let keys = row.map(RouteKeys::decode);
    let counters = &extension.counters.route;
    change(
        extension,
        counters,
        notification_type,
        keys.as_ref(),
        render::route_event,
    );
}

/// The start of a stable table of `entries` rows, or of a NULL table (`None`).
pub fn stable_table<N, S: Sink>(
    extension: &Extension<N, S>,
    completion: Completion,
    entries: Option<u32>,
) {
    extension.counters.stable.count(entries.unwrap_or(0));
    extension
        .sink
        .emit(Level::Info, &render::stable_header(completion, entries));
}

/// Row `position` of the stable table being printed.
pub fn stable_entry<N, S: Sink>(
    extension: &Extension<N, S>,
    position: u32,
    row: &MibUnicastIpAddressRow,
) {
    let keys = AddressKeys::decode(row);
    extension
        .sink
        .emit(Level::Info, &render::stable_entry(position, &keys));
}
