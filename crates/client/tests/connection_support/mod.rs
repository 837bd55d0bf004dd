//! An in-process gRPC server for the connection tests: it records the headers of every
//! call and fails, stalls or answers as a test scripts it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use temporal_client_core::proto::grpc::health::v1::health_check_response::ServingStatus;
use temporal_client_core::proto::grpc::health::v1::health_server::{Health, HealthServer};
use temporal_client_core::proto::grpc::health::v1::{HealthCheckRequest, HealthCheckResponse};
use temporal_client_core::proto::temporal::api::operatorservice::v1::operator_service_server::{
    OperatorService, OperatorServiceServer,
};
use temporal_client_core::proto::temporal::api::workflowservice::v1 as wf;
use temporal_client_core::proto::temporal::api::workflowservice::v1::workflow_service_server::{
    WorkflowService, WorkflowServiceServer,
};
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::codec::CompressionEncoding;
use tonic::transport::{Server, ServerTlsConfig};
use tonic::{Request, Response, Status};

/// One call the server received.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    /// The RPC name.
    pub(crate) rpc: &'static str,
    /// Its headers.
    pub(crate) headers: http::HeaderMap,
}

/// What the server does, and what it saw.
#[derive(Default)]
pub(crate) struct Script {
    /// Failures returned by `StartWorkflowExecution`, one per call, before it succeeds.
    pub(crate) start_failures: Mutex<VecDeque<Status>>,
    /// When set, `StartWorkflowExecution` always fails with this code and message.
    pub(crate) start_always_fails: Mutex<Option<(tonic::Code, String)>>,
    /// How long `ListNamespaces` and a non-waiting `GetWorkflowExecutionHistory` take.
    pub(crate) delay: Mutex<Duration>,
    /// When set, `GetSystemInfo` requires `authorization: Bearer <this>`.
    pub(crate) required_api_key: Mutex<Option<String>>,
    /// `StartWorkflowExecution` calls so far.
    pub(crate) starts: AtomicU32,
    /// Every call, in order.
    pub(crate) received: Mutex<Vec<Received>>,
}

impl Script {
    /// The headers of the last call of `rpc`.
    pub(crate) fn last_headers(&self, rpc: &str) -> http::HeaderMap {
        self.received
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find(|r| r.rpc == rpc)
            .map(|r| r.headers.clone())
            .unwrap_or_else(|| panic!("the server saw no {rpc} call"))
    }

    fn record<T>(&self, rpc: &'static str, request: &Request<T>) {
        self.received.lock().unwrap().push(Received {
            rpc,
            headers: request.metadata().clone().into_headers(),
        });
    }

    fn delay(&self) -> Duration {
        *self.delay.lock().unwrap()
    }
}

struct Frontend(Arc<Script>);

#[tonic::async_trait]
impl WorkflowService for Frontend {
    async fn get_system_info(
        &self,
        request: Request<wf::GetSystemInfoRequest>,
    ) -> Result<Response<wf::GetSystemInfoResponse>, Status> {
        self.0.record("GetSystemInfo", &request);
        let required = self.0.required_api_key.lock().unwrap().clone();
        if let Some(key) = required {
            let expected = format!("Bearer {key}");
            let given = request
                .metadata()
                .get("authorization")
                .and_then(|v| v.to_str().ok());
            if given != Some(expected.as_str()) {
                return Err(Status::unauthenticated("missing or wrong API key"));
            }
        }
        Ok(Response::new(wf::GetSystemInfoResponse {
            server_version: "in-process-test".to_owned(),
            capabilities: Some(wf::get_system_info_response::Capabilities {
                signal_and_query_header: true,
                eager_workflow_start: true,
                ..Default::default()
            }),
        }))
    }

    async fn describe_namespace(
        &self,
        request: Request<wf::DescribeNamespaceRequest>,
    ) -> Result<Response<wf::DescribeNamespaceResponse>, Status> {
        self.0.record("DescribeNamespace", &request);
        Ok(Response::new(wf::DescribeNamespaceResponse::default()))
    }

