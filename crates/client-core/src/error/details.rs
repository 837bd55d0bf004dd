//! [`ErrorDetails`]: the typed details of a `google.rpc.Status`, decoded from and
//! encoded to the `grpc-status-details-bin` trailer.

use prost::Message as _;
use temporal_proto::google::rpc::Status as RpcStatus;
use temporal_proto::temporal::api::errordetails::v1 as details;

use super::code::Code;

/// Typed details the server attached to an error (`google.rpc.Status.details`).
// Errors are the cold path; keeping the proto messages unboxed keeps matching simple.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorDetails {
    /// A start was refused because of an existing run with the same id: one still
    /// running (id conflict policy), or a closed one the id reuse policy forbids reusing.
    /// The status message says which.
    WorkflowExecutionAlreadyStarted(details::WorkflowExecutionAlreadyStartedFailure),
    /// The entity was not found.
    NotFound(details::NotFoundFailure),
    /// The namespace does not exist.
    NamespaceNotFound(details::NamespaceNotFoundFailure),
    /// The namespace exists but is not active in this cluster.
    NamespaceNotActive(details::NamespaceNotActiveFailure),
    /// The namespace is in a state that forbids the operation.
    NamespaceInvalidState(details::NamespaceInvalidStateFailure),
    /// The namespace is registered already.
    NamespaceAlreadyExists(details::NamespaceAlreadyExistsFailure),
    /// The worker failed to answer a query.
    QueryFailed(details::QueryFailedFailure),
    /// A limit was hit; the cause says which.
    ResourceExhausted(details::ResourceExhaustedFailure),
    /// Permission denied, with the reason.
    PermissionDenied(details::PermissionDeniedFailure),
    /// Cancellation was requested already.
    CancellationAlreadyRequested(details::CancellationAlreadyRequestedFailure),
    /// The client version is not supported by the server.
    ClientVersionNotSupported(details::ClientVersionNotSupportedFailure),
    /// The server version is not supported by the client.
    ServerVersionNotSupported(details::ServerVersionNotSupportedFailure),
    /// The workflow is not ready for this operation.
    WorkflowNotReady(details::WorkflowNotReadyFailure),
    /// One or more operations of an `ExecuteMultiOperation` call failed.
    MultiOperationExecution(details::MultiOperationExecutionFailure),
    /// A system workflow failed.
    SystemWorkflow(details::SystemWorkflowFailure),
    /// A detail of a type this version does not know.
    Other {
        /// The `Any` type URL.
        type_url: String,
        /// The encoded message.
        value: Vec<u8>,
    },
}

impl ErrorDetails {
    /// Decodes the first detail of an encoded `google.rpc.Status`
    /// (the `grpc-status-details-bin` trailer). Returns `None` when there is none or it
    /// does not decode.
    pub fn decode_status(status_bytes: &[u8]) -> Option<Self> {
        if status_bytes.is_empty() {
            return None;
        }
        let status = RpcStatus::decode(status_bytes).ok()?;
        let any = status.details.into_iter().next()?;
        Self::decode_any(&any.type_url, &any.value)
    }

    /// Decodes one `Any` detail by its type URL.
    pub fn decode_any(type_url: &str, value: &[u8]) -> Option<Self> {
        let name = type_url.rsplit('/').next().unwrap_or(type_url);
        let short = name
            .strip_prefix("temporal.api.errordetails.v1.")
            .unwrap_or("");
        macro_rules! decode {
            ($variant:ident, $ty:ty) => {
                <$ty>::decode(value).ok().map(Self::$variant)
            };
        }
        let decoded = match short {
            "WorkflowExecutionAlreadyStartedFailure" => {
                decode!(
                    WorkflowExecutionAlreadyStarted,
                    details::WorkflowExecutionAlreadyStartedFailure
                )
            }
            "NotFoundFailure" => decode!(NotFound, details::NotFoundFailure),
            "NamespaceNotFoundFailure" => {
                decode!(NamespaceNotFound, details::NamespaceNotFoundFailure)
            }
            "NamespaceNotActiveFailure" => {
                decode!(NamespaceNotActive, details::NamespaceNotActiveFailure)
            }
            "NamespaceInvalidStateFailure" => {
                decode!(NamespaceInvalidState, details::NamespaceInvalidStateFailure)
            }
            "NamespaceAlreadyExistsFailure" => {
                decode!(
                    NamespaceAlreadyExists,
                    details::NamespaceAlreadyExistsFailure
                )
            }
            "QueryFailedFailure" => decode!(QueryFailed, details::QueryFailedFailure),
            "ResourceExhaustedFailure" => {
                decode!(ResourceExhausted, details::ResourceExhaustedFailure)
            }
            "PermissionDeniedFailure" => {
                decode!(PermissionDenied, details::PermissionDeniedFailure)
            }
            "CancellationAlreadyRequestedFailure" => {
                decode!(
                    CancellationAlreadyRequested,
                    details::CancellationAlreadyRequestedFailure
                )
            }
            "ClientVersionNotSupportedFailure" => {
                decode!(
                    ClientVersionNotSupported,
                    details::ClientVersionNotSupportedFailure
                )
            }
            "ServerVersionNotSupportedFailure" => {
                decode!(
                    ServerVersionNotSupported,
                    details::ServerVersionNotSupportedFailure
                )
            }
            "WorkflowNotReadyFailure" => {
                decode!(WorkflowNotReady, details::WorkflowNotReadyFailure)
            }
            "MultiOperationExecutionFailure" => {
                decode!(
                    MultiOperationExecution,
                    details::MultiOperationExecutionFailure
                )
            }
            "SystemWorkflowFailure" => decode!(SystemWorkflow, details::SystemWorkflowFailure),
            _ => None,
        };
        decoded.or_else(|| {
            Some(Self::Other {
                type_url: type_url.to_owned(),
                value: value.to_vec(),
            })
        })
    }

    /// Encodes this detail as a `google.rpc.Status` with the given code and message,
    /// as a server puts it in the `grpc-status-details-bin` trailer.
    pub fn encode_status(&self, code: Code, message: &str) -> Vec<u8> {
        let any = self.to_any();
        RpcStatus {
            code: code as i32,
            message: message.to_owned(),
            details: vec![any],
        }
        .encode_to_vec()
    }

    fn to_any(&self) -> temporal_proto::protobuf::Any {
        fn pack<M: prost::Name>(m: &M) -> temporal_proto::protobuf::Any {
            temporal_proto::protobuf::Any {
                type_url: M::type_url(),
                value: m.encode_to_vec().into(),
            }
        }
        match self {
            Self::WorkflowExecutionAlreadyStarted(m) => pack(m),
            Self::NotFound(m) => pack(m),
            Self::NamespaceNotFound(m) => pack(m),
            Self::NamespaceNotActive(m) => pack(m),
            Self::NamespaceInvalidState(m) => pack(m),
            Self::NamespaceAlreadyExists(m) => pack(m),
            Self::QueryFailed(m) => pack(m),
            Self::ResourceExhausted(m) => pack(m),
            Self::PermissionDenied(m) => pack(m),
            Self::CancellationAlreadyRequested(m) => pack(m),
            Self::ClientVersionNotSupported(m) => pack(m),
            Self::ServerVersionNotSupported(m) => pack(m),
            Self::WorkflowNotReady(m) => pack(m),
            Self::MultiOperationExecution(m) => pack(m),
            Self::SystemWorkflow(m) => pack(m),
            Self::Other { type_url, value } => temporal_proto::protobuf::Any {
                type_url: type_url.clone(),
                value: value.clone().into(),
            },
        }
    }
}
