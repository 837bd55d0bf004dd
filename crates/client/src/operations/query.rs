//! `handle.query(...)`.

use serde::de::DeserializeOwned;
use temporal_client_core::builders::QuerySpec;
use temporal_client_core::options::QueryRejectCondition;
use temporal_client_core::payload::ToPayloads;
use temporal_client_core::{CallOptions, ErrorDetails, ServiceRequest};

use super::start::header;
use crate::args::{ArgsFor, NoArgs, WithArgs};
use crate::call::{bounded, call_option_setters, into_future};
use crate::definitions::QueryDefinition;
use crate::error::{Error, Result};
use crate::handle::WorkflowHandle;
use crate::interceptor::{Headers, OperationInput as _, QueryWorkflowInput, QueryWorkflowOutput};
use crate::spans::{operation_span, traced};

impl<R> WorkflowHandle<R> {
    /// Queries the workflow. Await the returned [`QueryWorkflow`]; give arguments with
    /// `.arg(x)` / `.args((x, y))`, and a reject condition with
    /// `.reject_condition(...)` (default: the client's, [`QueryRejectCondition::None`]
    /// unless the [`ClientBuilder`](crate::ClientBuilder) set another).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), temporal_client::Error> {
    /// use std::time::Duration;
    /// use temporal_client::{Client, QueryDefinition, QueryRejectCondition, WorkflowOptions};
    /// use temporal_testkit::{FakeServer, WorkflowContext, WorkflowResult};
    ///
    /// const STATUS: QueryDefinition<String> = QueryDefinition::new("status");
    /// let fake = FakeServer::new();
    /// fake.register_workflow("order", |ctx: WorkflowContext| async move {
    ///     ctx.on_query("status", |_args| Ok("packing"));
    ///     ctx.cancelled().await;
    ///     Ok(WorkflowResult::canceled())
    /// });
    /// let client = Client::from_service(fake);
    /// let handle = client.start("order", WorkflowOptions::new("order-7", "orders")).await?;
    /// # tokio::task::yield_now().await;
    /// let status = handle
    ///     .query(STATUS)
    ///     .reject_condition(QueryRejectCondition::NotOpen)
    ///     .timeout(Duration::from_secs(2))
    ///     .await?;
    /// assert_eq!(status, "packing");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::QueryRejected`] when the reject condition refused it;
    /// [`Error::QueryNotRegistered`] when the workflow has no handler of that name;
    /// [`Error::QueryFailed`] when the handler failed in the worker;
    /// [`Error::WorkflowNotFound`]; [`Error::Payload`] when the answer does not convert
    /// to `Ret`; [`Error::Timeout`]; [`Error::Service`] otherwise (e.g. a malformed run
    /// id, INVALID_ARGUMENT).
    pub fn query<Ret, A>(
        &self,
        query: impl Into<QueryDefinition<Ret, A>>,
    ) -> QueryWorkflow<'_, R, Ret, A> {
        QueryWorkflow {
            handle: self,
            query_type: query.into().name().to_owned(),
            args: NoArgs,
            reject_condition: self.client.inner().query_reject_condition,
            call: CallOptions::default(),
            _types: std::marker::PhantomData,
        }
    }
}

/// A query, from [`WorkflowHandle::query`]: set arguments, the reject condition and
/// per-call options, then `.await` it.
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug)]
pub struct QueryWorkflow<'a, R, Ret, A, S = NoArgs> {
    handle: &'a WorkflowHandle<R>,
    query_type: String,
    args: S,
    reject_condition: QueryRejectCondition,
    call: CallOptions,
    _types: std::marker::PhantomData<fn(A) -> Ret>,
}

impl<'a, R, Ret, A> QueryWorkflow<'a, R, Ret, A, NoArgs> {
    /// The query's arguments, a tuple with one element per argument.
    pub fn args(self, args: A) -> QueryWorkflow<'a, R, Ret, A, WithArgs<A>> {
        QueryWorkflow {
            handle: self.handle,
            query_type: self.query_type,
            args: WithArgs(args),
            reject_condition: self.reject_condition,
            call: self.call,
            _types: std::marker::PhantomData,
        }
    }
}

