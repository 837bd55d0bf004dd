//! StartWorkflowExecution and SignalWithStartWorkflowExecution: the start request's
//! validation and defaults, id reuse and conflict policies, request-id idempotency.

// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use std::time::Duration;

use temporal_client_core::{Code, ErrorDetails, ServiceError, ServiceRequest};
use temporal_proto::temporal::api::common::v1::{RetryPolicy, WorkflowType};
use temporal_proto::temporal::api::enums::v1::{
    WorkflowExecutionStatus as Status, WorkflowIdConflictPolicy as Conflict,
    WorkflowIdReusePolicy as Reuse,
};
use temporal_proto::temporal::api::errordetails::v1::WorkflowExecutionAlreadyStartedFailure;
use temporal_proto::temporal::api::history::v1::{self as hist};
use temporal_proto::temporal::api::taskqueue::v1::TaskQueue;
use temporal_proto::temporal::api::workflowservice::v1 as wf;

use crate::fake::clock::{from_proto_duration, to_proto_duration};
use crate::fake::cron::CronSchedule;
use crate::fake::engine::{Close, DEFAULT_TASK_TIMEOUT, NewRun, State, WftSource};
use crate::fake::rpc::{invalid, unimplemented_field};
use crate::fake::server::FakeServer;
use crate::fake::store::Run;
use crate::fake::validation;

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

/// [`StartFields`] from a request with the start fields of StartWorkflowExecution (the
/// two start requests share their names), and `extra` for the rest.
macro_rules! start_fields {
    ($r:ident, $($extra:tt)*) => {
        StartFields {
            namespace: $r.namespace,
            workflow_id: $r.workflow_id,
            workflow_type: $r.workflow_type,
            task_queue: $r.task_queue,
            input: $r.input,
            execution_timeout: $r.workflow_execution_timeout,
            run_timeout: $r.workflow_run_timeout,
            task_timeout: $r.workflow_task_timeout,
            identity: $r.identity,
            request_id: $r.request_id,
            reuse: $r.workflow_id_reuse_policy,
            conflict: $r.workflow_id_conflict_policy,
            retry_policy: $r.retry_policy,
            cron_schedule: $r.cron_schedule,
            memo: $r.memo,
            search_attributes: $r.search_attributes,
            header: $r.header,
            start_delay: $r.workflow_start_delay,
            user_metadata: $r.user_metadata,
            $($extra)*
        }
    };
}

impl From<wf::StartWorkflowExecutionRequest> for StartFields {
    fn from(r: wf::StartWorkflowExecutionRequest) -> Self {
        start_fields!(
            r,
            continued_failure: r.continued_failure,
            last_completion_result: r.last_completion_result,
            signal: None,
        )
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
            // The server's words, for a bad expression and an unknown zone alike.
            let parsed = CronSchedule::parse(&f.cron_schedule);
            Some(parsed.map_err(|_| invalid(rpc, "invalid CronSchedule."))?)
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
                        let details = crate::fake::payload::encode(&format!(
                            "terminated by new runID: {new_run_id}"
                        ))
                        .map(crate::fake::payload::single)
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
}

impl FakeServer {
    pub(crate) async fn start_workflow_execution_of(
        &self,
        request: ServiceRequest<wf::StartWorkflowExecutionRequest>,
    ) -> Result<wf::StartWorkflowExecutionResponse, ServiceError> {
        const RPC: &str = "StartWorkflowExecution";
        let r = request.message;
        let ns = r.namespace.clone();
        self.change(RPC, &ns, |st| {
            check_unmodelled_start(RPC, &r)?;
            st.start(RPC, r.into(), false)
        })
    }

    pub(crate) async fn signal_with_start_workflow_execution_of(
        &self,
        request: ServiceRequest<wf::SignalWithStartWorkflowExecutionRequest>,
    ) -> Result<wf::SignalWithStartWorkflowExecutionResponse, ServiceError> {
        const RPC: &str = "SignalWithStartWorkflowExecution";
        let r = request.message;
        let ns = r.namespace.clone();
        self.change(RPC, &ns, |st| {
            validation::signal_name(RPC, &r.signal_name, true)?;
            if r.versioning_override.is_some() {
                return Err(unimplemented_field(RPC, "versioning_override"));
            }
            if r.time_skipping_config.is_some() {
                return Err(unimplemented_field(RPC, "time_skipping_config"));
            }
            st.start(RPC, signal_with_start_fields(r), true)
        })
        .map(|s| wf::SignalWithStartWorkflowExecutionResponse {
            run_id: s.run_id,
            started: s.started,
            ..Default::default()
        })
    }
}

/// The start fields of a SignalWithStartWorkflowExecution request, its signal included.
fn signal_with_start_fields(r: wf::SignalWithStartWorkflowExecutionRequest) -> StartFields {
    let signal = hist::WorkflowExecutionSignaledEventAttributes {
        signal_name: r.signal_name,
        input: r.signal_input,
        identity: r.identity.clone(),
        header: r.header.clone(),
        request_id: r.request_id.clone(),
        ..Default::default()
    };
    start_fields!(
        r,
        continued_failure: None,
        last_completion_result: None,
        signal: Some(signal),
    )
}
