//! Prints the client's `tracing` spans to stdout: one `temporal.<operation>` span per
//! call with its namespace, ids, handler and outcome, and (on a real connection) one
//! `temporal.rpc` span per RPC attempt inside it.
//!
//! ```sh
//! cargo run --example observability
//! ```
//!
//! It runs on the embedded in-memory fake server by default (the fake is called
//! directly, so there are no RPC attempt spans); with `TEMPORAL_ADDRESS=host:port` it
//! connects to a real server (a worker must serve the conformance `counter` workflow
//! on the task queue `examples`, e.g. `crates/testkit/worker/worker.py`) and
//! the `temporal.rpc` spans appear too. Each line is a span closing, with its fields
//! and its time.

use temporal_client::{
    Client, Connection, ConnectionOptions, QueryDefinition, SignalDefinition, WorkflowDefinition,
    WorkflowOptions,
};
use tracing::Instrument as _;
use tracing_subscriber::fmt::format::FmtSpan;

use temporal_examples::TASK_QUEUE;

const COUNTER: WorkflowDefinition<(i64,), i64> = WorkflowDefinition::new("counter");
const INCREMENT: SignalDefinition<(i64,)> = SignalDefinition::new("increment");
const FINISH: SignalDefinition<()> = SignalDefinition::new("finish");
const GET_VALUE: QueryDefinition<i64> = QueryDefinition::new("get_value");

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_span_events(FmtSpan::CLOSE)
        .with_target(false)
        .with_writer(std::io::stdout)
        .init();

    let client = match std::env::var("TEMPORAL_ADDRESS") {
        Ok(address) if !address.is_empty() => {
            Client::new(Connection::connect(ConnectionOptions::new(address)).await?)
        }
        _ => {
            let fake = temporal_testkit::FakeServer::new();
            temporal_testkit::conformance_workflows::register_all_on(&fake, TASK_QUEUE);
            Client::from_service(fake)
        }
    };

    async {
        let id = format!("observability-{}", std::process::id());
        let handle = client
            .start(COUNTER, WorkflowOptions::new(id, TASK_QUEUE).args((1,)))
            .await?;
        handle.signal(INCREMENT).arg(2).await?;
        let value = handle.query(GET_VALUE).await?;
        tracing::info!(value, "queried");
        // A failing call: its span records status=error, the error and the gRPC code.
        let missing = client.get_handle::<i64>("no-such-workflow");
        if let Err(error) = missing.signal(INCREMENT).arg(1).await {
            tracing::info!(%error, "expected failure");
        }
        handle.signal(FINISH).await?;
        let result = handle.result().await?;
        tracing::info!(result, "workflow finished");
        Ok::<_, temporal_client::Error>(())
    }
    .instrument(tracing::info_span!("checkout"))
    .await?;
    Ok(())
}
