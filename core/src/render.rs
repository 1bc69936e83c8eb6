//! Rendering: every line the driver prints, into a [`Line`]. Safe code; no allocation.
//!
//! Lines start with `netnotify: `, then the notification and the change, then `key=value`
//! fields in a fixed order (documented with examples in `docs/lines.md`): the row's key
//! fields first, then the interface's name and alias, then — when the full state of the
//! object is known — every other field. A line that carries only the keys of an add or
//! parameter notification says why ([`Note`]): docs/netio.md#requery, only the keys of a delivered
//! row are reliable.
//!
//! No line is cut: the interface's full state is two lines, and the name and alias are
//! printed at most [`NAME_CHARACTERS`] and [`ALIAS_CHARACTERS`] long, so that every line
//! stays within one `DbgPrint` whatever the row holds — but for an interface's `zones=`
//! list, sized for the seven scope levels Windows defines (`tests/properties.rs` checks the
//! bound on arbitrary rows with 256-character names and aliases).
//!
//! Speed and stack: values write themselves into the line ([`Put`]) instead of going through
//! `core::fmt`; see [`crate::line::Put`] for the measurements.

use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr};

use crate::counters::{ChangeCounts, StableCounts};
use crate::decode::{
    Address, AddressKeys, Change, Flag, Interface, InterfaceKeys, Lifetime, Luid, Millis, Offload,
    Prefix, Route, RouteKeys, SocketAddress, Unset, ZoneIndices,
};
use crate::ffi::{AF_INET, AF_INET6, AF_UNSPEC};
use crate::line::{Line, Out, Put, display_by_put, put};
use crate::notification::{Notification, NotificationSet};
use crate::status::NtStatus;
use crate::storm::{Summary, TICKS_PER_SECOND};

/// Every line begins with this.
pub const PREFIX: &str = "netnotify: ";

/// Starts a line with the prefix and formatted text (lines printed outside callbacks).
/// `Line` never fails a write, so the `fmt::Result` carries nothing and is dropped.
#[must_use]
pub fn line(args: fmt::Arguments<'_>) -> Line {
    let mut line = Line::new();
    line.push_str(PREFIX);
    let _ = fmt::Write::write_fmt(&mut line, args);
    line
}

/// Appends formatted text to `line`.
pub fn append(line: &mut Line, args: fmt::Arguments<'_>) {
    let _ = fmt::Write::write_fmt(line, args);
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

impl Put for Note {
    /// Empty, or the note with its leading space.
    fn put<O: Out>(&self, out: &mut O) {
        match self {
            Self::None => {}
            Self::Gone => out.put_str(" (gone before re-query)"),
            Self::QueryFailed(status) => put!(out; " (re-query failed with status ", status, ")"),
            Self::NotPassive(irql) => put!(out; " (not re-queried at IRQL ", Dec(*irql), ")"),
        }
    }
}

impl Put for Change {
    fn put<O: Out>(&self, out: &mut O) {
        match self {
            Self::Other(raw) => put!(out; "type=", Dec(*raw)),
            known => out.put_str(known.name()),
        }
    }
}

/// An integer in decimal. `itoa` formats into a stack buffer and hands over one finished
/// string, without `core`'s padding machinery the driver never asks for.
#[derive(Clone, Copy, Debug)]
pub struct Dec<T>(pub T);

impl<T: itoa::Integer + Copy> Put for Dec<T> {
    fn put<O: Out>(&self, out: &mut O) {
        out.put_ascii(itoa::Buffer::new().format(self.0).as_bytes());
    }
}

impl<T: itoa::Integer + Copy> fmt::Display for Dec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::line::display(self, f)
    }
}

/// The lowest `.1` hex digits of `.0`, uppercase, with leading zeros (`{:0NX}`, N ≤ 16).
#[derive(Clone, Copy, Debug)]
pub struct Hex(pub u64, pub u32);

const UPPER: &[u8; 16] = b"0123456789ABCDEF";
const LOWER: &[u8; 16] = b"0123456789abcdef";

