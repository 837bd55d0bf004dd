//! [`ScheduleAction`]: what a schedule does when it fires: start a workflow, with the
//! same [`WorkflowOptions`] as `client.start`.
//!
//! Arguments and memo values go through the client's data converter and codecs on the
//! way in, and are decoded again by describe (the workflow's `input` and `memo` in the
//! proto's `NewWorkflowExecutionInfo`), as the TypeScript and Python clients do.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use temporal_proto::temporal::api::common::v1::{Header, Memo as ProtoMemo, Payload};
use temporal_proto::temporal::api::enums::v1::WorkflowIdReusePolicy;
use temporal_proto::temporal::api::schedule::v1 as proto;
use temporal_proto::temporal::api::workflow::v1::NewWorkflowExecutionInfo;

use super::ScheduleConvertError;
use crate::builders::{RequestContext, StartSpec, duration_from_proto};
use crate::options::{IdReusePolicy, Priority, RetryPolicy, WorkflowOptions};
use crate::payload::{DataConverter, FromPayloads, PayloadError, ToPayloads};
use crate::search_attributes::SearchAttributes;

/// What a schedule does when it fires (the proto's `ScheduleAction`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ScheduleAction {
    /// Start a workflow.
    StartWorkflow(Box<ScheduleWorkflowAction>),
    /// An action this client does not model (a newer server's), kept as it is so an
    /// update sends it back unchanged.
    Other(Box<proto::ScheduleAction>),
}

impl ScheduleAction {
    /// Start a workflow of type `workflow_type` with `options`: the same options as
    /// `client.start`, arguments included (`options.args((a, b))`). The workflow id is
    /// a prefix: the server appends the scheduled time to it, unless the schedule's
    /// policy keeps the original id.
    ///
    /// `options.id_conflict_policy`, `start_delay` and `request_id` have no place in a
    /// scheduled start (the proto's `NewWorkflowExecutionInfo` has no such fields) and
    /// are refused when the schedule is sent.
    pub fn start_workflow<A: ToPayloads + Send + Sync + 'static>(
        workflow_type: impl Into<String>,
        options: WorkflowOptions<A>,
    ) -> Self {
        let (args, options) = options.split_args();
        Self::StartWorkflow(Box::new(ScheduleWorkflowAction {
            workflow_type: workflow_type.into(),
            options,
            args: ScheduleArgs::new(args),
            headers: HashMap::new(),
        }))
    }

    /// The start-workflow action, if this is one.
    pub fn as_start_workflow(&self) -> Option<&ScheduleWorkflowAction> {
        match self {
            Self::StartWorkflow(action) => Some(action),
            Self::Other(_) => None,
        }
    }

    /// The start-workflow action, mutably, if this is one.
    pub fn as_start_workflow_mut(&mut self) -> Option<&mut ScheduleWorkflowAction> {
        match self {
            Self::StartWorkflow(action) => Some(action),
            Self::Other(_) => None,
        }
    }

    /// The proto action: arguments and memo converted and encoded with `converter`.
    ///
    /// # Errors
    /// [`ScheduleConvertError::InvalidRequest`] for options the server rejects (as
    /// `client.start`: empty workflow id, task queue or type, ...) or that a schedule
    /// cannot carry; [`ScheduleConvertError::Payload`] when an argument or memo value
    /// does not convert or a codec fails.
    pub async fn to_proto(
        &self,
        context: RequestContext<'_>,
        converter: &DataConverter,
    ) -> Result<proto::ScheduleAction, ScheduleConvertError> {
        match self {
            Self::StartWorkflow(action) => Ok(proto::ScheduleAction {
                action: Some(proto::schedule_action::Action::StartWorkflow(
                    action.to_proto(context, converter).await?,
                )),
            }),
            Self::Other(action) => Ok((**action).clone()),
        }
    }

    /// The typed action of a proto one: arguments and memo decoded by the codecs of
    /// `converter` (memo values read as JSON). An action this client does not know is
    /// [`Other`](Self::Other).
    ///
    /// # Errors
    /// [`PayloadError`] when a codec fails or a memo value is not JSON.
    pub async fn from_proto(
        action: proto::ScheduleAction,
        converter: &DataConverter,
    ) -> Result<Self, PayloadError> {
        match action.action {
            Some(proto::schedule_action::Action::StartWorkflow(info)) => Ok(Self::StartWorkflow(
                Box::new(ScheduleWorkflowAction::from_proto(info, converter).await?),
            )),
            other => Ok(Self::Other(Box::new(proto::ScheduleAction {
                action: other,
            }))),
        }
    }
}

