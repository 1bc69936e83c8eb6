//! Rendering: every line the driver prints, into a [`Line`]. Safe code; no allocation.
//!
//! Lines start with `netnotify: `, then the notification and the change, then `key=value`
//! fields in a fixed order (documented with examples in `docs/lines.md`): the row's key
//! fields first, then the interface's name and alias, then — when the full state of the
//! object is known — every other field. Each field's name comes from its table
//! ([`crate::fields`]); each run of fields is declared once (`segment!`) for both the line and
//! a [`Visit`]or (`visit_interface`, `visit_address`, `visit_route`: what `cargo replay --json`
//! writes), so the two cannot differ. A line that carries only the keys of an add or
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
    Address, AddressKeys, Change, DadState, Flag, Interface, InterfaceKeys, Lifetime,
    LinkLocalBehavior, Luid, Millis, Offload, Prefix, PrefixOrigin, Route, RouteKeys, RouteOrigin,
    RouteProtocol, RouterDiscovery, SocketAddress, SuffixOrigin, Unset, ZoneIndices,
};
use crate::ffi::{AF_INET, AF_INET6, AF_UNSPEC};
use crate::fields::{
    self, Field, FieldValue, Value, Visit, address as address_fields, common, driver,
    interface as interface_fields, route as route_fields,
};
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

/// An alias in quotes, or `?` when unknown.
struct Quoted<'a, const N: usize>(&'a Text<N>);

impl<const N: usize> Put for Quoted<'_, N> {
    fn put<O: Out>(&self, out: &mut O) {
        if self.0.known {
            put!(out; "\"", self.0, "\"");
        } else {
            out.put_str("?");
        }
    }
}

/// Writes one field: its label from the table ([`Field::label`]), then its value. Inlined so
/// that the label is the constant it was as a literal, and the empty-label test folds away.
#[doc(hidden)]
#[allow(clippy::inline_always, reason = "the callback path's speed and stack")]
#[inline(always)]
pub fn put_field<O: Out, T: Put + ?Sized>(out: &mut O, field: &Field, value: &T) {
    if !field.label.is_empty() {
        out.put_str(field.label);
    }
    value.put(out);
}

