//! `handle.result()`: long-polls the close event, following runs.

use serde::de::DeserializeOwned;
use temporal_client_core::builders::{HistoryFilter, HistorySpec};
use temporal_client_core::failure::TemporalFailure;
use temporal_client_core::proto::temporal::api::common::v1::{Payload, Payloads};
use temporal_client_core::proto::temporal::api::enums::v1::{RetryState, WorkflowExecutionStatus};
use temporal_client_core::proto::temporal::api::failure::v1::Failure;
use temporal_client_core::proto::temporal::api::history::v1::HistoryEvent;
use temporal_client_core::proto::temporal::api::history::v1::history_event::Attributes;
use temporal_client_core::{CallOptions, Code, ServiceError, ServiceRequest};

use crate::call::{OperationDeadline, call_option_setters, into_future};
use crate::error::{Error, Result, WorkflowCloseStatus};
use crate::handle::WorkflowHandle;
use crate::interceptor::{FetchHistoryInput, FetchHistoryOutput};
use crate::spans::{operation_span, traced};

impl<R> WorkflowHandle<R> {
    /// Waits for the workflow to close and returns its result. Await the returned
    /// [`GetResult`]; `.timeout(..)` bounds the whole wait.
    ///
    /// It long-polls the history for the close event only (it never downloads whole
    /// histories), as the other SDKs do, and with [`follow_runs`](Self::follow_runs)
    /// on (the default) it follows continue-as-new, retries and cron runs to the run
    /// that produces a result.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use temporal_client::{Client, WorkflowDefinition, WorkflowOptions};
    /// # use temporal_client::*;
    /// let fake = temporal_testkit::FakeServer::new();
    /// temporal_testkit::conformance_workflows::register_all(&fake);
    /// let client = Client::from_service(fake.clone());
    /// const ECHO: WorkflowDefinition<(String,), Vec<String>> = WorkflowDefinition::new("echo");
    /// let handle = client
    ///     .start(ECHO, WorkflowOptions::new("e-1", "q").args(("hi".to_owned(),)))
    ///     .await?;
    /// // Waits for the workflow to close (following continue-as-new, retries and cron runs),
    /// // at most 10 s here.
    /// let echoed = handle.result().timeout(std::time::Duration::from_secs(10)).await?;
    /// assert_eq!(echoed, vec!["hi".to_owned()]);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::WorkflowFailed`] for a run that failed, was cancelled, terminated or
    /// timed out, with the failure chain as `cause` (its details read without a
    /// converter); [`Error::WorkflowContinuedAsNew`] when the run continued as new and
    /// the handle does not follow runs; [`Error::WorkflowNotFound`];
    /// [`Error::Payload`] when the result does not convert to `R`; [`Error::Timeout`].
    pub fn result(&self) -> GetResult<'_, R> {
        GetResult {
            handle: self,
            call: CallOptions::default(),
        }
    }
}

/// A wait for a workflow's result, from [`WorkflowHandle::result`].
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug)]
pub struct GetResult<'a, R> {
    handle: &'a WorkflowHandle<R>,
    call: CallOptions,
}

impl<R> GetResult<'_, R> {
    call_option_setters!();
}

