//! The in-memory fake Temporal server.
//!
//! [`FakeServer`] implements [`WorkflowService`](temporal_client_core::WorkflowService)
//! with the real server's semantics for the client-facing RPCs: executions and run
//! chains per namespace, id reuse and conflict policies, request-id idempotency, signals,
//! queries, updates, cancellation, termination, histories with the real event types,
//! long polls, retry policies, cron schedules, timeouts and continue-as-new. Time is a
//! virtual clock that moves only when the test calls [`FakeServer::advance`], and ids
//! come from a seedable generator, so a test produces the same histories every time.
//!
//! Workflows are fake workflows: async closures registered with
//! [`FakeServer::register_workflow`] (every task queue) or
//! [`FakeServer::register_workflow_on`] (one task queue) that get a [`WorkflowContext`].
//! An execution whose type nothing registered for its task queue stays Running with its
//! workflow task scheduled, as on a real server with no worker polling, until something
//! registers. Request limits and validations are in `validation.rs`.
//!
//! RPCs the fake does not model answer `UNIMPLEMENTED` naming the RPC, and so do request
//! fields it does not model when they would change behaviour.

mod clock;
pub mod conformance_workflows;
mod cron;
mod handlers;
mod history;
mod ids;
mod listing;
mod namespaces;
mod operator;
mod payload;
mod schedules;
mod server;
mod store;
mod updates;
mod validation;
pub mod visibility;
mod workflows;

pub use clock::DEFAULT_START_TIME_UNIX_SECS;
pub use payload::PayloadError;
pub use server::{FakeServer, FakeServerBuilder};
pub use workflows::{
    Args, BoxFuture, Cancelled, ContinueAsNew, IntoWorkflowResult, NextSignal, Signal,
    SignalChannel, Sleep, WaitCondition, WorkflowContext, WorkflowFailure, WorkflowInfo,
    WorkflowResult, encode_args, search_attribute,
};
