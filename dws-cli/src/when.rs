//! Time flags: ISO 8601 (`2026-03-29`, `2026-03-29T14:00[:00][Z|+08:00]`) or epoch milliseconds, to epoch ms.

use crate::exit::CliError;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn num(s: &str, flag: &str) -> Result<i64, CliError> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(flag, s));
    }
    s.parse().map_err(|_| bad(flag, s))
}

fn bad(flag: &str, value: &str) -> CliError {
    CliError::validation(
        "invalid_argument",
        format!("--{flag}: cannot read `{value}` as a time"),
    )
    .param(flag)
    .hint("use ISO 8601 (2026-03-29 or 2026-03-29T14:00:00+08:00) or epoch milliseconds")
}

#[expect(
    clippy::many_single_char_names,
    reason = "y/m/d/h/s are the conventional calendar names"
)]
/// Parses `value` as epoch ms. A missing offset means `default_offset_min` minutes east of UTC.
pub(crate) fn epoch_ms(flag: &str, value: &str, default_offset_min: i64) -> Result<i64, CliError> {
    let v = value.trim();
    if v.len() >= 12 && v.bytes().all(|b| b.is_ascii_digit()) {
        return v.parse().map_err(|_| bad(flag, v));
    }
    let (date, rest) = v.split_at(v.find(['T', ' ']).unwrap_or(v.len()));
    let mut parts = date.split('-');
    let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(bad(flag, v));
    };
    let (y, m, d) = (num(y, flag)?, num(m, flag)?, num(d, flag)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad(flag, v));
    }
    let rest = rest.get(1..).unwrap_or("");
    let (clock, offset) = match rest.find(['Z', '+', '-']) {
        Some(i) => (&rest[..i], Some(&rest[i..])),
        None => (rest, None),
    };
    let mut secs = 0;
    if !clock.is_empty() {
        let mut hms = clock.split(':');
        let h = num(hms.next().unwrap_or(""), flag)?;
        let mi = num(hms.next().unwrap_or(""), flag)?;
        let s = hms
            .next()
            .map_or(Ok(0), |s| num(s.split('.').next().unwrap_or(""), flag))?;
        if h > 23 || mi > 59 || s > 60 {
            return Err(bad(flag, v));
        }
        secs = h * 3600 + mi * 60 + s;
    }
    let offset_min = match offset {
        None => default_offset_min,
        Some("Z") => 0,
        Some(o) => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let digits: String = o[1..].chars().filter(char::is_ascii_digit).collect();
            if digits.len() != 4 {
                return Err(bad(flag, v));
            }
            sign * (num(&digits[..2], flag)? * 60 + num(&digits[2..], flag)?)
        }
    };
    Ok((days_from_civil(y, m, d) * 86_400 + secs - offset_min * 60) * 1000)
}

/// Year, month, day of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `ms` as ISO 8601 at `offset_min` minutes east of UTC (`2026-03-29T14:00:00+08:00`).
pub(crate) fn iso(ms: i64, offset_min: i64) -> String {
    let local = ms.div_euclid(1000) + offset_min * 60;
    let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let sign = if offset_min < 0 { '-' } else { '+' };
    let o = offset_min.abs();
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
        o / 60,
        o % 60
    )
}

/// Time keywords → ISO 8601 at `offset_min`: `now`, `today`, `tomorrow`, `yesterday` (local midnight), and
/// `+2h` / `-30m` / `+1d` / `+1w` / `+90s` from now. `None`: not a keyword.
pub(crate) fn keyword(value: &str, offset_min: i64, now_ms: i64) -> Option<String> {
    let v = value.trim().to_ascii_lowercase();
    let midnight = |days: i64| {
        let local_day = (now_ms.div_euclid(1000) + offset_min * 60).div_euclid(86_400) + days;
        iso((local_day * 86_400 - offset_min * 60) * 1000, offset_min)
    };
    match v.as_str() {
        "now" => return Some(iso(now_ms, offset_min)),
        "today" => return Some(midnight(0)),
        "tomorrow" => return Some(midnight(1)),
        "yesterday" => return Some(midnight(-1)),
        _ => {}
    }
    let sign = match v.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let unit = v.chars().last()?;
    let n: i64 = v.get(1..v.len() - 1)?.parse().ok()?;
    let secs = match unit {
        's' => n,
        'm' => n * 60,
        'h' => n * 3600,
        'd' => n * 86_400,
        'w' => n * 604_800,
        _ => return None,
    };
    Some(iso(now_ms + sign * secs.checked_mul(1000)?, offset_min))
}

