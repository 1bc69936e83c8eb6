//! Rendering: every line the driver prints, into a [`Line`]. Safe code; no allocation.
//!
//! Lines start with `netnotify: `, then the notification and the change, then `key=value`
//! fields in a fixed order (documented with examples in `docs/lines.md`): the row's key
//! fields first, then — when the full state of the object is known — every other field.
//! A line that carries only the keys of an add or parameter notification says why
//! ([`Note`]): reference §3.7, only the keys of a delivered row are reliable.

use core::fmt::{self, Write};
use core::net::{Ipv4Addr, Ipv6Addr};

use crate::counters::{ChangeCounts, StableCounts};
use crate::decode::{
    Address, AddressKeys, Change, Flag, Interface, InterfaceKeys, Lifetime, Luid, Millis, Offload,
    Prefix, Route, RouteKeys, SocketAddress, Unset, ZoneIndices,
};
use crate::ffi::{AF_INET, AF_INET6, AF_UNSPEC};
use crate::line::Line;
use crate::notification::NotificationSet;
use crate::status::NtStatus;

/// Every line begins with this.
pub const PREFIX: &str = "netnotify: ";

/// Starts a line with the prefix and formatted text. `Line` never fails a write, so the
/// `fmt::Result` carries nothing and is dropped.
#[must_use]
pub fn line(args: fmt::Arguments<'_>) -> Line {
    let mut line = Line::new();
    line.push_str(PREFIX);
    let _ = line.write_fmt(args);
    line
}

/// Appends formatted text to `line`.
pub fn append(line: &mut Line, args: fmt::Arguments<'_>) {
    let _ = line.write_fmt(args);
}

/// What an event line can show of its row.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Detail<K, F> {
    /// NETIO passed no row.
    NoRow,
    /// The key fields only, and why.
    Keys(K, Note),
    /// Every field of the object's current state.
    Full(F),
}

/// Why a line carries only the key fields.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Note {
    /// Nothing more to say: a delete (the object is gone), an initial or unknown type.
    None,
    /// The re-query found no such object: it went away after the notification.
    Gone,
    /// The re-query failed with this status.
    QueryFailed(NtStatus),
    /// The callback ran above `PASSIVE_LEVEL` (this IRQL), where re-querying is not allowed.
    NotPassive(u8),
}

impl fmt::Display for Note {
    /// Empty, or the note with its leading space.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => Ok(()),
            Self::Gone => f.write_str(" (gone before re-query)"),
            Self::QueryFailed(status) => write!(f, " (re-query failed with status {status})"),
            Self::NotPassive(irql) => write!(f, " (not re-queried at IRQL {irql})"),
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Other(raw) => write!(f, "type={raw}"),
            known => f.write_str(known.name()),
        }
    }
}

/// An `ADDRESS_FAMILY` as a word.
#[derive(Clone, Copy, Debug)]
pub struct Family(pub u16);

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            AF_UNSPEC => f.write_str("unspec"),
            AF_INET => f.write_str("ipv4"),
            AF_INET6 => f.write_str("ipv6"),
            other => write!(f, "family({other})"),
        }
    }
}

/// IPv4 dotted, IPv6 in RFC 5952 form with `%zone` when the scope id is set.
impl fmt::Display for SocketAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::V4(address) => write_ipv4(f, *address),
            Self::V6(address, scope) => {
                write_ipv6(f, *address)?;
                match scope {
                    0 => Ok(()),
                    scope => write!(f, "%{scope}"),
                }
            }
            Self::Other(family) => write!(f, "family({family})"),
        }
    }
}

// Why not `core::net`'s `Display`: its width/precision branch formats into a fixed buffer with
// an `unwrap` and a slice index that the optimiser cannot remove, so the no-panic check
// (ci/no-panic) finds a panic path from every callback that prints an address. These two
// writers produce the same text (the property test `addresses_print_as_core_net_prints_them`
// compares them with `core::net` on arbitrary addresses) with no panic path at all.

/// `a.b.c.d`.
fn write_ipv4(f: &mut fmt::Formatter<'_>, address: Ipv4Addr) -> fmt::Result {
    let [first, second, third, fourth] = address.octets();
    write!(f, "{first}.{second}.{third}.{fourth}")
}

