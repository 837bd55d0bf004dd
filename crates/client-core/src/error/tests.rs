//! Tests of service errors: details round trips, the retry rule, origins, and the
//! plain-words `Display`.

use super::*;
use temporal_proto::temporal::api::errordetails::v1 as details;

#[test]
fn already_started_details_round_trip_through_status_bytes() {
    let detail = ErrorDetails::WorkflowExecutionAlreadyStarted(
        details::WorkflowExecutionAlreadyStartedFailure {
            start_request_id: "req".into(),
            run_id: "run-1".into(),
            first_execution_run_id: String::new(),
        },
    );
    let bytes = detail.encode_status(Code::AlreadyExists, "Workflow execution is already running");
    let decoded = ErrorDetails::decode_status(&bytes);
    assert_eq!(decoded.as_ref(), Some(&detail));
    let err = ServiceError::new(
        "StartWorkflowExecution",
        Code::AlreadyExists,
        "Workflow execution is already running",
    )
    .with_details(detail);
    assert!(err.is_already_exists());
    assert!(!err.is_retryable());
    assert_eq!(err.already_started_run_id(), Some("run-1"));
    let text = err.to_string();
    assert!(text.contains("already running (run id run-1)"), "{text}");
    assert!(text.starts_with("StartWorkflowExecution"), "{text}");
}

/// The same detail comes back for a closed run refused by the id reuse policy: the
/// text must not call that run "running" (server messages of temporal 1.2x).
#[test]
fn already_started_on_a_closed_run_keeps_the_servers_meaning() {
    let detail = ErrorDetails::WorkflowExecutionAlreadyStarted(
        details::WorkflowExecutionAlreadyStartedFailure {
            start_request_id: "req".into(),
            run_id: "run-1".into(),
            first_execution_run_id: String::new(),
        },
    );
    for message in [
        "Workflow execution already finished. WorkflowId: w, RunId: run-1. Workflow Id reuse policy: reject duplicate workflow Id.",
        "Workflow execution already finished successfully. WorkflowId: w, RunId: run-1. Workflow Id reuse policy: allow duplicate workflow Id if last run failed.",
    ] {
        let err = ServiceError::new("StartWorkflowExecution", Code::AlreadyExists, message)
            .with_details(detail.clone());
        let text = err.to_string();
        assert!(!text.contains("already running"), "{text}");
        assert!(text.contains("closed run"), "{text}");
        assert!(text.contains("reuse policy"), "{text}");
    }
    let err =
        ServiceError::new("StartWorkflowExecution", Code::AlreadyExists, "").with_details(detail);
    assert!(!err.to_string().contains("running"), "{err}");
}

#[test]
fn unknown_detail_is_kept_raw() {
    let d = ErrorDetails::decode_any("type.googleapis.com/foo.Bar", b"\x01\x02");
    assert!(
        matches!(d, Some(ErrorDetails::Other { ref type_url, .. }) if type_url.ends_with("foo.Bar"))
    );
    assert_eq!(ErrorDetails::decode_status(b""), None);
    assert_eq!(ErrorDetails::decode_status(b"\xff\xff"), None);
}

#[test]
fn retry_classification_matches_the_other_sdks() {
    for code in [
        Code::Unavailable,
        Code::Aborted,
        Code::Unknown,
        Code::DataLoss,
        Code::OutOfRange,
        Code::ResourceExhausted,
    ] {
        assert!(is_retryable_code(code, "x"), "{code}");
    }
    for code in [
        Code::DeadlineExceeded,
        Code::Cancelled,
        Code::InvalidArgument,
        Code::NotFound,
        Code::AlreadyExists,
        Code::PermissionDenied,
        Code::FailedPrecondition,
        Code::Unimplemented,
        Code::Unauthenticated,
    ] {
        assert!(!is_retryable_code(code, "x"), "{code}");
    }
    assert!(!is_retryable_code(
        Code::ResourceExhausted,
        "grpc: received message larger than max (5 vs. 4)"
    ));
    // The dev server's words for a gzip-compressed request that is too large.
    assert!(!is_retryable_code(
        Code::ResourceExhausted,
        "grpc: received message after decompression larger than max 4194304"
    ));
    assert!(is_retryable_code(
        Code::Internal,
        "Received RST_STREAM with code 2"
    ));
    assert!(!is_retryable_code(Code::Internal, "boom"));
}

#[test]
fn namespace_not_found_reads_plainly() {
    let err = ServiceError::new(
        "DescribeNamespace",
        Code::NotFound,
        "Namespace nope is not found.",
    )
    .with_details(ErrorDetails::NamespaceNotFound(
        details::NamespaceNotFoundFailure {
            namespace: "nope".into(),
        },
    ));
    assert!(err.is_not_found() && err.is_namespace_not_found());
    assert!(err.to_string().contains("namespace 'nope' does not exist"));
}

#[test]
fn a_new_error_is_from_the_server_after_one_attempt() {
    let err = ServiceError::new("DescribeNamespace", Code::Unavailable, "down");
    assert_eq!(err.origin(), ErrorOrigin::Server);
    assert!(err.is_from_server());
    assert!(!err.is_transport() && !err.is_client_deadline());
    assert_eq!(err.attempts(), 1);
    assert!(!err.retries_exhausted());
    assert_eq!(
        err.to_string(),
        "DescribeNamespace: the server is unavailable [UNAVAILABLE]: down"
    );
}

#[test]
fn origin_predicates_follow_the_origin() {
    let err = |origin| ServiceError::new("X", Code::Unavailable, "m").with_origin(origin);
    assert!(err(ErrorOrigin::Transport).is_transport());
    assert!(!err(ErrorOrigin::Transport).is_from_server());
    assert!(err(ErrorOrigin::ClientDeadline).is_client_deadline());
    let local = err(ErrorOrigin::Local);
    assert!(!local.is_from_server() && !local.is_transport() && !local.is_client_deadline());
    assert_eq!(local.origin(), ErrorOrigin::Local);
    assert_eq!(ErrorOrigin::default(), ErrorOrigin::Server);
}

#[test]
fn display_names_the_origin_and_the_attempts_once() {
    let err = ServiceError::new("GetSystemInfo", Code::Unavailable, "tcp connect error")
        .with_origin(ErrorOrigin::Transport)
        .with_attempts(5)
        .with_retries_exhausted(true);
    assert!(err.retries_exhausted());
    assert_eq!(err.attempts(), 5);
    assert_eq!(
        err.to_string(),
        "GetSystemInfo: the connection to the server failed [UNAVAILABLE]: \
         tcp connect error (gave up after 5 attempts)"
    );
    let err = ServiceError::new(
        "ListNamespaces",
        Code::DeadlineExceeded,
        "no response within 300ms",
    )
    .with_origin(ErrorOrigin::ClientDeadline);
    assert_eq!(
        err.to_string(),
        "ListNamespaces: the call timed out in the client [DEADLINE_EXCEEDED]: \
         no response within 300ms"
    );
    let err = ServiceError::new("X", Code::NotFound, "gone").with_attempts(3);
    assert_eq!(
        err.to_string(),
        "X: not found [NOT_FOUND]: gone (after 3 attempts)"
    );
    assert_eq!(err.clone().with_attempts(0).attempts(), 1);
}

#[test]
fn codes_map_from_numbers() {
    for n in 0..=16 {
        assert_eq!(Code::from_i32(n) as i32, n);
    }
    assert_eq!(Code::from_i32(99), Code::Unknown);
}
