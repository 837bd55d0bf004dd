//! Schedules, typed: [`Schedule`] (a [`ScheduleSpec`], a [`ScheduleAction`], a
//! [`SchedulePolicy`] and a [`ScheduleState`]), what describe and list return
//! ([`ScheduleDescription`], [`ScheduleSummary`]), and backfills.
//!
//! Each type converts to and from the Temporal proto (`temporal.api.schedule.v1`); the
//! request builders in [`crate::builders`] wrap them in requests. Names follow the
//! TypeScript client (`client.schedule`); the semantics are the server's. Cron strings
//! are passed to the server as they are (it parses them).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use temporal_client_core::builders::RequestContext;
//! use temporal_client_core::options::WorkflowOptions;
//! use temporal_client_core::schedule::{
//!     Schedule, ScheduleAction, ScheduleOverlapPolicy, SchedulePolicy, ScheduleSpec,
//! };
//! use temporal_client_core::DataConverter;
//!
//! let schedule = Schedule::new(
//!     ScheduleAction::start_workflow(
//!         "report",
//!         WorkflowOptions::new("daily-report", "reports").args(("eu",)),
//!     ),
//!     ScheduleSpec::new().cron("0 6 * * *"),
//! )
//! .policy(SchedulePolicy::new().overlap(ScheduleOverlapPolicy::BufferOne));
//! let proto = schedule
//!     .to_proto(RequestContext::new("default", "me"), &DataConverter::default())
//!     .await?;
//! assert_eq!(proto.spec.unwrap().cron_string, ["0 6 * * *"]);
//! # Ok(()) }
//! ```

mod action;
mod description;
mod policy;
mod spec;
mod state;
mod summary;
mod time;

use std::time::SystemTime;

pub use action::{ScheduleAction, ScheduleArgs, ScheduleWorkflowAction};
pub use description::{
    ScheduleActionResult, ScheduleDescription, ScheduleInfo, ScheduleWorkflowRef,
};
pub use policy::{ScheduleOverlapPolicy, SchedulePolicy};
pub use spec::{CalendarSpec, IntervalSpec, ScheduleRange, ScheduleSpec};
pub use state::ScheduleState;
pub use summary::ScheduleSummary;
use temporal_proto::temporal::api::schedule::v1 as proto;

use crate::builders::RequestContext;
use crate::payload::{DataConverter, PayloadError};
use crate::search_attributes::SearchAttributes;
use crate::validation::InvalidRequest;

/// A schedule could not be turned into its proto: invalid input, or a value the data
/// converter or a codec refused.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleConvertError {
    /// Input the server would reject, naming the field.
    #[error(transparent)]
    InvalidRequest(#[from] InvalidRequest),
    /// An argument or memo value did not convert, or a codec failed.
    #[error(transparent)]
    Payload(#[from] PayloadError),
}

/// A schedule: when ([`ScheduleSpec`]), what ([`ScheduleAction`]), how
/// ([`SchedulePolicy`]) and its [`ScheduleState`] (the proto's `Schedule`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Schedule {
    /// What it does when it fires.
    pub action: ScheduleAction,
    /// When it fires.
    pub spec: ScheduleSpec,
    /// Overlap, catch-up and failure policies.
    pub policy: SchedulePolicy,
    /// Paused, note, remaining actions.
    pub state: ScheduleState,
}

impl Schedule {
    /// A schedule taking `action` at the times of `spec`, with default policies, not
    /// paused and unlimited.
    pub fn new(action: ScheduleAction, spec: ScheduleSpec) -> Self {
        Self {
            action,
            spec,
            policy: SchedulePolicy::default(),
            state: ScheduleState::default(),
        }
    }

    /// Sets the policies.
    pub fn policy(mut self, policy: SchedulePolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets the state.
    pub fn state(mut self, state: ScheduleState) -> Self {
        self.state = state;
        self
    }

    /// The proto schedule: arguments and memo of the action converted and encoded with
    /// `converter`; `context` is the namespace and identity of the client.
    ///
    /// # Errors
    /// [`ScheduleConvertError::InvalidRequest`] naming the field the server would
    /// reject (see [`ScheduleSpec::to_proto`], [`ScheduleAction::to_proto`]);
    /// [`ScheduleConvertError::Payload`] when a value does not convert.
    pub async fn to_proto(
        &self,
        context: RequestContext<'_>,
        converter: &DataConverter,
    ) -> Result<proto::Schedule, ScheduleConvertError> {
        Ok(proto::Schedule {
            spec: Some(self.spec.to_proto()?),
            action: Some(self.action.to_proto(context, converter).await?),
            policies: Some(self.policy.to_proto()?),
            state: Some(self.state.to_proto()),
        })
    }

    /// The typed schedule of a proto one, decoded with `converter`.
    ///
    /// # Errors
    /// [`PayloadError`] when a codec fails or an action memo value is not JSON.
    pub async fn from_proto(
        schedule: proto::Schedule,
        converter: &DataConverter,
    ) -> Result<Self, PayloadError> {
        Ok(Self {
            action: ScheduleAction::from_proto(schedule.action.unwrap_or_default(), converter)
                .await?,
            spec: ScheduleSpec::from_proto(schedule.spec.unwrap_or_default()),
            policy: SchedulePolicy::from_proto(&schedule.policies.unwrap_or_default()),
            state: ScheduleState::from_proto(&schedule.state.unwrap_or_default()),
        })
    }
}

/// What an update sends: the whole new schedule, and optionally new search attributes
/// for the schedule itself (`None` leaves them as they are).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ScheduleUpdate {
    /// The new schedule (spec, action, policy, state).
    pub schedule: Schedule,
    /// The schedule's new search attributes, replacing all of them.
    pub search_attributes: Option<SearchAttributes>,
}

