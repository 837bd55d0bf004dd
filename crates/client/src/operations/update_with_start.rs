//! Update-with-start: `client.start_update_with_start(...)` and
//! `client.execute_update_with_start(...)`.

use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use temporal_client_core::builders::{ExecutionTarget, StartSpec, UpdateSpec};
use temporal_client_core::options::{UpdateWaitStage, WorkflowOptions};
use temporal_client_core::payload::ToPayloads;
use temporal_client_core::proto::temporal::api::workflowservice::v1::execute_multi_operation_response::response::Response as MultiResponse;
use temporal_client_core::{CallOptions, Code, ErrorDetails, ServiceError, ServiceRequest};

use super::start::header;
use super::update::{WorkflowUpdateHandle, reached};
use crate::args::{ArgsFor, NoArgs, WithArgs};
use crate::call::{bounded, call_option_setters, into_future};
use crate::client::Client;
use crate::definitions::{UpdateDefinition, WorkflowDefinition};
use crate::error::{Error, Result};
use crate::handle::WorkflowHandle;
use crate::interceptor::{
    Headers, OperationInput as _, StartUpdateInput, StartUpdateOutput, StartWorkflowInput,
    StartWorkflowOutput, UpdateWithStartInput, UpdateWithStartOutput,
};
use crate::spans::{operation_span, traced, traced_with};

impl Client {
    /// Starts a workflow (or uses the running one, per the id conflict policy, which
    /// update-with-start requires) and sends it an update, in one call. Await the
    /// returned [`StartUpdateWithStart`] for the workflow handle and the update handle,
    /// once the update reached its wait stage (default
    /// [`UpdateWaitStage::Accepted`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use temporal_client::{Client, WorkflowDefinition, WorkflowOptions};
    /// # use temporal_client::*;
    /// let fake = temporal_testkit::FakeServer::new();
    /// temporal_testkit::conformance_workflows::register_all(&fake);
    /// let client = Client::from_service(fake.clone());
    /// const COUNTER: WorkflowDefinition<(i64,), i64> = WorkflowDefinition::new("counter");
    /// const ADD: UpdateDefinition<i64, (i64,)> = UpdateDefinition::new("add");
    /// let options = || {
    ///     WorkflowOptions::new("cart-1", "q")
    ///         .args((0,))
    ///         .id_conflict_policy(IdConflictPolicy::UseExisting)
    /// };
    /// // Starts the workflow and updates it; the second call updates the running one.
    /// let (workflow, update) = client.start_update_with_start(COUNTER, options(), ADD).arg(1).await?;
    /// assert_eq!(update.result().await?, 1);
    /// assert_eq!(client.execute_update_with_start(COUNTER, options(), ADD).arg(2).await?, 3);
    /// assert_eq!(workflow.workflow_id(), "cart-1");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`start`](Self::start) and [`WorkflowHandle::start_update`];
    /// [`Error::InvalidRequest`] without an id conflict policy, or with a cron schedule
    /// or start delay (the server refuses them here).
    pub fn start_update_with_start<A, R, U, UA>(
        &self,
        workflow: impl Into<WorkflowDefinition<A, R>>,
        options: WorkflowOptions<A>,
        update: impl Into<UpdateDefinition<U, UA>>,
    ) -> StartUpdateWithStart<'_, A, R, U, UA> {
        StartUpdateWithStart {
            client: self,
            workflow_type: workflow.into().name().to_owned(),
            options,
            update_name: update.into().name().to_owned(),
            update_id: None,
            wait_stage: UpdateWaitStage::Accepted,
            update_args: NoArgs,
            call: CallOptions::default(),
            _types: PhantomData,
        }
    }

    /// Update-with-start, waiting for the update's result. Await the returned
    /// [`ExecuteUpdateWithStart`].
    ///
    /// # Errors
    /// As [`start_update_with_start`](Self::start_update_with_start) and
    /// [`WorkflowUpdateHandle::result`].
    pub fn execute_update_with_start<A, R, U, UA>(
        &self,
        workflow: impl Into<WorkflowDefinition<A, R>>,
        options: WorkflowOptions<A>,
        update: impl Into<UpdateDefinition<U, UA>>,
    ) -> ExecuteUpdateWithStart<'_, A, R, U, UA> {
        ExecuteUpdateWithStart {
            start: self
                .start_update_with_start(workflow, options, update)
                .wait_for_stage(UpdateWaitStage::Completed),
        }
    }
}

