//! The three back ends every conformance scenario runs against.
//!
//! - `fake`: the testkit's in-memory `FakeServer` with the Rust conformance workflows;
//! - `grpc`: the same fake behind a real tonic server on 127.0.0.1, reached through a
//!   real `Connection` (tower stack, retry policy, headers);
//! - `dev`: a real `temporal server start-dev` (`TEMPORAL_ADDRESS`, started by
//!   `scripts/test.sh`) with the Python worker (official SDK) on a fresh task queue.
//!
//! `CONFORMANCE_BACKENDS=fake,grpc,dev` selects back ends (default: all three). Without
//! `TEMPORAL_ADDRESS` the dev back end is skipped with a message, unless
//! `TEMPORAL_REQUIRE_SERVER=1`, where that is a failure.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use temporal_client::payload::DataConverter;
use temporal_client::{Client, ClientBuilder, Connection, ConnectionOptions};
use temporal_testkit::grpc::TestServer;
use temporal_testkit::{FakeServer, PythonWorker, conformance_workflows};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Fake,
    Grpc,
    Dev,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Fake => "fake",
            Kind::Grpc => "grpc",
            Kind::Dev => "dev",
        })
    }
}

pub(crate) struct Backend {
    pub(crate) kind: Kind,
    pub(crate) client: Client,
    pub(crate) task_queue: String,
    fake: Option<FakeServer>,
    address: Option<String>,
    grpc: Option<TestServer>,
    _worker: Option<PythonWorker>,
}

fn selected() -> Vec<Kind> {
    let raw = std::env::var("CONFORMANCE_BACKENDS").unwrap_or_else(|_| "fake,grpc,dev".to_owned());
    raw.split(',')
        .filter_map(|s| match s.trim() {
            "fake" => Some(Kind::Fake),
            "grpc" => Some(Kind::Grpc),
            "dev" => Some(Kind::Dev),
            "" => None,
            other => {
                panic!("CONFORMANCE_BACKENDS: unknown back end '{other}' (use fake, grpc, dev)")
            }
        })
        .collect()
}

