//! `H2Channel`: the connection's HTTP/2 channel, driven through `h2` directly.
//!
//! tonic's `Channel` sends every request through two extra tasks before it reaches the
//! HTTP/2 connection: a `tower::Buffer` worker and hyper's client dispatch task. Each
//! hop is a channel send and, on a multi-thread runtime, often a thread wake-up; the
//! issue's profile of the client put a fifth of its CPU time in scheduling and futex
//! wake-ups. Here the calling task opens the stream itself on a clone of `h2`'s
//! `SendRequest` (a shared handle to the connection state), so the only other task a
//! call touches is the one that drives the connection's socket.
//!
//! What the tonic channel did and this one keeps: one HTTP/2 connection shared by all
//! calls, opened on first use (lazy) and opened again on the next call after it closed
//! (the server went away, a keepalive ping went unanswered, a GOAWAY); concurrent calls
//! wait for one connect instead of each opening their own; the connect timeout covers
//! TCP, TLS and the HTTP/2 handshake; keepalive pings (interval and timeout, sent while
//! idle too); hyper's HTTP/2 window and header-list settings. Failures come back as a
//! `tonic::Status` whose source is the I/O or `h2` error, so the error mapping sees a
//! transport failure: `UNAVAILABLE` for a failed connect, a broken connection or a
//! GOAWAY, and the gRPC-over-HTTP/2 mapping (`PROTOCOL-HTTP2.md`, "Errors") for a reset
//! stream.

use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use futures_util::FutureExt as _;
use futures_util::future::Shared;
use h2::client::SendRequest;
use http_body::{Body as _, Frame};
use tokio::io::{AsyncRead, AsyncWrite};
use tonic::Status;
use tonic::body::Body;

use super::options::KeepAlive;

/// hyper's HTTP/2 client defaults, which the tonic channel used.
const STREAM_WINDOW: u32 = 2 * 1024 * 1024;
const CONNECTION_WINDOW: u32 = 5 * 1024 * 1024;
const MAX_HEADER_LIST_SIZE: u32 = 16 * 1024;
const MAX_SEND_BUFFER_SIZE: usize = 1024 * 1024;
const INITIAL_MAX_SEND_STREAMS: usize = 100;

/// A byte stream an HTTP/2 connection can run over (TCP, TLS over TCP, a user's
/// connector).
pub(crate) trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// The future of one connect: the byte stream, or why there is none.
pub(crate) type ConnectFuture =
    Pin<Box<dyn Future<Output = Result<Box<dyn Io>, ConnectFailure>> + Send>>;

/// Opens the byte stream of a new connection.
pub(crate) trait Connect: Send + Sync + 'static {
    /// Starts one connect.
    fn connect(&self) -> ConnectFuture;
}

/// How connections are opened and kept.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChannelSettings {
    /// Covers the connector (TCP and TLS) and the HTTP/2 handshake.
    pub(crate) connect_timeout: Duration,
    /// Pings while the connection is open, busy or idle.
    pub(crate) keepalive: Option<KeepAlive>,
}

/// One HTTP/2 connection shared by every clone, (re)opened on demand. A
/// `tower::Service` for tonic's `Grpc` client and the user layers.
#[derive(Clone)]
pub(crate) struct H2Channel {
    shared: Arc<ChannelState>,
}

struct ChannelState {
    connector: Arc<dyn Connect>,
    settings: ChannelSettings,
    current: Mutex<Current>,
    /// Streams open now (request sent or being sent, response not yet read to the end):
    /// the connection task batches its writes only when there are several.
    in_flight: Arc<AtomicUsize>,
}

/// One open stream, counted in [`ChannelState::in_flight`] until dropped.
pub(crate) struct InFlight(Arc<AtomicUsize>);

impl InFlight {
    fn new(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::Relaxed);
        Self(Arc::clone(count))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The connection in use, or the connect under way.
#[derive(Default)]
struct Current {
    /// Counts the connections opened; tells a stale handle from the current one.
    generation: u64,
    /// The open connection (`generation`), if any.
    sender: Option<SendRequest<Bytes>>,
    /// The connect every waiting call shares.
    connecting: Option<Shared<Connecting>>,
}

type Connecting =
    Pin<Box<dyn Future<Output = Result<(u64, SendRequest<Bytes>), ConnectFailure>> + Send>>;

/// Why a connect failed: every call waiting for it receives it (`Status` is not
/// `Clone`), as an `UNAVAILABLE` status whose source is this failure, itself caused by
/// the underlying error (I/O, TLS, `h2`, or the user connector's). Its place in the
/// chain tells the retry loop that no request was sent, whatever the I/O error's kind
/// (a connect timeout, a failed name lookup).
#[derive(Debug, Clone)]
pub(crate) struct ConnectFailure {
    what: String,
    source: Arc<dyn std::error::Error + Send + Sync>,
}

impl ConnectFailure {
    /// `what` failed because of `error`.
    pub(crate) fn new(what: &str, error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self {
            what: what.to_owned(),
            source: Arc::new(error),
        }
    }

