//! A minimal, fast gRPC Temporal frontend for client benchmarks (see `bench_start`).
//!
//! It answers `StartWorkflowExecution` at once with a fresh run id, and
//! `GetSystemInfo`; every other RPC answers `UNIMPLEMENTED`. It runs on one Tokio worker
//! thread so that, on a small machine, a core is left to the client being measured.
//!
//! ```sh
//! cargo run --release --example bench_server [-- --gzip]
//! ```
//!
//! By default it serves through the testkit's `TestServer`, which does not accept
//! gzip-compressed requests. With `--gzip` it serves the same service through tonic's
//! own server with gzip accepted and sent, for clients that compress.
//!
//! It prints `LISTENING http://127.0.0.1:PORT` once it accepts connections, then serves
//! until it is killed or its standard input closes (so it never outlives a parent that
//! spawned it with a pipe as stdin).

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use temporal_client::proto::temporal::api::workflowservice::v1::get_system_info_response::Capabilities;
use temporal_client::proto::temporal::api::workflowservice::v1::{
    GetSystemInfoRequest, GetSystemInfoResponse, StartWorkflowExecutionRequest,
    StartWorkflowExecutionResponse,
};
use temporal_client_core::{ServiceError, ServiceRequest, WorkflowService};
use temporal_proto::temporal::api::workflowservice::v1::workflow_service_server::{
    WorkflowService as GrpcWorkflowService, WorkflowServiceServer,
};
use temporal_testkit::grpc::TestServer;
use tonic::codec::CompressionEncoding;
use tonic::transport::server::TcpIncoming;

/// Answers starts instantly; keeps nothing.
struct InstantStarts {
    /// Source of run ids: each start gets the next number.
    next_run: AtomicU64,
}

impl InstantStarts {
    fn started(&self) -> StartWorkflowExecutionResponse {
        let n = self.next_run.fetch_add(1, Ordering::Relaxed);
        StartWorkflowExecutionResponse {
            // Shaped like the UUIDs a real server returns, so the response size is real.
            run_id: format!("00000000-0000-4000-8000-{n:012x}"),
            started: true,
            ..Default::default()
        }
    }

    fn system_info() -> GetSystemInfoResponse {
        GetSystemInfoResponse {
            server_version: "bench-server".to_owned(),
            capabilities: Some(Capabilities {
                signal_and_query_header: true,
                internal_error_differentiation: true,
                encoded_failure_attributes: true,
                upsert_memo: true,
                sdk_metadata: true,
                ..Default::default()
            }),
        }
    }
}

/// The transport-independent service, served by the testkit's `TestServer`.
#[async_trait::async_trait]
impl WorkflowService for InstantStarts {
    async fn start_workflow_execution(
        &self,
        _request: ServiceRequest<StartWorkflowExecutionRequest>,
    ) -> Result<StartWorkflowExecutionResponse, ServiceError> {
        Ok(self.started())
    }

    async fn get_system_info(
        &self,
        _request: ServiceRequest<GetSystemInfoRequest>,
    ) -> Result<GetSystemInfoResponse, ServiceError> {
        Ok(Self::system_info())
    }
}

/// The generated tonic service, served by tonic's server with gzip (`--gzip`).
#[tonic::async_trait]
impl GrpcWorkflowService for InstantStarts {
    async fn start_workflow_execution(
        &self,
        _request: tonic::Request<StartWorkflowExecutionRequest>,
    ) -> Result<tonic::Response<StartWorkflowExecutionResponse>, tonic::Status> {
        Ok(tonic::Response::new(self.started()))
    }

    async fn get_system_info(
        &self,
        _request: tonic::Request<GetSystemInfoRequest>,
    ) -> Result<tonic::Response<GetSystemInfoResponse>, tonic::Status> {
        Ok(tonic::Response::new(Self::system_info()))
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    runtime.block_on(serve())
}

async fn serve() -> Result<(), Box<dyn std::error::Error>> {
    let gzip = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--gzip") => true,
        Some(other) => {
            return Err(format!("unknown argument '{other}'; usage: bench_server [--gzip]").into());
        }
    };
    let service = InstantStarts {
        next_run: AtomicU64::new(1),
    };
    // Whichever server runs stops when `_server` is dropped.
    let (url, _server) = if gzip {
        serve_gzip(service).await?
    } else {
        let server = TestServer::start(Arc::new(service)).await?;
        let url = server.url().ok_or("the test server has no URL")?.to_owned();
        (
            url,
            Served {
                _test_server: Some(server),
                tonic: None,
            },
        )
    };

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
    Ok(())
}

/// The running server, kept alive until `serve` returns.
struct Served {
    _test_server: Option<TestServer>,
    tonic: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(task) = &self.tonic {
            task.abort();
        }
    }
}

/// Serves `service` with tonic's server on a free port, gzip accepted and sent.
async fn serve_gzip(
    service: InstantStarts,
) -> Result<(String, Served), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let url = format!("http://{}", listener.local_addr()?);
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    let grpc = WorkflowServiceServer::new(service)
        .accept_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Gzip);
    let task = tokio::spawn(async move {
        if let Err(e) = tonic::transport::Server::builder()
            .add_service(grpc)
            .serve_with_incoming(incoming)
            .await
        {
            eprintln!("bench_server: {e}");
        }
    });
    Ok((
        url,
        Served {
            _test_server: None,
            tonic: Some(task),
        },
    ))
}
