//! The one call path every operation takes: interceptors, then the operation's
//! terminal (encode, build, send, map the error), all under the call's deadline.

use std::future::Future;
use std::time::Duration;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::interceptor::{BoxFuture, Dispatch, Next};

impl Client {
    /// Runs `input` through the client's interceptors, in order, and then through
    /// `terminal`, the operation itself. Without interceptors the terminal is called
    /// directly (no boxing).
    pub(crate) async fn intercept<'a, I, O, F, Fut>(
        &'a self,
        input: I,
        dispatch: Dispatch<I, O>,
        terminal: F,
    ) -> Result<O>
    where
        I: Send + 'a,
        O: Send + 'a,
        F: Fn(I) -> Fut + Send + Sync + 'a,
        Fut: Future<Output = Result<O>> + Send + 'a,
    {
        let chain = &self.inner().interceptors;
        if chain.is_empty() {
            return terminal(input).await;
        }
        let boxed = move |input: I| {
            let operation: BoxFuture<'_, Result<O>> = Box::pin(terminal(input));
            operation
        };
        Next::new(chain, dispatch, &boxed).run(input).await
    }
}

/// Runs one whole operation (all its RPCs, retries and polls) under the per-call
/// timeout, if one is set: when it passes, or when an RPC reports its deadline passed,
/// the operation fails with [`Error::Timeout`].
pub(crate) async fn bounded<T>(
    operation: &'static str,
    timeout: Option<Duration>,
    operation_future: impl Future<Output = Result<T>>,
) -> Result<T> {
    let Some(timeout) = timeout else {
        return operation_future.await;
    };
    match tokio::time::timeout(timeout, operation_future).await {
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
    }
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
        /// [`Error::Timeout`](crate::Error::Timeout). Unset, each RPC has the
        /// connection's RPC (or long-poll) timeout and the operation none.
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
