//! The fake's state machine: everything the server knows ([`State`], behind one lock in
//! [`Inner`]), and how runs move through it. `run.rs` creates runs and records workflow
//! tasks, signals and cancellations; `close.rs` closes runs and continues their chains;
//! `retry.rs` is the retry backoff; `timers.rs` fires what falls due; `executor.rs` polls
//! the fake workflows; `commands.rs` turns what a workflow task did into history.

// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use temporal_client_core::ServiceError;
use temporal_proto::temporal::api::common::v1::{
    Header, Memo, Payloads, RetryPolicy, SearchAttributes,
};
use temporal_proto::temporal::api::enums::v1::{
    ContinueAsNewInitiator, IndexedValueType, TaskQueueKind,
};
use temporal_proto::temporal::api::failure::v1::Failure;
use temporal_proto::temporal::api::history::v1::{self as hist};
use temporal_proto::temporal::api::sdk::v1::UserMetadata;
use temporal_proto::temporal::api::taskqueue::v1::TaskQueue;
use tokio::sync::watch;

use crate::fake::clock::{TimerQueue, to_proto_duration};
use crate::fake::ids::IdGenerator;
use crate::fake::store::{Namespace, Run, RunTask, namespace_not_found};
use crate::fake::worker_codec::WorkerCodec;
use crate::fake::workflows::{ContinueAsNew, WorkflowFactory, WorkflowResult};

mod close;
mod commands;
mod executor;
pub(crate) mod retry;
mod run;
mod timers;

/// Identity the fake's built-in worker reports in workflow task events.
pub(crate) const WORKER_IDENTITY: &str = "temporal-testkit-fake-worker";
/// Workflow task timeout when the start request sets none.
pub(crate) const DEFAULT_TASK_TIMEOUT: Duration = Duration::from_secs(10);

/// The shared core of a [`FakeServer`].
pub(crate) struct Inner {
    pub(crate) state: Mutex<State>,
    /// Bumped after every change; long polls wait on it.
    pub(crate) version: watch::Sender<u64>,
}

/// Everything the server knows, behind one lock that is never held across user code or
/// an `.await`.
pub(crate) struct State {
    pub(crate) now: SystemTime,
    pub(crate) ids: IdGenerator,
    pub(crate) namespaces: BTreeMap<String, Namespace>,
    pub(crate) timers: TimerQueue,
    pub(crate) next_seq: u64,
    pub(crate) search_attributes: BTreeMap<String, IndexedValueType>,
    /// Fake workflows by (task queue, workflow type); `None` serves every queue.
    pub(crate) registry: HashMap<(Option<String>, String), WorkflowFactory>,
    /// Runs whose fake workflow must be polled once the lock is released.
    pub(crate) to_drive: Vec<(String, String)>,
    /// Workflow futures of closed runs, dropped once the lock is released.
    pub(crate) garbage: Vec<RunTask>,
    /// Pending fake activities (`activities.rs`).
    pub(crate) activities: crate::fake::activities::PendingActivities,
    /// Schedules (`schedules/`).
    pub(crate) schedules: crate::fake::schedules::Schedules,
    /// The worker-side converter at the fake workflows' boundary (`worker_codec.rs`).
    pub(crate) codec: WorkerCodec,
}

/// How a run closes.
#[derive(Debug, Clone)]
pub(crate) enum Close {
    Completed(Option<Payloads>),
    Failed(Failure),
    Canceled(Option<Payloads>),
    Terminated {
        reason: String,
        details: Option<Payloads>,
        identity: String,
    },
    ContinuedAsNew(ContinueAsNew),
    TimedOut,
}

impl From<WorkflowResult> for Close {
    fn from(r: WorkflowResult) -> Self {
        match r {
            WorkflowResult::Completed(p) => Self::Completed(p),
            WorkflowResult::Failed(f) => Self::Failed(f.into_proto()),
            WorkflowResult::Canceled(d) => Self::Canceled(d),
            WorkflowResult::ContinueAsNew(c) => Self::ContinuedAsNew(c),
        }
    }
}

/// Which workflow task a close event refers to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum WftSource {
    /// None: the server closed the run (timeout, termination).
    None,
    /// Record a completed workflow task first, as a worker's command would.
    Complete,
    /// This `WorkflowTaskCompleted` event.
    Completed(i64),
}

/// Everything a new run starts with.
#[derive(Debug, Clone, Default)]
pub(crate) struct NewRun {
    pub(crate) workflow_id: String,
    pub(crate) run_id: String,
    pub(crate) workflow_type: String,
    pub(crate) task_queue: String,
    pub(crate) first_execution_run_id: String,
    pub(crate) request_id: String,
    pub(crate) identity: String,
    pub(crate) input: Option<Payloads>,
    pub(crate) header: Option<Header>,
    pub(crate) memo: Option<Memo>,
    pub(crate) search_attributes: Option<SearchAttributes>,
    pub(crate) attempt: i32,
    pub(crate) retry_policy: Option<RetryPolicy>,
    pub(crate) cron_schedule: String,
    pub(crate) execution_timeout: Option<Duration>,
    pub(crate) run_timeout: Option<Duration>,
    pub(crate) task_timeout: Duration,
    pub(crate) execution_expiration: Option<SystemTime>,
    pub(crate) backoff: Option<Duration>,
    pub(crate) continued_execution_run_id: String,
    pub(crate) initiator: ContinueAsNewInitiator,
    pub(crate) continued_failure: Option<Failure>,
    pub(crate) last_completion_result: Option<Payloads>,
    pub(crate) user_metadata: Option<UserMetadata>,
    /// A signal recorded right after the start event (signal-with-start).
    pub(crate) signal: Option<hist::WorkflowExecutionSignaledEventAttributes>,
}

pub(crate) fn to_dur(d: Option<Duration>) -> Option<temporal_proto::protobuf::Duration> {
    d.map(to_proto_duration)
}

pub(crate) fn task_queue(name: &str) -> TaskQueue {
    TaskQueue {
        name: name.to_owned(),
        kind: TaskQueueKind::Normal as i32,
        normal_name: String::new(),
    }
}

impl State {
    pub(crate) fn namespace(
        &self,
        rpc: &'static str,
        ns: &str,
    ) -> Result<&Namespace, ServiceError> {
        self.namespaces
            .get(ns)
            .ok_or_else(|| namespace_not_found(rpc, ns))
    }

    pub(crate) fn run(&self, ns: &str, run_id: &str) -> Option<&Run> {
        self.namespaces.get(ns)?.runs.get(run_id)
    }

    pub(crate) fn run_mut(&mut self, ns: &str, run_id: &str) -> Option<&mut Run> {
        self.namespaces.get_mut(ns)?.runs.get_mut(run_id)
    }

    pub(crate) fn mark_drive(&mut self, ns: &str, run_id: &str) {
        let key = (ns.to_owned(), run_id.to_owned());
        if !self.to_drive.contains(&key) {
            self.to_drive.push(key);
        }
    }
}
