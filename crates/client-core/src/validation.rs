//! Checks a request before it is sent: [`InvalidRequest`] names the field that is wrong,
//! so the mistake is reported at once instead of as a server round trip.

use std::time::Duration;

use crate::options::{IdConflictPolicy, IdReusePolicy};

/// A request that cannot be sent as it is. Each variant names the field at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidRequest {
    /// `workflow_id` is empty.
    #[error("the workflow id is empty: every workflow execution needs an id")]
    EmptyWorkflowId,
    /// `task_queue` is empty.
    #[error("the task queue is empty: name the task queue your workers poll")]
    EmptyTaskQueue,
    /// The workflow type is empty.
    #[error("the workflow type is empty: name the workflow to run")]
    EmptyWorkflowType,
    /// The signal name is empty.
    #[error("the signal name is empty")]
    EmptySignalName,
    /// The query name is empty.
    #[error("the query name is empty")]
    EmptyQueryName,
    /// The update name is empty.
    #[error("the update name is empty")]
    EmptyUpdateName,
    /// A search attribute was given an empty name.
    #[error("a search attribute has an empty name")]
    EmptySearchAttributeName,
    /// Another required field is empty (a schedule id, an activity id, a task token, ...).
    #[error("`{field}` is empty, but it is required")]
    EmptyField {
        /// The field, e.g. `"schedule_id"`.
        field: &'static str,
    },
    /// A duration is longer than a protobuf `Duration` can hold (about 10,000 years).
    #[error("`{field}` is {duration:?}, longer than the 10,000 years the server accepts")]
    DurationOutOfRange {
        /// The field, e.g. `"execution_timeout"`.
        field: &'static str,
        /// The duration given.
        duration: Duration,
    },
    /// A number is larger than the server accepts.
    #[error("`{field}` is {value}, larger than the maximum of {max}")]
    ValueTooLarge {
        /// The field, e.g. `"retry_policy.maximum_attempts"`.
        field: &'static str,
        /// The value given.
        value: u64,
        /// The largest accepted value.
        max: u64,
    },
    /// A field has a value the server rejects, for the reason given.
    #[error("`{field}` is invalid: {reason}")]
    InvalidValue {
        /// The field, e.g. `"retry_policy.backoff_coefficient"`.
        field: &'static str,
        /// What is wrong, in plain words.
        reason: &'static str,
    },
    /// `cron_schedule` is not a cron expression the server understands.
    #[error("`cron_schedule` {cron:?} is not a valid cron expression: {reason}")]
    InvalidCronSchedule {
        /// The expression given.
        cron: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `cron_schedule` and `start_delay` were both set; the server allows only one.
    #[error("`cron_schedule` and `start_delay` cannot be used together")]
    CronWithStartDelay,
    /// The id reuse policy and the id conflict policy contradict each other.
    #[error(
        "`id_reuse_policy` {reuse_policy:?} cannot be combined with `id_conflict_policy` {conflict_policy:?}: {reason}"
    )]
    IncompatibleIdPolicies {
        /// The reuse policy given.
        reuse_policy: IdReusePolicy,
        /// The conflict policy given.
        conflict_policy: IdConflictPolicy,
        /// Why they do not fit together.
        reason: &'static str,
    },
    /// Update-with-start was asked for without an id conflict policy.
    #[error(
        "update-with-start needs `id_conflict_policy` to be set (usually UseExisting), so the server knows what to do when the workflow is already running"
    )]
    MissingIdConflictPolicy,
    /// A field was set that update-with-start does not support.
    #[error("`{field}` cannot be used with update-with-start")]
    NotAllowedWithUpdateWithStart {
        /// The field, e.g. `"cron_schedule"`.
        field: &'static str,
    },
    /// The start and the update of an update-with-start name different workflows.
    #[error(
        "update-with-start targets workflow id {start:?} in the start but {update:?} in the update; they must be the same"
    )]
    WorkflowIdMismatch {
        /// The workflow id of the start operation.
        start: String,
        /// The workflow id of the update operation.
        update: String,
    },
    /// A search attribute value could not be encoded.
    #[error("search attribute {name:?} cannot be sent: {reason}")]
    InvalidSearchAttribute {
        /// The attribute name.
        name: String,
        /// What is wrong with the value.
        reason: String,
    },
    /// A memo value could not be converted to JSON.
    #[error("memo field {key:?} cannot be converted to JSON: {reason}")]
    InvalidMemo {
        /// The memo key.
        key: String,
        /// The serializer's message.
        reason: String,
    },
}

