//! The fake behaves as a server with an SDK worker would (issue 10): task queues,
//! undecodable arguments, cancellation of `counter`, frontend validations.

use std::time::Duration;

use temporal_client::proto::temporal::api::enums::v1::{EventType, WorkflowExecutionStatus};
use temporal_client::{Client, Code, WorkflowDefinition, WorkflowOptions};
use temporal_testkit::{FakeServer, WorkflowContext, WorkflowResult, conformance_workflows};

const COUNTER: WorkflowDefinition<(i64,), i64> = WorkflowDefinition::new("counter");

#[tokio::test]
async fn undecodable_arguments_fail_the_task_not_the_workflow() {
    let fake = FakeServer::new();
    conformance_workflows::register_all(&fake);
    let client = Client::from_service(fake.clone());
    let handle = client
        .start(
            "counter",
            WorkflowOptions::new("bad-args", "q").args(("not a number",)),
        )
        .await
        .unwrap();
    let history = handle.fetch_history().into_history().await.unwrap();
    let types: Vec<EventType> = history.events.iter().map(|e| e.event_type()).collect();
    assert_eq!(
        types,
        vec![
            EventType::WorkflowExecutionStarted,
            EventType::WorkflowTaskScheduled,
            EventType::WorkflowTaskStarted,
            EventType::WorkflowTaskFailed,
            EventType::WorkflowTaskScheduled,
            EventType::WorkflowTaskStarted,
        ]
    );
    assert_eq!(
        handle.describe().await.unwrap().status(),
        WorkflowExecutionStatus::Running
    );
}

#[tokio::test]
async fn per_queue_registration_serves_only_that_queue() {
    let fake = FakeServer::new();
    fake.register_workflow_on("served", "hello", |_ctx: WorkflowContext| async {
        WorkflowResult::completed("hi")
    });
    let client = Client::from_service(fake.clone());
    const HELLO: WorkflowDefinition<(), String> = WorkflowDefinition::new("hello");
    let served = client
        .start(HELLO, WorkflowOptions::new("a", "served"))
        .await
        .unwrap();
    assert_eq!(served.result().await.unwrap(), "hi");
    let waiting = client
        .start(HELLO, WorkflowOptions::new("b", "elsewhere"))
        .await
        .unwrap();
    assert_eq!(
        waiting.describe().await.unwrap().status(),
        WorkflowExecutionStatus::Running
    );
    // Registering for that queue later picks the run up, as a worker starting to poll.
    fake.register_workflow_on("elsewhere", "hello", |_ctx: WorkflowContext| async {
        WorkflowResult::completed("late")
    });
    let result = tokio::time::timeout(Duration::from_secs(5), waiting.result()).await;
    assert_eq!(result.unwrap().unwrap(), "late");
}

#[tokio::test]
async fn any_queue_registration_still_serves_every_queue() {
    let fake = FakeServer::new();
    conformance_workflows::register_all(&fake);
    let client = Client::from_service(fake.clone());
    let handle = client
        .start(COUNTER, WorkflowOptions::new("c", "any-queue").args((3,)))
        .await
        .unwrap();
    handle.cancel().await.unwrap();
    assert_eq!(
        handle.describe().await.unwrap().status(),
        WorkflowExecutionStatus::Canceled
    );
    // Cancelling a closed run succeeds, as on the server.
    handle.cancel().await.unwrap();
}

#[tokio::test]
async fn memo_and_signal_limits() {
    let fake = FakeServer::new();
    let client = Client::from_service(fake.clone());
    let big = "x".repeat(3_000_000);
    let err = client
        .start("anything", WorkflowOptions::new("m", "q").memo("big", &big))
        .await
        .unwrap_err();
    let service = err.service_error().unwrap();
    assert_eq!(service.code(), Code::InvalidArgument);
    assert_eq!(service.message(), "Memo size exceeds limit.");
    let err = client
        .start("anything", WorkflowOptions::new("w".repeat(1001), "q"))
        .await
        .unwrap_err();
    assert_eq!(
        err.service_error().unwrap().message(),
        "WorkflowId exceeds maximum allowed length (1001/1000)"
    );
}
