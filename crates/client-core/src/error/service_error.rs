//! [`ServiceError`]: the error of a failed RPC, with its builders, accessors and
//! predicates, and its plain-words `Display`.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use temporal_proto::temporal::api::enums::v1::ResourceExhaustedCause;

use super::code::Code;
use super::details::ErrorDetails;
use super::origin::ErrorOrigin;
use super::retry::is_retryable_code;

/// An RPC failed: the gRPC code, the server's message, and the typed details, plus
/// where the error came from ([`origin`](Self::origin)) and how many attempts the
/// transport made ([`attempts`](Self::attempts)).
///
/// The transport keeps its own status (e.g. `tonic::Status`) as the
/// [`source`](std::error::Error::source).
#[derive(Clone)]
pub struct ServiceError {
    rpc: &'static str,
    code: Code,
    origin: ErrorOrigin,
    retries_exhausted: bool,
    attempts: u32,
    message: String,
    details: Option<Box<ErrorDetails>>,
    source: Option<Arc<dyn StdError + Send + Sync + 'static>>,
}

impl ServiceError {
    /// A new error for `rpc` (e.g. `"StartWorkflowExecution"`), from the server
    /// ([`ErrorOrigin::Server`]) after one attempt.
    pub fn new(rpc: &'static str, code: Code, message: impl Into<String>) -> Self {
        Self {
            rpc,
            code,
            origin: ErrorOrigin::Server,
            retries_exhausted: false,
            attempts: 1,
            message: message.into(),
            details: None,
            source: None,
        }
    }

    /// Sets where the error came from.
    pub fn with_origin(mut self, origin: ErrorOrigin) -> Self {
        self.origin = origin;
        self
    }

