//! `Error`: everything a client operation can fail with, typed.

use temporal_client_core::ServiceError;
use temporal_client_core::failure::TemporalFailure;
use temporal_client_core::payload::PayloadError;
use temporal_client_core::proto::temporal::api::enums::v1::{RetryState, WorkflowExecutionStatus};

/// How a workflow run closed without a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WorkflowCloseStatus {
    /// The workflow failed (its code returned an error).
    Failed,
    /// The workflow was cancelled and ended as Canceled.
    Canceled,
    /// The workflow was terminated.
    Terminated,
    /// The workflow hit its run or execution timeout.
    TimedOut,
}

/// ` (run <id>)`, or nothing for an unknown run.
fn run_words(run_id: &str) -> String {
    if run_id.is_empty() {
        String::new()
    } else {
        format!(" (run {run_id})")
    }
}

/// A workflow status in words (`continued as new`), not its proto name.
fn status_words(status: WorkflowExecutionStatus) -> &'static str {
    match status {
        WorkflowExecutionStatus::Unspecified => "in an unknown state",
        WorkflowExecutionStatus::Running => "running",
        WorkflowExecutionStatus::Completed => "completed",
        WorkflowExecutionStatus::Failed => "failed",
        WorkflowExecutionStatus::Canceled => "cancelled",
        WorkflowExecutionStatus::Terminated => "terminated",
        WorkflowExecutionStatus::ContinuedAsNew => "continued as new",
        WorkflowExecutionStatus::TimedOut => "timed out",
        WorkflowExecutionStatus::Paused => "paused",
    }
}

impl WorkflowCloseStatus {
    fn as_words(self) -> &'static str {
        match self {
            Self::Failed => "failed",
            Self::Canceled => "was cancelled",
            Self::Terminated => "was terminated",
            Self::TimedOut => "timed out",
        }
    }
}

