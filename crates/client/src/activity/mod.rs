//! Async activity completion: complete, fail, heartbeat or report the cancellation of an
//! activity from outside the worker that started it.
//!
//! An activity whose worker function hands its work over (Python's
//! `activity.raise_complete_async()`, TypeScript's `CompleteAsyncError`, Go's
//! `activity.ErrResultPending`) stays pending on the server until a client reports its
//! outcome. [`Client::async_activity_handle`] names it, by task token or by workflow id
//! and activity id ([`ActivityRef`]); the handle's four operations are builders awaited
//! like every other client operation, with per-call options. This follows TypeScript's
//! `client.activity` (`AsyncCompletionClient`), Go's `CompleteActivity(ByID)` /
//! `RecordActivityHeartbeat(ByID)` and Python's `get_async_activity_handle`.
//!
//! Values go through the client's data converter and codecs; a failure goes through its
//! failure converter and codecs. Interceptors see each operation
//! ([`Interceptor::complete_async_activity`](crate::Interceptor::complete_async_activity)
//! and the three after it).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), temporal_client::Error> {
//! use temporal_client::activity::ActivityRef;
//! use temporal_client::{Client, WorkflowDefinition, WorkflowOptions};
//! use temporal_testkit::{ActivityOptions, FakeServer, WorkflowResult};
//!
//! // A fake workflow that schedules activity "charge-1" and returns its result.
//! let fake = FakeServer::new();
//! fake.register_workflow("order", |ctx| async move {
//!     let charge = ctx.start_activity(ActivityOptions::new("charge_card").activity_id("charge-1"));
//!     let receipt: String = charge.result().await?.get()?;
//!     Ok(WorkflowResult::completed(receipt))
//! });
//! let client = Client::from_service(fake);
//! const ORDER: WorkflowDefinition<(), String> = WorkflowDefinition::new("order");
//! let handle = client.start(ORDER, WorkflowOptions::new("order-7", "orders")).await?;
//!
//! let charge = client.async_activity_handle(ActivityRef::by_id("order-7", "charge-1"));
//! charge.heartbeat().details(("card authorised",)).await?;
//! charge.complete("receipt-42").await?;
//! assert_eq!(handle.result().await?, "receipt-42");
//! // The activity is no longer pending.
//! assert!(charge.complete("again").await.unwrap_err().is_activity_not_found());
//! # Ok(()) }
//! ```

mod complete;
mod fail;
mod heartbeat;
mod report_cancellation;
mod send;

use std::fmt;

pub use complete::CompleteActivity;
pub use fail::FailActivity;
pub use heartbeat::HeartbeatActivity;
pub use report_cancellation::ReportActivityCancellation;

use crate::client::Client;

/// Which activity an [`AsyncActivityHandle`] acts on.
///
/// A task token is the opaque bytes the worker received with the activity task
/// (Python's `activity.info().task_token`); it names one attempt. The id form names the
/// pending activity `activity_id` of a workflow (its latest run, or `run_id`).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ActivityRef {
    /// The activity task's token, as opaque bytes.
    TaskToken(Vec<u8>),
    /// The activity `activity_id` of workflow `workflow_id` (its run `run_id`, or the
    /// latest run when `None`).
    Id {
        /// The workflow that scheduled the activity.
        workflow_id: String,
        /// The workflow's run; `None` for the latest run.
        run_id: Option<String>,
        /// The activity id the workflow gave (or the SDK chose) when scheduling it.
        activity_id: String,
    },
}

impl ActivityRef {
    /// The activity with this task token.
    pub fn token(task_token: impl Into<Vec<u8>>) -> Self {
        Self::TaskToken(task_token.into())
    }

    /// The activity `activity_id` of the latest run of workflow `workflow_id`.
    pub fn by_id(workflow_id: impl Into<String>, activity_id: impl Into<String>) -> Self {
        Self::Id {
            workflow_id: workflow_id.into(),
            run_id: None,
            activity_id: activity_id.into(),
        }
    }

