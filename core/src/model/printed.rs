//! A value's printed form: the text the lines show of it.
//!
//! `cargo replay --json` and the ETW events reuse it for what has no number or word of its
//! own. [`Put`] writes it into an [`Out`]; [`display`] and `display_by_put!` give `Display`
//! from it. The numbers every printed form is made of are here too: [`Dec`], [`Hex`] and
//! [`Digits`].
//!
//! In the model, not with the line: the printed form belongs to the value (as its name, its
//! parser and its JSON word do), and every writer (the fixed-size line, a `Formatter`, the ETW
//! payload, replay's JSON) is an [`Out`] above it. So the model's types (the C enums, the
//! field table's [`FieldValue`](crate::model::fields::FieldValue)) name their printed form
//! without importing the output layer.

use core::fmt;

use crate::model::names;

/// Where rendered text goes: the output's line on the callback path, a `core::fmt::Formatter`
/// for `Display` ([`display`]).
pub trait Out {
    /// Appends `text`.
    fn put_str(&mut self, text: &str);

    /// Appends bytes the renderer produced, all ASCII (digits, hex): what is not becomes `?`.
    /// For a line, without the UTF-8 check a `&str` would cost.
    fn put_ascii(&mut self, bytes: &[u8]) {
        self.put_str(core::str::from_utf8(bytes).unwrap_or("?"));
    }

    /// Appends `value` in decimal. A line writes the digits straight into its buffer
    /// ([`eight_digits`]); any other writer gets `itoa`'s.
    fn put_decimal(&mut self, value: u64) {
        self.put_ascii(itoa::Buffer::new().format(value).as_bytes());
    }

    /// Appends UTF-16 text (little-endian units, an interface's name or alias) in its printed
    /// form ([`names::ascii`]). A line maps the units straight into its buffer; any other
    /// writer gets them as ASCII, a chunk at a time (a name's whole buffer would sit on the
    /// stack).
    fn put_utf16_as_ascii(&mut self, units: &[[u8; 2]]) {
        for units in units.chunks(16) {
            let mut chunk = [0_u8; 16];
            for (byte, unit) in chunk.iter_mut().zip(units) {
                *byte = names::ascii(*unit);
            }
            self.put_ascii(chunk.get(..units.len()).unwrap_or_default());
        }
    }
}

/// A value that writes its printed form into an [`Out`].
///
/// Why not `core::fmt::Display` on the callback path: every `write!` goes through
/// `core::fmt::write`, a `Formatter` and one indirect call per piece. Writing the pieces
/// straight into the line took from 2.3 to 2.8 times fewer instructions per event, and the
/// formatting frames left NETIO's stack (measured: `core/benches/render.rs`,
/// `ci/object-checks/`). `Display` is
/// still there for every type, through [`display`], for the lines printed outside callbacks.
pub trait Put {
    /// Writes the printed form.
    fn put<O: Out>(&self, out: &mut O);
}

impl Put for str {
    fn put<O: Out>(&self, out: &mut O) {
        out.put_str(self);
    }
}

impl<T: Put + ?Sized> Put for &T {
    fn put<O: Out>(&self, out: &mut O) {
        (**self).put(out);
    }
}

/// Writes each value in turn: `put!(line; " mtu=", row.nl_mtu, " metric=", Dec(m))`.
macro_rules! put {
    ($out:expr; $($value:expr),+ $(,)?) => {{
        $( $crate::model::printed::Put::put(&$value, $out); )+
    }};
}
pub(crate) use put;

/// A `Formatter` as an [`Out`]; keeps the first error.
struct FmtOut<'a, 'b> {
    formatter: &'a mut fmt::Formatter<'b>,
    result: fmt::Result,
}

impl Out for FmtOut<'_, '_> {
    fn put_str(&mut self, text: &str) {
        if self.result.is_ok() {
            self.result = self.formatter.write_str(text);
        }
    }
}

/// `Display::fmt` of a [`Put`] value.
///
/// # Errors
/// The formatter's first error.
pub fn display(value: &(impl Put + ?Sized), formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut out = FmtOut {
        formatter,
        result: Ok(()),
    };
    value.put(&mut out);
    out.result
}

