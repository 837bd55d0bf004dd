//! The generated tonic server stub serves a request in-process, and the generated client
//! talks to it over an in-memory duplex transport (no sockets).

use std::io;

use hyper_util::rt::TokioIo;
use temporal_proto::grpc::health::v1::health_check_response::ServingStatus;
use temporal_proto::grpc::health::v1::health_client::HealthClient;
use temporal_proto::grpc::health::v1::health_server::{Health, HealthServer};
use temporal_proto::grpc::health::v1::{HealthCheckRequest, HealthCheckResponse};
use temporal_proto::temporal::api::workflowservice::v1::workflow_service_client::WorkflowServiceClient;
use temporal_proto::temporal::api::workflowservice::v1::workflow_service_server::{
    WorkflowService, WorkflowServiceServer,
};
use temporal_proto::temporal::api::workflowservice::v1::{
    GetSystemInfoRequest, GetSystemInfoResponse, StartWorkflowExecutionRequest,
};
use tonic::transport::{Endpoint, Server, Uri};
use tonic::{Code, Request, Response, Status};

/// Implements a single RPC; every other one falls back to the generated default stub.
struct OneRpc;

#[tonic::async_trait]
impl WorkflowService for OneRpc {
    async fn get_system_info(
        &self,
        _request: Request<GetSystemInfoRequest>,
    ) -> Result<Response<GetSystemInfoResponse>, Status> {
        Ok(Response::new(GetSystemInfoResponse {
            server_version: "in-process-1.0".to_owned(),
            capabilities: None,
        }))
    }
}

struct AlwaysServing;

#[tonic::async_trait]
impl Health for AlwaysServing {
    async fn check(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckResponse>, Status> {
        assert_eq!(
            request.get_ref().service,
            "temporal.api.workflowservice.v1.WorkflowService"
        );
        Ok(Response::new(HealthCheckResponse {
            status: ServingStatus::Serving as i32,
        }))
    }
}

async fn duplex_channel() -> tonic::transport::Channel {
    let (client_io, server_io) = tokio::io::duplex(64 * 1024);
    tokio::spawn(async move {
        Server::builder()
            .add_service(WorkflowServiceServer::new(OneRpc))
            .add_service(HealthServer::new(AlwaysServing))
            .serve_with_incoming(tokio_stream::once(Ok::<_, io::Error>(server_io)))
            .await
    });
    let mut client_io = Some(client_io);
    Endpoint::from_static("http://in-process")
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let io = client_io.take();
            async move {
                io.map(TokioIo::new)
                    .ok_or_else(|| io::Error::other("the duplex transport connects once"))
            }
        }))
        .await
        .expect("connect over duplex")
}

#[tokio::test]
async fn server_stub_serves_an_implemented_rpc_and_defaults_the_rest() {
    let channel = duplex_channel().await;
    let mut client = WorkflowServiceClient::new(channel.clone());

    let info = client
        .get_system_info(GetSystemInfoRequest {})
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(info.server_version, "in-process-1.0");

    let err = client
        .start_workflow_execution(StartWorkflowExecutionRequest::default())
        .await
        .expect_err("default stub");
    assert_eq!(err.code(), Code::Unimplemented);

    let health = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: "temporal.api.workflowservice.v1.WorkflowService".to_owned(),
        })
        .await
        .expect("health")
        .into_inner();
    assert_eq!(health.status(), ServingStatus::Serving);
}

#[test]
fn messages_carry_their_full_type_names() {
    use prost::Name;
    assert_eq!(
        temporal_proto::temporal::api::errordetails::v1::WorkflowExecutionAlreadyStartedFailure::full_name(),
        "temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure"
    );
    assert_eq!(
        temporal_proto::temporal::api::errordetails::v1::WorkflowExecutionAlreadyStartedFailure::type_url(),
        "type.googleapis.com/temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure"
    );
}

#[test]
fn descriptor_set_lists_both_services() {
    use prost::Message;
    let fds = pbjson_types::FileDescriptorSet::decode(temporal_proto::FILE_DESCRIPTOR_SET)
        .expect("descriptor decodes");
    let services: Vec<String> = fds
        .file
        .iter()
        .flat_map(|f| {
            f.service
                .iter()
                .map(move |s| format!("{}.{}", f.package(), s.name()))
        })
        .collect();
    assert!(services.contains(&"temporal.api.workflowservice.v1.WorkflowService".to_owned()));
    assert!(services.contains(&"temporal.api.operatorservice.v1.OperatorService".to_owned()));
    assert!(services.contains(&"grpc.health.v1.Health".to_owned()));
}
