//! Schedule spec evaluation: the normalised form the server stores (cron strings and
//! string calendars compiled to structured calendars) and the times a spec matches, in
//! its time zone, with exclusions, start and end time and a deterministic jitter.
//!
//! Semantics from the server's `service/worker/scheduler` spec code: a structured
//! calendar matches when every field matches (day of month AND day of week); an
//! interval matches `epoch + phase + k * interval`; the spec's next time is the earliest
//! of its calendars and intervals that no exclusion matches, inside `[start, end]`;
//! jitter delays each action by a pseudo-random amount below `jitter`, capped at the
//! gap to the following nominal time. A calendar matches every instant whose wall-clock
//! time matches (checked on the dev server): a time in a DST gap is skipped, one in a
//! fold fires twice.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use temporal_client_core::cron::{compile_calendar, parse_cron_string};
use temporal_proto::protobuf;
use temporal_proto::temporal::api::schedule::v1::{Range, ScheduleSpec, StructuredCalendarSpec};

use super::super::clock::{from_proto_duration, to_proto_duration};

/// How far ahead a calendar is searched before giving up (the server's limit is of the
/// same order: a calendar with no match in this span never fires).
const SEARCH_DAYS: i64 = 366 * 30;

/// Compiles cron strings and string calendars into structured calendars, checks
/// intervals and the zone: the spec as `DescribeSchedule` returns it.
///
/// # Errors
///
/// The server's reason (to follow `Invalid schedule spec: `).
pub(crate) fn normalize(mut spec: ScheduleSpec) -> Result<ScheduleSpec, String> {
    // Every cron string must name the same zone (or none, as `@every` does); a named
    // zone must agree with `timezone_name` if that is set. Checked on the dev server:
    // `["CRON_TZ=America/New_York 30 2 * * *", "@every 90m"]` is refused.
    let mut cron_zone: Option<String> = None;
    for text in std::mem::take(&mut spec.cron_string) {
        let c = parse_cron_string(&text).map_err(|e| e.reason)?;
        let tz = c.timezone.unwrap_or_default();
        match &cron_zone {
            Some(z) if *z != tz => return Err("conflicting timezone names".into()),
            _ => cron_zone = Some(tz),
        }
        spec.structured_calendar.extend(c.calendar);
        spec.interval.extend(c.interval);
    }
    if let Some(tz) = cron_zone.filter(|z| !z.is_empty()) {
        if !spec.timezone_name.is_empty() && spec.timezone_name != tz {
            return Err("conflicting timezone names".into());
        }
        spec.timezone_name = tz;
    }
    for cal in std::mem::take(&mut spec.calendar) {
        spec.structured_calendar
            .push(compile_calendar(&cal).map_err(|e| e.reason)?);
    }
    // Deprecated in the API in favour of the structured form, but still accepted.
    #[allow(deprecated)]
    let excluded = std::mem::take(&mut spec.exclude_calendar);
    for cal in excluded {
        spec.exclude_structured_calendar
            .push(compile_calendar(&cal).map_err(|e| e.reason)?);
    }
    for iv in &mut spec.interval {
        let every = iv.interval.as_ref().and_then(from_proto_duration);
        let every = every.filter(|d| *d >= Duration::from_secs(1));
        let Some(every) = every else {
            return Err("interval is too small".into());
        };
        let phase = iv
            .phase
            .as_ref()
            .and_then(from_proto_duration)
            .unwrap_or_default();
        if phase >= every {
            return Err("phase cannot be greater than Interval".into());
        }
        iv.phase = (!phase.is_zero()).then(|| to_proto_duration(phase));
    }
    zone(&spec.timezone_name)?;
    Ok(spec)
}

fn zone(name: &str) -> Result<TimeZone, String> {
    zone_named(name).ok_or_else(|| format!("unknown time zone {name}"))
}

