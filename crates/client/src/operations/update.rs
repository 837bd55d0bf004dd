//! Workflow updates: `handle.execute_update(...)`, `handle.start_update(...)`, update
//! handles and their `result()`.

use std::fmt;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use temporal_client_core::builders::{ExecutionTarget, UpdateSpec};
use temporal_client_core::options::UpdateWaitStage;
use temporal_client_core::payload::ToPayloads;
use temporal_client_core::proto::temporal::api::enums::v1::UpdateWorkflowExecutionLifecycleStage as Stage;
use temporal_client_core::proto::temporal::api::failure::v1::Failure;
use temporal_client_core::proto::temporal::api::update::v1::{Outcome, outcome};
use temporal_client_core::{CallOptions, Code, ServiceError, ServiceRequest};

use super::start::header;
use crate::args::{ArgsFor, NoArgs, WithArgs};
use crate::call::{OperationDeadline, call_option_setters, into_future};
use crate::client::Client;
use crate::definitions::UpdateDefinition;
use crate::error::{Error, Result};
use crate::handle::WorkflowHandle;
use crate::interceptor::{
    Headers, OperationInput as _, PollUpdateInput, PollUpdateOutput, StartUpdateInput,
    StartUpdateOutput,
};
use crate::spans::{operation_span, traced, traced_with};

impl<R> WorkflowHandle<R> {
    /// Sends an update and waits for its result. Await the returned
    /// [`ExecuteUpdate`]; `.arg(x)` / `.args((x, y))` give arguments, `.update_id(..)`
    /// an id (default: a fresh UUID; the same id twice is the same update).
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
    /// let handle = client.start(COUNTER, WorkflowOptions::new("c-1", "q").args((1,))).await?;
    /// assert_eq!(handle.execute_update(ADD).arg(2).await?, 3);
    /// // The validator refuses negative numbers: a typed error, nothing changed.
    /// assert!(matches!(handle.execute_update(ADD).arg(-1).await, Err(Error::UpdateFailed { .. })));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::UpdateFailed`] when the validator rejected it or the handler failed
    /// (the cause is the failure); [`Error::WorkflowNotFound`];
    /// [`Error::InvalidRequest`] for an empty name; [`Error::Payload`];
    /// [`Error::Timeout`]; [`Error::Service`].
    pub fn execute_update<U, A>(
        &self,
        update: impl Into<UpdateDefinition<U, A>>,
    ) -> ExecuteUpdate<'_, R, U, A> {
        ExecuteUpdate {
            start: self
                .start_update(update)
                .wait_for_stage(UpdateWaitStage::Completed),
        }
    }

    /// Sends an update and returns a handle once it reached the wait stage
    /// (`.wait_for_stage(..)`, default [`UpdateWaitStage::Accepted`], as TypeScript's
    /// `startUpdate`). Await the returned [`StartUpdate`]. A rejected update fails
    /// here with [`Error::UpdateFailed`].
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
    /// let handle = client.start(COUNTER, WorkflowOptions::new("c-2", "q").args((1,))).await?;
    /// let update = handle
    ///     .start_update(ADD)
    ///     .arg(2)
    ///     .update_id("add-2")
    ///     .wait_for_stage(UpdateWaitStage::Accepted)
    ///     .await?;
    /// assert_eq!(update.result().await?, 3);
    /// // Elsewhere, by id:
    /// assert_eq!(handle.get_update_handle::<i64>("add-2").result().await?, 3);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`execute_update`](Self::execute_update).
    pub fn start_update<U, A>(
        &self,
        update: impl Into<UpdateDefinition<U, A>>,
    ) -> StartUpdate<'_, R, U, A> {
        StartUpdate {
            handle: self,
            update_name: update.into().name().to_owned(),
            update_id: None,
            wait_stage: UpdateWaitStage::Accepted,
            args: NoArgs,
            call: CallOptions::default(),
            _types: PhantomData,
        }
    }

    /// A handle to an update already sent, by its id. Does no RPC.
    pub fn get_update_handle<U>(&self, update_id: impl Into<String>) -> WorkflowUpdateHandle<U> {
        WorkflowUpdateHandle {
            client: self.client.clone(),
            workflow_id: self.workflow_id.clone(),
            run_id: self.target_run_id().unwrap_or_default(),
            update_id: update_id.into(),
            update_name: String::new(),
            outcome: None,
            _result: PhantomData,
        }
    }
}

/// An update, from [`WorkflowHandle::start_update`]: returns a handle once the update
/// reached its wait stage.
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug)]
pub struct StartUpdate<'a, R, U, A, S = NoArgs> {
    handle: &'a WorkflowHandle<R>,
    update_name: String,
    update_id: Option<String>,
    wait_stage: UpdateWaitStage,
    args: S,
    call: CallOptions,
    _types: PhantomData<fn(A) -> U>,
}

