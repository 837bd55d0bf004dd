//! Cancel and terminate, and the typed errors `result()` returns for each: the
//! workflow's close status and its failure chain.
//!
//! ```sh
//! cargo run --example cancel_terminate
//! ```
//!
//! Runs on the embedded fake by default; set `TEMPORAL_ADDRESS` (with the example worker
//! polling `examples`) for a real server. See `hello_world.rs`.

use std::error::Error as _;

use temporal_client::{Error, WorkflowCloseStatus, WorkflowOptions};
use temporal_examples::workflows::{CLEANED_UP, WAIT_CANCEL};
use temporal_examples::{TASK_QUEUE, check, connect, unique_id};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _backend) = connect().await?;

    // Cancel asks the workflow to stop; it may clean up before it ends as Canceled.
    let handle = client
        .start(
            WAIT_CANCEL,
            WorkflowOptions::new(unique_id("cancel"), TASK_QUEUE),
        )
        .await?;
    handle.cancel().reason("the order was withdrawn").await?;
    match handle.result().await {
        Err(Error::WorkflowFailed { status, cause, .. }) => {
            println!(
                "after cancel: status {status:?}, failure kind {}",
                cause.kind().name()
            );
            check(status == WorkflowCloseStatus::Canceled, "Canceled")?;
        }
        other => return Err(format!("expected a cancelled workflow, got {other:?}").into()),
    }
    let cleaned_up = handle.query(CLEANED_UP).await?;
    println!("the workflow ran its cleanup: {cleaned_up}");
    check(cleaned_up, "cleanup ran")?;

    // Terminate ends it at once, with no chance to clean up; reason and details are
    // recorded in the history.
    let handle = client
        .start(
            WAIT_CANCEL,
            WorkflowOptions::new(unique_id("terminate"), TASK_QUEUE),
        )
        .await?;
    handle
        .terminate()
        .reason("stuck")
        .details(("ticket-42".to_owned(),))
        .await?;
    let error = match handle.result().await {
        Err(e) => e,
        Ok(()) => return Err("expected a terminated workflow".into()),
    };
    // Each error in the chain says one thing; print the whole chain to see all of it.
    let mut chain = vec![error.to_string()];
    let mut source = error.source();
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    println!("after terminate: {}", chain.join(": "));
    let failure = error
        .failure()
        .ok_or("a terminated workflow has a failure")?;
    check(
        failure.message() == "stuck",
        "the terminate reason is the message",
    )?;
    check(
        matches!(
            error,
            Error::WorkflowFailed {
                status: WorkflowCloseStatus::Terminated,
                ..
            }
        ),
        "Terminated",
    )?;

    // A closed workflow takes no more signals or terminations: the typed error says so.
    // (A cancel request on it is accepted and does nothing, as on the server.)
    let again = handle.terminate().reason("again").await;
    match &again {
        Err(e) => println!("terminate after terminate: {e}"),
        Ok(()) => println!("terminate after terminate: accepted"),
    }
    check(
        again.as_ref().is_err_and(Error::is_already_completed),
        "terminate of a closed workflow",
    )?;
    let signal = handle.signal("ping").await;
    check(
        signal.as_ref().is_err_and(Error::is_already_completed),
        "signal to a closed workflow",
    )?;
    Ok(())
}
