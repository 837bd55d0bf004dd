//! The one call path every operation takes: interceptors, then the operation's
//! terminal (encode, build, send, map the error), all under the call's deadline.

use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use futures_util::FutureExt as _;
use futures_util::future::Either;
use temporal_client_core::CallOptions;
use tokio::time::Instant;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::interceptor::{BoxFuture, Dispatch, Next, OperationInput};

impl Client {
    /// Runs `input` through the client's interceptors, in order, and then through
    /// `terminal`, the operation itself. Without interceptors the terminal is called
    /// directly (no boxing).
    ///
    /// A timeout an interceptor put in the call options is the operation's timeout as
    /// much as one set with `.timeout(..)`: when the RPC reports that deadline passed,
    /// the operation fails with [`Error::Timeout`] naming it, not with the RPC's
    /// `DEADLINE_EXCEEDED`.
    ///
    /// A combinator, not an `async fn`: an `async fn` would keep `input` in its state
    /// next to the terminal's future, which holds it again (a start's input is the
    /// workflow options, about half a kilobyte), and the operation futures around it
    /// are moved whole when boxed.
    pub(crate) fn intercept<'a, I, O, F, Fut>(
        &'a self,
        input: I,
        dispatch: Dispatch<I, O>,
        terminal: F,
    ) -> impl Future<Output = Result<O>> + 'a
    where
        I: OperationInput + Send + 'a,
        O: Send + 'a,
        F: Fn(I) -> Fut + Send + Sync + 'a,
        Fut: Future<Output = Result<O>> + Send + 'a,
    {
        let chain = &self.inner().interceptors;
        if chain.is_empty() {
            return Either::Left(terminal(input));
        }
        Either::Right(async move {
            let boxed = move |input: I| {
                let timeout = input.call_options().timeout;
                let rpc = terminal(input);
                let operation: BoxFuture<'_, Result<O>> =
                    Box::pin(async move { deadline_passed(I::OPERATION, timeout, rpc.await) });
                operation
            };
            Next::new(chain, dispatch, &boxed).run(input).await
        })
    }
}

/// The shortest time between the starts of two polls of one wait when the first came
/// back empty: 200 ms (see [`OperationDeadline::space_polls`]).
pub(crate) const MIN_POLL_SPACING: Duration = Duration::from_millis(200);

/// The deadline of one operation that makes several RPCs (a result wait, update polls,
/// paging): set by the builder's `.timeout(..)` when the operation starts, or by the
/// first RPC whose call options carry a timeout (one an interceptor set); a later,
/// shorter timeout moves it earlier, never later.
///
/// Each RPC of the operation passes its call options through [`apply`](Self::apply),
/// which gives the RPC only the time left, so no loop outlives the deadline however
/// often an interceptor sets a fresh timeout (the semantics of the other SDKs, e.g.
/// TypeScript's `WorkflowHandle.result()` under one gRPC deadline).
#[derive(Debug)]
pub(crate) struct OperationDeadline {
    operation: &'static str,
    /// When it passes, and the timeout it came from (for the error).
    at: Mutex<Option<(Instant, Duration)>>,
}

