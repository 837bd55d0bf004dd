//! Workflow updates: `execute_update`, `start_update`, update handles, and
//! update-with-start.

use std::fmt;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use temporal_client_core::builders;
use temporal_client_core::options::{UpdateWaitStage, WorkflowOptions};
use temporal_client_core::payload::ToPayloads;
use temporal_client_core::proto::temporal::api::enums::v1::UpdateWorkflowExecutionLifecycleStage as Stage;
use temporal_client_core::proto::temporal::api::update::v1::{Outcome, outcome};
use temporal_client_core::proto::temporal::api::workflowservice::v1::execute_multi_operation_response::response::Response as MultiResponse;

use crate::client::Client;
use crate::definitions::{UpdateDefinition, WorkflowDefinition};
use crate::error::{Error, Result};
use crate::handle::WorkflowHandle;

/// A handle to one update of a workflow; [`result`](Self::result) waits for its
/// outcome, however long the update runs (it keeps long-polling).
pub struct WorkflowUpdateHandle<R> {
    client: Client,
    workflow_id: String,
    run_id: String,
    update_id: String,
    update_name: String,
    outcome: Option<Outcome>,
    _result: PhantomData<fn() -> R>,
}

impl<R> fmt::Debug for WorkflowUpdateHandle<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkflowUpdateHandle")
            .field("workflow_id", &self.workflow_id)
            .field("run_id", &self.run_id)
            .field("update_id", &self.update_id)
            .field("update_name", &self.update_name)
            .finish_non_exhaustive()
    }
}

impl<R> WorkflowUpdateHandle<R> {
    /// The update id.
    pub fn update_id(&self) -> &str {
        &self.update_id
    }

    /// The workflow id.
    pub fn workflow_id(&self) -> &str {
        &self.workflow_id
    }

    /// The run the update was sent to (empty if unknown).
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// Waits for the update's outcome and returns its result, or
    /// [`Error::UpdateFailed`] if the validator rejected it or the handler failed.
    pub async fn result(&self) -> Result<R>
    where
        R: DeserializeOwned,
    {
        let outcome = match &self.outcome {
            Some(outcome) => outcome.clone(),
            None => self.poll_outcome().await?,
        };
        match outcome.value {
            Some(outcome::Value::Success(payloads)) => {
                self.client.decode_value(payloads.payloads).await
            }
            Some(outcome::Value::Failure(failure)) => Err(self.failed(failure).await?),
            None => Err(Error::Service(temporal_client_core::ServiceError::new(
                "PollWorkflowExecutionUpdate",
                temporal_client_core::Code::Internal,
                "the server reported a completed update without an outcome",
            ))),
        }
    }

    async fn poll_outcome(&self) -> Result<Outcome> {
        let inner = self.client.inner();
        loop {
            let request = builders::poll_update_request(
                &inner.namespace,
                &inner.identity,
                &self.workflow_id,
                &self.run_id,
                &self.update_id,
            );
            let response = inner
                .rpc()
                .poll_workflow_execution_update(self.client.request(request))
                .await
                .map_err(|e| {
                    Error::for_execution(e, &inner.namespace, &self.workflow_id, Some(&self.run_id))
                })?;
            // An empty response means the long poll expired before the update completed.
            if let Some(outcome) = response.outcome {
                return Ok(outcome);
            }
        }
    }
}

fn reached(stage: i32, wanted: UpdateWaitStage) -> bool {
    let stage = Stage::try_from(stage).unwrap_or(Stage::Unspecified);
    let rank = |s: Stage| match s {
        Stage::Unspecified => 0,
        Stage::Admitted => 1,
        Stage::Accepted => 2,
        Stage::Completed => 3,
    };
    let wanted = match wanted {
        UpdateWaitStage::Admitted => Stage::Admitted,
        UpdateWaitStage::Accepted => Stage::Accepted,
        UpdateWaitStage::Completed => Stage::Completed,
    };
    rank(stage) >= rank(wanted)
}