/// Fails with `error` when `value` is empty.
pub(crate) fn require(value: &str, error: InvalidRequest) -> Result<(), InvalidRequest> {
    if value.is_empty() { Err(error) } else { Ok(()) }
}

/// Checks that `value` fits the non-negative range of a protobuf `int32`.
pub(crate) fn fits_i32(field: &'static str, value: u32) -> Result<i32, InvalidRequest> {
    i32::try_from(value).map_err(|_| InvalidRequest::ValueTooLarge {
        field,
        value: u64::from(value),
        max: i32::MAX as u64,
    })
}

/// Checks a cron expression the way the Temporal server parses `cron_schedule`.
///
/// Accepted forms:
/// - 5, 6 or 7 space-separated fields (minute hour day-of-month month day-of-week,
///   optionally with seconds first and a year last) made of digits, `* / , - ? L W #`,
///   and month (`JAN`..`DEC`) or weekday (`SUN`..`SAT`) names;
/// - `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`;
/// - `@every <duration>` with a Go duration such as `1h30m` or `90s`;
/// - any of the above after a `CRON_TZ=<zone> ` (or `TZ=<zone> `) prefix.
///
/// This is a syntax check: it does not verify that numbers are in range.
pub fn validate_cron_schedule(cron: &str) -> Result<(), InvalidRequest> {
    check_cron(cron).map_err(|reason| InvalidRequest::InvalidCronSchedule {
        cron: cron.to_owned(),
        reason,
    })
}

fn check_cron(cron: &str) -> Result<(), String> {
    let mut rest = cron.trim();
    if rest.is_empty() {
        return Err("it is empty".into());
    }
    if let Some(tz) = rest
        .strip_prefix("CRON_TZ=")
        .or_else(|| rest.strip_prefix("TZ="))
    {
        let Some((zone, expr)) = tz.split_once(char::is_whitespace) else {
            return Err("the time zone prefix is not followed by an expression".into());
        };
        if zone.is_empty() {
            return Err("the time zone after `CRON_TZ=` is empty".into());
        }
        rest = expr.trim_start();
    }
    if let Some(descriptor) = rest.strip_prefix('@') {
        return check_descriptor(descriptor);
    }
    let fields: Vec<&str> = rest.split_whitespace().collect();
    if !(5..=7).contains(&fields.len()) {
        return Err(format!(
            "it has {} fields, but a cron expression has 5 (minute hour day-of-month month day-of-week), \
             optionally with seconds first and a year last",
            fields.len()
        ));
    }
    for field in fields {
        check_cron_field(field)?;
    }
    Ok(())
}

fn check_descriptor(descriptor: &str) -> Result<(), String> {
    match descriptor {
        "yearly" | "annually" | "monthly" | "weekly" | "daily" | "midnight" | "hourly" => Ok(()),
        _ => {
            let Some(duration) = descriptor.strip_prefix("every") else {
                return Err(format!(
                    "`@{descriptor}` is not one of @yearly, @annually, @monthly, @weekly, @daily, \
                     @midnight, @hourly or @every <duration>"
                ));
            };
            let duration = duration.trim();
            if duration.is_empty() {
                return Err("`@every` needs a duration, such as `@every 1h30m`".into());
            }
            check_go_duration(duration)
        }
    }
}

/// A positive Go duration: one or more `<number><unit>`, the number possibly decimal.
fn check_go_duration(text: &str) -> Result<(), String> {
    let bad = || format!("`{text}` is not a duration like `90s`, `15m` or `1h30m`");
    let mut rest = text;
    let mut non_zero = false;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..number_len];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return Err(bad());
        }
        non_zero |= number.bytes().any(|b| (b'1'..=b'9').contains(&b));
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        match &rest[..unit_len] {
            "ns" | "us" | "\u{b5}s" | "\u{3bc}s" | "ms" | "s" | "m" | "h" => {}
            _ => return Err(bad()),
        }
        rest = &rest[unit_len..];
    }
    if non_zero {
        Ok(())
    } else {
        Err(format!("`@every {text}` must be longer than zero"))
    }
}

const CRON_NAMES: [&str; 22] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", "SUN",
    "MON", "TUE", "WED", "THU", "FRI", "SAT", "L", "W", "LW",
];

