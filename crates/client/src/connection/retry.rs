//! `RetryPolicy`: when a failed attempt is tried again, and after how long.
//!
//! It implements [`tower::retry::Policy`], so it can drive `tower::retry::Retry` over
//! any typed gRPC service; the connection drives it with its own loop, which shares
//! the request message between attempts instead of cloning it.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use temporal_client_core::{Code, RpcRetryConfig, is_retryable_code};
use tokio::time::{Instant, Sleep};

/// What the policy decided after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Try again after this wait.
    RetryAfter(Duration),
    /// Give up: a retry cannot fix this error.
    Stop,
    /// Give up although the error is retryable: the attempts, the time budget or the
    /// call's deadline ran out.
    Exhausted,
}

impl Decision {
    fn wait(self) -> Option<Duration> {
        match self {
            Self::RetryAfter(wait) => Some(wait),
            Self::Stop | Self::Exhausted => None,
        }
    }
}

/// The retry state of one call: attempts made, when it started, its deadline.
#[derive(Debug, Clone)]
pub(crate) struct RetryPolicy<'a> {
    config: &'a RpcRetryConfig,
    started: Instant,
    deadline: Option<Instant>,
    retries: u32,
}

impl<'a> RetryPolicy<'a> {
    /// A policy for a call starting now, which must end by `deadline` if given.
    pub(crate) fn new(config: &'a RpcRetryConfig, deadline: Option<Instant>) -> Self {
        Self {
            config,
            started: Instant::now(),
            deadline,
            retries: 0,
        }
    }

    /// The wait before the next attempt after a failure with `code`, or `None` to give
    /// up (see [`decide`](Self::decide)).
    #[cfg(test)]
    pub(crate) fn next_backoff(&mut self, code: Code, message: &str) -> Option<Duration> {
        self.decide(code, message).wait()
    }

    /// What to do after a failure with `code`: wait and retry, stop because the code is
    /// not retryable (`DEADLINE_EXCEEDED`, `CANCELLED`, `INVALID_ARGUMENT`, `NOT_FOUND`,
    /// `ALREADY_EXISTS`, ...), or stop because the attempts are used up or the next
    /// attempt would start after the time budget or the call's deadline.
    pub(crate) fn decide(&mut self, code: Code, message: &str) -> Decision {
        if !is_retryable_code(code, message) {
            return Decision::Stop;
        }
        let attempts_made = self.retries.saturating_add(1);
        if self.config.max_attempts != 0 && attempts_made >= self.config.max_attempts {
            return Decision::Exhausted;
        }
        let base = self
            .config
            .backoff(self.retries, code == Code::ResourceExhausted);
        let delay = jittered(base, self.config.jitter, random_unit());
        let resume = Instant::now() + delay;
        if let Some(budget) = self.config.max_elapsed
            && resume.duration_since(self.started) > budget
        {
            return Decision::Exhausted;
        }
        if self.deadline.is_some_and(|deadline| resume >= deadline) {
            return Decision::Exhausted;
        }
        self.retries = attempts_made;
        Decision::RetryAfter(delay)
    }

    /// The number of retries granted so far.
    #[cfg(test)]
    pub(crate) fn retries(&self) -> u32 {
        self.retries
    }
}

impl<Req: Clone, Res> tower::retry::Policy<Req, Res, tonic::Status> for RetryPolicy<'_> {
    type Future = Sleep;

    fn retry(
        &mut self,
        _request: &mut Req,
        result: &mut Result<Res, tonic::Status>,
    ) -> Option<Self::Future> {
        let status = result.as_ref().err()?;
        if is_tls_failure(status) {
            // A certificate or handshake failure does not heal by retrying.
            return None;
        }
        let code = Code::from_i32(status.code() as i32);
        self.decide(code, status.message())
            .wait()
            .map(tokio::time::sleep)
    }

    fn clone_request(&mut self, request: &Req) -> Option<Req> {
        Some(request.clone())
    }
}

