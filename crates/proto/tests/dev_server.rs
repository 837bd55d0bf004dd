//! The generated client against a real Temporal dev server (`TEMPORAL_ADDRESS`, set by
//! `scripts/test.sh`). Without it the test says it skipped, unless
//! `TEMPORAL_REQUIRE_SERVER=1`, where a missing server is a failure.

use temporal_proto::grpc::health::v1::HealthCheckRequest;
use temporal_proto::grpc::health::v1::health_check_response::ServingStatus;
use temporal_proto::grpc::health::v1::health_client::HealthClient;
use temporal_proto::temporal::api::workflowservice::v1::workflow_service_client::WorkflowServiceClient;
use temporal_proto::temporal::api::workflowservice::v1::{
    DescribeNamespaceRequest, GetSystemInfoRequest,
};

fn dev_server_address() -> Option<String> {
    match std::env::var("TEMPORAL_ADDRESS") {
        Ok(addr) if !addr.is_empty() => Some(addr),
        _ if std::env::var("TEMPORAL_REQUIRE_SERVER").as_deref() == Ok("1") => {
            panic!("TEMPORAL_REQUIRE_SERVER=1 but TEMPORAL_ADDRESS is not set")
        }
        _ => {
            eprintln!(
                "SKIPPED: TEMPORAL_ADDRESS is not set (run scripts/test.sh to start a dev server)"
            );
            None
        }
    }
}

#[tokio::test]
async fn dev_server_answers_system_info_health_and_namespace() {
    let Some(address) = dev_server_address() else {
        return;
    };
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{address}"))
        .expect("valid uri")
        .connect()
        .await
        .expect("dev server reachable");

    let mut workflow = WorkflowServiceClient::new(channel.clone());
    let info = workflow
        .get_system_info(GetSystemInfoRequest {})
        .await
        .expect("GetSystemInfo")
        .into_inner();
    assert!(
        !info.server_version.is_empty(),
        "server version is reported"
    );
    assert!(info.capabilities.is_some(), "capabilities are reported");

    let ns = workflow
        .describe_namespace(DescribeNamespaceRequest {
            namespace: "default".into(),
            ..Default::default()
        })
        .await
        .expect("DescribeNamespace")
        .into_inner();
    assert_eq!(
        ns.namespace_info.map(|i| i.name).as_deref(),
        Some("default")
    );

    let health = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: "temporal.api.workflowservice.v1.WorkflowService".into(),
        })
        .await
        .expect("health check")
        .into_inner();
    assert_eq!(health.status(), ServingStatus::Serving);
}
