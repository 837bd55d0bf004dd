//! DescribeWorkflowExecution requests.

use temporal_proto::prelude::workflowservice::DescribeWorkflowExecutionRequest;

use super::context::{ExecutionTarget, RequestContext};
use crate::validation::{InvalidRequest, require};

impl RequestContext<'_> {
    /// A DescribeWorkflowExecution request. An empty run id targets the latest run.
    ///
    /// # Errors
    /// [`InvalidRequest::EmptyWorkflowId`].
    pub fn describe(
        &self,
        target: ExecutionTarget<'_>,
    ) -> Result<DescribeWorkflowExecutionRequest, InvalidRequest> {
        require(target.workflow_id, InvalidRequest::EmptyWorkflowId)?;
        Ok(DescribeWorkflowExecutionRequest {
            namespace: self.namespace.to_owned(),
            execution: target.execution(),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn describe_request(ns: &str, wid: &str, rid: &str) -> DescribeWorkflowExecutionRequest {
        RequestContext::new(ns, "me")
            .describe(ExecutionTarget::run(wid, rid))
            .unwrap()
    }

    #[test]
    fn builds_describe() {
        let request = describe_request("ns", "wid", "rid");
        assert_eq!(request.namespace, "ns");
        let execution = request.execution.unwrap();
        assert_eq!(execution.workflow_id, "wid");
        assert_eq!(execution.run_id, "rid");
    }

    /// Every request about one execution refuses an empty workflow id before it is
    /// sent, as start, signal, query and update do.
    #[test]
    fn an_empty_workflow_id_is_refused_by_every_execution_request() {
        use crate::builders::{CancelSpec, HistoryFilter, HistorySpec, TerminateSpec};
        let ctx = RequestContext::new("ns", "me");
        let empty = ExecutionTarget::latest("");
        let refused = |e: InvalidRequest| matches!(e, InvalidRequest::EmptyWorkflowId);
        assert!(refused(ctx.describe(empty).unwrap_err()));
        assert!(refused(
            ctx.history(HistorySpec {
                target: empty,
                filter: HistoryFilter::CloseEvent,
                next_page_token: Vec::new(),
                page_size: 0,
            })
            .unwrap_err()
        ));
        assert!(refused(
            ctx.cancel(CancelSpec {
                target: empty,
                ..CancelSpec::default()
            })
            .unwrap_err()
        ));
        assert!(refused(
            ctx.terminate(TerminateSpec {
                target: empty,
                ..TerminateSpec::default()
            })
            .unwrap_err()
        ));
    }
}
