//! [`FakeServer`]: the in-memory Temporal server, its builder, the test-facing controls
//! (virtual clock, fake workflows, finishing executions by hand) and the state machine
//! that every RPC handler goes through.
// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use temporal_client_core::ServiceError;
use temporal_client_core::payload::DataConverter;
use temporal_proto::temporal::api::common::v1::{
    Header, Memo, Payloads, RetryPolicy, SearchAttributes, WorkflowExecution, WorkflowType,
};
use temporal_proto::temporal::api::enums::v1::{
    ContinueAsNewInitiator, IndexedValueType, RetryState, TaskQueueKind, TimeoutType,
    UpdateWorkflowExecutionLifecycleStage as Stage, WorkflowExecutionStatus as Status,
    WorkflowTaskFailedCause,
};
use temporal_proto::temporal::api::failure::v1::{
    Failure, TimeoutFailureInfo, failure::FailureInfo,
};
use temporal_proto::temporal::api::history::v1::{
    self as hist, HistoryEvent, history_event::Attributes,
};
use temporal_proto::temporal::api::sdk::v1::UserMetadata;
use temporal_proto::temporal::api::taskqueue::v1::TaskQueue;
use temporal_proto::temporal::api::update::v1 as update;
use tokio::sync::watch;

use super::clock::{
    DEFAULT_START_TIME_UNIX_SECS, TimerKind, TimerQueue, to_proto_duration, to_timestamp,
};
use super::cron::CronSchedule;
use super::history::History;
use super::ids::IdGenerator;
use super::store::{Execution, Namespace, Run, RunTask, namespace_not_found};
use super::worker_codec::WorkerCodec;
use super::workflows::{
    Args, Command, ContinueAsNew, IntoWorkflowResult, WorkflowContext, WorkflowFactory,
    WorkflowFailure, WorkflowInfo, WorkflowResult, factory,
};

/// Identity the fake's built-in worker reports in workflow task events.
pub(crate) const WORKER_IDENTITY: &str = "temporal-testkit-fake-worker";
/// Workflow task timeout when the start request sets none.
pub(crate) const DEFAULT_TASK_TIMEOUT: Duration = Duration::from_secs(10);

/// An in-memory Temporal server with real semantics, for tests.
///
/// It implements [`WorkflowService`](temporal_client_core::WorkflowService), so a client
/// built on that trait talks to it as to a real server. Time is virtual: it only moves
/// when the test calls [`advance`](Self::advance). Workflows are fake workflows registered
/// with [`register_workflow`](Self::register_workflow); an execution of a type nobody
/// registered stays Running, as on a real server without a worker.
///
/// Cloning gives another handle to the same server.
#[derive(Clone)]
pub struct FakeServer {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for FakeServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeServer")
            .field("now", &self.now())
            .finish_non_exhaustive()
    }
}

impl Default for FakeServer {
    fn default() -> Self {
        Self::new()
    }
}

/// Configures a [`FakeServer`].
#[derive(Debug, Clone)]
pub struct FakeServerBuilder {
    namespaces: Vec<String>,
    seed: u64,
    start_time: SystemTime,
    search_attributes: BTreeMap<String, IndexedValueType>,
    data_converter: DataConverter,
}

impl Default for FakeServerBuilder {
    fn default() -> Self {
        Self {
            namespaces: vec!["default".to_owned()],
            seed: 0,
            start_time: UNIX_EPOCH + Duration::from_secs(DEFAULT_START_TIME_UNIX_SECS),
            search_attributes: default_search_attributes(),
            data_converter: DataConverter::default(),
        }
    }
}

/// The custom search attributes a Temporal dev server registers by default.
fn default_search_attributes() -> BTreeMap<String, IndexedValueType> {
    use IndexedValueType as T;
    [
        ("CustomKeywordField", T::Keyword),
        ("CustomStringField", T::Text),
        ("CustomTextField", T::Text),
        ("CustomIntField", T::Int),
        ("CustomDatetimeField", T::Datetime),
        ("CustomDoubleField", T::Double),
        ("CustomBoolField", T::Bool),
    ]
    .into_iter()
    .map(|(n, t)| (n.to_owned(), t))
    .collect()
}

impl FakeServerBuilder {
    /// Registers another namespace (`default` always exists).
    pub fn namespace(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        if !self.namespaces.contains(&name) {
            self.namespaces.push(name);
        }
        self
    }

    /// Seeds the id generator: the same seed gives the same run ids.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the virtual time the clock starts at (default 2024-01-01T00:00:00Z).
    pub fn start_time(mut self, start: SystemTime) -> Self {
        self.start_time = start;
        self
    }

    /// Registers a custom search attribute, as `temporal operator search-attribute
    /// create` would.
    pub fn search_attribute(mut self, name: impl Into<String>, kind: IndexedValueType) -> Self {
        self.search_attributes.insert(name.into(), kind);
        self
    }

    /// Registers the search attributes the conformance suite uses
    /// (`ConformanceStage`, `ConformanceCount`, ...).
    pub fn conformance_search_attributes(mut self) -> Self {
        use IndexedValueType as T;
        for (n, t) in [
            ("ConformanceStage", T::Keyword),
            ("ConformanceCount", T::Int),
            ("ConformanceText", T::Text),
            ("ConformanceScore", T::Double),
            ("ConformanceFlag", T::Bool),
            ("ConformanceWhen", T::Datetime),
            ("ConformanceTags", T::KeywordList),
        ] {
            self.search_attributes.insert(n.to_owned(), t);
        }
        self
    }

    /// The data converter the fake's workflows run with, as a worker would be configured
    /// (default: [`DataConverter::default`], no codec).
    ///
    /// Its codecs decode what reaches fake workflows (start input, signal, query and
    /// update arguments, activity results) and encode what they produce (results,
    /// failures, query answers, update outcomes, memo, continue-as-new and activity
    /// inputs); its failure converter encodes their failures (e.g. into
    /// `encoded_attributes`). So a client with the same converter talks to the fake as
    /// to a server with a worker that has it, and what the fake stores (histories,
    /// describe, memo) is the codec's output, as on a real server. Values inside fake
    /// workflows are still converted with the default payload converter.
    ///
    /// Codecs run in place under the fake's lock: a codec's future must finish when
    /// first polled (compression and local encryption do). One that waits for another
    /// service fails with [`PayloadError::Codec`](super::PayloadError::Codec).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use temporal_client_core::payload::{CodecError, DataConverter, PayloadCodec};
    /// # use temporal_client_core::proto::temporal::api::common::v1::Payload;
    /// # use temporal_testkit::{FakeServer, WorkflowContext, WorkflowResult};
    /// /// Reverses the data bytes (a toy; use compression or encryption).
    /// #[derive(Debug)]
    /// struct Reverse;
    ///
    /// #[async_trait::async_trait]
    /// impl PayloadCodec for Reverse {
    ///     async fn encode(&self, mut ps: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
    ///         ps.iter_mut().for_each(|p| p.data.reverse());
    ///         Ok(ps)
    ///     }
    ///     async fn decode(&self, ps: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
    ///         self.encode(ps).await
    ///     }
    /// }
    ///
    /// let converter = DataConverter::default().with_codec(Arc::new(Reverse));
    /// let fake = FakeServer::builder()
    ///     .data_converter(converter.clone())
    ///     .build();
    /// fake.register_workflow("greet", |ctx: WorkflowContext| async move {
    ///     let (name,): (String,) = ctx.args()?;
    ///     Ok(WorkflowResult::completed(format!("Hello, {name}!")))
    /// });
    /// // A client made with `.data_converter(converter)` now reads "Hello, ...!".
    /// ```
    pub fn data_converter(mut self, converter: DataConverter) -> Self {
        self.data_converter = converter;
        self
    }

