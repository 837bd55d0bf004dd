//! GetSystemInfo: the server version and capabilities the fake reports.

// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use temporal_client_core::{ServiceError, ServiceRequest};
use temporal_proto::temporal::api::workflowservice::v1 as wf;

use crate::fake::server::FakeServer;

/// Server version the fake reports.
const SERVER_VERSION: &str = "1.32.0";

impl FakeServer {
    pub(crate) async fn get_system_info_of(
        &self,
        _request: ServiceRequest<wf::GetSystemInfoRequest>,
    ) -> Result<wf::GetSystemInfoResponse, ServiceError> {
        Ok(wf::GetSystemInfoResponse {
            server_version: SERVER_VERSION.to_owned(),
            capabilities: Some(wf::get_system_info_response::Capabilities {
                signal_and_query_header: true,
                internal_error_differentiation: true,
                activity_failure_include_heartbeat: true,
                supports_schedules: false,
                encoded_failure_attributes: true,
                build_id_based_versioning: false,
                upsert_memo: true,
                eager_workflow_start: false,
                sdk_metadata: true,
                count_group_by_execution_status: true,
                nexus: false,
                ..Default::default()
            }),
        })
    }
}
