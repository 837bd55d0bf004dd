//! Schedules: `client.schedules()` creates and lists them, a [`ScheduleHandle`]
//! describes, updates, pauses, triggers, backfills and deletes one.
//!
//! This is TypeScript's `client.schedule` (`ScheduleClient`, `ScheduleHandle`) and
//! Python's `create_schedule` / `ScheduleHandle`, over the Workflow Service's schedule
//! RPCs. The typed model ([`Schedule`], [`ScheduleSpec`], [`ScheduleAction`], ...) is
//! `temporal_client_core::schedule`, re-exported here.

mod create;
mod handle;
mod list;
mod patch;
mod update;

pub use create::CreateSchedule;
pub use handle::{DeleteSchedule, DescribeSchedule, ScheduleHandle};
pub use list::ListSchedules;
pub use patch::PatchSchedule;
pub use temporal_client_core::schedule::{
    CalendarSpec, IntervalSpec, Schedule, ScheduleAction, ScheduleActionResult, ScheduleArgs,
    ScheduleBackfill, ScheduleDescription, ScheduleInfo, ScheduleOverlapPolicy, SchedulePolicy,
    ScheduleRange, ScheduleSpec, ScheduleState, ScheduleSummary, ScheduleUpdate,
    ScheduleWorkflowAction, ScheduleWorkflowRef,
};
pub use update::{UPDATE_MAX_ATTEMPTS, UpdateSchedule};

use crate::client::Client;

/// The schedule operations of a client, from [`Client::schedules`]. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ScheduleClient {
    pub(crate) client: Client,
}

impl Client {
    /// The schedule client (TypeScript's `client.schedule`): create, list, and handles
    /// to existing schedules.
    pub fn schedules(&self) -> ScheduleClient {
        ScheduleClient {
            client: self.clone(),
        }
    }
}

impl ScheduleClient {
    /// A handle to the schedule with this id. Does no RPC.
    pub fn get_handle(&self, schedule_id: impl Into<String>) -> ScheduleHandle {
        ScheduleHandle {
            client: self.client.clone(),
            schedule_id: schedule_id.into(),
        }
    }
}
