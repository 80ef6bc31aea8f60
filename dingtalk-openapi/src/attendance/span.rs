//! The 7-day window check of the attendance queries.

use crate::error::Error;

/// The longest window an attendance query may span, in days.
pub const MAX_SPAN_DAYS: i64 = 7;

/// Checks that `from` ≤ `to` and that they are at most [`MAX_SPAN_DAYS`] apart (`yyyy-MM-dd[ HH:mm:ss]`).
pub(crate) fn check_span(from: &str, to: &str) -> Result<(), Error> {
    let (Some(start), Some(end)) = (seconds(from), seconds(to)) else {
        return Err(Error::validation("dates are yyyy-MM-dd HH:mm:ss"));
    };
    if end < start || end - start > MAX_SPAN_DAYS * 86_400 {
        return Err(Error::validation(format!(
            "the date window is at most {MAX_SPAN_DAYS} days"
        )));
    }
    Ok(())
}

/// Seconds since 1970-01-01 of a `yyyy-MM-dd[ HH:mm:ss]` text (no zone: both ends share it).
fn seconds(text: &str) -> Option<i64> {
    let (date, time) = text.trim().split_once(' ').unwrap_or((text.trim(), "00:00:00"));
    let mut date_parts = date.split('-').map(str::parse::<i64>);
    let year = date_parts.next()?.ok()?;
    let month = date_parts.next()?.ok()?;
    let day = date_parts.next()?.ok()?;
    let mut time_parts = time.split(':').map(str::parse::<i64>);
    let hour = time_parts.next()?.ok()?;
    let minute = time_parts.next().unwrap_or(Ok(0)).ok()?;
    let second = time_parts.next().unwrap_or(Ok(0)).ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let shifted_year = if month <= 2 { year - 1 } else { year };
    let era = shifted_year.div_euclid(400);
    let year_of_era = shifted_year - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_checked() {
        assert!(check_span("2026-02-26 00:00:00", "2026-03-05 00:00:00").is_ok());
        assert!(check_span("2026-02-26 00:00:00", "2026-03-05 00:00:01").is_err());
        assert!(check_span("2026-03-05", "2026-03-01").is_err());
        assert!(check_span("yesterday", "2026-03-01").is_err());
        assert_eq!(seconds("1970-01-02 00:00:00"), Some(86_400));
    }
}
