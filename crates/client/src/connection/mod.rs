//! `Connection`: the gRPC transport to a Temporal server (tonic over one HTTP/2
//! connection for ordinary calls and one for long polls), implementing
//! `WorkflowService` and `OperatorService`.
//!
//! Every call carries `client-name: temporal-client-rs`, `client-version: <crate
//! version>`, `temporal-namespace` (from the request's `namespace` field), the API key
//! as `authorization: Bearer ...`, the options' metadata, the call's metadata and a
//! `grpc-timeout`. Failed attempts are retried by [`RpcRetryConfig`] rules: only codes
//! a retry can fix, within an attempt bound and a time budget, with jittered
//! exponential backoff. Every error says where it came from
//! ([`ErrorOrigin`](temporal_client_core::ErrorOrigin)) and how many attempts were made.

mod address;
mod call;
mod codec;
mod connector;
mod error;
mod failure;
mod h2_channel;
mod headers;
mod idempotency;
mod layer;
mod options;
mod retry;
#[cfg(feature = "metrics")]
mod rpc_metrics;
mod service_impl;
mod tls;
mod unary;

use std::fmt;
use std::sync::{Arc, OnceLock};

use temporal_client_core::proto::grpc::health::v1::health_check_response::ServingStatus;
use temporal_client_core::proto::grpc::health::v1::{HealthCheckRequest, HealthCheckResponse};
use temporal_client_core::proto::temporal::api::workflowservice::v1::get_system_info_response::Capabilities;
use temporal_client_core::proto::temporal::api::workflowservice::v1::{
    GetSystemInfoRequest, GetSystemInfoResponse,
};
use temporal_client_core::{
    CallOptions, Code, RetryOverride, RpcRetryConfig, ServiceError, ServiceRequest, WorkflowService,
};

use self::call::Transport;
use self::connector::{ServiceConnector, TcpConnector};
use self::h2_channel::{ChannelSettings, Connect, H2Channel};
use self::headers::StaticHeaders;
use self::layer::GrpcChannel;

pub use self::error::ConnectError;
pub use self::headers::{CLIENT_NAME, CLIENT_VERSION};
pub use self::options::{
    ConnectionOptions, DEFAULT_ADDRESS, DEFAULT_MAX_CONCURRENT_LONG_POLLS, KeepAlive,
    MIN_LONG_POLL_TIMEOUT,
};
pub use self::tls::TlsOptions;

/// The health-check service name of the Temporal frontend.
const WORKFLOW_SERVICE_NAME: &str = "temporal.api.workflowservice.v1.WorkflowService";

/// A connection to a Temporal server: one HTTP/2 connection for ordinary calls, and a
/// second one, opened at the first long poll, for long polls and server-held waits
/// (each reopened if it drops), shared by every clone.
///
/// Long polls have their own connection so that a server's concurrent-stream limit
/// never queues a start or a count behind thousands of pending `result()` waits; at
/// most [`ConnectionOptions::max_concurrent_long_polls`] of them are in flight, the
/// rest wait in line. Both connections carry the same TLS, headers and layers.
///
/// Cloning is cheap (one reference count); clones share the connection, the settings
/// and the cached system info. It implements
/// [`WorkflowService`](temporal_client_core::WorkflowService) and
/// [`OperatorService`](temporal_client_core::OperatorService) with every RPC.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use temporal_client::{Connection, ConnectionOptions};
/// use temporal_client_core::WorkflowService;
/// use temporal_client_core::proto::temporal::api::workflowservice::v1::DescribeNamespaceRequest;
///
/// let connection = Connection::connect(ConnectionOptions::new("localhost:7233")).await?;
/// let namespace = connection
///     .describe_namespace(DescribeNamespaceRequest { namespace: "default".into(), ..Default::default() }.into())
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Connection {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    address: String,
    /// The connection uses TLS, or the user chose plain text explicitly.
    api_key_allowed: bool,
    system_info: OnceLock<GetSystemInfoResponse>,
}

