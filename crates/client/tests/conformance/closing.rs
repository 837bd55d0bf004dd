//! How workflows close and what `result()` says: cancel, terminate, failure chains,
//! retries, continue-as-new, cron and timeouts, with and without following runs.

use std::time::{Duration, UNIX_EPOCH};

use temporal_client::failure::FailureKind;
use temporal_client::proto::temporal::api::enums::v1::{RetryState, WorkflowExecutionStatus};
use temporal_client::proto::temporal::api::history::v1::history_event::Attributes;
use temporal_client::{Code, Error, RetryPolicy, WorkflowCloseStatus, WorkflowOptions};

use crate::backend::on_every_backend;
use crate::defs::*;

#[tokio::test]
async fn cancel_runs_cleanup_and_result_says_canceled() {
    on_every_backend(|b| async move {
        let handle = b
            .client
            .start(
                WAIT_CANCEL,
                WorkflowOptions::new(b.id("cancel"), &b.task_queue),
            )
            .await
            .unwrap();
        handle.cancel().reason("user asked").await.unwrap();
        match handle.result().await {
            Err(Error::WorkflowFailed { status, cause, .. }) => {
                assert_eq!(status, WorkflowCloseStatus::Canceled, "[{}]", b.kind);
                assert!(
                    matches!(cause.kind(), FailureKind::Canceled { .. }),
                    "[{}] cause {cause:?}",
                    b.kind
                );
            }
            other => panic!("[{}] expected a cancelled workflow, got {other:?}", b.kind),
        }
        assert!(
            handle.query(CLEANED_UP).await.unwrap(),
            "[{}] cleanup ran before closing",
            b.kind
        );
        assert_eq!(
            handle.describe().await.unwrap().status(),
            WorkflowExecutionStatus::Canceled
        );
        // The reason is recorded on the cancel-requested event.
        let history = handle.fetch_history().into_history().await.unwrap();
        let reason = history.events.iter().find_map(|e| match &e.attributes {
            Some(Attributes::WorkflowExecutionCancelRequestedEventAttributes(a)) => {
                Some(a.cause.clone())
            }
            _ => None,
        });
        assert_eq!(reason.as_deref(), Some("user asked"), "[{}]", b.kind);
    })
    .await;
}

#[tokio::test]
async fn terminate_records_the_reason() {
    on_every_backend(|b| async move {
        let handle = b
            .client
            .start(
                WAIT_CANCEL,
                WorkflowOptions::new(b.id("terminate"), &b.task_queue),
            )
            .await
            .unwrap();
        handle
            .terminate()
            .reason("no longer needed")
            .details(("ticket", 42))
            .await
            .unwrap();
        match handle.result().await {
            Err(Error::WorkflowFailed { status, cause, .. }) => {
                assert_eq!(status, WorkflowCloseStatus::Terminated);
                assert_eq!(cause.message(), "no longer needed", "[{}]", b.kind);
                assert!(matches!(cause.kind(), FailureKind::Terminated { .. }));
                // The details reach the caller, as Python's TerminatedError.details.
                let details: (String, i64) = cause.details().unwrap();
                assert_eq!(details, ("ticket".to_owned(), 42), "[{}]", b.kind);
            }
            other => panic!("[{}] expected a terminated workflow, got {other:?}", b.kind),
        }
        // A handle made from the workflow id alone names the run in its error too.
        let by_id = b.client.get_handle::<()>(handle.workflow_id());
        match by_id.result().await {
            Err(err @ Error::WorkflowFailed { .. }) => {
                let Error::WorkflowFailed { run_id, .. } = &err else {
                    unreachable!()
                };
                assert_eq!(Some(run_id.as_str()), handle.run_id(), "[{}]", b.kind);
                assert!(
                    err.to_string()
                        .contains(&format!("(run {run_id}) was terminated")),
                    "[{}] {err}",
                    b.kind
                );
            }
            other => panic!("[{}] expected a terminated workflow, got {other:?}", b.kind),
        }
        assert_eq!(
            handle.describe().await.unwrap().status(),
            WorkflowExecutionStatus::Terminated
        );
        let history = handle.fetch_history().into_history().await.unwrap();
        let details = history.events.iter().find_map(|e| match &e.attributes {
            Some(Attributes::WorkflowExecutionTerminatedEventAttributes(a)) => a.details.clone(),
            _ => None,
        });
        let details: (String, i64) = b
            .client
            .data_converter()
            .from_payloads(&details.unwrap_or_default().payloads)
            .unwrap();
        assert_eq!(
            details,
            ("ticket".to_owned(), 42),
            "[{}] terminate details",
            b.kind
        );
    })
    .await;
}

