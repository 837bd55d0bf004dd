//! Fake workflows: the registry entry type, the [`WorkflowContext`] a fake workflow runs
//! with, and the [`WorkflowResult`] it ends with.
//!
//! A fake workflow is an async closure. The fake server drives it deterministically: it
//! polls the workflow whenever something the workflow may wait for happens (a signal, a
//! timer on the virtual clock, a cancellation request, an update) and turns what the
//! workflow does into history events, as a worker and the server would together.
// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use serde::Serialize;
use serde::de::DeserializeOwned;
use temporal_client_core::payload::{FromPayloads, ToPayloads};
use temporal_proto::temporal::api::common::v1::{Memo, Payload, Payloads, SearchAttributes};
use temporal_proto::temporal::api::failure::v1::{
    ApplicationFailureInfo, Failure, failure::FailureInfo,
};

use super::payload::{self, PayloadError};

/// A boxed, sendable future, as fake workflows and their handlers are stored.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// The function the fake calls to start a run of a registered workflow type.
pub(crate) type WorkflowFactory =
    Arc<dyn Fn(WorkflowContext) -> BoxFuture<WorkflowResult> + Send + Sync>;

type QueryFn = Arc<dyn Fn(Args) -> Result<Payloads, WorkflowFailure> + Send + Sync>;
type ValidatorFn = Arc<dyn Fn(&Args) -> Result<(), WorkflowFailure> + Send + Sync>;
type UpdateFn = Arc<
    dyn Fn(WorkflowContext, Args) -> BoxFuture<Result<Payloads, WorkflowFailure>> + Send + Sync,
>;

/// Converts what a workflow closure returns into a [`WorkflowResult`].
///
/// Implemented for `WorkflowResult` itself and for `Result<WorkflowResult, WorkflowFailure>`,
/// so a workflow can use `?` on argument decoding and other fallible steps.
pub trait IntoWorkflowResult: Send + 'static {
    /// The result.
    fn into_workflow_result(self) -> WorkflowResult;
}

impl IntoWorkflowResult for WorkflowResult {
    fn into_workflow_result(self) -> WorkflowResult {
        self
    }
}

impl IntoWorkflowResult for Result<WorkflowResult, WorkflowFailure> {
    fn into_workflow_result(self) -> WorkflowResult {
        self.unwrap_or_else(WorkflowResult::Failed)
    }
}

/// Makes a factory from a user's closure.
pub(crate) fn factory<F, Fut>(f: F) -> WorkflowFactory
where
    F: Fn(WorkflowContext) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoWorkflowResult,
{
    Arc::new(move |ctx| {
        let fut = f(ctx);
        Box::pin(async move { fut.await.into_workflow_result() })
    })
}

/// How a fake workflow run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkflowResult {
    /// Completed with this result (`None`: no result payloads).
    Completed(Option<Payloads>),
    /// Failed with this failure.
    Failed(WorkflowFailure),
    /// Ended as canceled, with optional details.
    Canceled(Option<Payloads>),
    /// Continued as a new run.
    ContinueAsNew(ContinueAsNew),
}

impl WorkflowResult {
    /// Completed with one value, encoded as the client's default converter does (JSON;
    /// `()`/`None` as `binary/null`, `Binary` as `binary/plain`).
    pub fn completed<T: Serialize>(value: T) -> Self {
        match payload::encode(&value) {
            Ok(p) => Self::Completed(Some(payload::single(p))),
            Err(e) => Self::Failed(WorkflowFailure::from(e)),
        }
    }

    /// Completed with these payloads as they are.
    pub fn completed_payloads(payloads: Payloads) -> Self {
        Self::Completed(Some(payloads))
    }

    /// Failed with `failure`.
    pub fn failed(failure: WorkflowFailure) -> Self {
        Self::Failed(failure)
    }

    /// Ended as canceled, without details.
    pub fn canceled() -> Self {
        Self::Canceled(None)
    }

