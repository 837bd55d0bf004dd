//! Cron strings as the Temporal server reads them for schedules, compiled to the
//! structured form the server stores and returns from `DescribeSchedule`.
//!
//! One parser for the whole project: the fake server's schedule engine evaluates what
//! [`parse_cron_string`] and [`compile_calendar`] produce, and a client can check a spec
//! before sending it. Pure: no clock, no time zone database (a zone name is returned for
//! the caller to resolve).
//!
//! The grammar (the server's `parseCronString` in `service/worker/scheduler`):
//! - an optional `CRON_TZ=<zone> ` or `TZ=<zone> ` prefix;
//! - an optional `# comment` suffix;
//! - `@every <duration>[/<phase>]` (an interval, e.g. `@every 90m/5m`), or one of
//!   `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`;
//! - or 5 fields `minute hour day-of-month month day-of-week`, 6 fields (a year
//!   appended) or 7 fields (a second prepended, a year appended).
//!
//! Each field is a comma-separated list of `*`, `?`, `N`, `N-M`, `N/S`, `N-M/S`, `*/S`,
//! with month (`jan`..) and weekday (`sun`..) names; day of week runs 0-7 (7 is Sunday).
//! `L`, `W` and `#` are not accepted, as on the server. A structured calendar matches a
//! time when every field matches (day of month AND day of week), unlike classic cron.

mod field;
mod workflow;

use temporal_proto::protobuf;
use temporal_proto::temporal::api::schedule::v1::{
    CalendarSpec, IntervalSpec, StructuredCalendarSpec,
};

pub use field::parse_duration;
pub use workflow::{WorkflowCron, WorkflowCronKind, parse_workflow_cron};

/// A cron string the server would refuse. The message is the server's wording after
/// `Invalid schedule spec: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid cron string {text:?}: {reason}")]
pub struct InvalidCron {
    /// The string as given.
    pub text: String,
    /// Why it is refused, worded as the server words it (e.g. `CronString does not
    /// have 5-7 fields`, `DayOfMonth is not in range [1-31]`).
    pub reason: String,
}

/// What one cron string compiles to: a calendar or an interval, and maybe a time zone.
#[derive(Debug, Clone, PartialEq)]
pub struct CronString {
    /// The calendar, for the field forms and the `@daily`-style descriptors.
    pub calendar: Option<StructuredCalendarSpec>,
    /// The interval, for `@every`.
    pub interval: Option<IntervalSpec>,
    /// The IANA zone named by a `CRON_TZ=`/`TZ=` prefix (not checked to exist).
    pub timezone: Option<String>,
}

