//! `ServiceError`: what an RPC to the Temporal service returned instead of a response.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use prost::Message as _;
use temporal_proto::google::rpc::Status as RpcStatus;
use temporal_proto::temporal::api::enums::v1::ResourceExhaustedCause;
use temporal_proto::temporal::api::errordetails::v1 as details;

/// A gRPC status code, as the Temporal service returns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// Not an error.
    Ok = 0,
    /// The call was cancelled, typically by the caller.
    Cancelled = 1,
    /// Unknown error.
    Unknown = 2,
    /// The request is invalid.
    InvalidArgument = 3,
    /// The deadline passed before the call completed.
    DeadlineExceeded = 4,
    /// Some requested entity was not found.
    NotFound = 5,
    /// The entity to create already exists.
    AlreadyExists = 6,
    /// The caller may not do this.
    PermissionDenied = 7,
    /// A quota or rate limit was hit, or a message was too large.
    ResourceExhausted = 8,
    /// The system is not in a state required for the operation.
    FailedPrecondition = 9,
    /// The operation was aborted, typically by a concurrency conflict.
    Aborted = 10,
    /// Out of the valid range.
    OutOfRange = 11,
    /// The server does not implement this operation.
    Unimplemented = 12,
    /// Internal server error.
    Internal = 13,
    /// The service is unavailable right now.
    Unavailable = 14,
    /// Unrecoverable data loss.
    DataLoss = 15,
    /// The request lacks valid credentials.
    Unauthenticated = 16,
}

impl Code {
    /// Maps a numeric gRPC code; unknown numbers become [`Code::Unknown`].
    pub fn from_i32(value: i32) -> Self {
        match value {
            0 => Self::Ok,
            1 => Self::Cancelled,
            3 => Self::InvalidArgument,
            4 => Self::DeadlineExceeded,
            5 => Self::NotFound,
            6 => Self::AlreadyExists,
            7 => Self::PermissionDenied,
            8 => Self::ResourceExhausted,
            9 => Self::FailedPrecondition,
            10 => Self::Aborted,
            11 => Self::OutOfRange,
            12 => Self::Unimplemented,
            13 => Self::Internal,
            14 => Self::Unavailable,
            15 => Self::DataLoss,
            16 => Self::Unauthenticated,
            _ => Self::Unknown,
        }
    }