    /// Builds the server.
    pub fn build(self) -> FakeServer {
        let mut ids = IdGenerator::new(self.seed);
        let mut namespaces = BTreeMap::new();
        for name in self.namespaces {
            let id = ids.uuid();
            namespaces.insert(
                name.clone(),
                Namespace {
                    name,
                    id,
                    ..Namespace::default()
                },
            );
        }
        let (version, _) = watch::channel(0);
        FakeServer {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    now: self.start_time,
                    ids,
                    namespaces,
                    timers: TimerQueue::default(),
                    next_seq: 0,
                    search_attributes: self.search_attributes,
                    registry: HashMap::new(),
                    to_drive: Vec::new(),
                    garbage: Vec::new(),
                    activities: Default::default(),
                    schedules: super::schedules::Schedules::new(self.seed),
                    codec: WorkerCodec::new(self.data_converter),
                }),
                version,
            }),
        }
    }
}

/// The shared core of a [`FakeServer`].
pub(crate) struct Inner {
    state: Mutex<State>,
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
    next_seq: u64,
    pub(crate) search_attributes: BTreeMap<String, IndexedValueType>,
    /// Fake workflows by (task queue, workflow type); `None` serves every queue.
    registry: HashMap<(Option<String>, String), WorkflowFactory>,
    /// Runs whose fake workflow must be polled once the lock is released.
    to_drive: Vec<(String, String)>,
    /// Workflow futures of closed runs, dropped once the lock is released.
    garbage: Vec<RunTask>,
    /// Pending fake activities (`activities.rs`).
    pub(crate) activities: super::activities::PendingActivities,
    /// Schedules (`schedules/`).
    pub(crate) schedules: super::schedules::Schedules,
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

fn to_dur(d: Option<Duration>) -> Option<temporal_proto::protobuf::Duration> {
    d.map(to_proto_duration)
}

fn task_queue(name: &str) -> TaskQueue {
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

    /// Creates a run and appends its `WorkflowExecutionStarted` event.
    pub(crate) fn create_run(&mut self, ns: &str, spec: NewRun) {
        let now = self.now;
        let seq = self.next_seq;
        self.next_seq += 1;
        let has_worker = self
            .factory_for(&spec.task_queue, &spec.workflow_type)
            .is_some();
        let first_run = if spec.first_execution_run_id.is_empty() {
            spec.run_id.clone()
        } else {
            spec.first_execution_run_id.clone()
        };
        let backoff = spec.backoff.filter(|d| !d.is_zero());
        let execution_time = now + backoff.unwrap_or_default();
        let execution_expiration = spec
            .execution_expiration
            .or_else(|| spec.execution_timeout.map(|t| execution_time + t));
        let mut history = History::default();
        let attrs = hist::WorkflowExecutionStartedEventAttributes {
            workflow_type: Some(WorkflowType {
                name: spec.workflow_type.clone(),
            }),
            task_queue: Some(task_queue(&spec.task_queue)),
            input: spec.input.clone(),
            workflow_execution_timeout: to_dur(spec.execution_timeout),
            workflow_run_timeout: to_dur(spec.run_timeout),
            workflow_task_timeout: Some(to_proto_duration(spec.task_timeout)),
            continued_execution_run_id: spec.continued_execution_run_id.clone(),
            initiator: spec.initiator as i32,
            continued_failure: spec.continued_failure.clone(),
            last_completion_result: spec.last_completion_result.clone(),
            original_execution_run_id: spec.run_id.clone(),
            identity: spec.identity.clone(),
            first_execution_run_id: first_run.clone(),
            retry_policy: spec.retry_policy.clone(),
            attempt: spec.attempt,
            workflow_execution_expiration_time: execution_expiration.map(to_timestamp),
            cron_schedule: spec.cron_schedule.clone(),
            first_workflow_task_backoff: to_dur(backoff),
            memo: spec.memo.clone(),
            search_attributes: spec.search_attributes.clone(),
            header: spec.header.clone(),
            workflow_id: spec.workflow_id.clone(),
            root_workflow_execution: Some(WorkflowExecution {
                workflow_id: spec.workflow_id.clone(),
                run_id: spec.run_id.clone(),
            }),
            ..Default::default()
        };
        history.push(
            now,
            Attributes::WorkflowExecutionStartedEventAttributes(attrs),
        );
        // The context exists even with no worker yet: signals and cancellation queue in
        // it until a fake workflow registered later picks the run up.
        let ctx = Some({
            WorkflowContext::new(
                WorkflowInfo {
                    namespace: ns.to_owned(),
                    workflow_id: spec.workflow_id.clone(),
                    run_id: spec.run_id.clone(),
                    workflow_type: spec.workflow_type.clone(),
                    task_queue: spec.task_queue.clone(),
                    attempt: spec.attempt,
                    first_execution_run_id: first_run.clone(),
                    continued_run_id: (!spec.continued_execution_run_id.is_empty())
                        .then(|| spec.continued_execution_run_id.clone()),
                    cron_schedule: spec.cron_schedule.clone(),
                    start_time: now,
                    last_completion_result: self
                        .codec
                        .decode_or_keep(spec.last_completion_result.clone()),
                    continued_failure: spec.continued_failure.clone(),
                    memo: spec.memo.clone(),
                    search_attributes: spec.search_attributes.clone(),
                    header: spec.header.clone(),
                },
                self.codec.decode_or_keep(spec.input.clone()),
                now,
            )
        });
        let run = Run {
            seq,
            workflow_id: spec.workflow_id.clone(),
            run_id: spec.run_id.clone(),
            workflow_type: spec.workflow_type,
            task_queue: spec.task_queue,
            first_execution_run_id: first_run.clone(),
            start_request_id: spec.request_id.clone(),
            status: Status::Running,
            start_time: now,
            execution_time,
            close_time: None,
            history,
            memo: spec
                .memo
                .map(|m| m.fields.into_iter().collect())
                .unwrap_or_default(),
            search_attributes: spec
                .search_attributes
                .map(|s| s.indexed_fields.into_iter().collect())
                .unwrap_or_default(),
            input: spec.input,
            header: spec.header,
            attempt: spec.attempt,
            retry_policy: spec.retry_policy,
            cron_schedule: spec.cron_schedule,
            execution_timeout: spec.execution_timeout,
            run_timeout: spec.run_timeout,
            task_timeout: spec.task_timeout,
            execution_expiration,
            user_metadata: spec.user_metadata,
            last_completion_result: spec.last_completion_result,
            cancel_requested: false,
            signal_request_ids: Default::default(),
            awaiting_first_task: backoff.is_some(),
            pending_wft: None,
            timers: HashMap::new(),
            updates: HashMap::new(),
            admitted: Default::default(),
            accepted_events: HashMap::new(),
            has_worker,
            task_failing: false,
            ctx,
            task: None,
            driving: false,
            redrive: false,
        };
        let run_id = spec.run_id;
        let Some(namespace) = self.namespaces.get_mut(ns) else {
            return;
        };
        let execution = namespace
            .executions
            .entry(spec.workflow_id.clone())
            .or_insert_with(Execution::default);
        execution.runs.push(run_id.clone());
        if !spec.request_id.is_empty() {
            execution
                .request_ids
                .insert(spec.request_id, run_id.clone());
        }
        namespace.runs.insert(run_id.clone(), run);
        if let Some(signal) = spec.signal {
            self.signal(ns, &run_id, signal);
        }
        match backoff {
            Some(_) => self.timers.add(
                execution_time,
                TimerKind::FirstWorkflowTask {
                    namespace: ns.to_owned(),
                    run_id: run_id.clone(),
                },
            ),
            None => self.schedule_wft(ns, &run_id),
        }
        if let Some(t) = spec.run_timeout {
            self.timers.add(
                execution_time + t,
                TimerKind::RunTimeout {
                    namespace: ns.to_owned(),
                    run_id: run_id.clone(),
                },
            );
        }
        if spec.execution_expiration.is_none() {
            if let Some(at) = execution_expiration {
                self.timers.add(
                    at,
                    TimerKind::ExecutionTimeout {
                        namespace: ns.to_owned(),
                        workflow_id: spec.workflow_id,
                        first_execution_run_id: first_run,
                    },
                );
            }
        }
    }

    /// Appends `WorkflowTaskScheduled` unless a workflow task is pending already or the
    /// first one is still backing off; marks the run to be driven.
    pub(crate) fn schedule_wft(&mut self, ns: &str, run_id: &str) {
        let now = self.now;
        let Some(run) = self.run_mut(ns, run_id) else {
            return;
        };
        if !run.is_open() || run.awaiting_first_task || run.task_failing {
            return;
        }
        if run.pending_wft.is_none() {
            let attrs = hist::WorkflowTaskScheduledEventAttributes {
                task_queue: Some(task_queue(&run.task_queue)),
                start_to_close_timeout: Some(to_proto_duration(run.task_timeout)),
                attempt: 1,
            };
            run.pending_wft = Some(
                run.history
                    .push(now, Attributes::WorkflowTaskScheduledEventAttributes(attrs)),
            );
        }
        if run.has_worker {
            self.mark_drive(ns, run_id);
        }
    }

    /// Records that the fake worker started and completed a workflow task; returns the
    /// `WorkflowTaskCompleted` event id.
    fn complete_wft(&mut self, ns: &str, run_id: &str) -> i64 {
        let now = self.now;
        let request_id = self.ids.uuid();
        let Some(run) = self.run_mut(ns, run_id) else {
            return 0;
        };
        let scheduled = match run.pending_wft.take() {
            Some(id) => id,
            None => run.history.push(
                now,
                Attributes::WorkflowTaskScheduledEventAttributes(
                    hist::WorkflowTaskScheduledEventAttributes {
                        task_queue: Some(task_queue(&run.task_queue)),
                        start_to_close_timeout: Some(to_proto_duration(run.task_timeout)),
                        attempt: 1,
                    },
                ),
            ),
        };
        let started = run.history.push(
            now,
            Attributes::WorkflowTaskStartedEventAttributes(
                hist::WorkflowTaskStartedEventAttributes {
                    scheduled_event_id: scheduled,
                    identity: WORKER_IDENTITY.to_owned(),
                    request_id,
                    history_size_bytes: run.history.size_bytes,
                    ..Default::default()
                },
            ),
        );
        run.history.push(
            now,
            Attributes::WorkflowTaskCompletedEventAttributes(
                hist::WorkflowTaskCompletedEventAttributes {
                    scheduled_event_id: scheduled,
                    started_event_id: started,
                    identity: WORKER_IDENTITY.to_owned(),
                    ..Default::default()
                },
            ),
        )
    }

    /// The fake workflow registered for `workflow_type` on `task_queue`, or for every queue.
    fn factory_for(&self, task_queue: &str, workflow_type: &str) -> Option<WorkflowFactory> {
        self.registry
            .get(&(Some(task_queue.to_owned()), workflow_type.to_owned()))
            .or_else(|| self.registry.get(&(None, workflow_type.to_owned())))
            .cloned()
    }

    /// Records that the fake worker failed a workflow task, as an SDK worker does when
    /// workflow code raises an unexpected error: `WorkflowTaskFailed` (cause
    /// `WORKFLOW_WORKER_UNHANDLED_FAILURE`), then the retry the server schedules and the
    /// worker picks up (attempt 2), which fails the same way for ever; the run stays
    /// Running and makes no more progress.
    fn fail_wft(&mut self, ns: &str, run_id: &str, failure: Failure) {
        let now = self.now;
        let first = self.ids.uuid();
        let second = self.ids.uuid();
        let Some(run) = self.run_mut(ns, run_id) else {
            return;
        };
        let scheduled_attrs = |attempt| hist::WorkflowTaskScheduledEventAttributes {
            task_queue: Some(task_queue(&run.task_queue)),
            start_to_close_timeout: Some(to_proto_duration(run.task_timeout)),
            attempt,
        };
        let scheduled = match run.pending_wft.take() {
            Some(id) => id,
            None => {
                let attrs = scheduled_attrs(1);
                run.history
                    .push(now, Attributes::WorkflowTaskScheduledEventAttributes(attrs))
            }
        };
        let started_attrs = |scheduled_event_id, request_id, size| {
            Attributes::WorkflowTaskStartedEventAttributes(
                hist::WorkflowTaskStartedEventAttributes {
                    scheduled_event_id,
                    identity: WORKER_IDENTITY.to_owned(),
                    request_id,
                    history_size_bytes: size,
                    ..Default::default()
                },
            )
        };
        let size = run.history.size_bytes;
        let started = run.history.push(now, started_attrs(scheduled, first, size));
        run.history.push(
            now,
            Attributes::WorkflowTaskFailedEventAttributes(
                hist::WorkflowTaskFailedEventAttributes {
                    scheduled_event_id: scheduled,
                    started_event_id: started,
                    cause: WorkflowTaskFailedCause::WorkflowWorkerUnhandledFailure as i32,
                    failure: Some(failure),
                    identity: WORKER_IDENTITY.to_owned(),
                    ..Default::default()
                },
            ),
        );
        let attrs = scheduled_attrs(2);
        let retry = run
            .history
            .push(now, Attributes::WorkflowTaskScheduledEventAttributes(attrs));
        let size = run.history.size_bytes;
        run.history.push(now, started_attrs(retry, second, size));
        run.pending_wft = Some(retry);
        run.task_failing = true;
    }

    /// Delivers a signal to an open run.
    pub(crate) fn signal(
        &mut self,
        ns: &str,
        run_id: &str,
        attrs: hist::WorkflowExecutionSignaledEventAttributes,
    ) {
        let now = self.now;
        let args = Args(self.codec.decode_or_keep(attrs.input.clone()));
        let Some(run) = self.run_mut(ns, run_id) else {
            return;
        };
        // A retry of a signal the run already has (same request id) changes nothing.
        if !attrs.request_id.is_empty() && !run.signal_request_ids.insert(attrs.request_id.clone())
        {
            return;
        }
        if let Some(ctx) = &run.ctx {
            let mut s = ctx.lock();
            s.signals.push_back(super::workflows::Signal {
                name: attrs.signal_name.clone(),
                args,
            });
            s.generation += 1;
        }
        run.history.push(
            now,
            Attributes::WorkflowExecutionSignaledEventAttributes(attrs),
        );
        self.schedule_wft(ns, run_id);
    }

    /// Records a cancellation request; the fake workflow sees it.
    pub(crate) fn request_cancel(
        &mut self,
        ns: &str,
        run_id: &str,
        cause: String,
        identity: String,
    ) {
        let now = self.now;
        let Some(run) = self.run_mut(ns, run_id) else {
            return;
        };
        if run.cancel_requested {
            return;
        }
        run.cancel_requested = true;
        if let Some(ctx) = &run.ctx {
            let mut s = ctx.lock();
            s.cancel_requested = true;
            s.generation += 1;
        }
        run.history.push(
            now,
            Attributes::WorkflowExecutionCancelRequestedEventAttributes(
                hist::WorkflowExecutionCancelRequestedEventAttributes {
                    cause,
                    identity,
                    ..Default::default()
                },
            ),
        );
        self.schedule_wft(ns, run_id);
    }

    /// Closes an open run the way `close` says, continuing the chain when a retry policy,
    /// a cron schedule or continue-as-new asks for it. Returns the next run's id.
    pub(crate) fn close_run(
        &mut self,
        ns: &str,
        run_id: &str,
        close: Close,
        wft: WftSource,
    ) -> Option<String> {
        let now = self.now;
        if !self.run(ns, run_id).is_some_and(Run::is_open) {
            return None;
        }
        let wft = match wft {
            WftSource::None => 0,
            WftSource::Complete => self.complete_wft(ns, run_id),
            WftSource::Completed(id) => id,
        };
        let new_run_id = self.ids.uuid();
        let run = self.run(ns, run_id)?;
        let cron = (!run.cron_schedule.is_empty())
            .then(|| CronSchedule::parse(&run.cron_schedule).ok())
            .flatten();
        let cron_backoff = |run: &Run| {
            let expired = run.execution_expiration.is_some_and(|exp| exp <= now);
            if expired {
                return None;
            }
            let b = cron.as_ref()?.backoff(run.execution_time, now)?;
            match run.execution_expiration {
                Some(exp) if now + b >= exp => None,
                _ => Some(b),
            }
        };
        let base = |run: &Run| NewRun {
            workflow_id: run.workflow_id.clone(),
            run_id: new_run_id.clone(),
            workflow_type: run.workflow_type.clone(),
            task_queue: run.task_queue.clone(),
            first_execution_run_id: run.first_execution_run_id.clone(),
            input: run.input.clone(),
            header: run.header.clone(),
            memo: (!run.memo.is_empty()).then(|| Memo {
                fields: run.memo.clone().into_iter().collect(),
            }),
            search_attributes: (!run.search_attributes.is_empty()).then(|| SearchAttributes {
                indexed_fields: run.search_attributes.clone().into_iter().collect(),
            }),
            attempt: 1,
            retry_policy: run.retry_policy.clone(),
            cron_schedule: run.cron_schedule.clone(),
            execution_timeout: run.execution_timeout,
            run_timeout: run.run_timeout,
            task_timeout: run.task_timeout,
            execution_expiration: run.execution_expiration,
            continued_execution_run_id: run.run_id.clone(),
            last_completion_result: run.last_completion_result.clone(),
            user_metadata: run.user_metadata.clone(),
            ..NewRun::default()
        };
        let (status, attrs, next): (Status, Attributes, Option<NewRun>) = match close {
            Close::Completed(result) => {
                let next = cron_backoff(run).map(|b| NewRun {
                    initiator: ContinueAsNewInitiator::CronSchedule,
                    backoff: Some(b),
                    last_completion_result: result.clone(),
                    ..base(run)
                });
                let attrs = hist::WorkflowExecutionCompletedEventAttributes {
                    result,
                    workflow_task_completed_event_id: wft,
                    new_execution_run_id: next
                        .as_ref()
                        .map(|n| n.run_id.clone())
                        .unwrap_or_default(),
                };
                (
                    Status::Completed,
                    Attributes::WorkflowExecutionCompletedEventAttributes(attrs),
                    next,
                )
            }
            Close::Failed(failure) => {
                let (retry, mut retry_state) = retry_backoff(run, &failure, now);
                let next = match retry {
                    Some(b) => Some(NewRun {
                        initiator: ContinueAsNewInitiator::Retry,
                        backoff: Some(b),
                        attempt: run.attempt + 1,
                        continued_failure: Some(failure.clone()),
                        ..base(run)
                    }),
                    None => cron_backoff(run).map(|b| NewRun {
                        initiator: ContinueAsNewInitiator::CronSchedule,
                        backoff: Some(b),
                        continued_failure: Some(failure.clone()),
                        ..base(run)
                    }),
                };
                if retry.is_some() {
                    retry_state = RetryState::InProgress;
                }
                let attrs = hist::WorkflowExecutionFailedEventAttributes {
                    failure: Some(failure),
                    retry_state: retry_state as i32,
                    workflow_task_completed_event_id: wft,
                    new_execution_run_id: next
                        .as_ref()
                        .map(|n| n.run_id.clone())
                        .unwrap_or_default(),
                };
                (
                    Status::Failed,
                    Attributes::WorkflowExecutionFailedEventAttributes(attrs),
                    next,
                )
            }
            Close::TimedOut => {
                let expired = run.execution_expiration.is_some_and(|exp| exp <= now);
                let (retry, retry_state) = if expired {
                    (None, RetryState::Timeout)
                } else {
                    let timeout = Failure {
                        message: "workflow timeout".to_owned(),
                        failure_info: Some(FailureInfo::TimeoutFailureInfo(TimeoutFailureInfo {
                            timeout_type: TimeoutType::StartToClose as i32,
                            last_heartbeat_details: None,
                        })),
                        ..Failure::default()
                    };
                    match retry_backoff(run, &timeout, now) {
                        (Some(b), _) => (Some(b), RetryState::InProgress),
                        (None, state) => (None, state),
                    }
                };
                let next = match retry {
                    Some(b) => Some(NewRun {
                        initiator: ContinueAsNewInitiator::Retry,
                        backoff: Some(b),
                        attempt: run.attempt + 1,
                        ..base(run)
                    }),
                    None if !expired => cron_backoff(run).map(|b| NewRun {
                        initiator: ContinueAsNewInitiator::CronSchedule,
                        backoff: Some(b),
                        ..base(run)
                    }),
                    None => None,
                };
                let attrs = hist::WorkflowExecutionTimedOutEventAttributes {
                    retry_state: retry_state as i32,
                    new_execution_run_id: next
                        .as_ref()
                        .map(|n| n.run_id.clone())
                        .unwrap_or_default(),
                };
                (
                    Status::TimedOut,
                    Attributes::WorkflowExecutionTimedOutEventAttributes(attrs),
                    next,
                )
            }
            Close::Canceled(details) => (
                Status::Canceled,
                Attributes::WorkflowExecutionCanceledEventAttributes(
                    hist::WorkflowExecutionCanceledEventAttributes {
                        workflow_task_completed_event_id: wft,
                        details,
                    },
                ),
                None,
            ),
            Close::Terminated {
                reason,
                details,
                identity,
            } => (
                Status::Terminated,
                Attributes::WorkflowExecutionTerminatedEventAttributes(
                    hist::WorkflowExecutionTerminatedEventAttributes {
                        reason,
                        details,
                        identity,
                    },
                ),
                None,
            ),
            Close::ContinuedAsNew(can) => {
                let mut next = NewRun {
                    initiator: ContinueAsNewInitiator::Workflow,
                    backoff: can.backoff,
                    input: can.input.clone(),
                    ..base(run)
                };
                if let Some(t) = &can.workflow_type {
                    next.workflow_type = t.clone();
                }
                if let Some(q) = &can.task_queue {
                    next.task_queue = q.clone();
                }
                if can.run_timeout.is_some() {
                    next.run_timeout = can.run_timeout;
                }
                if can.memo.is_some() {
                    next.memo = can.memo.clone();
                }
                if can.search_attributes.is_some() {
                    next.search_attributes = can.search_attributes.clone();
                }
                let attrs = hist::WorkflowExecutionContinuedAsNewEventAttributes {
                    new_execution_run_id: new_run_id.clone(),
                    workflow_type: Some(WorkflowType {
                        name: next.workflow_type.clone(),
                    }),
                    task_queue: Some(task_queue(&next.task_queue)),
                    input: next.input.clone(),
                    workflow_run_timeout: to_dur(next.run_timeout),
                    workflow_task_timeout: Some(to_proto_duration(next.task_timeout)),
                    workflow_task_completed_event_id: wft,
                    backoff_start_interval: to_dur(next.backoff),
                    initiator: ContinueAsNewInitiator::Workflow as i32,
                    header: next.header.clone(),
                    memo: next.memo.clone(),
                    search_attributes: next.search_attributes.clone(),
                    ..Default::default()
                };
                (
                    Status::ContinuedAsNew,
                    Attributes::WorkflowExecutionContinuedAsNewEventAttributes(attrs),
                    Some(next),
                )
            }
        };
        let (workflow_id, first_run) =
            (run.workflow_id.clone(), run.first_execution_run_id.clone());
        let run = self.run_mut(ns, run_id)?;
        run.history.push(now, attrs);
        run.status = status;
        run.close_time = Some(now);
        run.pending_wft = None;
        for (_, state) in run.updates.iter_mut() {
            if state.stage != Stage::Completed && state.error.is_none() {
                state.error = Some(super::store::already_completed("UpdateWorkflowExecution"));
            }
        }
        run.admitted.clear();
        let task = run.task.take();
        if let Some(task) = task {
            self.garbage.push(task);
        }
        let (ns_owned, rid) = (ns.to_owned(), run_id.to_owned());
        self.timers.remove_where(|k| match k {
            TimerKind::WorkflowTimer {
                namespace, run_id, ..
            }
            | TimerKind::FirstWorkflowTask { namespace, run_id }
            | TimerKind::RunTimeout { namespace, run_id }
            | TimerKind::ActivityTimeout {
                namespace, run_id, ..
            } => *namespace == ns_owned && *run_id == rid,
            TimerKind::ExecutionTimeout {
                namespace,
                workflow_id: w,
                first_execution_run_id,
            } => {
                next.is_none()
                    && *namespace == ns_owned
                    && *w == workflow_id
                    && *first_execution_run_id == first_run
            }
            TimerKind::Schedule { .. } => false,
        });
        self.schedule_run_closed(ns, run_id);
        let next_id = next.as_ref().map(|n| n.run_id.clone());
        if let Some(next) = next {
            self.create_run(ns, next);
        }
        next_id
    }

    /// Fires one due timer.
    fn fire(&mut self, kind: TimerKind) {
        let now = self.now;
        match kind {
            TimerKind::WorkflowTimer {
                namespace,
                run_id,
                timer_id,
            } => {
                let Some(run) = self.run_mut(&namespace, &run_id) else {
                    return;
                };
                let Some(started) = run.timers.remove(&timer_id) else {
                    return;
                };
                run.history.push(
                    now,
                    Attributes::TimerFiredEventAttributes(hist::TimerFiredEventAttributes {
                        timer_id: timer_id.to_string(),
                        started_event_id: started,
                    }),
                );
                if let Some(ctx) = &run.ctx {
                    let mut s = ctx.lock();
                    s.fired_timers.insert(timer_id);
                    s.generation += 1;
                }
                self.schedule_wft(&namespace, &run_id);
            }
            TimerKind::FirstWorkflowTask { namespace, run_id } => {
                if let Some(run) = self.run_mut(&namespace, &run_id) {
                    run.awaiting_first_task = false;
                }
                self.schedule_wft(&namespace, &run_id);
            }
            TimerKind::RunTimeout { namespace, run_id } => {
                self.close_run(&namespace, &run_id, Close::TimedOut, WftSource::None);
            }
            TimerKind::ActivityTimeout {
                task_token,
                heartbeat,
                generation,
                ..
            } => self.fire_activity_timeout(&task_token, heartbeat, generation),
            TimerKind::ExecutionTimeout {
                namespace,
                workflow_id,
                first_execution_run_id,
            } => {
                let current = self
                    .namespaces
                    .get(&namespace)
                    .and_then(|n| n.executions.get(&workflow_id))
                    .and_then(Execution::current)
                    .map(str::to_owned);
                if let Some(run_id) = current {
                    if self
                        .run(&namespace, &run_id)
                        .is_some_and(|r| r.first_execution_run_id == first_execution_run_id)
                    {
                        self.close_run(&namespace, &run_id, Close::TimedOut, WftSource::None);
                    }
                }
            }
            TimerKind::Schedule {
                namespace,
                schedule_id,
            } => self.process_schedule(&namespace, &schedule_id),
        }
    }
}

/// The server's retry decision for a failed or timed-out run: the backoff before the
/// next attempt, or why there is none.
fn retry_backoff(run: &Run, failure: &Failure, now: SystemTime) -> (Option<Duration>, RetryState) {
    let Some(policy) = &run.retry_policy else {
        return (None, RetryState::RetryPolicyNotSet);
    };
    let failure_type = match &failure.failure_info {
        Some(FailureInfo::ApplicationFailureInfo(info)) => {
            if info.non_retryable {
                return (None, RetryState::NonRetryableFailure);
            }
            info.r#type.clone()
        }
        Some(FailureInfo::TimeoutFailureInfo(info)) => {
            let kind = TimeoutType::try_from(info.timeout_type).unwrap_or(TimeoutType::Unspecified);
            if kind != TimeoutType::StartToClose && kind != TimeoutType::Heartbeat {
                return (None, RetryState::NonRetryableFailure);
            }
            let name = if kind == TimeoutType::StartToClose {
                "StartToClose"
            } else {
                "Heartbeat"
            };
            format!("TemporalTimeout:{name}")
        }
        Some(FailureInfo::CanceledFailureInfo(_)) | Some(FailureInfo::TerminatedFailureInfo(_)) => {
            return (None, RetryState::NonRetryableFailure);
        }
        _ => String::new(),
    };
    if policy.non_retryable_error_types.contains(&failure_type) {
        return (None, RetryState::NonRetryableFailure);
    }
    if policy.maximum_attempts > 0 && run.attempt >= policy.maximum_attempts {
        return (None, RetryState::MaximumAttemptsReached);
    }
    let initial = policy
        .initial_interval
        .as_ref()
        .and_then(super::clock::from_proto_duration)
        .unwrap_or(Duration::from_secs(1));
    let coefficient = if policy.backoff_coefficient >= 1.0 {
        policy.backoff_coefficient
    } else {
        2.0
    };
    let mut secs = initial.as_secs_f64() * coefficient.powi((run.attempt - 1).clamp(0, 1000));
    if let Some(max) = policy
        .maximum_interval
        .as_ref()
        .and_then(super::clock::from_proto_duration)
        .filter(|d| !d.is_zero())
    {
        secs = secs.min(max.as_secs_f64());
    }
    let mut interval = Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX);
    if let Some(FailureInfo::ApplicationFailureInfo(info)) = &failure.failure_info {
        if let Some(d) = info
            .next_retry_delay
            .as_ref()
            .and_then(super::clock::from_proto_duration)
        {
            interval = d;
        }
    }
    if let Some(exp) = run.execution_expiration {
        if now.checked_add(interval).is_none_or(|t| t >= exp) {
            return (None, RetryState::Timeout);
        }
    }
    (Some(interval), RetryState::InProgress)
}

