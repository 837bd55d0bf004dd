//! FakeServer through the `WorkflowService` trait: start, describe, history, policies,
//! signals, cancel, terminate, long polls, namespaces, determinism.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fake_common;

use std::time::Duration;

use fake_common::*;
use serde_json::json;
use temporal_client_core::proto::temporal::api::enums::v1::{
    EventType, WorkflowExecutionStatus as Status, WorkflowIdConflictPolicy, WorkflowIdReusePolicy,
};
use temporal_client_core::proto::temporal::api::history::v1::history_event::Attributes;
use temporal_client_core::proto::temporal::api::workflowservice::v1 as wf;
use temporal_client_core::{Code, ErrorDetails, WorkflowService};
use temporal_testkit::{FakeServer, conformance_workflows};

fn fake() -> FakeServer {
    let fake = FakeServer::builder().seed(42).build();
    conformance_workflows::register_all(&fake);
    fake
}

#[tokio::test]
async fn start_describe_and_history_of_a_completed_workflow() {
    let fake = fake();
    let r = fake
        .start_workflow_execution(start("e1", "echo", &[json!(1), json!("a")]).into())
        .await
        .unwrap();
    assert!(r.started);
    let events = history(&fake, "e1", "").await;
    assert_eq!(
        types(&events),
        vec![
            EventType::WorkflowExecutionStarted,
            EventType::WorkflowTaskScheduled,
            EventType::WorkflowTaskStarted,
            EventType::WorkflowTaskCompleted,
            EventType::WorkflowExecutionCompleted,
        ]
    );
    assert_eq!(
        events.iter().map(|e| e.event_id).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
    let Some(Attributes::WorkflowExecutionStartedEventAttributes(a)) = &events[0].attributes else {
        panic!()
    };
    assert_eq!(
        (
            a.attempt,
            a.first_execution_run_id.as_str(),
            a.original_execution_run_id.as_str()
        ),
        (1, r.run_id.as_str(), r.run_id.as_str())
    );
    assert_eq!(a.workflow_id, "e1");
    let Some(Attributes::WorkflowExecutionCompletedEventAttributes(c)) = &events[4].attributes
    else {
        panic!()
    };
    assert_eq!(decode(c.result.as_ref().unwrap()), json!([1, "a"]));
    assert_eq!(c.workflow_task_completed_event_id, 4);
    assert_eq!(events[0].event_time.unwrap().seconds, 1_704_067_200);
    let d = describe(&fake, "e1", "").await;
    let info = d.workflow_execution_info.unwrap();
    assert_eq!(info.status, Status::Completed as i32);
    assert_eq!(info.history_length, 5);
    assert_eq!(info.first_run_id, r.run_id);
    assert_eq!(info.task_queue, "tq");
    assert!(info.close_time.is_some());
    assert_eq!(
        d.execution_config
            .unwrap()
            .default_workflow_task_timeout
            .unwrap()
            .seconds,
        10
    );
}

#[tokio::test]
async fn validation_and_unknown_namespace() {
    let fake = fake();
    let mut bad = start("", "echo", &[]);
    let e = fake
        .start_workflow_execution(bad.clone().into())
        .await
        .unwrap_err();
    assert_eq!(
        (e.code(), e.message()),
        (Code::InvalidArgument, "WorkflowId is not set on request.")
    );
    bad.workflow_id = "x".into();
    bad.task_queue = None;
    let e = fake.start_workflow_execution(bad.into()).await.unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    let mut other = start("x", "echo", &[]);
    other.namespace = "nope".into();
    let e = fake
        .start_workflow_execution(other.into())
        .await
        .unwrap_err();
    assert!(e.is_namespace_not_found());
    assert_eq!(e.message(), "Namespace nope is not found.");
    assert!(
        matches!(e.details(), Some(ErrorDetails::NamespaceNotFound(d)) if d.namespace == "nope")
    );
    let multi = FakeServer::builder().namespace("other").build();
    let mut s = start("x", "unregistered", &[]);
    s.namespace = "other".into();
    assert!(
        multi
            .start_workflow_execution(s.into())
            .await
            .unwrap()
            .started
    );
    let e = fake
        .deprecate_namespace(wf::DeprecateNamespaceRequest::default().into())
        .await
        .unwrap_err();
    assert!(e.is_unimplemented() && e.message().contains("DeprecateNamespace"));
}

#[tokio::test]
async fn id_conflict_reuse_and_request_id_idempotency() {
    let fake = fake();
    let first = fake
        .start_workflow_execution(start("c", "counter", &[json!(0)]).into())
        .await
        .unwrap();
    // Same request id: same run, idempotent.
    let again = fake
        .start_workflow_execution(start("c", "counter", &[json!(0)]).into())
        .await
        .unwrap();
    assert_eq!(again.run_id, first.run_id);
    // New request id, default conflict policy FAIL.
    let mut s = start("c", "counter", &[json!(0)]);
    s.request_id = "other".into();
    let e = fake
        .start_workflow_execution(s.clone().into())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::AlreadyExists);
    assert_eq!(
        e.message(),
        format!(
            "Workflow execution is already running. WorkflowId: c, RunId: {}.",
            first.run_id
        )
    );
    assert!(
        matches!(e.details(), Some(ErrorDetails::WorkflowExecutionAlreadyStarted(d)) if d.run_id == first.run_id && d.start_request_id == "req-c-counter")
    );
    // USE_EXISTING.
    s.workflow_id_conflict_policy = WorkflowIdConflictPolicy::UseExisting as i32;
    let r = fake
        .start_workflow_execution(s.clone().into())
        .await
        .unwrap();
    assert_eq!(
        (r.run_id.as_str(), r.started),
        (first.run_id.as_str(), false)
    );
    // TERMINATE_EXISTING.
    s.workflow_id_conflict_policy = WorkflowIdConflictPolicy::TerminateExisting as i32;
    s.request_id = "third".into();
    let r = fake
        .start_workflow_execution(s.clone().into())
        .await
        .unwrap();
    assert!(r.started && r.run_id != first.run_id);
    let closed = close_event(&fake, "c", &first.run_id).await;
    let Some(Attributes::WorkflowExecutionTerminatedEventAttributes(t)) = closed.attributes else {
        panic!()
    };
    assert_eq!(
        (t.reason.as_str(), t.identity.as_str()),
        (
            "TerminateIfRunning WorkflowIdReusePolicy",
            "history-service"
        )
    );
    // Finish it, then reuse policies.
    signal(&fake, "c", "finish", &[]).await;
    s.workflow_id_conflict_policy = 0;
    s.request_id = "fourth".into();
    s.workflow_id_reuse_policy = WorkflowIdReusePolicy::RejectDuplicate as i32;
    let e = fake
        .start_workflow_execution(s.clone().into())
        .await
        .unwrap_err();
    assert!(
        e.message()
            .starts_with("Workflow execution already finished. WorkflowId: c"),
        "{e}"
    );
    s.workflow_id_reuse_policy = WorkflowIdReusePolicy::AllowDuplicateFailedOnly as i32;
    let e = fake
        .start_workflow_execution(s.clone().into())
        .await
        .unwrap_err();
    assert!(
        e.message()
            .contains("allow duplicate workflow Id if last run failed"),
        "{e}"
    );
    s.workflow_id_reuse_policy = WorkflowIdReusePolicy::AllowDuplicate as i32;
    assert!(
        fake.start_workflow_execution(s.into())
            .await
            .unwrap()
            .started
    );
}

