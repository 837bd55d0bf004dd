//! StartWorkflowExecution and SignalWithStartWorkflowExecution requests, and the start
//! half of update-with-start: one [`StartSpec`] fills all three.

use temporal_proto::prelude::workflowservice::{
    SignalWithStartWorkflowExecutionRequest, StartWorkflowExecutionRequest,
};
use temporal_proto::protobuf::Duration as ProtoDuration;
use temporal_proto::temporal::api::common::v1::{
    Header, Memo, Payload, Priority, RetryPolicy, SearchAttributes, WorkflowType,
};
use temporal_proto::temporal::api::enums::v1::TaskQueueKind;
use temporal_proto::temporal::api::sdk::v1::UserMetadata;
use temporal_proto::temporal::api::taskqueue::v1::TaskQueue;

use super::common::{json_string_payload, new_request_id, payloads};
use super::context::RequestContext;
use super::duration::optional_duration;
use crate::options::{IdConflictPolicy, IdReusePolicy, WorkflowOptions};
use crate::validation::{InvalidRequest, require, validate_cron_schedule};

/// What a workflow start sends: the workflow type, the options, and what the client
/// converted (and encoded) already.
#[derive(Debug, Clone)]
pub struct StartSpec<'a, A = ()> {
    /// The workflow type name.
    pub workflow_type: &'a str,
    /// Id, task queue, timeouts, policies, memo values, search attributes, ... The
    /// options' `args` are not read: `input` holds them converted.
    pub options: &'a WorkflowOptions<A>,
    /// The arguments, one payload each.
    pub input: Vec<Payload>,
    /// The converted memo (`None` for none).
    pub memo: Option<Memo>,
    /// The Temporal header, if any.
    pub header: Option<Header>,
}

impl RequestContext<'_> {
    /// A StartWorkflowExecution request. The request id is `options.request_id` or a
    /// fresh UUID v4.
    ///
    /// # Errors
    /// The workflow id, task queue or workflow type is empty, a duration is out of
    /// range, the cron expression is malformed, the id policies contradict each other,
    /// or a memo or search attribute value could not be encoded.
    pub fn start_workflow<A>(
        &self,
        spec: StartSpec<'_, A>,
    ) -> Result<StartWorkflowExecutionRequest, InvalidRequest> {
        self.start_request(spec, None)
    }

    /// A SignalWithStartWorkflowExecution request: signal the workflow, starting it
    /// first if it is not running.
    ///
    /// The id conflict policy defaults to `UseExisting` (signal the running workflow),
    /// as in the other SDKs. The spec's header travels with both the start and the
    /// signal (the request has one header).
    ///
    /// # Errors
    /// As [`start_workflow`](Self::start_workflow), and
    /// [`InvalidRequest::EmptySignalName`].
    pub fn signal_with_start<A>(
        &self,
        spec: StartSpec<'_, A>,
        signal_name: &str,
        signal_input: Vec<Payload>,
    ) -> Result<SignalWithStartWorkflowExecutionRequest, InvalidRequest> {
        let start = self.start_request(spec, Some(IdConflictPolicy::UseExisting))?;
        require(signal_name, InvalidRequest::EmptySignalName)?;
        // Every start field, moved; a start field that SignalWithStart also has must be
        // listed here (`full_start_converts_every_option` checks both requests).
        Ok(SignalWithStartWorkflowExecutionRequest {
            namespace: start.namespace,
            workflow_id: start.workflow_id,
            workflow_type: start.workflow_type,
            task_queue: start.task_queue,
            input: start.input,
            workflow_execution_timeout: start.workflow_execution_timeout,
            workflow_run_timeout: start.workflow_run_timeout,
            workflow_task_timeout: start.workflow_task_timeout,
            identity: start.identity,
            request_id: start.request_id,
            workflow_id_reuse_policy: start.workflow_id_reuse_policy,
            workflow_id_conflict_policy: start.workflow_id_conflict_policy,
            signal_name: signal_name.to_owned(),
            signal_input: payloads(signal_input),
            retry_policy: start.retry_policy,
            cron_schedule: start.cron_schedule,
            memo: start.memo,
            search_attributes: start.search_attributes,
            header: start.header,
            workflow_start_delay: start.workflow_start_delay,
            user_metadata: start.user_metadata,
            priority: start.priority,
            ..Default::default()
        })
    }

    /// The one place that turns a start spec into request fields.
    pub(crate) fn start_request<A>(
        &self,
        spec: StartSpec<'_, A>,
        default_conflict_policy: Option<IdConflictPolicy>,
    ) -> Result<StartWorkflowExecutionRequest, InvalidRequest> {
        let start = StartFields::new(
            self.identity,
            spec.workflow_type,
            spec.options,
            default_conflict_policy,
        )?;
        Ok(StartWorkflowExecutionRequest {
            namespace: self.namespace.to_owned(),
            workflow_id: start.workflow_id,
            workflow_type: Some(start.workflow_type),
            task_queue: Some(start.task_queue),
            input: payloads(spec.input),
            workflow_execution_timeout: start.execution_timeout,
            workflow_run_timeout: start.run_timeout,
            workflow_task_timeout: start.task_timeout,
            identity: start.identity,
            request_id: start.request_id,
            workflow_id_reuse_policy: start.reuse_policy,
            workflow_id_conflict_policy: start.conflict_policy,
            retry_policy: start.retry_policy,
            cron_schedule: start.cron_schedule,
            memo: spec.memo,
            search_attributes: start.search_attributes,
            header: spec.header,
            workflow_start_delay: start.start_delay,
            user_metadata: start.user_metadata,
            priority: start.priority,
            ..Default::default()
        })
    }
}

