//! A small cron evaluator for `cron_schedule` on the virtual clock.
//!
//! Supported: the standard 5-field form `minute hour day-of-month month day-of-week`
//! with `*`, `?`, numbers, names (`JAN`, `MON`), ranges `a-b`, steps `*/n`, `a-b/n`, `a/n`
//! and lists; the descriptors `@yearly`/`@annually`, `@monthly`, `@weekly`, `@daily`/
//! `@midnight`, `@hourly` and `@every <duration>` (`1h30m`, `90s`, `500ms`). All times
//! are UTC. When both day fields are restricted a day matching either one matches, as in
//! the cron library the server uses.
//!
//! Not supported: `CRON_TZ=`/`TZ=` prefixes, a seconds field, `L`, `W` and `#`.
// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Why a cron string was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CronError {
    /// The string is not a valid cron schedule.
    #[error("invalid cron schedule {0:?}: {1}")]
    Invalid(String, String),
    /// The string is valid for the real server but uses a feature this evaluator lacks.
    #[error("the fake server's cron evaluator does not support {1} (in {0:?})")]
    Unsupported(String, &'static str),
}

/// A parsed cron schedule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CronSchedule {
    /// Fixed interval (`@every`).
    Every(Duration),
    /// Calendar fields, each a bit set of allowed values.
    Fields {
        minutes: u64,
        hours: u64,
        days_of_month: u64,
        months: u64,
        days_of_week: u64,
        /// The day-of-month field was `*` or `?`.
        dom_star: bool,
        /// The day-of-week field was `*` or `?`.
        dow_star: bool,
    },
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

impl CronSchedule {
    /// Parses a cron string.
    pub(crate) fn parse(spec: &str) -> Result<Self, CronError> {
        let s = spec.trim();
        let invalid = |why: &str| CronError::Invalid(spec.to_owned(), why.to_owned());
        if s.starts_with("CRON_TZ=") || s.starts_with("TZ=") {
            return Err(CronError::Unsupported(
                spec.to_owned(),
                "time zone prefixes",
            ));
        }
        if let Some(rest) = s.strip_prefix('@') {
            let fields = match rest {
                "yearly" | "annually" => "0 0 1 1 *",
                "monthly" => "0 0 1 * *",
                "weekly" => "0 0 * * 0",
                "daily" | "midnight" => "0 0 * * *",
                "hourly" => "0 * * * *",
                _ => {
                    let Some(d) = rest.strip_prefix("every ") else {
                        return Err(invalid("unknown descriptor"));
                    };
                    let d = parse_go_duration(d.trim()).ok_or_else(|| invalid("bad duration"))?;
                    if d < Duration::from_secs(1) {
                        return Err(invalid("@every needs at least one second"));
                    }
                    return Ok(Self::Every(d));
                }
            };
            return Self::parse(fields);
        }
        let parts: Vec<&str> = s.split_whitespace().collect();
        if parts.len() == 6 {
            return Err(CronError::Unsupported(spec.to_owned(), "a seconds field"));
        }
        if parts.len() != 5 {
            return Err(invalid("expected 5 fields"));
        }
        let field = |i: usize, min: u32, max: u32, names: &[&str]| {
            parse_field(parts[i], min, max, names).map_err(|e| match e {
                FieldError::Invalid(w) => invalid(&w),
                FieldError::Unsupported(w) => CronError::Unsupported(spec.to_owned(), w),
            })
        };
        let minutes = field(0, 0, 59, &[])?;
        let hours = field(1, 0, 23, &[])?;
        let days_of_month = field(2, 1, 31, &[])?;
        let months = field(3, 1, 12, &MONTHS)?;
        let mut days_of_week = field(4, 0, 7, &DAYS)?;
        if days_of_week & (1 << 7) != 0 {
            days_of_week = (days_of_week & !(1 << 7)) | 1;
        }
        let is_star = |p: &str| p == "*" || p == "?";
        Ok(Self::Fields {
            minutes,
            hours,
            days_of_month,
            months,
            days_of_week,
            dom_star: is_star(parts[2]),
            dow_star: is_star(parts[4]),
        })
    }

