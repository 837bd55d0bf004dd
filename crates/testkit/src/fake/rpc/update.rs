//! Workflow updates: UpdateWorkflowExecution, PollWorkflowExecutionUpdate and
//! update-with-start (ExecuteMultiOperation).
// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use std::time::Duration;

use prost::Message as _;
use temporal_client_core::{Code, ErrorDetails, ServiceError};
use temporal_proto::protobuf::Any;
use temporal_proto::temporal::api::common::v1::WorkflowExecution;
use temporal_proto::temporal::api::enums::v1::UpdateWorkflowExecutionLifecycleStage as Stage;
use temporal_proto::temporal::api::errordetails::v1::{
    MultiOperationExecutionFailure, multi_operation_execution_failure::OperationStatus,
};
use temporal_proto::temporal::api::update::v1 as update;
use temporal_proto::temporal::api::workflowservice::v1 as wf;
use wf::execute_multi_operation_request::operation::Operation;
use wf::execute_multi_operation_response::{Response, response::Response as ResponseKind};

use crate::fake::engine::State;
use crate::fake::rpc::invalid;
use crate::fake::rpc::start::check_unmodelled_start;
use crate::fake::server::FakeServer;
use crate::fake::store::{Run, UpdateState, already_completed};

const UPDATE: &str = "UpdateWorkflowExecution";
const POLL: &str = "PollWorkflowExecutionUpdate";
const MULTI: &str = "ExecuteMultiOperation";

fn stage_of(policy: Option<&update::WaitPolicy>, default: Stage) -> Stage {
    match policy.map(|p| Stage::try_from(p.lifecycle_stage).unwrap_or(Stage::Unspecified)) {
        None | Some(Stage::Unspecified) => default,
        Some(s) => s,
    }
}

fn rank(s: Stage) -> u8 {
    match s {
        Stage::Unspecified => 0,
        Stage::Admitted => 1,
        Stage::Accepted => 2,
        Stage::Completed => 3,
    }
}

/// The update's state once it reached `wait` (or failed), else `None`.
fn reached(
    st: &State,
    rpc: &'static str,
    ns: &str,
    run_id: &str,
    update_id: &str,
    wait: Stage,
) -> Option<Result<(Stage, Option<update::Outcome>), ServiceError>> {
    let Some(state) = st.run(ns, run_id).and_then(|r| r.updates.get(update_id)) else {
        return Some(Err(ServiceError::new(
            rpc,
            Code::NotFound,
            format!("update {update_id:?} not found"),
        )));
    };
    if state.stage == Stage::Completed || rank(state.stage) >= rank(wait) {
        return Some(Ok((state.stage, state.outcome.clone())));
    }
    if let Some(e) = &state.error {
        return Some(Err(e.clone().with_rpc(rpc)));
    }
    None
}

impl State {
    /// Admits an update to a run (or finds the one with the same id). Returns the run id.
    fn admit_update(
        &mut self,
        ns: &str,
        r: &wf::UpdateWorkflowExecutionRequest,
    ) -> Result<(String, String), ServiceError> {
        let run_id = self.target(
            UPDATE,
            ns,
            r.workflow_execution.as_ref(),
            &r.first_execution_run_id,
        )?;
        let request = r.request.clone().unwrap_or_default();
        let update_id = request
            .meta
            .as_ref()
            .map(|m| m.update_id.clone())
            .unwrap_or_default();
        if update_id.is_empty() {
            return Err(invalid(UPDATE, "Update ID is not set on request."));
        }
        if request.input.as_ref().is_none_or(|i| i.name.is_empty()) {
            return Err(invalid(UPDATE, "Update name is not set on request."));
        }
        let run = self
            .run_mut(ns, &run_id)
            .ok_or_else(|| already_completed(UPDATE))?;
        if run.updates.contains_key(&update_id) {
            return Ok((run_id, update_id));
        }
        if !run.is_open() {
            return Err(already_completed(UPDATE));
        }
        run.updates.insert(
            update_id.clone(),
            UpdateState {
                request,
                stage: Stage::Admitted,
                outcome: None,
                error: None,
            },
        );
        run.admitted.push_back(update_id.clone());
        let has_worker = run.has_worker && !run.awaiting_first_task;
        if has_worker {
            self.mark_drive(ns, &run_id);
        }
        Ok((run_id, update_id))
    }
}