impl OperationDeadline {
    /// The deadline of `operation` (e.g. `"get workflow result"`) starting now, `timeout`
    /// from now (none when `None`, until an RPC brings one).
    pub(crate) fn new(operation: &'static str, timeout: Option<Duration>) -> Self {
        let at = timeout.and_then(|t| Some((Instant::now().checked_add(t)?, t)));
        Self {
            operation,
            at: Mutex::new(at),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(Instant, Duration)>> {
        self.at.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The call options for the next RPC, with the time left as their timeout (none
    /// when the operation has no deadline), for interceptors to see.
    pub(crate) fn call(&self, template: &CallOptions) -> CallOptions {
        let mut call = template.clone();
        call.timeout = self.remaining();
        call
    }

    fn remaining(&self) -> Option<Duration> {
        let at = *self.lock();
        at.map(|(at, _)| at.saturating_duration_since(Instant::now()))
    }

    /// Fits one RPC's call options (after the interceptors) into the deadline: a
    /// timeout they carry starts the deadline or moves it earlier, and the RPC gets
    /// the time left.
    ///
    /// # Errors
    /// [`Error::Timeout`] when the deadline has passed: no RPC is sent.
    pub(crate) fn apply(&self, call: &mut CallOptions) -> Result<()> {
        let now = Instant::now();
        let mut at = self.lock();
        if let Some(timeout) = call.timeout
            && let Some(candidate) = now.checked_add(timeout)
        {
            // The loops pass the time left, which ends at the same instant: only a
            // timeout that ends clearly earlier replaces the deadline (and its
            // duration, for the error).
            let earlier = match *at {
                None => true,
                Some((current, _)) => candidate + Duration::from_millis(1) < current,
            };
            if earlier {
                *at = Some((candidate, timeout));
            }
        }
        if let Some((deadline, timeout)) = *at {
            let left = deadline.saturating_duration_since(now);
            if left.is_zero() {
                return Err(Error::Timeout {
                    operation: self.operation,
                    timeout,
                    source: None,
                });
            }
            call.timeout = Some(left);
        }
        Ok(())
    }

    /// Spaces out the polls of a wait: after a long poll sent at `sent` came back
    /// empty, waits until [`MIN_POLL_SPACING`] after `sent` (or the deadline, if
    /// sooner) before the next one. A server answers at once, empty, a long poll
    /// whose deadline is too short for it to wait (the Temporal server keeps a tail
    /// room), so without this the last second of a deadline would be a storm of polls;
    /// polls that the server held are not delayed.
    pub(crate) async fn space_polls(&self, sent: Instant) {
        let mut resume = sent + MIN_POLL_SPACING;
        let at = *self.lock();
        if let Some((deadline, _)) = at {
            resume = resume.min(deadline);
        }
        tokio::time::sleep_until(resume).await;
    }

    /// Runs `operation_future` (all the RPCs of the operation) under the deadline: when
    /// it passes, or when an RPC reports a passed deadline while one is set, the
    /// operation fails with [`Error::Timeout`]. (A combinator, so the operation's
    /// future is stored once; see `spans::traced_with`.)
    ///
    /// # Errors
    /// The operation's error, or [`Error::Timeout`].
    pub(crate) fn run<'s, T: 's>(
        &'s self,
        operation_future: impl Future<Output = Result<T>> + 's,
    ) -> impl Future<Output = Result<T>> + 's {
        let start = *self.lock();
        let bounded = match start {
            // Passed before anything was sent (a zero timeout), whatever the back end.
            Some((_, timeout)) if timeout.is_zero() => {
                Either::Right(Either::Right(std::future::ready(Err(Error::Timeout {
                    operation: self.operation,
                    timeout,
                    source: None,
                }))))
            }
            Some((at, timeout)) => Either::Left(tokio::time::timeout_at(at, operation_future).map(
                move |outcome| {
                    outcome.unwrap_or_else(|_| {
                        Err(Error::Timeout {
                            operation: self.operation,
                            timeout,
                            source: None,
                        })
                    })
                },
            )),
            None => Either::Right(Either::Left(operation_future)),
        };
        bounded.map(move |outcome| self.finish(outcome))
    }

    /// An RPC's outcome as the operation reports it: a passed RPC deadline while the
    /// operation has a deadline is the operation's [`Error::Timeout`].
    ///
    /// # Errors
    /// `outcome`'s error, or [`Error::Timeout`] in its place.
    pub(crate) fn finish<T>(&self, outcome: Result<T>) -> Result<T> {
        let at = *self.lock();
        match (outcome, at) {
            (Err(Error::Service(source)), Some((_, timeout))) if source.is_timeout() => {
                Err(Error::Timeout {
                    operation: self.operation,
                    timeout,
                    source: Some(source),
                })
            }
            // One RPC's timeout (an interceptor's) is the whole operation's.
            (Err(Error::Timeout { source, .. }), Some((_, timeout))) => Err(Error::Timeout {
                operation: self.operation,
                timeout,
                source,
            }),
            (outcome, _) => outcome,
        }
    }
}

/// An RPC's outcome when it was sent with `timeout` (after the interceptors): a passed
/// deadline is [`Error::Timeout`] of `operation`; without a timeout, or for any other
/// outcome, `outcome` as it is.
fn deadline_passed<T>(
    operation: &'static str,
    timeout: Option<Duration>,
    outcome: Result<T>,
) -> Result<T> {
    match (outcome, timeout) {
        (Err(Error::Service(source)), Some(timeout)) if source.is_timeout() => {
            Err(Error::Timeout {
                operation,
                timeout,
                source: Some(source),
            })
        }
        (outcome, _) => outcome,
    }
}

/// Runs one whole operation (all its RPCs, retries and polls) under the per-call
/// timeout, if one is set: when it passes, or when an RPC reports its deadline passed,
/// the operation fails with [`Error::Timeout`]. (A combinator, so the operation's
/// future is stored once; see `spans::traced_with`.)
pub(crate) fn bounded<T>(
    operation: &'static str,
    timeout: Option<Duration>,
    operation_future: impl Future<Output = Result<T>>,
) -> impl Future<Output = Result<T>> {
    let Some(timeout) = timeout else {
        return Either::Left(Either::Left(operation_future));
    };
    if timeout.is_zero() {
        // Passed before anything was sent, whatever the back end: an in-process
        // service would otherwise answer within the first poll, before the timer.
        return Either::Left(Either::Right(std::future::ready(Err(Error::Timeout {
            operation,
            timeout,
            source: None,
        }))));
    }
    Either::Right(tokio::time::timeout(timeout, operation_future).map(
        move |outcome| match outcome {
            Ok(Err(Error::Service(source))) if source.is_timeout() => Err(Error::Timeout {
                operation,
                timeout,
                source: Some(source),
            }),
            Ok(outcome) => outcome,
            Err(_) => Err(Error::Timeout {
                operation,
                timeout,
                source: None,
            }),
        },
    ))
}

/// Generates the per-call option setters of an operation builder whose per-call
/// options are at `self.<path>` (a `CallOptions`; `call` by default).
macro_rules! call_option_setters {
    () => {
        $crate::call::call_option_setters!(call);
    };
    ($($path:ident).+) => {
        /// Sets the timeout of the whole operation (every RPC, retry and poll it makes).
        /// When it passes the operation fails with
        /// [`Error::Timeout`](crate::Error::Timeout); a zero timeout fails so at once,
        /// before anything is sent. Unset, each RPC has the connection's RPC (or
        /// long-poll) timeout and the operation none.
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.$($path).+.timeout = Some(timeout);
            self
        }

        /// Adds one gRPC metadata entry (ASCII name and value) to this operation's RPCs.
        pub fn metadata(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
            self.$($path).+.metadata.push((name.into(), value.into()));
            self
        }

        /// Sets how the transport retries this operation's RPCs (default: the
        /// connection's retry policy).
        pub fn retry(mut self, retry: temporal_client_core::RetryOverride) -> Self {
            self.$($path).+.retry = retry;
            self
        }

        /// Replaces all per-call options at once.
        pub fn call_options(mut self, options: temporal_client_core::CallOptions) -> Self {
            self.$($path).+ = options;
            self
        }
    };
}

pub(crate) use call_option_setters;

/// Implements `IntoFuture` for an operation builder by boxing its `run` future.
macro_rules! into_future {
    (impl[$($gen:tt)*] $ty:ty => $out:ty, where [$($bounds:tt)*]) => {
        impl<$($gen)*> std::future::IntoFuture for $ty
        where
            $($bounds)*
        {
            type Output = $crate::Result<$out>;
            type IntoFuture = $crate::interceptor::BoxFuture<'a, $crate::Result<$out>>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.run())
            }
        }
    };
}

pub(crate) use into_future;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use temporal_client_core::{Code, ServiceError};

