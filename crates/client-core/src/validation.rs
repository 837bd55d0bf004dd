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

/// Checks a cron expression the way the Temporal server parses `cron_schedule` (the
/// standard five-field cron syntax), so a mistake is reported before the request is
/// sent.
///
/// Accepted forms:
/// - five space-separated fields: minute (0-59), hour (0-23), day of month (1-31),
///   month (1-12 or `JAN`..`DEC`), day of week (0-6 or `SUN`..`SAT`); each a
///   comma-separated list of `*`, `?`, `N`, `N-M`, optionally with a `/step`;
/// - `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`;
/// - `@every <duration>` with a Go duration such as `1h30m`, `90s` or `1.5h`;
/// - any of the above after a `CRON_TZ=<zone> ` (or `TZ=<zone> `) prefix.
///
/// The server rejects seconds and year fields and the `L`, `W` and `#` extensions, so
/// this does too. It cannot check that a time zone name exists.
pub fn validate_cron_schedule(cron: &str) -> Result<(), InvalidRequest> {
    crate::cron::parse_workflow_cron(cron)
        .map(drop)
        .map_err(|reason| InvalidRequest::InvalidCronSchedule {
            cron: cron.to_owned(),
            reason,
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn cron_accepts_what_the_server_accepts() {
        // Each of these was accepted by a Temporal 1.32 dev server.
        for cron in [
            "* * * * *",
            "0 0 ? * *",
            "0 12 * * MON-FRI",
            "0 0 * * mon",
            "0 0 * JAN *",
            "0 0 * jan-mar *",
            "0 0 * * SUN,SAT",
            "0 0 * * 0-6",
            "*/5 * * * *",
            "5-10/2 * * * *",
            "0 0 1,15 * *",
            "0 0 1,,2 * *",
            "0 0 1, * *",
            "?/5 * * * *",
            "5/2 * * * *",
            "CRON_TZ=UTC  0 0 * * *",
            "59 23 31 12 6",
            "+5 * * * *",
            "*-3 * * * *",
            "  0 0 * * *  ",
            "@yearly",
            "@annually",
            "@monthly",
            "@weekly",
            "@daily",
            "@midnight",
            "@hourly",
            "@every 1h30m",
            "@every 1h30m10s",
            "@every 90s",
            "@every 1.5h",
            "@every 500ms",
            "@every 1us",
            "@every 100ns",
            "@every 0s",
            "@every 0",
            "@every -1h",
            "@every .5s",
            "CRON_TZ=America/New_York 0 9 * * *",
            "TZ=UTC @daily",
        ] {
            assert_eq!(validate_cron_schedule(cron), Ok(()), "{cron}");
        }
    }

    #[test]
    fn cron_rejects_what_the_server_rejects() {
        // Each of these was rejected by a Temporal 1.32 dev server (the ones marked
        // "garbage" were not tried: they cannot be cron).
        for cron in [
            "0 0 * * 7",
            "60 * * * *",
            "0 24 * * *",
            "0 0 0 * *",
            "0 0 32 * *",
            "0 0 * 13 *",
            "0 0 * 0 *",
            "*/0 * * * *",
            "10-5 * * * *",
            "0 0 * * FOO",
            "0 0 * * * *",
            "* * * * * * *",
            "0 30 9 * * MON-FRI",
            "0 0 L * ?",
            "0 0 15W * *",
            "0 0 * * 6#3",
            "@weekly ",
            "@every 1d",
            // garbage
            "",
            "   ",
            "hello",
            "* * * *",
            "@sometimes",
            "@every",
            "@every ",
            "@every 10",
            "@every 1x",
            "@every h",
            "@every .s",
            "*/x * * * *",
            "*/ * * * *",
            "1/2/3 * * * *",
            "1-2-3 * * * *",
            "-1 * * * *",
            "*/5/ * * * *",
            "0 0 * MON *",
            "0 0 * * JAN",
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
        let reason = |cron| match validate_cron_schedule(cron) {
            Err(InvalidRequest::InvalidCronSchedule { reason, .. }) => reason,
            other => panic!("{other:?}"),
        };
        assert!(reason("* * *").contains("it has 3 fields"));
        assert!(reason("0 0 * * BLAH").contains("day-of-week"));
        assert!(reason("0 24 * * *").contains("hour field `24` is outside 0-23"));
        assert!(reason("0 0 * 0 *").contains("month"));
        assert!(reason("*/0 * * * *").contains("above 0"));
        assert!(reason("5-1 * * * *").contains("ends before it starts"));
        assert!(reason("@every 1d").contains("`1d`"));
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
