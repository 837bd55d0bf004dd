//! Interop with the official Python SDK: a schedule created by this client is described
//! by Python's `ScheduleHandle.describe()` with the same spec, action arguments and
//! memo, and one created by Python is described here the same way. Needs a real server
//! (`TEMPORAL_ADDRESS`) and `TEMPORAL_PYTHON` (default `.venv/bin/python`); skipped
//! without a server unless `TEMPORAL_REQUIRE_SERVER=1`.

use std::time::Duration;

use temporal_client::schedule::{
    Schedule, ScheduleAction, ScheduleOverlapPolicy, SchedulePolicy, ScheduleRange, ScheduleSpec,
    ScheduleState,
};
use temporal_client::{Client, Connection, ConnectionOptions, WorkflowOptions};

fn address() -> Option<String> {
    match std::env::var("TEMPORAL_ADDRESS") {
        Ok(a) if !a.is_empty() => Some(a),
        _ if std::env::var("TEMPORAL_REQUIRE_SERVER").as_deref() == Ok("1") => {
            panic!("TEMPORAL_REQUIRE_SERVER=1 but TEMPORAL_ADDRESS is not set")
        }
        _ => {
            eprintln!("SKIPPED: TEMPORAL_ADDRESS is not set");
            None
        }
    }
}

fn python(args: &[&str]) -> serde_json::Value {
    let python = std::env::var("TEMPORAL_PYTHON").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../.venv/bin/python").to_owned()
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schedule_interop.py");
    let output = std::process::Command::new(&python)
        .arg(script)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("the Python SDK ({python}) must run: {e}"));
    assert!(
        output.status.success(),
        "python {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the script prints JSON")
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

#[tokio::test]
async fn python_describes_a_rust_schedule_and_rust_describes_a_python_one() {
    let Some(address) = address() else {
        return;
    };
    let client = Client::new(
        Connection::connect(ConnectionOptions::new(address.clone()))
            .await
            .expect("connect"),
    );

    // Rust creates, Python describes.
    let id = unique("interop-rust");
    let schedule = Schedule::new(
        ScheduleAction::start_workflow(
            "echo",
            WorkflowOptions::new("rust-wf", "interop-queue")
                .args(("rust".to_owned(), 8))
                .memo("kind", "from rust"),
        ),
        ScheduleSpec::new().interval_with_offset(Duration::from_secs(90), Duration::from_secs(5)),
    )
    .policy(SchedulePolicy::new().overlap(ScheduleOverlapPolicy::BufferAll))
    .state(ScheduleState::new().paused(true).note("rust note"));
    let handle = client
        .schedules()
        .create(&id, schedule)
        .memo("owner", "rust")
        .await
        .expect("create");
    let seen = python(&["describe", &address, &id]);
    assert_eq!(
        seen,
        serde_json::json!({
            "intervals": [[90.0, 5.0]],
            "workflow": "echo",
            "id": "rust-wf",
            "task_queue": "interop-queue",
            "args": ["rust", 8],
            "action_memo": {"kind": "from rust"},
            "memo": {"owner": "rust"},
            "paused": true,
            "note": "rust note",
            "overlap": "BUFFER_ALL",
        })
    );
    handle.delete().await.expect("delete");

    // Python creates, Rust describes.
    let id = unique("interop-python");
    python(&["create", &address, &id, "interop-queue"]);
    let handle = client.schedules().get_handle(&id);
    let described = handle.describe().await.expect("describe");
    let spec = &described.schedule.spec;
    assert_eq!(spec.intervals.len(), 1);
    assert_eq!(spec.intervals[0].every, Duration::from_secs(90));
    assert_eq!(spec.intervals[0].offset, Duration::from_secs(5));
    assert_eq!(spec.calendars.len(), 1);
    let office = &spec.calendars[0];
    assert_eq!(office.hour, [ScheduleRange::new(9, 17).step(2)]);
    assert_eq!(office.comment, "office");
    let action = described
        .schedule
        .action
        .as_start_workflow()
        .expect("a start action");
    assert_eq!(action.workflow_type, "echo");
    assert_eq!(action.options.workflow_id, "py-wf");
    assert_eq!(action.options.task_queue, "interop-queue");
    assert_eq!(
        action.options.memo.get("kind"),
        Some(&serde_json::json!("from python"))
    );
    let args: (String, i64) = described.action_args().expect("args").expect("decode");
    assert_eq!(args, ("py".to_owned(), 7));
    assert_eq!(
        described.memo::<String>("owner").transpose().expect("memo"),
        Some("python".to_owned())
    );
    assert_eq!(
        described.schedule.policy.overlap,
        ScheduleOverlapPolicy::BufferAll
    );
    assert!(described.schedule.state.paused);
    assert_eq!(described.schedule.state.note.as_deref(), Some("py note"));
    handle.delete().await.expect("delete");
}
