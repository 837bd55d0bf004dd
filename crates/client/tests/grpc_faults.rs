//! The real `Connection` (headers, retry policy, long polls) against the testkit's fake
//! served over gRPC, in memory (duplex) and on loopback, with injected faults.

use std::sync::Arc;
use std::time::Duration;

use temporal_client::{
    Client, Code, Connection, ConnectionOptions, Error, RpcRetryConfig, WorkflowDefinition,
    WorkflowOptions,
};
use temporal_testkit::grpc::TestServer;
use temporal_testkit::{FakeServer, conformance_workflows};

const COUNTER: WorkflowDefinition<(i64,), i64> = WorkflowDefinition::new("counter");
const WAIT_CANCEL: WorkflowDefinition<(), ()> = WorkflowDefinition::new("wait_cancel");

fn fake() -> FakeServer {
    let fake = FakeServer::new();
    conformance_workflows::register_all(&fake);
    fake
}

fn quick_retry() -> RpcRetryConfig {
    RpcRetryConfig {
        initial_interval: Duration::from_millis(5),
        max_interval: Duration::from_millis(20),
        ..RpcRetryConfig::default()
    }
}

#[tokio::test]
async fn a_connection_over_an_in_memory_duplex_runs_a_workflow() {
    let fake = fake();
    let server = TestServer::duplex(Arc::new(fake.clone()));
    let connection = Connection::lazy_with_connector(
        ConnectionOptions::new("http://in-memory:7233"),
        server.connector(),
    )
    .unwrap();
    let client = Client::new(connection);
    let handle = client
        .start(COUNTER, WorkflowOptions::new("duplex-1", "q").args((4,)))
        .await
        .unwrap();
    handle.signal("increment").args((3_i64,)).await.unwrap();
    handle.signal("finish").await.unwrap();
    assert_eq!(handle.result().await.unwrap(), 7);
    assert!(server.faults().calls("StartWorkflowExecution") == 1);
}

#[tokio::test]
async fn unavailable_is_retried_and_the_start_happens_once() {
    let fake = fake();
    let server = TestServer::start(Arc::new(fake.clone())).await.unwrap();
    let connection =
        Connection::connect(ConnectionOptions::new(server.url().unwrap()).retry(quick_retry()))
            .await
            .unwrap();
    let client = Client::new(connection);

    server.faults().fail_next(
        "StartWorkflowExecution",
        2,
        Code::Unavailable,
        "injected outage",
    );
    let handle = client
        .start(WAIT_CANCEL, WorkflowOptions::new("retry-1", "q"))
        .await
        .unwrap();
    assert_eq!(
        server.faults().calls("StartWorkflowExecution"),
        3,
        "two failures, then the attempt that worked"
    );
    // The same request id was reused by the retries: exactly one run exists.
    assert_eq!(
        client.count("WorkflowId = 'retry-1'").await.unwrap().count,
        1
    );

    // INVALID_ARGUMENT is not retried.
    server.faults().fail_next(
        "SignalWorkflowExecution",
        1,
        Code::InvalidArgument,
        "injected bad request",
    );
    let err = handle.signal("anything").await.unwrap_err();
    assert!(
        matches!(&err, Error::Service(e) if e.code() == Code::InvalidArgument),
        "{err:?}"
    );
    assert_eq!(server.faults().calls("SignalWorkflowExecution"), 1);
    handle.terminate().reason("done").await.unwrap();
}

#[tokio::test]
async fn result_survives_a_connection_drop_in_the_middle_of_its_long_poll() {
    let fake = fake();
    let server = TestServer::start(Arc::new(fake.clone())).await.unwrap();
    let connection =
        Connection::connect(ConnectionOptions::new(server.url().unwrap()).retry(quick_retry()))
            .await
            .unwrap();
    let client = Client::new(connection);
    let handle = client
        .start(COUNTER, WorkflowOptions::new("drop-1", "q").args((1,)))
        .await
        .unwrap();

    let waiting = tokio::spawn({
        let handle = handle.clone();
        async move { handle.result().await }
    });
    // Let the long poll reach the server, then cut every connection under it.
    tokio::time::sleep(Duration::from_millis(100)).await;
    server.faults().drop_connections();
    tokio::time::sleep(Duration::from_millis(50)).await;
    handle.signal("finish").await.unwrap();
    let result = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(result.unwrap(), 1);
    assert!(
        server.faults().calls("GetWorkflowExecutionHistory") >= 2,
        "the poll was sent again"
    );
}

