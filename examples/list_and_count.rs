//! Visibility: `list` (a paged `Stream` of executions) and `count` (with `GROUP BY`),
//! filtered by a typed search attribute.
//!
//! ```sh
//! cargo run --example list_and_count
//! ```
//!
//! Runs on the embedded fake by default; set `TEMPORAL_ADDRESS` (with the example worker
//! polling `examples`) for a real server; the search attribute `ConformanceStage` must be
//! registered there (`temporal server start-dev --search-attribute
//! ConformanceStage=Keyword`, as `scripts/test.sh` does). Visibility is eventually
//! consistent on a real server, so the example polls until the counts settle.

use futures_util::TryStreamExt;
use temporal_client::{WorkflowExecutionStatus, WorkflowOptions};
use temporal_examples::workflows::{COUNTER, FINISH, STAGE};
use temporal_examples::{TASK_QUEUE, check, connect, unique_id};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, backend) = connect().await?;
    // A tag unique to this run, so the queries see only this run's workflows.
    let tag = unique_id("batch");
    let mut handles = Vec::new();
    for i in 0..3 {
        let options = WorkflowOptions::new(format!("{tag}-{i}"), TASK_QUEUE)
            .args((i,))
            .search_attribute(&STAGE, tag.clone());
        handles.push(client.start(COUNTER, options).await?);
    }
    handles[0].signal(FINISH).await?;
    handles[0].result().await?;
    println!("started 3 workflows tagged ConformanceStage = '{tag}', completed one");

    let query = format!("ConformanceStage = '{tag}'");
    let total = backend
        .eventually("the count", || async {
            let c = client.count(query.clone()).await?;
            Ok((c.count == 3).then_some(c.count))
        })
        .await?;
    println!("count({query}) = {total}");

    let running = backend
        .eventually("the running ones", || async {
            let c = client
                .count(format!("{query} AND ExecutionStatus = 'Running'"))
                .await?;
            Ok((c.count == 2).then_some(c.count))
        })
        .await?;
    println!("of which running: {running}");

    let grouped = client
        .count(format!("{query} GROUP BY ExecutionStatus"))
        .await?;
    for group in &grouped.groups {
        println!("  group {:?}: {}", group.values, group.count);
    }
    check(
        grouped.groups.iter().map(|g| g.count).sum::<i64>() == 3,
        "the groups add up",
    )?;

    // list is a Stream; pages are fetched as it is read (here 2 per page).
    let mut stream = client.list(query.clone()).page_size(2);
    let mut seen = 0;
    while let Some(execution) = stream.try_next().await? {
        let stage = execution.search_attributes.get(&STAGE).transpose()?;
        println!(
            "  {} {:?} stage={}",
            execution.workflow_id,
            execution.status,
            stage.as_deref().unwrap_or_default()
        );
        check(
            stage.as_deref() == Some(tag.as_str()),
            "the typed search attribute",
        )?;
        seen += 1;
    }
    check(seen == 3, "three executions listed")?;
    let completed = client
        .list(format!("{query} AND ExecutionStatus = 'Completed'"))
        .into_vec()
        .await?;
    check(
        completed.len() == 1 && completed[0].status == WorkflowExecutionStatus::Completed,
        "one completed",
    )?;

    for handle in &handles[1..] {
        handle.terminate().reason("list example done").await?;
    }
    Ok(())
}
