//! The workflow side of fake activities: [`ActivityOptions`], what
//! [`WorkflowContext::start_activity`] returns ([`ActivityHandle`]) and its result.
//!
//! A fake activity is never run by the fake: it is scheduled and left pending, as an
//! activity whose worker called `raise_complete_async()` (Python) is, until a client
//! completes, fails or reports the cancellation of it through the async activity
//! completion RPCs, or a timeout on the virtual clock ends it. The engine is in
//! `activities.rs`.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use serde::de::DeserializeOwned;
use temporal_client_core::payload::ToPayloads;
use temporal_proto::temporal::api::common::v1::{Payload, Payloads};
use temporal_proto::temporal::api::failure::v1::Failure;

use super::payload::{self, PayloadError};
use super::workflows::{Command, WorkflowContext, WorkflowFailure, encode_args};

/// What a fake workflow schedules: the activity type, id, task queue, arguments and
/// timeouts. The fake does not retry activities (as a retry policy with
/// `maximum_attempts = 1`).
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityOptions {
    pub(crate) activity_type: String,
    pub(crate) activity_id: Option<String>,
    pub(crate) task_queue: Option<String>,
    pub(crate) input: Option<Payloads>,
    pub(crate) start_to_close_timeout: Duration,
    pub(crate) heartbeat_timeout: Option<Duration>,
}

/// The start-to-close timeout unless one is set (the server requires one of
/// start-to-close and schedule-to-close; the SDKs make callers choose).
pub const DEFAULT_ACTIVITY_START_TO_CLOSE: Duration = Duration::from_secs(300);

impl ActivityOptions {
    /// An activity of type `activity_type`, id chosen by the fake (`"1"`, `"2"`, ...,
    /// as the SDKs number them), on the workflow's task queue, without arguments,
    /// start-to-close timeout [`DEFAULT_ACTIVITY_START_TO_CLOSE`], no heartbeat timeout.
    pub fn new(activity_type: impl Into<String>) -> Self {
        Self {
            activity_type: activity_type.into(),
            activity_id: None,
            task_queue: None,
            input: None,
            start_to_close_timeout: DEFAULT_ACTIVITY_START_TO_CLOSE,
            heartbeat_timeout: None,
        }
    }

    /// Sets the activity id (what `ActivityRef::by_id` names).
    pub fn activity_id(mut self, id: impl Into<String>) -> Self {
        self.activity_id = Some(id.into());
        self
    }

    /// Sets the task queue recorded in the scheduled event.
    pub fn task_queue(mut self, task_queue: impl Into<String>) -> Self {
        self.task_queue = Some(task_queue.into());
        self
    }

    /// Sets the arguments: a tuple, one payload per element.
    ///
    /// # Errors
    /// When a value cannot be encoded.
    pub fn args<T: ToPayloads>(mut self, args: T) -> Result<Self, PayloadError> {
        self.input = Some(encode_args(&args)?);
        Ok(self)
    }

    /// Sets the start-to-close timeout (virtual time from scheduling, since the fake
    /// starts the activity at once): when it passes the activity times out.
    pub fn start_to_close_timeout(mut self, timeout: Duration) -> Self {
        self.start_to_close_timeout = timeout;
        self
    }

    /// Sets the heartbeat timeout: the activity times out when no heartbeat arrives
    /// within it (counted from scheduling, then from each heartbeat).
    pub fn heartbeat_timeout(mut self, timeout: Duration) -> Self {
        self.heartbeat_timeout = Some(timeout);
        self
    }
}

/// What a scheduled activity carries into the engine.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ScheduleActivity {
    pub(crate) seq: u64,
    pub(crate) activity_id: String,
    pub(crate) options: ActivityOptions,
}

/// How an activity ended, as its workflow sees it.
pub(crate) type ActivityOutcome = Result<Option<Payloads>, Failure>;

/// One activity of a run, as the workflow side tracks it.
#[derive(Debug, Default)]
pub(crate) struct ActivitySlot {
    pub(crate) activity_id: String,
    pub(crate) task_token: Option<Vec<u8>>,
    pub(crate) outcome: Option<ActivityOutcome>,
}

/// The activities of one run, by sequence number.
#[derive(Debug, Default)]
pub(crate) struct CtxActivities {
    next_seq: u64,
    pub(crate) slots: HashMap<u64, ActivitySlot>,
}