impl ScheduleUpdate {
    /// Replace the schedule with `schedule`, leaving its search attributes.
    pub fn new(schedule: Schedule) -> Self {
        Self {
            schedule,
            search_attributes: None,
        }
    }

    /// Replaces the schedule's search attributes too.
    pub fn search_attributes(mut self, attributes: SearchAttributes) -> Self {
        self.search_attributes = Some(attributes);
        self
    }
}

impl From<Schedule> for ScheduleUpdate {
    fn from(schedule: Schedule) -> Self {
        Self::new(schedule)
    }
}

/// A backfill: take the actions the spec would have taken between `start_at` and
/// `end_at` (both inclusive), now, with this overlap policy (the proto's
/// `BackfillRequest`). Backfills run even when the schedule is paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScheduleBackfill {
    /// The start of the range.
    pub start_at: SystemTime,
    /// The end of the range.
    pub end_at: SystemTime,
    /// The overlap policy for these actions.
    pub overlap: ScheduleOverlapPolicy,
}

impl ScheduleBackfill {
    /// A backfill of `start_at..=end_at` with the `Skip` overlap policy... which would
    /// skip all but the first action of a range whose workflows overlap; set
    /// [`overlap`](Self::overlap) to `AllowAll` or `BufferAll` to run them all.
    pub fn new(start_at: SystemTime, end_at: SystemTime) -> Self {
        Self {
            start_at,
            end_at,
            overlap: ScheduleOverlapPolicy::Skip,
        }
    }

    /// Sets the overlap policy.
    pub fn overlap(mut self, overlap: ScheduleOverlapPolicy) -> Self {
        self.overlap = overlap;
        self
    }

    /// The proto backfill request.
    ///
    /// # Errors
    /// [`InvalidRequest::InvalidValue`] for a time before 1970 (`backfill.start_at`,
    /// `backfill.end_at`) or an end before the start (`backfill.end_at`).
    pub fn to_proto(&self) -> Result<proto::BackfillRequest, InvalidRequest> {
        if self.end_at < self.start_at {
            return Err(InvalidRequest::InvalidValue {
                field: "backfill.end_at",
                reason: "the end of a backfill is before its start",
            });
        }
        Ok(proto::BackfillRequest {
            start_time: Some(time::timestamp_to_proto(
                "backfill.start_at",
                self.start_at,
            )?),
            end_time: Some(time::timestamp_to_proto("backfill.end_at", self.end_at)?),
            overlap_policy: self.overlap.to_proto() as i32,
        })
    }
}

/// A patch that backfills each range (the proto's `SchedulePatch.backfill_request`).
///
/// # Errors
/// As [`ScheduleBackfill::to_proto`].
pub fn backfill_patch(
    backfills: &[ScheduleBackfill],
) -> Result<proto::SchedulePatch, InvalidRequest> {
    Ok(proto::SchedulePatch {
        backfill_request: backfills
            .iter()
            .map(ScheduleBackfill::to_proto)
            .collect::<Result<_, _>>()?,
        ..Default::default()
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::options::WorkflowOptions;

    #[tokio::test]
    async fn schedule_round_trips() {
        let converter = DataConverter::default();
        let schedule = Schedule::new(
            ScheduleAction::start_workflow("wf", WorkflowOptions::new("id", "q").args((1,))),
            ScheduleSpec::new().interval(Duration::from_secs(10)),
        )
        .policy(SchedulePolicy::new().overlap(ScheduleOverlapPolicy::AllowAll))
        .state(ScheduleState::new().paused(true).note("why"));
        let proto = schedule
            .to_proto(RequestContext::new("ns", "me"), &converter)
            .await
            .unwrap();
        let back = Schedule::from_proto(proto, &converter).await.unwrap();
        assert_eq!(back.spec, schedule.spec);
        assert_eq!(back.policy, schedule.policy);
        assert_eq!(back.state, schedule.state);
        let (arg,): (i32,) = back
            .action
            .as_start_workflow()
            .unwrap()
            .args(&converter)
            .unwrap();
        assert_eq!(arg, 1);
    }

    #[test]
    fn backfill_patch_checks_the_range() {
        let start = UNIX_EPOCH + Duration::from_secs(100);
        let end = start + Duration::from_secs(50);
        let patch = backfill_patch(&[
            ScheduleBackfill::new(start, end).overlap(ScheduleOverlapPolicy::AllowAll)
        ])
        .unwrap();
        assert_eq!(patch.backfill_request.len(), 1);
        assert_eq!(patch.backfill_request[0].start_time.unwrap().seconds, 100);
        assert!(matches!(
            backfill_patch(&[ScheduleBackfill::new(end, start)]),
            Err(InvalidRequest::InvalidValue {
                field: "backfill.end_at",
                ..
            })
        ));
    }
}
