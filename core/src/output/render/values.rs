//! Scalar writers: integers in decimal and hex, address families, LUIDs, flags, lifetimes,
//! offload bits and zone lists, each written straight into the line ([`Put`]).

use core::fmt;

use crate::boundary::ffi::{AF_INET, AF_INET6, AF_UNSPEC};
use crate::model::decode::{Flag, Lifetime, Luid, Millis, Offload, Unset, ZoneIndices};
use crate::model::printed::{Out, Put, put};

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
        crate::model::printed::display(self, f)
    }
}

/// The lowest `.1` hex digits of `.0`, uppercase, with leading zeros (`{:0NX}`, N ≤ 16).
#[derive(Clone, Copy, Debug)]
pub struct Hex(pub u64, pub u32);

const UPPER: &[u8; 16] = b"0123456789ABCDEF";

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

/// `word(value)`: `family(99)`.
pub(super) fn parenthesised<O: Out>(out: &mut O, word: &str, value: impl itoa::Integer + Copy) {
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