    /// The canonical upper-case name, e.g. `NOT_FOUND`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::Cancelled => "CANCELLED",
            Self::Unknown => "UNKNOWN",
            Self::InvalidArgument => "INVALID_ARGUMENT",
            Self::DeadlineExceeded => "DEADLINE_EXCEEDED",
            Self::NotFound => "NOT_FOUND",
            Self::AlreadyExists => "ALREADY_EXISTS",
            Self::PermissionDenied => "PERMISSION_DENIED",
            Self::ResourceExhausted => "RESOURCE_EXHAUSTED",
            Self::FailedPrecondition => "FAILED_PRECONDITION",
            Self::Aborted => "ABORTED",
            Self::OutOfRange => "OUT_OF_RANGE",
            Self::Unimplemented => "UNIMPLEMENTED",
            Self::Internal => "INTERNAL",
            Self::Unavailable => "UNAVAILABLE",
            Self::DataLoss => "DATA_LOSS",
            Self::Unauthenticated => "UNAUTHENTICATED",
        }
    }

    fn plain_words(self) -> &'static str {
        match self {
            Self::Ok => "succeeded",
            Self::Cancelled => "the call was cancelled",
            Self::Unknown => "the server reported an unknown error",
            Self::InvalidArgument => "the server rejected the request as invalid",
            Self::DeadlineExceeded => "the call timed out",
            Self::NotFound => "not found",
            Self::AlreadyExists => "already exists",
            Self::PermissionDenied => "permission denied",
            Self::ResourceExhausted => "the server is out of capacity or a limit was hit",
            Self::FailedPrecondition => "the server is not in a state that allows this",
            Self::Aborted => "the server aborted the call",
            Self::OutOfRange => "a value was out of range",
            Self::Unimplemented => "the server does not implement this",
            Self::Internal => "the server had an internal error",
            Self::Unavailable => "the server is unavailable",
            Self::DataLoss => "data was lost",
            Self::Unauthenticated => "the credentials were missing or not accepted",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Typed details the server attached to an error (`google.rpc.Status.details`).
// Errors are the cold path; keeping the proto messages unboxed keeps matching simple.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorDetails {
    /// A start was refused because of an existing run with the same id: one still
    /// running (id conflict policy), or a closed one the id reuse policy forbids reusing.
    /// The status message says which.
    WorkflowExecutionAlreadyStarted(details::WorkflowExecutionAlreadyStartedFailure),
    /// The entity was not found.
    NotFound(details::NotFoundFailure),
    /// The namespace does not exist.
    NamespaceNotFound(details::NamespaceNotFoundFailure),
    /// The namespace exists but is not active in this cluster.
    NamespaceNotActive(details::NamespaceNotActiveFailure),
    /// The namespace is in a state that forbids the operation.
    NamespaceInvalidState(details::NamespaceInvalidStateFailure),
    /// The namespace is registered already.
    NamespaceAlreadyExists(details::NamespaceAlreadyExistsFailure),
    /// The worker failed to answer a query.
    QueryFailed(details::QueryFailedFailure),
    /// A limit was hit; the cause says which.
    ResourceExhausted(details::ResourceExhaustedFailure),
    /// Permission denied, with the reason.
    PermissionDenied(details::PermissionDeniedFailure),
    /// Cancellation was requested already.
    CancellationAlreadyRequested(details::CancellationAlreadyRequestedFailure),
    /// The client version is not supported by the server.
    ClientVersionNotSupported(details::ClientVersionNotSupportedFailure),
    /// The server version is not supported by the client.
    ServerVersionNotSupported(details::ServerVersionNotSupportedFailure),
    /// The workflow is not ready for this operation.
    WorkflowNotReady(details::WorkflowNotReadyFailure),
    /// One or more operations of an `ExecuteMultiOperation` call failed.
    MultiOperationExecution(details::MultiOperationExecutionFailure),
    /// A system workflow failed.
    SystemWorkflow(details::SystemWorkflowFailure),
    /// A detail of a type this version does not know.
    Other {
        /// The `Any` type URL.
        type_url: String,
        /// The encoded message.
        value: Vec<u8>,
    },
}

impl ErrorDetails {
    /// Decodes the first detail of an encoded `google.rpc.Status`
    /// (the `grpc-status-details-bin` trailer). Returns `None` when there is none or it
    /// does not decode.
    pub fn decode_status(status_bytes: &[u8]) -> Option<Self> {
        if status_bytes.is_empty() {
            return None;
        }
        let status = RpcStatus::decode(status_bytes).ok()?;
        let any = status.details.into_iter().next()?;
        Self::decode_any(&any.type_url, &any.value)
    }

    /// Decodes one `Any` detail by its type URL.
    pub fn decode_any(type_url: &str, value: &[u8]) -> Option<Self> {
        let name = type_url.rsplit('/').next().unwrap_or(type_url);
        let short = name
            .strip_prefix("temporal.api.errordetails.v1.")
            .unwrap_or("");
        macro_rules! decode {
            ($variant:ident, $ty:ty) => {
                <$ty>::decode(value).ok().map(Self::$variant)
            };
        }
        let decoded = match short {
            "WorkflowExecutionAlreadyStartedFailure" => {
                decode!(
                    WorkflowExecutionAlreadyStarted,
                    details::WorkflowExecutionAlreadyStartedFailure
                )
            }
            "NotFoundFailure" => decode!(NotFound, details::NotFoundFailure),
            "NamespaceNotFoundFailure" => {
                decode!(NamespaceNotFound, details::NamespaceNotFoundFailure)
            }
            "NamespaceNotActiveFailure" => {
                decode!(NamespaceNotActive, details::NamespaceNotActiveFailure)
            }
            "NamespaceInvalidStateFailure" => {
                decode!(NamespaceInvalidState, details::NamespaceInvalidStateFailure)
            }
            "NamespaceAlreadyExistsFailure" => {
                decode!(
                    NamespaceAlreadyExists,
                    details::NamespaceAlreadyExistsFailure
                )
            }
            "QueryFailedFailure" => decode!(QueryFailed, details::QueryFailedFailure),
            "ResourceExhaustedFailure" => {
                decode!(ResourceExhausted, details::ResourceExhaustedFailure)
            }
            "PermissionDeniedFailure" => {
                decode!(PermissionDenied, details::PermissionDeniedFailure)
            }
            "CancellationAlreadyRequestedFailure" => {
                decode!(
                    CancellationAlreadyRequested,
                    details::CancellationAlreadyRequestedFailure
                )
            }
            "ClientVersionNotSupportedFailure" => {
                decode!(
                    ClientVersionNotSupported,
                    details::ClientVersionNotSupportedFailure
                )
            }
            "ServerVersionNotSupportedFailure" => {
                decode!(
                    ServerVersionNotSupported,
                    details::ServerVersionNotSupportedFailure
                )
            }
            "WorkflowNotReadyFailure" => {
                decode!(WorkflowNotReady, details::WorkflowNotReadyFailure)
            }
            "MultiOperationExecutionFailure" => {
                decode!(
                    MultiOperationExecution,
                    details::MultiOperationExecutionFailure
                )
            }
            "SystemWorkflowFailure" => decode!(SystemWorkflow, details::SystemWorkflowFailure),
            _ => None,
        };
        decoded.or_else(|| {
            Some(Self::Other {
                type_url: type_url.to_owned(),
                value: value.to_vec(),
            })
        })
    }

