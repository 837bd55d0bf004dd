//! Observability through a real `Connection` against the testkit's fake over gRPC with
//! injected faults: one `temporal.rpc` span per attempt (attempt number, code, the wait
//! before a retry), and no secret in any span field. (`request_metrics.rs`
//! checks the metrics of the same calls.)

#[path = "span_recorder/mod.rs"]
mod span_recorder;

use std::sync::Arc;
use std::time::Duration;

use temporal_client::{
    Client, Code, Connection, ConnectionOptions, RpcRetryConfig, WorkflowDefinition,
    WorkflowOptions,
};
use temporal_testkit::grpc::TestServer;
use temporal_testkit::{FakeServer, conformance_workflows};
use tracing::instrument::WithSubscriber as _;

use span_recorder::Spans;

const COUNTER: WorkflowDefinition<(i64,), i64> = WorkflowDefinition::new("counter");
const API_KEY: &str = "sk-very-secret-api-key";
const TOKEN: &str = "tenant-token-not-for-logs";

fn quick_retry() -> RpcRetryConfig {
    RpcRetryConfig {
        initial_interval: Duration::from_millis(5),
        max_interval: Duration::from_millis(20),
        multiplier: 2.0,
        jitter: 0.0,
        ..RpcRetryConfig::default()
    }
}

async fn serve() -> (TestServer, Client) {
    let fake = FakeServer::new();
    conformance_workflows::register_all(&fake);
    let server = TestServer::start(Arc::new(fake)).await.unwrap();
    let connection = Connection::connect(
        ConnectionOptions::new(server.url().unwrap())
            .retry(quick_retry())
            .api_key(API_KEY)
            .tls_disabled()
            .metadata("x-tenant-token", TOKEN),
    )
    .await
    .unwrap();
    (server, Client::new(connection))
}

#[tokio::test]
async fn each_attempt_has_a_span_with_its_code_and_wait_and_nothing_secret() {
    let (server, client) = serve().await;
    server
        .faults()
        .fail_next("StartWorkflowExecution", 2, Code::Unavailable, "try again");
    let (spans, dispatch) = Spans::dispatch();
    async {
        client
            .start(COUNTER, WorkflowOptions::new("retried", "q").args((1,)))
            .metadata("authorization-extra", TOKEN)
            .await
            .unwrap();
    }
    .with_subscriber(dispatch)
    .await;

    let [start] = spans.named("temporal.start_workflow").try_into().unwrap();
    assert_eq!(start.field("status"), Some("ok"));
    let attempts = spans.children(&start);
    let summary: Vec<_> = attempts
        .iter()
        .map(|a| {
            (
                a.field("rpc").unwrap(),
                a.field("attempt").unwrap(),
                a.field("grpc_code").unwrap(),
                a.field("backoff_ms"),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("StartWorkflowExecution", "1", "UNAVAILABLE", None),
            ("StartWorkflowExecution", "2", "UNAVAILABLE", Some("5")),
            ("StartWorkflowExecution", "3", "OK", Some("10")),
        ]
    );
    for value in spans.all_values() {
        assert!(
            !value.contains(API_KEY) && !value.contains(TOKEN) && !value.contains("Bearer"),
            "a secret in a span field: {value}"
        );
    }
}

/// A response that does not decode fails the call with `INTERNAL`, and its attempt's
/// span says so too: the attempt is reported after the decode. Direct calls and
/// calls through a user layer (tonic's client) alike.
#[tokio::test]
async fn an_attempt_whose_response_does_not_decode_is_internal_in_its_span() {
    let (server, client) = serve().await;
    let layered = Client::new(
        Connection::connect(
            ConnectionOptions::new(server.url().unwrap())
                .retry(quick_retry())
                .layer(tower::layer::util::Identity::new()),
        )
        .await
        .unwrap(),
    );
    let handle = client
        .start(COUNTER, WorkflowOptions::new("garbled", "q").args((1,)))
        .await
        .unwrap();
    for (path, client) in [("direct", &client), ("layered", &layered)] {
        server
            .faults()
            .garble_response_next("DescribeWorkflowExecution", 1);
        let (spans, dispatch) = Spans::dispatch();
        let err = async {
            client
                .get_handle::<i64>(handle.workflow_id())
                .describe()
                .await
                .unwrap_err()
        }
        .with_subscriber(dispatch)
        .await;
        let service = err.service_error().expect("a service error");
        assert_eq!(service.code(), Code::Internal, "{path}: {err}");
        assert_eq!(service.attempts(), 1, "{path}: {err}");
        let [describe] = spans
            .named("temporal.describe_workflow")
            .try_into()
            .unwrap();
        assert_eq!(describe.field("grpc_code"), Some("INTERNAL"), "{path}");
        let [attempt] = spans.children(&describe).try_into().unwrap();
        assert_eq!(attempt.field("grpc_code"), Some("INTERNAL"), "{path}");
        assert_eq!(attempt.field("otel.status_code"), Some("ERROR"), "{path}");
    }
    // Not retried, and the next call decodes again.
    assert_eq!(server.faults().calls("DescribeWorkflowExecution"), 2);
    client
        .get_handle::<i64>(handle.workflow_id())
        .describe()
        .await
        .unwrap();
}

/// A long poll whose deadline passes ends normally: its attempt span has the code but
/// is not an error (as in the metrics), while the operation that gave up waiting is.
#[tokio::test]
async fn a_long_poll_that_reaches_its_deadline_is_not_an_error_span() {
    let fake = FakeServer::new();
    conformance_workflows::register_all(&fake);
    let server = TestServer::start(Arc::new(fake)).await.unwrap();
    let client = Client::new(
        Connection::connect(
            ConnectionOptions::new(server.url().unwrap()).long_poll_timeout(Duration::from_secs(1)),
        )
        .await
        .unwrap(),
    );
    // Waits for a signal that never comes.
    let handle = client
        .start(COUNTER, WorkflowOptions::new("waiting", "q").args((1,)))
        .await
        .unwrap();
    let (spans, dispatch) = Spans::dispatch();
    let err = async {
        handle
            .result()
            .timeout(Duration::from_millis(2200))
            .await
            .unwrap_err()
    }
    .with_subscriber(dispatch)
    .await;
    assert!(err.is_timeout(), "{err}");

    let [result] = spans
        .named("temporal.get_workflow_result")
        .try_into()
        .unwrap();
    assert_eq!(result.field("otel.status_code"), Some("ERROR"));
    let polls: Vec<_> = spans
        .children(&result)
        .into_iter()
        .filter(|a| a.field("grpc_code") == Some("DEADLINE_EXCEEDED"))
        .collect();
    assert!(!polls.is_empty(), "no long poll reached its deadline");
    for poll in polls {
        assert_eq!(poll.field("rpc"), Some("GetWorkflowExecutionHistory"));
        assert_eq!(poll.field("otel.status_code"), None, "{poll:?}");
    }
}
