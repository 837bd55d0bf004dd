//! The fake's `WorkflowService` implementation: each RPC delegates to the module of its
//! family, and the checks every RPC starts with are here.

// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use temporal_client_core::{Code, ServiceError, ServiceRequest, WorkflowService};
use temporal_proto::temporal::api::common::v1::WorkflowExecution;
use temporal_proto::temporal::api::workflowservice::v1 as wf;

use crate::fake::engine::State;
use crate::fake::server::FakeServer;
use crate::fake::store::{Run, already_completed, workflow_not_found};
use crate::fake::validation;

pub(crate) mod describe;
mod history;
pub(crate) mod list;
pub(crate) mod namespace;
mod query;
mod signal_cancel_terminate;
pub(crate) mod start;
mod system;
pub(crate) mod update;

pub(crate) fn invalid(rpc: &'static str, message: impl Into<String>) -> ServiceError {
    ServiceError::new(rpc, Code::InvalidArgument, message)
}

pub(crate) fn unimplemented_field(rpc: &'static str, field: &str) -> ServiceError {
    ServiceError::new(
        rpc,
        Code::Unimplemented,
        format!(
            "the fake server does not model `{field}` of {rpc}; leave it unset or test against a real server"
        ),
    )
}

/// The server's first check of every namespaced request.
pub(crate) fn namespace_of(rpc: &'static str, ns: &str) -> Result<(), ServiceError> {
    if ns.is_empty() {
        return Err(invalid(rpc, "Namespace not set on request."));
    }
    Ok(())
}

impl FakeServer {
    /// The preamble of an RPC that changes the fake: the namespace check, then `change`
    /// under the lock (the request's own checks go first in it, after the namespace's, as
    /// on the server), then the fake settles: the fake workflows the change woke run
    /// before the RPC returns, and long polls see the change.
    pub(crate) fn change<T>(
        &self,
        rpc: &'static str,
        ns: &str,
        change: impl FnOnce(&mut State) -> Result<T, ServiceError>,
    ) -> Result<T, ServiceError> {
        namespace_of(rpc, ns)?;
        let result = change(&mut self.inner.lock());
        self.inner.settle();
        result
    }

    /// The preamble of an RPC that only reads: the namespace check, then `read` under the
    /// lock.
    pub(crate) fn read<T>(
        &self,
        rpc: &'static str,
        ns: &str,
        read: impl FnOnce(&State) -> Result<T, ServiceError>,
    ) -> Result<T, ServiceError> {
        namespace_of(rpc, ns)?;
        read(&self.inner.lock())
    }
}

impl State {
    /// The run a request names, checking `first_execution_run_id` when given.
    pub(crate) fn target(
        &self,
        rpc: &'static str,
        ns: &str,
        execution: Option<&WorkflowExecution>,
        first_execution_run_id: &str,
    ) -> Result<String, ServiceError> {
        let namespace = self.namespace(rpc, ns)?;
        let (wid, rid) = execution
            .map(|e| (e.workflow_id.as_str(), e.run_id.as_str()))
            .unwrap_or_default();
        validation::run_id(rpc, rid)?;
        let run_id = namespace.resolve_id(rpc, wid, rid)?;
        if !first_execution_run_id.is_empty() {
            let ok = namespace
                .runs
                .get(&run_id)
                .is_some_and(|r| r.first_execution_run_id == first_execution_run_id);
            if !ok {
                return Err(workflow_not_found(rpc, wid));
            }
        }
        Ok(run_id)
    }

    /// The run a request names, which must still be open (`NotFound` "workflow
    /// execution already completed" otherwise, as the server answers).
    pub(crate) fn open_target(
        &self,
        rpc: &'static str,
        ns: &str,
        execution: Option<&WorkflowExecution>,
        first_execution_run_id: &str,
    ) -> Result<String, ServiceError> {
        let run_id = self.target(rpc, ns, execution, first_execution_run_id)?;
        if !self.run(ns, &run_id).is_some_and(Run::is_open) {
            return Err(already_completed(rpc));
        }
        Ok(run_id)
    }
}

#[async_trait::async_trait]
impl WorkflowService for FakeServer {
    async fn start_workflow_execution(
        &self,
        request: ServiceRequest<wf::StartWorkflowExecutionRequest>,
    ) -> Result<wf::StartWorkflowExecutionResponse, ServiceError> {
        self.start_workflow_execution_of(request).await
    }