/// A scheduled fake activity: its id, its task token once scheduled, cancellation, and
/// its result. Cheap to clone (queries can capture one).
#[derive(Debug, Clone)]
pub struct ActivityHandle {
    ctx: WorkflowContext,
    seq: u64,
}

impl WorkflowContext {
    /// Schedules an activity (an `ActivityTaskScheduled` event when the workflow task
    /// completes) and returns its handle. Only a client ends it: complete, fail or
    /// report cancellation through the async activity completion API (by task token or
    /// by id), or its start-to-close or heartbeat timeout on the virtual clock.
    pub fn start_activity(&self, options: ActivityOptions) -> ActivityHandle {
        let mut s = self.lock();
        s.activities.next_seq += 1;
        let seq = s.activities.next_seq;
        let activity_id = options
            .activity_id
            .clone()
            .unwrap_or_else(|| seq.to_string());
        s.activities.slots.insert(
            seq,
            ActivitySlot {
                activity_id: activity_id.clone(),
                ..ActivitySlot::default()
            },
        );
        s.commands
            .push(Command::ScheduleActivity(Box::new(ScheduleActivity {
                seq,
                activity_id,
                options,
            })));
        s.generation += 1;
        drop(s);
        ActivityHandle {
            ctx: self.clone(),
            seq,
        }
    }
}

impl ActivityHandle {
    /// The activity id.
    pub fn activity_id(&self) -> String {
        self.ctx
            .lock()
            .activities
            .slots
            .get(&self.seq)
            .map(|s| s.activity_id.clone())
            .unwrap_or_default()
    }

    /// The task token a worker would have received (opaque bytes), once the activity
    /// is scheduled: after the workflow task that started it completed.
    pub fn task_token(&self) -> Option<Vec<u8>> {
        self.ctx
            .lock()
            .activities
            .slots
            .get(&self.seq)
            .and_then(|s| s.task_token.clone())
    }

    /// Whether the activity ended (completed, failed, cancelled or timed out).
    pub fn is_done(&self) -> bool {
        self.ctx
            .lock()
            .activities
            .slots
            .get(&self.seq)
            .is_some_and(|s| s.outcome.is_some())
    }

    /// Requests cancellation (an `ActivityTaskCancelRequested` event). Heartbeats then
    /// answer `cancel_requested`; the result resolves once the client reports the
    /// cancellation (or completes or fails it), as the SDKs'
    /// `WAIT_CANCELLATION_COMPLETED`.
    pub fn cancel(&self) {
        let mut s = self.ctx.lock();
        s.commands
            .push(Command::RequestCancelActivity { seq: self.seq });
        s.generation += 1;
    }

    /// Waits for the activity's outcome: its result, or a failure whose message is
    /// "Activity task failed" (or timed out, canceled) with `activity_failure_info`
    /// and the cause (the client's application failure, a cancellation with its
    /// details, or a timeout), as an SDK's `ActivityError`. Returned from the workflow
    /// it fails the workflow with that chain.
    pub fn result(&self) -> ActivityResult {
        ActivityResult {
            ctx: self.ctx.clone(),
            seq: self.seq,
        }
    }
}

/// Future of [`ActivityHandle::result`].
#[derive(Debug)]
pub struct ActivityResult {
    ctx: WorkflowContext,
    seq: u64,
}

impl Future for ActivityResult {
    type Output = Result<ActivityOutput, WorkflowFailure>;

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Self::Output> {
        let s = self.ctx.lock();
        match s
            .activities
            .slots
            .get(&self.seq)
            .and_then(|a| a.outcome.clone())
        {
            Some(Ok(payloads)) => Poll::Ready(Ok(ActivityOutput(payloads))),
            Some(Err(failure)) => Poll::Ready(Err(WorkflowFailure::from_proto(failure))),
            None => Poll::Pending,
        }
    }
}

/// An activity's result payloads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivityOutput(pub Option<Payloads>);

impl ActivityOutput {
    /// Decodes the first payload (no payload reads as JSON `null`, so `()` and
    /// `Option<T>` work).
    ///
    /// # Errors
    /// When the payload does not decode as `T`.
    pub fn get<T: DeserializeOwned>(&self) -> Result<T, PayloadError> {
        match self.payloads().first() {
            Some(p) => payload::decode(p),
            None => payload::decode(&payload::encode(&())?),
        }
    }

    /// The raw payloads.
    pub fn payloads(&self) -> &[Payload] {
        self.0
            .as_ref()
            .map(|p| p.payloads.as_slice())
            .unwrap_or(&[])
    }
}
