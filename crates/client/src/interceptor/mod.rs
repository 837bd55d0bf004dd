//! Client interceptors: hooks around every operation of the client.
//!
//! An [`Interceptor`] has one method per operation (start, signal, query, update,
//! cancel, terminate, describe, list, count, fetch history, async activity completion,
//! ...). Each receives the
//! operation's input and a [`Next`] for the rest of the chain; it may read and change
//! the input (argument payloads, the Temporal header, the per-call options), call
//! `next.run(input).await` and look at the output or error, or return an error without
//! calling `next` to stop the call before any RPC. Every method has a default body that
//! just calls `next`, so an interceptor implements only what it needs. Interceptors run
//! in the order they were added to the [`ClientBuilder`](crate::ClientBuilder): the
//! first one added is the outermost.
//!
//! This follows the other SDKs' client interceptors (TypeScript's
//! `WorkflowClientInterceptor`, Python's `OutboundInterceptor`, Go's
//! `ClientOutboundInterceptor`). Arguments are seen as payloads after the payload
//! converter and before the codecs, like Python's; the `header` is sent as it is (no
//! codec), which is where the official OpenTelemetry interceptors put trace context.
//!
//! ```
//! use temporal_client::interceptor::{Interceptor, Next, StartWorkflowInput, StartWorkflowOutput};
//! use temporal_client::{async_trait, payload::DataConverter, Result};
//!
//! /// Sends the tenant to the worker in the Temporal header of every start.
//! struct Tenant(&'static str);
//!
//! #[async_trait]
//! impl Interceptor for Tenant {
//!     async fn start_workflow(
//!         &self,
//!         mut input: StartWorkflowInput,
//!         next: Next<'_, StartWorkflowInput, StartWorkflowOutput>,
//!     ) -> Result<StartWorkflowOutput> {
//!         let value = DataConverter::default().to_payload(self.0)?;
//!         input.headers.insert("tenant".to_owned(), value);
//!         next.run(input).await
//!     }
//! }
//! ```

mod activity_inputs;
mod inputs;
mod schedule_inputs;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub use activity_inputs::*;
pub use inputs::*;
pub use schedule_inputs::*;

use crate::error::Result;

/// A boxed, `Send` future, as interceptor chains pass them around.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Hooks around the client's operations. See the [module docs](self).
///
/// Implement it with [`async_trait`](crate::async_trait) (re-exported by this crate).
#[async_trait::async_trait]
pub trait Interceptor: Send + Sync {
    /// `client.start(...)` and the start of `client.execute(...)`.
    async fn start_workflow(
        &self,
        input: StartWorkflowInput,
        next: Next<'_, StartWorkflowInput, StartWorkflowOutput>,
    ) -> Result<StartWorkflowOutput> {
        next.run(input).await
    }

    /// `client.signal_with_start(...)`.
    async fn signal_with_start(
        &self,
        input: SignalWithStartInput,
        next: Next<'_, SignalWithStartInput, StartWorkflowOutput>,
    ) -> Result<StartWorkflowOutput> {
        next.run(input).await
    }

    /// `handle.signal(...)`.
    async fn signal_workflow(
        &self,
        input: SignalWorkflowInput,
        next: Next<'_, SignalWorkflowInput, ()>,
    ) -> Result<()> {
        next.run(input).await
    }

    /// `handle.query(...)`. The output is the answer's payloads, after the codecs.
    async fn query_workflow(
        &self,
        input: QueryWorkflowInput,
        next: Next<'_, QueryWorkflowInput, QueryWorkflowOutput>,
    ) -> Result<QueryWorkflowOutput> {
        next.run(input).await
    }

    /// `handle.start_update(...)` and the first RPC of `handle.execute_update(...)`.
    async fn start_update(
        &self,
        input: StartUpdateInput,
        next: Next<'_, StartUpdateInput, StartUpdateOutput>,
    ) -> Result<StartUpdateOutput> {
        next.run(input).await
    }

    /// One long poll for an update's outcome (`update_handle.result()`).
    async fn poll_update(
        &self,
        input: PollUpdateInput,
        next: Next<'_, PollUpdateInput, PollUpdateOutput>,
    ) -> Result<PollUpdateOutput> {
        next.run(input).await
    }

    /// `client.start_update_with_start(...)` / `execute_update_with_start(...)`.
    async fn update_with_start(
        &self,
        input: UpdateWithStartInput,
        next: Next<'_, UpdateWithStartInput, UpdateWithStartOutput>,
    ) -> Result<UpdateWithStartOutput> {
        next.run(input).await
    }