#[tokio::test]
async fn signals_queries_and_closed_run_errors() {
    let fake = fake();
    fake.start_workflow_execution(start("q", "counter", &[json!(5)]).into())
        .await
        .unwrap();
    signal(&fake, "q", "increment", &[json!(3)]).await;
    let query = |name: &str| wf::QueryWorkflowRequest {
        namespace: "default".into(),
        execution: exec("q", ""),
        query: Some(
            temporal_client_core::proto::temporal::api::query::v1::WorkflowQuery {
                query_type: name.into(),
                ..Default::default()
            },
        ),
        ..Default::default()
    };
    let r = fake
        .query_workflow(query("get_value").into())
        .await
        .unwrap();
    assert_eq!(decode(&r.query_result.unwrap()), json!(8));
    let e = fake
        .query_workflow(query("fail_query").into())
        .await
        .unwrap_err();
    assert_eq!(
        (e.code(), e.message()),
        (Code::InvalidArgument, "query failed on purpose")
    );
    assert!(matches!(e.details(), Some(ErrorDetails::QueryFailed(_))));
    let e = fake.query_workflow(query("nope").into()).await.unwrap_err();
    assert_eq!(
        e.message(),
        "Query handler for 'nope' expected but not found, known queries: [fail_query get_value]"
    );
    signal(&fake, "q", "finish", &[]).await;
    let mut rejected = query("get_value");
    rejected.query_reject_condition =
        temporal_client_core::proto::temporal::api::enums::v1::QueryRejectCondition::NotOpen as i32;
    let r = fake.query_workflow(rejected.into()).await.unwrap();
    assert_eq!(r.query_rejected.unwrap().status, Status::Completed as i32);
    // Queries still answer on a closed run.
    assert_eq!(
        decode(
            &fake
                .query_workflow(query("get_value").into())
                .await
                .unwrap()
                .query_result
                .unwrap()
        ),
        json!(8)
    );
    let e = fake
        .signal_workflow_execution(
            wf::SignalWorkflowExecutionRequest {
                namespace: "default".into(),
                workflow_execution: exec("q", ""),
                signal_name: "increment".into(),
                ..Default::default()
            }
            .into(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.code(), e.message()),
        (Code::NotFound, "workflow execution already completed")
    );
    // No worker for the type: the query times out.
    fake.start_workflow_execution(start("nw", "nobody", &[]).into())
        .await
        .unwrap();
    let mut q = query("x");
    q.execution = exec("nw", "");
    assert_eq!(
        fake.query_workflow(q.into()).await.unwrap_err().code(),
        Code::DeadlineExceeded
    );
    let events = history(&fake, "nw", "").await;
    assert_eq!(
        types(&events),
        vec![
            EventType::WorkflowExecutionStarted,
            EventType::WorkflowTaskScheduled
        ]
    );
}

