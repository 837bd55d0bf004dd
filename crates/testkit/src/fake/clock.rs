//! The virtual clock: the fake's notion of "now", the queue of things due at a later
//! virtual time, and conversions between std and protobuf time types.
// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use temporal_proto::protobuf;

/// 2024-01-01T00:00:00Z, the instant a fake's clock starts at unless told otherwise.
pub const DEFAULT_START_TIME_UNIX_SECS: u64 = 1_704_067_200;

/// What fires when a virtual-time timer is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TimerKind {
    /// A fake workflow's `sleep`.
    WorkflowTimer {
        namespace: String,
        run_id: String,
        timer_id: u64,
    },
    /// The first workflow task of a run whose start was delayed (start delay, cron or
    /// retry backoff).
    FirstWorkflowTask { namespace: String, run_id: String },
    /// The run timeout of one run.
    RunTimeout { namespace: String, run_id: String },
    /// The execution timeout of a whole chain, checked against its current run.
    ExecutionTimeout {
        namespace: String,
        workflow_id: String,
        first_execution_run_id: String,
    },
    /// A fake activity's start-to-close (`heartbeat: false`) or heartbeat timeout;
    /// stale when the activity's `deadline_generation` moved on (a heartbeat).
    ActivityTimeout {
        namespace: String,
        run_id: String,
        task_token: Vec<u8>,
        heartbeat: bool,
        generation: u64,
    },
    /// A schedule's next action time.
    Schedule {
        namespace: String,
        schedule_id: String,
    },
}

/// Timers ordered by due time, then by creation order (so equal times fire in the order
/// they were set).
#[derive(Debug, Default)]
pub(crate) struct TimerQueue {
    timers: BTreeMap<(SystemTime, u64), TimerKind>,
    next_seq: u64,
}

impl TimerQueue {
    /// Sets a timer.
    pub(crate) fn add(&mut self, at: SystemTime, kind: TimerKind) {
        self.timers.insert((at, self.next_seq), kind);
        self.next_seq += 1;
    }

    /// Removes and returns the earliest timer due at or before `limit`.
    pub(crate) fn pop_due(&mut self, limit: SystemTime) -> Option<(SystemTime, TimerKind)> {
        let first = self.timers.first_key_value()?;
        if first.0.0 > limit {
            return None;
        }
        self.timers.pop_first().map(|((at, _), kind)| (at, kind))
    }

    /// Removes every timer for which `drop` answers true.
    pub(crate) fn remove_where(&mut self, mut drop: impl FnMut(&TimerKind) -> bool) {
        self.timers.retain(|_, kind| !drop(kind));
    }

    /// The due time of the earliest timer.
    pub(crate) fn next_due(&self) -> Option<SystemTime> {
        self.timers.first_key_value().map(|((at, _), _)| *at)
    }
}

/// A `SystemTime` as a protobuf timestamp.
pub(crate) fn to_timestamp(t: SystemTime) -> protobuf::Timestamp {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    protobuf::Timestamp {
        seconds: d.as_secs() as i64,
        nanos: d.subsec_nanos() as i32,
    }
}

/// A std duration as a protobuf duration.
pub(crate) fn to_proto_duration(d: Duration) -> protobuf::Duration {
    protobuf::Duration {
        seconds: d.as_secs() as i64,
        nanos: d.subsec_nanos() as i32,
    }
}

/// A protobuf duration as a std duration; `None` when it is negative.
pub(crate) fn from_proto_duration(d: &protobuf::Duration) -> Option<Duration> {
    if d.seconds < 0 || d.nanos < 0 {
        return None;
    }
    Some(Duration::new(d.seconds as u64, d.nanos as u32))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn timers_pop_in_time_then_insertion_order() {
        let mut q = TimerQueue::default();
        let t0 = UNIX_EPOCH + Duration::from_secs(10);
        let kind = |n: &str| TimerKind::FirstWorkflowTask {
            namespace: "default".into(),
            run_id: n.into(),
        };
        q.add(t0 + Duration::from_secs(5), kind("late"));
        q.add(t0, kind("a"));
        q.add(t0, kind("b"));
        assert_eq!(q.next_due(), Some(t0));
        assert_eq!(q.pop_due(t0 - Duration::from_secs(1)), None);
        assert_eq!(q.pop_due(t0).map(|x| x.1), Some(kind("a")));
        assert_eq!(q.pop_due(t0).map(|x| x.1), Some(kind("b")));
        assert_eq!(q.pop_due(t0), None);
        q.remove_where(|k| *k == kind("late"));
        assert_eq!(q.next_due(), None);
    }

    #[test]
    fn durations_convert_both_ways() {
        let d = Duration::from_millis(1500);
        let p = to_proto_duration(d);
        assert_eq!((p.seconds, p.nanos), (1, 500_000_000));
        assert_eq!(from_proto_duration(&p), Some(d));
        let neg = protobuf::Duration {
            seconds: -1,
            nanos: 0,
        };
        assert_eq!(from_proto_duration(&neg), None);
        let ts = to_timestamp(UNIX_EPOCH + Duration::from_secs(DEFAULT_START_TIME_UNIX_SECS));
        assert_eq!(ts.seconds, 1_704_067_200);
    }
}