/// RFC 5952 section 4: lowercase hex without leading zeros, the longest run of two or more
/// zero groups (the first of equal runs) as `::`, and IPv4-mapped addresses as
/// `::ffff:a.b.c.d` — the rules and the output of `core::net::Ipv6Addr`'s `Display`.
fn write_ipv6(f: &mut fmt::Formatter<'_>, address: Ipv6Addr) -> fmt::Result {
    if let Some(ipv4) = address.to_ipv4_mapped() {
        f.write_str("::ffff:")?;
        return write_ipv4(f, ipv4);
    }
    let groups = address.segments();
    let (mut run_start, mut run_length) = (0_usize, 0_usize);
    let (mut best_start, mut best_length) = (0_usize, 0_usize);
    for (index, group) in groups.iter().enumerate() {
        if *group == 0 {
            if run_length == 0 {
                run_start = index;
            }
            run_length = run_length.saturating_add(1);
            if run_length > best_length {
                (best_start, best_length) = (run_start, run_length);
            }
        } else {
            run_length = 0;
        }
    }
    // A single zero group is written as `0`, not `::` (RFC 5952 section 4.2.2).
    let elided = if best_length >= 2 {
        best_start..best_start.saturating_add(best_length)
    } else {
        0..0
    };
    for (index, group) in groups.iter().enumerate() {
        if elided.contains(&index) {
            if index == elided.start {
                f.write_str("::")?;
            }
            continue;
        }
        if index != 0 && index != elided.end {
            f.write_str(":")?;
        }
        write!(f, "{group:x}")?;
    }
    Ok(())
}

/// `addr/len`, marked `(invalid)` when the length is out of the family's range.
impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.length)?;
        if !self.is_valid() {
            f.write_str("(invalid)")?;
        }
        Ok(())
    }
}

/// `<IANA ifType name or number>:<NetLuidIndex>`, plus the reserved bits if any are set.
impl fmt::Display for Luid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.if_type(), self.net_luid_index())?;
        match self.reserved() {
            0 => Ok(()),
            reserved => write!(f, "(reserved=0x{reserved:06X})"),
        }
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_set() { "yes" } else { "no" })
    }
}

impl fmt::Display for Lifetime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Self::INFINITE => f.write_str("infinite"),
            seconds => write!(f, "{seconds}s"),
        }
    }
}

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ms", self.0)
    }
}

impl fmt::Display for Unset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Self::UNSET => f.write_str("unset"),
            value => write!(f, "{value}"),
        }
    }
}

/// The bitfield byte in hex; the bits are listed in `docs/lines.md` (reference §7).
impl fmt::Display for Offload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:02X}", self.0)
    }
}

/// `level:zone` for every non-zero entry, comma-separated, or `none`.
impl fmt::Display for ZoneIndices {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (level, zone) in self.0.iter().enumerate() {
            if *zone != 0 {
                if !first {
                    f.write_str(",")?;
                }
                first = false;
                write!(f, "{level}:{zone}")?;
            }
        }
        if first {
            f.write_str("none")?;
        }
        Ok(())
    }
}

/// Ends a line on the row: `(no row)`, or the keys and their note, or the full state.
fn detail<K, F>(
    line: &mut Line,
    detail: &Detail<K, F>,
    keys: impl Fn(&mut Line, &K),
    full: impl Fn(&mut Line, &F),
) {
    match detail {
        Detail::NoRow => line.push_str(" (no row)"),
        Detail::Keys(row, note) => {
            keys(line, row);
            append(line, format_args!("{note}"));
        }
        Detail::Full(row) => full(line, row),
    }
}

fn interface_keys(line: &mut Line, keys: &InterfaceKeys) {
    append(
        line,
        format_args!(
            " family={} if={} luid={}",
            Family(keys.family),
            keys.index,
            keys.luid
        ),
    );
}

/// The interface's flags that are set, by name in a fixed order, or `none`. Fourteen
/// `name=yes/no` pairs beside the other 20 fields do not fit one `DbgPrint` line (measured:
/// 505 of 510 bytes for an ordinary Wi-Fi interface), so the interface line lists the set
/// ones and keeps only `connected` as yes/no.
struct InterfaceFlags<'a>(&'a Interface);

impl fmt::Display for InterfaceFlags<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let row = self.0;
        let flags = [
            (row.use_automatic_metric, "auto-metric"),
            (row.forwarding_enabled, "forwarding"),
            (row.advertising_enabled, "advertising"),
            (row.advertise_default_route, "advertise-default"),
            (row.disable_default_routes, "no-default-routes"),
            (row.weak_host_send, "weak-send"),
            (row.weak_host_receive, "weak-receive"),
            (row.use_neighbor_unreachability_detection, "nud"),
            (row.managed_address_configuration_supported, "managed"),
            (row.other_stateful_configuration_supported, "other-stateful"),
            (row.supports_wake_up_patterns, "wake"),
            (row.supports_neighbor_discovery, "nd"),
            (row.supports_router_discovery, "rd"),
        ];
        let mut first = true;
        for (flag, name) in flags {
            if flag.is_set() {
                if !first {
                    f.write_str(",")?;
                }
                first = false;
                f.write_str(name)?;
            }
        }
        if first {
            f.write_str("none")?;
        }
        Ok(())
    }
}

