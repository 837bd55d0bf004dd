//! [`TestServer`]: serves any [`WorkflowService`] (and optionally an
//! [`OperatorService`]) over real gRPC, on `127.0.0.1` or in memory, with fault
//! injection and optional (mutual) TLS.
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use temporal_client_core::WorkflowService;
//! # use temporal_testkit::grpc::TestServer;
//! # async fn demo(service: Arc<dyn WorkflowService>) -> Result<(), Box<dyn std::error::Error>> {
//! let server = TestServer::start(service).await?;
//! let url = server.url(); // Some("http://127.0.0.1:PORT")
//! server.faults().fail_next("StartWorkflowExecution", 1, temporal_client_core::Code::Unavailable, "try again");
//! # let _ = url; Ok(()) }
//! ```

mod adapter;
mod faults;
mod http_faults;
#[cfg(feature = "tls")]
mod tls;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use temporal_client_core::proto::grpc::health::v1::health_server::HealthServer;
use temporal_client_core::proto::temporal::api::operatorservice::v1::operator_service_server::OperatorServiceServer;
use temporal_client_core::proto::temporal::api::workflowservice::v1::workflow_service_server::WorkflowServiceServer;
use temporal_client_core::{OperatorService, WorkflowService};
use tokio::io::{AsyncRead, AsyncWrite, DuplexStream};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;
use tonic::service::Routes;
use tonic::transport::{Channel, Endpoint};

use adapter::{AlwaysServing, OperatorAdapter, WorkflowAdapter};
pub use faults::{ANY_RPC, Faults};
#[cfg(feature = "tls")]
#[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
pub use tls::{TLS_SERVER_NAME, TlsCredentials, TlsMode};

/// The largest message the server accepts or sends, like the Temporal server (128 MiB).
const MAX_MESSAGE_SIZE: usize = 128 * 1024 * 1024;
/// The largest request the Temporal frontend receives by default (gRPC-Go's default
/// receive limit, 4 MiB); a larger one is refused with `RESOURCE_EXHAUSTED`.
pub const DEFAULT_RECEIVE_LIMIT: usize = 4 * 1024 * 1024;
/// Buffer size of each in-memory connection, per direction.
const DUPLEX_BUFFER: usize = 256 * 1024;
/// The URL an in-memory channel is built with; it never resolves.
const IN_MEMORY_URL: &str = "http://in-memory.invalid";
/// The default HTTP/2 concurrent-stream limit per connection: none, as the Temporal
/// dev server. Measured on `temporal server start-dev` (CLI 1.9.1) with a raw HTTP/2
/// handshake: its SETTINGS frame carries only `MAX_FRAME_SIZE 16384` and no
/// `SETTINGS_MAX_CONCURRENT_STREAMS` (grpc-go's default, unlimited). hyper's own
/// default would be 200.
pub const DEFAULT_MAX_CONCURRENT_STREAMS: u32 = u32::MAX;

/// Why a [`TestServer`] could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestServerError {
    /// No local port could be bound.
    #[error("the gRPC test server could not listen on 127.0.0.1: {0}")]
    Bind(#[source] io::Error),
    /// The TLS certificates or configuration could not be made.
    #[error("the gRPC test server could not set up TLS: {0}")]
    Tls(String),
}

/// Configures a [`TestServer`] before it starts.
pub struct TestServerBuilder {
    service: Arc<dyn WorkflowService>,
    operator: Option<Arc<dyn OperatorService>>,
    max_concurrent_streams: u32,
    receive_limit: usize,
    #[cfg(feature = "tls")]
    tls: Option<TlsMode>,
}

impl std::fmt::Debug for TestServerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServerBuilder")
            .field("operator", &self.operator.is_some())
            .finish_non_exhaustive()
    }
}

impl TestServerBuilder {
    /// Also serves `OperatorService` with `operator` (otherwise its RPCs answer
    /// `UNIMPLEMENTED`).
    pub fn operator(mut self, operator: Arc<dyn OperatorService>) -> Self {
        self.operator = Some(operator);
        self
    }