/// The validated, converted fields both start requests share.
struct StartFields {
    workflow_id: String,
    workflow_type: WorkflowType,
    task_queue: TaskQueue,
    execution_timeout: Option<ProtoDuration>,
    run_timeout: Option<ProtoDuration>,
    task_timeout: Option<ProtoDuration>,
    identity: String,
    request_id: String,
    reuse_policy: i32,
    conflict_policy: i32,
    retry_policy: Option<RetryPolicy>,
    cron_schedule: String,
    search_attributes: Option<SearchAttributes>,
    start_delay: Option<ProtoDuration>,
    user_metadata: Option<UserMetadata>,
    priority: Option<Priority>,
}

impl StartFields {
    fn new<A>(
        identity: &str,
        workflow_type: &str,
        options: &WorkflowOptions<A>,
        default_conflict_policy: Option<IdConflictPolicy>,
    ) -> Result<Self, InvalidRequest> {
        require(&options.workflow_id, InvalidRequest::EmptyWorkflowId)?;
        require(&options.task_queue, InvalidRequest::EmptyTaskQueue)?;
        require(workflow_type, InvalidRequest::EmptyWorkflowType)?;
        if let Some(cron) = &options.cron_schedule {
            validate_cron_schedule(cron)?;
            if options.start_delay.is_some_and(|d| !d.is_zero()) {
                return Err(InvalidRequest::CronWithStartDelay);
            }
        }
        let (reuse_policy, conflict_policy) = resolve_id_policies(
            options.id_reuse_policy,
            options.id_conflict_policy,
            default_conflict_policy,
        )?;
        options.memo.check()?;
        options.search_attributes.check()?;
        let user_metadata = match (&options.static_summary, &options.static_details) {
            (None, None) => None,
            (summary, details) => Some(UserMetadata {
                summary: summary.as_deref().map(json_string_payload),
                details: details.as_deref().map(json_string_payload),
            }),
        };
        Ok(Self {
            workflow_id: options.workflow_id.clone(),
            workflow_type: WorkflowType {
                name: workflow_type.to_owned(),
            },
            task_queue: TaskQueue {
                name: options.task_queue.clone(),
                kind: TaskQueueKind::Normal as i32,
                ..Default::default()
            },
            execution_timeout: optional_duration("execution_timeout", options.execution_timeout)?,
            run_timeout: optional_duration("run_timeout", options.run_timeout)?,
            task_timeout: optional_duration("task_timeout", options.task_timeout)?,
            identity: identity.to_owned(),
            request_id: options
                .request_id
                .clone()
                .filter(|id| !id.is_empty())
                .unwrap_or_else(new_request_id),
            reuse_policy: reuse_policy.to_proto() as i32,
            conflict_policy: conflict_policy.map_or(0, |p| p.to_proto() as i32),
            retry_policy: options
                .retry_policy
                .as_ref()
                .map(|p| p.to_proto())
                .transpose()?,
            cron_schedule: options.cron_schedule.clone().unwrap_or_default(),
            search_attributes: if options.search_attributes.is_empty() {
                None
            } else {
                Some(options.search_attributes.to_proto())
            },
            start_delay: optional_duration("start_delay", options.start_delay)?,
            user_metadata,
            priority: options
                .priority
                .as_ref()
                .map(|p| p.to_proto())
                .transpose()?,
        })
    }
}