    /// Encodes this detail as a `google.rpc.Status` with the given code and message,
    /// as a server puts it in the `grpc-status-details-bin` trailer.
    pub fn encode_status(&self, code: Code, message: &str) -> Vec<u8> {
        let any = self.to_any();
        RpcStatus {
            code: code as i32,
            message: message.to_owned(),
            details: vec![any],
        }
        .encode_to_vec()
    }

    fn to_any(&self) -> temporal_proto::protobuf::Any {
        fn pack<M: prost::Name>(m: &M) -> temporal_proto::protobuf::Any {
            temporal_proto::protobuf::Any {
                type_url: M::type_url(),
                value: m.encode_to_vec().into(),
            }
        }
        match self {
            Self::WorkflowExecutionAlreadyStarted(m) => pack(m),
            Self::NotFound(m) => pack(m),
            Self::NamespaceNotFound(m) => pack(m),
            Self::NamespaceNotActive(m) => pack(m),
            Self::NamespaceInvalidState(m) => pack(m),
            Self::NamespaceAlreadyExists(m) => pack(m),
            Self::QueryFailed(m) => pack(m),
            Self::ResourceExhausted(m) => pack(m),
            Self::PermissionDenied(m) => pack(m),
            Self::CancellationAlreadyRequested(m) => pack(m),
            Self::ClientVersionNotSupported(m) => pack(m),
            Self::ServerVersionNotSupported(m) => pack(m),
            Self::WorkflowNotReady(m) => pack(m),
            Self::MultiOperationExecution(m) => pack(m),
            Self::SystemWorkflow(m) => pack(m),
            Self::Other { type_url, value } => temporal_proto::protobuf::Any {
                type_url: type_url.clone(),
                value: value.clone().into(),
            },
        }
    }
}

/// Where a [`ServiceError`] came from: the server, the connection, the client's own
/// deadline, or the client itself before anything was sent.
///
/// The code alone does not say this: `UNAVAILABLE` may be the server shedding load or a
/// refused TCP connection, `DEADLINE_EXCEEDED` the server's or the caller's deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ErrorOrigin {
    /// The server answered with this status (the default).
    #[default]
    Server,
    /// The connection failed before a response arrived: connect refused, connection
    /// reset, GOAWAY, an HTTP/2 protocol error.
    Transport,
    /// The TLS handshake failed: an unknown issuer, a server name mismatch, a missing
    /// client certificate, a protocol mismatch. Retrying does not fix it, so the
    /// transport does not retry it.
    Tls,
    /// The caller's own deadline or timeout passed in the client, before an answer came.
    ClientDeadline,
    /// The client refused the call before sending it (e.g. unusable metadata).
    Local,
}

impl ErrorOrigin {
    fn plain_words(self) -> &'static str {
        match self {
            Self::Server => "the server answered",
            Self::Transport => "the connection to the server failed",
            Self::Tls => "the TLS handshake with the server failed",
            Self::ClientDeadline => "the call timed out in the client",
            Self::Local => "the client did not send the request",
        }
    }
}

