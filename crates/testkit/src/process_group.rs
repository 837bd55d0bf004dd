//! A child process in its own process group, with its output in a log file, stopped
//! as a whole group: shared by the dev-server launcher and the Python worker harness.

use std::fs::File;
use std::io::{self, Read as _, Seek as _, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::process::{Child, Command};

/// How much of the end of the log an error message shows.
const TAIL_BYTES: u64 = 8 * 1024;
/// How many lines of the end of the log an error message shows.
const TAIL_LINES: usize = 40;
/// How often a stopping process is checked.
const POLL: Duration = Duration::from_millis(25);

/// A path in the temp dir that no other process or call uses: `<prefix>-<pid>-<n>-<t>.<ext>`.
pub(crate) fn unique_temp_path(prefix: &str, ext: &str) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!("{prefix}-{}-{n}-{nanos}.{ext}", std::process::id()))
}

/// A running child that leads its own process group; its stdout and stderr go to a log
/// file that is deleted when the `ChildGroup` is dropped.
#[derive(Debug)]
pub(crate) struct ChildGroup {
    child: Child,
    pid: u32,
    log_path: PathBuf,
    exited: Option<ExitStatus>,
}

impl ChildGroup {
    /// Starts `command` in a new process group with stdin closed and its output going to
    /// a fresh log file named after `log_prefix`.
    pub(crate) fn spawn(command: &mut Command, log_prefix: &str) -> io::Result<Self> {
        let log_path = unique_temp_path(log_prefix, "log");
        let log = File::create(&log_path)?;
        let log_err = log.try_clone()?;
        command
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .process_group(0)
            .kill_on_drop(false);
        let child = match command.spawn() {
            Ok(child) => child,
            Err(e) => {
                let _ = std::fs::remove_file(&log_path);
                return Err(e);
            }
        };
        let Some(pid) = child.id() else {
            let _ = std::fs::remove_file(&log_path);
            return Err(io::Error::other("the child process exited at once"));
        };
        Ok(Self {
            child,
            pid,
            log_path,
            exited: None,
        })
    }

    /// The process id, which is also the process group id.
    pub(crate) fn pid(&self) -> u32 {
        self.pid
    }

    /// The exit status, if the process ended (it is reaped then).
    pub(crate) fn exit_status(&mut self) -> Option<ExitStatus> {
        if self.exited.is_none() {
            self.exited = self.child.try_wait().ok().flatten();
        }
        self.exited
    }

    /// The whole output so far (stdout and stderr interleaved), lossily decoded.
    pub(crate) fn output(&self) -> String {
        std::fs::read(&self.log_path)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default()
    }

    /// The last lines of the output, for error messages.
    pub(crate) fn output_tail(&self) -> String {
        tail_of_file(&self.log_path).unwrap_or_else(|e| format!("(could not read the log: {e})"))
    }

    /// Stops the group: SIGTERM, then SIGKILL once `grace` has passed (at once for a zero
    /// grace), and reaps the process. Blocks the thread; for `Drop`.
    pub(crate) fn stop_blocking(&mut self, grace: Duration) {
        if self.exit_status().is_some() {
            return;
        }
        if !grace.is_zero() {
            self.signal_group("TERM");
            let deadline = Instant::now() + grace;
            while Instant::now() < deadline {
                if self.exit_status().is_some() {
                    return;
                }
                std::thread::sleep(POLL);
            }
        }
        self.kill_and_reap_blocking();
    }

    /// Stops the group like [`stop_blocking`](Self::stop_blocking), without blocking.
    pub(crate) async fn stop(&mut self, grace: Duration) {
        if self.exit_status().is_some() {
            return;
        }
        if !grace.is_zero() {
            self.signal_group("TERM");
            if let Ok(Ok(status)) = tokio::time::timeout(grace, self.child.wait()).await {
                self.exited = Some(status);
                return;
            }
        }
        self.signal_group("KILL");
        let _ = self.child.start_kill();
        if let Ok(Ok(status)) =
            tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await
        {
            self.exited = Some(status);
        }
    }

    fn kill_and_reap_blocking(&mut self) {
        self.signal_group("KILL");
        // The leader itself, should `kill` be missing.
        let _ = self.child.start_kill();
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.exit_status().is_none() && Instant::now() < deadline {
            std::thread::sleep(POLL);
        }
    }

    /// Sends `SIG<signal>` to the whole group. Only called while the leader is not yet
    /// reaped, so the group id cannot belong to anyone else.
    fn signal_group(&self, signal: &str) {
        let _ = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg("--")
            .arg(format!("-{}", self.pid))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for ChildGroup {
    fn drop(&mut self) {
        self.stop_blocking(Duration::ZERO);
        let _ = std::fs::remove_file(&self.log_path);
    }
}

fn tail_of_file(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    file.seek(SeekFrom::Start(len.saturating_sub(TAIL_BYTES)))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(TAIL_LINES);
    let tail = lines[start..].join("\n");
    Ok(if tail.trim().is_empty() {
        "(no output)".to_owned()
    } else {
        tail
    })
}

/// Whether process `pid` exists (a zombie counts). Uses `kill -0`.
#[cfg(test)]
fn process_exists(pid: u32) -> bool {
    std::process::Command::new("kill")
        .arg("-0")
        .arg(pid.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn output_goes_to_the_log_and_the_group_is_killed() {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg("echo hello; echo oops >&2; sleep 30 & wait");
        let mut group = ChildGroup::spawn(&mut command, "testkit-selftest").unwrap();
        let pid = group.pid();
        let deadline = Instant::now() + Duration::from_secs(5);
        while !group.output().contains("oops") {
            assert!(Instant::now() < deadline, "no output: {}", group.output());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(group.output().contains("hello"));
        assert!(
            group.output_tail().ends_with("oops"),
            "{}",
            group.output_tail()
        );
        assert!(process_exists(pid));
        let log = group.log_path.clone();
        group.stop(Duration::from_secs(5)).await;
        assert!(group.exit_status().is_some());
        assert!(!process_exists(pid));
        drop(group);
        assert!(!log.exists(), "the log is removed");
    }

    #[test]
    fn unique_paths_differ() {
        assert_ne!(unique_temp_path("a", "db"), unique_temp_path("a", "db"));
    }
}
