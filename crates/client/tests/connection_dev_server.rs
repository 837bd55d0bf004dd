//! `Connection` against a real Temporal dev server (`TEMPORAL_ADDRESS`, set by
//! `scripts/test.sh`). Without it the test says it skipped, unless
//! `TEMPORAL_REQUIRE_SERVER=1`, where a missing server is a failure.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod dev_server_support;

use std::time::Duration;

use temporal_client::{Connection, ConnectionOptions};
use temporal_client_core::proto::grpc::health::v1::health_check_response::ServingStatus;
use temporal_client_core::proto::temporal::api::common::v1::WorkflowType;
use temporal_client_core::proto::temporal::api::enums::v1::{
    HistoryEventFilterType, WorkflowExecutionStatus,
};
use temporal_client_core::proto::temporal::api::taskqueue::v1::TaskQueue;
use temporal_client_core::proto::temporal::api::workflowservice::v1 as wf;
use temporal_client_core::{Code, ServiceRequest, WorkflowService};

fn dev_server_address() -> Option<String> {
    dev_server_support::dev_server_address("connection_dev_server")
}

#[tokio::test]
async fn connection_talks_to_a_real_dev_server() {
    let Some(address) = dev_server_address() else {
        return;
    };
    let conn = Connection::connect(ConnectionOptions::new(address))
        .await
        .expect("the dev server is reachable");
    let info = conn.system_info().expect("GetSystemInfo ran at connect");
    assert!(!info.server_version.is_empty());
    assert!(conn.capabilities().is_some());
    assert_eq!(conn.check_health().await.unwrap(), ServingStatus::Serving);

    let workflow_id = format!("connection-test-{}", uuid::Uuid::new_v4());
    let start = wf::StartWorkflowExecutionRequest {
        namespace: "default".into(),
        workflow_id: workflow_id.clone(),
        workflow_type: Some(WorkflowType {
            name: "NoWorkerRunsThis".into(),
        }),
        task_queue: Some(TaskQueue {
            name: "connection-test".into(),
            ..Default::default()
        }),
        request_id: uuid::Uuid::new_v4().to_string(),
        identity: "connection-test".into(),
        ..Default::default()
    };
    let started = conn
        .start_workflow_execution(start.clone().into())
        .await
        .expect("start");
    assert!(!started.run_id.is_empty());

    let describe = wf::DescribeWorkflowExecutionRequest {
        namespace: "default".into(),
        execution: Some(
            temporal_client_core::proto::temporal::api::common::v1::WorkflowExecution {
                workflow_id: workflow_id.clone(),
                run_id: started.run_id.clone(),
            },
        ),
    };
    let described = conn
        .describe_workflow_execution(describe.into())
        .await
        .expect("describe");
    let info = described.workflow_execution_info.expect("execution info");
    assert_eq!(info.status(), WorkflowExecutionStatus::Running);
    assert_eq!(
        info.r#type.map(|t| t.name).as_deref(),
        Some("NoWorkerRunsThis")
    );

    // A second start with the same id (new request id) is refused with typed details.
    let again = wf::StartWorkflowExecutionRequest {
        request_id: uuid::Uuid::new_v4().to_string(),
        ..start
    };
    let err = conn
        .start_workflow_execution(again.into())
        .await
        .expect_err("already running");
    assert_eq!(err.code(), Code::AlreadyExists);
    assert_eq!(err.already_started_run_id(), Some(started.run_id.as_str()));

    // Nothing happens to the workflow (no worker), so a short long poll comes back empty.
    let history = conn
        .get_workflow_execution_history(
            ServiceRequest::new(wf::GetWorkflowExecutionHistoryRequest {
                namespace: "default".into(),
                execution: Some(
                    temporal_client_core::proto::temporal::api::common::v1::WorkflowExecution {
                        workflow_id: workflow_id.clone(),
                        run_id: started.run_id.clone(),
                    },
                ),
                wait_new_event: true,
                history_event_filter_type: HistoryEventFilterType::CloseEvent as i32,
                skip_archival: true,
                ..Default::default()
            })
            .with_timeout(Duration::from_millis(500)),
        )
        .await
        .expect("an expired long poll is an empty response");
    assert!(history.history.is_none_or(|h| h.events.is_empty()));

    conn.terminate_workflow_execution(
        wf::TerminateWorkflowExecutionRequest {
            namespace: "default".into(),
            workflow_execution: Some(
                temporal_client_core::proto::temporal::api::common::v1::WorkflowExecution {
                    workflow_id,
                    run_id: String::new(),
                },
            ),
            reason: "connection test cleanup".into(),
            identity: "connection-test".into(),
            ..Default::default()
        }
        .into(),
    )
    .await
    .expect("terminate");
}

/// With gzip or a user layer, calls go through tonic's client (with one codec over
/// encoded messages) instead of the direct path: a start, a describe and a server
/// error (NOT_FOUND, a trailers-only response) come back as on the direct path.
#[tokio::test]
async fn gzip_and_layered_connections_start_describe_and_fail_alike() {
    let Some(address) = dev_server_address() else {
        return;
    };
    use temporal_client::{Client, Error, WorkflowDefinition, WorkflowOptions};
    const WORKFLOW: WorkflowDefinition<(String,), ()> = WorkflowDefinition::new("tonic-path");
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let options = [
        ("gzip", ConnectionOptions::new(&address).gzip(true)),
        (
            "layer",
            ConnectionOptions::new(&address).layer(tower::layer::util::Identity::new()),
        ),
    ];
    for (name, options) in options {
        let client = Client::new(Connection::connect(options).await.unwrap());
        let id = format!("tonic-path-{name}-{millis}");
        let handle = client
            .start(
                WORKFLOW,
                WorkflowOptions::new(&id, "tonic-path").args(("x".repeat(2048),)),
            )
            .await
            .unwrap();
        let description = handle.describe().await.unwrap();
        assert_eq!(description.execution.workflow_id, id, "[{name}]");
        assert_eq!(
            Some(description.execution.run_id.as_str()),
            handle.run_id(),
            "[{name}]"
        );
        let missing = client
            .get_handle::<()>(format!("{id}-missing"))
            .describe()
            .await
            .unwrap_err();
        assert!(
            matches!(missing, Error::WorkflowNotFound { .. }),
            "[{name}] {missing:?}"
        );
        handle.terminate().await.unwrap();
    }
}
