//! Time stamps: a `FILETIME`-style count of 100-ns units as UTC ISO 8601, and the
//! fixed-width digits it and the storm summary's span are written with.

use crate::boundary::ffi::TICKS_PER_SECOND;
use crate::model::printed::{Out, Put, put};

use super::values::Dec;

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
pub(super) struct Digits(pub(super) i64, pub(super) u32);

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
    use super::{Digits, Timestamp, civil_from_days};
    use crate::output::line::{Line, Put};
    use std::string::ToString;

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
                let mut line = Line::new();
                Digits(value, width).put(&mut line);
                assert_eq!(line.as_str(), former(value, width), "{value} in {width}");
            }
        }
        let mut line = Line::new();
        Digits(5, 2).put(&mut line);
        assert_eq!(line.as_str(), "05");
    }

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
