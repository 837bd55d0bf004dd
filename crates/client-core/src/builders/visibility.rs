//! ListWorkflowExecutions and CountWorkflowExecutions requests.

use temporal_proto::prelude::workflowservice::{
    CountWorkflowExecutionsRequest, ListWorkflowExecutionsRequest,
};

/// One page of workflows matching a visibility `query` (empty: all). `page_size` 0
/// means the server's default; start with an empty `next_page_token`.
pub fn list_workflows_request(
    namespace: &str,
    query: &str,
    page_size: i32,
    next_page_token: Vec<u8>,
) -> ListWorkflowExecutionsRequest {
    ListWorkflowExecutionsRequest {
        namespace: namespace.to_owned(),
        page_size: page_size.max(0),
        next_page_token,
        query: query.to_owned(),
    }
}

/// Counts the workflows matching a visibility `query` (empty: all).
pub fn count_workflows_request(namespace: &str, query: &str) -> CountWorkflowExecutionsRequest {
    CountWorkflowExecutionsRequest {
        namespace: namespace.to_owned(),
        query: query.to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn builds_list() {
        let request = list_workflows_request("ns", "WorkflowType = 'echo'", 50, b"t".to_vec());
        assert_eq!(request.namespace, "ns");
        assert_eq!(request.query, "WorkflowType = 'echo'");
        assert_eq!(request.page_size, 50);
        assert_eq!(request.next_page_token, b"t");
        assert_eq!(list_workflows_request("ns", "", -5, vec![]).page_size, 0);
    }

    #[test]
    fn builds_count() {
        let request = count_workflows_request("ns", "ExecutionStatus = 'Running'");
        assert_eq!(request.namespace, "ns");
        assert_eq!(request.query, "ExecutionStatus = 'Running'");
    }
}
