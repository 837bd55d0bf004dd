//! Measures the client's CPU time per `start` call against a fast fake gRPC server.
//!
//! ```sh
//! cargo build --release --examples -p temporal-examples
//! cargo run --release --example bench_start -- [--calls N] [--concurrency C] [--gzip]
//! ```
//!
//! It spawns the `bench_server` example (built next to this one) as a separate process
//! (with `--gzip`, in its gzip-capable mode),
//! connects one [`Connection`] (one HTTP/2 connection), warms up, then makes `N` calls
//! (default 20000) with `C` in flight (default 64), twice:
//!
//! 1. `client.start(...)`: the high-level API (argument conversion, request building,
//!    handle), each with its own workflow id and two small arguments;
//! 2. `WorkflowService::start_workflow_execution` on the connection with a request built
//!    once and cloned per call: the transport alone.
//!
//! For each it prints the CPU time (user + system) this process used per call, the
//! wall time per call and the calls per second, plus the server's CPU per call (the
//! server shares the machine). Time spent in the bench's own loop (ids, futures) counts
//! as client time.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use temporal_client::proto::temporal::api::workflowservice::v1::StartWorkflowExecutionRequest;
use temporal_client::{Client, Connection, ConnectionOptions, WorkflowDefinition, WorkflowOptions};
use temporal_client_core::{ServiceRequest, WorkflowService};

/// The workflow started by the benchmark (no worker runs it; the server only records
/// nothing and answers).
const BENCH: WorkflowDefinition<(String, i64), ()> = WorkflowDefinition::new("bench-workflow");
/// The task queue of every start.
const TASK_QUEUE: &str = "bench-queue";
/// Calls made before measuring, to open the connection and warm caches.
const WARMUP_CALLS: usize = 1000;

/// The command line.
struct Args {
    calls: usize,
    concurrency: usize,
    gzip: bool,
    /// Run the calls in a spawned task (on a worker thread) instead of `block_on`.
    spawned: bool,
    /// Use a current-thread runtime (one thread for everything) instead of a
    /// multi-thread one with a worker per core.
    current_thread: bool,
}

impl Args {
    fn parse() -> Result<Self, String> {
        let mut args = Args {
            calls: 20_000,
            concurrency: 64,
            gzip: false,
            spawned: false,
            current_thread: false,
        };
        let mut words = std::env::args().skip(1);
        while let Some(word) = words.next() {
            match word.as_str() {
                "--calls" => args.calls = number(&word, words.next())?,
                "--concurrency" => args.concurrency = number(&word, words.next())?.max(1),
                "--gzip" => args.gzip = true,
                "--spawned" => args.spawned = true,
                "--current-thread" => args.current_thread = true,
                "-h" | "--help" => {
                    return Err(
                        "usage: bench_start [--calls N (20000)] [--concurrency C (64)] [--gzip] \
                         [--spawned] [--current-thread]"
                            .to_owned(),
                    );
                }
                other => return Err(format!("unknown argument '{other}' (try --help)")),
            }
        }
        Ok(args)
    }
}

fn number(flag: &str, value: Option<String>) -> Result<usize, String> {
    value
        .as_deref()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("{flag} needs a whole number"))
}

/// CPU time of a process (user + system) and the kernel's tick length.
struct CpuClock {
    tick: Duration,
}

impl CpuClock {
    fn new() -> Self {
        // `getconf CLK_TCK` is the tick of /proc/<pid>/stat; 100 on Linux in practice.
        let ticks_per_sec = Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|out| String::from_utf8(out.stdout).ok())
            .and_then(|text| text.trim().parse::<u64>().ok())
            .filter(|&t| t > 0)
            .unwrap_or(100);
        Self {
            tick: Duration::from_secs(1) / ticks_per_sec as u32,
        }
    }

    /// utime + stime of `pid` ("self" for this process), from `/proc/<pid>/stat`.
    fn cpu_time(&self, pid: &str) -> Result<Duration, String> {
        let path = format!("/proc/{pid}/stat");
        let stat = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
        // The command name (field 2) may hold spaces; the fields after its ')' are plain.
        let rest = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest)
            .ok_or_else(|| format!("{path}: unexpected format"))?;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // After ')': field 3 (state) is index 0, so utime (14) is 11 and stime (15) is 12.
        let tick = |i: usize| -> Result<u32, String> {
            fields
                .get(i)
                .and_then(|f| f.parse().ok())
                .ok_or_else(|| format!("{path}: no CPU time field"))
        };
        Ok(self.tick * (tick(11)? + tick(12)?))
    }
}

/// The `bench_server` process; killed when dropped.
struct BenchServer {
    child: Child,
    url: String,
}

impl BenchServer {
    fn spawn(gzip: bool) -> Result<Self, String> {
        let path = server_binary()?;
        let mut child = Command::new(&path)
            .args(gzip.then_some("--gzip"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", path.display()))?;
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

    fn pid(&self) -> String {
        self.child.id().to_string()
    }
}

impl Drop for BenchServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `bench_server` next to this executable (both are examples of the same build).
fn server_binary() -> Result<PathBuf, String> {
    let me = std::env::current_exe().map_err(|e| format!("no current executable: {e}"))?;
    let dir = me.parent().ok_or("the executable has no directory")?;
    let path = dir.join(format!("bench_server{}", std::env::consts::EXE_SUFFIX));
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} is missing; build both examples first:\n  \
             cargo build --release --examples -p temporal-examples",
            path.display()
        ))
    }
}

