//! `WorkflowHandle`: one workflow execution (or chain of runs), and what you can do
//! with it. The operations themselves live in [`crate::operations`].

use std::fmt;
use std::marker::PhantomData;

use temporal_client_core::builders::ExecutionTarget;

use crate::client::Client;
use crate::error::Error;
use crate::interceptor::StartWorkflowOutput;

/// A handle to a workflow execution: its id, and optionally a run id and the first run
/// of its chain. `R` is the workflow's result type.
///
/// - A handle from [`Client::get_handle`] targets the latest run of the id.
/// - [`for_run`](Self::for_run) pins it to one run; [`for_chain`](Self::for_chain)
///   restricts cancel, terminate and update to one chain of runs (the server's rule).
/// - A handle from [`Client::start`] remembers the run it started (where `result()`
///   begins) and the chain's first run, but its other operations target the latest
///   run of that chain, as in the other SDKs.
///
/// Getting a handle does no RPC. Every way to derive a handle from another
/// ([`with_result_type`](Self::with_result_type), [`follow_runs`](Self::follow_runs),
/// `clone`) keeps what it targets.
pub struct WorkflowHandle<R> {
    pub(crate) client: Client,
    pub(crate) workflow_id: String,
    pub(crate) run_id: Option<String>,
    pub(crate) first_execution_run_id: Option<String>,
    pub(crate) follow_runs: bool,
    /// Whether RPCs target `run_id` exactly (a handle for a given run) or the latest
    /// run of the chain (a handle from `start`, as in the other SDKs).
    pub(crate) pinned: bool,
    _result: PhantomData<fn() -> R>,
}

impl<R> Clone for WorkflowHandle<R> {
    fn clone(&self) -> Self {
        self.retyped()
    }
}

impl<R> fmt::Debug for WorkflowHandle<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkflowHandle")
            .field("workflow_id", &self.workflow_id)
            .field("run_id", &self.run_id)
            .field("first_execution_run_id", &self.first_execution_run_id)
            .field("follow_runs", &self.follow_runs)
            .field("pinned", &self.pinned)
            .finish()
    }
}

impl<R> WorkflowHandle<R> {
    /// A handle to the latest run of `workflow_id`.
    pub(crate) fn new(client: Client, workflow_id: String) -> Self {
        Self {
            client,
            workflow_id,
            run_id: None,
            first_execution_run_id: None,
            follow_runs: true,
            pinned: false,
            _result: PhantomData,
        }
    }

    /// A handle to the run a start (or signal-with-start, update-with-start) reported:
    /// `result()` starts from that run, and the other operations target the latest run
    /// of its chain. When the start used an existing run (`started == false`, per the id
    /// conflict policy), the run is not known to be the chain's first.
    pub(crate) fn started(
        client: Client,
        workflow_id: String,
        output: StartWorkflowOutput,
        follow_runs: bool,
    ) -> Self {
        Self {
            client,
            workflow_id,
            first_execution_run_id: output.started.then(|| output.run_id.clone()),
            run_id: Some(output.run_id),
            follow_runs,
            pinned: false,
            _result: PhantomData,
        }
    }

    /// The same targeting state with any result type.
    fn retyped<T>(&self) -> WorkflowHandle<T> {
        WorkflowHandle {
            client: self.client.clone(),
            workflow_id: self.workflow_id.clone(),
            run_id: self.run_id.clone(),
            first_execution_run_id: self.first_execution_run_id.clone(),
            follow_runs: self.follow_runs,
            pinned: self.pinned,
            _result: PhantomData,
        }
    }

    /// Pins the handle to one run: every operation targets `run_id` exactly. Signals,
    /// queries and the rest then fail with not-found (or act on a closed run) once the
    /// workflow continued as new.
    pub fn for_run(mut self, run_id: impl Into<String>) -> Self {
        let run_id = run_id.into();
        self.pinned = !run_id.is_empty();
        self.run_id = Some(run_id).filter(|r| !r.is_empty());
        self
    }

    /// Restricts cancel, terminate and update to the chain of runs that started with
    /// this run: they never act on a later, unrelated workflow with the same id.
    pub fn for_chain(mut self, first_execution_run_id: impl Into<String>) -> Self {
        self.first_execution_run_id = Some(first_execution_run_id.into()).filter(|r| !r.is_empty());
        self
    }

    /// Whether [`result`](Self::result) follows continue-as-new, retry and cron runs
    /// (default `true`, as TypeScript's `followRuns`).
    pub fn follow_runs(mut self, follow: bool) -> Self {
        self.follow_runs = follow;
        self
    }

    /// The same execution, targeted the same way, with another result type.
    pub fn with_result_type<T>(self) -> WorkflowHandle<T> {
        self.retyped()
    }

    /// The workflow id.
    pub fn workflow_id(&self) -> &str {
        &self.workflow_id
    }

    /// The run this handle was made for: the run `start` started, or the run given to
    /// [`for_run`](Self::for_run). `None` for a handle by workflow id alone.
    pub fn run_id(&self) -> Option<&str> {
        self.run_id.as_deref()
    }

    /// The first run of the chain this handle targets, if known.
    pub fn first_execution_run_id(&self) -> Option<&str> {
        self.first_execution_run_id.as_deref()
    }

    /// The client this handle uses.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The run id RPCs target: the pinned run, or `None` for the latest run.
    pub(crate) fn target_run_id(&self) -> Option<String> {
        if self.pinned {
            self.run_id.clone()
        } else {
            None
        }
    }

    /// What the requests target, as the core builders take it.
    pub(crate) fn execution_target<'a>(
        workflow_id: &'a str,
        run_id: &'a Option<String>,
        first_execution_run_id: &'a Option<String>,
    ) -> ExecutionTarget<'a> {
        ExecutionTarget {
            workflow_id,
            run_id: run_id.as_deref().unwrap_or_default(),
            first_execution_run_id: first_execution_run_id.as_deref().unwrap_or_default(),
        }
    }

    /// Maps an RPC error for an operation on this execution.
    pub(crate) fn map_err(&self, err: temporal_client_core::ServiceError) -> Error {
        Error::for_execution(
            err,
            self.client.namespace(),
            &self.workflow_id,
            self.run_id.as_deref(),
        )
    }
}