impl fmt::Display for ErrorOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Server => "server",
            Self::Transport => "transport",
            Self::Tls => "tls",
            Self::ClientDeadline => "client deadline",
            Self::Local => "local",
        })
    }
}

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

/// The shared retry rule: is a call that failed with `code` and `message` worth retrying?
pub fn is_retryable_code(code: Code, message: &str) -> bool {
    match code {
        Code::Unavailable | Code::Aborted | Code::Unknown | Code::DataLoss | Code::OutOfRange => {
            true
        }
        Code::ResourceExhausted => !is_message_too_large(message),
        Code::Internal => message.contains("RST_STREAM") || message.contains("stream reset"),
        _ => false,
    }
}

fn is_message_too_large(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    // gRPC-Go: "received message larger than max (N vs. M)" or, for a compressed
    // request, "received message after decompression larger than max M".
    lower.contains("larger than max")
        || lower.contains("message length too large")
        || lower.contains("exceeds the limit")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn already_started_details_round_trip_through_status_bytes() {
        let detail = ErrorDetails::WorkflowExecutionAlreadyStarted(
            details::WorkflowExecutionAlreadyStartedFailure {
                start_request_id: "req".into(),
                run_id: "run-1".into(),
                first_execution_run_id: String::new(),
            },
        );
        let bytes =
            detail.encode_status(Code::AlreadyExists, "Workflow execution is already running");
        let decoded = ErrorDetails::decode_status(&bytes);
        assert_eq!(decoded.as_ref(), Some(&detail));
        let err = ServiceError::new(
            "StartWorkflowExecution",
            Code::AlreadyExists,
            "Workflow execution is already running",
        )
        .with_details(detail);
        assert!(err.is_already_exists());
        assert!(!err.is_retryable());
        assert_eq!(err.already_started_run_id(), Some("run-1"));
        let text = err.to_string();
        assert!(text.contains("already running (run id run-1)"), "{text}");
        assert!(text.starts_with("StartWorkflowExecution"), "{text}");
    }

    /// The same detail comes back for a closed run refused by the id reuse policy: the
    /// text must not call that run "running" (server messages of temporal 1.2x).
    #[test]
    fn already_started_on_a_closed_run_keeps_the_servers_meaning() {
        let detail = ErrorDetails::WorkflowExecutionAlreadyStarted(
            details::WorkflowExecutionAlreadyStartedFailure {
                start_request_id: "req".into(),
                run_id: "run-1".into(),
                first_execution_run_id: String::new(),
            },
        );
        for message in [
            "Workflow execution already finished. WorkflowId: w, RunId: run-1. Workflow Id reuse policy: reject duplicate workflow Id.",
            "Workflow execution already finished successfully. WorkflowId: w, RunId: run-1. Workflow Id reuse policy: allow duplicate workflow Id if last run failed.",
        ] {
            let err = ServiceError::new("StartWorkflowExecution", Code::AlreadyExists, message)
                .with_details(detail.clone());
            let text = err.to_string();
            assert!(!text.contains("already running"), "{text}");
            assert!(text.contains("closed run"), "{text}");
            assert!(text.contains("reuse policy"), "{text}");
        }
        let err = ServiceError::new("StartWorkflowExecution", Code::AlreadyExists, "")
            .with_details(detail);
        assert!(!err.to_string().contains("running"), "{err}");
    }

    #[test]
    fn unknown_detail_is_kept_raw() {
        let d = ErrorDetails::decode_any("type.googleapis.com/foo.Bar", b"\x01\x02");
        assert!(
            matches!(d, Some(ErrorDetails::Other { ref type_url, .. }) if type_url.ends_with("foo.Bar"))
        );
        assert_eq!(ErrorDetails::decode_status(b""), None);
        assert_eq!(ErrorDetails::decode_status(b"\xff\xff"), None);
    }

    #[test]
    fn retry_classification_matches_the_other_sdks() {
        for code in [
            Code::Unavailable,
            Code::Aborted,
            Code::Unknown,
            Code::DataLoss,
            Code::OutOfRange,
            Code::ResourceExhausted,
        ] {
            assert!(is_retryable_code(code, "x"), "{code}");
        }
        for code in [
            Code::DeadlineExceeded,
            Code::Cancelled,
            Code::InvalidArgument,
            Code::NotFound,
            Code::AlreadyExists,
            Code::PermissionDenied,
            Code::FailedPrecondition,
            Code::Unimplemented,
            Code::Unauthenticated,
        ] {
            assert!(!is_retryable_code(code, "x"), "{code}");
        }
        assert!(!is_retryable_code(
            Code::ResourceExhausted,
            "grpc: received message larger than max (5 vs. 4)"
        ));
        // The dev server's words for a gzip-compressed request that is too large.
        assert!(!is_retryable_code(
            Code::ResourceExhausted,
            "grpc: received message after decompression larger than max 4194304"
        ));
        assert!(is_retryable_code(
            Code::Internal,
            "Received RST_STREAM with code 2"
        ));
        assert!(!is_retryable_code(Code::Internal, "boom"));
    }

    #[test]
    fn namespace_not_found_reads_plainly() {
        let err = ServiceError::new(
            "DescribeNamespace",
            Code::NotFound,
            "Namespace nope is not found.",
        )
        .with_details(ErrorDetails::NamespaceNotFound(
            details::NamespaceNotFoundFailure {
                namespace: "nope".into(),
            },
        ));
        assert!(err.is_not_found() && err.is_namespace_not_found());
        assert!(err.to_string().contains("namespace 'nope' does not exist"));
    }

    #[test]
    fn a_new_error_is_from_the_server_after_one_attempt() {
        let err = ServiceError::new("DescribeNamespace", Code::Unavailable, "down");
        assert_eq!(err.origin(), ErrorOrigin::Server);
        assert!(err.is_from_server());
        assert!(!err.is_transport() && !err.is_client_deadline());
        assert_eq!(err.attempts(), 1);
        assert!(!err.retries_exhausted());
        assert_eq!(
            err.to_string(),
            "DescribeNamespace: the server is unavailable [UNAVAILABLE]: down"
        );
    }

    #[test]
    fn origin_predicates_follow_the_origin() {
        let err = |origin| ServiceError::new("X", Code::Unavailable, "m").with_origin(origin);
        assert!(err(ErrorOrigin::Transport).is_transport());
        assert!(!err(ErrorOrigin::Transport).is_from_server());
        assert!(err(ErrorOrigin::ClientDeadline).is_client_deadline());
        let local = err(ErrorOrigin::Local);
        assert!(!local.is_from_server() && !local.is_transport() && !local.is_client_deadline());
        assert_eq!(local.origin(), ErrorOrigin::Local);
        assert_eq!(ErrorOrigin::default(), ErrorOrigin::Server);
    }

    #[test]
    fn display_names_the_origin_and_the_attempts_once() {
        let err = ServiceError::new("GetSystemInfo", Code::Unavailable, "tcp connect error")
            .with_origin(ErrorOrigin::Transport)
            .with_attempts(5)
            .with_retries_exhausted(true);
        assert!(err.retries_exhausted());
        assert_eq!(err.attempts(), 5);
        assert_eq!(
            err.to_string(),
            "GetSystemInfo: the connection to the server failed [UNAVAILABLE]: \
             tcp connect error (gave up after 5 attempts)"
        );
        let err = ServiceError::new(
            "ListNamespaces",
            Code::DeadlineExceeded,
            "no response within 300ms",
        )
        .with_origin(ErrorOrigin::ClientDeadline);
        assert_eq!(
            err.to_string(),
            "ListNamespaces: the call timed out in the client [DEADLINE_EXCEEDED]: \
             no response within 300ms"
        );
        let err = ServiceError::new("X", Code::NotFound, "gone").with_attempts(3);
        assert_eq!(
            err.to_string(),
            "X: not found [NOT_FOUND]: gone (after 3 attempts)"
        );
        assert_eq!(err.clone().with_attempts(0).attempts(), 1);
    }

    #[test]
    fn codes_map_from_numbers() {
        for n in 0..=16 {
            assert_eq!(Code::from_i32(n) as i32, n);
        }
        assert_eq!(Code::from_i32(99), Code::Unknown);
    }
}
