//! The fake's activity engine: activities a fake workflow schedules
//! ([`WorkflowContext::start_activity`](super::WorkflowContext::start_activity)) stay
//! pending until a client ends them through the async activity completion RPCs
//! (complete, fail, report cancelled, by task token or by id), or a start-to-close or
//! heartbeat timeout fires on the virtual clock. Heartbeats record details, reset the
//! heartbeat timeout and answer `cancel_requested` once the workflow cancelled the
//! activity.
//!
//! History follows the server's: `ActivityTaskScheduled` when the workflow task that
//! scheduled it completes, `ActivityTaskCancelRequested` likewise, and
//! `ActivityTaskStarted` written with the closing event (`Completed`, `Failed`,
//! `Canceled`, `TimedOut`), as the server does for an activity with a retry policy.
//! Activities are not retried. Errors carry the server's codes and messages (checked
//! against a dev server): `NotFound` "workflow execution already completed", "cannot
//! find pending activity with ActivityID ..", "activity task not found"; a token the
//! fake did not make is `InvalidArgument` "Error deserializing task token.", and so is
//! reporting a cancellation nobody requested ("unable to mark activity as canceled
//! without activity being request canceled first").
// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use temporal_client_core::{Code, ServiceError, ServiceRequest};
use temporal_proto::temporal::api::common::v1::{ActivityType, Payloads, WorkflowExecution};
use temporal_proto::temporal::api::enums::v1::{RetryState, TaskQueueKind, TimeoutType};
use temporal_proto::temporal::api::failure::v1::{
    ActivityFailureInfo, CanceledFailureInfo, Failure, TimeoutFailureInfo, failure::FailureInfo,
};
use temporal_proto::temporal::api::history::v1::{self as hist, history_event::Attributes};
use temporal_proto::temporal::api::taskqueue::v1::TaskQueue;
use temporal_proto::temporal::api::workflowservice::v1 as wf;

use super::activity_handle::ActivityOutcome;
use super::clock::{TimerKind, to_proto_duration};
use super::store::already_completed;
use super::workflows::Command;
use crate::fake::engine::State;
use crate::fake::server::FakeServer;

/// A scheduled activity no client has ended yet.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    namespace: String,
    run_id: String,
    seq: u64,
    activity_id: String,
    activity_type: String,
    scheduled_event_id: i64,
    heartbeat_details: Option<Payloads>,
    cancel_requested_event_id: Option<i64>,
    heartbeat_timeout: Option<Duration>,
    /// Bumped by each heartbeat; a heartbeat timeout set before it is stale.
    deadline_generation: u64,
}

/// Pending activities by task token.
pub(crate) type PendingActivities = BTreeMap<Vec<u8>, Pending>;

const TOKEN_PREFIX: &str = "temporal-testkit-activity";

/// The opaque token of one scheduled activity (the fake reads it back to answer
/// "already completed" after the activity or its run closed).
fn make_token(ns: &str, run_id: &str, scheduled_event_id: i64) -> Vec<u8> {
    format!("{TOKEN_PREFIX}\n{ns}\n{run_id}\n{scheduled_event_id}").into_bytes()
}

/// `(namespace, run id)` of a token this fake made.
fn parse_token(token: &[u8]) -> Option<(String, String)> {
    let text = std::str::from_utf8(token).ok()?;
    let mut parts = text.split('\n');
    (parts.next()? == TOKEN_PREFIX).then_some(())?;
    let (ns, run_id, event) = (parts.next()?, parts.next()?, parts.next()?);
    event.parse::<i64>().ok()?;
    Some((ns.to_owned(), run_id.to_owned()))
}

/// Which activity a request names.
pub(crate) enum Target {
    Token(Vec<u8>),
    Id {
        workflow_id: String,
        run_id: String,
        activity_id: String,
    },
}

/// What a request does to the activity.
pub(crate) enum Op {
    Complete(Option<Payloads>),
    Fail(Option<Box<Failure>>, Option<Payloads>),
    Cancel(Option<Payloads>),
    Heartbeat(Option<Payloads>),
}