    /// The first scheduled time strictly after `after`, or `None` if none comes within
    /// five years.
    pub(crate) fn next(&self, after: SystemTime) -> Option<SystemTime> {
        let since = after.duration_since(UNIX_EPOCH).ok()?;
        match self {
            Self::Every(d) => {
                Some(after + *d - Duration::from_nanos(u64::from(since.subsec_nanos())))
            }
            Self::Fields {
                minutes,
                hours,
                days_of_month,
                months,
                days_of_week,
                dom_star,
                dow_star,
            } => {
                let mut min = (since.as_secs() / 60) as i64 + 1;
                let limit = min + 5 * 366 * 24 * 60;
                while min < limit {
                    let days = min.div_euclid(24 * 60);
                    let (y, m, d) = civil_from_days(days);
                    if months & (1 << m) == 0 {
                        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                        min = days_from_civil(ny, nm, 1) * 24 * 60;
                        continue;
                    }
                    let dow = (days + 4).rem_euclid(7) as u32;
                    let dom_ok = days_of_month & (1 << d) != 0;
                    let dow_ok = days_of_week & (1 << dow) != 0;
                    let day_ok = if *dom_star || *dow_star {
                        dom_ok && dow_ok
                    } else {
                        dom_ok || dow_ok
                    };
                    if !day_ok {
                        min = (days + 1) * 24 * 60;
                        continue;
                    }
                    let minute_of_day = min.rem_euclid(24 * 60);
                    let hour = minute_of_day / 60;
                    if hours & (1 << hour) == 0 {
                        min = days * 24 * 60 + (hour + 1) * 60;
                        continue;
                    }
                    if minutes & (1 << (minute_of_day % 60)) == 0 {
                        min += 1;
                        continue;
                    }
                    return Some(UNIX_EPOCH + Duration::from_secs(min as u64 * 60));
                }
                None
            }
        }
    }

    /// How long after `close` the next run starts, for a chain whose current run started
    /// at `start` (the server's rule: the first schedule time after `start` that is not
    /// before `close`).
    pub(crate) fn backoff(&self, start: SystemTime, close: SystemTime) -> Option<Duration> {
        let mut next = self.next(start)?;
        while next < close {
            next = self.next(next)?;
        }
        next.duration_since(close).ok()
    }
}

enum FieldError {
    Invalid(String),
    Unsupported(&'static str),
}

fn parse_field(field: &str, min: u32, max: u32, names: &[&str]) -> Result<u64, FieldError> {
    let mut bits = 0u64;
    for part in field.split(',') {
        if part.contains(['L', 'W', '#']) && !names.iter().any(|n| part.contains(n)) {
            return Err(FieldError::Unsupported("L, W and # specifiers"));
        }
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => {
                let step: u32 = s
                    .parse()
                    .map_err(|_| FieldError::Invalid(format!("bad step in {part:?}")))?;
                if step == 0 {
                    return Err(FieldError::Invalid(format!("zero step in {part:?}")));
                }
                (r, step)
            }
            None => (part, 1),
        };
        let (lo, hi) = if range == "*" || range == "?" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (value(a, names, min)?, value(b, names, min)?)
        } else {
            let v = value(range, names, min)?;
            (v, if part.contains('/') { max } else { v })
        };
        if lo < min || hi > max || lo > hi {
            return Err(FieldError::Invalid(format!(
                "{part:?} is outside {min}-{max}"
            )));
        }
        let mut v = lo;
        while v <= hi {
            bits |= 1 << v;
            v += step;
        }
    }
    Ok(bits)
}