impl Put for Hex {
    fn put<O: Out>(&self, out: &mut O) {
        let mut digits = [b'0'; 16];
        let count = usize::try_from(self.1.min(16)).unwrap_or(16);
        let mut value = self.0;
        for slot in digits.iter_mut().take(count).rev() {
            *slot = UPPER
                .get(usize::try_from(value & 0xF).unwrap_or(0))
                .copied()
                .unwrap_or(b'?');
            value >>= 4;
        }
        out.put_ascii(digits.get(..count).unwrap_or_default());
    }
}

/// Bytes the writers above produced, all ASCII.
fn ascii(bytes: &[u8]) -> &str {
    core::str::from_utf8(bytes).unwrap_or("?")
}

/// `word(value)`: `family(99)`.
fn parenthesised<O: Out>(out: &mut O, word: &str, value: impl itoa::Integer + Copy) {
    put!(out; word, "(", Dec(value), ")");
}

/// An `ADDRESS_FAMILY` as a word.
#[derive(Clone, Copy, Debug)]
pub struct Family(pub u16);

impl Put for Family {
    fn put<O: Out>(&self, out: &mut O) {
        match self.0 {
            AF_UNSPEC => out.put_str("unspec"),
            AF_INET => out.put_str("ipv4"),
            AF_INET6 => out.put_str("ipv6"),
            other => parenthesised(out, "family", other),
        }
    }
}

/// A few bytes of text assembled on the stack and handed over in one piece: an address is up
/// to 30 pieces, and one `put_str` instead of 30 is most of what makes an IPv6 line fast.
struct Scratch<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Scratch<N> {
    const fn new() -> Self {
        Self {
            bytes: [0; N],
            len: 0,
        }
    }

    fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }

    /// Appends one byte (dropped if full).
    fn push(&mut self, byte: u8) {
        if let Some(slot) = self.bytes.get_mut(self.len) {
            *slot = byte;
            self.len = self.len.saturating_add(1);
        }
    }
}

/// Text beyond `N` is dropped; every user sizes `N` for its longest text.
impl<const N: usize> Out for Scratch<N> {
    fn put_str(&mut self, text: &str) {
        self.put_ascii(text.as_bytes());
    }

    fn put_ascii(&mut self, bytes: &[u8]) {
        let end = self.len.saturating_add(bytes.len());
        if let Some(target) = self.bytes.get_mut(self.len..end) {
            // A zipped copy: `copy_from_slice` keeps a length-mismatch panic path.
            for (slot, byte) in target.iter_mut().zip(bytes) {
                *slot = *byte;
            }
            self.len = end;
        }
    }
}

/// The longest address text: eight full groups, `%`, a ten-digit scope id (50 bytes).
const ADDRESS_TEXT: usize = 56;

/// IPv4 dotted, IPv6 in RFC 5952 form with `%zone` when the scope id is set.
impl Put for SocketAddress {
    fn put<O: Out>(&self, out: &mut O) {
        let mut scratch = Scratch::<ADDRESS_TEXT>::new();
        self.put_pieces(&mut scratch);
        out.put_ascii(scratch.as_bytes());
    }
}

impl SocketAddress {
    fn put_pieces<const N: usize>(&self, out: &mut Scratch<N>) {
        match self {
            Self::V4(address) => put_ipv4(out, *address),
            Self::V6(address, scope) => {
                put_ipv6(out, *address);
                if *scope != 0 {
                    put!(out; "%", Dec(*scope));
                }
            }
            Self::Other(family) => parenthesised(out, "family", *family),
        }
    }
}

// Why not `core::net`'s `Display`: its width/precision branch formats into a fixed buffer with
// an `unwrap` and a slice index that the optimiser cannot remove, so the no-panic check
// (ci/object-checks) finds a panic path from every callback that prints an address. These two
// writers produce the same text (the property test `addresses_print_as_core_net_prints_them`
// compares them with `core::net` on arbitrary addresses) with no panic path at all, byte by
// byte into the scratch buffer (the fastest form measured: `core/benches/render.rs`).