impl<'a, R, Ret, T> QueryWorkflow<'a, R, Ret, (T,), NoArgs> {
    /// The query's single argument.
    pub fn arg(self, arg: T) -> QueryWorkflow<'a, R, Ret, (T,), WithArgs<(T,)>> {
        self.args((arg,))
    }
}

impl<R, Ret, A, S> QueryWorkflow<'_, R, Ret, A, S> {
    call_option_setters!();

    /// When the server refuses the query instead of asking a worker (per call; the
    /// client-wide default applies otherwise).
    pub fn reject_condition(mut self, condition: QueryRejectCondition) -> Self {
        self.reject_condition = condition;
        self
    }
}

impl<'a, R: 'a, Ret, A, S> QueryWorkflow<'a, R, Ret, A, S>
where
    Ret: DeserializeOwned + Send + 'a,
    A: ToPayloads + Send + 'a,
    S: ArgsFor<A> + 'a,
{
    fn run(self) -> impl Future<Output = Result<Ret>> {
        let handle = self.handle;
        let client = &handle.client;
        let span = operation_span!(
            "temporal.query_workflow",
            client.namespace(),
            workflow_id = handle.workflow_id.as_str(),
            run_id = handle.target_run_id().as_deref(),
            handler = self.query_type.as_str()
        );
        traced(
            span,
            bounded(
                QueryWorkflowInput::OPERATION,
                self.call.timeout,
                async move {
                    let input = QueryWorkflowInput {
                        workflow_id: handle.workflow_id.clone(),
                        run_id: handle.target_run_id(),
                        query_type: self.query_type,
                        args: client.to_payloads(&self.args.into_args())?,
                        reject_condition: self.reject_condition,
                        headers: Headers::new(),
                        call: self.call,
                    };
                    let output = client
                        .intercept(
                            input,
                            |i, input, next| i.query_workflow(input, next),
                            |input| send(handle, input),
                        )
                        .await?;
                    client.read_value(&output.result)
                },
            ),
        )
    }
}

into_future!(impl['a, R, Ret, A, S] QueryWorkflow<'a, R, Ret, A, S> => Ret,
    where [R: 'a, Ret: DeserializeOwned + Send + 'a, A: ToPayloads + Send + 'a, S: ArgsFor<A> + 'a]);

async fn send<R>(
    handle: &WorkflowHandle<R>,
    input: QueryWorkflowInput,
) -> Result<QueryWorkflowOutput> {
    let client = &handle.client;
    let inner = client.inner();
    let args = client.encode(input.args).await?;
    let request = inner.context().query(QuerySpec {
        target: WorkflowHandle::<R>::execution_target(&input.workflow_id, &input.run_id, &None),
        query_type: &input.query_type,
        input: args,
        header: header(input.headers),
        reject_condition: input.reject_condition,
    })?;
    let response = inner
        .rpc()
        .query_workflow(ServiceRequest {
            message: request,
            options: input.call,
        })
        .await
        .map_err(|e| query_error(handle, &input.query_type, e))?;
    if let Some(rejected) = response.query_rejected {
        return Err(Error::QueryRejected {
            workflow_id: input.workflow_id,
            query_type: input.query_type,
            status: rejected.status(),
        });
    }
    let payloads = response
        .query_result
        .map(|p| p.payloads)
        .unwrap_or_default();
    Ok(QueryWorkflowOutput {
        result: client.decode(payloads).await?,
    })
}

/// A query error: the worker's failures (the server marks them with `QueryFailed`
/// details) are told apart from the server's own refusals, which keep their meaning.
fn query_error<R>(
    handle: &WorkflowHandle<R>,
    query_type: &str,
    err: temporal_client_core::ServiceError,
) -> Error {
    if !matches!(err.details(), Some(ErrorDetails::QueryFailed(_))) {
        return handle.map_err(err);
    }
    let message = err.message().to_owned();
    if message.contains("expected but not found") || message.contains("unknown query") {
        Error::QueryNotRegistered {
            workflow_id: handle.workflow_id.clone(),
            query_type: query_type.to_owned(),
            message,
            source: err,
        }
    } else {
        Error::QueryFailed {
            workflow_id: handle.workflow_id.clone(),
            query_type: query_type.to_owned(),
            message,
            source: err,
        }
    }
}
