//! The frontend's request limits and validations, in one place: each check answers
//! with the code and message a real server (temporal 1.2x, default dynamic config)
//! gives for the same input, as observed on `temporal server start-dev`.
// `ServiceError` (the WorkflowService error type) is large by nature.
#![allow(clippy::result_large_err)]

use prost::Message;
use temporal_client_core::{Code, ServiceError};
use temporal_proto::temporal::api::common::v1::{Memo, Payload, Payloads, SearchAttributes};
use temporal_proto::temporal::api::enums::v1::IndexedValueType;

/// `limit.maxIDLength`: workflow ids, types, task queues, request ids, signal names.
pub(crate) const MAX_ID_LENGTH: usize = 1000;
/// `limit.blobSize.error`: the encoded size of one request's payloads.
pub(crate) const BLOB_SIZE_LIMIT: usize = 2 * 1024 * 1024;
/// `limit.memoSize.error`: the encoded size of a memo.
pub(crate) const MEMO_SIZE_LIMIT: usize = 2 * 1024 * 1024;
/// Task queue names the server keeps for itself start with this.
const RESERVED_TASK_QUEUE_PREFIX: &str = "/_sys/";

fn invalid(rpc: &'static str, message: impl Into<String>) -> ServiceError {
    ServiceError::new(rpc, Code::InvalidArgument, message)
}

/// A start's workflow id.
pub(crate) fn workflow_id(rpc: &'static str, id: &str) -> Result<(), ServiceError> {
    if id.is_empty() {
        return Err(invalid(rpc, "WorkflowId is not set on request."));
    }
    if id.len() > MAX_ID_LENGTH {
        return Err(invalid(
            rpc,
            format!(
                "WorkflowId exceeds maximum allowed length ({}/{MAX_ID_LENGTH})",
                id.len()
            ),
        ));
    }
    Ok(())
}

/// A start's workflow type.
pub(crate) fn workflow_type(rpc: &'static str, name: &str) -> Result<(), ServiceError> {
    if name.is_empty() {
        return Err(invalid(rpc, "WorkflowType is not set on request."));
    }
    if name.len() > MAX_ID_LENGTH {
        return Err(invalid(rpc, "WorkflowType length exceeds limit."));
    }
    Ok(())
}

/// A start's task queue.
pub(crate) fn task_queue(rpc: &'static str, name: &str) -> Result<(), ServiceError> {
    if name.is_empty() {
        return Err(invalid(rpc, "TaskQueue is not set on request."));
    }
    if name.len() > MAX_ID_LENGTH {
        return Err(invalid(rpc, "taskQueue length exceeds limit"));
    }
    if name.starts_with(RESERVED_TASK_QUEUE_PREFIX) {
        return Err(invalid(
            rpc,
            format!(
                "task queue name cannot start with reserved prefix {RESERVED_TASK_QUEUE_PREFIX}"
            ),
        ));
    }
    Ok(())
}

/// A request id.
pub(crate) fn request_id(rpc: &'static str, id: &str) -> Result<(), ServiceError> {
    if id.len() > MAX_ID_LENGTH {
        return Err(invalid(rpc, "RequestId length exceeds limit."));
    }
    Ok(())
}

/// A signal name: `SignalWorkflowExecution` and `SignalWithStartWorkflowExecution` word
/// the over-long case differently.
pub(crate) fn signal_name(
    rpc: &'static str,
    name: &str,
    with_start: bool,
) -> Result<(), ServiceError> {
    if name.is_empty() {
        return Err(invalid(rpc, "SignalName is not set on request."));
    }
    if name.len() > MAX_ID_LENGTH {
        return Err(invalid(
            rpc,
            if with_start {
                format!(
                    "signal name exceeds maximum allowed length ({}/{MAX_ID_LENGTH})",
                    name.len()
                )
            } else {
                "SignalName length exceeds limit.".to_owned()
            },
        ));
    }
    Ok(())
}

/// The payloads of one request field (input, signal input, query arguments, ...).
pub(crate) fn blob(rpc: &'static str, payloads: Option<&Payloads>) -> Result<(), ServiceError> {
    if payloads.is_some_and(|p| p.encoded_len() > BLOB_SIZE_LIMIT) {
        return Err(invalid(rpc, "Blob data size exceeds limit."));
    }
    Ok(())
}

/// A memo.
pub(crate) fn memo(rpc: &'static str, memo: Option<&Memo>) -> Result<(), ServiceError> {
    if memo.is_some_and(|m| m.encoded_len() > MEMO_SIZE_LIMIT) {
        return Err(invalid(rpc, "Memo size exceeds limit."));
    }
    Ok(())
}

/// A run id, when one is given: the server parses it as a UUID first.
pub(crate) fn run_id(rpc: &'static str, run_id: &str) -> Result<(), ServiceError> {
    if run_id.is_empty() || is_uuid(run_id) {
        return Ok(());
    }
    Err(invalid(
        rpc,
        if rpc == "PollWorkflowExecutionUpdate" {
            "RunId is not valid UUID."
        } else {
            "Invalid RunId."
        },
    ))
}

/// Whether `text` parses as a UUID the way the server's parser (Go `uuid.Parse`) reads
/// one: 36 characters with dashes, 32 hex digits, in braces, or with `urn:uuid:`.
fn is_uuid(text: &str) -> bool {
    let text = text
        .strip_prefix("urn:uuid:")
        .or_else(|| text.strip_prefix('{').and_then(|t| t.strip_suffix('}')))
        .unwrap_or(text);
    let bytes = text.as_bytes();
    match bytes.len() {
        32 => bytes.iter().all(u8::is_ascii_hexdigit),
        36 => bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        }),
        _ => false,
    }
}