/// `a.b.c.d`.
fn put_ipv4<const N: usize>(out: &mut Scratch<N>, address: Ipv4Addr) {
    for (index, octet) in address.octets().into_iter().enumerate() {
        if index != 0 {
            out.push(b'.');
        }
        if octet >= 100 {
            out.push(b'0'.saturating_add(octet / 100));
        }
        if octet >= 10 {
            out.push(b'0'.saturating_add(octet / 10 % 10));
        }
        out.push(b'0'.saturating_add(octet % 10));
    }
}

/// RFC 5952 section 4: lowercase hex without leading zeros, the longest run of two or more
/// zero groups (the first of equal runs) as `::`, and IPv4-mapped addresses as
/// `::ffff:a.b.c.d` — the rules and the output of `core::net::Ipv6Addr`'s `Display`.
fn put_ipv6<const N: usize>(out: &mut Scratch<N>, address: Ipv6Addr) {
    if let Some(ipv4) = address.to_ipv4_mapped() {
        out.put_str("::ffff:");
        return put_ipv4(out, ipv4);
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
    for (index, group) in groups.into_iter().enumerate() {
        if elided.contains(&index) {
            if index == elided.start {
                out.push(b':');
                out.push(b':');
            }
            continue;
        }
        if index != 0 && index != elided.end {
            out.push(b':');
        }
        // Lowercase hex without leading zeros (`{:x}`): as many digits as the value needs.
        let digits = (19_u32.saturating_sub(group.leading_zeros()) / 4).max(1);
        for digit in (0..digits).rev() {
            let nibble = group.checked_shr(digit.saturating_mul(4)).unwrap_or(0) & 0xF;
            out.push(LOWER.get(usize::from(nibble)).copied().unwrap_or(b'?'));
        }
    }
}

/// `addr/len`, marked `(invalid)` when the length is out of the family's range.
impl Put for Prefix {
    fn put<O: Out>(&self, out: &mut O) {
        put!(out; self.address, "/", Dec(self.length));
        if !self.is_valid() {
            out.put_str("(invalid)");
        }
    }
}

/// `<IANA ifType name or number>:<NetLuidIndex>`, plus the reserved bits if any are set.
impl Put for Luid {
    fn put<O: Out>(&self, out: &mut O) {
        put!(out; self.if_type(), ":", Dec(self.net_luid_index()));
        match self.reserved() {
            0 => {}
            reserved => put!(out; "(reserved=0x", Hex(u64::from(reserved), 6), ")"),
        }
    }
}

impl Put for Flag {
    fn put<O: Out>(&self, out: &mut O) {
        out.put_str(if self.is_set() { "yes" } else { "no" });
    }
}

impl Put for Lifetime {
    fn put<O: Out>(&self, out: &mut O) {
        match self.0 {
            Self::INFINITE => out.put_str("infinite"),
            seconds => put!(out; Dec(seconds), "s"),
        }
    }
}

impl Put for Millis {
    fn put<O: Out>(&self, out: &mut O) {
        put!(out; Dec(self.0), "ms");
    }
}

impl Put for Unset {
    fn put<O: Out>(&self, out: &mut O) {
        match self.0 {
            Self::UNSET => out.put_str("unset"),
            value => Dec(value).put(out),
        }
    }
}

/// The bitfield byte in hex; the bits are listed in `docs/lines.md` (docs/netio.md#rows).
impl Put for Offload {
    fn put<O: Out>(&self, out: &mut O) {
        put!(out; "0x", Hex(u64::from(self.0), 2));
    }
}

/// `level:zone` for every non-zero entry, comma-separated, or `none`.
impl Put for ZoneIndices {
    fn put<O: Out>(&self, out: &mut O) {
        let mut first = true;
        for (level, zone) in self.0.iter().enumerate() {
            if *zone != 0 {
                if !first {
                    out.put_str(",");
                }
                first = false;
                put!(out; Dec(level), ":", Dec(*zone));
            }
        }
        if first {
            out.put_str("none");
        }
    }
}

/// Seconds from 1601-01-01 (the `FILETIME` epoch) to 1970-01-01.
const FILETIME_TO_UNIX_SECONDS: i64 = 11_644_473_600;

/// A `FILETIME`-style time stamp (100-ns units since 1601-01-01 UTC) as UTC ISO 8601:
/// `2024-11-27T10:39:59Z`, with the fraction (`.1234567`) only when it is not zero.
///
/// `CreationTimeStamp` is a `LARGE_INTEGER` whose unit the documentation does not state
/// (docs/netio.md#uncertain); its values are system times (`KeQuerySystemTime`, UTC), which is what
/// Windows' own tools show for it. A negative value, which no system time is, prints as
/// its number, so nothing is ever hidden. Hand-written because `core` has no calendar and
/// the calendar crates either allocate or keep panic paths; the conversion is Howard
/// Hinnant's `civil_from_days`, checked against `std::time` in the tests.
#[derive(Clone, Copy, Debug)]
pub struct Timestamp(pub i64);

impl Put for Timestamp {
    fn put<O: Out>(&self, out: &mut O) {
        let Ok(ticks) = u64::try_from(self.0) else {
            return Dec(self.0).put(out);
        };
        let seconds = (ticks / TICKS_PER_SECOND).cast_signed();
        let fraction = ticks % TICKS_PER_SECOND;
        let unix = seconds.saturating_sub(FILETIME_TO_UNIX_SECONDS);
        let days = unix.div_euclid(86_400);
        let of_day = unix.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        put!(out;
            Dec(year), "-", Digits(month, 2), "-", Digits(day, 2),
            "T", Digits(of_day / 3600, 2), ":", Digits(of_day / 60 % 60, 2),
            ":", Digits(of_day % 60, 2),
        );
        if fraction != 0 {
            put!(out; ".", Digits(fraction.cast_signed(), 7));
        }
        out.put_str("Z");
    }
}

/// Year, month (1–12) and day (1–31) of a day count from 1970-01-01 (proleptic Gregorian).
/// Only non-negative `ticks` reach it, so `days` ≥ −134,774 and every step stays in range.
const fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era
        .saturating_sub(day_of_era / 1460)
        .saturating_add(day_of_era / 36_524)
        .saturating_sub(day_of_era / 146_096))
        / 365;
    let day_of_year = day_of_era.saturating_sub(
        year_of_era
            .saturating_mul(365)
            .saturating_add(year_of_era / 4)
            .saturating_sub(year_of_era / 100),
    );
    let shifted_month = day_of_year.saturating_mul(5).saturating_add(2) / 153;
    let day = day_of_year
        .saturating_sub(shifted_month.saturating_mul(153).saturating_add(2) / 5)
        .saturating_add(1);
    let month = if shifted_month < 10 {
        shifted_month.saturating_add(3)
    } else {
        shifted_month.saturating_sub(9)
    };
    let year = year_of_era
        .saturating_add(era.saturating_mul(400))
        .saturating_add(if month <= 2 { 1 } else { 0 });
    (year, month, day)
}

