//! QueryWorkflow requests.

use temporal_proto::prelude::workflowservice::QueryWorkflowRequest;
use temporal_proto::temporal::api::common::v1::Payload;
use temporal_proto::temporal::api::query::v1::WorkflowQuery;

use super::common::{execution, payloads};
use crate::options::QueryRejectCondition;
use crate::validation::{InvalidRequest, require};

/// A QueryWorkflow request. An empty `run_id` targets the latest run. Fails if the
/// workflow id or query name is empty.
pub fn query_request(
    namespace: &str,
    workflow_id: &str,
    run_id: &str,
    query_type: &str,
    args: Vec<Payload>,
    reject_condition: QueryRejectCondition,
) -> Result<QueryWorkflowRequest, InvalidRequest> {
    require(workflow_id, InvalidRequest::EmptyWorkflowId)?;
    require(query_type, InvalidRequest::EmptyQueryName)?;
    Ok(QueryWorkflowRequest {
        namespace: namespace.to_owned(),
        execution: execution(workflow_id, run_id),
        query: Some(WorkflowQuery {
            query_type: query_type.to_owned(),
            query_args: payloads(args),
            header: None,
        }),
        query_reject_condition: reject_condition.to_proto() as i32,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
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