/// Parses one schedule cron string.
///
/// # Errors
///
/// [`InvalidCron`] when the server would refuse the string, with the server's reason.
///
/// # Example
///
/// ```
/// use temporal_client_core::cron::parse_cron_string;
///
/// let c = parse_cron_string("CRON_TZ=Europe/Paris 30 9 * * MON-FRI").unwrap();
/// assert_eq!(c.timezone.as_deref(), Some("Europe/Paris"));
/// let cal = c.calendar.unwrap();
/// assert_eq!((cal.hour[0].start, cal.minute[0].start), (9, 30));
/// assert_eq!((cal.day_of_week[0].start, cal.day_of_week[0].end), (1, 5));
/// assert!(parse_cron_string("0 0 * *").is_err());
/// ```
pub fn parse_cron_string(text: &str) -> Result<CronString, InvalidCron> {
    let fail = |reason: String| InvalidCron {
        text: text.to_owned(),
        reason,
    };
    let mut c = text.trim();
    let mut timezone = None;
    if c.starts_with("TZ=") || c.starts_with("CRON_TZ=") {
        let Some((tz, rest)) = c.split_once(' ') else {
            return Err(fail("CronString has time zone but missing fields".into()));
        };
        timezone = tz.split_once('=').map(|(_, z)| z.to_owned());
        c = rest;
    }
    let (body, comment) = match c.split_once('#') {
        Some((body, comment)) => (body.trim(), comment.trim()),
        None => (c.trim(), ""),
    };
    if let Some(every) = body.strip_prefix("@every") {
        let (every, phase) = match every.trim().split_once('/') {
            Some((e, p)) => (e, Some(p)),
            None => (every.trim(), None),
        };
        let interval =
            parse_duration(every).ok_or_else(|| fail(format!("invalid interval {every:?}")))?;
        let phase = match phase {
            Some(p) => Some(parse_duration(p).ok_or_else(|| fail(format!("invalid phase {p:?}")))?),
            None => None,
        };
        return Ok(CronString {
            calendar: None,
            interval: Some(IntervalSpec {
                interval: Some(duration(interval)),
                phase: phase.filter(|p| !p.is_zero()).map(duration),
            }),
            timezone: None,
        });
    }
    let body = match body {
        "@yearly" | "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" | "@midnight" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        other => other,
    };
    let f: Vec<&str> = body.split_whitespace().collect();
    let mut cal = CalendarSpec {
        comment: comment.to_owned(),
        ..CalendarSpec::default()
    };
    match f.len() {
        5 => {
            (
                cal.minute,
                cal.hour,
                cal.day_of_month,
                cal.month,
                cal.day_of_week,
            ) = (
                f[0].into(),
                f[1].into(),
                f[2].into(),
                f[3].into(),
                f[4].into(),
            );
        }
        6 => {
            (
                cal.minute,
                cal.hour,
                cal.day_of_month,
                cal.month,
                cal.day_of_week,
                cal.year,
            ) = (
                f[0].into(),
                f[1].into(),
                f[2].into(),
                f[3].into(),
                f[4].into(),
                f[5].into(),
            );
        }
        7 => {
            cal.second = f[0].into();
            (
                cal.minute,
                cal.hour,
                cal.day_of_month,
                cal.month,
                cal.day_of_week,
                cal.year,
            ) = (
                f[1].into(),
                f[2].into(),
                f[3].into(),
                f[4].into(),
                f[5].into(),
                f[6].into(),
            );
        }
        _ => return Err(fail("CronString does not have 5-7 fields".into())),
    }
    let calendar = compile_calendar(&cal).map_err(|e| fail(e.reason))?;
    Ok(CronString {
        calendar: Some(calendar),
        interval: None,
        timezone,
    })
}

/// Compiles a string-field `CalendarSpec` into the structured form. Empty fields take
/// the server's defaults: second, minute and hour `0`; day of month, month, year and
/// day of week `*`.
///
/// # Errors
///
/// [`InvalidCron`] (its `text` is the offending field) when a field is malformed or out
/// of range.
pub fn compile_calendar(cal: &CalendarSpec) -> Result<StructuredCalendarSpec, InvalidCron> {
    let one = |text: &str, default: &str, f: field::Field| {
        let text = if text.trim().is_empty() {
            default
        } else {
            text
        };
        field::parse(text, f).map_err(|reason| InvalidCron {
            text: text.to_owned(),
            reason,
        })
    };
    Ok(StructuredCalendarSpec {
        second: one(&cal.second, "0", field::SECOND)?,
        minute: one(&cal.minute, "0", field::MINUTE)?,
        hour: one(&cal.hour, "0", field::HOUR)?,
        day_of_month: one(&cal.day_of_month, "*", field::DAY_OF_MONTH)?,
        month: one(&cal.month, "*", field::MONTH)?,
        year: one(&cal.year, "*", field::YEAR)?,
        day_of_week: one(&cal.day_of_week, "*", field::DAY_OF_WEEK)?,
        comment: cal.comment.clone(),
    })
}

