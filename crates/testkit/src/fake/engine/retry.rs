//! The server's retry decision for a failed or timed-out run.

// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use std::time::{Duration, SystemTime};

use temporal_proto::temporal::api::enums::v1::{RetryState, TimeoutType};
use temporal_proto::temporal::api::failure::v1::{Failure, failure::FailureInfo};

use crate::fake::store::Run;

/// The server's retry decision for a failed or timed-out run: the backoff before the
/// next attempt, or why there is none.
pub(crate) fn retry_backoff(
    run: &Run,
    failure: &Failure,
    now: SystemTime,
) -> (Option<Duration>, RetryState) {
    let Some(policy) = &run.retry_policy else {
        return (None, RetryState::RetryPolicyNotSet);
    };
    let failure_type = match &failure.failure_info {
        Some(FailureInfo::ApplicationFailureInfo(info)) => {
            if info.non_retryable {
                return (None, RetryState::NonRetryableFailure);
            }
            info.r#type.clone()
        }
        Some(FailureInfo::TimeoutFailureInfo(info)) => {
            let kind = TimeoutType::try_from(info.timeout_type).unwrap_or(TimeoutType::Unspecified);
            if kind != TimeoutType::StartToClose && kind != TimeoutType::Heartbeat {
                return (None, RetryState::NonRetryableFailure);
            }
            let name = if kind == TimeoutType::StartToClose {
                "StartToClose"
            } else {
                "Heartbeat"
            };
            format!("TemporalTimeout:{name}")
        }
        Some(FailureInfo::CanceledFailureInfo(_)) | Some(FailureInfo::TerminatedFailureInfo(_)) => {
            return (None, RetryState::NonRetryableFailure);
        }
        _ => String::new(),
    };
    if policy.non_retryable_error_types.contains(&failure_type) {
        return (None, RetryState::NonRetryableFailure);
    }
    if policy.maximum_attempts > 0 && run.attempt >= policy.maximum_attempts {
        return (None, RetryState::MaximumAttemptsReached);
    }
    let initial = policy
        .initial_interval
        .as_ref()
        .and_then(crate::fake::clock::from_proto_duration)
        .unwrap_or(Duration::from_secs(1));
    let coefficient = if policy.backoff_coefficient >= 1.0 {
        policy.backoff_coefficient
    } else {
        2.0
    };
    let mut secs = initial.as_secs_f64() * coefficient.powi((run.attempt - 1).clamp(0, 1000));
    if let Some(max) = policy
        .maximum_interval
        .as_ref()
        .and_then(crate::fake::clock::from_proto_duration)
        .filter(|d| !d.is_zero())
    {
        secs = secs.min(max.as_secs_f64());
    }
    let mut interval = Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX);
    if let Some(FailureInfo::ApplicationFailureInfo(info)) = &failure.failure_info {
        if let Some(d) = info
            .next_retry_delay
            .as_ref()
            .and_then(crate::fake::clock::from_proto_duration)
        {
            interval = d;
        }
    }
    if let Some(exp) = run.execution_expiration {
        if now.checked_add(interval).is_none_or(|t| t >= exp) {
            return (None, RetryState::Timeout);
        }
    }
    (Some(interval), RetryState::InProgress)
}