/// The zone a time zone name means to the server, which reads it with Go's
/// `time.LoadLocation`: `""` and `UTC` are UTC, `Local` the server's own zone (UTC on
/// the dev server), any other an IANA name, spelled exactly (`europe/paris` and `utc`
/// are unknown). Used for schedule specs and for `CRON_TZ=` in a workflow's cron.
pub(crate) fn zone_named(name: &str) -> Option<TimeZone> {
    match name {
        "" | "UTC" | "Local" => Some(TimeZone::UTC),
        _ => TimeZone::get(name)
            .ok()
            .filter(|zone| zone.iana_name() == Some(name)),
    }
}

/// A structured calendar as bit sets.
#[derive(Debug, Clone)]
struct Calendar {
    seconds: u64,
    minutes: u64,
    hours: u32,
    days_of_month: u32,
    months: u16,
    days_of_week: u8,
    years: Vec<Range>,
}

fn bits(ranges: &[Range], default: (i32, i32), max: i32) -> u64 {
    let mut out = 0u64;
    let defaults = [Range {
        start: default.0,
        end: default.1,
        step: 1,
    }];
    let ranges = if ranges.is_empty() {
        &defaults[..]
    } else {
        ranges
    };
    for r in ranges {
        let end = if r.end < r.start { r.start } else { r.end };
        let step = r.step.max(1);
        let mut v = r.start.max(0);
        while v <= end.min(max) {
            out |= 1 << v;
            v += step;
        }
    }
    out
}

impl Calendar {
    fn new(c: &StructuredCalendarSpec) -> Self {
        let mut dow = bits(&c.day_of_week, (0, 6), 7);
        if dow & (1 << 7) != 0 {
            dow = (dow & !(1 << 7)) | 1;
        }
        Self {
            seconds: bits(&c.second, (0, 0), 59),
            minutes: bits(&c.minute, (0, 0), 59),
            hours: bits(&c.hour, (0, 0), 23) as u32,
            days_of_month: bits(&c.day_of_month, (1, 31), 31) as u32,
            months: bits(&c.month, (1, 12), 12) as u16,
            days_of_week: dow as u8,
            years: c.year.clone(),
        }
    }

    fn year_ok(&self, y: i16) -> bool {
        let y = i32::from(y);
        self.years.is_empty()
            || self.years.iter().any(|r| {
                let end = if r.end < r.start { r.start } else { r.end };
                y >= r.start && y <= end && (y - r.start) % r.step.max(1) == 0
            })
    }

    fn day_ok(&self, d: Date) -> bool {
        self.year_ok(d.year())
            && self.months & (1 << d.month()) != 0
            && self.days_of_month & (1 << d.day()) != 0
            && self.days_of_week & (1 << d.weekday().to_sunday_zero_offset()) != 0
    }

    fn matches(&self, dt: DateTime) -> bool {
        self.day_ok(dt.date())
            && self.hours & (1 << dt.hour()) != 0
            && self.minutes & (1 << dt.minute()) != 0
            && self.seconds & (1 << dt.second()) != 0
            && dt.subsec_nanosecond() == 0
    }

    /// The first matching instant strictly after `after` (unix nanoseconds).
    ///
    /// A match is any instant whose wall-clock time in the zone matches, as on the
    /// server (checked on the dev server): a time in a DST gap never happens, and one
    /// in a fold happens twice.
    fn next(&self, tz: &TimeZone, after: i128) -> Option<i128> {
        let ts = jiff::Timestamp::from_nanosecond(after).ok()?;
        let local = ts.to_zoned(tz.clone()).datetime();
        // Start early so a DST fold cannot hide a match.
        let floor = local
            .checked_sub(jiff::SignedDuration::from_hours(3))
            .ok()?;
        let mut date = floor.date();
        let mut best: Option<(i128, DateTime)> = None;
        // A fixed offset has no folds: the first match is the answer.
        let fixed = tz.to_fixed_offset().is_ok();
        for _ in 0..SEARCH_DAYS {
            if self.day_ok(date) {
                for h in (0..24i8).filter(|h| self.hours & (1 << h) != 0) {
                    for m in (0..60i8).filter(|m| self.minutes & (1 << m) != 0) {
                        for s in (0..60i8).filter(|s| self.seconds & (1 << s) != 0) {
                            let dt = date.at(h, m, s, 0);
                            if dt < floor {
                                continue;
                            }
                            if let Some((_, found)) = best {
                                // Past the fold window of the best match: it is final.
                                if dt
                                    > found
                                        .checked_add(jiff::SignedDuration::from_hours(3))
                                        .ok()?
                                {
                                    return best.map(|b| b.0);
                                }
                            }
                            for n in instants(tz, dt) {
                                if n > after && best.is_none_or(|(b, _)| n < b) {
                                    best = Some((n, dt));
                                }
                            }
                            if fixed && best.is_some() {
                                return best.map(|b| b.0);
                            }
                        }
                    }
                }
            }
            date = date.tomorrow().ok()?;
        }
        best.map(|b| b.0)
    }
}

