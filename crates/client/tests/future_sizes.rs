//! Memory a pending wait holds: 10,000 `result()` waits on one connection stay under
//! 100 MB (issue 12; `examples/bench_waits` measures it), because the futures a queued
//! or in-flight wait keeps alive are small. This holds their sizes (`size_of_val`, the
//! futures' own state) under bounds that a regression of the kind found would break:
//! an operation combinator written as an `async fn` that takes a future by value keeps
//! two copies of it, and nested ones made a pending `result()` hold about 18 KB (debug
//! build; 1.3 KB after). The bounds hold in debug builds, where futures are largest.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::future::IntoFuture as _;

use temporal_client::{Client, Connection, ConnectionOptions, WorkflowDefinition, WorkflowOptions};
use temporal_client_core::WorkflowService;
use temporal_client_core::proto::temporal::api::workflowservice::v1 as wf;

/// Bytes of the state of `result().payload()`: the wait's loop and its deadline.
const RESULT_WAIT_MAX: usize = 4 * 1024;
/// Bytes of the state of a start call on a `Connection` (6,152 in a debug build while
/// the request was kept by value in three layers; 2,240 after).
const START_CALL_MAX: usize = 3 * 1024;
/// Bytes of the boxed future of `client.start(..)`, the operation (5,736 while each
/// operation's `run` was an `async fn` keeping the builder next to the future that owns
/// it, and `intercept` kept its input twice; 3,560 after). Every start's future is
/// moved whole into its box, so its size is copied once per call.
const START_OPERATION_MAX: usize = 4 * 1024;
/// Bytes of the state of a long-poll call on a `Connection`: the retry loop (the
/// attempt itself is boxed once a slot is taken).
const LONG_POLL_CALL_MAX: usize = 2 * 1024;

#[tokio::test]
async fn a_pending_wait_holds_small_futures() {
    let connection = Connection::lazy(ConnectionOptions::new("127.0.0.1:1")).unwrap();
    let poll = connection.get_workflow_execution_history(
        wf::GetWorkflowExecutionHistoryRequest {
            namespace: "default".into(),
            wait_new_event: true,
            ..Default::default()
        }
        .into(),
    );
    let long_poll = std::mem::size_of_val(&*poll);
    assert!(
        long_poll <= LONG_POLL_CALL_MAX,
        "a long-poll call's future is {long_poll} bytes"
    );

    // A call's future holds its (large) request once, encoded.
    let start =
        connection.start_workflow_execution(wf::StartWorkflowExecutionRequest::default().into());
    let start_size = std::mem::size_of_val(&*start);
    assert!(
        start_size <= START_CALL_MAX,
        "a start call's future is {start_size} bytes"
    );

    let client = Client::new(connection.clone());
    const WORKFLOW: WorkflowDefinition<(String,), i64> = WorkflowDefinition::new("w");
    let start = client
        .start(
            WORKFLOW,
            WorkflowOptions::new("w", "q").args(("x".to_owned(),)),
        )
        .into_future();
    let start_size = std::mem::size_of_val(&*start);
    assert!(
        start_size <= START_OPERATION_MAX,
        "client.start(..)'s future is {start_size} bytes"
    );
    drop(start);
    let handle = client.get_handle::<i64>("w");
    let wait = handle.result().payload();
    let wait_size = std::mem::size_of_val(&wait);
    assert!(
        wait_size <= RESULT_WAIT_MAX,
        "result().payload()'s future is {wait_size} bytes"
    );
    // Awaiting the builder boxes the same wait.
    let boxed = handle.result().into_future();
    assert_eq!(
        std::mem::size_of_val(&boxed),
        2 * std::mem::size_of::<usize>()
    );
}
