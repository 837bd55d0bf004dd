//! ExecuteMultiOperation requests: update-with-start.

use temporal_proto::prelude::workflowservice::{
    ExecuteMultiOperationRequest, execute_multi_operation_request,
};

use super::context::RequestContext;
use super::start::StartSpec;
use super::update::UpdateSpec;
use crate::validation::InvalidRequest;

impl RequestContext<'_> {
    /// An update-with-start request: start the workflow (or use the running one, per
    /// the id conflict policy) and send it the update, in one call. The update's
    /// target may leave the workflow id empty (it is the start's).
    ///
    /// # Errors
    /// As [`start_workflow`](Self::start_workflow) and [`update`](Self::update), and
    /// also if the options have no id conflict policy (the server requires one here),
    /// set `cron_schedule` or `start_delay` (the server rejects both here), or the
    /// update names another workflow id, a run or a first execution run id.
    pub fn update_with_start<'a, A>(
        &self,
        start: StartSpec<'a, A>,
        mut update: UpdateSpec<'a>,
    ) -> Result<ExecuteMultiOperationRequest, InvalidRequest> {
        let options = start.options;
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
        if !update.target.first_execution_run_id.is_empty() {
            return Err(InvalidRequest::NotAllowedWithUpdateWithStart {
                field: "first_execution_run_id",
            });
        }
        if !update.target.run_id.is_empty() {
            return Err(InvalidRequest::NotAllowedWithUpdateWithStart { field: "run_id" });
        }
        if update.target.workflow_id.is_empty() {
            update.target.workflow_id = &options.workflow_id;
        } else if update.target.workflow_id != options.workflow_id {
            return Err(InvalidRequest::WorkflowIdMismatch {
                start: options.workflow_id.clone(),
                update: update.target.workflow_id.to_owned(),
            });
        }
        let start = self.start_workflow(start)?;
        let update = self.update(update)?;
        let resource_id = start.workflow_id.clone();
        Ok(ExecuteMultiOperationRequest {
            namespace: self.namespace.to_owned(),
            operations: vec![
                execute_multi_operation_request::Operation {
                    operation: Some(
                        execute_multi_operation_request::operation::Operation::StartWorkflow(start),
                    ),
                },
                execute_multi_operation_request::Operation {
                    operation: Some(
                        execute_multi_operation_request::operation::Operation::UpdateWorkflow(
                            update,
                        ),
                    ),
                },
            ],
            resource_id,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::time::Duration;

    use execute_multi_operation_request::operation::Operation;

    use super::*;
    use crate::builders::common::tests::{assert_uuid_v4, json_payload};
    use crate::builders::{ExecutionTarget, update_id_of};
    use crate::options::{IdConflictPolicy, UpdateWaitStage, WorkflowOptions};

    fn update(workflow_id: &str) -> UpdateSpec<'_> {
        UpdateSpec {
            target: ExecutionTarget::latest(workflow_id),
            update_id: Some("uid"),
            update_name: "add",
            input: vec![json_payload("1")],
            header: None,
            wait_stage: UpdateWaitStage::Completed,
        }
    }

    fn options() -> WorkflowOptions {
        WorkflowOptions::new("wid", "tq").id_conflict_policy(IdConflictPolicy::UseExisting)
    }

    fn build<'a>(
        options: &'a WorkflowOptions,
        update: UpdateSpec<'a>,
    ) -> Result<ExecuteMultiOperationRequest, InvalidRequest> {
        RequestContext::new("ns", "me").update_with_start(
            StartSpec {
                workflow_type: "counter",
                options,
                input: vec![json_payload("0")],
                memo: None,
                header: None,
            },
            update,
        )
    }

    #[test]
    fn builds_start_then_update() {
        let options = options();
        let request = build(&options, update("wid")).unwrap();
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
        let options = options();
        let request = build(&options, update("")).unwrap();
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
        let options = WorkflowOptions::new("wid", "tq");
        let err = build(&options, update("wid")).unwrap_err();
        assert_eq!(err, InvalidRequest::MissingIdConflictPolicy);
        assert!(err.to_string().contains("id_conflict_policy"));
    }

    #[test]
    fn rejects_what_the_server_rejects() {
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
        let options = options();
        let mut with_run = update("wid");
        with_run.target.run_id = "rid";
        assert_eq!(
            build(&options, with_run),
            Err(InvalidRequest::NotAllowedWithUpdateWithStart { field: "run_id" })
        );
        let mut with_first = update("wid");
        with_first.target.first_execution_run_id = "first";
        assert_eq!(
            build(&options, with_first),
            Err(InvalidRequest::NotAllowedWithUpdateWithStart {
                field: "first_execution_run_id"
            })
        );
        assert_eq!(
            build(&options, update("other")),
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
