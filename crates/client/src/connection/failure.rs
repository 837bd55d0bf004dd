//! What actually happened when an attempt failed, read from the `tonic::Status` and its
//! chain of causes rather than from its (lossy) code, and what that allows a retry to do.
//!
//! tonic reports a connection closed under a call as `CANCELLED` ("operation was
//! canceled: connection closed"), a reset stream as `INTERNAL`, a GOAWAY with
//! `ENHANCE_YOUR_CALM` as `RESOURCE_EXHAUSTED`, and its own decode limit as
//! `OUT_OF_RANGE`: none of those codes says what happened. Here the chain (hyper, h2,
//! I/O, rustls errors) decides:
//!
//! | what happened | kind | retried |
//! |---|---|---|
//! | the server answered with a status | [`Server`](FailureKind::Server) | by its code |
//! | no connection (refused, connect timeout, name lookup, HTTP/2 handshake), the request queued on a connection that closed before sending it, a stream the server refused (`REFUSED_STREAM`) or excluded by a graceful GOAWAY | [`NotDelivered`](FailureKind::NotDelivered) | always, as `UNAVAILABLE` |
//! | the connection closed, was reset or went away while the request was out (I/O error, `RST_STREAM`, a GOAWAY with an error code, an incomplete response) | [`ConnectionLost`](FailureKind::ConnectionLost) | only for a call safe to repeat ([`is_idempotent`](super::idempotency::is_idempotent)), as `UNAVAILABLE` |
//! | a certificate or handshake failure | [`Tls`](FailureKind::Tls) | never |
//! | the response is above the client's decode limit | [`LocalLimit`](FailureKind::LocalLimit) | never |

use std::error::Error as StdError;

use temporal_client_core::{Code, ErrorOrigin, ServiceError};

use super::error::status_to_error;
use super::h2_channel::ConnectFailure;
use super::retry::is_tls_failure;

/// What happened to a failed attempt (see the module table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FailureKind {
    /// The server answered with a status.
    Server,
    /// The request did not reach the server's application: it is safe to send again,
    /// whatever the RPC.
    NotDelivered,
    /// The connection failed while the request was out: the server may have applied it.
    ConnectionLost,
    /// A TLS certificate or handshake failure.
    Tls,
    /// A limit of the client itself (decode or encode size): the same call fails again.
    LocalLimit,
    /// Something else in the client (a user layer's error), or the caller's deadline.
    Local,
}

impl FailureKind {
    /// Whether a retry may help at all, before the code and the RPC are looked at.
    pub(crate) fn may_retry(self, idempotent: bool) -> bool {
        match self {
            Self::Server | Self::NotDelivered | Self::Local => true,
            Self::ConnectionLost => idempotent,
            Self::Tls | Self::LocalLimit => false,
        }
    }
}

/// The prefix of tonic's error for a response above `max_decoding_message_size`.
const DECODE_LIMIT_MESSAGE: &str = "Error, decoded message length too large";

/// Reads a status returned by tonic for `rpc`: what happened, and the error the caller
/// sees. Transport failures become `UNAVAILABLE` of origin
/// [`Transport`](ErrorOrigin::Transport) (whatever code tonic chose), a TLS failure
/// keeps its code with origin [`Tls`](ErrorOrigin::Tls), the decode limit becomes
/// `RESOURCE_EXHAUSTED` of origin [`Local`](ErrorOrigin::Local) naming the limit.
pub(crate) fn classify(rpc: &'static str, status: tonic::Status) -> (ServiceError, FailureKind) {
    if is_tls_failure(&status) {
        return (
            status_to_error(rpc, status).with_origin(ErrorOrigin::Tls),
            FailureKind::Tls,
        );
    }
    if StdError::source(&status).is_none() {
        if status.code() == tonic::Code::OutOfRange
            && status.message().starts_with(DECODE_LIMIT_MESSAGE)
        {
            let message = format!(
                "the response is larger than the client accepts (decoded message length too \
                 large{}); raise ConnectionOptions::max_decoding_message_size to read it",
                status
                    .message()
                    .strip_prefix(DECODE_LIMIT_MESSAGE)
                    .unwrap_or_default()
            );
            return (
                ServiceError::new(rpc, Code::ResourceExhausted, message)
                    .with_origin(ErrorOrigin::Local)
                    .with_source(status),
                FailureKind::LocalLimit,
            );
        }
        return (status_to_error(rpc, status), FailureKind::Server);
    }
    match transport_kind(&status) {
        Some(kind) => {
            let error = status_to_error(rpc, status);
            let what = match kind {
                FailureKind::NotDelivered => "the request was not delivered",
                _ => "the connection failed while the request was out",
            };
            let message = format!("{what}: {}", error.message());
            (
                ServiceError::new(rpc, Code::Unavailable, message)
                    .with_origin(ErrorOrigin::Transport)
                    .with_source(error),
                kind,
            )
        }
        None => {
            let error = status_to_error(rpc, status);
            let kind = if error.origin() == ErrorOrigin::Transport {
                FailureKind::ConnectionLost
            } else {
                FailureKind::Local
            };
            (error, kind)
        }
    }
}

