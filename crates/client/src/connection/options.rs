//! `ConnectionOptions`: where the server is and how to talk to it.

use std::fmt;
use std::time::Duration;

use temporal_client_core::RpcRetryConfig;
use tonic::body::Body;
use tower::{BoxError, Layer, Service};

use super::layer::{BoxedLayer, HttpService};
use super::tls::TlsOptions;

/// The address used when none is given: a local dev server.
pub const DEFAULT_ADDRESS: &str = "localhost:7233";

/// HTTP/2 keepalive pings on an otherwise quiet connection.
///
/// The defaults (30 s interval, 15 s timeout) match the other Temporal SDKs. A
/// connection whose ping is not answered within `timeout` is closed and reopened on the
/// next call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeepAlive {
    /// Time between pings.
    pub interval: Duration,
    /// How long to wait for the answer to a ping.
    pub timeout: Duration,
}

impl Default for KeepAlive {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(30),
            timeout: Duration::from_secs(15),
        }
    }
}

/// Whether the connection uses TLS.
#[derive(Clone, Default)]
pub(crate) enum TlsMode {
    /// Decided by the address (`https://`) and the API key (which turns TLS on).
    #[default]
    Auto,
    /// TLS with these settings.
    Enabled(TlsOptions),
    /// Plain text, even with an API key.
    Disabled,
}

/// Everything [`Connection::connect`](super::Connection::connect) needs: the server
/// address, TLS, credentials, headers, timeouts and the gRPC retry policy.
///
/// Built with setters from [`ConnectionOptions::new`]:
///
/// ```
/// use std::time::Duration;
/// use temporal_client::{ConnectionOptions, TlsOptions};
///
/// let options = ConnectionOptions::new("my-ns.a1b2c.tmprl.cloud:7233")
///     .api_key("secret-key")
///     .metadata("x-team", "billing")
///     .rpc_timeout(Duration::from_secs(5));
/// assert!(!format!("{options:?}").contains("secret-key"));
/// ```
///
/// | setting | default |
/// | --- | --- |
/// | address | `localhost:7233` |
/// | TLS | off, unless the address is `https://...` or an API key is set |
/// | connect timeout | 10 s |
/// | keepalive | ping every 30 s, 15 s to answer |
/// | RPC timeout | 10 s per attempt (long polls excluded) |
/// | long-poll timeout | 70 s per attempt |
/// | largest response | 128 MiB |
/// | largest request | 128 MiB |
/// | gzip | off |
/// | retry | [`RpcRetryConfig::default`] (40 s budget) |
/// | long polls in flight | [`DEFAULT_MAX_CONCURRENT_LONG_POLLS`] (1,000), on their own HTTP/2 connection |
#[derive(Clone)]
pub struct ConnectionOptions {
    pub(crate) address: String,
    pub(crate) tls: TlsMode,
    pub(crate) api_key: Option<String>,
    pub(crate) metadata: Vec<(String, String)>,
    pub(crate) connect_timeout: Duration,
    pub(crate) keepalive: Option<KeepAlive>,
    pub(crate) rpc_timeout: Duration,
    pub(crate) long_poll_timeout: Duration,
    pub(crate) max_decoding_message_size: usize,
    pub(crate) max_encoding_message_size: usize,
    pub(crate) gzip: bool,
    pub(crate) retry: RpcRetryConfig,
    pub(crate) max_concurrent_long_polls: usize,
    pub(crate) layers: Vec<BoxedLayer>,
}

impl Default for ConnectionOptions {
    fn default() -> Self {
        Self::new(DEFAULT_ADDRESS)
    }
}

impl ConnectionOptions {
    /// Options for the server at `address`: `host:port`, or a URL `http://host:port` /
    /// `https://host:port` (`https` turns TLS on). A bare host without a port gets the
    /// Temporal port 7233.
    pub fn new(address: impl Into<String>) -> Self {
        Self {
            address: address.into(),
            tls: TlsMode::Auto,
            api_key: None,
            metadata: Vec::new(),
            connect_timeout: Duration::from_secs(10),
            keepalive: Some(KeepAlive::default()),
            rpc_timeout: Duration::from_secs(10),
            long_poll_timeout: Duration::from_secs(70),
            max_decoding_message_size: 128 * 1024 * 1024,
            max_encoding_message_size: 128 * 1024 * 1024,
            gzip: false,
            retry: RpcRetryConfig::default(),
            max_concurrent_long_polls: DEFAULT_MAX_CONCURRENT_LONG_POLLS,
            layers: Vec::new(),
        }
    }

