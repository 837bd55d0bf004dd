//! What the fake stores: namespaces, workflow executions (chains of runs) and runs.
// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, SystemTime};

use temporal_client_core::{Code, ServiceError};
use temporal_proto::temporal::api::common::v1::{Header, Payload, Payloads, RetryPolicy};
use temporal_proto::temporal::api::enums::v1::{
    UpdateWorkflowExecutionLifecycleStage as Stage, WorkflowExecutionStatus as Status,
};
use temporal_proto::temporal::api::sdk::v1::UserMetadata;
use temporal_proto::temporal::api::update::v1 as update;

use super::history::History;
use super::workflows::{BoxFuture, WorkflowContext, WorkflowFailure, WorkflowResult};

/// One namespace.
#[derive(Default)]
pub(crate) struct Namespace {
    pub(crate) name: String,
    pub(crate) id: String,
    pub(crate) runs: HashMap<String, Run>,
    pub(crate) executions: HashMap<String, Execution>,
    /// Description, owner and retention (see `rpc/namespace.rs`).
    pub(crate) meta: crate::fake::rpc::namespace::NamespaceMeta,
}

/// All runs that share a workflow id, oldest first; the last is the current one.
#[derive(Default)]
pub(crate) struct Execution {
    pub(crate) runs: Vec<String>,
    /// Start request ids already served, and the run each one started.
    pub(crate) request_ids: HashMap<String, String>,
}

impl Execution {
    pub(crate) fn current(&self) -> Option<&str> {
        self.runs.last().map(String::as_str)
    }
}

/// The futures of a running fake workflow: the main one and accepted update handlers.
#[derive(Default)]
pub(crate) struct RunTask {
    pub(crate) main: Option<BoxFuture<WorkflowResult>>,
    pub(crate) handlers: Vec<(String, BoxFuture<Result<Payloads, WorkflowFailure>>)>,
}

/// How far an update got, and its outcome once completed.
pub(crate) struct UpdateState {
    pub(crate) request: update::Request,
    pub(crate) stage: Stage,
    pub(crate) outcome: Option<update::Outcome>,
    /// Set when the run closed before the update completed.
    pub(crate) error: Option<ServiceError>,
}

/// One run of a workflow execution.
pub(crate) struct Run {
    pub(crate) seq: u64,
    pub(crate) workflow_id: String,
    pub(crate) run_id: String,
    pub(crate) workflow_type: String,
    pub(crate) task_queue: String,
    pub(crate) first_execution_run_id: String,
    pub(crate) start_request_id: String,
    pub(crate) status: Status,
    pub(crate) start_time: SystemTime,
    pub(crate) execution_time: SystemTime,
    pub(crate) close_time: Option<SystemTime>,
    pub(crate) history: History,
    pub(crate) memo: BTreeMap<String, Payload>,
    pub(crate) search_attributes: BTreeMap<String, Payload>,
    pub(crate) input: Option<Payloads>,
    pub(crate) header: Option<Header>,
    pub(crate) attempt: i32,
    pub(crate) retry_policy: Option<RetryPolicy>,
    pub(crate) cron_schedule: String,
    pub(crate) execution_timeout: Option<Duration>,
    pub(crate) run_timeout: Option<Duration>,
    pub(crate) task_timeout: Duration,
    pub(crate) execution_expiration: Option<SystemTime>,
    pub(crate) user_metadata: Option<UserMetadata>,
    pub(crate) last_completion_result: Option<Payloads>,
    pub(crate) cancel_requested: bool,
    /// Request ids of the signals recorded on this run: a signal (or signal-with-start)
    /// retried with the same request id is acknowledged and not recorded again, as the
    /// server de-duplicates it.
    pub(crate) signal_request_ids: std::collections::HashSet<String>,
    /// The first workflow task waits for a backoff (start delay, cron, retry).
    pub(crate) awaiting_first_task: bool,
    pub(crate) pending_wft: Option<i64>,
    /// Workflow timers: timer id to `TimerStarted` event id.
    pub(crate) timers: HashMap<u64, i64>,
    pub(crate) updates: HashMap<String, UpdateState>,
    /// Admitted updates not yet validated by the workflow, in arrival order.
    pub(crate) admitted: VecDeque<String>,
    /// Update id to `WorkflowExecutionUpdateAccepted` event id.
    pub(crate) accepted_events: HashMap<String, i64>,
    /// Whether a fake workflow is registered for this run's type and task queue.
    pub(crate) has_worker: bool,
    /// The fake workflow failed its workflow task (e.g. undecodable arguments): the run
    /// stays Running with a workflow task that keeps failing, and makes no progress.
    pub(crate) task_failing: bool,
    pub(crate) ctx: Option<WorkflowContext>,
    pub(crate) task: Option<RunTask>,
    pub(crate) driving: bool,
    pub(crate) redrive: bool,
}

impl Run {
    pub(crate) fn is_open(&self) -> bool {
        self.status == Status::Running
    }
}

/// The server's error for a namespace that does not exist.
pub(crate) fn namespace_not_found(rpc: &'static str, namespace: &str) -> ServiceError {
    use temporal_client_core::ErrorDetails;
    use temporal_proto::temporal::api::errordetails::v1::NamespaceNotFoundFailure;
    ServiceError::new(
        rpc,
        Code::NotFound,
        format!("Namespace {namespace} is not found."),
    )
    .with_details(ErrorDetails::NamespaceNotFound(NamespaceNotFoundFailure {
        namespace: namespace.to_owned(),
    }))
}

/// The server's error for a workflow id (or run) that does not exist.
pub(crate) fn workflow_not_found(rpc: &'static str, workflow_id: &str) -> ServiceError {
    ServiceError::new(
        rpc,
        Code::NotFound,
        format!("workflow not found for ID: {workflow_id}"),
    )
}

/// The server's error for an operation on a closed run.
pub(crate) fn already_completed(rpc: &'static str) -> ServiceError {
    ServiceError::new(rpc, Code::NotFound, "workflow execution already completed")
}

impl Namespace {
    /// Finds a run: `run_id` empty means the current run of `workflow_id`.
    pub(crate) fn resolve(
        &self,
        rpc: &'static str,
        workflow_id: &str,
        run_id: &str,
    ) -> Result<&Run, ServiceError> {
        let run_id = self.resolve_id(rpc, workflow_id, run_id)?;
        self.runs
            .get(&run_id)
            .ok_or_else(|| workflow_not_found(rpc, workflow_id))
    }

    /// The run id `resolve` would find.
    pub(crate) fn resolve_id(
        &self,
        rpc: &'static str,
        workflow_id: &str,
        run_id: &str,
    ) -> Result<String, ServiceError> {
        if workflow_id.is_empty() {
            return Err(ServiceError::new(
                rpc,
                Code::InvalidArgument,
                "WorkflowId is not set on request.",
            ));
        }
        if run_id.is_empty() {
            return self
                .executions
                .get(workflow_id)
                .and_then(Execution::current)
                .map(str::to_owned)
                .ok_or_else(|| workflow_not_found(rpc, workflow_id));
        }
        match self.runs.get(run_id) {
            Some(run) if run.workflow_id == workflow_id => Ok(run_id.to_owned()),
            _ => Err(workflow_not_found(rpc, workflow_id)),
        }
    }
}