/// Implements `Display` through [`Put`] for each type named.
macro_rules! display_by_put {
    ($($type:ty),+ $(,)?) => {
        $(
            impl core::fmt::Display for $type {
                fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                    $crate::model::printed::display(self, f)
                }
            }
        )+
    };
}
pub(crate) use display_by_put;

/// An integer in decimal.
///
/// Without `core`'s padding machinery the driver never asks for: a line writes its digits
/// straight into its buffer ([`Out::put_decimal`], [`eight_digits`]), any other writer gets
/// `itoa`'s finished string (so does a negative number).
#[derive(Clone, Copy, Debug)]
pub struct Dec<T>(pub T);

impl<T: itoa::Integer + Copy + TryInto<u64>> Put for Dec<T> {
    fn put<O: Out>(&self, out: &mut O) {
        // Every unsigned type converts (the `Err` arm folds away); a negative number is
        // `itoa`'s.
        match self.0.try_into() {
            Ok(value) => out.put_decimal(value),
            Err(_) => out.put_ascii(itoa::Buffer::new().format(self.0).as_bytes()),
        }
    }
}

impl<T: itoa::Integer + Copy + TryInto<u64>> fmt::Display for Dec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        display(self, f)
    }
}

/// The decimal digits of `value` (below 10^8), as ASCII from the first, then NULs, and how
/// many there are.
///
/// All eight at once in one `u64`, without a loop or a table (SWAR): the two halves of four
/// digits in its two 32-bit lanes, each split into hundreds and the rest in 16-bit lanes, each
/// of those into tens and ones in bytes (the first digit in the lowest byte, as memory holds
/// it); the leading zeros are the low zero bytes. The multiply-shifts divide exactly in their
/// ranges (`x * 10486 >> 20 == x / 100` for `x < 10_000`, `y * 103 >> 10 == y / 10` for
/// `y < 100`) and no lane carries into the next; the test checks every value below 10^7 and
/// samples the rest. `None` from 10^8.
#[must_use]
pub const fn eight_digits(value: u32) -> Option<([u8; 8], u32)> {
    if value >= 100_000_000 {
        return None;
    }
    // Most numbers a line prints (indices, metrics, zones, prefix lengths) have one or two
    // digits: those without the eight-digit work (`'0' | digit` is its ASCII digit).
    if value < 100 {
        let [small, ..] = value.to_le_bytes();
        let (tens, ones) = (small / 10, small % 10);
        return Some(if tens == 0 {
            ([b'0' | ones, 0, 0, 0, 0, 0, 0, 0], 1)
        } else {
            ([b'0' | tens, b'0' | ones, 0, 0, 0, 0, 0, 0], 2)
        });
    }
    let halves = (value / 10_000) as u64 | (((value % 10_000) as u64) << 32);
    let hundreds = (halves.wrapping_mul(10_486) >> 20) & 0x0000_007F_0000_007F;
    let pairs = hundreds | (halves.wrapping_sub(hundreds.wrapping_mul(100)) << 16);
    let tens = (pairs.wrapping_mul(103) >> 10) & 0x000F_000F_000F_000F;
    let digits = tens | (pairs.wrapping_sub(tens.wrapping_mul(10)) << 8);
    // Leading zeros, at most seven (it has three digits or more here).
    let zeros = if digits.trailing_zeros() / 8 < 7 {
        digits.trailing_zeros() / 8
    } else {
        7
    };
    let ascii = (digits | 0x3030_3030_3030_3030).wrapping_shr(zeros.wrapping_mul(8));
    Some((ascii.to_le_bytes(), 8_u32.wrapping_sub(zeros)))
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

/// A non-negative number below 10^`.1` with leading zeros (`{:0N}`), N ≤ 9.
#[derive(Clone, Copy, Debug)]
pub struct Digits(pub i64, pub u32);

impl Put for Digits {
    // Digit by digit from the right, into a buffer of the width: a time stamp writes five or
    // six of these, and inlined with its constant width each is a few multiplications (no
    // power loop, no `itoa` of `value + limit` and no UTF-8 check of the result).
    #[inline]
    fn put<O: Out>(&self, out: &mut O) {
        const POWERS: [i64; 10] = [
            1,
            10,
            100,
            1_000,
            10_000,
            100_000,
            1_000_000,
            10_000_000,
            100_000_000,
            1_000_000_000,
        ];
        let width = usize::try_from(self.1.min(9)).unwrap_or(9);
        let limit = POWERS.get(width).copied().unwrap_or(1);
        let mut value = self.0.checked_rem_euclid(limit).unwrap_or(0).unsigned_abs();
        let mut digits = [b'0'; 9];
        let Some(field) = digits.get_mut(..width) else {
            return;
        };
        for slot in field.iter_mut().rev() {
            *slot = b"0123456789"
                .get(usize::try_from(value % 10).unwrap_or(0))
                .copied()
                .unwrap_or(b'0');
            value /= 10;
        }
        out.put_ascii(field);
    }
}

#[cfg(test)]
mod tests {
    use super::{Dec, Digits, Out, Put, eight_digits};
    use std::string::{String, ToString};

    impl Out for String {
        fn put_str(&mut self, text: &str) {
            self.push_str(text);
        }
    }

    #[test]
    fn digits_are_the_value_modulo_the_width_zero_padded() {
        // The former form: `itoa` of `value mod 10^width + 10^width` without its first digit.
        let former = |value: i64, width: u32| {
            let limit = 10_i64.pow(width.min(9));
            let mut buffer = itoa::Buffer::new();
            buffer.format(value.rem_euclid(limit) + limit)[1..].to_string()
        };
        let values = [
            0,
            1,
            7,
            9,
            10,
            59,
            99,
            100,
            1_234_567,
            9_999_999,
            123_456_789,
            999_999_999,
            1_000_000_000,
            -1,
            -10,
            -1_234_567,
            i64::MAX,
            i64::MIN,
        ];
        for width in 0..=11 {
            for value in values {
                let mut text = String::new();
                Digits(value, width).put(&mut text);
                assert_eq!(text, former(value, width), "{value} in {width}");
            }
        }
        let mut text = String::new();
        Digits(5, 2).put(&mut text);
        assert_eq!(text, "05");
    }

    #[test]
    fn eight_digits_are_itoa_s_digits_below_ten_to_the_eighth() {
        let check = |value: u32| {
            let (digits, count) = eight_digits(value).unwrap();
            let count = usize::try_from(count).unwrap();
            let expected = itoa::Buffer::new().format(value).as_bytes().to_vec();
            assert_eq!(&digits[..count], expected.as_slice(), "{value}");
            assert!(digits[count..].iter().all(|byte| *byte == 0), "{value}");
        };
        // Every value of up to seven digits (a sample under Miri), then a sample of eight.
        let step = if cfg!(miri) { 997 } else { 1 };
        for value in (0..10_000_000).step_by(step) {
            check(value);
        }
        for value in (10_000_000..100_000_000).step_by(7_919) {
            check(value);
        }
        for value in [9, 10, 99, 100, 101, 9_999, 10_000, 10_001, 99_999_999] {
            check(value);
        }
        assert_eq!(eight_digits(100_000_000), None);
        assert_eq!(eight_digits(u32::MAX), None);
    }

    #[test]
    fn dec_prints_every_integer_type_as_itoa_does() {
        let dec = |value: &dyn Fn(&mut String)| {
            let mut text = String::new();
            value(&mut text);
            text
        };
        assert_eq!(dec(&|out| Dec(0_u8).put(out)), "0");
        assert_eq!(dec(&|out| Dec(u8::MAX).put(out)), "255");
        assert_eq!(dec(&|out| Dec(u64::MAX).put(out)), "18446744073709551615");
        assert_eq!(dec(&|out| Dec(-42_i32).put(out)), "-42");
        assert_eq!(dec(&|out| Dec(i64::MIN).put(out)), "-9223372036854775808");
        assert_eq!(dec(&|out| Dec(1_800_i64).put(out)), "1800");
    }
}