/// How an activity closes, for its history event and its workflow.
enum Close {
    Completed(Option<Payloads>),
    Failed(Box<Failure>),
    Canceled(Option<Payloads>),
    TimedOut(TimeoutType),
}

fn activity_failure(
    message: &str,
    p: &Pending,
    started: i64,
    identity: &str,
    retry_state: RetryState,
    cause: Failure,
) -> Failure {
    Failure {
        message: message.to_owned(),
        failure_info: Some(FailureInfo::ActivityFailureInfo(ActivityFailureInfo {
            scheduled_event_id: p.scheduled_event_id,
            started_event_id: started,
            identity: identity.to_owned(),
            activity_type: Some(ActivityType {
                name: p.activity_type.clone(),
            }),
            activity_id: p.activity_id.clone(),
            retry_state: retry_state as i32,
        })),
        cause: Some(Box::new(cause)),
        ..Failure::default()
    }
}

impl State {
    /// Records the activity commands of one workflow task: schedules (with their
    /// timeouts) and cancellation requests.
    pub(crate) fn record_activity_commands(
        &mut self,
        ns: &str,
        run_id: &str,
        wft: i64,
        now: SystemTime,
        commands: Vec<Command>,
    ) {
        for command in commands {
            match command {
                Command::ScheduleActivity(scheduled) => {
                    let Some(run) = self.run_mut(ns, run_id) else {
                        return;
                    };
                    let options = scheduled.options;
                    let queue = options
                        .task_queue
                        .clone()
                        .unwrap_or_else(|| run.task_queue.clone());
                    let event = run.history.push(
                        now,
                        Attributes::ActivityTaskScheduledEventAttributes(
                            hist::ActivityTaskScheduledEventAttributes {
                                activity_id: scheduled.activity_id.clone(),
                                activity_type: Some(ActivityType {
                                    name: options.activity_type.clone(),
                                }),
                                task_queue: Some(TaskQueue {
                                    name: queue,
                                    kind: TaskQueueKind::Normal as i32,
                                    normal_name: String::new(),
                                }),
                                input: options.input.clone(),
                                start_to_close_timeout: Some(to_proto_duration(
                                    options.start_to_close_timeout,
                                )),
                                heartbeat_timeout: options.heartbeat_timeout.map(to_proto_duration),
                                workflow_task_completed_event_id: wft,
                                ..Default::default()
                            },
                        ),
                    );
                    let token = make_token(ns, run_id, event);
                    if let Some(ctx) = &run.ctx {
                        let mut s = ctx.lock();
                        if let Some(slot) = s.activities.slots.get_mut(&scheduled.seq) {
                            slot.task_token = Some(token.clone());
                        }
                        s.generation += 1;
                    }
                    self.activities.insert(
                        token.clone(),
                        Pending {
                            namespace: ns.to_owned(),
                            run_id: run_id.to_owned(),
                            seq: scheduled.seq,
                            activity_id: scheduled.activity_id,
                            activity_type: options.activity_type,
                            scheduled_event_id: event,
                            heartbeat_details: None,
                            cancel_requested_event_id: None,
                            heartbeat_timeout: options.heartbeat_timeout,
                            deadline_generation: 0,
                        },
                    );
                    self.set_activity_timer(now + options.start_to_close_timeout, &token, false, 0);
                    if let Some(timeout) = options.heartbeat_timeout {
                        self.set_activity_timer(now + timeout, &token, true, 0);
                    }
                }
                Command::RequestCancelActivity { seq } => {
                    let Some((_, pending)) = self
                        .activities
                        .iter_mut()
                        .find(|(_, p)| p.namespace == ns && p.run_id == run_id && p.seq == seq)
                    else {
                        continue;
                    };
                    if pending.cancel_requested_event_id.is_some() {
                        continue;
                    }
                    let scheduled_event_id = pending.scheduled_event_id;
                    let Some(run) = self
                        .namespaces
                        .get_mut(ns)
                        .and_then(|n| n.runs.get_mut(run_id))
                    else {
                        return;
                    };
                    let event = run.history.push(
                        now,
                        Attributes::ActivityTaskCancelRequestedEventAttributes(
                            hist::ActivityTaskCancelRequestedEventAttributes {
                                scheduled_event_id,
                                workflow_task_completed_event_id: wft,
                            },
                        ),
                    );
                    if let Some((_, pending)) = self
                        .activities
                        .iter_mut()
                        .find(|(_, p)| p.namespace == ns && p.run_id == run_id && p.seq == seq)
                    {
                        pending.cancel_requested_event_id = Some(event);
                    }
                }
                _ => {}
            }
        }
    }