impl Connection {
    /// Connects now: opens the connection and calls `GetSystemInfo`, trying again on
    /// errors a retry can fix until the connect timeout (default 10 s) passes. The
    /// system info is kept (see [`system_info`](Self::system_info)).
    ///
    /// # Errors
    /// [`ConnectError::Unreachable`] (naming the address) when the server
    /// did not answer in time, [`ConnectError::Rejected`] when it answered with an error
    /// such as bad credentials, or an option error.
    pub async fn connect(options: ConnectionOptions) -> Result<Self, ConnectError> {
        let connect_timeout = options.connect_timeout;
        let connection = Self::build(&options)?;
        let retry = RpcRetryConfig {
            max_attempts: 0,
            max_elapsed: Some(connect_timeout),
            ..connection.transport().retry_config().clone()
        };
        let request = ServiceRequest::new(GetSystemInfoRequest {}).with_options(CallOptions {
            timeout: Some(connect_timeout),
            metadata: Vec::new(),
            retry: RetryOverride::Custom(retry),
        });
        match WorkflowService::get_system_info(&connection, request).await {
            Ok(info) => {
                let _ = connection.inner.system_info.set(info);
            }
            // A server (or proxy) without GetSystemInfo still serves the rest.
            Err(e) if e.code() == Code::Unimplemented => {}
            Err(e) if e.origin() == temporal_client_core::ErrorOrigin::Tls => {
                return Err(ConnectError::Tls {
                    address: options.address,
                    source: Box::new(e),
                });
            }
            Err(e) if e.is_retryable() || e.is_timeout() => {
                return Err(ConnectError::Unreachable {
                    address: options.address,
                    timeout: connect_timeout,
                    source: Box::new(e),
                });
            }
            Err(e) => {
                return Err(ConnectError::Rejected {
                    address: options.address,
                    source: Box::new(e),
                });
            }
        }
        Ok(connection)
    }

    /// A connection that connects on its first call; an unreachable server shows up as
    /// `UNAVAILABLE` errors of the calls.
    ///
    /// # Errors
    /// Only invalid options ([`ConnectError`]'s option variants), or a call outside a
    /// Tokio runtime.
    pub fn lazy(options: ConnectionOptions) -> Result<Self, ConnectError> {
        Self::build(&options)
    }

    /// A lazy connection whose transport comes from `connector` instead of a TCP socket
    /// (e.g. the testkit's in-memory duplex `TestServer`, or a Unix socket). The address
    /// in `options` is still used for the `:authority` and TLS server name.
    ///
    /// # Errors
    /// As [`lazy`](Self::lazy): invalid options only.
    ///
    /// The connector is cloned for the long-poll connection.
    pub fn lazy_with_connector<C>(
        options: ConnectionOptions,
        connector: C,
    ) -> Result<Self, ConnectError>
    where
        C: tower::Service<http::Uri> + Clone + Send + 'static,
        C::Response: hyper::rt::Read + hyper::rt::Write + Send + Unpin,
        C::Future: Send,
        C::Error: std::error::Error + Send + Sync + 'static,
    {
        let target = address::target(&options)?;
        let connector = Arc::new(ServiceConnector::new(connector, target.origin.clone()));
        Self::build_on(&options, target, connector)
    }

    fn build(options: &ConnectionOptions) -> Result<Self, ConnectError> {
        let target = address::target(options)?;
        let connector = Arc::new(TcpConnector::new(&target.authority));
        Self::build_on(options, target, connector)
    }

