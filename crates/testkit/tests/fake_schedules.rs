//! FakeServer schedules at the proto level: spec evaluation on the virtual clock, every
//! overlap policy with a slow workflow, pause, pause on failure, trigger, backfill,
//! limited actions, time zones across a DST change, describe, list and errors. Expected
//! values come from the dev server's answers (see `src/fake/schedules/`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use temporal_client_core::proto::protobuf;
use temporal_client_core::proto::temporal::api::common::v1::{
    Memo, Payload, Payloads, WorkflowExecution, WorkflowType,
};
use temporal_client_core::proto::temporal::api::enums::v1::{
    ScheduleOverlapPolicy as Overlap, WorkflowExecutionStatus as Status,
};
use temporal_client_core::proto::temporal::api::schedule::v1::{
    BackfillRequest, IntervalSpec, Range, Schedule, ScheduleAction, SchedulePatch,
    SchedulePolicies, ScheduleSpec, ScheduleState, TriggerImmediatelyRequest,
    schedule_action::Action,
};
use temporal_client_core::proto::temporal::api::taskqueue::v1::TaskQueue;
use temporal_client_core::proto::temporal::api::workflow::v1::NewWorkflowExecutionInfo;
use temporal_client_core::proto::temporal::api::workflowservice::v1 as wf;
use temporal_client_core::{Code, WorkflowService};
use temporal_testkit::{FakeServer, WorkflowContext, WorkflowFailure, WorkflowResult};

/// 2024-01-01T00:00:00Z, a Monday: the fake's start time.
const T0: u64 = 1_704_067_200;

fn at(offset_secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(T0 + offset_secs)
}

fn secs_of(t: &protobuf::Timestamp) -> i64 {
    t.seconds - T0 as i64
}

fn dur(s: i64) -> Option<protobuf::Duration> {
    Some(protobuf::Duration {
        seconds: s,
        nanos: 0,
    })
}

fn ts(t: SystemTime) -> Option<protobuf::Timestamp> {
    let d = t.duration_since(UNIX_EPOCH).unwrap();
    Some(protobuf::Timestamp {
        seconds: d.as_secs() as i64,
        nanos: 0,
    })
}

/// A fake with `slow(seconds)` (sleeps, or ends canceled when asked), `quick()` and
/// `fail()` registered.
fn fake() -> FakeServer {
    fake_from(FakeServer::new())
}

fn fake_from(fake: FakeServer) -> FakeServer {
    fake.register_workflow("slow", |ctx: WorkflowContext| async move {
        let (secs,): (u64,) = ctx.args()?;
        let sleep = ctx.sleep(Duration::from_secs(secs));
        let cancelled = ctx.cancelled();
        tokio::pin!(sleep, cancelled);
        tokio::select! {
            _ = &mut sleep => Ok::<_, WorkflowFailure>(WorkflowResult::completed("done")),
            _ = &mut cancelled => Ok(WorkflowResult::canceled()),
        }
    });
    fake.register_workflow("quick", |_ctx: WorkflowContext| async move {
        WorkflowResult::completed("done")
    });
    fake.register_workflow("fail", |_ctx: WorkflowContext| async move {
        WorkflowResult::failed(WorkflowFailure::application("boom").non_retryable())
    });
    fake
}

fn json(v: serde_json::Value) -> Payload {
    Payload {
        metadata: [("encoding".to_owned(), b"json/plain".to_vec())].into(),
        data: v.to_string().into_bytes(),
        ..Default::default()
    }
}

fn action(workflow_type: &str, args: &[serde_json::Value]) -> Option<ScheduleAction> {
    Some(ScheduleAction {
        action: Some(Action::StartWorkflow(NewWorkflowExecutionInfo {
            workflow_id: "wf".into(),
            workflow_type: Some(WorkflowType {
                name: workflow_type.into(),
            }),
            task_queue: Some(TaskQueue {
                name: "tq".into(),
                ..Default::default()
            }),
            input: Some(Payloads {
                payloads: args.iter().cloned().map(json).collect(),
            }),
            ..Default::default()
        })),
    })
}

