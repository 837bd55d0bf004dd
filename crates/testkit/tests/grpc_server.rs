//! The gRPC `TestServer` serving a tiny `WorkflowService` over 127.0.0.1 and in memory,
//! driven by the generated tonic client: responses, UNIMPLEMENTED, typed error
//! details, metadata and deadline pass-through, fault injection, TLS and mutual TLS.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use temporal_client_core::proto::grpc::health::v1::HealthCheckRequest;
use temporal_client_core::proto::grpc::health::v1::health_check_response::ServingStatus;
use temporal_client_core::proto::grpc::health::v1::health_client::HealthClient;
use temporal_client_core::proto::temporal::api::errordetails::v1::WorkflowExecutionAlreadyStartedFailure;
use temporal_client_core::proto::temporal::api::operatorservice::v1 as op;
use temporal_client_core::proto::temporal::api::operatorservice::v1::operator_service_client::OperatorServiceClient;
use temporal_client_core::proto::temporal::api::workflowservice::v1 as wf;
use temporal_client_core::proto::temporal::api::workflowservice::v1::workflow_service_client::WorkflowServiceClient;
use temporal_client_core::{
    Code, ErrorDetails, OperatorService, ServiceError, ServiceRequest, WorkflowService,
};
use temporal_testkit::grpc::{ANY_RPC, TestServer, TlsMode};
use tonic::transport::{Channel, ClientTlsConfig, Endpoint};

/// Implements three RPCs: GetSystemInfo, StartWorkflowExecution (id "dup" is already
/// running; otherwise the run id reports the namespace header and the deadline), and
/// GetWorkflowExecutionHistory, a long poll that never answers.
#[derive(Default)]
struct TinyService {
    long_poll_cancelled: Arc<AtomicBool>,
}

