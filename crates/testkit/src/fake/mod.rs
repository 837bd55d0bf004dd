//! The in-memory fake Temporal server.
//!
//! [`FakeServer`] implements [`WorkflowService`](temporal_client_core::WorkflowService)
//! with the real server's semantics for the client-facing RPCs: executions and run
//! chains per namespace, id reuse and conflict policies, request-id idempotency, signals,
//! queries, updates, cancellation, termination, histories with the real event types,
//! long polls, retry policies, cron schedules, schedules, timeouts and continue-as-new.
//! Time is a virtual clock that moves only when the test calls [`FakeServer::advance`],
//! and ids come from a seedable generator, so a test produces the same histories every
//! time.
//!
//! Workflows are fake workflows: async closures registered with
//! [`FakeServer::register_workflow`] (every task queue) or
//! [`FakeServer::register_workflow_on`] (one task queue) that get a [`WorkflowContext`].
//! An execution whose type nothing registered for its task queue stays Running with its
//! workflow task scheduled, as on a real server with no worker polling, until something
//! registers. Request limits and validations are in `validation.rs`; each RPC family has its module
//! in `rpc/`, the state machine is in `engine/`, the test controls in `controls.rs`.
//!
//! Schedules (`CreateSchedule` and the rest) run on the same virtual clock: a schedule's
//! workflows start when `advance` passes their action times, with the overlap policies,
//! pause, trigger, backfill and limits of the real server (`schedules/`; the testkit
//! README lists what differs):
//!
//! ```
//! # use std::time::Duration;
//! # use temporal_client_core::WorkflowService;
//! # use temporal_client_core::proto::temporal::api::schedule::v1::{
//! #     IntervalSpec, Schedule, ScheduleAction, ScheduleSpec, schedule_action::Action,
//! # };
//! # use temporal_client_core::proto::temporal::api::workflow::v1::NewWorkflowExecutionInfo;
//! # use temporal_client_core::proto::temporal::api::workflowservice::v1 as wf;
//! # use temporal_testkit::{FakeServer, WorkflowContext, WorkflowResult};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let fake = FakeServer::new();
//! fake.register_workflow("report", |_ctx: WorkflowContext| async move {
//!     WorkflowResult::completed("sent")
//! });
//! let start = NewWorkflowExecutionInfo {
//!     workflow_id: "report".into(),
//!     workflow_type: Some(wf_type("report")),
//!     task_queue: Some(queue("reports")),
//!     ..Default::default()
//! };
//! fake.create_schedule(
//!     wf::CreateScheduleRequest {
//!         namespace: "default".into(),
//!         schedule_id: "hourly-report".into(),
//!         schedule: Some(Schedule {
//!             spec: Some(ScheduleSpec {
//!                 interval: vec![IntervalSpec {
//!                     interval: Some(temporal_client_core::proto::protobuf::Duration {
//!                         seconds: 3600,
//!                         nanos: 0,
//!                     }),
//!                     phase: None,
//!                 }],
//!                 ..Default::default()
//!             }),
//!             action: Some(ScheduleAction {
//!                 action: Some(Action::StartWorkflow(start)),
//!             }),
//!             ..Default::default()
//!         }),
//!         request_id: "create-1".into(),
//!         ..Default::default()
//!     }
//!     .into(),
//! )
//! .await?;
//!
//! fake.advance(Duration::from_secs(3 * 3600));
//! let described = fake
//!     .describe_schedule(
//!         wf::DescribeScheduleRequest {
//!             namespace: "default".into(),
//!             schedule_id: "hourly-report".into(),
//!         }
//!         .into(),
//!     )
//!     .await?;
//! let info = described.info.unwrap_or_default();
//! assert_eq!(info.action_count, 3);
//! // The workflow id carries the nominal time, as on the server.
//! let first = info.recent_actions[0].start_workflow_result.clone().unwrap_or_default();
//! assert_eq!(first.workflow_id, "report-2024-01-01T01:00:00Z");
//! # Ok(())
//! # }
//! # fn wf_type(name: &str) -> temporal_client_core::proto::temporal::api::common::v1::WorkflowType {
//! #     temporal_client_core::proto::temporal::api::common::v1::WorkflowType { name: name.into() }
//! # }
//! # fn queue(name: &str) -> temporal_client_core::proto::temporal::api::taskqueue::v1::TaskQueue {
//! #     temporal_client_core::proto::temporal::api::taskqueue::v1::TaskQueue {
//! #         name: name.into(),
//! #         ..Default::default()
//! #     }
//! # }
//! ```
//!
//! RPCs the fake does not model answer `UNIMPLEMENTED` naming the RPC, and so do request
//! fields it does not model when they would change behaviour.

mod activities;
mod activity_handle;
mod builder;
mod clock;
pub mod conformance_workflows;
mod controls;
mod cron;
mod engine;
mod history;
mod ids;
mod operator;
mod payload;
mod rpc;
mod schedules;
mod server;
mod store;
mod validation;
pub mod visibility;
mod worker_codec;
mod workflows;

pub use activity_handle::{
    ActivityHandle, ActivityOptions, ActivityOutput, ActivityResult,
    DEFAULT_ACTIVITY_START_TO_CLOSE,
};
pub use builder::FakeServerBuilder;
pub use clock::DEFAULT_START_TIME_UNIX_SECS;
pub use payload::PayloadError;
pub use server::FakeServer;
pub use workflows::{
    Args, BoxFuture, Cancelled, ContinueAsNew, IntoWorkflowResult, NextSignal, Signal,
    SignalChannel, Sleep, WaitCondition, WorkflowContext, WorkflowFailure, WorkflowInfo,
    WorkflowResult, encode_args, search_attribute,
};