/// Search attributes of a start against the namespace's registered types.
///
/// Like the server, the value is checked against the *registered* type; the payload's
/// `type` metadata is not (the server accepts any, in either spelling, and hands it back
/// as sent).
pub(crate) fn search_attributes<'a>(
    rpc: &'static str,
    ns: &str,
    attributes: &SearchAttributes,
    registered: impl Fn(&str) -> Option<&'a IndexedValueType>,
) -> Result<(), ServiceError> {
    for (name, payload) in &attributes.indexed_fields {
        let Some(kind) = registered(name) else {
            return Err(invalid(
                rpc,
                format!("Namespace {ns} has no mapping defined for search attribute {name}"),
            ));
        };
        if !value_fits(*kind, payload) {
            let shown = match serde_json::from_slice::<serde_json::Value>(&payload.data) {
                Ok(serde_json::Value::String(s)) => s,
                Ok(other) => other.to_string(),
                Err(_) => String::from_utf8_lossy(&payload.data).into_owned(),
            };
            return Err(invalid(
                rpc,
                format!(
                    "invalid value for search attribute {name} of type {}: {shown}",
                    index_type_name(*kind)
                ),
            ));
        }
    }
    Ok(())
}

/// Whether a search attribute payload holds a value of `kind` (an empty payload unsets
/// the attribute and always fits).
fn value_fits(kind: IndexedValueType, payload: &Payload) -> bool {
    if payload.data.is_empty() {
        return true;
    }
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&payload.data) else {
        return false;
    };
    use serde_json::Value as J;
    let one = |v: &J| match kind {
        IndexedValueType::Text | IndexedValueType::Keyword | IndexedValueType::KeywordList => {
            v.is_string()
        }
        IndexedValueType::Int => v.is_i64() || v.is_u64(),
        IndexedValueType::Double => v.is_number(),
        IndexedValueType::Bool => v.is_boolean(),
        IndexedValueType::Datetime => v
            .as_str()
            .is_some_and(|s| temporal_client_core::rfc3339::parse(s).is_some()),
        IndexedValueType::Unspecified => true,
    };
    match &json {
        J::Null => true,
        J::Array(items) => items.iter().all(one),
        other => one(other),
    }
}

/// The server's name of an indexed value type (`Keyword`, `Int`, ...).
pub(crate) fn index_type_name(kind: IndexedValueType) -> &'static str {
    match kind {
        IndexedValueType::Text => "Text",
        IndexedValueType::Keyword => "Keyword",
        IndexedValueType::Int => "Int",
        IndexedValueType::Double => "Double",
        IndexedValueType::Bool => "Bool",
        IndexedValueType::Datetime => "Datetime",
        IndexedValueType::KeywordList => "KeywordList",
        IndexedValueType::Unspecified => "Unspecified",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_must_be_uuids() {
        assert!(run_id("DescribeWorkflowExecution", "").is_ok());
        assert!(
            run_id(
                "DescribeWorkflowExecution",
                "0f6f4a9e-4a43-4b1e-9a51-3c3b7a2c0f00"
            )
            .is_ok()
        );
        let err = run_id("DescribeWorkflowExecution", "not-a-uuid").unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert_eq!(err.message(), "Invalid RunId.");
        assert!(
            run_id(
                "DescribeWorkflowExecution",
                "0f6f4a9e4a434b1e9a513c3b7a2c0f00"
            )
            .is_ok()
        );
        assert!(
            run_id(
                "DescribeWorkflowExecution",
                "0f6f4a9e-4a43-4b1e-9a51-3c3b7a2c0f0g"
            )
            .is_err()
        );
        let err = run_id("PollWorkflowExecutionUpdate", "x").unwrap_err();
        assert_eq!(err.message(), "RunId is not valid UUID.");
    }

    #[test]
    fn blob_limit_is_on_the_encoded_size() {
        let payloads = |n: usize| Payloads {
            payloads: vec![Payload {
                data: vec![b'x'; n],
                ..Payload::default()
            }],
        };
        let base = payloads(0).encoded_len();
        // The boundary as observed on the dev server: 2 MiB passes, one byte more fails.
        let mut n = BLOB_SIZE_LIMIT - base - 8;
        while payloads(n).encoded_len() < BLOB_SIZE_LIMIT {
            n += 1;
        }
        assert!(blob("StartWorkflowExecution", Some(&payloads(n))).is_ok());
        let err = blob("StartWorkflowExecution", Some(&payloads(n + 1))).unwrap_err();
        assert_eq!(err.message(), "Blob data size exceeds limit.");
    }

    /// Datetime values are read as the server reads them (Go's RFC 3339): an offset
    /// other than `Z` fits, a time with no offset does not. The fake's own parser took
    /// the second and refused the first before it used `temporal_client_core::rfc3339`.
    #[test]
    fn datetime_values_need_an_offset_and_may_use_any() {
        let json = |s: &str| Payload {
            data: format!("{s:?}").into_bytes(),
            ..Default::default()
        };
        let fits = |s| value_fits(IndexedValueType::Datetime, &json(s));
        assert!(fits("2024-01-01T00:00:00Z"));
        assert!(fits("2024-01-01T01:00:00+01:00"));
        assert!(fits("2024-01-01T00:00:00.123456789Z"));
        assert!(!fits("2024-01-01T00:00:00"));
        assert!(!fits("2024-01-01 00:00:00Z"));
    }
}
