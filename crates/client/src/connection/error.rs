//! `ConnectError`, and where a `tonic::Status` came from.

use std::error::Error as StdError;
use std::time::Duration;

use temporal_client_core::{ErrorOrigin, ServiceError, grpc};

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
    /// An API key was set on a plain-text connection the user did not choose plain
    /// text for: it would travel unencrypted. Connect with TLS (an API key at connect
    /// time turns it on), or call
    /// [`ConnectionOptions::tls_disabled`](super::ConnectionOptions::tls_disabled) to
    /// send it in plain text on purpose (e.g. to a local proxy).
    #[error(
        "the API key would be sent unencrypted to '{address}': the connection does not use TLS; \
         connect with TLS, or opt in to plain text with ConnectionOptions::tls_disabled()"
    )]
    ApiKeyOverPlaintext {
        /// The server address.
        address: String,
    },
    /// The API key contains characters that a gRPC header cannot carry.
    #[error("the API key cannot be sent: it must be printable ASCII without line breaks")]
    InvalidApiKey,
    /// The TLS settings are not usable (bad PEM, bad server name, ...), or the TLS
    /// handshake failed (unknown issuer, name mismatch, missing client certificate,
    /// protocol mismatch). Reported at once: a TLS failure is not retried.
    #[error("TLS with '{address}' failed: {source}")]
    Tls {
        /// The server address.
        address: String,
        /// What is wrong.
        source: Box<dyn StdError + Send + Sync>,
    },
    /// The connection would use TLS (TLS options were given, the address is
    /// `https://`, or an API key turned it on) but this build of the crate has no TLS:
    /// its `tls` feature (on by default) is off. Nothing is sent in plain text instead.
    #[error(
        "the connection to '{address}' needs TLS, which this build does not include: \
         enable the `tls` feature of temporal-client (or choose plain text with ConnectionOptions::tls_disabled())"
    )]
    TlsNotEnabled {
        /// The server address.
        address: String,
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
    /// A connection option has a value the client cannot work with (checked when the
    /// connection is built, before anything is sent).
    #[error("the connection option `{option}` is not usable: {reason}")]
    InvalidOption {
        /// The option's name, as its setter on `ConnectionOptions` is named.
        option: &'static str,
        /// Why, and what would be accepted.
        reason: String,
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

/// Translates a gRPC status into the transport-independent error (by the shared
/// [`temporal_client_core::grpc`] mapping), and tells where it came from: a status
/// built from a transport failure (its source chain holds a hyper, `h2` or I/O error) is [`ErrorOrigin::Transport`], one
/// built from another client-side error (e.g. of a user layer) is
/// [`ErrorOrigin::Local`], and one without a source is the server's answer.
pub(crate) fn status_to_error(rpc: &'static str, status: tonic::Status) -> ServiceError {
    let origin = status_origin(&status);
    grpc::status_to_error(rpc, status).with_origin(origin)
}

/// Where a status returned by tonic came from (see [`status_to_error`]).
fn status_origin(status: &tonic::Status) -> ErrorOrigin {
    match StdError::source(status) {
        Some(cause) => cause_origin(cause),
        None => ErrorOrigin::Server,
    }
}

/// Where a client-side error came from: [`ErrorOrigin::Transport`] when its chain holds
/// a hyper, `h2` or I/O error, else [`ErrorOrigin::Local`].
pub(crate) fn cause_origin(error: &(dyn StdError + 'static)) -> ErrorOrigin {
    let mut cause = Some(error);
    while let Some(err) = cause {
        if err.is::<hyper::Error>() || err.is::<h2::Error>() || err.is::<std::io::Error>() {
            return ErrorOrigin::Transport;
        }
        cause = err.source();
    }
    ErrorOrigin::Local
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use temporal_client_core::Code;

    #[test]
    fn a_status_without_a_source_is_the_servers_answer() {
        let err = status_to_error("StartWorkflowExecution", tonic::Status::unavailable("busy"));
        assert_eq!(err.origin(), ErrorOrigin::Server);
        assert_eq!(err.code(), Code::Unavailable);
    }

    #[test]
    fn an_io_cause_is_a_transport_failure() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "Connection refused");
        let status = tonic::Status::from_error(Box::new(io));
        let err = status_to_error("GetSystemInfo", status);
        assert_eq!(err.origin(), ErrorOrigin::Transport);
        assert!(err.is_transport());
        assert!(err.message().contains("Connection refused"), "{err}");
    }

    #[test]
    fn another_client_side_cause_is_local() {
        #[derive(Debug, thiserror::Error)]
        #[error("rate limited by a layer")]
        struct Refused;
        let status = tonic::Status::from_error(Box::new(Refused));
        let err = status_to_error("GetSystemInfo", status);
        assert_eq!(err.origin(), ErrorOrigin::Local);
        assert!(err.message().contains("rate limited by a layer"), "{err}");
    }
}