fn duration(d: std::time::Duration) -> protobuf::Duration {
    protobuf::Duration {
        seconds: d.as_secs() as i64,
        nanos: d.subsec_nanos() as i32,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use temporal_proto::temporal::api::schedule::v1::Range;

    fn r(start: i32, end: i32, step: i32) -> Range {
        Range { start, end, step }
    }

    #[test]
    fn five_fields_compile_as_the_server_shows_them() {
        // The dev server describes "0 12 * * MON" as exactly this.
        let cal = parse_cron_string("0 12 * * MON").unwrap().calendar.unwrap();
        assert_eq!(cal.second, vec![r(0, 0, 1)]);
        assert_eq!(cal.minute, vec![r(0, 0, 1)]);
        assert_eq!(cal.hour, vec![r(12, 12, 1)]);
        assert_eq!(cal.day_of_month, vec![r(1, 31, 1)]);
        assert_eq!(cal.month, vec![r(1, 12, 1)]);
        assert_eq!(cal.day_of_week, vec![r(1, 1, 1)]);
        assert!(cal.year.is_empty());
        let all = parse_cron_string("30 9 1-5 * *").unwrap().calendar.unwrap();
        assert_eq!(all.day_of_week, vec![r(0, 6, 1)]);
        assert_eq!(all.day_of_month, vec![r(1, 5, 1)]);
    }

    #[test]
    fn steps_lists_names_seconds_and_years() {
        let cal = parse_cron_string("*/15 0,12 * jan-mar,DEC sun")
            .unwrap()
            .calendar
            .unwrap();
        assert_eq!(cal.minute, vec![r(0, 59, 15)]);
        assert_eq!(cal.hour, vec![r(0, 0, 1), r(12, 12, 1)]);
        assert_eq!(cal.month, vec![r(1, 3, 1), r(12, 12, 1)]);
        assert_eq!(cal.day_of_week, vec![r(0, 0, 1)]);
        let seven = parse_cron_string("5 0 0 * * * 2030 # yearly note")
            .unwrap()
            .calendar
            .unwrap();
        assert_eq!(seven.second, vec![r(5, 5, 1)]);
        assert_eq!(seven.year, vec![r(2030, 2030, 1)]);
        assert_eq!(seven.comment, "yearly note");
        let six = parse_cron_string("0 0 * * * 2025-2027")
            .unwrap()
            .calendar
            .unwrap();
        assert_eq!(six.year, vec![r(2025, 2027, 1)]);
        let daily = parse_cron_string("@daily").unwrap().calendar.unwrap();
        assert_eq!(daily.hour, vec![r(0, 0, 1)]);
    }

    #[test]
    fn every_and_time_zones() {
        let every = parse_cron_string("@every 90m/5m")
            .unwrap()
            .interval
            .unwrap();
        assert_eq!(every.interval.unwrap().seconds, 5400);
        assert_eq!(every.phase.unwrap().seconds, 300);
        let tz = parse_cron_string("TZ=America/New_York 0 2 * * *").unwrap();
        assert_eq!(tz.timezone.as_deref(), Some("America/New_York"));
        assert_eq!(
            parse_duration("1.5h"),
            Some(std::time::Duration::from_secs(5400))
        );
        assert_eq!(
            parse_duration("2d"),
            Some(std::time::Duration::from_secs(172_800))
        );
        assert_eq!(parse_duration("h"), None);
    }

    #[test]
    fn refusals_use_the_servers_reasons() {
        let reason = |s: &str| parse_cron_string(s).unwrap_err().reason;
        assert_eq!(reason("0 0 * *"), "CronString does not have 5-7 fields");
        assert_eq!(reason("0 0 L * *"), "DayOfMonth is not in range [1-31]");
        assert_eq!(reason("61 * * * *"), "Minute is not in range [0-59]");
        assert_eq!(reason("0 24 * * *"), "Hour is not in range [0-23]");
        assert!(parse_cron_string("CRON_TZ=UTC").is_err());
        assert!(parse_cron_string("*/0 * * * *").is_err());
    }
}
