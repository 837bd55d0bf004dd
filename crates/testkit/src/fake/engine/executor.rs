//! The executor of fake workflows: [`Inner::settle`] drives every run marked for driving,
//! polling its workflow future outside the lock, and a waker re-drives a run when a
//! future it awaits becomes ready.

// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use std::sync::{Arc, MutexGuard, Weak};
use std::task::{Context, Poll, Wake, Waker};

use temporal_proto::temporal::api::common::v1::Payloads;
use temporal_proto::temporal::api::update::v1 as update;

use crate::fake::engine::{Close, Inner, State, WftSource};
use crate::fake::store::{Run, RunTask};
use crate::fake::workflows::{Args, WorkflowFailure, WorkflowResult};

/// Wakes a run's driver when a future the fake workflow awaits (not a fake primitive)
/// becomes ready.
struct RunWaker {
    inner: Weak<Inner>,
    namespace: String,
    run_id: String,
    handle: Option<tokio::runtime::Handle>,
}

impl Wake for RunWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let (Some(handle), Some(inner)) = (&self.handle, self.inner.upgrade()) else {
            return;
        };
        let (ns, run) = (self.namespace.clone(), self.run_id.clone());
        handle.spawn(async move {
            inner.lock().mark_drive(&ns, &run);
            inner.settle();
        });
    }
}

impl Inner {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Drives every run marked for driving until none is left, drops dead workflow
    /// futures outside the lock, and wakes long polls.
    pub(crate) fn settle(self: &Arc<Self>) {
        loop {
            let (next, garbage) = {
                let mut st = self.lock();
                let garbage = std::mem::take(&mut st.garbage);
                if st.to_drive.is_empty() {
                    st.process_woken_schedules();
                }
                let next = if st.to_drive.is_empty() {
                    None
                } else {
                    Some(st.to_drive.remove(0))
                };
                (next, garbage)
            };
            drop(garbage);
            match next {
                Some((ns, run)) => self.drive(&ns, &run),
                None => break,
            }
        }
        self.version.send_modify(|v| *v += 1);
    }