/// Declares a run of fields once, for both writers of a record: `$put` writes them into a
/// line (each label from the table, then the value), `$visit` hands them to a [`Visit`].
/// A field added here appears in the line and in every record writer together. Exported for
/// the test that adds a field (`replay/tests/fields.rs`).
#[doc(hidden)]
#[macro_export]
macro_rules! segment {
    (
        $(#[$meta:meta])*
        $vis:vis fn $put:ident, $visit:ident ($($arg:ident: $ty:ty),*) {
            $($field:path => $value:expr),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis fn $put<O: $crate::line::Out>(out: &mut O, $($arg: $ty),*) {
            $( $crate::render::put_field(out, &$field, &$value); )+
        }

        $(#[$meta])*
        $vis fn $visit<V: $crate::fields::Visit>(visit: &mut V, $($arg: $ty),*) {
            $( $crate::fields::Visit::field(visit, &$field, &$value); )+
        }
    };
}

segment! {
    /// ` name=wireless_32768 alias="Wi-Fi"`, with `?` for what is unknown.
    fn put_names, visit_names(names: &Names) {
        common::NAME => names.name,
        common::ALIAS => Quoted(&names.alias),
    }
}

impl Put for Names {
    fn put<O: Out>(&self, out: &mut O) {
        put_names(out, self);
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

segment! {
    /// ` family=ipv6 if=12`: what the interface's second line repeats to be found.
    fn interface_identity, visit_interface_identity(keys: &InterfaceKeys) {
        interface_fields::FAMILY => Family(keys.family),
        interface_fields::IF => Dec(keys.index),
    }
}

segment! {
    fn interface_luid, visit_interface_luid(keys: &InterfaceKeys) {
        interface_fields::LUID => keys.luid,
    }
}

fn interface_keys<O: Out>(out: &mut O, keys: &InterfaceKeys) {
    interface_identity(out, keys);
    interface_luid(out, keys);
}

fn visit_interface_keys<V: Visit>(visit: &mut V, keys: &InterfaceKeys) {
    visit_interface_identity(visit, keys);
    visit_interface_luid(visit, keys);
}

/// The interface's flags that are set, by name in the table's order, or `none`: thirteen
/// `name=yes/no` pairs would not fit a line.
struct InterfaceFlags<'a>(&'a Interface);

impl InterfaceFlags<'_> {
    /// The flags in the order of [`fields::interface::FLAG_BITS`].
    const fn values(&self) -> [Flag; 13] {
        let row = self.0;
        [
            row.use_automatic_metric,
            row.forwarding_enabled,
            row.advertising_enabled,
            row.advertise_default_route,
            row.disable_default_routes,
            row.weak_host_send,
            row.weak_host_receive,
            row.use_neighbor_unreachability_detection,
            row.managed_address_configuration_supported,
            row.other_stateful_configuration_supported,
            row.supports_wake_up_patterns,
            row.supports_neighbor_discovery,
            row.supports_router_discovery,
        ]
    }
}

impl Put for InterfaceFlags<'_> {
    fn put<O: Out>(&self, out: &mut O) {
        let mut first = true;
        for (flag, field) in self.values().into_iter().zip(&fields::interface::FLAG_BITS) {
            if flag.is_set() {
                if !first {
                    out.put_str(",");
                }
                first = false;
                out.put_str(field.name);
            }
        }
        if first {
            out.put_str("none");
        }
    }
}

/// `<min>-<max>ms`: the router advertisement interval.
struct MillisRange(u32, Millis);

impl Put for MillisRange {
    fn put<O: Out>(&self, out: &mut O) {
        put!(out; Dec(self.0), "-", self.1);
    }
}

/// `0x<transmit>/0x<receive>`.
struct OffloadPair(Offload, Offload);

impl Put for OffloadPair {
    fn put<O: Out>(&self, out: &mut O) {
        put!(out; self.0, "/", self.1);
    }
}

/// `<n>s`: a route's age.
struct Seconds(u32);

impl Put for Seconds {
    fn put<O: Out>(&self, out: &mut O) {
        put!(out; Dec(self.0), "s");
    }
}

/// ` via <next hop>`, or ` on-link` when it is unspecified.
struct NextHop(SocketAddress);

impl Put for NextHop {
    fn put<O: Out>(&self, out: &mut O) {
        if self.0.is_unspecified() {
            out.put_str(" on-link");
        } else {
            put!(out; " via ", self.0);
        }
    }
}

segment! {
    /// The first line of an interface's full state, after the keys and names: whether it
    /// is up.
    fn interface_first, visit_interface_first(row: &Interface) {
        interface_fields::CONNECTED => row.connected,
        interface_fields::MTU => row.nl_mtu,
        interface_fields::METRIC => Dec(row.metric),
        interface_fields::FLAGS => InterfaceFlags(row),
    }
}

/// The first line of an interface's full state: who it is and whether it is up.
fn interface_full<O: Out>(out: &mut O, row: &Interface, names: &Names) {
    interface_keys(out, &row.keys);
    put_names(out, names);
    interface_first(out, row);
}

segment! {
    /// The second line of an interface's full state, after `family=` and `if=`: its IPv4 or
    /// IPv6 settings.
    fn interface_second, visit_interface_second(row: &Interface) {
        interface_fields::ROUTER_DISCOVERY => row.router_discovery_behavior,
        interface_fields::LINK_LOCAL => row.link_local_address_behavior,
        interface_fields::LINK_LOCAL_TIMEOUT => row.link_local_address_timeout,
        interface_fields::DAD_TRANSMITS => Dec(row.dad_transmits),
        interface_fields::REACHABLE => row.reachable_time,
        interface_fields::BASE_REACHABLE => row.base_reachable_time,
        interface_fields::RETRANSMIT => row.retransmit_time,
        interface_fields::PMTU_TIMEOUT => row.path_mtu_discovery_timeout,
        interface_fields::RA_INTERVAL => MillisRange(
            row.min_router_advertisement_interval.0,
            row.max_router_advertisement_interval,
        ),
        interface_fields::SITE_PREFIX => Dec(row.site_prefix_length),
        interface_fields::OFFLOAD => OffloadPair(row.transmit_offload, row.receive_offload),
        interface_fields::ZONES => row.zone_indices,
    }
}

/// The second line of an interface's full state: its IPv4/IPv6 protocol settings.
fn interface_more<O: Out>(out: &mut O, row: &Interface) {
    interface_identity(out, &row.keys);
    interface_second(out, row);
}

segment! {
    fn address_keys, visit_address_keys(keys: &AddressKeys) {
        address_fields::ADDRESS => keys.address,
        address_fields::IF => Dec(keys.index),
        address_fields::LUID => keys.luid,
    }
}

segment! {
    /// The keys of a full state: the address with its on-link prefix length.
    fn address_full_keys, visit_address_full_keys(row: &Address) {
        address_fields::ADDRESS => row.prefix(),
        address_fields::IF => Dec(row.keys.index),
        address_fields::LUID => row.keys.luid,
    }
}

segment! {
    fn address_rest, visit_address_rest(row: &Address) {
        address_fields::DAD => row.dad_state,
        address_fields::PREFIX_ORIGIN => row.prefix_origin,
        address_fields::SUFFIX_ORIGIN => row.suffix_origin,
        address_fields::VALID => row.valid_lifetime,
        address_fields::PREFERRED => row.preferred_lifetime,
        address_fields::SKIP_AS_SOURCE => row.skip_as_source,
        address_fields::SCOPE_ID => Dec(row.scope_id),
        address_fields::CREATED => Timestamp(row.creation_time_stamp),
    }
}

fn address_full<O: Out>(out: &mut O, row: &Address, names: &Names) {
    address_full_keys(out, row);
    put_names(out, names);
    address_rest(out, row);
}

fn visit_address_full<V: Visit>(visit: &mut V, row: &Address, names: &Names) {
    visit_address_full_keys(visit, row);
    visit_names(visit, names);
    visit_address_rest(visit, row);
}

segment! {
    fn route_keys, visit_route_keys(keys: &RouteKeys) {
        route_fields::DESTINATION => keys.destination,
        route_fields::VIA => NextHop(keys.next_hop),
        route_fields::IF => Dec(keys.index),
        route_fields::LUID => keys.luid,
    }
}

segment! {
    // `route-metric` is the route's own metric: `route print` and `Get-NetRoute`'s effective
    // metric add the interface's metric to it.
    fn route_rest, visit_route_rest(row: &Route) {
        route_fields::METRIC => row.metric,
        route_fields::PROTOCOL => row.protocol,
        route_fields::ORIGIN => row.origin,
        route_fields::VALID => row.valid_lifetime,
        route_fields::PREFERRED => row.preferred_lifetime,
        route_fields::AGE => Seconds(row.age),
        route_fields::SITE_PREFIX => Dec(row.site_prefix_length),
        route_fields::LOOPBACK => row.loopback,
        route_fields::AUTOCONF => row.autoconfigure_address,
        route_fields::PUBLISH => row.publish,
        route_fields::IMMORTAL => row.immortal,
    }
}

fn route_full<O: Out>(out: &mut O, row: &Route, names: &Names) {
    route_keys(out, &row.keys);
    put_names(out, names);
    route_rest(out, row);
}

/// Hands every field of an event's detail to `visit`, in the lines' order: the keys, the
/// names, and for a full state every other field (an interface's two lines together, its
/// `family` and `if` once). Nothing for `(no row)`.
fn visit_detail<V: Visit, K, F>(
    visit: &mut V,
    detail: &Detail<K, F>,
    names: &Names,
    keys: impl Fn(&mut V, &K),
    full: impl Fn(&mut V, &F),
) {
    match detail {
        Detail::NoRow => {}
        Detail::Keys(row, _) => {
            keys(visit, row);
            visit_names(visit, names);
        }
        Detail::Full(row) => {
            full(visit, row);
        }
    }
}

/// Every field of an interface event.
pub fn visit_interface<V: Visit>(
    visit: &mut V,
    detail: &Detail<InterfaceKeys, Interface>,
    names: &Names,
) {
    visit_detail(visit, detail, names, visit_interface_keys, |visit, row| {
        visit_interface_keys(visit, &row.keys);
        visit_names(visit, names);
        visit_interface_first(visit, row);
        visit_interface_second(visit, row);
    });
}

/// Every field of an address event.
pub fn visit_address<V: Visit>(
    visit: &mut V,
    detail: &Detail<AddressKeys, Address>,
    names: &Names,
) {
    visit_detail(visit, detail, names, visit_address_keys, |visit, row| {
        visit_address_full(visit, row, names);
    });
}

/// Every field of a route event.
pub fn visit_route<V: Visit>(visit: &mut V, detail: &Detail<RouteKeys, Route>, names: &Names) {
    visit_detail(visit, detail, names, visit_route_keys, |visit, row| {
        visit_route_keys(visit, &row.keys);
        visit_names(visit, names);
        visit_route_rest(visit, row);
    });
}

/// The fields of a stable table's header: `completion`, and `entries` unless the table is
/// NULL.
pub fn visit_stable_header<V: Visit>(visit: &mut V, completion: Completion, entries: Option<u32>) {
    visit.field(&fields::stable::COMPLETION, &completion);
    if let Some(entries) = entries {
        visit.field(&fields::stable::ENTRIES, &Dec(entries));
    }
}

/// Every field of a stable-table row (its position, then the address row in full).
pub fn visit_stable_entry<V: Visit>(visit: &mut V, position: u32, row: &Address, names: &Names) {
    visit.field(&fields::stable::POSITION, &Dec(position));
    visit_address_full(visit, row, names);
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
            driver::INITIAL_COUNT.label, Dec(self.initial),
            driver::ADD.label, Dec(self.add),
            driver::DELETE.label, Dec(self.delete),
            driver::PARAMETER.label, Dec(self.parameter),
            driver::OTHER.label, Dec(self.other),
        );
    }
}

