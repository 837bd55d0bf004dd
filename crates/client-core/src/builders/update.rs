//! UpdateWorkflowExecution and PollWorkflowExecutionUpdate requests.

use temporal_proto::prelude::workflowservice::{
    PollWorkflowExecutionUpdateRequest, UpdateWorkflowExecutionRequest,
};
use temporal_proto::temporal::api::common::v1::{Header, Payload};
use temporal_proto::temporal::api::enums::v1::UpdateWorkflowExecutionLifecycleStage;
use temporal_proto::temporal::api::update::v1::{Input, Meta, Request, UpdateRef, WaitPolicy};

use super::common::{new_request_id, payloads};
use super::context::{ExecutionTarget, RequestContext};
use crate::options::UpdateWaitStage;
use crate::validation::{InvalidRequest, require};

/// What an update sends.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateSpec<'a> {
    /// The workflow (run, chain) to update.
    pub target: ExecutionTarget<'a>,
    /// The update id; `None` (or empty) means a fresh UUID v4. Sending the same id
    /// twice gives the same update.
    pub update_id: Option<&'a str>,
    /// The update name.
    pub update_name: &'a str,
    /// The arguments, one payload each.
    pub input: Vec<Payload>,
    /// The Temporal header, if any.
    pub header: Option<Header>,
    /// The stage the call waits for.
    pub wait_stage: UpdateWaitStage,
}

impl Default for UpdateSpec<'_> {
    fn default() -> Self {
        Self {
            target: ExecutionTarget::default(),
            update_id: None,
            update_name: "",
            input: Vec::new(),
            header: None,
            wait_stage: UpdateWaitStage::Completed,
        }
    }
}

impl RequestContext<'_> {
    /// An UpdateWorkflowExecution request; read its update id back with
    /// [`update_id_of`].
    ///
    /// # Errors
    /// [`InvalidRequest::EmptyWorkflowId`], [`InvalidRequest::EmptyUpdateName`].
    pub fn update(
        &self,
        spec: UpdateSpec<'_>,
    ) -> Result<UpdateWorkflowExecutionRequest, InvalidRequest> {
        require(spec.target.workflow_id, InvalidRequest::EmptyWorkflowId)?;
        require(spec.update_name, InvalidRequest::EmptyUpdateName)?;
        let update_id = spec
            .update_id
            .filter(|id| !id.is_empty())
            .map_or_else(new_request_id, str::to_owned);
        Ok(UpdateWorkflowExecutionRequest {
            namespace: self.namespace.to_owned(),
            workflow_execution: spec.target.execution(),
            first_execution_run_id: spec.target.first_execution_run_id.to_owned(),
            wait_policy: Some(WaitPolicy {
                lifecycle_stage: spec.wait_stage.to_proto() as i32,
            }),
            request: Some(Request {
                meta: Some(Meta {
                    update_id,
                    identity: self.identity.to_owned(),
                }),
                input: Some(Input {
                    header: spec.header,
                    name: spec.update_name.to_owned(),
                    args: payloads(spec.input),
                }),
                ..Default::default()
            }),
        })
    }

    /// The long poll for an update's outcome (waits for the `Completed` stage). A
    /// response without an outcome means the poll expired: send it again.
    pub fn poll_update(
        &self,
        target: ExecutionTarget<'_>,
        update_id: &str,
    ) -> PollWorkflowExecutionUpdateRequest {
        PollWorkflowExecutionUpdateRequest {
            namespace: self.namespace.to_owned(),
            update_ref: Some(UpdateRef {
                workflow_execution: target.execution(),
                update_id: update_id.to_owned(),
            }),
            identity: self.identity.to_owned(),
            wait_policy: Some(WaitPolicy {
                lifecycle_stage: UpdateWorkflowExecutionLifecycleStage::Completed as i32,
            }),
        }
    }
}

