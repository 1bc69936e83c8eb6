//! Rendering: every line the driver prints, into a [`Line`]. Safe code; no allocation.
//!
//! Lines start with `netnotify: `, then the notification and the change, then `key=value`
//! fields in a fixed order (documented with examples in `docs/lines.md`): the row's key
//! fields first, then — when the full state of the object is known — every other field.
//! A line that carries only the keys of an add or parameter notification says why
//! ([`Note`]): reference §3.7, only the keys of a delivered row are reliable.
//!
//! Stack economy (the callbacks run on NETIO's thread, `ci/object-checks/stack_budget.py`
//! measures them): the callback path renders into the caller's one [`Line`] (`write_*`), and
//! every `Display` impl here calls the inner values' `fmt` directly instead of nesting
//! `write!`, because each nested `core::fmt::write` adds a frame of its own.

use core::fmt::{self, Write};
use core::net::{Ipv4Addr, Ipv6Addr};

use crate::counters::{ChangeCounts, StableCounts};
use crate::decode::{
    Address, AddressKeys, Change, Flag, Interface, InterfaceKeys, Lifetime, Luid, Millis, Offload,
    Prefix, Route, RouteKeys, SocketAddress, Unset, ZoneIndices,
};
use crate::ffi::{AF_INET, AF_INET6, AF_UNSPEC};
use crate::line::Line;
use crate::notification::{Notification, NotificationSet};
use crate::status::NtStatus;
use crate::storm::{Summary, TICKS_PER_SECOND};

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
            Self::QueryFailed(status) => {
                f.write_str(" (re-query failed with status ")?;
                fmt::Display::fmt(status, f)?;
                f.write_str(")")
            }
            Self::NotPassive(irql) => {
                f.write_str(" (not re-queried at IRQL ")?;
                decimal(f, *irql)?;
                f.write_str(")")
            }
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Other(raw) => {
                f.write_str("type=")?;
                decimal(f, *raw)
            }
            known => f.write_str(known.name()),
        }
    }
}

// Integers: `itoa` formats into a stack buffer and hands `core::fmt` one finished string,
// where `core`'s own integer `Display` adds `pad_integral` and `write_prefix` frames (about
// 320 bytes of callback stack) for padding the driver never asks for.

/// `value` in decimal.
pub(crate) fn decimal(f: &mut fmt::Formatter<'_>, value: impl itoa::Integer) -> fmt::Result {
    f.write_str(itoa::Buffer::new().format(value))
}

/// An integer printed in decimal by `itoa`, for `format_args!`.
#[derive(Clone, Copy, Debug)]
pub struct Dec<T>(pub T);

impl<T: itoa::Integer + Copy> fmt::Display for Dec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        decimal(f, self.0)
    }
}

/// A number below 1000 with leading zeros (`{:03}`), without `core`'s padding path.
struct ThreeDigits(u64);

impl fmt::Display for ThreeDigits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buffer = itoa::Buffer::new();
        let text = buffer.format(self.0.min(999).saturating_add(1000));
        f.write_str(text.get(1..).unwrap_or(""))
    }
}

/// `value`'s lowest `digits` hex digits, uppercase, with leading zeros (`{:0NX}`), or with
/// `digits` = 0 lowercase without leading zeros (`{:x}`).
fn hex(f: &mut fmt::Formatter<'_>, value: u64, digits: u32, uppercase: bool) -> fmt::Result {
    let mut started = false;
    for digit in (0..16_u32).rev() {
        let nibble = value.checked_shr(digit.saturating_mul(4)).unwrap_or(0) & 0xF;
        started |= nibble != 0 || digit < digits || digit == 0;
        if started {
            let character = char::from_digit(u32::try_from(nibble).unwrap_or(0), 16).unwrap_or('?');
            f.write_char(if uppercase {
                character.to_ascii_uppercase()
            } else {
                character
            })?;
        }
    }
    Ok(())
}

/// `value`'s lowest `digits` hex digits, uppercase, with leading zeros: what `{:0NX}` prints.
pub(crate) fn write_hex(f: &mut fmt::Formatter<'_>, value: u64, digits: u32) -> fmt::Result {
    hex(f, value & low_bits(digits), digits, true)
}

