//! Completes an activity from outside its worker (async activity completion).
//!
//! A workflow schedules an activity whose worker hands the work over to another system
//! (Python's `activity.raise_complete_async()`); that system later heartbeats and
//! completes it with this client, by task token or by workflow id and activity id.
//!
//! By default it runs on the testkit's embedded in-memory Temporal server, whose fake
//! workflow leaves the activity pending for the client:
//!
//! ```sh
//! cargo run --example async_activity
//! ```
//!
//! With `TEMPORAL_ADDRESS=host:port` it uses a real server; the conformance worker must
//! poll the task queue `async-activity` (its `async_activity` workflow and
//! `complete_async` activity): `.venv/bin/python crates/testkit/worker/worker.py
//! --address host:port --namespace default --task-queue async-activity`.

use std::time::Duration;

use temporal_client::activity::ActivityRef;
use temporal_client::{
    Client, Connection, ConnectionOptions, QueryDefinition, WorkflowDefinition, WorkflowOptions,
};
use temporal_testkit::{FakeServer, conformance_workflows};

/// The workflow: takes the activity id, returns what the activity is completed with.
const ASYNC_ACTIVITY: WorkflowDefinition<(String,), String> =
    WorkflowDefinition::new("async_activity");
/// The activity's task token, once the activity is pending.
const TASK_TOKEN: QueryDefinition<Option<Vec<u8>>> = QueryDefinition::new("task_token");

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = match std::env::var("TEMPORAL_ADDRESS") {
        Ok(address) if !address.is_empty() => {
            println!("using the Temporal server at {address}");
            Client::new(Connection::connect(ConnectionOptions::new(address)).await?)
        }
        _ => {
            println!(
                "using the embedded fake Temporal server (set TEMPORAL_ADDRESS for a real one)"
            );
            let fake = FakeServer::new();
            conformance_workflows::register_all(&fake);
            Client::from_service(fake)
        }
    };

    let workflow_id = format!("async-activity-{}", std::process::id());
    let options =
        WorkflowOptions::new(&workflow_id, "async-activity").args(("charge-card".to_owned(),));
    let handle = client.start(ASYNC_ACTIVITY, options).await?;
    println!("started workflow {workflow_id}");

    // The other system would get the token from the activity; here the workflow tells it.
    let token = loop {
        if let Some(token) = handle.query(TASK_TOKEN).await? {
            break token;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    println!("activity pending, task token of {} bytes", token.len());

    let by_token = client.async_activity_handle(ActivityRef::token(token));
    by_token.heartbeat().details(("card authorised",)).await?;
    println!("heartbeat recorded");

    // The same activity, by id.
    let by_id = client.async_activity_handle(ActivityRef::by_id(&workflow_id, "charge-card"));
    by_id.complete("receipt-42").await?;
    println!("activity completed by id");

    println!("workflow result: {}", handle.result().await?);
    match by_token.complete("again").await {
        Err(e) if e.is_activity_not_found() => println!("completing again: {e}"),
        other => println!("completing again, unexpectedly: {other:?}"),
    }
    Ok(())
}
