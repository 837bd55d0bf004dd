//! Cron strings as the server reads `cron_schedule` on a workflow start (the
//! robfig/cron standard parser): five fields, descriptors, `@every`, and a `CRON_TZ=`
//! prefix. A different dialect from schedules' cron strings (no seconds or year, day of
//! week 0-6, day fields OR-ed when both are restricted), so it has its own entry point;
//! both live here so the client's checks and the fake's evaluator share them.

use std::time::Duration;

use temporal_proto::temporal::api::schedule::v1::Range;

use super::parse_duration;

/// A parsed workflow `cron_schedule`.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowCron {
    /// The zone of a `CRON_TZ=`/`TZ=` prefix (not checked to exist).
    pub timezone: Option<String>,
    /// The schedule proper.
    pub kind: WorkflowCronKind,
}

/// What a workflow cron string schedules.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkflowCronKind {
    /// `@every <duration>`: a fixed interval (zero for a negative or zero duration).
    Every(Duration),
    /// Calendar fields, each a list of ranges (`step` at least 1).
    Fields {
        /// Minutes, 0-59.
        minute: Vec<Range>,
        /// Hours, 0-23.
        hour: Vec<Range>,
        /// Days of the month, 1-31.
        day_of_month: Vec<Range>,
        /// Months, 1-12.
        month: Vec<Range>,
        /// Days of the week, 0-6 (Sunday is 0).
        day_of_week: Vec<Range>,
        /// The day-of-month field was `*` or `?`.
        dom_star: bool,
        /// The day-of-week field was `*` or `?`: when neither is, a day matching either
        /// field matches.
        dow_star: bool,
    },
}

/// Parses a workflow `cron_schedule` the way the server does.
///
/// Accepted forms:
/// - five space-separated fields: minute (0-59), hour (0-23), day of month (1-31),
///   month (1-12 or `JAN`..`DEC`), day of week (0-6 or `SUN`..`SAT`); each a
///   comma-separated list of `*`, `?`, `N`, `N-M`, optionally with a `/step`;
/// - `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`;
/// - `@every <duration>` with a Go duration such as `1h30m`, `90s` or `1.5h`;
/// - any of the above after a `CRON_TZ=<zone> ` (or `TZ=<zone> `) prefix.
///
/// # Errors
///
/// Why the server would refuse it (seconds and year fields, `L`, `W` and `#`, out of
/// range values, ...), as a sentence naming the field.
///
/// # Example
///
/// ```
/// use temporal_client_core::cron::{WorkflowCronKind, parse_workflow_cron};
///
/// let c = parse_workflow_cron("CRON_TZ=UTC 0 9 * * MON-FRI").unwrap();
/// assert_eq!(c.timezone.as_deref(), Some("UTC"));
/// assert!(matches!(c.kind, WorkflowCronKind::Fields { dow_star: false, .. }));
/// assert!(parse_workflow_cron("0 0 * * * *").is_err());
/// ```
pub fn parse_workflow_cron(cron: &str) -> Result<WorkflowCron, String> {
    if cron.is_empty() {
        return Err("it is empty".into());
    }
    let mut spec = cron;
    let mut timezone = None;
    if let Some(tz) = cron
        .strip_prefix("CRON_TZ=")
        .or_else(|| cron.strip_prefix("TZ="))
    {
        let Some((zone, expr)) = tz.split_once(' ') else {
            return Err("the time zone prefix is not followed by an expression".into());
        };
        if zone.is_empty() {
            return Err("the time zone after `CRON_TZ=` is empty".into());
        }
        spec = expr.trim();
        timezone = Some(zone.to_owned());
    }
    if spec.starts_with('@') {
        let kind = check_descriptor(spec)?;
        return Ok(WorkflowCron { timezone, kind });
    }
    let fields: Vec<&str> = spec.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!(
            "it has {} fields, but the server expects exactly 5: minute hour day-of-month month \
             day-of-week (no seconds or year)",
            fields.len()
        ));
    }
    let is_star = |t: &str| t == "*" || t == "?";
    let (dom_star, dow_star) = (is_star(fields[2]), is_star(fields[4]));
    let mut parsed = Vec::with_capacity(5);
    for (text, field) in fields.into_iter().zip(&CRON_FIELDS) {
        parsed.push(check_cron_field(text, field)?);
    }
    let mut parsed = parsed.into_iter();
    let mut next = || parsed.next().unwrap_or_default();
    Ok(WorkflowCron {
        timezone,
        kind: WorkflowCronKind::Fields {
            minute: next(),
            hour: next(),
            day_of_month: next(),
            month: next(),
            day_of_week: next(),
            dom_star,
            dow_star,
        },
    })
}