/// Wakes a run's driver when a future the fake workflow awaits (not a fake primitive)
/// becomes ready.
struct RunWaker {
    inner: Weak<Inner>,
    namespace: String,
    run_id: String,
    handle: Option<tokio::runtime::Handle>,
}

impl Wake for RunWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let (Some(handle), Some(inner)) = (&self.handle, self.inner.upgrade()) else {
            return;
        };
        let (ns, run) = (self.namespace.clone(), self.run_id.clone());
        handle.spawn(async move {
            inner.lock().mark_drive(&ns, &run);
            inner.settle();
        });
    }
}

impl Inner {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Drives every run marked for driving until none is left, drops dead workflow
    /// futures outside the lock, and wakes long polls.
    pub(crate) fn settle(self: &Arc<Self>) {
        loop {
            let (next, garbage) = {
                let mut st = self.lock();
                let garbage = std::mem::take(&mut st.garbage);
                if st.to_drive.is_empty() {
                    st.process_woken_schedules();
                }
                let next = if st.to_drive.is_empty() {
                    None
                } else {
                    Some(st.to_drive.remove(0))
                };
                (next, garbage)
            };
            drop(garbage);
            match next {
                Some((ns, run)) => self.drive(&ns, &run),
                None => break,
            }
        }
        self.version.send_modify(|v| *v += 1);
    }