/// A non-negative number below 10^`.1` with leading zeros (`{:0N}`), N ≤ 9.
#[derive(Clone, Copy, Debug)]
struct Digits(i64, u32);

impl Put for Digits {
    fn put<O: Out>(&self, out: &mut O) {
        let limit = 10_i64.checked_pow(self.1.min(9)).unwrap_or(1);
        let mut buffer = itoa::Buffer::new();
        let value = self.0.checked_rem_euclid(limit).unwrap_or(0);
        let text = buffer.format(value.saturating_add(limit));
        out.put_str(text.get(1..).unwrap_or(""));
    }
}

/// Characters of an interface name printed at most. A name is `<type>_<NetLuidIndex>`
/// (`wireless_32768`): the longest type word Windows uses and an eight-digit index fit.
pub const NAME_CHARACTERS: usize = 32;

/// Characters of an interface alias printed at most.
///
/// A longer alias keeps its first `ALIAS_CHARACTERS - 3` and ends with `...`. Aliases may be
/// 256 characters long, which no line could hold beside the row; the ones Windows creates
/// (`Ethernet 2`, `Wi-Fi`, `vEthernet (Default Switch)`, `Local Area Connection* 10`) are
/// far shorter.
pub const ALIAS_CHARACTERS: usize = 48;