fn value(text: &str, names: &[&str], offset: u32) -> Result<u32, FieldError> {
    if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(text)) {
        return Ok(i as u32 + offset);
    }
    text.parse()
        .map_err(|_| FieldError::Invalid(format!("{text:?} is not a number")))
}

/// Parses a Go-style duration such as `1h30m`, `90s` or `250ms`.
pub(crate) fn parse_go_duration(text: &str) -> Option<Duration> {
    let mut total = Duration::ZERO;
    let mut rest = text;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let secs = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += Duration::try_from_secs_f64(number * secs).ok()?;
    }
    Some(total)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day number (days since 1970-01-01).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn at(y: i64, m: u32, d: u32, hh: u64, mm: u64) -> SystemTime {
        UNIX_EPOCH
            + Duration::from_secs(days_from_civil(y, m, d) as u64 * 86_400 + hh * 3600 + mm * 60)
    }

    #[test]
    fn calendar_round_trips() {
        for days in [-1, 0, 59, 365, 19_723, 60_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
    }

    #[test]
    fn standard_fields_find_the_next_slot() {
        let start = at(2024, 1, 1, 0, 0);
        let every_5 = CronSchedule::parse("*/5 * * * *").unwrap();
        assert_eq!(every_5.next(start), Some(at(2024, 1, 1, 0, 5)));
        let nine_on_weekdays = CronSchedule::parse("0 9 * * MON-FRI").unwrap();
        // 2024-01-01 is a Monday.
        assert_eq!(nine_on_weekdays.next(start), Some(at(2024, 1, 1, 9, 0)));
        assert_eq!(
            nine_on_weekdays.next(at(2024, 1, 5, 9, 0)),
            Some(at(2024, 1, 8, 9, 0))
        );
        let leap = CronSchedule::parse("30 12 29 2 *").unwrap();
        assert_eq!(leap.next(start), Some(at(2024, 2, 29, 12, 30)));
        let hourly = CronSchedule::parse("@hourly").unwrap();
        assert_eq!(
            hourly.next(at(2024, 1, 1, 0, 30)),
            Some(at(2024, 1, 1, 1, 0))
        );
        let daily = CronSchedule::parse("@daily").unwrap();
        assert_eq!(daily.next(start), Some(at(2024, 1, 2, 0, 0)));
        let sunday = CronSchedule::parse("0 0 * * 7").unwrap();
        assert_eq!(sunday.next(start), Some(at(2024, 1, 7, 0, 0)));
        // Both day fields restricted: either matches.
        let either = CronSchedule::parse("0 0 15 * MON").unwrap();
        assert_eq!(either.next(start), Some(at(2024, 1, 8, 0, 0)));
    }

    #[test]
    fn every_and_backoff() {
        let start = at(2024, 1, 1, 0, 0);
        let every = CronSchedule::parse("@every 1h30m").unwrap();
        assert_eq!(every.next(start), Some(start + Duration::from_secs(5400)));
        let m = CronSchedule::parse("* * * * *").unwrap();
        let close = start + Duration::from_secs(150);
        assert_eq!(m.backoff(start, close), Some(Duration::from_secs(30)));
        assert_eq!(parse_go_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_go_duration("x"), None);
    }

    #[test]
    fn bad_and_unsupported_specs_are_told_apart() {
        assert!(matches!(
            CronSchedule::parse("61 * * * *"),
            Err(CronError::Invalid(..))
        ));
        assert!(matches!(
            CronSchedule::parse("* * *"),
            Err(CronError::Invalid(..))
        ));
        assert!(matches!(
            CronSchedule::parse("@sometimes"),
            Err(CronError::Invalid(..))
        ));
        assert!(matches!(
            CronSchedule::parse("CRON_TZ=Europe/Paris 0 * * * *"),
            Err(CronError::Unsupported(..))
        ));
        assert!(matches!(
            CronSchedule::parse("0 0 L * *"),
            Err(CronError::Unsupported(..))
        ));
    }
}