    pub(crate) fn to_status(&self) -> Status {
        let mut status = Status::unavailable(format!("{}: {}", self.what, self.source));
        status.set_source(Arc::new(self.clone()));
        status
    }
}

impl std::fmt::Display for ConnectFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.what)
    }
}

impl std::error::Error for ConnectFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

impl H2Channel {
    /// A channel that connects on its first call.
    pub(crate) fn lazy(connector: Arc<dyn Connect>, settings: ChannelSettings) -> Self {
        Self {
            shared: Arc::new(ChannelState {
                connector,
                settings,
                current: Mutex::new(Current::default()),
                in_flight: Arc::default(),
            }),
        }
    }
}

impl fmt::Debug for H2Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("H2Channel")
            .field("settings", &self.shared.settings)
            .finish_non_exhaustive()
    }
}

impl ChannelState {
    fn lock(&self) -> std::sync::MutexGuard<'_, Current> {
        self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The open connection, or the shared connect (started now if none is under way).
    async fn sender(self: &Arc<Self>) -> Result<(u64, SendRequest<Bytes>), Status> {
        let connecting = {
            let mut current = self.lock();
            if let Some(sender) = &current.sender {
                return Ok((current.generation, sender.clone()));
            }
            match &current.connecting {
                Some(connecting) => connecting.clone(),
                None => {
                    let connecting = open(
                        Arc::clone(&self.connector),
                        self.settings,
                        Arc::downgrade(self),
                    )
                    .boxed()
                    .shared();
                    current.connecting = Some(connecting.clone());
                    connecting
                }
            }
        };
        connecting.await.map_err(|e| e.to_status())
    }

    /// Forgets connection `generation` (it closed); the next call connects again.
    fn forget(&self, generation: u64) {
        let mut current = self.lock();
        if current.generation == generation {
            current.sender = None;
        }
    }

    /// Opens a stream for `head` on the open connection (connecting first when there
    /// is none): the response future and the request body's send half.
    async fn open_stream(
        self: &Arc<Self>,
        head: http::Request<()>,
        end_of_stream: bool,
    ) -> Result<(h2::client::ResponseFuture, h2::SendStream<Bytes>, InFlight), Status> {
        let in_flight = InFlight::new(&self.in_flight);
        let (generation, mut sender) = self.sender().await?;
        let mut sender = match poll_fn(|cx| sender.poll_ready(cx)).await {
            Ok(()) => sender,
            // The connection closed since it was last used: nothing was sent on it, so
            // open a new one for this request.
            Err(_) => {
                self.forget(generation);
                let (generation, mut sender) = self.sender().await?;
                if let Err(e) = poll_fn(|cx| sender.poll_ready(cx)).await {
                    self.forget(generation);
                    return Err(h2_status(e));
                }
                sender
            }
        };
        let (response, stream) = sender
            .send_request(head, end_of_stream)
            .map_err(h2_status)?;
        Ok((response, stream, in_flight))
    }

    /// Sends one request and returns its response head, the body still streaming.
    async fn send(
        self: Arc<Self>,
        request: http::Request<Body>,
    ) -> Result<http::Response<ResponseBody>, Status> {
        let (parts, mut body) = request.into_parts();
        let end_of_stream = body.is_end_stream();
        let (response, mut stream, in_flight) = self
            .open_stream(http::Request::from_parts(parts, ()), end_of_stream)
            .await?;
        let sent = if end_of_stream {
            Ok(())
        } else {
            send_body(&mut body, &mut stream).await
        };
        answer(response, sent).await.map(|response| {
            response.map(|recv| ResponseBody {
                recv,
                state: BodyState::Data,
                _in_flight: in_flight,
            })
        })
    }
}

impl H2Channel {
    /// Sends a request whose whole body is `body` (a unary gRPC message, framed) and
    /// returns the response head with the body still streaming, and the stream's
    /// count (to hold until the body is read). Used by [`unary`](super::unary), which
    /// reads the body itself.
    pub(crate) async fn send_whole(
        &self,
        head: http::Request<()>,
        body: Bytes,
    ) -> Result<(http::Response<h2::RecvStream>, InFlight), Status> {
        let (response, mut stream, in_flight) = self.shared.open_stream(head, false).await?;
        let sent = stream.send_data(body, true).map_err(h2_status);
        Ok((answer(response, sent).await?, in_flight))
    }
}