/// Whether the status comes from a TLS failure (a rustls error anywhere in its chain of
/// causes, also inside an I/O error): an unknown issuer, a name mismatch, a missing
/// client certificate, a protocol mismatch. Those are not retried.
pub(crate) fn is_tls_failure(status: &tonic::Status) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(status);
    while let Some(err) = cause {
        #[cfg(feature = "tls")]
        if err.is::<rustls::Error>() {
            return true;
        }
        // h2 keeps an I/O error of the connection inside its own error, without
        // reporting it as the source.
        let io = err
            .downcast_ref::<std::io::Error>()
            .or_else(|| err.downcast_ref::<h2::Error>().and_then(h2::Error::get_io));
        if let Some(io) = io
            && (holds_rustls_error(io) || is_rustls_text(io))
        {
            return true;
        }
        cause = err.source();
    }
    false
}

/// Whether an I/O error wraps a rustls error (a failed handshake of our TLS connector).
#[cfg(feature = "tls")]
fn holds_rustls_error(io: &std::io::Error) -> bool {
    io.get_ref()
        .is_some_and(|inner| inner.is::<rustls::Error>())
}

/// Without the `tls` feature the client makes no TLS handshakes of its own.
#[cfg(not(feature = "tls"))]
fn holds_rustls_error(_io: &std::io::Error) -> bool {
    false
}

/// Whether an I/O error is a rustls error that h2 copied as text (it keeps only the
/// kind and the message of an I/O error, e.g. a server's alert refusing a client
/// without a certificate: "received fatal alert: CertificateRequired").
fn is_rustls_text(io: &std::io::Error) -> bool {
    if io.kind() != std::io::ErrorKind::InvalidData {
        return false;
    }
    let text = io.to_string();
    [
        "received fatal alert",
        "invalid peer certificate",
        "peer is incompatible",
        "peer misbehaved",
        "peer sent no certificates",
    ]
    .iter()
    .any(|prefix| text.starts_with(prefix))
}

/// `base` scaled by `1 + jitter * unit`, with `unit` in `[-1, 1]`.
fn jittered(base: Duration, jitter: f64, unit: f64) -> Duration {
    let factor = (1.0 + jitter.clamp(0.0, 1.0) * unit.clamp(-1.0, 1.0)).max(0.0);
    if factor == 1.0 {
        return base;
    }
    Duration::try_from_secs_f64(base.as_secs_f64() * factor).unwrap_or(base)
}