/// A mask of the lowest `digits` hex digits.
const fn low_bits(digits: u32) -> u64 {
    match u64::MAX.checked_shr(64_u32.saturating_sub(digits.saturating_mul(4))) {
        Some(mask) if digits > 0 => mask,
        _ => 0,
    }
}

/// `word(value)`: `family(99)`.
fn parenthesised(f: &mut fmt::Formatter<'_>, word: &str, value: impl itoa::Integer) -> fmt::Result {
    f.write_str(word)?;
    f.write_str("(")?;
    decimal(f, value)?;
    f.write_str(")")
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
            other => parenthesised(f, "family", other),
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
                    scope => {
                        f.write_str("%")?;
                        decimal(f, *scope)
                    }
                }
            }
            Self::Other(family) => parenthesised(f, "family", *family),
        }
    }
}

// Why not `core::net`'s `Display`: its width/precision branch formats into a fixed buffer with
// an `unwrap` and a slice index that the optimiser cannot remove, so the no-panic check
// (ci/object-checks) finds a panic path from every callback that prints an address. These two
// writers produce the same text (the property test `addresses_print_as_core_net_prints_them`
// compares them with `core::net` on arbitrary addresses) with no panic path at all.

/// `a.b.c.d`.
fn write_ipv4(f: &mut fmt::Formatter<'_>, address: Ipv4Addr) -> fmt::Result {
    for (index, octet) in address.octets().iter().enumerate() {
        if index != 0 {
            f.write_str(".")?;
        }
        decimal(f, *octet)?;
    }
    Ok(())
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
        hex(f, u64::from(*group), 0, false)?;
    }
    Ok(())
}

/// `addr/len`, marked `(invalid)` when the length is out of the family's range.
impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.address, f)?;
        f.write_str("/")?;
        decimal(f, self.length)?;
        if !self.is_valid() {
            f.write_str("(invalid)")?;
        }
        Ok(())
    }
}

/// `<IANA ifType name or number>:<NetLuidIndex>`, plus the reserved bits if any are set.
impl fmt::Display for Luid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.if_type(), f)?;
        f.write_str(":")?;
        decimal(f, self.net_luid_index())?;
        match self.reserved() {
            0 => Ok(()),
            reserved => {
                f.write_str("(reserved=0x")?;
                write_hex(f, u64::from(reserved), 6)?;
                f.write_str(")")
            }
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
            seconds => {
                decimal(f, seconds)?;
                f.write_str("s")
            }
        }
    }
}

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        decimal(f, self.0)?;
        f.write_str("ms")
    }
}

impl fmt::Display for Unset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Self::UNSET => f.write_str("unset"),
            value => decimal(f, value),
        }
    }
}

/// The bitfield byte in hex; the bits are listed in `docs/lines.md` (reference §7).
impl fmt::Display for Offload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0x")?;
        write_hex(f, u64::from(self.0), 2)
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
                decimal(f, level)?;
                f.write_str(":")?;
                decimal(f, *zone)?;
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
            Dec(keys.index),
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
            Dec(row.metric),
            row.router_discovery_behavior,
            row.link_local_address_behavior,
            row.link_local_address_timeout,
            Dec(row.dad_transmits),
            row.reachable_time,
            row.base_reachable_time,
            row.retransmit_time,
            row.path_mtu_discovery_timeout,
            Dec(row.min_router_advertisement_interval.0),
            row.max_router_advertisement_interval,
            Dec(row.site_prefix_length),
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
        format_args!(
            " {} if={} luid={}",
            keys.address,
            Dec(keys.index),
            keys.luid
        ),
    );
}

fn address_full(line: &mut Line, row: &Address) {
    append(
        line,
        format_args!(
            " {} if={} luid={} dad={} prefix-origin={} suffix-origin={} valid={} \
             preferred={} skip-as-source={} scope-id={} created={}",
            row.prefix(),
            Dec(row.keys.index),
            row.keys.luid,
            row.dad_state,
            row.prefix_origin,
            row.suffix_origin,
            row.valid_lifetime,
            row.preferred_lifetime,
            row.skip_as_source,
            Dec(row.scope_id),
            Dec(row.creation_time_stamp),
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
    append(
        line,
        format_args!(" if={} luid={}", Dec(keys.index), keys.luid),
    );
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
            Dec(row.age),
            Dec(row.site_prefix_length),
            row.loopback,
            row.autoconfigure_address,
            row.publish,
            row.immortal,
        ),
    );
}