    /// Polls one run's fake workflow until it makes no more progress, and turns what it
    /// did into history.
    fn drive(self: &Arc<Self>, ns: &str, run_id: &str) {
        loop {
            // Phase 1: take the futures out under the lock.
            let (ctx, task, admitted, factory) = {
                let mut st = self.lock();
                let now = st.now;
                let codec = st.codec.clone();
                let Some(run) = st.run_mut(ns, run_id) else {
                    return;
                };
                if !run.is_open() || !run.has_worker || run.awaiting_first_task || run.task_failing
                {
                    return;
                }
                if run.driving {
                    run.redrive = true;
                    return;
                }
                let Some(ctx) = run.ctx.clone() else {
                    return;
                };
                run.driving = true;
                ctx.lock().now = now;
                let task = run.task.take();
                let admitted: Vec<(String, update::Request)> = run
                    .admitted
                    .drain(..)
                    .filter_map(|id| run.updates.get(&id).map(|u| (id, u.request.clone())))
                    .collect();
                // The worker decodes the update's arguments for its handler.
                let admitted: Vec<(String, update::Request)> = admitted
                    .into_iter()
                    .map(|(id, mut request)| {
                        if let Some(input) = request.input.as_mut() {
                            input.args = codec.decode_or_keep(input.args.take());
                        }
                        (id, request)
                    })
                    .collect();
                let (workflow_type, queue) = (run.workflow_type.clone(), run.task_queue.clone());
                let factory = if task.is_none() {
                    st.factory_for(&queue, &workflow_type)
                } else {
                    None
                };
                (ctx, task, admitted, factory)
            };
            let mut task = task.unwrap_or_else(|| RunTask {
                main: factory.map(|f| f(ctx.clone())),
                handlers: Vec::new(),
            });

            // Phase 2: poll without the lock.
            let waker = Waker::from(Arc::new(RunWaker {
                inner: Arc::downgrade(self),
                namespace: ns.to_owned(),
                run_id: run_id.to_owned(),
                handle: tokio::runtime::Handle::try_current().ok(),
            }));
            let mut cx = Context::from_waker(&waker);
            let mut result = None;
            let mut completed = Vec::new();
            let mut accepted = Vec::new();
            let mut rejected = Vec::new();
            let mut admitted = admitted.into_iter();
            for round in 0..10_000 {
                let before = ctx.lock().generation;
                if let Some(main) = task.main.as_mut() {
                    if let Poll::Ready(r) = main.as_mut().poll(&mut cx) {
                        result = Some(r);
                        task.main = None;
                        break;
                    }
                }
                if round == 0 {
                    for (id, request) in admitted.by_ref() {
                        let input = request.input.clone().unwrap_or_default();
                        let def = ctx.lock().updates.get(&input.name).cloned();
                        let Some(def) = def else {
                            let known: Vec<String> = ctx.lock().updates.keys().cloned().collect();
                            rejected.push((
                                id,
                                WorkflowFailure::application(format!(
                                    "Update handler for '{}' expected but not found, known updates: [{}]",
                                    input.name,
                                    known.join(" ")
                                )),
                            ));
                            continue;
                        };
                        let args = Args(input.args);
                        if let Some(validate) = &def.validator {
                            if let Err(f) = validate(&args) {
                                rejected.push((id, f));
                                continue;
                            }
                        }
                        ctx.lock().running_handlers += 1;
                        task.handlers
                            .push((id.clone(), (def.handler)(ctx.clone(), args)));
                        accepted.push(id);
                    }
                }
                let mut progress = false;
                let mut i = 0;
                while i < task.handlers.len() {
                    if let Poll::Ready(r) = task.handlers[i].1.as_mut().poll(&mut cx) {
                        let (id, _) = task.handlers.remove(i);
                        let mut s = ctx.lock();
                        s.running_handlers = s.running_handlers.saturating_sub(1);
                        s.generation += 1;
                        completed.push((id, r));
                        progress = true;
                    } else {
                        i += 1;
                    }
                }
                if !progress && ctx.lock().generation == before {
                    break;
                }
            }

            // Phase 3: record what happened, encoded as the worker's converter does.
            let mut st = self.lock();
            let codec = st.codec.clone();
            let result = result.map(|r| codec.encode_result(r));
            let rejected: Vec<(String, WorkflowFailure)> = rejected
                .into_iter()
                .map(|(id, f)| (id, codec.encode_workflow_failure(f)))
                .collect();
            let completed: Vec<(String, Result<Payloads, WorkflowFailure>)> = completed
                .into_iter()
                .map(|(id, r)| (id, codec.encode_outcome(r)))
                .collect();
            if let Some(WorkflowResult::Failed(f)) = &result {
                if f.fails_task() && st.run(ns, run_id).is_some_and(Run::is_open) {
                    // The worker's activation failed: its commands are dropped.
                    ctx.lock().commands.clear();
                    st.fail_wft(ns, run_id, f.as_proto().clone());
                    st.garbage.push(task);
                    if let Some(run) = st.run_mut(ns, run_id) {
                        run.driving = false;
                    }
                    return;
                }
            }
            let open = st.run(ns, run_id).is_some_and(Run::is_open);
            if !open {
                st.garbage.push(task);
                if let Some(run) = st.run_mut(ns, run_id) {
                    run.driving = false;
                }
                return;
            }
            let commands = match codec.encode_commands(std::mem::take(&mut ctx.lock().commands)) {
                Ok(commands) => commands,
                Err(e) => {
                    // The worker could not encode its commands: its task fails.
                    let failure = codec.encode_workflow_failure(WorkflowFailure::from(e));
                    st.fail_wft(ns, run_id, failure.into_proto());
                    st.garbage.push(task);
                    if let Some(run) = st.run_mut(ns, run_id) {
                        run.driving = false;
                    }
                    return;
                }
            };
            let pending = st.run(ns, run_id).is_some_and(|r| r.pending_wft.is_some());
            let others = !commands.is_empty() || !accepted.is_empty() || !completed.is_empty();
            let now = st.now;
            let wft =
                (others || (pending && result.is_none())).then(|| st.complete_wft(ns, run_id));
            st.record(
                ns,
                run_id,
                wft.unwrap_or(0),
                now,
                commands,
                rejected,
                accepted,
                completed,
            );
            let redrive = match result {
                Some(r) => {
                    let source = match wft {
                        Some(id) => WftSource::Completed(id),
                        None => WftSource::Complete,
                    };
                    st.close_run(ns, run_id, Close::from(r), source);
                    if let Some(run) = st.run_mut(ns, run_id) {
                        run.driving = false;
                    }
                    false
                }
                None => match st.run_mut(ns, run_id) {
                    Some(run) => {
                        run.task = Some(task);
                        run.driving = false;
                        std::mem::take(&mut run.redrive) || !run.admitted.is_empty()
                    }
                    None => false,
                },
            };
            if !redrive {
                return;
            }
        }
    }
}

