//! FakeServer's virtual clock: timers, retries, cron, timeouts, continue-as-new chains,
//! updates and update-with-start.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fake_common;

use std::time::Duration;

use fake_common::*;
use serde_json::json;
use temporal_client_core::WorkflowService;
use temporal_client_core::proto::temporal::api::common::v1::RetryPolicy;
use temporal_client_core::proto::temporal::api::enums::v1::{
    EventType, RetryState, UpdateWorkflowExecutionLifecycleStage as Stage,
    WorkflowExecutionStatus as Status, WorkflowIdConflictPolicy,
};
use temporal_client_core::proto::temporal::api::failure::v1::failure::FailureInfo;
use temporal_client_core::proto::temporal::api::history::v1::history_event::Attributes;
use temporal_client_core::proto::temporal::api::update::v1 as update;
use temporal_client_core::proto::temporal::api::workflowservice::v1 as wf;
use temporal_testkit::{FakeServer, conformance_workflows};

fn fake() -> FakeServer {
    let fake = FakeServer::new();
    conformance_workflows::register_all(&fake);
    fake
}

fn secs(s: i64) -> Option<temporal_client_core::proto::protobuf::Duration> {
    Some(temporal_client_core::proto::protobuf::Duration {
        seconds: s,
        nanos: 0,
    })
}

#[tokio::test]
async fn sleep_fires_after_advance() {
    let fake = fake();
    fake.start_workflow_execution(start("s", "sleep", &[json!(1500)]).into())
        .await
        .unwrap();
    fake.advance(Duration::from_secs(1));
    assert_eq!(
        describe(&fake, "s", "")
            .await
            .workflow_execution_info
            .unwrap()
            .status,
        Status::Running as i32
    );
    fake.advance(Duration::from_secs(1));
    let events = history(&fake, "s", "").await;
    let t = types(&events);
    assert!(t.contains(&EventType::TimerStarted) && t.contains(&EventType::TimerFired));
    let close = events.last().unwrap();
    assert_eq!(
        close.event_type,
        EventType::WorkflowExecutionCompleted as i32
    );
    assert_eq!(close.event_time.unwrap().seconds, 1_704_067_201);
    assert_eq!(close.event_time.unwrap().nanos, 500_000_000);
}

#[tokio::test]
async fn retry_policy_reruns_failed_workflow_after_backoff() {
    let fake = fake();
    let mut s = start("r", "retry_then_succeed", &[]);
    s.retry_policy = Some(RetryPolicy {
        initial_interval: secs(2),
        maximum_attempts: 3,
        ..Default::default()
    });
    let first = fake.start_workflow_execution(s.into()).await.unwrap();
    let closed = close_event(&fake, "r", &first.run_id).await;
    let Some(Attributes::WorkflowExecutionFailedEventAttributes(f)) = closed.attributes else {
        panic!()
    };
    assert_eq!(f.retry_state, RetryState::InProgress as i32);
    let next = f.new_execution_run_id.clone();
    assert!(!next.is_empty());
    assert_eq!(f.failure.unwrap().message, "first attempt fails");
    // The retry waits for its backoff.
    assert_eq!(
        describe(&fake, "r", "")
            .await
            .workflow_execution_info
            .unwrap()
            .status,
        Status::Running as i32
    );
    fake.advance(Duration::from_secs(2));
    let events = history(&fake, "r", &next).await;
    let Some(Attributes::WorkflowExecutionStartedEventAttributes(a)) = &events[0].attributes else {
        panic!()
    };
    assert_eq!(
        (a.attempt, a.continued_execution_run_id.as_str()),
        (2, first.run_id.as_str())
    );
    assert_eq!(a.first_workflow_task_backoff.unwrap().seconds, 2);
    let Some(Attributes::WorkflowExecutionCompletedEventAttributes(c)) =
        &events.last().unwrap().attributes
    else {
        panic!()
    };
    assert_eq!(
        decode(c.result.as_ref().unwrap()),
        json!("succeeded on attempt 2")
    );
}

