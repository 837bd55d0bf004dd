//! The inputs of the async activity completion operations
//! ([`AsyncActivityHandle`](crate::activity::AsyncActivityHandle)).
//!
//! Values are payloads after the payload converter and before the codecs, as for the
//! workflow operations; the failure of `fail` is a [`TemporalFailure`] the terminal
//! converts with the client's failure converter and codecs.

use temporal_client_core::CallOptions;
use temporal_client_core::failure::TemporalFailure;
use temporal_client_core::proto::temporal::api::common::v1::Payload;

use crate::activity::ActivityRef;

/// Input of [`Interceptor::complete_async_activity`](super::Interceptor::complete_async_activity).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CompleteAsyncActivityInput {
    /// The activity: task token, or workflow id, run id and activity id.
    pub activity: ActivityRef,
    /// The result: one payload, or none for no result.
    pub result: Vec<Payload>,
    /// Timeout, metadata and retry of the RPC.
    pub call: CallOptions,
}

/// Input of [`Interceptor::fail_async_activity`](super::Interceptor::fail_async_activity).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FailAsyncActivityInput {
    /// The activity.
    pub activity: ActivityRef,
    /// The failure the workflow sees as the activity failure's cause.
    pub failure: TemporalFailure,
    /// Heartbeat details recorded with the failure (empty: none).
    pub last_heartbeat_details: Vec<Payload>,
    /// Timeout, metadata and retry of the RPC.
    pub call: CallOptions,
}

/// Input of [`Interceptor::heartbeat_async_activity`](super::Interceptor::heartbeat_async_activity).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HeartbeatAsyncActivityInput {
    /// The activity.
    pub activity: ActivityRef,
    /// The heartbeat details, one payload per value.
    pub details: Vec<Payload>,
    /// Timeout, metadata and retry of the RPC.
    pub call: CallOptions,
}

/// Input of
/// [`Interceptor::report_async_activity_cancellation`](super::Interceptor::report_async_activity_cancellation).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReportAsyncActivityCancellationInput {
    /// The activity.
    pub activity: ActivityRef,
    /// The cancellation details, one payload per value.
    pub details: Vec<Payload>,
    /// Timeout, metadata and retry of the RPC.
    pub call: CallOptions,
}
