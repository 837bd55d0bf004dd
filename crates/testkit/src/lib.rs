#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
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
#[cfg(feature = "dev-server")]
mod dev_server;
#[cfg(feature = "test-server")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-server")))]
pub mod grpc;
#[cfg(feature = "dev-server")]
mod process_group;
#[cfg(feature = "dev-server")]
mod python_worker;
#[cfg(feature = "dev-server")]
#[cfg_attr(docsrs, doc(cfg(feature = "dev-server")))]
pub use dev_server::{
    CONFORMANCE_SEARCH_ATTRIBUTES, DevServer, DevServerBuilder, DevServerError,
    TEMPORAL_CLI_PATH_ENV,
};
#[cfg(feature = "dev-server")]
#[cfg_attr(docsrs, doc(cfg(feature = "dev-server")))]
pub use python_worker::{
    PythonWorker, PythonWorkerBuilder, PythonWorkerError, TEMPORAL_PYTHON_ENV,
};