impl<'a, R, U, A> StartUpdate<'a, R, U, A, NoArgs> {
    /// The update's arguments, a tuple with one element per argument.
    pub fn args(self, args: A) -> StartUpdate<'a, R, U, A, WithArgs<A>> {
        StartUpdate {
            handle: self.handle,
            update_name: self.update_name,
            update_id: self.update_id,
            wait_stage: self.wait_stage,
            args: WithArgs(args),
            call: self.call,
            _types: PhantomData,
        }
    }
}

impl<'a, R, U, T> StartUpdate<'a, R, U, (T,), NoArgs> {
    /// The update's single argument.
    pub fn arg(self, arg: T) -> StartUpdate<'a, R, U, (T,), WithArgs<(T,)>> {
        self.args((arg,))
    }
}

impl<R, U, A, S> StartUpdate<'_, R, U, A, S> {
    call_option_setters!();

    /// The update id (default: a fresh UUID). Sending the same id twice gives the
    /// same update.
    pub fn update_id(mut self, update_id: impl Into<String>) -> Self {
        self.update_id = Some(update_id.into()).filter(|id| !id.is_empty());
        self
    }

    /// The stage to wait for before returning.
    pub fn wait_for_stage(mut self, stage: UpdateWaitStage) -> Self {
        self.wait_stage = stage;
        self
    }
}

impl<'a, R: 'a, U: 'a, A, S> StartUpdate<'a, R, U, A, S>
where
    A: ToPayloads + Send + 'a,
    S: ArgsFor<A> + 'a,
{
    async fn run(self) -> Result<WorkflowUpdateHandle<U>> {
        let handle = self.handle;
        let client = &handle.client;
        let span = operation_span!(
            "temporal.start_update",
            client.namespace(),
            workflow_id = handle.workflow_id.as_str(),
            run_id = handle.target_run_id().as_deref(),
            handler = self.update_name.as_str(),
            update_id = self.update_id.as_deref()
        );
        let deadline = OperationDeadline::new(StartUpdateInput::OPERATION, self.call.timeout);
        let deadline = &deadline;
        traced_with(
            span,
            deadline.run(async move {
                let input = StartUpdateInput {
                    workflow_id: handle.workflow_id.clone(),
                    run_id: handle.target_run_id(),
                    first_execution_run_id: handle.first_execution_run_id.clone(),
                    update_id: self.update_id,
                    update_name: self.update_name,
                    args: client.to_payloads(&self.args.into_args())?,
                    wait_stage: self.wait_stage,
                    headers: Headers::new(),
                    call: deadline.call(&self.call),
                };
                let update_name = input.update_name.clone();
                let output = client
                    .intercept(
                        input,
                        |i, input, next| i.start_update(input, next),
                        |input| send_update(handle, input, deadline),
                    )
                    .await?;
                let update = WorkflowUpdateHandle::from_output(
                    client.clone(),
                    handle.workflow_id.clone(),
                    update_name,
                    output,
                );
                update.fail_if_rejected().await?;
                Ok(update)
            }),
            |span, update| {
                span.record("run_id", update.run_id());
                span.record("update_id", update.update_id());
            },
        )
        .await
    }
}

into_future!(impl['a, R, U, A, S] StartUpdate<'a, R, U, A, S> => WorkflowUpdateHandle<U>,
    where [R: 'a, U: 'a, A: ToPayloads + Send + 'a, S: ArgsFor<A> + 'a]);

/// An update and the wait for its result, from [`WorkflowHandle::execute_update`].
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug)]
pub struct ExecuteUpdate<'a, R, U, A, S = NoArgs> {
    start: StartUpdate<'a, R, U, A, S>,
}

impl<'a, R, U, A> ExecuteUpdate<'a, R, U, A, NoArgs> {
    /// The update's arguments, a tuple with one element per argument.
    pub fn args(self, args: A) -> ExecuteUpdate<'a, R, U, A, WithArgs<A>> {
        ExecuteUpdate {
            start: self.start.args(args),
        }
    }
}

impl<'a, R, U, T> ExecuteUpdate<'a, R, U, (T,), NoArgs> {
    /// The update's single argument.
    pub fn arg(self, arg: T) -> ExecuteUpdate<'a, R, U, (T,), WithArgs<(T,)>> {
        self.args((arg,))
    }
}

impl<R, U, A, S> ExecuteUpdate<'_, R, U, A, S> {
    call_option_setters!(start.call);
    /// The update id (default: a fresh UUID).
    pub fn update_id(mut self, update_id: impl Into<String>) -> Self {
        self.start = self.start.update_id(update_id);
        self
    }
}