impl<R> WorkflowHandle<R> {
    /// Sends an update and waits for its result.
    pub async fn execute_update<U, A>(
        &self,
        update: impl Into<UpdateDefinition<U, A>>,
        args: A,
    ) -> Result<U>
    where
        U: DeserializeOwned,
        A: ToPayloads,
    {
        self.start_update(update, args, UpdateWaitStage::Completed)
            .await?
            .result()
            .await
    }

    /// Sends an update and returns once it reached `wait_stage` (usually
    /// [`UpdateWaitStage::Accepted`]). A rejected update fails here with
    /// [`Error::UpdateFailed`].
    pub async fn start_update<U, A>(
        &self,
        update: impl Into<UpdateDefinition<U, A>>,
        args: A,
        wait_stage: UpdateWaitStage,
    ) -> Result<WorkflowUpdateHandle<U>>
    where
        A: ToPayloads,
    {
        self.start_update_with_id(update, args, wait_stage, None)
            .await
    }

    /// [`start_update`](Self::start_update) with a chosen update id (default: a fresh
    /// UUID). Sending the same id twice gives the same update.
    pub async fn start_update_with_id<U, A>(
        &self,
        update: impl Into<UpdateDefinition<U, A>>,
        args: A,
        wait_stage: UpdateWaitStage,
        update_id: Option<String>,
    ) -> Result<WorkflowUpdateHandle<U>>
    where
        A: ToPayloads,
    {
        let update = update.into();
        let input = self.client.encode_args(&args).await?;
        let inner = self.client.inner();
        let request = builders::update_request(
            &inner.namespace,
            &inner.identity,
            &self.workflow_id,
            self.target_run_id(),
            self.first_execution_run_id.as_deref().unwrap_or_default(),
            update_id,
            update.name(),
            input,
            wait_stage,
        )?;
        loop {
            let response = inner
                .rpc()
                .update_workflow_execution(self.client.request(request.clone()))
                .await
                .map_err(|e| self.map_err(e))?;
            let update_ref = response.update_ref.unwrap_or_default();
            let run_id = update_ref
                .workflow_execution
                .map(|e| e.run_id)
                .unwrap_or_default();
            // A response below the requested stage means the server's long poll ended
            // first: ask again with the same update id.
            if response.outcome.is_none() && !reached(response.stage, wait_stage) {
                continue;
            }
            let handle = WorkflowUpdateHandle {
                client: self.client.clone(),
                workflow_id: self.workflow_id.clone(),
                run_id,
                update_id: update_ref.update_id,
                update_name: update.name().to_owned(),
                outcome: response.outcome,
                _result: PhantomData,
            };
            if matches!(
                handle.outcome,
                Some(Outcome {
                    value: Some(outcome::Value::Failure(_))
                })
            ) {
                // Rejected by the validator (or failed already): surface it now.
                handle.result_failure().await?;
            }
            return Ok(handle);
        }
    }

    /// A handle to an update already sent, by its id. Does no RPC.
    pub fn get_update_handle<U>(&self, update_id: impl Into<String>) -> WorkflowUpdateHandle<U> {
        WorkflowUpdateHandle {
            client: self.client.clone(),
            workflow_id: self.workflow_id.clone(),
            run_id: self.target_run_id().to_owned(),
            update_id: update_id.into(),
            update_name: String::new(),
            outcome: None,
            _result: PhantomData,
        }
    }
}

impl<R> WorkflowUpdateHandle<R> {
    /// Fails early if the update was rejected (or already failed).
    async fn result_failure(&self) -> Result<()> {
        match &self.outcome {
            Some(Outcome {
                value: Some(outcome::Value::Failure(failure)),
            }) => Err(self.failed(failure.clone()).await?),
            _ => Ok(()),
        }
    }

