//! Async activity completion: a workflow's activity is left pending (the Python
//! worker's activity calls `raise_complete_async()`; the fake leaves every activity to
//! the client) and this client completes, fails, heartbeats or reports the cancellation
//! of it, by task token and by id.

use temporal_client::activity::ActivityRef;
use temporal_client::failure::FailureKind;
use temporal_client::{
    Error, QueryDefinition, SignalDefinition, TemporalFailure, WorkflowDefinition, WorkflowHandle,
    WorkflowOptions,
};

use crate::backend::{Backend, on_every_backend};

const ASYNC_ACTIVITY: WorkflowDefinition<(String,), serde_json::Value> =
    WorkflowDefinition::new("async_activity");
const TASK_TOKEN: QueryDefinition<Option<Vec<u8>>> = QueryDefinition::new("task_token");
const CANCEL_ACTIVITY: SignalDefinition<()> = SignalDefinition::new("cancel_activity");

/// Starts `async_activity` with activity id `activity_id` and waits until its activity
/// is pending with a known task token.
async fn start(
    b: &Backend,
    name: &str,
    activity_id: &str,
) -> (WorkflowHandle<serde_json::Value>, Vec<u8>) {
    let handle = b
        .client
        .start(
            ASYNC_ACTIVITY,
            WorkflowOptions::new(b.id(name), &b.task_queue).args((activity_id.to_owned(),)),
        )
        .await
        .unwrap();
    let token = b
        .eventually("the activity's task token", || async {
            handle.query(TASK_TOKEN).await.ok().flatten()
        })
        .await;
    (handle, token)
}

#[tokio::test]
async fn complete_by_token_and_by_id_reaches_the_workflow() {
    on_every_backend(|b| async move {
        let (by_token, token) = start(&b, "complete-token", "act-token").await;
        let activity = b.client.async_activity_handle(ActivityRef::token(token));
        activity
            .heartbeat()
            .details(("halfway", 50))
            .await
            .unwrap_or_else(|e| panic!("[{}] heartbeat: {e}", b.kind));
        activity
            .complete(&serde_json::json!({"paid": 42}))
            .await
            .unwrap();
        assert_eq!(
            by_token.result().await.unwrap(),
            serde_json::json!({"paid": 42}),
            "[{}]",
            b.kind
        );

        let (by_id, _) = start(&b, "complete-id", "act-id").await;
        let activity = b
            .client
            .async_activity_handle(ActivityRef::by_id(by_id.workflow_id(), "act-id"));
        activity.heartbeat().await.unwrap();
        activity.complete("done by id").await.unwrap();
        assert_eq!(by_id.result().await.unwrap(), "done by id", "[{}]", b.kind);
    })
    .await;
}

