//! DescribeWorkflowExecution, and the `WorkflowExecutionInfo` it shares with list.

// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use temporal_client_core::{ServiceError, ServiceRequest};
use temporal_proto::temporal::api::common::v1::{WorkflowExecution, WorkflowType};
use temporal_proto::temporal::api::taskqueue::v1::TaskQueue;
use temporal_proto::temporal::api::workflow::v1::{
    WorkflowExecutionConfig, WorkflowExecutionExtendedInfo, WorkflowExecutionInfo,
};
use temporal_proto::temporal::api::workflowservice::v1 as wf;

use crate::fake::clock::{to_proto_duration, to_timestamp};
use crate::fake::server::FakeServer;
use crate::fake::store::{Run, workflow_not_found};

/// The `WorkflowExecutionInfo` describe and list return for a run.
pub(crate) fn execution_info(run: &Run) -> WorkflowExecutionInfo {
    let execution = WorkflowExecution {
        workflow_id: run.workflow_id.clone(),
        run_id: run.run_id.clone(),
    };
    WorkflowExecutionInfo {
        execution: Some(execution.clone()),
        r#type: Some(WorkflowType {
            name: run.workflow_type.clone(),
        }),
        start_time: Some(to_timestamp(run.start_time)),
        close_time: run.close_time.map(to_timestamp),
        status: run.status as i32,
        history_length: run.history.len(),
        execution_time: Some(to_timestamp(run.execution_time)),
        memo: Some(temporal_proto::temporal::api::common::v1::Memo {
            fields: run.memo.clone().into_iter().collect(),
        }),
        search_attributes: (!run.search_attributes.is_empty()).then(|| {
            temporal_proto::temporal::api::common::v1::SearchAttributes {
                indexed_fields: run.search_attributes.clone().into_iter().collect(),
            }
        }),
        task_queue: run.task_queue.clone(),
        state_transition_count: run.history.len(),
        history_size_bytes: run.history.size_bytes,
        execution_duration: run
            .close_time
            .and_then(|c| c.duration_since(run.execution_time).ok())
            .map(to_proto_duration),
        root_execution: Some(execution),
        first_run_id: run.first_execution_run_id.clone(),
        ..Default::default()
    }
}

impl FakeServer {
    pub(crate) async fn describe_workflow_execution_of(
        &self,
        request: ServiceRequest<wf::DescribeWorkflowExecutionRequest>,
    ) -> Result<wf::DescribeWorkflowExecutionResponse, ServiceError> {
        const RPC: &str = "DescribeWorkflowExecution";
        let r = request.message;
        self.read(RPC, &r.namespace, |st| {
            let run_id = st.target(RPC, &r.namespace, r.execution.as_ref(), "")?;
            let run = st
                .run(&r.namespace, &run_id)
                .ok_or_else(|| workflow_not_found(RPC, ""))?;
            Ok(describe(run))
        })
    }
}

/// What DescribeWorkflowExecution answers for a run.
fn describe(run: &Run) -> wf::DescribeWorkflowExecutionResponse {
    wf::DescribeWorkflowExecutionResponse {
        execution_config: Some(WorkflowExecutionConfig {
            task_queue: Some(TaskQueue {
                name: run.task_queue.clone(),
                kind: temporal_proto::temporal::api::enums::v1::TaskQueueKind::Normal as i32,
                normal_name: String::new(),
            }),
            workflow_execution_timeout: Some(to_proto_duration(
                run.execution_timeout.unwrap_or_default(),
            )),
            workflow_run_timeout: Some(to_proto_duration(run.run_timeout.unwrap_or_default())),
            default_workflow_task_timeout: Some(to_proto_duration(run.task_timeout)),
            user_metadata: run.user_metadata.clone(),
        }),
        workflow_execution_info: Some(execution_info(run)),
        workflow_extended_info: Some(WorkflowExecutionExtendedInfo {
            execution_expiration_time: run.execution_expiration.map(to_timestamp),
            run_expiration_time: run
                .run_timeout
                .map(|t| to_timestamp(run.execution_time + t)),
            cancel_requested: run.cancel_requested,
            original_start_time: Some(to_timestamp(run.start_time)),
            ..Default::default()
        }),
        ..Default::default()
    }
}
