//! [`ScheduleSpec`]: when a schedule takes its action: cron strings, intervals,
//! calendars, exclusions, a start and end time, jitter and a time zone.
//!
//! The model is the Temporal proto's `ScheduleSpec` (`temporal.api.schedule.v1`), named
//! as the TypeScript client names it (`calendars`, `intervals`, `cronExpressions`,
//! `skip`, `startAt`, `endAt`, `jitter`, `timezone`). The server matches a time if any
//! calendar, interval or cron string matches it and no `skip` calendar does.

use std::time::{Duration, SystemTime};

use temporal_proto::temporal::api::schedule::v1 as proto;

use super::time::{timestamp_from_proto, timestamp_to_proto};
use crate::builders::{duration_from_proto, duration_to_proto, optional_duration};
use crate::validation::InvalidRequest;

/// When a schedule takes its action. Every list may be empty; a spec with nothing in
/// it never fires (the schedule can still be triggered and backfilled).
///
/// ```
/// use std::time::Duration;
/// use temporal_client_core::schedule::{CalendarSpec, ScheduleRange, ScheduleSpec};
///
/// let spec = ScheduleSpec::new()
///     .interval(Duration::from_secs(3600)) // every hour, on the hour (UTC)
///     .cron("CRON_TZ=Europe/Paris 0 9 * * MON-FRI") // 09:00 Paris time, weekdays
///     .calendar(CalendarSpec::new().hour([ScheduleRange::single(12)]).minute([ScheduleRange::single(30)]))
///     .jitter(Duration::from_secs(30));
/// assert_eq!(spec.intervals.len(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScheduleSpec {
    /// Structured calendar specs: each matches the times whose every field is in its
    /// ranges.
    pub calendars: Vec<CalendarSpec>,
    /// Fixed intervals from the Unix epoch, each shifted by its offset.
    pub intervals: Vec<IntervalSpec>,
    /// Cron strings, passed to the server as they are: the five-field form, six (with
    /// seconds) or seven (with years), `@every 1h30m/15m`, `@hourly` and the other
    /// macros, each optionally prefixed by `CRON_TZ=<zone>` (which becomes the spec's
    /// time zone: every zone named must agree, or the server answers "conflicting
    /// timezone names"). The server turns them into structured calendars or intervals:
    /// describe returns those, not the strings (checked against the 1.32 dev server).
    pub cron_expressions: Vec<String>,
    /// Calendars whose times are excluded, even when something else matches them.
    pub skip: Vec<CalendarSpec>,
    /// No action before this time.
    pub start_at: Option<SystemTime>,
    /// No action after this time.
    pub end_at: Option<SystemTime>,
    /// Each action is delayed by a random duration up to this much (at most the gap to
    /// the next action).
    pub jitter: Option<Duration>,
    /// The IANA time zone name the calendars and cron strings are read in (e.g.
    /// `"America/New_York"`); unset means UTC. The server loads its own tz data.
    pub time_zone_name: Option<String>,
}

impl ScheduleSpec {
    /// An empty spec.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an interval of `every`, aligned to the Unix epoch (no offset).
    pub fn interval(mut self, every: Duration) -> Self {
        self.intervals.push(IntervalSpec::new(every));
        self
    }

    /// Adds an interval of `every`, shifted by `offset` (the phase; shorter than `every`).
    pub fn interval_with_offset(mut self, every: Duration, offset: Duration) -> Self {
        self.intervals.push(IntervalSpec { every, offset });
        self
    }

    /// Adds a cron string (see [`cron_expressions`](Self::cron_expressions)).
    pub fn cron(mut self, expression: impl Into<String>) -> Self {
        self.cron_expressions.push(expression.into());
        self
    }

    /// Adds a structured calendar.
    pub fn calendar(mut self, calendar: CalendarSpec) -> Self {
        self.calendars.push(calendar);
        self
    }

    /// Adds a calendar of excluded times.
    pub fn skip(mut self, calendar: CalendarSpec) -> Self {
        self.skip.push(calendar);
        self
    }

    /// Sets the earliest time of an action.
    pub fn start_at(mut self, time: SystemTime) -> Self {
        self.start_at = Some(time);
        self
    }

    /// Sets the latest time of an action.
    pub fn end_at(mut self, time: SystemTime) -> Self {
        self.end_at = Some(time);
        self
    }

    /// Sets the jitter.
    pub fn jitter(mut self, jitter: Duration) -> Self {
        self.jitter = Some(jitter);
        self
    }

    /// Sets the time zone (an IANA name).
    pub fn time_zone_name(mut self, zone: impl Into<String>) -> Self {
        self.time_zone_name = Some(zone.into());
        self
    }