fn every(s: i64) -> ScheduleSpec {
    ScheduleSpec {
        interval: vec![IntervalSpec {
            interval: dur(s),
            phase: None,
        }],
        ..Default::default()
    }
}

fn create(
    id: &str,
    spec: ScheduleSpec,
    action: Option<ScheduleAction>,
) -> wf::CreateScheduleRequest {
    wf::CreateScheduleRequest {
        namespace: "default".into(),
        schedule_id: id.into(),
        schedule: Some(Schedule {
            spec: Some(spec),
            action,
            policies: None,
            state: None,
        }),
        request_id: format!("create-{id}"),
        ..Default::default()
    }
}

fn with_overlap(mut r: wf::CreateScheduleRequest, overlap: Overlap) -> wf::CreateScheduleRequest {
    r.schedule.as_mut().unwrap().policies = Some(SchedulePolicies {
        overlap_policy: overlap as i32,
        ..Default::default()
    });
    r
}

async fn describe(fake: &FakeServer, id: &str) -> wf::DescribeScheduleResponse {
    fake.describe_schedule(
        wf::DescribeScheduleRequest {
            namespace: "default".into(),
            schedule_id: id.into(),
        }
        .into(),
    )
    .await
    .unwrap()
}

async fn patch(fake: &FakeServer, id: &str, patch: SchedulePatch) {
    fake.patch_schedule(
        wf::PatchScheduleRequest {
            namespace: "default".into(),
            schedule_id: id.into(),
            patch: Some(patch),
            ..Default::default()
        }
        .into(),
    )
    .await
    .unwrap();
}

async fn workflow_status(fake: &FakeServer, w: &WorkflowExecution) -> Status {
    let d = fake
        .describe_workflow_execution(
            wf::DescribeWorkflowExecutionRequest {
                namespace: "default".into(),
                execution: Some(w.clone()),
            }
            .into(),
        )
        .await
        .unwrap();
    Status::try_from(d.workflow_execution_info.unwrap().status).unwrap()
}

/// (schedule time, actual time) of each recent action, in seconds after T0.
fn actions(d: &wf::DescribeScheduleResponse) -> Vec<(i64, i64)> {
    d.info
        .as_ref()
        .unwrap()
        .recent_actions
        .iter()
        .map(|a| {
            (
                secs_of(a.schedule_time.as_ref().unwrap()),
                secs_of(a.actual_time.as_ref().unwrap()),
            )
        })
        .collect()
}

fn workflow_ids(d: &wf::DescribeScheduleResponse) -> Vec<String> {
    d.info
        .as_ref()
        .unwrap()
        .recent_actions
        .iter()
        .map(|a| {
            a.start_workflow_result
                .as_ref()
                .unwrap()
                .workflow_id
                .clone()
        })
        .collect()
}

#[tokio::test]
async fn a_week_of_a_weekday_cron_fires_each_run_in_place() {
    let fake = fake();
    let spec = ScheduleSpec {
        cron_string: vec!["30 9 * * MON-FRI".into()],
        ..Default::default()
    };
    fake.create_schedule(create("weekdays", spec, action("quick", &[])).into())
        .await
        .unwrap();
    fake.advance(Duration::from_secs(7 * 86_400));
    let d = describe(&fake, "weekdays").await;
    let day = 86_400;
    let nine_thirty = 9 * 3600 + 1800;
    let expected: Vec<(i64, i64)> = (0..5)
        .map(|i| (i * day + nine_thirty, i * day + nine_thirty))
        .collect();
    assert_eq!(actions(&d), expected);
    assert_eq!(
        workflow_ids(&d),
        (1..=5)
            .map(|day| format!("wf-2024-01-0{day}T09:30:00Z"))
            .collect::<Vec<_>>()
    );
    let info = d.info.unwrap();
    assert_eq!(info.action_count, 5);
    assert!(info.running_workflows.is_empty());
    let completed = info.recent_actions[0].start_workflow_status;
    assert_eq!(completed, Status::Completed as i32);
    // Next Monday 09:30 is the first future action time.
    assert_eq!(secs_of(&info.future_action_times[0]), 7 * day + nine_thirty);
    assert_eq!(info.future_action_times.len(), 10);
}