    async fn failed(
        &self,
        failure: temporal_client_core::proto::temporal::api::failure::v1::Failure,
    ) -> Result<Error> {
        Ok(Error::UpdateFailed {
            workflow_id: self.workflow_id.clone(),
            update_name: self.update_name.clone(),
            update_id: self.update_id.clone(),
            cause: Box::new(self.client.decode_failure(failure).await?),
        })
    }
}

impl Client {
    /// Starts a workflow (or uses the running one, per the id conflict policy, which
    /// update-with-start requires) and sends it an update in one call; returns once the
    /// update reached `wait_stage`.
    pub async fn start_update_with_start<A, R, U, UA>(
        &self,
        workflow: impl Into<WorkflowDefinition<A, R>>,
        options: WorkflowOptions<A>,
        update: impl Into<UpdateDefinition<U, UA>>,
        update_args: UA,
        wait_stage: UpdateWaitStage,
    ) -> Result<(WorkflowHandle<R>, WorkflowUpdateHandle<U>)>
    where
        A: ToPayloads,
        UA: ToPayloads,
    {
        let workflow = workflow.into();
        let update = update.into();
        let input = self.encode_args(&options.args).await?;
        let update_input = self.encode_args(&update_args).await?;
        let memo = self.encode_memo_for(&options).await?;
        let inner = self.inner();
        let update_request = builders::update_request(
            &inner.namespace,
            &inner.identity,
            options.workflow_id(),
            "",
            "",
            None,
            update.name(),
            update_input,
            wait_stage,
        )?;
        let request = builders::update_with_start_request(
            &inner.namespace,
            &inner.identity,
            workflow.name(),
            &options,
            input,
            memo,
            update_request,
        )?;
        loop {
            let response = inner
                .rpc()
                .execute_multi_operation(self.request(request.clone()))
                .await
                .map_err(|e| self.multi_operation_error(e, &options, workflow.name()))?;
            let mut start_run_id = String::new();
            let mut update_response = None;
            for r in response.responses {
                match r.response {
                    Some(MultiResponse::StartWorkflow(s)) => start_run_id = s.run_id,
                    Some(MultiResponse::UpdateWorkflow(u)) => update_response = Some(u),
                    None => {}
                }
            }
            let Some(update_response) = update_response else {
                return Err(Error::Service(temporal_client_core::ServiceError::new(
                    "ExecuteMultiOperation",
                    temporal_client_core::Code::Internal,
                    "the server answered update-with-start without an update response",
                )));
            };
            if update_response.outcome.is_none() && !reached(update_response.stage, wait_stage) {
                continue;
            }
            let update_ref = update_response.update_ref.unwrap_or_default();
            let handle = WorkflowHandle::started(
                self.clone(),
                options.workflow_id().to_owned(),
                start_run_id.clone(),
                None,
                options.follow_runs,
            );
            let update_handle = WorkflowUpdateHandle {
                client: self.clone(),
                workflow_id: options.workflow_id().to_owned(),
                run_id: start_run_id,
                update_id: update_ref.update_id,
                update_name: update.name().to_owned(),
                outcome: update_response.outcome,
                _result: PhantomData,
            };
            update_handle.result_failure().await?;
            return Ok((handle, update_handle));
        }
    }

    /// Update-with-start, waiting for the update's result.
    pub async fn execute_update_with_start<A, R, U, UA>(
        &self,
        workflow: impl Into<WorkflowDefinition<A, R>>,
        options: WorkflowOptions<A>,
        update: impl Into<UpdateDefinition<U, UA>>,
        update_args: UA,
    ) -> Result<U>
    where
        A: ToPayloads,
        UA: ToPayloads,
        U: DeserializeOwned,
    {
        let (_, update) = self
            .start_update_with_start(
                workflow,
                options,
                update,
                update_args,
                UpdateWaitStage::Completed,
            )
            .await?;
        update.result().await
    }
}
