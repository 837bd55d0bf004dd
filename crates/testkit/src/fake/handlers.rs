//! The `WorkflowService` RPCs of the fake: request validation as the server does it, then
//! the state machine in `server.rs`.
// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use std::time::Duration;

use temporal_client_core::{Code, ErrorDetails, ServiceError, ServiceRequest, WorkflowService};
use temporal_proto::temporal::api::common::v1::{RetryPolicy, WorkflowExecution, WorkflowType};
use temporal_proto::temporal::api::enums::v1::{
    HistoryEventFilterType, IndexedValueType, QueryRejectCondition,
    WorkflowExecutionStatus as Status, WorkflowIdConflictPolicy as Conflict,
    WorkflowIdReusePolicy as Reuse,
};
use temporal_proto::temporal::api::errordetails::v1::{
    QueryFailedFailure, WorkflowExecutionAlreadyStartedFailure, WorkflowNotReadyFailure,
};
use temporal_proto::temporal::api::history::v1::{self as hist, History};
use temporal_proto::temporal::api::query::v1::QueryRejected;
use temporal_proto::temporal::api::taskqueue::v1::TaskQueue;
use temporal_proto::temporal::api::workflow::v1::{
    WorkflowExecutionConfig, WorkflowExecutionExtendedInfo, WorkflowExecutionInfo,
};
use temporal_proto::temporal::api::workflowservice::v1 as wf;

use super::clock::{from_proto_duration, to_proto_duration, to_timestamp};
use super::cron::{CronError, CronSchedule};
use super::history::is_close_event;
use super::server::{Close, DEFAULT_TASK_TIMEOUT, FakeServer, NewRun, State, WftSource};
use super::store::{Run, already_completed, workflow_not_found};
use super::validation;
use super::workflows::{Args, WorkflowFailure};

/// Server version the fake reports.
const SERVER_VERSION: &str = "1.32.0";
/// Default history page size of the server.
const DEFAULT_PAGE_SIZE: usize = 1000;

pub(crate) fn invalid(rpc: &'static str, message: impl Into<String>) -> ServiceError {
    ServiceError::new(rpc, Code::InvalidArgument, message)
}

pub(crate) fn unimplemented_field(rpc: &'static str, field: &str) -> ServiceError {
    ServiceError::new(
        rpc,
        Code::Unimplemented,
        format!(
            "the fake server does not model `{field}` of {rpc}; leave it unset or test against a real server"
        ),
    )
}

fn timeout(
    rpc: &'static str,
    d: &Option<temporal_proto::protobuf::Duration>,
    name: &str,
) -> Result<Option<Duration>, ServiceError> {
    match d {
        None => Ok(None),
        Some(d) => match from_proto_duration(d) {
            Some(d) if d.is_zero() => Ok(None),
            Some(d) => Ok(Some(d)),
            None => Err(invalid(rpc, format!("Invalid {name}."))),
        },
    }
}

/// Checks a retry policy and fills in the server's defaults.
pub(crate) fn normalize_retry_policy(
    rpc: &'static str,
    policy: Option<RetryPolicy>,
) -> Result<Option<RetryPolicy>, ServiceError> {
    let Some(mut p) = policy else {
        return Ok(None);
    };
    let initial = match &p.initial_interval {
        Some(d) => from_proto_duration(d)
            .ok_or_else(|| invalid(rpc, "InitialInterval cannot be negative on retry policy."))?,
        None => Duration::ZERO,
    };
    let initial = if initial.is_zero() {
        Duration::from_secs(1)
    } else {
        initial
    };
    if p.backoff_coefficient == 0.0 {
        p.backoff_coefficient = 2.0;
    }
    if p.backoff_coefficient < 1.0 {
        return Err(invalid(
            rpc,
            "BackoffCoefficient cannot be less than 1 on retry policy.",
        ));
    }
    let max = match &p.maximum_interval {
        Some(d) => from_proto_duration(d)
            .ok_or_else(|| invalid(rpc, "MaximumInterval cannot be negative on retry policy."))?,
        None => Duration::ZERO,
    };
    if !max.is_zero() && max < initial {
        return Err(invalid(
            rpc,
            "MaximumInterval cannot be less than InitialInterval on retry policy.",
        ));
    }
    let max = if max.is_zero() { initial * 100 } else { max };
    if p.maximum_attempts < 0 {
        return Err(invalid(
            rpc,
            "MaximumAttempts cannot be negative on retry policy.",
        ));
    }
    p.initial_interval = Some(to_proto_duration(initial));
    p.maximum_interval = Some(to_proto_duration(max));
    Ok(Some(p))
}

