//! Typed views of a workflow execution: what `describe` and `list` return.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use temporal_client_core::payload::{DataConverter, PayloadError};
use temporal_client_core::proto::protobuf::Timestamp;
use temporal_client_core::proto::temporal::api::common::v1::Payload;
use temporal_client_core::proto::temporal::api::enums::v1::WorkflowExecutionStatus;
use temporal_client_core::proto::temporal::api::workflow::v1::WorkflowExecutionInfo;
use temporal_client_core::proto::temporal::api::workflowservice::v1::DescribeWorkflowExecutionResponse;
use temporal_client_core::search_attributes::SearchAttributes;

use crate::error::Result;

/// The parent of a child workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentExecution {
    /// The parent's namespace **id** (a UUID, `parent_namespace_id` in the API), not its
    /// name: the server reports only the id. Child workflows usually run in their
    /// parent's namespace; `describe_namespace` by id gives the name otherwise.
    pub namespace_id: String,
    /// The parent's workflow id.
    pub workflow_id: String,
    /// The parent's run id.
    pub run_id: String,
}

/// One workflow execution as visibility (`list`) and `describe` report it.
#[derive(Debug, Clone)]
pub struct WorkflowExecution {
    /// The workflow id.
    pub workflow_id: String,
    /// The run id.
    pub run_id: String,
    /// The workflow type name.
    pub workflow_type: String,
    /// The task queue.
    pub task_queue: String,
    /// Running, Completed, Failed, ...
    pub status: WorkflowExecutionStatus,
    /// When the run started.
    pub start_time: Option<SystemTime>,
    /// When the run's first workflow task was scheduled (after any start delay or cron
    /// wait).
    pub execution_time: Option<SystemTime>,
    /// When the run closed, if it has.
    pub close_time: Option<SystemTime>,
    /// Number of history events.
    pub history_length: i64,
    /// Size of the history in bytes.
    pub history_size_bytes: i64,
    /// The parent, for a child workflow.
    pub parent: Option<ParentExecution>,
    /// The search attributes (typed access through their keys).
    pub search_attributes: SearchAttributes,
    memo: HashMap<String, Payload>,
    converter: DataConverter,
}

impl WorkflowExecution {
    /// Builds the typed view; memo payloads go through the codecs.
    pub(crate) async fn from_proto(
        info: WorkflowExecutionInfo,
        converter: &DataConverter,
    ) -> Result<Self> {
        let execution = info.execution.unwrap_or_default();
        let parent = info.parent_execution.map(|p| ParentExecution {
            namespace_id: info.parent_namespace_id.clone(),
            workflow_id: p.workflow_id,
            run_id: p.run_id,
        });
        let mut memo: HashMap<String, Payload> = info
            .memo
            .map(|m| m.fields.into_iter().collect())
            .unwrap_or_default();
        if converter.has_codecs() && !memo.is_empty() {
            let (keys, values): (Vec<String>, Vec<Payload>) = memo.into_iter().unzip();
            let values = converter.decode_payloads(values).await?;
            memo = keys.into_iter().zip(values).collect();
        }
        Ok(Self {
            workflow_id: execution.workflow_id,
            run_id: execution.run_id,
            workflow_type: info.r#type.map(|t| t.name).unwrap_or_default(),
            task_queue: info.task_queue,
            status: WorkflowExecutionStatus::try_from(info.status)
                .unwrap_or(WorkflowExecutionStatus::Unspecified),
            start_time: info.start_time.as_ref().and_then(to_system_time),
            execution_time: info.execution_time.as_ref().and_then(to_system_time),
            close_time: info.close_time.as_ref().and_then(to_system_time),
            history_length: info.history_length,
            history_size_bytes: info.history_size_bytes,
            parent,
            search_attributes: info
                .search_attributes
                .map(SearchAttributes::from_proto)
                .unwrap_or_default(),
            memo,
            converter: converter.clone(),
        })
    }

    /// The memo keys.
    pub fn memo_keys(&self) -> impl Iterator<Item = &str> {
        self.memo.keys().map(String::as_str)
    }