#[tokio::test]
async fn intervals_with_a_phase_fire_on_time_and_tag_their_workflows() {
    let fake = fake();
    let spec = ScheduleSpec {
        interval: vec![IntervalSpec {
            interval: dur(3600),
            phase: dur(900),
        }],
        ..Default::default()
    };
    fake.create_schedule(create("hourly", spec, action("slow", &[json!(60)])).into())
        .await
        .unwrap();
    fake.advance(Duration::from_secs(3 * 3600));
    let d = describe(&fake, "hourly").await;
    assert_eq!(actions(&d), vec![(900, 900), (4500, 4500), (8100, 8100)]);
    let first = d.info.as_ref().unwrap().recent_actions[0]
        .start_workflow_result
        .clone()
        .unwrap();
    assert_eq!(first.workflow_id, "wf-2024-01-01T00:15:00Z");
    let info = fake
        .describe_workflow_execution(
            wf::DescribeWorkflowExecutionRequest {
                namespace: "default".into(),
                execution: Some(first),
            }
            .into(),
        )
        .await
        .unwrap()
        .workflow_execution_info
        .unwrap();
    assert_eq!(info.start_time.unwrap().seconds, T0 as i64 + 900);
    let sa = info.search_attributes.unwrap().indexed_fields;
    assert_eq!(sa["TemporalScheduledById"].data, b"\"hourly\"");
    assert_eq!(
        sa["TemporalScheduledStartTime"].data,
        b"\"2024-01-01T00:15:00Z\""
    );
    assert_eq!(info.memo.unwrap_or_default().fields.len(), 0);
}

use serde_json::json;

/// Interval 60 s, a workflow of 150 s, five minutes: the start at 60 runs until 210.
async fn overlap_run(policy: Overlap) -> (FakeServer, wf::DescribeScheduleResponse) {
    let fake = fake();
    let r = with_overlap(
        create("o", every(60), action("slow", &[json!(150)])),
        policy,
    );
    fake.create_schedule(r.into()).await.unwrap();
    fake.advance(Duration::from_secs(300));
    let d = describe(&fake, "o").await;
    (fake, d)
}

#[tokio::test]
async fn skip_drops_starts_while_one_runs() {
    let (_, d) = overlap_run(Overlap::Skip).await;
    assert_eq!(actions(&d), vec![(60, 60), (240, 240)]);
    let info = d.info.unwrap();
    assert_eq!((info.action_count, info.overlap_skipped), (2, 3));
    assert_eq!(info.running_workflows.len(), 1);
}

#[tokio::test]
async fn buffer_one_keeps_one_start_for_when_the_run_ends() {
    let (_, d) = overlap_run(Overlap::BufferOne).await;
    // 120 waits for the first run to end at 210; 180 is dropped; 240 waits.
    assert_eq!(actions(&d), vec![(60, 60), (120, 210)]);
    let info = d.info.unwrap();
    assert_eq!((info.action_count, info.overlap_skipped), (2, 2));
    assert_eq!(info.buffer_size, 1);
}

#[tokio::test]
async fn buffer_all_keeps_every_start() {
    let (_, d) = overlap_run(Overlap::BufferAll).await;
    assert_eq!(actions(&d), vec![(60, 60), (120, 210)]);
    let info = d.info.unwrap();
    assert_eq!((info.action_count, info.overlap_skipped), (2, 0));
    assert_eq!(info.buffer_size, 3);
}

#[tokio::test]
async fn allow_all_starts_every_time() {
    let (_, d) = overlap_run(Overlap::AllowAll).await;
    assert_eq!(
        actions(&d),
        vec![(60, 60), (120, 120), (180, 180), (240, 240), (300, 300)]
    );
    // As on the dev server, AllowAll starts are not watched: no running workflows, and
    // the first one's recent action still says Running though it ended at 210.
    let info = d.info.unwrap();
    assert!(info.running_workflows.is_empty());
    assert_eq!(
        info.recent_actions[0].start_workflow_status,
        Status::Running as i32
    );
}

