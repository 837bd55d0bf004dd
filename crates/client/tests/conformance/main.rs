//! The conformance suite: one set of scenarios, run against the in-process fake, the
//! fake over gRPC, and a real dev server with the official Python SDK's worker. See
//! `backend.rs` for how back ends are chosen.

mod activities;
mod activities_fake;
mod backend;
mod bad_input;
mod closing;
mod codec;
mod deadlines;
mod defs;
mod fidelity;
mod interceptors;
mod lifecycle;
mod messages;
mod observing;
mod schedules;
#[path = "../span_recorder/mod.rs"]
mod span_recorder;
mod tracing_spans;
