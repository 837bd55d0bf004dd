//! `handle.signal(...)`.

use temporal_client_core::builders::SignalSpec;
use temporal_client_core::payload::ToPayloads;
use temporal_client_core::{CallOptions, ServiceRequest};

use super::start::header;
use crate::args::{ArgsFor, NoArgs, WithArgs};
use crate::call::{bounded, call_option_setters, into_future};
use crate::definitions::SignalDefinition;
use crate::error::Result;
use crate::handle::WorkflowHandle;
use crate::interceptor::{Headers, OperationInput as _, SignalWorkflowInput};
use crate::spans::{operation_span, traced};

impl<R> WorkflowHandle<R> {
    /// Sends a signal. Await the returned [`SignalWorkflow`]; give arguments with
    /// `.arg(x)` or `.args((x, y))` (a signal definition that takes none needs neither).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), temporal_client::Error> {
    /// use temporal_client::{Client, SignalDefinition};
    /// use temporal_testkit::FakeServer;
    ///
    /// const APPROVE: SignalDefinition<(String,)> = SignalDefinition::new("approve");
    /// let client = Client::from_service(FakeServer::new());
    /// let handle = client
    ///     .start("order", temporal_client::WorkflowOptions::new("order-1", "orders"))
    ///     .await?;
    /// handle.signal(APPROVE).arg("ada".to_owned()).await?;
    /// handle.signal("ping").await?; // by name, without arguments
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::WorkflowNotFound`](crate::Error::WorkflowNotFound) for an unknown
    /// workflow; [`Error::WorkflowAlreadyCompleted`](crate::Error::WorkflowAlreadyCompleted)
    /// when it closed already; [`Error::InvalidRequest`](crate::Error::InvalidRequest)
    /// for an empty signal name; [`Error::Payload`](crate::Error::Payload),
    /// [`Error::Timeout`](crate::Error::Timeout), [`Error::Service`](crate::Error::Service).
    pub fn signal<A>(&self, signal: impl Into<SignalDefinition<A>>) -> SignalWorkflow<'_, R, A> {
        SignalWorkflow {
            handle: self,
            signal_name: signal.into().name().to_owned(),
            args: NoArgs,
            call: CallOptions::default(),
            _args: std::marker::PhantomData,
        }
    }
}

/// A signal, from [`WorkflowHandle::signal`]: set arguments and per-call options, then
/// `.await` it.
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug)]
pub struct SignalWorkflow<'a, R, A, S = NoArgs> {
    handle: &'a WorkflowHandle<R>,
    signal_name: String,
    args: S,
    call: CallOptions,
    _args: std::marker::PhantomData<fn(A)>,
}

impl<'a, R, A> SignalWorkflow<'a, R, A, NoArgs> {
    /// The signal's arguments, a tuple with one element per argument.
    pub fn args(self, args: A) -> SignalWorkflow<'a, R, A, WithArgs<A>> {
        SignalWorkflow {
            handle: self.handle,
            signal_name: self.signal_name,
            args: WithArgs(args),
            call: self.call,
            _args: std::marker::PhantomData,
        }
    }
}

impl<'a, R, T> SignalWorkflow<'a, R, (T,), NoArgs> {
    /// The signal's single argument.
    pub fn arg(self, arg: T) -> SignalWorkflow<'a, R, (T,), WithArgs<(T,)>> {
        self.args((arg,))
    }
}

impl<R, A, S> SignalWorkflow<'_, R, A, S> {
    call_option_setters!();
}

impl<'a, R: 'a, A: ToPayloads + Send + 'a, S: ArgsFor<A> + 'a> SignalWorkflow<'a, R, A, S> {
    fn run(self) -> impl Future<Output = Result<()>> {
        let handle = self.handle;
        let client = &handle.client;
        let span = operation_span!(
            "temporal.signal_workflow",
            client.namespace(),
            workflow_id = handle.workflow_id.as_str(),
            run_id = handle.target_run_id().as_deref(),
            handler = self.signal_name.as_str()
        );
        traced(
            span,
            bounded(
                SignalWorkflowInput::OPERATION,
                self.call.timeout,
                async move {
                    let input = SignalWorkflowInput {
                        workflow_id: handle.workflow_id.clone(),
                        run_id: handle.target_run_id(),
                        signal_name: self.signal_name,
                        args: client.to_payloads(&self.args.into_args())?,
                        headers: Headers::new(),
                        call: self.call,
                    };
                    client
                        .intercept(
                            input,
                            |i, input, next| i.signal_workflow(input, next),
                            |input| send(handle, input),
                        )
                        .await
                },
            ),
        )
    }
}

into_future!(impl['a, R, A, S] SignalWorkflow<'a, R, A, S> => (),
    where [R: 'a, A: ToPayloads + Send + 'a, S: ArgsFor<A> + 'a]);

async fn send<R>(handle: &WorkflowHandle<R>, input: SignalWorkflowInput) -> Result<()> {
    let client = &handle.client;
    let inner = client.inner();
    let args = client.encode(input.args).await?;
    let request = inner.context().signal(SignalSpec {
        target: WorkflowHandle::<R>::execution_target(&input.workflow_id, &input.run_id, &None),
        signal_name: &input.signal_name,
        input: args,
        header: header(input.headers),
        request_id: None,
    })?;
    inner
        .rpc()
        .signal_workflow_execution(ServiceRequest {
            message: request,
            options: input.call,
        })
        .await
        .map_err(|e| handle.map_err(e))?;
    Ok(())
}