/// A name or alias as printed: printable ASCII, at most `N` characters, or unknown (`?`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Text<const N: usize> {
    bytes: [u8; N],
    len: usize,
    known: bool,
}

impl<const N: usize> Text<N> {
    /// Unknown: the lookup failed or was not allowed.
    pub const UNKNOWN: Self = Self {
        bytes: [0; N],
        len: 0,
        known: false,
    };

    /// The text of `units` (UTF-16, up to the first NUL, if any): printable ASCII kept,
    /// `"` printed as `'` (the alias is quoted), anything else as `?`; cut to `N` with `...`.
    #[must_use]
    pub fn from_units(units: impl IntoIterator<Item = u16>) -> Self {
        let mut text = Self {
            bytes: [0; N],
            len: 0,
            known: true,
        };
        let mut cut = false;
        for unit in units.into_iter().take_while(|unit| *unit != 0) {
            let byte = match u8::try_from(unit) {
                Ok(b'"') => b'\'',
                Ok(byte @ b' '..=b'~') => byte,
                _ => b'?',
            };
            if let Some(slot) = text.bytes.get_mut(text.len) {
                *slot = byte;
                text.len = text.len.saturating_add(1);
            } else {
                cut = true;
                break;
            }
        }
        if cut {
            text.len = N.saturating_sub(3);
            for slot in text.bytes.iter_mut().skip(text.len) {
                *slot = b'.';
            }
            text.len = N;
        }
        text
    }

    /// As [`Text::from_units`], from single bytes (an ANSI name).
    #[must_use]
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self::from_units(bytes.iter().map(|byte| u16::from(*byte)))
    }

    /// As [`Text::from_units`], from a `&str` (the simulator's names).
    #[must_use]
    pub fn from_text(text: &str) -> Self {
        Self::from_units(text.encode_utf16())
    }

    /// The printed characters, `None` if unknown.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        self.known
            .then(|| ascii(self.bytes.get(..self.len).unwrap_or_default()))
    }
}

/// The names Windows tools show for an interface.
///
/// Its name (`ConvertInterfaceLuidToNameA`, `InterfaceName` in `Get-NetAdapter`) and its
/// alias (`ConvertInterfaceLuidToAlias`, `InterfaceAlias`, the name in the Control Panel).
/// Looked up by the callback ([`crate::events`]), printed after the row's keys.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Names {
    /// `name=`.
    pub name: Text<NAME_CHARACTERS>,
    /// `alias="…"`.
    pub alias: Text<ALIAS_CHARACTERS>,
}

impl Names {
    /// Neither known: printed `name=? alias=?`.
    pub const UNKNOWN: Self = Self {
        name: Text::UNKNOWN,
        alias: Text::UNKNOWN,
    };

    /// Both known, from text (tests and the simulator).
    #[must_use]
    pub fn new(name: &str, alias: &str) -> Self {
        Self {
            name: Text::from_text(name),
            alias: Text::from_text(alias),
        }
    }
}

/// The characters, or `?` when unknown.
impl<const N: usize> Put for Text<N> {
    fn put<O: Out>(&self, out: &mut O) {
        if self.known {
            out.put_ascii(self.bytes.get(..self.len).unwrap_or_default());
        } else {
            out.put_str("?");
        }
    }
}

/// ` name=wireless_32768 alias="Wi-Fi"`, with `?` for what is unknown.
impl Put for Names {
    fn put<O: Out>(&self, out: &mut O) {
        put!(out; " name=", self.name);
        if self.alias.known {
            put!(out; " alias=\"", self.alias, "\"");
        } else {
            out.put_str(" alias=?");
        }
    }
}

/// Ends a line on the row: `(no row)`, or the keys, names and note, or the full state.
fn detail<O: Out, K, F>(
    out: &mut O,
    detail: &Detail<K, F>,
    names: &Names,
    keys: impl Fn(&mut O, &K),
    full: impl Fn(&mut O, &F, &Names),
) {
    match detail {
        Detail::NoRow => out.put_str(" (no row)"),
        Detail::Keys(row, note) => {
            keys(out, row);
            put!(out; names, note);
        }
        Detail::Full(row) => full(out, row, names),
    }
}