#[tokio::test]
async fn a_failure_keeps_its_type_details_and_cause_chain() {
    on_every_backend(|b| async move {
        let handle = b
            .client
            .start(
                FAIL,
                WorkflowOptions::new(b.id("fail"), &b.task_queue).args(("boom".to_owned(),)),
            )
            .await
            .unwrap();
        let Err(Error::WorkflowFailed {
            status,
            retry_state,
            cause,
            ..
        }) = handle.result().await
        else {
            panic!("[{}] expected a failed workflow", b.kind)
        };
        assert_eq!(status, WorkflowCloseStatus::Failed);
        // The server reports RETRY_POLICY_NOT_SET when the start had no retry policy.
        assert_eq!(retry_state, RetryState::RetryPolicyNotSet, "[{}]", b.kind);
        assert_eq!(cause.message(), "boom");
        assert_eq!(cause.application_type(), Some("MyError"));
        assert!(cause.is_non_retryable(), "[{}]", b.kind);
        let details: (serde_json::Value, i64) = cause.details().unwrap();
        assert_eq!(details, (serde_json::json!({"k": "v"}), 7), "[{}]", b.kind);
        let inner = cause.cause().expect("the failure has a cause");
        assert_eq!(inner.message(), "inner cause");
        assert_eq!(inner.application_type(), Some("InnerError"));
        assert!(inner.cause().is_none());
        // The error says what failed, its chain says why, and no text repeats.
        let err = handle.result().await.unwrap_err();
        let text = err.to_string();
        assert!(text.contains("failed") && !text.contains("boom"), "{text}");
        let chain: Vec<String> =
            std::iter::successors(std::error::Error::source(&err), |e| e.source())
                .map(|e| e.to_string())
                .collect();
        assert_eq!(chain, ["boom", "inner cause"], "[{}]", b.kind);
        assert_eq!(cause.kind().name(), "ApplicationFailure");
        assert!(
            chain.iter().any(|m| m.contains("inner cause")),
            "[{}] chain {chain:?}",
            b.kind
        );
    })
    .await;
}

#[tokio::test]
async fn result_follows_a_retry_to_the_run_that_succeeds() {
    on_every_backend(|b| async move {
        let policy = RetryPolicy::new()
            .initial_interval(Duration::from_secs(1))
            .maximum_attempts(3);
        let handle = b
            .client
            .start(
                RETRY_THEN_SUCCEED,
                WorkflowOptions::new(b.id("retry"), &b.task_queue).retry_policy(policy),
            )
            .await
            .unwrap();
        let result = b.with_time(Duration::from_secs(3), handle.result()).await;
        assert_eq!(result.unwrap(), "succeeded on attempt 2", "[{}]", b.kind);
        // Without following, the first run's failure is what the handle reports.
        let first = handle.clone().follow_runs(false);
        match first.result().await {
            Err(Error::WorkflowFailed {
                retry_state, cause, ..
            }) => {
                assert_eq!(retry_state, RetryState::InProgress, "[{}]", b.kind);
                assert_eq!(cause.application_type(), Some("Flaky"));
            }
            other => panic!("[{}] the first run failed, got {other:?}", b.kind),
        }
    })
    .await;
}

#[tokio::test]
async fn continue_as_new_is_followed_or_reported() {
    on_every_backend(|b| async move {
        let handle = b
            .client
            .start(
                CONTINUE_AS_NEW,
                WorkflowOptions::new(b.id("can"), &b.task_queue).args((3,)),
            )
            .await
            .unwrap();
        let result = b.with_time(Duration::from_secs(10), handle.result()).await;
        assert_eq!(result.unwrap(), "done", "[{}]", b.kind);
        match handle.clone().follow_runs(false).result().await {
            Err(Error::WorkflowContinuedAsNew {
                run_id, new_run_id, ..
            }) => {
                assert_eq!(Some(run_id.as_str()), handle.run_id());
                assert!(!new_run_id.is_empty() && Some(new_run_id.as_str()) != handle.run_id());
            }
            other => panic!("[{}] expected continued-as-new, got {other:?}", b.kind),
        }
        // The latest run is the one that completed.
        let latest = b
            .client
            .get_handle::<String>(handle.workflow_id())
            .describe()
            .await
            .unwrap();
        assert_eq!(latest.status(), WorkflowExecutionStatus::Completed);
        assert_ne!(Some(latest.execution.run_id.as_str()), handle.run_id());
    })
    .await;
}

#[tokio::test]
async fn cron_runs_complete_and_each_run_has_a_result() {
    on_every_backend(|b| async move {
        let id = b.id("cron");
        let handle = b
            .client
            .start(
                CRON,
                WorkflowOptions::new(&id, &b.task_queue).cron_schedule("@every 2s"),
            )
            .await
            .unwrap();
        // Without following, result() is the first run's own result.
        let first = b
            .with_time(
                Duration::from_secs(5),
                handle.clone().follow_runs(false).result(),
            )
            .await;
        assert_eq!(first.unwrap(), "cron run", "[{}]", b.kind);
        // Runs keep coming: the latest run is a different one, waiting or running.
        let latest_run = b
            .eventually("a second cron run", || async {
                let d = b.client.get_handle::<String>(&id).describe().await.unwrap();
                (Some(d.execution.run_id.as_str()) != handle.run_id()).then_some(d.execution.run_id)
            })
            .await;
        assert!(!latest_run.is_empty());
        handle.terminate().reason("end of cron test").await.unwrap();
        let d = b.client.get_handle::<String>(&id).describe().await.unwrap();
        assert_eq!(
            d.status(),
            WorkflowExecutionStatus::Terminated,
            "[{}] terminate ends the chain",
            b.kind
        );
    })
    .await;
}

