//! `Connection` against an in-process tonic server on 127.0.0.1: headers, retries,
//! error details, timeouts, long polls, eager and lazy connects, every RPC's path, live
//! credentials, user tower layers, and where errors come from.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod connection_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use connection_support::{TestServer, closed_port};
use temporal_client::{CLIENT_NAME, CLIENT_VERSION, ConnectError, Connection, ConnectionOptions};
use temporal_client_core::proto::grpc::health::v1::health_check_response::ServingStatus;
use temporal_client_core::proto::temporal::api::errordetails::v1::WorkflowExecutionAlreadyStartedFailure;
use temporal_client_core::proto::temporal::api::operatorservice::v1 as op;
use temporal_client_core::proto::temporal::api::workflowservice::v1 as wf;
use temporal_client_core::{
    Code, ErrorDetails, ErrorOrigin, OperatorService, RetryOverride, RpcRetryConfig,
    ServiceRequest, WorkflowService,
};
use temporal_testkit::grpc::ANY_RPC;

/// Retries without noticeable waits, bounded by attempts only.
fn fast_retry(max_attempts: u32) -> RpcRetryConfig {
    RpcRetryConfig {
        initial_interval: Duration::from_millis(1),
        resource_exhausted_initial_interval: Duration::from_millis(1),
        multiplier: 1.0,
        max_interval: Duration::from_millis(1),
        jitter: 0.0,
        max_attempts,
        max_elapsed: Some(Duration::from_secs(10)),
    }
}

async fn connect(server: &TestServer) -> Connection {
    Connection::connect(ConnectionOptions::new(server.address()).retry(fast_retry(10)))
        .await
        .expect("connect to the test server")
}