/// The start fields shared by StartWorkflowExecution and SignalWithStartWorkflowExecution.
pub(crate) struct StartFields {
    pub(crate) namespace: String,
    pub(crate) workflow_id: String,
    pub(crate) workflow_type: Option<WorkflowType>,
    pub(crate) task_queue: Option<TaskQueue>,
    pub(crate) input: Option<temporal_proto::temporal::api::common::v1::Payloads>,
    pub(crate) execution_timeout: Option<temporal_proto::protobuf::Duration>,
    pub(crate) run_timeout: Option<temporal_proto::protobuf::Duration>,
    pub(crate) task_timeout: Option<temporal_proto::protobuf::Duration>,
    pub(crate) identity: String,
    pub(crate) request_id: String,
    pub(crate) reuse: i32,
    pub(crate) conflict: i32,
    pub(crate) retry_policy: Option<RetryPolicy>,
    pub(crate) cron_schedule: String,
    pub(crate) memo: Option<temporal_proto::temporal::api::common::v1::Memo>,
    pub(crate) search_attributes:
        Option<temporal_proto::temporal::api::common::v1::SearchAttributes>,
    pub(crate) header: Option<temporal_proto::temporal::api::common::v1::Header>,
    pub(crate) start_delay: Option<temporal_proto::protobuf::Duration>,
    pub(crate) user_metadata: Option<temporal_proto::temporal::api::sdk::v1::UserMetadata>,
    pub(crate) continued_failure: Option<temporal_proto::temporal::api::failure::v1::Failure>,
    pub(crate) last_completion_result: Option<temporal_proto::temporal::api::common::v1::Payloads>,
    pub(crate) signal: Option<hist::WorkflowExecutionSignaledEventAttributes>,
}

impl From<wf::StartWorkflowExecutionRequest> for StartFields {
    fn from(r: wf::StartWorkflowExecutionRequest) -> Self {
        Self {
            namespace: r.namespace,
            workflow_id: r.workflow_id,
            workflow_type: r.workflow_type,
            task_queue: r.task_queue,
            input: r.input,
            execution_timeout: r.workflow_execution_timeout,
            run_timeout: r.workflow_run_timeout,
            task_timeout: r.workflow_task_timeout,
            identity: r.identity,
            request_id: r.request_id,
            reuse: r.workflow_id_reuse_policy,
            conflict: r.workflow_id_conflict_policy,
            retry_policy: r.retry_policy,
            cron_schedule: r.cron_schedule,
            memo: r.memo,
            search_attributes: r.search_attributes,
            header: r.header,
            start_delay: r.workflow_start_delay,
            user_metadata: r.user_metadata,
            continued_failure: r.continued_failure,
            last_completion_result: r.last_completion_result,
            signal: None,
        }
    }
}

/// Rejects start request fields the fake does not model.
pub(crate) fn check_unmodelled_start(
    rpc: &'static str,
    r: &wf::StartWorkflowExecutionRequest,
) -> Result<(), ServiceError> {
    if !r.completion_callbacks.is_empty() {
        return Err(unimplemented_field(rpc, "completion_callbacks"));
    }
    if r.versioning_override.is_some() {
        return Err(unimplemented_field(rpc, "versioning_override"));
    }
    if r.on_conflict_options.is_some() {
        return Err(unimplemented_field(rpc, "on_conflict_options"));
    }
    if r.time_skipping_config.is_some() {
        return Err(unimplemented_field(rpc, "time_skipping_config"));
    }
    Ok(())
}

fn already_started(rpc: &'static str, message: String, run: &Run) -> ServiceError {
    ServiceError::new(rpc, Code::AlreadyExists, message).with_details(
        ErrorDetails::WorkflowExecutionAlreadyStarted(WorkflowExecutionAlreadyStartedFailure {
            start_request_id: run.start_request_id.clone(),
            run_id: run.run_id.clone(),
            first_execution_run_id: String::new(),
        }),
    )
}

