//! `WorkflowHandle`: one workflow execution (or chain of runs), and what you can do with it.

use std::fmt;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use temporal_client_core::builders;
use temporal_client_core::failure::TemporalFailure;
use temporal_client_core::options::QueryRejectCondition;
use temporal_client_core::payload::ToPayloads;
use temporal_client_core::proto::temporal::api::common::v1::{Payload, Payloads};
use temporal_client_core::proto::temporal::api::enums::v1::RetryState;
use temporal_client_core::proto::temporal::api::history::v1::history_event::Attributes;

use crate::client::Client;
use crate::definitions::{QueryDefinition, SignalDefinition};
use crate::description::WorkflowExecutionDescription;
use crate::error::{Error, Result, WorkflowCloseStatus};

/// A handle to a workflow execution: its id, and optionally a run id and the first run
/// of its chain. `R` is the workflow's result type.
///
/// A handle from [`Client::get_handle`] targets the latest run of the id; one from
/// [`Client::start`] targets the run it started. Getting a handle does no RPC.
pub struct WorkflowHandle<R> {
    pub(crate) client: Client,
    pub(crate) workflow_id: String,
    pub(crate) run_id: Option<String>,
    pub(crate) first_execution_run_id: Option<String>,
    pub(crate) follow_runs: bool,
    /// Whether RPCs target `run_id` exactly (a handle for a given run) or the latest run
    /// of the chain (a handle from `start`, as in the other SDKs).
    pub(crate) pinned: bool,
    _result: PhantomData<fn() -> R>,
}

impl<R> Clone for WorkflowHandle<R> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            workflow_id: self.workflow_id.clone(),
            run_id: self.run_id.clone(),
            first_execution_run_id: self.first_execution_run_id.clone(),
            follow_runs: self.follow_runs,
            pinned: self.pinned,
            _result: PhantomData,
        }
    }
}

impl<R> fmt::Debug for WorkflowHandle<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkflowHandle")
            .field("workflow_id", &self.workflow_id)
            .field("run_id", &self.run_id)
            .field("first_execution_run_id", &self.first_execution_run_id)
            .field("follow_runs", &self.follow_runs)
            .finish()
    }
}

/// Options of [`WorkflowHandle::cancel_with`].
#[derive(Debug, Clone, Default)]
pub struct CancelOptions {
    /// Why the workflow is cancelled; recorded in its history.
    pub reason: Option<String>,
}

impl<R> WorkflowHandle<R> {
    pub(crate) fn new(
        client: Client,
        workflow_id: String,
        run_id: Option<String>,
        first_execution_run_id: Option<String>,
        follow_runs: bool,
    ) -> Self {
        let pinned = run_id.is_some();
        Self {
            client,
            workflow_id,
            run_id,
            first_execution_run_id,
            follow_runs,
            pinned,
            _result: PhantomData,
        }
    }

    /// A handle to a run this client just started: `result()` starts from that run, and
    /// the other operations target the latest run of its chain.
    pub(crate) fn started(
        client: Client,
        workflow_id: String,
        run_id: String,
        first_execution_run_id: Option<String>,
        follow_runs: bool,
    ) -> Self {
        Self {
            client,
            workflow_id,
            run_id: Some(run_id),
            first_execution_run_id,
            follow_runs,
            pinned: false,
            _result: PhantomData,
        }
    }

    /// The run id RPCs target: the pinned run, or empty for the latest run.
    pub(crate) fn target_run_id(&self) -> &str {
        if self.pinned {
            self.run_id.as_deref().unwrap_or_default()
        } else {
            ""
        }
    }

    /// The workflow id.
    pub fn workflow_id(&self) -> &str {
        &self.workflow_id
    }

    /// The run this handle was made for: the run `start` started, or the run given to
    /// `get_handle_for_run`. `None` for a handle by workflow id alone.
    pub fn run_id(&self) -> Option<&str> {
        self.run_id.as_deref()
    }

    /// The first run of the chain this handle targets, if known.
    pub fn first_execution_run_id(&self) -> Option<&str> {
        self.first_execution_run_id.as_deref()
    }

