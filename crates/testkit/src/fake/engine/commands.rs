//! Recording a workflow task: the events for the commands a fake workflow's task
//! produced (timers, activities, update outcomes, the close).

// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use std::time::SystemTime;

use temporal_proto::temporal::api::common::v1::Payloads;
use temporal_proto::temporal::api::enums::v1::UpdateWorkflowExecutionLifecycleStage as Stage;
use temporal_proto::temporal::api::history::v1::{self as hist, history_event::Attributes};
use temporal_proto::temporal::api::update::v1 as update;

use crate::fake::clock::{TimerKind, to_proto_duration};
use crate::fake::engine::{State, WORKER_IDENTITY};
use crate::fake::workflows::{Command, WorkflowFailure};

impl State {
    /// Appends the events for what one workflow task did.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn record(
        &mut self,
        ns: &str,
        run_id: &str,
        wft: i64,
        now: SystemTime,
        commands: Vec<Command>,
        rejected: Vec<(String, WorkflowFailure)>,
        accepted: Vec<String>,
        completed: Vec<(String, Result<Payloads, WorkflowFailure>)>,
    ) {
        let mut new_timers = Vec::new();
        let mut cancelled_timers = Vec::new();
        let mut activity_commands = Vec::new();
        let Some(run) = self.run_mut(ns, run_id) else {
            return;
        };
        for (id, failure) in rejected {
            if let Some(u) = run.updates.get_mut(&id) {
                u.stage = Stage::Completed;
                u.outcome = Some(update::Outcome {
                    value: Some(update::outcome::Value::Failure(failure.into_proto())),
                });
            }
        }
        for id in accepted {
            let Some(u) = run.updates.get_mut(&id) else {
                continue;
            };
            u.stage = Stage::Accepted;
            let request = u.request.clone();
            let event = run.history.push(
                now,
                Attributes::WorkflowExecutionUpdateAcceptedEventAttributes(
                    hist::WorkflowExecutionUpdateAcceptedEventAttributes {
                        protocol_instance_id: id.clone(),
                        accepted_request_message_id: format!("{id}/request"),
                        accepted_request_sequencing_event_id: wft - 1,
                        accepted_request: Some(request),
                    },
                ),
            );
            run.accepted_events.insert(id, event);
        }
        for command in commands {
            match command {
                Command::StartTimer { id, duration } => {
                    let event = run.history.push(
                        now,
                        Attributes::TimerStartedEventAttributes(
                            hist::TimerStartedEventAttributes {
                                timer_id: id.to_string(),
                                start_to_fire_timeout: Some(to_proto_duration(duration)),
                                workflow_task_completed_event_id: wft,
                            },
                        ),
                    );
                    run.timers.insert(id, event);
                    new_timers.push((now + duration, id));
                }
                Command::CancelTimer { id } => {
                    if let Some(started) = run.timers.remove(&id) {
                        run.history.push(
                            now,
                            Attributes::TimerCanceledEventAttributes(
                                hist::TimerCanceledEventAttributes {
                                    timer_id: id.to_string(),
                                    started_event_id: started,
                                    workflow_task_completed_event_id: wft,
                                    identity: WORKER_IDENTITY.to_owned(),
                                },
                            ),
                        );
                        cancelled_timers.push(id);
                    }
                }
                Command::UpsertSearchAttributes(attrs) => {
                    for (k, v) in &attrs.indexed_fields {
                        if v.data.is_empty() || v.data == b"null" {
                            run.search_attributes.remove(k);
                        } else {
                            run.search_attributes.insert(k.clone(), v.clone());
                        }
                    }
                    run.history.push(
                        now,
                        Attributes::UpsertWorkflowSearchAttributesEventAttributes(
                            hist::UpsertWorkflowSearchAttributesEventAttributes {
                                workflow_task_completed_event_id: wft,
                                search_attributes: Some(attrs),
                            },
                        ),
                    );
                }
                Command::ScheduleActivity(_) | Command::RequestCancelActivity { .. } => {
                    activity_commands.push(command);
                }
                Command::UpsertMemo(memo) => {
                    for (k, v) in &memo.fields {
                        run.memo.insert(k.clone(), v.clone());
                    }
                    run.history.push(
                        now,
                        Attributes::WorkflowPropertiesModifiedEventAttributes(
                            hist::WorkflowPropertiesModifiedEventAttributes {
                                workflow_task_completed_event_id: wft,
                                upserted_memo: Some(memo),
                            },
                        ),
                    );
                }
            }
        }
        for (id, result) in completed {
            let accepted_event_id = run.accepted_events.get(&id).copied().unwrap_or_default();
            let outcome = update::Outcome {
                value: Some(match result {
                    Ok(p) => update::outcome::Value::Success(p),
                    Err(f) => update::outcome::Value::Failure(f.into_proto()),
                }),
            };
            if let Some(u) = run.updates.get_mut(&id) {
                u.stage = Stage::Completed;
                u.outcome = Some(outcome.clone());
                let identity = u
                    .request
                    .meta
                    .as_ref()
                    .map(|m| m.identity.clone())
                    .unwrap_or_default();
                run.history.push(
                    now,
                    Attributes::WorkflowExecutionUpdateCompletedEventAttributes(
                        hist::WorkflowExecutionUpdateCompletedEventAttributes {
                            meta: Some(update::Meta {
                                update_id: id.clone(),
                                identity,
                            }),
                            accepted_event_id,
                            outcome: Some(outcome),
                        },
                    ),
                );
            }
        }
        self.record_activity_commands(ns, run_id, wft, now, activity_commands);
        for (at, timer_id) in new_timers {
            self.timers.add(
                at,
                TimerKind::WorkflowTimer {
                    namespace: ns.to_owned(),
                    run_id: run_id.to_owned(),
                    timer_id,
                },
            );
        }
        if !cancelled_timers.is_empty() {
            let (n, r) = (ns.to_owned(), run_id.to_owned());
            self.timers.remove_where(|k| {
                matches!(k, TimerKind::WorkflowTimer { namespace, run_id, timer_id }
                    if *namespace == n && *run_id == r && cancelled_timers.contains(timer_id))
            });
        }
    }
}
