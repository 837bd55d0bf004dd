//! `client.start(...)` and `client.execute(...)`.

use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use temporal_client_core::CallOptions;
use temporal_client_core::builders::StartSpec;
use temporal_client_core::options::WorkflowOptions;
use temporal_client_core::payload::ToPayloads;
use temporal_client_core::proto::temporal::api::common::v1::Header;

use crate::call::{bounded, call_option_setters, into_future};
use crate::client::Client;
use crate::definitions::WorkflowDefinition;
use crate::error::{Error, Result};
use crate::handle::WorkflowHandle;
use crate::interceptor::{Headers, OperationInput as _, StartWorkflowInput, StartWorkflowOutput};
use crate::spans::{operation_span, traced, traced_with};

impl Client {
    /// Starts a workflow and returns a handle to it. Await the returned
    /// [`StartWorkflow`].
    ///
    /// `options.args(...)` are the workflow's arguments, one payload per tuple element.
    /// The handle's [`result`](WorkflowHandle::result) waits for the run it started.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), temporal_client::Error> {
    /// use std::time::Duration;
    /// use temporal_client::{Client, WorkflowDefinition, WorkflowOptions};
    /// use temporal_testkit::{FakeServer, WorkflowContext, WorkflowResult};
    ///
    /// const GREET: WorkflowDefinition<(String,), String> = WorkflowDefinition::new("greet");
    /// let fake = FakeServer::new();
    /// fake.register_workflow("greet", |ctx: WorkflowContext| async move {
    ///     let (name,): (String,) = ctx.args()?;
    ///     Ok(WorkflowResult::completed(format!("Hello, {name}!")))
    /// });
    /// let client = Client::from_service(fake);
    ///
    /// let handle = client
    ///     .start(GREET, WorkflowOptions::new("greet-1", "greetings").args(("Ada".to_owned(),)))
    ///     .timeout(Duration::from_secs(5))
    ///     .await?;
    /// assert_eq!(handle.result().await?, "Hello, Ada!");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::WorkflowExecutionAlreadyStarted`] when the id is running (or the id
    /// reuse policy forbids a new run) and the id conflict policy does not say
    /// otherwise; [`Error::InvalidRequest`] for options the server would reject
    /// (empty id, task queue or type, a malformed cron, contradicting id policies);
    /// [`Error::NamespaceNotFound`]; [`Error::Payload`] when an argument or memo value
    /// does not convert; [`Error::Timeout`]; [`Error::Service`] otherwise.
    pub fn start<A, R>(
        &self,
        workflow: impl Into<WorkflowDefinition<A, R>>,
        options: WorkflowOptions<A>,
    ) -> StartWorkflow<'_, A, R> {
        StartWorkflow {
            client: self,
            workflow_type: workflow.into().name().to_owned(),
            options,
            call: CallOptions::default(),
            _result: PhantomData,
        }
    }

    /// Starts a workflow and waits for its result: `start`, then `result` on the
    /// handle. Await the returned [`ExecuteWorkflow`]; its timeout bounds both.
    ///
    /// # Errors
    /// As [`start`](Self::start) and [`WorkflowHandle::result`].
    pub fn execute<A, R>(
        &self,
        workflow: impl Into<WorkflowDefinition<A, R>>,
        options: WorkflowOptions<A>,
    ) -> ExecuteWorkflow<'_, A, R> {
        ExecuteWorkflow {
            start: self.start(workflow, options),
        }
    }
}

/// A workflow start, from [`Client::start`]: set per-call options, then `.await` it.
#[must_use = "an operation does nothing until it is awaited"]
pub struct StartWorkflow<'a, A, R> {
    client: &'a Client,
    workflow_type: String,
    options: WorkflowOptions<A>,
    call: CallOptions,
    _result: PhantomData<fn() -> R>,
}

impl<A, R> std::fmt::Debug for StartWorkflow<'_, A, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StartWorkflow")
            .field("workflow_type", &self.workflow_type)
            .field("workflow_id", &self.options.workflow_id)
            .finish_non_exhaustive()
    }
}

