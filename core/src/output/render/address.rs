//! The address writer: IPv4 dotted and IPv6 in RFC 5952 form (`%zone` when scoped), and
//! prefixes, assembled in a stack scratch buffer and handed to the line in one piece.

use crate::model::decode::{Prefix, SocketAddress};
use crate::model::printed::{Out, Put, put};
use core::net::{Ipv4Addr, Ipv6Addr};

use super::values::{Dec, parenthesised};

const LOWER: &[u8; 16] = b"0123456789abcdef";

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
#[allow(clippy::inline_always, reason = "the callbacks' stack")]
#[inline(always)]
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