    async fn start_workflow_execution(
        &self,
        request: Request<wf::StartWorkflowExecutionRequest>,
    ) -> Result<Response<wf::StartWorkflowExecutionResponse>, Status> {
        self.0.record("StartWorkflowExecution", &request);
        let n = self.0.starts.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(status) = self.0.start_failures.lock().unwrap().pop_front() {
            return Err(status);
        }
        if let Some((code, message)) = self.0.start_always_fails.lock().unwrap().clone() {
            return Err(Status::new(code, message));
        }
        Ok(Response::new(wf::StartWorkflowExecutionResponse {
            run_id: format!("run-{n}"),
            ..Default::default()
        }))
    }

    async fn list_namespaces(
        &self,
        request: Request<wf::ListNamespacesRequest>,
    ) -> Result<Response<wf::ListNamespacesResponse>, Status> {
        self.0.record("ListNamespaces", &request);
        tokio::time::sleep(self.0.delay()).await;
        Ok(Response::new(wf::ListNamespacesResponse::default()))
    }

    async fn get_workflow_execution_history(
        &self,
        request: Request<wf::GetWorkflowExecutionHistoryRequest>,
    ) -> Result<Response<wf::GetWorkflowExecutionHistoryResponse>, Status> {
        self.0.record("GetWorkflowExecutionHistory", &request);
        let wait = if request.get_ref().wait_new_event {
            Duration::from_secs(30)
        } else {
            self.0.delay()
        };
        tokio::time::sleep(wait).await;
        Ok(Response::new(wf::GetWorkflowExecutionHistoryResponse {
            next_page_token: b"more".to_vec(),
            ..Default::default()
        }))
    }

    async fn poll_workflow_execution_update(
        &self,
        request: Request<wf::PollWorkflowExecutionUpdateRequest>,
    ) -> Result<Response<wf::PollWorkflowExecutionUpdateResponse>, Status> {
        self.0.record("PollWorkflowExecutionUpdate", &request);
        tokio::time::sleep(Duration::from_secs(30)).await;
        Err(Status::internal(
            "the long poll was not cut short by the client",
        ))
    }
}

struct NoOperator;

#[tonic::async_trait]
impl OperatorService for NoOperator {}

struct Healthy;

#[tonic::async_trait]
impl Health for Healthy {
    async fn check(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckResponse>, Status> {
        let status =
            if request.get_ref().service == "temporal.api.workflowservice.v1.WorkflowService" {
                ServingStatus::Serving
            } else {
                ServingStatus::ServiceUnknown
            };
        Ok(Response::new(HealthCheckResponse {
            status: status as i32,
        }))
    }
}

/// A running test server.
pub(crate) struct TestServer {
    /// Its address, `127.0.0.1:<port>`.
    pub(crate) addr: SocketAddr,
    /// Its script and records.
    pub(crate) script: Arc<Script>,
}

impl TestServer {
    /// Starts a plain-text server.
    pub(crate) async fn start() -> Self {
        Self::start_with(None).await
    }

    /// Starts a server, with TLS when `tls` is given.
    pub(crate) async fn start_with(tls: Option<ServerTlsConfig>) -> Self {
        Self::start_on("127.0.0.1:0".parse().unwrap(), tls).await
    }

    /// Starts a server on `addr` (port 0 picks a free one).
    pub(crate) async fn start_on(addr: SocketAddr, tls: Option<ServerTlsConfig>) -> Self {
        let script = Arc::new(Script::default());
        let listener = TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut builder = Server::builder();
        if let Some(tls) = tls {
            builder = builder.tls_config(tls).unwrap();
        }
        let router = builder
            .add_service(
                WorkflowServiceServer::new(Frontend(script.clone()))
                    .accept_compressed(CompressionEncoding::Gzip)
                    .send_compressed(CompressionEncoding::Gzip),
            )
            .add_service(OperatorServiceServer::new(NoOperator))
            .add_service(HealthServer::new(Healthy));
        tokio::spawn(router.serve_with_incoming(TcpListenerStream::new(listener)));
        Self { addr, script }
    }

    /// `127.0.0.1:<port>`.
    pub(crate) fn address(&self) -> String {
        self.addr.to_string()
    }
}

/// A local port nothing listens on.
pub(crate) async fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr.to_string()
}
