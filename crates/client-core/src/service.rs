//! The `WorkflowService` and `OperatorService` traits: one async method per RPC.
//!
//! Each method has a default body that answers "unimplemented", so an implementation
//! (a fake, a mock, a custom transport) covers only the RPCs it needs. The RPC lists
//! live in [`for_each_workflow_service_rpc!`](crate::for_each_workflow_service_rpc) and
//! [`for_each_operator_service_rpc!`](crate::for_each_operator_service_rpc), so a
//! transport or a server adapter can be generated from the same list.

use std::sync::Arc;

use temporal_proto::temporal::api::operatorservice::v1 as op;
use temporal_proto::temporal::api::workflowservice::v1 as wf;

use crate::{ServiceError, ServiceRequest};

/// Calls `$callback!` with every WorkflowService RPC as
/// `(method_name, RequestType, ResponseType, "RpcName")`, the types being names in
/// `temporal_proto::temporal::api::workflowservice::v1`.
#[macro_export]
macro_rules! for_each_workflow_service_rpc {
    ($callback:ident) => {
        $callback! {
                (register_namespace, RegisterNamespaceRequest, RegisterNamespaceResponse, "RegisterNamespace"),
                (describe_namespace, DescribeNamespaceRequest, DescribeNamespaceResponse, "DescribeNamespace"),
                (list_namespaces, ListNamespacesRequest, ListNamespacesResponse, "ListNamespaces"),
                (update_namespace, UpdateNamespaceRequest, UpdateNamespaceResponse, "UpdateNamespace"),
                (deprecate_namespace, DeprecateNamespaceRequest, DeprecateNamespaceResponse, "DeprecateNamespace"),
                (start_workflow_execution, StartWorkflowExecutionRequest, StartWorkflowExecutionResponse, "StartWorkflowExecution"),
                (execute_multi_operation, ExecuteMultiOperationRequest, ExecuteMultiOperationResponse, "ExecuteMultiOperation"),
                (get_workflow_execution_history, GetWorkflowExecutionHistoryRequest, GetWorkflowExecutionHistoryResponse, "GetWorkflowExecutionHistory"),
                (get_workflow_execution_history_reverse, GetWorkflowExecutionHistoryReverseRequest, GetWorkflowExecutionHistoryReverseResponse, "GetWorkflowExecutionHistoryReverse"),
                (poll_workflow_task_queue, PollWorkflowTaskQueueRequest, PollWorkflowTaskQueueResponse, "PollWorkflowTaskQueue"),
                (respond_workflow_task_completed, RespondWorkflowTaskCompletedRequest, RespondWorkflowTaskCompletedResponse, "RespondWorkflowTaskCompleted"),
                (respond_workflow_task_failed, RespondWorkflowTaskFailedRequest, RespondWorkflowTaskFailedResponse, "RespondWorkflowTaskFailed"),
                (poll_activity_task_queue, PollActivityTaskQueueRequest, PollActivityTaskQueueResponse, "PollActivityTaskQueue"),
                (record_activity_task_heartbeat, RecordActivityTaskHeartbeatRequest, RecordActivityTaskHeartbeatResponse, "RecordActivityTaskHeartbeat"),
                (record_activity_task_heartbeat_by_id, RecordActivityTaskHeartbeatByIdRequest, RecordActivityTaskHeartbeatByIdResponse, "RecordActivityTaskHeartbeatById"),
                (respond_activity_task_completed, RespondActivityTaskCompletedRequest, RespondActivityTaskCompletedResponse, "RespondActivityTaskCompleted"),
                (respond_activity_task_completed_by_id, RespondActivityTaskCompletedByIdRequest, RespondActivityTaskCompletedByIdResponse, "RespondActivityTaskCompletedById"),
                (respond_activity_task_failed, RespondActivityTaskFailedRequest, RespondActivityTaskFailedResponse, "RespondActivityTaskFailed"),
                (respond_activity_task_failed_by_id, RespondActivityTaskFailedByIdRequest, RespondActivityTaskFailedByIdResponse, "RespondActivityTaskFailedById"),
                (respond_activity_task_canceled, RespondActivityTaskCanceledRequest, RespondActivityTaskCanceledResponse, "RespondActivityTaskCanceled"),
                (respond_activity_task_canceled_by_id, RespondActivityTaskCanceledByIdRequest, RespondActivityTaskCanceledByIdResponse, "RespondActivityTaskCanceledById"),
                (request_cancel_workflow_execution, RequestCancelWorkflowExecutionRequest, RequestCancelWorkflowExecutionResponse, "RequestCancelWorkflowExecution"),
                (signal_workflow_execution, SignalWorkflowExecutionRequest, SignalWorkflowExecutionResponse, "SignalWorkflowExecution"),
                (signal_with_start_workflow_execution, SignalWithStartWorkflowExecutionRequest, SignalWithStartWorkflowExecutionResponse, "SignalWithStartWorkflowExecution"),
                (reset_workflow_execution, ResetWorkflowExecutionRequest, ResetWorkflowExecutionResponse, "ResetWorkflowExecution"),
                (terminate_workflow_execution, TerminateWorkflowExecutionRequest, TerminateWorkflowExecutionResponse, "TerminateWorkflowExecution"),
                (delete_workflow_execution, DeleteWorkflowExecutionRequest, DeleteWorkflowExecutionResponse, "DeleteWorkflowExecution"),
                (list_open_workflow_executions, ListOpenWorkflowExecutionsRequest, ListOpenWorkflowExecutionsResponse, "ListOpenWorkflowExecutions"),
                (list_closed_workflow_executions, ListClosedWorkflowExecutionsRequest, ListClosedWorkflowExecutionsResponse, "ListClosedWorkflowExecutions"),
                (list_workflow_executions, ListWorkflowExecutionsRequest, ListWorkflowExecutionsResponse, "ListWorkflowExecutions"),
                (list_archived_workflow_executions, ListArchivedWorkflowExecutionsRequest, ListArchivedWorkflowExecutionsResponse, "ListArchivedWorkflowExecutions"),
                (scan_workflow_executions, ScanWorkflowExecutionsRequest, ScanWorkflowExecutionsResponse, "ScanWorkflowExecutions"),
                (count_workflow_executions, CountWorkflowExecutionsRequest, CountWorkflowExecutionsResponse, "CountWorkflowExecutions"),
                (get_search_attributes, GetSearchAttributesRequest, GetSearchAttributesResponse, "GetSearchAttributes"),
                (respond_query_task_completed, RespondQueryTaskCompletedRequest, RespondQueryTaskCompletedResponse, "RespondQueryTaskCompleted"),
                (reset_sticky_task_queue, ResetStickyTaskQueueRequest, ResetStickyTaskQueueResponse, "ResetStickyTaskQueue"),
                (shutdown_worker, ShutdownWorkerRequest, ShutdownWorkerResponse, "ShutdownWorker"),
                (query_workflow, QueryWorkflowRequest, QueryWorkflowResponse, "QueryWorkflow"),
                (describe_workflow_execution, DescribeWorkflowExecutionRequest, DescribeWorkflowExecutionResponse, "DescribeWorkflowExecution"),
                (describe_task_queue, DescribeTaskQueueRequest, DescribeTaskQueueResponse, "DescribeTaskQueue"),
                (get_cluster_info, GetClusterInfoRequest, GetClusterInfoResponse, "GetClusterInfo"),
                (get_system_info, GetSystemInfoRequest, GetSystemInfoResponse, "GetSystemInfo"),
                (list_task_queue_partitions, ListTaskQueuePartitionsRequest, ListTaskQueuePartitionsResponse, "ListTaskQueuePartitions"),
                (create_schedule, CreateScheduleRequest, CreateScheduleResponse, "CreateSchedule"),
                (describe_schedule, DescribeScheduleRequest, DescribeScheduleResponse, "DescribeSchedule"),
                (update_schedule, UpdateScheduleRequest, UpdateScheduleResponse, "UpdateSchedule"),
                (patch_schedule, PatchScheduleRequest, PatchScheduleResponse, "PatchSchedule"),
                (list_schedule_matching_times, ListScheduleMatchingTimesRequest, ListScheduleMatchingTimesResponse, "ListScheduleMatchingTimes"),
                (delete_schedule, DeleteScheduleRequest, DeleteScheduleResponse, "DeleteSchedule"),
                (list_schedules, ListSchedulesRequest, ListSchedulesResponse, "ListSchedules"),
                (count_schedules, CountSchedulesRequest, CountSchedulesResponse, "CountSchedules"),
                (update_worker_build_id_compatibility, UpdateWorkerBuildIdCompatibilityRequest, UpdateWorkerBuildIdCompatibilityResponse, "UpdateWorkerBuildIdCompatibility"),
                (get_worker_build_id_compatibility, GetWorkerBuildIdCompatibilityRequest, GetWorkerBuildIdCompatibilityResponse, "GetWorkerBuildIdCompatibility"),
                (update_worker_versioning_rules, UpdateWorkerVersioningRulesRequest, UpdateWorkerVersioningRulesResponse, "UpdateWorkerVersioningRules"),
                (get_worker_versioning_rules, GetWorkerVersioningRulesRequest, GetWorkerVersioningRulesResponse, "GetWorkerVersioningRules"),
                (get_worker_task_reachability, GetWorkerTaskReachabilityRequest, GetWorkerTaskReachabilityResponse, "GetWorkerTaskReachability"),
                (describe_deployment, DescribeDeploymentRequest, DescribeDeploymentResponse, "DescribeDeployment"),
                (describe_worker_deployment_version, DescribeWorkerDeploymentVersionRequest, DescribeWorkerDeploymentVersionResponse, "DescribeWorkerDeploymentVersion"),
                (list_deployments, ListDeploymentsRequest, ListDeploymentsResponse, "ListDeployments"),
                (get_deployment_reachability, GetDeploymentReachabilityRequest, GetDeploymentReachabilityResponse, "GetDeploymentReachability"),
                (get_current_deployment, GetCurrentDeploymentRequest, GetCurrentDeploymentResponse, "GetCurrentDeployment"),
                (set_current_deployment, SetCurrentDeploymentRequest, SetCurrentDeploymentResponse, "SetCurrentDeployment"),
                (set_worker_deployment_current_version, SetWorkerDeploymentCurrentVersionRequest, SetWorkerDeploymentCurrentVersionResponse, "SetWorkerDeploymentCurrentVersion"),
                (describe_worker_deployment, DescribeWorkerDeploymentRequest, DescribeWorkerDeploymentResponse, "DescribeWorkerDeployment"),
                (delete_worker_deployment, DeleteWorkerDeploymentRequest, DeleteWorkerDeploymentResponse, "DeleteWorkerDeployment"),
                (delete_worker_deployment_version, DeleteWorkerDeploymentVersionRequest, DeleteWorkerDeploymentVersionResponse, "DeleteWorkerDeploymentVersion"),
                (set_worker_deployment_ramping_version, SetWorkerDeploymentRampingVersionRequest, SetWorkerDeploymentRampingVersionResponse, "SetWorkerDeploymentRampingVersion"),
                (list_worker_deployments, ListWorkerDeploymentsRequest, ListWorkerDeploymentsResponse, "ListWorkerDeployments"),
                (create_worker_deployment, CreateWorkerDeploymentRequest, CreateWorkerDeploymentResponse, "CreateWorkerDeployment"),
                (create_worker_deployment_version, CreateWorkerDeploymentVersionRequest, CreateWorkerDeploymentVersionResponse, "CreateWorkerDeploymentVersion"),
                (update_worker_deployment_version_compute_config, UpdateWorkerDeploymentVersionComputeConfigRequest, UpdateWorkerDeploymentVersionComputeConfigResponse, "UpdateWorkerDeploymentVersionComputeConfig"),
                (validate_worker_deployment_version_compute_config, ValidateWorkerDeploymentVersionComputeConfigRequest, ValidateWorkerDeploymentVersionComputeConfigResponse, "ValidateWorkerDeploymentVersionComputeConfig"),
                (update_worker_deployment_version_metadata, UpdateWorkerDeploymentVersionMetadataRequest, UpdateWorkerDeploymentVersionMetadataResponse, "UpdateWorkerDeploymentVersionMetadata"),
                (set_worker_deployment_manager, SetWorkerDeploymentManagerRequest, SetWorkerDeploymentManagerResponse, "SetWorkerDeploymentManager"),
                (update_workflow_execution, UpdateWorkflowExecutionRequest, UpdateWorkflowExecutionResponse, "UpdateWorkflowExecution"),
                (poll_workflow_execution_update, PollWorkflowExecutionUpdateRequest, PollWorkflowExecutionUpdateResponse, "PollWorkflowExecutionUpdate"),
                (start_batch_operation, StartBatchOperationRequest, StartBatchOperationResponse, "StartBatchOperation"),
                (stop_batch_operation, StopBatchOperationRequest, StopBatchOperationResponse, "StopBatchOperation"),
                (describe_batch_operation, DescribeBatchOperationRequest, DescribeBatchOperationResponse, "DescribeBatchOperation"),
                (list_batch_operations, ListBatchOperationsRequest, ListBatchOperationsResponse, "ListBatchOperations"),
                (poll_nexus_task_queue, PollNexusTaskQueueRequest, PollNexusTaskQueueResponse, "PollNexusTaskQueue"),
                (respond_nexus_task_completed, RespondNexusTaskCompletedRequest, RespondNexusTaskCompletedResponse, "RespondNexusTaskCompleted"),
                (respond_nexus_task_failed, RespondNexusTaskFailedRequest, RespondNexusTaskFailedResponse, "RespondNexusTaskFailed"),
                (update_activity_options, UpdateActivityOptionsRequest, UpdateActivityOptionsResponse, "UpdateActivityOptions"),
                (update_workflow_execution_options, UpdateWorkflowExecutionOptionsRequest, UpdateWorkflowExecutionOptionsResponse, "UpdateWorkflowExecutionOptions"),
                (pause_activity, PauseActivityRequest, PauseActivityResponse, "PauseActivity"),
                (unpause_activity, UnpauseActivityRequest, UnpauseActivityResponse, "UnpauseActivity"),
                (reset_activity, ResetActivityRequest, ResetActivityResponse, "ResetActivity"),
                (create_workflow_rule, CreateWorkflowRuleRequest, CreateWorkflowRuleResponse, "CreateWorkflowRule"),
                (describe_workflow_rule, DescribeWorkflowRuleRequest, DescribeWorkflowRuleResponse, "DescribeWorkflowRule"),
                (delete_workflow_rule, DeleteWorkflowRuleRequest, DeleteWorkflowRuleResponse, "DeleteWorkflowRule"),
                (list_workflow_rules, ListWorkflowRulesRequest, ListWorkflowRulesResponse, "ListWorkflowRules"),
                (trigger_workflow_rule, TriggerWorkflowRuleRequest, TriggerWorkflowRuleResponse, "TriggerWorkflowRule"),
                (record_worker_heartbeat, RecordWorkerHeartbeatRequest, RecordWorkerHeartbeatResponse, "RecordWorkerHeartbeat"),
                (list_workers, ListWorkersRequest, ListWorkersResponse, "ListWorkers"),
                (count_workers, CountWorkersRequest, CountWorkersResponse, "CountWorkers"),
                (update_task_queue_config, UpdateTaskQueueConfigRequest, UpdateTaskQueueConfigResponse, "UpdateTaskQueueConfig"),
                (fetch_worker_config, FetchWorkerConfigRequest, FetchWorkerConfigResponse, "FetchWorkerConfig"),
                (update_worker_config, UpdateWorkerConfigRequest, UpdateWorkerConfigResponse, "UpdateWorkerConfig"),
                (describe_worker, DescribeWorkerRequest, DescribeWorkerResponse, "DescribeWorker"),
                (pause_workflow_execution, PauseWorkflowExecutionRequest, PauseWorkflowExecutionResponse, "PauseWorkflowExecution"),
                (unpause_workflow_execution, UnpauseWorkflowExecutionRequest, UnpauseWorkflowExecutionResponse, "UnpauseWorkflowExecution"),
                (start_activity_execution, StartActivityExecutionRequest, StartActivityExecutionResponse, "StartActivityExecution"),
                (start_nexus_operation_execution, StartNexusOperationExecutionRequest, StartNexusOperationExecutionResponse, "StartNexusOperationExecution"),
                (describe_activity_execution, DescribeActivityExecutionRequest, DescribeActivityExecutionResponse, "DescribeActivityExecution"),
                (describe_nexus_operation_execution, DescribeNexusOperationExecutionRequest, DescribeNexusOperationExecutionResponse, "DescribeNexusOperationExecution"),
                (poll_activity_execution, PollActivityExecutionRequest, PollActivityExecutionResponse, "PollActivityExecution"),
                (poll_nexus_operation_execution, PollNexusOperationExecutionRequest, PollNexusOperationExecutionResponse, "PollNexusOperationExecution"),
                (list_activity_executions, ListActivityExecutionsRequest, ListActivityExecutionsResponse, "ListActivityExecutions"),
                (list_nexus_operation_executions, ListNexusOperationExecutionsRequest, ListNexusOperationExecutionsResponse, "ListNexusOperationExecutions"),
                (count_activity_executions, CountActivityExecutionsRequest, CountActivityExecutionsResponse, "CountActivityExecutions"),
                (count_nexus_operation_executions, CountNexusOperationExecutionsRequest, CountNexusOperationExecutionsResponse, "CountNexusOperationExecutions"),
                (request_cancel_activity_execution, RequestCancelActivityExecutionRequest, RequestCancelActivityExecutionResponse, "RequestCancelActivityExecution"),
                (request_cancel_nexus_operation_execution, RequestCancelNexusOperationExecutionRequest, RequestCancelNexusOperationExecutionResponse, "RequestCancelNexusOperationExecution"),
                (terminate_activity_execution, TerminateActivityExecutionRequest, TerminateActivityExecutionResponse, "TerminateActivityExecution"),
                (delete_activity_execution, DeleteActivityExecutionRequest, DeleteActivityExecutionResponse, "DeleteActivityExecution"),
                (pause_activity_execution, PauseActivityExecutionRequest, PauseActivityExecutionResponse, "PauseActivityExecution"),
                (reset_activity_execution, ResetActivityExecutionRequest, ResetActivityExecutionResponse, "ResetActivityExecution"),
                (unpause_activity_execution, UnpauseActivityExecutionRequest, UnpauseActivityExecutionResponse, "UnpauseActivityExecution"),
                (update_activity_execution_options, UpdateActivityExecutionOptionsRequest, UpdateActivityExecutionOptionsResponse, "UpdateActivityExecutionOptions"),
                (terminate_nexus_operation_execution, TerminateNexusOperationExecutionRequest, TerminateNexusOperationExecutionResponse, "TerminateNexusOperationExecution"),
                (delete_nexus_operation_execution, DeleteNexusOperationExecutionRequest, DeleteNexusOperationExecutionResponse, "DeleteNexusOperationExecution"),
                (poll_workflow_execution_time_skipping, PollWorkflowExecutionTimeSkippingRequest, PollWorkflowExecutionTimeSkippingResponse, "PollWorkflowExecutionTimeSkipping"),
        }
    };
}

