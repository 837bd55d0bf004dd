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
/// the common questions without a match.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A start found a workflow with the same id already running (or the id reuse
    /// policy forbids a new run).
    #[error(
        "cannot start workflow '{workflow_id}' of type '{workflow_type}': a workflow with this id is already running (run id {run_id}); use another id or an id conflict policy"
    )]
    WorkflowExecutionAlreadyStarted {
        /// The workflow id.
        workflow_id: String,
        /// The workflow type of the start that was refused.
        workflow_type: String,
        /// The run id of the running execution.
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
    /// The namespace does not exist.
    #[error("namespace '{namespace}' does not exist on this server")]
    NamespaceNotFound {
        /// The namespace.
        namespace: String,
        /// The server's error.
        #[source]
        source: ServiceError,
    },
    /// The workflow closed without a result: it failed, was cancelled, was terminated
    /// or timed out. `cause` is the failure chain.
    #[error("workflow '{workflow_id}' (run {run_id}) {}: {cause}", status.as_words())]
    WorkflowFailed {
        /// The workflow id.
        workflow_id: String,
        /// The run that closed.
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
        "workflow '{workflow_id}' (run {run_id}) continued as new as run {new_run_id}; follow runs to get its result"
    )]
    WorkflowContinuedAsNew {
        /// The workflow id.
        workflow_id: String,
        /// The run that continued as new.
        run_id: String,
        /// The new run.
        new_run_id: String,
    },
    /// The query was not delivered because of the query reject condition.
    #[error("query '{query_type}' on workflow '{workflow_id}' was rejected: the workflow is {}", status.as_str_name())]
    QueryRejected {
        /// The workflow id.
        workflow_id: String,
        /// The query name.
        query_type: String,
        /// The workflow's status that caused the rejection.
        status: WorkflowExecutionStatus,
    },
    /// The workflow has no handler for this query name.
    #[error("workflow '{workflow_id}' has no handler for query '{query_type}': {message}")]
    QueryNotRegistered {
        /// The workflow id.
        workflow_id: String,
        /// The query name.
        query_type: String,
        /// The worker's message (it lists the known queries).
        message: String,
    },
    /// The query handler failed in the worker.
    #[error("query '{query_type}' on workflow '{workflow_id}' failed in the worker: {message}")]
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
    #[error("update '{update_name}' (id {update_id}) on workflow '{workflow_id}' failed: {cause}")]
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
}

impl Error {
    /// The workflow, or the namespace, does not exist.
    pub fn is_not_found(&self) -> bool {
        match self {
            Self::WorkflowNotFound { .. } | Self::NamespaceNotFound { .. } => true,
            Self::Service(e) => e.is_not_found(),
            _ => false,
        }
    }

    /// A start found the workflow id already running.
    pub fn is_already_started(&self) -> bool {
        matches!(self, Self::WorkflowExecutionAlreadyStarted { .. })
    }

    /// A retry of the same call may succeed (a transient service error).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Service(e) if e.is_retryable())
    }

    /// The call timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Service(e) if e.is_timeout())
    }

    /// The service error under this error, if the server answered with one.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Self::WorkflowExecutionAlreadyStarted { source, .. }
            | Self::WorkflowNotFound { source, .. }
            | Self::NamespaceNotFound { source, .. }
            | Self::QueryFailed { source, .. }
            | Self::Service(source) => Some(source),
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

/// The result type of client operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;