impl State {
    /// Validates and performs a start (plain or with a signal). `sws` selects the
    /// signal-with-start default conflict policy (USE_EXISTING).
    pub(crate) fn start(
        &mut self,
        rpc: &'static str,
        mut f: StartFields,
        sws: bool,
    ) -> Result<wf::StartWorkflowExecutionResponse, ServiceError> {
        let ns = f.namespace.clone();
        self.namespace(rpc, &ns)?;
        validation::workflow_id(rpc, &f.workflow_id)?;
        let workflow_type = f.workflow_type.take().map(|t| t.name).unwrap_or_default();
        validation::workflow_type(rpc, &workflow_type)?;
        let task_queue = f.task_queue.take().map(|t| t.name).unwrap_or_default();
        validation::task_queue(rpc, &task_queue)?;
        validation::request_id(rpc, &f.request_id)?;
        validation::blob(rpc, f.input.as_ref())?;
        if let Some(signal) = &f.signal {
            validation::blob(rpc, signal.input.as_ref())?;
        }
        validation::memo(rpc, f.memo.as_ref())?;
        let execution_timeout = timeout(rpc, &f.execution_timeout, "WorkflowExecutionTimeout")?;
        let mut run_timeout = timeout(rpc, &f.run_timeout, "WorkflowRunTimeout")?;
        let task_timeout = timeout(rpc, &f.task_timeout, "WorkflowTaskTimeout")?;
        let start_delay = timeout(rpc, &f.start_delay, "WorkflowStartDelay")?;
        if let Some(exec) = execution_timeout {
            if run_timeout.is_none_or(|r| r > exec) {
                run_timeout = Some(exec);
            }
        }
        let mut task_timeout = task_timeout.unwrap_or(DEFAULT_TASK_TIMEOUT);
        if let Some(run) = run_timeout {
            task_timeout = task_timeout.min(run);
        }
        let retry_policy = normalize_retry_policy(rpc, f.retry_policy.take())?;
        let cron = if f.cron_schedule.is_empty() {
            None
        } else {
            match CronSchedule::parse(&f.cron_schedule) {
                Ok(c) => Some(c),
                Err(CronError::Invalid(..)) => return Err(invalid(rpc, "Invalid CronSchedule.")),
                Err(e @ CronError::Unsupported(..)) => {
                    return Err(ServiceError::new(rpc, Code::Unimplemented, e.to_string()));
                }
            }
        };
        if cron.is_some() && start_delay.is_some() {
            return Err(invalid(
                rpc,
                "CronSchedule and WorkflowStartDelay may not be used together.",
            ));
        }
        if let Some(sa) = &f.search_attributes {
            self.check_search_attributes(rpc, &ns, sa)?;
        }
        let mut reuse = Reuse::try_from(f.reuse).unwrap_or(Reuse::Unspecified);
        let mut conflict = Conflict::try_from(f.conflict).unwrap_or(Conflict::Unspecified);
        #[allow(deprecated)]
        let terminate_if_running = Reuse::TerminateIfRunning;
        if reuse == terminate_if_running {
            if conflict != Conflict::Unspecified {
                return Err(invalid(
                    rpc,
                    "Invalid WorkflowIDReusePolicy: WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING cannot be used together with a WorkflowIDConflictPolicy.",
                ));
            }
            reuse = Reuse::AllowDuplicate;
            conflict = Conflict::TerminateExisting;
        }
        if conflict == Conflict::Unspecified {
            conflict = if sws {
                Conflict::UseExisting
            } else {
                Conflict::Fail
            };
        }
        if f.request_id.is_empty() {
            f.request_id = self.ids.uuid();
        }
        let new_run_id = self.ids.uuid();

        let namespace = self.namespace(rpc, &ns)?;
        let current = namespace
            .executions
            .get(&f.workflow_id)
            .and_then(|e| {
                e.request_ids
                    .get(&f.request_id)
                    .map(|r| (r.clone(), true))
                    .or_else(|| e.current().map(|c| (c.to_owned(), false)))
            })
            .and_then(|(id, dup)| namespace.runs.get(&id).map(|r| (r, dup)));
        if let Some((run, duplicate)) = current {
            if duplicate && !sws {
                return Ok(wf::StartWorkflowExecutionResponse {
                    run_id: run.run_id.clone(),
                    started: true,
                    status: run.status as i32,
                    ..Default::default()
                });
            }
            if run.is_open() {
                match conflict {
                    Conflict::UseExisting => {
                        let run_id = run.run_id.clone();
                        if let Some(signal) = f.signal.take() {
                            self.signal(&ns, &run_id, signal);
                        }
                        return Ok(wf::StartWorkflowExecutionResponse {
                            run_id,
                            started: false,
                            status: Status::Running as i32,
                            ..Default::default()
                        });
                    }
                    Conflict::TerminateExisting => {
                        let run_id = run.run_id.clone();
                        let details = super::payload::encode(&format!(
                            "terminated by new runID: {new_run_id}"
                        ))
                        .map(super::payload::single)
                        .ok();
                        self.close_run(
                            &ns,
                            &run_id,
                            Close::Terminated {
                                reason: "TerminateIfRunning WorkflowIdReusePolicy".to_owned(),
                                details,
                                identity: "history-service".to_owned(),
                            },
                            WftSource::None,
                        );
                    }
                    _ => {
                        return Err(already_started(
                            rpc,
                            format!(
                                "Workflow execution is already running. WorkflowId: {}, RunId: {}.",
                                run.workflow_id, run.run_id
                            ),
                            run,
                        ));
                    }
                }
            } else {
                let failed = matches!(
                    run.status,
                    Status::Failed | Status::Canceled | Status::Terminated | Status::TimedOut
                );
                match reuse {
                    Reuse::AllowDuplicateFailedOnly if !failed => {
                        return Err(already_started(
                            rpc,
                            format!(
                                "Workflow execution already finished successfully. WorkflowId: {}, RunId: {}. Workflow Id reuse policy: allow duplicate workflow Id if last run failed.",
                                run.workflow_id, run.run_id
                            ),
                            run,
                        ));
                    }
                    Reuse::RejectDuplicate => {
                        return Err(already_started(
                            rpc,
                            format!(
                                "Workflow execution already finished. WorkflowId: {}, RunId: {}. Workflow Id reuse policy: reject duplicate workflow Id.",
                                run.workflow_id, run.run_id
                            ),
                            run,
                        ));
                    }
                    _ => {}
                }
            }
        }
        let backoff = match (&cron, start_delay) {
            (Some(c), _) => c.backoff(self.now, self.now),
            (None, d) => d,
        };
        self.create_run(
            &ns,
            NewRun {
                workflow_id: f.workflow_id,
                run_id: new_run_id.clone(),
                workflow_type,
                task_queue,
                request_id: f.request_id,
                identity: f.identity,
                input: f.input,
                header: f.header,
                memo: f.memo,
                search_attributes: f.search_attributes,
                attempt: 1,
                retry_policy,
                cron_schedule: f.cron_schedule,
                execution_timeout,
                run_timeout,
                task_timeout,
                backoff,
                continued_failure: f.continued_failure,
                last_completion_result: f.last_completion_result,
                user_metadata: f.user_metadata,
                signal: f.signal,
                ..NewRun::default()
            },
        );
        Ok(wf::StartWorkflowExecutionResponse {
            run_id: new_run_id,
            started: true,
            status: Status::Running as i32,
            ..Default::default()
        })
    }