#[tokio::test]
async fn completing_twice_or_an_unknown_activity_is_not_found() {
    on_every_backend(|b| async move {
        let (handle, token) = start(&b, "twice", "act-twice").await;
        let by_token = b.client.async_activity_handle(ActivityRef::token(token));
        by_token.complete(&1).await.unwrap();
        assert_eq!(handle.result().await.unwrap(), 1);
        for second in [
            by_token.complete(&2).await,
            by_token.heartbeat().await,
            b.client
                .async_activity_handle(ActivityRef::by_id(handle.workflow_id(), "act-twice"))
                .complete(&3)
                .await,
        ] {
            let err = second.expect_err("the activity is no longer pending");
            assert!(err.is_activity_not_found(), "[{}] {err:?}", b.kind);
            assert!(err.is_not_found(), "[{}]", b.kind);
        }

        // A running workflow without that activity id, and a workflow that never was.
        let (running, token) = start(&b, "unknown", "act-known").await;
        let err = b
            .client
            .async_activity_handle(ActivityRef::by_id(running.workflow_id(), "act-unknown"))
            .complete(&0)
            .await
            .unwrap_err();
        assert!(err.is_activity_not_found(), "[{}] {err:?}", b.kind);
        let err = b
            .client
            .async_activity_handle(ActivityRef::by_id(b.id("never-started"), "act"))
            .complete(&0)
            .await
            .unwrap_err();
        assert!(err.is_activity_not_found(), "[{}] {err:?}", b.kind);
        b.client
            .async_activity_handle(ActivityRef::token(token))
            .complete(&"cleanup")
            .await
            .unwrap();
        running.result().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_failure_reaches_the_workflow_with_type_and_details() {
    on_every_backend(|b| async move {
        let (handle, _) = start(&b, "fail", "act-fail").await;
        b.client
            .async_activity_handle(ActivityRef::by_id(handle.workflow_id(), "act-fail"))
            .fail(
                TemporalFailure::application("card declined", "PaymentDeclined")
                    .with_non_retryable(true),
            )
            .details(("4111", 3))
            .await
            .unwrap();
        let err = handle.result().await.unwrap_err();
        let Error::WorkflowFailed { cause, .. } = &err else {
            panic!("[{}] expected a failed workflow, got {err:?}", b.kind);
        };
        assert!(
            matches!(cause.kind(), FailureKind::Activity { .. }),
            "[{}] {cause:?}",
            b.kind
        );
        let application = cause.cause().expect("the activity failure has a cause");
        assert_eq!(application.message(), "card declined", "[{}]", b.kind);
        assert_eq!(application.application_type(), Some("PaymentDeclined"));
        assert!(application.is_non_retryable(), "[{}]", b.kind);
        let details: (String, i32) = application.details().unwrap();
        assert_eq!(details, ("4111".to_owned(), 3), "[{}]", b.kind);
    })
    .await;
}

#[tokio::test]
async fn heartbeat_after_the_workflow_cancels_says_so_then_cancellation_is_reported() {
    on_every_backend(|b| async move {
        let (handle, token) = start(&b, "cancel", "act-cancel").await;
        // Reporting a cancellation nobody asked for is refused.
        let by_token = b.client.async_activity_handle(ActivityRef::token(token));
        let refused = by_token.report_cancellation().await.unwrap_err();
        assert!(!refused.is_activity_not_found(), "[{}] {refused:?}", b.kind);

        handle.signal(CANCEL_ACTIVITY).await.unwrap();
        let by_id = b
            .client
            .async_activity_handle(ActivityRef::by_id(handle.workflow_id(), "act-cancel"));
        let err = b
            .eventually("a heartbeat that reports the cancellation", || async {
                by_token.heartbeat().details(("still going",)).await.err()
            })
            .await;
        assert!(err.is_activity_cancel_requested(), "[{}] {err:?}", b.kind);
        assert!(
            by_id
                .heartbeat()
                .await
                .unwrap_err()
                .is_activity_cancel_requested(),
            "[{}] by id too",
            b.kind
        );
        by_id
            .report_cancellation()
            .details(("stopped",))
            .await
            .unwrap();
        assert_eq!(
            handle.result().await.unwrap(),
            serde_json::json!({"canceled": ["stopped"]}),
            "[{}]",
            b.kind
        );
    })
    .await;
}

/// Paused and reset come from the server's activity admin RPCs, which the fake does not
/// model: this runs on the dev back end only.
#[tokio::test]
async fn heartbeat_reports_a_paused_then_a_reset_activity() {
    use temporal_client::proto::temporal::api::common::v1::WorkflowExecution;
    use temporal_client::proto::temporal::api::workflowservice::v1::{
        PauseActivityRequest, ResetActivityRequest, UnpauseActivityRequest, pause_activity_request,
        reset_activity_request, unpause_activity_request,
    };
    use temporal_client_core::ServiceRequest;

    on_every_backend(|b| async move {
        if b.kind != crate::backend::Kind::Dev {
            return;
        }
        let (handle, token) = start(&b, "pause", "act-pause").await;
        let execution = Some(WorkflowExecution {
            workflow_id: handle.workflow_id().to_owned(),
            run_id: String::new(),
        });
        let service = b.client.service();
        service
            .pause_activity(ServiceRequest::new(PauseActivityRequest {
                namespace: "default".to_owned(),
                execution: execution.clone(),
                identity: "conformance".to_owned(),
                activity: Some(pause_activity_request::Activity::Id("act-pause".to_owned())),
                ..Default::default()
            }))
            .await
            .unwrap();
        let activity = b.client.async_activity_handle(ActivityRef::token(token));
        let err = activity.heartbeat().await.unwrap_err();
        assert!(err.is_activity_paused(), "{err:?}");
        service
            .unpause_activity(ServiceRequest::new(UnpauseActivityRequest {
                namespace: "default".to_owned(),
                execution: execution.clone(),
                identity: "conformance".to_owned(),
                activity: Some(unpause_activity_request::Activity::Id(
                    "act-pause".to_owned(),
                )),
                ..Default::default()
            }))
            .await
            .unwrap();
        activity.heartbeat().await.unwrap();
        service
            .reset_activity(ServiceRequest::new(ResetActivityRequest {
                namespace: "default".to_owned(),
                execution,
                identity: "conformance".to_owned(),
                activity: Some(reset_activity_request::Activity::Id("act-pause".to_owned())),
                ..Default::default()
            }))
            .await
            .unwrap();
        let err = activity.heartbeat().await.unwrap_err();
        assert!(err.is_activity_reset(), "{err:?}");
        handle.terminate().reason("done").await.unwrap();
    })
    .await;
}