/// Every instant (unix nanoseconds) whose wall-clock time in `tz` is `dt`: none in a
/// gap, two in a fold.
fn instants(tz: &TimeZone, dt: DateTime) -> Vec<i128> {
    use jiff::tz::AmbiguousOffset;
    let offsets = match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => vec![offset],
        AmbiguousOffset::Gap { .. } => Vec::new(),
        AmbiguousOffset::Fold { before, after } => vec![before, after],
    };
    offsets
        .into_iter()
        .filter_map(|o| o.to_timestamp(dt).ok())
        .map(|t| t.as_nanosecond())
        .collect()
}

/// A spec ready to evaluate.
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    calendars: Vec<Calendar>,
    excludes: Vec<Calendar>,
    /// (interval, phase) in nanoseconds.
    intervals: Vec<(i128, i128)>,
    start: Option<i128>,
    end: Option<i128>,
    jitter: i128,
    tz: TimeZone,
    seed: u64,
}

fn nanos(t: SystemTime) -> i128 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

fn ts_nanos(t: &protobuf::Timestamp) -> i128 {
    i128::from(t.seconds) * 1_000_000_000 + i128::from(t.nanos)
}

pub(crate) fn from_nanos(n: i128) -> SystemTime {
    if n >= 0 {
        UNIX_EPOCH + Duration::from_nanos(n as u64)
    } else {
        UNIX_EPOCH - Duration::from_nanos(n.unsigned_abs() as u64)
    }
}

fn dur_nanos(d: &Option<protobuf::Duration>) -> i128 {
    d.as_ref()
        .and_then(from_proto_duration)
        .map_or(0, |d| d.as_nanos() as i128)
}

/// One matching time: the nominal time the spec names and the actual (jittered) one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fire {
    pub(crate) nominal: SystemTime,
    pub(crate) actual: SystemTime,
}

impl Spec {
    /// Compiles a normalised spec; `seed` makes the jitter repeatable.
    pub(crate) fn new(spec: &ScheduleSpec, seed: u64) -> Result<Self, String> {
        Ok(Self {
            calendars: spec.structured_calendar.iter().map(Calendar::new).collect(),
            excludes: spec
                .exclude_structured_calendar
                .iter()
                .map(Calendar::new)
                .collect(),
            intervals: spec
                .interval
                .iter()
                .map(|iv| (dur_nanos(&iv.interval).max(1), dur_nanos(&iv.phase)))
                .collect(),
            start: spec.start_time.as_ref().map(ts_nanos),
            end: spec.end_time.as_ref().map(ts_nanos),
            jitter: dur_nanos(&spec.jitter),
            tz: zone(&spec.timezone_name)?,
            seed,
        })
    }

    fn excluded(&self, n: i128) -> bool {
        if self.excludes.is_empty() {
            return false;
        }
        let Ok(ts) = jiff::Timestamp::from_nanosecond(n) else {
            return false;
        };
        let local = ts.to_zoned(self.tz.clone()).datetime();
        self.excludes.iter().any(|c| c.matches(local))
    }

    fn raw_next(&self, after: i128) -> Option<i128> {
        let cal = self
            .calendars
            .iter()
            .filter_map(|c| c.next(&self.tz, after));
        let iv = self.intervals.iter().map(|&(every, phase)| {
            let k = (after - phase).div_euclid(every) + 1;
            phase + k * every
        });
        cal.chain(iv).min()
    }

