//! One unary RPC: headers, deadline, attempts and retries, and the translation of the
//! outcome. Every service method of the connection goes through [`Transport::unary`].

use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use bytes::Bytes;
use futures_util::FutureExt as _;
use futures_util::future::Either;
use http::uri::PathAndQuery;
use http::{HeaderName, HeaderValue};
use prost::Message;
use temporal_client_core::{
    Code, ErrorOrigin, RetryOverride, RpcRetryConfig, ServiceError, ServiceRequest,
};
use tokio::time::Instant;
use tonic::Extensions;
use tonic::client::Grpc;
use tonic::codec::CompressionEncoding;
use tonic::metadata::MetadataMap;
use tracing::Instrument as _;

use super::codec::BytesCodec;
use super::error::ConnectError;
use super::failure::{FailureKind, classify};
use super::h2_channel::H2Channel;
use super::headers::{StaticHeaders, grpc_timeout_value, namespace_value, parse_call_metadata};
use super::idempotency::is_idempotent;
use super::layer::GrpcChannel;
use super::retry::{Decision, RetryPolicy};
use super::unary::{FRAME_PREFIX, Route, frame};

/// How long an RPC may take, and what its deadline means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RpcKind {
    /// An ordinary call: the RPC timeout applies, and a passed deadline is an error.
    Normal,
    /// A long poll: the long-poll timeout applies, and a passed deadline means "nothing
    /// happened yet": the caller gets an empty response and polls again.
    LongPoll,
    /// A call the server holds while it waits (an update waiting for its stage): the
    /// long-poll timeout applies, but a passed deadline is an error.
    LongWait,
}

impl RpcKind {
    /// Whether an attempt that ended with `code` failed. A long poll whose deadline
    /// passed did not: "nothing yet" is its normal end, the caller gets the empty
    /// response, and neither the metrics nor the attempt's span count it as a failure
    /// (the official SDKs' metrics do the same).
    pub(crate) fn failed_with(self, code: Code) -> bool {
        !(self == RpcKind::LongPoll && code == Code::DeadlineExceeded)
    }
}

/// What the transport needs to know about a request message.
pub(crate) trait RpcRequest: Message + Send + Sync + 'static {
    /// The request's namespace (sent as `temporal-namespace`), or `""`.
    fn namespace(&self) -> &str;
    /// How long the RPC may take.
    fn kind(&self) -> RpcKind;
}

/// A call ready to send: what [`Transport::unary`] works out before the first attempt.
/// Not generic: the retry loop and the attempts are compiled once for every RPC.
struct Prepared {
    /// The request as one gRPC message frame (the prefix and the encoded message),
    /// shared by every attempt.
    frame: Bytes,
    retry: RetryOverride,
    kind: RpcKind,
    namespace: Option<HeaderValue>,
    call_metadata: Vec<(HeaderName, HeaderValue)>,
    deadline: Option<(Instant, Duration)>,
}

/// The shared state of a connection: the channels and everything precomputed for calls.
#[derive(Debug)]
pub(crate) struct Transport {
    /// Ordinary calls: one HTTP/2 connection.
    grpc: Grpc<GrpcChannel>,
    /// Long polls and server-held waits: their own HTTP/2 connection, so a full stream
    /// limit never queues an ordinary call behind them.
    long_poll_grpc: Grpc<GrpcChannel>,
    /// At most this many long polls in flight; the rest wait here (FIFO), holding no
    /// stream.
    long_polls: tokio::sync::Semaphore,
    /// The connection's retry configuration without attempt or time budget: what a
    /// long poll refused for load (`RESOURCE_EXHAUSTED`) retries with.
    load_retry: RpcRetryConfig,
    /// Read (briefly, without await) by every attempt; replaced by `set_api_key` and
    /// `set_metadata`.
    headers: RwLock<StaticHeaders>,
    retry: RpcRetryConfig,
    rpc_timeout: Duration,
    long_poll_timeout: Duration,
    /// The largest request sent; a larger one fails before any attempt.
    max_encoding_message_size: usize,
    /// Both channels bare (no user layer, no gzip): calls skip tonic's `Grpc` client
    /// and go straight over HTTP/2 ([`unary`](super::unary)).
    direct: Option<Direct>,
}

