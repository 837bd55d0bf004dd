#![doc = include_str!("../README.md")]

use std::sync::Arc;

/// The repository README's Rust snippets, compiled as doc tests so they cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct RootReadme;

use temporal_client::{Client, Connection, ConnectionOptions};
use temporal_testkit::FakeServer;
use temporal_testkit::conformance_workflows;

/// The task queue every example uses. On a real server the example worker polls it:
/// `.venv/bin/python crates/testkit/worker/worker.py --task-queue examples`.
pub const TASK_QUEUE: &str = "examples";

/// Where an example's workflows run.
#[derive(Debug, Clone)]
pub enum Backend {
    /// The embedded in-memory fake server. Its workflows are Rust closures registered on
    /// it (the testkit's conformance workflows): the fake plays server *and* worker.
    Fake(FakeServer),
    /// A real Temporal server at this address. Its workflows run in a worker process
    /// that polls [`TASK_QUEUE`]; this program is only a client.
    Server(String),
}

impl Backend {
    /// The fake server, when the example runs on it.
    pub fn fake(&self) -> Option<&FakeServer> {
        match self {
            Self::Fake(fake) => Some(fake),
            Self::Server(_) => None,
        }
    }

    /// Lets `duration` pass: on the fake, its virtual clock moves on at once (timers,
    /// cron runs and timeouts due in that time fire); on a real server, this sleeps.
    pub async fn pass_time(&self, duration: std::time::Duration) {
        match self {
            Self::Fake(fake) => fake.advance(duration),
            Self::Server(_) => tokio::time::sleep(duration).await,
        }
    }

    /// Polls `probe` until it returns `Some`, for up to 10 s: visibility (list, count,
    /// search attributes) is eventually consistent on a real server.
    ///
    /// # Errors
    /// `what` when 10 s pass without an answer.
    pub async fn eventually<T, F, Fut>(
        &self,
        what: &str,
        mut probe: F,
    ) -> Result<T, Box<dyn std::error::Error>>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<Option<T>, temporal_client::Error>>,
    {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            if let Some(value) = probe().await? {
                return Ok(value);
            }
            if std::time::Instant::now() > deadline {
                return Err(format!("gave up waiting for {what}").into());
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }

    /// One line that says where the workflow code runs.
    pub fn describe(&self) -> String {
        match self {
            Self::Fake(_) => "the embedded fake server; the workflow code is a Rust closure \
                              registered on the fake (the fake plays server and worker)"
                .to_owned(),
            Self::Server(address) => format!(
                "the Temporal server at {address}; the workflow code runs in the worker \
                 polling task queue '{TASK_QUEUE}', not in this program"
            ),
        }
    }
}

/// Builds the fake every example uses: the conformance search attributes registered and
/// the conformance workflows (`hello`, `echo`, `counter`, `wait_cancel`, `fail`, `cron`,
/// `search_attrs`, ...; see `crates/testkit/worker/WORKFLOWS.md`) on every task queue.
pub fn fake_server() -> FakeServer {
    let fake = FakeServer::builder()
        .conformance_search_attributes()
        .build();
    conformance_workflows::register_all(&fake);
    fake
}

/// A client for an example: the Temporal server at `TEMPORAL_ADDRESS` when that is set
/// (a worker must poll [`TASK_QUEUE`]), the embedded fake otherwise. Prints which.
///
/// # Errors
/// The connection error when `TEMPORAL_ADDRESS` is set but unreachable.
pub async fn connect() -> Result<(Client, Backend), temporal_client::ConnectError> {
    let backend = match std::env::var("TEMPORAL_ADDRESS") {
        Ok(address) if !address.trim().is_empty() => Backend::Server(address),
        _ => Backend::Fake(fake_server()),
    };
    let client = match &backend {
        Backend::Server(address) => {
            Client::new(Connection::connect(ConnectionOptions::new(address.clone())).await?)
        }
        Backend::Fake(fake) => Client::builder(fake.clone())
            .operator_service(Arc::new(fake.clone()))
            .build(),
    };
    println!("using {}", backend.describe());
    Ok((client, backend))
}

/// A workflow id unique to this run of the example, so reruns against one server don't
/// collide: `{prefix}-{pid}-{millis}`.
pub fn unique_id(prefix: &str) -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    format!("{prefix}-{}-{millis}", std::process::id())
}

