//! ListWorkflowExecutions and CountWorkflowExecutions requests (visibility queries).

use temporal_proto::prelude::workflowservice::{
    CountWorkflowExecutionsRequest, ListWorkflowExecutionsRequest,
};

use super::context::RequestContext;

/// One page request of a visibility list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListSpec<'a> {
    /// The visibility query (`""` for all executions).
    pub query: &'a str,
    /// Executions per page; 0 (or less) lets the server choose.
    pub page_size: i32,
    /// The token from the previous page (empty for the first).
    pub next_page_token: Vec<u8>,
}

impl RequestContext<'_> {
    /// A ListWorkflowExecutions request for one page.
    pub fn list_workflows(&self, spec: ListSpec<'_>) -> ListWorkflowExecutionsRequest {
        ListWorkflowExecutionsRequest {
            namespace: self.namespace.to_owned(),
            page_size: spec.page_size.max(0),
            next_page_token: spec.next_page_token,
            query: spec.query.to_owned(),
        }
    }

    /// A CountWorkflowExecutions request.
    pub fn count_workflows(&self, query: &str) -> CountWorkflowExecutionsRequest {
        CountWorkflowExecutionsRequest {
            namespace: self.namespace.to_owned(),
            query: query.to_owned(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn list_workflows_request(
        ns: &str,
        query: &str,
        page_size: i32,
        next_page_token: Vec<u8>,
    ) -> ListWorkflowExecutionsRequest {
        RequestContext::new(ns, "me").list_workflows(ListSpec {
            query,
            page_size,
            next_page_token,
        })
    }

    fn count_workflows_request(ns: &str, query: &str) -> CountWorkflowExecutionsRequest {
        RequestContext::new(ns, "me").count_workflows(query)
    }

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
