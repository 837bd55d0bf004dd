//! `WorkflowService` and `OperatorService` for `Connection`: one method per RPC,
//! generated from the RPC lists of `temporal-client-core`.
//!
//! Each method sends its message to `/<service>/<Rpc>`, the path the tonic-generated
//! client uses, through [`Transport::unary`](super::call::Transport::unary) (which shares
//! the message between retry attempts instead of cloning it, something the generated
//! client cannot do since it takes the message by value).

use async_trait::async_trait;
use temporal_client_core::proto::grpc::health::v1 as health;
use temporal_client_core::proto::temporal::api::operatorservice::v1 as op;
use temporal_client_core::proto::temporal::api::workflowservice::v1 as wf;
use temporal_client_core::{OperatorService, ServiceError, ServiceRequest, WorkflowService};

use super::Connection;
use super::call::{RpcKind, RpcRequest};

/// The namespace of a request message. Messages without a `namespace` field are listed;
/// for any other the field is read (so a message missing from the list and lacking the
/// field fails to compile).
macro_rules! request_namespace {
    (ListNamespacesRequest, $m:ident) => {
        ""
    };
    (GetSearchAttributesRequest, $m:ident) => {
        ""
    };
    (GetClusterInfoRequest, $m:ident) => {
        ""
    };
    (GetSystemInfoRequest, $m:ident) => {
        ""
    };
    (AddOrUpdateRemoteClusterRequest, $m:ident) => {
        ""
    };
    (RemoveRemoteClusterRequest, $m:ident) => {
        ""
    };
    (ListClustersRequest, $m:ident) => {
        ""
    };
    (GetNexusEndpointRequest, $m:ident) => {
        ""
    };
    (CreateNexusEndpointRequest, $m:ident) => {
        ""
    };
    (UpdateNexusEndpointRequest, $m:ident) => {
        ""
    };
    (DeleteNexusEndpointRequest, $m:ident) => {
        ""
    };
    (ListNexusEndpointsRequest, $m:ident) => {
        ""
    };
    ($other:ident, $m:ident) => {
        $m.namespace.as_str()
    };
}

/// How long an RPC may take (see [`RpcKind`]).
macro_rules! request_kind {
    (GetWorkflowExecutionHistoryRequest, $m:ident) => {
        if $m.wait_new_event {
            RpcKind::LongPoll
        } else {
            RpcKind::Normal
        }
    };
    (PollWorkflowTaskQueueRequest, $m:ident) => {
        RpcKind::LongPoll
    };
    (PollActivityTaskQueueRequest, $m:ident) => {
        RpcKind::LongPoll
    };
    (PollNexusTaskQueueRequest, $m:ident) => {
        RpcKind::LongPoll
    };
    (PollWorkflowExecutionUpdateRequest, $m:ident) => {
        RpcKind::LongPoll
    };
    (PollActivityExecutionRequest, $m:ident) => {
        RpcKind::LongPoll
    };
    (PollNexusOperationExecutionRequest, $m:ident) => {
        RpcKind::LongPoll
    };
    (PollWorkflowExecutionTimeSkippingRequest, $m:ident) => {
        RpcKind::LongPoll
    };
    (UpdateWorkflowExecutionRequest, $m:ident) => {
        RpcKind::LongWait
    };
    (ExecuteMultiOperationRequest, $m:ident) => {
        RpcKind::LongWait
    };
    ($other:ident, $m:ident) => {
        RpcKind::Normal
    };
}

macro_rules! impl_service {
    ($trait_name:ident, $pkg:ident, $service:literal;
     $( ($method:ident, $req:ident, $resp:ident, $name:literal) ),* $(,)?) => {
        $(
            impl RpcRequest for $pkg::$req {
                fn namespace(&self) -> &str {
                    request_namespace!($req, self)
                }
                fn kind(&self) -> RpcKind {
                    request_kind!($req, self)
                }
            }
        )*

        #[async_trait]
        impl $trait_name for Connection {
            $(
                // The signature `#[async_trait]` gives the trait's `async fn`, written
                // out so the boxed future is the transport's call itself: an `async fn`
                // here would keep the request in its state beside the call's.
                fn $method<'life0, 'async_trait>(
                    &'life0 self,
                    request: ServiceRequest<$pkg::$req>,
                ) -> ::core::pin::Pin<Box<
                    dyn ::core::future::Future<Output = Result<$pkg::$resp, ServiceError>>
                        + Send
                        + 'async_trait,
                >>
                where
                    'life0: 'async_trait,
                    Self: 'async_trait,
                {
                    Box::pin(self.transport().unary(
                        concat!("/", $service, "/", $name),
                        $name,
                        request,
                    ))
                }
            )*
        }
    };
}

macro_rules! impl_workflow_service {
    ($($rpc:tt)*) => {
        impl_service! {
            WorkflowService, wf, "temporal.api.workflowservice.v1.WorkflowService";
            $($rpc)*
        }
    };
}

macro_rules! impl_operator_service {
    ($($rpc:tt)*) => {
        impl_service! {
            OperatorService, op, "temporal.api.operatorservice.v1.OperatorService";
            $($rpc)*
        }
    };
}

temporal_client_core::for_each_workflow_service_rpc!(impl_workflow_service);
temporal_client_core::for_each_operator_service_rpc!(impl_operator_service);

impl RpcRequest for health::HealthCheckRequest {
    fn namespace(&self) -> &str {
        ""
    }
    fn kind(&self) -> RpcKind {
        RpcKind::Normal
    }
}

/// The path of the gRPC health check.
pub(crate) const HEALTH_CHECK_PATH: &str = "/grpc.health.v1.Health/Check";

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    macro_rules! default_kinds {
        ($( ($method:ident, $req:ident, $resp:ident, $name:literal) ),* $(,)?) => {
            vec![$( ($name, <wf::$req as Default>::default().kind()) ),*]
        };
    }

    #[test]
    fn every_poll_rpc_is_a_long_poll_and_nothing_else_is() {
        let kinds: Vec<(&str, RpcKind)> =
            temporal_client_core::for_each_workflow_service_rpc!(default_kinds);
        for (name, kind) in kinds {
            let expected = if name.starts_with("Poll") {
                RpcKind::LongPoll
            } else if name == "UpdateWorkflowExecution" || name == "ExecuteMultiOperation" {
                RpcKind::LongWait
            } else {
                RpcKind::Normal
            };
            assert_eq!(kind, expected, "{name}");
        }
    }

    #[test]
    fn history_is_a_long_poll_only_when_waiting() {
        let mut req = wf::GetWorkflowExecutionHistoryRequest::default();
        assert_eq!(req.kind(), RpcKind::Normal);
        req.wait_new_event = true;
        assert_eq!(req.kind(), RpcKind::LongPoll);
    }

    #[test]
    fn namespace_comes_from_the_message() {
        let req = wf::StartWorkflowExecutionRequest {
            namespace: "ns-a".into(),
            ..Default::default()
        };
        assert_eq!(req.namespace(), "ns-a");
        assert_eq!(wf::GetSystemInfoRequest {}.namespace(), "");
        let req = op::AddSearchAttributesRequest {
            namespace: "ns-b".into(),
            ..Default::default()
        };
        assert_eq!(req.namespace(), "ns-b");
    }
}