/// Resolves the reuse and conflict policies the way the server would, rejecting the
/// combinations it rejects. `TerminateIfRunning` (deprecated) becomes `AllowDuplicate`
/// with `TerminateExisting`.
fn resolve_id_policies(
    reuse: IdReusePolicy,
    conflict: Option<IdConflictPolicy>,
    default_conflict: Option<IdConflictPolicy>,
) -> Result<(IdReusePolicy, Option<IdConflictPolicy>), InvalidRequest> {
    match (reuse, conflict) {
        (IdReusePolicy::TerminateIfRunning, Some(conflict_policy)) => {
            Err(InvalidRequest::IncompatibleIdPolicies {
                reuse_policy: reuse,
                conflict_policy,
                reason: "TerminateIfRunning already decides what happens to a running workflow; \
                         use AllowDuplicate with the conflict policy TerminateExisting instead",
            })
        }
        (IdReusePolicy::TerminateIfRunning, None) => Ok((
            IdReusePolicy::AllowDuplicate,
            Some(IdConflictPolicy::TerminateExisting),
        )),
        (IdReusePolicy::RejectDuplicate, Some(IdConflictPolicy::TerminateExisting)) => {
            Err(InvalidRequest::IncompatibleIdPolicies {
                reuse_policy: reuse,
                conflict_policy: IdConflictPolicy::TerminateExisting,
                reason: "terminating the running workflow would close it, and RejectDuplicate \
                         then forbids starting a new run with its id",
            })
        }
        (reuse, conflict) => Ok((reuse, conflict.or(default_conflict))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::collections::HashMap;
    use std::time::Duration;

    use super::*;
    use crate::builders::common::tests::{assert_uuid_v4, json_payload};
    use crate::options::{Priority, RetryPolicy as Retry};
    use crate::search_attributes::{Double, Keyword, SearchAttributeKey};

    fn start_workflow_request<A>(
        namespace: &str,
        identity: &str,
        workflow_type: &str,
        options: &WorkflowOptions<A>,
        input: Vec<Payload>,
        memo: Option<Memo>,
    ) -> Result<StartWorkflowExecutionRequest, InvalidRequest> {
        RequestContext::new(namespace, identity).start_workflow(StartSpec {
            workflow_type,
            options,
            input,
            memo,
            header: None,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn signal_with_start_request<A>(
        namespace: &str,
        identity: &str,
        workflow_type: &str,
        options: &WorkflowOptions<A>,
        input: Vec<Payload>,
        memo: Option<Memo>,
        signal_name: &str,
        signal_input: Vec<Payload>,
    ) -> Result<SignalWithStartWorkflowExecutionRequest, InvalidRequest> {
        RequestContext::new(namespace, identity).signal_with_start(
            StartSpec {
                workflow_type,
                options,
                input,
                memo,
                header: None,
            },
            signal_name,
            signal_input,
        )
    }

    const STAGE: SearchAttributeKey<Keyword> = SearchAttributeKey::new("ConformanceStage");

    fn start(
        options: &WorkflowOptions<()>,
    ) -> Result<StartWorkflowExecutionRequest, InvalidRequest> {
        start_workflow_request("ns", "me@host", "echo", options, Vec::new(), None)
    }

    #[test]
    fn minimal_start_sets_ids_and_defaults() {
        let options = WorkflowOptions::new("wid", "tq");
        let input = vec![json_payload("1"), json_payload("\"two\"")];
        let request =
            start_workflow_request("ns", "me@host", "echo", &options, input.clone(), None).unwrap();
        assert_eq!(request.namespace, "ns");
        assert_eq!(request.workflow_id, "wid");
        assert_eq!(request.workflow_type.unwrap().name, "echo");
        let task_queue = request.task_queue.unwrap();
        assert_eq!(task_queue.name, "tq");
        assert_eq!(task_queue.kind, TaskQueueKind::Normal as i32);
        assert_eq!(request.input.unwrap().payloads, input);
        assert_eq!(request.identity, "me@host");
        assert_uuid_v4(&request.request_id);
        assert_eq!(request.workflow_id_reuse_policy, 1, "AllowDuplicate");
        assert_eq!(request.workflow_id_conflict_policy, 0, "unset");
        assert_eq!(request.workflow_execution_timeout, None);
        assert_eq!(request.workflow_run_timeout, None);
        assert_eq!(request.workflow_task_timeout, None);
        assert_eq!(request.retry_policy, None);
        assert_eq!(request.cron_schedule, "");
        assert_eq!(request.memo, None);
        assert_eq!(request.search_attributes, None);
        assert_eq!(request.user_metadata, None);
        assert_eq!(request.priority, None);
        assert_eq!(request.header, None);
        assert!(!request.request_eager_execution);
    }

    #[test]
    fn each_start_gets_a_fresh_request_id_unless_set() {
        let options = WorkflowOptions::new("wid", "tq");
        let a = start(&options).unwrap().request_id;
        let b = start(&options).unwrap().request_id;
        assert_uuid_v4(&a);
        assert_uuid_v4(&b);
        assert_ne!(a, b);
        let fixed = options.clone().request_id("my-request");
        assert_eq!(start(&fixed).unwrap().request_id, "my-request");
        let empty = options.request_id("");
        assert_uuid_v4(&start(&empty).unwrap().request_id);
    }

    #[test]
    fn full_start_converts_every_option() {
        let options = WorkflowOptions::new("wid", "tq")
            .execution_timeout(Duration::from_secs(3600))
            .run_timeout(Duration::from_millis(1500))
            .task_timeout(Duration::from_secs(10))
            .id_reuse_policy(IdReusePolicy::AllowDuplicateFailedOnly)
            .id_conflict_policy(IdConflictPolicy::UseExisting)
            .retry_policy(Retry::new().maximum_attempts(3))
            .search_attribute(&STAGE, "new")
            .static_summary("the summary")
            .static_details("the details")
            .priority(Priority::new().priority_key(2).fairness_key("t"))
            .memo("ignored", "the client converts the memo");
        let memo = Memo {
            fields: HashMap::from([("m".to_owned(), json_payload("1"))]),
        };
        let request =
            start_workflow_request("ns", "id", "echo", &options, Vec::new(), Some(memo.clone()))
                .unwrap();
        assert_eq!(request.input, None);
        assert_eq!(
            request.workflow_execution_timeout,
            Some(ProtoDuration {
                seconds: 3600,
                nanos: 0
            })
        );
        assert_eq!(
            request.workflow_run_timeout,
            Some(ProtoDuration {
                seconds: 1,
                nanos: 500_000_000
            })
        );
        assert_eq!(
            request.workflow_task_timeout,
            Some(ProtoDuration {
                seconds: 10,
                nanos: 0
            })
        );
        assert_eq!(request.workflow_id_reuse_policy, 2);
        assert_eq!(request.workflow_id_conflict_policy, 2);
        assert_eq!(request.retry_policy.unwrap().maximum_attempts, 3);
        assert_eq!(request.memo, Some(memo));
        let attributes = request.search_attributes.unwrap().indexed_fields;
        let stage = attributes.get("ConformanceStage").unwrap();
        assert_eq!(stage.data, b"\"new\"");
        assert_eq!(stage.metadata.get("type").unwrap(), b"Keyword");
        let metadata = request.user_metadata.unwrap();
        let summary = metadata.summary.unwrap();
        assert_eq!(summary.data, b"\"the summary\"");
        assert_eq!(summary.metadata.get("encoding").unwrap(), b"json/plain");
        assert_eq!(metadata.details.unwrap().data, b"\"the details\"");
        let priority = request.priority.unwrap();
        assert_eq!(priority.priority_key, 2);
        assert_eq!(priority.fairness_key, "t");
    }

    #[test]
    fn only_summary_sets_only_summary() {
        let options = WorkflowOptions::new("w", "t").static_summary("s");
        let metadata = start(&options).unwrap().user_metadata.unwrap();
        assert!(metadata.summary.is_some());
        assert_eq!(metadata.details, None);
    }

    #[test]
    fn cron_and_start_delay() {
        let cron = WorkflowOptions::new("w", "t").cron_schedule("*/5 * * * *");
        assert_eq!(start(&cron).unwrap().cron_schedule, "*/5 * * * *");
        let delay = WorkflowOptions::new("w", "t").start_delay(Duration::from_secs(30));
        assert_eq!(
            start(&delay).unwrap().workflow_start_delay,
            Some(ProtoDuration {
                seconds: 30,
                nanos: 0
            })
        );
        let bad = WorkflowOptions::new("w", "t").cron_schedule("every tuesday");
        assert!(matches!(
            start(&bad),
            Err(InvalidRequest::InvalidCronSchedule { .. })
        ));
        let both = cron.start_delay(Duration::from_secs(1));
        assert_eq!(start(&both), Err(InvalidRequest::CronWithStartDelay));
    }

    #[test]
    fn empty_required_fields_are_rejected() {
        assert_eq!(
            start(&WorkflowOptions::new("", "t")),
            Err(InvalidRequest::EmptyWorkflowId)
        );
        assert_eq!(
            start(&WorkflowOptions::new("w", "")),
            Err(InvalidRequest::EmptyTaskQueue)
        );
        assert_eq!(
            start_workflow_request("ns", "i", "", &WorkflowOptions::new("w", "t"), vec![], None),
            Err(InvalidRequest::EmptyWorkflowType)
        );
    }

    #[test]
    fn durations_out_of_range_name_the_field() {
        let cases: [(&str, WorkflowOptions); 4] = [
            (
                "execution_timeout",
                WorkflowOptions::new("w", "t").execution_timeout(Duration::MAX),
            ),
            (
                "run_timeout",
                WorkflowOptions::new("w", "t").run_timeout(Duration::MAX),
            ),
            (
                "task_timeout",
                WorkflowOptions::new("w", "t").task_timeout(Duration::MAX),
            ),
            (
                "start_delay",
                WorkflowOptions::new("w", "t").start_delay(Duration::MAX),
            ),
        ];
        for (field, options) in cases {
            match start(&options) {
                Err(InvalidRequest::DurationOutOfRange { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
        let zero = WorkflowOptions::new("w", "t").execution_timeout(Duration::ZERO);
        assert_eq!(start(&zero).unwrap().workflow_execution_timeout, None);
    }

    #[test]
    fn invalid_nested_options_are_rejected() {
        let retry =
            WorkflowOptions::new("w", "t").retry_policy(Retry::new().backoff_coefficient(0.1));
        assert!(matches!(
            start(&retry),
            Err(InvalidRequest::InvalidValue {
                field: "retry_policy.backoff_coefficient",
                ..
            })
        ));
        let priority =
            WorkflowOptions::new("w", "t").priority(Priority::new().fairness_weight(-1.0));
        assert!(matches!(
            start(&priority),
            Err(InvalidRequest::InvalidValue {
                field: "priority.fairness_weight",
                ..
            })
        ));
        const SCORE: SearchAttributeKey<Double> = SearchAttributeKey::new("Score");
        let attribute = WorkflowOptions::new("w", "t").search_attribute(&SCORE, f64::NAN);
        assert!(matches!(
            start(&attribute),
            Err(InvalidRequest::InvalidSearchAttribute { .. })
        ));
        let mut bad_map = HashMap::new();
        bad_map.insert(vec![1], 1);
        let memo = WorkflowOptions::new("w", "t").memo("bad", bad_map);
        assert!(matches!(
            start(&memo),
            Err(InvalidRequest::InvalidMemo { .. })
        ));
        let empty_name: SearchAttributeKey<Keyword> = SearchAttributeKey::from_name("");
        let empty = WorkflowOptions::new("w", "t").search_attribute(&empty_name, "x");
        assert_eq!(start(&empty), Err(InvalidRequest::EmptySearchAttributeName));
    }

    #[test]
    fn id_policy_combinations() {
        let terminate =
            WorkflowOptions::new("w", "t").id_reuse_policy(IdReusePolicy::TerminateIfRunning);
        let request = start(&terminate).unwrap();
        assert_eq!(request.workflow_id_reuse_policy, 1, "AllowDuplicate");
        assert_eq!(request.workflow_id_conflict_policy, 3, "TerminateExisting");

        let both = terminate.id_conflict_policy(IdConflictPolicy::Fail);
        assert!(matches!(
            start(&both),
            Err(InvalidRequest::IncompatibleIdPolicies {
                reuse_policy: IdReusePolicy::TerminateIfRunning,
                conflict_policy: IdConflictPolicy::Fail,
                ..
            })
        ));
        let reject = WorkflowOptions::new("w", "t")
            .id_reuse_policy(IdReusePolicy::RejectDuplicate)
            .id_conflict_policy(IdConflictPolicy::TerminateExisting);
        let err = start(&reject).unwrap_err();
        assert!(err.to_string().contains("id_reuse_policy"), "{err}");
        let reject_fail = WorkflowOptions::new("w", "t")
            .id_reuse_policy(IdReusePolicy::RejectDuplicate)
            .id_conflict_policy(IdConflictPolicy::Fail);
        let request = start(&reject_fail).unwrap();
        assert_eq!(
            (
                request.workflow_id_reuse_policy,
                request.workflow_id_conflict_policy
            ),
            (3, 1)
        );
    }

    #[test]
    fn signal_with_start_defaults_to_use_existing() {
        let options = WorkflowOptions::new("wid", "tq").args(());
        let request = signal_with_start_request(
            "ns",
            "me",
            "counter",
            &options,
            vec![json_payload("0")],
            None,
            "increment",
            vec![json_payload("5")],
        )
        .unwrap();
        assert_eq!(request.namespace, "ns");
        assert_eq!(request.workflow_id, "wid");
        assert_eq!(request.workflow_type.unwrap().name, "counter");
        assert_eq!(request.task_queue.unwrap().name, "tq");
        assert_eq!(request.signal_name, "increment");
        assert_eq!(request.input.unwrap().payloads, [json_payload("0")]);
        assert_eq!(request.signal_input.unwrap().payloads, [json_payload("5")]);
        assert_eq!(request.workflow_id_conflict_policy, 2, "UseExisting");
        assert_eq!(request.identity, "me");
        assert_uuid_v4(&request.request_id);
    }

    #[test]
    fn signal_with_start_keeps_explicit_policy_and_checks_name() {
        let options = WorkflowOptions::new("wid", "tq")
            .id_conflict_policy(IdConflictPolicy::TerminateExisting);
        let request =
            signal_with_start_request("ns", "me", "w", &options, vec![], None, "s", vec![])
                .unwrap();
        assert_eq!(request.workflow_id_conflict_policy, 3);
        assert_eq!(request.signal_input, None);
        let terminate =
            WorkflowOptions::new("wid", "tq").id_reuse_policy(IdReusePolicy::TerminateIfRunning);
        let request =
            signal_with_start_request("ns", "me", "w", &terminate, vec![], None, "s", vec![])
                .unwrap();
        assert_eq!(
            (
                request.workflow_id_reuse_policy,
                request.workflow_id_conflict_policy
            ),
            (1, 3)
        );
        assert_eq!(
            signal_with_start_request("ns", "me", "w", &options, vec![], None, "", vec![]),
            Err(InvalidRequest::EmptySignalName)
        );
        let a = signal_with_start_request("ns", "me", "w", &options, vec![], None, "s", vec![])
            .unwrap();
        let b = signal_with_start_request("ns", "me", "w", &options, vec![], None, "s", vec![])
            .unwrap();
        assert_ne!(a.request_id, b.request_id);
        let fixed = options.request_id("r1");
        let c =
            signal_with_start_request("ns", "me", "w", &fixed, vec![], None, "s", vec![]).unwrap();
        assert_eq!(c.request_id, "r1");
    }

    #[test]
    fn signal_with_start_carries_every_start_field() {
        let options = WorkflowOptions::new("wid", "tq")
            .execution_timeout(Duration::from_secs(3600))
            .run_timeout(Duration::from_millis(1500))
            .task_timeout(Duration::from_secs(10))
            .id_reuse_policy(IdReusePolicy::AllowDuplicateFailedOnly)
            .id_conflict_policy(IdConflictPolicy::Fail)
            .retry_policy(Retry::new().maximum_attempts(3))
            .cron_schedule("@daily")
            .search_attribute(&STAGE, "new")
            .static_summary("the summary")
            .static_details("the details")
            .priority(Priority::new().priority_key(2))
            .request_id("fixed");
        let memo = Memo {
            fields: HashMap::from([("m".to_owned(), json_payload("1"))]),
        };
        let header = Header {
            fields: HashMap::from([("h".to_owned(), json_payload("2"))]),
        };
        let spec = || StartSpec {
            workflow_type: "echo",
            options: &options,
            input: vec![json_payload("3")],
            memo: Some(memo.clone()),
            header: Some(header.clone()),
        };
        let ctx = RequestContext::new("ns", "me");
        let start = ctx.start_workflow(spec()).unwrap();
        let sws = ctx.signal_with_start(spec(), "sig", vec![]).unwrap();
        assert_eq!(sws.namespace, start.namespace);
        assert_eq!(sws.workflow_id, start.workflow_id);
        assert_eq!(sws.workflow_type, start.workflow_type);
        assert_eq!(sws.task_queue, start.task_queue);
        assert_eq!(sws.input, start.input);
        assert_eq!(
            sws.workflow_execution_timeout,
            start.workflow_execution_timeout
        );
        assert_eq!(sws.workflow_run_timeout, start.workflow_run_timeout);
        assert_eq!(sws.workflow_task_timeout, start.workflow_task_timeout);
        assert_eq!(sws.identity, start.identity);
        assert_eq!(sws.request_id, start.request_id);
        assert_eq!(sws.workflow_id_reuse_policy, start.workflow_id_reuse_policy);
        assert_eq!(
            sws.workflow_id_conflict_policy,
            start.workflow_id_conflict_policy
        );
        assert_eq!(sws.retry_policy, start.retry_policy);
        assert_eq!(sws.cron_schedule, start.cron_schedule);
        assert_eq!(sws.memo, start.memo);
        assert_eq!(sws.search_attributes, start.search_attributes);
        assert_eq!(sws.header, Some(header.clone()));
        assert_eq!(start.header, Some(header));
        assert_eq!(sws.user_metadata, start.user_metadata);
        assert_eq!(sws.priority, start.priority);
        assert!(start.priority.is_some() && start.user_metadata.is_some());
    }
}