    /// The client this handle uses.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Whether [`result`](Self::result) follows continue-as-new, retry and cron runs
    /// (default `true`).
    pub fn follow_runs(mut self, follow: bool) -> Self {
        self.follow_runs = follow;
        self
    }

    /// The same execution with another result type.
    pub fn with_result_type<T>(self) -> WorkflowHandle<T> {
        WorkflowHandle::new(
            self.client,
            self.workflow_id,
            self.run_id,
            self.first_execution_run_id,
            self.follow_runs,
        )
    }

    fn namespace(&self) -> &str {
        self.client.namespace()
    }

    pub(crate) fn map_err(&self, err: temporal_client_core::ServiceError) -> Error {
        Error::for_execution(
            err,
            self.namespace(),
            &self.workflow_id,
            self.run_id.as_deref(),
        )
    }

    /// Waits for the workflow to close and returns its result.
    ///
    /// It long-polls the history for the close event only (it never downloads whole
    /// histories), and with `follow_runs` on it follows continue-as-new, retries and
    /// cron runs to the run that produces a result. A failed, cancelled, terminated or
    /// timed-out run gives [`Error::WorkflowFailed`] with the cause chain.
    pub async fn result(&self) -> Result<R>
    where
        R: DeserializeOwned,
    {
        let payload = self.result_payload().await?;
        self.client
            .decode_value(payload.into_iter().collect())
            .await
    }

    /// Like [`result`](Self::result), but returns the raw (codec-encoded) result
    /// payload, `None` for a workflow that returned nothing.
    pub async fn result_payload(&self) -> Result<Option<Payload>> {
        let inner = self.client.inner();
        let mut run_id = self.run_id.clone().unwrap_or_default();
        let mut page_token = Vec::new();
        loop {
            let request = builders::history_close_event_request(
                &inner.namespace,
                &self.workflow_id,
                &run_id,
                page_token,
            );
            let response = inner
                .rpc()
                .get_workflow_execution_history(self.client.request(request))
                .await
                .map_err(|e| {
                    Error::for_execution(e, &inner.namespace, &self.workflow_id, Some(&run_id))
                })?;
            let Some(event) = response.history.and_then(|h| h.events.into_iter().last()) else {
                // The long poll expired with nothing new: poll again (with the token, if any).
                page_token = response.next_page_token;
                continue;
            };
            page_token = Vec::new();
            let closed_run = if run_id.is_empty() {
                String::new()
            } else {
                run_id.clone()
            };
            let fail = |status, retry_state, cause: TemporalFailure| Error::WorkflowFailed {
                workflow_id: self.workflow_id.clone(),
                run_id: closed_run.clone(),
                status,
                retry_state,
                cause: Box::new(cause),
            };
            match event.attributes {
                Some(Attributes::WorkflowExecutionCompletedEventAttributes(a)) => {
                    if self.follow_runs && !a.new_execution_run_id.is_empty() {
                        run_id = a.new_execution_run_id;
                        continue;
                    }
                    return Ok(a.result.and_then(|p| p.payloads.into_iter().next()));
                }
                Some(Attributes::WorkflowExecutionFailedEventAttributes(a)) => {
                    if self.follow_runs && !a.new_execution_run_id.is_empty() {
                        run_id = a.new_execution_run_id;
                        continue;
                    }
                    let failure = self
                        .client
                        .decode_failure(a.failure.unwrap_or_default())
                        .await?;
                    return Err(fail(
                        WorkflowCloseStatus::Failed,
                        retry_state(a.retry_state),
                        failure,
                    ));
                }
                Some(Attributes::WorkflowExecutionTimedOutEventAttributes(a)) => {
                    if self.follow_runs && !a.new_execution_run_id.is_empty() {
                        run_id = a.new_execution_run_id;
                        continue;
                    }
                    return Err(fail(
                        WorkflowCloseStatus::TimedOut,
                        retry_state(a.retry_state),
                        synthesized::timed_out(),
                    ));
                }
                Some(Attributes::WorkflowExecutionContinuedAsNewEventAttributes(a)) => {
                    if self.follow_runs {
                        run_id = a.new_execution_run_id;
                        continue;
                    }
                    return Err(Error::WorkflowContinuedAsNew {
                        workflow_id: self.workflow_id.clone(),
                        run_id: closed_run,
                        new_run_id: a.new_execution_run_id,
                    });
                }
                Some(Attributes::WorkflowExecutionCanceledEventAttributes(a)) => {
                    let details = self.client.decode_payloads(payloads_of(a.details)).await?;
                    return Err(fail(
                        WorkflowCloseStatus::Canceled,
                        RetryState::NonRetryableFailure,
                        synthesized::canceled(details),
                    ));
                }
                Some(Attributes::WorkflowExecutionTerminatedEventAttributes(a)) => {
                    let details = self.client.decode_payloads(payloads_of(a.details)).await?;
                    return Err(fail(
                        WorkflowCloseStatus::Terminated,
                        RetryState::NonRetryableFailure,
                        synthesized::terminated(a.reason, a.identity, details),
                    ));
                }
                other => {
                    return Err(Error::Service(temporal_client_core::ServiceError::new(
                        "GetWorkflowExecutionHistory",
                        temporal_client_core::Code::Internal,
                        format!(
                            "the close-event long poll returned an event that does not close a workflow ({:?})",
                            other.map(|_| event.event_type)
                        ),
                    )));
                }
            }
        }
    }