#[tokio::test]
async fn cancel_other_cancels_the_running_workflow_then_starts() {
    let (fake, d) = overlap_run(Overlap::CancelOther).await;
    assert_eq!(
        actions(&d),
        vec![(60, 60), (120, 120), (180, 180), (240, 240), (300, 300)]
    );
    let info = d.info.unwrap();
    let first = info.recent_actions[0]
        .start_workflow_result
        .clone()
        .unwrap();
    assert_eq!(workflow_status(&fake, &first).await, Status::Canceled);
    assert_eq!(info.running_workflows.len(), 1);
}

#[tokio::test]
async fn terminate_other_terminates_the_running_workflow_then_starts() {
    let (fake, d) = overlap_run(Overlap::TerminateOther).await;
    assert_eq!(actions(&d).len(), 5);
    let info = d.info.unwrap();
    let first = info.recent_actions[0]
        .start_workflow_result
        .clone()
        .unwrap();
    assert_eq!(workflow_status(&fake, &first).await, Status::Terminated);
    assert_eq!(
        info.recent_actions[0].start_workflow_status,
        Status::Terminated as i32
    );
    assert_eq!(info.running_workflows.len(), 1);
}

#[tokio::test]
async fn pause_drops_due_times_and_unpause_resumes() {
    let fake = fake();
    fake.create_schedule(create("p", every(60), action("quick", &[])).into())
        .await
        .unwrap();
    patch(
        &fake,
        "p",
        SchedulePatch {
            pause: "hold on".into(),
            ..Default::default()
        },
    )
    .await;
    fake.advance(Duration::from_secs(300));
    let d = describe(&fake, "p").await;
    let state = d.schedule.as_ref().unwrap().state.clone().unwrap();
    assert!(state.paused);
    assert_eq!(state.notes, "hold on");
    assert_eq!(d.info.as_ref().unwrap().action_count, 0);
    assert_eq!(d.conflict_token, 2u64.to_be_bytes());
    patch(
        &fake,
        "p",
        SchedulePatch {
            unpause: "go".into(),
            ..Default::default()
        },
    )
    .await;
    fake.advance(Duration::from_secs(120));
    let d = describe(&fake, "p").await;
    // Nothing from the paused five minutes is caught up.
    assert_eq!(actions(&d), vec![(360, 360), (420, 420)]);
    let state = d.schedule.unwrap().state.unwrap();
    assert_eq!((state.paused, state.notes.as_str()), (false, "go"));
}

#[tokio::test]
async fn pause_on_failure_pauses_after_a_failed_run() {
    let fake = fake();
    let mut r = create("pf", every(60), action("fail", &[]));
    r.schedule.as_mut().unwrap().policies = Some(SchedulePolicies {
        pause_on_failure: true,
        ..Default::default()
    });
    fake.create_schedule(r.into()).await.unwrap();
    fake.advance(Duration::from_secs(300));
    let d = describe(&fake, "pf").await;
    assert_eq!(actions(&d), vec![(60, 60)]);
    let state = d.schedule.unwrap().state.unwrap();
    assert!(state.paused);
    assert_eq!(
        state.notes,
        "paused due to workflow failure: wf-2024-01-01T00:01:00Z: boom"
    );
    assert_eq!(
        d.info.unwrap().recent_actions[0].start_workflow_status,
        Status::Failed as i32
    );
}

#[tokio::test]
async fn trigger_starts_now_even_when_paused_with_its_overlap_policy() {
    let fake = fake();
    let mut r = create("t", every(3600), action("slow", &[json!(600)]));
    r.schedule.as_mut().unwrap().state = Some(ScheduleState {
        paused: true,
        ..Default::default()
    });
    fake.create_schedule(r.into()).await.unwrap();
    fake.advance(Duration::from_secs(30));
    let trigger = |overlap: Overlap| SchedulePatch {
        trigger_immediately: Some(TriggerImmediatelyRequest {
            overlap_policy: overlap as i32,
            ..Default::default()
        }),
        ..Default::default()
    };
    patch(&fake, "t", trigger(Overlap::Unspecified)).await;
    fake.advance(Duration::from_secs(30));
    // The schedule's Skip: a second trigger while the first runs is skipped...
    patch(&fake, "t", trigger(Overlap::Unspecified)).await;
    // ...but AllowAll on the trigger itself starts anyway.
    patch(&fake, "t", trigger(Overlap::AllowAll)).await;
    let d = describe(&fake, "t").await;
    assert_eq!(actions(&d), vec![(30, 30), (60, 60)]);
    assert_eq!(
        workflow_ids(&d),
        vec!["wf-2024-01-01T00:00:30Z", "wf-2024-01-01T00:01:00Z"]
    );
    assert_eq!(d.info.unwrap().overlap_skipped, 1);
}