    fn check_search_attributes(
        &self,
        rpc: &'static str,
        ns: &str,
        sa: &temporal_proto::temporal::api::common::v1::SearchAttributes,
    ) -> Result<(), ServiceError> {
        validation::search_attributes(rpc, ns, sa, |name| self.search_attributes.get(name))
    }

    /// The run a request names, checking `first_execution_run_id` when given.
    pub(crate) fn target(
        &self,
        rpc: &'static str,
        ns: &str,
        execution: Option<&WorkflowExecution>,
        first_execution_run_id: &str,
    ) -> Result<String, ServiceError> {
        let namespace = self.namespace(rpc, ns)?;
        let (wid, rid) = execution
            .map(|e| (e.workflow_id.as_str(), e.run_id.as_str()))
            .unwrap_or_default();
        validation::run_id(rpc, rid)?;
        let run_id = namespace.resolve_id(rpc, wid, rid)?;
        if !first_execution_run_id.is_empty() {
            let ok = namespace
                .runs
                .get(&run_id)
                .is_some_and(|r| r.first_execution_run_id == first_execution_run_id);
            if !ok {
                return Err(workflow_not_found(rpc, wid));
            }
        }
        Ok(run_id)
    }
}

/// The server's name of an indexed value type (`Keyword`, `Int`, ...).
pub(crate) fn index_type_name(kind: IndexedValueType) -> &'static str {
    match kind {
        IndexedValueType::Text => "Text",
        IndexedValueType::Keyword => "Keyword",
        IndexedValueType::Int => "Int",
        IndexedValueType::Double => "Double",
        IndexedValueType::Bool => "Bool",
        IndexedValueType::Datetime => "Datetime",
        IndexedValueType::KeywordList => "KeywordList",
        IndexedValueType::Unspecified => "Unspecified",
    }
}

/// The `WorkflowExecutionInfo` describe and list return for a run.
pub(crate) fn execution_info(run: &Run) -> WorkflowExecutionInfo {
    let execution = WorkflowExecution {
        workflow_id: run.workflow_id.clone(),
        run_id: run.run_id.clone(),
    };
    WorkflowExecutionInfo {
        execution: Some(execution.clone()),
        r#type: Some(WorkflowType {
            name: run.workflow_type.clone(),
        }),
        start_time: Some(to_timestamp(run.start_time)),
        close_time: run.close_time.map(to_timestamp),
        status: run.status as i32,
        history_length: run.history.len(),
        execution_time: Some(to_timestamp(run.execution_time)),
        memo: Some(temporal_proto::temporal::api::common::v1::Memo {
            fields: run.memo.clone().into_iter().collect(),
        }),
        search_attributes: (!run.search_attributes.is_empty()).then(|| {
            temporal_proto::temporal::api::common::v1::SearchAttributes {
                indexed_fields: run.search_attributes.clone().into_iter().collect(),
            }
        }),
        task_queue: run.task_queue.clone(),
        state_transition_count: run.history.len(),
        history_size_bytes: run.history.size_bytes,
        execution_duration: run
            .close_time
            .and_then(|c| c.duration_since(run.execution_time).ok())
            .map(to_proto_duration),
        root_execution: Some(execution),
        first_run_id: run.first_execution_run_id.clone(),
        ..Default::default()
    }
}

fn namespace_of(rpc: &'static str, ns: &str) -> Result<(), ServiceError> {
    if ns.is_empty() {
        return Err(invalid(rpc, "Namespace not set on request."));
    }
    Ok(())
}

impl FakeServer {
    pub(crate) async fn wait_until<T>(
        &self,
        rpc: &'static str,
        limit: Option<Duration>,
        mut check: impl FnMut(&State) -> Option<Result<T, ServiceError>>,
    ) -> Result<T, ServiceError> {
        let mut rx = self.inner.version.subscribe();
        let wait = async {
            loop {
                if let Some(r) = check(&self.inner.lock()) {
                    return r;
                }
                if rx.changed().await.is_err() {
                    return Err(ServiceError::new(
                        rpc,
                        Code::Unavailable,
                        "the fake server was dropped",
                    ));
                }
            }
        };
        match limit {
            Some(limit) => tokio::time::timeout(limit, wait).await.unwrap_or_else(|_| {
                Err(ServiceError::new(
                    rpc,
                    Code::DeadlineExceeded,
                    "context deadline exceeded: the call's timeout passed before the fake server had an answer",
                ))
            }),
            None => wait.await,
        }
    }
}

#[async_trait::async_trait]
impl WorkflowService for FakeServer {
    async fn start_workflow_execution(
        &self,
        request: ServiceRequest<wf::StartWorkflowExecutionRequest>,
    ) -> Result<wf::StartWorkflowExecutionResponse, ServiceError> {
        const RPC: &str = "StartWorkflowExecution";
        let r = request.message;
        namespace_of(RPC, &r.namespace)?;
        check_unmodelled_start(RPC, &r)?;
        let response = self.inner.lock().start(RPC, r.into(), false);
        self.inner.settle();
        response
    }

