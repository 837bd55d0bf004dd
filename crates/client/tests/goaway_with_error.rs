//! A GOAWAY frame with an error code (ENHANCE_YOUR_CALM, as a proxy or a server under
//! load sends it) while calls are out. hyper's server cannot send one, so a small
//! HTTP/2 frame proxy in front of the TestServer writes it: it forwards the client's
//! bytes to the server and the server's frames back, and on demand writes
//! GOAWAY(last stream id = the newest stream the client opened, error code) at a frame
//! boundary and closes the client's side. The server's side stays open, so the call the
//! server was running still takes effect, as it would on a real server that gave up
//! on the connection after the call arrived.
//!
//! Calls safe to repeat are sent again on a new connection: a start is applied once
//! (visibility counts one run) and a `result()` wait gets its value. A call that is
//! not safe to repeat fails once, saying the outcome is unknown. (h2 reports the calls
//! at or below the GOAWAY's last stream id as closed by the connection's end, not by
//! the GOAWAY's code, so the message names the broken connection, not the code.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use temporal_client::{
    Client, Code, Connection, ConnectionOptions, ErrorOrigin, RpcRetryConfig, WorkflowDefinition,
    WorkflowOptions,
};
use temporal_client_core::WorkflowService;
use temporal_client_core::proto::temporal::api::workflowservice::v1 as wf;
use temporal_testkit::grpc::TestServer;
use temporal_testkit::{FakeServer, conformance_workflows};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex as AsyncMutex;

const COUNTER: WorkflowDefinition<(i64,), i64> = WorkflowDefinition::new("counter");

/// The HTTP/2 client connection preface.
const PREFACE_LEN: usize = 24;
/// HTTP/2 frame types this proxy looks at.
const FRAME_HEADERS: u8 = 0x1;
const FRAME_GOAWAY: u8 = 0x7;
/// The ENHANCE_YOUR_CALM error code (RFC 9113, section 7).
const ENHANCE_YOUR_CALM: u32 = 0xb;

/// One proxied client connection: the writer to the client, and the newest stream id
/// the client opened on it.
struct ClientSide {
    writer: Arc<AsyncMutex<Option<OwnedWriteHalf>>>,
    newest_stream: Arc<AtomicU32>,
}

/// The frame proxy in front of a TestServer.
struct GoAwayProxy {
    address: String,
    connections: Arc<Mutex<Vec<ClientSide>>>,
}

impl GoAwayProxy {
    async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let connections = Arc::new(Mutex::new(Vec::new()));
        let registry = Arc::clone(&connections);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(&upstream).await else {
                    continue;
                };
                client.set_nodelay(true).ok();
                server.set_nodelay(true).ok();
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                let side = ClientSide {
                    writer: Arc::new(AsyncMutex::new(Some(client_write))),
                    newest_stream: Arc::new(AtomicU32::new(0)),
                };
                tokio::spawn(client_to_server(
                    client_read,
                    server_write,
                    Arc::clone(&side.newest_stream),
                ));
                tokio::spawn(server_to_client(server_read, Arc::clone(&side.writer)));
                registry.lock().unwrap().push(side);
            }
        });
        Self {
            address,
            connections,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Writes GOAWAY(newest stream, `code`) to every open client connection and closes
    /// it; the server's side of each stays open.
    async fn goaway_all(&self, code: u32) -> usize {
        let sides: Vec<_> = self
            .connections
            .lock()
            .unwrap()
            .drain(..)
            .map(|side| (side.writer, side.newest_stream))
            .collect();
        let mut sent = 0;
        for (writer, newest) in sides {
            let mut writer = writer.lock().await;
            if let Some(mut w) = writer.take() {
                let last = newest.load(Ordering::SeqCst);
                let mut frame = Vec::with_capacity(17);
                frame.extend_from_slice(&8u32.to_be_bytes()[1..]);
                frame.push(FRAME_GOAWAY);
                frame.push(0);
                frame.extend_from_slice(&0u32.to_be_bytes());
                frame.extend_from_slice(&last.to_be_bytes());
                frame.extend_from_slice(&code.to_be_bytes());
                if w.write_all(&frame).await.is_ok() {
                    sent += 1;
                }
                let _ = w.shutdown().await;
            }
        }
        sent
    }
}

/// Forwards the client's bytes, noting the stream id of every HEADERS frame.
async fn client_to_server(
    mut client: tokio::net::tcp::OwnedReadHalf,
    mut server: OwnedWriteHalf,
    newest_stream: Arc<AtomicU32>,
) {
    let mut preface = [0u8; PREFACE_LEN];
    if client.read_exact(&mut preface).await.is_err() || server.write_all(&preface).await.is_err() {
        return;
    }
    while let Some((header, payload)) = read_frame(&mut client).await {
        if header[3] == FRAME_HEADERS {
            let stream =
                u32::from_be_bytes([header[5], header[6], header[7], header[8]]) & !(1 << 31);
            newest_stream.fetch_max(stream, Ordering::SeqCst);
        }
        if server.write_all(&header).await.is_err() || server.write_all(&payload).await.is_err() {
            return;
        }
    }
}