/// The response to a sent request. The server may answer (e.g. with an error status)
/// before it read the whole request; its answer then wins over the failed send.
async fn answer(
    response: h2::client::ResponseFuture,
    sent: Result<(), Status>,
) -> Result<http::Response<h2::RecvStream>, Status> {
    match (response.await, sent) {
        (Ok(response), _) => Ok(response),
        (Err(_), Err(status)) => Err(status),
        (Err(e), Ok(())) => Err(h2_status(e)),
    }
}

/// Opens a connection: the connector's byte stream, the HTTP/2 handshake, the task that
/// drives the connection (and its keepalive pings), all within the connect timeout.
async fn open(
    connector: Arc<dyn Connect>,
    settings: ChannelSettings,
    state: Weak<ChannelState>,
) -> Result<(u64, SendRequest<Bytes>), ConnectFailure> {
    let opened = tokio::time::timeout(settings.connect_timeout, async {
        let io = connector.connect().await?;
        let mut builder = h2::client::Builder::new();
        builder
            .initial_max_send_streams(INITIAL_MAX_SEND_STREAMS)
            .initial_window_size(STREAM_WINDOW)
            .initial_connection_window_size(CONNECTION_WINDOW)
            .max_header_list_size(MAX_HEADER_LIST_SIZE)
            .max_send_buffer_size(MAX_SEND_BUFFER_SIZE)
            .enable_push(false);
        builder
            .handshake::<_, Bytes>(io)
            .await
            .map_err(|e| ConnectFailure::new("the HTTP/2 handshake failed", e))
    })
    .await
    .unwrap_or_else(|_| {
        Err(ConnectFailure::new(
            "no connection",
            std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!(
                    "not connected within the connect timeout ({:?})",
                    settings.connect_timeout
                ),
            ),
        ))
    });
    let outcome = match opened {
        Ok((sender, mut connection)) => {
            let pings = settings
                .keepalive
                .and_then(|k| Some((connection.ping_pong()?, k)));
            let mut current = state.upgrade().map(|s| {
                let generation = s.lock().generation + 1;
                (generation, s)
            });
            let generation = current.as_ref().map_or(0, |(g, _)| *g);
            let in_flight = current
                .as_ref()
                .map(|(_, s)| Arc::clone(&s.in_flight))
                .unwrap_or_default();
            let watcher = state.clone();
            tokio::spawn(async move {
                drive(connection, pings, in_flight).await;
                if let Some(state) = watcher.upgrade() {
                    state.forget(generation);
                }
            });
            if let Some((generation, state)) = current.take() {
                let mut current = state.lock();
                current.generation = generation;
                current.sender = Some(sender.clone());
            }
            Ok((generation, sender))
        }
        Err(failure) => Err(failure),
    };
    if let Some(state) = state.upgrade() {
        state.lock().connecting = None;
    }
    outcome
}

/// Drives the connection until it closes, or until a keepalive ping goes unanswered
/// (then dropping it fails the calls on it, which see `UNAVAILABLE`).
async fn drive<T: Io>(
    connection: h2::client::Connection<T, Bytes>,
    pings: Option<(h2::PingPong, KeepAlive)>,
    in_flight: Arc<AtomicUsize>,
) {
    let connection = Batching {
        connection,
        in_flight,
        deferred: false,
    };
    let Some((mut ping_pong, keepalive)) = pings else {
        let _ = connection.await;
        return;
    };
    let pinging = async move {
        loop {
            tokio::time::sleep(keepalive.interval).await;
            let pong =
                tokio::time::timeout(keepalive.timeout, ping_pong.ping(h2::Ping::opaque())).await;
            if !matches!(pong, Ok(Ok(_))) {
                return;
            }
        }
    };
    let connection = std::pin::pin!(connection);
    let pinging = std::pin::pin!(pinging);
    let _ = futures_util::future::select(connection, pinging).await;
}

/// The connection's future, polled one scheduler pass after a wake-up rather than at
/// once while several streams are open.
///
/// Every new request wakes the connection task, which then writes what is queued to the
/// socket. Woken from a runtime thread, a task runs next on that thread (Tokio's LIFO
/// slot), so under many concurrent calls the task ran after each caller and wrote each
/// request with its own `writev` (one system call, and on a local server the delivery
/// too, per request). Deferring the poll once puts the task at the back of the run
/// queue: the callers already runnable queue their requests first (their wake-ups of
/// a task already scheduled cost nothing), and one write carries them all; responses
/// are read in the same batches. With one stream open there is nothing to batch, and
/// the connection is polled at once (a deferral would cost a lone call a pass of the
/// scheduler, often a wake-up of another thread).
struct Batching<C> {
    connection: C,
    in_flight: Arc<AtomicUsize>,
    /// The task was woken and asked to be polled again; the next poll drives `connection`.
    deferred: bool,
}