fn start_request(id: &str) -> wf::StartWorkflowExecutionRequest {
    wf::StartWorkflowExecutionRequest {
        namespace: "ns-1".into(),
        workflow_id: id.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn every_call_carries_the_client_namespace_auth_and_custom_headers() {
    let server = TestServer::start().await;
    server
        .script
        .required_api_key
        .lock()
        .unwrap()
        .replace("k3y".into());
    let options = ConnectionOptions::new(server.address())
        .api_key("k3y")
        .tls_disabled()
        .metadata("X-Team", "billing");
    let conn = Connection::connect(options).await.expect("connect");

    let request = ServiceRequest::new(wf::DescribeNamespaceRequest {
        namespace: "ns-1".into(),
        ..Default::default()
    })
    .with_metadata("x-call", "yes");
    conn.describe_namespace(request).await.expect("describe");

    let h = server.script.last_headers("DescribeNamespace");
    assert_eq!(h["client-name"], CLIENT_NAME);
    assert_eq!(CLIENT_NAME, "temporal-client-rs");
    assert_eq!(h["client-version"], CLIENT_VERSION);
    assert_eq!(h["temporal-namespace"], "ns-1");
    assert_eq!(h["authorization"], "Bearer k3y");
    assert_eq!(h["x-team"], "billing");
    assert_eq!(h["x-call"], "yes");
    assert_eq!(
        h["grpc-timeout"], "10000m",
        "the default RPC timeout is sent"
    );

    let h = server.script.last_headers("GetSystemInfo");
    assert_eq!(h["client-name"], CLIENT_NAME);
    assert!(
        h.get("temporal-namespace").is_none(),
        "GetSystemInfo has no namespace"
    );
    assert!(
        h.get("x-call").is_none(),
        "per-call metadata stays with its call"
    );
}

#[tokio::test]
async fn connect_keeps_the_system_info_and_health_check_reports_serving() {
    let server = TestServer::start().await;
    let conn = connect(&server).await;
    let info = conn.system_info().expect("kept by connect");
    assert_eq!(info.server_version, "in-process-test");
    let caps = conn.capabilities().expect("capabilities");
    assert!(caps.signal_and_query_header && caps.eager_workflow_start);
    assert_eq!(
        conn.check_health().await.expect("health"),
        ServingStatus::Serving
    );

    let clone = conn.clone();
    assert!(clone.system_info().is_some(), "clones share the cache");
    let lazy = Connection::lazy(ConnectionOptions::new(server.address())).unwrap();
    assert!(lazy.system_info().is_none());
    let info = lazy.load_system_info().await.expect("load");
    assert_eq!(info.server_version, "in-process-test");
    assert!(lazy.capabilities().is_some());
}

#[tokio::test]
async fn unavailable_is_retried_until_success() {
    let server = TestServer::start().await;
    let conn = connect(&server).await;
    for _ in 0..3 {
        server
            .script
            .start_failures
            .lock()
            .unwrap()
            .push_back(tonic::Status::unavailable("shard moving"));
    }
    let response = conn
        .start_workflow_execution(start_request("wf-1").into())
        .await
        .expect("succeeds after three retries");
    assert_eq!(response.run_id, "run-4");
    assert_eq!(
        server
            .script
            .starts
            .load(std::sync::atomic::Ordering::SeqCst),
        4
    );
}

#[tokio::test]
async fn invalid_argument_and_not_found_are_not_retried() {
    for (code, expected) in [
        (tonic::Code::InvalidArgument, Code::InvalidArgument),
        (tonic::Code::NotFound, Code::NotFound),
        (tonic::Code::PermissionDenied, Code::PermissionDenied),
    ] {
        let server = TestServer::start().await;
        let conn = connect(&server).await;
        server
            .script
            .start_always_fails
            .lock()
            .unwrap()
            .replace((code, "no".into()));
        let err = conn
            .start_workflow_execution(start_request("wf-1").into())
            .await
            .expect_err("fails");
        assert_eq!(err.code(), expected);
        assert_eq!(err.rpc(), "StartWorkflowExecution");
        assert_eq!(
            server
                .script
                .starts
                .load(std::sync::atomic::Ordering::SeqCst),
            1,
            "{code:?} is not retried"
        );
    }
}

#[tokio::test]
async fn retry_can_be_disabled_or_replaced_per_call() {
    let server = TestServer::start().await;
    let conn = connect(&server).await;
    server
        .script
        .start_always_fails
        .lock()
        .unwrap()
        .replace((tonic::Code::Unavailable, "down".into()));
    let starts = || {
        server
            .script
            .starts
            .load(std::sync::atomic::Ordering::SeqCst)
    };

    let err = conn
        .start_workflow_execution(
            ServiceRequest::new(start_request("a")).with_retry(RetryOverride::Disabled),
        )
        .await
        .expect_err("one attempt");
    assert_eq!(err.code(), Code::Unavailable);
    assert_eq!(starts(), 1);

    let err = conn
        .start_workflow_execution(
            ServiceRequest::new(start_request("b"))
                .with_retry(RetryOverride::Custom(fast_retry(3))),
        )
        .await
        .expect_err("three attempts");
    assert_eq!(err.code(), Code::Unavailable);
    assert_eq!(starts(), 4);

    conn.start_workflow_execution(start_request("c").into())
        .await
        .expect_err("the connection's ten attempts");
    assert_eq!(starts(), 14);
}

#[tokio::test]
async fn the_retry_time_budget_bounds_a_failing_call() {
    let server = TestServer::start().await;
    let budget = RpcRetryConfig {
        initial_interval: Duration::from_millis(50),
        multiplier: 1.0,
        max_interval: Duration::from_millis(50),
        jitter: 0.0,
        max_attempts: 0,
        max_elapsed: Some(Duration::from_millis(400)),
        ..RpcRetryConfig::default()
    };
    let conn = Connection::connect(ConnectionOptions::new(server.address()).retry(budget))
        .await
        .unwrap();
    server
        .script
        .start_always_fails
        .lock()
        .unwrap()
        .replace((tonic::Code::ResourceExhausted, "busy".into()));
    let started = Instant::now();
    let err = conn
        .start_workflow_execution(start_request("wf").into())
        .await
        .expect_err("gives up");
    let elapsed = started.elapsed();
    assert_eq!(err.code(), Code::ResourceExhausted);
    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
    let starts = server
        .script
        .starts
        .load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        (2..=9).contains(&starts),
        "{starts} attempts in {elapsed:?}"
    );
}

#[tokio::test]
async fn already_started_details_are_decoded() {
    let server = TestServer::start().await;
    let conn = connect(&server).await;
    let detail =
        ErrorDetails::WorkflowExecutionAlreadyStarted(WorkflowExecutionAlreadyStartedFailure {
            start_request_id: "req-1".into(),
            run_id: "run-existing".into(),
            first_execution_run_id: String::new(),
        });
    let bytes = detail.encode_status(Code::AlreadyExists, "Workflow execution is already running");
    server
        .script
        .start_failures
        .lock()
        .unwrap()
        .push_back(tonic::Status::with_details(
            tonic::Code::AlreadyExists,
            "Workflow execution is already running",
            bytes.into(),
        ));
    let err = conn
        .start_workflow_execution(start_request("dup").into())
        .await
        .expect_err("already started");
    assert_eq!(err.code(), Code::AlreadyExists);
    assert!(err.is_already_exists());
    assert_eq!(err.already_started_run_id(), Some("run-existing"));
    assert_eq!(err.details(), Some(&detail));
    assert_eq!(err.message(), "Workflow execution is already running");
    let source = std::error::Error::source(&err).and_then(|s| s.downcast_ref::<tonic::Status>());
    assert_eq!(source.map(|s| s.code()), Some(tonic::Code::AlreadyExists));
    assert_eq!(
        server
            .script
            .starts
            .load(std::sync::atomic::Ordering::SeqCst),
        1
    );
}

#[tokio::test]
async fn a_call_timeout_cuts_a_slow_call_short() {
    let server = TestServer::start().await;
    let conn = connect(&server).await;
    *server.script.delay.lock().unwrap() = Duration::from_secs(5);

    let started = Instant::now();
    let err = conn
        .list_namespaces(
            ServiceRequest::new(wf::ListNamespacesRequest::default())
                .with_timeout(Duration::from_millis(300)),
        )
        .await
        .expect_err("times out");
    let elapsed = started.elapsed();
    assert_eq!(err.code(), Code::DeadlineExceeded);
    assert!(err.is_timeout());
    assert!(
        elapsed >= Duration::from_millis(290) && elapsed < Duration::from_secs(2),
        "{elapsed:?}"
    );
    let sent = server.script.last_headers("ListNamespaces");
    let sent = sent["grpc-timeout"].to_str().unwrap();
    let millis: u64 = sent.trim_end_matches('m').parse().unwrap();
    assert!(millis <= 300 && millis > 200, "grpc-timeout {sent}");

    // The connection's RPC timeout applies when the call sets none.
    let conn = Connection::connect(
        ConnectionOptions::new(server.address()).rpc_timeout(Duration::from_millis(200)),
    )
    .await
    .unwrap();
    let started = Instant::now();
    let err = conn
        .get_workflow_execution_history(wf::GetWorkflowExecutionHistoryRequest::default().into())
        .await
        .expect_err("a non-waiting history read is an ordinary call");
    assert_eq!(err.code(), Code::DeadlineExceeded);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_long_poll_that_reaches_its_deadline_returns_an_empty_response() {
    let server = TestServer::start().await;
    let options = ConnectionOptions::new(server.address())
        .rpc_timeout(Duration::from_millis(50))
        .long_poll_timeout(Duration::from_millis(1200));
    let conn = Connection::connect(options).await.unwrap();

    let started = Instant::now();
    let response = conn
        .get_workflow_execution_history(
            wf::GetWorkflowExecutionHistoryRequest {
                namespace: "ns-1".into(),
                wait_new_event: true,
                ..Default::default()
            }
            .into(),
        )
        .await
        .expect("an expired long poll is an empty response");
    let elapsed = started.elapsed();
    assert_eq!(response, wf::GetWorkflowExecutionHistoryResponse::default());
    assert!(
        elapsed >= Duration::from_millis(1190) && elapsed < Duration::from_secs(4),
        "the long-poll timeout, not the RPC timeout, applies: {elapsed:?}"
    );
    assert_eq!(
        server.script.last_headers("GetWorkflowExecutionHistory")["grpc-timeout"],
        "1200m"
    );

    let response = conn
        .poll_workflow_execution_update(
            ServiceRequest::new(wf::PollWorkflowExecutionUpdateRequest {
                namespace: "ns-1".into(),
                ..Default::default()
            })
            .with_timeout(Duration::from_millis(200)),
        )
        .await
        .expect("an expired update poll is an empty response");
    assert_eq!(response, wf::PollWorkflowExecutionUpdateResponse::default());
}

#[tokio::test]
async fn eager_connect_to_a_closed_port_fails_in_time_and_names_the_address() {
    let address = closed_port().await;
    let started = Instant::now();
    let err = Connection::connect(
        ConnectionOptions::new(address.clone()).connect_timeout(Duration::from_millis(800)),
    )
    .await
    .expect_err("nothing listens there");
    let elapsed = started.elapsed();
    assert!(matches!(err, ConnectError::Unreachable { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains(&address), "{text}");
    assert!(text.contains("could not reach"), "{text}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert_eq!(
        err.service_error().map(|e| e.code()),
        Some(Code::Unavailable)
    );
}

#[tokio::test]
async fn eager_connect_waits_for_a_server_that_starts_late() {
    let address = closed_port().await;
    let addr = address.parse().unwrap();
    let late = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        TestServer::start_on(addr, None).await
    });
    let started = Instant::now();
    let conn = Connection::connect(
        ConnectionOptions::new(address).connect_timeout(Duration::from_secs(5)),
    )
    .await
    .expect("connects once the server is up");
    assert!(started.elapsed() >= Duration::from_millis(450));
    assert!(conn.system_info().is_some());
    let server = late.await.unwrap();
    assert!(!server.script.received.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_server_that_refuses_the_credentials_is_rejected_at_connect() {
    let server = TestServer::start().await;
    server
        .script
        .required_api_key
        .lock()
        .unwrap()
        .replace("right".into());
    let err = Connection::connect(
        ConnectionOptions::new(server.address())
            .api_key("wrong")
            .tls_disabled(),
    )
    .await
    .expect_err("wrong key");
    assert!(matches!(err, ConnectError::Rejected { .. }), "{err:?}");
    assert_eq!(
        err.service_error().map(|e| e.code()),
        Some(Code::Unauthenticated)
    );
    assert!(err.to_string().contains(&server.address()));
}

#[tokio::test]
async fn lazy_connection_fails_only_when_used() {
    let address = closed_port().await;
    let conn = Connection::lazy(ConnectionOptions::new(address.clone())).expect("no I/O yet");
    let err = conn
        .describe_namespace(
            ServiceRequest::new(wf::DescribeNamespaceRequest::default())
                .with_retry(RetryOverride::Disabled),
        )
        .await
        .expect_err("nothing listens there");
    assert_eq!(err.code(), Code::Unavailable);
    assert!(err.is_retryable());
    assert!(err.to_string().contains("DescribeNamespace"), "{err}");

    // A lazy connection to a server that comes up later works once it is there.
    let server = TestServer::start().await;
    let conn = Connection::lazy(ConnectionOptions::new(server.address())).unwrap();
    conn.describe_namespace(wf::DescribeNamespaceRequest::default().into())
        .await
        .expect("connects on first use");
}

#[tokio::test]
async fn the_api_key_never_shows_in_debug_output() {
    let options = ConnectionOptions::new("h:1")
        .api_key("super-secret-key")
        .metadata("x-api-key", "another-secret-value");
    for text in [format!("{options:?}"), format!("{options:#?}")] {
        assert!(!text.contains("super-secret-key"), "{text}");
        assert!(!text.contains("another-secret-value"), "{text}");
    }
    let conn = Connection::lazy(options.tls_disabled()).unwrap();
    for text in [format!("{conn:?}"), format!("{conn:#?}")] {
        assert!(!text.contains("super-secret-key"), "{text}");
        assert!(!text.contains("another-secret-value"), "{text}");
    }
    conn.set_metadata(vec![("x-tenant-token".into(), "third-secret-value".into())])
        .unwrap();
    assert!(!format!("{conn:#?}").contains("third-secret-value"));
}

#[tokio::test]
async fn gzip_is_off_by_default_and_on_when_asked() {
    let server = TestServer::start().await;
    let conn = connect(&server).await;
    conn.start_workflow_execution(start_request("plain").into())
        .await
        .unwrap();
    let h = server.script.last_headers("StartWorkflowExecution");
    assert!(h.get("grpc-encoding").is_none(), "{h:?}");

    let conn = Connection::connect(ConnectionOptions::new(server.address()).gzip(true))
        .await
        .unwrap();
    let response = conn
        .start_workflow_execution(start_request("zipped").into())
        .await
        .unwrap();
    assert!(response.run_id.starts_with("run-"));
    let h = server.script.last_headers("StartWorkflowExecution");
    assert_eq!(h["grpc-encoding"], "gzip");
}

#[tokio::test]
async fn clones_share_one_connection_concurrently() {
    let server = TestServer::start().await;
    let conn = connect(&server).await;
    let calls = (0..50).map(|i| {
        let conn = conn.clone();
        tokio::spawn(async move {
            conn.start_workflow_execution(start_request(&format!("wf-{i}")).into())
                .await
                .map(|r| r.run_id)
        })
    });
    let mut run_ids = Vec::new();
    for call in calls {
        run_ids.push(call.await.unwrap().unwrap());
    }
    run_ids.sort();
    run_ids.dedup();
    assert_eq!(run_ids.len(), 50);
}

macro_rules! call_every_workflow_rpc {
    ($( ($method:ident, $req:ident, $resp:ident, $name:literal) ),* $(,)?) => {
        async fn call_every_workflow_rpc(conn: &Connection) -> Vec<(&'static str, Result<(), temporal_client_core::ServiceError>)> {
            let mut results = Vec::new();
            $(
                if !matches!($name, "GetSystemInfo" | "DescribeNamespace" | "StartWorkflowExecution"
                    | "ListNamespaces" | "GetWorkflowExecutionHistory" | "PollWorkflowExecutionUpdate") {
                    let request = ServiceRequest::new(wf::$req::default()).with_retry(RetryOverride::Disabled);
                    results.push(($name, WorkflowService::$method(conn, request).await.map(|_| ())));
                }
            )*
            results
        }
    };
}
temporal_client_core::for_each_workflow_service_rpc!(call_every_workflow_rpc);

macro_rules! call_every_operator_rpc {
    ($( ($method:ident, $req:ident, $resp:ident, $name:literal) ),* $(,)?) => {
        async fn call_every_operator_rpc(conn: &Connection) -> Vec<(&'static str, Result<(), temporal_client_core::ServiceError>)> {
            let mut results = Vec::new();
            $(
                let request = ServiceRequest::new(op::$req::default()).with_retry(RetryOverride::Disabled);
                results.push(($name, OperatorService::$method(conn, request).await.map(|_| ())));
            )*
            results
        }
    };
}
temporal_client_core::for_each_operator_service_rpc!(call_every_operator_rpc);

/// The server's generated default stub answers "Not yet implemented" for a known path;
/// an unknown path gets an empty message. So every RPC reaching the stub proves its
/// path is right.
#[tokio::test]
async fn every_rpc_reaches_its_server_method() {
    let server = TestServer::start().await;
    let conn = connect(&server).await;
    let results = call_every_workflow_rpc(&conn).await;
    assert!(results.len() > 100);
    let operator = call_every_operator_rpc(&conn).await;
    assert_eq!(
        operator.len(),
        temporal_client_core::OPERATOR_SERVICE_RPCS.len()
    );
    for (name, result) in results.into_iter().chain(operator) {
        let err = result.expect_err(name);
        assert_eq!(err.code(), Code::Unimplemented, "{name}: {err}");
        assert_eq!(
            err.message(),
            "Not yet implemented",
            "{name} reached an unknown path"
        );
        assert_eq!(err.rpc(), name);
    }
}

// --- live credentials, user layers, error origins ---

/// Every header value the test server saw for `name` on `rpc` calls, in order.
fn seen(server: &TestServer, rpc: &str, name: &str) -> Vec<Option<String>> {
    server
        .script
        .received
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.rpc == rpc)
        .map(|r| r.headers.get(name).map(|v| v.to_str().unwrap().to_owned()))
        .collect()
}

fn describe() -> ServiceRequest<wf::DescribeNamespaceRequest> {
    wf::DescribeNamespaceRequest {
        namespace: "ns-1".into(),
        ..Default::default()
    }
    .into()
}

#[tokio::test]
async fn a_replaced_api_key_is_sent_by_the_next_call_of_every_clone() {
    let server = TestServer::start().await;
    let conn = Connection::connect(
        ConnectionOptions::new(server.address())
            .api_key("old-key")
            .tls_disabled(),
    )
    .await
    .unwrap();
    let clone = conn.clone();
    clone.describe_namespace(describe()).await.unwrap();

    conn.set_api_key(Some("new-key".into())).unwrap();
    clone.describe_namespace(describe()).await.unwrap();
    conn.clone().describe_namespace(describe()).await.unwrap();

    // A refused key changes nothing.
    let err = clone.set_api_key(Some("bad\nkey".into())).err();
    assert!(matches!(err, Some(ConnectError::InvalidApiKey)), "{err:?}");
    conn.describe_namespace(describe()).await.unwrap();

    conn.set_api_key(None).unwrap();
    clone.describe_namespace(describe()).await.unwrap();

    let bearer = |k: &str| Some(format!("Bearer {k}"));
    assert_eq!(
        seen(&server, "DescribeNamespace", "authorization"),
        [
            bearer("old-key"),
            bearer("new-key"),
            bearer("new-key"),
            bearer("new-key"),
            None
        ]
    );
}

#[tokio::test]
async fn replaced_metadata_is_sent_by_the_next_call_of_every_clone() {
    let server = TestServer::start().await;
    let conn = Connection::connect(
        ConnectionOptions::new(server.address())
            .api_key("k3y")
            .tls_disabled()
            .metadata("x-team", "billing"),
    )
    .await
    .unwrap();
    let clone = conn.clone();
    clone.describe_namespace(describe()).await.unwrap();

    conn.set_metadata(vec![("X-Region".into(), "eu-1".into())])
        .unwrap();
    clone.describe_namespace(describe()).await.unwrap();

    // Refused like at connect time, leaving the metadata as it was.
    let err = clone
        .set_metadata(vec![("authorization".into(), "Bearer other".into())])
        .err();
    assert!(
        matches!(err, Some(ConnectError::ApiKeyWithAuthorizationMetadata)),
        "{err:?}"
    );
    let err = clone
        .set_metadata(vec![("grpc-timeout".into(), "1S".into())])
        .err();
    assert!(
        matches!(err, Some(ConnectError::InvalidMetadata { .. })),
        "{err:?}"
    );
    conn.describe_namespace(describe()).await.unwrap();

    assert_eq!(
        seen(&server, "DescribeNamespace", "x-team"),
        [Some("billing".into()), None, None]
    );
    assert_eq!(
        seen(&server, "DescribeNamespace", "x-region"),
        [None, Some("eu-1".into()), Some("eu-1".into())]
    );
    // The API key and the client's own headers stay.
    let last = server.script.last_headers("DescribeNamespace");
    assert_eq!(last["authorization"], "Bearer k3y");
    assert_eq!(last["client-name"], CLIENT_NAME);
}

/// A layer that counts the requests through it and logs its name for each.
fn counting_layer(
    name: &'static str,
    count: Arc<AtomicUsize>,
    log: Arc<Mutex<Vec<&'static str>>>,
) -> tower::util::MapRequestLayer<
    impl Fn(http::Request<tonic::body::Body>) -> http::Request<tonic::body::Body>
    + Clone
    + Send
    + Sync
    + 'static,
> {
    tower::util::MapRequestLayer::new(move |mut request: http::Request<tonic::body::Body>| {
        count.fetch_add(1, Ordering::SeqCst);
        log.lock().unwrap().push(name);
        request
            .headers_mut()
            .append("x-layer", http::HeaderValue::from_static(name));
        request
    })
}

#[tokio::test]
async fn a_user_layer_sees_every_attempt_and_layers_nest_in_the_order_added() {
    let server = TestServer::start().await;
    let inner = Arc::new(AtomicUsize::new(0));
    let outer = Arc::new(AtomicUsize::new(0));
    let log = Arc::new(Mutex::new(Vec::new()));
    let conn = Connection::lazy(
        ConnectionOptions::new(server.address())
            .retry(fast_retry(5))
            .layer(counting_layer("inner", inner.clone(), log.clone()))
            .layer(counting_layer("outer", outer.clone(), log.clone())),
    )
    .unwrap();

    for _ in 0..3 {
        conn.clone().describe_namespace(describe()).await.unwrap();
    }
    assert_eq!(inner.load(Ordering::SeqCst), 3);
    assert_eq!(outer.load(Ordering::SeqCst), 3);
    // The last layer added is outermost: it sees the request first.
    assert_eq!(log.lock().unwrap()[..2], ["outer", "inner"]);
    // The layers' changes reach the wire.
    let sent = server.script.last_headers("DescribeNamespace");
    let sent: Vec<_> = sent.get_all("x-layer").iter().collect();
    assert_eq!(sent, ["outer", "inner"]);

    // Retries run outside the layers: each attempt passes through them again.
    {
        let mut failures = server.script.start_failures.lock().unwrap();
        failures.push_back(tonic::Status::unavailable("try again"));
        failures.push_back(tonic::Status::unavailable("try again"));
    }
    conn.start_workflow_execution(start_request("layered").into())
        .await
        .unwrap();
    assert_eq!(
        server
            .script
            .starts
            .load(std::sync::atomic::Ordering::SeqCst),
        3
    );
    assert_eq!(inner.load(Ordering::SeqCst), 6);
    assert_eq!(outer.load(Ordering::SeqCst), 6);
}

#[tokio::test]
async fn an_error_of_a_user_layer_is_local_and_reaches_no_server() {
    let server = TestServer::start().await;
    let conn = Connection::lazy(ConnectionOptions::new(server.address()).layer(
        tower::layer::layer_fn(|_inner| {
            tower::service_fn(|_request: http::Request<tonic::body::Body>| async {
                Err::<http::Response<tonic::body::Body>, tower::BoxError>(
                    "refused by the rate limiter".into(),
                )
            })
        }),
    ))
    .unwrap();
    let err = conn
        .describe_namespace(describe().with_retry(RetryOverride::Disabled))
        .await
        .expect_err("the layer refuses");
    assert_eq!(err.origin(), ErrorOrigin::Local, "{err}");
    assert!(
        err.to_string().contains("refused by the rate limiter"),
        "{err}"
    );
    assert!(server.script.received.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_closed_port_is_a_transport_error() {
    let conn = Connection::lazy(ConnectionOptions::new(closed_port().await)).unwrap();
    let err = conn
        .describe_namespace(describe().with_retry(RetryOverride::Disabled))
        .await
        .expect_err("nothing listens there");
    assert_eq!(err.code(), Code::Unavailable);
    assert_eq!(err.origin(), ErrorOrigin::Transport, "{err}");
    assert!(err.is_transport() && !err.is_from_server());
    assert_eq!(err.attempts(), 1);
    assert!(!err.retries_exhausted());
    assert!(
        err.to_string()
            .contains("the connection to the server failed"),
        "{err}"
    );
}

/// A testkit `TestServer` over the in-memory fake, with its fault injection.
async fn fake_server() -> temporal_testkit::grpc::TestServer {
    temporal_testkit::grpc::TestServer::start(Arc::new(temporal_testkit::FakeServer::new()))
        .await
        .unwrap()
}

async fn connect_to_fake(
    server: &temporal_testkit::grpc::TestServer,
    retry: RpcRetryConfig,
) -> Connection {
    Connection::connect(ConnectionOptions::new(server.url().unwrap()).retry(retry))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_timeout_that_passes_in_the_client_is_a_client_deadline() {
    let server = fake_server().await;
    let conn = connect_to_fake(&server, fast_retry(3)).await;
    server
        .faults()
        .latency("GetSystemInfo", Duration::from_secs(5));
    let err = conn
        .get_system_info(
            ServiceRequest::new(wf::GetSystemInfoRequest {})
                .with_timeout(Duration::from_millis(200)),
        )
        .await
        .expect_err("times out");
    assert_eq!(err.code(), Code::DeadlineExceeded);
    assert_eq!(err.origin(), ErrorOrigin::ClientDeadline, "{err}");
    assert!(err.is_client_deadline() && err.is_timeout());
    assert_eq!(err.message(), "no response within 200ms");
    assert_eq!(err.attempts(), 1);

    // A DEADLINE_EXCEEDED the server sends is the server's.
    server.faults().clear();
    server
        .faults()
        .fail_next("GetSystemInfo", 1, Code::DeadlineExceeded, "server gave up");
    let err = conn
        .get_system_info(wf::GetSystemInfoRequest {}.into())
        .await
        .expect_err("the server's deadline");
    assert_eq!(err.code(), Code::DeadlineExceeded);
    assert_eq!(err.origin(), ErrorOrigin::Server, "{err}");
}

#[tokio::test]
async fn a_server_error_is_from_the_server_and_counts_its_attempts() {
    let server = fake_server().await;
    let conn = connect_to_fake(&server, fast_retry(5)).await;
    server
        .faults()
        .fail_next("GetSystemInfo", 2, Code::Unavailable, "shedding load");
    server
        .faults()
        .fail_next("GetSystemInfo", 1, Code::PermissionDenied, "no access");
    let err = conn
        .get_system_info(wf::GetSystemInfoRequest {}.into())
        .await
        .expect_err("permission denied after two retries");
    assert_eq!(err.code(), Code::PermissionDenied);
    assert_eq!(err.origin(), ErrorOrigin::Server);
    assert!(err.is_from_server() && !err.is_transport() && !err.is_client_deadline());
    assert_eq!(err.attempts(), 3);
    assert!(
        !err.retries_exhausted(),
        "a final code is not exhausted retries"
    );
    assert!(err.to_string().ends_with("(after 3 attempts)"), "{err}");
}

#[tokio::test]
async fn retries_that_run_out_say_so_with_the_attempt_count() {
    let server = fake_server().await;
    let conn = connect_to_fake(&server, fast_retry(4)).await;
    let calls_before = server.faults().calls("GetSystemInfo");
    server
        .faults()
        .fail_next(ANY_RPC, 1000, Code::Unavailable, "still down");

    // Out of attempts.
    let err = conn
        .get_system_info(wf::GetSystemInfoRequest {}.into())
        .await
        .expect_err("keeps failing");
    assert_eq!(err.code(), Code::Unavailable);
    assert!(err.retries_exhausted(), "{err:?}");
    assert_eq!(err.attempts(), 4);
    assert_eq!(server.faults().calls("GetSystemInfo") - calls_before, 4);
    assert!(err.is_from_server());
    assert!(
        err.to_string().ends_with("(gave up after 4 attempts)"),
        "{err}"
    );

    // Out of time: a short budget and no attempt bound.
    let budget = RpcRetryConfig {
        initial_interval: Duration::from_millis(20),
        multiplier: 1.0,
        max_interval: Duration::from_millis(20),
        jitter: 0.0,
        max_attempts: 0,
        max_elapsed: Some(Duration::from_millis(150)),
        ..RpcRetryConfig::default()
    };
    let calls_before = server.faults().calls("GetSystemInfo");
    let err = conn
        .get_system_info(
            ServiceRequest::new(wf::GetSystemInfoRequest {})
                .with_retry(RetryOverride::Custom(budget)),
        )
        .await
        .expect_err("keeps failing");
    let made = server.faults().calls("GetSystemInfo") - calls_before;
    assert!(err.retries_exhausted(), "{err:?}");
    assert!(err.attempts() > 1, "{err:?}");
    assert_eq!(u64::from(err.attempts()), made);

    // With retries disabled there is nothing to run out of.
    let err = conn
        .get_system_info(
            ServiceRequest::new(wf::GetSystemInfoRequest {}).with_retry(RetryOverride::Disabled),
        )
        .await
        .expect_err("keeps failing");
    assert!(!err.retries_exhausted());
    assert_eq!(err.attempts(), 1);
}

#[tokio::test]
async fn unusable_call_metadata_is_refused_locally() {
    let server = TestServer::start().await;
    let conn = connect(&server).await;
    let err = conn
        .describe_namespace(describe().with_metadata("bad name", "v"))
        .await
        .expect_err("refused before sending");
    assert_eq!(err.code(), Code::InvalidArgument);
    assert_eq!(err.origin(), ErrorOrigin::Local);
    assert!(seen(&server, "DescribeNamespace", "x").is_empty());
}