    /// One memo value, decoded; `None` if the key is absent.
    ///
    /// # Errors
    /// `Some(Err(PayloadError))` when the value is not a `T` (or its encoding is one
    /// the client's converter does not know).
    pub fn memo<T: DeserializeOwned>(&self, key: &str) -> Option<Result<T, PayloadError>> {
        self.memo.get(key).map(|p| self.converter.from_payload(p))
    }

    /// The raw memo payloads (after the codecs).
    pub fn memo_payloads(&self) -> &HashMap<String, Payload> {
        &self.memo
    }
}

/// What [`WorkflowHandle::describe`](crate::WorkflowHandle::describe) returns.
#[derive(Debug, Clone)]
pub struct WorkflowExecutionDescription {
    /// The execution.
    pub execution: WorkflowExecution,
    /// The raw response, for fields without a typed accessor.
    pub raw: DescribeWorkflowExecutionResponse,
}

impl WorkflowExecutionDescription {
    pub(crate) async fn from_response(
        response: DescribeWorkflowExecutionResponse,
        converter: &DataConverter,
    ) -> Result<Self> {
        let info = response.workflow_execution_info.clone().unwrap_or_default();
        Ok(Self {
            execution: WorkflowExecution::from_proto(info, converter).await?,
            raw: response,
        })
    }

    /// The status (shortcut for `execution.status`).
    pub fn status(&self) -> WorkflowExecutionStatus {
        self.execution.status
    }

    /// The workflow type (shortcut for `execution.workflow_type`).
    pub fn workflow_type(&self) -> &str {
        &self.execution.workflow_type
    }

    /// The static summary given at start (`WorkflowOptions::static_summary`), if any.
    pub fn static_summary(&self) -> Option<String> {
        self.user_metadata_text(|m| m.summary.as_ref())
    }

    /// The static details given at start (`WorkflowOptions::static_details`), if any.
    pub fn static_details(&self) -> Option<String> {
        self.user_metadata_text(|m| m.details.as_ref())
    }

    fn user_metadata_text(
        &self,
        field: impl Fn(
            &temporal_client_core::proto::temporal::api::sdk::v1::UserMetadata,
        ) -> Option<&Payload>,
    ) -> Option<String> {
        let metadata = self.raw.execution_config.as_ref()?.user_metadata.as_ref()?;
        self.execution.converter.from_payload(field(metadata)?).ok()
    }

    /// The task queue the execution runs on.
    pub fn task_queue(&self) -> &str {
        &self.execution.task_queue
    }
}

/// Converts a protobuf timestamp; `None` for out-of-range values.
pub(crate) fn to_system_time(ts: &Timestamp) -> Option<SystemTime> {
    let nanos = u32::try_from(ts.nanos).ok()?;
    if ts.seconds >= 0 {
        UNIX_EPOCH.checked_add(Duration::new(u64::try_from(ts.seconds).ok()?, nanos))
    } else {
        let before = Duration::new(ts.seconds.unsigned_abs(), 0);
        UNIX_EPOCH
            .checked_sub(before)?
            .checked_add(Duration::from_nanos(u64::from(nanos)))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use temporal_client_core::proto::temporal::api::common::v1::WorkflowExecution as ProtoExecution;

    /// The server reports the parent's namespace by id only; the field must say so.
    #[tokio::test]
    async fn parent_namespace_is_the_id() {
        let info = WorkflowExecutionInfo {
            parent_namespace_id: "0b3b2e6c-1111-4c1c-9d3b-7e0a5e3f2a10".into(),
            parent_execution: Some(ProtoExecution {
                workflow_id: "parent".into(),
                run_id: "run".into(),
            }),
            ..Default::default()
        };
        let execution = WorkflowExecution::from_proto(info, &DataConverter::default())
            .await
            .unwrap();
        let parent = execution.parent.unwrap();
        assert_eq!(parent.namespace_id, "0b3b2e6c-1111-4c1c-9d3b-7e0a5e3f2a10");
        assert_eq!(parent.workflow_id, "parent");
    }
}