    /// Continues as new with `args` (a tuple: one payload per element).
    pub fn continue_as_new<T: ToPayloads>(args: T) -> Self {
        match encode_args(&args) {
            Ok(input) => Self::ContinueAsNew(ContinueAsNew {
                input: Some(input),
                ..ContinueAsNew::default()
            }),
            Err(e) => Self::Failed(WorkflowFailure::from(e)),
        }
    }
}

/// What a continue-as-new carries over to the next run. Unset fields keep the current
/// run's values, as the SDKs do.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContinueAsNew {
    /// Workflow type of the next run.
    pub workflow_type: Option<String>,
    /// Task queue of the next run.
    pub task_queue: Option<String>,
    /// Input of the next run.
    pub input: Option<Payloads>,
    /// Run timeout of the next run.
    pub run_timeout: Option<Duration>,
    /// Memo of the next run.
    pub memo: Option<Memo>,
    /// Search attributes of the next run.
    pub search_attributes: Option<SearchAttributes>,
    /// Delay before the next run's first workflow task.
    pub backoff: Option<Duration>,
}

/// Encodes an argument list as one payload per element, as the client does: a tuple
/// such as `(1, "a")`, `()` for none, or a list of `serde_json::Value`s.
pub fn encode_args<T: ToPayloads + ?Sized>(args: &T) -> Result<Payloads, PayloadError> {
    payload::encode_all(args)
}

/// An application failure a fake workflow, query or update ends with: the Temporal
/// `Failure` message with `application_failure_info`.
///
/// A failure made with [`WorkflowFailure::task_failure`], or converted from a
/// [`PayloadError`] (an argument that cannot be decoded, as with `ctx.args()?`), is not
/// a workflow failure: returned from a fake workflow it fails the *workflow task*, as an
/// SDK's worker does for an unexpected error, and the workflow stays Running with a
/// `WorkflowTaskFailed` event. Queries and updates report it like any other failure.
#[derive(Clone, PartialEq)]
pub struct WorkflowFailure {
    failure: Failure,
    fails_task: bool,
}

impl WorkflowFailure {
    /// An application failure with this message, an empty type and retryable.
    pub fn application(message: impl Into<String>) -> Self {
        Self {
            failure: Failure {
                message: message.into(),
                failure_info: Some(FailureInfo::ApplicationFailureInfo(
                    ApplicationFailureInfo::default(),
                )),
                ..Failure::default()
            },
            fails_task: false,
        }
    }

    /// A failure that fails the workflow task rather than the workflow, as an
    /// unexpected error (not a Temporal failure) does in an SDK's workflow code: the
    /// workflow stays Running with a `WorkflowTaskFailed` event (cause
    /// `WORKFLOW_WORKER_UNHANDLED_FAILURE`) and makes no more progress.
    pub fn task_failure(message: impl Into<String>) -> Self {
        Self {
            fails_task: true,
            ..Self::application(message)
        }
    }

    /// The same failure, failing the workflow task.
    pub(crate) fn into_task_failure(self) -> Self {
        Self {
            fails_task: true,
            ..self
        }
    }

    /// Whether returning this failure from a fake workflow fails the workflow task (see
    /// [`task_failure`](Self::task_failure)) rather than the workflow.
    pub fn fails_task(&self) -> bool {
        self.fails_task
    }

    /// Wraps a failure message as it is.
    pub fn from_proto(failure: Failure) -> Self {
        Self {
            failure,
            fails_task: false,
        }
    }

    fn app_info(&mut self) -> Option<&mut ApplicationFailureInfo> {
        match &mut self.failure.failure_info {
            Some(FailureInfo::ApplicationFailureInfo(info)) => Some(info),
            _ => None,
        }
    }

    /// Sets the application error type (what retry policies match against).
    pub fn with_type(mut self, failure_type: impl Into<String>) -> Self {
        if let Some(info) = self.app_info() {
            info.r#type = failure_type.into();
        }
        self
    }

