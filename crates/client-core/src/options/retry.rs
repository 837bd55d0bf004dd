//! [`RetryPolicy`]: how the server retries a failed workflow run.

use std::time::Duration;

use temporal_proto::temporal::api::common::v1 as proto;

use crate::builders::{duration_from_proto, optional_duration};
use crate::validation::{InvalidRequest, fits_i32};

/// How the server retries a failed workflow run. Unset fields take the server's
/// defaults (1 s initial interval, coefficient 2, maximum 100 × the initial interval,
/// unlimited attempts).
///
/// ```
/// # use std::time::Duration;
/// # use temporal_client_core::options::RetryPolicy;
/// let policy = RetryPolicy::new()
///     .initial_interval(Duration::from_millis(500))
///     .maximum_attempts(5)
///     .non_retryable_error_type("InvalidInput");
/// assert_eq!(policy.maximum_attempts, 5);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// The wait before the first retry.
    pub initial_interval: Option<Duration>,
    /// How much the wait grows after each retry; at least 1.
    pub backoff_coefficient: Option<f64>,
    /// The longest wait between retries.
    pub maximum_interval: Option<Duration>,
    /// The most attempts, counting the first; 0 means unlimited.
    pub maximum_attempts: u32,
    /// Application failure types that are never retried.
    pub non_retryable_error_types: Vec<String>,
}

impl RetryPolicy {
    /// A policy with every field at the server's default.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the wait before the first retry.
    pub fn initial_interval(mut self, interval: Duration) -> Self {
        self.initial_interval = Some(interval);
        self
    }

    /// Sets how much the wait grows after each retry (at least 1).
    pub fn backoff_coefficient(mut self, coefficient: f64) -> Self {
        self.backoff_coefficient = Some(coefficient);
        self
    }

    /// Sets the longest wait between retries.
    pub fn maximum_interval(mut self, interval: Duration) -> Self {
        self.maximum_interval = Some(interval);
        self
    }

    /// Sets the most attempts, counting the first; 0 means unlimited.
    pub fn maximum_attempts(mut self, attempts: u32) -> Self {
        self.maximum_attempts = attempts;
        self
    }

    /// Adds an application failure type that is never retried.
    pub fn non_retryable_error_type(mut self, error_type: impl Into<String>) -> Self {
        self.non_retryable_error_types.push(error_type.into());
        self
    }

    /// The protobuf message, after checking the values the server would reject.
    pub fn to_proto(&self) -> Result<proto::RetryPolicy, InvalidRequest> {
        if let Some(coefficient) = self.backoff_coefficient
            && (!coefficient.is_finite() || coefficient < 1.0)
        {
            return Err(InvalidRequest::InvalidValue {
                field: "retry_policy.backoff_coefficient",
                reason: "it must be a finite number of at least 1",
            });
        }
        if let (Some(initial), Some(maximum)) = (self.initial_interval, self.maximum_interval)
            && !maximum.is_zero()
            && maximum < initial
        {
            return Err(InvalidRequest::InvalidValue {
                field: "retry_policy.maximum_interval",
                reason: "it must not be shorter than retry_policy.initial_interval",
            });
        }
        Ok(proto::RetryPolicy {
            initial_interval: optional_duration(
                "retry_policy.initial_interval",
                self.initial_interval,
            )?,
            backoff_coefficient: self.backoff_coefficient.unwrap_or(0.0),
            maximum_interval: optional_duration(
                "retry_policy.maximum_interval",
                self.maximum_interval,
            )?,
            maximum_attempts: fits_i32("retry_policy.maximum_attempts", self.maximum_attempts)?,
            non_retryable_error_types: self.non_retryable_error_types.clone(),
        })
    }

    /// Reads a protobuf retry policy (e.g. from a describe response). Zero values become
    /// "unset"; negative ones, which the server never sends, too.
    pub fn from_proto(policy: &proto::RetryPolicy) -> Self {
        Self {
            initial_interval: policy
                .initial_interval
                .as_ref()
                .and_then(duration_from_proto)
                .filter(|d| !d.is_zero()),
            backoff_coefficient: Some(policy.backoff_coefficient)
                .filter(|c| *c != 0.0 && c.is_finite()),
            maximum_interval: policy
                .maximum_interval
                .as_ref()
                .and_then(duration_from_proto)
                .filter(|d| !d.is_zero()),
            maximum_attempts: u32::try_from(policy.maximum_attempts).unwrap_or(0),
            non_retryable_error_types: policy.non_retryable_error_types.clone(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn converts_every_field() {
        let policy = RetryPolicy::new()
            .initial_interval(Duration::from_millis(1500))
            .backoff_coefficient(1.5)
            .maximum_interval(Duration::from_secs(60))
            .maximum_attempts(4)
            .non_retryable_error_type("Fatal")
            .non_retryable_error_type("Bad");
        let proto = policy.to_proto().unwrap();
        let initial = proto.initial_interval.unwrap();
        assert_eq!((initial.seconds, initial.nanos), (1, 500_000_000));
        assert_eq!(proto.backoff_coefficient, 1.5);
        assert_eq!(proto.maximum_interval.unwrap().seconds, 60);
        assert_eq!(proto.maximum_attempts, 4);
        assert_eq!(proto.non_retryable_error_types, ["Fatal", "Bad"]);
        assert_eq!(RetryPolicy::from_proto(&proto), policy);
    }

    #[test]
    fn defaults_stay_unset() {
        let proto = RetryPolicy::new().to_proto().unwrap();
        assert_eq!(proto, proto::RetryPolicy::default());
        assert_eq!(RetryPolicy::from_proto(&proto), RetryPolicy::new());
    }

    #[test]
    fn rejects_bad_coefficient() {
        for bad in [0.5, f64::NAN, f64::INFINITY, -2.0] {
            let err = RetryPolicy::new()
                .backoff_coefficient(bad)
                .to_proto()
                .unwrap_err();
            assert!(matches!(
                err,
                InvalidRequest::InvalidValue {
                    field: "retry_policy.backoff_coefficient",
                    ..
                }
            ));
        }
        assert!(
            RetryPolicy::new()
                .backoff_coefficient(1.0)
                .to_proto()
                .is_ok()
        );
    }

    #[test]
    fn rejects_maximum_below_initial() {
        let err = RetryPolicy::new()
            .initial_interval(Duration::from_secs(10))
            .maximum_interval(Duration::from_secs(5))
            .to_proto()
            .unwrap_err();
        assert!(err.to_string().contains("retry_policy.maximum_interval"));
    }

    #[test]
    fn rejects_attempts_overflow() {
        let err = RetryPolicy::new()
            .maximum_attempts(u32::MAX)
            .to_proto()
            .unwrap_err();
        assert!(matches!(
            err,
            InvalidRequest::ValueTooLarge {
                field: "retry_policy.maximum_attempts",
                ..
            }
        ));
    }

    #[test]
    fn rejects_interval_overflow() {
        let err = RetryPolicy::new()
            .initial_interval(Duration::MAX)
            .to_proto()
            .unwrap_err();
        assert!(matches!(
            err,
            InvalidRequest::DurationOutOfRange {
                field: "retry_policy.initial_interval",
                ..
            }
        ));
    }
}