    /// `handle.cancel()`.
    async fn cancel_workflow(
        &self,
        input: CancelWorkflowInput,
        next: Next<'_, CancelWorkflowInput, ()>,
    ) -> Result<()> {
        next.run(input).await
    }

    /// `handle.terminate()`.
    async fn terminate_workflow(
        &self,
        input: TerminateWorkflowInput,
        next: Next<'_, TerminateWorkflowInput, ()>,
    ) -> Result<()> {
        next.run(input).await
    }

    /// `handle.describe()`.
    async fn describe_workflow(
        &self,
        input: DescribeWorkflowInput,
        next: Next<'_, DescribeWorkflowInput, crate::WorkflowExecutionDescription>,
    ) -> Result<crate::WorkflowExecutionDescription> {
        next.run(input).await
    }

    /// One page of `client.list(...)`.
    async fn list_workflows(
        &self,
        input: ListWorkflowsInput,
        next: Next<'_, ListWorkflowsInput, ListWorkflowsOutput>,
    ) -> Result<ListWorkflowsOutput> {
        next.run(input).await
    }

    /// `client.count(...)`.
    async fn count_workflows(
        &self,
        input: CountWorkflowsInput,
        next: Next<'_, CountWorkflowsInput, crate::WorkflowCount>,
    ) -> Result<crate::WorkflowCount> {
        next.run(input).await
    }

    /// One page of history: `handle.fetch_history()` pages, and each close-event long
    /// poll of `handle.result()`.
    async fn fetch_history(
        &self,
        input: FetchHistoryInput,
        next: Next<'_, FetchHistoryInput, FetchHistoryOutput>,
    ) -> Result<FetchHistoryOutput> {
        next.run(input).await
    }

    /// `client.async_activity_handle(..).complete(..)`.
    async fn complete_async_activity(
        &self,
        input: CompleteAsyncActivityInput,
        next: Next<'_, CompleteAsyncActivityInput, ()>,
    ) -> Result<()> {
        next.run(input).await
    }

    /// `client.async_activity_handle(..).fail(..)`.
    async fn fail_async_activity(
        &self,
        input: FailAsyncActivityInput,
        next: Next<'_, FailAsyncActivityInput, ()>,
    ) -> Result<()> {
        next.run(input).await
    }

    /// `client.async_activity_handle(..).heartbeat()`. A cancellation, pause or reset
    /// the server reports comes back as the error of `next.run`.
    async fn heartbeat_async_activity(
        &self,
        input: HeartbeatAsyncActivityInput,
        next: Next<'_, HeartbeatAsyncActivityInput, ()>,
    ) -> Result<()> {
        next.run(input).await
    }

    /// `client.async_activity_handle(..).report_cancellation()`.
    async fn report_async_activity_cancellation(
        &self,
        input: ReportAsyncActivityCancellationInput,
        next: Next<'_, ReportAsyncActivityCancellationInput, ()>,
    ) -> Result<()> {
        next.run(input).await
    }

    /// `client.schedules().create(..)`.
    async fn create_schedule(
        &self,
        input: CreateScheduleInput,
        next: Next<'_, CreateScheduleInput, ()>,
    ) -> Result<()> {
        next.run(input).await
    }

    /// `schedule_handle.describe()`, and the describe of each `update(..)` attempt.
    async fn describe_schedule(
        &self,
        input: DescribeScheduleInput,
        next: Next<'_, DescribeScheduleInput, temporal_client_core::schedule::ScheduleDescription>,
    ) -> Result<temporal_client_core::schedule::ScheduleDescription> {
        next.run(input).await
    }

    /// The UpdateSchedule RPC of each `schedule_handle.update(..)` attempt.
    async fn update_schedule(
        &self,
        input: UpdateScheduleInput,
        next: Next<'_, UpdateScheduleInput, ()>,
    ) -> Result<()> {
        next.run(input).await
    }

    /// `schedule_handle.pause(..)`, `unpause(..)`, `trigger()` and `backfill(..)`.
    async fn patch_schedule(
        &self,
        input: PatchScheduleInput,
        next: Next<'_, PatchScheduleInput, ()>,
    ) -> Result<()> {
        next.run(input).await
    }

    /// `schedule_handle.delete()`.
    async fn delete_schedule(
        &self,
        input: DeleteScheduleInput,
        next: Next<'_, DeleteScheduleInput, ()>,
    ) -> Result<()> {
        next.run(input).await
    }