/// An interface event, written into `line` (empty): the callbacks' form.
pub fn write_interface_event(
    line: &mut Line,
    change: Change,
    row: &Detail<InterfaceKeys, Interface>,
) {
    line.push_str(PREFIX);
    append(line, format_args!("interface {change}"));
    detail(line, row, interface_keys, interface_full);
}

/// An interface event as a new line.
#[must_use]
pub fn interface_event(change: Change, row: &Detail<InterfaceKeys, Interface>) -> Line {
    let mut line = Line::new();
    write_interface_event(&mut line, change, row);
    line
}

/// A unicast address event, written into `line` (empty): the callbacks' form.
pub fn write_address_event(line: &mut Line, change: Change, row: &Detail<AddressKeys, Address>) {
    line.push_str(PREFIX);
    append(line, format_args!("address {change}"));
    detail(line, row, address_keys, address_full);
}

/// A unicast address event as a new line.
#[must_use]
pub fn address_event(change: Change, row: &Detail<AddressKeys, Address>) -> Line {
    let mut line = Line::new();
    write_address_event(&mut line, change, row);
    line
}

/// A route event, written into `line` (empty): the callbacks' form.
pub fn write_route_event(line: &mut Line, change: Change, row: &Detail<RouteKeys, Route>) {
    line.push_str(PREFIX);
    append(line, format_args!("route {change}"));
    detail(line, row, route_keys, route_full);
}

/// A route event as a new line.
#[must_use]
pub fn route_event(change: Change, row: &Detail<RouteKeys, Route>) -> Line {
    let mut line = Line::new();
    write_route_event(&mut line, change, row);
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

/// The header line of a stable table, written into `line` (empty); `entries` is `None` for a
/// NULL table.
pub fn write_stable_header(line: &mut Line, completion: Completion, entries: Option<u32>) {
    line.push_str(PREFIX);
    append(line, format_args!("stable-table {completion}"));
    match entries {
        Some(entries) => append(line, format_args!(" entries={}", Dec(entries))),
        None => line.push_str(" (no table)"),
    }
}

/// As [`write_stable_header`], as a new line.
#[must_use]
pub fn stable_header(completion: Completion, entries: Option<u32>) -> Line {
    let mut line = Line::new();
    write_stable_header(&mut line, completion, entries);
    line
}

/// One row of a stable table, written into `line` (empty): a complete row (the table is a
/// snapshot, not a notification).
pub fn write_stable_entry(line: &mut Line, position: u32, row: &Address) {
    line.push_str(PREFIX);
    append(line, format_args!("stable-table [{}]", Dec(position)));
    address_full(line, row);
}

/// As [`write_stable_entry`], as a new line.
#[must_use]
pub fn stable_entry(position: u32, row: &Address) -> Line {
    let mut line = Line::new();
    write_stable_entry(&mut line, position, row);
    line
}

/// A storm summary, written into `line` (empty):
/// `netnotify: storm: route lines not printed: initial=0 add=950 … in 1.250s`.
pub fn write_storm_summary(line: &mut Line, notification: Notification, summary: &Summary) {
    let ticks = summary.until.saturating_sub(summary.since);
    let seconds = ticks / TICKS_PER_SECOND;
    let millis = (ticks % TICKS_PER_SECOND) / (TICKS_PER_SECOND / 1000);
    // Static words are pushed, not formatted: `{}` of a `str` costs `Formatter::pad`'s frame.
    line.push_str(PREFIX);
    line.push_str("storm: ");
    line.push_str(notification.name());
    append(
        line,
        format_args!(
            " lines not printed: {} in {}.{}s",
            summary.counts,
            Dec(seconds),
            ThreeDigits(millis)
        ),
    );
}

/// As [`write_storm_summary`], as a new line.
#[must_use]
pub fn storm_summary(notification: Notification, summary: &Summary) -> Line {
    let mut line = Line::new();
    write_storm_summary(&mut line, notification, summary);
    line
}

impl fmt::Display for ChangeCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let counts = [
            ("initial=", self.initial),
            (" add=", self.add),
            (" delete=", self.delete),
            (" parameter=", self.parameter),
            (" other=", self.other),
        ];
        for (label, count) in counts {
            f.write_str(label)?;
            decimal(f, count)?;
        }
        Ok(())
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