    /// Marks the failure as not retryable.
    pub fn non_retryable(mut self) -> Self {
        if let Some(info) = self.app_info() {
            info.non_retryable = true;
        }
        self
    }

    /// Sets the details: a tuple of values, one payload each.
    pub fn with_details<T: ToPayloads>(mut self, details: T) -> Self {
        let encoded = encode_args(&details).ok();
        if let Some(info) = self.app_info() {
            info.details = encoded;
        }
        self
    }

    /// Sets the cause.
    pub fn with_cause(mut self, cause: WorkflowFailure) -> Self {
        self.failure.cause = Some(Box::new(cause.failure));
        self
    }

    /// Sets the `source` (which SDK produced the failure).
    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.failure.source = source.into();
        self
    }

    /// The failure message.
    pub fn message(&self) -> &str {
        &self.failure.message
    }

    /// The application error type, or `""`.
    pub fn failure_type(&self) -> &str {
        match &self.failure.failure_info {
            Some(FailureInfo::ApplicationFailureInfo(info)) => &info.r#type,
            _ => "",
        }
    }

    /// Whether the failure says it must not be retried.
    pub fn is_non_retryable(&self) -> bool {
        matches!(&self.failure.failure_info, Some(FailureInfo::ApplicationFailureInfo(info)) if info.non_retryable)
    }

    /// The protobuf failure.
    pub fn as_proto(&self) -> &Failure {
        &self.failure
    }

    /// The protobuf failure, by value.
    pub fn into_proto(self) -> Failure {
        self.failure
    }
}

impl fmt::Debug for WorkflowFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkflowFailure")
            .field("message", &self.failure.message)
            .field("type", &self.failure_type())
            .field("non_retryable", &self.is_non_retryable())
            .finish_non_exhaustive()
    }
}

impl fmt::Display for WorkflowFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.failure.message)
    }
}

impl std::error::Error for WorkflowFailure {}

impl From<PayloadError> for WorkflowFailure {
    /// An argument that cannot be decoded fails the workflow task, as in the SDKs.
    fn from(e: PayloadError) -> Self {
        Self::task_failure(e.to_string()).with_type("PayloadError")
    }
}

/// Arguments of a signal, query or update.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Args(pub Option<Payloads>);

impl Args {
    /// Decodes the arguments as a tuple, one payload per element: `args.get::<(i64,)>()`
    /// (or `Vec<serde_json::Value>` for any number of them).
    pub fn get<T: FromPayloads>(&self) -> Result<T, PayloadError> {
        payload::decode_all(self.0.as_ref())
    }

    /// Decodes the argument at `index`.
    pub fn at<T: DeserializeOwned>(&self, index: usize) -> Result<T, PayloadError> {
        let payloads = self.payloads();
        let p = payloads.get(index).ok_or(PayloadError::ArgCount {
            expected: index + 1,
            actual: payloads.len(),
        })?;
        payload::decode(p)
    }

    /// The raw payloads.
    pub fn payloads(&self) -> &[Payload] {
        self.0
            .as_ref()
            .map(|p| p.payloads.as_slice())
            .unwrap_or(&[])
    }
}

/// A signal delivered to a fake workflow.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    /// The signal name.
    pub name: String,
    /// The signal's arguments.
    pub args: Args,
}

/// Facts about the running workflow, as an SDK's `workflow.info()` gives them.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowInfo {
    /// Namespace.
    pub namespace: String,
    /// Workflow id.
    pub workflow_id: String,
    /// Run id of this run.
    pub run_id: String,
    /// Workflow type.
    pub workflow_type: String,
    /// Task queue.
    pub task_queue: String,
    /// Attempt of this run, from 1 (grows on retries).
    pub attempt: i32,
    /// Run id of the first run of the chain.
    pub first_execution_run_id: String,
    /// Run this one continued from (continue-as-new, retry or cron), if any.
    pub continued_run_id: Option<String>,
    /// Cron schedule, or `""`.
    pub cron_schedule: String,
    /// Virtual time the run started.
    pub start_time: SystemTime,
    /// Result of the previous successful cron run, if any.
    pub last_completion_result: Option<Payloads>,
    /// Failure of the previous attempt, for a retry.
    pub continued_failure: Option<Failure>,
    /// Memo at start.
    pub memo: Option<Memo>,
    /// Search attributes at start.
    pub search_attributes: Option<SearchAttributes>,
    /// The Temporal header the start carried (what a worker's interceptors read).
    pub header: Option<temporal_proto::temporal::api::common::v1::Header>,
}

