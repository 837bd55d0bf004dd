//! Schedules: create, describe, list, an interval firing on time, trigger, pause and
//! unpause, update with a conflict, backfill, overlap policies with a slow workflow,
//! delete, and the already-exists and not-found errors.
//!
//! They run on every back end: the fake models schedules on its virtual clock; on the
//! dev server they use intervals of seconds.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use temporal_client::interceptor::{Interceptor, Next, UpdateScheduleInput};
use temporal_client::proto::prelude::workflowservice::{
    DescribeScheduleRequest, UpdateScheduleRequest,
};
use temporal_client::schedule::{
    CalendarSpec, Schedule, ScheduleAction, ScheduleBackfill, ScheduleHandle,
    ScheduleOverlapPolicy, SchedulePolicy, ScheduleRange, ScheduleSpec, ScheduleState,
    ScheduleUpdate,
};
use temporal_client::{Client, Error, WorkflowExecutionStatus, WorkflowOptions, async_trait};
use temporal_client_core::{ServiceRequest, WorkflowService};

use crate::backend::{Backend, on_every_backend};
use crate::defs::{COUNT, ECHO, SLEEP, STAGE};

fn echo_schedule(backend: &Backend, workflow_id: &str, spec: ScheduleSpec) -> Schedule {
    Schedule::new(
        ScheduleAction::start_workflow(
            ECHO.name(),
            WorkflowOptions::new(workflow_id, &backend.task_queue)
                .args(("scheduled".to_owned(), 42))
                .memo("origin", "schedule"),
        ),
        spec,
    )
}

/// Creates a schedule (always `Some`; a failure fails the scenario).
async fn create(backend: &Backend, id: &str, schedule: Schedule) -> Option<ScheduleHandle> {
    match backend.client.schedules().create(id, schedule).await {
        Ok(handle) => Some(handle),
        Err(e) => panic!("[{}] create schedule {id}: {e:#?}", backend.kind),
    }
}

fn long_interval() -> ScheduleSpec {
    ScheduleSpec::new().interval(Duration::from_secs(3600))
}