impl FakeServer {
    pub(crate) async fn update(
        &self,
        r: wf::UpdateWorkflowExecutionRequest,
        limit: Option<Duration>,
    ) -> Result<wf::UpdateWorkflowExecutionResponse, ServiceError> {
        if r.namespace.is_empty() {
            return Err(invalid(UPDATE, "Namespace not set on request."));
        }
        let ns = r.namespace.clone();
        let wait = stage_of(r.wait_policy.as_ref(), Stage::Accepted);
        let (run_id, update_id) = self.inner.lock().admit_update(&ns, &r)?;
        self.inner.settle();
        self.respond_update(ns, run_id, update_id, wait, limit)
            .await
    }

    async fn respond_update(
        &self,
        ns: String,
        run_id: String,
        update_id: String,
        wait: Stage,
        limit: Option<Duration>,
    ) -> Result<wf::UpdateWorkflowExecutionResponse, ServiceError> {
        let (workflow_id, (stage, outcome)) = {
            let (n, r, u) = (ns.clone(), run_id.clone(), update_id.clone());
            let workflow_id = self
                .inner
                .lock()
                .run(&ns, &run_id)
                .map(|run: &Run| run.workflow_id.clone())
                .unwrap_or_default();
            let got = self
                .wait_for(limit, move |st| reached(st, UPDATE, &n, &r, &u, wait))
                .await?;
            (workflow_id, got)
        };
        Ok(wf::UpdateWorkflowExecutionResponse {
            update_ref: Some(update::UpdateRef {
                workflow_execution: Some(WorkflowExecution {
                    workflow_id,
                    run_id,
                }),
                update_id,
            }),
            outcome,
            stage: stage as i32,
            ..Default::default()
        })
    }

    async fn wait_for<T>(
        &self,
        limit: Option<Duration>,
        check: impl FnMut(&State) -> Option<Result<T, ServiceError>>,
    ) -> Result<T, ServiceError> {
        self.wait_until(UPDATE, limit, check).await
    }

    pub(crate) async fn poll_update(
        &self,
        r: wf::PollWorkflowExecutionUpdateRequest,
        limit: Option<Duration>,
    ) -> Result<wf::PollWorkflowExecutionUpdateResponse, ServiceError> {
        if r.namespace.is_empty() {
            return Err(invalid(POLL, "Namespace not set on request."));
        }
        let update_ref = r.update_ref.clone().unwrap_or_default();
        let wait = stage_of(r.wait_policy.as_ref(), Stage::Completed);
        let ns = r.namespace.clone();
        let run_id =
            self.inner
                .lock()
                .target(POLL, &ns, update_ref.workflow_execution.as_ref(), "")?;
        let (n, rid, u) = (ns.clone(), run_id.clone(), update_ref.update_id.clone());
        let (stage, outcome) = self
            .wait_until(POLL, limit, move |st| reached(st, POLL, &n, &rid, &u, wait))
            .await?;
        let workflow_id = update_ref
            .workflow_execution
            .map(|e| e.workflow_id)
            .unwrap_or_default();
        Ok(wf::PollWorkflowExecutionUpdateResponse {
            outcome,
            stage: stage as i32,
            update_ref: Some(update::UpdateRef {
                workflow_execution: Some(WorkflowExecution {
                    workflow_id,
                    run_id,
                }),
                update_id: update_ref.update_id,
            }),
        })
    }

