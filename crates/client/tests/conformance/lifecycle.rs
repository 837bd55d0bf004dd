//! start, result, execute, get_handle; duplicate starts under each policy; request ids.

use serde_json::json;
use temporal_client::{Error, IdConflictPolicy, IdReusePolicy, WorkflowOptions};

use crate::backend::on_every_backend;
use crate::defs::*;

#[tokio::test]
async fn start_result_execute_and_get_handle_from_a_fresh_client() {
    on_every_backend(|b| async move {
        let args = (
            "text".to_owned(),
            42_i64,
            2.5_f64,
            true,
            None::<String>,
            json!({"nested": {"list": [1, 2]}}),
        );
        let expected = vec![
            json!("text"),
            json!(42),
            json!(2.5),
            json!(true),
            json!(null),
            json!({"nested": {"list": [1, 2]}}),
        ];

        let id = b.id("echo");
        let handle = b
            .client
            .start(
                ECHO,
                WorkflowOptions::new(&id, &b.task_queue).args(args.clone()),
            )
            .await
            .unwrap();
        assert_eq!(handle.workflow_id(), id);
        let run_id = handle
            .run_id()
            .map(str::to_owned)
            .expect("start returns the run id");
        assert_eq!(
            handle.result().await.unwrap(),
            expected,
            "[{}] echo result",
            b.kind
        );

        // A later, process-like fresh client finds the same run by id alone.
        let fresh = b.fresh_client().await;
        let again = fresh.get_handle::<Vec<serde_json::Value>>(&id);
        assert_eq!(again.result().await.unwrap(), expected);
        assert_eq!(again.describe().await.unwrap().execution.run_id, run_id);

        let executed = b
            .client
            .execute(
                ECHO,
                WorkflowOptions::new(b.id("echo-exec"), &b.task_queue).args(args),
            )
            .await;
        assert_eq!(executed.unwrap(), expected, "[{}] execute", b.kind);
    })
    .await;
}

#[tokio::test]
async fn duplicate_start_under_each_id_reuse_and_conflict_policy() {
    on_every_backend(|b| async move {
        let id = b.id("dup");
        let first = b
            .client
            .start(WAIT_CANCEL, WorkflowOptions::new(&id, &b.task_queue))
            .await
            .unwrap();
        let first_run = first.run_id().unwrap().to_owned();

        // Default: a running id is an error naming the running run.
        match b
            .client
            .start(WAIT_CANCEL, WorkflowOptions::new(&id, &b.task_queue))
            .await
        {
            Err(Error::WorkflowExecutionAlreadyStarted {
                workflow_id,
                run_id,
                workflow_type,
                ..
            }) => {
                assert_eq!(
                    (
                        workflow_id.as_str(),
                        run_id.as_str(),
                        workflow_type.as_str()
                    ),
                    (id.as_str(), first_run.as_str(), "wait_cancel")
                );
            }
            other => panic!("[{}] expected already started, got {other:?}", b.kind),
        }

        // UseExisting: the running run comes back.
        let existing = b
            .client
            .start(
                WAIT_CANCEL,
                WorkflowOptions::new(&id, &b.task_queue)
                    .id_conflict_policy(IdConflictPolicy::UseExisting),
            )
            .await
            .unwrap();
        assert_eq!(
            existing.run_id(),
            Some(first_run.as_str()),
            "[{}] use existing",
            b.kind
        );

        // TerminateExisting: a new run; the old one is terminated.
        let replaced = b
            .client
            .start(
                WAIT_CANCEL,
                WorkflowOptions::new(&id, &b.task_queue)
                    .id_conflict_policy(IdConflictPolicy::TerminateExisting),
            )
            .await
            .unwrap();
        assert_ne!(replaced.run_id(), Some(first_run.as_str()));
        let old = b.client.get_handle::<()>(&id).for_run(first_run.clone());
        match old.result().await {
            Err(Error::WorkflowFailed { status, .. }) => {
                assert_eq!(
                    status,
                    temporal_client::WorkflowCloseStatus::Terminated,
                    "[{}]",
                    b.kind
                )
            }
            other => panic!(
                "[{}] the replaced run must be terminated, got {other:?}",
                b.kind
            ),
        }
        replaced.terminate().reason("cleanup").await.unwrap();

        // RejectDuplicate: even a closed id cannot be reused.
        let closed_id = b.id("reject");
        b.client
            .execute(
                ECHO,
                WorkflowOptions::new(&closed_id, &b.task_queue).args(sample_args()),
            )
            .await
            .unwrap();
        let rejected = b
            .client
            .start(
                ECHO,
                WorkflowOptions::new(&closed_id, &b.task_queue)
                    .args(sample_args())
                    .id_reuse_policy(IdReusePolicy::RejectDuplicate),
            )
            .await;
        assert!(
            matches!(rejected, Err(Error::WorkflowExecutionAlreadyStarted { .. })),
            "[{}] reject duplicate: {rejected:?}",
            b.kind
        );

        // AllowDuplicateFailedOnly: a completed run blocks, a failed one does not.
        let failed_only = b
            .client
            .start(
                ECHO,
                WorkflowOptions::new(&closed_id, &b.task_queue)
                    .args(sample_args())
                    .id_reuse_policy(IdReusePolicy::AllowDuplicateFailedOnly),
            )
            .await;
        assert!(
            matches!(
                failed_only,
                Err(Error::WorkflowExecutionAlreadyStarted { .. })
            ),
            "[{}] failed only after completion: {failed_only:?}",
            b.kind
        );
        let failed_id = b.id("failed-only");
        let _ = b
            .client
            .execute(
                FAIL,
                WorkflowOptions::new(&failed_id, &b.task_queue).args(("boom".to_owned(),)),
            )
            .await;
        b.client
            .start(
                ECHO,
                WorkflowOptions::new(&failed_id, &b.task_queue)
                    .args(sample_args())
                    .id_reuse_policy(IdReusePolicy::AllowDuplicateFailedOnly),
            )
            .await
            .unwrap_or_else(|e| panic!("[{}] a failed run may be followed: {e}", b.kind));

        // AllowDuplicate (the default): a closed id starts a new run.
        let reused = b
            .client
            .start(
                ECHO,
                WorkflowOptions::new(&closed_id, &b.task_queue).args(sample_args()),
            )
            .await;
        assert!(reused.is_ok(), "[{}] allow duplicate: {reused:?}", b.kind);
    })
    .await;
}

#[tokio::test]
async fn a_repeated_request_id_is_idempotent() {
    on_every_backend(|b| async move {
        let id = b.id("idem");
        let options = WorkflowOptions::new(&id, &b.task_queue)
            .request_id("11111111-2222-4333-8444-555555555555");
        let first = b.client.start(WAIT_CANCEL, options.clone()).await.unwrap();
        let second = b
            .client
            .start(WAIT_CANCEL, options)
            .await
            .unwrap_or_else(|e| panic!("[{}] same request id: {e}", b.kind));
        assert_eq!(first.run_id(), second.run_id(), "[{}]", b.kind);
        first.terminate().reason("cleanup").await.unwrap();
    })
    .await;
}

pub(crate) fn sample_args() -> (String, i64, f64, bool, Option<String>, serde_json::Value) {
    ("a".to_owned(), 1, 1.5, false, None, json!([]))
}