/// Calls `$callback!` with every OperatorService RPC as
/// `(method_name, RequestType, ResponseType, "RpcName")`, the types being names in
/// `temporal_proto::temporal::api::operatorservice::v1`.
#[macro_export]
macro_rules! for_each_operator_service_rpc {
    ($callback:ident) => {
        $callback! {
                (add_search_attributes, AddSearchAttributesRequest, AddSearchAttributesResponse, "AddSearchAttributes"),
                (remove_search_attributes, RemoveSearchAttributesRequest, RemoveSearchAttributesResponse, "RemoveSearchAttributes"),
                (list_search_attributes, ListSearchAttributesRequest, ListSearchAttributesResponse, "ListSearchAttributes"),
                (delete_namespace, DeleteNamespaceRequest, DeleteNamespaceResponse, "DeleteNamespace"),
                (add_or_update_remote_cluster, AddOrUpdateRemoteClusterRequest, AddOrUpdateRemoteClusterResponse, "AddOrUpdateRemoteCluster"),
                (remove_remote_cluster, RemoveRemoteClusterRequest, RemoveRemoteClusterResponse, "RemoveRemoteCluster"),
                (list_clusters, ListClustersRequest, ListClustersResponse, "ListClusters"),
                (get_nexus_endpoint, GetNexusEndpointRequest, GetNexusEndpointResponse, "GetNexusEndpoint"),
                (create_nexus_endpoint, CreateNexusEndpointRequest, CreateNexusEndpointResponse, "CreateNexusEndpoint"),
                (update_nexus_endpoint, UpdateNexusEndpointRequest, UpdateNexusEndpointResponse, "UpdateNexusEndpoint"),
                (delete_nexus_endpoint, DeleteNexusEndpointRequest, DeleteNexusEndpointResponse, "DeleteNexusEndpoint"),
                (list_nexus_endpoints, ListNexusEndpointsRequest, ListNexusEndpointsResponse, "ListNexusEndpoints"),
        }
    };
}

