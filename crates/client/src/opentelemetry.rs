//! OpenTelemetry trace context propagation to workers (feature `opentelemetry`).
//!
//! [`TracingInterceptor`] puts the current trace context into the Temporal `header` of
//! every start, signal-with-start, signal, query, update, update-with-start and schedule
//! creation (the schedule's workflow action), under
//! `_tracer-data`, in the shape the official SDKs' OpenTelemetry interceptors read
//! and write (Python's `temporalio.contrib.opentelemetry.TracingInterceptor`,
//! TypeScript's `@temporalio/interceptors-opentelemetry`): a W3C text-map carrier
//! (`{"traceparent": "00-<trace id>-<span id>-<flags>"}`, plus `tracestate` when set)
//! encoded as one JSON payload (`encoding: json/plain`). A Python or TypeScript worker
//! with its tracing interceptor then continues the trace: its `RunWorkflow:<type>`
//! span is a child of the span that started the workflow, and its `HandleSignal`,
//! `HandleQuery`, `HandleUpdate` spans are children of, or linked to, the span of
//! the call.
//!
//! Which span is sent: the current `tracing` span's OpenTelemetry context when a
//! `tracing-opentelemetry` layer is installed (inside an operation that is the
//! operation's own span, `temporal.start_workflow` and so on: a child of the
//! caller's span, or the root of a new trace outside any span, as the TypeScript
//! interceptor's own client span), else the current OpenTelemetry [`Context`]. With
//! neither, no header is added.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), temporal_client::Error> {
//! use temporal_client::opentelemetry::TracingInterceptor;
//! use temporal_client::{Client, WorkflowOptions};
//!
//! let client = Client::builder(temporal_testkit::FakeServer::new())
//!     .interceptor(TracingInterceptor::new())
//!     .build();
//! // Inside a span (with a tracing-opentelemetry layer, or an attached OTel
//! // context), this start carries the trace context to the worker.
//! client.start("greet", WorkflowOptions::new("greet-1", "greetings")).await?;
//! # Ok(()) }
//! ```

use std::collections::HashMap;

use opentelemetry::Context;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TraceContextExt as _;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use temporal_client_core::payload::DataConverter;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

use crate::error::Result;
use crate::interceptor::{
    CreateScheduleInput, Headers, Interceptor, Next, QueryWorkflowInput, QueryWorkflowOutput,
    SignalWithStartInput, SignalWorkflowInput, StartUpdateInput, StartUpdateOutput,
    StartWorkflowInput, StartWorkflowOutput, UpdateWithStartInput, UpdateWithStartOutput,
};

/// The Temporal header the official SDKs' OpenTelemetry interceptors use.
pub const TRACER_HEADER: &str = "_tracer-data";

/// Injects the current trace context into the Temporal `header` (`_tracer-data`) of
/// starts, signals, signal-with-starts, queries, updates and update-with-starts. See
/// the [module docs](self).
///
/// The propagator is W3C trace context (`opentelemetry_sdk`'s
/// [`TraceContextPropagator`]) unless [`with_propagator`](Self::with_propagator) sets
/// another (for example a composite with baggage, as Python's default is).
pub struct TracingInterceptor {
    propagator: Box<dyn TextMapPropagator + Send + Sync>,
}

impl std::fmt::Debug for TracingInterceptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TracingInterceptor").finish_non_exhaustive()
    }
}

impl Default for TracingInterceptor {
    fn default() -> Self {
        Self::new()
    }
}

impl TracingInterceptor {
    /// An interceptor with the W3C trace-context propagator.
    pub fn new() -> Self {
        Self::with_propagator(TraceContextPropagator::new())
    }

    /// An interceptor that injects with `propagator`.
    pub fn with_propagator(propagator: impl TextMapPropagator + Send + Sync + 'static) -> Self {
        Self {
            propagator: Box::new(propagator),
        }
    }

    /// Adds `_tracer-data` to `headers` when there is a trace context to send.
    ///
    /// # Errors
    /// [`Error::Payload`](crate::Error::Payload) if the carrier does not encode (it is
    /// a map of strings, so in practice never).
    pub fn inject(&self, headers: &mut Headers) -> Result<()> {
        let context = current_context();
        if !context.span().span_context().is_valid() {
            return Ok(());
        }
        let mut carrier: HashMap<String, String> = HashMap::new();
        self.propagator.inject_context(&context, &mut carrier);
        // An empty `tracestate` says nothing; the other SDKs leave it out.
        carrier.retain(|_, value| !value.is_empty());
        if carrier.is_empty() {
            return Ok(());
        }
        let payload = DataConverter::default().to_payload(&carrier)?;
        headers.insert(TRACER_HEADER.to_owned(), payload);
        Ok(())
    }
}

/// The current `tracing` span's OpenTelemetry context when it has one, else the
/// current OpenTelemetry context.
fn current_context() -> Context {
    let from_tracing = tracing::Span::current().context();
    if from_tracing.span().span_context().is_valid() {
        from_tracing
    } else {
        Context::current()
    }
}

#[async_trait::async_trait]
impl Interceptor for TracingInterceptor {
    async fn start_workflow(
        &self,
        mut input: StartWorkflowInput,
        next: Next<'_, StartWorkflowInput, StartWorkflowOutput>,
    ) -> Result<StartWorkflowOutput> {
        self.inject(&mut input.headers)?;
        next.run(input).await
    }

    async fn signal_with_start(
        &self,
        mut input: SignalWithStartInput,
        next: Next<'_, SignalWithStartInput, StartWorkflowOutput>,
    ) -> Result<StartWorkflowOutput> {
        self.inject(&mut input.headers)?;
        next.run(input).await
    }

    async fn signal_workflow(
        &self,
        mut input: SignalWorkflowInput,
        next: Next<'_, SignalWorkflowInput, ()>,
    ) -> Result<()> {
        self.inject(&mut input.headers)?;
        next.run(input).await
    }

    async fn query_workflow(
        &self,
        mut input: QueryWorkflowInput,
        next: Next<'_, QueryWorkflowInput, QueryWorkflowOutput>,
    ) -> Result<QueryWorkflowOutput> {
        self.inject(&mut input.headers)?;
        next.run(input).await
    }

    async fn start_update(
        &self,
        mut input: StartUpdateInput,
        next: Next<'_, StartUpdateInput, StartUpdateOutput>,
    ) -> Result<StartUpdateOutput> {
        self.inject(&mut input.headers)?;
        next.run(input).await
    }

    async fn update_with_start(
        &self,
        mut input: UpdateWithStartInput,
        next: Next<'_, UpdateWithStartInput, UpdateWithStartOutput>,
    ) -> Result<UpdateWithStartOutput> {
        // The start's header reaches the workflow, the update's its update handler.
        self.inject(&mut input.start.headers)?;
        self.inject(&mut input.update.headers)?;
        next.run(input).await
    }

    async fn create_schedule(
        &self,
        mut input: CreateScheduleInput,
        next: Next<'_, CreateScheduleInput, ()>,
    ) -> Result<()> {
        // Every workflow the schedule starts carries the creating span's context, as
        // the TypeScript interceptor does for schedule creation.
        if let Some(action) = input.schedule.action.as_start_workflow_mut() {
            self.inject(&mut action.headers)?;
        }
        next.run(input).await
    }
}
