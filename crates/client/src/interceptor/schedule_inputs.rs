//! The inputs and outputs of the intercepted schedule operations
//! (`client.schedules()` and [`ScheduleHandle`](crate::schedule::ScheduleHandle)).
//!
//! The action's arguments are payloads here (after the payload converter, before the
//! codecs), as for a workflow start.

use temporal_client_core::CallOptions;
use temporal_client_core::options::Memo;
use temporal_client_core::schedule::{
    Schedule, ScheduleBackfill, ScheduleOverlapPolicy, ScheduleSummary, ScheduleUpdate,
};
use temporal_client_core::search_attributes::SearchAttributes;

/// Input of [`Interceptor::create_schedule`](super::Interceptor::create_schedule).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreateScheduleInput {
    /// The schedule id.
    pub schedule_id: String,
    /// The schedule; its action's arguments are payloads already.
    pub schedule: Schedule,
    /// The schedule's own memo (not its workflows').
    pub memo: Memo,
    /// The schedule's own search attributes.
    pub search_attributes: SearchAttributes,
    /// Take the action once, at creation.
    pub trigger_immediately: bool,
    /// Backfills to run at creation.
    pub backfills: Vec<ScheduleBackfill>,
    /// Timeout, metadata and retry of the RPC.
    pub call: CallOptions,
}

/// Input of [`Interceptor::describe_schedule`](super::Interceptor::describe_schedule).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DescribeScheduleInput {
    /// The schedule id.
    pub schedule_id: String,
    /// Timeout, metadata and retry of the RPC.
    pub call: CallOptions,
}

/// Input of [`Interceptor::update_schedule`](super::Interceptor::update_schedule): one
/// UpdateSchedule RPC (an `update(..)` that is retried after a conflict makes several).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UpdateScheduleInput {
    /// The schedule id.
    pub schedule_id: String,
    /// The new schedule (arguments as payloads) and search attributes.
    pub update: ScheduleUpdate,
    /// The conflict token of the description the update was made from.
    pub conflict_token: Vec<u8>,
    /// Timeout, metadata and retry of the RPC.
    pub call: CallOptions,
}

/// What a patch does: pause, unpause, trigger or backfill.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SchedulePatchKind {
    /// Pause, with this note.
    Pause(String),
    /// Unpause, with this note.
    Unpause(String),
    /// Take the action now, with this overlap policy (`None`: the schedule's).
    Trigger(Option<ScheduleOverlapPolicy>),
    /// Take the actions of these ranges now.
    Backfill(Vec<ScheduleBackfill>),
}

/// Input of [`Interceptor::patch_schedule`](super::Interceptor::patch_schedule):
/// `pause`, `unpause`, `trigger` and `backfill`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PatchScheduleInput {
    /// The schedule id.
    pub schedule_id: String,
    /// What the patch does.
    pub patch: SchedulePatchKind,
    /// Timeout, metadata and retry of the RPC.
    pub call: CallOptions,
}

/// Input of [`Interceptor::delete_schedule`](super::Interceptor::delete_schedule).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DeleteScheduleInput {
    /// The schedule id.
    pub schedule_id: String,
    /// Timeout, metadata and retry of the RPC.
    pub call: CallOptions,
}

/// Input of [`Interceptor::list_schedules`](super::Interceptor::list_schedules): one
/// page.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ListSchedulesInput {
    /// The visibility query (`""` for all schedules).
    pub query: String,
    /// Schedules per page (0: the server's default).
    pub page_size: i32,
    /// The token of the page to read (empty for the first).
    pub next_page_token: Vec<u8>,
    /// Timeout, metadata and retry of the RPC.
    pub call: CallOptions,
}

/// Output of [`Interceptor::list_schedules`](super::Interceptor::list_schedules).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ListSchedulesOutput {
    /// The schedules of this page, memo decoded.
    pub schedules: Vec<ScheduleSummary>,
    /// The token of the next page (empty after the last).
    pub next_page_token: Vec<u8>,
}