/// A `CRON_TZ=` (or `TZ=`) prefix makes the fields that zone's wall-clock time: minute
/// 30 in Kolkata (UTC+05:30) is minute 0 in UTC, so the first run waits for the next
/// whole UTC hour; without a prefix it waits for minute 30. Zones are spelled exactly,
/// as the server's Go reads them.
#[tokio::test]
async fn cron_time_zone_prefixes_use_the_zones_wall_clock() {
    on_every_backend(|b| async move {
        for (cron, utc_minute) in [
            ("CRON_TZ=Asia/Kolkata 30 * * * *", 0),
            ("TZ=Asia/Kolkata 30 * * * *", 0),
            ("30 * * * *", 30),
        ] {
            let handle = b
                .client
                .start(
                    CRON,
                    WorkflowOptions::new(b.id("cron-tz"), &b.task_queue).cron_schedule(cron),
                )
                .await
                .unwrap();
            let d = handle.describe().await.unwrap();
            let (start, first) = (
                d.execution.start_time.unwrap(),
                d.execution.execution_time.unwrap(),
            );
            let wait = first.duration_since(start).unwrap();
            assert!(
                wait <= Duration::from_secs(3601),
                "[{}] {cron}: {wait:?}",
                b.kind
            );
            let minute = first.duration_since(UNIX_EPOCH).unwrap().as_secs() / 60 % 60;
            assert_eq!(minute, utc_minute, "[{}] {cron}: {first:?}", b.kind);
            handle.terminate().reason("end of cron test").await.unwrap();
        }
        for cron in [
            "CRON_TZ=Nowhere/Land 30 * * * *",
            "CRON_TZ=asia/kolkata 30 * * * *",
        ] {
            let err = b
                .client
                .start(
                    CRON,
                    WorkflowOptions::new(b.id("cron-tz-bad"), &b.task_queue).cron_schedule(cron),
                )
                .await
                .unwrap_err();
            let service = err.service_error().expect("the server's error");
            assert_eq!(
                (service.code(), service.message()),
                (Code::InvalidArgument, "invalid CronSchedule."),
                "[{}] {cron}",
                b.kind
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_run_timeout_is_a_timed_out_failure() {
    on_every_backend(|b| async move {
        let handle = b
            .client
            .start(
                SLEEP,
                WorkflowOptions::new(b.id("timeout"), &b.task_queue)
                    .args((60_000,))
                    .run_timeout(Duration::from_secs(1)),
            )
            .await
            .unwrap();
        match b.with_time(Duration::from_secs(3), handle.result()).await {
            Err(Error::WorkflowFailed { status, cause, .. }) => {
                assert_eq!(status, WorkflowCloseStatus::TimedOut, "[{}]", b.kind);
                assert!(
                    matches!(cause.kind(), FailureKind::Timeout { .. }),
                    "[{}] {cause:?}",
                    b.kind
                );
            }
            other => panic!("[{}] expected a timeout, got {other:?}", b.kind),
        }
        assert_eq!(
            handle.describe().await.unwrap().status(),
            WorkflowExecutionStatus::TimedOut
        );
    })
    .await;
}

#[tokio::test]
async fn result_follows_a_timed_out_run_into_its_retry() {
    on_every_backend(|b| async move {
        let policy = RetryPolicy::new()
            .initial_interval(Duration::from_secs(1))
            .maximum_attempts(2);
        let handle = b
            .client
            .start(
                SLEEP,
                WorkflowOptions::new(b.id("timeout-retry"), &b.task_queue)
                    .args((60_000,))
                    .run_timeout(Duration::from_secs(1))
                    .retry_policy(policy),
            )
            .await
            .unwrap();
        let first_run = handle.run_id().unwrap().to_owned();
        match b.with_time(Duration::from_secs(6), handle.result()).await {
            Err(Error::WorkflowFailed {
                status,
                retry_state,
                run_id,
                ..
            }) => {
                assert_eq!(status, WorkflowCloseStatus::TimedOut, "[{}]", b.kind);
                assert_eq!(
                    retry_state,
                    RetryState::MaximumAttemptsReached,
                    "[{}] the second attempt was the last",
                    b.kind
                );
                assert_ne!(
                    run_id, first_run,
                    "[{}] result() followed the retry",
                    b.kind
                );
            }
            other => panic!(
                "[{}] expected a timeout after the retry, got {other:?}",
                b.kind
            ),
        }
    })
    .await;
}