impl State {
    /// Appends the events for what one workflow task did.
    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        ns: &str,
        run_id: &str,
        wft: i64,
        now: SystemTime,
        commands: Vec<Command>,
        rejected: Vec<(String, WorkflowFailure)>,
        accepted: Vec<String>,
        completed: Vec<(String, Result<Payloads, WorkflowFailure>)>,
    ) {
        let mut new_timers = Vec::new();
        let mut cancelled_timers = Vec::new();
        let mut activity_commands = Vec::new();
        let Some(run) = self.run_mut(ns, run_id) else {
            return;
        };
        for (id, failure) in rejected {
            if let Some(u) = run.updates.get_mut(&id) {
                u.stage = Stage::Completed;
                u.outcome = Some(update::Outcome {
                    value: Some(update::outcome::Value::Failure(failure.into_proto())),
                });
            }
        }
        for id in accepted {
            let Some(u) = run.updates.get_mut(&id) else {
                continue;
            };
            u.stage = Stage::Accepted;
            let request = u.request.clone();
            let event = run.history.push(
                now,
                Attributes::WorkflowExecutionUpdateAcceptedEventAttributes(
                    hist::WorkflowExecutionUpdateAcceptedEventAttributes {
                        protocol_instance_id: id.clone(),
                        accepted_request_message_id: format!("{id}/request"),
                        accepted_request_sequencing_event_id: wft - 1,
                        accepted_request: Some(request),
                    },
                ),
            );
            run.accepted_events.insert(id, event);
        }
        for command in commands {
            match command {
                Command::StartTimer { id, duration } => {
                    let event = run.history.push(
                        now,
                        Attributes::TimerStartedEventAttributes(
                            hist::TimerStartedEventAttributes {
                                timer_id: id.to_string(),
                                start_to_fire_timeout: Some(to_proto_duration(duration)),
                                workflow_task_completed_event_id: wft,
                            },
                        ),
                    );
                    run.timers.insert(id, event);
                    new_timers.push((now + duration, id));
                }
                Command::CancelTimer { id } => {
                    if let Some(started) = run.timers.remove(&id) {
                        run.history.push(
                            now,
                            Attributes::TimerCanceledEventAttributes(
                                hist::TimerCanceledEventAttributes {
                                    timer_id: id.to_string(),
                                    started_event_id: started,
                                    workflow_task_completed_event_id: wft,
                                    identity: WORKER_IDENTITY.to_owned(),
                                },
                            ),
                        );
                        cancelled_timers.push(id);
                    }
                }
                Command::UpsertSearchAttributes(attrs) => {
                    for (k, v) in &attrs.indexed_fields {
                        if v.data.is_empty() || v.data == b"null" {
                            run.search_attributes.remove(k);
                        } else {
                            run.search_attributes.insert(k.clone(), v.clone());
                        }
                    }
                    run.history.push(
                        now,
                        Attributes::UpsertWorkflowSearchAttributesEventAttributes(
                            hist::UpsertWorkflowSearchAttributesEventAttributes {
                                workflow_task_completed_event_id: wft,
                                search_attributes: Some(attrs),
                            },
                        ),
                    );
                }
                Command::ScheduleActivity(_) | Command::RequestCancelActivity { .. } => {
                    activity_commands.push(command);
                }
                Command::UpsertMemo(memo) => {
                    for (k, v) in &memo.fields {
                        run.memo.insert(k.clone(), v.clone());
                    }
                    run.history.push(
                        now,
                        Attributes::WorkflowPropertiesModifiedEventAttributes(
                            hist::WorkflowPropertiesModifiedEventAttributes {
                                workflow_task_completed_event_id: wft,
                                upserted_memo: Some(memo),
                            },
                        ),
                    );
                }
            }
        }
        for (id, result) in completed {
            let accepted_event_id = run.accepted_events.get(&id).copied().unwrap_or_default();
            let outcome = update::Outcome {
                value: Some(match result {
                    Ok(p) => update::outcome::Value::Success(p),
                    Err(f) => update::outcome::Value::Failure(f.into_proto()),
                }),
            };
            if let Some(u) = run.updates.get_mut(&id) {
                u.stage = Stage::Completed;
                u.outcome = Some(outcome.clone());
                let identity = u
                    .request
                    .meta
                    .as_ref()
                    .map(|m| m.identity.clone())
                    .unwrap_or_default();
                run.history.push(
                    now,
                    Attributes::WorkflowExecutionUpdateCompletedEventAttributes(
                        hist::WorkflowExecutionUpdateCompletedEventAttributes {
                            meta: Some(update::Meta {
                                update_id: id.clone(),
                                identity,
                            }),
                            accepted_event_id,
                            outcome: Some(outcome),
                        },
                    ),
                );
            }
        }
        self.record_activity_commands(ns, run_id, wft, now, activity_commands);
        for (at, timer_id) in new_timers {
            self.timers.add(
                at,
                TimerKind::WorkflowTimer {
                    namespace: ns.to_owned(),
                    run_id: run_id.to_owned(),
                    timer_id,
                },
            );
        }
        if !cancelled_timers.is_empty() {
            let (n, r) = (ns.to_owned(), run_id.to_owned());
            self.timers.remove_where(|k| {
                matches!(k, TimerKind::WorkflowTimer { namespace, run_id, timer_id }
                    if *namespace == n && *run_id == r && cancelled_timers.contains(timer_id))
            });
        }
    }
}

