#![doc = include_str!("../README.md")]

mod call;
mod error;
// mockall generates `pub` helpers inside this module that are not re-exported.
#[allow(unreachable_pub)]
mod service;

pub use call::{CallOptions, RetryOverride, RpcRetryConfig, ServiceRequest};
pub use error::{Code, ErrorDetails, ServiceError, is_retryable_code};
#[cfg(feature = "mock")]
pub use service::{MockOperatorService, MockWorkflowService};
pub use service::{OPERATOR_SERVICE_RPCS, OperatorService, WORKFLOW_SERVICE_RPCS, WorkflowService};

/// The generated Temporal API, re-exported so users of this crate need no other.
pub use temporal_proto as proto;
