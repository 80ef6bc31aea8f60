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

#[cfg(test)]
mod tests {
    use super::epoch_ms;

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
