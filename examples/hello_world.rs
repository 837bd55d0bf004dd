//! Starts a `hello` workflow and prints its result, then runs a second one with
//! `execute` (start and wait in one call).
//!
//! ```sh
//! cargo run --example hello_world
//! ```
//!
//! By default it runs on the testkit's embedded fake server. There the "workflow" is a
//! Rust closure registered on the fake, which plays the server and the worker: this
//! client does not run workflow code. With `TEMPORAL_ADDRESS=host:port` it talks to a real
//! server, and the workflow runs in a worker that polls the task queue `examples`, e.g.
//! the example worker written with the official Python SDK:
//! `.venv/bin/python crates/testkit/worker/worker.py --address host:port --task-queue examples`.

use temporal_client::WorkflowOptions;
use temporal_examples::workflows::HELLO;
use temporal_examples::{TASK_QUEUE, check, connect, unique_id};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _backend) = connect().await?;

    let options = WorkflowOptions::new(unique_id("hello"), TASK_QUEUE).args(("World".to_owned(),));
    let handle = client.start(HELLO, options).await?;
    println!(
        "started workflow {} (run {})",
        handle.workflow_id(),
        handle.run_id().unwrap_or("?")
    );
    let greeting = handle.result().await?;
    println!("result: {greeting}");
    check(greeting == "Hello, World!", "the greeting")?;

    // `execute` is start + result in one call.
    let options = WorkflowOptions::new(unique_id("hello"), TASK_QUEUE).args(("Rust".to_owned(),));
    let greeting = client.execute(HELLO, options).await?;
    println!("execute: {greeting}");
    check(greeting == "Hello, Rust!", "the executed greeting")?;
    Ok(())
}
