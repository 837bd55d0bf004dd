//! Benchmark driver for the shared client-overhead bench (`bench/run-anchors.sh`),
//! following its driver contract; it does the same work per op as the official Rust
//! client's driver (`anchors/rust-official`).
//!
//! ```sh
//! cargo build --release -p temporal-examples --example bench_driver
//! target/release/examples/bench_driver ADDRESS N CONCURRENCY OP
//! ```
//!
//! `OP` is `start`, `signal`, `describe`, `query` or `start_and_result`. It makes one
//! [`Connection`] and one [`Client`], runs `min(200, N/10)` unmeasured warm-up ops, then
//! `N` ops from `CONCURRENCY` worker tasks, and prints one line:
//! `ops_per_sec=… cpu_user_s=… cpu_sys_s=… wall_s=… peak_rss_kb=…` (CPU and wall time
//! cover the measured ops only; CPU is this process, all threads). Any failed op exits
//! non-zero.
//!
//! Env: `NAMESPACE` (default `default`), `TASK_QUEUE` (default `bench`),
//! `RUNTIME=current_thread` for a single-thread Tokio runtime (default multi-thread),
//! `GRPC_COMPRESSION=gzip` to gzip requests (default off).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use temporal_client::{
    Client, Connection, ConnectionOptions, QueryDefinition, SignalDefinition, WorkflowDefinition,
    WorkflowOptions,
};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The started workflow: one string argument, a string result (fakesrv answers `"done"`).
const WORKFLOW: WorkflowDefinition<(String,), String> = WorkflowDefinition::new("bench");
/// The signal: one string argument.
const SIGNAL: SignalDefinition<(String,)> = SignalDefinition::new("sig");
/// The query: no arguments, an integer result (fakesrv answers `1`).
const QUERY: QueryDefinition<i64> = QueryDefinition::new("q");

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Start,
    Signal,
    Describe,
    Query,
    StartAndResult,
}

/// What every worker shares.
struct Ctx {
    client: Client,
    task_queue: String,
    /// Prefix of the workflow ids, unique per process run.
    tag: String,
    op: Op,
}

impl Ctx {
    /// One op; the same RPCs as the official driver's op.
    async fn one(&self, i: usize) -> Result<(), BoxError> {
        let id = format!("{}-{i}", self.tag);
        match self.op {
            Op::Start | Op::StartAndResult => {
                let options = WorkflowOptions::new(id, &self.task_queue).args(("x".to_owned(),));
                let handle = self.client.start(WORKFLOW, options).await?;
                if self.op == Op::StartAndResult {
                    let result = handle.result().await?;
                    if result != "done" {
                        return Err(format!("unexpected result {result:?}").into());
                    }
                }
            }
            Op::Signal => {
                let handle = self.client.get_handle::<()>(id);
                handle.signal(SIGNAL).arg("x".to_owned()).await?;
            }
            Op::Describe => {
                let description = self.client.get_handle::<()>(id).describe().await?;
                std::hint::black_box(description.execution.run_id);
            }
            Op::Query => {
                let value = self.client.get_handle::<()>(id).query(QUERY).await?;
                std::hint::black_box(value);
            }
        }
        Ok(())
    }
}

/// Runs ops `base..base + n` from `concurrency` spawned workers; stops at the first error.
async fn run_pool(
    ctx: &Arc<Ctx>,
    base: usize,
    n: usize,
    concurrency: usize,
) -> Result<(), BoxError> {
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..concurrency.clamp(1, n.max(1)))
        .map(|_| {
            let (ctx, next) = (Arc::clone(ctx), Arc::clone(&next));
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        return Ok::<(), BoxError>(());
                    }
                    ctx.one(base + i).await?;
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await??;
    }
    Ok(())
}

/// This process's CPU time (user, system) in seconds, all threads, from `/proc/self/stat`.
fn cpu_times(ticks_per_sec: f64) -> Result<(f64, f64), BoxError> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // The command name may hold spaces; the fields after its ')' start at field 3.
    let (_, rest) = stat.rsplit_once(')').ok_or("/proc/self/stat: no ')'")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15, so indices 11 and 12 here.
    let ticks = |i: usize| -> Result<f64, BoxError> {
        let field = fields.get(i).ok_or("/proc/self/stat: too few fields")?;
        Ok(field.parse::<u64>()? as f64 / ticks_per_sec)
    };
    Ok((ticks(11)?, ticks(12)?))
}

/// The kernel's clock tick rate (`getconf CLK_TCK`, 100 on Linux in practice).
fn ticks_per_sec() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse::<f64>().ok())
        .filter(|&t| t > 0.0)
        .unwrap_or(100.0)
}

/// Peak resident set size in KiB (`VmHWM` in `/proc/self/status`).
fn peak_rss_kb() -> Result<u64, BoxError> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .ok_or("/proc/self/status: no VmHWM")?;
    Ok(line.trim().trim_end_matches("kB").trim().parse()?)
}

async fn bench(args: Vec<String>) -> Result<(), BoxError> {
    let [address, n, concurrency, op] = args.as_slice() else {
        return Err("usage: bench_driver ADDRESS N CONCURRENCY OP".into());
    };
    let n: usize = n.parse()?;
    let concurrency: usize = concurrency.parse()?;
    let op = match op.as_str() {
        "start" => Op::Start,
        "signal" => Op::Signal,
        "describe" => Op::Describe,
        "query" => Op::Query,
        "start_and_result" => Op::StartAndResult,
        other => return Err(format!("unknown OP {other}").into()),
    };
    let env = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
    let gzip = env("GRPC_COMPRESSION", "none") == "gzip";

    let connection = Connection::connect(ConnectionOptions::new(address).gzip(gzip)).await?;
    let client = Client::builder(connection)
        .namespace(env("NAMESPACE", "default"))
        .build();
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();
    let ctx = Arc::new(Ctx {
        client,
        task_queue: env("TASK_QUEUE", "bench"),
        tag: format!("bench-ours-{}-{millis}", std::process::id()),
        op,
    });
    let tick_rate = ticks_per_sec();

    let warmup = (n / 10).min(200);
    run_pool(&ctx, 0, warmup, concurrency).await?;

    let (user0, sys0) = cpu_times(tick_rate)?;
    let started = Instant::now();
    run_pool(&ctx, warmup, n, concurrency).await?;
    let wall = started.elapsed().as_secs_f64();
    let (user1, sys1) = cpu_times(tick_rate)?;
    println!(
        "ops_per_sec={:.1} cpu_user_s={:.3} cpu_sys_s={:.3} wall_s={wall:.3} peak_rss_kb={}",
        n as f64 / wall,
        user1 - user0,
        sys1 - sys0,
        peak_rss_kb()?,
    );
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut builder = match std::env::var("RUNTIME").as_deref() {
        Ok("current_thread") => tokio::runtime::Builder::new_current_thread(),
        _ => tokio::runtime::Builder::new_multi_thread(),
    };
    let result = builder
        .enable_all()
        .build()
        .map_err(BoxError::from)
        .and_then(|runtime| runtime.block_on(bench(args)));
    if let Err(e) = result {
        eprintln!("bench_driver: {e}");
        std::process::exit(1);
    }
}
