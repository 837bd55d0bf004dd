//! The schedule client on a mockall mock: error mapping, client-side validation, and
//! the update retry when the server keeps dropping the update (a stale conflict token).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use temporal_client::proto::temporal::api::workflowservice::v1::{
    DescribeScheduleResponse, UpdateScheduleResponse,
};
use temporal_client::schedule::{
    Schedule, ScheduleAction, ScheduleSpec, ScheduleUpdate, UPDATE_MAX_ATTEMPTS,
};
use temporal_client::{Client, Code, Error, ServiceError, WorkflowOptions};
use temporal_client_core::{InvalidRequest, MockWorkflowService};

fn schedule(spec: ScheduleSpec) -> Schedule {
    Schedule::new(
        ScheduleAction::start_workflow("wf", WorkflowOptions::new("id", "q")),
        spec,
    )
}

#[tokio::test]
async fn already_exists_and_not_found_become_typed_errors() {
    let mut mock = MockWorkflowService::new();
    mock.expect_create_schedule().returning(|_| {
        Err(ServiceError::new(
            "CreateSchedule",
            Code::AlreadyExists,
            "schedule with this ID is already registered",
        ))
    });
    mock.expect_describe_schedule().returning(|_| {
        Err(ServiceError::new(
            "DescribeSchedule",
            Code::NotFound,
            "workflow not found for ID: temporal-sys-scheduler:s1",
        ))
    });
    let client = Client::from_service(mock);
    let spec = ScheduleSpec::new().interval(Duration::from_secs(60));
    let created = client.schedules().create("s1", schedule(spec)).await;
    assert!(
        matches!(&created, Err(Error::ScheduleAlreadyRunning { schedule_id, .. }) if schedule_id == "s1"),
        "{created:?}"
    );
    let described = client.schedules().get_handle("s1").describe().await;
    let err = described.unwrap_err();
    assert!(err.is_schedule_not_found() && err.is_not_found(), "{err:?}");
    assert_eq!(
        err.service_error().map(ServiceError::code),
        Some(Code::NotFound)
    );
}

#[tokio::test]
async fn invalid_specs_fail_before_any_rpc_naming_the_field() {
    // No expectations: any RPC would panic.
    let client = Client::from_service(MockWorkflowService::new());
    let short = ScheduleSpec::new().interval(Duration::from_millis(500));
    let err = client
        .schedules()
        .create("s", schedule(short))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidRequest(InvalidRequest::InvalidValue {
                field: "spec.intervals.every",
                ..
            })
        ),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn an_update_the_server_keeps_dropping_is_retried_then_reported() {
    let updates = Arc::new(AtomicU32::new(0));
    let mut mock = MockWorkflowService::new();
    mock.expect_describe_schedule().returning(|_| {
        Ok(DescribeScheduleResponse {
            conflict_token: vec![0, 0, 0, 1],
            ..Default::default()
        })
    });
    let sent = updates.clone();
    mock.expect_update_schedule()
        .withf(|req| req.message.conflict_token == [0, 0, 0, 1])
        .returning(move |_| {
            sent.fetch_add(1, Ordering::SeqCst);
            Ok(UpdateScheduleResponse::default())
        });
    let client = Client::from_service(mock);
    let calls = AtomicU32::new(0);
    let result = client
        .schedules()
        .get_handle("s")
        .update(|current| {
            calls.fetch_add(1, Ordering::SeqCst);
            Some(ScheduleUpdate::new(current.schedule))
        })
        .await;
    let err = result.unwrap_err();
    assert_eq!(
        err.service_error().map(ServiceError::code),
        Some(Code::Aborted)
    );
    assert_eq!(calls.load(Ordering::SeqCst), UPDATE_MAX_ATTEMPTS);
    assert_eq!(updates.load(Ordering::SeqCst), UPDATE_MAX_ATTEMPTS);
}

#[tokio::test]
async fn an_update_function_returning_none_sends_nothing() {
    let mut mock = MockWorkflowService::new();
    mock.expect_describe_schedule()
        .times(1)
        .returning(|_| Ok(DescribeScheduleResponse::default()));
    let client = Client::from_service(mock);
    client
        .schedules()
        .get_handle("s")
        .update(|_| None)
        .await
        .expect("nothing to update");
}
