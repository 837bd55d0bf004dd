//! A cron workflow (`cron_schedule` on the start options) and what `result()` returns
//! for it. For new code prefer a schedule (`cargo run --example schedules`): it can be
//! paused, updated, triggered and backfilled, and its runs have their own ids.
//!
//! ```sh
//! cargo run --example cron
//! ```
//!
//! Runs on the embedded fake by default (its virtual clock is moved on instead of
//! waiting); set `TEMPORAL_ADDRESS` (with the example worker polling `examples`) for a
//! real server. See `hello_world.rs`.

use std::time::Duration;

use temporal_client::{Error, WorkflowCloseStatus, WorkflowExecutionStatus, WorkflowOptions};
use temporal_examples::workflows::CRON;
use temporal_examples::{TASK_QUEUE, check, connect, unique_id};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, backend) = connect().await?;
    let id = unique_id("cron");
    // One workflow id, a chain of runs: each run starts at the next schedule time and,
    // when it completes, the server starts the next one.
    let handle = client
        .start(
            CRON,
            WorkflowOptions::new(id.clone(), TASK_QUEUE).cron_schedule("@every 2s"),
        )
        .await?;
    let first_run = handle.run_id().unwrap_or_default().to_owned();
    println!("started cron workflow {id}, first run {first_run}");

    backend.pass_time(Duration::from_millis(2500)).await;
    // The handle targets the first run; without following runs, result() is that run's
    // own result.
    let first = handle
        .clone()
        .follow_runs(false)
        .result()
        .timeout(Duration::from_secs(10))
        .await?;
    println!("the first run returned {first:?}");
    check(first == "cron run", "the first run's result")?;

    // Following runs (the default), result() waits for the chain to end, and a cron
    // chain only ends when it is terminated or cancelled (or its execution timeout hits).
    let waited = handle.result().timeout(Duration::from_millis(500)).await;
    println!(
        "result() following runs: {}",
        waited
            .as_ref()
            .map_or_else(ToString::to_string, Clone::clone)
    );
    check(
        waited.as_ref().is_err_and(Error::is_timeout),
        "the chain goes on",
    )?;

    // The latest run is another run of the same workflow id.
    let latest = backend
        .eventually("a second cron run", || async {
            let d = client.get_handle::<String>(id.clone()).describe().await?;
            Ok((d.execution.run_id != first_run).then_some(d.execution.run_id))
        })
        .await?;
    println!("the latest run is {latest}");

    handle.terminate().reason("cron example done").await?;
    let d = client.get_handle::<String>(id.clone()).describe().await?;
    println!("after terminate the chain is {:?}", d.status());
    check(
        d.status() == WorkflowExecutionStatus::Terminated,
        "Terminated",
    )?;
    let ended = handle.result().await;
    check(
        matches!(
            ended,
            Err(Error::WorkflowFailed {
                status: WorkflowCloseStatus::Terminated,
                ..
            })
        ),
        "result() reports the termination",
    )?;
    Ok(())
}
