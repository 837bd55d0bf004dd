//! placeholder
pub mod fake;
pub use fake::conformance_workflows;
pub use fake::{
    Args, ContinueAsNew, FakeServer, FakeServerBuilder, Signal, WorkflowContext, WorkflowFailure,
    WorkflowInfo, WorkflowResult,
};
pub mod grpc;