/// Picks the namespace `default`.
const DEFAULT_NAMESPACE: &str = "default";

impl FakeServer {
    /// A server with namespace `default`, seed 0 and the clock at 2024-01-01T00:00:00Z.
    pub fn new() -> Self {
        FakeServerBuilder::default().build()
    }

    /// Configures a server.
    pub fn builder() -> FakeServerBuilder {
        FakeServerBuilder::default()
    }

    /// Registers a fake workflow for `workflow_type` on every task queue, as a worker
    /// polling all of them would. Executions of that type waiting for a worker (started
    /// before, on a queue nothing served) are picked up now, as when a worker starts
    /// polling. See [`register_workflow_on`](Self::register_workflow_on) to serve one
    /// queue only, as a real worker does.
    ///
    /// ```
    /// # use temporal_testkit::{FakeServer, WorkflowContext, WorkflowResult};
    /// let fake = FakeServer::new();
    /// fake.register_workflow("hello", |ctx: WorkflowContext| async move {
    ///     let (name,): (String,) = ctx.args()?;
    ///     Ok(WorkflowResult::completed(format!("Hello, {name}!")))
    /// });
    /// ```
    pub fn register_workflow<F, Fut>(&self, workflow_type: impl Into<String>, workflow: F)
    where
        F: Fn(WorkflowContext) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: IntoWorkflowResult,
    {
        self.register(None, workflow_type.into(), factory(workflow));
    }

