//! A small cron evaluator for `cron_schedule` on the virtual clock.
//!
//! Parsing is core's (`temporal_client_core::cron::parse_workflow_cron`, the same
//! parser the client validates `cron_schedule` with); this module evaluates the result.
//! All times are UTC. When both day fields are restricted a day matching either one
//! matches, as in the cron library the server uses.
//!
//! Not supported: `CRON_TZ=`/`TZ=` prefixes (answered `UNIMPLEMENTED`).
// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use temporal_client_core::cron::{WorkflowCronKind, parse_workflow_cron};
use temporal_proto::temporal::api::schedule::v1::Range;

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

impl CronSchedule {
    /// Parses a cron string with the one workflow-cron parser of
    /// `temporal_client_core::cron`, then turns its ranges into bit sets.
    pub(crate) fn parse(spec: &str) -> Result<Self, CronError> {
        let parsed = parse_workflow_cron(spec.trim())
            .map_err(|why| CronError::Invalid(spec.to_owned(), why))?;
        if parsed.timezone.is_some() {
            return Err(CronError::Unsupported(
                spec.to_owned(),
                "time zone prefixes",
            ));
        }
        match parsed.kind {
            WorkflowCronKind::Every(d) => {
                if d < Duration::from_secs(1) {
                    return Err(CronError::Invalid(
                        spec.to_owned(),
                        "@every needs at least one second".into(),
                    ));
                }
                Ok(Self::Every(d))
            }
            WorkflowCronKind::Fields {
                minute,
                hour,
                day_of_month,
                month,
                day_of_week,
                dom_star,
                dow_star,
            } => Ok(Self::Fields {
                minutes: bits(&minute),
                hours: bits(&hour),
                days_of_month: bits(&day_of_month),
                months: bits(&month),
                days_of_week: bits(&day_of_week),
                dom_star,
                dow_star,
            }),
        }
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

/// The values of a list of ranges as a bit set.
fn bits(ranges: &[Range]) -> u64 {
    let mut out = 0u64;
    for r in ranges {
        let mut v = r.start.max(0);
        while v <= r.end.min(63) {
            out |= 1 << v;
            v += r.step.max(1);
        }
    }
    out
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day number (days since 1970-01-01).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
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
        let sunday = CronSchedule::parse("0 0 * * 0").unwrap();
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
        // The server refuses `L`, `W` and `#`, and so does the shared parser.
        assert!(matches!(
            CronSchedule::parse("0 0 L * *"),
            Err(CronError::Invalid(..))
        ));
    }
}
