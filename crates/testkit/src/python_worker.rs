//! [`PythonWorker`]: runs the conformance worker (`worker/worker.py`, official Python
//! SDK) against a Temporal server for a test, and stops it when dropped.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::dev_server::{is_executable, venv_candidates};
use crate::process_group::ChildGroup;

/// The environment variable naming the Python interpreter to run the worker with.
pub const TEMPORAL_PYTHON_ENV: &str = "TEMPORAL_PYTHON";

/// The line the worker prints once it polls.
const READY_LINE: &str = "WORKER READY";
/// How long the worker gets to shut down cleanly before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// What to do when the Python SDK is missing.
const INSTALL_HINT: &str = "install it with `pip install temporalio` into the Python that \
     runs the worker (or run `bash scripts/install-test-deps.sh`, which sets up .venv), or \
     point TEMPORAL_PYTHON at a Python that has it";

/// Why a [`PythonWorker`] could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PythonWorkerError {
    /// The Python interpreter could not be run.
    #[error("could not run Python at {}: {source}", python.display())]
    Spawn {
        /// The interpreter.
        python: PathBuf,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },
    /// The `temporalio` package is not installed in that Python.
    #[error("the Python SDK `temporalio` is not installed for {}. To fix: {hint}", python.display())]
    TemporalioMissing {
        /// The interpreter.
        python: PathBuf,
        /// How to install the SDK.
        hint: &'static str,
    },
    /// The worker process ended before it was ready.
    #[error(
        "the Python worker exited before it was ready ({status}); the last lines it printed:\n{output}"
    )]
    Exited {
        /// How the process ended.
        status: String,
        /// The end of its output.
        output: String,
    },
    /// The worker did not print `WORKER READY` in time.
    #[error(
        "the Python worker did not print `WORKER READY` within {timeout:?}; the last lines it printed:\n{output}"
    )]
    NotReady {
        /// The startup timeout.
        timeout: Duration,
        /// The end of its output.
        output: String,
    },
}

/// Options of a [`PythonWorker`]; [`start`](Self::start) runs it.
#[derive(Debug, Clone)]
pub struct PythonWorkerBuilder {
    address: String,
    namespace: String,
    task_queue: String,
    python: Option<PathBuf>,
    script: PathBuf,
    startup_timeout: Duration,
    extra_args: Vec<std::ffi::OsString>,
}

impl PythonWorkerBuilder {
    /// Passes one more argument to the script, after the address, namespace and task
    /// queue: e.g. `.arg("--codec").arg("zlib")` runs `worker/worker.py` with the
    /// `payload_codec` example's zlib codec.
    pub fn arg(mut self, arg: impl Into<std::ffi::OsString>) -> Self {
        self.extra_args.push(arg.into());
        self
    }

    /// The Python interpreter, instead of `TEMPORAL_PYTHON`, `<repo>/.venv/bin/python`
    /// or `python3`.
    pub fn python(mut self, python: impl Into<PathBuf>) -> Self {
        self.python = Some(python.into());
        self
    }

    /// Another worker script, taking the same arguments as `worker/worker.py`.
    pub fn script(mut self, script: impl Into<PathBuf>) -> Self {
        self.script = script.into();
        self
    }

    /// How long to wait for `WORKER READY`. Default: 60 s.
    pub fn startup_timeout(mut self, timeout: Duration) -> Self {
        self.startup_timeout = timeout;
        self
    }

