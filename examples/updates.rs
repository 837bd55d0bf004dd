//! Updates: `execute_update` (send and wait for the result), `start_update` with a wait
//! stage, a rejected update, and update-with-start.
//!
//! ```sh
//! cargo run --example updates
//! ```
//!
//! Runs on the embedded fake by default; set `TEMPORAL_ADDRESS` (with the example worker
//! polling `examples`) for a real server. See `hello_world.rs`.

use temporal_client::{IdConflictPolicy, UpdateWaitStage, WorkflowOptions};
use temporal_examples::workflows::{ADD, COUNTER, FINISH};
use temporal_examples::{TASK_QUEUE, check, connect, unique_id};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _backend) = connect().await?;
    let handle = client
        .start(
            COUNTER,
            WorkflowOptions::new(unique_id("updates"), TASK_QUEUE).args((0,)),
        )
        .await?;

    // Execute: send the update and wait for its result.
    let value = handle.execute_update(ADD).arg(5).await?;
    println!("execute_update add(5) -> {value}");
    check(value == 5, "0 + 5")?;

    // Start: return once the update reached a stage (Accepted: the worker's validator
    // passed), then fetch the result from the update handle, here or elsewhere by id.
    let update = handle
        .start_update(ADD)
        .arg(10)
        .update_id("add-ten")
        .wait_for_stage(UpdateWaitStage::Accepted)
        .await?;
    println!("update {} accepted", update.update_id());
    let value = update.result().await?;
    println!("its result: {value}");
    check(value == 15, "5 + 10")?;
    let again = handle.get_update_handle::<i64>("add-ten").result().await?;
    check(again == 15, "the same update's result, fetched by id")?;

    // The validator refuses negative numbers: the update is rejected, nothing changes.
    match handle.execute_update(ADD).arg(-1).await {
        Err(e) => println!(
            "add(-1) was rejected: {e}: {}",
            e.failure().map_or("", |f| f.message())
        ),
        Ok(v) => return Err(format!("expected a rejection, got {v}").into()),
    }
    handle.signal(FINISH).await?;
    check(handle.result().await? == 15, "the final value")?;

    // Update-with-start: start the workflow if it isn't running, and update it, in one
    // request. It needs an id conflict policy; UseExisting updates a running one.
    let id = unique_id("update-with-start");
    let options = || {
        WorkflowOptions::new(id.clone(), TASK_QUEUE)
            .args((100,))
            .id_conflict_policy(IdConflictPolicy::UseExisting)
    };
    let first = client
        .execute_update_with_start(COUNTER, options(), ADD)
        .arg(1)
        .await?;
    let second = client
        .execute_update_with_start(COUNTER, options(), ADD)
        .arg(2)
        .await?;
    println!("update-with-start: {first}, then {second} on the same workflow");
    check(first == 101 && second == 103, "one workflow, two updates")?;
    let (workflow, update) = client
        .start_update_with_start(COUNTER, options(), ADD)
        .arg(3)
        .wait_for_stage(UpdateWaitStage::Accepted)
        .await?;
    check(update.result().await? == 106, "the third update")?;
    workflow.signal(FINISH).await?;
    check(workflow.result().await? == 106, "the final value")?;
    Ok(())
}
