//! Serves a transport-agnostic [`WorkflowService`] / [`OperatorService`] through the
//! generated tonic server traits: `tonic::Request` becomes a [`ServiceRequest`] and a
//! `ServiceError` becomes a `tonic::Status` whose details a client can decode (by
//! [`temporal_client_core::grpc`], the mapping the client reads them back with).

use std::sync::Arc;
use temporal_client_core::grpc::parse_timeout;
use temporal_client_core::proto::grpc::health::v1 as health;
use temporal_client_core::proto::temporal::api::operatorservice::v1 as op;
use temporal_client_core::proto::temporal::api::workflowservice::v1 as wf;
use temporal_client_core::{CallOptions, OperatorService, ServiceRequest, WorkflowService};

use super::faults::Faults;

/// The generated `WorkflowService` server trait, implemented over a [`WorkflowService`].
pub(crate) struct WorkflowAdapter {
    pub(crate) service: Arc<dyn WorkflowService>,
    pub(crate) faults: Faults,
    /// The receive limit in bytes (`TestServerBuilder::receive_limit`).
    pub(crate) receive_limit: usize,
}

/// The generated `OperatorService` server trait, implemented over an [`OperatorService`].
pub(crate) struct OperatorAdapter {
    pub(crate) service: Arc<dyn OperatorService>,
    pub(crate) faults: Faults,
    /// The receive limit in bytes (`TestServerBuilder::receive_limit`).
    pub(crate) receive_limit: usize,
}

/// `grpc.health.v1.Health`, always answering SERVING.
pub(crate) struct AlwaysServing;

macro_rules! adapter_methods {
    ($adapter:ty, $server_trait:path, $pkg:ident;
     $( ($method:ident, $req:ident, $resp:ident, $name:literal) ),* $(,)?) => {
        #[tonic::async_trait]
        impl $server_trait for $adapter {
            $(
                async fn $method(
                    &self,
                    request: tonic::Request<$pkg::$req>,
                ) -> Result<tonic::Response<$pkg::$resp>, tonic::Status> {
                    self.faults.before_call($name).await.map_err(tonic::Status::from)?;
                    receive_limit(request.get_ref(), self.receive_limit)?;
                    let response = self
                        .service
                        .$method(into_service_request(request))
                        .await
                        .map(tonic::Response::new)
                        .map_err(tonic::Status::from)?;
                    self.faults.after_call($name).map_err(tonic::Status::from)?;
                    Ok(response)
                }
            )*
        }
    };
}

/// The server's receive limit: a request whose encoding is over `limit` bytes is
/// refused as gRPC-Go refuses it (an uncompressed message; the dev server answers the
/// same code and words).
fn receive_limit(message: &impl prost::Message, limit: usize) -> Result<(), tonic::Status> {
    let size = message.encoded_len();
    if size > limit {
        return Err(tonic::Status::resource_exhausted(format!(
            "grpc: received message larger than max ({size} vs. {limit})"
        )));
    }
    Ok(())
}

macro_rules! workflow_adapter {
    ($($rpc:tt)*) => {
        adapter_methods! {
            WorkflowAdapter, wf::workflow_service_server::WorkflowService, wf;
            $($rpc)*
        }
    };
}

macro_rules! operator_adapter {
    ($($rpc:tt)*) => {
        adapter_methods! {
            OperatorAdapter, op::operator_service_server::OperatorService, op;
            $($rpc)*
        }
    };
}

temporal_client_core::for_each_workflow_service_rpc!(workflow_adapter);
temporal_client_core::for_each_operator_service_rpc!(operator_adapter);

#[tonic::async_trait]
impl health::health_server::Health for AlwaysServing {
    async fn check(
        &self,
        _request: tonic::Request<health::HealthCheckRequest>,
    ) -> Result<tonic::Response<health::HealthCheckResponse>, tonic::Status> {
        Ok(tonic::Response::new(serving()))
    }

    async fn watch(
        &self,
        _request: tonic::Request<health::HealthCheckRequest>,
    ) -> Result<
        tonic::Response<tonic::codegen::BoxStream<health::HealthCheckResponse>>,
        tonic::Status,
    > {
        use tokio_stream::StreamExt as _;
        // The status never changes: send it once, then keep the stream open.
        let stream = tokio_stream::once(Ok(serving())).chain(tokio_stream::pending());
        Ok(tonic::Response::new(Box::pin(stream)))
    }
}

fn serving() -> health::HealthCheckResponse {
    health::HealthCheckResponse {
        status: health::health_check_response::ServingStatus::Serving as i32,
    }
}

/// Headers that belong to the gRPC protocol rather than to the caller's metadata.
fn is_protocol_header(name: &str) -> bool {
    name.starts_with("grpc-") || matches!(name, "te" | "content-type" | "user-agent")
}

/// Converts a tonic request into the envelope the service traits take: the
/// `grpc-timeout` header becomes the timeout, ASCII metadata becomes metadata entries.
pub(crate) fn into_service_request<T>(request: tonic::Request<T>) -> ServiceRequest<T> {
    let (metadata, _extensions, message) = request.into_parts();
    let headers = metadata.into_headers();
    let timeout = headers
        .get("grpc-timeout")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_timeout);
    let entries = headers
        .iter()
        .filter(|(name, _)| {
            let name = name.as_str();
            !is_protocol_header(name) && !name.ends_with("-bin")
        })
        .filter_map(|(name, value)| {
            let value = value.to_str().ok()?;
            Some((name.as_str().to_owned(), value.to_owned()))
        })
        .collect();
    ServiceRequest {
        message,
        options: CallOptions {
            timeout,
            metadata: entries,
            ..CallOptions::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn request_metadata_and_timeout_reach_the_service_request() {
        let mut request = tonic::Request::new(wf::GetSystemInfoRequest {});
        let md = request.metadata_mut();
        md.insert(
            "grpc-timeout",
            tonic::metadata::MetadataValue::from_static("1500m"),
        );
        md.insert(
            "te",
            tonic::metadata::MetadataValue::from_static("trailers"),
        );
        md.insert(
            "temporal-namespace",
            tonic::metadata::MetadataValue::from_static("ns"),
        );
        md.insert_bin(
            "raw-bin",
            tonic::metadata::MetadataValue::from_bytes(b"\x00\x01"),
        );
        let request = into_service_request(request);
        assert_eq!(request.options.timeout, Some(Duration::from_millis(1500)));
        assert_eq!(
            request.options.metadata,
            vec![("temporal-namespace".to_owned(), "ns".to_owned())]
        );
    }
}