    /// Sends a signal to the workflow.
    pub async fn signal<A: ToPayloads>(
        &self,
        signal: impl Into<SignalDefinition<A>>,
        args: A,
    ) -> Result<()> {
        let signal = signal.into();
        let input = self.client.encode_args(&args).await?;
        let inner = self.client.inner();
        let request = builders::signal_request(
            &inner.namespace,
            &inner.identity,
            &self.workflow_id,
            self.target_run_id(),
            signal.name(),
            input,
        )?;
        inner
            .rpc()
            .signal_workflow_execution(self.client.request(request))
            .await
            .map_err(|e| self.map_err(e))?;
        Ok(())
    }

    /// Queries the workflow. Rejected only if the client-wide reject condition says so
    /// (none by default); see [`query_with`](Self::query_with).
    pub async fn query<Ret, A>(
        &self,
        query: impl Into<QueryDefinition<Ret, A>>,
        args: A,
    ) -> Result<Ret>
    where
        Ret: DeserializeOwned,
        A: ToPayloads,
    {
        self.query_with(query, args, QueryRejectCondition::None)
            .await
    }

    /// Queries the workflow with a reject condition: a query that the condition rejects
    /// gives [`Error::QueryRejected`] with the workflow's status.
    pub async fn query_with<Ret, A>(
        &self,
        query: impl Into<QueryDefinition<Ret, A>>,
        args: A,
        reject_condition: QueryRejectCondition,
    ) -> Result<Ret>
    where
        Ret: DeserializeOwned,
        A: ToPayloads,
    {
        let query = query.into();
        let input = self.client.encode_args(&args).await?;
        let inner = self.client.inner();
        let request = builders::query_request(
            &inner.namespace,
            &self.workflow_id,
            self.target_run_id(),
            query.name(),
            input,
            reject_condition,
        )?;
        let response = match inner
            .rpc()
            .query_workflow(self.client.request(request))
            .await
        {
            Ok(r) => r,
            Err(e) if e.code() == temporal_client_core::Code::InvalidArgument => {
                let message = e.message().to_owned();
                return Err(
                    if message.contains("expected but not found")
                        || message.contains("unknown query")
                    {
                        Error::QueryNotRegistered {
                            workflow_id: self.workflow_id.clone(),
                            query_type: query.name().to_owned(),
                            message,
                        }
                    } else {
                        Error::QueryFailed {
                            workflow_id: self.workflow_id.clone(),
                            query_type: query.name().to_owned(),
                            message,
                            source: e,
                        }
                    },
                );
            }
            Err(e) => return Err(self.map_err(e)),
        };
        if let Some(rejected) = response.query_rejected {
            return Err(Error::QueryRejected {
                workflow_id: self.workflow_id.clone(),
                query_type: query.name().to_owned(),
                status: rejected.status(),
            });
        }
        let payloads = response
            .query_result
            .map(|p| p.payloads)
            .unwrap_or_default();
        self.client.decode_value(payloads).await
    }