/// A random number in `[-1, 1)`, from the standard library's randomly keyed hasher
/// (no random-number crate needed for jitter).
fn random_unit() -> f64 {
    let bits = RandomState::new().build_hasher().finish() >> 11;
    (bits as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use tower::retry::Policy as _;

    fn config() -> RpcRetryConfig {
        RpcRetryConfig {
            initial_interval: Duration::from_millis(10),
            resource_exhausted_initial_interval: Duration::from_millis(100),
            multiplier: 2.0,
            max_interval: Duration::from_millis(50),
            jitter: 0.0,
            max_attempts: 4,
            max_elapsed: None,
        }
    }

    #[tokio::test]
    async fn backoff_grows_caps_and_stops_after_max_attempts() {
        let cfg = config();
        let mut p = RetryPolicy::new(&cfg, None);
        let waits: Vec<_> = std::iter::from_fn(|| p.next_backoff(Code::Unavailable, "")).collect();
        assert_eq!(
            waits,
            [10, 20, 40].map(Duration::from_millis),
            "4 attempts = 3 retries"
        );
        assert_eq!(p.retries(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn running_out_is_exhausted_and_a_final_code_is_a_stop() {
        let cfg = config();
        let mut p = RetryPolicy::new(&cfg, None);
        assert_eq!(p.decide(Code::NotFound, ""), Decision::Stop);
        for _ in 0..3 {
            assert!(matches!(
                p.decide(Code::Unavailable, ""),
                Decision::RetryAfter(_)
            ));
        }
        assert_eq!(p.decide(Code::Unavailable, ""), Decision::Exhausted);
        assert_eq!(p.decide(Code::InvalidArgument, ""), Decision::Stop);

        let cfg = RpcRetryConfig {
            max_attempts: 0,
            max_elapsed: Some(Duration::from_millis(5)),
            ..config()
        };
        let mut p = RetryPolicy::new(&cfg, None);
        assert_eq!(p.decide(Code::Unavailable, ""), Decision::Exhausted);
        let cfg = RpcRetryConfig {
            max_attempts: 0,
            ..config()
        };
        let mut p = RetryPolicy::new(&cfg, Some(Instant::now() + Duration::from_millis(5)));
        assert_eq!(p.decide(Code::Aborted, ""), Decision::Exhausted);
    }

    #[tokio::test]
    async fn resource_exhausted_starts_from_its_own_interval() {
        let cfg = RpcRetryConfig::default();
        let mut p = RetryPolicy::new(&cfg, None);
        let wait = p
            .next_backoff(Code::ResourceExhausted, "rate limit")
            .unwrap_or_default();
        assert!(
            wait >= Duration::from_millis(800) && wait <= Duration::from_millis(1200),
            "{wait:?}"
        );
    }

    #[tokio::test]
    async fn non_retryable_codes_stop_at_once() {
        let cfg = config();
        for code in [
            Code::DeadlineExceeded,
            Code::Cancelled,
            Code::InvalidArgument,
            Code::NotFound,
            Code::AlreadyExists,
        ] {
            assert_eq!(
                RetryPolicy::new(&cfg, None).next_backoff(code, ""),
                None,
                "{code}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn time_budget_and_deadline_bound_the_retries() {
        let cfg = RpcRetryConfig {
            max_attempts: 0,
            max_elapsed: Some(Duration::from_millis(100)),
            ..config()
        };
        let mut p = RetryPolicy::new(&cfg, None);
        let mut total = Duration::ZERO;
        while let Some(wait) = p.next_backoff(Code::Unavailable, "") {
            tokio::time::advance(wait).await;
            total += wait;
        }
        assert!(total <= Duration::from_millis(100), "{total:?}");
        assert!(total >= Duration::from_millis(50), "{total:?}");

        let cfg = RpcRetryConfig {
            max_attempts: 0,
            ..config()
        };
        let deadline = Instant::now() + Duration::from_millis(15);
        let mut p = RetryPolicy::new(&cfg, Some(deadline));
        assert_eq!(
            p.next_backoff(Code::Unavailable, ""),
            Some(Duration::from_millis(10))
        );
        assert_eq!(
            p.next_backoff(Code::Unavailable, ""),
            None,
            "20 ms would pass the deadline"
        );
    }

    #[tokio::test]
    async fn tower_policy_retries_only_errors() {
        let cfg = config();
        let mut p = RetryPolicy::new(&cfg, None);
        let mut ok: Result<u8, tonic::Status> = Ok(1);
        assert!(p.retry(&mut (), &mut ok).is_none());
        let mut err: Result<u8, tonic::Status> = Err(tonic::Status::unavailable("down"));
        assert!(p.retry(&mut (), &mut err).is_some());
        let mut err: Result<u8, tonic::Status> = Err(tonic::Status::not_found("gone"));
        assert!(p.retry(&mut (), &mut err).is_none());
        let cloned = tower::retry::Policy::<u8, u8, tonic::Status>::clone_request(&mut p, &7);
        assert_eq!(cloned, Some(7));
    }

    #[test]
    fn a_tls_alert_copied_as_text_is_still_a_tls_failure() {
        let io = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "received fatal alert: CertificateRequired",
        );
        assert!(is_tls_failure(&tonic::Status::from_error(Box::new(io))));
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer");
        assert!(!is_tls_failure(&tonic::Status::from_error(Box::new(io))));
    }

    #[test]
    fn jitter_stays_within_its_band() {
        let base = Duration::from_millis(100);
        assert_eq!(jittered(base, 0.2, 1.0), Duration::from_millis(120));
        assert_eq!(jittered(base, 0.2, -1.0), Duration::from_millis(80));
        for _ in 0..1000 {
            let u = random_unit();
            assert!((-1.0..1.0).contains(&u), "{u}");
        }
        let distinct: std::collections::HashSet<u64> =
            (0..50).map(|_| random_unit().to_bits()).collect();
        assert!(distinct.len() > 40, "jitter must vary between calls");
    }
}
