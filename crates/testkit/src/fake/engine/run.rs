//! Run lifecycle up to closing: creating a run with its start event, workflow tasks
//! (scheduled, completed, failed), signals and cancellation requests.

// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use std::collections::HashMap;

use temporal_proto::temporal::api::common::v1::{WorkflowExecution, WorkflowType};
use temporal_proto::temporal::api::enums::v1::{
    WorkflowExecutionStatus as Status, WorkflowTaskFailedCause,
};
use temporal_proto::temporal::api::failure::v1::Failure;
use temporal_proto::temporal::api::history::v1::{self as hist, history_event::Attributes};

use crate::fake::clock::{TimerKind, to_proto_duration, to_timestamp};
use crate::fake::engine::{NewRun, State, WORKER_IDENTITY, task_queue, to_dur};
use crate::fake::history::History;
use crate::fake::store::{Execution, Run};
use crate::fake::workflows::{Args, WorkflowContext, WorkflowFactory, WorkflowInfo};

impl State {
    /// Creates a run and appends its `WorkflowExecutionStarted` event.
    pub(crate) fn create_run(&mut self, ns: &str, spec: NewRun) {
        let now = self.now;
        let seq = self.next_seq;
        self.next_seq += 1;
        let has_worker = self
            .factory_for(&spec.task_queue, &spec.workflow_type)
            .is_some();
        let first_run = if spec.first_execution_run_id.is_empty() {
            spec.run_id.clone()
        } else {
            spec.first_execution_run_id.clone()
        };
        let backoff = spec.backoff.filter(|d| !d.is_zero());
        let execution_time = now + backoff.unwrap_or_default();
        let execution_expiration = spec
            .execution_expiration
            .or_else(|| spec.execution_timeout.map(|t| execution_time + t));
        let mut history = History::default();
        let attrs = hist::WorkflowExecutionStartedEventAttributes {
            workflow_type: Some(WorkflowType {
                name: spec.workflow_type.clone(),
            }),
            task_queue: Some(task_queue(&spec.task_queue)),
            input: spec.input.clone(),
            workflow_execution_timeout: to_dur(spec.execution_timeout),
            workflow_run_timeout: to_dur(spec.run_timeout),
            workflow_task_timeout: Some(to_proto_duration(spec.task_timeout)),
            continued_execution_run_id: spec.continued_execution_run_id.clone(),
            initiator: spec.initiator as i32,
            continued_failure: spec.continued_failure.clone(),
            last_completion_result: spec.last_completion_result.clone(),
            original_execution_run_id: spec.run_id.clone(),
            identity: spec.identity.clone(),
            first_execution_run_id: first_run.clone(),
            retry_policy: spec.retry_policy.clone(),
            attempt: spec.attempt,
            workflow_execution_expiration_time: execution_expiration.map(to_timestamp),
            cron_schedule: spec.cron_schedule.clone(),
            first_workflow_task_backoff: to_dur(backoff),
            memo: spec.memo.clone(),
            search_attributes: spec.search_attributes.clone(),
            header: spec.header.clone(),
            workflow_id: spec.workflow_id.clone(),
            root_workflow_execution: Some(WorkflowExecution {
                workflow_id: spec.workflow_id.clone(),
                run_id: spec.run_id.clone(),
            }),
            ..Default::default()
        };
        history.push(
            now,
            Attributes::WorkflowExecutionStartedEventAttributes(attrs),
        );
        // The context exists even with no worker yet: signals and cancellation queue in
        // it until a fake workflow registered later picks the run up.
        let ctx = Some({
            WorkflowContext::new(
                WorkflowInfo {
                    namespace: ns.to_owned(),
                    workflow_id: spec.workflow_id.clone(),
                    run_id: spec.run_id.clone(),
                    workflow_type: spec.workflow_type.clone(),
                    task_queue: spec.task_queue.clone(),
                    attempt: spec.attempt,
                    first_execution_run_id: first_run.clone(),
                    continued_run_id: (!spec.continued_execution_run_id.is_empty())
                        .then(|| spec.continued_execution_run_id.clone()),
                    cron_schedule: spec.cron_schedule.clone(),
                    start_time: now,
                    last_completion_result: self
                        .codec
                        .decode_or_keep(spec.last_completion_result.clone()),
                    continued_failure: spec.continued_failure.clone(),
                    memo: spec.memo.clone(),
                    search_attributes: spec.search_attributes.clone(),
                    header: spec.header.clone(),
                },
                self.codec.decode_or_keep(spec.input.clone()),
                now,
            )
        });
        let run = Run {
            seq,
            workflow_id: spec.workflow_id.clone(),
            run_id: spec.run_id.clone(),
            workflow_type: spec.workflow_type,
            task_queue: spec.task_queue,
            first_execution_run_id: first_run.clone(),
            start_request_id: spec.request_id.clone(),
            status: Status::Running,
            start_time: now,
            execution_time,
            close_time: None,
            history,
            memo: spec
                .memo
                .map(|m| m.fields.into_iter().collect())
                .unwrap_or_default(),
            search_attributes: spec
                .search_attributes
                .map(|s| s.indexed_fields.into_iter().collect())
                .unwrap_or_default(),
            input: spec.input,
            header: spec.header,
            attempt: spec.attempt,
            retry_policy: spec.retry_policy,
            cron_schedule: spec.cron_schedule,
            execution_timeout: spec.execution_timeout,
            run_timeout: spec.run_timeout,
            task_timeout: spec.task_timeout,
            execution_expiration,
            user_metadata: spec.user_metadata,
            last_completion_result: spec.last_completion_result,
            cancel_requested: false,
            signal_request_ids: Default::default(),
            awaiting_first_task: backoff.is_some(),
            pending_wft: None,
            timers: HashMap::new(),
            updates: HashMap::new(),
            admitted: Default::default(),
            accepted_events: HashMap::new(),
            has_worker,
            task_failing: false,
            ctx,
            task: None,
            driving: false,
            redrive: false,
        };
        let run_id = spec.run_id;
        let Some(namespace) = self.namespaces.get_mut(ns) else {
            return;
        };
        let execution = namespace
            .executions
            .entry(spec.workflow_id.clone())
            .or_insert_with(Execution::default);
        execution.runs.push(run_id.clone());
        if !spec.request_id.is_empty() {
            execution
                .request_ids
                .insert(spec.request_id, run_id.clone());
        }
        namespace.runs.insert(run_id.clone(), run);
        if let Some(signal) = spec.signal {
            self.signal(ns, &run_id, signal);
        }
        match backoff {
            Some(_) => self.timers.add(
                execution_time,
                TimerKind::FirstWorkflowTask {
                    namespace: ns.to_owned(),
                    run_id: run_id.clone(),
                },
            ),
            None => self.schedule_wft(ns, &run_id),
        }
        if let Some(t) = spec.run_timeout {
            self.timers.add(
                execution_time + t,
                TimerKind::RunTimeout {
                    namespace: ns.to_owned(),
                    run_id: run_id.clone(),
                },
            );
        }
        if spec.execution_expiration.is_none() {
            if let Some(at) = execution_expiration {
                self.timers.add(
                    at,
                    TimerKind::ExecutionTimeout {
                        namespace: ns.to_owned(),
                        workflow_id: spec.workflow_id,
                        first_execution_run_id: first_run,
                    },
                );
            }
        }
    }

