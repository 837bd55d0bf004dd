//! Pure request builders: a [`RequestContext`] (namespace, identity) and one spec value
//! per operation turn options and already-converted payloads into the protobuf
//! requests of the Workflow Service. They do no I/O and keep no state; the only things
//! they make up are fresh UUID v4 request ids (and update ids) where none is given.
//!
//! Payloads come in converted (and encoded by any codec) already: these functions never
//! see user values. The Temporal `header` comes in the spec.

mod activity_completion;
mod cancel_terminate;
mod common;
mod context;
mod describe;
mod duration;
mod history;
mod multi_operation;
mod query;
mod schedule;
mod signal;
mod start;
mod update;
mod visibility;

pub use activity_completion::{
    ActivityRef, complete_activity_by_id_request, complete_activity_request,
    fail_activity_by_id_request, fail_activity_request, heartbeat_activity_by_id_request,
    heartbeat_activity_request, report_activity_canceled_by_id_request,
    report_activity_canceled_request,
};
pub use cancel_terminate::{CancelSpec, TerminateSpec};
pub use common::new_request_id;
pub use context::{ExecutionTarget, RequestContext};
pub use duration::{
    MAX_PROTO_DURATION_SECS, duration_from_proto, duration_to_proto, optional_duration,
};
pub use history::{HistoryFilter, HistorySpec};
pub use query::QuerySpec;
pub use schedule::{
    create_schedule_request, delete_schedule_request, describe_schedule_request,
    list_schedules_request, patch_schedule_request, pause_schedule_patch, trigger_schedule_patch,
    unpause_schedule_patch, update_schedule_request,
};
pub use signal::SignalSpec;
pub use start::StartSpec;
pub use update::{UpdateSpec, update_id_of};
pub use visibility::ListSpec;