    /// Polls one run's fake workflow until it makes no more progress, and turns what it
    /// did into history.
    pub(crate) fn drive(self: &Arc<Self>, ns: &str, run_id: &str) {
        loop {
            // Phase 1: take the futures out under the lock.
            let (ctx, task, admitted, factory) = {
                let mut st = self.lock();
                let now = st.now;
                let codec = st.codec.clone();
                let Some(run) = st.run_mut(ns, run_id) else {
                    return;
                };
                if !run.is_open() || !run.has_worker || run.awaiting_first_task || run.task_failing
                {
                    return;
                }
                if run.driving {
                    run.redrive = true;
                    return;
                }
                let Some(ctx) = run.ctx.clone() else {
                    return;
                };
                run.driving = true;
                ctx.lock().now = now;
                let task = run.task.take();
                let admitted: Vec<(String, update::Request)> = run
                    .admitted
                    .drain(..)
                    .filter_map(|id| run.updates.get(&id).map(|u| (id, u.request.clone())))
                    .collect();
                // The worker decodes the update's arguments for its handler.
                let admitted: Vec<(String, update::Request)> = admitted
                    .into_iter()
                    .map(|(id, mut request)| {
                        if let Some(input) = request.input.as_mut() {
                            input.args = codec.decode_or_keep(input.args.take());
                        }
                        (id, request)
                    })
                    .collect();
                let (workflow_type, queue) = (run.workflow_type.clone(), run.task_queue.clone());
                let factory = if task.is_none() {
                    st.factory_for(&queue, &workflow_type)
                } else {
                    None
                };
                (ctx, task, admitted, factory)
            };
            let mut task = task.unwrap_or_else(|| RunTask {
                main: factory.map(|f| f(ctx.clone())),
                handlers: Vec::new(),
            });

            // Phase 2: poll without the lock.
            let waker = Waker::from(Arc::new(RunWaker {
                inner: Arc::downgrade(self),
                namespace: ns.to_owned(),
                run_id: run_id.to_owned(),
                handle: tokio::runtime::Handle::try_current().ok(),
            }));
            let mut cx = Context::from_waker(&waker);
            let mut result = None;
            let mut completed = Vec::new();
            let mut accepted = Vec::new();
            let mut rejected = Vec::new();
            let mut admitted = admitted.into_iter();
            for round in 0..10_000 {
                let before = ctx.lock().generation;
                if let Some(main) = task.main.as_mut() {
                    if let Poll::Ready(r) = main.as_mut().poll(&mut cx) {
                        result = Some(r);
                        task.main = None;
                        break;
                    }
                }
                if round == 0 {
                    for (id, request) in admitted.by_ref() {
                        let input = request.input.clone().unwrap_or_default();
                        let def = ctx.lock().updates.get(&input.name).cloned();
                        let Some(def) = def else {
                            let known: Vec<String> = ctx.lock().updates.keys().cloned().collect();
                            rejected.push((
                                id,
                                WorkflowFailure::application(format!(
                                    "Update handler for '{}' expected but not found, known updates: [{}]",
                                    input.name,
                                    known.join(" ")
                                )),
                            ));
                            continue;
                        };
                        let args = Args(input.args);
                        if let Some(validate) = &def.validator {
                            if let Err(f) = validate(&args) {
                                rejected.push((id, f));
                                continue;
                            }
                        }
                        ctx.lock().running_handlers += 1;
                        task.handlers
                            .push((id.clone(), (def.handler)(ctx.clone(), args)));
                        accepted.push(id);
                    }
                }
                let mut progress = false;
                let mut i = 0;
                while i < task.handlers.len() {
                    if let Poll::Ready(r) = task.handlers[i].1.as_mut().poll(&mut cx) {
                        let (id, _) = task.handlers.remove(i);
                        let mut s = ctx.lock();
                        s.running_handlers = s.running_handlers.saturating_sub(1);
                        s.generation += 1;
                        completed.push((id, r));
                        progress = true;
                    } else {
                        i += 1;
                    }
                }
                if !progress && ctx.lock().generation == before {
                    break;
                }
            }

            // Phase 3: record what happened, encoded as the worker's converter does.
            let mut st = self.lock();
            let codec = st.codec.clone();
            let result = result.map(|r| codec.encode_result(r));
            let rejected: Vec<(String, WorkflowFailure)> = rejected
                .into_iter()
                .map(|(id, f)| (id, codec.encode_workflow_failure(f)))
                .collect();
            let completed: Vec<(String, Result<Payloads, WorkflowFailure>)> = completed
                .into_iter()
                .map(|(id, r)| (id, codec.encode_outcome(r)))
                .collect();
            if let Some(WorkflowResult::Failed(f)) = &result {
                if f.fails_task() && st.run(ns, run_id).is_some_and(Run::is_open) {
                    // The worker's activation failed: its commands are dropped.
                    ctx.lock().commands.clear();
                    st.fail_wft(ns, run_id, f.as_proto().clone());
                    st.garbage.push(task);
                    if let Some(run) = st.run_mut(ns, run_id) {
                        run.driving = false;
                    }
                    return;
                }
            }
            let open = st.run(ns, run_id).is_some_and(Run::is_open);
            if !open {
                st.garbage.push(task);
                if let Some(run) = st.run_mut(ns, run_id) {
                    run.driving = false;
                }
                return;
            }
            let commands = match codec.encode_commands(std::mem::take(&mut ctx.lock().commands)) {
                Ok(commands) => commands,
                Err(e) => {
                    // The worker could not encode its commands: its task fails.
                    let failure = codec.encode_workflow_failure(WorkflowFailure::from(e));
                    st.fail_wft(ns, run_id, failure.into_proto());
                    st.garbage.push(task);
                    if let Some(run) = st.run_mut(ns, run_id) {
                        run.driving = false;
                    }
                    return;
                }
            };
            let pending = st.run(ns, run_id).is_some_and(|r| r.pending_wft.is_some());
            let others = !commands.is_empty() || !accepted.is_empty() || !completed.is_empty();
            let now = st.now;
            let wft =
                (others || (pending && result.is_none())).then(|| st.complete_wft(ns, run_id));
            st.record(
                ns,
                run_id,
                wft.unwrap_or(0),
                now,
                commands,
                rejected,
                accepted,
                completed,
            );
            let redrive = match result {
                Some(r) => {
                    let source = match wft {
                        Some(id) => WftSource::Completed(id),
                        None => WftSource::Complete,
                    };
                    st.close_run(ns, run_id, Close::from(r), source);
                    if let Some(run) = st.run_mut(ns, run_id) {
                        run.driving = false;
                    }
                    false
                }
                None => match st.run_mut(ns, run_id) {
                    Some(run) => {
                        run.task = Some(task);
                        run.driving = false;
                        std::mem::take(&mut run.redrive) || !run.admitted.is_empty()
                    }
                    None => false,
                },
            };
            if !redrive {
                return;
            }
        }
    }
}