    /// Appends `WorkflowTaskScheduled` unless a workflow task is pending already or the
    /// first one is still backing off; marks the run to be driven.
    pub(crate) fn schedule_wft(&mut self, ns: &str, run_id: &str) {
        let now = self.now;
        let Some(run) = self.run_mut(ns, run_id) else {
            return;
        };
        if !run.is_open() || run.awaiting_first_task || run.task_failing {
            return;
        }
        if run.pending_wft.is_none() {
            let attrs = hist::WorkflowTaskScheduledEventAttributes {
                task_queue: Some(task_queue(&run.task_queue)),
                start_to_close_timeout: Some(to_proto_duration(run.task_timeout)),
                attempt: 1,
            };
            run.pending_wft = Some(
                run.history
                    .push(now, Attributes::WorkflowTaskScheduledEventAttributes(attrs)),
            );
        }
        if run.has_worker {
            self.mark_drive(ns, run_id);
        }
    }

    /// Records that the fake worker started and completed a workflow task; returns the
    /// `WorkflowTaskCompleted` event id.
    pub(crate) fn complete_wft(&mut self, ns: &str, run_id: &str) -> i64 {
        let now = self.now;
        let request_id = self.ids.uuid();
        let Some(run) = self.run_mut(ns, run_id) else {
            return 0;
        };
        let scheduled = match run.pending_wft.take() {
            Some(id) => id,
            None => run.history.push(
                now,
                Attributes::WorkflowTaskScheduledEventAttributes(
                    hist::WorkflowTaskScheduledEventAttributes {
                        task_queue: Some(task_queue(&run.task_queue)),
                        start_to_close_timeout: Some(to_proto_duration(run.task_timeout)),
                        attempt: 1,
                    },
                ),
            ),
        };
        let started = run.history.push(
            now,
            Attributes::WorkflowTaskStartedEventAttributes(
                hist::WorkflowTaskStartedEventAttributes {
                    scheduled_event_id: scheduled,
                    identity: WORKER_IDENTITY.to_owned(),
                    request_id,
                    history_size_bytes: run.history.size_bytes,
                    ..Default::default()
                },
            ),
        );
        run.history.push(
            now,
            Attributes::WorkflowTaskCompletedEventAttributes(
                hist::WorkflowTaskCompletedEventAttributes {
                    scheduled_event_id: scheduled,
                    started_event_id: started,
                    identity: WORKER_IDENTITY.to_owned(),
                    ..Default::default()
                },
            ),
        )
    }

