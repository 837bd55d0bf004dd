//! Request builders shared by the `fake_*` tests.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use temporal_client_core::WorkflowService;
use temporal_client_core::proto::temporal::api::common::v1::{
    Payload, Payloads, WorkflowExecution, WorkflowType,
};
use temporal_client_core::proto::temporal::api::enums::v1::{EventType, HistoryEventFilterType};
use temporal_client_core::proto::temporal::api::history::v1::HistoryEvent;
use temporal_client_core::proto::temporal::api::taskqueue::v1::TaskQueue;
use temporal_client_core::proto::temporal::api::workflowservice::v1 as wf;
use temporal_testkit::FakeServer;

pub fn json(v: serde_json::Value) -> Payload {
    Payload {
        metadata: [("encoding".to_owned(), b"json/plain".to_vec())].into(),
        data: v.to_string().into_bytes(),
        ..Default::default()
    }
}

pub fn args(values: &[serde_json::Value]) -> Option<Payloads> {
    Some(Payloads {
        payloads: values.iter().cloned().map(json).collect(),
    })
}

pub fn decode(p: &Payloads) -> serde_json::Value {
    serde_json::from_slice(&p.payloads[0].data).unwrap()
}

pub fn start(
    id: &str,
    workflow_type: &str,
    input: &[serde_json::Value],
) -> wf::StartWorkflowExecutionRequest {
    wf::StartWorkflowExecutionRequest {
        namespace: "default".into(),
        workflow_id: id.into(),
        workflow_type: Some(WorkflowType {
            name: workflow_type.into(),
        }),
        task_queue: Some(TaskQueue {
            name: "tq".into(),
            ..Default::default()
        }),
        input: args(input),
        request_id: format!("req-{id}-{workflow_type}"),
        ..Default::default()
    }
}

pub fn exec(id: &str, run: &str) -> Option<WorkflowExecution> {
    Some(WorkflowExecution {
        workflow_id: id.into(),
        run_id: run.into(),
    })
}

pub async fn history(fake: &FakeServer, id: &str, run: &str) -> Vec<HistoryEvent> {
    fake.get_workflow_execution_history(
        wf::GetWorkflowExecutionHistoryRequest {
            namespace: "default".into(),
            execution: exec(id, run),
            ..Default::default()
        }
        .into(),
    )
    .await
    .unwrap()
    .history
    .unwrap()
    .events
}

pub async fn close_event(fake: &FakeServer, id: &str, run: &str) -> HistoryEvent {
    fake.get_workflow_execution_history(
        wf::GetWorkflowExecutionHistoryRequest {
            namespace: "default".into(),
            execution: exec(id, run),
            wait_new_event: true,
            history_event_filter_type: HistoryEventFilterType::CloseEvent as i32,
            ..Default::default()
        }
        .into(),
    )
    .await
    .unwrap()
    .history
    .unwrap()
    .events
    .remove(0)
}

pub fn types(events: &[HistoryEvent]) -> Vec<EventType> {
    events
        .iter()
        .map(|e| EventType::try_from(e.event_type).unwrap())
        .collect()
}

pub async fn describe(
    fake: &FakeServer,
    id: &str,
    run: &str,
) -> wf::DescribeWorkflowExecutionResponse {
    fake.describe_workflow_execution(
        wf::DescribeWorkflowExecutionRequest {
            namespace: "default".into(),
            execution: exec(id, run),
        }
        .into(),
    )
    .await
    .unwrap()
}

pub async fn signal(fake: &FakeServer, id: &str, name: &str, input: &[serde_json::Value]) {
    fake.signal_workflow_execution(
        wf::SignalWorkflowExecutionRequest {
            namespace: "default".into(),
            workflow_execution: exec(id, ""),
            signal_name: name.into(),
            input: args(input),
            ..Default::default()
        }
        .into(),
    )
    .await
    .unwrap();
}