/// A client operation failed.
///
/// Match on the variant for what happened; the predicates (`is_not_found`, ...) answer
/// the common questions without a match. Each variant's text says what failed, and
/// its [`source`](std::error::Error::source) why (the server's error, the workflow's
/// failure chain): print the whole chain (e.g. with `{:#}` in `anyhow`) to see both;
/// no text repeats along it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A start was refused because of an existing run with the same id: one still
    /// running (and the id conflict policy says fail), or a closed one the id reuse
    /// policy forbids reusing. The server's message says which.
    #[error(
        "cannot start workflow '{workflow_id}' of type '{workflow_type}': the server refused it because of the existing run {run_id}"
    )]
    WorkflowExecutionAlreadyStarted {
        /// The workflow id.
        workflow_id: String,
        /// The workflow type of the start that was refused.
        workflow_type: String,
        /// The run id of the existing run (running, or closed and not reusable).
        run_id: String,
        /// The server's error.
        #[source]
        source: ServiceError,
    },
    /// No workflow execution with this id (and run id) exists in the namespace.
    #[error("workflow '{workflow_id}'{} not found in namespace '{namespace}'", run_id.as_deref().map(|r| format!(" (run {r})")).unwrap_or_default())]
    WorkflowNotFound {
        /// The namespace.
        namespace: String,
        /// The workflow id.
        workflow_id: String,
        /// The run id, when one was given.
        run_id: Option<String>,
        /// The server's error.
        #[source]
        source: ServiceError,
    },
    /// The workflow closed already, so it cannot take this signal or request (the
    /// server's "workflow execution already completed").
    #[error("workflow '{workflow_id}'{} in namespace '{namespace}' is already closed", run_id.as_deref().map(|r| format!(" (run {r})")).unwrap_or_default())]
    WorkflowAlreadyCompleted {
        /// The namespace.
        namespace: String,
        /// The workflow id.
        workflow_id: String,
        /// The run id, when one was given.
        run_id: Option<String>,
        /// The server's error.
        #[source]
        source: ServiceError,
    },
    /// The namespace does not exist.
    #[error("namespace '{namespace}' does not exist on this server")]
    NamespaceNotFound {
        /// The namespace.
        namespace: String,
        /// The server's error.
        #[source]
        source: ServiceError,
    },
    /// A schedule with this id exists already (the server's ALREADY_EXISTS, "schedule
    /// with this ID is already registered"), from `client.schedules().create(..)`.
    #[error("schedule '{schedule_id}' already exists in namespace '{namespace}'")]
    ScheduleAlreadyRunning {
        /// The namespace.
        namespace: String,
        /// The schedule id.
        schedule_id: String,
        /// The server's error.
        #[source]
        source: ServiceError,
    },
    /// No schedule with this id exists in the namespace (the server's NOT_FOUND; it
    /// names the schedule's internal workflow, `temporal-sys-scheduler:<id>`).
    #[error("schedule '{schedule_id}' not found in namespace '{namespace}'")]
    ScheduleNotFound {
        /// The namespace.
        namespace: String,
        /// The schedule id.
        schedule_id: String,
        /// The server's error.
        #[source]
        source: ServiceError,
    },
    /// The workflow closed without a result: it failed, was cancelled, was terminated
    /// or timed out. `cause` is the failure chain.
    #[error("workflow '{workflow_id}'{} {}", run_words(run_id), status.as_words())]
    WorkflowFailed {
        /// The workflow id.
        workflow_id: String,
        /// The run that closed; `""` only when the handle had no run id and the run
        /// could not be told (a newer run had started by the time it was asked).
        run_id: String,
        /// How it closed.
        status: WorkflowCloseStatus,
        /// Whether the server will retry it, and why not.
        retry_state: RetryState,
        /// The failure: application error, cancellation, termination or timeout, with
        /// its causes.
        #[source]
        cause: Box<TemporalFailure>,
    },
    /// The run continued as new and the handle does not follow runs.
    #[error(
        "workflow '{workflow_id}'{} continued as new as run {new_run_id}; follow runs to get its result",
        run_words(run_id)
    )]
    WorkflowContinuedAsNew {
        /// The workflow id.
        workflow_id: String,
        /// The run that continued as new (`""` as in [`Error::WorkflowFailed`]).
        run_id: String,
        /// The new run.
        new_run_id: String,
    },
    /// The query was not delivered because of the query reject condition.
    #[error("query '{query_type}' on workflow '{workflow_id}' was rejected: the workflow is {}", status_words(*status))]
    QueryRejected {
        /// The workflow id.
        workflow_id: String,
        /// The query name.
        query_type: String,
        /// The workflow's status that caused the rejection.
        status: WorkflowExecutionStatus,
    },
    /// The workflow has no handler for this query name.
    #[error("workflow '{workflow_id}' has no handler for query '{query_type}'")]
    QueryNotRegistered {
        /// The workflow id.
        workflow_id: String,
        /// The query name.
        query_type: String,
        /// The worker's message (it lists the known queries).
        message: String,
        /// The server's error.
        #[source]
        source: ServiceError,
    },
    /// The query handler failed in the worker.
    #[error("query '{query_type}' on workflow '{workflow_id}' failed in the worker")]
    QueryFailed {
        /// The workflow id.
        workflow_id: String,
        /// The query name.
        query_type: String,
        /// The worker's error message.
        message: String,
        /// The server's error.
        #[source]
        source: ServiceError,
    },
    /// The update was rejected by its validator or its handler failed.
    #[error("update '{update_name}' (id {update_id}) on workflow '{workflow_id}' failed")]
    UpdateFailed {
        /// The workflow id.
        workflow_id: String,
        /// The update name.
        update_name: String,
        /// The update id.
        update_id: String,
        /// The failure the validator or handler raised.
        #[source]
        cause: Box<TemporalFailure>,
    },
    /// The operation did not complete within its per-call timeout (`.timeout(..)`):
    /// every RPC, retry and poll it made counts.
    #[error("{operation} did not complete within {timeout:?}")]
    Timeout {
        /// The operation, e.g. `"query workflow"`.
        operation: &'static str,
        /// The timeout that passed.
        timeout: std::time::Duration,
        /// The RPC's own deadline error, when an RPC reported it.
        #[source]
        source: Option<ServiceError>,
    },
    /// An interceptor refused the call before it was sent.
    #[error("an interceptor refused the call")]
    Interceptor(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The request was invalid before it was sent.
    #[error(transparent)]
    InvalidRequest(#[from] temporal_client_core::InvalidRequest),
    /// A value could not be converted to or from a payload.
    #[error(transparent)]
    Payload(#[from] PayloadError),
    /// A history could not be written as, or read from, protobuf JSON.
    #[error("the history JSON could not be read or written: {source}")]
    HistoryJson {
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// The server answered with an error not covered by a variant above.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// The activity an async activity handle names is not pending: it completed,
    /// failed, was cancelled or timed out already, its workflow closed, or it never
    /// existed (the server answers `NotFound`: "workflow execution already completed",
    /// "cannot find pending activity with ActivityID ..", "activity task not found").
    #[error("activity {activity} is not pending in namespace '{namespace}'")]
    ActivityNotFound {
        /// The namespace.
        namespace: String,
        /// Which activity: `task token (N bytes)` or `'id' of workflow 'wid'`.
        activity: String,
        /// The server's error.
        #[source]
        source: ServiceError,
    },
    /// A heartbeat was recorded and the server answered that cancellation of the
    /// activity was requested: stop its work and call `report_cancellation`, as
    /// TypeScript's `ActivityCancelledError`.
    #[error("cancellation of activity {activity} was requested")]
    ActivityCancelRequested {
        /// Which activity.
        activity: String,
    },
    /// A heartbeat was recorded and the server answered that the activity is paused
    /// (TypeScript's `ActivityPausedError`).
    #[error("activity {activity} is paused")]
    ActivityPaused {
        /// Which activity.
        activity: String,
    },
    /// A heartbeat was recorded and the server answered that the activity was reset
    /// (TypeScript's `ActivityResetError`).
    #[error("activity {activity} was reset")]
    ActivityReset {
        /// Which activity.
        activity: String,
    },
}

impl Error {
    /// An interceptor's error: it refused the call before any RPC.
    pub fn interceptor(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Interceptor(error.into())
    }

    /// The workflow, the schedule, the namespace or the (pending) activity does not exist.
    pub fn is_not_found(&self) -> bool {
        match self {
            Self::WorkflowNotFound { .. }
            | Self::ScheduleNotFound { .. }
            | Self::NamespaceNotFound { .. }
            | Self::ActivityNotFound { .. } => true,
            Self::Service(e) => e.is_not_found(),
            _ => false,
        }
    }

    /// The workflow closed already.
    pub fn is_already_completed(&self) -> bool {
        matches!(self, Self::WorkflowAlreadyCompleted { .. })
    }

    /// A start was refused because of an existing run with the id: a running one, or a
    /// closed one the id reuse policy forbids reusing.
    pub fn is_already_started(&self) -> bool {
        matches!(self, Self::WorkflowExecutionAlreadyStarted { .. })
    }

    /// The activity an async activity handle names is not pending (completed, timed
    /// out, its workflow closed, or never existed).
    pub fn is_activity_not_found(&self) -> bool {
        matches!(self, Self::ActivityNotFound { .. })
    }

    /// A heartbeat learned that cancellation of the activity was requested.
    pub fn is_activity_cancel_requested(&self) -> bool {
        matches!(self, Self::ActivityCancelRequested { .. })
    }

    /// A heartbeat learned that the activity is paused.
    pub fn is_activity_paused(&self) -> bool {
        matches!(self, Self::ActivityPaused { .. })
    }

    /// A heartbeat learned that the activity was reset.
    pub fn is_activity_reset(&self) -> bool {
        matches!(self, Self::ActivityReset { .. })
    }

    /// A schedule create was refused because a schedule with the id exists.
    pub fn is_schedule_already_running(&self) -> bool {
        matches!(self, Self::ScheduleAlreadyRunning { .. })
    }

    /// The schedule does not exist.
    pub fn is_schedule_not_found(&self) -> bool {
        matches!(self, Self::ScheduleNotFound { .. })
    }

    /// A retry of the same call may succeed (a transient service error).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Service(e) if e.is_retryable())
    }

    /// The call timed out: its per-call timeout passed, or an RPC's deadline did.
    pub fn is_timeout(&self) -> bool {
        match self {
            Self::Timeout { .. } => true,
            Self::Service(e) => e.is_timeout(),
            _ => false,
        }
    }

    /// The failure chain of a workflow or update that failed.
    pub fn failure(&self) -> Option<&TemporalFailure> {
        match self {
            Self::WorkflowFailed { cause, .. } | Self::UpdateFailed { cause, .. } => Some(cause),
            _ => None,
        }
    }

    /// The service error under this error, if the server answered with one.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Self::WorkflowExecutionAlreadyStarted { source, .. }
            | Self::WorkflowNotFound { source, .. }
            | Self::WorkflowAlreadyCompleted { source, .. }
            | Self::NamespaceNotFound { source, .. }
            | Self::ScheduleAlreadyRunning { source, .. }
            | Self::ScheduleNotFound { source, .. }
            | Self::QueryFailed { source, .. }
            | Self::QueryNotRegistered { source, .. }
            | Self::ActivityNotFound { source, .. }
            | Self::Service(source) => Some(source),
            Self::Timeout { source, .. } => source.as_ref(),
            _ => None,
        }
    }

    /// Maps a service error for an operation on one workflow execution: not-found and
    /// namespace-not-found become their own variants.
    pub(crate) fn for_execution(
        err: ServiceError,
        namespace: &str,
        workflow_id: &str,
        run_id: Option<&str>,
    ) -> Self {
        if err.is_namespace_not_found() {
            Self::NamespaceNotFound {
                namespace: namespace.to_owned(),
                source: err,
            }
        } else if err.is_not_found() && err.message().contains("already completed") {
            Self::WorkflowAlreadyCompleted {
                namespace: namespace.to_owned(),
                workflow_id: workflow_id.to_owned(),
                run_id: run_id.filter(|r| !r.is_empty()).map(str::to_owned),
                source: err,
            }
        } else if err.is_not_found() {
            Self::WorkflowNotFound {
                namespace: namespace.to_owned(),
                workflow_id: workflow_id.to_owned(),
                run_id: run_id.filter(|r| !r.is_empty()).map(str::to_owned),
                source: err,
            }
        } else {
            Self::Service(err)
        }
    }
}