    /// The proto spec.
    ///
    /// # Errors
    /// [`InvalidRequest::InvalidValue`] naming the field for what the server rejects:
    /// an interval under one second (`spec.intervals.every`), an offset not shorter than
    /// its interval (`spec.intervals.offset`), a time before 1970; a duration too long for
    /// protobuf. Cron strings are not checked here: the server parses them and answers
    /// INVALID_ARGUMENT ("Invalid schedule spec: ...").
    pub fn to_proto(&self) -> Result<proto::ScheduleSpec, InvalidRequest> {
        let mut intervals = Vec::with_capacity(self.intervals.len());
        for interval in &self.intervals {
            intervals.push(interval.to_proto()?);
        }
        Ok(proto::ScheduleSpec {
            structured_calendar: self.calendars.iter().map(CalendarSpec::to_proto).collect(),
            cron_string: self.cron_expressions.clone(),
            calendar: Vec::new(),
            interval: intervals,
            exclude_structured_calendar: self.skip.iter().map(CalendarSpec::to_proto).collect(),
            start_time: self
                .start_at
                .map(|t| timestamp_to_proto("spec.start_at", t))
                .transpose()?,
            end_time: self
                .end_at
                .map(|t| timestamp_to_proto("spec.end_at", t))
                .transpose()?,
            jitter: optional_duration("spec.jitter", self.jitter)?,
            timezone_name: self.time_zone_name.clone().unwrap_or_default(),
            timezone_data: Vec::new(),
            // `exclude_calendar` (the string form, deprecated) stays empty.
            ..Default::default()
        })
    }

    /// The typed spec of a proto one. The string form of calendars (`calendar`,
    /// `exclude_calendar`), which the server never returns (it stores structured
    /// calendars), is dropped.
    pub fn from_proto(spec: proto::ScheduleSpec) -> Self {
        Self {
            calendars: spec
                .structured_calendar
                .into_iter()
                .map(CalendarSpec::from_proto)
                .collect(),
            intervals: spec.interval.iter().map(IntervalSpec::from_proto).collect(),
            cron_expressions: spec.cron_string,
            skip: spec
                .exclude_structured_calendar
                .into_iter()
                .map(CalendarSpec::from_proto)
                .collect(),
            start_at: spec.start_time.as_ref().and_then(timestamp_from_proto),
            end_at: spec.end_time.as_ref().and_then(timestamp_from_proto),
            jitter: spec
                .jitter
                .as_ref()
                .and_then(duration_from_proto)
                .filter(|d| !d.is_zero()),
            time_zone_name: (!spec.timezone_name.is_empty()).then_some(spec.timezone_name),
        }
    }
}

/// An interval: times that are a multiple of `every` after the Unix epoch, plus
/// `offset`. `every` of one day with `offset` of two hours fires at 02:00 UTC daily.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct IntervalSpec {
    /// The period; at least one second.
    pub every: Duration,
    /// The phase, shorter than `every` (zero: aligned to the epoch).
    pub offset: Duration,
}

impl IntervalSpec {
    /// An interval of `every` with no offset.
    pub fn new(every: Duration) -> Self {
        Self {
            every,
            offset: Duration::ZERO,
        }
    }

    /// The same interval with this offset.
    pub fn offset(mut self, offset: Duration) -> Self {
        self.offset = offset;
        self
    }

    fn to_proto(self) -> Result<proto::IntervalSpec, InvalidRequest> {
        // The server's checks ("interval is too small", "phase cannot be greater
        // than Interval"), with the same bounds.
        if self.every < Duration::from_secs(1) {
            return Err(InvalidRequest::InvalidValue {
                field: "spec.intervals.every",
                reason: "an interval must be at least one second",
            });
        }
        if self.offset >= self.every {
            return Err(InvalidRequest::InvalidValue {
                field: "spec.intervals.offset",
                reason: "the offset (phase) must be shorter than the interval",
            });
        }
        Ok(proto::IntervalSpec {
            interval: Some(duration_to_proto("spec.intervals.every", self.every)?),
            phase: optional_duration("spec.intervals.offset", Some(self.offset))?,
        })
    }

    fn from_proto(interval: &proto::IntervalSpec) -> Self {
        let read = |d: &Option<temporal_proto::protobuf::Duration>| {
            d.as_ref()
                .and_then(duration_from_proto)
                .unwrap_or(Duration::ZERO)
        };
        Self {
            every: read(&interval.interval),
            offset: read(&interval.phase),
        }
    }
}

/// A structured calendar: a time matches when each of its fields is in one of that
/// field's ranges. An empty list means the server's default for the field: second,
/// minute and hour `0`, every day of the month, month and day of the week, any year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CalendarSpec {
    /// Seconds, 0-59.
    pub second: Vec<ScheduleRange>,
    /// Minutes, 0-59.
    pub minute: Vec<ScheduleRange>,
    /// Hours, 0-23.
    pub hour: Vec<ScheduleRange>,
    /// Days of the month, 1-31.
    pub day_of_month: Vec<ScheduleRange>,
    /// Months, 1-12.
    pub month: Vec<ScheduleRange>,
    /// Years, e.g. 2030.
    pub year: Vec<ScheduleRange>,
    /// Days of the week, 0 (Sunday) to 6 (Saturday).
    pub day_of_week: Vec<ScheduleRange>,
    /// A free-form comment, kept with the spec.
    pub comment: String,
}

macro_rules! calendar_setters {
    ($($field:ident),*) => {
        $(
            #[doc = concat!("Sets the `", stringify!($field), "` ranges.")]
            pub fn $field(mut self, ranges: impl IntoIterator<Item = ScheduleRange>) -> Self {
                self.$field = ranges.into_iter().collect();
                self
            }
        )*
    };
}