/// Forwards the server's frames whole, so a GOAWAY is only ever written between two.
async fn server_to_client(
    mut server: tokio::net::tcp::OwnedReadHalf,
    client: Arc<AsyncMutex<Option<OwnedWriteHalf>>>,
) {
    while let Some((header, payload)) = read_frame(&mut server).await {
        let mut client = client.lock().await;
        let Some(writer) = client.as_mut() else {
            // The client's side was closed with a GOAWAY: drain the server quietly.
            continue;
        };
        if writer.write_all(&header).await.is_err() || writer.write_all(&payload).await.is_err() {
            return;
        }
    }
}

async fn read_frame(from: &mut tokio::net::tcp::OwnedReadHalf) -> Option<([u8; 9], Vec<u8>)> {
    let mut header = [0u8; 9];
    from.read_exact(&mut header).await.ok()?;
    let len = u32::from_be_bytes([0, header[0], header[1], header[2]]) as usize;
    let mut payload = vec![0u8; len];
    from.read_exact(&mut payload).await.ok()?;
    Some((header, payload))
}

async fn serve() -> (TestServer, GoAwayProxy, Client) {
    let (server, proxy, connection) = serve_connection().await;
    (server, proxy, Client::new(connection))
}

async fn serve_connection() -> (TestServer, GoAwayProxy, Connection) {
    let fake = FakeServer::new();
    conformance_workflows::register_all(&fake);
    let server = TestServer::start(Arc::new(fake)).await.unwrap();
    let upstream = server
        .url()
        .unwrap()
        .trim_start_matches("http://")
        .to_owned();
    let proxy = GoAwayProxy::start(upstream).await;
    let retry = RpcRetryConfig {
        initial_interval: Duration::from_millis(5),
        max_interval: Duration::from_millis(20),
        max_elapsed: Some(Duration::from_secs(10)),
        ..RpcRetryConfig::default()
    };
    let connection = Connection::connect(ConnectionOptions::new(proxy.url()).retry(retry))
        .await
        .unwrap();
    (server, proxy, connection)
}

#[tokio::test]
async fn a_start_cut_by_goaway_with_enhance_your_calm_is_applied_exactly_once() {
    let (server, proxy, client) = serve().await;
    // The start is held at the server, so the GOAWAY arrives while it is out.
    server
        .faults()
        .latency("StartWorkflowExecution", Duration::from_millis(300));
    let start = client.start(COUNTER, WorkflowOptions::new("calm-start", "q").args((1,)));
    let fire = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        proxy.goaway_all(ENHANCE_YOUR_CALM).await
    };
    let (handle, sent) = tokio::join!(start, fire);
    server.faults().clear();
    assert!(sent >= 1, "the proxy sent no GOAWAY");
    let handle = handle.unwrap_or_else(|e| panic!("the start was not retried: {e:?}"));
    assert!(
        server.faults().calls("StartWorkflowExecution") >= 2,
        "the start was sent again on a new connection"
    );
    let count = client
        .count("WorkflowId = 'calm-start'")
        .await
        .unwrap()
        .count;
    assert_eq!(count, 1, "exactly one run");
    let described = handle.describe().await.unwrap();
    assert_eq!(
        described.execution.run_id,
        client
            .get_handle::<i64>("calm-start")
            .describe()
            .await
            .unwrap()
            .execution
            .run_id,
        "the caller got the run that exists"
    );
}

#[tokio::test]
async fn result_survives_goaway_with_enhance_your_calm_mid_long_poll() {
    let (server, proxy, client) = serve().await;
    let handle = client
        .start(COUNTER, WorkflowOptions::new("calm-poll", "q").args((7,)))
        .await
        .unwrap();
    let polls_before = server.faults().calls("GetWorkflowExecutionHistory");
    let waiting = tokio::spawn({
        let handle = handle.clone();
        async move { handle.result().await }
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert!(proxy.goaway_all(ENHANCE_YOUR_CALM).await >= 1);
    tokio::time::sleep(Duration::from_millis(50)).await;
    handle.signal("finish").await.unwrap();
    let result = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("result() hung after the GOAWAY")
        .unwrap();
    assert_eq!(result.unwrap(), 7);
    assert!(
        server.faults().calls("GetWorkflowExecutionHistory") >= polls_before + 2,
        "the long poll was sent again"
    );
}

#[tokio::test]
async fn a_call_not_safe_to_repeat_cut_by_goaway_with_an_error_says_the_outcome_is_unknown() {
    let (server, proxy, connection) = serve_connection().await;
    server
        .faults()
        .latency("DeleteWorkflowExecution", Duration::from_millis(300));
    let delete = connection.delete_workflow_execution(
        wf::DeleteWorkflowExecutionRequest {
            namespace: "default".into(),
            ..Default::default()
        }
        .into(),
    );
    let fire = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        proxy.goaway_all(ENHANCE_YOUR_CALM).await
    };
    let (outcome, sent) = tokio::join!(delete, fire);
    assert!(sent >= 1, "the proxy sent no GOAWAY");
    let err = outcome.unwrap_err();
    assert_eq!(server.faults().calls("DeleteWorkflowExecution"), 1, "{err}");
    assert_eq!(err.code(), Code::Unavailable, "{err}");
    assert_eq!(err.origin(), ErrorOrigin::Transport, "{err}");
    assert!(
        err.message().contains("may or may not have applied"),
        "{err}"
    );
}