    fn set_activity_timer(
        &mut self,
        at: SystemTime,
        token: &[u8],
        heartbeat: bool,
        generation: u64,
    ) {
        let Some(p) = self.activities.get(token) else {
            return;
        };
        let kind = TimerKind::ActivityTimeout {
            namespace: p.namespace.clone(),
            run_id: p.run_id.clone(),
            task_token: token.to_vec(),
            heartbeat,
            generation,
        };
        self.timers.add(at, kind);
    }

    /// A start-to-close or heartbeat timeout fell due.
    pub(crate) fn fire_activity_timeout(&mut self, token: &[u8], heartbeat: bool, generation: u64) {
        let Some(p) = self.activities.get(token) else {
            return;
        };
        if heartbeat && p.deadline_generation != generation {
            return;
        }
        let open = self
            .run(&p.namespace, &p.run_id)
            .is_some_and(|r| r.is_open());
        if !open {
            self.activities.remove(token);
            return;
        }
        let kind = if heartbeat {
            TimeoutType::Heartbeat
        } else {
            TimeoutType::StartToClose
        };
        self.close_activity(token, Close::TimedOut(kind), "");
    }

    /// The token of the pending activity `target` names, or the server's error.
    fn find_activity(
        &self,
        rpc: &'static str,
        ns: &str,
        target: &Target,
    ) -> Result<Vec<u8>, ServiceError> {
        self.namespace(rpc, ns)?;
        match target {
            Target::Token(token) => {
                if token.is_empty() {
                    return Err(invalid(rpc, "Task token not set on request."));
                }
                let Some((token_ns, run_id)) = parse_token(token) else {
                    return Err(invalid(rpc, "Error deserializing task token."));
                };
                if !self.run(&token_ns, &run_id).is_some_and(|r| r.is_open()) {
                    return Err(already_completed(rpc));
                }
                if self.activities.contains_key(token) && token_ns == ns {
                    Ok(token.clone())
                } else {
                    Err(ServiceError::new(
                        rpc,
                        Code::NotFound,
                        "activity task not found",
                    ))
                }
            }
            Target::Id {
                workflow_id,
                run_id,
                activity_id,
            } => {
                if workflow_id.is_empty() {
                    return Err(invalid(rpc, "WorkflowId is not set on request."));
                }
                if activity_id.is_empty() {
                    return Err(invalid(rpc, "ActivityId is not set on request."));
                }
                let execution = WorkflowExecution {
                    workflow_id: workflow_id.clone(),
                    run_id: run_id.clone(),
                };
                let run_id = self.target(rpc, ns, Some(&execution), "")?;
                if !self.run(ns, &run_id).is_some_and(|r| r.is_open()) {
                    return Err(already_completed(rpc));
                }
                self.activities
                    .iter()
                    .find(|(_, p)| p.namespace == ns && p.run_id == run_id && &p.activity_id == activity_id)
                    .map(|(token, _)| token.clone())
                    .ok_or_else(|| {
                        ServiceError::new(
                            rpc,
                            Code::NotFound,
                            format!("cannot find pending activity with ActivityID {activity_id}, check workflow execution history for more details"),
                        )
                    })
            }
        }
    }