/// The transport failure in the chain of `status`, if there is one: the innermost
/// facts decide (an h2 error, then hyper's own state, then an I/O error); a tonic
/// transport error with none of them under it counts as lost.
fn transport_kind(status: &tonic::Status) -> Option<FailureKind> {
    let root: &(dyn StdError + 'static) = status;
    // No connection, so no request: whatever the I/O error (a refusal, a connect
    // timeout, a failed name lookup, the HTTP/2 handshake).
    if find::<ConnectFailure>(root).is_some() {
        return Some(FailureKind::NotDelivered);
    }
    if let Some(h2) = find::<h2::Error>(root) {
        return Some(h2_kind(h2));
    }
    if let Some(hyper) = find::<hyper::Error>(root) {
        // Canceled: the request was still queued when the connection closed.
        // Closed: the connection was gone before the request was handed over.
        if hyper.is_canceled() || hyper.is_closed() {
            return Some(FailureKind::NotDelivered);
        }
    }
    if let Some(io) = find::<std::io::Error>(root) {
        return Some(io_kind(io));
    }
    if find::<hyper::Error>(root).is_some() {
        return Some(FailureKind::ConnectionLost);
    }
    None
}

/// An h2 error: a refused stream, or a graceful GOAWAY that excluded the stream, were
/// not processed (RFC 9113 §8.7). A GOAWAY with an error code is also delivered to the
/// streams the server had taken (h2 does not tell them apart), so it counts as lost, as
/// does a reset or an I/O failure: they may come after processing.
fn h2_kind(error: &h2::Error) -> FailureKind {
    if error.is_go_away() && error.is_remote() && error.reason() == Some(h2::Reason::NO_ERROR) {
        return FailureKind::NotDelivered;
    }
    if error.reason() == Some(h2::Reason::REFUSED_STREAM) {
        return FailureKind::NotDelivered;
    }
    if let Some(io) = error.get_io() {
        return io_kind(io);
    }
    FailureKind::ConnectionLost
}

/// An I/O error: a refused connect delivered nothing; any other may come after sending.
fn io_kind(error: &std::io::Error) -> FailureKind {
    match error.kind() {
        std::io::ErrorKind::ConnectionRefused
        | std::io::ErrorKind::AddrNotAvailable
        | std::io::ErrorKind::NotConnected => FailureKind::NotDelivered,
        _ => FailureKind::ConnectionLost,
    }
}

fn find<'a, T: StdError + 'static>(error: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut cause = error.source();
    while let Some(err) = cause {
        if let Some(found) = err.downcast_ref::<T>() {
            return Some(found);
        }
        cause = err.source();
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn status_from(error: impl StdError + Send + Sync + 'static) -> tonic::Status {
        let mut status = tonic::Status::cancelled("operation was canceled");
        status.set_source(std::sync::Arc::new(error));
        status
    }

    /// A connect that failed sent nothing, whatever its I/O error says: a timeout or a
    /// failed lookup is as safe to retry, for any RPC, as a refusal.
    #[test]
    fn every_connect_failure_is_not_delivered() {
        use std::io::{Error, ErrorKind};
        for (what, error) in [
            (
                "no connection",
                Error::new(ErrorKind::TimedOut, "not connected within 1s"),
            ),
            (
                "could not connect to nowhere.invalid:7233",
                Error::other("failed to lookup address"),
            ),
            (
                "could not connect to h:1",
                Error::new(ErrorKind::ConnectionRefused, "refused"),
            ),
            (
                "the HTTP/2 handshake failed",
                Error::new(ErrorKind::BrokenPipe, "broken pipe"),
            ),
        ] {
            let status = super::super::h2_channel::ConnectFailure::new(what, error).to_status();
            let (error, kind) = classify("DeleteSchedule", status);
            assert_eq!(kind, FailureKind::NotDelivered, "{what}");
            assert!(kind.may_retry(false), "{what}");
            assert_eq!(error.code(), Code::Unavailable);
            assert!(
                error
                    .message()
                    .starts_with("the request was not delivered: ")
                    && error.message().contains(what),
                "{error}"
            );
        }
    }

    #[test]
    fn a_status_without_a_cause_is_the_servers_and_keeps_its_code() {
        let (error, kind) = classify("X", tonic::Status::cancelled("the server said so"));
        assert_eq!(kind, FailureKind::Server);
        assert_eq!(error.code(), Code::Cancelled);
        assert_eq!(error.origin(), ErrorOrigin::Server);
        let (error, kind) = classify("X", tonic::Status::out_of_range("page token too old"));
        assert_eq!(kind, FailureKind::Server);
        assert_eq!(error.code(), Code::OutOfRange);
    }

    #[test]
    fn the_decode_limit_is_local_names_the_limit_and_is_never_retried() {
        let status = tonic::Status::out_of_range(
            "Error, decoded message length too large: found 2000 bytes, the limit is: 1000 bytes",
        );
        let (error, kind) = classify("DescribeWorkflowExecution", status);
        assert_eq!(kind, FailureKind::LocalLimit);
        assert!(!kind.may_retry(true));
        assert_eq!(error.origin(), ErrorOrigin::Local);
        assert!(!error.is_retryable(), "{error}");
        let text = error.to_string();
        assert!(text.contains("max_decoding_message_size"), "{text}");
        assert!(text.contains("the limit is: 1000 bytes"), "{text}");
    }

    #[test]
    fn a_reset_stream_is_a_lost_connection_and_a_refused_one_was_not_delivered() {
        let (error, kind) = classify(
            "StartWorkflowExecution",
            status_from(h2::Error::from(h2::Reason::INTERNAL_ERROR)),
        );
        assert_eq!(kind, FailureKind::ConnectionLost);
        assert_eq!(error.code(), Code::Unavailable);
        assert_eq!(error.origin(), ErrorOrigin::Transport);
        assert!(kind.may_retry(true) && !kind.may_retry(false));

        let (error, kind) = classify(
            "SignalWorkflowExecution",
            status_from(h2::Error::from(h2::Reason::REFUSED_STREAM)),
        );
        assert_eq!(kind, FailureKind::NotDelivered);
        assert!(kind.may_retry(false));
        assert_eq!(error.code(), Code::Unavailable);
        assert!(error.message().contains("not delivered"), "{error}");
    }

    #[test]
    fn io_errors_tell_a_refused_connect_from_a_reset() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert_eq!(
            classify("X", status_from(refused)).1,
            FailureKind::NotDelivered
        );
        let reset = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer");
        let (error, kind) = classify("X", status_from(reset));
        assert_eq!(kind, FailureKind::ConnectionLost);
        assert_eq!(error.code(), Code::Unavailable);
        assert!(error.message().contains("reset by peer"), "{error}");
    }

    #[test]
    fn a_cancelled_status_from_a_transport_cause_is_not_cancelled() {
        let broken = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "connection closed");
        let (error, _) = classify("GetWorkflowExecutionHistory", status_from(broken));
        assert_ne!(error.code(), Code::Cancelled);
        assert!(error.is_retryable());
        assert!(error.is_transport());
    }

    #[test]
    fn another_client_side_cause_stays_local() {
        #[derive(Debug, thiserror::Error)]
        #[error("refused by a layer")]
        struct Refused;
        let (error, kind) = classify("X", status_from(Refused));
        assert_eq!(kind, FailureKind::Local);
        assert_eq!(error.origin(), ErrorOrigin::Local);
    }
}