    /// Builds the connection over the byte streams of `connector` (with TLS on top when
    /// the options ask for it).
    fn build_on(
        options: &ConnectionOptions,
        target: address::Target,
        connector: Arc<dyn Connect>,
    ) -> Result<Self, ConnectError> {
        options.check()?;
        let api_key_allowed = address::api_key_allowed(options)?;
        let headers = StaticHeaders::new(
            options.api_key.as_deref(),
            &options.metadata,
            options.rpc_timeout,
            options.long_poll_timeout,
        )?;
        // The channel's worker task is spawned on the current runtime.
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(ConnectError::NoRuntime);
        }
        let connector: Arc<dyn Connect> = match &target.tls {
            Some(tls) => tls.connector(&options.address, &target.host, connector)?,
            None => connector,
        };
        let settings = ChannelSettings {
            connect_timeout: options.connect_timeout,
            keepalive: options.keepalive,
        };
        // Two connections, both opened lazily: unary calls on one, long polls (opened at
        // the first long poll) on the other, so calls never queue behind waits.
        let channel = |connector| {
            layer::wrap(
                GrpcChannel::Direct(H2Channel::lazy(connector, settings)),
                &options.layers,
            )
        };
        let transport = Transport::new(
            channel(Arc::clone(&connector)),
            channel(connector),
            target.origin,
            options.max_concurrent_long_polls,
            headers,
            options.retry.clone(),
            options.rpc_timeout,
            options.long_poll_timeout,
            options.max_decoding_message_size,
            options.max_encoding_message_size,
            options.gzip,
        );
        Ok(Self {
            inner: Arc::new(Inner {
                transport,
                address: options.address.clone(),
                api_key_allowed,
                system_info: OnceLock::new(),
            }),
        })
    }

    pub(crate) fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    /// Replaces the API key of this connection and every clone: the next attempt of
    /// any call (retries of calls in flight included) sends `authorization: Bearer
    /// <key>`, or no `authorization` header for `None`. For rotating short-lived keys
    /// without reconnecting.
    ///
    /// # Errors
    /// Validated as at connect time: [`ConnectError::InvalidApiKey`] or
    /// [`ConnectError::ApiKeyWithAuthorizationMetadata`], and then nothing changes.
    /// [`ConnectError::ApiKeyOverPlaintext`] when the connection does not use TLS and
    /// plain text was not chosen with [`ConnectionOptions::tls_disabled`]: a key is
    /// never sent unencrypted unless the user opted in (the connection keeps its TLS
    /// mode; only [`ConnectionOptions::api_key`] at connect time turns TLS on).
    pub fn set_api_key(&self, api_key: Option<String>) -> Result<(), ConnectError> {
        if api_key.is_some() && !self.inner.api_key_allowed {
            return Err(ConnectError::ApiKeyOverPlaintext {
                address: self.inner.address.clone(),
            });
        }
        self.transport()
            .replace_headers(|headers| headers.with_api_key(api_key.as_deref()))
    }

    /// Replaces the metadata sent on every call (what [`ConnectionOptions::metadata`]
    /// set) for this connection and every clone, from the next attempt of any call on.
    /// The API key and the client's own headers stay.
    ///
    /// # Errors
    /// Validated as at connect time: [`ConnectError::InvalidMetadata`] or
    /// [`ConnectError::ApiKeyWithAuthorizationMetadata`], and then nothing changes.
    pub fn set_metadata(&self, metadata: Vec<(String, String)>) -> Result<(), ConnectError> {
        self.transport()
            .replace_headers(|headers| headers.with_metadata(&metadata))
    }

    /// The server address as given in the options.
    pub fn address(&self) -> &str {
        &self.inner.address
    }

    /// The server's answer to `GetSystemInfo`, once fetched (by
    /// [`connect`](Self::connect) or [`load_system_info`](Self::load_system_info)).
    pub fn system_info(&self) -> Option<&GetSystemInfoResponse> {
        self.inner.system_info.get()
    }

    /// The server's capabilities, once the system info was fetched.
    pub fn capabilities(&self) -> Option<&Capabilities> {
        self.system_info()
            .and_then(|info| info.capabilities.as_ref())
    }

    /// The system info: the kept one, or fetched now (and kept) if there is none yet,
    /// e.g. on a lazy connection.
    ///
    /// # Errors
    /// The [`ServiceError`] of the `GetSystemInfo` call (after the connection's retries).
    pub async fn load_system_info(&self) -> Result<&GetSystemInfoResponse, ServiceError> {
        if let Some(info) = self.inner.system_info.get() {
            return Ok(info);
        }
        let info = WorkflowService::get_system_info(self, GetSystemInfoRequest {}.into()).await?;
        Ok(self.inner.system_info.get_or_init(|| info))
    }

    /// Asks the server's gRPC health service whether the workflow service is serving
    /// (`grpc.health.v1.Health/Check`). One attempt, within the RPC timeout.
    ///
    /// # Errors
    /// A [`ServiceError`]: `UNIMPLEMENTED` when the server has no health service,
    /// `UNAVAILABLE` or `DEADLINE_EXCEEDED` when it did not answer.
    pub async fn check_health(&self) -> Result<ServingStatus, ServiceError> {
        let request = ServiceRequest::new(HealthCheckRequest {
            service: WORKFLOW_SERVICE_NAME.to_owned(),
        })
        .with_retry(RetryOverride::Disabled);
        let response: HealthCheckResponse = self
            .transport()
            .unary(service_impl::HEALTH_CHECK_PATH, "HealthCheck", request)
            .await?;
        Ok(response.status())
    }
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("address", &self.inner.address)
            .field(
                "server_version",
                &self.system_info().map(|i| i.server_version.as_str()),
            )
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}

    #[test]
    fn connection_is_send_sync_and_clone() {
        assert_send_sync_clone::<Connection>();
    }

    #[tokio::test]
    async fn calls_skip_tonics_client_only_without_layers_and_gzip() {
        let direct = |options| Connection::lazy(options).unwrap().transport().is_direct();
        assert!(direct(ConnectionOptions::new("h:1")));
        assert!(direct(ConnectionOptions::new("https://h:1")));
        assert!(!direct(ConnectionOptions::new("h:1").gzip(true)));
        let layered = ConnectionOptions::new("h:1").layer(tower::layer::util::Identity::new());
        assert!(!direct(layered));
    }

    #[test]
    fn lazy_outside_a_runtime_is_an_error_not_a_panic() {
        let err = Connection::lazy(ConnectionOptions::new("localhost:1")).err();
        assert!(matches!(err, Some(ConnectError::NoRuntime)), "{err:?}");
    }

    #[tokio::test]
    async fn an_api_key_goes_over_plain_text_only_when_the_user_opted_in() {
        let plain = Connection::lazy(ConnectionOptions::new("h:1")).unwrap();
        let err = plain.set_api_key(Some("k".into())).unwrap_err();
        assert!(
            matches!(&err, ConnectError::ApiKeyOverPlaintext { address } if address == "h:1"),
            "{err}"
        );
        assert!(err.to_string().contains("tls_disabled"), "{err}");
        plain.set_api_key(None).unwrap();
        let http = Connection::lazy(ConnectionOptions::new("http://h:1")).unwrap();
        assert!(http.set_api_key(Some("k".into())).is_err());

        let opted_in = Connection::lazy(ConnectionOptions::new("h:1").tls_disabled()).unwrap();
        opted_in.set_api_key(Some("k".into())).unwrap();
        // A key at connect time turns TLS on, so a replaced key stays encrypted.
        #[cfg(feature = "tls")]
        {
            let tls = Connection::lazy(ConnectionOptions::new("h:1").api_key("k0")).unwrap();
            tls.set_api_key(Some("k1".into())).unwrap();
        }
    }

    #[tokio::test]
    async fn lazy_reports_option_errors_at_once() {
        let err = Connection::lazy(ConnectionOptions::new("grpc://x")).err();
        assert!(matches!(err, Some(ConnectError::InvalidAddress { .. })));
        let err = Connection::lazy(
            ConnectionOptions::new("h:1")
                .api_key("k")
                .metadata("authorization", "Bearer x"),
        )
        .err();
        assert!(matches!(
            err,
            Some(ConnectError::ApiKeyWithAuthorizationMetadata)
        ));
        let conn = Connection::lazy(ConnectionOptions::new("h:1"));
        assert_eq!(
            conn.map(|c| c.address().to_owned()).ok().as_deref(),
            Some("h:1")
        );
    }
}
