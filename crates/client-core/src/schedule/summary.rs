//! [`ScheduleSummary`]: one schedule of a list: spec, workflow type, note, paused,
//! recent actions, next action times, memo and search attributes.

use std::collections::HashMap;
use std::time::SystemTime;

use serde::de::DeserializeOwned;
use temporal_proto::temporal::api::common::v1::Payload;
use temporal_proto::temporal::api::schedule::v1 as proto;

use super::description::{ScheduleActionResult, decode_memo, times};
use super::spec::ScheduleSpec;
use crate::payload::{DataConverter, PayloadError};
use crate::search_attributes::SearchAttributes;

/// One schedule of a list (the proto's `ScheduleListEntry`). The list comes from the
/// visibility store: it can lag behind describe by a moment.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ScheduleSummary {
    /// The schedule id.
    pub id: String,
    /// The spec, as the server stores it (cron strings turned into calendars).
    pub spec: ScheduleSpec,
    /// The workflow type the action starts (`None` for another kind of action).
    pub workflow_type: Option<String>,
    /// The state's note.
    pub note: Option<String>,
    /// Whether the schedule is paused.
    pub paused: bool,
    /// The most recent actions, oldest first.
    pub recent_actions: Vec<ScheduleActionResult>,
    /// The next times the schedule will fire.
    pub next_action_times: Vec<SystemTime>,
    /// The schedule's search attributes.
    pub search_attributes: SearchAttributes,
    memo: HashMap<String, Payload>,
    converter: DataConverter,
}

impl ScheduleSummary {
    /// Decodes a list entry with `converter` (codecs for the memo).
    ///
    /// # Errors
    /// [`PayloadError`] when a codec fails.
    pub async fn from_proto(
        entry: proto::ScheduleListEntry,
        converter: &DataConverter,
    ) -> Result<Self, PayloadError> {
        let info = entry.info.unwrap_or_default();
        Ok(Self {
            id: entry.schedule_id,
            spec: ScheduleSpec::from_proto(info.spec.unwrap_or_default()),
            workflow_type: info.workflow_type.map(|t| t.name),
            note: (!info.notes.is_empty()).then_some(info.notes),
            paused: info.paused,
            recent_actions: info
                .recent_actions
                .into_iter()
                .map(ScheduleActionResult::from_proto)
                .collect(),
            next_action_times: times(&info.future_action_times),
            search_attributes: entry
                .search_attributes
                .map(SearchAttributes::from_proto)
                .unwrap_or_default(),
            memo: decode_memo(entry.memo.map(|m| m.fields), converter).await?,
            converter: converter.clone(),
        })
    }

    /// One memo value, decoded; `None` if the key is absent.
    pub fn memo<T: DeserializeOwned>(&self, key: &str) -> Option<Result<T, PayloadError>> {
        self.memo.get(key).map(|p| self.converter.from_payload(p))
    }

    /// The raw memo payloads (after the codecs).
    pub fn memo_payloads(&self) -> &HashMap<String, Payload> {
        &self.memo
    }
}