/// The bare channels of a connection without user layers or gzip.
#[derive(Debug)]
struct Direct {
    route: Route,
    channel: H2Channel,
    long_poll_channel: H2Channel,
}

impl Transport {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        channel: GrpcChannel,
        long_poll_channel: GrpcChannel,
        origin: http::Uri,
        max_long_polls: usize,
        headers: StaticHeaders,
        retry: RpcRetryConfig,
        rpc_timeout: Duration,
        long_poll_timeout: Duration,
        max_decoding_message_size: usize,
        max_encoding_message_size: usize,
        gzip: bool,
    ) -> Self {
        let grpc = |channel| {
            let grpc = Grpc::with_origin(channel, origin.clone())
                .max_decoding_message_size(max_decoding_message_size);
            if gzip {
                grpc.send_compressed(CompressionEncoding::Gzip)
                    .accept_compressed(CompressionEncoding::Gzip)
            } else {
                grpc
            }
        };
        let direct = match (&channel, &long_poll_channel) {
            (GrpcChannel::Direct(channel), GrpcChannel::Direct(long_poll_channel)) if !gzip => {
                Route::new(&origin, max_decoding_message_size).map(|route| Direct {
                    route,
                    channel: channel.clone(),
                    long_poll_channel: long_poll_channel.clone(),
                })
            }
            _ => None,
        };
        let max_long_polls = max_long_polls.clamp(1, tokio::sync::Semaphore::MAX_PERMITS);
        Self {
            direct,
            grpc: grpc(channel),
            long_poll_grpc: grpc(long_poll_channel),
            long_polls: tokio::sync::Semaphore::new(max_long_polls),
            load_retry: without_budget(&retry),
            headers: RwLock::new(headers),
            retry,
            rpc_timeout,
            long_poll_timeout,
            max_encoding_message_size,
        }
    }

    /// Replaces the static headers by `change(current)`; the next attempt of any call
    /// sends the new ones. On error nothing changes.
    pub(crate) fn replace_headers(
        &self,
        change: impl FnOnce(&StaticHeaders) -> Result<StaticHeaders, ConnectError>,
    ) -> Result<(), ConnectError> {
        let mut headers = self.headers.write().unwrap_or_else(PoisonError::into_inner);
        *headers = change(&headers)?;
        Ok(())
    }

    /// Whether attempts skip tonic's `Grpc` client (no user layer, no gzip).
    #[cfg(test)]
    pub(crate) fn is_direct(&self) -> bool {
        self.direct.is_some()
    }

    /// The connection-wide retry configuration.
    pub(crate) fn retry_config(&self) -> &RpcRetryConfig {
        &self.retry
    }

    /// Sends `request` to `path` (`/package.Service/Method`), retrying as configured.
    ///
    /// Not an `async fn`: the checks, the encoding and the header work run when it is
    /// called, so the returned future holds the encoded request only, not the message
    /// as well (an `async fn` keeps its arguments in its state; a start request is
    /// large, and every call's future is moved into a box). Only the final decode is
    /// generic; the retry loop is the same code for every RPC.
    pub(crate) fn unary<M, R>(
        &self,
        path: &'static str,
        rpc: &'static str,
        request: ServiceRequest<M>,
    ) -> impl Future<Output = Result<R, ServiceError>> + Send + '_
    where
        M: RpcRequest,
        R: Message + Default + Send + 'static,
    {
        let prepared = self.prepare(rpc, request);
        async move {
            let Delivered {
                message,
                attempts,
                report,
            } = self.send(path, rpc, prepared?).await?;
            let decoded = R::decode(message).map_err(|e| undecodable(rpc, &e, attempts));
            if let Some(report) = report {
                report.end(decoded.as_ref().err().map(ServiceError::code));
            }
            decoded
        }
    }

    /// The synchronous part of a call: the size and metadata checks, the namespace
    /// header, the deadline, the message shared between attempts.
    fn prepare<M: RpcRequest>(
        &self,
        rpc: &'static str,
        request: ServiceRequest<M>,
    ) -> Result<Prepared, ServiceError> {
        let ServiceRequest { message, options } = request;
        let size = message.encoded_len();
        if size > self.max_encoding_message_size {
            return Err(request_too_large(rpc, size, self.max_encoding_message_size));
        }
        let kind = message.kind();
        let namespace = namespace_value(message.namespace());
        let call_metadata = if options.metadata.is_empty() {
            Vec::new()
        } else {
            let static_size = self
                .headers
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .size();
            parse_call_metadata(rpc, &options.metadata, static_size)?
        };
        let deadline = options
            .timeout
            .and_then(|t| Some((Instant::now().checked_add(t)?, t)));
        let frame = frame(&message, size).map_err(|status| classify(rpc, status).0)?;
        Ok(Prepared {
            frame,
            retry: options.retry,
            kind,
            namespace,
            call_metadata,
            deadline,
        })
    }

    /// The attempts of a prepared call, with retries and backoff: the response message,
    /// still encoded.
    async fn send(
        &self,
        path: &'static str,
        rpc: &'static str,
        prepared: Prepared,
    ) -> Result<Delivered, ServiceError> {
        let Prepared {
            frame,
            retry,
            kind,
            namespace,
            call_metadata,
            deadline,
        } = prepared;
        let mut policy = match &retry {
            RetryOverride::Default => Some(RetryPolicy::new(&self.retry, deadline.map(|d| d.0))),
            RetryOverride::Disabled => None,
            RetryOverride::Custom(config) => Some(RetryPolicy::new(config, deadline.map(|d| d.0))),
        };
        let attempt = Attempt {
            path,
            rpc,
            namespace: namespace.as_ref(),
            call_metadata: &call_metadata,
            kind,
            deadline,
        };
        // A long poll refused for load retries without the budget: the wait lasts as
        // long as the caller's deadline (or forever without one).
        let custom_load;
        let mut load_policy = match (&retry, kind) {
            (_, RpcKind::Normal) | (RetryOverride::Disabled, _) => None,
            (RetryOverride::Default, _) => {
                Some(RetryPolicy::new(&self.load_retry, deadline.map(|d| d.0)))
            }
            (RetryOverride::Custom(config), _) => {
                custom_load = without_budget(config);
                Some(RetryPolicy::new(&custom_load, deadline.map(|d| d.0)))
            }
        };
        let mut attempts: u32 = 0;
        let mut waited: Option<Duration> = None;
        loop {
            attempts = attempts.saturating_add(1);
            // Long polls take a slot first; queued ones hold no stream and little
            // memory.
            let permit = if kind == RpcKind::Normal {
                None
            } else {
                self.long_polls.acquire().await.ok()
            };
            let report = AttemptReport {
                span: attempt_span(rpc, attempts, kind, waited),
                #[cfg(feature = "metrics")]
                rpc,
                kind,
                #[cfg(feature = "metrics")]
                namespace: namespace.clone(),
                #[cfg(feature = "metrics")]
                started: Instant::now(),
            };
            // Boxed for every call: the call's own future then holds only the retry
            // loop, which is what a queued long poll (or a backoff) keeps alive.
            let sending = Box::pin(self.attempt(&attempt, &frame));
            let outcome = if report.span.is_disabled() {
                sending.await
            } else {
                sending.instrument(report.span.clone()).await
            };
            drop(permit);
            let (error, failure) = match outcome {
                // Reported once the message is decoded.
                Ok(message) => {
                    return Ok(Delivered {
                        message,
                        attempts,
                        report: Some(report),
                    });
                }
                Err(failed) => failed,
            };
            report.end(Some(error.code()));
            // What happened decides first (a TLS failure or a local limit does not heal;
            // a lost connection may be repeated only by a call safe to repeat), then the
            // code; a long poll refused for load backs off without the unary budget.
            let may_retry = failure.may_retry(is_idempotent(rpc));
            let decision = match (&mut policy, &mut load_policy) {
                (Some(_), _) if !may_retry => Decision::Stop,
                (Some(_), Some(load)) if error.code() == Code::ResourceExhausted => {
                    load.decide(error.code(), error.message())
                }
                (Some(policy), _) => policy.decide(error.code(), error.message()),
                (None, _) => Decision::Stop,
            };
            let error = if failure == FailureKind::ConnectionLost && !is_idempotent(rpc) {
                outcome_unknown(error)
            } else {
                error
            };
            let error = error.with_attempts(attempts);
            match decision {
                Decision::RetryAfter(wait) => {
                    waited = Some(wait);
                    tokio::time::sleep(wait).await;
                }
                Decision::Stop => return finish(kind, error),
                Decision::Exhausted => return finish(kind, error.with_retries_exhausted(true)),
            }
        }
    }

    /// One attempt: the response message, still encoded.
    async fn attempt(
        &self,
        attempt: &Attempt<'_>,
        frame: &Bytes,
    ) -> Result<Bytes, (ServiceError, FailureKind)> {
        let now = Instant::now();
        let (headers, attempt_deadline) = {
            let headers = self.headers.read().unwrap_or_else(PoisonError::into_inner);
            let (attempt_deadline, timeout_header) = match attempt.deadline {
                Some((deadline, timeout)) => {
                    let remaining = deadline.saturating_duration_since(now);
                    if remaining.is_zero() {
                        return Err((deadline_passed(attempt.rpc, timeout), FailureKind::Local));
                    }
                    (Some((deadline, timeout)), grpc_timeout_value(remaining))
                }
                None => {
                    let (timeout, header) = match attempt.kind {
                        RpcKind::Normal => (self.rpc_timeout, headers.rpc_timeout()),
                        RpcKind::LongPoll | RpcKind::LongWait => {
                            (self.long_poll_timeout, headers.long_poll_timeout())
                        }
                    };
                    (
                        now.checked_add(timeout).map(|at| (at, timeout)),
                        header.clone(),
                    )
                }
            };
            let map = headers.build(attempt.namespace, attempt.call_metadata, timeout_header);
            (map, attempt_deadline)
        };
        let rpc = attempt.rpc;
        let kind = attempt.kind;
        let call = match &self.direct {
            Some(direct) => {
                let channel = match kind {
                    RpcKind::Normal => &direct.channel,
                    RpcKind::LongPoll | RpcKind::LongWait => &direct.long_poll_channel,
                };
                Either::Left(
                    direct
                        .route
                        .call(channel, attempt.path, headers, frame.clone())
                        .map(Ok),
                )
            }
            None => Either::Right(self.grpc_unary(
                kind,
                attempt.path,
                rpc,
                headers,
                frame.slice(FRAME_PREFIX..),
            )),
        };
        let call = call.map(move |outcome| {
            outcome?.map_err(|status| {
                // A user layer (or a server) may end the call at `grpc-timeout` and
                // report CANCELLED; past the deadline that is a timeout.
                if status.code() == tonic::Code::Cancelled
                    && attempt_deadline.is_some_and(|(at, _)| Instant::now() >= at)
                {
                    let timeout = attempt_deadline.map(|(_, t)| t).unwrap_or_default();
                    return (deadline_passed(rpc, timeout), FailureKind::Local);
                }
                classify(rpc, status)
            })
        });
        match attempt_deadline {
            Some((at, timeout)) => match tokio::time::timeout_at(at, call).await {
                Ok(outcome) => outcome,
                Err(_) => Err((deadline_passed(rpc, timeout), FailureKind::Local)),
            },
            None => call.await,
        }
    }

    /// One attempt through tonic's `Grpc` client (user layers or gzip in the way):
    /// `Err` when the channel cannot take the request, else tonic's outcome.
    async fn grpc_unary(
        &self,
        kind: RpcKind,
        path: &'static str,
        rpc: &'static str,
        headers: http::HeaderMap,
        message: Bytes,
    ) -> Result<Result<Bytes, tonic::Status>, (ServiceError, FailureKind)> {
        let request = tonic::Request::from_parts(
            MetadataMap::from_headers(headers),
            Extensions::new(),
            message,
        );
        let mut grpc = match kind {
            RpcKind::Normal => self.grpc.clone(),
            RpcKind::LongPoll | RpcKind::LongWait => self.long_poll_grpc.clone(),
        };
        grpc.ready().await.map_err(|e| {
            // Nothing was sent: the channel could not take the request.
            let error = ServiceError::new(
                rpc,
                Code::Unavailable,
                format!("the connection is not usable: {e}"),
            )
            .with_origin(ErrorOrigin::Transport);
            (error, FailureKind::NotDelivered)
        })?;
        Ok(grpc
            .unary(request, PathAndQuery::from_static(path), BytesCodec)
            .await
            .map(tonic::Response::into_inner))
    }
}