/// ` family=ipv6 if=12`: what the interface's second line repeats to be found.
fn interface_identity<O: Out>(out: &mut O, keys: &InterfaceKeys) {
    put!(out; " family=", Family(keys.family), " if=", Dec(keys.index));
}

fn interface_keys<O: Out>(out: &mut O, keys: &InterfaceKeys) {
    interface_identity(out, keys);
    put!(out; " luid=", keys.luid);
}

/// The interface's flags that are set, by name in a fixed order, or `none`: thirteen
/// `name=yes/no` pairs would not fit a line.
struct InterfaceFlags<'a>(&'a Interface);

impl Put for InterfaceFlags<'_> {
    fn put<O: Out>(&self, out: &mut O) {
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
                    out.put_str(",");
                }
                first = false;
                out.put_str(name);
            }
        }
        if first {
            out.put_str("none");
        }
    }
}

/// The first line of an interface's full state: who it is and whether it is up.
fn interface_full<O: Out>(out: &mut O, row: &Interface, names: &Names) {
    interface_keys(out, &row.keys);
    put!(out;
        names,
        " connected=", row.connected,
        " mtu=", row.nl_mtu,
        " metric=", Dec(row.metric),
        " flags=", InterfaceFlags(row),
    );
}

/// The second line of an interface's full state: its IPv4/IPv6 protocol settings.
fn interface_more<O: Out>(out: &mut O, row: &Interface) {
    interface_identity(out, &row.keys);
    put!(out;
        " router-discovery=", row.router_discovery_behavior,
        " link-local=", row.link_local_address_behavior,
        " link-local-timeout=", row.link_local_address_timeout,
        " dad-transmits=", Dec(row.dad_transmits),
        " reachable=", row.reachable_time,
        " base-reachable=", row.base_reachable_time,
        " retransmit=", row.retransmit_time,
        " pmtu-timeout=", row.path_mtu_discovery_timeout,
        " ra-interval=", Dec(row.min_router_advertisement_interval.0),
        "-", row.max_router_advertisement_interval,
        " site-prefix=", Dec(row.site_prefix_length),
        " offload=", row.transmit_offload, "/", row.receive_offload,
        " zones=", row.zone_indices,
    );
}

fn address_keys<O: Out>(out: &mut O, keys: &AddressKeys) {
    put!(out; " ", keys.address, " if=", Dec(keys.index), " luid=", keys.luid);
}

fn address_full<O: Out>(out: &mut O, row: &Address, names: &Names) {
    put!(out;
        " ", row.prefix(),
        " if=", Dec(row.keys.index),
        " luid=", row.keys.luid,
        names,
        " dad=", row.dad_state,
        " prefix-origin=", row.prefix_origin,
        " suffix-origin=", row.suffix_origin,
        " valid=", row.valid_lifetime,
        " preferred=", row.preferred_lifetime,
        " skip-as-source=", row.skip_as_source,
        " scope-id=", Dec(row.scope_id),
        " created=", Timestamp(row.creation_time_stamp),
    );
}

fn route_keys<O: Out>(out: &mut O, keys: &RouteKeys) {
    put!(out; " ", keys.destination);
    if keys.next_hop.is_unspecified() {
        out.put_str(" on-link");
    } else {
        put!(out; " via ", keys.next_hop);
    }
    put!(out; " if=", Dec(keys.index), " luid=", keys.luid);
}

fn route_full<O: Out>(out: &mut O, row: &Route, names: &Names) {
    route_keys(out, &row.keys);
    put!(out;
        names,
        // The route's own metric: `route print` and `Get-NetRoute`'s effective metric add
        // the interface's metric to it.
        " route-metric=", row.metric,
        " protocol=", row.protocol,
        " origin=", row.origin,
        " valid=", row.valid_lifetime,
        " preferred=", row.preferred_lifetime,
        " age=", Dec(row.age), "s",
        " site-prefix=", Dec(row.site_prefix_length),
        " loopback=", row.loopback,
        " autoconf=", row.autoconfigure_address,
        " publish=", row.publish,
        " immortal=", row.immortal,
    );
}

