//! RequestCancelWorkflowExecution and TerminateWorkflowExecution requests.

use temporal_proto::prelude::workflowservice::{
    RequestCancelWorkflowExecutionRequest, TerminateWorkflowExecutionRequest,
};
use temporal_proto::temporal::api::common::v1::Payload;

use super::common::{new_request_id, payloads};
use super::context::{ExecutionTarget, RequestContext};
use crate::validation::{InvalidRequest, require};

/// What a cancellation request sends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CancelSpec<'a> {
    /// The execution; `first_execution_run_id` restricts it to one chain of runs.
    pub target: ExecutionTarget<'a>,
    /// Why, recorded in the workflow's history (`""` for none).
    pub reason: &'a str,
    /// The idempotency key; `None` means a fresh UUID v4.
    pub request_id: Option<&'a str>,
}

/// What a termination request sends.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TerminateSpec<'a> {
    /// The execution; `first_execution_run_id` restricts it to one chain of runs.
    pub target: ExecutionTarget<'a>,
    /// Why, recorded in the workflow's history (`""` for none).
    pub reason: &'a str,
    /// Converted (and encoded) details, recorded with the termination.
    pub details: Vec<Payload>,
}

impl RequestContext<'_> {
    /// A RequestCancelWorkflowExecution request.
    ///
    /// # Errors
    /// [`InvalidRequest::EmptyWorkflowId`].
    pub fn cancel(
        &self,
        spec: CancelSpec<'_>,
    ) -> Result<RequestCancelWorkflowExecutionRequest, InvalidRequest> {
        require(spec.target.workflow_id, InvalidRequest::EmptyWorkflowId)?;
        Ok(RequestCancelWorkflowExecutionRequest {
            namespace: self.namespace.to_owned(),
            workflow_execution: spec.target.execution(),
            identity: self.identity.to_owned(),
            request_id: spec
                .request_id
                .filter(|id| !id.is_empty())
                .map_or_else(new_request_id, str::to_owned),
            first_execution_run_id: spec.target.first_execution_run_id.to_owned(),
            reason: spec.reason.to_owned(),
            ..Default::default()
        })
    }

    /// A TerminateWorkflowExecution request.
    ///
    /// # Errors
    /// [`InvalidRequest::EmptyWorkflowId`].
    pub fn terminate(
        &self,
        spec: TerminateSpec<'_>,
    ) -> Result<TerminateWorkflowExecutionRequest, InvalidRequest> {
        require(spec.target.workflow_id, InvalidRequest::EmptyWorkflowId)?;
        Ok(TerminateWorkflowExecutionRequest {
            namespace: self.namespace.to_owned(),
            workflow_execution: spec.target.execution(),
            reason: spec.reason.to_owned(),
            details: payloads(spec.details),
            identity: self.identity.to_owned(),
            first_execution_run_id: spec.target.first_execution_run_id.to_owned(),
            ..Default::default()
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn target<'a>(workflow_id: &'a str, run_id: &'a str, first: &'a str) -> ExecutionTarget<'a> {
        ExecutionTarget {
            workflow_id,
            run_id,
            first_execution_run_id: first,
        }
    }

    fn cancel_request(
        namespace: &str,
        identity: &str,
        workflow_id: &str,
        run_id: &str,
        first: &str,
        reason: &str,
    ) -> RequestCancelWorkflowExecutionRequest {
        RequestContext::new(namespace, identity)
            .cancel(CancelSpec {
                target: target(workflow_id, run_id, first),
                reason,
                request_id: None,
            })
            .unwrap()
    }

    fn terminate_request(
        namespace: &str,
        identity: &str,
        workflow_id: &str,
        run_id: &str,
        first: &str,
        reason: &str,
        details: Vec<Payload>,
    ) -> TerminateWorkflowExecutionRequest {
        RequestContext::new(namespace, identity)
            .terminate(TerminateSpec {
                target: target(workflow_id, run_id, first),
                reason,
                details,
            })
            .unwrap()
    }
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
