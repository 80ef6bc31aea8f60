//! Calendar arithmetic without a date crate: civil dates, ISO-8601 parsing and formatting.

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn num(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `yyyy-MM-dd` as days since the epoch.
pub(crate) fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.split('-');
    let (y, m, d) = (num(parts.next()?)?, num(parts.next()?)?, num(parts.next()?)?);
    if parts.next().is_some() || !(1..=9999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d)
    {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// `HH:mm[:ss[.fff]]` as seconds.
fn parse_clock(text: &str) -> Option<i64> {
    let text = text.split('.').next()?;
    let mut parts = text.split(':');
    let h = num(parts.next()?)?;
    let m = num(parts.next()?)?;
    let s = match parts.next() {
        Some(s) => num(s)?,
        None => 0,
    };
    if parts.next().is_some() || h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some(h * 3600 + m * 60 + s)
}

/// Epoch seconds of `yyyy-MM-ddTHH:mm[:ss][Z|±HH:mm]` or `yyyy-MM-dd HH:mm:ss`; no offset means
/// `default_offset_secs` (China time for DingTalk's local forms).
pub(crate) fn parse_datetime(text: &str, default_offset_secs: i64) -> Option<i64> {
    let text = text.trim();
    let (date, rest) = text.split_once(['T', ' ']).unwrap_or((text, "00:00"));
    let days = parse_date(date)?;
    let (clock, offset) = if let Some(clock) = rest.strip_suffix('Z') {
        (clock, 0)
    } else if let Some(pos) = rest.rfind(['+', '-']) {
        let (clock, off) = rest.split_at(pos);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (oh, om) = off[1..].split_once(':').unwrap_or((&off[1..], "0"));
        let (oh, om) = (num(oh)?, num(om)?);
        if oh > 23 || om > 59 {
            return None;
        }
        (clock, sign * (oh * 3600 + om * 60))
    } else {
        (rest, default_offset_secs)
    };
    Some(days * 86_400 + parse_clock(clock)? - offset)
}

/// China Standard Time, DingTalk's default zone.
pub(crate) const CST: i64 = 8 * 3600;

/// `yyyy-MM-ddTHH:mm:ss+08:00` for epoch seconds.
pub(crate) fn iso_cst(epoch_secs: i64) -> String {
    let local = epoch_secs + CST;
    let (y, m, d) = civil_from_days(local.div_euclid(86_400));
    let s = local.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+08:00",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// `yyyy-MM-ddTHH:mmZ` for epoch milliseconds (approval timestamps).
pub(crate) fn iso_utc_minutes(epoch_ms: i64) -> String {
    let secs = epoch_ms.div_euclid(1000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}Z", s / 3600, s / 60 % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(parse_datetime("1970-01-02T00:00Z", 0), Some(86_400));
        assert_eq!(parse_datetime("1970-01-01T08:00:00+08:00", 0), Some(0));
        assert_eq!(parse_datetime("1970-01-01 08:00:00", CST), Some(0));
        assert_eq!(
            parse_datetime("2026-03-25", CST),
            parse_datetime("2026-03-25T00:00+08:00", 0)
        );
        assert_eq!(parse_datetime("tomorrow", 0), None);
        assert_eq!(parse_datetime("2026-13-01T00:00Z", 0), None);
        assert_eq!(parse_datetime("99999999999999999-01-01T00:00Z", 0), None);
        assert_eq!(parse_datetime("2026-01-01T00:00+99999999999999999:00", 0), None);
        assert_eq!(parse_datetime("2026-01-01T00:00-", 0), None);
        let t = parse_datetime("2026-03-25T10:00:00+08:00", 0).unwrap_or_default();
        assert_eq!(iso_cst(t), "2026-03-25T10:00:00+08:00");
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
        assert_eq!(iso_utc_minutes(86_400_000), "1970-01-02T00:00Z");
    }
}
