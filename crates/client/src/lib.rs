#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
// `Error` carries the ids a caller needs (about 150 bytes); results are moved, not
// copied in loops, so boxing every variant would cost more than it saves.
#![allow(clippy::result_large_err)]

pub mod activity;
pub mod args;
mod call;
mod client;
mod connection;
mod definitions;
mod description;
#[cfg(feature = "envconfig")]
pub mod envconfig;
mod error;
mod handle;
#[cfg(feature = "json")]
mod history;
pub mod interceptor;
#[cfg(feature = "opentelemetry")]
pub mod opentelemetry;
pub mod operations;
pub mod operator;
pub mod schedule;
mod spans;

pub use client::{Client, ClientBuilder, DEFAULT_NAMESPACE};
pub use connection::{
    CLIENT_NAME, CLIENT_VERSION, ConnectError, Connection, ConnectionOptions, DEFAULT_ADDRESS,
    DEFAULT_MAX_CONCURRENT_LONG_POLLS, KeepAlive, MIN_LONG_POLL_TIMEOUT, TlsOptions,
};
pub use definitions::{QueryDefinition, SignalDefinition, UpdateDefinition, WorkflowDefinition};
pub use description::{ParentExecution, WorkflowExecution, WorkflowExecutionDescription};
pub use error::{Error, Result, WorkflowCloseStatus};
pub use handle::WorkflowHandle;
#[cfg(feature = "json")]
pub use history::{history_from_json, history_to_json};
pub use interceptor::Interceptor;
pub use operations::count::{CountGroup, WorkflowCount};
pub use operations::update::WorkflowUpdateHandle;
pub use operator::{
    NamespaceDescription, OperatorClient, RegisterNamespace, SearchAttributeList, UpdateNamespace,
};

/// The attribute macro for implementing [`Interceptor`] and
/// [`PayloadCodec`](payload::PayloadCodec) (re-exported from `async-trait`, so no
/// extra dependency is needed).
pub use async_trait::async_trait;
/// Failure types (from `temporal-client-core`).
pub use temporal_client_core::failure;
pub use temporal_client_core::failure::{FailureKind, TemporalFailure};
/// Options, policies and search attributes (from `temporal-client-core`).
pub use temporal_client_core::options::*;
/// Payload conversion (from `temporal-client-core`).
pub use temporal_client_core::payload;
/// The generated Temporal API.
pub use temporal_client_core::proto;
/// Enums users meet in results and descriptions, re-exported from the generated API.
pub use temporal_client_core::proto::temporal::api::enums::v1::{
    IndexedValueType, RetryState, WorkflowExecutionStatus,
};
pub use temporal_client_core::search_attributes::{
    Bool, Datetime, Double, Int, Keyword, KeywordList, SearchAttributeError, SearchAttributeKey,
    SearchAttributes, Text,
};
pub use temporal_client_core::{
    CallOptions, Code, ErrorOrigin, InvalidRequest, RetryOverride, RpcRetryConfig, ServiceError,
};