/// Something a workflow did that becomes history (a worker's command).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Command {
    StartTimer { id: u64, duration: Duration },
    CancelTimer { id: u64 },
    UpsertSearchAttributes(SearchAttributes),
    UpsertMemo(Memo),
    ScheduleActivity(Box<super::activity_handle::ScheduleActivity>),
    RequestCancelActivity { seq: u64 },
}

#[derive(Clone)]
pub(crate) struct UpdateDef {
    pub(crate) validator: Option<ValidatorFn>,
    pub(crate) handler: UpdateFn,
}

/// State shared between a run's workflow code and the fake server.
pub(crate) struct CtxShared {
    pub(crate) info: WorkflowInfo,
    pub(crate) input: Option<Payloads>,
    pub(crate) now: SystemTime,
    pub(crate) signals: VecDeque<Signal>,
    pub(crate) cancel_requested: bool,
    next_timer_id: u64,
    pub(crate) fired_timers: HashSet<u64>,
    pub(crate) commands: Vec<Command>,
    pub(crate) queries: BTreeMap<String, QueryFn>,
    pub(crate) updates: BTreeMap<String, UpdateDef>,
    pub(crate) running_handlers: usize,
    pub(crate) activities: super::activity_handle::CtxActivities,
    /// Bumped by every change the workflow code can observe or make; the driver polls
    /// again until it stops changing.
    pub(crate) generation: u64,
}

/// The handle a fake workflow gets: arguments, signals, queries, updates, cancellation,
/// timers on the virtual clock, and search attribute / memo upserts.
#[derive(Clone)]
pub struct WorkflowContext {
    pub(crate) shared: Arc<Mutex<CtxShared>>,
}

impl fmt::Debug for WorkflowContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkflowContext")
            .field("info", &self.lock().info)
            .finish_non_exhaustive()
    }
}