    fn next_nominal(&self, after: i128) -> Option<i128> {
        let mut t = after;
        if let Some(start) = self.start {
            t = t.max(start - 1);
        }
        for _ in 0..100_000 {
            let n = self.raw_next(t)?;
            if self.end.is_some_and(|end| n > end) {
                return None;
            }
            if !self.excluded(n) {
                return Some(n);
            }
            t = n;
        }
        None
    }

    /// The first nominal time strictly after `after`, with its jittered actual time.
    pub(crate) fn next(&self, after: SystemTime) -> Option<Fire> {
        let n = self.next_nominal(nanos(after))?;
        let mut jitter = 0;
        if self.jitter > 0 {
            let cap = match self.next_nominal(n) {
                Some(following) => self.jitter.min(following - n),
                None => self.jitter,
            };
            if cap > 0 {
                jitter = (mix(self.seed ^ (n as u64)) as i128).rem_euclid(cap);
            }
        }
        Some(Fire {
            nominal: from_nanos(n),
            actual: from_nanos(n + jitter),
        })
    }

    /// Every fire whose nominal time is in `(after, until]`, at most `limit`.
    pub(crate) fn between(&self, after: SystemTime, until: SystemTime, limit: usize) -> Vec<Fire> {
        let mut out = Vec::new();
        let mut t = after;
        while out.len() < limit {
            match self.next(t) {
                Some(f) if f.nominal <= until => {
                    t = f.nominal;
                    out.push(f);
                }
                _ => break,
            }
        }
        out
    }
}

