//! Rendering: every line the driver prints, into a [`Line`]. Safe code; no allocation.
//!
//! Lines start with `netnotify: `. Event lines: the notification, the change, then the key
//! fields (reference §3.7: only the keys of a delivered row are reliable).

use core::fmt::{self, Write};

use crate::counters::{ChangeCounts, StableCounts};
use crate::decode::{AddressKeys, Change, InterfaceKeys, Luid, RouteKeys, SocketAddress};
use crate::ffi::{AF_INET, AF_INET6, AF_UNSPEC};
use crate::line::Line;
use crate::notification::NotificationSet;

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

impl fmt::Display for SocketAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::V4(address) => write!(f, "{address}"),
            Self::V6(address, 0) => write!(f, "{address}"),
            Self::V6(address, scope) => write!(f, "{address}%{scope}"),
            Self::Other(family) => write!(f, "family({family})"),
        }
    }
}

impl fmt::Display for Luid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:016X}", self.0)
    }
}

/// An interface event.
#[must_use]
pub fn interface_event(change: Change, keys: Option<&InterfaceKeys>) -> Line {
    let mut line = line(format_args!("interface {change}"));
    match keys {
        Some(keys) => append(
            &mut line,
            format_args!(
                " family={} if={} luid={}",
                Family(keys.family),
                keys.index,
                keys.luid
            ),
        ),
        None => line.push_str(" (no row)"),
    }
    line
}

/// A unicast address event.
#[must_use]
pub fn address_event(change: Change, keys: Option<&AddressKeys>) -> Line {
    let mut line = line(format_args!("address {change}"));
    match keys {
        Some(keys) => append(
            &mut line,
            format_args!(" {} if={} luid={}", keys.address, keys.index, keys.luid),
        ),
        None => line.push_str(" (no row)"),
    }
    line
}

/// A route event.
#[must_use]
pub fn route_event(change: Change, keys: Option<&RouteKeys>) -> Line {
    let mut line = line(format_args!("route {change}"));
    match keys {
        Some(keys) => {
            append(
                &mut line,
                format_args!(" {}/{}", keys.destination, keys.prefix_length),
            );
            if keys.next_hop.is_unspecified() {
                line.push_str(" on-link");
            } else {
                append(&mut line, format_args!(" via {}", keys.next_hop));
            }
            append(
                &mut line,
                format_args!(" if={} luid={}", keys.index, keys.luid),
            );
        }
        None => line.push_str(" (no row)"),
    }
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

/// One row of a stable table.
#[must_use]
pub fn stable_entry(position: u32, keys: &AddressKeys) -> Line {
    line(format_args!(
        "stable-table [{position}] {} if={} luid={}",
        keys.address, keys.index, keys.luid
    ))
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
