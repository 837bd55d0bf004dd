//! [`Code`]: the gRPC status code, its numeric mapping, its canonical name and its
//! plain-words description.

use std::fmt;

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

    pub(super) fn plain_words(self) -> &'static str {
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
