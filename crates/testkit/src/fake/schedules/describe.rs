//! What `DescribeSchedule` and `ListSchedules` return for a schedule, in the shape the
//! dev server uses: the normalised spec, 10 future action times in describe and 5 in a
//! list entry, the conflict token as 8 big-endian bytes.

use temporal_proto::temporal::api::common::v1::WorkflowType;
use temporal_proto::temporal::api::schedule::v1::{
    ScheduleListEntry, ScheduleListInfo, schedule_action::Action,
};
use temporal_proto::temporal::api::workflowservice::v1 as wf;

use super::super::clock::to_timestamp;
use super::Schedule;

/// Future action times in `DescribeSchedule`.
const DESCRIBE_FUTURE_TIMES: usize = 10;
/// Future action times in a `ListSchedules` entry.
const LIST_FUTURE_TIMES: usize = 5;

/// The conflict token's wire form.
pub(crate) fn token(n: u64) -> Vec<u8> {
    n.to_be_bytes().to_vec()
}

/// The `DescribeSchedule` answer.
pub(crate) fn describe(s: &Schedule) -> wf::DescribeScheduleResponse {
    let mut info = s.info.clone();
    info.future_action_times = s
        .future_times(DESCRIBE_FUTURE_TIMES)
        .into_iter()
        .map(to_timestamp)
        .collect();
    wf::DescribeScheduleResponse {
        schedule: Some(s.schedule.clone()),
        info: Some(info),
        memo: s.memo.clone(),
        search_attributes: s.search_attributes.clone(),
        conflict_token: token(s.conflict_token),
    }
}

/// One `ListSchedules` entry.
pub(crate) fn list_entry(id: &str, s: &Schedule) -> ScheduleListEntry {
    let workflow_type = s
        .schedule
        .action
        .as_ref()
        .and_then(|a| a.action.as_ref())
        .and_then(|a| match a {
            Action::StartWorkflow(w) => w.workflow_type.clone(),
        })
        .map(|t| WorkflowType { name: t.name });
    let state = s.schedule.state.clone().unwrap_or_default();
    ScheduleListEntry {
        schedule_id: id.to_owned(),
        memo: s.memo.clone(),
        search_attributes: s.search_attributes.clone(),
        info: Some(ScheduleListInfo {
            spec: s.schedule.spec.clone(),
            workflow_type,
            notes: state.notes,
            paused: state.paused,
            recent_actions: s.info.recent_actions.clone(),
            future_action_times: s
                .future_times(LIST_FUTURE_TIMES)
                .into_iter()
                .map(to_timestamp)
                .collect(),
            ..Default::default()
        }),
    }
}
