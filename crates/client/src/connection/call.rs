//! One unary RPC: headers, deadline, attempts and retries, and the translation of the
//! outcome. Every service method of the connection goes through [`Transport::unary`].

use std::sync::Arc;
use std::time::Duration;

use http::uri::PathAndQuery;
use http::{HeaderName, HeaderValue};
use prost::Message;
use temporal_client_core::{RetryOverride, RpcRetryConfig, ServiceError, ServiceRequest};
use tokio::time::Instant;
use tonic::client::Grpc;
use tonic::codec::CompressionEncoding;
use tonic::metadata::MetadataMap;
use tonic::transport::Channel;
use tonic::{Extensions, Status};
use tower::retry::Policy as _;

use super::codec::SharedCodec;
use super::error::status_to_error;
use super::headers::{StaticHeaders, grpc_timeout_value, namespace_value, parse_call_metadata};
use super::retry::RetryPolicy;

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

/// What the transport needs to know about a request message.
pub(crate) trait RpcRequest: Message + Send + Sync + 'static {
    /// The request's namespace (sent as `temporal-namespace`), or `""`.
    fn namespace(&self) -> &str;
    /// How long the RPC may take.
    fn kind(&self) -> RpcKind;
}

/// The shared state of a connection: the channel and everything precomputed for calls.
#[derive(Debug)]
pub(crate) struct Transport {
    grpc: Grpc<Channel>,
    headers: StaticHeaders,
    retry: RpcRetryConfig,
    rpc_timeout: Duration,
    long_poll_timeout: Duration,
}

impl Transport {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        channel: Channel,
        headers: StaticHeaders,
        retry: RpcRetryConfig,
        rpc_timeout: Duration,
        long_poll_timeout: Duration,
        max_decoding_message_size: usize,
        gzip: bool,
    ) -> Self {
        let mut grpc = Grpc::new(channel).max_decoding_message_size(max_decoding_message_size);
        if gzip {
            grpc = grpc
                .send_compressed(CompressionEncoding::Gzip)
                .accept_compressed(CompressionEncoding::Gzip);
        }
        Self {
            grpc,
            headers,
            retry,
            rpc_timeout,
            long_poll_timeout,
        }
    }

    /// The connection-wide retry configuration.
    pub(crate) fn retry_config(&self) -> &RpcRetryConfig {
        &self.retry
    }

    /// Sends `request` to `path` (`/package.Service/Method`), retrying as configured.
    pub(crate) async fn unary<M, R>(
        &self,
        path: &'static str,
        rpc: &'static str,
        request: ServiceRequest<M>,
    ) -> Result<R, ServiceError>
    where
        M: RpcRequest,
        R: Message + Default + Send + 'static,
    {
        let ServiceRequest { message, options } = request;
        let kind = message.kind();
        let namespace = namespace_value(message.namespace());
        let call_metadata = if options.metadata.is_empty() {
            Vec::new()
        } else {
            parse_call_metadata(rpc, &options.metadata)?
        };
        let deadline = options.timeout.and_then(|t| Instant::now().checked_add(t));
        let mut message = Arc::new(message);
        let mut policy = match &options.retry {
            RetryOverride::Default => Some(RetryPolicy::new(&self.retry, deadline)),
            RetryOverride::Disabled => None,
            RetryOverride::Custom(config) => Some(RetryPolicy::new(config, deadline)),
        };
        let attempt = Attempt {
            path,
            namespace: namespace.as_ref(),
            call_metadata: &call_metadata,
            kind,
            deadline,
        };
        loop {
            let mut result = self.attempt::<M, R>(&attempt, &message).await;
            let wait = match (&mut policy, &result) {
                (Some(policy), Err(_)) => policy.retry(&mut message, &mut result),
                _ => None,
            };
            match wait {
                Some(sleep) => sleep.await,
                None => return finish(rpc, kind, result),
            }
        }
    }

    async fn attempt<M, R>(&self, attempt: &Attempt<'_>, message: &Arc<M>) -> Result<R, Status>
    where
        M: RpcRequest,
        R: Message + Default + Send + 'static,
    {
        let now = Instant::now();
        let (attempt_deadline, timeout_header) = match attempt.deadline {
            Some(deadline) => {
                let remaining = deadline.saturating_duration_since(now);
                if remaining.is_zero() {
                    return Err(deadline_passed());
                }
                (Some(deadline), grpc_timeout_value(remaining))
            }
            None => {
                let (timeout, header) = match attempt.kind {
                    RpcKind::Normal => (self.rpc_timeout, self.headers.rpc_timeout()),
                    RpcKind::LongPoll | RpcKind::LongWait => {
                        (self.long_poll_timeout, self.headers.long_poll_timeout())
                    }
                };
                (now.checked_add(timeout), header.clone())
            }
        };
        let headers = self
            .headers
            .build(attempt.namespace, attempt.call_metadata, timeout_header);
        let request = tonic::Request::from_parts(
            MetadataMap::from_headers(headers),
            Extensions::new(),
            Arc::clone(message),
        );
        let mut grpc = self.grpc.clone();
        let path = attempt.path;
        let call = async move {
            grpc.ready()
                .await
                .map_err(|e| Status::unavailable(format!("the connection is not usable: {e}")))?;
            grpc.unary(
                request,
                PathAndQuery::from_static(path),
                SharedCodec::<M, R>::default(),
            )
            .await
        };
        let outcome = match attempt_deadline {
            Some(at) => match tokio::time::timeout_at(at, call).await {
                Ok(outcome) => outcome,
                Err(_) => return Err(deadline_passed()),
            },
            None => call.await,
        };
        match outcome {
            Ok(response) => Ok(response.into_inner()),
            // The channel enforces `grpc-timeout` too, reporting CANCELLED when it fires.
            Err(status)
                if status.code() == tonic::Code::Cancelled
                    && attempt_deadline.is_some_and(|at| Instant::now() >= at) =>
            {
                Err(deadline_passed())
            }
            Err(status) => Err(status),
        }
    }
}

/// The per-call facts every attempt uses.
struct Attempt<'a> {
    path: &'static str,
    namespace: Option<&'a HeaderValue>,
    call_metadata: &'a [(HeaderName, HeaderValue)],
    kind: RpcKind,
    deadline: Option<Instant>,
}

fn deadline_passed() -> Status {
    Status::deadline_exceeded("the call did not complete before its deadline")
}

/// The result of the last attempt, as the caller sees it: a long poll whose deadline
/// passed is an empty response, any other failure a `ServiceError`.
#[allow(clippy::result_large_err)]
fn finish<R: Default>(
    rpc: &'static str,
    kind: RpcKind,
    result: Result<R, Status>,
) -> Result<R, ServiceError> {
    match result {
        Ok(response) => Ok(response),
        Err(status)
            if kind == RpcKind::LongPoll && status.code() == tonic::Code::DeadlineExceeded =>
        {
            Ok(R::default())
        }
        Err(status) => Err(status_to_error(rpc, status)),
    }
}
