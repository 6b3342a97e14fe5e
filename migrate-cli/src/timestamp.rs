//! Migration timestamps: `YYYYMMDDHHMMSS` in UTC, and picking the next free second.

use std::time::{SystemTime, UNIX_EPOCH};

/// The last second a `YYYYMMDDHHMMSS` timestamp can name: 9999-12-31 23:59:59 UTC.
pub const LATEST: u64 = 253_402_300_799;

/// Seconds and milliseconds since the Unix epoch (0 for a clock before 1970).
pub fn unix_millis(now: SystemTime) -> u64 {
    now.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// `YYYYMMDDHHMMSS` (UTC) of `secs` since the Unix epoch.
pub fn format(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The seconds since the Unix epoch of a `YYYYMMDDHHMMSS` prefix, when `s` starts with one.
pub fn parse_prefix(s: &str) -> Option<u64> {
    let digits = s.get(..14)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |range: std::ops::Range<usize>| digits[range].parse::<u32>().ok();
    let (year, month, day) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hour, minute, second) = (num(8..10)?, num(10..12)?, num(12..14)?);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 || year < 1970 {
        return None;
    }
    let days = u64::try_from(days_from_civil(i64::from(year), month, day)).ok()?;
    Some(days * 86_400 + u64::from(hour) * 3600 + u64::from(minute) * 60 + u64::from(second))
}

/// The second to stamp a new migration with: now, unless that is not after `latest_taken`,
/// in which case the first free second after it.
pub fn next_free(now_secs: u64, latest_taken: Option<u64>) -> u64 {
    match latest_taken {
        Some(taken) if taken >= now_secs => taken + 1,
        _ => now_secs,
    }
}

/// The days of `month` (1-12) in `year` (Gregorian: February has 29 in leap years).
fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

// Howard Hinnant's `civil_from_days` / `days_from_civil` (proleptic Gregorian calendar).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_utc() {
        assert_eq!(format(0), "19700101000000");
        assert_eq!(format(951_782_400), "20000229000000");
        assert_eq!(format(1_704_067_199), "20231231235959");
        assert_eq!(format(1_709_251_199), "20240229235959");
        assert_eq!(format(4_102_444_800), "21000101000000");
    }

    #[test]
    fn parses_what_it_formats() {
        for secs in [
            0,
            59,
            86_399,
            951_782_400,
            1_709_251_199,
            4_102_444_800,
            1_718_000_123,
        ] {
            assert_eq!(parse_prefix(&format(secs)), Some(secs), "{secs}");
        }
        assert_eq!(
            parse_prefix("20240101000000_create_accounts"),
            Some(1_704_067_200)
        );
        assert_eq!(parse_prefix("2024010100000_x"), None);
        assert_eq!(parse_prefix("20241301000000_x"), None);
        assert_eq!(parse_prefix("create_accounts"), None);
    }

    #[test]
    fn refuses_dates_the_calendar_does_not_have() {
        for bad in [
            "20240231000000_x",
            "20230229000000_x",
            "21000229000000_x",
            "20240431000000_x",
            "20241131000000_x",
            "20240100000000_x",
            "20240132000000_x",
        ] {
            assert_eq!(parse_prefix(bad), None, "{bad}");
        }
        for good in [
            "20240229000000_x",
            "20000229000000_x",
            "20240430000000_x",
            "20241231235959_x",
        ] {
            assert!(parse_prefix(good).is_some(), "{good}");
        }
    }

    #[test]
    fn the_latest_second_has_fourteen_digits() {
        assert_eq!(format(LATEST), "99991231235959");
        assert_eq!(parse_prefix("99991231235959"), Some(LATEST));
        assert_eq!(format(LATEST + 1).len(), 15);
    }

    #[test]
    fn takes_the_next_free_second() {
        assert_eq!(next_free(100, None), 100);
        assert_eq!(next_free(100, Some(99)), 100);
        assert_eq!(next_free(100, Some(100)), 101);
        assert_eq!(next_free(100, Some(250)), 251);
    }

    #[test]
    fn millis_of_the_clock() {
        let t = UNIX_EPOCH + Duration::from_millis(1_704_067_200_123);
        assert_eq!(unix_millis(t), 1_704_067_200_123);
    }
}
