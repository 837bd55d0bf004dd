//! Memo and search attributes: set at start, read back typed from `describe`, and
//! changed by the workflow itself (an upsert on the worker).
//!
//! ```sh
//! cargo run --example memo_search_attributes
//! ```
//!
//! Runs on the embedded fake by default; set `TEMPORAL_ADDRESS` (with the example worker
//! polling `examples`) for a real server with the search attributes `ConformanceStage`
//! (Keyword) and `ConformanceCount` (Int) registered, as `scripts/test.sh` does. A memo
//! is free-form and not searchable; search attributes are typed, indexed, and must be
//! registered on the namespace first (`client.operator().add_search_attributes(..)`).

use serde::{Deserialize, Serialize};
use temporal_client::WorkflowOptions;
use temporal_examples::workflows::{COUNT, FINISH, SEARCH_ATTRS, STAGE};
use temporal_examples::{TASK_QUEUE, check, connect, unique_id};

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Customer {
    name: String,
    tier: u8,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, backend) = connect().await?;
    let customer = Customer {
        name: "Ada".to_owned(),
        tier: 2,
    };
    let handle = client
        .start(
            SEARCH_ATTRS,
            WorkflowOptions::new(unique_id("memo-sa"), TASK_QUEUE)
                .memo("customer", &customer)
                .memo("source", "web")
                .search_attribute(&STAGE, "new")
                .search_attribute(&COUNT, 3),
        )
        .await?;

    let d = handle.describe().await?;
    let memo: Option<Customer> = d.execution.memo("customer").transpose()?;
    println!("memo customer = {memo:?}");
    check(
        memo.as_ref() == Some(&customer),
        "the memo round-trips typed",
    )?;
    let count = d.execution.search_attributes.get(&COUNT).transpose()?;
    println!("search attribute ConformanceCount = {count:?}");
    check(count == Some(3), "the typed int attribute")?;

    // The workflow upserts ConformanceStage = "upserted" and its memo `note`; describe
    // shows the new values once the worker ran.
    let stage = backend
        .eventually("the upsert", || async {
            let d = handle.describe().await?;
            let stage = d
                .execution
                .search_attributes
                .get(&STAGE)
                .and_then(Result::ok);
            Ok((stage.as_deref() == Some("upserted")).then_some(d))
        })
        .await?;
    let note: Option<String> = stage.execution.memo("note").transpose()?;
    println!(
        "after the workflow's upsert: ConformanceStage = {:?}, memo note = {note:?}",
        stage.execution.search_attributes.get(&STAGE).transpose()?
    );
    check(note.as_deref() == Some("from worker"), "the worker's memo")?;
    handle.signal(FINISH).await?;
    check(handle.result().await? == "done", "the result")?;
    Ok(())
}
