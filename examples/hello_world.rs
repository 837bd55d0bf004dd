//! Starts a `hello` workflow and prints its result.
//!
//! By default it runs on the testkit's embedded in-memory Temporal server, with the
//! workflow implemented in Rust, so it needs nothing else:
//!
//! ```sh
//! cargo run --example hello_world
//! ```
//!
//! With `TEMPORAL_ADDRESS=host:port` it talks to a real server instead; a worker must
//! poll the task queue `hello-world` for the `hello` workflow, e.g. the conformance
//! worker: `.venv/bin/python crates/testkit/worker/worker.py --address host:port
//! --namespace default --task-queue hello-world`.

use temporal_client::{Client, Connection, ConnectionOptions, WorkflowDefinition, WorkflowOptions};
use temporal_testkit::{FakeServer, WorkflowContext, WorkflowResult};

/// The workflow's name, argument tuple and result type.
const HELLO: WorkflowDefinition<(String,), String> = WorkflowDefinition::new("hello");

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
            fake.register_workflow("hello", |ctx: WorkflowContext| async move {
                let (name,): (String,) = ctx.args()?;
                Ok(WorkflowResult::completed(format!("Hello, {name}!")))
            });
            Client::from_service(fake)
        }
    };

    let workflow_id = format!("hello-world-{}", std::process::id());
    let options = WorkflowOptions::new(workflow_id, "hello-world").args(("World".to_owned(),));
    let handle = client.start(HELLO, options).await?;
    println!(
        "started workflow {} (run {})",
        handle.workflow_id(),
        handle.run_id().unwrap_or("?")
    );

    let greeting = handle.result().await?;
    println!("result: {greeting}");
    Ok(())
}