/// An update-with-start, from [`Client::start_update_with_start`].
#[must_use = "an operation does nothing until it is awaited"]
pub struct StartUpdateWithStart<'a, A, R, U, UA, S = NoArgs> {
    client: &'a Client,
    workflow_type: String,
    options: WorkflowOptions<A>,
    update_name: String,
    update_id: Option<String>,
    wait_stage: UpdateWaitStage,
    update_args: S,
    call: CallOptions,
    _types: PhantomData<fn(UA) -> (R, U)>,
}

impl<A, R, U, UA, S> std::fmt::Debug for StartUpdateWithStart<'_, A, R, U, UA, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StartUpdateWithStart")
            .field("workflow_type", &self.workflow_type)
            .field("workflow_id", &self.options.workflow_id)
            .field("update_name", &self.update_name)
            .finish_non_exhaustive()
    }
}

impl<'a, A, R, U, UA> StartUpdateWithStart<'a, A, R, U, UA, NoArgs> {
    /// The update's arguments, a tuple with one element per argument.
    pub fn args(self, args: UA) -> StartUpdateWithStart<'a, A, R, U, UA, WithArgs<UA>> {
        StartUpdateWithStart {
            client: self.client,
            workflow_type: self.workflow_type,
            options: self.options,
            update_name: self.update_name,
            update_id: self.update_id,
            wait_stage: self.wait_stage,
            update_args: WithArgs(args),
            call: self.call,
            _types: PhantomData,
        }
    }
}

impl<'a, A, R, U, T> StartUpdateWithStart<'a, A, R, U, (T,), NoArgs> {
    /// The update's single argument.
    pub fn arg(self, arg: T) -> StartUpdateWithStart<'a, A, R, U, (T,), WithArgs<(T,)>> {
        self.args((arg,))
    }
}

impl<A, R, U, UA, S> StartUpdateWithStart<'_, A, R, U, UA, S> {
    call_option_setters!();

    /// The update id (default: a fresh UUID).
    pub fn update_id(mut self, update_id: impl Into<String>) -> Self {
        self.update_id = Some(update_id.into()).filter(|id| !id.is_empty());
        self
    }

    /// The update stage to wait for before returning.
    pub fn wait_for_stage(mut self, stage: UpdateWaitStage) -> Self {
        self.wait_stage = stage;
        self
    }
}

