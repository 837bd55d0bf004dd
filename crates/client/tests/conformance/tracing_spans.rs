//! `tracing` spans on every back end: one `temporal.<operation>` span per operation
//! with its ids, handler and outcome, and (through a `Connection`) one `temporal.rpc`
//! span per attempt inside it.

use temporal_client::WorkflowOptions;
use tracing::instrument::WithSubscriber as _;

use crate::backend::{Kind, on_every_backend};
use crate::defs::{ADD, COUNTER, FINISH, GET_VALUE, INCREMENT};
use crate::span_recorder::Spans;

#[tokio::test]
async fn operations_and_rpc_attempts_are_traced() {
    on_every_backend(|b| async move {
        let (spans, dispatch) = Spans::dispatch();
        let id = b.id("traced");
        let missing_id = b.id("traced-missing");
        let run_id = async {
            let handle = b
                .client
                .start(COUNTER, WorkflowOptions::new(&id, &b.task_queue).args((1,)))
                .await
                .unwrap();
            handle.signal(INCREMENT).arg(2).await.unwrap();
            assert_eq!(handle.query(GET_VALUE).await.unwrap(), 3);
            assert_eq!(handle.execute_update(ADD).arg(4).await.unwrap(), 7);
            let missing = b.client.get_handle::<i64>(&missing_id);
            let error = missing.signal(INCREMENT).arg(1).await.unwrap_err();
            assert!(error.is_not_found(), "{error:?}");
            handle.signal(FINISH).await.unwrap();
            assert_eq!(handle.result().await.unwrap(), 7);
            handle.run_id().unwrap().to_owned()
        }
        .with_subscriber(dispatch)
        .await;
        let kind = b.kind;

        let [start] = spans.named("temporal.start_workflow").try_into().unwrap();
        assert_eq!(start.field("namespace"), Some("default"), "[{kind}]");
        assert_eq!(start.field("workflow_id"), Some(id.as_str()));
        assert_eq!(start.field("workflow_type"), Some("counter"));
        assert_eq!(start.field("run_id"), Some(run_id.as_str()));
        assert_eq!(start.field("status"), Some("ok"));
        assert_eq!(start.field("otel.kind"), Some("client"));

        let signals = spans.named("temporal.signal_workflow");
        assert_eq!(signals.len(), 3, "[{kind}] {signals:?}");
        assert_eq!(signals[0].field("handler"), Some("increment"));
        assert_eq!(signals[0].field("status"), Some("ok"));
        let failed = &signals[1];
        assert_eq!(failed.field("workflow_id"), Some(missing_id.as_str()));
        assert_eq!(failed.field("status"), Some("error"), "[{kind}] {failed:?}");
        assert_eq!(failed.field("error"), Some("WorkflowNotFound"));
        assert_eq!(failed.field("grpc_code"), Some("NOT_FOUND"));
        assert_eq!(failed.field("otel.status_code"), Some("ERROR"));

        let [query] = spans.named("temporal.query_workflow").try_into().unwrap();
        assert_eq!(query.field("handler"), Some("get_value"));
        let [update] = spans.named("temporal.execute_update").try_into().unwrap();
        assert_eq!(update.field("handler"), Some("add"));
        assert_eq!(update.field("status"), Some("ok"));
        // execute_update = start_update, then the result: both nested in it.
        let [start_update] = spans.named("temporal.start_update").try_into().unwrap();
        assert_eq!(start_update.parent, Some(update.id));
        assert!(
            start_update
                .field("update_id")
                .is_some_and(|u| !u.is_empty())
        );
        let [result] = spans
            .named("temporal.get_workflow_result")
            .try_into()
            .unwrap();
        assert_eq!(result.field("status"), Some("ok"));

        let attempts = spans.named("temporal.rpc");
        if kind == Kind::Fake {
            // No transport: the service is called directly.
            assert!(attempts.is_empty(), "{attempts:?}");
            return;
        }
        let children = spans.children(&start);
        let [rpc] = children.try_into().unwrap();
        assert_eq!(rpc.name, "temporal.rpc");
        assert_eq!(rpc.field("rpc"), Some("StartWorkflowExecution"), "[{kind}]");
        assert_eq!(rpc.field("attempt"), Some("1"));
        assert_eq!(rpc.field("grpc_code"), Some("OK"));
        assert_eq!(rpc.field("long_poll"), Some("false"));
        let [failed_rpc] = spans.children(failed).try_into().unwrap();
        assert_eq!(failed_rpc.field("grpc_code"), Some("NOT_FOUND"));
        let polls: Vec<_> = spans
            .children(&result)
            .into_iter()
            .filter(|s| s.field("rpc") == Some("GetWorkflowExecutionHistory"))
            .collect();
        assert!(!polls.is_empty(), "[{kind}]");
        assert!(polls.iter().all(|p| p.field("long_poll") == Some("true")));
    })
    .await;
}