/// A fake serving the conformance workflows on `task_queue` only, as the Python worker
/// polls one queue.
fn new_fake(task_queue: &str, converter: &DataConverter) -> FakeServer {
    let fake = FakeServer::builder()
        .conformance_search_attributes()
        .data_converter(converter.clone())
        .build();
    conformance_workflows::register_all_on(&fake, task_queue);
    fake
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

impl Backend {
    /// Opens a back end whose client and worker (the fake's workflows, the Python
    /// worker) use `codec`.
    async fn open_with(kind: Kind, codec: &Codec) -> Option<Backend> {
        let task_queue = unique("conformance");
        let converter = &codec.converter;
        let with_converter =
            |builder: ClientBuilder| builder.data_converter(converter.clone()).build();
        // As `Client::new`: the operator service on the same connection.
        let connected = |connection: Connection| {
            with_converter(
                Client::builder(connection.clone()).operator_service(Arc::new(connection)),
            )
        };
        match kind {
            Kind::Fake => {
                let fake = new_fake(&task_queue, converter);
                let client = with_converter(Client::builder(fake.clone()));
                Some(Backend {
                    kind,
                    client,
                    task_queue,
                    fake: Some(fake),
                    address: None,
                    grpc: None,
                    _worker: None,
                })
            }
            Kind::Grpc => {
                let fake = new_fake(&task_queue, converter);
                let server = TestServer::start(Arc::new(fake.clone()))
                    .await
                    .expect("gRPC test server starts");
                let address = server
                    .url()
                    .expect("a TCP test server has a url")
                    .to_owned();
                let connection = Connection::connect(ConnectionOptions::new(address.clone()))
                    .await
                    .expect("connect to the gRPC test server");
                Some(Backend {
                    kind,
                    client: connected(connection),
                    task_queue,
                    fake: Some(fake),
                    address: Some(address),
                    grpc: Some(server),
                    _worker: None,
                })
            }
            Kind::Dev => {
                let address = match std::env::var("TEMPORAL_ADDRESS") {
                    Ok(a) if !a.is_empty() => a,
                    _ if std::env::var("TEMPORAL_REQUIRE_SERVER").as_deref() == Ok("1") => {
                        panic!(
                            "TEMPORAL_REQUIRE_SERVER=1 but TEMPORAL_ADDRESS is not set: the dev back end cannot run"
                        )
                    }
                    _ => {
                        eprintln!(
                            "SKIPPED dev back end: TEMPORAL_ADDRESS is not set (scripts/test.sh starts a dev server and sets it)"
                        );
                        return None;
                    }
                };
                let mut worker =
                    PythonWorker::builder(address.clone(), "default", task_queue.clone());
                if let Some(name) = codec.python_name {
                    worker = worker.arg("--codec").arg(name);
                }
                let worker = worker
                    .start()
                    .await
                    .unwrap_or_else(|e| panic!("the Python conformance worker must start: {e}"));
                let connection = Connection::connect(ConnectionOptions::new(address.clone()))
                    .await
                    .expect("connect to the dev server");
                Some(Backend {
                    kind,
                    client: connected(connection),
                    task_queue,
                    fake: None,
                    address: Some(address),
                    grpc: None,
                    _worker: Some(worker),
                })
            }
        }
    }

    /// How many calls of `rpc` reached the gRPC test server (`None` on the other back
    /// ends).
    pub(crate) fn grpc_calls(&self, rpc: &str) -> Option<u64> {
        self.grpc.as_ref().map(|server| server.faults().calls(rpc))
    }

    /// The server's address, on the networked back ends.
    pub(crate) fn address(&self) -> Option<&str> {
        self.address.as_deref()
    }

    /// A workflow id unique to this test run.
    pub(crate) fn id(&self, name: &str) -> String {
        unique(&format!("{name}-{}", self.kind))
    }

    /// A new client, as another process would make: a new connection for the networked
    /// back ends, a new client on the same server for the in-process fake.
    pub(crate) async fn fresh_client(&self) -> Client {
        match (&self.fake, &self.address) {
            (Some(fake), None) => Client::from_service(fake.clone()),
            (_, Some(address)) => Client::new(
                Connection::connect(ConnectionOptions::new(address.clone()))
                    .await
                    .expect("connect again"),
            ),
            (None, None) => unreachable!("every back end has a fake or an address"),
        }
    }

    /// Starts serving the conformance workflows on another task queue as well: a second
    /// Python worker on the dev back end (kept alive by the returned guard), a
    /// per-queue registration on the fake.
    pub(crate) async fn serve_queue(&self, task_queue: &str) -> Option<PythonWorker> {
        if let Some(fake) = &self.fake {
            conformance_workflows::register_all_on(fake, task_queue);
            return None;
        }
        let address = self.address.clone()?;
        Some(
            PythonWorker::start(address, "default", task_queue.to_owned())
                .await
                .unwrap_or_else(|e| panic!("a second Python worker must start: {e}")),
        )
    }

    /// The run's history as `temporal workflow show --output json` prints it (the real
    /// CLI), on the dev back end; `None` elsewhere.
    pub(crate) fn cli_history_json(&self, workflow_id: &str, run_id: &str) -> Option<String> {
        if self.kind != Kind::Dev {
            return None;
        }
        let address = self.address.as_deref()?;
        let cli = std::env::var("TEMPORAL_CLI_PATH").unwrap_or_else(|_| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../.venv/bin/temporal").to_owned()
        });
        let output = std::process::Command::new(&cli)
            .args([
                "workflow",
                "show",
                "--address",
                address,
                "--namespace",
                "default",
            ])
            .args([
                "--workflow-id",
                workflow_id,
                "--run-id",
                run_id,
                "--output",
                "json",
            ])
            .output()
            .unwrap_or_else(|e| panic!("the temporal CLI ({cli}) must run: {e}"));
        assert!(
            output.status.success(),
            "temporal workflow show failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Some(String::from_utf8(output.stdout).expect("the CLI prints UTF-8"))
    }

    /// Runs `future` while time passes: on the fake, the virtual clock is moved forward by
    /// `by` in small steps; on a real server, real time passes by itself.
    pub(crate) async fn with_time<T>(
        &self,
        by: Duration,
        future: impl std::future::IntoFuture<Output = T>,
    ) -> T {
        let future = future.into_future();
        let Some(fake) = &self.fake else {
            return future.await;
        };
        let fake = fake.clone();
        let ticker = async move {
            let steps = 20u32;
            for _ in 0..steps {
                tokio::time::sleep(Duration::from_millis(5)).await;
                fake.advance(by / steps);
            }
            std::future::pending::<()>().await
        };
        tokio::select! {
            out = future => out,
            _ = ticker => unreachable!("the ticker never ends"),
        }
    }

    /// Polls `check` until it returns `Some` (visibility on a real server is eventually
    /// consistent), for at most 20 s.
    pub(crate) async fn eventually<T, F, Fut>(&self, what: &str, mut check: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Option<T>>,
    {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(value) = check().await {
                return value;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "[{}] timed out waiting for {what}",
                self.kind
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// The data converter of a scenario's client and workers.
#[derive(Default)]
pub(crate) struct Codec {
    /// What the client and the fake's workflows use.
    pub(crate) converter: DataConverter,
    /// The Python worker's `--codec` with the same codec (`None`: no codec).
    pub(crate) python_name: Option<&'static str>,
}

/// Runs `scenario` against every selected back end, one after the other, naming the
/// back end in any failure.
pub(crate) async fn on_every_backend<F, Fut>(scenario: F)
where
    F: Fn(Backend) -> Fut,
    Fut: Future<Output = ()>,
{
    on_every_backend_with(&Codec::default(), scenario).await;
}

/// [`on_every_backend`] with a client and workers that use `codec`.
pub(crate) async fn on_every_backend_with<F, Fut>(codec: &Codec, scenario: F)
where
    F: Fn(Backend) -> Fut,
    Fut: Future<Output = ()>,
{
    for kind in selected() {
        let Some(backend) = Backend::open_with(kind, codec).await else {
            continue;
        };
        eprintln!("-- back end: {kind}");
        let run = tokio::time::timeout(Duration::from_secs(120), scenario(backend));
        if run.await.is_err() {
            panic!("[{kind}] the scenario did not finish within 120 s");
        }
    }
}
