#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod builders;
mod call;
pub mod cron;
mod error;
pub mod failure;
#[cfg(feature = "tonic")]
pub mod grpc;
pub mod identity;
pub mod options;
pub mod payload;
pub mod rfc3339;
pub mod schedule;
pub mod search_attributes;
// mockall generates `pub` helpers inside this module that are not re-exported.
#[allow(unreachable_pub)]
mod service;
mod validation;

pub use call::{CallOptions, RetryOverride, RpcRetryConfig, ServiceRequest};
pub use error::{Code, ErrorDetails, ErrorOrigin, ServiceError, is_retryable_code};
pub use failure::{FailureKind, TemporalFailure};
pub use payload::{
    Binary, DataConverter, FromPayloads, PayloadCodec, PayloadConverter, PayloadError, ToPayloads,
};
#[cfg(feature = "mock")]
pub use service::{MockOperatorService, MockWorkflowService};
pub use service::{OPERATOR_SERVICE_RPCS, OperatorService, WORKFLOW_SERVICE_RPCS, WorkflowService};
pub use validation::{InvalidRequest, validate_cron_schedule};

/// The generated Temporal API, re-exported so users of this crate need no other.
pub use temporal_proto as proto;
