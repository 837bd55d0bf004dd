//! One calendar field of a cron string or a `CalendarSpec`: a comma-separated list of
//! `*`, `N`, `N-M`, `N/S`, `N-M/S` and `*/S`, with month and weekday names, compiled to
//! the ranges of a `StructuredCalendarSpec`.

use std::time::Duration;

use temporal_proto::temporal::api::schedule::v1::Range;

/// What one calendar field holds: its name (as the server's messages spell it), bounds
/// and value names.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    pub(crate) name: &'static str,
    pub(crate) min: i32,
    pub(crate) max: i32,
    /// The value `*` stands for (the server's `*` for day of week is 0-6, not 0-7).
    pub(crate) star_max: i32,
    pub(crate) names: &'static [&'static str],
}

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const WEEKDAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

pub(crate) const SECOND: Field = Field {
    name: "Second",
    min: 0,
    max: 59,
    star_max: 59,
    names: &[],
};
pub(crate) const MINUTE: Field = Field {
    name: "Minute",
    ..SECOND
};
pub(crate) const HOUR: Field = Field {
    name: "Hour",
    min: 0,
    max: 23,
    star_max: 23,
    names: &[],
};
pub(crate) const DAY_OF_MONTH: Field = Field {
    name: "DayOfMonth",
    min: 1,
    max: 31,
    star_max: 31,
    names: &[],
};
pub(crate) const MONTH: Field = Field {
    name: "Month",
    min: 1,
    max: 12,
    star_max: 12,
    names: MONTHS,
};
pub(crate) const YEAR: Field = Field {
    name: "Year",
    min: 2000,
    max: 2100,
    star_max: 2100,
    names: &[],
};
pub(crate) const DAY_OF_WEEK: Field = Field {
    name: "DayOfWeek",
    min: 0,
    max: 7,
    star_max: 6,
    names: WEEKDAYS,
};

/// Parses one field. `*` for the year field gives no ranges (every year), as the server
/// does.
pub(crate) fn parse(text: &str, field: Field) -> Result<Vec<Range>, String> {
    let name = field.name;
    let mut ranges = Vec::new();
    for item in text.split(',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => {
                let step = number(step)
                    .filter(|s| *s > 0)
                    .ok_or_else(|| format!("{name} has an invalid step in {item:?}"))?;
                (range, Some(step))
            }
            None => (item, None),
        };
        let (start, end) = if range == "*" || range == "?" {
            if field.name == YEAR.name && step.is_none() {
                continue;
            }
            (field.min, field.star_max)
        } else if let Some((low, high)) = range.split_once('-') {
            (value(low, field)?, value(high, field)?)
        } else {
            let v = value(range, field)?;
            (v, if step.is_some() { field.star_max } else { v })
        };
        if start < field.min || end > field.max || start > field.max || end < field.min {
            return Err(format!(
                "{name} is not in range [{}-{}]",
                field.min, field.max
            ));
        }
        if end < start {
            return Err(format!("{name} has a range that ends before it starts"));
        }
        ranges.push(Range {
            start,
            end,
            step: step.unwrap_or(1),
        });
    }
    Ok(ranges)
}

fn value(text: &str, field: Field) -> Result<i32, String> {
    let lower = text.to_ascii_lowercase();
    if let Some(i) = field
        .names
        .iter()
        .position(|n| lower.len() >= 3 && n.starts_with(&lower[..3]) && lower.len() <= 9)
    {
        return Ok(i as i32 + if field.min == 1 { 1 } else { 0 });
    }
    number(text).ok_or_else(|| {
        format!(
            "{} is not in range [{}-{}]",
            field.name, field.min, field.max
        )
    })
}

fn number(text: &str) -> Option<i32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Parses a duration as the server does for `@every`: Go's `time.ParseDuration` units
/// (`ns`, `us`, `ms`, `s`, `m`, `h`) plus `d` for days; decimals allowed (`1.5h`).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    if rest == "0" {
        return Some(Duration::ZERO);
    }
    let mut total = Duration::ZERO;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let number: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let secs = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "d" => 86_400.0,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += Duration::try_from_secs_f64(number * secs).ok()?;
    }
    Some(total)
}
