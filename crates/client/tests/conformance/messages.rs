//! signal, query, update, update-with-start, signal-with-start; query reject conditions
//! and the three distinct query errors.

use std::time::Duration;

use temporal_client::proto::temporal::api::enums::v1::WorkflowExecutionStatus;
use temporal_client::{
    Error, IdConflictPolicy, QueryRejectCondition, UpdateWaitStage, WorkflowOptions,
};

use crate::backend::on_every_backend;
use crate::defs::*;

#[tokio::test]
async fn signal_query_and_update_a_counter() {
    on_every_backend(|b| async move {
        let handle = b
            .client
            .start(
                COUNTER,
                WorkflowOptions::new(b.id("counter"), &b.task_queue).args((5,)),
            )
            .await
            .unwrap();
        handle.signal(INCREMENT).args((2,)).await.unwrap();
        // The untyped path by name: args and result inferred from the values.
        handle.signal("increment").args((1_i64,)).await.unwrap();
        let value = b
            .eventually("the signals to be applied", || async {
                let v: i64 = handle.query(GET_VALUE).await.unwrap();
                (v == 8).then_some(v)
            })
            .await;
        assert_eq!(value, 8);

        assert_eq!(
            handle.execute_update(ADD).args((3,)).await.unwrap(),
            11,
            "[{}] update result",
            b.kind
        );
        match handle.execute_update(ADD).args((-1,)).await {
            Err(Error::UpdateFailed {
                cause, update_name, ..
            }) => {
                assert_eq!(update_name, "add");
                assert_eq!(cause.message(), "negative increment", "[{}]", b.kind);
            }
            other => panic!(
                "[{}] the validator must reject a negative increment, got {other:?}",
                b.kind
            ),
        }
        // start_update returns once accepted; its handle (or one by id) gives the result.
        let update = handle
            .start_update(ADD)
            .args((4,))
            .wait_for_stage(UpdateWaitStage::Accepted)
            .await
            .unwrap();
        assert_eq!(update.result().await.unwrap(), 15);
        let by_id = handle.get_update_handle::<i64>(update.update_id());
        assert_eq!(
            by_id.result().await.unwrap(),
            15,
            "[{}] update handle by id",
            b.kind
        );

        handle.signal(FINISH).await.unwrap();
        assert_eq!(handle.result().await.unwrap(), 15);
    })
    .await;
}

#[tokio::test]
async fn query_errors_are_distinct_and_reject_conditions_apply() {
    on_every_backend(|b| async move {
        let handle = b
            .client
            .start(
                COUNTER,
                WorkflowOptions::new(b.id("query"), &b.task_queue).args((1,)),
            )
            .await
            .unwrap();
        match handle.query(FAIL_QUERY).await {
            Err(Error::QueryFailed { message, .. }) => assert!(
                message.contains("query failed on purpose"),
                "[{}] {message}",
                b.kind
            ),
            other => panic!(
                "[{}] a raising query handler is QueryFailed, got {other:?}",
                b.kind
            ),
        }
        match handle.query::<i64, ()>("no_such_query").await {
            Err(Error::QueryNotRegistered { query_type, .. }) => {
                assert_eq!(query_type, "no_such_query")
            }
            other => panic!(
                "[{}] an unknown query is QueryNotRegistered, got {other:?}",
                b.kind
            ),
        }
        // Open workflow: NOT_OPEN does not reject.
        let v: i64 = handle
            .query(GET_VALUE)
            .reject_condition(QueryRejectCondition::NotOpen)
            .await
            .unwrap();
        assert_eq!(v, 1);

        handle.signal(FINISH).await.unwrap();
        handle.result().await.unwrap();
        // A completed workflow still answers queries...
        assert_eq!(
            handle.query(GET_VALUE).await.unwrap(),
            1,
            "[{}] query after completion",
            b.kind
        );
        // ...unless the reject condition says not to.
        match handle
            .query(GET_VALUE)
            .reject_condition(QueryRejectCondition::NotOpen)
            .await
        {
            Err(Error::QueryRejected { status, .. }) => {
                assert_eq!(status, WorkflowExecutionStatus::Completed)
            }
            other => panic!(
                "[{}] NOT_OPEN on a closed workflow is QueryRejected, got {other:?}",
                b.kind
            ),
        }
        let clean: i64 = handle
            .query(GET_VALUE)
            .reject_condition(QueryRejectCondition::NotCompletedCleanly)
            .await
            .unwrap();
        assert_eq!(clean, 1);
    })
    .await;
}

#[tokio::test]
async fn signal_with_start_and_update_with_start() {
    on_every_backend(|b| async move {
        let id = b.id("sws");
        let handle = b
            .client
            .signal_with_start(
                COUNTER,
                WorkflowOptions::new(&id, &b.task_queue).args((10,)),
                INCREMENT,
            )
            .args((5,))
            .await
            .unwrap();
        let value = b
            .eventually("the start signal", || async {
                let v: i64 = handle.query(GET_VALUE).await.unwrap();
                (v == 15).then_some(v)
            })
            .await;
        assert_eq!(value, 15);
        // A second signal-with-start signals the running workflow (conflict policy UseExisting).
        let again = b
            .client
            .signal_with_start(
                COUNTER,
                WorkflowOptions::new(&id, &b.task_queue).args((99,)),
                INCREMENT,
            )
            .args((1,))
            .await
            .unwrap();
        assert_eq!(again.run_id(), handle.run_id(), "[{}] same run", b.kind);
        handle.signal(FINISH).await.unwrap();
        assert_eq!(handle.result().await.unwrap(), 16);

        let uws_id = b.id("uws");
        let options = || {
            WorkflowOptions::new(&uws_id, &b.task_queue)
                .args((100,))
                .id_conflict_policy(IdConflictPolicy::UseExisting)
        };
        let first = b
            .client
            .execute_update_with_start(COUNTER, options(), ADD)
            .args((1,))
            .await
            .unwrap();
        assert_eq!(
            first, 101,
            "[{}] update-with-start starts the workflow",
            b.kind
        );
        let second = b
            .client
            .execute_update_with_start(COUNTER, options(), ADD)
            .args((2,))
            .await
            .unwrap();
        assert_eq!(second, 103, "[{}] and then updates the running one", b.kind);
        let (wf, update) = b
            .client
            .start_update_with_start(COUNTER, options(), ADD)
            .args((3,))
            .wait_for_stage(UpdateWaitStage::Accepted)
            .await
            .unwrap();
        assert_eq!(update.result().await.unwrap(), 106);
        wf.signal(FINISH).await.unwrap();
        assert_eq!(wf.result().await.unwrap(), 106);
    })
    .await;
}

#[tokio::test]
async fn an_update_longer_than_one_long_poll_completes() {
    on_every_backend(|b| async move {
        let handle = b
            .client
            .start(
                LONG_UPDATE,
                WorkflowOptions::new(b.id("long-update"), &b.task_queue),
            )
            .await
            .unwrap();
        let update = handle
            .start_update(SLOW)
            .args((25_000,))
            .wait_for_stage(UpdateWaitStage::Accepted)
            .await
            .unwrap();
        // The server answers an update long poll after ~20 s without an outcome; the
        // handle must keep polling.
        let result = b
            .with_time(Duration::from_secs(30), update.result())
            .await
            .unwrap();
        assert_eq!(result, "slow done", "[{}]", b.kind);
        handle.signal(FINISH).await.unwrap();
        assert_eq!(handle.result().await.unwrap(), "done");
    })
    .await;
}
