//! Deadlines across whole operations, on every back end: a 1 s timeout, set by an
//! interceptor on every poll or by `.timeout(..)`, ends `result()` on a workflow that
//! never closes and `result()` of a 60 s update with the typed timeout error after
//! about 1 s, instead of restarting with every poll (issue 11, item 2). A single-RPC
//! operation whose timeout only an interceptor set reports the same typed timeout.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use temporal_client::interceptor::{
    FetchHistoryInput, FetchHistoryOutput, Interceptor, Next, PollUpdateInput, PollUpdateOutput,
    QueryWorkflowInput, QueryWorkflowOutput,
};
use temporal_client::{Client, Error, Result, UpdateWaitStage, WorkflowOptions, async_trait};

use crate::backend::on_every_backend;
use crate::defs::{LONG_UPDATE, SLOW, WAIT_CANCEL};

/// Sets a 1 s timeout on every result poll and update poll, counting the polls.
struct OneSecondPerPoll(Arc<AtomicUsize>);

const ONE_SECOND: Duration = Duration::from_secs(1);

#[async_trait]
impl Interceptor for OneSecondPerPoll {
    async fn fetch_history(
        &self,
        mut input: FetchHistoryInput,
        next: Next<'_, FetchHistoryInput, FetchHistoryOutput>,
    ) -> Result<FetchHistoryOutput> {
        self.0.fetch_add(1, Ordering::Relaxed);
        input.call.timeout = Some(ONE_SECOND);
        next.run(input).await
    }

    async fn poll_update(
        &self,
        mut input: PollUpdateInput,
        next: Next<'_, PollUpdateInput, PollUpdateOutput>,
    ) -> Result<PollUpdateOutput> {
        self.0.fetch_add(1, Ordering::Relaxed);
        input.call.timeout = Some(ONE_SECOND);
        next.run(input).await
    }
}

/// Sets a 1 s timeout on every query, and nothing else.
struct OneSecondPerQuery;

#[async_trait]
impl Interceptor for OneSecondPerQuery {
    async fn query_workflow(
        &self,
        mut input: QueryWorkflowInput,
        next: Next<'_, QueryWorkflowInput, QueryWorkflowOutput>,
    ) -> Result<QueryWorkflowOutput> {
        input.call.timeout = Some(ONE_SECOND);
        next.run(input).await
    }
}

/// Asserts `outcome` is the typed timeout of a 1 s deadline, returned on time.
fn assert_timed_out<T: std::fmt::Debug>(
    kind: impl std::fmt::Display,
    what: &str,
    started: Instant,
    outcome: Result<T>,
) {
    let elapsed = started.elapsed();
    match outcome {
        Err(Error::Timeout { timeout, .. }) => {
            assert_eq!(
                timeout, ONE_SECOND,
                "[{kind}] {what}: the deadline's timeout"
            );
        }
        other => panic!("[{kind}] {what}: expected Error::Timeout, got {other:?}"),
    }
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(3),
        "[{kind}] {what}: returned after {elapsed:?}, not about 1 s"
    );
}