#[tokio::test]
async fn fail_workflow_matches_python_failure_chain_and_is_not_retried() {
    let fake = fake();
    let mut s = start("f", "fail", &[json!("boom")]);
    s.retry_policy = Some(RetryPolicy::default());
    fake.start_workflow_execution(s.into()).await.unwrap();
    let closed = close_event(&fake, "f", "").await;
    let Some(Attributes::WorkflowExecutionFailedEventAttributes(f)) = closed.attributes else {
        panic!()
    };
    assert_eq!(f.retry_state, RetryState::NonRetryableFailure as i32);
    assert!(f.new_execution_run_id.is_empty());
    let failure = f.failure.unwrap();
    assert_eq!(failure.message, "boom");
    let Some(FailureInfo::ApplicationFailureInfo(info)) = &failure.failure_info else {
        panic!()
    };
    assert_eq!(
        (info.r#type.as_str(), info.non_retryable),
        ("MyError", true)
    );
    let details = info.details.as_ref().unwrap();
    assert_eq!(details.payloads[0].data, br#"{"k":"v"}"#);
    assert_eq!(details.payloads[1].data, b"7");
    let cause = failure.cause.unwrap();
    assert_eq!(cause.message, "inner cause");
    assert!(
        matches!(&cause.failure_info, Some(FailureInfo::ApplicationFailureInfo(i)) if i.r#type == "InnerError" && !i.non_retryable)
    );
}

#[tokio::test]
async fn cron_runs_on_schedule() {
    let fake = fake();
    let mut s = start("cron", "cron", &[]);
    s.cron_schedule = "@every 1h".into();
    let first = fake.start_workflow_execution(s.into()).await.unwrap();
    let events = history(&fake, "cron", &first.run_id).await;
    assert_eq!(types(&events), vec![EventType::WorkflowExecutionStarted]);
    fake.advance(Duration::from_secs(3600));
    let closed = close_event(&fake, "cron", &first.run_id).await;
    let Some(Attributes::WorkflowExecutionCompletedEventAttributes(c)) = closed.attributes else {
        panic!()
    };
    assert_eq!(decode(c.result.as_ref().unwrap()), json!("cron run"));
    let second = c.new_execution_run_id;
    assert!(!second.is_empty());
    fake.advance(Duration::from_secs(3600));
    let Some(Attributes::WorkflowExecutionCompletedEventAttributes(c2)) =
        close_event(&fake, "cron", &second).await.attributes
    else {
        panic!()
    };
    assert!(!c2.new_execution_run_id.is_empty());
    let Some(Attributes::WorkflowExecutionStartedEventAttributes(a)) =
        &history(&fake, "cron", &second).await[0].attributes
    else {
        panic!()
    };
    assert_eq!(
        decode(a.last_completion_result.as_ref().unwrap()),
        json!("cron run")
    );
}

#[tokio::test]
async fn run_timeout_times_out_and_start_delay_delays() {
    let fake = fake();
    let mut s = start("to", "nobody", &[]);
    s.workflow_run_timeout = secs(30);
    fake.start_workflow_execution(s.into()).await.unwrap();
    fake.advance(Duration::from_secs(29));
    assert_eq!(
        describe(&fake, "to", "")
            .await
            .workflow_execution_info
            .unwrap()
            .status,
        Status::Running as i32
    );
    fake.advance(Duration::from_secs(1));
    let closed = close_event(&fake, "to", "").await;
    let Some(Attributes::WorkflowExecutionTimedOutEventAttributes(t)) = closed.attributes else {
        panic!()
    };
    assert_eq!(t.retry_state, RetryState::RetryPolicyNotSet as i32);

    let mut d = start("delayed", "echo", &[json!(1)]);
    d.workflow_start_delay = secs(10);
    fake.start_workflow_execution(d.into()).await.unwrap();
    let info = describe(&fake, "delayed", "")
        .await
        .workflow_execution_info
        .unwrap();
    assert_eq!(info.status, Status::Running as i32);
    assert_eq!(
        info.execution_time.unwrap().seconds - info.start_time.unwrap().seconds,
        10
    );
    fake.advance(Duration::from_secs(10));
    assert_eq!(
        describe(&fake, "delayed", "")
            .await
            .workflow_execution_info
            .unwrap()
            .status,
        Status::Completed as i32
    );
}

#[tokio::test]
async fn continue_as_new_chain_links_runs() {
    let fake = fake();
    let first = fake
        .start_workflow_execution(start("can", "continue_as_new", &[json!(2)]).into())
        .await
        .unwrap();
    let mut run = first.run_id.clone();
    for expected_input in [1, 0] {
        let closed = close_event(&fake, "can", &run).await;
        let Some(Attributes::WorkflowExecutionContinuedAsNewEventAttributes(c)) = closed.attributes
        else {
            panic!()
        };
        assert_eq!(decode(c.input.as_ref().unwrap()), json!(expected_input));
        let next = c.new_execution_run_id;
        let Some(Attributes::WorkflowExecutionStartedEventAttributes(a)) =
            &history(&fake, "can", &next).await[0].attributes
        else {
            panic!()
        };
        assert_eq!(
            (
                a.continued_execution_run_id.as_str(),
                a.first_execution_run_id.as_str()
            ),
            (run.as_str(), first.run_id.as_str())
        );
        run = next;
    }
    let info = describe(&fake, "can", "")
        .await
        .workflow_execution_info
        .unwrap();
    assert_eq!(
        (info.status, info.first_run_id),
        (Status::Completed as i32, first.run_id)
    );
}

fn update_request(
    id: &str,
    update_id: &str,
    name: &str,
    arg: serde_json::Value,
    stage: Stage,
) -> wf::UpdateWorkflowExecutionRequest {
    wf::UpdateWorkflowExecutionRequest {
        namespace: "default".into(),
        workflow_execution: exec(id, ""),
        wait_policy: Some(update::WaitPolicy {
            lifecycle_stage: stage as i32,
        }),
        request: Some(update::Request {
            meta: Some(update::Meta {
                update_id: update_id.into(),
                identity: "test".into(),
            }),
            input: Some(update::Input {
                name: name.into(),
                args: args(&[arg]),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[tokio::test]
async fn updates_accept_reject_and_wait_for_timers() {
    let fake = fake();
    fake.start_workflow_execution(start("u", "counter", &[json!(1)]).into())
        .await
        .unwrap();
    let r = fake
        .update_workflow_execution(
            update_request("u", "u1", "add", json!(4), Stage::Completed).into(),
        )
        .await
        .unwrap();
    assert_eq!(r.stage, Stage::Completed as i32);
    let Some(update::outcome::Value::Success(p)) = r.outcome.unwrap().value else {
        panic!()
    };
    assert_eq!(decode(&p), json!(5));
    let r = fake
        .update_workflow_execution(
            update_request("u", "u2", "add", json!(-1), Stage::Completed).into(),
        )
        .await
        .unwrap();
    let Some(update::outcome::Value::Failure(f)) = r.outcome.unwrap().value else {
        panic!()
    };
    assert_eq!(f.message, "negative increment");
    assert!(
        matches!(f.failure_info, Some(FailureInfo::ApplicationFailureInfo(ref i)) if i.r#type.is_empty())
    );
    let t = types(&history(&fake, "u", "").await);
    assert_eq!(
        t.iter()
            .filter(|e| **e == EventType::WorkflowExecutionUpdateAccepted)
            .count(),
        1
    );
    assert_eq!(
        t.iter()
            .filter(|e| **e == EventType::WorkflowExecutionUpdateCompleted)
            .count(),
        1
    );

    fake.start_workflow_execution(start("lu", "long_update", &[]).into())
        .await
        .unwrap();
    let r = fake
        .update_workflow_execution(
            update_request("lu", "s1", "slow", json!(2000), Stage::Accepted).into(),
        )
        .await
        .unwrap();
    assert_eq!(r.stage, Stage::Accepted as i32);
    assert!(r.outcome.is_none());
    let f2 = fake.clone();
    let poll = tokio::spawn(async move {
        f2.poll_workflow_execution_update(
            wf::PollWorkflowExecutionUpdateRequest {
                namespace: "default".into(),
                update_ref: Some(update::UpdateRef {
                    workflow_execution: exec("lu", ""),
                    update_id: "s1".into(),
                }),
                wait_policy: Some(update::WaitPolicy {
                    lifecycle_stage: Stage::Completed as i32,
                }),
                ..Default::default()
            }
            .into(),
        )
        .await
    });
    tokio::task::yield_now().await;
    assert!(!poll.is_finished());
    fake.advance(Duration::from_secs(2));
    let r = tokio::time::timeout(Duration::from_secs(5), poll)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let Some(update::outcome::Value::Success(p)) = r.outcome.unwrap().value else {
        panic!()
    };
    assert_eq!(decode(&p), json!("slow done"));
    signal(&fake, "lu", "finish", &[]).await;
    assert_eq!(
        describe(&fake, "lu", "")
            .await
            .workflow_execution_info
            .unwrap()
            .status,
        Status::Completed as i32
    );
}

#[tokio::test]
async fn update_with_start() {
    use wf::execute_multi_operation_request::{Operation, operation::Operation as Op};
    let fake = fake();
    let mut s = start("uws", "counter", &[json!(10)]);
    s.workflow_id_conflict_policy = WorkflowIdConflictPolicy::UseExisting as i32;
    let req = wf::ExecuteMultiOperationRequest {
        namespace: "default".into(),
        operations: vec![
            Operation {
                operation: Some(Op::StartWorkflow(s)),
            },
            Operation {
                operation: Some(Op::UpdateWorkflow(update_request(
                    "uws",
                    "x",
                    "add",
                    json!(1),
                    Stage::Completed,
                ))),
            },
        ],
        ..Default::default()
    };
    let r = fake.execute_multi_operation(req.into()).await.unwrap();
    use wf::execute_multi_operation_response::response::Response as R;
    let Some(R::UpdateWorkflow(u)) = &r.responses[1].response else {
        panic!()
    };
    let Some(update::outcome::Value::Success(p)) = u.outcome.clone().unwrap().value else {
        panic!()
    };
    assert_eq!(decode(&p), json!(11));
    assert!(matches!(&r.responses[0].response, Some(R::StartWorkflow(st)) if st.started));
}

#[tokio::test]
async fn search_attributes_memo_and_listing() {
    let fake = FakeServer::builder()
        .conformance_search_attributes()
        .build();
    conformance_workflows::register_all(&fake);
    fake.start_workflow_execution(start("sa", "search_attrs", &[]).into())
        .await
        .unwrap();
    fake.start_workflow_execution(start("other", "echo", &[]).into())
        .await
        .unwrap();
    let info = describe(&fake, "sa", "")
        .await
        .workflow_execution_info
        .unwrap();
    let sa = info.search_attributes.unwrap();
    assert_eq!(sa.indexed_fields["ConformanceStage"].data, br#""upserted""#);
    assert_eq!(info.memo.unwrap().fields["note"].data, br#""from worker""#);
    let list = |q: &str| wf::ListWorkflowExecutionsRequest {
        namespace: "default".into(),
        query: q.into(),
        ..Default::default()
    };
    let r = fake
        .list_workflow_executions(list("ConformanceStage = 'upserted'").into())
        .await
        .unwrap();
    assert_eq!(r.executions.len(), 1);
    let r = fake
        .list_workflow_executions(list("").into())
        .await
        .unwrap();
    assert_eq!(r.executions.len(), 2);
    let c = fake
        .count_workflow_executions(
            wf::CountWorkflowExecutionsRequest {
                namespace: "default".into(),
                query: "ExecutionStatus = 'Running'".into(),
            }
            .into(),
        )
        .await
        .unwrap();
    assert_eq!(c.count, 1);
    let e = fake
        .list_workflow_executions(list("Nope = 1").into())
        .await
        .unwrap_err();
    assert_eq!(e.code(), temporal_client_core::Code::InvalidArgument);
}
