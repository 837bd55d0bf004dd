#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
pub mod fake;
pub use fake::conformance_workflows;
pub use fake::{
    ActivityHandle, ActivityOptions, ActivityOutput, Args, ContinueAsNew, FakeServer,
    FakeServerBuilder, Signal, WorkflowContext, WorkflowFailure, WorkflowInfo, WorkflowResult,
};
mod dev_server;
pub mod grpc;
mod process_group;
mod python_worker;
pub use dev_server::{
    CONFORMANCE_SEARCH_ATTRIBUTES, DevServer, DevServerBuilder, DevServerError,
    TEMPORAL_CLI_PATH_ENV,
};
pub use python_worker::{
    PythonWorker, PythonWorkerBuilder, PythonWorkerError, TEMPORAL_PYTHON_ENV,
};