    /// Connects with TLS, with these settings (custom CA, server name, client
    /// certificate for mTLS). Use `TlsOptions::default()` for the public web roots.
    pub fn tls(mut self, tls: TlsOptions) -> Self {
        self.tls = TlsMode::Enabled(tls);
        self
    }

    /// Connects in plain text, even when an API key is set (e.g. behind a local proxy).
    pub fn tls_disabled(mut self) -> Self {
        self.tls = TlsMode::Disabled;
        self
    }

    /// Sends `authorization: Bearer <key>` on every call, and turns TLS on unless
    /// [`tls_disabled`](Self::tls_disabled) was called. The key never appears in
    /// `Debug` output. It cannot be combined with an `authorization` metadata entry.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Adds a gRPC metadata entry (an HTTP/2 header) sent on every call. The name is
    /// case-insensitive; name and value must be printable ASCII. Names starting with
    /// `grpc-` and binary (`-bin`) entries are refused when connecting.
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.push((key.into(), value.into()));
        self
    }

    /// How long [`Connection::connect`](super::Connection::connect) keeps trying to
    /// reach the server (default 10 s). Also bounds each TCP connect and TLS handshake.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// HTTP/2 keepalive; `None` turns pings off. Default: 30 s interval, 15 s timeout.
    pub fn keepalive(mut self, keepalive: Option<KeepAlive>) -> Self {
        self.keepalive = keepalive;
        self
    }

    /// Deadline of one attempt of an ordinary RPC when the call sets no timeout of its
    /// own (default 10 s). Retries get a fresh deadline each; the retry budget bounds the
    /// total. Long polls use [`long_poll_timeout`](Self::long_poll_timeout) instead.
    /// Zero is refused when the connection is built
    /// ([`ConnectError::InvalidOption`](super::ConnectError::InvalidOption)).
    pub fn rpc_timeout(mut self, timeout: Duration) -> Self {
        self.rpc_timeout = timeout;
        self
    }

    /// Deadline of one attempt of a long poll (default 70 s): `GetWorkflowExecutionHistory`
    /// with `wait_new_event`, `PollWorkflowExecutionUpdate` and the other `Poll*` RPCs,
    /// plus `UpdateWorkflowExecution` and `ExecuteMultiOperation`, which wait for the
    /// update. A long poll that reaches its deadline returns an empty response.
    ///
    /// At least [`MIN_LONG_POLL_TIMEOUT`] (1 s): a shorter deadline would turn every wait
    /// into a stream of RPCs, so building the connection refuses it
    /// ([`ConnectError::InvalidOption`](super::ConnectError::InvalidOption)). The server
    /// itself answers a long poll after about 20 s without news.
    pub fn long_poll_timeout(mut self, timeout: Duration) -> Self {
        self.long_poll_timeout = timeout;
        self
    }

    /// Largest response message accepted (default 128 MiB). A larger response fails
    /// at once, without a retry, with a `RESOURCE_EXHAUSTED` error of origin
    /// [`Local`](temporal_client_core::ErrorOrigin::Local) that names this limit.
    pub fn max_decoding_message_size(mut self, bytes: usize) -> Self {
        self.max_decoding_message_size = bytes;
        self
    }

    /// Largest request message sent (default 128 MiB, the Temporal server's own limit).
    /// A larger request is not sent at all: it fails at once with a
    /// `RESOURCE_EXHAUSTED` error of origin
    /// [`Local`](temporal_client_core::ErrorOrigin::Local) that names this limit.
    pub fn max_encoding_message_size(mut self, bytes: usize) -> Self {
        self.max_encoding_message_size = bytes;
        self
    }

    /// Compresses requests with gzip and accepts gzip responses (default off: most
    /// requests are small, and compressing them costs more than it saves).
    pub fn gzip(mut self, enabled: bool) -> Self {
        self.gzip = enabled;
        self
    }

    /// The retry policy of every call (default [`RpcRetryConfig::default`]); a call can
    /// override it with [`RetryOverride`](temporal_client_core::RetryOverride).
    pub fn retry(mut self, retry: RpcRetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// How many long polls (result waits, update polls, server-held update calls) may be
    /// in flight at once (default [`DEFAULT_MAX_CONCURRENT_LONG_POLLS`]); the others
    /// wait in line (first come, first served) without holding an HTTP/2 stream, and
    /// each poll queues again after its answer. Long polls travel on their own HTTP/2
    /// connection, so however many wait, ordinary calls never queue behind them.
    ///
    /// Zero is refused when the connection is built
    /// ([`ConnectError::InvalidOption`](super::ConnectError::InvalidOption)): no wait
    /// could ever run.
    pub fn max_concurrent_long_polls(mut self, limit: usize) -> Self {
        self.max_concurrent_long_polls = limit;
        self
    }

    /// Wraps the connection's HTTP/2 channels (ordinary calls and long polls) in a
    /// tower layer, e.g. for tracing,
    /// metrics, rate limiting or request signing (like kube's `ClientBuilder::with_layer`).
    ///
    /// The layer wraps an [`HttpService`](tower::util::BoxCloneSyncService) (one
    /// `http::Request<tonic::body::Body>` of a gRPC call in, its response out, errors
    /// boxed) and must return a service of the same request, response and error types
    /// that is `Clone + Send + Sync`. Every attempt passes through it, retries included:
    /// the retry loop is outside the layers, and the request it sees already carries
    /// all headers (`authorization`, `grpc-timeout`, metadata). An error the layer
    /// returns itself reaches the caller as an `UNKNOWN` error of origin
    /// [`Local`](temporal_client_core::ErrorOrigin::Local).
    ///
    /// Layers compose in the order added: the first is innermost (next to the channel),
    /// the last outermost (it sees each request first and each response last). Without
    /// any layer the channel is used directly, with no boxing.
    ///
    /// ```
    /// use temporal_client::ConnectionOptions;
    /// use tower::util::MapRequestLayer;
    ///
    /// let options = ConnectionOptions::new("localhost:7233").layer(MapRequestLayer::new(
    ///     |mut request: http::Request<tonic::body::Body>| {
    ///         request.headers_mut().insert("x-signed", http::HeaderValue::from_static("yes"));
    ///         request
    ///     },
    /// ));
    /// # drop(options);
    /// ```
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<HttpService> + Send + Sync + 'static,
        L::Service: Service<http::Request<Body>, Response = http::Response<Body>, Error = BoxError>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as Service<http::Request<Body>>>::Future: Send + 'static,
    {
        self.layers.push(BoxedLayer::new(layer));
        self
    }

    /// The server address as given.
    pub fn address(&self) -> &str {
        &self.address
    }
}

