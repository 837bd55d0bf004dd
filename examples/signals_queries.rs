//! Signals and queries with typed definitions: start a `counter`, signal it, query it,
//! finish it, and query it again after it completed.
//!
//! ```sh
//! cargo run --example signals_queries
//! ```
//!
//! Runs on the embedded fake by default; set `TEMPORAL_ADDRESS` (with the example worker
//! polling `examples`) for a real server. See `hello_world.rs`.

use temporal_client::{QueryRejectCondition, WorkflowOptions};
use temporal_examples::workflows::{COUNTER, FINISH, GET_VALUE, INCREMENT};
use temporal_examples::{TASK_QUEUE, check, connect, unique_id};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _backend) = connect().await?;
    let handle = client
        .start(
            COUNTER,
            WorkflowOptions::new(unique_id("counter"), TASK_QUEUE).args((10,)),
        )
        .await?;
    println!("started counter {}", handle.workflow_id());

    // A signal is fire-and-forget: it returns once the server recorded it.
    handle.signal(INCREMENT).arg(5).await?;
    handle.signal(INCREMENT).arg(7).await?;
    // A query reads the workflow's state; its handler runs on the worker.
    let value = handle.query(GET_VALUE).await?;
    println!("after two increments the query says {value}");
    check(value == 22, "10 + 5 + 7")?;

    // By plain name, when no definition is at hand: the types come from the call.
    handle.signal("increment").arg(3_i64).await?;
    let value: i64 = handle.query("get_value").await?;
    println!("by name: {value}");
    check(value == 25, "one more increment")?;

    handle.signal(FINISH).await?;
    let result = handle.result().await?;
    println!("the workflow completed with {result}");

    // A closed workflow still answers queries (the worker replays it) unless the reject
    // condition says otherwise.
    let value = handle.query(GET_VALUE).await?;
    println!("query after completion: {value}");
    check(value == result, "the final value")?;
    let rejected = handle
        .query(GET_VALUE)
        .reject_condition(QueryRejectCondition::NotOpen)
        .await;
    match rejected {
        Err(e) => println!("with reject condition NotOpen: {e}"),
        Ok(v) => return Err(format!("expected a rejection, got {v}").into()),
    }
    Ok(())
}