    /// Update-with-start: exactly a start then an update of the same workflow id.
    pub(crate) async fn multi_operation(
        &self,
        r: wf::ExecuteMultiOperationRequest,
        limit: Option<Duration>,
    ) -> Result<wf::ExecuteMultiOperationResponse, ServiceError> {
        if r.namespace.is_empty() {
            return Err(invalid(MULTI, "Namespace not set on request."));
        }
        let mut ops = r.operations.into_iter().map(|o| o.operation);
        let (
            Some(Some(Operation::StartWorkflow(start))),
            Some(Some(Operation::UpdateWorkflow(upd))),
            None,
        ) = (ops.next(), ops.next(), ops.next())
        else {
            return Err(invalid(
                MULTI,
                "Operations have to be exactly [StartWorkflow, UpdateWorkflow].",
            ));
        };
        if start.namespace != r.namespace || upd.namespace != r.namespace {
            return Err(invalid(
                MULTI,
                "Namespace of every operation must match the request's namespace.",
            ));
        }
        let target_id = upd
            .workflow_execution
            .as_ref()
            .map(|e| e.workflow_id.as_str())
            .unwrap_or_default();
        if start.workflow_id != target_id {
            return Err(invalid(
                MULTI,
                "WorkflowId of the update must match the start's WorkflowId.",
            ));
        }
        if upd
            .workflow_execution
            .as_ref()
            .is_some_and(|e| !e.run_id.is_empty())
            || !upd.first_execution_run_id.is_empty()
        {
            return Err(invalid(
                MULTI,
                "RunId and FirstExecutionRunId of the update must be empty in update-with-start.",
            ));
        }
        if !start.cron_schedule.is_empty() {
            return Err(invalid(
                MULTI,
                "CronSchedule is not allowed in update-with-start.",
            ));
        }
        if start.workflow_start_delay.is_some() {
            return Err(invalid(
                MULTI,
                "WorkflowStartDelay is not allowed in update-with-start.",
            ));
        }
        if start.workflow_id_conflict_policy == 0 {
            return Err(invalid(
                MULTI,
                "WorkflowIdConflictPolicy must be set in update-with-start.",
            ));
        }
        check_unmodelled_start(MULTI, &start)?;
        let ns = r.namespace.clone();
        let outcome = {
            let mut st = self.inner.lock();
            match st.start(MULTI, start.into(), false) {
                Err(e) => Err((0, e)),
                Ok(started) => {
                    let mut upd = upd;
                    if let Some(e) = upd.workflow_execution.as_mut() {
                        e.run_id = started.run_id.clone();
                    }
                    match st.admit_update(&ns, &upd) {
                        Ok(ids) => Ok((
                            started,
                            ids,
                            stage_of(upd.wait_policy.as_ref(), Stage::Accepted),
                        )),
                        Err(e) => Err((1, e)),
                    }
                }
            }
        };
        self.inner.settle();
        let (started, (run_id, update_id), wait) = outcome.map_err(|(i, e)| multi_error(i, e))?;
        let updated = self
            .respond_update(ns, run_id, update_id, wait, limit)
            .await
            .map_err(|e| multi_error(1, e))?;
        Ok(wf::ExecuteMultiOperationResponse {
            responses: vec![
                Response {
                    response: Some(ResponseKind::StartWorkflow(started)),
                },
                Response {
                    response: Some(ResponseKind::UpdateWorkflow(updated)),
                },
            ],
        })
    }
}

/// The server's error for a failed multi-operation: the failing operation's status and
/// `Aborted` for the other, the failing code on the whole.
fn multi_error(failed: usize, e: ServiceError) -> ServiceError {
    let details_of = |e: &ServiceError| -> Vec<Any> {
        e.details()
            .map(|d| {
                let bytes = d.encode_status(e.code(), e.message());
                temporal_proto::google::rpc::Status::decode(bytes.as_slice())
                    .map(|s| s.details)
                    .unwrap_or_default()
            })
            .unwrap_or_default()
    };
    let statuses = (0..2)
        .map(|i| {
            if i == failed {
                OperationStatus {
                    code: e.code() as i32,
                    message: e.message().to_owned(),
                    details: details_of(&e),
                }
            } else {
                OperationStatus {
                    code: Code::Aborted as i32,
                    message: "Operation was aborted.".to_owned(),
                    details: Vec::new(),
                }
            }
        })
        .collect();
    ServiceError::new(MULTI, e.code(), "MultiOperation could not be executed.").with_details(
        ErrorDetails::MultiOperationExecution(MultiOperationExecutionFailure { statuses }),
    )
}