impl CalendarSpec {
    /// A calendar with every field at its default (midnight UTC, every day).
    pub fn new() -> Self {
        Self::default()
    }

    calendar_setters!(second, minute, hour, day_of_month, month, year, day_of_week);

    /// Sets the comment.
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = comment.into();
        self
    }

    fn to_proto(&self) -> proto::StructuredCalendarSpec {
        let ranges = |r: &[ScheduleRange]| r.iter().map(|r| r.to_proto()).collect();
        proto::StructuredCalendarSpec {
            second: ranges(&self.second),
            minute: ranges(&self.minute),
            hour: ranges(&self.hour),
            day_of_month: ranges(&self.day_of_month),
            month: ranges(&self.month),
            year: ranges(&self.year),
            day_of_week: ranges(&self.day_of_week),
            comment: self.comment.clone(),
        }
    }

    fn from_proto(calendar: proto::StructuredCalendarSpec) -> Self {
        let ranges = |r: Vec<proto::Range>| r.iter().map(ScheduleRange::from_proto).collect();
        Self {
            second: ranges(calendar.second),
            minute: ranges(calendar.minute),
            hour: ranges(calendar.hour),
            day_of_month: ranges(calendar.day_of_month),
            month: ranges(calendar.month),
            year: ranges(calendar.year),
            day_of_week: ranges(calendar.day_of_week),
            comment: calendar.comment,
        }
    }
}

/// A range of values of one calendar field: `start` to `end` inclusive, every `step`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScheduleRange {
    /// The first value.
    pub start: i32,
    /// The last value (inclusive); not before `start`.
    pub end: i32,
    /// The step, 1 or more.
    pub step: i32,
}

impl ScheduleRange {
    /// The values `start..=end`, every one.
    pub fn new(start: i32, end: i32) -> Self {
        Self {
            start,
            end,
            step: 1,
        }
    }

    /// One value.
    pub fn single(value: i32) -> Self {
        Self::new(value, value)
    }

    /// The same range, every `step` values.
    pub fn step(mut self, step: i32) -> Self {
        self.step = step;
        self
    }

    /// On the wire an `end` below `start` means `start`, and a `step` of 0 means 1:
    /// both are sent in that short form, as the server returns them.
    fn to_proto(self) -> proto::Range {
        proto::Range {
            start: self.start,
            end: if self.end <= self.start { 0 } else { self.end },
            step: if self.step <= 1 { 0 } else { self.step },
        }
    }

    fn from_proto(range: &proto::Range) -> Self {
        Self {
            start: range.start,
            end: range.end.max(range.start),
            step: range.step.max(1),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    #[test]
    fn round_trips_every_field() {
        let spec = ScheduleSpec::new()
            .interval_with_offset(Duration::from_secs(60), Duration::from_secs(5))
            .cron("@every 1h")
            .calendar(
                CalendarSpec::new()
                    .hour([ScheduleRange::new(9, 17).step(2)])
                    .day_of_week([ScheduleRange::new(1, 5)])
                    .comment("office hours"),
            )
            .skip(CalendarSpec::new().month([ScheduleRange::single(12)]))
            .start_at(UNIX_EPOCH + Duration::from_secs(1_000))
            .end_at(UNIX_EPOCH + Duration::from_secs(2_000))
            .jitter(Duration::from_millis(1500))
            .time_zone_name("Europe/Paris");
        let proto = spec.to_proto().unwrap();
        assert_eq!(proto.cron_string, ["@every 1h"]);
        assert_eq!(proto.timezone_name, "Europe/Paris");
        assert_eq!(
            proto.structured_calendar[0].hour,
            [proto::Range {
                start: 9,
                end: 17,
                step: 2
            }]
        );
        assert_eq!(
            proto.exclude_structured_calendar[0].month,
            [proto::Range {
                start: 12,
                end: 0,
                step: 0
            }]
        );
        assert_eq!(ScheduleSpec::from_proto(proto), spec);
    }

    #[test]
    fn rejects_what_the_server_rejects_naming_the_field() {
        for every in [Duration::ZERO, Duration::from_millis(999)] {
            assert!(matches!(
                ScheduleSpec::new().interval(every).to_proto(),
                Err(InvalidRequest::InvalidValue {
                    field: "spec.intervals.every",
                    ..
                })
            ));
        }
        let long_phase = ScheduleSpec::new()
            .interval_with_offset(Duration::from_secs(10), Duration::from_secs(15))
            .to_proto();
        assert!(matches!(
            long_phase,
            Err(InvalidRequest::InvalidValue {
                field: "spec.intervals.offset",
                ..
            })
        ));
        let full_phase = ScheduleSpec::new()
            .interval_with_offset(Duration::from_secs(10), Duration::from_secs(10));
        assert!(full_phase.to_proto().is_err());
        let phase = ScheduleSpec::new()
            .interval_with_offset(Duration::from_secs(10), Duration::from_secs(9));
        assert!(phase.to_proto().is_ok());
    }
}
