//! The `YYYY-MM-DDTHH:MM:SSZ` UTC time stamps both APIs sign, converted from and to Unix seconds
//! without a calendar crate.

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (UTC).
pub fn format_timestamp(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let secs = unix_seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// The first and last second the format can write: 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
const FIRST_SECOND: i64 = -62_167_219_200;
const LAST_SECOND: i64 = 253_402_300_799;

/// Formats milliseconds since the epoch (what a `Date` holds) to the second; `None` for a number
/// outside the years the format can write, 0000 to 9999, or not a number at all.
pub fn format_millis(ms: f64) -> Option<String> {
    let seconds = (ms / 1000.0).floor();
    (FIRST_SECOND as f64..=LAST_SECOND as f64)
        .contains(&seconds)
        .then(|| format_timestamp(seconds as i64))
}

/// Parses `YYYY-MM-DDTHH:MM:SSZ` into Unix seconds; `None` for anything else.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let shape_ok = b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z';
    if !shape_ok {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let valid = (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && hour < 24
        && minute < 60
        && second < 60;
    valid.then(|| days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's algorithms for the proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_timestamp(1_377_613_810), "2013-08-27T14:30:10Z");
        assert_eq!(format_timestamp(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn parse_is_the_inverse_of_format() {
        for t in [0, 1_377_613_810, 951_782_400, 1_795_000_000, 4_102_444_799] {
            assert_eq!(parse_timestamp(&format_timestamp(t)), Some(t));
        }
    }

    #[test]
    fn milliseconds_format_within_the_years_the_format_writes() {
        assert_eq!(parse_timestamp("0000-01-01T00:00:00Z"), Some(FIRST_SECOND));
        assert_eq!(parse_timestamp("9999-12-31T23:59:59Z"), Some(LAST_SECOND));
        let ms = |seconds: i64| seconds as f64 * 1000.0;
        assert_eq!(
            format_millis(1_377_613_810_999.0).as_deref(),
            Some("2013-08-27T14:30:10Z")
        );
        assert_eq!(format_millis(-1.0).as_deref(), Some("1969-12-31T23:59:59Z"));
        assert_eq!(
            format_millis(ms(FIRST_SECOND)).as_deref(),
            Some("0000-01-01T00:00:00Z")
        );
        assert_eq!(
            format_millis(ms(LAST_SECOND) + 999.0).as_deref(),
            Some("9999-12-31T23:59:59Z")
        );
        for outside in [
            ms(FIRST_SECOND) - 1.0,
            ms(LAST_SECOND + 1),
            8.64e15,
            1e300,
            -1e300,
            f64::NAN,
            f64::INFINITY,
        ] {
            assert_eq!(format_millis(outside), None, "{outside}");
        }
    }

    #[test]
    fn parse_rejects_other_shapes_and_impossible_dates() {
        for bad in [
            "2013-08-27 14:30:10Z",
            "2013-08-27T14:30:10",
            "2013-02-30T00:00:00Z",
            "2013-13-01T00:00:00Z",
            "2013-01-01T24:00:00Z",
            "+013-01-01T00:00:00Z",
            "",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }
}