    /// Describes the execution: status, type, times, memo, search attributes, ...
    pub async fn describe(&self) -> Result<WorkflowExecutionDescription> {
        let inner = self.client.inner();
        let request =
            builders::describe_request(&inner.namespace, &self.workflow_id, self.target_run_id());
        let response = inner
            .rpc()
            .describe_workflow_execution(self.client.request(request))
            .await
            .map_err(|e| self.map_err(e))?;
        WorkflowExecutionDescription::from_response(response, self.client.data_converter()).await
    }

    /// Requests cancellation. The workflow decides how to react; [`result`](Self::result)
    /// then usually fails with status `Canceled`. Targets the chain this handle started.
    pub async fn cancel(&self) -> Result<()> {
        self.cancel_with(CancelOptions::default()).await
    }

    /// Requests cancellation with a reason.
    pub async fn cancel_with(&self, options: CancelOptions) -> Result<()> {
        let inner = self.client.inner();
        let request = builders::cancel_request(
            &inner.namespace,
            &inner.identity,
            &self.workflow_id,
            self.target_run_id(),
            self.first_execution_run_id.as_deref().unwrap_or_default(),
            options.reason.as_deref().unwrap_or_default(),
        );
        inner
            .rpc()
            .request_cancel_workflow_execution(self.client.request(request))
            .await
            .map_err(|e| self.map_err(e))?;
        Ok(())
    }

    /// Terminates the workflow at once, recording `reason`. Targets the chain this
    /// handle started.
    pub async fn terminate(&self, reason: impl Into<String>) -> Result<()> {
        self.terminate_with_details(reason, ()).await
    }

    /// Terminates the workflow with a reason and details.
    pub async fn terminate_with_details<D: ToPayloads>(
        &self,
        reason: impl Into<String>,
        details: D,
    ) -> Result<()> {
        let details = self.client.encode_args(&details).await?;
        let inner = self.client.inner();
        let request = builders::terminate_request(
            &inner.namespace,
            &inner.identity,
            &self.workflow_id,
            self.target_run_id(),
            self.first_execution_run_id.as_deref().unwrap_or_default(),
            &reason.into(),
            details,
        );
        inner
            .rpc()
            .terminate_workflow_execution(self.client.request(request))
            .await
            .map_err(|e| self.map_err(e))?;
        Ok(())
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
/// `TimeoutError("Workflow timed out", START_TO_CLOSE)`).
mod synthesized {
    use temporal_client_core::failure::TemporalFailure;
    use temporal_client_core::proto::temporal::api::common::v1::{Payload, Payloads};
    use temporal_client_core::proto::temporal::api::enums::v1::TimeoutType;
    use temporal_client_core::proto::temporal::api::failure::v1::{
        CanceledFailureInfo, Failure, TerminatedFailureInfo, TimeoutFailureInfo,
        failure::FailureInfo,
    };

    pub(super) fn timed_out() -> TemporalFailure {
        TemporalFailure::from_proto(Failure {
            message: "Workflow timed out".to_owned(),
            failure_info: Some(FailureInfo::TimeoutFailureInfo(TimeoutFailureInfo {
                timeout_type: TimeoutType::StartToClose as i32,
                last_heartbeat_details: None,
            })),
            ..Default::default()
        })
    }

    pub(super) fn canceled(details: Vec<Payload>) -> TemporalFailure {
        let details = (!details.is_empty()).then_some(Payloads { payloads: details });
        TemporalFailure::from_proto(Failure {
            message: "Workflow cancelled".to_owned(),
            failure_info: Some(FailureInfo::CanceledFailureInfo(CanceledFailureInfo {
                details,
                ..Default::default()
            })),
            ..Default::default()
        })
    }

    pub(super) fn terminated(
        reason: String,
        identity: String,
        _details: Vec<Payload>,
    ) -> TemporalFailure {
        let message = if reason.is_empty() {
            "Workflow terminated".to_owned()
        } else {
            reason
        };
        TemporalFailure::from_proto(Failure {
            message,
            failure_info: Some(FailureInfo::TerminatedFailureInfo(TerminatedFailureInfo {
                identity,
            })),
            ..Default::default()
        })
    }
}
