//! `tracing` spans of the high-level operations (`temporal.start_workflow`, ...).
//!
//! Every operation runs inside one span named `temporal.<operation>` at level INFO,
//! with these fields (see the crate README, "Observability"):
//!
//! | field | value |
//! |---|---|
//! | `otel.kind` | `"client"` |
//! | `namespace` | the client's namespace |
//! | `workflow_id`, `workflow_type`, `run_id` | when the operation has them (`run_id` is recorded once known) |
//! | `handler` | the signal, query or update name |
//! | `update_id` | the update id, once known |
//! | `schedule_id` | the schedule's id (schedule operations) |
//! | `activity_id` | the activity id of an async activity handle addressed by id (its `workflow_id` and `run_id` too) |
//! | `status` | `"ok"` or `"error"`, recorded when the operation ends |
//! | `error` | the [`Error`](crate::Error) variant (`"WorkflowNotFound"`, `"Service"`, ...) |
//! | `grpc_code` | the gRPC code of the failed RPC (`"UNAVAILABLE"`, ...), when one failed |
//! | `otel.status_code` | `"ERROR"` on failure (read by `tracing-opentelemetry`) |
//!
//! No field ever holds a payload, a header value, gRPC metadata or an API key. Without
//! a subscriber the span is disabled: creating it, recording on it and entering it
//! cost a few atomic loads.

use std::future::Future;

use futures_util::FutureExt as _;
use futures_util::future::Either;
use tracing::Instrument as _;

use crate::error::Result;

/// Creates the span of one operation: `operation_span!("temporal.start_workflow",
/// namespace, workflow_id = id, workflow_type = ty)`. The optional fields are recorded
/// after creation and must be among the ones the span declares (see the module docs).
macro_rules! operation_span {
    ($name:literal, $namespace:expr $(, $field:ident = $value:expr)* $(,)?) => {{
        let span = ::tracing::info_span!(
            $name,
            otel.kind = "client",
            namespace = $namespace,
            workflow_id = ::tracing::field::Empty,
            workflow_type = ::tracing::field::Empty,
            run_id = ::tracing::field::Empty,
            handler = ::tracing::field::Empty,
            update_id = ::tracing::field::Empty,
            schedule_id = ::tracing::field::Empty,
            activity_id = ::tracing::field::Empty,
            status = ::tracing::field::Empty,
            error = ::tracing::field::Empty,
            grpc_code = ::tracing::field::Empty,
            otel.status_code = ::tracing::field::Empty,
        );
        if !span.is_disabled() {
            $(span.record(stringify!($field), $value);)*
        }
        span
    }};
}

pub(crate) use operation_span;

/// Runs `operation` inside `span` and records its outcome on the span.
pub(crate) fn traced<T>(
    span: tracing::Span,
    operation: impl Future<Output = Result<T>>,
) -> impl Future<Output = Result<T>> {
    traced_with(span, operation, |_, _| {})
}

/// As [`traced`], and on success `record(span, &output)` records what the output
/// tells (the run id of a start, the update id of an update).
///
/// A combinator, not an `async fn`: an `async fn` keeps its future argument and the
/// future it awaits as two copies in its state, and the operations nest these, so a
/// pending `result()` held many copies of its poll loop. Here `operation` is stored
/// once.
pub(crate) fn traced_with<T>(
    span: tracing::Span,
    operation: impl Future<Output = Result<T>>,
    record: impl FnOnce(&tracing::Span, &T),
) -> impl Future<Output = Result<T>> {
    if span.is_disabled() {
        return Either::Left(operation);
    }
    let recorded = span.clone();
    Either::Right(operation.instrument(span).map(move |outcome| {
        if let Ok(output) = &outcome {
            record(&recorded, output);
        }
        record_outcome(&recorded, &outcome);
        outcome
    }))
}

/// Records `status`, and on failure `error`, `grpc_code` and `otel.status_code`.
fn record_outcome<T>(span: &tracing::Span, outcome: &Result<T>) {
    match outcome {
        Ok(_) => {
            span.record("status", "ok");
        }
        Err(error) => {
            span.record("status", "error");
            span.record("otel.status_code", "ERROR");
            span.record("error", variant_name(error).as_str());
            if let Some(service) = error.service_error() {
                span.record("grpc_code", tracing::field::display(service.code()));
            }
        }
    }
}

/// The name of the error's variant (`"WorkflowNotFound"`), without its fields, which
/// may hold user data.
fn variant_name(error: &crate::Error) -> String {
    let debug = format!("{error:?}");
    debug
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn variant_names_have_no_fields() {
        let error = crate::Error::WorkflowNotFound {
            namespace: "ns".into(),
            workflow_id: "secret-id".into(),
            run_id: None,
            source: temporal_client_core::ServiceError::new(
                "DescribeWorkflowExecution",
                temporal_client_core::Code::NotFound,
                "gone",
            ),
        };
        assert_eq!(variant_name(&error), "WorkflowNotFound");
    }
}