/// The span of one RPC attempt, `temporal.rpc` at level INFO, inside the operation's
/// span: `rpc` (the method name, e.g. `StartWorkflowExecution`), `attempt` (1 for the
/// first), `long_poll` (the call is a long poll or a server-held wait), `backoff_ms`
/// (the wait before this attempt, on retries), `grpc_code` (`OK` or the failure's code),
/// `otel.status_code` (`ERROR` when the attempt failed; a long poll whose deadline
/// passed did not). Never metadata, headers or message contents.
fn attempt_span(
    rpc: &'static str,
    attempt: u32,
    kind: RpcKind,
    waited: Option<Duration>,
) -> tracing::Span {
    let span = tracing::info_span!(
        "temporal.rpc",
        otel.kind = "client",
        rpc = rpc,
        attempt = attempt,
        long_poll = kind != RpcKind::Normal,
        backoff_ms = tracing::field::Empty,
        grpc_code = tracing::field::Empty,
        otel.status_code = tracing::field::Empty,
    );
    if let Some(waited) = waited
        && !span.is_disabled()
    {
        span.record(
            "backoff_ms",
            u64::try_from(waited.as_millis()).unwrap_or(u64::MAX),
        );
    }
    span
}

/// The outcome of a call whose attempt succeeded: the response message, still
/// encoded, the attempts it took, and the last attempt, to be reported once the
/// message is decoded. The default, an empty message, is what a long poll whose
/// deadline passed returns (it decodes as the empty response; its attempt was
/// reported as the deadline).
#[derive(Default)]
struct Delivered {
    message: Bytes,
    attempts: u32,
    report: Option<AttemptReport>,
}