    async fn signal_with_start_workflow_execution(
        &self,
        request: ServiceRequest<wf::SignalWithStartWorkflowExecutionRequest>,
    ) -> Result<wf::SignalWithStartWorkflowExecutionResponse, ServiceError> {
        const RPC: &str = "SignalWithStartWorkflowExecution";
        let r = request.message;
        namespace_of(RPC, &r.namespace)?;
        validation::signal_name(RPC, &r.signal_name, true)?;
        if r.versioning_override.is_some() {
            return Err(unimplemented_field(RPC, "versioning_override"));
        }
        if r.time_skipping_config.is_some() {
            return Err(unimplemented_field(RPC, "time_skipping_config"));
        }
        let signal = hist::WorkflowExecutionSignaledEventAttributes {
            signal_name: r.signal_name,
            input: r.signal_input,
            identity: r.identity.clone(),
            header: r.header.clone(),
            request_id: r.request_id.clone(),
            ..Default::default()
        };
        let fields = StartFields {
            namespace: r.namespace,
            workflow_id: r.workflow_id,
            workflow_type: r.workflow_type,
            task_queue: r.task_queue,
            input: r.input,
            execution_timeout: r.workflow_execution_timeout,
            run_timeout: r.workflow_run_timeout,
            task_timeout: r.workflow_task_timeout,
            identity: r.identity,
            request_id: r.request_id,
            reuse: r.workflow_id_reuse_policy,
            conflict: r.workflow_id_conflict_policy,
            retry_policy: r.retry_policy,
            cron_schedule: r.cron_schedule,
            memo: r.memo,
            search_attributes: r.search_attributes,
            header: r.header,
            start_delay: r.workflow_start_delay,
            user_metadata: r.user_metadata,
            continued_failure: None,
            last_completion_result: None,
            signal: Some(signal),
        };
        let response = self.inner.lock().start(RPC, fields, true);
        self.inner.settle();
        response.map(|s| wf::SignalWithStartWorkflowExecutionResponse {
            run_id: s.run_id,
            started: s.started,
            ..Default::default()
        })
    }

    async fn signal_workflow_execution(
        &self,
        request: ServiceRequest<wf::SignalWorkflowExecutionRequest>,
    ) -> Result<wf::SignalWorkflowExecutionResponse, ServiceError> {
        const RPC: &str = "SignalWorkflowExecution";
        let r = request.message;
        namespace_of(RPC, &r.namespace)?;
        validation::signal_name(RPC, &r.signal_name, false)?;
        validation::request_id(RPC, &r.request_id)?;
        validation::blob(RPC, r.input.as_ref())?;
        {
            let mut st = self.inner.lock();
            let run_id = st.target(RPC, &r.namespace, r.workflow_execution.as_ref(), "")?;
            if !st.run(&r.namespace, &run_id).is_some_and(Run::is_open) {
                return Err(already_completed(RPC));
            }
            st.signal(
                &r.namespace,
                &run_id,
                hist::WorkflowExecutionSignaledEventAttributes {
                    signal_name: r.signal_name,
                    input: r.input,
                    identity: r.identity,
                    header: r.header,
                    request_id: r.request_id,
                    ..Default::default()
                },
            );
        }
        self.inner.settle();
        Ok(wf::SignalWorkflowExecutionResponse::default())
    }

    async fn request_cancel_workflow_execution(
        &self,
        request: ServiceRequest<wf::RequestCancelWorkflowExecutionRequest>,
    ) -> Result<wf::RequestCancelWorkflowExecutionResponse, ServiceError> {
        const RPC: &str = "RequestCancelWorkflowExecution";
        let r = request.message;
        namespace_of(RPC, &r.namespace)?;
        {
            let mut st = self.inner.lock();
            let run_id = st.target(
                RPC,
                &r.namespace,
                r.workflow_execution.as_ref(),
                &r.first_execution_run_id,
            )?;
            // As on the server, cancelling a closed run is a no-op that succeeds.
            if st.run(&r.namespace, &run_id).is_some_and(Run::is_open) {
                st.request_cancel(&r.namespace, &run_id, r.reason, r.identity);
            }
        }
        self.inner.settle();
        Ok(wf::RequestCancelWorkflowExecutionResponse::default())
    }

    async fn terminate_workflow_execution(
        &self,
        request: ServiceRequest<wf::TerminateWorkflowExecutionRequest>,
    ) -> Result<wf::TerminateWorkflowExecutionResponse, ServiceError> {
        const RPC: &str = "TerminateWorkflowExecution";
        let r = request.message;
        namespace_of(RPC, &r.namespace)?;
        {
            let mut st = self.inner.lock();
            let run_id = st.target(
                RPC,
                &r.namespace,
                r.workflow_execution.as_ref(),
                &r.first_execution_run_id,
            )?;
            if !st.run(&r.namespace, &run_id).is_some_and(Run::is_open) {
                return Err(already_completed(RPC));
            }
            st.close_run(
                &r.namespace,
                &run_id,
                Close::Terminated {
                    reason: r.reason,
                    details: r.details,
                    identity: r.identity,
                },
                WftSource::None,
            );
        }
        self.inner.settle();
        Ok(wf::TerminateWorkflowExecutionResponse::default())
    }