    /// Registers a fake workflow for `workflow_type` on `task_queue` only, as a worker
    /// polling that queue. An execution on a queue with nothing registered for its type
    /// stays Running with its first workflow task scheduled, as on a server with no
    /// worker, until something registers for it.
    ///
    /// ```
    /// # use temporal_testkit::{FakeServer, WorkflowContext, WorkflowResult};
    /// let fake = FakeServer::new();
    /// fake.register_workflow_on("greetings", "hello", |_ctx: WorkflowContext| async move {
    ///     WorkflowResult::completed("Hello!")
    /// });
    /// ```
    pub fn register_workflow_on<F, Fut>(
        &self,
        task_queue: impl Into<String>,
        workflow_type: impl Into<String>,
        workflow: F,
    ) where
        F: Fn(WorkflowContext) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: IntoWorkflowResult,
    {
        self.register(
            Some(task_queue.into()),
            workflow_type.into(),
            factory(workflow),
        );
    }

    fn register(&self, task_queue: Option<String>, workflow_type: String, f: WorkflowFactory) {
        {
            let mut st = self.inner.lock();
            st.registry
                .insert((task_queue.clone(), workflow_type.clone()), f);
            // Runs waiting for a worker of this type on a matching queue are picked up.
            let mut waiting = Vec::new();
            for (ns, namespace) in &mut st.namespaces {
                for run in namespace.runs.values_mut() {
                    let serves = task_queue.as_ref().is_none_or(|q| *q == run.task_queue);
                    if run.is_open()
                        && !run.has_worker
                        && serves
                        && run.workflow_type == workflow_type
                    {
                        run.has_worker = true;
                        waiting.push((ns.clone(), run.run_id.clone()));
                    }
                }
            }
            for (ns, run_id) in waiting {
                st.schedule_wft(&ns, &run_id);
            }
        }
        self.inner.settle();
    }