macro_rules! define_service_trait {
    ($(#[$attr:meta])* $trait_name:ident, $names:ident, $pkg:ident, $service:literal;
     $( ($method:ident, $req:ident, $resp:ident, $name:literal) ),* $(,)?) => {
        $(#[$attr])*
        #[cfg_attr(feature = "mock", mockall::automock)]
        #[async_trait::async_trait]
        pub trait $trait_name: Send + Sync {
            $(
                #[doc = concat!("The `", $name, "` RPC of `", $service, "`.")]
                async fn $method(
                    &self,
                    request: ServiceRequest<$pkg::$req>,
                ) -> Result<$pkg::$resp, ServiceError> {
                    let _ = request;
                    Err(ServiceError::unimplemented($name))
                }
            )*
        }

        /// The name of every RPC of the service, in declaration order.
        pub const $names: &[&str] = &[$($name),*];

        #[async_trait::async_trait]
        impl<T: $trait_name + ?Sized> $trait_name for Arc<T> {
            $(
                async fn $method(
                    &self,
                    request: ServiceRequest<$pkg::$req>,
                ) -> Result<$pkg::$resp, ServiceError> {
                    (**self).$method(request).await
                }
            )*
        }

        #[async_trait::async_trait]
        impl<T: $trait_name + ?Sized> $trait_name for Box<T> {
            $(
                async fn $method(
                    &self,
                    request: ServiceRequest<$pkg::$req>,
                ) -> Result<$pkg::$resp, ServiceError> {
                    (**self).$method(request).await
                }
            )*
        }
    };
}

macro_rules! define_workflow_service {
    ($($rpc:tt)*) => {
        define_service_trait! {
            /// The Temporal `WorkflowService`, independent of any transport.
            ///
            /// `temporal-client`'s `Connection` implements it over gRPC; the testkit's
            /// `FakeServer` implements it in memory; with the `mock` feature,
            /// `MockWorkflowService` is a mockall mock of it.
            WorkflowService, WORKFLOW_SERVICE_RPCS, wf, "temporal.api.workflowservice.v1.WorkflowService";
            $($rpc)*
        }
    };
}

macro_rules! define_operator_service {
    ($($rpc:tt)*) => {
        define_service_trait! {
            /// The Temporal `OperatorService` (search attributes, namespaces, Nexus
            /// endpoints), independent of any transport.
            OperatorService, OPERATOR_SERVICE_RPCS, op, "temporal.api.operatorservice.v1.OperatorService";
            $($rpc)*
        }
    };
}

for_each_workflow_service_rpc!(define_workflow_service);
for_each_operator_service_rpc!(define_operator_service);

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message as _;

    fn descriptor_rpcs(service: &str) -> Vec<String> {
        let fds = temporal_proto::protobuf::FileDescriptorSet::decode(
            temporal_proto::FILE_DESCRIPTOR_SET,
        )
        .unwrap_or_default();
        fds.file
            .iter()
            .flat_map(|f| {
                f.service
                    .iter()
                    .filter(|s| format!("{}.{}", f.package(), s.name()) == service)
                    .flat_map(|s| s.method.iter().map(|m| m.name().to_owned()))
            })
            .collect()
    }

    #[test]
    fn workflow_service_trait_covers_every_rpc_of_the_descriptor() {
        let expected = descriptor_rpcs("temporal.api.workflowservice.v1.WorkflowService");
        assert!(
            expected.len() > 100,
            "descriptor has {} rpcs",
            expected.len()
        );
        assert_eq!(WORKFLOW_SERVICE_RPCS, expected.as_slice());
    }

    #[test]
    fn operator_service_trait_covers_every_rpc_of_the_descriptor() {
        let expected = descriptor_rpcs("temporal.api.operatorservice.v1.OperatorService");
        assert!(!expected.is_empty());
        assert_eq!(OPERATOR_SERVICE_RPCS, expected.as_slice());
    }

    struct Nothing;
    impl WorkflowService for Nothing {}

    #[tokio::test]
    async fn default_bodies_answer_unimplemented_with_the_rpc_name() {
        let svc: Arc<dyn WorkflowService> = Arc::new(Nothing);
        let err = svc
            .get_system_info(wf::GetSystemInfoRequest {}.into())
            .await
            .err();
        let err = err.as_ref().map(|e| (e.code(), e.rpc()));
        assert_eq!(err, Some((crate::Code::Unimplemented, "GetSystemInfo")));
    }
}