    async fn describe_workflow_execution(
        &self,
        request: ServiceRequest<wf::DescribeWorkflowExecutionRequest>,
    ) -> Result<wf::DescribeWorkflowExecutionResponse, ServiceError> {
        const RPC: &str = "DescribeWorkflowExecution";
        let r = request.message;
        namespace_of(RPC, &r.namespace)?;
        let st = self.inner.lock();
        let run_id = st.target(RPC, &r.namespace, r.execution.as_ref(), "")?;
        let run = st
            .run(&r.namespace, &run_id)
            .ok_or_else(|| workflow_not_found(RPC, ""))?;
        Ok(wf::DescribeWorkflowExecutionResponse {
            execution_config: Some(WorkflowExecutionConfig {
                task_queue: Some(TaskQueue {
                    name: run.task_queue.clone(),
                    kind: temporal_proto::temporal::api::enums::v1::TaskQueueKind::Normal as i32,
                    normal_name: String::new(),
                }),
                workflow_execution_timeout: Some(to_proto_duration(
                    run.execution_timeout.unwrap_or_default(),
                )),
                workflow_run_timeout: Some(to_proto_duration(run.run_timeout.unwrap_or_default())),
                default_workflow_task_timeout: Some(to_proto_duration(run.task_timeout)),
                user_metadata: run.user_metadata.clone(),
            }),
            workflow_execution_info: Some(execution_info(run)),
            workflow_extended_info: Some(WorkflowExecutionExtendedInfo {
                execution_expiration_time: run.execution_expiration.map(to_timestamp),
                run_expiration_time: run
                    .run_timeout
                    .map(|t| to_timestamp(run.execution_time + t)),
                cancel_requested: run.cancel_requested,
                original_start_time: Some(to_timestamp(run.start_time)),
                ..Default::default()
            }),
            ..Default::default()
        })
    }

    async fn get_workflow_execution_history(
        &self,
        request: ServiceRequest<wf::GetWorkflowExecutionHistoryRequest>,
    ) -> Result<wf::GetWorkflowExecutionHistoryResponse, ServiceError> {
        const RPC: &str = "GetWorkflowExecutionHistory";
        let limit = request.options.timeout;
        let r = request.message;
        namespace_of(RPC, &r.namespace)?;
        let run_id = self
            .inner
            .lock()
            .target(RPC, &r.namespace, r.execution.as_ref(), "")?;
        let close_only = r.history_event_filter_type == HistoryEventFilterType::CloseEvent as i32;
        let start = if r.next_page_token.is_empty() {
            0
        } else {
            std::str::from_utf8(&r.next_page_token)
                .ok()
                .and_then(|t| t.strip_prefix(run_id.as_str()))
                .and_then(|t| t.strip_prefix(':'))
                .and_then(|t| t.parse::<usize>().ok())
                .ok_or_else(|| invalid(RPC, "Invalid NextPageToken."))?
        };
        let page_size = usize::try_from(r.maximum_page_size)
            .ok()
            .filter(|n| *n > 0)
            .unwrap_or(DEFAULT_PAGE_SIZE);
        let ns = r.namespace.clone();
        let wait = r.wait_new_event;
        self.wait_until(RPC, limit, move |st| {
            let run = match st.run(&ns, &run_id) {
                Some(run) => run,
                None => return Some(Err(workflow_not_found(RPC, ""))),
            };
            let events = &run.history.events;
            if close_only {
                return match run.history.close_event() {
                    Some(e) => Some(Ok(wf::GetWorkflowExecutionHistoryResponse {
                        history: Some(History {
                            events: vec![e.clone()],
                        }),
                        ..Default::default()
                    })),
                    None if wait => None,
                    None => Some(Ok(wf::GetWorkflowExecutionHistoryResponse {
                        history: Some(History::default()),
                        ..Default::default()
                    })),
                };
            }
            if wait && start >= events.len() && run.is_open() {
                return None;
            }
            let end = (start + page_size).min(events.len());
            let page = events.get(start..end).unwrap_or_default().to_vec();
            let more = end < events.len()
                || (wait && run.is_open() && !page.last().is_some_and(is_close_event));
            Some(Ok(wf::GetWorkflowExecutionHistoryResponse {
                history: Some(History { events: page }),
                next_page_token: if more {
                    format!("{run_id}:{end}").into_bytes()
                } else {
                    Vec::new()
                },
                ..Default::default()
            }))
        })
        .await
    }

