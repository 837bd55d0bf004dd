//! Closing a run: the close event, and the next run of the chain when a retry policy, a
//! cron schedule or continue-as-new asks for one.

// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use temporal_proto::temporal::api::common::v1::{Memo, SearchAttributes, WorkflowType};
use temporal_proto::temporal::api::enums::v1::{
    ContinueAsNewInitiator, RetryState, TimeoutType,
    UpdateWorkflowExecutionLifecycleStage as Stage, WorkflowExecutionStatus as Status,
};
use temporal_proto::temporal::api::failure::v1::{
    Failure, TimeoutFailureInfo, failure::FailureInfo,
};
use temporal_proto::temporal::api::history::v1::{self as hist, history_event::Attributes};

use crate::fake::clock::{TimerKind, to_proto_duration};
use crate::fake::cron::CronSchedule;
use crate::fake::engine::retry::retry_backoff;
use crate::fake::engine::{Close, NewRun, State, WftSource, task_queue, to_dur};
use crate::fake::store::Run;

impl State {
    /// Closes an open run the way `close` says, continuing the chain when a retry policy,
    /// a cron schedule or continue-as-new asks for it. Returns the next run's id.
    pub(crate) fn close_run(
        &mut self,
        ns: &str,
        run_id: &str,
        close: Close,
        wft: WftSource,
    ) -> Option<String> {
        let now = self.now;
        if !self.run(ns, run_id).is_some_and(Run::is_open) {
            return None;
        }
        let wft = match wft {
            WftSource::None => 0,
            WftSource::Complete => self.complete_wft(ns, run_id),
            WftSource::Completed(id) => id,
        };
        let new_run_id = self.ids.uuid();
        let run = self.run(ns, run_id)?;
        let cron = (!run.cron_schedule.is_empty())
            .then(|| CronSchedule::parse(&run.cron_schedule).ok())
            .flatten();
        let cron_backoff = |run: &Run| {
            let expired = run.execution_expiration.is_some_and(|exp| exp <= now);
            if expired {
                return None;
            }
            let b = cron.as_ref()?.backoff(run.execution_time, now)?;
            match run.execution_expiration {
                Some(exp) if now + b >= exp => None,
                _ => Some(b),
            }
        };
        let base = |run: &Run| NewRun {
            workflow_id: run.workflow_id.clone(),
            run_id: new_run_id.clone(),
            workflow_type: run.workflow_type.clone(),
            task_queue: run.task_queue.clone(),
            first_execution_run_id: run.first_execution_run_id.clone(),
            input: run.input.clone(),
            header: run.header.clone(),
            memo: (!run.memo.is_empty()).then(|| Memo {
                fields: run.memo.clone().into_iter().collect(),
            }),
            search_attributes: (!run.search_attributes.is_empty()).then(|| SearchAttributes {
                indexed_fields: run.search_attributes.clone().into_iter().collect(),
            }),
            attempt: 1,
            retry_policy: run.retry_policy.clone(),
            cron_schedule: run.cron_schedule.clone(),
            execution_timeout: run.execution_timeout,
            run_timeout: run.run_timeout,
            task_timeout: run.task_timeout,
            execution_expiration: run.execution_expiration,
            continued_execution_run_id: run.run_id.clone(),
            last_completion_result: run.last_completion_result.clone(),
            user_metadata: run.user_metadata.clone(),
            ..NewRun::default()
        };
        let (status, attrs, next): (Status, Attributes, Option<NewRun>) = match close {
            Close::Completed(result) => {
                let next = cron_backoff(run).map(|b| NewRun {
                    initiator: ContinueAsNewInitiator::CronSchedule,
                    backoff: Some(b),
                    last_completion_result: result.clone(),
                    ..base(run)
                });
                let attrs = hist::WorkflowExecutionCompletedEventAttributes {
                    result,
                    workflow_task_completed_event_id: wft,
                    new_execution_run_id: next
                        .as_ref()
                        .map(|n| n.run_id.clone())
                        .unwrap_or_default(),
                };
                (
                    Status::Completed,
                    Attributes::WorkflowExecutionCompletedEventAttributes(attrs),
                    next,
                )
            }
            Close::Failed(failure) => {
                let (retry, mut retry_state) = retry_backoff(run, &failure, now);
                let next = match retry {
                    Some(b) => Some(NewRun {
                        initiator: ContinueAsNewInitiator::Retry,
                        backoff: Some(b),
                        attempt: run.attempt + 1,
                        continued_failure: Some(failure.clone()),
                        ..base(run)
                    }),
                    None => cron_backoff(run).map(|b| NewRun {
                        initiator: ContinueAsNewInitiator::CronSchedule,
                        backoff: Some(b),
                        continued_failure: Some(failure.clone()),
                        ..base(run)
                    }),
                };
                if retry.is_some() {
                    retry_state = RetryState::InProgress;
                }
                let attrs = hist::WorkflowExecutionFailedEventAttributes {
                    failure: Some(failure),
                    retry_state: retry_state as i32,
                    workflow_task_completed_event_id: wft,
                    new_execution_run_id: next
                        .as_ref()
                        .map(|n| n.run_id.clone())
                        .unwrap_or_default(),
                };
                (
                    Status::Failed,
                    Attributes::WorkflowExecutionFailedEventAttributes(attrs),
                    next,
                )
            }
            Close::TimedOut => {
                let expired = run.execution_expiration.is_some_and(|exp| exp <= now);
                let (retry, retry_state) = if expired {
                    (None, RetryState::Timeout)
                } else {
                    let timeout = Failure {
                        message: "workflow timeout".to_owned(),
                        failure_info: Some(FailureInfo::TimeoutFailureInfo(TimeoutFailureInfo {
                            timeout_type: TimeoutType::StartToClose as i32,
                            last_heartbeat_details: None,
                        })),
                        ..Failure::default()
                    };
                    match retry_backoff(run, &timeout, now) {
                        (Some(b), _) => (Some(b), RetryState::InProgress),
                        (None, state) => (None, state),
                    }
                };
                let next = match retry {
                    Some(b) => Some(NewRun {
                        initiator: ContinueAsNewInitiator::Retry,
                        backoff: Some(b),
                        attempt: run.attempt + 1,
                        ..base(run)
                    }),
                    None if !expired => cron_backoff(run).map(|b| NewRun {
                        initiator: ContinueAsNewInitiator::CronSchedule,
                        backoff: Some(b),
                        ..base(run)
                    }),
                    None => None,
                };
                let attrs = hist::WorkflowExecutionTimedOutEventAttributes {
                    retry_state: retry_state as i32,
                    new_execution_run_id: next
                        .as_ref()
                        .map(|n| n.run_id.clone())
                        .unwrap_or_default(),
                };
                (
                    Status::TimedOut,
                    Attributes::WorkflowExecutionTimedOutEventAttributes(attrs),
                    next,
                )
            }
            Close::Canceled(details) => (
                Status::Canceled,
                Attributes::WorkflowExecutionCanceledEventAttributes(
                    hist::WorkflowExecutionCanceledEventAttributes {
                        workflow_task_completed_event_id: wft,
                        details,
                    },
                ),
                None,
            ),
            Close::Terminated {
                reason,
                details,
                identity,
            } => (
                Status::Terminated,
                Attributes::WorkflowExecutionTerminatedEventAttributes(
                    hist::WorkflowExecutionTerminatedEventAttributes {
                        reason,
                        details,
                        identity,
                    },
                ),
                None,
            ),
            Close::ContinuedAsNew(can) => {
                let mut next = NewRun {
                    initiator: ContinueAsNewInitiator::Workflow,
                    backoff: can.backoff,
                    input: can.input.clone(),
                    ..base(run)
                };
                if let Some(t) = &can.workflow_type {
                    next.workflow_type = t.clone();
                }
                if let Some(q) = &can.task_queue {
                    next.task_queue = q.clone();
                }
                if can.run_timeout.is_some() {
                    next.run_timeout = can.run_timeout;
                }
                if can.memo.is_some() {
                    next.memo = can.memo.clone();
                }
                if can.search_attributes.is_some() {
                    next.search_attributes = can.search_attributes.clone();
                }
                let attrs = hist::WorkflowExecutionContinuedAsNewEventAttributes {
                    new_execution_run_id: new_run_id.clone(),
                    workflow_type: Some(WorkflowType {
                        name: next.workflow_type.clone(),
                    }),
                    task_queue: Some(task_queue(&next.task_queue)),
                    input: next.input.clone(),
                    workflow_run_timeout: to_dur(next.run_timeout),
                    workflow_task_timeout: Some(to_proto_duration(next.task_timeout)),
                    workflow_task_completed_event_id: wft,
                    backoff_start_interval: to_dur(next.backoff),
                    initiator: ContinueAsNewInitiator::Workflow as i32,
                    header: next.header.clone(),
                    memo: next.memo.clone(),
                    search_attributes: next.search_attributes.clone(),
                    ..Default::default()
                };
                (
                    Status::ContinuedAsNew,
                    Attributes::WorkflowExecutionContinuedAsNewEventAttributes(attrs),
                    Some(next),
                )
            }
        };
        let (workflow_id, first_run) =
            (run.workflow_id.clone(), run.first_execution_run_id.clone());
        let run = self.run_mut(ns, run_id)?;
        run.history.push(now, attrs);
        run.status = status;
        run.close_time = Some(now);
        run.pending_wft = None;
        for (_, state) in run.updates.iter_mut() {
            if state.stage != Stage::Completed && state.error.is_none() {
                state.error = Some(crate::fake::store::already_completed(
                    "UpdateWorkflowExecution",
                ));
            }
        }
        run.admitted.clear();
        let task = run.task.take();
        if let Some(task) = task {
            self.garbage.push(task);
        }
        let (ns_owned, rid) = (ns.to_owned(), run_id.to_owned());
        self.timers.remove_where(|k| match k {
            TimerKind::WorkflowTimer {
                namespace, run_id, ..
            }
            | TimerKind::FirstWorkflowTask { namespace, run_id }
            | TimerKind::RunTimeout { namespace, run_id }
            | TimerKind::ActivityTimeout {
                namespace, run_id, ..
            } => *namespace == ns_owned && *run_id == rid,
            TimerKind::ExecutionTimeout {
                namespace,
                workflow_id: w,
                first_execution_run_id,
            } => {
                next.is_none()
                    && *namespace == ns_owned
                    && *w == workflow_id
                    && *first_execution_run_id == first_run
            }
            TimerKind::Schedule { .. } => false,
        });
        self.schedule_run_closed(ns, run_id);
        let next_id = next.as_ref().map(|n| n.run_id.clone());
        if let Some(next) = next {
            self.create_run(ns, next);
        }
        next_id
    }
}
