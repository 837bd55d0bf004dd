//! Client interceptors against every back end: a start interceptor's Temporal header
//! reaches the worker, a query interceptor's changed argument is what the worker
//! answers to, and an interceptor that refuses a call stops it before the RPC.

use temporal_client::interceptor::{
    Interceptor, Next, QueryWorkflowInput, QueryWorkflowOutput, SignalWorkflowInput,
    StartWorkflowInput, StartWorkflowOutput,
};
use temporal_client::payload::DataConverter;
use temporal_client::proto::temporal::api::enums::v1::EventType;
use temporal_client::{Client, Error, Result, WorkflowOptions, async_trait};

use crate::backend::on_every_backend;

/// Sends a header on every start, rewrites the argument of `echo_arg` queries, and
/// refuses the signal `refused`.
struct Rewriter;

#[async_trait]
impl Interceptor for Rewriter {
    async fn start_workflow(
        &self,
        mut input: StartWorkflowInput,
        next: Next<'_, StartWorkflowInput, StartWorkflowOutput>,
    ) -> Result<StartWorkflowOutput> {
        let value = DataConverter::default().to_payload("from the Rust interceptor")?;
        input.headers.insert("echo".to_owned(), value);
        next.run(input).await
    }

    async fn query_workflow(
        &self,
        mut input: QueryWorkflowInput,
        next: Next<'_, QueryWorkflowInput, QueryWorkflowOutput>,
    ) -> Result<QueryWorkflowOutput> {
        if input.query_type == "echo_arg" {
            input.args = vec![DataConverter::default().to_payload("changed")?];
        }
        next.run(input).await
    }

    async fn signal_workflow(
        &self,
        input: SignalWorkflowInput,
        next: Next<'_, SignalWorkflowInput, ()>,
    ) -> Result<()> {
        if input.signal_name == "refused" {
            return Err(Error::interceptor("signals named 'refused' are not sent"));
        }
        next.run(input).await
    }
}

#[tokio::test]
async fn interceptors_change_headers_and_arguments_and_can_refuse_calls() {
    on_every_backend(|b| async move {
        let client = Client::builder_from_arc(b.client.service().clone())
            .interceptor(Rewriter)
            .build();
        let handle = client
            .start(
                "header_echo",
                WorkflowOptions::new(b.id("intercept"), &b.task_queue),
            )
            .await
            .unwrap();
        let answer: String = b
            .eventually("the query answer", || async {
                handle.query("echo_arg").arg("original").await.ok()
            })
            .await;
        assert_eq!(
            answer, "changed",
            "[{}] the worker saw the new argument",
            b.kind
        );
        let refused = handle.signal("refused").await.unwrap_err();
        assert!(
            matches!(refused, Error::Interceptor(_)),
            "[{}] {refused:?}",
            b.kind
        );
        handle.signal("finish").await.unwrap();
        let result = handle.result().await.unwrap();
        assert_eq!(
            result, "from the Rust interceptor",
            "[{}] header echoed",
            b.kind
        );
        let history = handle.fetch_history().into_history().await.unwrap();
        let signals: usize = history
            .events
            .iter()
            .filter(|e| e.event_type() == EventType::WorkflowExecutionSignaled)
            .count();
        assert_eq!(
            signals, 1,
            "[{}] the refused signal never reached the server",
            b.kind
        );
    })
    .await;
}