#[tokio::test]
async fn backfill_runs_each_past_time_with_its_overlap_policy() {
    let fake = fake_from(FakeServer::builder().start_time(at(10 * 3600)).build());
    fake.create_schedule(create("b", every(3600), action("slow", &[json!(7200)])).into())
        .await
        .unwrap();
    patch(
        &fake,
        "b",
        SchedulePatch {
            backfill_request: vec![BackfillRequest {
                start_time: ts(at(6 * 3600 + 1)),
                end_time: ts(at(9 * 3600)),
                overlap_policy: Overlap::AllowAll as i32,
            }],
            ..Default::default()
        },
    )
    .await;
    let d = describe(&fake, "b").await;
    let now = 10 * 3600;
    assert_eq!(
        actions(&d),
        vec![(7 * 3600, now), (8 * 3600, now), (9 * 3600, now)]
    );
    assert_eq!(workflow_ids(&d)[0], "wf-2024-01-01T07:00:00Z");
}

#[tokio::test]
async fn limited_actions_stop_when_used_up() {
    let fake = fake();
    let mut r = create("l", every(60), action("quick", &[]));
    r.schedule.as_mut().unwrap().state = Some(ScheduleState {
        limited_actions: true,
        remaining_actions: 2,
        ..Default::default()
    });
    fake.create_schedule(r.into()).await.unwrap();
    assert_eq!(
        describe(&fake, "l")
            .await
            .info
            .unwrap()
            .future_action_times
            .len(),
        2
    );
    fake.advance(Duration::from_secs(600));
    let d = describe(&fake, "l").await;
    assert_eq!(actions(&d), vec![(60, 60), (120, 120)]);
    let state = d.schedule.unwrap().state.unwrap();
    assert_eq!((state.limited_actions, state.remaining_actions), (true, 0));
    assert!(d.info.unwrap().future_action_times.is_empty());
}

#[tokio::test]
async fn keep_original_workflow_id_uses_the_id_as_given() {
    let fake = fake();
    let mut r = create("k", every(60), action("quick", &[]));
    r.schedule.as_mut().unwrap().policies = Some(SchedulePolicies {
        keep_original_workflow_id: true,
        ..Default::default()
    });
    fake.create_schedule(r.into()).await.unwrap();
    fake.advance(Duration::from_secs(60));
    assert_eq!(workflow_ids(&describe(&fake, "k").await), vec!["wf"]);
}

#[tokio::test]
async fn time_zones_follow_a_dst_change() {
    // 2024-03-08T00:00Z; New York springs forward on 2024-03-10 (02:00 EST -> 03:00 EDT).
    let start = UNIX_EPOCH + Duration::from_secs(1_709_856_000);
    let fake = fake_from(FakeServer::builder().start_time(start).build());
    let spec = ScheduleSpec {
        cron_string: vec!["CRON_TZ=America/New_York 30 2 * * *".into()],
        ..Default::default()
    };
    fake.create_schedule(create("ny", spec, action("quick", &[])).into())
        .await
        .unwrap();
    fake.advance(Duration::from_secs(4 * 86_400));
    let d = describe(&fake, "ny").await;
    let times: Vec<String> = workflow_ids(&d);
    assert_eq!(
        times,
        vec![
            "wf-2024-03-08T07:30:00Z",
            "wf-2024-03-09T07:30:00Z",
            // 02:30 does not exist on the 10th: no run that day, as on the dev server.
            "wf-2024-03-11T06:30:00Z",
        ]
    );
    let spec = d.schedule.unwrap().spec.unwrap();
    assert_eq!(spec.timezone_name, "America/New_York");
    assert!(spec.cron_string.is_empty());
    let m = fake
        .list_schedule_matching_times(
            wf::ListScheduleMatchingTimesRequest {
                namespace: "default".into(),
                schedule_id: "ny".into(),
                start_time: ts(start),
                end_time: ts(start + Duration::from_secs(2 * 86_400)),
            }
            .into(),
        )
        .await
        .unwrap();
    let got: Vec<i64> = m.start_time.iter().map(|t| t.seconds).collect();
    assert_eq!(got, vec![1_709_883_000, 1_709_969_400]);
}