    /// Narrows an id reference to one run of the workflow (no effect on a token).
    #[must_use]
    pub fn with_run_id(mut self, run: impl Into<String>) -> Self {
        if let Self::Id { run_id, .. } = &mut self {
            *run_id = Some(run.into());
        }
        self
    }
}

impl fmt::Display for ActivityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TaskToken(token) => write!(f, "with task token ({} bytes)", token.len()),
            Self::Id {
                workflow_id,
                run_id,
                activity_id,
            } => {
                write!(f, "'{activity_id}' of workflow '{workflow_id}'")?;
                match run_id {
                    Some(run) => write!(f, " (run {run})"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl fmt::Debug for ActivityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TaskToken(token) => f
                .debug_struct("TaskToken")
                .field("len", &token.len())
                .finish_non_exhaustive(),
            Self::Id {
                workflow_id,
                run_id,
                activity_id,
            } => f
                .debug_struct("Id")
                .field("workflow_id", workflow_id)
                .field("run_id", run_id)
                .field("activity_id", activity_id)
                .finish(),
        }
    }
}

/// A handle to one pending activity, from [`Client::async_activity_handle`]. Cheap to
/// clone; does no RPC until an operation is awaited.
#[derive(Debug, Clone)]
pub struct AsyncActivityHandle {
    client: Client,
    activity: ActivityRef,
}

impl AsyncActivityHandle {
    /// Records the workflow id, run id and activity id on an operation span when the
    /// handle names the activity by id (a task token is opaque and never recorded).
    pub(crate) fn record_target(&self, span: &tracing::Span) {
        if span.is_disabled() {
            return;
        }
        if let ActivityRef::Id {
            workflow_id,
            run_id,
            activity_id,
        } = &self.activity
        {
            span.record("workflow_id", workflow_id.as_str());
            span.record("activity_id", activity_id.as_str());
            if let Some(run_id) = run_id {
                span.record("run_id", run_id.as_str());
            }
        }
    }

    /// Which activity this handle names.
    pub fn activity(&self) -> &ActivityRef {
        &self.activity
    }

