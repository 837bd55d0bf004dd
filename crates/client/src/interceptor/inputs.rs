//! The input and output of each intercepted operation.
//!
//! Inputs are `#[non_exhaustive]`: interceptors read and change them, the client builds
//! them. Argument payloads are the payload converter's output; the codecs run after
//! the last interceptor (and, for outputs, before the first one sees them).

use std::collections::HashMap;

use temporal_client_core::CallOptions;
use temporal_client_core::builders::HistoryFilter;
use temporal_client_core::options::{QueryRejectCondition, UpdateWaitStage, WorkflowOptions};
use temporal_client_core::proto::temporal::api::common::v1::Payload;
use temporal_client_core::proto::temporal::api::history::v1::HistoryEvent;
use temporal_client_core::proto::temporal::api::update::v1::Outcome;

use crate::description::WorkflowExecution;

/// The Temporal `header`: named payloads that travel with a start, signal, query or
/// update to the worker's interceptors (tracing context, tenant, auth, ...). Sent as
/// they are: codecs do not apply to headers.
pub type Headers = HashMap<String, Payload>;

/// Input of [`Interceptor::start_workflow`](super::Interceptor::start_workflow).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StartWorkflowInput {
    /// The workflow type name.
    pub workflow_type: String,
    /// Id, task queue and every other start option (the arguments are in `args`).
    pub options: WorkflowOptions,
    /// The workflow's arguments, one payload each.
    pub args: Vec<Payload>,
    /// The Temporal header sent with the start.
    pub headers: Headers,
    /// Timeout, metadata and retry of the RPC.
    pub call: CallOptions,
}

/// Output of a start (and of signal-with-start).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StartWorkflowOutput {
    /// The run id of the started (or, per the id conflict policy, running) workflow.
    pub run_id: String,
    /// Whether this call started a new run (`false` when an existing run was used).
    pub started: bool,
}

/// Input of [`Interceptor::signal_with_start`](super::Interceptor::signal_with_start).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SignalWithStartInput {
    /// The workflow type name.
    pub workflow_type: String,
    /// Id, task queue and every other start option.
    pub options: WorkflowOptions,
    /// The workflow's arguments, one payload each.
    pub args: Vec<Payload>,
    /// The signal name.
    pub signal_name: String,
    /// The signal's arguments, one payload each.
    pub signal_args: Vec<Payload>,
    /// The Temporal header (one for the start and the signal).
    pub headers: Headers,
    /// Timeout, metadata and retry of the RPC.
    pub call: CallOptions,
}

/// Input of [`Interceptor::signal_workflow`](super::Interceptor::signal_workflow).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SignalWorkflowInput {
    /// The workflow id.
    pub workflow_id: String,
    /// The run, or `None` for the latest run.
    pub run_id: Option<String>,
    /// The signal name.
    pub signal_name: String,
    /// The arguments, one payload each.
    pub args: Vec<Payload>,
    /// The Temporal header.
    pub headers: Headers,
    /// Timeout, metadata and retry of the RPC.
    pub call: CallOptions,
}

/// Input of [`Interceptor::query_workflow`](super::Interceptor::query_workflow).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct QueryWorkflowInput {
    /// The workflow id.
    pub workflow_id: String,
    /// The run, or `None` for the latest run.
    pub run_id: Option<String>,
    /// The query name.
    pub query_type: String,
    /// The arguments, one payload each.
    pub args: Vec<Payload>,
    /// When the server refuses the query instead of asking a worker.
    pub reject_condition: QueryRejectCondition,
    /// The Temporal header.
    pub headers: Headers,
    /// Timeout, metadata and retry of the RPC.
    pub call: CallOptions,
}

/// Output of a query: the answer's payloads (after the codecs), empty for a query
/// that returned nothing.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct QueryWorkflowOutput {
    /// The answer.
    pub result: Vec<Payload>,
}

/// Input of [`Interceptor::start_update`](super::Interceptor::start_update).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StartUpdateInput {
    /// The workflow id.
    pub workflow_id: String,
    /// The run, or `None` for the latest run.
    pub run_id: Option<String>,
    /// The first run of the chain the update is restricted to, if any.
    pub first_execution_run_id: Option<String>,
    /// The update id; `None` means a fresh UUID.
    pub update_id: Option<String>,
    /// The update name.
    pub update_name: String,
    /// The arguments, one payload each.
    pub args: Vec<Payload>,
    /// The stage the call waits for.
    pub wait_stage: UpdateWaitStage,
    /// The Temporal header.
    pub headers: Headers,
    /// Timeout, metadata and retry of each RPC.
    pub call: CallOptions,
}

