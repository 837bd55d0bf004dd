//! Firing the timers of the virtual clock: workflow timers, delayed first workflow tasks,
//! run and execution timeouts, activity timeouts and schedules.

// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use temporal_proto::temporal::api::history::v1::{self as hist, history_event::Attributes};

use crate::fake::clock::TimerKind;
use crate::fake::engine::{Close, State, WftSource};
use crate::fake::store::Execution;

impl State {
    /// Fires one due timer.
    pub(crate) fn fire(&mut self, kind: TimerKind) {
        let now = self.now;
        match kind {
            TimerKind::WorkflowTimer {
                namespace,
                run_id,
                timer_id,
            } => {
                let Some(run) = self.run_mut(&namespace, &run_id) else {
                    return;
                };
                let Some(started) = run.timers.remove(&timer_id) else {
                    return;
                };
                run.history.push(
                    now,
                    Attributes::TimerFiredEventAttributes(hist::TimerFiredEventAttributes {
                        timer_id: timer_id.to_string(),
                        started_event_id: started,
                    }),
                );
                if let Some(ctx) = &run.ctx {
                    let mut s = ctx.lock();
                    s.fired_timers.insert(timer_id);
                    s.generation += 1;
                }
                self.schedule_wft(&namespace, &run_id);
            }
            TimerKind::FirstWorkflowTask { namespace, run_id } => {
                if let Some(run) = self.run_mut(&namespace, &run_id) {
                    run.awaiting_first_task = false;
                }
                self.schedule_wft(&namespace, &run_id);
            }
            TimerKind::RunTimeout { namespace, run_id } => {
                self.close_run(&namespace, &run_id, Close::TimedOut, WftSource::None);
            }
            TimerKind::ActivityTimeout {
                task_token,
                heartbeat,
                generation,
                ..
            } => self.fire_activity_timeout(&task_token, heartbeat, generation),
            TimerKind::ExecutionTimeout {
                namespace,
                workflow_id,
                first_execution_run_id,
            } => {
                let current = self
                    .namespaces
                    .get(&namespace)
                    .and_then(|n| n.executions.get(&workflow_id))
                    .and_then(Execution::current)
                    .map(str::to_owned);
                if let Some(run_id) = current {
                    if self
                        .run(&namespace, &run_id)
                        .is_some_and(|r| r.first_execution_run_id == first_execution_run_id)
                    {
                        self.close_run(&namespace, &run_id, Close::TimedOut, WftSource::None);
                    }
                }
            }
            TimerKind::Schedule {
                namespace,
                schedule_id,
            } => self.process_schedule(&namespace, &schedule_id),
        }
    }
}
