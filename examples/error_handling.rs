//! Typed errors and their predicates: already started, not found, a workflow that
//! failed with a cause chain (its type and details read without a converter), a failing
//! query, and a per-call timeout.
//!
//! ```sh
//! cargo run --example error_handling
//! ```
//!
//! Runs on the embedded fake by default; set `TEMPORAL_ADDRESS` (with the example worker
//! polling `examples`) for a real server. See `hello_world.rs`.

use std::time::Duration;

use temporal_client::{Error, WorkflowOptions};
use temporal_examples::workflows::{COUNTER, FAIL, FAIL_QUERY, FINISH};
use temporal_examples::{TASK_QUEUE, check, connect, unique_id};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _backend) = connect().await?;

    // Already started: a second start with the id of a running workflow.
    let id = unique_id("errors");
    let running = client
        .start(
            COUNTER,
            WorkflowOptions::new(id.clone(), TASK_QUEUE).args((0,)),
        )
        .await?;
    let err = client
        .start(
            COUNTER,
            WorkflowOptions::new(id.clone(), TASK_QUEUE).args((0,)),
        )
        .await
        .err()
        .ok_or("a second start with the same id must fail")?;
    println!("second start: {err}");
    check(err.is_already_started(), "is_already_started")?;
    if let Error::WorkflowExecutionAlreadyStarted { run_id, .. } = &err {
        check(
            Some(run_id.as_str()) == running.run_id(),
            "names the running run",
        )?;
    }

    // A query whose handler fails.
    let err = running
        .query(FAIL_QUERY)
        .await
        .err()
        .ok_or("fail_query fails")?;
    println!("failing query: {err}");
    check(matches!(err, Error::QueryFailed { .. }), "QueryFailed")?;
    running.signal(FINISH).await?;
    running.result().await?;

    // Not found.
    let err = client
        .get_handle::<serde_json::Value>(unique_id("no-such-workflow"))
        .describe()
        .await
        .err()
        .ok_or("describe of an unknown id fails")?;
    println!("unknown workflow: {err}");
    check(err.is_not_found(), "is_not_found")?;

    // A workflow that failed: the failure chain, its types and details.
    let handle = client
        .start(
            FAIL,
            WorkflowOptions::new(unique_id("fail"), TASK_QUEUE).args(("card declined".to_owned(),)),
        )
        .await?;
    let err = handle.result().await.err().ok_or("the workflow fails")?;
    println!("failed workflow: {err}");
    let failure = err.failure().ok_or("a failed workflow has a failure")?;
    println!(
        "  failure: {} of type {:?}, message {:?}, non-retryable {}",
        failure.kind().name(),
        failure.application_type().unwrap_or("-"),
        failure.message(),
        failure.is_non_retryable()
    );
    check(
        failure.application_type() == Some("MyError"),
        "the error type",
    )?;
    let (map, code): (serde_json::Value, i64) = failure.details()?;
    println!("  details: {map} and {code}");
    check(failure.message() == "card declined", "the message")?;
    check(code == 7, "the second detail")?;
    let cause = failure.cause().ok_or("the failure has a cause")?;
    println!("  caused by: {} {:?}", cause.kind().name(), cause.message());
    check(cause.message() == "inner cause", "the cause's message")?;
    check(
        !err.is_retryable(),
        "a workflow failure is not retried by the client",
    )?;

    // A per-call timeout bounds the whole operation.
    let slow = client
        .start(
            COUNTER,
            WorkflowOptions::new(unique_id("timeout"), TASK_QUEUE).args((0,)),
        )
        .await?;
    let err = slow
        .result()
        .timeout(Duration::from_millis(300))
        .await
        .err()
        .ok_or("a running workflow has no result yet")?;
    println!("result() with a 300 ms timeout: {err}");
    check(err.is_timeout(), "is_timeout")?;
    slow.terminate().reason("example done").await?;
    Ok(())
}