    async fn signal_with_start_workflow_execution(
        &self,
        request: ServiceRequest<wf::SignalWithStartWorkflowExecutionRequest>,
    ) -> Result<wf::SignalWithStartWorkflowExecutionResponse, ServiceError> {
        self.signal_with_start_workflow_execution_of(request).await
    }

    async fn signal_workflow_execution(
        &self,
        request: ServiceRequest<wf::SignalWorkflowExecutionRequest>,
    ) -> Result<wf::SignalWorkflowExecutionResponse, ServiceError> {
        self.signal_workflow_execution_of(request).await
    }

    async fn request_cancel_workflow_execution(
        &self,
        request: ServiceRequest<wf::RequestCancelWorkflowExecutionRequest>,
    ) -> Result<wf::RequestCancelWorkflowExecutionResponse, ServiceError> {
        self.request_cancel_workflow_execution_of(request).await
    }

    async fn terminate_workflow_execution(
        &self,
        request: ServiceRequest<wf::TerminateWorkflowExecutionRequest>,
    ) -> Result<wf::TerminateWorkflowExecutionResponse, ServiceError> {
        self.terminate_workflow_execution_of(request).await
    }

    async fn describe_workflow_execution(
        &self,
        request: ServiceRequest<wf::DescribeWorkflowExecutionRequest>,
    ) -> Result<wf::DescribeWorkflowExecutionResponse, ServiceError> {
        self.describe_workflow_execution_of(request).await
    }

    async fn get_workflow_execution_history(
        &self,
        request: ServiceRequest<wf::GetWorkflowExecutionHistoryRequest>,
    ) -> Result<wf::GetWorkflowExecutionHistoryResponse, ServiceError> {
        self.get_workflow_execution_history_of(request).await
    }

    async fn query_workflow(
        &self,
        request: ServiceRequest<wf::QueryWorkflowRequest>,
    ) -> Result<wf::QueryWorkflowResponse, ServiceError> {
        self.query_workflow_of(request).await
    }

    async fn update_workflow_execution(
        &self,
        request: ServiceRequest<wf::UpdateWorkflowExecutionRequest>,
    ) -> Result<wf::UpdateWorkflowExecutionResponse, ServiceError> {
        let limit = request.options.timeout;
        self.update(request.message, limit).await
    }

    async fn poll_workflow_execution_update(
        &self,
        request: ServiceRequest<wf::PollWorkflowExecutionUpdateRequest>,
    ) -> Result<wf::PollWorkflowExecutionUpdateResponse, ServiceError> {
        let limit = request.options.timeout;
        self.poll_update(request.message, limit).await
    }

    async fn execute_multi_operation(
        &self,
        request: ServiceRequest<wf::ExecuteMultiOperationRequest>,
    ) -> Result<wf::ExecuteMultiOperationResponse, ServiceError> {
        let limit = request.options.timeout;
        self.multi_operation(request.message, limit).await
    }

    async fn list_workflow_executions(
        &self,
        request: ServiceRequest<wf::ListWorkflowExecutionsRequest>,
    ) -> Result<wf::ListWorkflowExecutionsResponse, ServiceError> {
        self.list(request.message)
    }

    async fn count_workflow_executions(
        &self,
        request: ServiceRequest<wf::CountWorkflowExecutionsRequest>,
    ) -> Result<wf::CountWorkflowExecutionsResponse, ServiceError> {
        self.count(request.message)
    }

    async fn get_system_info(
        &self,
        request: ServiceRequest<wf::GetSystemInfoRequest>,
    ) -> Result<wf::GetSystemInfoResponse, ServiceError> {
        self.get_system_info_of(request).await
    }

    async fn describe_namespace(
        &self,
        request: ServiceRequest<wf::DescribeNamespaceRequest>,
    ) -> Result<wf::DescribeNamespaceResponse, ServiceError> {
        self.describe_namespace_of(request.message)
    }

    async fn register_namespace(
        &self,
        request: ServiceRequest<wf::RegisterNamespaceRequest>,
    ) -> Result<wf::RegisterNamespaceResponse, ServiceError> {
        self.register_namespace_of(request.message)
    }

    async fn list_namespaces(
        &self,
        request: ServiceRequest<wf::ListNamespacesRequest>,
    ) -> Result<wf::ListNamespacesResponse, ServiceError> {
        self.list_namespaces_of(request.message)
    }

    async fn update_namespace(
        &self,
        request: ServiceRequest<wf::UpdateNamespaceRequest>,
    ) -> Result<wf::UpdateNamespaceResponse, ServiceError> {
        self.update_namespace_of(request.message)
    }