#[tokio::test]
async fn cancel_and_terminate() {
    let fake = fake();
    let r = fake
        .start_workflow_execution(start("w", "wait_cancel", &[]).into())
        .await
        .unwrap();
    fake.request_cancel_workflow_execution(
        wf::RequestCancelWorkflowExecutionRequest {
            namespace: "default".into(),
            workflow_execution: exec("w", ""),
            first_execution_run_id: r.run_id.clone(),
            reason: "because".into(),
            ..Default::default()
        }
        .into(),
    )
    .await
    .unwrap();
    let events = history(&fake, "w", "").await;
    assert!(types(&events).contains(&EventType::WorkflowExecutionCancelRequested));
    assert_eq!(
        types(&events).last(),
        Some(&EventType::WorkflowExecutionCanceled)
    );
    fake.start_workflow_execution(start("t", "nobody", &[]).into())
        .await
        .unwrap();
    fake.terminate_workflow_execution(
        wf::TerminateWorkflowExecutionRequest {
            namespace: "default".into(),
            workflow_execution: exec("t", ""),
            reason: "stop".into(),
            identity: "me".into(),
            ..Default::default()
        }
        .into(),
    )
    .await
    .unwrap();
    let d = describe(&fake, "t", "").await;
    assert_eq!(
        d.workflow_execution_info.unwrap().status,
        Status::Terminated as i32
    );
    let e = fake
        .terminate_workflow_execution(
            wf::TerminateWorkflowExecutionRequest {
                namespace: "default".into(),
                workflow_execution: exec("t", ""),
                ..Default::default()
            }
            .into(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
}

#[tokio::test]
async fn long_poll_wakes_on_close() {
    let fake = fake();
    fake.start_workflow_execution(start("lp", "counter", &[json!(1)]).into())
        .await
        .unwrap();
    let f2 = fake.clone();
    let poll = tokio::spawn(async move { close_event(&f2, "lp", "").await });
    tokio::task::yield_now().await;
    assert!(!poll.is_finished());
    signal(&fake, "lp", "finish", &[]).await;
    let e = tokio::time::timeout(Duration::from_secs(5), poll)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(e.event_type, EventType::WorkflowExecutionCompleted as i32);
    // With a call timeout, an open run's long poll ends in DEADLINE_EXCEEDED.
    fake.start_workflow_execution(start("open", "nobody", &[]).into())
        .await
        .unwrap();
    let req = wf::GetWorkflowExecutionHistoryRequest {
        namespace: "default".into(),
        execution: exec("open", ""),
        wait_new_event: true,
        history_event_filter_type: 2,
        ..Default::default()
    };
    let e = fake
        .get_workflow_execution_history(
            temporal_client_core::ServiceRequest::new(req).with_timeout(Duration::from_millis(20)),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::DeadlineExceeded);
}

#[tokio::test]
async fn history_pages() {
    let fake = fake();
    fake.start_workflow_execution(start("p", "echo", &[]).into())
        .await
        .unwrap();
    let mut token = Vec::new();
    let mut all = Vec::new();
    loop {
        let r = fake
            .get_workflow_execution_history(
                wf::GetWorkflowExecutionHistoryRequest {
                    namespace: "default".into(),
                    execution: exec("p", ""),
                    maximum_page_size: 2,
                    next_page_token: token,
                    ..Default::default()
                }
                .into(),
            )
            .await
            .unwrap();
        let page = r.history.unwrap().events;
        assert!(page.len() <= 2);
        all.extend(page);
        token = r.next_page_token;
        if token.is_empty() {
            break;
        }
    }
    assert_eq!(all.len(), 5);
}

#[tokio::test]
async fn same_seed_gives_identical_histories() {
    async fn run() -> Vec<Vec<u8>> {
        use prost::Message as _;
        let fake = fake();
        fake.start_workflow_execution(start("d", "continue_as_new", &[json!(2)]).into())
            .await
            .unwrap();
        fake.start_workflow_execution(start("s", "sleep", &[json!(1500)]).into())
            .await
            .unwrap();
        fake.advance(Duration::from_secs(2));
        let mut out = Vec::new();
        for id in ["d", "s"] {
            for e in history(&fake, id, "").await {
                out.push(e.encode_to_vec());
            }
        }
        out
    }
    assert_eq!(run().await, run().await);
}