/// One attempt's span and request metrics, reported once with its outcome. A
/// delivered response is reported after it is decoded, so one that does not decode
/// is the `INTERNAL` failure the caller gets in the span and the metrics too, as when
/// tonic's client decoded inside the attempt.
struct AttemptReport {
    span: tracing::Span,
    #[cfg(feature = "metrics")]
    rpc: &'static str,
    kind: RpcKind,
    #[cfg(feature = "metrics")]
    namespace: Option<HeaderValue>,
    #[cfg(feature = "metrics")]
    started: Instant,
}

impl AttemptReport {
    /// Records the outcome: `failure` is the gRPC code when the attempt failed.
    fn end(self, failure: Option<Code>) {
        #[cfg(feature = "metrics")]
        super::rpc_metrics::record_attempt(
            self.rpc,
            self.namespace
                .as_ref()
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default(),
            self.kind,
            self.started.elapsed(),
            failure,
        );
        if self.span.is_disabled() {
            return;
        }
        match failure {
            None => {
                self.span.record("grpc_code", "OK");
            }
            Some(code) => {
                self.span.record("grpc_code", tracing::field::display(code));
                if self.kind.failed_with(code) {
                    self.span.record("otel.status_code", "ERROR");
                }
            }
        }
    }
}

/// The per-call facts every attempt uses.
struct Attempt<'a> {
    path: &'static str,
    rpc: &'static str,
    namespace: Option<&'a HeaderValue>,
    call_metadata: &'a [(HeaderName, HeaderValue)],
    kind: RpcKind,
    /// The caller's deadline, and the timeout it came from.
    deadline: Option<(Instant, Duration)>,
}