#[tokio::test]
async fn describe_shows_the_compiled_spec_defaults_and_conflict_token() {
    let fake = fake();
    let mut r = create(
        "d",
        ScheduleSpec {
            cron_string: vec!["0 12 * * MON".into(), "@every 90m".into()],
            ..Default::default()
        },
        action("quick", &[]),
    );
    r.memo = Some(Memo {
        fields: [("owner".to_owned(), json(json!("ops")))].into(),
    });
    let created = fake.create_schedule(r.into()).await.unwrap();
    assert_eq!(created.conflict_token, 1u64.to_be_bytes());
    let d = describe(&fake, "d").await;
    let schedule = d.schedule.clone().unwrap();
    let spec = schedule.spec.clone().unwrap();
    let one = |v: i32| Range {
        start: v,
        end: v,
        step: 1,
    };
    assert_eq!(spec.structured_calendar.len(), 1);
    assert_eq!(spec.structured_calendar[0].hour, vec![one(12)]);
    assert_eq!(spec.structured_calendar[0].day_of_week, vec![one(1)]);
    assert_eq!(spec.interval[0].interval, dur(5400));
    let policies = schedule.policies.unwrap();
    assert_eq!(policies.overlap_policy, Overlap::Skip as i32);
    assert_eq!(policies.catchup_window, dur(365 * 86_400));
    assert_eq!(d.memo.unwrap().fields["owner"].data, b"\"ops\"");
    let info = d.info.unwrap();
    assert_eq!(info.create_time.unwrap().seconds, T0 as i64);
    assert!(info.update_time.is_none());
    // 01:30, 03:00, 04:30, ... then Monday noon in between.
    assert_eq!(secs_of(&info.future_action_times[0]), 5400);

    // A stale conflict token: accepted and ignored, as on the dev server.
    let mut changed = schedule.clone();
    changed.spec = Some(every(60));
    let update = |token: Vec<u8>, s: Schedule| wf::UpdateScheduleRequest {
        namespace: "default".into(),
        schedule_id: "d".into(),
        schedule: Some(s),
        conflict_token: token,
        request_id: "u".into(),
        ..Default::default()
    };
    fake.update_schedule(update(9u64.to_be_bytes().to_vec(), changed.clone()).into())
        .await
        .unwrap();
    let d = describe(&fake, "d").await;
    assert_eq!(d.conflict_token, 1u64.to_be_bytes());
    assert_eq!(
        d.schedule.unwrap().spec.unwrap().structured_calendar.len(),
        1
    );
    fake.update_schedule(update(1u64.to_be_bytes().to_vec(), changed).into())
        .await
        .unwrap();
    let d = describe(&fake, "d").await;
    assert_eq!(d.conflict_token, 2u64.to_be_bytes());
    assert!(
        d.schedule
            .unwrap()
            .spec
            .unwrap()
            .structured_calendar
            .is_empty()
    );
    assert!(d.info.unwrap().update_time.is_some());
}