#[tokio::test]
async fn create_describe_list_pause_trigger_delete_and_errors() {
    on_every_backend(|backend| async move {
        let id = backend.id("sched");
        let workflow_id = backend.id("sched-wf");
        let schedule = echo_schedule(&backend, &workflow_id, long_interval())
            .policy(SchedulePolicy::new().catchup_window(Duration::from_secs(60)))
            .state(ScheduleState::new().note("created by conformance"));
        let Some(handle) = create(&backend, &id, schedule.clone()).await else {
            return;
        };

        // Describe: the typed spec, action (arguments and memo decoded), policy, state.
        let described = handle.describe().await.expect("describe");
        assert_eq!(described.id, id);
        assert_eq!(described.schedule.spec.intervals.len(), 1);
        assert_eq!(described.schedule.spec.intervals[0].every, Duration::from_secs(3600));
        let action = described.schedule.action.as_start_workflow().expect("a start action");
        assert_eq!(action.workflow_type, "echo");
        assert_eq!(action.options.workflow_id, workflow_id);
        assert_eq!(action.options.task_queue, backend.task_queue);
        assert_eq!(action.options.memo.get("origin"), Some(&serde_json::json!("schedule")));
        let args: (String, i64) = described.action_args().expect("args").expect("decode");
        assert_eq!(args, ("scheduled".to_owned(), 42));
        assert_eq!(described.schedule.policy.catchup_window, Some(Duration::from_secs(60)));
        assert_eq!(described.schedule.policy.overlap, ScheduleOverlapPolicy::Skip);
        assert_eq!(described.schedule.state.note.as_deref(), Some("created by conformance"));
        assert!(!described.schedule.state.paused);
        assert!(described.info.created_at.is_some());
        let next = &described.info.next_action_times;
        assert!(!next.is_empty(), "next action times");
        for t in next {
            let secs = t.duration_since(UNIX_EPOCH).unwrap().as_secs();
            assert_eq!(secs % 3600, 0, "an hourly interval fires on the hour");
        }

        // Already exists.
        let again = backend.client.schedules().create(&id, schedule).await;
        assert!(
            matches!(&again, Err(Error::ScheduleAlreadyRunning { schedule_id, .. }) if *schedule_id == id),
            "{again:?}"
        );
        assert!(again.unwrap_err().is_schedule_already_running());

        // List: visibility is eventually consistent.
        let listed = backend
            .eventually("the schedule in list", || {
                let client = backend.client.clone();
                let id = id.clone();
                async move {
                    let all = client.schedules().list("").into_vec().await.expect("list");
                    all.into_iter().find(|s| s.id == id)
                }
            })
            .await;
        assert_eq!(listed.workflow_type.as_deref(), Some("echo"));
        assert_eq!(listed.spec.intervals.len(), 1);

        // Pause and unpause, with notes.
        handle.pause("maintenance").await.expect("pause");
        let paused = handle.describe().await.expect("describe paused");
        assert!(paused.schedule.state.paused);
        assert_eq!(paused.schedule.state.note.as_deref(), Some("maintenance"));
        handle.unpause("back").await.expect("unpause");
        let unpaused = handle.describe().await.expect("describe unpaused");
        assert!(!unpaused.schedule.state.paused);
        assert_eq!(unpaused.schedule.state.note.as_deref(), Some("back"));

        // Trigger: one action now, whose workflow id starts with the action's id.
        handle.trigger().await.expect("trigger");
        let action = backend
            .eventually("the triggered action", || {
                let handle = handle.clone();
                async move {
                    let d = handle.describe().await.expect("describe");
                    d.info.recent_actions.into_iter().next()
                }
            })
            .await;
        let started = action.workflow.expect("the started workflow");
        assert!(
            started.workflow_id.starts_with(&workflow_id),
            "{} starts with {workflow_id}",
            started.workflow_id
        );
        let result: Vec<serde_json::Value> = backend
            .client
            .get_handle(&started.workflow_id)
            .result()
            .timeout(Duration::from_secs(20))
            .await
            .expect("the scheduled workflow's result");
        assert_eq!(result, [serde_json::json!("scheduled"), serde_json::json!(42)]);

        // Delete, then not found.
        handle.delete().await.expect("delete");
        let gone = handle.describe().await;
        assert!(
            matches!(&gone, Err(Error::ScheduleNotFound { schedule_id, .. }) if *schedule_id == id),
            "{gone:?}"
        );
        assert!(gone.unwrap_err().is_not_found());
        let missing = backend.client.schedules().get_handle(backend.id("missing"));
        assert!(missing.delete().await.unwrap_err().is_schedule_not_found());
        assert!(missing.pause("x").await.unwrap_err().is_schedule_not_found());
    })
    .await;
}

#[tokio::test]
async fn an_interval_schedule_fires_on_time() {
    on_every_backend(|backend| async move {
        let id = backend.id("sched-interval");
        let every = Duration::from_secs(2);
        let spec = ScheduleSpec::new().interval(every);
        let Some(handle) = create(&backend, &id, echo_schedule(&backend, &id, spec)).await else {
            return;
        };
        let actions = backend
            .with_time(
                Duration::from_secs(10),
                backend.eventually("two scheduled actions", || {
                    let handle = handle.clone();
                    async move {
                        let d = handle.describe().await.expect("describe");
                        (d.info.recent_actions.len() >= 2).then_some(d.info.recent_actions)
                    }
                }),
            )
            .await;
        for action in &actions {
            let scheduled = action.scheduled_at.expect("scheduled time");
            let millis = scheduled.duration_since(UNIX_EPOCH).unwrap().as_millis();
            assert_eq!(millis % 2000, 0, "on the 2 s grid: {scheduled:?}");
            let taken = action.taken_at.expect("taken time");
            let late = taken.duration_since(scheduled).unwrap_or_default();
            assert!(
                late < Duration::from_secs(2),
                "taken {late:?} after its time"
            );
        }
        let gap = actions[1]
            .scheduled_at
            .unwrap()
            .duration_since(actions[0].scheduled_at.unwrap())
            .unwrap();
        assert_eq!(gap, every);
        handle.delete().await.expect("delete");
    })
    .await;
}

/// Sends a competing update (note "theirs") with the same conflict token just before
/// the client's first attempt, so the server drops the client's update.
struct Competitor {
    service: Arc<dyn WorkflowService>,
    fired: AtomicU32,
}