/// A scheduled workflow start: the workflow type, its options, its arguments and the
/// Temporal header.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ScheduleWorkflowAction {
    /// The workflow type name.
    pub workflow_type: String,
    /// Id (a prefix, see [`ScheduleAction::start_workflow`]), task queue, timeouts,
    /// retry policy, memo, search attributes, ... (the arguments are in `args`).
    pub options: WorkflowOptions,
    /// The workflow's arguments.
    pub args: ScheduleArgs,
    /// The Temporal header each started workflow gets (interceptors put tracing
    /// context here).
    pub headers: HashMap<String, Payload>,
}

impl ScheduleWorkflowAction {
    /// Reads the arguments as `T` (a tuple, `Vec<serde_json::Value>`, ...) with the
    /// payload converter of `converter`.
    ///
    /// # Errors
    /// [`PayloadError`] when they do not convert.
    pub fn args<T: FromPayloads>(&self, converter: &DataConverter) -> Result<T, PayloadError> {
        converter.from_payloads(&self.args.to_payloads(converter)?)
    }

    async fn to_proto(
        &self,
        context: RequestContext<'_>,
        converter: &DataConverter,
    ) -> Result<NewWorkflowExecutionInfo, ScheduleConvertError> {
        let options = &self.options;
        for (set, field) in [
            (
                options.id_conflict_policy.is_some(),
                "action.options.id_conflict_policy",
            ),
            (options.start_delay.is_some(), "action.options.start_delay"),
            (options.request_id.is_some(), "action.options.request_id"),
        ] {
            if set {
                return Err(crate::InvalidRequest::InvalidValue {
                    field,
                    reason: "a scheduled workflow start has no such option",
                }
                .into());
            }
        }
        let input = converter
            .encode_payloads(self.args.to_payloads(converter)?)
            .await?;
        let memo = encode_memo(options, converter).await?;
        let header = (!self.headers.is_empty()).then(|| Header {
            fields: self.headers.clone(),
        });
        let start = context.start_request(
            StartSpec {
                workflow_type: &self.workflow_type,
                options,
                input,
                memo,
                header,
            },
            None,
        )?;
        Ok(NewWorkflowExecutionInfo {
            workflow_id: start.workflow_id,
            workflow_type: start.workflow_type,
            task_queue: start.task_queue,
            input: start.input,
            workflow_execution_timeout: start.workflow_execution_timeout,
            workflow_run_timeout: start.workflow_run_timeout,
            workflow_task_timeout: start.workflow_task_timeout,
            workflow_id_reuse_policy: start.workflow_id_reuse_policy,
            retry_policy: start.retry_policy,
            cron_schedule: start.cron_schedule,
            memo: start.memo,
            search_attributes: start.search_attributes,
            header: start.header,
            user_metadata: start.user_metadata,
            versioning_override: None,
            priority: start.priority,
        })
    }