/// Whether a metadata entry name is `authorization`, whose value is a secret.
pub(crate) fn is_authorization(name: &str) -> bool {
    name.eq_ignore_ascii_case("authorization")
}

impl fmt::Debug for ConnectionOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        /// Metadata names only: a value may be a credential under any name
        /// (`x-api-key`, a tenant token, ...), so no value is printed.
        struct Metadata<'a>(&'a [(String, String)]);
        impl fmt::Debug for Metadata<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list()
                    .entries(self.0.iter().map(|(name, _)| (name.as_str(), "<redacted>")))
                    .finish()
            }
        }
        let tls: &dyn fmt::Debug = match &self.tls {
            TlsMode::Auto => &"auto",
            TlsMode::Enabled(tls) => tls,
            TlsMode::Disabled => &"disabled",
        };
        f.debug_struct("ConnectionOptions")
            .field("address", &self.address)
            .field("tls", tls)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("metadata", &Metadata(&self.metadata))
            .field("connect_timeout", &self.connect_timeout)
            .field("keepalive", &self.keepalive)
            .field("rpc_timeout", &self.rpc_timeout)
            .field("long_poll_timeout", &self.long_poll_timeout)
            .field("max_decoding_message_size", &self.max_decoding_message_size)
            .field("max_encoding_message_size", &self.max_encoding_message_size)
            .field("gzip", &self.gzip)
            .field("retry", &self.retry)
            .field("max_concurrent_long_polls", &self.max_concurrent_long_polls)
            .field("layers", &self.layers.len())
            .finish()
    }
}