    async fn query_workflow(
        &self,
        request: ServiceRequest<wf::QueryWorkflowRequest>,
    ) -> Result<wf::QueryWorkflowResponse, ServiceError> {
        const RPC: &str = "QueryWorkflow";
        let r = request.message;
        namespace_of(RPC, &r.namespace)?;
        let query = r.query.unwrap_or_default();
        if query.query_type.is_empty() {
            return Err(invalid(RPC, "QueryType is not set on request."));
        }
        validation::blob(RPC, query.query_args.as_ref())?;
        let ctx = {
            let st = self.inner.lock();
            let run_id = st.target(RPC, &r.namespace, r.execution.as_ref(), "")?;
            let run = st
                .run(&r.namespace, &run_id)
                .ok_or_else(|| workflow_not_found(RPC, ""))?;
            let condition = QueryRejectCondition::try_from(r.query_reject_condition)
                .unwrap_or(QueryRejectCondition::Unspecified);
            let rejected = match condition {
                QueryRejectCondition::NotOpen => run.status != Status::Running,
                QueryRejectCondition::NotCompletedCleanly => {
                    !matches!(run.status, Status::Running | Status::Completed)
                }
                _ => false,
            };
            if rejected {
                return Ok(wf::QueryWorkflowResponse {
                    query_rejected: Some(QueryRejected {
                        status: run.status as i32,
                    }),
                    ..Default::default()
                });
            }
            if !run.has_worker {
                return Err(ServiceError::new(
                    RPC,
                    Code::DeadlineExceeded,
                    format!(
                        "query timed out: no worker polls task queue '{}' for workflow type '{}' (no fake workflow is registered under that name)",
                        run.task_queue, run.workflow_type
                    ),
                ));
            }
            match (&run.ctx, run.awaiting_first_task) {
                (Some(ctx), false) => ctx.clone(),
                _ => {
                    return Err(ServiceError::new(
                        RPC,
                        Code::FailedPrecondition,
                        "Cannot query workflow because its first workflow task has not run yet.",
                    )
                    .with_details(ErrorDetails::WorkflowNotReady(WorkflowNotReadyFailure {})));
                }
            }
        };
        let codec = self.inner.lock().codec.clone();
        let handler = ctx.lock().queries.get(&query.query_type).cloned();
        let result = match handler {
            Some(h) => h(Args(codec.decode_async(query.query_args).await)),
            None => {
                let known: Vec<String> = ctx.lock().queries.keys().cloned().collect();
                Err(WorkflowFailure::application(format!(
                    "Query handler for '{}' expected but not found, known queries: [{}]",
                    query.query_type,
                    known.join(" ")
                )))
            }
        };
        // The worker encodes the answer (or the failure) as it does every output.
        let result = match result {
            Ok(payloads) => codec
                .encode_async(payloads)
                .await
                .map_err(WorkflowFailure::from),
            Err(failure) => Err(
                match codec.encode_failure_async(failure.into_proto()).await {
                    Ok(f) => WorkflowFailure::from_proto(f),
                    Err(e) => WorkflowFailure::from(e),
                },
            ),
        };
        match result {
            Ok(payloads) => Ok(wf::QueryWorkflowResponse {
                query_result: Some(payloads),
                ..Default::default()
            }),
            Err(failure) => Err(
                ServiceError::new(RPC, Code::InvalidArgument, failure.message()).with_details(
                    ErrorDetails::QueryFailed(QueryFailedFailure {
                        failure: Some(failure.into_proto()),
                    }),
                ),
            ),
        }
    }

    async fn update_workflow_execution(
        &self,
        request: ServiceRequest<wf::UpdateWorkflowExecutionRequest>,
    ) -> Result<wf::UpdateWorkflowExecutionResponse, ServiceError> {
        let limit = request.options.timeout;
        self.update(request.message, limit).await
    }

    async fn poll_workflow_execution_update(
        &self,
        request: ServiceRequest<wf::PollWorkflowExecutionUpdateRequest>,
    ) -> Result<wf::PollWorkflowExecutionUpdateResponse, ServiceError> {
        let limit = request.options.timeout;
        self.poll_update(request.message, limit).await
    }

    async fn execute_multi_operation(
        &self,
        request: ServiceRequest<wf::ExecuteMultiOperationRequest>,
    ) -> Result<wf::ExecuteMultiOperationResponse, ServiceError> {
        let limit = request.options.timeout;
        self.multi_operation(request.message, limit).await
    }

    async fn list_workflow_executions(
        &self,
        request: ServiceRequest<wf::ListWorkflowExecutionsRequest>,
    ) -> Result<wf::ListWorkflowExecutionsResponse, ServiceError> {
        self.list(request.message)
    }

    async fn count_workflow_executions(
        &self,
        request: ServiceRequest<wf::CountWorkflowExecutionsRequest>,
    ) -> Result<wf::CountWorkflowExecutionsResponse, ServiceError> {
        self.count(request.message)
    }

    async fn get_system_info(
        &self,
        _request: ServiceRequest<wf::GetSystemInfoRequest>,
    ) -> Result<wf::GetSystemInfoResponse, ServiceError> {
        Ok(wf::GetSystemInfoResponse {
            server_version: SERVER_VERSION.to_owned(),
            capabilities: Some(wf::get_system_info_response::Capabilities {
                signal_and_query_header: true,
                internal_error_differentiation: true,
                activity_failure_include_heartbeat: true,
                supports_schedules: false,
                encoded_failure_attributes: true,
                build_id_based_versioning: false,
                upsert_memo: true,
                eager_workflow_start: false,
                sdk_metadata: true,
                count_group_by_execution_status: true,
                nexus: false,
                ..Default::default()
            }),
        })
    }