/// One measured run.
struct Measurement {
    client_cpu: Duration,
    server_cpu: Duration,
    wall: Duration,
    failures: usize,
}

impl Measurement {
    fn print(&self, label: &str, args: &Args) {
        let calls = args.calls.max(1) as f64;
        let us = |d: Duration| d.as_secs_f64() * 1e6 / calls;
        println!(
            "api={label} calls={} concurrency={} gzip={} cpu_per_call_us={:.1} \
             wall_per_call_us={:.1} calls_per_sec={:.0} server_cpu_per_call_us={:.1} failures={}",
            args.calls,
            args.concurrency,
            args.gzip,
            us(self.client_cpu),
            us(self.wall),
            calls / self.wall.as_secs_f64().max(1e-9),
            us(self.server_cpu),
            self.failures,
        );
    }
}

/// Runs `calls` calls of `call` with `concurrency` in flight, measuring CPU and wall time.
async fn measure<F, Fut>(
    clock: &CpuClock,
    server: &BenchServer,
    calls: usize,
    concurrency: usize,
    call: F,
) -> Result<Measurement, String>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let server_pid = server.pid();
    let failures = std::sync::atomic::AtomicUsize::new(0);
    let first_error = std::sync::Mutex::new(None::<String>);
    let client_before = clock.cpu_time("self")?;
    let server_before = clock.cpu_time(&server_pid)?;
    let started = Instant::now();
    futures_util::stream::iter(0..calls)
        .for_each_concurrent(concurrency, |i| {
            let done = call(i);
            let failures = &failures;
            let first_error = &first_error;
            async move {
                if let Err(e) = done.await {
                    failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if let Ok(mut first) = first_error.lock() {
                        first.get_or_insert(e);
                    }
                }
            }
        })
        .await;
    let wall = started.elapsed();
    let client_cpu = clock.cpu_time("self")? - client_before;
    let server_cpu = clock.cpu_time(&server_pid)? - server_before;
    if let Some(e) = first_error.into_inner().ok().flatten() {
        eprintln!("first failed call: {e}");
    }
    Ok(Measurement {
        client_cpu,
        server_cpu,
        wall,
        failures: failures.into_inner(),
    })
}

fn main() {
    if let Err(e) = Args::parse().and_then(run_on_runtime) {
        eprintln!("bench_start: {e}");
        std::process::exit(1);
    }
}

/// Runs the benchmark on the runtime the arguments ask for.
fn run_on_runtime(args: Args) -> Result<(), String> {
    let mut builder = if args.current_thread {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    let runtime = builder
        .enable_all()
        .build()
        .map_err(|e| format!("no Tokio runtime: {e}"))?;
    if args.spawned {
        runtime.block_on(async {
            tokio::spawn(run(args))
                .await
                .map_err(|e| format!("the benchmark task failed: {e}"))?
        })
    } else {
        runtime.block_on(run(args))
    }
}

async fn run(args: Args) -> Result<(), String> {
    let clock = CpuClock::new();
    let server = BenchServer::spawn(args.gzip)?;

    let connection = Connection::connect(ConnectionOptions::new(&server.url).gzip(args.gzip))
        .await
        .map_err(|e| format!("connecting to {}: {e}", server.url))?;
    let client = Client::new(connection.clone());

    // High-level API: one workflow id per call, two small arguments.
    let start = |i: usize| {
        let client = &client;
        async move {
            let options = WorkflowOptions::new(format!("bench-{i}"), TASK_QUEUE)
                .args(("hello".to_owned(), 42_i64));
            client
                .start(BENCH, options)
                .await
                .map(drop)
                .map_err(|e| e.to_string())
        }
    };
    measure(&clock, &server, WARMUP_CALLS, args.concurrency, |i| {
        start(args.calls + i)
    })
    .await?;
    measure(&clock, &server, args.calls, args.concurrency, start)
        .await?
        .print("client.start", &args);

    // The transport alone: the same request (built once) cloned per call.
    let request = template_request(&client)?;
    let raw = |_i: usize| {
        let connection = &connection;
        let request = &request;
        async move {
            WorkflowService::start_workflow_execution(
                connection,
                ServiceRequest::new(request.clone()),
            )
            .await
            .map(drop)
            .map_err(|e| e.to_string())
        }
    };
    measure(&clock, &server, WARMUP_CALLS, args.concurrency, raw).await?;
    measure(&clock, &server, args.calls, args.concurrency, raw)
        .await?
        .print("connection.start_workflow_execution", &args);

    drop(server);
    Ok(())
}

/// The request `client.start` sends for one call, built the way the client builds it.
fn template_request(client: &Client) -> Result<StartWorkflowExecutionRequest, String> {
    let options = WorkflowOptions::new("bench-raw", TASK_QUEUE).args(("hello".to_owned(), 42_i64));
    let input = client
        .data_converter()
        .to_payloads(&options.args)
        .map_err(|e| e.to_string())?;
    temporal_client_core::builders::RequestContext::new(client.namespace(), client.identity())
        .start_workflow(temporal_client_core::builders::StartSpec {
            workflow_type: BENCH.name(),
            options: &options,
            input,
            memo: None,
            header: None,
        })
        .map_err(|e| e.to_string())
}
