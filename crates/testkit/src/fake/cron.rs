//! A small cron evaluator for `cron_schedule` on the virtual clock.
//!
//! Parsing is core's (`temporal_client_core::cron::parse_workflow_cron`, the same
//! parser the client validates `cron_schedule` with); this module evaluates the result.
//! The fields match the wall-clock time in the `CRON_TZ=`/`TZ=` zone (UTC without
//! one), stepping through real time as the cron library the server uses does: a time
//! a daylight-saving jump skips does not fire that day, and one the clocks pass twice
//! fires twice. When both day fields are restricted a day matching either one
//! matches, as in that library. An unknown zone is refused as the server refuses it.
// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use temporal_client_core::cron::{WorkflowCronKind, parse_workflow_cron};
use temporal_proto::temporal::api::schedule::v1::Range;

use crate::fake::schedules::zone_named;

/// Why a cron string was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CronError {
    /// The string is not a valid cron schedule.
    #[error("invalid cron schedule {0:?}: {1}")]
    Invalid(String, String),
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
        /// The zone of the fields (`CRON_TZ=`), UTC without one.
        zone: TimeZone,
    },
}

impl CronSchedule {
    /// Parses a cron string with the one workflow-cron parser of
    /// `temporal_client_core::cron`, then turns its ranges into bit sets.
    pub(crate) fn parse(spec: &str) -> Result<Self, CronError> {
        let parsed = parse_workflow_cron(spec.trim())
            .map_err(|why| CronError::Invalid(spec.to_owned(), why))?;
        let zone = match parsed.timezone.as_deref() {
            None => TimeZone::UTC,
            Some(name) => zone_named(name).ok_or_else(|| {
                CronError::Invalid(spec.to_owned(), format!("unknown time zone {name}"))
            })?,
        };
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
                zone,
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
                zone,
            } => {
                // Whole minutes since the epoch; every step moves forward in real time.
                let mut minute = i64::try_from(since.as_secs() / 60).ok()? + 1;
                let limit = minute + 5 * 366 * 24 * 60;
                while minute < limit {
                    let local = Timestamp::from_second(minute * 60)
                        .ok()?
                        .to_zoned(zone.clone())
                        .datetime();
                    let has = |set: u64, value: i8| set & (1 << value) != 0;
                    if !has(*months, local.month()) {
                        let first = local.date().first_of_month();
                        minute = start_of_day(
                            zone,
                            first.checked_add(jiff::Span::new().months(1)).ok()?,
                            minute,
                        )?;
                        continue;
                    }
                    let dom_ok = has(*days_of_month, local.day());
                    let dow_ok = has(*days_of_week, local.weekday().to_sunday_zero_offset());
                    let day_ok = if *dom_star || *dow_star {
                        dom_ok && dow_ok
                    } else {
                        dom_ok || dow_ok
                    };
                    if !day_ok {
                        minute = start_of_day(zone, local.date().tomorrow().ok()?, minute)?;
                        continue;
                    }
                    if !has(*hours, local.hour()) {
                        // To the start of this local hour, then an hour on.
                        minute += 60 - i64::from(local.minute());
                        continue;
                    }
                    if !has(*minutes, local.minute()) {
                        minute += 1;
                        continue;
                    }
                    return Some(
                        UNIX_EPOCH + Duration::from_secs(u64::try_from(minute).ok()? * 60),
                    );
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

/// The first minute (since the epoch) of local day `date` in `zone`, or the minute
/// after `now` if that is not later (a zone whose day starts at a skipped time).
fn start_of_day(zone: &TimeZone, date: Date, now: i64) -> Option<i64> {
    let midnight = DateTime::from(date).to_zoned(zone.clone()).ok()?;
    Some((midnight.timestamp().as_second().div_euclid(60)).max(now + 1))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// A UTC time.
    fn at(y: i16, m: i8, d: i8, hh: i8, mm: i8) -> SystemTime {
        let t = jiff::civil::datetime(y, m, d, hh, mm, 0, 0)
            .to_zoned(TimeZone::UTC)
            .unwrap()
            .timestamp();
        UNIX_EPOCH + Duration::from_secs(u64::try_from(t.as_second()).unwrap())
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
            CronSchedule::parse("CRON_TZ=Nowhere/Land 0 * * * *"),
            Err(CronError::Invalid(..))
        ));
        // The server refuses `L`, `W` and `#`, and so does the shared parser.
        assert!(matches!(
            CronSchedule::parse("0 0 L * *"),
            Err(CronError::Invalid(..))
        ));
    }

    #[test]
    fn time_zone_prefixes_match_local_wall_clock_time() {
        let start = at(2024, 1, 1, 0, 0);
        // Kolkata is UTC+05:30: minute 30 there is minute 0 in UTC.
        for prefix in ["CRON_TZ", "TZ"] {
            let half = CronSchedule::parse(&format!("{prefix}=Asia/Kolkata 30 * * * *")).unwrap();
            assert_eq!(half.next(start), Some(at(2024, 1, 1, 1, 0)));
        }
        // 09:00 in Paris is 08:00 UTC in winter and 07:00 in summer.
        let paris = CronSchedule::parse("CRON_TZ=Europe/Paris 0 9 * * *").unwrap();
        assert_eq!(paris.next(start), Some(at(2024, 1, 1, 8, 0)));
        assert_eq!(paris.next(at(2024, 7, 1, 0, 0)), Some(at(2024, 7, 1, 7, 0)));
        // Monday in Sydney starts on Sunday in UTC.
        let monday = CronSchedule::parse("CRON_TZ=Australia/Sydney 0 0 * * MON").unwrap();
        assert_eq!(monday.next(start), Some(at(2024, 1, 7, 13, 0)));
        assert_eq!(
            CronSchedule::parse("CRON_TZ=UTC 0 9 * * *")
                .unwrap()
                .next(start),
            Some(at(2024, 1, 1, 9, 0))
        );
    }

    #[test]
    fn daylight_saving_skips_and_repeats_as_the_servers_cron_library() {
        let ny = CronSchedule::parse("CRON_TZ=America/New_York 30 2 * * *").unwrap();
        // 2024-03-10: 02:00 EST jumps to 03:00 EDT, so there is no 02:30 that day.
        assert_eq!(ny.next(at(2024, 3, 9, 7, 30)), Some(at(2024, 3, 11, 6, 30)));
        let ny = CronSchedule::parse("CRON_TZ=America/New_York 30 1 * * *").unwrap();
        // 2024-11-03: 01:30 comes twice, at 05:30 UTC (EDT) and at 06:30 UTC (EST).
        let first = ny.next(at(2024, 11, 3, 4, 0)).unwrap();
        assert_eq!(first, at(2024, 11, 3, 5, 30));
        assert_eq!(ny.next(first), Some(at(2024, 11, 3, 6, 30)));
    }
}
