//! `ConnectError`, and the translation of a `tonic::Status` into a `ServiceError`.

use std::error::Error as StdError;
use std::fmt::Write as _;
use std::time::Duration;

use temporal_client_core::{Code, ErrorDetails, ServiceError};

/// Creating a [`Connection`](super::Connection) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The address cannot be parsed or uses an unsupported scheme.
    #[error("the server address '{address}' is not usable: {reason}")]
    InvalidAddress {
        /// The address as given.
        address: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A metadata entry of the options cannot be sent as a gRPC header.
    #[error("the gRPC metadata entry '{name}' is not usable: {reason}")]
    InvalidMetadata {
        /// The entry name as given.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Both an API key and an explicit `authorization` metadata entry were given.
    #[error(
        "both an API key and an 'authorization' metadata entry were given; set the credentials one way only"
    )]
    ApiKeyWithAuthorizationMetadata,
    /// The API key contains characters that a gRPC header cannot carry.
    #[error("the API key cannot be sent: it must be printable ASCII without line breaks")]
    InvalidApiKey,
    /// The TLS settings are not usable (bad PEM, bad server name, ...).
    #[error("the TLS settings for '{address}' are not usable: {source}")]
    Tls {
        /// The server address.
        address: String,
        /// What is wrong.
        source: Box<dyn StdError + Send + Sync>,
    },
    /// The server did not answer within the connect timeout.
    #[error(
        "could not reach the Temporal server at '{address}' within {timeout:?} (is it running, and is the address right?): {source}"
    )]
    Unreachable {
        /// The server address.
        address: String,
        /// The connect timeout that passed.
        timeout: Duration,
        /// The last error seen.
        source: Box<ServiceError>,
    },
    /// The server answered the connection check (`GetSystemInfo`) with an error that
    /// retrying does not fix, e.g. missing or wrong credentials.
    #[error("the Temporal server at '{address}' refused the connection check: {source}")]
    Rejected {
        /// The server address.
        address: String,
        /// The server's answer.
        source: Box<ServiceError>,
    },
    /// A lazy connection was created outside a Tokio runtime.
    #[error(
        "Connection::lazy needs a Tokio runtime: call it from async code or inside Runtime::enter"
    )]
    NoRuntime,
}

impl ConnectError {
    /// The RPC error behind an [`Unreachable`](Self::Unreachable) or
    /// [`Rejected`](Self::Rejected) error.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Self::Unreachable { source, .. } | Self::Rejected { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Translates a gRPC status into the transport-independent error: code, message (with
/// the transport's causes, if any), typed details, and the status as source.
pub(crate) fn status_to_error(rpc: &'static str, status: tonic::Status) -> ServiceError {
    let code = Code::from_i32(status.code() as i32);
    let message = message_with_causes(&status);
    let mut error = ServiceError::new(rpc, code, message);
    if let Some(details) = ErrorDetails::decode_status(status.details()) {
        error = error.with_details(details);
    }
    error.with_source(status)
}

/// The status message, followed by the chain of transport causes (e.g. "Connection
/// refused") that tonic keeps as sources but leaves out of the message.
fn message_with_causes(status: &tonic::Status) -> String {
    let mut message = status.message().to_owned();
    let mut cause = StdError::source(status);
    let mut previous = String::new();
    while let Some(err) = cause {
        let text = err.to_string();
        if !text.is_empty() && text != previous && !message.contains(&text) {
            let _ = write!(
                message,
                "{}{text}",
                if message.is_empty() { "" } else { ": " }
            );
        }
        previous = text;
        cause = err.source();
    }
    message
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use temporal_client_core::proto::temporal::api::errordetails::v1::WorkflowExecutionAlreadyStartedFailure;

    #[test]
    fn details_code_message_and_source_are_kept() {
        let detail =
            ErrorDetails::WorkflowExecutionAlreadyStarted(WorkflowExecutionAlreadyStartedFailure {
                start_request_id: "r".into(),
                run_id: "run-9".into(),
                first_execution_run_id: String::new(),
            });
        let bytes = detail.encode_status(Code::AlreadyExists, "already started");
        let status = tonic::Status::with_details(
            tonic::Code::AlreadyExists,
            "already started",
            bytes.into(),
        );
        let err = status_to_error("StartWorkflowExecution", status);
        assert_eq!(err.code(), Code::AlreadyExists);
        assert_eq!(err.rpc(), "StartWorkflowExecution");
        assert_eq!(err.message(), "already started");
        assert_eq!(err.already_started_run_id(), Some("run-9"));
        let source = StdError::source(&err).and_then(|s| s.downcast_ref::<tonic::Status>());
        assert_eq!(source.map(|s| s.code()), Some(tonic::Code::AlreadyExists));
    }

    #[test]
    fn transport_causes_are_appended_once() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "Connection refused");
        let status = tonic::Status::from_error(Box::new(io));
        let err = status_to_error("GetSystemInfo", status);
        assert!(
            err.message().contains("Connection refused"),
            "{}",
            err.message()
        );
        assert_eq!(err.message().matches("Connection refused").count(), 1);
    }
}
