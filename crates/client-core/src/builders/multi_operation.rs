//! ExecuteMultiOperation requests: update-with-start.

use temporal_proto::prelude::workflowservice::{
    ExecuteMultiOperationRequest, UpdateWorkflowExecutionRequest, execute_multi_operation_request,
};
use temporal_proto::temporal::api::common::v1::{Memo, Payload};

use super::start::start_workflow_request;
use crate::options::WorkflowOptions;
use crate::validation::InvalidRequest;

/// An update-with-start request: start the workflow (or use the running one, per the id
/// conflict policy) and send it `update` (built with
/// [`update_request`](super::update_request) for the same workflow id and no run ids).
///
/// Fails like [`start_workflow_request`], and also if `options` has no id conflict
/// policy (the server requires one here), sets `cron_schedule` or `start_delay`
/// (the server rejects both here), or the update names another workflow id or a run.
pub fn update_with_start_request<A>(
    namespace: &str,
    identity: &str,
    workflow_type: &str,
    options: &WorkflowOptions<A>,
    input: Vec<Payload>,
    memo: Option<Memo>,
    mut update: UpdateWorkflowExecutionRequest,
) -> Result<ExecuteMultiOperationRequest, InvalidRequest> {
    if options.id_conflict_policy.is_none() {
        return Err(InvalidRequest::MissingIdConflictPolicy);
    }
    if options.cron_schedule.is_some() {
        return Err(InvalidRequest::NotAllowedWithUpdateWithStart {
            field: "cron_schedule",
        });
    }
    if options.start_delay.is_some() {
        return Err(InvalidRequest::NotAllowedWithUpdateWithStart {
            field: "start_delay",
        });
    }
    if !update.first_execution_run_id.is_empty() {
        return Err(InvalidRequest::NotAllowedWithUpdateWithStart {
            field: "first_execution_run_id",
        });
    }
    let execution = update
        .workflow_execution
        .get_or_insert_with(Default::default);
    if !execution.run_id.is_empty() {
        return Err(InvalidRequest::NotAllowedWithUpdateWithStart { field: "run_id" });
    }
    if execution.workflow_id.is_empty() {
        execution.workflow_id = options.workflow_id.clone();
    } else if execution.workflow_id != options.workflow_id {
        return Err(InvalidRequest::WorkflowIdMismatch {
            start: options.workflow_id.clone(),
            update: execution.workflow_id.clone(),
        });
    }
    let start = start_workflow_request(namespace, identity, workflow_type, options, input, memo)?;
    update.namespace = namespace.to_owned();
    let resource_id = start.workflow_id.clone();
    Ok(ExecuteMultiOperationRequest {
        namespace: namespace.to_owned(),
        operations: vec![
            execute_multi_operation_request::Operation {
                operation: Some(
                    execute_multi_operation_request::operation::Operation::StartWorkflow(start),
                ),
            },
            execute_multi_operation_request::Operation {
                operation: Some(
                    execute_multi_operation_request::operation::Operation::UpdateWorkflow(update),
                ),
            },
        ],
        resource_id,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::time::Duration;

    use execute_multi_operation_request::operation::Operation;

    use super::*;
    use crate::builders::common::tests::{assert_uuid_v4, json_payload};
    use crate::builders::{update_id_of, update_request};
    use crate::options::{IdConflictPolicy, UpdateWaitStage};

    fn update(workflow_id: &str) -> UpdateWorkflowExecutionRequest {
        update_request(
            "ns",
            "me",
            workflow_id,
            "",
            "",
            Some("uid".into()),
            "add",
            vec![json_payload("1")],
            UpdateWaitStage::Completed,
        )
        .unwrap()
    }

    fn options() -> WorkflowOptions {
        WorkflowOptions::new("wid", "tq").id_conflict_policy(IdConflictPolicy::UseExisting)
    }

    #[test]
    fn builds_start_then_update() {
        let request = update_with_start_request(
            "ns",
            "me",
            "counter",
            &options(),
            vec![json_payload("0")],
            None,
            update("wid"),
        )
        .unwrap();
        assert_eq!(request.namespace, "ns");
        assert_eq!(request.resource_id, "wid");
        assert_eq!(request.operations.len(), 2);
        let Some(Operation::StartWorkflow(start)) = &request.operations[0].operation else {
            panic!("first operation is not a start");
        };
        assert_eq!(start.workflow_id, "wid");
        assert_eq!(start.workflow_type.as_ref().unwrap().name, "counter");
        assert_eq!(start.workflow_id_conflict_policy, 2, "UseExisting");
        assert_eq!(start.input.as_ref().unwrap().payloads, [json_payload("0")]);
        assert_uuid_v4(&start.request_id);
        let Some(Operation::UpdateWorkflow(update)) = &request.operations[1].operation else {
            panic!("second operation is not an update");
        };
        assert_eq!(update.namespace, "ns");
        assert_eq!(
            update.workflow_execution.as_ref().unwrap().workflow_id,
            "wid"
        );
        assert_eq!(update_id_of(update), "uid");
    }

    #[test]
    fn fills_in_a_missing_update_workflow_id() {
        let mut bare = update("wid");
        bare.workflow_execution = None;
        let request =
            update_with_start_request("ns", "me", "w", &options(), vec![], None, bare).unwrap();
        let Some(Operation::UpdateWorkflow(update)) = &request.operations[1].operation else {
            panic!("second operation is not an update");
        };
        assert_eq!(
            update.workflow_execution.as_ref().unwrap().workflow_id,
            "wid"
        );
    }

    #[test]
    fn requires_a_conflict_policy() {
        let err = update_with_start_request(
            "ns",
            "me",
            "w",
            &WorkflowOptions::new("wid", "tq"),
            vec![],
            None,
            update("wid"),
        )
        .unwrap_err();
        assert_eq!(err, InvalidRequest::MissingIdConflictPolicy);
        assert!(err.to_string().contains("id_conflict_policy"));
    }

    #[test]
    fn rejects_what_the_server_rejects() {
        let build = |options: &WorkflowOptions, update| {
            update_with_start_request("ns", "me", "w", options, vec![], None, update)
        };
        assert_eq!(
            build(&options().cron_schedule("@daily"), update("wid")),
            Err(InvalidRequest::NotAllowedWithUpdateWithStart {
                field: "cron_schedule"
            })
        );
        assert_eq!(
            build(
                &options().start_delay(Duration::from_secs(1)),
                update("wid")
            ),
            Err(InvalidRequest::NotAllowedWithUpdateWithStart {
                field: "start_delay"
            })
        );
        let mut with_run = update("wid");
        with_run.workflow_execution.as_mut().unwrap().run_id = "rid".into();
        assert_eq!(
            build(&options(), with_run),
            Err(InvalidRequest::NotAllowedWithUpdateWithStart { field: "run_id" })
        );
        let mut with_first = update("wid");
        with_first.first_execution_run_id = "first".into();
        assert_eq!(
            build(&options(), with_first),
            Err(InvalidRequest::NotAllowedWithUpdateWithStart {
                field: "first_execution_run_id"
            })
        );
        assert_eq!(
            build(&options(), update("other")),
            Err(InvalidRequest::WorkflowIdMismatch {
                start: "wid".into(),
                update: "other".into()
            })
        );
        assert_eq!(
            build(
                &WorkflowOptions::new("wid", "").id_conflict_policy(IdConflictPolicy::Fail),
                update("wid")
            ),
            Err(InvalidRequest::EmptyTaskQueue)
        );
    }
}