    async fn describe_namespace(
        &self,
        request: ServiceRequest<wf::DescribeNamespaceRequest>,
    ) -> Result<wf::DescribeNamespaceResponse, ServiceError> {
        self.describe_namespace_of(request.message)
    }

    async fn register_namespace(
        &self,
        request: ServiceRequest<wf::RegisterNamespaceRequest>,
    ) -> Result<wf::RegisterNamespaceResponse, ServiceError> {
        self.register_namespace_of(request.message)
    }

    async fn list_namespaces(
        &self,
        request: ServiceRequest<wf::ListNamespacesRequest>,
    ) -> Result<wf::ListNamespacesResponse, ServiceError> {
        self.list_namespaces_of(request.message)
    }

    async fn update_namespace(
        &self,
        request: ServiceRequest<wf::UpdateNamespaceRequest>,
    ) -> Result<wf::UpdateNamespaceResponse, ServiceError> {
        self.update_namespace_of(request.message)
    }

    // Async activity completion: `activities.rs`.

    async fn respond_activity_task_completed(
        &self,
        request: ServiceRequest<wf::RespondActivityTaskCompletedRequest>,
    ) -> Result<wf::RespondActivityTaskCompletedResponse, ServiceError> {
        self.activity_completed(request)
    }

    async fn respond_activity_task_completed_by_id(
        &self,
        request: ServiceRequest<wf::RespondActivityTaskCompletedByIdRequest>,
    ) -> Result<wf::RespondActivityTaskCompletedByIdResponse, ServiceError> {
        self.activity_completed_by_id(request)
    }

    async fn respond_activity_task_failed(
        &self,
        request: ServiceRequest<wf::RespondActivityTaskFailedRequest>,
    ) -> Result<wf::RespondActivityTaskFailedResponse, ServiceError> {
        self.activity_failed(request)
    }

    async fn respond_activity_task_failed_by_id(
        &self,
        request: ServiceRequest<wf::RespondActivityTaskFailedByIdRequest>,
    ) -> Result<wf::RespondActivityTaskFailedByIdResponse, ServiceError> {
        self.activity_failed_by_id(request)
    }

    async fn respond_activity_task_canceled(
        &self,
        request: ServiceRequest<wf::RespondActivityTaskCanceledRequest>,
    ) -> Result<wf::RespondActivityTaskCanceledResponse, ServiceError> {
        self.activity_canceled(request)
    }

    async fn respond_activity_task_canceled_by_id(
        &self,
        request: ServiceRequest<wf::RespondActivityTaskCanceledByIdRequest>,
    ) -> Result<wf::RespondActivityTaskCanceledByIdResponse, ServiceError> {
        self.activity_canceled_by_id(request)
    }

    async fn record_activity_task_heartbeat(
        &self,
        request: ServiceRequest<wf::RecordActivityTaskHeartbeatRequest>,
    ) -> Result<wf::RecordActivityTaskHeartbeatResponse, ServiceError> {
        self.activity_heartbeat(request)
    }

    async fn record_activity_task_heartbeat_by_id(
        &self,
        request: ServiceRequest<wf::RecordActivityTaskHeartbeatByIdRequest>,
    ) -> Result<wf::RecordActivityTaskHeartbeatByIdResponse, ServiceError> {
        self.activity_heartbeat_by_id(request)
    }

    // Schedules: `schedules/rpc.rs`.

    async fn create_schedule(
        &self,
        request: ServiceRequest<wf::CreateScheduleRequest>,
    ) -> Result<wf::CreateScheduleResponse, ServiceError> {
        self.create_schedule_of(request.message)
    }

    async fn describe_schedule(
        &self,
        request: ServiceRequest<wf::DescribeScheduleRequest>,
    ) -> Result<wf::DescribeScheduleResponse, ServiceError> {
        self.describe_schedule_of(request.message)
    }

    async fn update_schedule(
        &self,
        request: ServiceRequest<wf::UpdateScheduleRequest>,
    ) -> Result<wf::UpdateScheduleResponse, ServiceError> {
        self.update_schedule_of(request.message)
    }

    async fn patch_schedule(
        &self,
        request: ServiceRequest<wf::PatchScheduleRequest>,
    ) -> Result<wf::PatchScheduleResponse, ServiceError> {
        self.patch_schedule_of(request.message)
    }

    async fn delete_schedule(
        &self,
        request: ServiceRequest<wf::DeleteScheduleRequest>,
    ) -> Result<wf::DeleteScheduleResponse, ServiceError> {
        self.delete_schedule_of(request.message)
    }

    async fn list_schedules(
        &self,
        request: ServiceRequest<wf::ListSchedulesRequest>,
    ) -> Result<wf::ListSchedulesResponse, ServiceError> {
        self.list_schedules_of(request.message)
    }

    async fn count_schedules(
        &self,
        request: ServiceRequest<wf::CountSchedulesRequest>,
    ) -> Result<wf::CountSchedulesResponse, ServiceError> {
        self.count_schedules_of(request.message)
    }

    async fn list_schedule_matching_times(
        &self,
        request: ServiceRequest<wf::ListScheduleMatchingTimesRequest>,
    ) -> Result<wf::ListScheduleMatchingTimesResponse, ServiceError> {
        self.list_schedule_matching_times_of(request.message)
    }
}