    async fn from_proto(
        info: NewWorkflowExecutionInfo,
        converter: &DataConverter,
    ) -> Result<Self, PayloadError> {
        let mut options = WorkflowOptions::new(
            info.workflow_id,
            info.task_queue.map(|q| q.name).unwrap_or_default(),
        );
        let duration = |d: Option<temporal_proto::protobuf::Duration>| {
            d.as_ref()
                .and_then(duration_from_proto)
                .filter(|d| !d.is_zero())
        };
        options.execution_timeout = duration(info.workflow_execution_timeout);
        options.run_timeout = duration(info.workflow_run_timeout);
        options.task_timeout = duration(info.workflow_task_timeout);
        options.id_reuse_policy = reuse_policy_from_proto(info.workflow_id_reuse_policy);
        options.retry_policy = info.retry_policy.as_ref().map(RetryPolicy::from_proto);
        options.cron_schedule = (!info.cron_schedule.is_empty()).then_some(info.cron_schedule);
        options.search_attributes = info
            .search_attributes
            .map(SearchAttributes::from_proto)
            .unwrap_or_default();
        options.priority = info.priority.as_ref().map(Priority::from_proto);
        if let Some(metadata) = info.user_metadata {
            let text =
                |p: Option<Payload>| p.and_then(|p| converter.from_payload::<String>(&p).ok());
            options.static_summary = text(metadata.summary);
            options.static_details = text(metadata.details);
        }
        if let Some(memo) = info.memo {
            let (keys, values): (Vec<String>, Vec<Payload>) = memo.fields.into_iter().unzip();
            let values = converter.decode_payloads(values).await?;
            for (key, value) in keys.into_iter().zip(values) {
                let value: serde_json::Value = converter.from_payload(&value)?;
                options.memo.insert_json(key, value);
            }
        }
        let args = converter
            .decode_payloads(info.input.map(|p| p.payloads).unwrap_or_default())
            .await?;
        Ok(Self {
            workflow_type: info.workflow_type.map(|t| t.name).unwrap_or_default(),
            options,
            args: ScheduleArgs::from_payloads(args),
            headers: info.header.map(|h| h.fields).unwrap_or_default(),
        })
    }
}

fn reuse_policy_from_proto(value: i32) -> IdReusePolicy {
    match WorkflowIdReusePolicy::try_from(value).unwrap_or(WorkflowIdReusePolicy::Unspecified) {
        WorkflowIdReusePolicy::AllowDuplicateFailedOnly => IdReusePolicy::AllowDuplicateFailedOnly,
        WorkflowIdReusePolicy::RejectDuplicate => IdReusePolicy::RejectDuplicate,
        #[allow(deprecated)]
        WorkflowIdReusePolicy::TerminateIfRunning => IdReusePolicy::TerminateIfRunning,
        _ => IdReusePolicy::AllowDuplicate,
    }
}

/// Converts and encodes the memo of `options` (`None` when empty).
async fn encode_memo(
    options: &WorkflowOptions,
    converter: &DataConverter,
) -> Result<Option<ProtoMemo>, PayloadError> {
    if options.memo.is_empty() {
        return Ok(None);
    }
    let mut keys = Vec::with_capacity(options.memo.len());
    let mut values = Vec::with_capacity(options.memo.len());
    for (key, value) in options.memo.iter() {
        keys.push(key.clone());
        values.push(converter.to_payload(value)?);
    }
    let values = converter.encode_payloads(values).await?;
    Ok(Some(ProtoMemo {
        fields: keys.into_iter().zip(values).collect(),
    }))
}

/// The arguments of a scheduled workflow: values not converted yet (from
/// [`ScheduleAction::start_workflow`]), or payloads (after the payload converter, before
/// the codecs: what describe returns and what interceptors see).
#[derive(Clone)]
pub struct ScheduleArgs(ArgsRepr);

#[derive(Clone)]
enum ArgsRepr {
    Values(Arc<dyn ToPayloads + Send + Sync>),
    Payloads(Vec<Payload>),
}