impl<C: Future + Unpin> Future for Batching<C> {
    type Output = C::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<C::Output> {
        if !self.deferred && self.in_flight.load(Ordering::Relaxed) > 1 {
            self.deferred = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.deferred = false;
        Pin::new(&mut self.connection).poll(cx)
    }
}

/// Sends the request body: each data frame as it comes, the last one (or the trailers)
/// ending the stream. A unary gRPC request is one data frame, sent with END_STREAM.
async fn send_body(body: &mut Body, stream: &mut h2::SendStream<Bytes>) -> Result<(), Status> {
    let mut held: Option<Bytes> = None;
    loop {
        let frame = poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await;
        match frame {
            None => {
                return stream
                    .send_data(held.take().unwrap_or_default(), true)
                    .map_err(h2_status);
            }
            Some(Err(status)) => {
                stream.send_reset(h2::Reason::CANCEL);
                return Err(status);
            }
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => {
                    if let Some(previous) = held.replace(data) {
                        stream.send_data(previous, false).map_err(h2_status)?;
                    }
                    if body.is_end_stream() {
                        let last = held.take().unwrap_or_default();
                        return stream.send_data(last, true).map_err(h2_status);
                    }
                }
                Err(frame) => {
                    if let Some(previous) = held.take() {
                        stream.send_data(previous, false).map_err(h2_status)?;
                    }
                    if let Ok(trailers) = frame.into_trailers() {
                        return stream.send_trailers(trailers).map_err(h2_status);
                    }
                }
            },
        }
    }
}

/// The body of a response: data frames (their flow-control window given back as they
/// are read), then the trailers.
pub(crate) struct ResponseBody {
    recv: h2::RecvStream,
    state: BodyState,
    _in_flight: InFlight,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyState {
    Data,
    Trailers,
    Done,
}

impl http_body::Body for ResponseBody {
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        let this = &mut *self;
        if this.state == BodyState::Data {
            match ready!(this.recv.poll_data(cx)) {
                Some(Ok(data)) => {
                    let _ = this.recv.flow_control().release_capacity(data.len());
                    return Poll::Ready(Some(Ok(Frame::data(data))));
                }
                Some(Err(e)) => {
                    this.state = BodyState::Done;
                    return Poll::Ready(Some(Err(h2_status(e))));
                }
                None => this.state = BodyState::Trailers,
            }
        }
        if this.state == BodyState::Done {
            return Poll::Ready(None);
        }
        let trailers = ready!(this.recv.poll_trailers(cx));
        this.state = BodyState::Done;
        Poll::Ready(match trailers {
            Ok(Some(trailers)) => Some(Ok(Frame::trailers(trailers))),
            Ok(None) => None,
            Err(e) => Some(Err(h2_status(e))),
        })
    }

    fn is_end_stream(&self) -> bool {
        self.state == BodyState::Done
    }
}

impl tower::Service<http::Request<Body>> for H2Channel {
    type Response = http::Response<Body>;
    type Error = Status;
    type Future = Pin<Box<dyn Future<Output = Result<http::Response<Body>, Status>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Status>> {
        // Connecting and stream limits are waited for inside the call.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let shared = Arc::clone(&self.shared);
        Box::pin(async move { Ok(shared.send(request).await?.map(Body::new)) })
    }
}

/// The status of a failed HTTP/2 operation, by the gRPC-over-HTTP/2 rules: a reset
/// stream maps by its reason; a closed or broken connection, a GOAWAY and I/O errors
/// are `UNAVAILABLE` (the request may not have reached the server).
pub(crate) fn h2_status(error: h2::Error) -> Status {
    use tonic::Code;
    let code = match error.reason() {
        Some(reason) if error.is_reset() => match reason {
            h2::Reason::REFUSED_STREAM => Code::Unavailable,
            h2::Reason::CANCEL => Code::Cancelled,
            h2::Reason::ENHANCE_YOUR_CALM => Code::ResourceExhausted,
            h2::Reason::INADEQUATE_SECURITY => Code::PermissionDenied,
            _ => Code::Internal,
        },
        _ => Code::Unavailable,
    };
    let mut status = Status::new(code, format!("HTTP/2 error: {error}"));
    status.set_source(Arc::new(error));
    status
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_level_http2_error_is_unavailable() {
        // `From<Reason>` makes a connection error (a reset stream cannot be made
        // outside h2): the request may not have reached the server.
        let status = h2_status(h2::Error::from(h2::Reason::PROTOCOL_ERROR));
        assert_eq!(status.code(), tonic::Code::Unavailable);
        assert!(std::error::Error::source(&status).is_some());
    }

    #[test]
    fn a_shared_connect_failure_keeps_code_message_and_a_source() {
        use std::error::Error as _;
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let copy = ConnectFailure::new("could not connect to h:1", io).to_status();
        assert_eq!(copy.code(), tonic::Code::Unavailable);
        assert!(copy.message().contains("refused"), "{}", copy.message());
        assert!(copy.source().is_some());
    }
}