impl<'a, R: 'a, U, A, S> ExecuteUpdate<'a, R, U, A, S>
where
    U: DeserializeOwned + Send + 'a,
    A: ToPayloads + Send + 'a,
    S: ArgsFor<A> + 'a,
{
    async fn run(self) -> Result<U> {
        let timeout = self.start.call.timeout;
        let mut call = self.start.call.clone();
        call.timeout = None;
        let span = operation_span!(
            "temporal.execute_update",
            self.start.handle.client.namespace(),
            workflow_id = self.start.handle.workflow_id.as_str(),
            handler = self.start.update_name.as_str(),
            update_id = self.start.update_id.as_deref()
        );
        let deadline = OperationDeadline::new("execute update", timeout);
        let deadline = &deadline;
        traced(
            span,
            deadline.run(async move {
                let mut start = self.start;
                // Both steps get the time left of the whole operation.
                start.call.timeout = deadline.call(&call).timeout;
                let update = start.run().await?;
                update.result().call_options(deadline.call(&call)).await
            }),
        )
        .await
    }
}

into_future!(impl['a, R, U, A, S] ExecuteUpdate<'a, R, U, A, S> => U,
    where [R: 'a, U: DeserializeOwned + Send + 'a, A: ToPayloads + Send + 'a, S: ArgsFor<A> + 'a]);

/// Whether `stage` (a lifecycle stage the server reported) is at least `wanted`.
pub(crate) fn reached(stage: i32, wanted: UpdateWaitStage) -> bool {
    let rank = |s: Stage| match s {
        Stage::Unspecified => 0,
        Stage::Admitted => 1,
        Stage::Accepted => 2,
        Stage::Completed => 3,
    };
    rank(Stage::try_from(stage).unwrap_or(Stage::Unspecified)) >= rank(wanted.to_proto())
}

async fn send_update<R>(
    handle: &WorkflowHandle<R>,
    input: StartUpdateInput,
    deadline: &OperationDeadline,
) -> Result<StartUpdateOutput> {
    let client = &handle.client;
    let inner = client.inner();
    let args = client.encode(input.args).await?;
    let request = inner.context().update(UpdateSpec {
        target: WorkflowHandle::<R>::execution_target(
            &input.workflow_id,
            &input.run_id,
            &input.first_execution_run_id,
        ),
        update_id: input.update_id.as_deref(),
        update_name: &input.update_name,
        input: args,
        header: header(input.headers),
        wait_stage: input.wait_stage,
    })?;
    loop {
        // Every round gets only the time left (a timeout an interceptor set counts
        // from the first round).
        let mut call = input.call.clone();
        deadline.apply(&mut call)?;
        let sent = tokio::time::Instant::now();
        let response = inner
            .rpc()
            .update_workflow_execution(ServiceRequest {
                message: request.clone(),
                options: call,
            })
            .await
            .map_err(|e| handle.map_err(e))?;
        // A response below the requested stage means the server's long poll ended
        // first: ask again with the same update id.
        if response.outcome.is_none() && !reached(response.stage, input.wait_stage) {
            deadline.space_polls(sent).await;
            continue;
        }
        let update_ref = response.update_ref.unwrap_or_default();
        return Ok(StartUpdateOutput {
            update_id: update_ref.update_id,
            run_id: update_ref
                .workflow_execution
                .map(|e| e.run_id)
                .unwrap_or_default(),
            outcome: response.outcome,
        });
    }
}

/// A handle to one update of a workflow; [`result`](Self::result) waits for its
/// outcome, however long the update runs (it keeps long-polling).
pub struct WorkflowUpdateHandle<U> {
    client: Client,
    workflow_id: String,
    run_id: String,
    update_id: String,
    update_name: String,
    outcome: Option<Outcome>,
    _result: PhantomData<fn() -> U>,
}

impl<U> fmt::Debug for WorkflowUpdateHandle<U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkflowUpdateHandle")
            .field("workflow_id", &self.workflow_id)
            .field("run_id", &self.run_id)
            .field("update_id", &self.update_id)
            .field("update_name", &self.update_name)
            .finish_non_exhaustive()
    }
}

impl<U> WorkflowUpdateHandle<U> {
    pub(crate) fn from_output(
        client: Client,
        workflow_id: String,
        update_name: String,
        output: StartUpdateOutput,
    ) -> Self {
        Self {
            client,
            workflow_id,
            run_id: output.run_id,
            update_id: output.update_id,
            update_name,
            outcome: output.outcome,
            _result: PhantomData,
        }
    }

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