/// `--tz`: `UTC`, `±HH:MM` / `±HHMM` / `±HH`, or an IANA name of a zone without daylight saving time.
pub(crate) fn tz_offset_min(tz: &str) -> Result<i64, CliError> {
    const FIXED: &[(&str, i64)] = &[
        ("utc", 0),
        ("z", 0),
        ("gmt", 0),
        ("etc/utc", 0),
        ("asia/shanghai", 480),
        ("asia/chongqing", 480),
        ("asia/hong_kong", 480),
        ("asia/macau", 480),
        ("asia/taipei", 480),
        ("asia/singapore", 480),
        ("asia/kuala_lumpur", 480),
        ("asia/manila", 480),
        ("prc", 480),
        ("asia/tokyo", 540),
        ("asia/seoul", 540),
        ("asia/kolkata", 330),
        ("asia/jakarta", 420),
        ("asia/bangkok", 420),
        ("asia/ho_chi_minh", 420),
        ("asia/dubai", 240),
    ];
    let t = tz.trim();
    if let Some((_, o)) = FIXED.iter().find(|(n, _)| n.eq_ignore_ascii_case(t)) {
        return Ok(*o);
    }
    let bad = || {
        CliError::validation(
            "invalid_argument",
            format!("--tz: unknown or daylight-saving timezone `{t}`"),
        )
        .param("tz")
        .hint("use UTC, an offset such as +08:00 or -05:00, or a fixed-offset zone such as Asia/Shanghai")
    };
    let sign = match t.chars().next() {
        Some('+') => 1,
        Some('-') => -1,
        _ => return Err(bad()),
    };
    let digits: String = t[1..].chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return Err(bad());
    }
    let h: i64 = digits[..2].parse().map_err(|_| bad())?;
    let m: i64 = digits
        .get(2..)
        .filter(|s| !s.is_empty())
        .map_or(Ok(0), str::parse)
        .map_err(|_| bad())?;
    if h > 14 || m > 59 {
        return Err(bad());
    }
    Ok(sign * (h * 60 + m))
}

#[cfg(test)]
mod tests {
    use super::{epoch_ms, iso, keyword, tz_offset_min};

    #[test]
    fn keywords_resolve_in_the_timezone() {
        // 2026-03-29T14:30:00+08:00
        let now = epoch_ms("t", "2026-03-29T14:30:00+08:00", 0).unwrap();
        assert_eq!(iso(now, 480), "2026-03-29T14:30:00+08:00");
        assert_eq!(keyword("now", 480, now).unwrap(), "2026-03-29T14:30:00+08:00");
        assert_eq!(keyword("today", 480, now).unwrap(), "2026-03-29T00:00:00+08:00");
        assert_eq!(
            keyword("Tomorrow", 480, now).unwrap(),
            "2026-03-30T00:00:00+08:00"
        );
        assert_eq!(keyword("yesterday", 0, now).unwrap(), "2026-03-28T00:00:00+00:00");
        assert_eq!(keyword("+2h", 480, now).unwrap(), "2026-03-29T16:30:00+08:00");
        assert_eq!(keyword("-30m", -300, now).unwrap(), "2026-03-29T01:00:00-05:00");
        assert_eq!(keyword("+1w", 480, now).unwrap(), "2026-04-05T14:30:00+08:00");
        assert!(keyword("2026-03-29", 480, now).is_none());
        assert!(keyword("+2x", 480, now).is_none());
        assert!(keyword("+h", 480, now).is_none());
        // Round trip through epoch_ms.
        assert_eq!(
            epoch_ms("t", &keyword("today", 480, now).unwrap(), 0).unwrap() % 86_400_000,
            16 * 3_600_000
        );
    }

    #[test]
    fn tz_offsets() {
        assert_eq!(tz_offset_min("UTC").unwrap(), 0);
        assert_eq!(tz_offset_min("Asia/Shanghai").unwrap(), 480);
        assert_eq!(tz_offset_min("+05:30").unwrap(), 330);
        assert_eq!(tz_offset_min("-0500").unwrap(), -300);
        assert_eq!(tz_offset_min("+09").unwrap(), 540);
        assert!(tz_offset_min("Europe/Berlin").is_err());
        assert!(tz_offset_min("+25:00").is_err());
    }

    #[test]
    fn parses_iso_and_epoch() {
        assert_eq!(epoch_ms("t", "1970-01-01T00:00:00Z", 0).unwrap(), 0);
        assert_eq!(epoch_ms("t", "2026-03-01T00:00Z", 0).unwrap(), 1_772_323_200_000);
        assert_eq!(
            epoch_ms("t", "2026-03-01T08:00:00+08:00", 0).unwrap(),
            1_772_323_200_000
        );
        assert_eq!(
            epoch_ms("t", "2026-03-01", 480).unwrap(),
            1_772_323_200_000 - 8 * 3_600_000
        );
        assert_eq!(epoch_ms("t", "1772323200000", 0).unwrap(), 1_772_323_200_000);
        assert!(epoch_ms("t", "03/04/2024", 0).is_err());
        assert!(epoch_ms("t", "2026-13-01", 0).is_err());
    }
}