struct SetOnDrop(Arc<AtomicBool>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[tonic::async_trait]
impl WorkflowService for TinyService {
    async fn get_system_info(
        &self,
        _request: ServiceRequest<wf::GetSystemInfoRequest>,
    ) -> Result<wf::GetSystemInfoResponse, ServiceError> {
        Ok(wf::GetSystemInfoResponse {
            server_version: "tiny-1.0".into(),
            capabilities: None,
        })
    }

    async fn start_workflow_execution(
        &self,
        request: ServiceRequest<wf::StartWorkflowExecutionRequest>,
    ) -> Result<wf::StartWorkflowExecutionResponse, ServiceError> {
        if request.message.workflow_id == "dup" {
            return Err(ServiceError::new(
                "StartWorkflowExecution",
                Code::AlreadyExists,
                "Workflow execution is already running",
            )
            .with_details(ErrorDetails::WorkflowExecutionAlreadyStarted(
                WorkflowExecutionAlreadyStartedFailure {
                    start_request_id: request.message.request_id,
                    run_id: "run-dup".into(),
                    first_execution_run_id: String::new(),
                },
            )));
        }
        let namespace = request
            .options
            .metadata
            .iter()
            .find(|(k, _)| k == "temporal-namespace")
            .map(|(_, v)| v.as_str())
            .unwrap_or("-");
        let timeout = request.options.timeout.map(|t| t.as_secs()).unwrap_or(0);
        Ok(wf::StartWorkflowExecutionResponse {
            run_id: format!("{namespace}|{timeout}"),
            started: true,
            ..Default::default()
        })
    }

    async fn get_workflow_execution_history(
        &self,
        _request: ServiceRequest<wf::GetWorkflowExecutionHistoryRequest>,
    ) -> Result<wf::GetWorkflowExecutionHistoryResponse, ServiceError> {
        let _flag = SetOnDrop(self.long_poll_cancelled.clone());
        std::future::pending().await
    }
}

struct TinyOperator;

#[tonic::async_trait]
impl OperatorService for TinyOperator {
    async fn list_search_attributes(
        &self,
        _request: ServiceRequest<op::ListSearchAttributesRequest>,
    ) -> Result<op::ListSearchAttributesResponse, ServiceError> {
        Ok(op::ListSearchAttributesResponse {
            custom_attributes: [("Tiny".to_owned(), 2)].into(),
            ..Default::default()
        })
    }
}

fn tiny() -> Arc<dyn WorkflowService> {
    Arc::new(TinyService::default())
}

async fn system_version(channel: Channel) -> Result<String, tonic::Status> {
    WorkflowServiceClient::new(channel)
        .get_system_info(wf::GetSystemInfoRequest {})
        .await
        .map(|r| r.into_inner().server_version)
}

/// What every transport must get right: responses, UNIMPLEMENTED, typed details,
/// metadata and deadline, health.
async fn check_round_trips(channel: Channel) {
    assert_eq!(system_version(channel.clone()).await.unwrap(), "tiny-1.0");

    let mut client = WorkflowServiceClient::new(channel.clone());
    let unimplemented = client
        .count_workflow_executions(wf::CountWorkflowExecutionsRequest::default())
        .await
        .unwrap_err();
    assert_eq!(unimplemented.code(), tonic::Code::Unimplemented);
    assert!(
        unimplemented.message().contains("CountWorkflowExecutions"),
        "{unimplemented:?}"
    );

    let dup = client
        .start_workflow_execution(wf::StartWorkflowExecutionRequest {
            workflow_id: "dup".into(),
            request_id: "req-7".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(dup.code(), tonic::Code::AlreadyExists);
    assert_eq!(dup.message(), "Workflow execution is already running");
    assert_eq!(
        ErrorDetails::decode_status(dup.details()),
        Some(ErrorDetails::WorkflowExecutionAlreadyStarted(
            WorkflowExecutionAlreadyStartedFailure {
                start_request_id: "req-7".into(),
                run_id: "run-dup".into(),
                first_execution_run_id: String::new(),
            }
        ))
    );

    let mut request = tonic::Request::new(wf::StartWorkflowExecutionRequest {
        workflow_id: "fresh".into(),
        ..Default::default()
    });
    request
        .metadata_mut()
        .insert("temporal-namespace", "tiny-ns".parse().unwrap());
    request.set_timeout(Duration::from_secs(42));
    let started = client.start_workflow_execution(request).await.unwrap();
    assert_eq!(started.into_inner().run_id, "tiny-ns|42");

    let health = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: "temporal.api.workflowservice.v1.WorkflowService".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(health.status(), ServingStatus::Serving);
}

#[tokio::test]
async fn serves_the_service_over_tcp() {
    let server = TestServer::start(tiny()).await.unwrap();
    let address = server.address().unwrap();
    assert!(address.ip().is_loopback() && address.port() != 0);
    assert_eq!(server.url(), Some(format!("http://{address}").as_str()));

    // A channel made from the URL alone, as a client under test would.
    let channel = Endpoint::from_shared(format!("http://{address}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    check_round_trips(channel).await;
    check_round_trips(server.channel()).await;
    assert_eq!(server.faults().calls("StartWorkflowExecution"), 4);
}

#[tokio::test]
async fn serves_the_service_in_memory() {
    let server = TestServer::duplex(tiny());
    assert_eq!(server.address(), None);
    assert_eq!(server.url(), None);
    check_round_trips(server.channel()).await;

    // The connector works for a custom endpoint too.
    let channel = Endpoint::from_static("http://ignored.invalid")
        .connect_with_connector(server.connector())
        .await
        .unwrap();
    assert_eq!(system_version(channel).await.unwrap(), "tiny-1.0");
}

#[tokio::test]
async fn operator_service_is_served_only_when_given() {
    let with = TestServer::builder(tiny())
        .operator(Arc::new(TinyOperator))
        .duplex();
    let attrs = OperatorServiceClient::new(with.channel())
        .list_search_attributes(op::ListSearchAttributesRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(attrs.custom_attributes.get("Tiny"), Some(&2));
    let unknown = OperatorServiceClient::new(with.channel())
        .list_clusters(op::ListClustersRequest::default())
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), tonic::Code::Unimplemented);

    let without = TestServer::duplex(tiny());
    let err = OperatorServiceClient::new(without.channel())
        .list_search_attributes(op::ListSearchAttributesRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unimplemented);
}

#[tokio::test]
async fn fail_next_fails_that_many_calls_then_recovers() {
    let server = TestServer::start(tiny()).await.unwrap();
    server
        .faults()
        .fail_next("GetSystemInfo", 2, Code::Unavailable, "injected outage");
    for _ in 0..2 {
        let err = system_version(server.channel()).await.unwrap_err();
        assert_eq!(err.code(), tonic::Code::Unavailable);
        assert_eq!(err.message(), "injected outage");
    }
    assert_eq!(system_version(server.channel()).await.unwrap(), "tiny-1.0");
    assert_eq!(server.faults().calls("GetSystemInfo"), 3);

    // Injected errors may carry typed details, which survive the trip.
    let details =
        ErrorDetails::WorkflowExecutionAlreadyStarted(WorkflowExecutionAlreadyStartedFailure {
            run_id: "injected-run".into(),
            ..Default::default()
        });
    server.faults().fail_next_error(
        ANY_RPC,
        1,
        ServiceError::new("x", Code::AlreadyExists, "already").with_details(details.clone()),
    );
    let err = system_version(server.channel()).await.unwrap_err();
    assert_eq!(err.code(), tonic::Code::AlreadyExists);
    assert_eq!(ErrorDetails::decode_status(err.details()), Some(details));
}

/// A garbled response reaches the client as a message no gRPC client decodes; the
/// call still took effect, and the next one answers normally.
#[tokio::test]
async fn garble_response_next_sends_a_message_that_does_not_decode() {
    let server = TestServer::duplex(tiny());
    server.faults().garble_response_next("GetSystemInfo", 1);
    let status = system_version(server.channel()).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::Internal, "{status}");
    assert_eq!(system_version(server.channel()).await.unwrap(), "tiny-1.0");
    assert_eq!(server.faults().calls("GetSystemInfo"), 2);
}

/// On a paused clock, so the calls without latency take no time at all, whatever the
/// machine's load: the clock moves only while every task waits.
#[tokio::test(start_paused = true)]
async fn latency_delays_only_the_chosen_rpc() {
    let server = TestServer::duplex(tiny());
    // Warm the connection up so connecting is not measured.
    system_version(server.channel()).await.unwrap();
    server
        .faults()
        .latency("GetSystemInfo", Duration::from_millis(400));

    let start = tokio::time::Instant::now();
    system_version(server.channel()).await.unwrap();
    assert!(start.elapsed() >= Duration::from_millis(400));

    let start = tokio::time::Instant::now();
    let _ = WorkflowServiceClient::new(server.channel())
        .count_workflow_executions(wf::CountWorkflowExecutionsRequest::default())
        .await;
    assert_eq!(start.elapsed(), Duration::ZERO);

    server.faults().latency("GetSystemInfo", Duration::ZERO);
    let start = tokio::time::Instant::now();
    system_version(server.channel()).await.unwrap();
    assert_eq!(start.elapsed(), Duration::ZERO);
}

async fn check_drop_connections(server: TestServer, cancelled: Arc<AtomicBool>) {
    let channel = server.channel();
    let poll = tokio::spawn({
        let channel = channel.clone();
        async move {
            WorkflowServiceClient::new(channel)
                .get_workflow_execution_history(wf::GetWorkflowExecutionHistoryRequest {
                    wait_new_event: true,
                    ..Default::default()
                })
                .await
        }
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.faults().calls("GetWorkflowExecutionHistory") == 0 {
        assert!(Instant::now() < deadline, "the long poll never arrived");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(!cancelled.load(Ordering::SeqCst));

    server.faults().drop_connections();
    let result = tokio::time::timeout(Duration::from_secs(5), poll)
        .await
        .expect("the long poll ends when its connection drops")
        .unwrap();
    let err = result.unwrap_err();
    assert!(
        matches!(
            err.code(),
            tonic::Code::Unavailable | tonic::Code::Unknown | tonic::Code::Internal
        ),
        "{err:?}"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while !cancelled.load(Ordering::SeqCst) {
        assert!(
            Instant::now() < deadline,
            "the server kept the call running"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // The same channel reconnects and works again.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match system_version(channel.clone()).await {
            Ok(version) => break assert_eq!(version, "tiny-1.0"),
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("no reconnect: {e:?}"),
        }
    }
}

#[tokio::test]
async fn drop_connections_cuts_a_long_poll_over_tcp() {
    let service = TinyService::default();
    let cancelled = service.long_poll_cancelled.clone();
    let server = TestServer::start(Arc::new(service)).await.unwrap();
    check_drop_connections(server, cancelled).await;
}

#[tokio::test]
async fn drop_connections_cuts_a_long_poll_in_memory() {
    let service = TinyService::default();
    let cancelled = service.long_poll_cancelled.clone();
    let server = TestServer::duplex(Arc::new(service));
    check_drop_connections(server, cancelled).await;
}

#[tokio::test]
async fn dropping_the_server_closes_the_port_and_connections() {
    let server = TestServer::start(tiny()).await.unwrap();
    let url = server.url().unwrap().to_owned();
    let channel = server.channel();
    system_version(channel.clone()).await.unwrap();
    drop(server);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(system_version(channel).await.is_err());
    let fresh = Endpoint::from_shared(url).unwrap().connect().await;
    assert!(fresh.is_err(), "the port is closed");

    let memory = TestServer::duplex(tiny());
    let channel = memory.channel();
    system_version(channel.clone()).await.unwrap();
    drop(memory);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(system_version(channel).await.is_err());
}

#[tokio::test]
async fn tls_server_accepts_a_client_trusting_its_ca() {
    let server = TestServer::builder(tiny())
        .tls(TlsMode::ServerOnly)
        .start()
        .await
        .unwrap();
    let url = server.url().unwrap().to_owned();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let creds = server.tls().unwrap().clone();
    assert!(creds.client_cert_pem.is_none());

    // From the PEM alone, as a client test would.
    let tls = ClientTlsConfig::new()
        .ca_certificate(tonic::transport::Certificate::from_pem(&creds.ca_pem))
        .domain_name(creds.server_name.clone());
    let channel = Endpoint::from_shared(url.clone())
        .unwrap()
        .tls_config(tls)
        .unwrap()
        .connect()
        .await
        .unwrap();
    check_round_trips(channel).await;
    assert_eq!(system_version(server.channel()).await.unwrap(), "tiny-1.0");

    // Plain HTTP/2 to a TLS port does not work.
    let plain = Endpoint::from_shared(url.replace("https://", "http://"))
        .unwrap()
        .connect_lazy();
    assert!(system_version(plain).await.is_err());
}

#[tokio::test]
async fn mutual_tls_requires_a_client_certificate() {
    let server = TestServer::builder(tiny())
        .tls(TlsMode::Mutual)
        .start()
        .await
        .unwrap();
    let url = server.url().unwrap().to_owned();
    let creds = server.tls().unwrap().clone();

    let with_identity = Endpoint::from_shared(url.clone())
        .unwrap()
        .tls_config(
            ClientTlsConfig::new()
                .ca_certificate(tonic::transport::Certificate::from_pem(&creds.ca_pem))
                .identity(tonic::transport::Identity::from_pem(
                    creds.client_cert_pem.as_deref().unwrap(),
                    creds.client_key_pem.as_deref().unwrap(),
                ))
                .domain_name(creds.server_name.clone()),
        )
        .unwrap()
        .connect()
        .await
        .unwrap();
    assert_eq!(system_version(with_identity).await.unwrap(), "tiny-1.0");
    assert_eq!(system_version(server.channel()).await.unwrap(), "tiny-1.0");

    let without_identity = Endpoint::from_shared(url)
        .unwrap()
        .tls_config(
            ClientTlsConfig::new()
                .ca_certificate(tonic::transport::Certificate::from_pem(&creds.ca_pem))
                .domain_name(creds.server_name.clone()),
        )
        .unwrap()
        .connect_lazy();
    let refused = system_version(without_identity).await;
    assert!(refused.is_err(), "a client without a certificate got in");
    assert_eq!(server.faults().calls("GetSystemInfo"), 2);
}