/// An interface event's line, written into `line` (empty): the callbacks' form. A full
/// state has a second line, [`write_interface_more`].
pub fn write_interface_event(
    line: &mut Line,
    change: Change,
    row: &Detail<InterfaceKeys, Interface>,
    names: &Names,
) {
    put!(line; PREFIX, "interface ", change);
    detail(line, row, names, interface_keys, interface_full);
}

/// The second line of an interface event with a full state, written into `line` (empty);
/// `false` (and nothing written) for any other detail.
pub fn write_interface_more(
    line: &mut Line,
    change: Change,
    row: &Detail<InterfaceKeys, Interface>,
) -> bool {
    let Detail::Full(row) = row else {
        return false;
    };
    put!(line; PREFIX, "interface ", change);
    interface_more(line, row);
    true
}

/// An interface event's lines: one, or two for a full state.
#[must_use]
pub fn interface_event(
    change: Change,
    row: &Detail<InterfaceKeys, Interface>,
    names: &Names,
) -> (Line, Option<Line>) {
    let first = Line::written(|line| write_interface_event(line, change, row, names));
    let mut more = Line::new();
    let more = write_interface_more(&mut more, change, row).then_some(more);
    (first, more)
}

/// A unicast address event, written into `line` (empty): the callbacks' form.
pub fn write_address_event(
    line: &mut Line,
    change: Change,
    row: &Detail<AddressKeys, Address>,
    names: &Names,
) {
    put!(line; PREFIX, "address ", change);
    detail(line, row, names, address_keys, address_full);
}

/// A unicast address event as a new line.
#[must_use]
pub fn address_event(change: Change, row: &Detail<AddressKeys, Address>, names: &Names) -> Line {
    Line::written(|line| write_address_event(line, change, row, names))
}

/// A route event, written into `line` (empty): the callbacks' form.
pub fn write_route_event(
    line: &mut Line,
    change: Change,
    row: &Detail<RouteKeys, Route>,
    names: &Names,
) {
    put!(line; PREFIX, "route ", change);
    detail(line, row, names, route_keys, route_full);
}

/// A route event as a new line.
#[must_use]
pub fn route_event(change: Change, row: &Detail<RouteKeys, Route>, names: &Names) -> Line {
    Line::written(|line| write_route_event(line, change, row, names))
}

/// How a stable table reached the driver.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Completion {
    /// Returned by `NotifyStableUnicastIpAddressTable` itself.
    Immediate,
    /// Delivered to the callback after a pending return.
    Pending,
}

impl Put for Completion {
    fn put<O: Out>(&self, out: &mut O) {
        out.put_str(match self {
            Self::Immediate => "immediate",
            Self::Pending => "pending",
        });
    }
}

/// The header line of a stable table, written into `line` (empty); `entries` is `None` for a
/// NULL table.
pub fn write_stable_header(line: &mut Line, completion: Completion, entries: Option<u32>) {
    put!(line; PREFIX, "stable-table ", completion);
    match entries {
        Some(entries) => put!(line; " entries=", Dec(entries)),
        None => line.push_str(" (no table)"),
    }
}

/// The error line of a stable table delivered at `irql` (`DISPATCH_LEVEL` or above), written
/// into `line` (empty): the table was neither read nor freed.
pub fn write_stable_leaked(line: &mut Line, irql: u8) {
    put!(line; PREFIX, "error: stable-table pending delivered at IRQL ", Dec(irql),
        ": not read, not freed (FreeMibTable needs IRQL below DISPATCH_LEVEL); leaked");
}

/// As [`write_stable_header`], as a new line.
#[must_use]
pub fn stable_header(completion: Completion, entries: Option<u32>) -> Line {
    Line::written(|line| write_stable_header(line, completion, entries))
}

/// One row of a stable table, written into `line` (empty): a complete row (the table is a
/// snapshot, not a notification).
pub fn write_stable_entry(line: &mut Line, position: u32, row: &Address, names: &Names) {
    put!(line; PREFIX, "stable-table [", Dec(position), "]");
    address_full(line, row, names);
}

