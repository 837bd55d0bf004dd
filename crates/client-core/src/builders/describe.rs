//! DescribeWorkflowExecution requests.

use temporal_proto::prelude::workflowservice::DescribeWorkflowExecutionRequest;

use super::context::{ExecutionTarget, RequestContext};

impl RequestContext<'_> {
    /// A DescribeWorkflowExecution request. An empty run id targets the latest run.
    pub fn describe(&self, target: ExecutionTarget<'_>) -> DescribeWorkflowExecutionRequest {
        DescribeWorkflowExecutionRequest {
            namespace: self.namespace.to_owned(),
            execution: target.execution(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn describe_request(ns: &str, wid: &str, rid: &str) -> DescribeWorkflowExecutionRequest {
        RequestContext::new(ns, "me").describe(ExecutionTarget::run(wid, rid))
    }

    #[test]
    fn builds_describe() {
        let request = describe_request("ns", "wid", "rid");
        assert_eq!(request.namespace, "ns");
        let execution = request.execution.unwrap();
        assert_eq!(execution.workflow_id, "wid");
        assert_eq!(execution.run_id, "rid");
    }
}
