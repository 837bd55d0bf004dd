//! `client.signal_with_start(...)`.

use std::marker::PhantomData;

use temporal_client_core::builders::StartSpec;
use temporal_client_core::options::WorkflowOptions;
use temporal_client_core::payload::ToPayloads;
use temporal_client_core::{CallOptions, ServiceRequest};

use super::start::header;
use crate::args::{ArgsFor, NoArgs, WithArgs};
use crate::call::{bounded, call_option_setters, into_future};
use crate::client::Client;
use crate::definitions::{SignalDefinition, WorkflowDefinition};
use crate::error::{Error, Result};
use crate::handle::WorkflowHandle;
use crate::interceptor::{Headers, OperationInput as _, SignalWithStartInput, StartWorkflowOutput};
use crate::spans::{operation_span, traced_with};

impl Client {
    /// Sends a signal, starting the workflow first if it is not running
    /// (SignalWithStart). The id conflict policy defaults to `UseExisting`, as in the
    /// other SDKs. Give the signal's arguments with `.arg(x)` / `.args((x, y))` on the
    /// returned [`SignalWithStart`], then await it for a handle.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use temporal_client::{Client, WorkflowDefinition, WorkflowOptions};
    /// # use temporal_client::*;
    /// let fake = temporal_testkit::FakeServer::new();
    /// temporal_testkit::conformance_workflows::register_all(&fake);
    /// let client = Client::from_service(fake.clone());
    /// const COUNTER: WorkflowDefinition<(i64,), i64> = WorkflowDefinition::new("counter");
    /// const INCREMENT: SignalDefinition<(i64,)> = SignalDefinition::new("increment");
    /// // Starts the workflow if it is not running, then signals it: one request.
    /// let options = WorkflowOptions::new("counter-7", "q").args((10,));
    /// let handle = client.signal_with_start(COUNTER, options, INCREMENT).arg(5).await?;
    /// let value: i64 = handle.query("get_value").await?;
    /// assert_eq!(value, 15);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`start`](Self::start), and [`Error::InvalidRequest`] for an empty signal
    /// name.
    pub fn signal_with_start<A, R, S>(
        &self,
        workflow: impl Into<WorkflowDefinition<A, R>>,
        options: WorkflowOptions<A>,
        signal: impl Into<SignalDefinition<S>>,
    ) -> SignalWithStart<'_, A, R, S> {
        SignalWithStart {
            client: self,
            workflow_type: workflow.into().name().to_owned(),
            options,
            signal_name: signal.into().name().to_owned(),
            signal_args: NoArgs,
            call: CallOptions::default(),
            _types: PhantomData,
        }
    }
}

/// A signal-with-start, from [`Client::signal_with_start`].
#[must_use = "an operation does nothing until it is awaited"]
pub struct SignalWithStart<'a, A, R, S, SA = NoArgs> {
    client: &'a Client,
    workflow_type: String,
    options: WorkflowOptions<A>,
    signal_name: String,
    signal_args: SA,
    call: CallOptions,
    _types: PhantomData<fn(S) -> R>,
}

impl<A, R, S, SA> std::fmt::Debug for SignalWithStart<'_, A, R, S, SA> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignalWithStart")
            .field("workflow_type", &self.workflow_type)
            .field("workflow_id", &self.options.workflow_id)
            .field("signal_name", &self.signal_name)
            .finish_non_exhaustive()
    }
}

impl<'a, A, R, S> SignalWithStart<'a, A, R, S, NoArgs> {
    /// The signal's arguments, a tuple with one element per argument.
    pub fn args(self, args: S) -> SignalWithStart<'a, A, R, S, WithArgs<S>> {
        SignalWithStart {
            client: self.client,
            workflow_type: self.workflow_type,
            options: self.options,
            signal_name: self.signal_name,
            signal_args: WithArgs(args),
            call: self.call,
            _types: PhantomData,
        }
    }
}

impl<'a, A, R, T> SignalWithStart<'a, A, R, (T,), NoArgs> {
    /// The signal's single argument.
    pub fn arg(self, arg: T) -> SignalWithStart<'a, A, R, (T,), WithArgs<(T,)>> {
        self.args((arg,))
    }
}

impl<A, R, S, SA> SignalWithStart<'_, A, R, S, SA> {
    call_option_setters!();
}

impl<'a, A, R, S, SA> SignalWithStart<'a, A, R, S, SA>
where
    A: ToPayloads + Send + 'a,
    R: 'a,
    S: ToPayloads + Send + 'a,
    SA: ArgsFor<S> + 'a,
{
    fn run(self) -> impl Future<Output = Result<WorkflowHandle<R>>> {
        let client = self.client;
        let span = operation_span!(
            "temporal.signal_with_start",
            client.namespace(),
            workflow_id = self.options.workflow_id.as_str(),
            workflow_type = self.workflow_type.as_str(),
            handler = self.signal_name.as_str()
        );
        traced_with(
            span,
            bounded(
                SignalWithStartInput::OPERATION,
                self.call.timeout,
                async move {
                    let (args, options) = self.options.split_args();
                    let input = SignalWithStartInput {
                        workflow_type: self.workflow_type,
                        args: client.to_payloads(&args)?,
                        options,
                        signal_name: self.signal_name,
                        signal_args: client.to_payloads(&self.signal_args.into_args())?,
                        headers: Headers::new(),
                        call: self.call,
                    };
                    let follow_runs = input.options.follow_runs;
                    let workflow_id = input.options.workflow_id.clone();
                    let output = client
                        .intercept(
                            input,
                            |i, input, next| i.signal_with_start(input, next),
                            |input| send(client, input),
                        )
                        .await?;
                    Ok(WorkflowHandle::started(
                        client.clone(),
                        workflow_id,
                        output,
                        follow_runs,
                    ))
                },
            ),
            |span, handle| {
                span.record("run_id", handle.run_id());
            },
        )
    }
}

into_future!(impl['a, A, R, S, SA] SignalWithStart<'a, A, R, S, SA> => WorkflowHandle<R>,
    where [A: ToPayloads + Send + 'a, R: 'a, S: ToPayloads + Send + 'a, SA: ArgsFor<S> + 'a]);

async fn send(client: &Client, input: SignalWithStartInput) -> Result<StartWorkflowOutput> {
    let inner = client.inner();
    let args = client.encode(input.args).await?;
    let signal_args = client.encode(input.signal_args).await?;
    let memo = client.encode_memo(&input.options).await?;
    let request = inner.context().signal_with_start(
        StartSpec {
            workflow_type: &input.workflow_type,
            options: &input.options,
            input: args,
            memo,
            header: header(input.headers),
        },
        &input.signal_name,
        signal_args,
    )?;
    let response = inner
        .rpc()
        .signal_with_start_workflow_execution(ServiceRequest {
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