/// `config` without its attempt bound and time budget (the backoff stays): for long
/// polls refused for load, which wait as long as the workflow runs (issue 11: a wait
/// lasts as long as the workflow; only the caller's deadline ends it).
fn without_budget(config: &RpcRetryConfig) -> RpcRetryConfig {
    RpcRetryConfig {
        max_attempts: 0,
        max_elapsed: None,
        ..config.clone()
    }
}

/// The error of a response that is not the RPC's response message: `INTERNAL`, as
/// tonic's decoder reported it inside the attempt (a code that is not retried).
fn undecodable(rpc: &'static str, error: &prost::DecodeError, attempts: u32) -> ServiceError {
    let status = tonic::Status::internal(format!(
        "the server's response could not be decoded: {error}"
    ));
    classify(rpc, status).0.with_attempts(attempts)
}

/// The error of an attempt whose deadline passed in the client.
fn deadline_passed(rpc: &'static str, timeout: Duration) -> ServiceError {
    ServiceError::new(
        rpc,
        Code::DeadlineExceeded,
        format!("no response within {timeout:?}"),
    )
    .with_origin(ErrorOrigin::ClientDeadline)
}

/// The error of a request above the connection's encode limit, before any attempt.
fn request_too_large(rpc: &'static str, size: usize, limit: usize) -> ServiceError {
    ServiceError::new(
        rpc,
        Code::ResourceExhausted,
        format!(
            "the request is {size} bytes and exceeds the limit of {limit} bytes \
             (ConnectionOptions::max_encoding_message_size); it was not sent"
        ),
    )
    .with_origin(ErrorOrigin::Local)
}

