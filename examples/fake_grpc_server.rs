//! The testkit's `FakeServer`, with the conformance workflows registered, served over
//! real gRPC (`TestServer`) on a free local port: a server process for benchmarks that
//! need a whole Temporal frontend (starts, signals, result waits), such as
//! `bench_waits`.
//!
//! ```sh
//! cargo run --example fake_grpc_server
//! ```
//!
//! It prints `LISTENING http://127.0.0.1:PORT` once it accepts connections, then serves
//! until it is killed or its standard input closes (so it never outlives a parent that
//! spawned it with a pipe as stdin).

use std::io::{Read, Write};
use std::sync::Arc;

use temporal_testkit::grpc::TestServer;
use temporal_testkit::{FakeServer, conformance_workflows};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    runtime.block_on(serve())
}

async fn serve() -> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeServer::new();
    conformance_workflows::register_all(&fake);
    let server = TestServer::start(Arc::new(fake)).await?;
    let url = server.url().ok_or("the test server has no URL")?.to_owned();

    // Serve until stdin reaches its end (the parent closed the pipe or exited).
    let (closed_tx, closed_rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let mut sink = [0u8; 256];
        let mut stdin = std::io::stdin().lock();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
        let _ = closed_tx.send(());
    });
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "LISTENING {url}")?;
    stdout.flush()?;
    drop(stdout);
    let _ = closed_rx.await;
    drop(server);
    Ok(())
}