fn check_descriptor(descriptor: &str) -> Result<WorkflowCronKind, String> {
    let fields = match descriptor {
        "@yearly" | "@annually" => Some("0 0 1 1 *"),
        "@monthly" => Some("0 0 1 * *"),
        "@weekly" => Some("0 0 * * 0"),
        "@daily" | "@midnight" => Some("0 0 * * *"),
        "@hourly" => Some("0 * * * *"),
        _ => None,
    };
    if let Some(fields) = fields {
        return parse_workflow_cron(fields).map(|c| c.kind);
    }
    {
        match descriptor.strip_prefix("@every ") {
            Some(duration) => {
                check_go_duration(duration)?;
                // Negative durations are accepted by the server's parser; they never
                // fire, which a zero interval says as well.
                let every = if duration.starts_with('-') {
                    Duration::ZERO
                } else {
                    parse_duration(duration.trim_start_matches('+')).unwrap_or_default()
                };
                Ok(WorkflowCronKind::Every(every))
            }
            None => Err(format!(
                "`{descriptor}` is not one of @yearly, @annually, @monthly, @weekly, @daily, \
                 @midnight, @hourly or @every <duration>"
            )),
        }
    }
}

/// A Go duration as `time.ParseDuration` reads it: an optional sign, then one or more
/// `<number><unit>` (the number possibly decimal), or just `0`.
fn check_go_duration(text: &str) -> Result<(), String> {
    let bad = || format!("`{text}` is not a duration like `90s`, `15m` or `1h30m`");
    let mut rest = text.strip_prefix(['-', '+']).unwrap_or(text);
    if rest == "0" {
        return Ok(());
    }
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let integer = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        rest = &rest[integer..];
        let mut fraction = 0;
        if let Some(after_dot) = rest.strip_prefix('.') {
            rest = after_dot;
            fraction = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            rest = &rest[fraction..];
        }
        if integer == 0 && fraction == 0 {
            return Err(bad());
        }
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        match &rest[..unit_len] {
            "ns" | "us" | "\u{b5}s" | "\u{3bc}s" | "ms" | "s" | "m" | "h" => {}
            _ => return Err(bad()),
        }
        rest = &rest[unit_len..];
    }
    Ok(())
}

/// One field of a five-field cron expression: its name, range and value names.
struct CronField {
    name: &'static str,
    min: u64,
    max: u64,
    names: &'static [&'static str],
}

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const WEEKDAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const CRON_FIELDS: [CronField; 5] = [
    CronField {
        name: "minute",
        min: 0,
        max: 59,
        names: &[],
    },
    CronField {
        name: "hour",
        min: 0,
        max: 23,
        names: &[],
    },
    CronField {
        name: "day-of-month",
        min: 1,
        max: 31,
        names: &[],
    },
    CronField {
        name: "month",
        min: 1,
        max: 12,
        names: MONTHS,
    },
    CronField {
        name: "day-of-week",
        min: 0,
        max: 6,
        names: WEEKDAYS,
    },
];

fn check_cron_field(text: &str, field: &CronField) -> Result<Vec<Range>, String> {
    let name = field.name;
    let mut ranges = Vec::new();
    // Like the server, empty list items are skipped.
    for item in text.split(',').filter(|item| !item.is_empty()) {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => (range, Some(step)),
            None => (item, None),
        };
        if step.is_some_and(|s| s.contains('/')) {
            return Err(format!("the {name} field `{text}` has too many `/`"));
        }
        let (start, end) = if let Some(rest) = range.strip_prefix(['*', '?'])
            && (rest.is_empty() || rest.starts_with('-'))
        {
            (field.min, field.max)
        } else {
            let mut bounds = range.split('-');
            let low = bounds.next().unwrap_or_default();
            let high = bounds.next();
            if bounds.next().is_some() {
                return Err(format!("the {name} field `{text}` has too many `-`"));
            }
            let start = cron_value(low, field, text)?;
            let end = match (high, step) {
                (Some(high), _) => cron_value(high, field, text)?,
                // `N/step` means from N to the end of the range.
                (None, Some(_)) => field.max,
                (None, None) => start,
            };
            (start, end)
        };
        let mut step_value = 1;
        if let Some(step) = step {
            let step = cron_number(step)
                .ok_or_else(|| format!("the step in the {name} field `{text}` is not a number"))?;
            if step == 0 {
                return Err(format!(
                    "the step in the {name} field `{text}` must be above 0"
                ));
            }
            step_value = step;
        }
        if start < field.min || end > field.max {
            return Err(format!(
                "the {name} field `{text}` is outside {}-{}",
                field.min, field.max
            ));
        }
        if start > end {
            return Err(format!(
                "the {name} field `{text}` has a range that ends before it starts"
            ));
        }
        ranges.push(Range {
            start: start as i32,
            end: end as i32,
            step: step_value.min(i32::MAX as u64) as i32,
        });
    }
    Ok(ranges)
}

/// A number or (case-insensitive) name in a cron field.
fn cron_value(text: &str, field: &CronField, whole: &str) -> Result<u64, String> {
    if let Some(index) = field
        .names
        .iter()
        .position(|n| n.eq_ignore_ascii_case(text))
    {
        let offset = if field.min == 1 { 1 } else { 0 };
        return Ok(index as u64 + offset);
    }
    cron_number(text).ok_or_else(|| {
        format!(
            "`{text}` in the {} field `{whole}` is not a number{}",
            field.name,
            if field.names.is_empty() {
                ""
            } else {
                " or a name"
            }
        )
    })
}

/// A non-negative decimal number, as Go's `strconv.Atoi` reads it (a `+` is allowed).
fn cron_number(text: &str) -> Option<u64> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.parse().unwrap_or(u64::MAX))
}