impl<'a, A, R, U, UA, S> StartUpdateWithStart<'a, A, R, U, UA, S>
where
    A: ToPayloads + Send + 'a,
    R: 'a,
    U: 'a,
    UA: ToPayloads + Send + 'a,
    S: ArgsFor<UA> + 'a,
{
    fn run(self) -> impl Future<Output = Result<(WorkflowHandle<R>, WorkflowUpdateHandle<U>)>> {
        let client = self.client;
        let span = operation_span!(
            "temporal.update_with_start",
            client.namespace(),
            workflow_id = self.options.workflow_id.as_str(),
            workflow_type = self.workflow_type.as_str(),
            handler = self.update_name.as_str(),
            update_id = self.update_id.as_deref()
        );
        traced_with(
            span,
            bounded(
                UpdateWithStartInput::OPERATION,
                self.call.timeout,
                async move {
                    let (args, options) = self.options.split_args();
                    let workflow_id = options.workflow_id.clone();
                    let follow_runs = options.follow_runs;
                    let input = UpdateWithStartInput {
                        start: StartWorkflowInput {
                            workflow_type: self.workflow_type,
                            args: client.to_payloads(&args)?,
                            options,
                            headers: Headers::new(),
                            call: self.call.clone(),
                        },
                        update: StartUpdateInput {
                            workflow_id: workflow_id.clone(),
                            run_id: None,
                            first_execution_run_id: None,
                            update_id: self.update_id,
                            update_name: self.update_name,
                            args: client.to_payloads(&self.update_args.into_args())?,
                            wait_stage: self.wait_stage,
                            headers: Headers::new(),
                            call: self.call,
                        },
                    };
                    let update_name = input.update.update_name.clone();
                    let output = client
                        .intercept(
                            input,
                            |i, input, next| i.update_with_start(input, next),
                            |input| send(client, input),
                        )
                        .await?;
                    let handle = WorkflowHandle::started(
                        client.clone(),
                        workflow_id.clone(),
                        output.start,
                        follow_runs,
                    );
                    let update = WorkflowUpdateHandle::from_output(
                        client.clone(),
                        workflow_id,
                        update_name,
                        output.update,
                    );
                    update.fail_if_rejected().await?;
                    Ok((handle, update))
                },
            ),
            |span, (handle, update)| {
                span.record("run_id", handle.run_id());
                span.record("update_id", update.update_id());
            },
        )
    }
}

into_future!(impl['a, A, R, U, UA, S] StartUpdateWithStart<'a, A, R, U, UA, S> => (WorkflowHandle<R>, WorkflowUpdateHandle<U>),
    where [A: ToPayloads + Send + 'a, R: 'a, U: 'a, UA: ToPayloads + Send + 'a, S: ArgsFor<UA> + 'a]);

/// Update-with-start and the wait for the update's result, from
/// [`Client::execute_update_with_start`].
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug)]
pub struct ExecuteUpdateWithStart<'a, A, R, U, UA, S = NoArgs> {
    start: StartUpdateWithStart<'a, A, R, U, UA, S>,
}

impl<'a, A, R, U, UA> ExecuteUpdateWithStart<'a, A, R, U, UA, NoArgs> {
    /// The update's arguments, a tuple with one element per argument.
    pub fn args(self, args: UA) -> ExecuteUpdateWithStart<'a, A, R, U, UA, WithArgs<UA>> {
        ExecuteUpdateWithStart {
            start: self.start.args(args),
        }
    }
}

impl<'a, A, R, U, T> ExecuteUpdateWithStart<'a, A, R, U, (T,), NoArgs> {
    /// The update's single argument.
    pub fn arg(self, arg: T) -> ExecuteUpdateWithStart<'a, A, R, U, (T,), WithArgs<(T,)>> {
        self.args((arg,))
    }
}

impl<A, R, U, UA, S> ExecuteUpdateWithStart<'_, A, R, U, UA, S> {
    call_option_setters!(start.call);
    /// The update id (default: a fresh UUID).
    pub fn update_id(mut self, update_id: impl Into<String>) -> Self {
        self.start = self.start.update_id(update_id);
        self
    }
}

impl<'a, A, R, U, UA, S> ExecuteUpdateWithStart<'a, A, R, U, UA, S>
where
    A: ToPayloads + Send + 'a,
    R: 'a,
    U: DeserializeOwned + Send + 'a,
    UA: ToPayloads + Send + 'a,
    S: ArgsFor<UA> + 'a,
{
    fn run(self) -> impl Future<Output = Result<U>> {
        let timeout = self.start.call.timeout;
        let mut call = self.start.call.clone();
        call.timeout = None;
        let span = operation_span!(
            "temporal.execute_update_with_start",
            self.start.client.namespace(),
            workflow_id = self.start.options.workflow_id.as_str(),
            workflow_type = self.start.workflow_type.as_str(),
            handler = self.start.update_name.as_str(),
            update_id = self.start.update_id.as_deref()
        );
        traced(
            span,
            bounded("execute update with start", timeout, async move {
                let mut start = self.start;
                start.call.timeout = None;
                let (_, update) = start.run().await?;
                update.result().call_options(call).await
            }),
        )
    }
}

