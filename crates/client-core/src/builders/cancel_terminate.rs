//! RequestCancelWorkflowExecution and TerminateWorkflowExecution requests.

use temporal_proto::prelude::workflowservice::{
    RequestCancelWorkflowExecutionRequest, TerminateWorkflowExecutionRequest,
};
use temporal_proto::temporal::api::common::v1::Payload;

use super::common::{execution, new_request_id, payloads};

/// A RequestCancelWorkflowExecution request with a fresh UUID v4 request id.
///
/// An empty `run_id` targets the latest run; a non-empty `first_execution_run_id`
/// restricts the cancel to the chain of runs that started with that run (so a handle
/// never cancels a later, unrelated workflow with the same id).
pub fn cancel_request(
    namespace: &str,
    identity: &str,
    workflow_id: &str,
    run_id: &str,
    first_execution_run_id: &str,
    reason: &str,
) -> RequestCancelWorkflowExecutionRequest {
    RequestCancelWorkflowExecutionRequest {
        namespace: namespace.to_owned(),
        workflow_execution: execution(workflow_id, run_id),
        identity: identity.to_owned(),
        request_id: new_request_id(),
        first_execution_run_id: first_execution_run_id.to_owned(),
        reason: reason.to_owned(),
        ..Default::default()
    }
}

/// A TerminateWorkflowExecution request. `details` are the converted details (none if
/// empty); `run_id` and `first_execution_run_id` work as in [`cancel_request`].
pub fn terminate_request(
    namespace: &str,
    identity: &str,
    workflow_id: &str,
    run_id: &str,
    first_execution_run_id: &str,
    reason: &str,
    details: Vec<Payload>,
) -> TerminateWorkflowExecutionRequest {
    TerminateWorkflowExecutionRequest {
        namespace: namespace.to_owned(),
        workflow_execution: execution(workflow_id, run_id),
        reason: reason.to_owned(),
        details: payloads(details),
        identity: identity.to_owned(),
        first_execution_run_id: first_execution_run_id.to_owned(),
        ..Default::default()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::builders::common::tests::{assert_uuid_v4, json_payload};

    #[test]
    fn builds_cancel() {
        let request = cancel_request("ns", "me", "wid", "rid", "first", "no longer needed");
        assert_eq!(request.namespace, "ns");
        let execution = request.workflow_execution.unwrap();
        assert_eq!(execution.workflow_id, "wid");
        assert_eq!(execution.run_id, "rid");
        assert_eq!(request.identity, "me");
        assert_eq!(request.first_execution_run_id, "first");
        assert_eq!(request.reason, "no longer needed");
        assert_uuid_v4(&request.request_id);
        let again = cancel_request("ns", "me", "wid", "", "", "");
        assert_ne!(again.request_id, request.request_id);
        assert_eq!(again.first_execution_run_id, "");
    }

    #[test]
    fn builds_terminate() {
        let request = terminate_request(
            "ns",
            "me",
            "wid",
            "",
            "first",
            "stop",
            vec![json_payload("\"d\"")],
        );
        assert_eq!(request.namespace, "ns");
        assert_eq!(request.workflow_execution.unwrap().workflow_id, "wid");
        assert_eq!(request.reason, "stop");
        assert_eq!(request.details.unwrap().payloads, [json_payload("\"d\"")]);
        assert_eq!(request.identity, "me");
        assert_eq!(request.first_execution_run_id, "first");
        let bare = terminate_request("ns", "me", "wid", "", "", "", vec![]);
        assert_eq!(bare.details, None);
    }
}