    /// The HTTP/2 concurrent-stream limit each connection advertises in its SETTINGS
    /// (default [`DEFAULT_MAX_CONCURRENT_STREAMS`], none, as the dev server): a client
    /// must queue the calls past it, as real servers and proxies with a limit make it.
    pub fn max_concurrent_streams(mut self, limit: u32) -> Self {
        self.max_concurrent_streams = limit;
        self
    }

    /// The largest request message accepted, in bytes of its protobuf encoding (default
    /// [`DEFAULT_RECEIVE_LIMIT`], 4 MiB, as the Temporal frontend). A larger request is
    /// answered `RESOURCE_EXHAUSTED` "grpc: received message larger than max (N vs.
    /// LIMIT)", the message of the server's gRPC library, which clients do not retry.
    /// The call still counts in [`Faults::calls`].
    pub fn receive_limit(mut self, bytes: usize) -> Self {
        self.receive_limit = bytes;
        self
    }

    /// Serves TLS (or mutual TLS) on the TCP port, with certificates generated at start;
    /// [`TestServer::tls`] gives what a client needs. In-memory connections stay plain.
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    pub fn tls(mut self, mode: TlsMode) -> Self {
        self.tls = Some(mode);
        self
    }

    /// Starts serving on a free port of `127.0.0.1` (and in memory).
    pub async fn start(self) -> Result<TestServer, TestServerError> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(TestServerError::Bind)?;
        let address = listener.local_addr().map_err(TestServerError::Bind)?;
        let url = format!("{}://{address}", self.scheme());

        #[cfg(feature = "tls")]
        let (acceptor, credentials) = match self.tls {
            Some(mode) => {
                let (acceptor, credentials) = tls::generate(mode)?;
                (Some(acceptor), Some(credentials))
            }
            None => (None, None),
        };

        let connections = self.connection_server();
        let endpoint = Endpoint::from_shared(url.clone())
            .map_err(|e| TestServerError::Bind(io::Error::other(e)))?;
        #[cfg(feature = "tls")]
        let endpoint = match &credentials {
            Some(credentials) => endpoint
                .tls_config(credentials.client_tls_config())
                .map_err(|e| TestServerError::Tls(e.to_string()))?,
            None => endpoint,
        };
        let channel = endpoint.connect_lazy();

        let accept = {
            let connections = connections.clone();
            tokio::spawn(async move {
                loop {
                    match listener.accept().await {
                        Ok((stream, _peer)) => {
                            #[cfg(feature = "tls")]
                            connections.serve_tcp(stream, acceptor.clone());
                            #[cfg(not(feature = "tls"))]
                            connections.serve_tcp(stream);
                        }
                        // Out of file descriptors and the like: wait, then go on.
                        Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                    }
                }
            })
        };

        Ok(TestServer {
            address: Some(address),
            url: Some(url),
            channel,
            connections,
            accept_task: Some(accept.abort_handle()),
            #[cfg(feature = "tls")]
            tls: credentials,
        })
    }

    /// Starts serving in memory only: no socket, connect with [`TestServer::channel`]
    /// or [`TestServer::connector`]. Any TLS setting is ignored. Call it inside a Tokio
    /// runtime.
    pub fn duplex(self) -> TestServer {
        let connections = self.connection_server();
        let connector = DuplexConnector {
            connections: connections.clone(),
        };
        let channel = Endpoint::from_static(IN_MEMORY_URL).connect_with_connector_lazy(connector);
        TestServer {
            address: None,
            url: None,
            channel,
            connections,
            accept_task: None,
            #[cfg(feature = "tls")]
            tls: None,
        }
    }

    fn scheme(&self) -> &'static str {
        #[cfg(feature = "tls")]
        if self.tls.is_some() {
            return "https";
        }
        "http"
    }

    fn connection_server(&self) -> ConnectionServer {
        let faults = Faults::default();
        let workflow = WorkflowServiceServer::new(WorkflowAdapter {
            service: self.service.clone(),
            faults: faults.clone(),
            receive_limit: self.receive_limit,
        })
        .max_decoding_message_size(MAX_MESSAGE_SIZE.max(self.receive_limit))
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
        let mut routes = Routes::new(HealthServer::new(AlwaysServing)).add_service(workflow);
        if let Some(operator) = &self.operator {
            routes = routes.add_service(
                OperatorServiceServer::new(OperatorAdapter {
                    service: operator.clone(),
                    faults: faults.clone(),
                    receive_limit: self.receive_limit,
                })
                .max_decoding_message_size(MAX_MESSAGE_SIZE.max(self.receive_limit))
                .max_encoding_message_size(MAX_MESSAGE_SIZE),
            );
        }
        ConnectionServer {
            routes: routes.prepare(),
            faults,
            stopped: Arc::new(AtomicBool::new(false)),
            max_streams: self.max_concurrent_streams,
        }
    }
}