    /// Applies one request to the activity `target` names; `Ok(true)` when its
    /// cancellation was requested (what a heartbeat answers).
    fn apply_activity(
        &mut self,
        rpc: &'static str,
        ns: &str,
        target: Target,
        op: Op,
        identity: &str,
    ) -> Result<bool, ServiceError> {
        let token = self.find_activity(rpc, ns, &target)?;
        let now = self.now;
        let Some(p) = self.activities.get_mut(&token) else {
            return Err(ServiceError::new(
                rpc,
                Code::NotFound,
                "activity task not found",
            ));
        };
        let cancel_requested = p.cancel_requested_event_id.is_some();
        match op {
            Op::Heartbeat(details) => {
                if details.is_some() {
                    p.heartbeat_details = details;
                }
                if let Some(timeout) = p.heartbeat_timeout {
                    p.deadline_generation += 1;
                    let generation = p.deadline_generation;
                    self.set_activity_timer(now + timeout, &token, true, generation);
                }
            }
            Op::Complete(result) => self.close_activity(&token, Close::Completed(result), identity),
            Op::Fail(failure, details) => {
                if details.is_some() {
                    p.heartbeat_details = details;
                }
                self.close_activity(&token, Close::Failed(failure.unwrap_or_default()), identity);
            }
            Op::Cancel(details) => {
                if !cancel_requested {
                    return Err(invalid(
                        rpc,
                        "unable to mark activity as canceled without activity being request canceled first",
                    ));
                }
                self.close_activity(&token, Close::Canceled(details), identity);
            }
        }
        Ok(cancel_requested)
    }

    /// Writes `ActivityTaskStarted` and the closing event, hands the outcome to the
    /// workflow and schedules a workflow task.
    fn close_activity(&mut self, token: &[u8], close: Close, identity: &str) {
        let Some(p) = self.activities.remove(token) else {
            return;
        };
        let now = self.now;
        let request_id = self.ids.uuid();
        let codec = self.codec.clone();
        let Some(run) = self.run_mut(&p.namespace, &p.run_id) else {
            return;
        };
        let scheduled = p.scheduled_event_id;
        let started = run.history.push(
            now,
            Attributes::ActivityTaskStartedEventAttributes(
                hist::ActivityTaskStartedEventAttributes {
                    scheduled_event_id: scheduled,
                    identity: identity.to_owned(),
                    request_id,
                    attempt: 1,
                    ..Default::default()
                },
            ),
        );
        let outcome: ActivityOutcome = match close {
            Close::Completed(result) => {
                run.history.push(
                    now,
                    Attributes::ActivityTaskCompletedEventAttributes(
                        hist::ActivityTaskCompletedEventAttributes {
                            result: result.clone(),
                            scheduled_event_id: scheduled,
                            started_event_id: started,
                            identity: identity.to_owned(),
                            ..Default::default()
                        },
                    ),
                );
                Ok(result)
            }
            Close::Failed(failure) => {
                let failure = *failure;
                let non_retryable = matches!(
                    &failure.failure_info,
                    Some(FailureInfo::ApplicationFailureInfo(info)) if info.non_retryable
                );
                let retry_state = if non_retryable {
                    RetryState::NonRetryableFailure
                } else {
                    RetryState::MaximumAttemptsReached
                };
                run.history.push(
                    now,
                    Attributes::ActivityTaskFailedEventAttributes(
                        hist::ActivityTaskFailedEventAttributes {
                            failure: Some(failure.clone()),
                            scheduled_event_id: scheduled,
                            started_event_id: started,
                            identity: identity.to_owned(),
                            retry_state: retry_state as i32,
                            ..Default::default()
                        },
                    ),
                );
                Err(activity_failure(
                    "Activity task failed",
                    &p,
                    started,
                    identity,
                    retry_state,
                    failure,
                ))
            }
            Close::Canceled(details) => {
                run.history.push(
                    now,
                    Attributes::ActivityTaskCanceledEventAttributes(
                        hist::ActivityTaskCanceledEventAttributes {
                            details: details.clone(),
                            latest_cancel_requested_event_id: p
                                .cancel_requested_event_id
                                .unwrap_or_default(),
                            scheduled_event_id: scheduled,
                            started_event_id: started,
                            identity: identity.to_owned(),
                            ..Default::default()
                        },
                    ),
                );
                let cause = Failure {
                    message: "Activity cancelled".to_owned(),
                    failure_info: Some(FailureInfo::CanceledFailureInfo(CanceledFailureInfo {
                        details,
                        ..Default::default()
                    })),
                    ..Failure::default()
                };
                Err(activity_failure(
                    "Activity task cancelled",
                    &p,
                    started,
                    identity,
                    RetryState::CancelRequested,
                    cause,
                ))
            }
            Close::TimedOut(kind) => {
                let label = match kind {
                    TimeoutType::Heartbeat => "Heartbeat",
                    _ => "StartToClose",
                };
                let cause = Failure {
                    message: format!("activity {label} timeout"),
                    source: "Server".to_owned(),
                    failure_info: Some(FailureInfo::TimeoutFailureInfo(TimeoutFailureInfo {
                        timeout_type: kind as i32,
                        last_heartbeat_details: p.heartbeat_details.clone(),
                    })),
                    ..Failure::default()
                };
                run.history.push(
                    now,
                    Attributes::ActivityTaskTimedOutEventAttributes(
                        hist::ActivityTaskTimedOutEventAttributes {
                            failure: Some(cause.clone()),
                            scheduled_event_id: scheduled,
                            started_event_id: started,
                            retry_state: RetryState::Timeout as i32,
                        },
                    ),
                );
                Err(activity_failure(
                    "Activity task timed out",
                    &p,
                    started,
                    "",
                    RetryState::Timeout,
                    cause,
                ))
            }
        };
        if let Some(ctx) = &run.ctx {
            let mut s = ctx.lock();
            if let Some(slot) = s.activities.slots.get_mut(&p.seq) {
                // The worker decodes the outcome for the workflow.
                slot.outcome = Some(match outcome {
                    Ok(result) => Ok(codec.decode_or_keep(result)),
                    Err(failure) => Err(codec.decode_failure_or_keep(failure)),
                });
            }
            s.generation += 1;
        }
        let (ns, run_id) = (p.namespace, p.run_id);
        self.schedule_wft(&ns, &run_id);
    }
}