#[tokio::test]
async fn list_pages_through_schedules_with_memo_and_info() {
    let fake = fake();
    for id in ["a", "b", "c"] {
        let mut r = create(id, every(60), action("quick", &[]));
        r.memo = Some(Memo {
            fields: [("id".to_owned(), json(json!(id)))].into(),
        });
        fake.create_schedule(r.into()).await.unwrap();
    }
    fake.advance(Duration::from_secs(60));
    let list = |token: Vec<u8>| wf::ListSchedulesRequest {
        namespace: "default".into(),
        maximum_page_size: 2,
        next_page_token: token,
        query: String::new(),
    };
    let first = fake.list_schedules(list(Vec::new()).into()).await.unwrap();
    assert_eq!(first.schedules.len(), 2);
    assert!(!first.next_page_token.is_empty());
    let second = fake
        .list_schedules(list(first.next_page_token.clone()).into())
        .await
        .unwrap();
    assert_eq!(second.schedules.len(), 1);
    assert!(second.next_page_token.is_empty());
    let entry = &first.schedules[0];
    assert_eq!(entry.schedule_id, "a");
    assert_eq!(entry.memo.as_ref().unwrap().fields["id"].data, b"\"a\"");
    let info = entry.info.as_ref().unwrap();
    assert_eq!(info.workflow_type.as_ref().unwrap().name, "quick");
    assert_eq!(info.recent_actions.len(), 1);
    assert_eq!(info.future_action_times.len(), 5);
    let count = fake
        .count_schedules(
            wf::CountSchedulesRequest {
                namespace: "default".into(),
                query: String::new(),
            }
            .into(),
        )
        .await
        .unwrap();
    assert_eq!(count.count, 3);
}

#[tokio::test]
async fn errors_match_the_dev_server() {
    let fake = fake();
    fake.create_schedule(create("e", every(60), action("quick", &[])).into())
        .await
        .unwrap();
    let mut again = create("e", every(60), action("quick", &[]));
    again.request_id = "other".into();
    let err = fake.create_schedule(again.into()).await.unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
    assert_eq!(err.message(), "schedule \"e\" is already registered");
    // The same request id again is the same create.
    fake.create_schedule(create("e", every(60), action("quick", &[])).into())
        .await
        .unwrap();

    let missing = "workflow not found for ID: temporal-sys-scheduler:nope";
    let err = fake
        .describe_schedule(
            wf::DescribeScheduleRequest {
                namespace: "default".into(),
                schedule_id: "nope".into(),
            }
            .into(),
        )
        .await
        .unwrap_err();
    assert_eq!((err.code(), err.message()), (Code::NotFound, missing));
    let err = fake
        .patch_schedule(
            wf::PatchScheduleRequest {
                namespace: "default".into(),
                schedule_id: "nope".into(),
                patch: Some(SchedulePatch::default()),
                ..Default::default()
            }
            .into(),
        )
        .await
        .unwrap_err();
    assert_eq!((err.code(), err.message()), (Code::NotFound, missing));
    let delete = |id: &str| wf::DeleteScheduleRequest {
        namespace: "default".into(),
        schedule_id: id.into(),
        identity: String::new(),
    };
    let err = fake
        .delete_schedule(delete("nope").into())
        .await
        .unwrap_err();
    assert_eq!((err.code(), err.message()), (Code::NotFound, missing));

    for (spec, message) in [
        (
            ScheduleSpec {
                cron_string: vec!["0 0 * *".into()],
                ..Default::default()
            },
            "Invalid schedule spec: CronString does not have 5-7 fields",
        ),
        (every(0), "Invalid schedule spec: interval is too small"),
        (
            ScheduleSpec {
                interval: vec![IntervalSpec {
                    interval: dur(60),
                    phase: dur(60),
                }],
                ..Default::default()
            },
            "Invalid schedule spec: phase cannot be greater than Interval",
        ),
        (
            ScheduleSpec {
                timezone_name: "Mars/X".into(),
                ..every(60)
            },
            "Invalid schedule spec: unknown time zone Mars/X",
        ),
        (
            ScheduleSpec {
                cron_string: vec!["0 0 L * *".into()],
                ..Default::default()
            },
            "Invalid schedule spec: DayOfMonth is not in range [1-31]",
        ),
    ] {
        let err = fake
            .create_schedule(create("bad", spec, action("quick", &[])).into())
            .await
            .unwrap_err();
        assert_eq!(
            (err.code(), err.message()),
            (Code::InvalidArgument, message)
        );
    }

    // Delete stops the schedule; its workflows keep running.
    fake.delete_schedule(delete("e").into()).await.unwrap();
    fake.advance(Duration::from_secs(600));
    let err = fake
        .describe_schedule(
            wf::DescribeScheduleRequest {
                namespace: "default".into(),
                schedule_id: "e".into(),
            }
            .into(),
        )
        .await
        .unwrap_err();
    assert!(err.is_not_found());
}