/// The update id of an update request.
pub fn update_id_of(request: &UpdateWorkflowExecutionRequest) -> &str {
    request
        .request
        .as_ref()
        .and_then(|r| r.meta.as_ref())
        .map_or("", |m| m.update_id.as_str())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn update_request(
        namespace: &str,
        identity: &str,
        workflow_id: &str,
        run_id: &str,
        first_execution_run_id: &str,
        update_id: Option<String>,
        update_name: &str,
        input: Vec<Payload>,
        wait_stage: UpdateWaitStage,
    ) -> Result<UpdateWorkflowExecutionRequest, InvalidRequest> {
        RequestContext::new(namespace, identity).update(UpdateSpec {
            target: ExecutionTarget {
                workflow_id,
                run_id,
                first_execution_run_id,
            },
            update_id: update_id.as_deref(),
            update_name,
            input,
            header: None,
            wait_stage,
        })
    }

    fn poll_update_request(
        namespace: &str,
        identity: &str,
        workflow_id: &str,
        run_id: &str,
        update_id: &str,
    ) -> PollWorkflowExecutionUpdateRequest {
        RequestContext::new(namespace, identity)
            .poll_update(ExecutionTarget::run(workflow_id, run_id), update_id)
    }
    use crate::builders::common::tests::{assert_uuid_v4, json_payload};

    #[test]
    fn builds_update_with_fresh_id() {
        let request = update_request(
            "ns",
            "me",
            "wid",
            "rid",
            "first",
            None,
            "add",
            vec![json_payload("2")],
            UpdateWaitStage::Accepted,
        )
        .unwrap();
        assert_eq!(request.namespace, "ns");
        let execution = request.workflow_execution.as_ref().unwrap();
        assert_eq!(execution.workflow_id, "wid");
        assert_eq!(execution.run_id, "rid");
        assert_eq!(request.first_execution_run_id, "first");
        assert_eq!(request.wait_policy.unwrap().lifecycle_stage, 2, "ACCEPTED");
        let update_id = update_id_of(&request).to_owned();
        assert_uuid_v4(&update_id);
        let inner = request.request.unwrap();
        let meta = inner.meta.unwrap();
        assert_eq!(meta.identity, "me");
        let input = inner.input.unwrap();
        assert_eq!(input.name, "add");
        assert_eq!(input.args.unwrap().payloads, [json_payload("2")]);
        assert_eq!(input.header, None);
    }

    #[test]
    fn update_ids_are_distinct_or_as_given() {
        let build = |id: Option<String>| {
            update_request(
                "ns",
                "me",
                "w",
                "",
                "",
                id,
                "u",
                vec![],
                UpdateWaitStage::Completed,
            )
            .unwrap()
        };
        let a = build(None);
        let b = build(None);
        assert_ne!(update_id_of(&a), update_id_of(&b));
        assert_eq!(update_id_of(&build(Some("mine".into()))), "mine");
        assert_uuid_v4(update_id_of(&build(Some(String::new()))));
        assert_eq!(a.wait_policy.unwrap().lifecycle_stage, 3, "COMPLETED");
        assert_eq!(a.request.unwrap().input.unwrap().args, None);
        assert_eq!(update_id_of(&UpdateWorkflowExecutionRequest::default()), "");
    }

    #[test]
    fn rejects_empty_names() {
        assert_eq!(
            update_request(
                "ns",
                "me",
                "w",
                "",
                "",
                None,
                "",
                vec![],
                UpdateWaitStage::Accepted
            ),
            Err(InvalidRequest::EmptyUpdateName)
        );
        assert_eq!(
            update_request(
                "ns",
                "me",
                "",
                "",
                "",
                None,
                "u",
                vec![],
                UpdateWaitStage::Accepted
            ),
            Err(InvalidRequest::EmptyWorkflowId)
        );
    }

    #[test]
    fn builds_poll() {
        let request = poll_update_request("ns", "me", "wid", "rid", "uid");
        assert_eq!(request.namespace, "ns");
        assert_eq!(request.identity, "me");
        let update_ref = request.update_ref.unwrap();
        assert_eq!(update_ref.update_id, "uid");
        let execution = update_ref.workflow_execution.unwrap();
        assert_eq!(
            (execution.workflow_id.as_str(), execution.run_id.as_str()),
            ("wid", "rid")
        );
        assert_eq!(request.wait_policy.unwrap().lifecycle_stage, 3, "COMPLETED");
    }
}