into_future!(impl['a, A, R, U, UA, S] ExecuteUpdateWithStart<'a, A, R, U, UA, S> => U,
    where [A: ToPayloads + Send + 'a, R: 'a, U: DeserializeOwned + Send + 'a, UA: ToPayloads + Send + 'a, S: ArgsFor<UA> + 'a]);

async fn send(client: &Client, input: UpdateWithStartInput) -> Result<UpdateWithStartOutput> {
    let inner = client.inner();
    let UpdateWithStartInput { start, update } = input;
    let StartWorkflowInput {
        workflow_type,
        options,
        args,
        headers,
        call,
    } = start;
    let args = client.encode(args).await?;
    let update_args = client.encode(update.args).await?;
    let memo = client.encode_memo(&options).await?;
    let request = inner.context().update_with_start(
        StartSpec {
            workflow_type: &workflow_type,
            options: &options,
            input: args,
            memo,
            header: header(headers),
        },
        UpdateSpec {
            target: ExecutionTarget {
                workflow_id: &update.workflow_id,
                run_id: update.run_id.as_deref().unwrap_or_default(),
                first_execution_run_id: update
                    .first_execution_run_id
                    .as_deref()
                    .unwrap_or_default(),
            },
            update_id: update.update_id.as_deref(),
            update_name: &update.update_name,
            input: update_args,
            header: header(update.headers),
            wait_stage: update.wait_stage,
        },
    )?;
    loop {
        let response = inner
            .rpc()
            .execute_multi_operation(ServiceRequest {
                message: request.clone(),
                options: call.clone(),
            })
            .await
            .map_err(|e| multi_operation_error(client, e, &options.workflow_id, &workflow_type))?;
        let mut started = StartWorkflowOutput {
            run_id: String::new(),
            started: false,
        };
        let mut update_response = None;
        for r in response.responses {
            match r.response {
                Some(MultiResponse::StartWorkflow(s)) => {
                    started = StartWorkflowOutput {
                        run_id: s.run_id,
                        started: s.started,
                    }
                }
                Some(MultiResponse::UpdateWorkflow(u)) => update_response = Some(u),
                None => {}
            }
        }
        let Some(update_response) = update_response else {
            return Err(Error::Service(ServiceError::new(
                "ExecuteMultiOperation",
                Code::Internal,
                "the server answered update-with-start without an update response",
            )));
        };
        // Below the wait stage: the server's long poll ended first; ask again (the
        // start is idempotent through its request id, the update through its id).
        if update_response.outcome.is_none() && !reached(update_response.stage, update.wait_stage) {
            continue;
        }
        let update_ref = update_response.update_ref.unwrap_or_default();
        let run_id = started.run_id.clone();
        return Ok(UpdateWithStartOutput {
            start: started,
            update: StartUpdateOutput {
                update_id: update_ref.update_id,
                run_id,
                outcome: update_response.outcome,
            },
        });
    }
}

/// Maps an update-with-start error: the per-operation statuses say which operation
/// failed and why.
fn multi_operation_error(
    client: &Client,
    err: ServiceError,
    workflow_id: &str,
    workflow_type: &str,
) -> Error {
    let map = |e| Error::for_start(e, client.namespace(), workflow_id, workflow_type);
    if let Some(ErrorDetails::MultiOperationExecution(details)) = err.details() {
        let failed = details
            .statuses
            .iter()
            .find(|s| s.code != 0 && s.code != Code::Aborted as i32);
        if let Some(status) = failed {
            let detail = status
                .details
                .first()
                .and_then(|any| ErrorDetails::decode_any(&any.type_url, &any.value));
            let mut op_err = ServiceError::new(
                "ExecuteMultiOperation",
                Code::from_i32(status.code),
                status.message.clone(),
            );
            if let Some(detail) = detail {
                op_err = op_err.with_details(detail);
            }
            return map(op_err);
        }
    }
    map(err)
}
