//! `Connection` against an in-process tonic server on 127.0.0.1: headers, retries,
//! error details, timeouts, long polls, eager and lazy connects, every RPC's path.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod connection_support;

use std::time::{Duration, Instant};

use connection_support::{TestServer, closed_port};
use temporal_client::{CLIENT_NAME, CLIENT_VERSION, ConnectError, Connection, ConnectionOptions};
use temporal_client_core::proto::grpc::health::v1::health_check_response::ServingStatus;
use temporal_client_core::proto::temporal::api::errordetails::v1::WorkflowExecutionAlreadyStartedFailure;
use temporal_client_core::proto::temporal::api::operatorservice::v1 as op;
use temporal_client_core::proto::temporal::api::workflowservice::v1 as wf;
use temporal_client_core::{
    Code, ErrorDetails, OperatorService, RetryOverride, RpcRetryConfig, ServiceRequest,
    WorkflowService,
};

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
        .long_poll_timeout(Duration::from_millis(400));
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
        elapsed >= Duration::from_millis(390) && elapsed < Duration::from_secs(3),
        "the long-poll timeout, not the RPC timeout, applies: {elapsed:?}"
    );
    assert_eq!(
        server.script.last_headers("GetWorkflowExecutionHistory")["grpc-timeout"],
        "400m"
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
    let options = ConnectionOptions::new("h:1").api_key("super-secret-key");
    assert!(!format!("{options:?}").contains("super-secret-key"));
    assert!(!format!("{options:#?}").contains("super-secret-key"));
    let conn = Connection::lazy(options.tls_disabled()).unwrap();
    assert!(!format!("{conn:?}").contains("super-secret-key"));
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