    use super::*;

    fn deadline_exceeded() -> Result<()> {
        Err(Error::Service(ServiceError::new(
            "QueryWorkflow",
            Code::DeadlineExceeded,
            "context deadline exceeded",
        )))
    }

    #[test]
    fn a_passed_rpc_deadline_is_the_operations_timeout_only_when_one_was_set() {
        let second = Some(Duration::from_secs(1));
        let outcome = deadline_passed("query workflow", second, deadline_exceeded());
        assert!(
            matches!(
                &outcome,
                Err(Error::Timeout { operation: "query workflow", timeout, source: Some(_) })
                    if *timeout == Duration::from_secs(1)
            ),
            "{outcome:?}"
        );
        let outcome = deadline_passed("query workflow", None, deadline_exceeded());
        assert!(matches!(outcome, Err(Error::Service(_))), "{outcome:?}");
        let outcome = deadline_passed("query workflow", second, Ok(()));
        assert!(outcome.is_ok());
    }

    #[tokio::test]
    async fn an_rpcs_timeout_inside_a_wait_is_named_after_the_wait() {
        let deadline = OperationDeadline::new("get workflow result", None);
        let mut call = CallOptions {
            timeout: Some(Duration::from_secs(2)),
            ..CallOptions::default()
        };
        deadline.apply(&mut call).unwrap();
        let inner = deadline_passed("fetch history", call.timeout, deadline_exceeded());
        let outcome = deadline.finish(inner);
        assert!(
            matches!(
                &outcome,
                Err(Error::Timeout { operation: "get workflow result", timeout, .. })
                    if *timeout == Duration::from_secs(2)
            ),
            "{outcome:?}"
        );
    }
}