impl Error {
    /// Maps a start error: already-started and namespace-not-found become their own
    /// variants.
    pub(crate) fn for_start(
        err: ServiceError,
        namespace: &str,
        workflow_id: &str,
        workflow_type: &str,
    ) -> Self {
        if let Some(run_id) = err.already_started_run_id() {
            return Self::WorkflowExecutionAlreadyStarted {
                workflow_id: workflow_id.to_owned(),
                workflow_type: workflow_type.to_owned(),
                run_id: run_id.to_owned(),
                source: err,
            };
        }
        Self::for_namespace(err, namespace)
    }

    /// Maps an error of a namespace-wide call (list, count).
    pub(crate) fn for_namespace(err: ServiceError, namespace: &str) -> Self {
        if err.is_namespace_not_found() {
            Self::NamespaceNotFound {
                namespace: namespace.to_owned(),
                source: err,
            }
        } else {
            Self::Service(err)
        }
    }
}

impl Error {
    /// Maps an error of an operation on one schedule: not found (and, for a create,
    /// already exists) become their own variants.
    pub(crate) fn for_schedule(err: ServiceError, namespace: &str, schedule_id: &str) -> Self {
        if err.is_namespace_not_found() {
            Self::for_namespace(err, namespace)
        } else if err.is_not_found() {
            Self::ScheduleNotFound {
                namespace: namespace.to_owned(),
                schedule_id: schedule_id.to_owned(),
                source: err,
            }
        } else if err.is_already_exists() {
            Self::ScheduleAlreadyRunning {
                namespace: namespace.to_owned(),
                schedule_id: schedule_id.to_owned(),
                source: err,
            }
        } else {
            Self::Service(err)
        }
    }
}