impl ScheduleArgs {
    /// Arguments to convert when the schedule is sent: a tuple, `Vec<serde_json::Value>`,
    /// `Vec<Payload>`, ...
    pub fn new<A: ToPayloads + Send + Sync + 'static>(args: A) -> Self {
        Self(ArgsRepr::Values(Arc::new(args)))
    }

    /// Arguments already converted to payloads (no codecs applied).
    pub fn from_payloads(payloads: Vec<Payload>) -> Self {
        Self(ArgsRepr::Payloads(payloads))
    }

    /// The payloads, converting with the payload converter of `converter` if needed.
    ///
    /// # Errors
    /// [`PayloadError`] when a value does not convert.
    pub fn to_payloads(&self, converter: &DataConverter) -> Result<Vec<Payload>, PayloadError> {
        match &self.0 {
            ArgsRepr::Values(values) => values.to_payloads(converter),
            ArgsRepr::Payloads(payloads) => Ok(payloads.clone()),
        }
    }

    /// The payloads, if the arguments are converted already.
    pub fn payloads(&self) -> Option<&[Payload]> {
        match &self.0 {
            ArgsRepr::Values(_) => None,
            ArgsRepr::Payloads(payloads) => Some(payloads),
        }
    }

    /// Converts the values in place (no-op for payloads).
    ///
    /// # Errors
    /// [`PayloadError`] when a value does not convert.
    pub fn convert(&mut self, converter: &DataConverter) -> Result<(), PayloadError> {
        if let ArgsRepr::Values(values) = &self.0 {
            self.0 = ArgsRepr::Payloads(values.to_payloads(converter)?);
        }
        Ok(())
    }
}

impl Default for ScheduleArgs {
    fn default() -> Self {
        Self::from_payloads(Vec::new())
    }
}

impl fmt::Debug for ScheduleArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            ArgsRepr::Values(_) => f.write_str("ScheduleArgs(<not converted yet>)"),
            ArgsRepr::Payloads(p) => write!(f, "ScheduleArgs({} payloads)", p.len()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::options::IdConflictPolicy;

    fn ctx() -> RequestContext<'static> {
        RequestContext::new("ns", "me")
    }

    #[tokio::test]
    async fn round_trips_through_the_converter() {
        let converter = DataConverter::default();
        let options = WorkflowOptions::new("wf", "queue")
            .args((7, "seven".to_owned()))
            .memo("owner", "ada")
            .execution_timeout(Duration::from_secs(60))
            .static_summary("nightly");
        let action = ScheduleAction::start_workflow("report", options);
        let proto = action.to_proto(ctx(), &converter).await.unwrap();
        let back = ScheduleAction::from_proto(proto, &converter).await.unwrap();
        let start = back.as_start_workflow().unwrap();
        assert_eq!(start.workflow_type, "report");
        assert_eq!(start.options.workflow_id, "wf");
        assert_eq!(start.options.task_queue, "queue");
        assert_eq!(
            start.options.execution_timeout,
            Some(Duration::from_secs(60))
        );
        assert_eq!(start.options.static_summary.as_deref(), Some("nightly"));
        assert_eq!(
            start.options.memo.get("owner"),
            Some(&serde_json::json!("ada"))
        );
        let args: (i32, String) = start.args(&converter).unwrap();
        assert_eq!(args, (7, "seven".to_owned()));
    }

    #[tokio::test]
    async fn refuses_what_a_schedule_cannot_carry_and_what_start_refuses() {
        let converter = DataConverter::default();
        let conflict = ScheduleAction::start_workflow(
            "report",
            WorkflowOptions::new("wf", "queue").id_conflict_policy(IdConflictPolicy::Fail),
        );
        assert!(matches!(
            conflict.to_proto(ctx(), &converter).await,
            Err(ScheduleConvertError::InvalidRequest(
                crate::InvalidRequest::InvalidValue {
                    field: "action.options.id_conflict_policy",
                    ..
                }
            ))
        ));
        let empty_queue = ScheduleAction::start_workflow("report", WorkflowOptions::new("wf", ""));
        assert!(matches!(
            empty_queue.to_proto(ctx(), &converter).await,
            Err(ScheduleConvertError::InvalidRequest(
                crate::InvalidRequest::EmptyTaskQueue
            ))
        ));
    }
}
