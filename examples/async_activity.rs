//! Completes an activity from outside its worker (async activity completion).
//!
//! A workflow schedules an activity whose worker hands the work over to another system
//! (Python's `activity.raise_complete_async()`); that system later heartbeats and
//! completes it with this client, by task token or by workflow id and activity id.
//!
//! ```sh
//! cargo run --example async_activity
//! ```
//!
//! Runs on the embedded fake by default, whose fake `async_activity` workflow leaves the
//! activity pending for the client. With `TEMPORAL_ADDRESS=host:port` it uses a real
//! server, where the example worker's Python activity calls
//! `activity.raise_complete_async()`: run the worker on the task queue `examples`
//! (`.venv/bin/python crates/testkit/worker/worker.py --address host:port --task-queue examples`).

use std::future::IntoFuture;

use temporal_client::activity::ActivityRef;
use temporal_client::{QueryDefinition, WorkflowDefinition, WorkflowOptions};
use temporal_examples::{TASK_QUEUE, check, connect, unique_id};

/// The workflow: takes the activity id, returns what the activity is completed with.
const ASYNC_ACTIVITY: WorkflowDefinition<(String,), String> =
    WorkflowDefinition::new("async_activity");
/// The activity's task token, once the activity is pending.
const TASK_TOKEN: QueryDefinition<Option<Vec<u8>>> = QueryDefinition::new("task_token");

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, backend) = connect().await?;

    let workflow_id = unique_id("async-activity");
    let options = WorkflowOptions::new(&workflow_id, TASK_QUEUE).args(("charge-card".to_owned(),));
    let handle = client.start(ASYNC_ACTIVITY, options).await?;
    println!("started workflow {workflow_id}");

    // The other system would get the token from the activity; here the workflow tells it.
    let token = backend
        .eventually("the pending activity's token", || {
            handle.query(TASK_TOKEN).into_future()
        })
        .await?;
    println!("activity pending, task token of {} bytes", token.len());

    let by_token = client.async_activity_handle(ActivityRef::token(token));
    by_token.heartbeat().details(("card authorised",)).await?;
    println!("heartbeat recorded");

    // The same activity, by id.
    let by_id = client.async_activity_handle(ActivityRef::by_id(&workflow_id, "charge-card"));
    by_id.complete("receipt-42").await?;
    println!("activity completed by id");

    let result = handle.result().await?;
    println!("workflow result: {result}");
    check(
        result == "receipt-42",
        "the workflow returns what the activity completed with",
    )?;
    let again = by_token.complete("again").await;
    match &again {
        Err(e) => println!("completing again: {e}"),
        Ok(()) => println!("completing again: accepted"),
    }
    check(
        again.as_ref().is_err_and(|e| e.is_activity_not_found()),
        "a second completion is not found",
    )?;
    Ok(())
}