    /// Sets how many attempts the transport made, counting the first (at least 1).
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts.max(1);
        self
    }

    /// Marks the error as the last of a call whose retry policy ran out of attempts or
    /// time while the error was still retryable.
    pub fn with_retries_exhausted(mut self, exhausted: bool) -> Self {
        self.retries_exhausted = exhausted;
        self
    }

    /// Where the error came from.
    pub fn origin(&self) -> ErrorOrigin {
        self.origin
    }

    /// How many attempts were made, counting the first (1 when the call was not
    /// retried).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The server answered with this error ([`ErrorOrigin::Server`]).
    pub fn is_from_server(&self) -> bool {
        self.origin == ErrorOrigin::Server
    }

    /// The connection failed before a response ([`ErrorOrigin::Transport`]).
    pub fn is_transport(&self) -> bool {
        self.origin == ErrorOrigin::Transport
    }

    /// The caller's own deadline passed in the client ([`ErrorOrigin::ClientDeadline`]).
    pub fn is_client_deadline(&self) -> bool {
        self.origin == ErrorOrigin::ClientDeadline
    }

    /// The retry policy stopped because its attempts or its time budget (or the call's
    /// deadline) ran out while the error was still retryable; a later call may succeed.
    pub fn retries_exhausted(&self) -> bool {
        self.retries_exhausted
    }

    /// The error an implementation returns for an RPC it does not cover.
    pub fn unimplemented(rpc: &'static str) -> Self {
        Self::new(
            rpc,
            Code::Unimplemented,
            format!("{rpc} is not implemented by this service"),
        )
    }

    /// Attaches typed details.
    pub fn with_details(mut self, details: ErrorDetails) -> Self {
        self.details = Some(Box::new(details));
        self
    }

    /// Attaches the transport's own error as the source.
    pub fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// Sets the RPC name, for errors built before the RPC was known.
    pub fn with_rpc(mut self, rpc: &'static str) -> Self {
        self.rpc = rpc;
        self
    }

    /// The RPC that failed, e.g. `"StartWorkflowExecution"`.
    pub fn rpc(&self) -> &'static str {
        self.rpc
    }

    /// The gRPC code.
    pub fn code(&self) -> Code {
        self.code
    }

    /// The server's message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The typed details, if the server sent any.
    pub fn details(&self) -> Option<&ErrorDetails> {
        self.details.as_deref()
    }

    /// The run id of the running execution, for an "already started" error.
    pub fn already_started_run_id(&self) -> Option<&str> {
        match self.details.as_deref() {
            Some(ErrorDetails::WorkflowExecutionAlreadyStarted(d)) => Some(&d.run_id),
            _ => None,
        }
    }

    /// The workflow, update or other entity does not exist (includes a missing namespace).
    pub fn is_not_found(&self) -> bool {
        self.code == Code::NotFound
    }

    /// The namespace does not exist.
    pub fn is_namespace_not_found(&self) -> bool {
        matches!(
            self.details.as_deref(),
            Some(ErrorDetails::NamespaceNotFound(_))
        ) || (self.code == Code::NotFound
            && self.message.starts_with("Namespace ")
            && self.message.contains("not found"))
    }

    /// The entity to create exists already (e.g. a workflow id already running).
    pub fn is_already_exists(&self) -> bool {
        self.code == Code::AlreadyExists
            || matches!(
                self.details.as_deref(),
                Some(ErrorDetails::WorkflowExecutionAlreadyStarted(_))
            )
    }

    /// The call timed out (client deadline or server deadline; see
    /// [`is_client_deadline`](Self::is_client_deadline)).
    pub fn is_timeout(&self) -> bool {
        self.code == Code::DeadlineExceeded
    }

    /// The server does not implement the RPC.
    pub fn is_unimplemented(&self) -> bool {
        self.code == Code::Unimplemented
    }

    /// A retry of the same request may succeed: the codes the Temporal SDKs retry
    /// (`UNAVAILABLE`, `RESOURCE_EXHAUSTED` unless a message was too large, `ABORTED`,
    /// `UNKNOWN`, `DATA_LOSS`, `OUT_OF_RANGE`, and `INTERNAL` for a reset HTTP/2 stream).
    pub fn is_retryable(&self) -> bool {
        is_retryable_code(self.code, &self.message)
    }

    /// The resource-exhausted cause, when the server gave one.
    pub fn resource_exhausted_cause(&self) -> Option<ResourceExhaustedCause> {
        match self.details.as_deref() {
            Some(ErrorDetails::ResourceExhausted(d)) => {
                ResourceExhaustedCause::try_from(d.cause).ok()
            }
            _ => None,
        }
    }
}
/// What an already-started refusal means, in the server's terms: the same detail comes
/// back for a run that is still running (id conflict policy) and for a closed run the id
/// reuse policy forbids reusing; only the server's message says which.
fn already_started_words(message: &str, run_id: &str) -> String {
    let lower = message.to_ascii_lowercase();
    if lower.contains("already running") || lower.contains("is running") {
        format!("a workflow with this id is already running (run id {run_id})")
    } else if lower.contains("already finished")
        || lower.contains("already completed")
        || lower.contains("reuse policy")
    {
        format!(
            "a closed run with this id exists and the id reuse policy forbids starting another (run id {run_id})"
        )
    } else {
        format!("a run with this id exists already (run id {run_id})")
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.details.as_deref() {
            Some(ErrorDetails::WorkflowExecutionAlreadyStarted(d)) => {
                already_started_words(&self.message, &d.run_id)
            }
            Some(ErrorDetails::NamespaceNotFound(d)) => {
                format!("namespace '{}' does not exist", d.namespace)
            }
            Some(ErrorDetails::NamespaceNotActive(d)) => {
                format!("namespace '{}' is not active in this cluster", d.namespace)
            }
            Some(ErrorDetails::QueryFailed(_)) => {
                "the worker failed to answer the query".to_owned()
            }
            Some(ErrorDetails::ResourceExhausted(d)) => {
                let cause = ResourceExhaustedCause::try_from(d.cause)
                    .map(|c| c.as_str_name())
                    .unwrap_or("UNSPECIFIED");
                format!("a server limit was hit ({cause})")
            }
            Some(ErrorDetails::PermissionDenied(d)) if !d.reason.is_empty() => {
                format!("permission denied ({})", d.reason)
            }
            _ if self.code == Code::Unimplemented
                && self.message.ends_with("is not implemented by this service") =>
            {
                return write!(f, "{}", self.message);
            }
            _ if self.origin != ErrorOrigin::Server => self.origin.plain_words().to_owned(),
            _ => self.code.plain_words().to_owned(),
        };
        write!(f, "{}: {what} [{}]", self.rpc, self.code)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        match (self.attempts, self.retries_exhausted) {
            (1, false) => Ok(()),
            (1, true) => f.write_str(" (no retry left)"),
            (n, false) => write!(f, " (after {n} attempts)"),
            (n, true) => write!(f, " (gave up after {n} attempts)"),
        }
    }
}

impl fmt::Debug for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceError")
            .field("rpc", &self.rpc)
            .field("code", &self.code)
            .field("origin", &self.origin)
            .field("attempts", &self.attempts)
            .field("retries_exhausted", &self.retries_exhausted)
            .field("message", &self.message)
            .field("details", &self.details)
            .finish_non_exhaustive()
    }
}

impl StdError for ServiceError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn StdError + 'static))
    }
}