/// The default of [`ConnectionOptions::max_concurrent_long_polls`]: 1,000 long polls in
/// flight. Well under the namespace's concurrent long-poll limit of a Temporal server
/// (past it, the server refuses polls with `RESOURCE_EXHAUSTED`), and enough that a
/// finished workflow's waiter rarely queues behind server-held polls (the server
/// answers an idle one after about 20 s).
pub const DEFAULT_MAX_CONCURRENT_LONG_POLLS: usize = 1_000;

/// The shortest [`ConnectionOptions::long_poll_timeout`] accepted: 1 s.
pub const MIN_LONG_POLL_TIMEOUT: Duration = Duration::from_secs(1);

impl ConnectionOptions {
    /// Refuses option values that would break the client's loops: a long-poll deadline
    /// under [`MIN_LONG_POLL_TIMEOUT`] (a wait would become a storm of RPCs), a zero RPC
    /// or connect timeout (every call would fail before it is sent).
    pub(crate) fn check(&self) -> Result<(), super::ConnectError> {
        let invalid =
            |option, reason: String| Err(super::ConnectError::InvalidOption { option, reason });
        if self.long_poll_timeout < MIN_LONG_POLL_TIMEOUT {
            return invalid(
                "long_poll_timeout",
                format!(
                    "{:?} is under the 1 s minimum: a long poll that short turns every wait \
                     into a stream of RPCs (the server answers long polls after ~20 s itself)",
                    self.long_poll_timeout
                ),
            );
        }
        if self.rpc_timeout.is_zero() {
            return invalid("rpc_timeout", "zero leaves no time for any RPC".to_owned());
        }
        if self.max_concurrent_long_polls == 0 {
            return invalid(
                "max_concurrent_long_polls",
                "zero lets no long poll run: every wait would hang".to_owned(),
            );
        }
        if self.connect_timeout.is_zero() {
            return invalid(
                "connect_timeout",
                "zero leaves no time to connect".to_owned(),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn options_that_would_break_a_loop_are_refused_by_name() {
        for (options, name) in [
            (
                ConnectionOptions::default().long_poll_timeout(Duration::ZERO),
                "long_poll_timeout",
            ),
            (
                ConnectionOptions::default().long_poll_timeout(Duration::from_millis(1)),
                "long_poll_timeout",
            ),
            (
                ConnectionOptions::default().rpc_timeout(Duration::ZERO),
                "rpc_timeout",
            ),
            (
                ConnectionOptions::default().max_concurrent_long_polls(0),
                "max_concurrent_long_polls",
            ),
        ] {
            let err = options.check().unwrap_err();
            assert!(
                matches!(err, crate::ConnectError::InvalidOption { option, .. } if option == name),
                "{err}"
            );
            assert!(err.to_string().contains(name), "{err}");
        }
        ConnectionOptions::default()
            .long_poll_timeout(MIN_LONG_POLL_TIMEOUT)
            .check()
            .unwrap();
    }

    #[test]
    fn defaults_match_the_documented_table() {
        let o = ConnectionOptions::default();
        assert_eq!(o.address(), "localhost:7233");
        assert_eq!(o.connect_timeout, Duration::from_secs(10));
        assert_eq!(o.keepalive, Some(KeepAlive::default()));
        assert_eq!(o.rpc_timeout, Duration::from_secs(10));
        assert_eq!(o.long_poll_timeout, Duration::from_secs(70));
        assert_eq!(o.max_decoding_message_size, 128 << 20);
        assert!(!o.gzip);
        assert!(matches!(o.tls, TlsMode::Auto));
        assert_eq!(o.retry, RpcRetryConfig::default());
        assert_eq!(o.max_concurrent_long_polls, 1_000);
    }

    #[test]
    fn debug_hides_the_api_key_and_every_metadata_value() {
        let o = ConnectionOptions::new("h:1")
            .api_key("s3cr3t-key")
            .metadata("Authorization", "Bearer other-s3cr3t")
            .metadata("x-api-key", "third-s3cr3t")
            .metadata("x-team", "billing");
        let text = format!("{o:?}");
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(!text.contains("billing"), "{text}");
        assert!(
            text.contains("x-api-key") && text.contains("x-team"),
            "{text}"
        );
        assert!(text.contains("<redacted>"), "{text}");
    }
}