fn interface_full(line: &mut Line, row: &Interface) {
    interface_keys(line, &row.keys);
    append(
        line,
        format_args!(
            " connected={} mtu={} metric={} router-discovery={} link-local={} \
             link-local-timeout={} dad-transmits={} reachable={} base-reachable={} \
             retransmit={} pmtu-timeout={} ra-interval={}-{} site-prefix={} offload={}/{} \
             zones={} flags={}",
            row.connected,
            row.nl_mtu,
            row.metric,
            row.router_discovery_behavior,
            row.link_local_address_behavior,
            row.link_local_address_timeout,
            row.dad_transmits,
            row.reachable_time,
            row.base_reachable_time,
            row.retransmit_time,
            row.path_mtu_discovery_timeout,
            row.min_router_advertisement_interval.0,
            row.max_router_advertisement_interval,
            row.site_prefix_length,
            row.transmit_offload,
            row.receive_offload,
            row.zone_indices,
            InterfaceFlags(row),
        ),
    );
}

fn address_keys(line: &mut Line, keys: &AddressKeys) {
    append(
        line,
        format_args!(" {} if={} luid={}", keys.address, keys.index, keys.luid),
    );
}

fn address_full(line: &mut Line, row: &Address) {
    append(
        line,
        format_args!(
            " {} if={} luid={} dad={} prefix-origin={} suffix-origin={} valid={} \
             preferred={} skip-as-source={} scope-id={} created={}",
            row.prefix(),
            row.keys.index,
            row.keys.luid,
            row.dad_state,
            row.prefix_origin,
            row.suffix_origin,
            row.valid_lifetime,
            row.preferred_lifetime,
            row.skip_as_source,
            row.scope_id,
            row.creation_time_stamp,
        ),
    );
}

fn route_keys(line: &mut Line, keys: &RouteKeys) {
    append(line, format_args!(" {}", keys.destination));
    if keys.next_hop.is_unspecified() {
        line.push_str(" on-link");
    } else {
        append(line, format_args!(" via {}", keys.next_hop));
    }
    append(line, format_args!(" if={} luid={}", keys.index, keys.luid));
}

fn route_full(line: &mut Line, row: &Route) {
    route_keys(line, &row.keys);
    append(
        line,
        format_args!(
            " metric={} protocol={} origin={} valid={} preferred={} age={}s site-prefix={} \
             loopback={} autoconf={} publish={} immortal={}",
            row.metric,
            row.protocol,
            row.origin,
            row.valid_lifetime,
            row.preferred_lifetime,
            row.age,
            row.site_prefix_length,
            row.loopback,
            row.autoconfigure_address,
            row.publish,
            row.immortal,
        ),
    );
}

/// An interface event.
#[must_use]
pub fn interface_event(change: Change, row: &Detail<InterfaceKeys, Interface>) -> Line {
    let mut line = line(format_args!("interface {change}"));
    detail(&mut line, row, interface_keys, interface_full);
    line
}

/// A unicast address event.
#[must_use]
pub fn address_event(change: Change, row: &Detail<AddressKeys, Address>) -> Line {
    let mut line = line(format_args!("address {change}"));
    detail(&mut line, row, address_keys, address_full);
    line
}

/// A route event.
#[must_use]
pub fn route_event(change: Change, row: &Detail<RouteKeys, Route>) -> Line {
    let mut line = line(format_args!("route {change}"));
    detail(&mut line, row, route_keys, route_full);
    line
}

/// How a stable table reached the driver.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Completion {
    /// Returned by `NotifyStableUnicastIpAddressTable` itself.
    Immediate,
    /// Delivered to the callback after a pending return.
    Pending,
}

impl fmt::Display for Completion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Immediate => "immediate",
            Self::Pending => "pending",
        })
    }
}

/// The header line of a stable table; `entries` is `None` for a NULL table.
#[must_use]
pub fn stable_header(completion: Completion, entries: Option<u32>) -> Line {
    let mut line = line(format_args!("stable-table {completion}"));
    match entries {
        Some(entries) => append(&mut line, format_args!(" entries={entries}")),
        None => line.push_str(" (no table)"),
    }
    line
}

/// One row of a stable table: a complete row (the table is a snapshot, not a notification).
#[must_use]
pub fn stable_entry(position: u32, row: &Address) -> Line {
    let mut line = line(format_args!("stable-table [{position}]"));
    address_full(&mut line, row);
    line
}

impl fmt::Display for ChangeCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "initial={} add={} delete={} parameter={} other={}",
            self.initial, self.add, self.delete, self.parameter, self.other
        )
    }
}

impl fmt::Display for StableCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tables={} entries={}", self.tables, self.entries)
    }
}

/// Comma-separated names, or `none`.
impl fmt::Display for NotificationSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for notification in crate::notification::Notification::ALL {
            if self.contains(notification) {
                if !first {
                    f.write_str(",")?;
                }
                first = false;
                f.write_str(notification.name())?;
            }
        }
        if first {
            f.write_str("none")?;
        }
        Ok(())
    }
}
