//! The schedule engine: what is due on the virtual clock, the overlap policies and
//! their buffer, the catch-up window, pause on failure, limited actions, and starting
//! the action's workflow.
//!
//! Semantics from the server's scheduler workflow (`service/worker/scheduler`), checked
//! against the dev server: a started workflow's id is the action's id with the nominal
//! time appended (`wf-2026-11-29T19:27:14Z`) unless `keep_original_workflow_id`; it
//! carries the search attributes `TemporalScheduledStartTime` (the nominal time) and
//! `TemporalScheduledById` (the schedule id); times that fall due while paused are
//! dropped, not caught up; manual actions (trigger, backfill) ignore pause and the
//! action limit.
// `ServiceError` is large by nature; boxing it here would only add allocations.
#![allow(clippy::result_large_err)]

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use temporal_proto::temporal::api::common::v1::{
    Memo, Payload, SearchAttributes, WorkflowExecution,
};
use temporal_proto::temporal::api::enums::v1::{
    ScheduleOverlapPolicy as Overlap, WorkflowExecutionStatus as Status,
};
use temporal_proto::temporal::api::schedule::v1::{
    Schedule as ProtoSchedule, ScheduleActionResult, ScheduleInfo,
};

use super::super::clock::{TimerKind, from_proto_duration, to_timestamp};
use super::spec::{Fire, Spec};
use crate::fake::engine::{Close, State, WftSource};
use crate::fake::rpc::start::StartFields;

/// How many recent actions describe keeps (the server's default).
pub(crate) const RECENT_ACTIONS: usize = 10;
/// The most buffered starts a schedule holds (the server's default); more are dropped.
const MAX_BUFFER: usize = 1000;
/// The catch-up window when the policy leaves it unset: one year, as the server fills in.
pub(crate) const DEFAULT_CATCHUP: Duration = Duration::from_secs(365 * 24 * 3600);
/// The identity the fake's scheduler starts workflows with.
const SCHEDULER_IDENTITY: &str = "temporal-scheduler";

/// A start waiting for its overlap policy.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub(crate) nominal: SystemTime,
    /// The overlap policy of this start; unspecified takes the schedule's.
    pub(crate) overlap: i32,
    /// Trigger or backfill: ignores pause and the action limit.
    pub(crate) manual: bool,
}

/// One schedule.
#[derive(Debug, Clone)]
pub(crate) struct Schedule {
    /// As described: spec normalised, policies defaulted.
    pub(crate) schedule: ProtoSchedule,
    pub(crate) spec: Spec,
    pub(crate) memo: Option<Memo>,
    pub(crate) search_attributes: Option<SearchAttributes>,
    pub(crate) info: ScheduleInfo,
    pub(crate) buffer: VecDeque<Pending>,
    /// The nominal time up to which the spec has been processed.
    pub(crate) last: SystemTime,
    pub(crate) conflict_token: u64,
    pub(crate) request_id: String,
}

impl Schedule {
    fn overlap(&self) -> Overlap {
        self.schedule
            .policies
            .as_ref()
            .and_then(|p| Overlap::try_from(p.overlap_policy).ok())
            .filter(|p| *p != Overlap::Unspecified)
            .unwrap_or(Overlap::Skip)
    }

    fn catchup(&self) -> Duration {
        self.schedule
            .policies
            .as_ref()
            .and_then(|p| p.catchup_window.as_ref())
            .and_then(from_proto_duration)
            .unwrap_or(DEFAULT_CATCHUP)
    }

    pub(crate) fn paused(&self) -> bool {
        self.schedule.state.as_ref().is_some_and(|s| s.paused)
    }

    /// False once a limited schedule has used up its actions.
    pub(crate) fn can_act(&self) -> bool {
        self.schedule
            .state
            .as_ref()
            .is_none_or(|s| !s.limited_actions || s.remaining_actions > 0)
    }