impl<'a, R: 'a> GetResult<'a, R> {
    /// Like awaiting the call, but returns the raw result payload (after the codecs,
    /// before conversion), `None` for a workflow that returned nothing.
    ///
    /// # Errors
    /// As [`WorkflowHandle::result`].
    pub async fn payload(self) -> Result<Option<Payload>> {
        let timeout = self.call.timeout;
        let span = operation_span!(
            "temporal.get_workflow_result",
            self.handle.client.namespace(),
            workflow_id = self.handle.workflow_id.as_str(),
            run_id = self.handle.run_id.as_deref()
        );
        let deadline = OperationDeadline::new("get workflow result", timeout);
        traced(span, deadline.run(self.poll(&deadline))).await
    }

    async fn poll(self, deadline: &OperationDeadline) -> Result<Option<Payload>> {
        let handle = self.handle;
        let client = &handle.client;
        let call = self.call;
        let mut run_id = handle.run_id.clone();
        let mut page_token = Vec::new();
        loop {
            let input = FetchHistoryInput {
                workflow_id: handle.workflow_id.clone(),
                run_id: run_id.clone(),
                filter: HistoryFilter::CloseEvent,
                next_page_token: page_token,
                page_size: 0,
                // The time left of the whole wait: each poll gets at most that (and
                // the connection's long-poll timeout when there is no deadline).
                call: deadline.call(&call),
            };
            let sent = tokio::time::Instant::now();
            // Boxed, like the decodes below: a pending wait then holds only the poll's
            // own state, not room for the largest of every step of the loop.
            let output = Box::pin(client.intercept(
                input,
                |i, input, next| i.fetch_history(input, next),
                |mut input: FetchHistoryInput| async move {
                    deadline.apply(&mut input.call)?;
                    fetch_page(handle, input).await
                },
            ))
            .await?;
            let Some(event) = output.events.into_iter().last() else {
                // The long poll expired with nothing new: poll again (with the token).
                page_token = output.next_page_token;
                deadline.space_polls(sent).await;
                continue;
            };
            page_token = Vec::new();
            // The event is taken apart before any await, so a pending wait does not
            // keep a whole history event in its state.
            let close = match Close::of(event, handle.follow_runs) {
                Ok(close) => close,
                Err(error) => return Err(error),
            };
            let closed_run = match (&run_id, close.status()) {
                (Some(run_id), _) => run_id.clone(),
                // History events do not name their run: a handle made from a workflow
                // id alone learns it from describe, for the error only.
                (None, Some(status)) => {
                    Box::pin(latest_closed_run(handle, status, deadline.call(&call))).await
                }
                (None, None) => String::new(),
            };
            let fail = |status, retry_state, cause: TemporalFailure| Error::WorkflowFailed {
                workflow_id: handle.workflow_id.clone(),
                run_id: closed_run.clone(),
                status,
                retry_state,
                cause: Box::new(cause),
            };
            match close {
                Close::NextRun(next) => {
                    run_id = Some(next);
                }
                Close::Completed(result) => {
                    let payloads = Box::pin(client.decode(result)).await?;
                    return Ok(payloads.into_iter().next());
                }
                Close::Failed(failure, retry) => {
                    let failure = Box::pin(client.decode_failure(*failure)).await?;
                    return Err(fail(WorkflowCloseStatus::Failed, retry, failure));
                }
                Close::TimedOut(retry) => {
                    return Err(fail(
                        WorkflowCloseStatus::TimedOut,
                        retry,
                        synthesized::timed_out(),
                    ));
                }
                Close::ContinuedAsNew(new_run_id) => {
                    return Err(Error::WorkflowContinuedAsNew {
                        workflow_id: handle.workflow_id.clone(),
                        run_id: closed_run,
                        new_run_id,
                    });
                }
                Close::Canceled(details) => {
                    let details = Box::pin(client.decode(details)).await?;
                    return Err(fail(
                        WorkflowCloseStatus::Canceled,
                        RetryState::NonRetryableFailure,
                        synthesized::canceled(details, client),
                    ));
                }
                Close::Terminated {
                    reason,
                    identity,
                    details,
                } => {
                    let details = Box::pin(client.decode(details)).await?;
                    return Err(fail(
                        WorkflowCloseStatus::Terminated,
                        RetryState::NonRetryableFailure,
                        synthesized::terminated(reason, identity, details, client),
                    ));
                }
            }
        }
    }

    async fn run(self) -> Result<R>
    where
        R: DeserializeOwned,
    {
        let client = &self.handle.client;
        let payload = self.payload().await?;
        client.read_value(payload.as_slice())
    }
}