/// As [`write_stable_entry`], as a new line.
#[must_use]
pub fn stable_entry(position: u32, row: &Address, names: &Names) -> Line {
    Line::written(|line| write_stable_entry(line, position, row, names))
}

/// `<seconds>.<milliseconds>s` of a span of 100-ns ticks.
struct Span(u64);

impl Put for Span {
    fn put<O: Out>(&self, out: &mut O) {
        let seconds = self.0 / TICKS_PER_SECOND;
        let millis = (self.0 % TICKS_PER_SECOND) / (TICKS_PER_SECOND / 1000);
        put!(out; Dec(seconds), ".", Digits(millis.cast_signed(), 3), "s");
    }
}

/// A storm summary, written into `line` (empty): `netnotify: storm: route lines not
/// printed: initial=0 add=950 … over 1.250s` — the span from the first to the last event
/// left out.
pub fn write_storm_summary(line: &mut Line, notification: Notification, summary: &Summary) {
    put!(line;
        PREFIX, "storm: ", notification.name(), " lines not printed: ", summary.counts,
        " over ", Span(summary.last.saturating_sub(summary.first)),
    );
}

/// As [`write_storm_summary`], as a new line.
#[must_use]
pub fn storm_summary(notification: Notification, summary: &Summary) -> Line {
    Line::written(|line| write_storm_summary(line, notification, summary))
}

impl Put for ChangeCounts {
    fn put<O: Out>(&self, out: &mut O) {
        put!(out;
            "initial=", Dec(self.initial), " add=", Dec(self.add),
            " delete=", Dec(self.delete), " parameter=", Dec(self.parameter),
            " other=", Dec(self.other),
        );
    }
}

impl Put for StableCounts {
    fn put<O: Out>(&self, out: &mut O) {
        put!(out; "tables=", Dec(self.tables), " entries=", Dec(self.entries));
    }
}

/// Comma-separated names, or `none`.
impl Put for NotificationSet {
    fn put<O: Out>(&self, out: &mut O) {
        let mut first = true;
        for notification in Notification::ALL {
            if self.contains(notification) {
                if !first {
                    out.put_str(",");
                }
                first = false;
                out.put_str(notification.name());
            }
        }
        if first {
            out.put_str("none");
        }
    }
}

display_by_put!(
    Note,
    Change,
    Hex,
    Family,
    SocketAddress,
    Prefix,
    Luid,
    Flag,
    Lifetime,
    Millis,
    Unset,
    Offload,
    ZoneIndices,
    Timestamp,
    Names,
    Completion,
    ChangeCounts,
    StableCounts,
    NotificationSet,
);

#[cfg(test)]
mod tests {
    use super::{Timestamp, civil_from_days};
    use std::string::ToString;

    #[test]
    fn timestamps_are_utc_iso_8601() {
        assert_eq!(Timestamp(0).to_string(), "1601-01-01T00:00:00Z");
        assert_eq!(
            Timestamp(133_774_127_990_000_000).to_string(),
            "2024-11-30T03:59:59Z"
        );
        assert_eq!(
            Timestamp(116_444_736_000_000_001).to_string(),
            "1970-01-01T00:00:00.0000001Z"
        );
        assert_eq!(Timestamp(-5).to_string(), "-5");
        assert_eq!(
            Timestamp(i64::MAX).to_string(),
            "30828-09-14T02:48:05.4775807Z"
        );
    }

    #[test]
    fn every_day_from_1601_to_2400_matches_the_day_count() {
        // Walk the calendar day by day and compare with the closed form.
        let (mut year, mut month, mut day) = (1601_i64, 1_i64, 1_i64);
        for days in -134_774..157_000 {
            assert_eq!(civil_from_days(days), (year, month, day), "day {days}");
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            let length = match month {
                2 if leap => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            day += 1;
            if day > length {
                day = 1;
                month += 1;
                if month > 12 {
                    month = 1;
                    year += 1;
                }
            }
        }
    }
}
