//! [`ScheduleDescription`]: what describe returns: the schedule (spec, action, policy,
//! state), its info (recent actions with their workflow ids, running workflows, next
//! action times, created and updated times), memo and search attributes.

use std::collections::HashMap;
use std::time::SystemTime;

use serde::de::DeserializeOwned;
use temporal_proto::prelude::workflowservice::DescribeScheduleResponse;
use temporal_proto::temporal::api::common::v1::Payload;
use temporal_proto::temporal::api::enums::v1::WorkflowExecutionStatus;
use temporal_proto::temporal::api::schedule::v1 as proto;

use super::Schedule;
use super::time::timestamp_from_proto;
use crate::payload::{DataConverter, PayloadError};
use crate::search_attributes::SearchAttributes;

/// A described schedule (the proto's `DescribeScheduleResponse`, typed and decoded).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ScheduleDescription {
    /// The schedule id.
    pub id: String,
    /// Spec, action (arguments and memo decoded), policy and state.
    pub schedule: Schedule,
    /// What the schedule did and will do.
    pub info: ScheduleInfo,
    /// The schedule's own search attributes (not its workflows').
    pub search_attributes: SearchAttributes,
    /// The token an update must carry to apply only if nothing changed since.
    pub conflict_token: Vec<u8>,
    memo: HashMap<String, Payload>,
    converter: DataConverter,
}

impl ScheduleDescription {
    /// Decodes a describe response with `converter` (codecs for the action's arguments
    /// and memo and the schedule's memo).
    ///
    /// # Errors
    /// [`PayloadError`] when a codec fails or an action memo value is not JSON.
    pub async fn from_proto(
        id: String,
        response: DescribeScheduleResponse,
        converter: &DataConverter,
    ) -> Result<Self, PayloadError> {
        let schedule =
            Schedule::from_proto(response.schedule.unwrap_or_default(), converter).await?;
        Ok(Self {
            id,
            schedule,
            info: ScheduleInfo::from_proto(response.info.unwrap_or_default()),
            search_attributes: response
                .search_attributes
                .map(SearchAttributes::from_proto)
                .unwrap_or_default(),
            conflict_token: response.conflict_token,
            memo: decode_memo(response.memo.map(|m| m.fields), converter).await?,
            converter: converter.clone(),
        })
    }

    /// The schedule's memo keys.
    pub fn memo_keys(&self) -> impl Iterator<Item = &str> {
        self.memo.keys().map(String::as_str)
    }

    /// One value of the schedule's memo, decoded; `None` if the key is absent.
    pub fn memo<T: DeserializeOwned>(&self, key: &str) -> Option<Result<T, PayloadError>> {
        self.memo.get(key).map(|p| self.converter.from_payload(p))
    }

    /// The schedule's raw memo payloads (after the codecs).
    pub fn memo_payloads(&self) -> &HashMap<String, Payload> {
        &self.memo
    }

    /// The arguments of the start-workflow action as `T` (a tuple,
    /// `Vec<serde_json::Value>`, ...); `None` if the action starts no workflow.
    pub fn action_args<T: crate::FromPayloads>(&self) -> Option<Result<T, PayloadError>> {
        self.schedule
            .action
            .as_start_workflow()
            .map(|a| a.args(&self.converter))
    }
}

/// Runs the codecs over a memo (an empty map for none).
pub(crate) async fn decode_memo(
    memo: Option<HashMap<String, Payload>>,
    converter: &DataConverter,
) -> Result<HashMap<String, Payload>, PayloadError> {
    let memo = memo.unwrap_or_default();
    if !converter.has_codecs() || memo.is_empty() {
        return Ok(memo);
    }
    let (keys, values): (Vec<String>, Vec<Payload>) = memo.into_iter().unzip();
    let values = converter.decode_payloads(values).await?;
    Ok(keys.into_iter().zip(values).collect())
}

/// What a schedule did and will do (the proto's `ScheduleInfo`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScheduleInfo {
    /// Actions taken so far (scheduled, triggered and backfilled).
    pub num_actions: u64,
    /// Actions missed because they were later than the catch-up window.
    pub num_actions_missed_catchup_window: u64,
    /// Actions skipped by the overlap policy.
    pub num_actions_skipped_overlap: u64,
    /// Buffered actions dropped because the buffer was full.
    pub num_buffer_dropped: u64,
    /// Actions waiting in the buffer now.
    pub buffer_size: u64,
    /// Workflows the schedule started that are still running.
    pub running_workflows: Vec<ScheduleWorkflowRef>,
    /// The most recent actions, oldest first (the server keeps about ten).
    pub recent_actions: Vec<ScheduleActionResult>,
    /// The next times the schedule will fire (the server computes about ten).
    pub next_action_times: Vec<SystemTime>,
    /// When the schedule was created.
    pub created_at: Option<SystemTime>,
    /// When it was last updated (`None` if never).
    pub last_updated_at: Option<SystemTime>,
}

impl ScheduleInfo {
    /// The typed info of a proto one.
    pub fn from_proto(info: proto::ScheduleInfo) -> Self {
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        Self {
            num_actions: count(info.action_count),
            num_actions_missed_catchup_window: count(info.missed_catchup_window),
            num_actions_skipped_overlap: count(info.overlap_skipped),
            num_buffer_dropped: count(info.buffer_dropped),
            buffer_size: count(info.buffer_size),
            running_workflows: info
                .running_workflows
                .into_iter()
                .map(|w| ScheduleWorkflowRef {
                    workflow_id: w.workflow_id,
                    run_id: w.run_id,
                })
                .collect(),
            recent_actions: info
                .recent_actions
                .into_iter()
                .map(ScheduleActionResult::from_proto)
                .collect(),
            next_action_times: times(&info.future_action_times),
            created_at: info.create_time.as_ref().and_then(timestamp_from_proto),
            last_updated_at: info.update_time.as_ref().and_then(timestamp_from_proto),
        }
    }
}

pub(crate) fn times(times: &[temporal_proto::protobuf::Timestamp]) -> Vec<SystemTime> {
    times.iter().filter_map(timestamp_from_proto).collect()
}

/// A workflow a schedule started: its id (the action's id plus the scheduled time,
/// unless the policy keeps the original id) and run.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScheduleWorkflowRef {
    /// The workflow id.
    pub workflow_id: String,
    /// The run id (of the first run of the chain).
    pub run_id: String,
}

/// One action a schedule took (the proto's `ScheduleActionResult`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScheduleActionResult {
    /// The time the spec scheduled it for (before jitter); for a trigger, when it was
    /// triggered.
    pub scheduled_at: Option<SystemTime>,
    /// When it was taken.
    pub taken_at: Option<SystemTime>,
    /// The workflow it started.
    pub workflow: Option<ScheduleWorkflowRef>,
    /// That workflow's status when last known (the server updates it for running and
    /// recently closed workflows); `None` if unknown.
    pub workflow_status: Option<WorkflowExecutionStatus>,
}

impl ScheduleActionResult {
    pub(crate) fn from_proto(result: proto::ScheduleActionResult) -> Self {
        Self {
            scheduled_at: result.schedule_time.as_ref().and_then(timestamp_from_proto),
            taken_at: result.actual_time.as_ref().and_then(timestamp_from_proto),
            workflow: result.start_workflow_result.map(|w| ScheduleWorkflowRef {
                workflow_id: w.workflow_id,
                run_id: w.run_id,
            }),
            workflow_status: WorkflowExecutionStatus::try_from(result.start_workflow_status)
                .ok()
                .filter(|s| *s != WorkflowExecutionStatus::Unspecified),
        }
    }
}
