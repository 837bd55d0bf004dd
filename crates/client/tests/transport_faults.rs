//! Transport failures under real calls: a dropped connection, a graceful GOAWAY, a
//! stream reset after the server applied the call, a dev server restarted with starts
//! in flight. Calls safe to repeat are retried (no start lost or duplicated); calls that
//! are not say the outcome is unknown; limits of the client fail at once, naming the
//! limit.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use temporal_client::{
    Client, Code, Connection, ConnectionOptions, ErrorOrigin, RpcRetryConfig, WorkflowDefinition,
    WorkflowOptions,
};
use temporal_client_core::WorkflowService;
use temporal_client_core::proto::temporal::api::common::v1::{Payload, Payloads};
use temporal_client_core::proto::temporal::api::workflowservice::v1 as wf;
use temporal_testkit::grpc::TestServer;
use temporal_testkit::{DevServer, DevServerError, FakeServer, conformance_workflows};

const COUNTER: WorkflowDefinition<(i64,), i64> = WorkflowDefinition::new("counter");

fn quick_retry() -> RpcRetryConfig {
    RpcRetryConfig {
        initial_interval: Duration::from_millis(5),
        max_interval: Duration::from_millis(20),
        max_elapsed: Some(Duration::from_secs(10)),
        ..RpcRetryConfig::default()
    }
}

async fn serve() -> (Connection, TestServer, Client) {
    let fake = FakeServer::new();
    conformance_workflows::register_all(&fake);
    let server = TestServer::start(Arc::new(fake.clone())).await.unwrap();
    let connection =
        Connection::connect(ConnectionOptions::new(server.url().unwrap()).retry(quick_retry()))
            .await
            .unwrap();
    (connection.clone(), server, Client::new(connection))
}

/// The faults a start and a long poll must survive.
#[derive(Debug, Clone, Copy)]
enum Fault {
    /// Every connection is cut (TCP closed) while the call is out.
    Drop,
    /// A graceful GOAWAY on every connection while the call is out.
    GoAway,
    /// The call takes effect, then its stream is reset with INTERNAL_ERROR.
    ResetInternal,
    /// The call takes effect, then its stream is reset with ENHANCE_YOUR_CALM.
    ResetCalm,
}

const FAULTS: [Fault; 4] = [
    Fault::Drop,
    Fault::GoAway,
    Fault::ResetInternal,
    Fault::ResetCalm,
];

/// Arms `fault` for the next call of `rpc`; for the connection-wide faults, the call is
/// held at the server for a moment so the fault hits it in flight.
fn arm(server: &TestServer, fault: Fault, rpc: &str) {
    let faults = server.faults();
    match fault {
        Fault::Drop | Fault::GoAway => faults.latency(rpc, Duration::from_millis(300)),
        Fault::ResetInternal => faults.reset_stream_next(rpc, 1, h2::Reason::INTERNAL_ERROR),
        Fault::ResetCalm => faults.reset_stream_next(rpc, 1, h2::Reason::ENHANCE_YOUR_CALM),
    }
}

/// Fires a connection-wide fault while a held call is out.
async fn fire(server: &TestServer, fault: Fault) {
    tokio::time::sleep(Duration::from_millis(100)).await;
    match fault {
        Fault::Drop => server.faults().drop_connections(),
        Fault::GoAway => server.faults().goaway_connections(),
        Fault::ResetInternal | Fault::ResetCalm => {}
    }
}

#[tokio::test]
async fn a_start_survives_every_transport_fault_exactly_once() {
    let (_connection, server, client) = serve().await;
    for (i, fault) in FAULTS.into_iter().enumerate() {
        let id = format!("start-{i}");
        arm(&server, fault, "StartWorkflowExecution");
        let start = client.start(COUNTER, WorkflowOptions::new(&id, "q").args((1,)));
        let (handle, ()) = tokio::join!(start, fire(&server, fault));
        server.faults().clear();
        let handle = handle.unwrap_or_else(|e| panic!("{fault:?}: {e:?}"));
        let count = client
            .count(format!("WorkflowId = '{id}'"))
            .await
            .unwrap()
            .count;
        assert_eq!(count, 1, "{fault:?}: exactly one run");
        // The run the caller got is the one that exists.
        let run = client.get_handle::<i64>(&id).describe().await.unwrap();
        assert_eq!(
            handle.describe().await.unwrap().status(),
            run.status(),
            "{fault:?}"
        );
    }
    assert!(
        server.faults().calls("StartWorkflowExecution") >= 6,
        "the reset starts were sent again"
    );
}

