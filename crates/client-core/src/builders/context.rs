//! [`RequestContext`]: what every request of one client shares (namespace, identity),
//! and [`ExecutionTarget`]: which workflow execution a request is about.
//!
//! The request builders are methods of the context that take one spec value per
//! operation, in the style of kube-core's request builders: the context holds what does
//! not change between calls, the spec what does.
//!
//! ```
//! use temporal_client_core::builders::{ExecutionTarget, RequestContext, SignalSpec};
//!
//! let ctx = RequestContext::new("default", "worker-1@host");
//! let request = ctx.signal(SignalSpec {
//!     target: ExecutionTarget::latest("order-42"),
//!     signal_name: "approve",
//!     ..Default::default()
//! })?;
//! assert_eq!(request.namespace, "default");
//! assert_eq!(request.signal_name, "approve");
//! # Ok::<(), temporal_client_core::InvalidRequest>(())
//! ```

use temporal_proto::temporal::api::common::v1::WorkflowExecution;

/// The namespace and identity every request of a client carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestContext<'a> {
    /// The namespace the requests address.
    pub namespace: &'a str,
    /// The identity recorded with mutating requests (`pid@hostname` by default in the
    /// client).
    pub identity: &'a str,
}

impl<'a> RequestContext<'a> {
    /// A context for `namespace`, sending `identity`.
    pub fn new(namespace: &'a str, identity: &'a str) -> Self {
        Self {
            namespace,
            identity,
        }
    }
}

/// The workflow execution a request targets.
///
/// An empty `run_id` means the latest run of the workflow id. A non-empty
/// `first_execution_run_id` restricts cancel, terminate and update to the chain of runs
/// that started with that run (the server's rule), so a handle never acts on a later,
/// unrelated workflow that reuses the id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExecutionTarget<'a> {
    /// The workflow id.
    pub workflow_id: &'a str,
    /// The run id, or `""` for the latest run.
    pub run_id: &'a str,
    /// The first run of the chain, or `""`.
    pub first_execution_run_id: &'a str,
}

impl<'a> ExecutionTarget<'a> {
    /// The latest run of `workflow_id`.
    pub fn latest(workflow_id: &'a str) -> Self {
        Self {
            workflow_id,
            ..Self::default()
        }
    }

    /// One run of `workflow_id` (`""` for the latest).
    pub fn run(workflow_id: &'a str, run_id: &'a str) -> Self {
        Self {
            workflow_id,
            run_id,
            first_execution_run_id: "",
        }
    }

    /// The proto execution reference.
    pub(crate) fn execution(&self) -> Option<WorkflowExecution> {
        Some(WorkflowExecution {
            workflow_id: self.workflow_id.to_owned(),
            run_id: self.run_id.to_owned(),
        })
    }
}
