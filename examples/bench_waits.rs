//! Memory of many concurrent `result()` waits on one `Connection` (issue 12, item 2):
//! starts N `counter` workflows (default 10,000) that stay open, waits on all of them
//! with `result()` at once, then sends each its `finish` signal, checks every result,
//! and prints the client process's peak RSS (`VmHWM`) and its current RSS.
//! `--long-polls` sets `ConnectionOptions::max_concurrent_long_polls` (default 1,000).
//!
//! ```sh
//! cargo build -p temporal-examples --example bench_waits --example fake_grpc_server
//! target/debug/examples/bench_waits [--waits N] [--long-polls N]
//! ```
//!
//! The server (`fake_grpc_server`, the testkit's fake over gRPC) runs as a separate
//! process, found next to this executable, so only the client's memory is counted.
//! The process uses the system allocator.

use std::future::IntoFuture as _;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use temporal_client::{
    Client, Connection, ConnectionOptions, SignalDefinition, WorkflowDefinition, WorkflowOptions,
};

const COUNTER: WorkflowDefinition<(i64,), i64> = WorkflowDefinition::new("counter");
const FINISH: SignalDefinition<()> = SignalDefinition::new("finish");

/// The `fake_grpc_server` process; killed when dropped.
struct ServerProcess {
    child: Child,
    url: String,
}

impl ServerProcess {
    fn spawn() -> Result<Self, String> {
        let me = std::env::current_exe().map_err(|e| format!("no current executable: {e}"))?;
        let dir = me.parent().ok_or("the executable has no directory")?;
        let path: PathBuf = dir.join(format!("fake_grpc_server{}", std::env::consts::EXE_SUFFIX));
        let mut child = Command::new(&path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| {
                format!(
                    "could not start {} ({e}); build it first: cargo build -p temporal-examples --example fake_grpc_server",
                    path.display()
                )
            })?;
        let stdout = child.stdout.take().ok_or("no stdout pipe")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| format!("reading the server's first line: {e}"))?;
        let url = line
            .trim()
            .strip_prefix("LISTENING ")
            .ok_or_else(|| format!("the server printed {line:?} instead of 'LISTENING <url>'"))?
            .to_owned();
        Ok(Self { child, url })
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `VmHWM`/`VmRSS` line of `/proc/self/status`, in KiB.
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> Result<(), String> {
    let mut waits = 10_000_usize;
    let mut long_polls = temporal_client::DEFAULT_MAX_CONCURRENT_LONG_POLLS;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--waits" => {
                waits = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--waits needs a number")?;
            }
            "--long-polls" => {
                long_polls = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--long-polls needs a number")?;
            }
            other => {
                return Err(format!(
                    "unknown argument {other}; usage: bench_waits [--waits N] [--long-polls N]"
                ));
            }
        }
    }
    let server = ServerProcess::spawn()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let outcome = runtime.block_on(run(&server.url, waits, long_polls));
    drop(runtime);
    drop(server);
    outcome
}

async fn run(url: &str, waits: usize, long_polls: usize) -> Result<(), String> {
    let began = Instant::now();
    let connection =
        Connection::connect(ConnectionOptions::new(url).max_concurrent_long_polls(long_polls))
            .await
            .map_err(|e| e.to_string())?;
    let client = Client::new(connection);
    let before = status_kib("VmRSS:").unwrap_or(0);

    // Start every workflow (64 at a time), then wait on all of them at once.
    let mut handles = Vec::with_capacity(waits);
    for chunk in (0..waits).collect::<Vec<_>>().chunks(64) {
        let started = futures_util::future::join_all(chunk.iter().map(|&i| {
            client
                .start(
                    COUNTER,
                    WorkflowOptions::new(format!("bench-wait-{i}"), "bench").args((i as i64,)),
                )
                .into_future()
        }))
        .await;
        for handle in started {
            handles.push(handle.map_err(|e| e.to_string())?);
        }
    }
    let started_rss = status_kib("VmRSS:").unwrap_or(0);
    let pending: Vec<_> = handles
        .iter()
        .cloned()
        .map(|handle| tokio::spawn(async move { handle.result().await }))
        .collect();
    // Let every wait reach its poll (or its place in line).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let waiting_rss = status_kib("VmRSS:").unwrap_or(0);

    // Complete them: a `finish` signal each (64 at a time, beside the waits).
    for chunk in handles.chunks(64) {
        let sent = futures_util::future::join_all(
            chunk
                .iter()
                .map(|handle| handle.signal(FINISH).into_future()),
        )
        .await;
        for outcome in sent {
            outcome.map_err(|e| e.to_string())?;
        }
    }
    let mut correct = 0_usize;
    for (i, wait) in pending.into_iter().enumerate() {
        let value = wait
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("bench-wait-{i}: {e}"))?;
        if value != i as i64 {
            return Err(format!("bench-wait-{i} returned {value}, expected {i}"));
        }
        correct += 1;
    }
    let peak = status_kib("VmHWM:").unwrap_or(0);
    println!(
        "waits {waits}  correct {correct}  peak RSS (VmHWM) {:.1} MiB  RSS before the starts {:.1} MiB  \
         RSS after the starts {:.1} MiB  RSS with all waits pending {:.1} MiB  per wait {:.1} KiB  \
         (waits alone {:.1} KiB)  wall {:.1?}",
        peak as f64 / 1024.0,
        before as f64 / 1024.0,
        started_rss as f64 / 1024.0,
        waiting_rss as f64 / 1024.0,
        waiting_rss.saturating_sub(before) as f64 / waits.max(1) as f64,
        waiting_rss.saturating_sub(started_rss) as f64 / waits.max(1) as f64,
        began.elapsed(),
    );
    Ok(())
}