    // Async activity completion: `activities.rs`.

    async fn respond_activity_task_completed(
        &self,
        request: ServiceRequest<wf::RespondActivityTaskCompletedRequest>,
    ) -> Result<wf::RespondActivityTaskCompletedResponse, ServiceError> {
        self.activity_completed(request)
    }

    async fn respond_activity_task_completed_by_id(
        &self,
        request: ServiceRequest<wf::RespondActivityTaskCompletedByIdRequest>,
    ) -> Result<wf::RespondActivityTaskCompletedByIdResponse, ServiceError> {
        self.activity_completed_by_id(request)
    }

    async fn respond_activity_task_failed(
        &self,
        request: ServiceRequest<wf::RespondActivityTaskFailedRequest>,
    ) -> Result<wf::RespondActivityTaskFailedResponse, ServiceError> {
        self.activity_failed(request)
    }

    async fn respond_activity_task_failed_by_id(
        &self,
        request: ServiceRequest<wf::RespondActivityTaskFailedByIdRequest>,
    ) -> Result<wf::RespondActivityTaskFailedByIdResponse, ServiceError> {
        self.activity_failed_by_id(request)
    }

    async fn respond_activity_task_canceled(
        &self,
        request: ServiceRequest<wf::RespondActivityTaskCanceledRequest>,
    ) -> Result<wf::RespondActivityTaskCanceledResponse, ServiceError> {
        self.activity_canceled(request)
    }

    async fn respond_activity_task_canceled_by_id(
        &self,
        request: ServiceRequest<wf::RespondActivityTaskCanceledByIdRequest>,
    ) -> Result<wf::RespondActivityTaskCanceledByIdResponse, ServiceError> {
        self.activity_canceled_by_id(request)
    }

    async fn record_activity_task_heartbeat(
        &self,
        request: ServiceRequest<wf::RecordActivityTaskHeartbeatRequest>,
    ) -> Result<wf::RecordActivityTaskHeartbeatResponse, ServiceError> {
        self.activity_heartbeat(request)
    }

    async fn record_activity_task_heartbeat_by_id(
        &self,
        request: ServiceRequest<wf::RecordActivityTaskHeartbeatByIdRequest>,
    ) -> Result<wf::RecordActivityTaskHeartbeatByIdResponse, ServiceError> {
        self.activity_heartbeat_by_id(request)
    }

    // Schedules: `schedules/rpc.rs`.

    async fn create_schedule(
        &self,
        request: ServiceRequest<wf::CreateScheduleRequest>,
    ) -> Result<wf::CreateScheduleResponse, ServiceError> {
        self.create_schedule_of(request.message)
    }

    async fn describe_schedule(
        &self,
        request: ServiceRequest<wf::DescribeScheduleRequest>,
    ) -> Result<wf::DescribeScheduleResponse, ServiceError> {
        self.describe_schedule_of(request.message)
    }

    async fn update_schedule(
        &self,
        request: ServiceRequest<wf::UpdateScheduleRequest>,
    ) -> Result<wf::UpdateScheduleResponse, ServiceError> {
        self.update_schedule_of(request.message)
    }

    async fn patch_schedule(
        &self,
        request: ServiceRequest<wf::PatchScheduleRequest>,
    ) -> Result<wf::PatchScheduleResponse, ServiceError> {
        self.patch_schedule_of(request.message)
    }

    async fn delete_schedule(
        &self,
        request: ServiceRequest<wf::DeleteScheduleRequest>,
    ) -> Result<wf::DeleteScheduleResponse, ServiceError> {
        self.delete_schedule_of(request.message)
    }

    async fn list_schedules(
        &self,
        request: ServiceRequest<wf::ListSchedulesRequest>,
    ) -> Result<wf::ListSchedulesResponse, ServiceError> {
        self.list_schedules_of(request.message)
    }

    async fn count_schedules(
        &self,
        request: ServiceRequest<wf::CountSchedulesRequest>,
    ) -> Result<wf::CountSchedulesResponse, ServiceError> {
        self.count_schedules_of(request.message)
    }

    async fn list_schedule_matching_times(
        &self,
        request: ServiceRequest<wf::ListScheduleMatchingTimesRequest>,
    ) -> Result<wf::ListScheduleMatchingTimesResponse, ServiceError> {
        self.list_schedule_matching_times_of(request.message)
    }
}