/// A real gRPC server for tests, serving a [`WorkflowService`] implementation (a fake,
/// a mock, a recording wrapper) exactly as a Temporal frontend would on the wire:
/// status codes, messages and typed error details, plus `grpc.health.v1` (always
/// SERVING).
///
/// Each call reaches the service as a [`ServiceRequest`](temporal_client_core::ServiceRequest)
/// whose `options.timeout` is the caller's `grpc-timeout` and whose `options.metadata`
/// holds the caller's ASCII metadata (protocol headers left out). The server does not
/// cut a call at its deadline itself; the service may use the timeout (e.g. to end a
/// long poll early) and the client enforces it.
///
/// Stops when dropped: the port closes and every open connection is cut.
pub struct TestServer {
    address: Option<SocketAddr>,
    url: Option<String>,
    channel: Channel,
    connections: ConnectionServer,
    accept_task: Option<AbortHandle>,
    #[cfg(feature = "tls")]
    tls: Option<TlsCredentials>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl TestServer {
    /// A builder, to add an `OperatorService` or TLS before starting.
    pub fn builder(service: Arc<dyn WorkflowService>) -> TestServerBuilder {
        TestServerBuilder {
            service,
            operator: None,
            max_concurrent_streams: DEFAULT_MAX_CONCURRENT_STREAMS,
            receive_limit: DEFAULT_RECEIVE_LIMIT,
            #[cfg(feature = "tls")]
            tls: None,
        }
    }

    /// Serves `service` on a free port of `127.0.0.1`, without TLS.
    pub async fn start(service: Arc<dyn WorkflowService>) -> Result<TestServer, TestServerError> {
        Self::builder(service).start().await
    }

    /// Serves `service` in memory (over `tokio::io::duplex`), with no socket at all.
    /// Call it inside a Tokio runtime.
    pub fn duplex(service: Arc<dyn WorkflowService>) -> TestServer {
        Self::builder(service).duplex()
    }

    /// The listening address (`127.0.0.1:PORT`); `None` for an in-memory server.
    pub fn address(&self) -> Option<SocketAddr> {
        self.address
    }

    /// The URL to connect to: `http://127.0.0.1:PORT`, or `https://...` with TLS (verify
    /// the certificate against `localhost`); `None` for an in-memory server.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// A channel to this server that connects on first use: over TCP (with the test
    /// TLS credentials when TLS is on), or in memory for an in-memory server. It
    /// reconnects after [`Faults::drop_connections`].
    pub fn channel(&self) -> Channel {
        self.channel.clone()
    }

    /// A connector that opens in-memory connections to this server (for
    /// `Endpoint::connect_with_connector`), for servers started either way.
    pub fn connector(&self) -> DuplexConnector {
        DuplexConnector {
            connections: self.connections.clone(),
        }
    }

    /// The fault-injection controls and call counters.
    pub fn faults(&self) -> &Faults {
        &self.connections.faults
    }

    /// What a client needs to connect over TLS; `None` without TLS.
    #[cfg(feature = "tls")]
    pub fn tls(&self) -> Option<&TlsCredentials> {
        self.tls.as_ref()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(accept) = self.accept_task.take() {
            accept.abort();
        }
        self.connections.stopped.store(true, Ordering::Release);
        self.connections.faults.shutdown_connections();
    }
}

/// Opens in-memory connections to a [`TestServer`]: a `tower::Service<http::Uri>` for
/// `tonic::transport::Endpoint::connect_with_connector`. The URI is ignored.
#[derive(Clone)]
pub struct DuplexConnector {
    connections: ConnectionServer,
}

impl std::fmt::Debug for DuplexConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DuplexConnector").finish_non_exhaustive()
    }
}