fn check_cron_field(field: &str) -> Result<(), String> {
    for part in field.split(',') {
        if part.is_empty() {
            return Err(format!("the field `{field}` has an empty list item"));
        }
        if let Some((_, step)) = part.split_once('/')
            && (step.is_empty() || !step.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(format!(
                "in the field `{field}`, the step after `/` must be a number"
            ));
        }
        let mut chars = part.char_indices().peekable();
        while let Some((start, c)) = chars.next() {
            if c.is_ascii_alphabetic() {
                let mut end = start + 1;
                while let Some(&(i, next)) = chars.peek() {
                    if !next.is_ascii_alphabetic() {
                        break;
                    }
                    end = i + 1;
                    chars.next();
                }
                let word = &part[start..end];
                if !CRON_NAMES
                    .iter()
                    .any(|name| name.eq_ignore_ascii_case(word))
                {
                    return Err(format!(
                        "`{word}` in the field `{field}` is not a month or weekday name"
                    ));
                }
            } else if !(c.is_ascii_digit() || matches!(c, '*' | '/' | '-' | '?' | '#')) {
                return Err(format!(
                    "the field `{field}` contains `{c}`, which cron does not allow"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn cron_accepts_common_forms() {
        for cron in [
            "* * * * *",
            "0 12 * * MON-FRI",
            "*/5 * * * *",
            "0 0 1,15 * *",
            "0 0 L * ?",
            "0 0 15W * *",
            "0 0 * * 6#3",
            "0 0 12 * JAN,jul *",
            "0 30 9 * * MON-FRI",
            "0 30 9 * * MON-FRI 2030",
            "@yearly",
            "@annually",
            "@monthly",
            "@weekly",
            "@daily",
            "@midnight",
            "@hourly",
            "@every 1h30m",
            "@every 90s",
            "@every 1.5h",
            "@every 500ms",
            "CRON_TZ=America/New_York 0 9 * * *",
            "TZ=UTC @daily",
            "  0 0 * * *  ",
        ] {
            assert_eq!(validate_cron_schedule(cron), Ok(()), "{cron}");
        }
    }

    #[test]
    fn cron_rejects_garbage() {
        for cron in [
            "",
            "   ",
            "hello",
            "* * * *",
            "* * * * * * * *",
            "@sometimes",
            "@every",
            "@every 0s",
            "@every 10",
            "@every 1x",
            "@every h",
            "0 0 * * FOO",
            "0 0 * * $",
            "0 0 1,,2 * *",
            "*/x * * * *",
            "*/ * * * *",
            "CRON_TZ= 0 0 * * *",
            "CRON_TZ=UTC",
        ] {
            let err = validate_cron_schedule(cron).expect_err(cron);
            assert!(
                matches!(&err, InvalidRequest::InvalidCronSchedule { cron: c, .. } if c == cron),
                "{err:?}"
            );
            assert!(err.to_string().contains("cron_schedule"), "{err}");
        }
    }

    #[test]
    fn cron_error_says_why() {
        let err = validate_cron_schedule("* * *").expect_err("3 fields");
        assert!(err.to_string().contains("it has 3 fields"), "{err}");
        let err = validate_cron_schedule("0 0 * * BLAH").expect_err("bad name");
        assert!(err.to_string().contains("`BLAH`"), "{err}");
    }

    #[test]
    fn fits_i32_limits() {
        assert_eq!(fits_i32("f", 7), Ok(7));
        assert_eq!(fits_i32("f", i32::MAX as u32), Ok(i32::MAX));
        let err = fits_i32("f", u32::MAX).expect_err("too large");
        assert_eq!(
            err,
            InvalidRequest::ValueTooLarge {
                field: "f",
                value: u64::from(u32::MAX),
                max: i32::MAX as u64
            }
        );
        assert!(err.to_string().contains("`f`"));
    }

    #[test]
    fn messages_name_the_field() {
        assert!(
            InvalidRequest::EmptyWorkflowId
                .to_string()
                .contains("workflow id")
        );
        assert!(
            InvalidRequest::EmptyTaskQueue
                .to_string()
                .contains("task queue")
        );
        assert!(
            InvalidRequest::EmptyWorkflowType
                .to_string()
                .contains("workflow type")
        );
        assert!(
            InvalidRequest::EmptySignalName
                .to_string()
                .contains("signal name")
        );
        assert!(
            InvalidRequest::EmptyQueryName
                .to_string()
                .contains("query name")
        );
        assert!(
            InvalidRequest::EmptyUpdateName
                .to_string()
                .contains("update name")
        );
        assert!(
            InvalidRequest::EmptySearchAttributeName
                .to_string()
                .contains("search attribute")
        );
        let err = InvalidRequest::DurationOutOfRange {
            field: "run_timeout",
            duration: Duration::MAX,
        };
        assert!(err.to_string().contains("`run_timeout`"));
    }
}
