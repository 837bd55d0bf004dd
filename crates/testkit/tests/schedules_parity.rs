//! The deterministic parts of schedules, run the same way on the FakeServer and on a dev
//! server (`TEMPORAL_ADDRESS`): the spec as describe returns it (cron strings compiled to
//! calendars, time zone, intervals with phase), defaulted policies, the conflict token,
//! pause notes, matching times across a DST change, and the error codes and messages.
//! Without `TEMPORAL_ADDRESS` the dev half prints SKIPPED, unless
//! `TEMPORAL_REQUIRE_SERVER=1`, where that is a failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use temporal_client_core::grpc::status_to_error;
use temporal_client_core::proto::protobuf;
use temporal_client_core::proto::temporal::api::common::v1::WorkflowType;
use temporal_client_core::proto::temporal::api::enums::v1::ScheduleOverlapPolicy;
use temporal_client_core::proto::temporal::api::schedule::v1::{
    IntervalSpec, Range, Schedule, ScheduleAction, SchedulePatch, ScheduleSpec, ScheduleState,
    schedule_action::Action,
};
use temporal_client_core::proto::temporal::api::taskqueue::v1::TaskQueue;
use temporal_client_core::proto::temporal::api::workflow::v1::NewWorkflowExecutionInfo;
use temporal_client_core::proto::temporal::api::workflowservice::v1 as wf;
use temporal_client_core::proto::temporal::api::workflowservice::v1::workflow_service_client::WorkflowServiceClient;
use temporal_client_core::{Code, ServiceError, WorkflowService};
use temporal_testkit::FakeServer;
use tonic::transport::Channel;

enum Backend {
    Fake(FakeServer),
    Dev(WorkflowServiceClient<Channel>),
}

macro_rules! call {
    ($b:expr, $method:ident, $rpc:literal, $req:expr) => {
        match $b {
            Backend::Fake(f) => f.$method($req.into()).await,
            Backend::Dev(c) => c
                .clone()
                .$method($req)
                .await
                .map(tonic::Response::into_inner)
                .map_err(|s| status_to_error($rpc, s)),
        }
    };
}

async fn backends() -> Vec<(&'static str, Backend)> {
    let mut out = vec![("fake", Backend::Fake(FakeServer::new()))];
    match std::env::var("TEMPORAL_ADDRESS") {
        Ok(address) => {
            let channel = tonic::transport::Endpoint::from_shared(format!("http://{address}"))
                .unwrap()
                .connect()
                .await
                .unwrap();
            out.push(("dev", Backend::Dev(WorkflowServiceClient::new(channel))));
        }
        Err(_) if std::env::var("TEMPORAL_REQUIRE_SERVER").as_deref() == Ok("1") => {
            panic!("TEMPORAL_REQUIRE_SERVER=1 but TEMPORAL_ADDRESS is not set")
        }
        Err(_) => eprintln!("SKIPPED dev half: TEMPORAL_ADDRESS is not set"),
    }
    out
}

fn action() -> Option<ScheduleAction> {
    Some(ScheduleAction {
        action: Some(Action::StartWorkflow(NewWorkflowExecutionInfo {
            workflow_id: "parity-wf".into(),
            workflow_type: Some(WorkflowType {
                name: "nobody-runs-this".into(),
            }),
            task_queue: Some(TaskQueue {
                name: "schedules-parity-no-worker".into(),
                ..Default::default()
            }),
            ..Default::default()
        })),
    })
}

fn create(id: &str, spec: ScheduleSpec, request_id: &str) -> wf::CreateScheduleRequest {
    wf::CreateScheduleRequest {
        namespace: "default".into(),
        schedule_id: id.into(),
        schedule: Some(Schedule {
            spec: Some(spec),
            action: action(),
            policies: None,
            // Paused: nothing starts, so the scenario does not depend on the clock.
            state: Some(ScheduleState {
                paused: true,
                notes: "parity".into(),
                ..Default::default()
            }),
        }),
        request_id: request_id.into(),
        ..Default::default()
    }
}

fn describe_req(id: &str) -> wf::DescribeScheduleRequest {
    wf::DescribeScheduleRequest {
        namespace: "default".into(),
        schedule_id: id.into(),
    }
}