/// Output of starting an update.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StartUpdateOutput {
    /// The update id (the given one, or the generated UUID).
    pub update_id: String,
    /// The run the update was sent to (empty when the server did not say).
    pub run_id: String,
    /// The outcome, when the update completed already (or was rejected).
    pub outcome: Option<Outcome>,
}

/// Input of [`Interceptor::poll_update`](super::Interceptor::poll_update).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PollUpdateInput {
    /// The workflow id.
    pub workflow_id: String,
    /// The run, or `None` for the latest run.
    pub run_id: Option<String>,
    /// The update id.
    pub update_id: String,
    /// Timeout, metadata and retry of the RPC.
    pub call: CallOptions,
}

/// Output of one update poll: the outcome, or `None` when the long poll expired first.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PollUpdateOutput {
    /// The outcome, once the update completed.
    pub outcome: Option<Outcome>,
}

/// Input of [`Interceptor::update_with_start`](super::Interceptor::update_with_start).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UpdateWithStartInput {
    /// The start half (its `call` is the RPC's options).
    pub start: StartWorkflowInput,
    /// The update half (its workflow id is the start's; run ids must be unset).
    pub update: StartUpdateInput,
}

/// Output of update-with-start.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UpdateWithStartOutput {
    /// The start half.
    pub start: StartWorkflowOutput,
    /// The update half.
    pub update: StartUpdateOutput,
}

/// Input of [`Interceptor::cancel_workflow`](super::Interceptor::cancel_workflow).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CancelWorkflowInput {
    /// The workflow id.
    pub workflow_id: String,
    /// The run, or `None` for the latest run.
    pub run_id: Option<String>,
    /// The first run of the chain the cancel is restricted to, if any.
    pub first_execution_run_id: Option<String>,
    /// Why, recorded in the history.
    pub reason: String,
    /// Timeout, metadata and retry of the RPC.
    pub call: CallOptions,
}

/// Input of [`Interceptor::terminate_workflow`](super::Interceptor::terminate_workflow).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TerminateWorkflowInput {
    /// The workflow id.
    pub workflow_id: String,
    /// The run, or `None` for the latest run.
    pub run_id: Option<String>,
    /// The first run of the chain the termination is restricted to, if any.
    pub first_execution_run_id: Option<String>,
    /// Why, recorded in the history.
    pub reason: String,
    /// Details recorded with the termination, one payload each.
    pub details: Vec<Payload>,
    /// Timeout, metadata and retry of the RPC.
    pub call: CallOptions,
}

/// Input of [`Interceptor::describe_workflow`](super::Interceptor::describe_workflow).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DescribeWorkflowInput {
    /// The workflow id.
    pub workflow_id: String,
    /// The run, or `None` for the latest run.
    pub run_id: Option<String>,
    /// Timeout, metadata and retry of the RPC.
    pub call: CallOptions,
}

/// Input of [`Interceptor::list_workflows`](super::Interceptor::list_workflows): one
/// page.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ListWorkflowsInput {
    /// The visibility query.
    pub query: String,
    /// Executions per page; 0 lets the server choose.
    pub page_size: i32,
    /// The token of this page (empty for the first).
    pub next_page_token: Vec<u8>,
    /// Timeout, metadata and retry of the RPC.
    pub call: CallOptions,
}

/// Output of one list page.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ListWorkflowsOutput {
    /// The executions of the page.
    pub executions: Vec<WorkflowExecution>,
    /// The token of the next page; empty on the last page.
    pub next_page_token: Vec<u8>,
}

/// Input of [`Interceptor::count_workflows`](super::Interceptor::count_workflows).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CountWorkflowsInput {
    /// The visibility query.
    pub query: String,
    /// Timeout, metadata and retry of the RPC.
    pub call: CallOptions,
}

/// Input of [`Interceptor::fetch_history`](super::Interceptor::fetch_history): one
/// page, or one close-event long poll.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FetchHistoryInput {
    /// The workflow id.
    pub workflow_id: String,
    /// The run, or `None` for the latest run.
    pub run_id: Option<String>,
    /// All events, or the close event only (a long poll).
    pub filter: HistoryFilter,
    /// The token of this page (empty for the first).
    pub next_page_token: Vec<u8>,
    /// Events per page; 0 lets the server choose.
    pub page_size: i32,
    /// Timeout, metadata and retry of the RPC.
    pub call: CallOptions,
}

/// Output of one history page.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FetchHistoryOutput {
    /// The events of the page (for a close-event poll, the close event or nothing).
    pub events: Vec<HistoryEvent>,
    /// The token of the next page; empty on the last page.
    pub next_page_token: Vec<u8>,
}