impl From<temporal_client_core::schedule::ScheduleConvertError> for Error {
    fn from(err: temporal_client_core::schedule::ScheduleConvertError) -> Self {
        use temporal_client_core::schedule::ScheduleConvertError as E;
        match err {
            E::InvalidRequest(e) => Self::InvalidRequest(e),
            E::Payload(e) => Self::Payload(e),
        }
    }
}

/// The result type of client operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod display_tests {
    use super::*;

    #[test]
    fn an_unknown_run_is_left_out_and_statuses_read_as_words() {
        let failed = |run_id: &str| Error::WorkflowFailed {
            workflow_id: "w".into(),
            run_id: run_id.into(),
            status: WorkflowCloseStatus::Terminated,
            retry_state: RetryState::NonRetryableFailure,
            cause: Box::new(TemporalFailure::application("stop", "Stop")),
        };
        assert_eq!(
            failed("r1").to_string(),
            "workflow 'w' (run r1) was terminated"
        );
        assert_eq!(failed("").to_string(), "workflow 'w' was terminated");
        let rejected = Error::QueryRejected {
            workflow_id: "w".into(),
            query_type: "q".into(),
            status: WorkflowExecutionStatus::ContinuedAsNew,
        };
        assert_eq!(
            rejected.to_string(),
            "query 'q' on workflow 'w' was rejected: the workflow is continued as new"
        );
    }
}
