//! `Connection` against a real Temporal dev server (`TEMPORAL_ADDRESS`, set by
//! `scripts/test.sh`). Without it the test says it skipped, unless
//! `TEMPORAL_REQUIRE_SERVER=1`, where a missing server is a failure.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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
    match std::env::var("TEMPORAL_ADDRESS") {
        Ok(address) if !address.is_empty() => Some(address),
        _ if std::env::var("TEMPORAL_REQUIRE_SERVER").as_deref() == Ok("1") => {
            panic!("TEMPORAL_REQUIRE_SERVER=1 but TEMPORAL_ADDRESS is not set")
        }
        _ => {
            eprintln!(
                "SKIPPED connection_dev_server: TEMPORAL_ADDRESS is not set (run scripts/test.sh to start a dev server)"
            );
            None
        }
    }
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