    /// The next `n` action times after the last processed one (none once the action
    /// limit is used up).
    pub(crate) fn future_times(&self, n: usize) -> Vec<SystemTime> {
        let n = match &self.schedule.state {
            Some(s) if s.limited_actions => n.min(s.remaining_actions.max(0) as usize),
            _ => n,
        };
        let mut out = Vec::with_capacity(n);
        let mut t = self.last;
        while out.len() < n {
            match self.spec.next(t) {
                Some(f) => {
                    out.push(f.actual);
                    t = f.nominal;
                }
                None => break,
            }
        }
        out
    }
}

fn rfc3339_seconds(t: SystemTime) -> String {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    jiff::Timestamp::from_second(secs)
        .map(|ts| ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

fn json_payload(value: &str, kind: &str) -> Payload {
    Payload {
        metadata: [
            ("encoding".to_owned(), b"json/plain".to_vec()),
            ("type".to_owned(), kind.as_bytes().to_vec()),
        ]
        .into_iter()
        .collect(),
        data: serde_json::to_vec(value).unwrap_or_default(),
        ..Payload::default()
    }
}

impl State {
    /// Brings one schedule up to the current virtual time: notices closed workflows,
    /// buffers what fell due, starts what its overlap policy allows, and sets the timer
    /// for the next action.
    pub(crate) fn process_schedule(&mut self, ns: &str, id: &str) {
        for _ in 0..4 {
            if !self.process_once(ns, id) {
                break;
            }
        }
        self.arm_schedule_timer(ns, id);
    }

    /// One pass; true when it terminated workflows, so another pass can start the
    /// buffered action.
    fn process_once(&mut self, ns: &str, id: &str) -> bool {
        let now = self.now;
        self.refresh_running(ns, id);
        let Some(s) = self.schedules.get_mut(ns, id) else {
            return false;
        };
        // What fell due since the last pass.
        if s.paused() {
            s.last = s.last.max(now);
        } else {
            let catchup = s.catchup();
            let mut t = s.last;
            for _ in 0..100_000 {
                let Some(Fire { nominal, actual }) = s.spec.next(t) else {
                    break;
                };
                if actual > now {
                    break;
                }
                t = nominal;
                if now.duration_since(actual).unwrap_or_default() > catchup {
                    s.info.missed_catchup_window += 1;
                    continue;
                }
                s.buffer.push_back(Pending {
                    nominal,
                    overlap: 0,
                    manual: false,
                });
            }
            s.last = t.max(s.last);
        }
        // The overlap policies, as the server's ProcessBuffer applies them.
        let default = s.overlap();
        let mut running = !s.info.running_workflows.is_empty();
        let mut keep: VecDeque<Pending> = VecDeque::new();
        let mut start = Vec::new();
        let (mut cancel, mut terminate) = (false, false);
        let mut budget = match &s.schedule.state {
            Some(st) if st.limited_actions => st.remaining_actions.max(0),
            _ => i64::MAX,
        };
        for p in std::mem::take(&mut s.buffer) {
            if !p.manual {
                if budget == 0 || s.paused() {
                    continue;
                }
                budget -= 1;
            }
            let policy = Overlap::try_from(p.overlap)
                .ok()
                .filter(|o| *o != Overlap::Unspecified)
                .unwrap_or(default);
            match policy {
                Overlap::AllowAll => start.push((p, policy)),
                _ if !running => {
                    start.push((p, policy));
                    running = true;
                }
                Overlap::Skip | Overlap::Unspecified => s.info.overlap_skipped += 1,
                Overlap::BufferOne => {
                    if keep.is_empty() {
                        keep.push_back(p);
                    } else {
                        s.info.overlap_skipped += 1;
                    }
                }
                Overlap::BufferAll => {
                    if keep.len() >= MAX_BUFFER {
                        s.info.buffer_dropped += 1;
                    } else {
                        keep.push_back(p);
                    }
                }
                Overlap::CancelOther => {
                    cancel = true;
                    keep = VecDeque::from([p]);
                }
                Overlap::TerminateOther => {
                    terminate = true;
                    keep = VecDeque::from([p]);
                }
            }
        }
        s.buffer = keep;
        s.info.buffer_size = s.buffer.len() as i64;
        let targets: Vec<WorkflowExecution> = s.info.running_workflows.clone();
        let pause_on_failure = s
            .schedule
            .policies
            .as_ref()
            .is_some_and(|p| p.pause_on_failure);
        for (p, policy) in start {
            // The server does not watch AllowAll starts (unless it must, to pause on
            // failure): they are not in running_workflows and their recent action
            // keeps the status Running.
            let watch = policy != Overlap::AllowAll || pause_on_failure;
            self.start_action(ns, id, &p, watch);
        }
        if terminate {
            for w in &targets {
                if self.run(ns, &w.run_id).is_some_and(|r| r.is_open()) {
                    self.close_run(
                        ns,
                        &w.run_id,
                        Close::Terminated {
                            reason: "terminated by schedule overlap policy".into(),
                            details: None,
                            identity: SCHEDULER_IDENTITY.into(),
                        },
                        WftSource::None,
                    );
                }
            }
            return true;
        }
        if cancel {
            for w in &targets {
                self.request_cancel(
                    ns,
                    &w.run_id,
                    "cancelled by schedule overlap policy".into(),
                    SCHEDULER_IDENTITY.into(),
                );
                self.mark_drive(ns, &w.run_id);
            }
        }
        false
    }

    /// Drops closed workflows from the running list, updates their recent-action
    /// status, and pauses on failure when the policy says so.
    fn refresh_running(&mut self, ns: &str, id: &str) {
        let Some(s) = self.schedules.get(ns, id) else {
            return;
        };
        let statuses: Vec<(WorkflowExecution, Status, String)> = s
            .info
            .running_workflows
            .iter()
            .map(|w| {
                let run = self.run(ns, &w.run_id);
                let status = run.map_or(Status::Terminated, |r| r.status);
                (
                    w.clone(),
                    status,
                    run.map(failure_message).unwrap_or_default(),
                )
            })
            .collect();
        let Some(s) = self.schedules.get_mut(ns, id) else {
            return;
        };
        let pause_on_failure = s
            .schedule
            .policies
            .as_ref()
            .is_some_and(|p| p.pause_on_failure);
        s.info.running_workflows.clear();
        for (w, status, message) in statuses {
            if status == Status::Running {
                s.info.running_workflows.push(w);
                continue;
            }
            for a in &mut s.info.recent_actions {
                if a.start_workflow_result
                    .as_ref()
                    .is_some_and(|r| r.run_id == w.run_id)
                {
                    a.start_workflow_status = status as i32;
                }
            }
            if pause_on_failure && matches!(status, Status::Failed | Status::TimedOut) {
                let state = s.schedule.state.get_or_insert_with(Default::default);
                state.paused = true;
                state.notes = format!(
                    "paused due to workflow failure: {}: {message}",
                    w.workflow_id
                );
            }
        }
    }

    /// Starts the action's workflow for one pending start and records it.
    fn start_action(&mut self, ns: &str, id: &str, p: &Pending, watch: bool) {
        let now = self.now;
        let request_id = self.ids.uuid();
        let Some(s) = self.schedules.get(ns, id) else {
            return;
        };
        let Some(action) = s
            .schedule
            .action
            .as_ref()
            .and_then(|a| a.action.as_ref())
            .map(|temporal_proto::temporal::api::schedule::v1::schedule_action::Action::StartWorkflow(w)| w.clone())
        else {
            return;
        };
        let keep_id = s
            .schedule
            .policies
            .as_ref()
            .is_some_and(|p| p.keep_original_workflow_id);
        let workflow_id = if keep_id {
            action.workflow_id.clone()
        } else {
            format!("{}-{}", action.workflow_id, rfc3339_seconds(p.nominal))
        };
        let fields = StartFields {
            namespace: ns.to_owned(),
            workflow_id: workflow_id.clone(),
            workflow_type: action.workflow_type,
            task_queue: action.task_queue,
            input: action.input,
            execution_timeout: action.workflow_execution_timeout,
            run_timeout: action.workflow_run_timeout,
            task_timeout: action.workflow_task_timeout,
            identity: SCHEDULER_IDENTITY.to_owned(),
            request_id,
            reuse: action.workflow_id_reuse_policy,
            conflict: 0,
            retry_policy: action.retry_policy,
            cron_schedule: String::new(),
            memo: action.memo,
            search_attributes: None,
            header: action.header,
            start_delay: None,
            user_metadata: action.user_metadata,
            continued_failure: None,
            last_completion_result: None,
            signal: None,
        };
        let user_attrs = action.search_attributes;
        let Ok(started) = self.start("StartWorkflowExecution", fields, false) else {
            // The server counts a start that cannot be made (e.g. the id is taken) as
            // skipped, not as an action.
            if let Some(s) = self.schedules.get_mut(ns, id) {
                s.info.overlap_skipped += 1;
            }
            return;
        };
        if let Some(run) = self.run_mut(ns, &started.run_id) {
            if let Some(attrs) = user_attrs {
                run.search_attributes.extend(attrs.indexed_fields);
            }
            run.search_attributes.insert(
                "TemporalScheduledStartTime".into(),
                json_payload(&rfc3339_seconds(p.nominal), "Datetime"),
            );
            run.search_attributes
                .insert("TemporalScheduledById".into(), json_payload(id, "Keyword"));
        }
        let Some(s) = self.schedules.get_mut(ns, id) else {
            return;
        };
        let execution = WorkflowExecution {
            workflow_id,
            run_id: started.run_id,
        };
        s.info.action_count += 1;
        if let Some(state) = s.schedule.state.as_mut()
            && !p.manual
            && state.limited_actions
        {
            state.remaining_actions = (state.remaining_actions - 1).max(0);
        }
        s.info.recent_actions.push(ScheduleActionResult {
            schedule_time: Some(to_timestamp(p.nominal)),
            actual_time: Some(to_timestamp(now)),
            start_workflow_result: Some(execution.clone()),
            start_workflow_status: Status::Running as i32,
        });
        let excess = s.info.recent_actions.len().saturating_sub(RECENT_ACTIONS);
        s.info.recent_actions.drain(..excess);
        if watch {
            s.info.running_workflows.push(execution);
        }
    }

    /// Replaces the schedule's timer with one at its next action time.
    pub(crate) fn arm_schedule_timer(&mut self, ns: &str, id: &str) {
        let (n, i) = (ns.to_owned(), id.to_owned());
        self.timers.remove_where(|k| {
            matches!(k, TimerKind::Schedule { namespace, schedule_id } if *namespace == n && *schedule_id == i)
        });
        let Some(s) = self.schedules.get(ns, id) else {
            return;
        };
        if s.paused() || !s.can_act() {
            return;
        }
        if let Some(f) = s.spec.next(s.last) {
            self.timers.add(
                f.actual,
                TimerKind::Schedule {
                    namespace: n,
                    schedule_id: i,
                },
            );
        }
    }

    /// Called when a run closes: schedules that started it look again once the lock's
    /// current work is done.
    pub(crate) fn schedule_run_closed(&mut self, ns: &str, run_id: &str) {
        let ids: Vec<String> = self
            .schedules
            .in_namespace(ns)
            .filter(|(_, s)| s.info.running_workflows.iter().any(|w| w.run_id == run_id))
            .map(|(id, _)| id.clone())
            .collect();
        for id in ids {
            self.schedules.wake(ns, &id);
        }
    }

    /// Processes every schedule woken by a closed run; true if there were any.
    pub(crate) fn process_woken_schedules(&mut self) -> bool {
        let woken = self.schedules.take_woken();
        let any = !woken.is_empty();
        for (ns, id) in woken {
            self.process_schedule(&ns, &id);
        }
        any
    }
}

/// The failure message of a closed run (the server's pause note quotes it).
fn failure_message(run: &super::super::store::Run) -> String {
    use temporal_proto::temporal::api::history::v1::history_event::Attributes;
    match run
        .history
        .close_event()
        .and_then(|e| e.attributes.as_ref())
    {
        Some(Attributes::WorkflowExecutionFailedEventAttributes(a)) => a
            .failure
            .as_ref()
            .map(|f| f.message.clone())
            .unwrap_or_default(),
        Some(Attributes::WorkflowExecutionTimedOutEventAttributes(_)) => "workflow timeout".into(),
        _ => String::new(),
    }
}