#[tokio::test]
async fn result_survives_every_transport_fault_in_its_long_poll() {
    let (_connection, server, client) = serve().await;
    for (i, fault) in FAULTS.into_iter().enumerate() {
        let handle = client
            .start(
                COUNTER,
                WorkflowOptions::new(format!("poll-{i}"), "q").args((i as i64,)),
            )
            .await
            .unwrap();
        let polls_before = server.faults().calls("GetWorkflowExecutionHistory");
        match fault {
            Fault::ResetInternal => server.faults().reset_stream_next(
                "GetWorkflowExecutionHistory",
                1,
                h2::Reason::INTERNAL_ERROR,
            ),
            Fault::ResetCalm => server.faults().reset_stream_next(
                "GetWorkflowExecutionHistory",
                1,
                h2::Reason::ENHANCE_YOUR_CALM,
            ),
            Fault::Drop | Fault::GoAway => {}
        }
        let waiting = tokio::spawn({
            let handle = handle.clone();
            async move { handle.result().await }
        });
        fire(&server, fault).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        handle.signal("finish").await.unwrap();
        let result = tokio::time::timeout(Duration::from_secs(10), waiting)
            .await
            .unwrap_or_else(|_| panic!("{fault:?}: result() hung"))
            .unwrap();
        assert_eq!(
            result.unwrap_or_else(|e| panic!("{fault:?}: {e:?}")),
            i as i64
        );
        if !matches!(fault, Fault::GoAway) {
            assert!(
                server.faults().calls("GetWorkflowExecutionHistory") >= polls_before + 2,
                "{fault:?}: the poll was sent again"
            );
        }
        server.faults().clear();
    }
}

#[tokio::test]
async fn a_cancel_retried_after_a_lost_response_is_requested_once() {
    let (_connection, server, client) = serve().await;
    let handle = client
        .start(COUNTER, WorkflowOptions::new("cancel-once", "q").args((0,)))
        .await
        .unwrap();
    server.faults().reset_stream_next(
        "RequestCancelWorkflowExecution",
        1,
        h2::Reason::INTERNAL_ERROR,
    );
    handle.cancel().reason("once").await.unwrap();
    assert_eq!(server.faults().calls("RequestCancelWorkflowExecution"), 2);
    let history = handle.fetch_history().into_history().await.unwrap();
    let requests = history
        .events
        .iter()
        .filter(|e| {
            e.event_type()
                == temporal_client::proto::temporal::api::enums::v1::EventType::WorkflowExecutionCancelRequested
        })
        .count();
    assert_eq!(requests, 1, "the retried cancel was applied once");
}

/// A connect that fails sends nothing, so even a call not safe to repeat is retried on
/// the next connection: a connect timeout and a failed name lookup are as much "not
/// delivered" as a refused connection, although their I/O errors are not refusals.
#[tokio::test]
async fn a_call_not_safe_to_repeat_is_retried_after_a_failed_connect() {
    use std::sync::atomic::{AtomicBool, Ordering};

    let (_connection, server, _client) = serve().await;
    let authority = server.address().unwrap().to_string();
    for lookup_fails in [false, true] {
        // The first connect fails (it hangs past the connect timeout, or its lookup
        // fails); the next one connects.
        let failed = Arc::new(AtomicBool::new(false));
        let connector = {
            let (failed, authority) = (Arc::clone(&failed), authority.clone());
            tower::service_fn(move |_: http::Uri| {
                let (failed, authority) = (Arc::clone(&failed), authority.clone());
                async move {
                    if !failed.swap(true, Ordering::SeqCst) {
                        if lookup_fails {
                            return Err(std::io::Error::other(
                                "failed to lookup address information: Name or service not known",
                            ));
                        }
                        tokio::time::sleep(Duration::from_secs(30)).await;
                    }
                    let stream = tokio::net::TcpStream::connect(authority).await?;
                    Ok(hyper_util::rt::TokioIo::new(stream))
                }
            })
        };
        let connection = Connection::lazy_with_connector(
            ConnectionOptions::new(server.url().unwrap())
                .retry(quick_retry())
                .connect_timeout(Duration::from_millis(300)),
            connector,
        )
        .unwrap();
        let before = server.faults().calls("DeleteWorkflowExecution");
        let outcome = connection
            .delete_workflow_execution(
                wf::DeleteWorkflowExecutionRequest {
                    namespace: "default".into(),
                    ..Default::default()
                }
                .into(),
            )
            .await;
        // The fake answers the one delivered attempt (a delete of nothing is its own
        // error); what matters is that it was sent, once, after the failed connect.
        assert!(failed.load(Ordering::SeqCst));
        assert_eq!(
            server.faults().calls("DeleteWorkflowExecution") - before,
            1,
            "lookup fails: {lookup_fails}: {outcome:?}"
        );
        if let Err(err) = outcome {
            assert_eq!(err.origin(), ErrorOrigin::Server, "{err}");
            assert_eq!(err.attempts(), 2, "{err}");
        }
    }
}