    /// Waits for the update's outcome and returns its result. Await the returned
    /// [`GetUpdateResult`]; `.timeout(..)` bounds the whole wait.
    ///
    /// # Errors
    /// [`Error::UpdateFailed`] if the validator rejected the update or the handler
    /// failed; [`Error::WorkflowNotFound`]; [`Error::Payload`]; [`Error::Timeout`].
    pub fn result(&self) -> GetUpdateResult<'_, U> {
        GetUpdateResult {
            update: self,
            call: CallOptions::default(),
        }
    }

    /// Fails early if the update was rejected (or already failed).
    pub(crate) async fn fail_if_rejected(&self) -> Result<()> {
        match &self.outcome {
            Some(Outcome {
                value: Some(outcome::Value::Failure(failure)),
            }) => Err(self.failed(failure.clone()).await?),
            _ => Ok(()),
        }
    }

    async fn failed(&self, failure: Failure) -> Result<Error> {
        Ok(Error::UpdateFailed {
            workflow_id: self.workflow_id.clone(),
            update_name: self.update_name.clone(),
            update_id: self.update_id.clone(),
            cause: Box::new(self.client.decode_failure(failure).await?),
        })
    }

    async fn poll_outcome(
        &self,
        call: CallOptions,
        deadline: &OperationDeadline,
    ) -> Result<Outcome> {
        let client = &self.client;
        loop {
            let input = PollUpdateInput {
                workflow_id: self.workflow_id.clone(),
                run_id: Some(self.run_id.clone()).filter(|r| !r.is_empty()),
                update_id: self.update_id.clone(),
                call: deadline.call(&call),
            };
            let sent = tokio::time::Instant::now();
            let output = client
                .intercept(
                    input,
                    |i, input, next| i.poll_update(input, next),
                    |mut input: PollUpdateInput| async move {
                        deadline.apply(&mut input.call)?;
                        poll(client, input).await
                    },
                )
                .await?;
            // No outcome: the long poll expired before the update completed.
            if let Some(outcome) = output.outcome {
                return Ok(outcome);
            }
            deadline.space_polls(sent).await;
        }
    }
}

/// The wait for an update's result, from [`WorkflowUpdateHandle::result`].
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug)]
pub struct GetUpdateResult<'a, U> {
    update: &'a WorkflowUpdateHandle<U>,
    call: CallOptions,
}

impl<U> GetUpdateResult<'_, U> {
    call_option_setters!();
}

impl<'a, U: DeserializeOwned + Send + 'a> GetUpdateResult<'a, U> {
    async fn run(self) -> Result<U> {
        let update = self.update;
        let timeout = self.call.timeout;
        let call = self.call;
        let span = operation_span!(
            "temporal.get_update_result",
            update.client.namespace(),
            workflow_id = update.workflow_id.as_str(),
            run_id = update.run_id.as_str(),
            handler = update.update_name.as_str(),
            update_id = update.update_id.as_str()
        );
        let deadline = OperationDeadline::new(PollUpdateInput::OPERATION, timeout);
        let deadline = &deadline;
        traced(
            span,
            deadline.run(async move {
                let outcome = match &update.outcome {
                    Some(outcome) => outcome.clone(),
                    None => update.poll_outcome(call, deadline).await?,
                };
                match outcome.value {
                    Some(outcome::Value::Success(payloads)) => {
                        let payloads = update.client.decode(payloads.payloads).await?;
                        update.client.read_value(&payloads)
                    }
                    Some(outcome::Value::Failure(failure)) => Err(update.failed(failure).await?),
                    None => Err(Error::Service(ServiceError::new(
                        "PollWorkflowExecutionUpdate",
                        Code::Internal,
                        "the server reported a completed update without an outcome",
                    ))),
                }
            }),
        )
        .await
    }
}

into_future!(impl['a, U] GetUpdateResult<'a, U> => U, where [U: DeserializeOwned + Send + 'a]);

async fn poll(client: &Client, input: PollUpdateInput) -> Result<PollUpdateOutput> {
    let inner = client.inner();
    let request = inner.context().poll_update(
        ExecutionTarget::run(
            &input.workflow_id,
            input.run_id.as_deref().unwrap_or_default(),
        ),
        &input.update_id,
    );
    let response = inner
        .rpc()
        .poll_workflow_execution_update(ServiceRequest {
            message: request,
            options: input.call,
        })
        .await
        .map_err(|e| {
            Error::for_execution(
                e,
                &inner.namespace,
                &input.workflow_id,
                input.run_id.as_deref(),
            )
        })?;
    Ok(PollUpdateOutput {
        outcome: response.outcome,
    })
}