    /// Completes the activity with `result` (one value, through the client's payload
    /// converter and codecs; `()` for no meaningful result). The workflow's activity
    /// call returns it.
    ///
    /// # Errors
    /// [`Error::ActivityNotFound`](crate::Error::ActivityNotFound) when the activity is
    /// not pending (completed, timed out, never existed, or its workflow closed);
    /// [`Error::Payload`](crate::Error::Payload) when `result` cannot be converted;
    /// [`Error::InvalidRequest`](crate::Error::InvalidRequest) for an empty token or
    /// activity id; [`Error::Timeout`](crate::Error::Timeout),
    /// [`Error::Service`](crate::Error::Service) (e.g. a malformed token:
    /// `InvalidArgument`).
    pub fn complete<T: serde::Serialize + ?Sized>(&self, result: &T) -> CompleteActivity<'_> {
        CompleteActivity::new(self, self.client.to_payloads(&(result,)))
    }

    /// Fails the activity with `failure`, usually
    /// `TemporalFailure::application(message, type)`; add details with
    /// [`.details(..)`](FailActivity::details) and mark it with
    /// `.with_non_retryable(true)` to stop retries. The workflow sees an activity
    /// failure whose cause is `failure`. Whether the server retries the activity
    /// depends on its retry policy.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), temporal_client::Error> {
    /// use temporal_client::activity::ActivityRef;
    /// use temporal_client::{Client, TemporalFailure, WorkflowDefinition, WorkflowOptions};
    /// use temporal_testkit::{ActivityOptions, FakeServer, WorkflowResult};
    ///
    /// let fake = FakeServer::new();
    /// fake.register_workflow("order", |ctx| async move {
    ///     let charge = ctx.start_activity(ActivityOptions::new("charge").activity_id("charge-1"));
    ///     charge.result().await?; // the activity's failure fails the workflow
    ///     Ok(WorkflowResult::completed(()))
    /// });
    /// let client = Client::from_service(fake);
    /// const ORDER: WorkflowDefinition<(), ()> = WorkflowDefinition::new("order");
    /// let handle = client.start(ORDER, WorkflowOptions::new("order-8", "orders")).await?;
    /// client
    ///     .async_activity_handle(ActivityRef::by_id("order-8", "charge-1"))
    ///     .fail(TemporalFailure::application("card declined", "PaymentDeclined").with_non_retryable(true))
    ///     .details(("4111", 3))
    ///     .await?;
    /// let err = handle.result().await.unwrap_err();
    /// let cause = err.failure().and_then(|activity| activity.cause()).unwrap();
    /// assert_eq!(cause.application_type(), Some("PaymentDeclined"));
    /// assert_eq!(cause.details::<(String, i32)>()?, ("4111".to_owned(), 3));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`complete`](Self::complete).
    pub fn fail(&self, failure: crate::TemporalFailure) -> FailActivity<'_> {
        FailActivity::new(self, failure)
    }

    /// Records a heartbeat, with details from [`.details(..)`](HeartbeatActivity::details)
    /// (kept by the server and given to the next attempt). Resets the heartbeat timeout.
    ///
    /// # Errors
    /// [`Error::ActivityCancelRequested`](crate::Error::ActivityCancelRequested) when
    /// the server answers that the workflow asked to cancel the activity (stop, then
    /// [`report_cancellation`](Self::report_cancellation));
    /// [`Error::ActivityPaused`](crate::Error::ActivityPaused) and
    /// [`Error::ActivityReset`](crate::Error::ActivityReset) when it says the activity
    /// is paused or was reset (in that order of precedence, as TypeScript's client);
    /// otherwise as [`complete`](Self::complete). The heartbeat was recorded in all
    /// three cases.
    pub fn heartbeat(&self) -> HeartbeatActivity<'_> {
        HeartbeatActivity::new(self)
    }

    /// Reports that the activity stopped after a cancellation request, with details
    /// from [`.details(..)`](ReportActivityCancellation::details). The workflow's
    /// activity call fails with a cancellation.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), temporal_client::Error> {
    /// use temporal_client::activity::ActivityRef;
    /// use temporal_client::{Client, WorkflowDefinition, WorkflowOptions};
    /// use temporal_testkit::{ActivityOptions, FakeServer, WorkflowResult};
    ///
    /// let fake = FakeServer::new();
    /// fake.register_workflow("order", |ctx| async move {
    ///     let charge = ctx.start_activity(ActivityOptions::new("charge").activity_id("charge-1"));
    ///     ctx.signal_channel("abort").recv().await;
    ///     charge.cancel();
    ///     let cancelled = charge.result().await.is_err();
    ///     Ok(WorkflowResult::completed(cancelled))
    /// });
    /// let client = Client::from_service(fake);
    /// const ORDER: WorkflowDefinition<(), bool> = WorkflowDefinition::new("order");
    /// let handle = client.start(ORDER, WorkflowOptions::new("order-9", "orders")).await?;
    /// handle.signal("abort").await?;
    /// let charge = client.async_activity_handle(ActivityRef::by_id("order-9", "charge-1"));
    /// let err = charge.heartbeat().await.unwrap_err();
    /// assert!(err.is_activity_cancel_requested());
    /// charge.report_cancellation().details(("stopped",)).await?;
    /// assert!(handle.result().await?);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`complete`](Self::complete).
    pub fn report_cancellation(&self) -> ReportActivityCancellation<'_> {
        ReportActivityCancellation::new(self)
    }
}

impl Client {
    /// A handle to complete, fail, heartbeat or report the cancellation of an
    /// activity from outside its worker (TypeScript's `client.activity`, Python's
    /// `get_async_activity_handle`). Does no RPC. See [`crate::activity`].
    pub fn async_activity_handle(&self, activity: ActivityRef) -> AsyncActivityHandle {
        AsyncActivityHandle {
            client: self.clone(),
            activity,
        }
    }
}