#[tokio::test]
async fn client_futures_are_send_and_the_client_is_shareable() {
    fn assert_send_sync_clone<T: Send + Sync + Clone>() {}
    assert_send_sync_clone::<Client>();
    assert_send_sync_clone::<Connection>();
    assert_send_sync_clone::<temporal_client::WorkflowHandle<i64>>();
    fn assert_error<T: std::error::Error + Send + Sync + 'static>() {}
    assert_error::<Error>();

    // Operations can run on spawned tasks (their futures are Send).
    let client = Client::from_service(fake());
    let task = tokio::spawn({
        let client = client.clone();
        async move {
            let handle = client
                .start(COUNTER, WorkflowOptions::new("send-1", "q").args((2,)))
                .await?;
            handle.signal("finish").await?;
            handle.result().await
        }
    });
    assert_eq!(task.await.unwrap().unwrap(), 2);
}

/// A per-call timeout bounds `result()` (however many long polls it makes) and a query,
/// over a real connection: each returns the typed timeout error on time.
#[tokio::test]
async fn per_call_timeouts_on_result_and_query_return_a_typed_timeout_in_time() {
    let fake = fake();
    let server = TestServer::start(Arc::new(fake.clone())).await.unwrap();
    let connection = Connection::connect(ConnectionOptions::new(server.url().unwrap()))
        .await
        .unwrap();
    let client = Client::new(connection);
    let handle = client
        .start(WAIT_CANCEL, WorkflowOptions::new("timeouts-1", "q"))
        .await
        .unwrap();

    let started = std::time::Instant::now();
    let err = handle
        .result()
        .timeout(Duration::from_millis(800))
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(err, Error::Timeout { operation: "get workflow result", timeout, .. } if timeout == Duration::from_millis(800)),
        "{err:?}"
    );
    assert!(err.is_timeout());
    assert!(
        took >= Duration::from_millis(800) && took < Duration::from_secs(3),
        "{took:?}"
    );

    server
        .faults()
        .latency("QueryWorkflow", Duration::from_secs(10));
    let started = std::time::Instant::now();
    let err = handle
        .query::<bool, ()>("cleaned_up")
        .timeout(Duration::from_millis(500))
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(
            err,
            Error::Timeout {
                operation: "query workflow",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(took < Duration::from_secs(3), "{took:?}");
    server.faults().clear();
    handle.cancel().await.unwrap();
}

/// A mutation whose response is lost after it took effect is retried by the connection
/// with the same request id: the signal is recorded once, signal-with-start signals
/// once, and a terminate that finds its run already terminated reports success.
#[tokio::test]
async fn mutations_retried_after_a_lost_response_take_effect_once_and_report_success() {
    let fake = fake();
    let server = TestServer::start(Arc::new(fake.clone())).await.unwrap();
    let connection =
        Connection::connect(ConnectionOptions::new(server.url().unwrap()).retry(quick_retry()))
            .await
            .unwrap();
    let client = Client::new(connection);
    let handle = client
        .start(COUNTER, WorkflowOptions::new("lost-1", "q").args((0,)))
        .await
        .unwrap();

    server.faults().lose_response_next(
        "SignalWorkflowExecution",
        1,
        Code::Unavailable,
        "response lost",
    );
    handle.signal("increment").arg(5_i64).await.unwrap();
    assert_eq!(server.faults().calls("SignalWorkflowExecution"), 2);
    let value: i64 = handle.query("get_value").await.unwrap();
    assert_eq!(value, 5, "the retried signal was applied once");

    server.faults().lose_response_next(
        "SignalWithStartWorkflowExecution",
        1,
        Code::Unavailable,
        "response lost",
    );
    client
        .signal_with_start(
            COUNTER,
            WorkflowOptions::new("lost-1", "q").args((0,)),
            "increment",
        )
        .arg(2_i64)
        .await
        .unwrap();
    assert_eq!(server.faults().calls("SignalWithStartWorkflowExecution"), 2);
    let value: i64 = handle.query("get_value").await.unwrap();
    assert_eq!(value, 7, "the retried signal-with-start signalled once");

    server.faults().lose_response_next(
        "TerminateWorkflowExecution",
        1,
        Code::Unavailable,
        "response lost",
    );
    handle
        .terminate()
        .reason("done")
        .await
        .expect("the first attempt terminated the run: that is success");
    assert_eq!(server.faults().calls("TerminateWorkflowExecution"), 2);
    let history = handle.fetch_history().into_history().await.unwrap();
    let signals = history
        .events
        .iter()
        .filter(|e| {
            e.event_type()
                == temporal_client::proto::temporal::api::enums::v1::EventType::WorkflowExecutionSignaled
        })
        .count();
    assert_eq!(signals, 2, "one event per signal, none for the retries");

    // A terminate of a run that was already closed by something else is still an error.
    let other = client
        .start(COUNTER, WorkflowOptions::new("lost-2", "q").args((0,)))
        .await
        .unwrap();
    other.signal("finish").await.unwrap();
    other.result().await.unwrap();
    server.faults().lose_response_next(
        "TerminateWorkflowExecution",
        1,
        Code::Unavailable,
        "response lost",
    );
    let err = other.terminate().await.unwrap_err();
    assert!(err.is_already_completed(), "{err:?}");
}