    /// The current virtual time.
    pub fn now(&self) -> SystemTime {
        self.inner.lock().now
    }

    /// Moves the virtual clock forward by `by`, firing in order everything that falls
    /// due on the way: workflow timers, delayed first workflow tasks (start delay, cron,
    /// retry backoff), run and execution timeouts.
    pub fn advance(&self, by: Duration) {
        let target = self.now() + by;
        self.advance_to(target);
    }

    /// Moves the virtual clock to `target` (no-op if it is in the past), firing what
    /// falls due on the way.
    pub fn advance_to(&self, target: SystemTime) {
        self.inner.settle();
        loop {
            let fired = {
                let mut st = self.inner.lock();
                match st.timers.pop_due(target) {
                    Some((at, kind)) => {
                        if at > st.now {
                            st.now = at;
                        }
                        st.fire(kind);
                        true
                    }
                    None => {
                        if target > st.now {
                            st.now = target;
                        }
                        false
                    }
                }
            };
            self.inner.settle();
            if !fired {
                break;
            }
        }
    }

    /// The virtual time of the next thing due (timer, backoff, timeout), if any.
    pub fn next_timer(&self) -> Option<SystemTime> {
        self.inner.lock().timers.next_due()
    }

    /// Completes the current run of `workflow_id` in namespace `default` with `result`,
    /// as if its worker had returned it.
    pub fn complete<T: Serialize>(&self, workflow_id: &str, result: T) -> Result<(), ServiceError> {
        self.finish(
            DEFAULT_NAMESPACE,
            workflow_id,
            WorkflowResult::completed(result),
        )
    }

    /// Fails the current run of `workflow_id` in namespace `default` (the retry policy
    /// and cron schedule apply).
    pub fn fail(&self, workflow_id: &str, failure: WorkflowFailure) -> Result<(), ServiceError> {
        self.finish(
            DEFAULT_NAMESPACE,
            workflow_id,
            WorkflowResult::Failed(failure),
        )
    }

    /// Ends the current run of `workflow_id` in namespace `default` as canceled.
    pub fn cancel_finish(&self, workflow_id: &str) -> Result<(), ServiceError> {
        self.finish(DEFAULT_NAMESPACE, workflow_id, WorkflowResult::canceled())
    }

    /// Times out the current run of `workflow_id` in namespace `default` now (the retry
    /// policy applies), as if its run timeout had passed.
    pub fn time_out(&self, workflow_id: &str) -> Result<(), ServiceError> {
        self.time_out_in(DEFAULT_NAMESPACE, workflow_id)
    }

    /// Ends the current run of `workflow_id` in `namespace` with `result`, as if its
    /// worker had returned it (a workflow task completes first).
    pub fn finish(
        &self,
        namespace: &str,
        workflow_id: &str,
        result: WorkflowResult,
    ) -> Result<(), ServiceError> {
        let result = self.inner.lock().codec.encode_result(result);
        self.close_by_hand(
            namespace,
            workflow_id,
            Close::from(result),
            WftSource::Complete,
        )
    }

    /// Times out the current run of `workflow_id` in `namespace` now.
    pub fn time_out_in(&self, namespace: &str, workflow_id: &str) -> Result<(), ServiceError> {
        self.close_by_hand(namespace, workflow_id, Close::TimedOut, WftSource::None)
    }

    fn close_by_hand(
        &self,
        ns: &str,
        workflow_id: &str,
        close: Close,
        wft: WftSource,
    ) -> Result<(), ServiceError> {
        const RPC: &str = "FakeServer";
        {
            let mut st = self.inner.lock();
            let run_id = st.namespace(RPC, ns)?.resolve_id(RPC, workflow_id, "")?;
            if !st.run(ns, &run_id).is_some_and(Run::is_open) {
                return Err(super::store::already_completed(RPC));
            }
            st.close_run(ns, &run_id, close, wft);
        }
        self.inner.settle();
        Ok(())
    }

    /// The history of a run (`run_id` empty: the current run), for assertions.
    pub fn history(
        &self,
        namespace: &str,
        workflow_id: &str,
        run_id: &str,
    ) -> Result<Vec<HistoryEvent>, ServiceError> {
        const RPC: &str = "FakeServer";
        let st = self.inner.lock();
        let run = st
            .namespace(RPC, namespace)?
            .resolve(RPC, workflow_id, run_id)?;
        Ok(run.history.events.clone())
    }
}