    /// The fake workflow registered for `workflow_type` on `task_queue`, or for every queue.
    pub(crate) fn factory_for(
        &self,
        task_queue: &str,
        workflow_type: &str,
    ) -> Option<WorkflowFactory> {
        self.registry
            .get(&(Some(task_queue.to_owned()), workflow_type.to_owned()))
            .or_else(|| self.registry.get(&(None, workflow_type.to_owned())))
            .cloned()
    }

    /// Records that the fake worker failed a workflow task, as an SDK worker does when
    /// workflow code raises an unexpected error: `WorkflowTaskFailed` (cause
    /// `WORKFLOW_WORKER_UNHANDLED_FAILURE`), then the retry the server schedules and the
    /// worker picks up (attempt 2), which fails the same way for ever; the run stays
    /// Running and makes no more progress.
    pub(crate) fn fail_wft(&mut self, ns: &str, run_id: &str, failure: Failure) {
        let now = self.now;
        let first = self.ids.uuid();
        let second = self.ids.uuid();
        let Some(run) = self.run_mut(ns, run_id) else {
            return;
        };
        let scheduled_attrs = |attempt| hist::WorkflowTaskScheduledEventAttributes {
            task_queue: Some(task_queue(&run.task_queue)),
            start_to_close_timeout: Some(to_proto_duration(run.task_timeout)),
            attempt,
        };
        let scheduled = match run.pending_wft.take() {
            Some(id) => id,
            None => {
                let attrs = scheduled_attrs(1);
                run.history
                    .push(now, Attributes::WorkflowTaskScheduledEventAttributes(attrs))
            }
        };
        let started_attrs = |scheduled_event_id, request_id, size| {
            Attributes::WorkflowTaskStartedEventAttributes(
                hist::WorkflowTaskStartedEventAttributes {
                    scheduled_event_id,
                    identity: WORKER_IDENTITY.to_owned(),
                    request_id,
                    history_size_bytes: size,
                    ..Default::default()
                },
            )
        };
        let size = run.history.size_bytes;
        let started = run.history.push(now, started_attrs(scheduled, first, size));
        run.history.push(
            now,
            Attributes::WorkflowTaskFailedEventAttributes(
                hist::WorkflowTaskFailedEventAttributes {
                    scheduled_event_id: scheduled,
                    started_event_id: started,
                    cause: WorkflowTaskFailedCause::WorkflowWorkerUnhandledFailure as i32,
                    failure: Some(failure),
                    identity: WORKER_IDENTITY.to_owned(),
                    ..Default::default()
                },
            ),
        );
        let attrs = scheduled_attrs(2);
        let retry = run
            .history
            .push(now, Attributes::WorkflowTaskScheduledEventAttributes(attrs));
        let size = run.history.size_bytes;
        run.history.push(now, started_attrs(retry, second, size));
        run.pending_wft = Some(retry);
        run.task_failing = true;
    }

    /// Delivers a signal to an open run.
    pub(crate) fn signal(
        &mut self,
        ns: &str,
        run_id: &str,
        attrs: hist::WorkflowExecutionSignaledEventAttributes,
    ) {
        let now = self.now;
        let args = Args(self.codec.decode_or_keep(attrs.input.clone()));
        let Some(run) = self.run_mut(ns, run_id) else {
            return;
        };
        // A retry of a signal the run already has (same request id) changes nothing.
        if !attrs.request_id.is_empty() && !run.signal_request_ids.insert(attrs.request_id.clone())
        {
            return;
        }
        if let Some(ctx) = &run.ctx {
            let mut s = ctx.lock();
            s.signals.push_back(crate::fake::workflows::Signal {
                name: attrs.signal_name.clone(),
                args,
            });
            s.generation += 1;
        }
        run.history.push(
            now,
            Attributes::WorkflowExecutionSignaledEventAttributes(attrs),
        );
        self.schedule_wft(ns, run_id);
    }

    /// Records a cancellation request; the fake workflow sees it.
    pub(crate) fn request_cancel(
        &mut self,
        ns: &str,
        run_id: &str,
        cause: String,
        identity: String,
    ) {
        let now = self.now;
        let Some(run) = self.run_mut(ns, run_id) else {
            return;
        };
        if run.cancel_requested {
            return;
        }
        run.cancel_requested = true;
        if let Some(ctx) = &run.ctx {
            let mut s = ctx.lock();
            s.cancel_requested = true;
            s.generation += 1;
        }
        run.history.push(
            now,
            Attributes::WorkflowExecutionCancelRequestedEventAttributes(
                hist::WorkflowExecutionCancelRequestedEventAttributes {
                    cause,
                    identity,
                    ..Default::default()
                },
            ),
        );
        self.schedule_wft(ns, run_id);
    }
}