    /// Runs the worker and waits until it polls.
    pub async fn start(self) -> Result<PythonWorker, PythonWorkerError> {
        let python = self.python.clone().unwrap_or_else(find_python);
        let mut command = tokio::process::Command::new(&python);
        command
            .arg("-u")
            .arg(&self.script)
            .arg("--address")
            .arg(&self.address)
            .arg("--namespace")
            .arg(&self.namespace)
            .arg("--task-queue")
            .arg(&self.task_queue)
            .args(&self.extra_args);
        let mut process = ChildGroup::spawn(&mut command, "temporal-testkit-python-worker")
            .map_err(|source| PythonWorkerError::Spawn {
                python: python.clone(),
                source,
            })?;
        let deadline = Instant::now() + self.startup_timeout;
        loop {
            let output = process.output();
            if output.lines().any(|line| line.trim() == READY_LINE) {
                break;
            }
            if let Some(status) = process.exit_status() {
                if output.contains("No module named 'temporalio'") {
                    return Err(PythonWorkerError::TemporalioMissing {
                        python,
                        hint: INSTALL_HINT,
                    });
                }
                return Err(PythonWorkerError::Exited {
                    status: status.to_string(),
                    output: process.output_tail(),
                });
            }
            if Instant::now() >= deadline {
                let output = process.output_tail();
                process.stop(Duration::ZERO).await;
                return Err(PythonWorkerError::NotReady {
                    timeout: self.startup_timeout,
                    output,
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(PythonWorker {
            process: Some(process),
            task_queue: self.task_queue,
        })
    }
}

/// The conformance worker (`crates/testkit/worker/worker.py`) running for a test.
///
/// It serves every workflow type of `worker/WORKFLOWS.md` on one task queue. Dropping
/// it kills its process group.
#[derive(Debug)]
pub struct PythonWorker {
    process: Option<ChildGroup>,
    task_queue: String,
}

impl PythonWorker {
    /// Options for a worker polling `task_queue` of `namespace` at `address`
    /// (`host:port`).
    pub fn builder(
        address: impl Into<String>,
        namespace: impl Into<String>,
        task_queue: impl Into<String>,
    ) -> PythonWorkerBuilder {
        PythonWorkerBuilder {
            address: address.into(),
            namespace: namespace.into(),
            task_queue: task_queue.into(),
            python: None,
            script: default_script(),
            startup_timeout: Duration::from_secs(60),
            extra_args: Vec::new(),
        }
    }

    /// Runs a worker with default options and waits until it polls.
    pub async fn start(
        address: impl Into<String>,
        namespace: impl Into<String>,
        task_queue: impl Into<String>,
    ) -> Result<PythonWorker, PythonWorkerError> {
        Self::builder(address, namespace, task_queue).start().await
    }

    /// The task queue the worker polls.
    pub fn task_queue(&self) -> &str {
        &self.task_queue
    }

    /// The worker's process id (also its process group id); `None` once stopped.
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(ChildGroup::pid)
    }

    /// The last lines the worker printed.
    pub fn output_tail(&self) -> String {
        self.process
            .as_ref()
            .map(ChildGroup::output_tail)
            .unwrap_or_default()
    }

    /// Asks the worker to shut down (SIGTERM), kills it after 5 s, and waits.
    pub async fn stop(mut self) {
        if let Some(mut process) = self.process.take() {
            process.stop(STOP_GRACE).await;
        }
    }
}

impl Drop for PythonWorker {
    fn drop(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.stop_blocking(Duration::ZERO);
        }
    }
}

/// `crates/testkit/worker/worker.py`.
fn default_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("worker")
        .join("worker.py")
}

/// `TEMPORAL_PYTHON`, else the repository's `.venv/bin/python`, else `python3`.
fn find_python() -> PathBuf {
    if let Some(python) = std::env::var_os(TEMPORAL_PYTHON_ENV).filter(|p| !p.is_empty()) {
        return PathBuf::from(python);
    }
    venv_candidates("python")
        .into_iter()
        .find(|candidate| is_executable(candidate))
        .unwrap_or_else(|| PathBuf::from("python3"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn the_default_script_exists() {
        assert!(default_script().is_file());
    }

    #[tokio::test]
    async fn a_python_without_temporalio_gets_the_install_hint() {
        // A stand-in "python" that fails the way a missing package does.
        let dir = crate::process_group::unique_temp_path("testkit-fake-python", "d");
        std::fs::create_dir_all(&dir).unwrap();
        let fake = dir.join("python");
        std::fs::write(
            &fake,
            "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'temporalio'\" >&2\nexit 1\n",
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();

        let err = PythonWorker::builder("127.0.0.1:1", "default", "tq")
            .python(&fake)
            .start()
            .await
            .unwrap_err();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            matches!(err, PythonWorkerError::TemporalioMissing { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("pip install temporalio"), "{err}");
    }

    #[tokio::test]
    async fn a_worker_that_dies_reports_its_output() {
        let err = PythonWorker::builder("127.0.0.1:1", "default", "tq")
            .python("sh")
            .script("/nonexistent/worker.py")
            .start()
            .await;
        // `sh -u /nonexistent/worker.py ...` fails at once.
        let err = err.unwrap_err();
        assert!(matches!(err, PythonWorkerError::Exited { .. }), "{err}");
    }

    #[tokio::test]
    async fn a_missing_interpreter_is_a_spawn_error() {
        let err = PythonWorker::builder("127.0.0.1:1", "default", "tq")
            .python("/nonexistent/python")
            .start()
            .await
            .unwrap_err();
        assert!(matches!(err, PythonWorkerError::Spawn { .. }), "{err}");
        assert!(err.to_string().contains("/nonexistent/python"), "{err}");
    }
}