#[tokio::test]
async fn a_call_not_safe_to_repeat_is_not_retried_after_a_reset_and_says_so() {
    let (connection, server, _client) = serve().await;
    server
        .faults()
        .reset_stream_next("DeleteWorkflowExecution", 1, h2::Reason::INTERNAL_ERROR);
    let err = connection
        .delete_workflow_execution(
            wf::DeleteWorkflowExecutionRequest {
                namespace: "default".into(),
                ..Default::default()
            }
            .into(),
        )
        .await
        .unwrap_err();
    assert_eq!(server.faults().calls("DeleteWorkflowExecution"), 1);
    assert_eq!(err.code(), Code::Unavailable, "{err}");
    assert_eq!(err.origin(), ErrorOrigin::Transport, "{err}");
    assert_eq!(err.attempts(), 1);
    assert!(
        err.message().contains("may or may not have applied"),
        "{err}"
    );
}

#[tokio::test]
async fn a_response_above_the_decode_limit_fails_at_once_naming_the_limit() {
    let fake = FakeServer::new();
    let server = TestServer::start(Arc::new(fake)).await.unwrap();
    // Lazy: even the connect check's answer is above 16 bytes.
    let connection = Connection::lazy(
        ConnectionOptions::new(server.url().unwrap())
            .retry(quick_retry())
            .max_decoding_message_size(16),
    )
    .unwrap();
    let err = connection
        .describe_namespace(
            wf::DescribeNamespaceRequest {
                namespace: "default".into(),
                ..Default::default()
            }
            .into(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        server.faults().calls("DescribeNamespace"),
        1,
        "not re-run: {err}"
    );
    assert_eq!(err.origin(), ErrorOrigin::Local, "{err}");
    assert!(!err.is_retryable(), "{err}");
    assert!(
        err.to_string().contains("max_decoding_message_size"),
        "{err}"
    );
}

fn start_with_input(bytes: usize) -> wf::StartWorkflowExecutionRequest {
    wf::StartWorkflowExecutionRequest {
        namespace: "default".into(),
        workflow_id: "too-large".into(),
        request_id: "r-1".into(),
        input: Some(Payloads {
            payloads: vec![Payload {
                data: vec![0; bytes],
                ..Default::default()
            }],
        }),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_request_above_the_encode_limit_is_never_sent() {
    let fake = FakeServer::new();
    let server = TestServer::start(Arc::new(fake)).await.unwrap();
    let url = server.url().unwrap().to_owned();
    let connection = Connection::connect(ConnectionOptions::new(&url).retry(quick_retry()))
        .await
        .unwrap();
    // The default limit: 128 MiB, the server's own.
    let err = connection
        .start_workflow_execution(start_with_input(130 << 20).into())
        .await
        .unwrap_err();
    // Refused once, before any attempt reached the server: not retried.
    assert_eq!(err.attempts(), 1, "{err}");
    assert_eq!(server.faults().calls("StartWorkflowExecution"), 0);
    assert_eq!(err.origin(), ErrorOrigin::Local, "{err}");
    assert!(!err.is_retryable(), "{err}");
    assert!(
        err.message().contains("max_encoding_message_size")
            && err.message().contains(&(128usize << 20).to_string()),
        "{err}"
    );

    let small = Connection::connect(
        ConnectionOptions::new(&url)
            .retry(quick_retry())
            .max_encoding_message_size(1000),
    )
    .await
    .unwrap();
    let err = small
        .start_workflow_execution(start_with_input(2000).into())
        .await
        .unwrap_err();
    assert!(err.message().contains("1000 bytes"), "{err}");
    assert_eq!(server.faults().calls("StartWorkflowExecution"), 0);
}

#[tokio::test]
async fn metadata_above_the_header_limit_is_refused_before_sending() {
    let fake = FakeServer::new();
    let server = TestServer::start(Arc::new(fake)).await.unwrap();
    let connection =
        Connection::connect(ConnectionOptions::new(server.url().unwrap()).retry(quick_retry()))
            .await
            .unwrap();
    let request = temporal_client_core::ServiceRequest::new(wf::DescribeNamespaceRequest {
        namespace: "default".into(),
        ..Default::default()
    })
    .with_metadata("x-big", "a".repeat(17 << 20));
    let err = connection.describe_namespace(request).await.unwrap_err();
    assert_eq!(server.faults().calls("DescribeNamespace"), 0);
    assert_eq!(err.origin(), ErrorOrigin::Local, "{err}");
    assert!(!err.is_retryable(), "{err}");
    assert!(err.message().contains("16777216"), "{err}");

    let err = Connection::lazy(
        ConnectionOptions::new(server.url().unwrap()).metadata("x-big", "a".repeat(17 << 20)),
    )
    .expect_err("refused when built");
    assert!(err.to_string().contains("16777216"), "{err}");
}

/// A dev server restarted with 20 starts in flight: every start returns (Ok or a typed
/// error, never a hang), and visibility holds exactly one run per workflow id that
/// started.
#[tokio::test]
async fn starts_in_flight_across_a_dev_server_restart_happen_once() {
    let mut server = match DevServer::builder().temp_db_file().start().await {
        Ok(server) => server,
        Err(e @ DevServerError::CliNotFound { .. })
            if std::env::var("TEMPORAL_REQUIRE_SERVER").as_deref() != Ok("1") =>
        {
            eprintln!("SKIPPED: {e}");
            return;
        }
        Err(e) => panic!("the dev server did not start: {e}"),
    };
    let client = Client::connect(server.address()).await.unwrap();
    const IDLE: WorkflowDefinition<(), ()> = WorkflowDefinition::new("transport-restart");
    let run = uuid::Uuid::new_v4().simple().to_string();
    let ids: Vec<String> = (0..20).map(|i| format!("restart-{run}-{i}")).collect();
    let starts = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let client = client.clone();
            let id = id.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(25 * i as u64)).await;
                client
                    .start(IDLE, WorkflowOptions::new(id, "transport-restart-q"))
                    .timeout(Duration::from_secs(60))
                    .await
            })
        })
        .collect::<Vec<_>>();
    tokio::time::sleep(Duration::from_millis(100)).await;
    server.restart().await.unwrap();
    let mut started = 0;
    for (id, start) in ids.iter().zip(starts) {
        let outcome = tokio::time::timeout(Duration::from_secs(90), start)
            .await
            .expect("a start hung across the restart")
            .unwrap();
        match outcome {
            Ok(_) => started += 1,
            // A typed error is acceptable; an untyped hang or panic is not.
            Err(e) => eprintln!("{id}: {e}"),
        }
    }
    assert!(started > 0, "no start went through");
    for id in &ids {
        let count = tokio::time::timeout(Duration::from_secs(30), count_eventually(&client, id))
            .await
            .expect("count");
        assert!(count <= 1, "{id}: {count} runs");
    }
    let total = client
        .count(format!("WorkflowId STARTS_WITH 'restart-{run}-'"))
        .await
        .unwrap()
        .count;
    assert!(total >= started as i64, "{total} runs for {started} starts");
    assert!(total <= 20, "{total}");
}

/// The count of runs with `id`, once visibility caught up with describe.
async fn count_eventually(client: &Client, id: &str) -> i64 {
    let exists = client.get_handle::<()>(id).describe().await.is_ok();
    loop {
        let count = client
            .count(format!("WorkflowId = '{id}'"))
            .await
            .unwrap()
            .count;
        if !exists || count >= 1 {
            return count;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
