//! [`SchedulePolicy`] and [`ScheduleOverlapPolicy`]: what a schedule does when an action
//! is due while the previous one still runs, how far back it catches up, and whether a
//! failure pauses it.

use std::time::Duration;

use temporal_proto::temporal::api::enums::v1::ScheduleOverlapPolicy as ProtoOverlap;
use temporal_proto::temporal::api::schedule::v1 as proto;

use crate::builders::{duration_from_proto, optional_duration};
use crate::validation::InvalidRequest;

/// What to do when an action is due while a workflow the schedule started still runs
/// (the proto's `ScheduleOverlapPolicy`; the TypeScript client's `ScheduleOverlapPolicy`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScheduleOverlapPolicy {
    /// Do not start the new workflow (the server's default).
    #[default]
    Skip,
    /// Start it when the running one closes; keep at most one waiting.
    BufferOne,
    /// Start each when the previous closes; keep all waiting.
    BufferAll,
    /// Cancel the running workflow, then start the new one when it closes.
    CancelOther,
    /// Terminate the running workflow and start the new one.
    TerminateOther,
    /// Start the new workflow regardless.
    AllowAll,
}

impl ScheduleOverlapPolicy {
    /// The proto value.
    pub fn to_proto(self) -> ProtoOverlap {
        match self {
            Self::Skip => ProtoOverlap::Skip,
            Self::BufferOne => ProtoOverlap::BufferOne,
            Self::BufferAll => ProtoOverlap::BufferAll,
            Self::CancelOther => ProtoOverlap::CancelOther,
            Self::TerminateOther => ProtoOverlap::TerminateOther,
            Self::AllowAll => ProtoOverlap::AllowAll,
        }
    }

    /// The typed value of a proto one; unspecified (and unknown) values read as the
    /// server's default, `Skip`.
    pub fn from_proto(value: i32) -> Self {
        match ProtoOverlap::try_from(value).unwrap_or(ProtoOverlap::Unspecified) {
            ProtoOverlap::BufferOne => Self::BufferOne,
            ProtoOverlap::BufferAll => Self::BufferAll,
            ProtoOverlap::CancelOther => Self::CancelOther,
            ProtoOverlap::TerminateOther => Self::TerminateOther,
            ProtoOverlap::AllowAll => Self::AllowAll,
            ProtoOverlap::Skip | ProtoOverlap::Unspecified => Self::Skip,
        }
    }
}

/// A schedule's policies (the proto's `SchedulePolicies`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SchedulePolicy {
    /// What to do when an action is due while a previous one still runs.
    pub overlap: ScheduleOverlapPolicy,
    /// How late an action may still be taken after the server was unavailable; unset
    /// means the server's default (one year; at least ten seconds).
    pub catchup_window: Option<Duration>,
    /// Pause the schedule when a workflow it started fails (or times out).
    pub pause_on_failure: bool,
    /// Start workflows with the action's workflow id as it is, instead of appending the
    /// scheduled time to it (the server's default appends it).
    pub keep_original_workflow_id: bool,
}

impl Default for SchedulePolicy {
    fn default() -> Self {
        Self {
            overlap: ScheduleOverlapPolicy::Skip,
            catchup_window: None,
            pause_on_failure: false,
            keep_original_workflow_id: false,
        }
    }
}

impl SchedulePolicy {
    /// The server's defaults: skip overlaps, one-year catch-up, no pause on failure.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the overlap policy.
    pub fn overlap(mut self, overlap: ScheduleOverlapPolicy) -> Self {
        self.overlap = overlap;
        self
    }

    /// Sets the catch-up window.
    pub fn catchup_window(mut self, window: Duration) -> Self {
        self.catchup_window = Some(window);
        self
    }

    /// Sets whether a failed workflow pauses the schedule.
    pub fn pause_on_failure(mut self, pause: bool) -> Self {
        self.pause_on_failure = pause;
        self
    }

    /// Sets whether workflow ids are used as they are.
    pub fn keep_original_workflow_id(mut self, keep: bool) -> Self {
        self.keep_original_workflow_id = keep;
        self
    }

    /// The proto policies.
    ///
    /// # Errors
    /// [`InvalidRequest::DurationOutOfRange`] for a catch-up window too long for
    /// protobuf.
    pub fn to_proto(&self) -> Result<proto::SchedulePolicies, InvalidRequest> {
        Ok(proto::SchedulePolicies {
            overlap_policy: self.overlap.to_proto() as i32,
            catchup_window: optional_duration("policy.catchup_window", self.catchup_window)?,
            pause_on_failure: self.pause_on_failure,
            keep_original_workflow_id: self.keep_original_workflow_id,
        })
    }

    /// The typed policies of proto ones.
    pub fn from_proto(policies: &proto::SchedulePolicies) -> Self {
        Self {
            overlap: ScheduleOverlapPolicy::from_proto(policies.overlap_policy),
            catchup_window: policies
                .catchup_window
                .as_ref()
                .and_then(duration_from_proto)
                .filter(|d| !d.is_zero()),
            pause_on_failure: policies.pause_on_failure,
            keep_original_workflow_id: policies.keep_original_workflow_id,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_overlap_policy_round_trips() {
        for policy in [
            ScheduleOverlapPolicy::Skip,
            ScheduleOverlapPolicy::BufferOne,
            ScheduleOverlapPolicy::BufferAll,
            ScheduleOverlapPolicy::CancelOther,
            ScheduleOverlapPolicy::TerminateOther,
            ScheduleOverlapPolicy::AllowAll,
        ] {
            assert_eq!(
                ScheduleOverlapPolicy::from_proto(policy.to_proto() as i32),
                policy
            );
        }
        assert_eq!(
            ScheduleOverlapPolicy::from_proto(0),
            ScheduleOverlapPolicy::Skip
        );
    }

    #[test]
    fn policies_round_trip() {
        let policy = SchedulePolicy::new()
            .overlap(ScheduleOverlapPolicy::BufferAll)
            .catchup_window(Duration::from_secs(60))
            .pause_on_failure(true)
            .keep_original_workflow_id(true);
        let proto = policy.to_proto().unwrap();
        assert_eq!(proto.overlap_policy, ProtoOverlap::BufferAll as i32);
        assert_eq!(SchedulePolicy::from_proto(&proto), policy);
    }
}