/// A lost connection under a call that is not safe to repeat: the server may or may
/// not have applied it, and the error says so.
fn outcome_unknown(error: ServiceError) -> ServiceError {
    let message = format!(
        "{}; the server may or may not have applied the request, and {} is not retried \
         after a lost connection because repeating it is not safe",
        error.message(),
        error.rpc()
    );
    ServiceError::new(error.rpc(), error.code(), message)
        .with_origin(error.origin())
        .with_source(error)
}

/// The outcome of a call whose last attempt failed, as the caller sees it: a long poll
/// whose deadline passed is an empty response, any other failure the error.
#[allow(clippy::result_large_err)]
fn finish<R: Default>(kind: RpcKind, error: ServiceError) -> Result<R, ServiceError> {
    if !kind.failed_with(error.code()) {
        Ok(R::default())
    } else {
        Err(error)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use temporal_client_core::proto::temporal::api::workflowservice::v1::StartWorkflowExecutionResponse;

    use super::*;

    #[test]
    fn a_response_that_does_not_decode_is_internal_and_not_retried() {
        // A length-delimited field whose length runs past the end.
        let error = StartWorkflowExecutionResponse::decode(&[0x0a, 0x05, 0x01][..]).unwrap_err();
        let service_error = undecodable("StartWorkflowExecution", &error, 2);
        assert_eq!(service_error.code(), Code::Internal);
        assert!(
            service_error
                .message()
                .contains("the server's response could not be decoded"),
            "{service_error}"
        );
        assert_eq!(service_error.attempts(), 2);
        assert!(!temporal_client_core::is_retryable_code(
            service_error.code(),
            service_error.message()
        ));
    }
}