#[async_trait]
impl Interceptor for Competitor {
    async fn update_schedule(
        &self,
        input: UpdateScheduleInput,
        next: Next<'_, UpdateScheduleInput, ()>,
    ) -> temporal_client::Result<()> {
        if self.fired.fetch_add(1, Ordering::SeqCst) == 0 {
            let described = self
                .service
                .describe_schedule(ServiceRequest::new(DescribeScheduleRequest {
                    namespace: "default".to_owned(),
                    schedule_id: input.schedule_id.clone(),
                }))
                .await?;
            let mut schedule = described.schedule.expect("a schedule");
            schedule.state.as_mut().expect("a state").notes = "theirs".to_owned();
            self.service
                .update_schedule(ServiceRequest::new(UpdateScheduleRequest {
                    namespace: "default".to_owned(),
                    schedule_id: input.schedule_id.clone(),
                    schedule: Some(schedule),
                    conflict_token: input.conflict_token.clone(),
                    request_id: uuid::Uuid::new_v4().to_string(),
                    ..Default::default()
                }))
                .await?;
            // Let the server apply the competing update before ours.
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        next.run(input).await
    }
}

#[tokio::test]
async fn update_is_retried_after_a_conflict() {
    on_every_backend(|backend| async move {
        let id = backend.id("sched-update");
        let Some(_) = create(&backend, &id, echo_schedule(&backend, &id, long_interval())).await
        else {
            return;
        };
        let competitor = Competitor {
            service: backend.client.service().clone(),
            fired: AtomicU32::new(0),
        };
        let client = Client::builder_from_arc(backend.client.service().clone())
            .interceptor(competitor)
            .build();
        let handle = client.schedules().get_handle(&id);
        let calls = AtomicU32::new(0);
        let seen_notes = std::sync::Mutex::new(Vec::new());
        handle
            .update(|mut current| {
                calls.fetch_add(1, Ordering::SeqCst);
                seen_notes
                    .lock()
                    .unwrap()
                    .push(current.schedule.state.note.clone());
                current.schedule.state.note = Some("mine".to_owned());
                current.schedule.policy.overlap = ScheduleOverlapPolicy::AllowAll;
                Some(ScheduleUpdate::new(current.schedule))
            })
            .timeout(Duration::from_secs(30))
            .await
            .expect("update");
        assert_eq!(calls.load(Ordering::SeqCst), 2, "one conflict, one retry");
        assert_eq!(
            seen_notes.lock().unwrap()[1].as_deref(),
            Some("theirs"),
            "the retry sees the competing update"
        );
        let after = handle.describe().await.expect("describe");
        assert_eq!(after.schedule.state.note.as_deref(), Some("mine"));
        assert_eq!(
            after.schedule.policy.overlap,
            ScheduleOverlapPolicy::AllowAll
        );
        assert!(after.info.last_updated_at.is_some());
        handle.delete().await.expect("delete");
    })
    .await;
}

#[tokio::test]
async fn backfill_over_a_past_range() {
    on_every_backend(|backend| async move {
        let id = backend.id("sched-backfill");
        let spec = ScheduleSpec::new().interval(Duration::from_secs(60));
        let schedule = echo_schedule(&backend, &id, spec).state(ScheduleState::new().paused(true));
        let Some(handle) = create(&backend, &id, schedule).await else {
            return;
        };
        // Three minute marks in the range, whatever the current second.
        let now = SystemTime::now();
        let secs = now.duration_since(UNIX_EPOCH).unwrap().as_secs();
        let last_mark = UNIX_EPOCH + Duration::from_secs(secs - secs % 60 - 60);
        let start = last_mark - Duration::from_secs(120);
        handle
            .backfill([
                ScheduleBackfill::new(start, last_mark).overlap(ScheduleOverlapPolicy::AllowAll)
            ])
            .await
            .expect("backfill");
        let actions = backend
            .eventually("three backfilled actions", || {
                let handle = handle.clone();
                async move {
                    let d = handle.describe().await.expect("describe");
                    (d.info.recent_actions.len() >= 3).then_some(d.info.recent_actions)
                }
            })
            .await;
        let mut scheduled: Vec<_> = actions.iter().map(|a| a.scheduled_at.unwrap()).collect();
        scheduled.sort();
        assert_eq!(
            scheduled,
            [start, start + Duration::from_secs(60), last_mark],
            "one action per minute mark of the range, although paused"
        );
        handle.delete().await.expect("delete");
    })
    .await;
}

#[tokio::test]
async fn overlap_policies_with_a_slow_workflow() {
    on_every_backend(|backend| async move {
        for (policy, running, skipped) in [
            (ScheduleOverlapPolicy::Skip, 1, 2),
            (ScheduleOverlapPolicy::BufferOne, 1, 1),
            (ScheduleOverlapPolicy::AllowAll, 3, 0),
        ] {
            let id = backend.id(&format!("sched-overlap-{policy:?}").to_lowercase());
            let schedule = Schedule::new(
                ScheduleAction::start_workflow(
                    SLEEP.name(),
                    WorkflowOptions::new(&id, &backend.task_queue).args((8_000u64,)),
                ),
                long_interval(),
            )
            .policy(SchedulePolicy::new().overlap(policy))
            .state(ScheduleState::new().paused(true));
            let Some(handle) = create(&backend, &id, schedule).await else {
                return;
            };
            // A triggered workflow's id ends with the trigger time in seconds: one
            // trigger per second keeps the ids apart.
            for i in 0..3 {
                if i > 0 {
                    backend
                        .with_time(
                            Duration::from_millis(1100),
                            tokio::time::sleep(Duration::from_millis(1100)),
                        )
                        .await;
                }
                handle.trigger().await.expect("trigger");
            }
            let info = backend
                .eventually(&format!("{policy:?}: the triggers handled"), || {
                    let handle = handle.clone();
                    async move {
                        let info = handle.describe().await.expect("describe").info;
                        let handled = info.num_actions
                            + info.num_actions_skipped_overlap
                            + info.buffer_size
                            + info.num_buffer_dropped;
                        (handled >= 3).then_some(info)
                    }
                })
                .await;
            // The server tracks running workflows only for the policies that need
            // them: under AllowAll the recent actions' statuses say what runs.
            let running_now = if policy == ScheduleOverlapPolicy::AllowAll {
                info.recent_actions
                    .iter()
                    .filter(|a| a.workflow_status == Some(WorkflowExecutionStatus::Running))
                    .count()
            } else {
                info.running_workflows.len()
            };
            assert_eq!(running_now, running, "{policy:?}: running: {info:?}");
            match policy {
                ScheduleOverlapPolicy::Skip => {
                    assert_eq!(
                        info.num_actions_skipped_overlap, skipped,
                        "Skip: skipped: {info:?}"
                    );
                }
                ScheduleOverlapPolicy::BufferOne => {
                    assert_eq!(info.buffer_size, 1, "BufferOne: one waiting: {info:?}");
                    // The server counts the trigger that finds the buffer full as
                    // skipped, not as dropped.
                    assert_eq!(
                        info.num_actions_skipped_overlap, skipped,
                        "BufferOne: one skipped: {info:?}"
                    );
                    assert_eq!(info.num_buffer_dropped, 0, "BufferOne: {info:?}");
                }
                _ => assert_eq!(info.num_actions, 3, "AllowAll: all started: {info:?}"),
            }
            handle.delete().await.expect("delete");
        }
    })
    .await;
}

#[tokio::test]
async fn cron_strings_are_parsed_by_the_server() {
    on_every_backend(|backend| async move {
        let id = backend.id("sched-cron");
        let spec = ScheduleSpec::new().cron("CRON_TZ=Europe/Paris 0 9 * * MON-FRI");
        let Some(handle) = create(&backend, &id, echo_schedule(&backend, &id, spec)).await else {
            return;
        };
        let spec = handle.describe().await.expect("describe").schedule.spec;
        assert!(spec.cron_expressions.is_empty(), "{spec:?}");
        assert_eq!(spec.time_zone_name.as_deref(), Some("Europe/Paris"));
        assert_eq!(spec.calendars.len(), 1, "{spec:?}");
        let calendar = &spec.calendars[0];
        assert_eq!(calendar.hour, [ScheduleRange::single(9)]);
        assert_eq!(calendar.minute, [ScheduleRange::single(0)]);
        assert_eq!(calendar.day_of_week, [ScheduleRange::new(1, 5)]);
        handle.delete().await.expect("delete");

        // A cron the server cannot read, and a zone name spelled in lower case (the
        // server's Go reads zone names exactly).
        let refused = [
            (
                ScheduleSpec::new().cron("not a cron"),
                "Invalid schedule spec",
            ),
            (
                ScheduleSpec::new()
                    .calendar(CalendarSpec::new().hour([ScheduleRange::single(9)]))
                    .time_zone_name("europe/paris"),
                "unknown time zone europe/paris",
            ),
        ];
        for (spec, says) in refused {
            let err = backend
                .client
                .schedules()
                .create(
                    backend.id("sched-refused"),
                    echo_schedule(&backend, &id, spec),
                )
                .await
                .unwrap_err();
            let service = err.service_error().expect("the server's error");
            assert_eq!(
                service.code(),
                temporal_client::Code::InvalidArgument,
                "{err:?}"
            );
            assert!(service.message().contains(says), "{err:?}");
        }
    })
    .await;
}

/// List queries: by id, by pause state and by the schedule's own search attributes,
/// and the server's refusals of workflow attributes, unknown names and wrong types.
#[tokio::test]
async fn list_queries_filter_by_id_pause_and_search_attributes() {
    on_every_backend(|backend| async move {
        let stage = backend.id("sched-stage");
        let (running, paused) = (backend.id("sched-q-run"), backend.id("sched-q-paused"));
        for (id, count, pause) in [(&running, 1, false), (&paused, 5, true)] {
            let schedule = echo_schedule(&backend, id, long_interval())
                .state(ScheduleState::new().paused(pause));
            backend
                .client
                .schedules()
                .create(id, schedule)
                .search_attribute(&STAGE, stage.clone())
                .search_attribute(&COUNT, count)
                .await
                .expect("create");
        }
        let ids = |query: String| {
            let client = backend.client.clone();
            async move {
                let mut ids: Vec<String> = client
                    .schedules()
                    .list(query)
                    .into_vec()
                    .await
                    .expect("list")
                    .into_iter()
                    .map(|s| s.id)
                    .collect();
                ids.sort();
                ids
            }
        };
        let both = format!("ConformanceStage = '{stage}'");
        let mut sorted = vec![running.clone(), paused.clone()];
        sorted.sort();
        // Visibility is eventually consistent, and the scheduler records the pause
        // state a moment after the schedule first shows up.
        for (query, expected) in [
            (both.clone(), sorted),
            (
                format!("{both} AND TemporalSchedulePaused = true"),
                vec![paused.clone()],
            ),
            (
                format!("{both} AND NOT TemporalSchedulePaused = true"),
                vec![running.clone()],
            ),
            (
                format!("{both} AND ConformanceCount > 2"),
                vec![paused.clone()],
            ),
            (format!("ScheduleId = '{running}'"), vec![running.clone()]),
            (
                format!("ScheduleId IN ('{running}', '{paused}') AND ConformanceCount < 3"),
                vec![running.clone()],
            ),
        ] {
            backend
                .eventually(&query, || {
                    let listed = ids(query.clone());
                    let expected = expected.clone();
                    async move { (listed.await == expected).then_some(()) }
                })
                .await;
        }

        for (query, says) in [
            ("WorkflowId = 'x'", "cannot filter on \"WorkflowId\""),
            (
                "ExecutionStatus = 'Running'",
                "cannot filter on \"ExecutionStatus\"",
            ),
            (
                "NoSuchAttribute = 1",
                "invalid search attribute: NoSuchAttribute",
            ),
            ("TemporalSchedulePaused = 'yes'", "invalid expression"),
        ] {
            let err = backend
                .client
                .schedules()
                .list(query)
                .into_vec()
                .await
                .expect_err(query);
            let service = err.service_error().expect("the server's error");
            assert_eq!(
                service.code(),
                temporal_client::Code::InvalidArgument,
                "[{}] {query}: {err:?}",
                backend.kind
            );
            assert!(
                service.message().contains(says),
                "[{}] {query}: {err:?}",
                backend.kind
            );
        }

        for id in [&running, &paused] {
            backend
                .client
                .schedules()
                .get_handle(id)
                .delete()
                .await
                .expect("delete");
        }
    })
    .await;
}
