//! QueryWorkflow requests.

use temporal_proto::prelude::workflowservice::QueryWorkflowRequest;
use temporal_proto::temporal::api::common::v1::{Header, Payload};
use temporal_proto::temporal::api::query::v1::WorkflowQuery;

use super::common::payloads;
use super::context::{ExecutionTarget, RequestContext};
use crate::options::QueryRejectCondition;
use crate::validation::{InvalidRequest, require};

/// What a query sends.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuerySpec<'a> {
    /// The workflow (and optionally run) to query.
    pub target: ExecutionTarget<'a>,
    /// The query name.
    pub query_type: &'a str,
    /// The arguments, one payload each.
    pub input: Vec<Payload>,
    /// The Temporal header, if any.
    pub header: Option<Header>,
    /// When the server refuses the query instead of asking a worker.
    pub reject_condition: QueryRejectCondition,
}

impl RequestContext<'_> {
    /// A QueryWorkflow request.
    ///
    /// # Errors
    /// [`InvalidRequest::EmptyWorkflowId`], [`InvalidRequest::EmptyQueryName`].
    pub fn query(&self, spec: QuerySpec<'_>) -> Result<QueryWorkflowRequest, InvalidRequest> {
        require(spec.target.workflow_id, InvalidRequest::EmptyWorkflowId)?;
        require(spec.query_type, InvalidRequest::EmptyQueryName)?;
        Ok(QueryWorkflowRequest {
            namespace: self.namespace.to_owned(),
            execution: spec.target.execution(),
            query: Some(WorkflowQuery {
                query_type: spec.query_type.to_owned(),
                query_args: payloads(spec.input),
                header: spec.header,
            }),
            query_reject_condition: spec.reject_condition.to_proto() as i32,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn query_request(
        namespace: &str,
        workflow_id: &str,
        run_id: &str,
        query_type: &str,
        input: Vec<Payload>,
        reject_condition: QueryRejectCondition,
    ) -> Result<QueryWorkflowRequest, InvalidRequest> {
        RequestContext::new(namespace, "me").query(QuerySpec {
            target: ExecutionTarget::run(workflow_id, run_id),
            query_type,
            input,
            header: None,
            reject_condition,
        })
    }
    use crate::builders::common::tests::json_payload;

    #[test]
    fn builds_query() {
        let request = query_request(
            "ns",
            "wid",
            "rid",
            "get_value",
            vec![json_payload("1")],
            QueryRejectCondition::NotOpen,
        )
        .unwrap();
        assert_eq!(request.namespace, "ns");
        let execution = request.execution.unwrap();
        assert_eq!(execution.workflow_id, "wid");
        assert_eq!(execution.run_id, "rid");
        let query = request.query.unwrap();
        assert_eq!(query.query_type, "get_value");
        assert_eq!(query.query_args.unwrap().payloads, [json_payload("1")]);
        assert_eq!(request.query_reject_condition, 2);
    }

    #[test]
    fn reject_conditions() {
        for (condition, value) in [
            (QueryRejectCondition::None, 1),
            (QueryRejectCondition::NotOpen, 2),
            (QueryRejectCondition::NotCompletedCleanly, 3),
        ] {
            let request = query_request("ns", "w", "", "q", vec![], condition).unwrap();
            assert_eq!(request.query_reject_condition, value);
            assert_eq!(request.query.unwrap().query_args, None);
        }
    }

    #[test]
    fn rejects_empty_names() {
        assert_eq!(
            query_request("ns", "w", "", "", vec![], QueryRejectCondition::None),
            Err(InvalidRequest::EmptyQueryName)
        );
        assert_eq!(
            query_request("ns", "", "", "q", vec![], QueryRejectCondition::None),
            Err(InvalidRequest::EmptyWorkflowId)
        );
    }
}