/// Fails the example with `message` unless `condition` holds: every example checks what
/// it prints, so CI catches a wrong value, not only a crash.
///
/// # Errors
/// `message` when `condition` is false.
pub fn check(
    condition: bool,
    message: impl Into<String>,
) -> Result<(), Box<dyn std::error::Error>> {
    if condition {
        Ok(())
    } else {
        Err(format!("check failed: {}", message.into()).into())
    }
}

/// Typed definitions of the example worker's workflows, signals, queries and updates.
/// The same names are implemented by the Python worker
/// (`crates/testkit/worker/worker.py`) and by the fake's conformance workflows; the table
/// is `crates/testkit/worker/WORKFLOWS.md`.
pub mod workflows {
    use temporal_client::{
        Int, Keyword, QueryDefinition, SearchAttributeKey, SignalDefinition, UpdateDefinition,
        WorkflowDefinition,
    };

    /// `hello(name)`: returns `"Hello, <name>!"`.
    pub const HELLO: WorkflowDefinition<(String,), String> = WorkflowDefinition::new("hello");
    /// `echo(*args)`: returns the list of its arguments.
    pub const ECHO: WorkflowDefinition<(serde_json::Value,), Vec<serde_json::Value>> =
        WorkflowDefinition::new("echo");
    /// `counter(initial)`: a number changed by signals and updates; ends on `finish`.
    pub const COUNTER: WorkflowDefinition<(i64,), i64> = WorkflowDefinition::new("counter");
    /// `wait_cancel()`: waits until cancelled, cleans up, ends as Canceled.
    pub const WAIT_CANCEL: WorkflowDefinition<(), ()> = WorkflowDefinition::new("wait_cancel");
    /// `fail(message)`: fails with `ApplicationError(message, type "MyError",
    /// details {"k": "v"}, 7, non-retryable)` caused by `ApplicationError("inner cause",
    /// type "InnerError")`.
    pub const FAIL: WorkflowDefinition<(String,), ()> = WorkflowDefinition::new("fail");
    /// `cron()`: each run completes at once with `"cron run"`.
    pub const CRON: WorkflowDefinition<(), String> = WorkflowDefinition::new("cron");
    /// `search_attrs()`: upserts `ConformanceStage = "upserted"` and memo
    /// `{"note": "from worker"}`, then waits for `finish`.
    pub const SEARCH_ATTRS: WorkflowDefinition<(), String> =
        WorkflowDefinition::new("search_attrs");
    /// `long_update()`: update `slow(ms)` sleeps then returns `"slow done"`.
    pub const LONG_UPDATE: WorkflowDefinition<(), String> = WorkflowDefinition::new("long_update");

    /// Signal `increment(n)` of `counter`.
    pub const INCREMENT: SignalDefinition<(i64,)> = SignalDefinition::new("increment");
    /// Signal `finish()` of `counter`, `search_attrs` and `long_update`.
    pub const FINISH: SignalDefinition<()> = SignalDefinition::new("finish");
    /// Query `get_value()` of `counter`.
    pub const GET_VALUE: QueryDefinition<i64> = QueryDefinition::new("get_value");
    /// Query `fail_query()` of `counter`: always fails.
    pub const FAIL_QUERY: QueryDefinition<i64> = QueryDefinition::new("fail_query");
    /// Query `cleaned_up()` of `wait_cancel`.
    pub const CLEANED_UP: QueryDefinition<bool> = QueryDefinition::new("cleaned_up");
    /// Update `add(n)` of `counter`: adds `n`, returns the new value; refuses `n < 0`.
    pub const ADD: UpdateDefinition<i64, (i64,)> = UpdateDefinition::new("add");
    /// Update `slow(ms)` of `long_update`.
    pub const SLOW: UpdateDefinition<String, (u64,)> = UpdateDefinition::new("slow");

    /// The keyword search attribute the examples filter on (registered on the dev server
    /// by `scripts/test.sh` and on the fake by `conformance_search_attributes`).
    pub const STAGE: SearchAttributeKey<Keyword> = SearchAttributeKey::new("ConformanceStage");
    /// An int search attribute.
    pub const COUNT: SearchAttributeKey<Int> = SearchAttributeKey::new("ConformanceCount");
}
