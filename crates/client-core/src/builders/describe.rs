//! DescribeWorkflowExecution requests.

use temporal_proto::prelude::workflowservice::DescribeWorkflowExecutionRequest;

use super::common::execution;

/// A DescribeWorkflowExecution request. An empty `run_id` targets the latest run.
pub fn describe_request(
    namespace: &str,
    workflow_id: &str,
    run_id: &str,
) -> DescribeWorkflowExecutionRequest {
    DescribeWorkflowExecutionRequest {
        namespace: namespace.to_owned(),
        execution: execution(workflow_id, run_id),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn builds_describe() {
        let request = describe_request("ns", "wid", "rid");
        assert_eq!(request.namespace, "ns");
        let execution = request.execution.unwrap();
        assert_eq!(execution.workflow_id, "wid");
        assert_eq!(execution.run_id, "rid");
    }
}