fn delete_req(id: &str) -> wf::DeleteScheduleRequest {
    wf::DeleteScheduleRequest {
        namespace: "default".into(),
        schedule_id: id.into(),
        identity: String::new(),
    }
}

fn code_and_message(e: ServiceError) -> (Code, String) {
    (e.code(), e.message().to_owned())
}

fn ts(seconds: i64) -> Option<protobuf::Timestamp> {
    Some(protobuf::Timestamp { seconds, nanos: 0 })
}

fn one(v: i32) -> Range {
    Range {
        start: v,
        end: v,
        step: 1,
    }
}

#[tokio::test]
async fn schedules_describe_match_and_fail_alike_on_fake_and_dev_server() {
    for (name, b) in backends().await {
        let id = format!("parity-{}", uuid::Uuid::new_v4());
        let spec = ScheduleSpec {
            cron_string: vec!["30 2 * * *".into(), "@every 90m/5m".into()],
            timezone_name: "America/New_York".into(),
            ..Default::default()
        };
        let created = call!(
            &b,
            create_schedule,
            "CreateSchedule",
            create(&id, spec, "r1")
        );
        assert_eq!(
            created.unwrap().conflict_token,
            1u64.to_be_bytes(),
            "{name}"
        );

        let d = call!(&b, describe_schedule, "DescribeSchedule", describe_req(&id)).unwrap();
        let schedule = d.schedule.clone().unwrap();
        let spec = schedule.spec.clone().unwrap();
        assert_eq!(spec.timezone_name, "America/New_York", "{name}");
        assert!(spec.cron_string.is_empty(), "{name}");
        let cal = &spec.structured_calendar;
        assert_eq!(cal.len(), 1, "{name}");
        assert_eq!(
            (
                cal[0].second.clone(),
                cal[0].minute.clone(),
                cal[0].hour.clone()
            ),
            (vec![one(0)], vec![one(30)], vec![one(2)]),
            "{name}"
        );
        assert_eq!(
            cal[0].day_of_week,
            vec![Range {
                start: 0,
                end: 6,
                step: 1
            }],
            "{name}"
        );
        assert_eq!(
            spec.interval,
            vec![IntervalSpec {
                interval: Some(protobuf::Duration {
                    seconds: 5400,
                    nanos: 0
                }),
                phase: Some(protobuf::Duration {
                    seconds: 300,
                    nanos: 0
                }),
            }],
            "{name}"
        );
        let policies = schedule.policies.unwrap();
        assert_eq!(
            policies.overlap_policy,
            ScheduleOverlapPolicy::Skip as i32,
            "{name}"
        );
        assert_eq!(
            policies.catchup_window.unwrap().seconds,
            365 * 86_400,
            "{name}"
        );
        let state = schedule.state.unwrap();
        assert_eq!(
            (state.paused, state.notes.as_str()),
            (true, "parity"),
            "{name}"
        );
        assert_eq!(d.info.unwrap().future_action_times.len(), 10, "{name}");

        // Matching times across New York's spring-forward (2024-03-10), the cron only.
        let tz_id = format!("{id}-tz");
        let tz_spec = ScheduleSpec {
            cron_string: vec!["CRON_TZ=America/New_York 30 2 * * *".into()],
            ..Default::default()
        };
        call!(
            &b,
            create_schedule,
            "CreateSchedule",
            create(&tz_id, tz_spec, "r-tz")
        )
        .unwrap();
        let d = call!(
            &b,
            describe_schedule,
            "DescribeSchedule",
            describe_req(&tz_id)
        )
        .unwrap();
        let tz_spec = d.schedule.unwrap().spec.unwrap();
        assert_eq!(
            (
                tz_spec.timezone_name.as_str(),
                tz_spec.structured_calendar.len()
            ),
            ("America/New_York", 1),
            "{name}"
        );
        let m = call!(
            &b,
            list_schedule_matching_times,
            "ListScheduleMatchingTimes",
            wf::ListScheduleMatchingTimesRequest {
                namespace: "default".into(),
                schedule_id: tz_id.clone(),
                start_time: ts(1_709_856_000),
                end_time: ts(1_709_856_000 + 4 * 86_400),
            }
        )
        .unwrap();
        let secs: Vec<i64> = m.start_time.iter().map(|t| t.seconds).collect();
        assert_eq!(
            secs,
            // No run on the 10th: 02:30 does not exist there.
            vec![1_709_883_000, 1_709_969_400, 1_710_138_600],
            "{name}"
        );

        // Pause and unpause bump the token and set the note.
        let unpause = wf::PatchScheduleRequest {
            namespace: "default".into(),
            schedule_id: id.clone(),
            patch: Some(SchedulePatch {
                unpause: "go".into(),
                ..Default::default()
            }),
            request_id: "p1".into(),
            ..Default::default()
        };
        call!(&b, patch_schedule, "PatchSchedule", unpause).unwrap();
        let d = call!(&b, describe_schedule, "DescribeSchedule", describe_req(&id)).unwrap();
        assert_eq!(d.conflict_token, 2u64.to_be_bytes(), "{name}");
        let state = d.schedule.clone().unwrap().state.unwrap();
        assert_eq!(
            (state.paused, state.notes.as_str()),
            (false, "go"),
            "{name}"
        );

        // A stale conflict token is accepted and ignored.
        let mut changed = d.schedule.clone().unwrap();
        changed.spec = Some(ScheduleSpec {
            interval: vec![IntervalSpec {
                interval: Some(protobuf::Duration {
                    seconds: 60,
                    nanos: 0,
                }),
                phase: None,
            }],
            ..Default::default()
        });
        changed.state = Some(ScheduleState {
            paused: true,
            ..Default::default()
        });
        let stale = wf::UpdateScheduleRequest {
            namespace: "default".into(),
            schedule_id: id.clone(),
            schedule: Some(changed),
            conflict_token: 9u64.to_be_bytes().to_vec(),
            request_id: "u1".into(),
            ..Default::default()
        };
        call!(&b, update_schedule, "UpdateSchedule", stale).unwrap();
        let d = call!(&b, describe_schedule, "DescribeSchedule", describe_req(&id)).unwrap();
        assert_eq!(d.conflict_token, 2u64.to_be_bytes(), "{name}");
        assert_eq!(
            d.schedule.unwrap().spec.unwrap().structured_calendar.len(),
            1,
            "{name}"
        );

        // Errors.
        let again = call!(
            &b,
            create_schedule,
            "CreateSchedule",
            create(&id, ScheduleSpec::default(), "r2")
        );
        assert_eq!(
            code_and_message(again.unwrap_err()),
            (
                Code::AlreadyExists,
                format!("schedule {id:?} is already registered")
            ),
            "{name}"
        );
        let missing = format!("{id}-missing");
        let not_found = (
            Code::NotFound,
            format!("workflow not found for ID: temporal-sys-scheduler:{missing}"),
        );
        let e = call!(
            &b,
            describe_schedule,
            "DescribeSchedule",
            describe_req(&missing)
        );
        assert_eq!(code_and_message(e.unwrap_err()), not_found, "{name}");
        let e = call!(&b, delete_schedule, "DeleteSchedule", delete_req(&missing));
        assert_eq!(code_and_message(e.unwrap_err()), not_found, "{name}");
        for (cron, reason) in [
            ("0 0 * *", "CronString does not have 5-7 fields"),
            ("0 0 L * *", "DayOfMonth is not in range [1-31]"),
            ("CRON_TZ=Nowhere/X 0 0 * * *", "unknown time zone Nowhere/X"),
            (
                "CRON_TZ=America/New_York 30 2 * * *|@every 90m",
                "conflicting timezone names",
            ),
        ] {
            let bad = ScheduleSpec {
                cron_string: cron.split('|').map(str::to_owned).collect(),
                ..Default::default()
            };
            let e = call!(
                &b,
                create_schedule,
                "CreateSchedule",
                create(&format!("{id}-bad"), bad, "rb")
            );
            assert_eq!(
                code_and_message(e.unwrap_err()),
                (
                    Code::InvalidArgument,
                    format!("Invalid schedule spec: {reason}")
                ),
                "{name}: {cron}"
            );
        }

        for sid in [&id, &tz_id] {
            call!(&b, delete_schedule, "DeleteSchedule", delete_req(sid)).unwrap();
        }
        // The dev server's delete is asynchronous; the fake's is at once.
        if let Backend::Fake(_) = b {
            let e = call!(&b, describe_schedule, "DescribeSchedule", describe_req(&id));
            assert!(e.unwrap_err().is_not_found());
        }
    }
}
