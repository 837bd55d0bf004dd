//! Creates a schedule that starts a `hello` workflow every 2 seconds, watches it fire,
//! triggers it, pauses it with a note, describes it and deletes it.
//!
//! By default it runs on the testkit's embedded in-memory Temporal server (whose
//! virtual clock it moves forward), with the workflow implemented in Rust:
//!
//! ```sh
//! cargo run --example schedules
//! ```
//!
//! With `TEMPORAL_ADDRESS=host:port` it talks to a real server instead; a worker must
//! poll the task queue `examples` for the `hello` workflow, e.g. the
//! conformance worker: `.venv/bin/python crates/testkit/worker/worker.py --address
//! host:port --namespace default --task-queue examples`.

use std::time::Duration;

use temporal_client::schedule::{Schedule, ScheduleAction, ScheduleDescription, ScheduleSpec};
use temporal_client::{Client, Connection, ConnectionOptions, WorkflowDefinition, WorkflowOptions};
use temporal_testkit::{FakeServer, WorkflowContext, WorkflowResult};

const HELLO: WorkflowDefinition<(String,), String> = WorkflowDefinition::new("hello");
use temporal_examples::TASK_QUEUE;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, fake) = match std::env::var("TEMPORAL_ADDRESS") {
        Ok(address) if !address.is_empty() => {
            println!("using the Temporal server at {address}");
            let connection = Connection::connect(ConnectionOptions::new(address)).await?;
            (Client::new(connection), None)
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
            (Client::from_service(fake.clone()), Some(fake))
        }
    };

    let schedule_id = format!("hello-every-2s-{}", std::process::id());
    let action = ScheduleAction::start_workflow(
        HELLO.name(),
        WorkflowOptions::new("hello-scheduled", TASK_QUEUE).args(("Schedules".to_owned(),)),
    );
    let schedule = Schedule::new(action, ScheduleSpec::new().interval(Duration::from_secs(2)));
    let handle = client
        .schedules()
        .create(&schedule_id, schedule)
        .memo("owner", "examples")
        .await?;
    println!("created schedule {}", handle.id());

    // Let it fire twice: real time on a server, the virtual clock on the fake.
    let described = wait_for(&handle, fake.as_ref(), 2).await?;
    for action in &described.info.recent_actions {
        if let Some(workflow) = &action.workflow {
            println!(
                "scheduled for {:?}: started {}",
                action.scheduled_at, workflow.workflow_id
            );
        }
    }
    if let Some(first) = described
        .info
        .recent_actions
        .first()
        .and_then(|a| a.workflow.as_ref())
    {
        let result: String = client.get_handle(&first.workflow_id).result().await?;
        println!("first run's result: {result}");
    }

    handle.trigger().await?;
    let triggered = wait_for(&handle, fake.as_ref(), described.info.num_actions + 1).await?;
    println!("after a trigger: {} actions", triggered.info.num_actions);

    handle.pause("paused by the schedules example").await?;
    let paused = handle.describe().await?;
    println!(
        "paused: {} ({}), next times: {:?}",
        paused.schedule.state.paused,
        paused.schedule.state.note.as_deref().unwrap_or(""),
        paused
            .info
            .next_action_times
            .iter()
            .take(2)
            .collect::<Vec<_>>()
    );

    handle.delete().await?;
    println!("deleted {schedule_id}");
    Ok(())
}

/// Describes the schedule until it took `actions` actions, moving the fake's clock (or
/// waiting, on a real server) for at most 30 s.
async fn wait_for(
    handle: &temporal_client::schedule::ScheduleHandle,
    fake: Option<&FakeServer>,
    actions: u64,
) -> Result<ScheduleDescription, Box<dyn std::error::Error>> {
    for _ in 0..300 {
        let described = handle.describe().await?;
        if described.info.num_actions >= actions {
            return Ok(described);
        }
        match fake {
            Some(fake) => {
                fake.advance(Duration::from_millis(500));
                tokio::task::yield_now().await;
            }
            None => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    Err(format!("the schedule did not take {actions} actions within 30 s").into())
}