/// SplitMix64: a small, well-mixed hash for the deterministic jitter.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use temporal_proto::temporal::api::schedule::v1::IntervalSpec;

    fn utc(s: &str) -> SystemTime {
        let ts: jiff::Timestamp = s.parse().unwrap();
        from_nanos(ts.as_nanosecond())
    }

    fn spec(crons: &[&str]) -> Spec {
        let s = normalize(ScheduleSpec {
            cron_string: crons.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        })
        .unwrap();
        Spec::new(&s, 0).unwrap()
    }

    #[test]
    fn cron_calendar_and_day_fields_both_apply() {
        let s = spec(&["0 12 * * MON"]);
        // 2024-01-01 is a Monday.
        let f = s.next(utc("2024-01-01T00:00:00Z")).unwrap();
        assert_eq!(f.nominal, utc("2024-01-01T12:00:00Z"));
        assert_eq!(f.actual, f.nominal);
        let f = s.next(f.nominal).unwrap();
        assert_eq!(f.nominal, utc("2024-01-08T12:00:00Z"));
        // Day of month AND day of week: the 15th only when it is a Tuesday.
        let both = spec(&["0 0 15 * TUE"]);
        assert_eq!(
            both.next(utc("2024-01-01T00:00:00Z")).unwrap().nominal,
            utc("2024-10-15T00:00:00Z")
        );
    }

    #[test]
    fn intervals_with_phase_and_start_end() {
        let mut raw = ScheduleSpec {
            interval: vec![IntervalSpec {
                interval: Some(to_proto_duration(Duration::from_secs(3600))),
                phase: Some(to_proto_duration(Duration::from_secs(300))),
            }],
            end_time: Some(super::super::super::clock::to_timestamp(utc(
                "2024-01-01T03:00:00Z",
            ))),
            ..Default::default()
        };
        raw = normalize(raw).unwrap();
        let s = Spec::new(&raw, 0).unwrap();
        let fires = s.between(utc("2024-01-01T00:00:00Z"), utc("2024-01-02T00:00:00Z"), 10);
        let nominal: Vec<_> = fires.iter().map(|f| f.nominal).collect();
        assert_eq!(
            nominal,
            vec![
                utc("2024-01-01T00:05:00Z"),
                utc("2024-01-01T01:05:00Z"),
                utc("2024-01-01T02:05:00Z")
            ]
        );
    }

    #[test]
    fn time_zones_follow_dst() {
        // 02:30 does not exist in New York on 2024-03-10: that day has no run.
        let s = spec(&["CRON_TZ=America/New_York 30 2 * * *"]);
        let f = s.next(utc("2024-03-09T12:00:00Z")).unwrap();
        assert_eq!(f.nominal, utc("2024-03-11T06:30:00Z"));
        // 01:30 happens twice on 2024-11-03 (EDT, then EST): both fire.
        let fold = spec(&["CRON_TZ=America/New_York 30 1 * * *"]);
        let fires = fold.between(utc("2024-11-02T12:00:00Z"), utc("2024-11-04T12:00:00Z"), 9);
        let nominal: Vec<_> = fires.iter().map(|f| f.nominal).collect();
        assert_eq!(
            nominal,
            vec![
                utc("2024-11-03T05:30:00Z"),
                utc("2024-11-03T06:30:00Z"),
                utc("2024-11-04T06:30:00Z")
            ]
        );
        // Interleaved fold times come out in instant order, as the dev server lists
        // them for `*/30 1-3 * * *`.
        let every_half = spec(&["CRON_TZ=America/New_York */30 1-3 * * *"]);
        let fires =
            every_half.between(utc("2024-11-03T04:00:00Z"), utc("2024-11-03T09:00:00Z"), 20);
        let got: Vec<_> = fires.iter().map(|f| f.nominal).collect();
        let want: Vec<_> = [
            "05:00", "05:30", "06:00", "06:30", "07:00", "07:30", "08:00", "08:30",
        ]
        .iter()
        .map(|hm| utc(&format!("2024-11-03T{hm}:00Z")))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    #[allow(deprecated)]
    fn exclusions_jitter_and_errors() {
        let mut raw = normalize(ScheduleSpec {
            cron_string: vec!["0 * * * *".into()],
            exclude_calendar: vec![temporal_proto::temporal::api::schedule::v1::CalendarSpec {
                hour: "1".into(),
                minute: "*".into(),
                ..Default::default()
            }],
            ..Default::default()
        })
        .unwrap();
        let s = Spec::new(&raw, 0).unwrap();
        let f = s.next(utc("2024-01-01T00:30:00Z")).unwrap();
        assert_eq!(f.nominal, utc("2024-01-01T02:00:00Z"));
        raw.jitter = Some(to_proto_duration(Duration::from_secs(600)));
        let j = Spec::new(&raw, 7)
            .unwrap()
            .next(utc("2024-01-01T02:30:00Z"))
            .unwrap();
        let delay = j.actual.duration_since(j.nominal).unwrap();
        assert!(delay < Duration::from_secs(600));
        let again = Spec::new(&raw, 7)
            .unwrap()
            .next(utc("2024-01-01T02:30:00Z"))
            .unwrap();
        assert_eq!(j, again);
        let bad = |s: ScheduleSpec| normalize(s).unwrap_err();
        assert_eq!(
            bad(ScheduleSpec {
                timezone_name: "Mars/X".into(),
                ..Default::default()
            }),
            "unknown time zone Mars/X"
        );
        assert_eq!(
            bad(ScheduleSpec {
                interval: vec![IntervalSpec::default()],
                ..Default::default()
            }),
            "interval is too small"
        );
        assert_eq!(
            bad(ScheduleSpec {
                cron_string: vec!["CRON_TZ=Europe/Paris 0 * * * *".into()],
                timezone_name: "UTC".into(),
                ..Default::default()
            }),
            "conflicting timezone names"
        );
        assert_eq!(
            bad(ScheduleSpec {
                cron_string: vec![
                    "CRON_TZ=America/New_York 30 2 * * *".into(),
                    "@every 90m".into()
                ],
                ..Default::default()
            }),
            "conflicting timezone names"
        );
        let zoned = normalize(ScheduleSpec {
            cron_string: vec!["0 12 * * MON".into(), "@every 90m".into()],
            timezone_name: "Europe/Paris".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(zoned.timezone_name, "Europe/Paris");
    }

    #[test]
    fn zone_names_are_read_as_the_server_reads_them() {
        for name in [
            "",
            "UTC",
            "Local",
            "Europe/Paris",
            "US/Eastern",
            "Asia/Calcutta",
        ] {
            assert!(zone_named(name).is_some(), "{name}");
        }
        for name in ["utc", "europe/paris", "Nowhere/Land", "EUROPE/PARIS"] {
            assert!(zone_named(name).is_none(), "{name}");
        }
    }
}