#[tokio::test]
async fn a_deadline_ends_result_and_update_result_on_time() {
    on_every_backend(|b| async move {
        let polls = Arc::new(AtomicUsize::new(0));
        let client = Client::builder_from_arc(b.client.service().clone())
            .interceptor(OneSecondPerPoll(Arc::clone(&polls)))
            .build();

        let waiting = client
            .start(
                WAIT_CANCEL,
                WorkflowOptions::new(b.id("deadline-result"), &b.task_queue),
            )
            .await
            .unwrap();
        // Set by the interceptor on every poll: it counts from the first one.
        let started = Instant::now();
        let outcome = waiting.result().await;
        assert_timed_out(
            b.kind,
            "result() with an interceptor's timeout",
            started,
            outcome,
        );
        let made = polls.swap(0, Ordering::Relaxed);
        assert!(made <= 10, "[{}] {made} polls in about 1 s", b.kind);
        // Set on the builder.
        let started = Instant::now();
        let outcome = waiting.result().timeout(ONE_SECOND).await;
        assert_timed_out(b.kind, "result().timeout(1 s)", started, outcome);

        let updating = client
            .start(
                LONG_UPDATE,
                WorkflowOptions::new(b.id("deadline-update"), &b.task_queue),
            )
            .await
            .unwrap();
        let update = updating
            .start_update(SLOW)
            .args((60_000,))
            .wait_for_stage(UpdateWaitStage::Accepted)
            .await
            .unwrap();
        polls.store(0, Ordering::Relaxed);
        let started = Instant::now();
        let outcome = update.result().await;
        assert_timed_out(
            b.kind,
            "an update's result() with an interceptor's timeout",
            started,
            outcome,
        );
        let made = polls.load(Ordering::Relaxed);
        assert!(made <= 10, "[{}] {made} update polls in about 1 s", b.kind);
        let started = Instant::now();
        let outcome = update.result().timeout(ONE_SECOND).await;
        assert_timed_out(
            b.kind,
            "an update's result().timeout(1 s)",
            started,
            outcome,
        );

        waiting.terminate().await.unwrap();
        updating.terminate().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn an_interceptors_timeout_on_a_single_rpc_is_the_typed_timeout() {
    on_every_backend(|b| async move {
        let client = Client::builder_from_arc(b.client.service().clone())
            .interceptor(OneSecondPerQuery)
            .build();
        // No worker polls this queue: the server holds the query until its deadline
        // (the fake answers DEADLINE_EXCEEDED at once).
        let queue = format!("{}-nobody-polls", b.task_queue);
        let handle = client
            .start(
                WAIT_CANCEL,
                WorkflowOptions::new(b.id("deadline-query"), &queue),
            )
            .await
            .unwrap();
        let started = Instant::now();
        let outcome: Result<String> = handle.query("state").await;
        let elapsed = started.elapsed();
        match &outcome {
            Err(Error::Timeout {
                operation, timeout, ..
            }) => {
                assert_eq!(*operation, "query workflow", "[{}]", b.kind);
                assert_eq!(*timeout, ONE_SECOND, "[{}]", b.kind);
            }
            other => panic!("[{}] expected Error::Timeout, got {other:?}", b.kind),
        }
        assert!(
            elapsed < Duration::from_secs(3),
            "[{}] the query returned after {elapsed:?}",
            b.kind
        );
        handle.terminate().await.unwrap();
    })
    .await;
}

/// A zero timeout has passed before anything is sent, on every back end alike (an
/// in-process fake would otherwise answer within the first poll): the start creates
/// nothing, and waits and one-RPC operations fail the same way.
#[tokio::test]
async fn a_zero_timeout_fails_at_once_and_sends_nothing() {
    on_every_backend(|b| async move {
        let id = b.id("zero-timeout");
        let err = b
            .client
            .start(WAIT_CANCEL, WorkflowOptions::new(&id, &b.task_queue))
            .timeout(Duration::ZERO)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Timeout { timeout, .. } if timeout.is_zero()),
            "[{}] {err:?}",
            b.kind
        );
        let never_started = b.client.get_handle::<()>(&id).describe().await;
        assert!(
            matches!(&never_started, Err(e) if e.is_not_found()),
            "[{}] {never_started:?}",
            b.kind
        );

        let handle = b
            .client
            .start(WAIT_CANCEL, WorkflowOptions::new(&id, &b.task_queue))
            .await
            .unwrap();
        let waited = handle.result().timeout(Duration::ZERO).await;
        assert!(
            matches!(waited, Err(Error::Timeout { .. })),
            "[{}] {waited:?}",
            b.kind
        );
        let described = handle.describe().timeout(Duration::ZERO).await;
        assert!(
            matches!(described, Err(Error::Timeout { .. })),
            "[{}] {described:?}",
            b.kind
        );
        handle.terminate().await.unwrap();
    })
    .await;
}