impl<A, R> StartWorkflow<'_, A, R> {
    call_option_setters!();
}

impl<'a, A: ToPayloads + Send + 'a, R: 'a> StartWorkflow<'a, A, R> {
    fn run(self) -> impl Future<Output = Result<WorkflowHandle<R>>> {
        let client = self.client;
        let timeout = self.call.timeout;
        let span = operation_span!(
            "temporal.start_workflow",
            client.namespace(),
            workflow_id = self.options.workflow_id.as_str(),
            workflow_type = self.workflow_type.as_str()
        );
        traced_with(
            span,
            bounded(StartWorkflowInput::OPERATION, timeout, async move {
                let (args, options) = self.options.split_args();
                let input = StartWorkflowInput {
                    workflow_type: self.workflow_type,
                    args: client.to_payloads(&args)?,
                    options,
                    headers: Headers::new(),
                    call: self.call,
                };
                let follow_runs = input.options.follow_runs;
                let workflow_id = input.options.workflow_id.clone();
                let output = client
                    .intercept(
                        input,
                        |i, input, next| i.start_workflow(input, next),
                        |input| send_start(client, input),
                    )
                    .await?;
                Ok(WorkflowHandle::started(
                    client.clone(),
                    workflow_id,
                    output,
                    follow_runs,
                ))
            }),
            |span, handle| {
                span.record("run_id", handle.run_id());
            },
        )
    }
}

into_future!(impl['a, A, R] StartWorkflow<'a, A, R> => WorkflowHandle<R>,
    where [A: ToPayloads + Send + 'a, R: 'a]);

/// A start followed by its result, from [`Client::execute`].
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug)]
pub struct ExecuteWorkflow<'a, A, R> {
    start: StartWorkflow<'a, A, R>,
}

impl<A, R> ExecuteWorkflow<'_, A, R> {
    call_option_setters!(start.call);
}

impl<'a, A: ToPayloads + Send + 'a, R: DeserializeOwned + Send + 'a> ExecuteWorkflow<'a, A, R> {
    fn run(self) -> impl Future<Output = Result<R>> {
        let timeout = self.start.call.timeout;
        let mut call = self.start.call.clone();
        call.timeout = None;
        let span = operation_span!(
            "temporal.execute_workflow",
            self.start.client.namespace(),
            workflow_id = self.start.options.workflow_id.as_str(),
            workflow_type = self.start.workflow_type.as_str()
        );
        traced(
            span,
            bounded("execute workflow", timeout, async move {
                let mut start = self.start;
                start.call.timeout = None;
                let handle = start.run().await?;
                handle.result().call_options(call).await
            }),
        )
    }
}

into_future!(impl['a, A, R] ExecuteWorkflow<'a, A, R> => R,
    where [A: ToPayloads + Send + 'a, R: DeserializeOwned + Send + 'a]);

/// Turns interceptor-facing headers into the proto header (`None` when empty).
pub(crate) fn header(headers: Headers) -> Option<Header> {
    (!headers.is_empty()).then_some(Header { fields: headers })
}

/// The start terminal: codecs, request, RPC, error mapping.
async fn send_start(client: &Client, input: StartWorkflowInput) -> Result<StartWorkflowOutput> {
    let inner = client.inner();
    let args = client.encode(input.args).await?;
    let memo = client.encode_memo(&input.options).await?;
    let request = inner.context().start_workflow(StartSpec {
        workflow_type: &input.workflow_type,
        options: &input.options,
        input: args,
        memo,
        header: header(input.headers),
    })?;
    let response = inner
        .rpc()
        .start_workflow_execution(temporal_client_core::ServiceRequest {
            message: request,
            options: input.call,
        })
        .await
        .map_err(|e| {
            Error::for_start(
                e,
                client.namespace(),
                &input.options.workflow_id,
                &input.workflow_type,
            )
        })?;
    Ok(StartWorkflowOutput {
        run_id: response.run_id,
        started: response.started,
    })
}