impl Put for StableCounts {
    fn put<O: Out>(&self, out: &mut O) {
        put!(out;
            driver::TABLES.label, Dec(self.tables),
            driver::ROWS.label, Dec(self.entries),
        );
    }
}

/// The eight-digit hex form users search for, e.g. `0xC000009A`.
impl Put for NtStatus {
    fn put<O: Out>(&self, out: &mut O) {
        out.put_str("0x");
        Hex(u64::from(self.0.cast_unsigned()), 8).put(out);
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

// What a record writer sees of each value ([`FieldValue`]): numbers as numbers, enums and
// the lines' special values as their words, everything else as its printed form.

impl<T: itoa::Integer + Copy + Into<u64>> FieldValue for Dec<T> {
    fn value(&self) -> Value<'_> {
        Value::Number(self.0.into())
    }
}

impl FieldValue for Family {
    fn value(&self) -> Value<'_> {
        match self.0 {
            AF_UNSPEC => Value::Word("unspec"),
            AF_INET => Value::Word("ipv4"),
            AF_INET6 => Value::Word("ipv6"),
            other => Value::Number(other.into()),
        }
    }
}

impl FieldValue for Flag {
    fn value(&self) -> Value<'_> {
        Value::Bool(self.is_set())
    }
}

impl FieldValue for Lifetime {
    fn value(&self) -> Value<'_> {
        match self.0 {
            Self::INFINITE => Value::Word("infinite"),
            seconds => Value::Number(seconds.into()),
        }
    }
}

