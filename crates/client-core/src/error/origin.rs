//! [`ErrorOrigin`]: where a service error came from (server, transport, TLS, client
//! deadline, or the client itself).

use std::fmt;

// Only the doc links name it.
#[cfg(doc)]
use super::service_error::ServiceError;

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
    pub(super) fn plain_words(self) -> &'static str {
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