fn invalid(rpc: &'static str, message: &str) -> ServiceError {
    ServiceError::new(rpc, Code::InvalidArgument, message)
}

/// The async activity completion RPCs (the `WorkflowService` methods in `rpc/mod.rs`
/// call these).
impl FakeServer {
    fn activity_rpc(
        &self,
        rpc: &'static str,
        ns: &str,
        target: Target,
        op: Op,
        identity: &str,
    ) -> Result<bool, ServiceError> {
        let outcome = self
            .inner
            .lock()
            .apply_activity(rpc, ns, target, op, identity);
        self.inner.settle();
        outcome
    }

    pub(crate) fn activity_completed(
        &self,
        r: ServiceRequest<wf::RespondActivityTaskCompletedRequest>,
    ) -> Result<wf::RespondActivityTaskCompletedResponse, ServiceError> {
        let r = r.message;
        self.activity_rpc(
            "RespondActivityTaskCompleted",
            &r.namespace,
            Target::Token(r.task_token),
            Op::Complete(r.result),
            &r.identity,
        )?;
        Ok(wf::RespondActivityTaskCompletedResponse::default())
    }

    pub(crate) fn activity_completed_by_id(
        &self,
        r: ServiceRequest<wf::RespondActivityTaskCompletedByIdRequest>,
    ) -> Result<wf::RespondActivityTaskCompletedByIdResponse, ServiceError> {
        let r = r.message;
        let target = Target::Id {
            workflow_id: r.workflow_id,
            run_id: r.run_id,
            activity_id: r.activity_id,
        };
        self.activity_rpc(
            "RespondActivityTaskCompletedById",
            &r.namespace,
            target,
            Op::Complete(r.result),
            &r.identity,
        )?;
        Ok(wf::RespondActivityTaskCompletedByIdResponse::default())
    }

