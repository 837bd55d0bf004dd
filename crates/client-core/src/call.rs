//! Per-call options and the request envelope every service method takes.

use std::time::Duration;

/// How a transport retries failed RPCs (gRPC-level retry, not workflow retry).
///
/// The defaults follow the other Temporal SDKs' backoff (100 ms initial, ×1.7, 5 s cap,
/// ±20 % jitter), but bound the retries by a 40 s time budget as well as an attempt
/// count, so a ~10 s namespace failover is survived.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcRetryConfig {
    /// Backoff before the first retry.
    pub initial_interval: Duration,
    /// Backoff before the first retry of a `RESOURCE_EXHAUSTED` error.
    pub resource_exhausted_initial_interval: Duration,
    /// Growth factor of the backoff between attempts.
    pub multiplier: f64,
    /// Upper bound of one backoff.
    pub max_interval: Duration,
    /// Relative jitter applied to each backoff, `0.2` meaning ±20 %.
    pub jitter: f64,
    /// Maximum number of attempts, counting the first; `0` means unbounded.
    pub max_attempts: u32,
    /// Total time after which no new attempt is started; `None` means unbounded.
    pub max_elapsed: Option<Duration>,
}

impl Default for RpcRetryConfig {
    fn default() -> Self {
        Self {
            initial_interval: Duration::from_millis(100),
            resource_exhausted_initial_interval: Duration::from_secs(1),
            multiplier: 1.7,
            max_interval: Duration::from_secs(5),
            jitter: 0.2,
            max_attempts: 0,
            max_elapsed: Some(Duration::from_secs(40)),
        }
    }
}

impl RpcRetryConfig {
    /// The backoff before retry number `retry` (0-based), without jitter.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use temporal_client_core::RpcRetryConfig;
    /// let cfg = RpcRetryConfig::default();
    /// assert_eq!(cfg.backoff(0, false), Duration::from_millis(100));
    /// assert_eq!(cfg.backoff(1, false), Duration::from_millis(170));
    /// assert_eq!(cfg.backoff(50, false), Duration::from_secs(5));
    /// ```
    pub fn backoff(&self, retry: u32, resource_exhausted: bool) -> Duration {
        let initial = if resource_exhausted {
            self.resource_exhausted_initial_interval
        } else {
            self.initial_interval
        };
        let factor = self.multiplier.max(1.0).powi(retry.min(64) as i32);
        let secs = (initial.as_secs_f64() * factor).min(self.max_interval.as_secs_f64());
        Duration::try_from_secs_f64(secs).unwrap_or(self.max_interval)
    }
}

/// Whether and how one call is retried by the transport.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum RetryOverride {
    /// Use the transport's configured retry.
    #[default]
    Default,
    /// Make exactly one attempt.
    Disabled,
    /// Use this configuration for this call.
    Custom(RpcRetryConfig),
}

/// Options for one RPC. The default is cheap: no allocation.
///
/// `Debug` prints the metadata names only: any value may be a credential.
#[derive(Clone, Default, PartialEq)]
pub struct CallOptions {
    /// Timeout of the call, including retries. `None` uses the transport's default
    /// (its long-poll timeout for long polls).
    pub timeout: Option<Duration>,
    /// Extra gRPC metadata (ASCII header name and value) for this call.
    pub metadata: Vec<(String, String)>,
    /// Retry behaviour of this call.
    pub retry: RetryOverride,
}

impl std::fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        struct Names<'a>(&'a [(String, String)]);
        impl std::fmt::Debug for Names<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_list()
                    .entries(self.0.iter().map(|(name, _)| (name.as_str(), "<redacted>")))
                    .finish()
            }
        }
        f.debug_struct("CallOptions")
            .field("timeout", &self.timeout)
            .field("metadata", &Names(&self.metadata))
            .field("retry", &self.retry)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_prints_metadata_names_but_no_values() {
        let mut options = CallOptions::default();
        options
            .metadata
            .push(("x-api-key".to_owned(), "s3cr3t-value".to_owned()));
        let text = format!("{options:?}");
        assert!(text.contains("x-api-key"), "{text}");
        assert!(!text.contains("s3cr3t-value"), "{text}");
        let request = ServiceRequest::new(()).with_options(options);
        assert!(!format!("{request:?}").contains("s3cr3t-value"));
    }
}

/// A request message plus the options of this one call.
///
/// Every [`WorkflowService`](crate::WorkflowService) method takes one. `From<T>` makes
/// a plain message into a request with default options.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceRequest<T> {
    /// The protobuf request message.
    pub message: T,
    /// Per-call options.
    pub options: CallOptions,
}

impl<T> ServiceRequest<T> {
    /// Wraps a message with default options.
    pub fn new(message: T) -> Self {
        Self {
            message,
            options: CallOptions::default(),
        }
    }

    /// Sets the call timeout.
    pub fn with_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// Adds one metadata entry.
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.metadata.push((key.into(), value.into()));
        self
    }

    /// Sets the retry behaviour.
    pub fn with_retry(mut self, retry: RetryOverride) -> Self {
        self.options.retry = retry;
        self
    }

    /// Replaces all options.
    pub fn with_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// The message, without the options.
    pub fn into_message(self) -> T {
        self.message
    }
}

impl<T> From<T> for ServiceRequest<T> {
    fn from(message: T) -> Self {
        Self::new(message)
    }
}
