#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
// `Error` carries the ids a caller needs (about 150 bytes); results are moved, not
// copied in loops, so boxing every variant would cost more than it saves.
#![allow(clippy::result_large_err)]

mod client;
mod connection;
mod definitions;
mod description;
mod error;
mod handle;
mod history;
mod interceptor;
mod list;
mod update;

pub use client::{Client, ClientBuilder, DEFAULT_NAMESPACE};
pub use connection::{
    CLIENT_NAME, CLIENT_VERSION, ConnectError, Connection, ConnectionOptions, DEFAULT_ADDRESS,
    KeepAlive, TlsOptions,
};
pub use definitions::{QueryDefinition, SignalDefinition, UpdateDefinition, WorkflowDefinition};
pub use description::{ParentExecution, WorkflowExecution, WorkflowExecutionDescription};
pub use error::{Error, Result, WorkflowCloseStatus};
pub use handle::{CancelOptions, WorkflowHandle};
#[cfg(feature = "json")]
pub use history::{history_from_json, history_to_json};
pub use interceptor::Interceptor;
pub use list::{CountGroup, WorkflowCount};
pub use update::WorkflowUpdateHandle;

/// Failure types (from `temporal-client-core`).
pub use temporal_client_core::failure;
/// Options, policies and search attributes (from `temporal-client-core`).
pub use temporal_client_core::options::*;
/// Payload conversion (from `temporal-client-core`).
pub use temporal_client_core::payload;
/// The generated Temporal API.
pub use temporal_client_core::proto;
pub use temporal_client_core::search_attributes::{
    Bool, Datetime, Double, Int, Keyword, KeywordList, SearchAttributeKey, SearchAttributes, Text,
};
pub use temporal_client_core::{CallOptions, Code, RetryOverride, RpcRetryConfig, ServiceError};
