//! [`ScheduleState`]: whether a schedule is paused (and why), and how many actions it
//! has left.

use temporal_proto::temporal::api::schedule::v1 as proto;

/// A schedule's state (the proto's `ScheduleState`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScheduleState {
    /// A human-readable note: why it is paused, or anything else.
    pub note: Option<String>,
    /// A paused schedule takes no scheduled actions (trigger and backfill still run).
    pub paused: bool,
    /// `Some(n)`: limited actions: the schedule takes `n` more scheduled actions
    /// (trigger and backfill do not count), then stops. `None`: unlimited.
    pub remaining_actions: Option<u64>,
}

impl ScheduleState {
    /// Running, with no note and no limit.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Sets whether the schedule is paused.
    pub fn paused(mut self, paused: bool) -> Self {
        self.paused = paused;
        self
    }

    /// Limits the schedule to `actions` more scheduled actions.
    pub fn remaining_actions(mut self, actions: u64) -> Self {
        self.remaining_actions = Some(actions);
        self
    }

    /// Whether the number of actions is limited (the proto's `limited_actions`).
    pub fn limited_actions(&self) -> bool {
        self.remaining_actions.is_some()
    }

    /// The proto state.
    pub fn to_proto(&self) -> proto::ScheduleState {
        proto::ScheduleState {
            notes: self.note.clone().unwrap_or_default(),
            paused: self.paused,
            limited_actions: self.remaining_actions.is_some(),
            remaining_actions: self
                .remaining_actions
                .map_or(0, |n| i64::try_from(n).unwrap_or(i64::MAX)),
        }
    }

    /// The typed state of a proto one.
    pub fn from_proto(state: &proto::ScheduleState) -> Self {
        Self {
            note: (!state.notes.is_empty()).then(|| state.notes.clone()),
            paused: state.paused,
            remaining_actions: state
                .limited_actions
                .then(|| u64::try_from(state.remaining_actions).unwrap_or(0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for state in [
            ScheduleState::new(),
            ScheduleState::new()
                .note("maintenance")
                .paused(true)
                .remaining_actions(3),
            ScheduleState::new().remaining_actions(0),
        ] {
            assert_eq!(ScheduleState::from_proto(&state.to_proto()), state);
        }
        let limited = ScheduleState::new().remaining_actions(2).to_proto();
        assert!(limited.limited_actions);
        assert_eq!(limited.remaining_actions, 2);
    }
}