impl tower::Service<http::Uri> for DuplexConnector {
    type Response = TokioIo<DuplexStream>;
    type Error = io::Error;
    type Future = std::future::Ready<Result<Self::Response, io::Error>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), io::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _uri: http::Uri) -> Self::Future {
        if self.connections.stopped.load(Ordering::Acquire) {
            return std::future::ready(Err(io::Error::new(
                io::ErrorKind::ConnectionRefused,
                "the gRPC test server was stopped",
            )));
        }
        let (client, server) = tokio::io::duplex(DUPLEX_BUFFER);
        let routes = self.connections.routes.clone();
        let faults = self.connections.faults.clone();
        let max_streams = self.connections.max_streams;
        self.connections
            .faults
            .track_connection(serve_http2(server, routes, faults, max_streams));
        std::future::ready(Ok(TokioIo::new(client)))
    }
}

/// What every connection of one server shares.
#[derive(Clone)]
struct ConnectionServer {
    routes: Routes,
    faults: Faults,
    stopped: Arc<AtomicBool>,
    /// The HTTP/2 concurrent-stream limit of each connection.
    max_streams: u32,
}

impl ConnectionServer {
    #[cfg(feature = "tls")]
    fn serve_tcp(&self, stream: TcpStream, acceptor: Option<tokio_rustls::TlsAcceptor>) {
        let _ = stream.set_nodelay(true);
        let routes = self.routes.clone();
        let faults = self.faults.clone();
        let max_streams = self.max_streams;
        match acceptor {
            Some(acceptor) => self.faults.track_connection(async move {
                // A failed handshake (e.g. no client certificate under mutual TLS) just
                // ends this connection; the client sees the TLS error.
                if let Ok(tls) = acceptor.accept(stream).await {
                    serve_http2(tls, routes, faults, max_streams).await;
                }
            }),
            None => self
                .faults
                .track_connection(serve_http2(stream, routes, faults, max_streams)),
        }
    }

    #[cfg(not(feature = "tls"))]
    fn serve_tcp(&self, stream: TcpStream) {
        let _ = stream.set_nodelay(true);
        self.faults.track_connection(serve_http2(
            stream,
            self.routes.clone(),
            self.faults.clone(),
            self.max_streams,
        ));
    }
}

/// Serves HTTP/2 gRPC on one connection until it closes. The calls of the connection
/// run as tasks owned by it, so aborting the connection cancels its calls too.
/// [`Faults::goaway_connections`] starts a graceful shutdown of it, and the
/// stream-reset and garbled-response rules apply to its calls. It advertises
/// `max_streams` concurrent streams.
async fn serve_http2<IO>(io: IO, routes: Routes, faults: Faults, max_streams: u32)
where
    IO: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    let calls = CallTasks::default();
    let _cancel_calls = CancelOnDrop(calls.clone());
    let service = http_faults::BodyFaultRoutes::new(routes, faults.clone());
    let connection = hyper::server::conn::http2::Builder::new(calls)
        .timer(TokioTimer::new())
        .max_concurrent_streams(max_streams)
        .serve_connection(TokioIo::new(io), TowerToHyperService::new(service));
    let mut connection = std::pin::pin!(connection);
    loop {
        tokio::select! {
            // A connection error only concerns this client; the server goes on.
            _ = connection.as_mut() => return,
            () = faults.goaway_requested() => connection.as_mut().graceful_shutdown(),
        }
    }
}

/// The hyper executor of one connection: runs its streams in a `JoinSet`.
#[derive(Clone, Default)]
struct CallTasks(Arc<std::sync::Mutex<tokio::task::JoinSet<()>>>);

impl CallTasks {
    fn lock(&self) -> std::sync::MutexGuard<'_, tokio::task::JoinSet<()>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl<F> hyper::rt::Executor<F> for CallTasks
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn execute(&self, future: F) {
        let mut set = self.lock();
        while set.try_join_next().is_some() {}
        set.spawn(async move {
            let _ = future.await;
        });
    }
}

struct CancelOnDrop(CallTasks);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.lock().abort_all();
    }
}