impl WorkflowContext {
    pub(crate) fn new(info: WorkflowInfo, input: Option<Payloads>, now: SystemTime) -> Self {
        Self {
            shared: Arc::new(Mutex::new(CtxShared {
                info,
                input,
                now,
                signals: VecDeque::new(),
                cancel_requested: false,
                next_timer_id: 1,
                fired_timers: HashSet::new(),
                commands: Vec::new(),
                queries: BTreeMap::new(),
                updates: BTreeMap::new(),
                running_handlers: 0,
                activities: Default::default(),
                generation: 0,
            })),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, CtxShared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Facts about this run.
    pub fn info(&self) -> WorkflowInfo {
        self.lock().info.clone()
    }

    /// The run's input payloads as they are.
    pub fn input(&self) -> Option<Payloads> {
        self.lock().input.clone()
    }

    /// Decodes the input as a tuple, one payload per element: `ctx.args::<(i64,)>()`
    /// (or `Vec<serde_json::Value>` for any number of them).
    pub fn args<T: FromPayloads>(&self) -> Result<T, PayloadError> {
        payload::decode_all(self.lock().input.as_ref())
    }

    /// The current virtual time.
    pub fn now(&self) -> SystemTime {
        self.lock().now
    }

    /// Waits for the next signal of any name (signals queue up until taken).
    pub fn next_signal(&self) -> NextSignal {
        NextSignal {
            ctx: self.clone(),
            name: None,
        }
    }

    /// A receiver of the signals called `name`.
    pub fn signal_channel(&self, name: impl Into<String>) -> SignalChannel {
        SignalChannel {
            ctx: self.clone(),
            name: name.into(),
        }
    }

    /// Registers a query handler returning a JSON-encoded value. The handler must not
    /// block; it sees the workflow's state through whatever it captured.
    pub fn on_query<F, R>(&self, name: impl Into<String>, handler: F)
    where
        F: Fn(Args) -> Result<R, WorkflowFailure> + Send + Sync + 'static,
        R: Serialize,
    {
        let f: QueryFn = Arc::new(move |args| {
            let value = handler(args)?;
            Ok(payload::single(payload::encode(&value)?))
        });
        let mut s = self.lock();
        s.queries.insert(name.into(), f);
        s.generation += 1;
    }

    /// Registers an update handler without a validator.
    pub fn on_update<H, Fut, R>(&self, name: impl Into<String>, handler: H)
    where
        H: Fn(WorkflowContext, Args) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, WorkflowFailure>> + Send + 'static,
        R: Serialize,
    {
        self.register_update(name.into(), None, handler);
    }

    /// Registers an update handler with a validator: a validator error rejects the
    /// update (it never reaches history); otherwise the update is accepted and the
    /// handler runs.
    pub fn on_update_with_validator<V, H, Fut, R>(
        &self,
        name: impl Into<String>,
        validator: V,
        handler: H,
    ) where
        V: Fn(&Args) -> Result<(), WorkflowFailure> + Send + Sync + 'static,
        H: Fn(WorkflowContext, Args) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, WorkflowFailure>> + Send + 'static,
        R: Serialize,
    {
        self.register_update(name.into(), Some(Arc::new(validator)), handler);
    }

    fn register_update<H, Fut, R>(&self, name: String, validator: Option<ValidatorFn>, handler: H)
    where
        H: Fn(WorkflowContext, Args) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, WorkflowFailure>> + Send + 'static,
        R: Serialize,
    {
        let handler: UpdateFn = Arc::new(move |ctx, args| {
            let fut = handler(ctx, args);
            Box::pin(async move {
                let value = fut.await?;
                Ok(payload::single(payload::encode(&value)?))
            })
        });
        let mut s = self.lock();
        s.updates.insert(name, UpdateDef { validator, handler });
        s.generation += 1;
    }

    /// Whether cancellation of this run was requested.
    pub fn is_cancel_requested(&self) -> bool {
        self.lock().cancel_requested
    }

    /// Resolves once cancellation of this run is requested.
    pub fn cancelled(&self) -> Cancelled {
        Cancelled { ctx: self.clone() }
    }

    /// Sleeps for `duration` of virtual time (a workflow timer). Dropping the future
    /// before it fires cancels the timer.
    pub fn sleep(&self, duration: Duration) -> Sleep {
        Sleep {
            ctx: self.clone(),
            duration,
            timer: None,
            done: false,
        }
    }

    /// Resolves once `condition` is true; it is checked each time the workflow is
    /// driven (after signals, timers, updates, cancellation).
    pub fn wait_condition<F: FnMut() -> bool + Send + Unpin>(
        &self,
        condition: F,
    ) -> WaitCondition<F> {
        WaitCondition { condition }
    }

    /// Whether every accepted update handler has finished.
    pub fn all_handlers_finished(&self) -> bool {
        self.lock().running_handlers == 0
    }

    /// Upserts search attributes (recorded as an `UpsertWorkflowSearchAttributes` event).
    /// Values are payloads, e.g. from [`search_attribute`](super::search_attribute).
    pub fn upsert_search_attributes(
        &self,
        attributes: impl IntoIterator<Item = (String, Payload)>,
    ) {
        let attrs = SearchAttributes {
            indexed_fields: attributes.into_iter().collect(),
        };
        let mut s = self.lock();
        s.commands.push(Command::UpsertSearchAttributes(attrs));
        s.generation += 1;
    }

    /// Upserts memo fields, each value encoded as JSON (recorded as a
    /// `WorkflowPropertiesModified` event).
    pub fn upsert_memo<T: Serialize>(&self, fields: impl IntoIterator<Item = (String, T)>) {
        let fields = fields
            .into_iter()
            .filter_map(|(k, v)| payload::encode(&v).ok().map(|p| (k, p)))
            .collect();
        let mut s = self.lock();
        s.commands.push(Command::UpsertMemo(Memo { fields }));
        s.generation += 1;
    }
}

/// Future of [`WorkflowContext::next_signal`] and [`SignalChannel::recv`].
#[derive(Debug)]
pub struct NextSignal {
    ctx: WorkflowContext,
    name: Option<String>,
}

impl Future for NextSignal {
    type Output = Signal;

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Signal> {
        let mut s = self.ctx.lock();
        let pos = match &self.name {
            None => (!s.signals.is_empty()).then_some(0),
            Some(n) => s.signals.iter().position(|sig| &sig.name == n),
        };
        match pos.and_then(|i| s.signals.remove(i)) {
            Some(sig) => {
                s.generation += 1;
                Poll::Ready(sig)
            }
            None => Poll::Pending,
        }
    }
}

/// Receives the signals of one name, in arrival order.
#[derive(Debug, Clone)]
pub struct SignalChannel {
    ctx: WorkflowContext,
    name: String,
}

impl SignalChannel {
    /// Waits for the next signal of this name.
    pub fn recv(&self) -> NextSignal {
        NextSignal {
            ctx: self.ctx.clone(),
            name: Some(self.name.clone()),
        }
    }

    /// Takes a waiting signal of this name without waiting.
    pub fn try_recv(&self) -> Option<Signal> {
        let mut s = self.ctx.lock();
        let i = s.signals.iter().position(|sig| sig.name == self.name)?;
        s.generation += 1;
        s.signals.remove(i)
    }
}

/// Future of [`WorkflowContext::cancelled`].
#[derive(Debug)]
pub struct Cancelled {
    ctx: WorkflowContext,
}

impl Future for Cancelled {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if self.ctx.lock().cancel_requested {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// Future of [`WorkflowContext::sleep`].
#[derive(Debug)]
pub struct Sleep {
    ctx: WorkflowContext,
    duration: Duration,
    timer: Option<u64>,
    done: bool,
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if self.done {
            return Poll::Ready(());
        }
        let mut s = self.ctx.lock();
        match self.timer {
            None => {
                if self.duration.is_zero() {
                    drop(s);
                    self.done = true;
                    return Poll::Ready(());
                }
                let id = s.next_timer_id;
                s.next_timer_id += 1;
                s.commands.push(Command::StartTimer {
                    id,
                    duration: self.duration,
                });
                s.generation += 1;
                drop(s);
                self.timer = Some(id);
                Poll::Pending
            }
            Some(id) => {
                if s.fired_timers.remove(&id) {
                    drop(s);
                    self.done = true;
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            }
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let (Some(id), false) = (self.timer, self.done) {
            let mut s = self.ctx.lock();
            s.commands.push(Command::CancelTimer { id });
        }
    }
}

/// Future of [`WorkflowContext::wait_condition`].
#[derive(Debug)]
pub struct WaitCondition<F> {
    condition: F,
}

impl<F: FnMut() -> bool + Unpin> Future for WaitCondition<F> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if (self.condition)() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// A search attribute value payload with its `type` metadata, as the server indexes it.
///
/// `index_type` is one of `Text`, `Keyword`, `Int`, `Double`, `Bool`, `Datetime`,
/// `KeywordList`.
pub fn search_attribute<T: Serialize>(index_type: &str, value: T) -> Result<Payload, PayloadError> {
    let mut p = payload::encode(&value)?;
    p.metadata
        .insert("type".to_owned(), index_type.as_bytes().to_vec());
    Ok(p)
}