into_future!(impl['a, R] GetResult<'a, R> => R, where [R: DeserializeOwned + Send + 'a]);

/// One history page (or close-event poll): the terminal of `fetch_history`, shared by
/// `result()` and the history stream.
pub(crate) async fn fetch_page<R>(
    handle: &WorkflowHandle<R>,
    input: FetchHistoryInput,
) -> Result<FetchHistoryOutput> {
    let inner = handle.client.inner();
    let request = inner.context().history(HistorySpec {
        target: WorkflowHandle::<R>::execution_target(&input.workflow_id, &input.run_id, &None),
        filter: input.filter,
        next_page_token: input.next_page_token,
        page_size: input.page_size,
    })?;
    let response = inner
        .rpc()
        .get_workflow_execution_history(ServiceRequest {
            message: request,
            options: input.call,
        })
        .await
        .map_err(|e| {
            crate::Error::for_execution(
                e,
                &inner.namespace,
                &input.workflow_id,
                input.run_id.as_deref(),
            )
        })?;
    Ok(FetchHistoryOutput {
        events: response.history.map(|h| h.events).unwrap_or_default(),
        next_page_token: response.next_page_token,
    })
}

/// What a close event means for a wait: the parts of the event it needs, nothing else.
/// The run id of `handle`'s latest run if it closed with `status` (which a close event
/// of the latest run just reported), else `""`: a newer run started since, or describe
/// failed. Best effort, for the error's `run_id` only.
async fn latest_closed_run<R>(
    handle: &WorkflowHandle<R>,
    status: WorkflowExecutionStatus,
    call: CallOptions,
) -> String {
    let inner = handle.client.inner();
    let Ok(request) = inner
        .context()
        .describe(WorkflowHandle::<R>::execution_target(
            &handle.workflow_id,
            &None,
            &None,
        ))
    else {
        return String::new();
    };
    let described = inner
        .rpc()
        .describe_workflow_execution(ServiceRequest {
            message: request,
            options: call,
        })
        .await;
    described
        .ok()
        .and_then(|d| d.workflow_execution_info)
        .filter(|info| info.status == status as i32)
        .and_then(|info| info.execution)
        .map(|execution| execution.run_id)
        .unwrap_or_default()
}

enum Close {
    /// The run closed and the chain goes on in this run (followed).
    NextRun(String),
    /// The result payloads (encoded).
    Completed(Vec<Payload>),
    /// The failure (encoded; boxed, it is by far the largest part) and the retry state.
    Failed(Box<Failure>, RetryState),
    /// The retry state.
    TimedOut(RetryState),
    /// Continued as new into this run, and the handle does not follow runs.
    ContinuedAsNew(String),
    /// The cancellation details (encoded).
    Canceled(Vec<Payload>),
    /// The termination's reason, identity and details (encoded).
    Terminated {
        reason: String,
        identity: String,
        details: Vec<Payload>,
    },
}

impl Close {
    /// The status of a run that closed this way without a result to return.
    fn status(&self) -> Option<WorkflowExecutionStatus> {
        match self {
            Self::NextRun(_) | Self::Completed(_) => None,
            Self::Failed(..) => Some(WorkflowExecutionStatus::Failed),
            Self::TimedOut(_) => Some(WorkflowExecutionStatus::TimedOut),
            Self::ContinuedAsNew(_) => Some(WorkflowExecutionStatus::ContinuedAsNew),
            Self::Canceled(_) => Some(WorkflowExecutionStatus::Canceled),
            Self::Terminated { .. } => Some(WorkflowExecutionStatus::Terminated),
        }
    }

    /// Reads the close event of a run; `follow_runs` as the handle's.
    ///
    /// # Errors
    /// An `INTERNAL` service error when the event does not close a workflow.
    fn of(event: HistoryEvent, follow_runs: bool) -> Result<Self> {
        let next_run = |new_run: String| (follow_runs && !new_run.is_empty()).then_some(new_run);
        Ok(match event.attributes {
            Some(Attributes::WorkflowExecutionCompletedEventAttributes(a)) => {
                match next_run(a.new_execution_run_id) {
                    Some(next) => Self::NextRun(next),
                    None => Self::Completed(payloads_of(a.result)),
                }
            }
            Some(Attributes::WorkflowExecutionFailedEventAttributes(a)) => {
                match next_run(a.new_execution_run_id) {
                    Some(next) => Self::NextRun(next),
                    None => Self::Failed(
                        Box::new(a.failure.unwrap_or_default()),
                        retry_state(a.retry_state),
                    ),
                }
            }
            Some(Attributes::WorkflowExecutionTimedOutEventAttributes(a)) => {
                match next_run(a.new_execution_run_id) {
                    Some(next) => Self::NextRun(next),
                    None => Self::TimedOut(retry_state(a.retry_state)),
                }
            }
            Some(Attributes::WorkflowExecutionContinuedAsNewEventAttributes(a)) => {
                if follow_runs {
                    Self::NextRun(a.new_execution_run_id)
                } else {
                    Self::ContinuedAsNew(a.new_execution_run_id)
                }
            }
            Some(Attributes::WorkflowExecutionCanceledEventAttributes(a)) => {
                Self::Canceled(payloads_of(a.details))
            }
            Some(Attributes::WorkflowExecutionTerminatedEventAttributes(a)) => Self::Terminated {
                reason: a.reason,
                identity: a.identity,
                details: payloads_of(a.details),
            },
            other => {
                return Err(Error::Service(ServiceError::new(
                    "GetWorkflowExecutionHistory",
                    Code::Internal,
                    format!(
                        "the close-event long poll returned an event that does not close a workflow ({:?})",
                        other.map(|_| event.event_type)
                    ),
                )));
            }
        })
    }
}

fn retry_state(value: i32) -> RetryState {
    RetryState::try_from(value).unwrap_or(RetryState::Unspecified)
}

fn payloads_of(payloads: Option<Payloads>) -> Vec<Payload> {
    payloads.map(|p| p.payloads).unwrap_or_default()
}

/// The failures the client makes up for close events that carry none, shaped as the
/// other SDKs shape them (Python: `CancelledError("Workflow cancelled")`,
/// `TimeoutError("Workflow timed out", START_TO_CLOSE)`, `TerminatedError(reason,
/// details)`).
mod synthesized {
    use temporal_client_core::failure::{FailureKind, TemporalFailure};
    use temporal_client_core::proto::temporal::api::common::v1::Payload;
    use temporal_client_core::proto::temporal::api::enums::v1::TimeoutType;

    use crate::client::Client;

    pub(super) fn timed_out() -> TemporalFailure {
        TemporalFailure::new(
            "Workflow timed out",
            FailureKind::Timeout {
                timeout_type: TimeoutType::StartToClose,
                last_heartbeat_details: Vec::new(),
            },
        )
    }

    pub(super) fn canceled(details: Vec<Payload>, client: &Client) -> TemporalFailure {
        TemporalFailure::cancelled("Workflow cancelled")
            .with_details(details)
            .with_data_converter(client.data_converter())
    }

    pub(super) fn terminated(
        reason: String,
        identity: String,
        details: Vec<Payload>,
        client: &Client,
    ) -> TemporalFailure {
        let message = if reason.is_empty() {
            "Workflow terminated".to_owned()
        } else {
            reason
        };
        TemporalFailure::new(message, FailureKind::Terminated { identity, details })
            .with_data_converter(client.data_converter())
    }
}
