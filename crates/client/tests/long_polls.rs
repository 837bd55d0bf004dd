//! Long polls against a `TestServer` (the fake behind real gRPC): thousands of pending
//! `result()` waits never starve ordinary calls, whatever the server's HTTP/2
//! concurrent-stream limit; all of them complete; a long poll refused for load is
//! retried beyond the unary retry budget (issue 11, item 3, and its load test).
//!
//! The full load (10,000 waits and 1,000 concurrent starts) is `#[ignore]`d to keep CI
//! short; run it with
//! `cargo test -p temporal-client --test long_polls -- --ignored`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use temporal_client::{
    Client, Code, Connection, ConnectionOptions, DEFAULT_MAX_CONCURRENT_LONG_POLLS, RpcRetryConfig,
    WorkflowDefinition, WorkflowOptions,
};
use temporal_testkit::FakeServer;
use temporal_testkit::grpc::TestServer;

/// A workflow type nothing is registered for: its runs stay open until the test
/// completes them with `FakeServer::complete`.
const OPEN: WorkflowDefinition<(), u64> = WorkflowDefinition::new("stays_open");

async fn serve(fake: &FakeServer, max_streams: u32) -> (TestServer, Client) {
    let server = TestServer::builder(Arc::new(fake.clone()))
        .max_concurrent_streams(max_streams)
        .start()
        .await
        .unwrap();
    let connection = Connection::connect(ConnectionOptions::new(server.url().unwrap()))
        .await
        .unwrap();
    (server, Client::new(connection))
}

/// Starts `waits` open workflows, waits on all of them with `result()` on one
/// connection, checks that a start and a count complete at once meanwhile (and
/// `starts` more concurrent starts, all correct), then completes every workflow and
/// checks every result.
async fn waits_and_starts(waits: usize, starts: usize, max_streams: u32) {
    let fake = FakeServer::new();
    let (server, client) = serve(&fake, max_streams).await;
    // The workflows to wait on, started 250 at a time (setup, not the measured load).
    let mut started = Vec::with_capacity(waits);
    for first in (0..waits).step_by(250) {
        started.extend(
            futures_util::future::join_all((first..waits.min(first + 250)).map(|i| {
                let client = client.clone();
                async move {
                    client
                        .start(OPEN, WorkflowOptions::new(format!("open-{i}"), "q"))
                        .await
                        .unwrap()
                }
            }))
            .await,
        );
    }
    let pending: Vec<_> = started
        .into_iter()
        .map(|handle| tokio::spawn(async move { handle.result().await }))
        .collect();
    // Wait until the long polls fill the client's long-poll limit or the server's
    // stream limit (or all are in).
    let polls_in = (waits as u64)
        .min(u64::from(max_streams))
        .min(DEFAULT_MAX_CONCURRENT_LONG_POLLS as u64);
    let waited = Instant::now();
    while server.faults().calls("GetWorkflowExecutionHistory") < polls_in {
        assert!(
            waited.elapsed() < Duration::from_secs(60),
            "only {} long polls reached the server",
            server.faults().calls("GetWorkflowExecutionHistory")
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // No workflow closed, so no poll ended: the server saw exactly the polls in
    // flight, never more than the client's limit.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        server.faults().calls("GetWorkflowExecutionHistory"),
        polls_in,
        "long polls in flight"
    );

    // Ordinary calls meanwhile: within normal latency (a generous bound, not a
    // benchmark), not behind the waits.
    let call = Instant::now();
    client
        .start(OPEN, WorkflowOptions::new("beside-the-waits", "q"))
        .await
        .unwrap();
    let count = client.count("").await.unwrap();
    let took = call.elapsed();
    assert!(
        took < Duration::from_secs(2),
        "a start and a count took {took:?} beside {waits} waits"
    );
    assert_eq!(count.count, waits as i64 + 1);

    // Concurrent starts beside the waits.
    let more = futures_util::future::join_all((0..starts).map(|i| {
        let client = client.clone();
        async move {
            client
                .start(OPEN, WorkflowOptions::new(format!("more-{i}"), "q"))
                .await
        }
    }))
    .await;
    assert!(more.iter().all(Result::is_ok), "every start succeeded");
    assert_eq!(
        client.count("").await.unwrap().count,
        (waits + starts) as i64 + 1
    );

    for i in 0..waits {
        fake.complete(&format!("open-{i}"), i as u64).unwrap();
    }
    for (i, wait) in pending.into_iter().enumerate() {
        let result = tokio::time::timeout(Duration::from_secs(120), wait)
            .await
            .expect("every wait completes")
            .unwrap();
        assert_eq!(result.unwrap(), i as u64, "the result of open-{i}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_waits_never_starve_a_start_or_a_count_under_a_stream_limit_of_50() {
    waits_and_starts(2_000, 200, 50).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the full load: about two minutes in a debug build on 2 cores"]
async fn ten_thousand_waits_and_a_thousand_concurrent_starts_on_one_connection() {
    waits_and_starts(10_000, 1_000, testkit_default_streams()).await;
}

fn testkit_default_streams() -> u32 {
    temporal_testkit::grpc::DEFAULT_MAX_CONCURRENT_STREAMS
}

#[tokio::test]
async fn a_long_poll_refused_for_load_is_retried_past_the_retry_budget() {
    let fake = FakeServer::new();
    let server = TestServer::start(Arc::new(fake.clone())).await.unwrap();
    // A budget of 2 attempts: an ordinary call gives up after one retry.
    let retry = RpcRetryConfig {
        max_attempts: 2,
        initial_interval: Duration::from_millis(5),
        resource_exhausted_initial_interval: Duration::from_millis(5),
        max_interval: Duration::from_millis(20),
        ..RpcRetryConfig::default()
    };
    let connection =
        Connection::connect(ConnectionOptions::new(server.url().unwrap()).retry(retry))
            .await
            .unwrap();
    let client = Client::new(connection);
    let handle = client
        .start(OPEN, WorkflowOptions::new("refused-for-load", "q"))
        .await
        .unwrap();
    fake.complete("refused-for-load", 7_u64).unwrap();
    server.faults().fail_next(
        "GetWorkflowExecutionHistory",
        6,
        Code::ResourceExhausted,
        "namespace concurrent poller limit exceeded",
    );
    assert_eq!(handle.result().await.unwrap(), 7);
    assert!(server.faults().calls("GetWorkflowExecutionHistory") >= 7);

    // An ordinary call keeps its budget.
    server.faults().fail_next(
        "CountWorkflowExecutions",
        6,
        Code::ResourceExhausted,
        "busy",
    );
    let err = client.count("").await.unwrap_err();
    assert!(err.to_string().contains("busy"), "{err}");
}

#[tokio::test]
async fn a_limit_of_zero_long_polls_is_refused_by_name() {
    let err = Connection::lazy(ConnectionOptions::new("localhost:1").max_concurrent_long_polls(0))
        .unwrap_err();
    assert!(
        err.to_string().contains("max_concurrent_long_polls"),
        "{err}"
    );
}
