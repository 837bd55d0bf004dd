//! Failures: the proto `temporal.api.failure.v1.Failure` as a Rust error type.
//!
//! - [`TemporalFailure`] is the error (message, stack trace, kind, cause chain), with
//!   lossless [`from_proto`](TemporalFailure::from_proto) /
//!   [`to_proto`](TemporalFailure::to_proto).
//! - [`FailureKind`] says what kind of failure it is (application error, cancellation,
//!   timeout, activity or child workflow failure, ...), with the kind's fields.
//! - [`FailureConverter`] holds the options of the
//!   [`DataConverter`](crate::payload::DataConverter), which runs codecs over the
//!   payloads inside failures (`encode_failure` / `decode_failure`).

mod codec;
mod converter;
mod kind;
mod temporal_failure;

pub(crate) use codec::apply_codecs;
pub use converter::{ENCODED_FAILURE_MESSAGE, FailureConverter};
pub(crate) use converter::{decode_common_attributes, encode_common_attributes};
pub use kind::FailureKind;
pub use temporal_failure::TemporalFailure;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests;