    /// One page of `client.schedules().list(..)`.
    async fn list_schedules(
        &self,
        input: ListSchedulesInput,
        next: Next<'_, ListSchedulesInput, ListSchedulesOutput>,
    ) -> Result<ListSchedulesOutput> {
        next.run(input).await
    }
}

/// Calls one interceptor's method for an operation.
pub(crate) type Dispatch<I, O> =
    for<'a> fn(&'a dyn Interceptor, I, Next<'a, I, O>) -> BoxFuture<'a, Result<O>>;

/// The operation itself, after the last interceptor.
pub(crate) type Terminal<'a, I, O> = dyn Fn(I) -> BoxFuture<'a, Result<O>> + Send + Sync + 'a;

/// The rest of an interceptor chain: the interceptors after this one, then the
/// operation itself. [`run`](Self::run) it with the (possibly changed) input.
pub struct Next<'a, I, O> {
    rest: &'a [Arc<dyn Interceptor>],
    dispatch: Dispatch<I, O>,
    terminal: &'a Terminal<'a, I, O>,
}

impl<'a, I: Send + 'a, O: Send + 'a> Next<'a, I, O> {
    pub(crate) fn new(
        chain: &'a [Arc<dyn Interceptor>],
        dispatch: Dispatch<I, O>,
        terminal: &'a Terminal<'a, I, O>,
    ) -> Self {
        Self {
            rest: chain,
            dispatch,
            terminal,
        }
    }

    /// Runs the rest of the chain, and finally the operation, with `input`.
    ///
    /// # Errors
    /// Whatever a later interceptor or the operation itself fails with.
    pub fn run(self, input: I) -> BoxFuture<'a, Result<O>> {
        match self.rest.split_first() {
            Some((first, rest)) => (self.dispatch)(
                first.as_ref(),
                input,
                Next {
                    rest,
                    dispatch: self.dispatch,
                    terminal: self.terminal,
                },
            ),
            None => (self.terminal)(input),
        }
    }
}

impl<I, O> std::fmt::Debug for Next<'_, I, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Next")
            .field("interceptors_left", &self.rest.len())
            .finish_non_exhaustive()
    }
}

/// What the client's one call path ([`Client::intercept`](crate::Client)) needs to know
/// of an operation's input after the interceptors ran: the operation's name (for a
/// timeout error) and its per-call options (an interceptor may have set a timeout).
pub(crate) trait OperationInput {
    /// The operation, as [`Error::Timeout`](crate::Error::Timeout) names it.
    const OPERATION: &'static str;
    /// The per-call options the RPC will be sent with.
    fn call_options(&self) -> &temporal_client_core::CallOptions;
}

/// Implements [`OperationInput`] for input types with a `call` field.
macro_rules! operation_inputs {
    ($($input:ty => $name:literal,)+) => {$(
        impl OperationInput for $input {
            const OPERATION: &'static str = $name;
            fn call_options(&self) -> &temporal_client_core::CallOptions {
                &self.call
            }
        }
    )+};
}

operation_inputs! {
    StartWorkflowInput => "start workflow",
    SignalWithStartInput => "signal with start",
    SignalWorkflowInput => "signal workflow",
    QueryWorkflowInput => "query workflow",
    StartUpdateInput => "start update",
    PollUpdateInput => "get update result",
    CancelWorkflowInput => "cancel workflow",
    TerminateWorkflowInput => "terminate workflow",
    DescribeWorkflowInput => "describe workflow",
    ListWorkflowsInput => "list workflows",
    CountWorkflowsInput => "count workflows",
    FetchHistoryInput => "fetch history",
    CreateScheduleInput => "create schedule",
    DescribeScheduleInput => "describe schedule",
    UpdateScheduleInput => "update schedule",
    PatchScheduleInput => "patch schedule",
    DeleteScheduleInput => "delete schedule",
    ListSchedulesInput => "list schedules",
    CompleteAsyncActivityInput => "complete activity",
    FailAsyncActivityInput => "fail activity",
    HeartbeatAsyncActivityInput => "heartbeat activity",
    ReportAsyncActivityCancellationInput => "report activity cancellation",
}

impl OperationInput for UpdateWithStartInput {
    const OPERATION: &'static str = "update with start";
    fn call_options(&self) -> &temporal_client_core::CallOptions {
        &self.start.call
    }
}