impl FieldValue for Millis {
    fn value(&self) -> Value<'_> {
        Value::Number(self.0.into())
    }
}

impl FieldValue for Seconds {
    fn value(&self) -> Value<'_> {
        Value::Number(self.0.into())
    }
}

impl FieldValue for Unset {
    fn value(&self) -> Value<'_> {
        match self.0 {
            Self::UNSET => Value::Word("unset"),
            value => Value::Number(value.into()),
        }
    }
}

impl FieldValue for SocketAddress {
    fn value(&self) -> Value<'_> {
        Value::Address(*self)
    }
}

impl FieldValue for Prefix {
    fn value(&self) -> Value<'_> {
        Value::Prefix(*self)
    }
}

/// An on-link route has no next hop: `null`.
impl FieldValue for NextHop {
    fn value(&self) -> Value<'_> {
        if self.0.is_unspecified() {
            Value::Unknown
        } else {
            Value::Address(self.0)
        }
    }
}

impl<const N: usize> FieldValue for Text<N> {
    fn value(&self) -> Value<'_> {
        self.as_str().map_or(Value::Unknown, Value::Text)
    }
}

impl<const N: usize> FieldValue for Quoted<'_, N> {
    fn value(&self) -> Value<'_> {
        self.0.value()
    }
}

/// Printed as the lines print them (`ieee80211:2`, `2024-11-30T04:00:00Z`, `0x3F/0x1F`, …).
macro_rules! printed_value {
    ($($type:ty),+ $(,)?) => {
        $(
            impl FieldValue for $type {
                fn value(&self) -> Value<'_> {
                    Value::Printed
                }
            }
        )+
    };
}

printed_value!(
    Luid,
    Timestamp,
    ZoneIndices,
    MillisRange,
    OffloadPair,
    InterfaceFlags<'_>,
);

impl FieldValue for Completion {
    fn value(&self) -> Value<'_> {
        Value::Word(match self {
            Self::Immediate => "immediate",
            Self::Pending => "pending",
        })
    }
}

/// A C enum: its name, or its number when Windows defines no such value.
macro_rules! enum_value {
    ($($type:ty),+ $(,)?) => {
        $(
            impl FieldValue for $type {
                fn value(&self) -> Value<'_> {
                    match (self.name(), self) {
                        (Some(name), _) => Value::Word(name),
                        (None, Self::Unknown(raw)) => Value::Signed((*raw).into()),
                        (None, _) => Value::Printed,
                    }
                }
            }
        )+
    };
}

enum_value!(
    DadState,
    PrefixOrigin,
    SuffixOrigin,
    RouteProtocol,
    RouteOrigin,
    RouterDiscovery,
    LinkLocalBehavior,
);

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
    NtStatus,
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