    pub(crate) fn activity_failed(
        &self,
        r: ServiceRequest<wf::RespondActivityTaskFailedRequest>,
    ) -> Result<wf::RespondActivityTaskFailedResponse, ServiceError> {
        let r = r.message;
        let op = Op::Fail(r.failure.map(Box::new), r.last_heartbeat_details);
        self.activity_rpc(
            "RespondActivityTaskFailed",
            &r.namespace,
            Target::Token(r.task_token),
            op,
            &r.identity,
        )?;
        Ok(wf::RespondActivityTaskFailedResponse::default())
    }

    pub(crate) fn activity_failed_by_id(
        &self,
        r: ServiceRequest<wf::RespondActivityTaskFailedByIdRequest>,
    ) -> Result<wf::RespondActivityTaskFailedByIdResponse, ServiceError> {
        let r = r.message;
        let target = Target::Id {
            workflow_id: r.workflow_id,
            run_id: r.run_id,
            activity_id: r.activity_id,
        };
        let op = Op::Fail(r.failure.map(Box::new), r.last_heartbeat_details);
        self.activity_rpc(
            "RespondActivityTaskFailedById",
            &r.namespace,
            target,
            op,
            &r.identity,
        )?;
        Ok(wf::RespondActivityTaskFailedByIdResponse::default())
    }

    pub(crate) fn activity_canceled(
        &self,
        r: ServiceRequest<wf::RespondActivityTaskCanceledRequest>,
    ) -> Result<wf::RespondActivityTaskCanceledResponse, ServiceError> {
        let r = r.message;
        self.activity_rpc(
            "RespondActivityTaskCanceled",
            &r.namespace,
            Target::Token(r.task_token),
            Op::Cancel(r.details),
            &r.identity,
        )?;
        Ok(wf::RespondActivityTaskCanceledResponse::default())
    }

    pub(crate) fn activity_canceled_by_id(
        &self,
        r: ServiceRequest<wf::RespondActivityTaskCanceledByIdRequest>,
    ) -> Result<wf::RespondActivityTaskCanceledByIdResponse, ServiceError> {
        let r = r.message;
        let target = Target::Id {
            workflow_id: r.workflow_id,
            run_id: r.run_id,
            activity_id: r.activity_id,
        };
        self.activity_rpc(
            "RespondActivityTaskCanceledById",
            &r.namespace,
            target,
            Op::Cancel(r.details),
            &r.identity,
        )?;
        Ok(wf::RespondActivityTaskCanceledByIdResponse::default())
    }

    pub(crate) fn activity_heartbeat(
        &self,
        r: ServiceRequest<wf::RecordActivityTaskHeartbeatRequest>,
    ) -> Result<wf::RecordActivityTaskHeartbeatResponse, ServiceError> {
        let r = r.message;
        let cancel_requested = self.activity_rpc(
            "RecordActivityTaskHeartbeat",
            &r.namespace,
            Target::Token(r.task_token),
            Op::Heartbeat(r.details),
            &r.identity,
        )?;
        Ok(wf::RecordActivityTaskHeartbeatResponse {
            cancel_requested,
            ..Default::default()
        })
    }

    pub(crate) fn activity_heartbeat_by_id(
        &self,
        r: ServiceRequest<wf::RecordActivityTaskHeartbeatByIdRequest>,
    ) -> Result<wf::RecordActivityTaskHeartbeatByIdResponse, ServiceError> {
        let r = r.message;
        let target = Target::Id {
            workflow_id: r.workflow_id,
            run_id: r.run_id,
            activity_id: r.activity_id,
        };
        let cancel_requested = self.activity_rpc(
            "RecordActivityTaskHeartbeatById",
            &r.namespace,
            target,
            Op::Heartbeat(r.details),
            &r.identity,
        )?;
        Ok(wf::RecordActivityTaskHeartbeatByIdResponse {
            cancel_requested,
            ..Default::default()
        })
    }
}
