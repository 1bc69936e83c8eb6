//! Time stamps: a `FILETIME`-style count of 100-ns units, its printed form (UTC ISO 8601) and
//! the parser of that form, with the proleptic Gregorian calendar both ways (days ↔ date) that
//! they share. The one calendar of the project: `cargo replay` reads time stamps through here.

use crate::boundary::ffi::TICKS_PER_SECOND;
use crate::model::printed::{Dec, Digits, Out, Put, display_by_put, put};

/// Seconds from 1601-01-01 (the `FILETIME` epoch) to 1970-01-01.
const FILETIME_TO_UNIX_SECONDS: i64 = 11_644_473_600;

/// The digits of a fraction of a second: 100-ns units.
const FRACTION_DIGITS: usize = 7;

/// A `FILETIME`-style time stamp (100-ns units since 1601-01-01 UTC) as UTC ISO 8601:
/// `2024-11-27T10:39:59Z`, with the fraction (`.1234567`) only when it is not zero.
///
/// `CreationTimeStamp` is a `LARGE_INTEGER` whose unit the documentation does not state
/// (docs/netio.md#uncertain); its values are system times (`KeQuerySystemTime`, UTC), which is what
/// Windows' own tools show for it. A negative value, which no system time is, prints as
/// its number, so nothing is ever hidden. Hand-written because `core` has no calendar and
/// the calendar crates either allocate or keep panic paths; the conversions are Howard
/// Hinnant's `civil_from_days` and `days_from_civil`, checked against a day-by-day walk of the
/// calendar in the tests.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// A time stamp as [`Put`] prints it: `2024-11-30T03:59:59Z`, with a fraction of up to
    /// seven digits (`.5` is half a second), or a negative number. `None` for anything else.
    ///
    /// Lenient where the form is unambiguous, as `cargo replay`'s readable rows always were:
    /// the day may be up to 31 in any month (the excess carries into the next), and the seconds
    /// are not bounded.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        if text.starts_with('-') {
            return text.parse().ok().filter(|raw| *raw < 0).map(Self);
        }
        let (date, time) = text.strip_suffix('Z')?.split_once('T')?;
        let mut date = date.splitn(3, '-').map(str::parse::<i64>);
        let (year, month, day) = (date.next()?.ok()?, date.next()?.ok()?, date.next()?.ok()?);
        let (time, fraction) = time.split_once('.').unwrap_or((time, ""));
        let mut time = time.splitn(3, ':').map(str::parse::<i64>);
        let (hour, minute, second) = (time.next()?.ok()?, time.next()?.ok()?, time.next()?.ok()?);
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
            return None;
        }
        let ticks = fraction_ticks(fraction)?;
        let seconds = days_from_civil(year, month, day)?
            .checked_mul(86_400)?
            .checked_add(hour.checked_mul(3600)?)?
            .checked_add(minute.checked_mul(60)?)?
            .checked_add(second)?
            .checked_add(FILETIME_TO_UNIX_SECONDS)?;
        let ticks_per_second = i64::try_from(TICKS_PER_SECOND).ok()?;
        seconds
            .checked_mul(ticks_per_second)?
            .checked_add(ticks)
            .map(Self)
    }
}

/// The 100-ns units of a fraction's digits (`5` is 5,000,000): at most seven digits.
fn fraction_ticks(fraction: &str) -> Option<i64> {
    if fraction.len() > FRACTION_DIGITS {
        return None;
    }
    let mut ticks: i64 = 0;
    for place in 0..FRACTION_DIGITS {
        let digit = match fraction.as_bytes().get(place) {
            Some(byte @ b'0'..=b'9') => i64::from(byte.checked_sub(b'0')?),
            Some(_) => return None,
            None => 0,
        };
        ticks = ticks.checked_mul(10)?.checked_add(digit)?;
    }
    Some(ticks)
}

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

display_by_put!(Timestamp);

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

/// The day count from 1970-01-01 of a year, month (1–12) and day (1–31), the inverse of
/// [`civil_from_days`]; `None` where it leaves `i64`. `month` and `day` must be in range.
fn days_from_civil(year: i64, month: i64, day: i64) -> Option<i64> {
    let shifted = if month <= 2 {
        year.checked_sub(1)?
    } else {
        year
    };
    let era = shifted.div_euclid(400);
    let year_of_era = shifted.rem_euclid(400);
    // Month, day and year of era are small (the caller checks month and day): saturating
    // arithmetic only for the lints, it never saturates.
    let shifted_month = if month > 2 {
        month.saturating_sub(3)
    } else {
        month.saturating_add(9)
    };
    let day_of_year = (shifted_month.saturating_mul(153).saturating_add(2) / 5)
        .saturating_add(day)
        .saturating_sub(1);
    let day_of_era = year_of_era
        .saturating_mul(365)
        .saturating_add(year_of_era / 4)
        .saturating_sub(year_of_era / 100)
        .saturating_add(day_of_year);
    era.checked_mul(146_097)?
        .checked_add(day_of_era)?
        .checked_sub(719_468)
}

#[cfg(test)]
mod tests {
    // From the crate root: ci/import-cycles reads `super::` as this file's parent, `decode`.
    use crate::model::decode::time::{Timestamp, civil_from_days, days_from_civil};
    use proptest::prelude::*;
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
    fn parses_the_printed_forms_and_shorter_fractions() {
        for (text, raw) in [
            ("1601-01-01T00:00:00Z", 0),
            ("2024-11-30T03:59:59Z", 133_774_127_990_000_000),
            ("2024-11-30T03:59:59.5Z", 133_774_127_995_000_000),
            ("1970-01-01T00:00:00.0000001Z", 116_444_736_000_000_001),
            ("30828-09-14T02:48:05.4775807Z", i64::MAX),
            ("-5", -5),
        ] {
            assert_eq!(Timestamp::parse(text), Some(Timestamp(raw)), "{text}");
        }
        for text in [
            "",
            "2024-11-30T03:59:59",
            "2024-11-30 03:59:59Z",
            "2024-13-30T03:59:59Z",
            "2024-11-32T03:59:59Z",
            "2024-11-30T24:00:00Z",
            "2024-11-30T03:60:00Z",
            "2024-11-30T03:59:59.12345678Z",
            "2024-11-30T03:59:59.5xZ",
            "30828-09-14T02:48:05.4775808Z",
            "-0",
            "-x",
        ] {
            assert_eq!(Timestamp::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn every_day_from_1601_to_2400_matches_the_day_count() {
        // Walk the calendar day by day and compare with both closed forms.
        let (mut year, mut month, mut day) = (1601_i64, 1_i64, 1_i64);
        for days in -134_774..157_000 {
            assert_eq!(civil_from_days(days), (year, month, day), "day {days}");
            assert_eq!(days_from_civil(year, month, day), Some(days), "day {days}");
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

    proptest! {
        #[test]
        fn every_timestamp_reads_back_as_printed(raw: i64) {
            prop_assert_eq!(Timestamp::parse(&Timestamp(raw).to_string()), Some(Timestamp(raw)));
        }

        #[test]
        fn every_day_count_reads_back_as_its_date(days in -134_774_i64..=10_675_199) {
            let (year, month, day) = civil_from_days(days);
            prop_assert_eq!(days_from_civil(year, month, day), Some(days));
        }
    }
}
