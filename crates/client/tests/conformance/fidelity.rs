//! Fidelity (issue 10): what a real server and an SDK worker do at the edges, and the
//! fake and the client do the same: search attribute types in the enum spelling, task
//! queues nobody polls, undecodable arguments, cancelling `counter`, frontend limits,
//! already-started on a closed run, shorthand enum names in history JSON.

use std::collections::HashMap;
use std::time::Duration;

use temporal_client::proto::temporal::api::common::v1::Payload;
use temporal_client::proto::temporal::api::enums::v1::{
    EventType, WorkflowExecutionStatus, WorkflowTaskFailedCause,
};
use temporal_client::proto::temporal::api::history::v1::History;
use temporal_client::proto::temporal::api::history::v1::history_event::Attributes;
use temporal_client::{
    Code, Error, IdReusePolicy, KeywordList, SearchAttributeKey, SearchAttributes,
    WorkflowCloseStatus, WorkflowHandle, WorkflowOptions,
};

use crate::backend::{Kind, on_every_backend};
use crate::defs::*;

const TAGS: SearchAttributeKey<KeywordList> = SearchAttributeKey::new("ConformanceTags");

fn typed_payload(type_name: &str, json: &str) -> Payload {
    Payload {
        metadata: HashMap::from([
            ("encoding".to_owned(), b"json/plain".to_vec()),
            ("type".to_owned(), type_name.as_bytes().to_vec()),
        ]),
        data: json.as_bytes().to_vec(),
        ..Default::default()
    }
}

async fn history_of<R>(handle: &WorkflowHandle<R>) -> History {
    handle.fetch_history().into_history().await.unwrap()
}

fn event_types(history: &History) -> Vec<EventType> {
    history.events.iter().map(|e| e.event_type()).collect()
}

/// The service error under a client error, with its code and message.
fn service(err: &Error) -> (Code, String) {
    let s = err
        .service_error()
        .unwrap_or_else(|| panic!("expected a service error, got {err:?}"));
    (s.code(), s.message().to_owned())
}

/// Item 2: the server accepts a search attribute whose `type` metadata is the protobuf
/// enum name, stores it as sent, and `describe` hands it back; typed and untyped reads
/// work on it.
#[tokio::test]
async fn search_attribute_types_in_the_enum_spelling_read_back() {
    on_every_backend(|b| async move {
        let mut attributes = SearchAttributes::new();
        attributes.insert_raw(
            "ConformanceTags",
            typed_payload("INDEXED_VALUE_TYPE_KEYWORD_LIST", r#"["a","b"]"#),
        );
        attributes.insert_raw(
            "ConformanceCount",
            typed_payload("INDEXED_VALUE_TYPE_INT", "7"),
        );
        let handle = b
            .client
            .start(
                COUNTER,
                WorkflowOptions::new(b.id("sa-enum"), &b.task_queue)
                    .args((1,))
                    .search_attributes(attributes),
            )
            .await
            .unwrap_or_else(|e| panic!("[{}] the start is accepted: {e}", b.kind));
        let d = handle.describe().await.unwrap();
        let sa = &d.execution.search_attributes;
        assert_eq!(
            sa.get_raw("ConformanceTags").unwrap().metadata["type"],
            b"INDEXED_VALUE_TYPE_KEYWORD_LIST",
            "[{}] describe hands back what the writer sent",
            b.kind
        );
        assert_eq!(
            sa.get(&TAGS).unwrap().unwrap(),
            vec!["a".to_owned(), "b".to_owned()],
            "[{}]",
            b.kind
        );
        assert_eq!(sa.get(&COUNT).unwrap().unwrap(), 7, "[{}]", b.kind);
        assert!(
            sa.get_value("ConformanceTags").unwrap().is_ok(),
            "[{}]",
            b.kind
        );
        handle.terminate().await.unwrap();
    })
    .await;
}

/// Item 7: a workflow on a task queue nothing polls stays Running with its first
/// workflow task scheduled and not started, until a worker for that queue appears.
#[tokio::test]
async fn a_workflow_on_an_unpolled_queue_waits_for_a_worker() {
    on_every_backend(|b| async move {
        let queue = b.id("unpolled");
        let handle = b
            .client
            .start(
                COUNTER,
                WorkflowOptions::new(b.id("unpolled"), &queue).args((5,)),
            )
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(if b.kind == Kind::Dev {
            1500
        } else {
            50
        }))
        .await;
        assert_eq!(
            handle.describe().await.unwrap().status(),
            WorkflowExecutionStatus::Running,
            "[{}]",
            b.kind
        );
        assert_eq!(
            event_types(&history_of(&handle).await),
            vec![
                EventType::WorkflowExecutionStarted,
                EventType::WorkflowTaskScheduled
            ],
            "[{}] scheduled, not started",
            b.kind
        );
        // A worker for the queue picks the run up.
        let _worker = b.serve_queue(&queue).await;
        handle.signal(FINISH).await.unwrap();
        assert_eq!(handle.result().await.unwrap(), 5, "[{}]", b.kind);
    })
    .await;
}

/// Item 8: an argument the workflow cannot decode fails the workflow *task*; the
/// workflow stays Running with a WorkflowTaskFailed event.
#[tokio::test]
async fn undecodable_arguments_fail_the_workflow_task() {
    on_every_backend(|b| async move {
        let handle: WorkflowHandle<serde_json::Value> = b
            .client
            .start(
                "counter",
                WorkflowOptions::new(b.id("bad-args"), &b.task_queue).args(("not a number",)),
            )
            .await
            .unwrap();
        let history = b
            .eventually("a WorkflowTaskFailed event", || {
                let handle = handle.clone();
                async move {
                    let history = history_of(&handle).await;
                    history
                        .events
                        .iter()
                        .any(|e| e.event_type() == EventType::WorkflowTaskFailed)
                        .then_some(history)
                }
            })
            .await;
        let failed = history
            .events
            .iter()
            .find_map(|e| match &e.attributes {
                Some(Attributes::WorkflowTaskFailedEventAttributes(a)) => Some(a.clone()),
                _ => None,
            })
            .unwrap();
        assert_eq!(
            failed.cause(),
            WorkflowTaskFailedCause::WorkflowWorkerUnhandledFailure,
            "[{}]",
            b.kind
        );
        assert!(failed.failure.is_some(), "[{}]", b.kind);
        assert_eq!(
            handle.describe().await.unwrap().status(),
            WorkflowExecutionStatus::Running,
            "[{}] the workflow itself did not fail",
            b.kind
        );
        handle.terminate().await.unwrap();
    })
    .await;
}

/// Item 10: cancelling `counter` (which waits for signals) ends it Canceled, as the
/// Python worker's `wait_condition` does.
#[tokio::test]
async fn cancelling_counter_ends_it_canceled() {
    on_every_backend(|b| async move {
        let handle = b
            .client
            .start(
                COUNTER,
                WorkflowOptions::new(b.id("cancel-counter"), &b.task_queue).args((1,)),
            )
            .await
            .unwrap();
        handle.signal(INCREMENT).arg(2).await.unwrap();
        handle.cancel().await.unwrap();
        match handle.result().await {
            Err(Error::WorkflowFailed { status, .. }) => {
                assert_eq!(status, WorkflowCloseStatus::Canceled, "[{}]", b.kind);
            }
            other => panic!("[{}] expected Canceled, got {other:?}", b.kind),
        }
        assert_eq!(
            handle.describe().await.unwrap().status(),
            WorkflowExecutionStatus::Canceled,
            "[{}]",
            b.kind
        );
    })
    .await;
}

/// Item 13: cancelling a closed workflow succeeds (a no-op), as on the server.
#[tokio::test]
async fn cancelling_a_closed_workflow_succeeds() {
    on_every_backend(|b| async move {
        let handle = b
            .client
            .start(
                COUNTER,
                WorkflowOptions::new(b.id("cancel-closed"), &b.task_queue).args((1,)),
            )
            .await
            .unwrap();
        handle.signal(FINISH).await.unwrap();
        assert_eq!(handle.result().await.unwrap(), 1);
        handle
            .cancel()
            .await
            .unwrap_or_else(|e| panic!("[{}] cancel of a closed run: {e}", b.kind));
        assert_eq!(
            handle.describe().await.unwrap().status(),
            WorkflowExecutionStatus::Completed,
            "[{}]",
            b.kind
        );
    })
    .await;
}

/// Item 13: the frontend's limits and validations, with the server's code and message.
#[tokio::test]
async fn frontend_limits_and_validations() {
    on_every_backend(|b| async move {
        let long = "q".repeat(10_000);
        let err = b
            .client
            .start(
                COUNTER,
                WorkflowOptions::new(b.id("long-queue"), &long).args((1,)),
            )
            .await
            .unwrap_err();
        let (code, message) = service(&err);
        assert_eq!(code, Code::InvalidArgument, "[{}] {message}", b.kind);
        assert!(
            message.contains("length exceeds limit"),
            "[{}] {message}",
            b.kind
        );

        let err = b
            .client
            .start(
                long.clone(),
                WorkflowOptions::new(b.id("long-type"), &b.task_queue),
            )
            .await
            .unwrap_err();
        let (code, message) = service(&err);
        assert_eq!(code, Code::InvalidArgument, "[{}] {message}", b.kind);
        assert_eq!(
            message, "WorkflowType length exceeds limit.",
            "[{}]",
            b.kind
        );

        let big = "x".repeat(3_000_000);
        let err = b
            .client
            .start(
                "echo",
                WorkflowOptions::new(b.id("big-arg"), &b.task_queue).args((big,)),
            )
            .await
            .unwrap_err();
        let (code, message) = service(&err);
        assert_eq!(code, Code::InvalidArgument, "[{}] {message}", b.kind);
        assert_eq!(message, "Blob data size exceeds limit.", "[{}]", b.kind);

        let handle = b
            .client
            .get_handle::<i64>(b.id("bad-run-id"))
            .for_run("not-a-uuid");
        let err = handle.describe().await.unwrap_err();
        let (code, message) = service(&err);
        assert_eq!(code, Code::InvalidArgument, "[{}] {message}", b.kind);
        assert_eq!(message, "Invalid RunId.", "[{}]", b.kind);
        let err = handle.signal(FINISH).await.unwrap_err();
        assert_eq!(service(&err).1, "Invalid RunId.", "[{}]", b.kind);
    })
    .await;
}

/// Item 6: a start refused because a *closed* run's id may not be reused is not
/// described as "already running".
#[tokio::test]
async fn already_started_on_a_closed_run_is_not_called_running() {
    on_every_backend(|b| async move {
        let id = b.id("reject-duplicate");
        let handle = b
            .client
            .start(COUNTER, WorkflowOptions::new(&id, &b.task_queue).args((1,)))
            .await
            .unwrap();
        handle.signal(FINISH).await.unwrap();
        handle.result().await.unwrap();
        let err = b
            .client
            .start(
                COUNTER,
                WorkflowOptions::new(&id, &b.task_queue)
                    .args((1,))
                    .id_reuse_policy(IdReusePolicy::RejectDuplicate),
            )
            .await
            .unwrap_err();
        assert!(err.is_already_started(), "[{}] {err:?}", b.kind);
        let text = err.service_error().unwrap().to_string();
        assert!(!text.contains("already running"), "[{}] {text}", b.kind);
        assert!(text.contains("reuse policy"), "[{}] {text}", b.kind);
    })
    .await;
}

/// Rewrites every canonical enum value in a history JSON into the shorthand older
/// exports use (`EVENT_TYPE_WORKFLOW_TASK_SCHEDULED` -> `WorkflowTaskScheduled`).
fn to_shorthand(value: &mut serde_json::Value, rewritten: &mut Vec<String>) {
    const PREFIXES: &[&str] = &[
        "EVENT_TYPE_",
        "TASK_QUEUE_KIND_",
        "TIMEOUT_TYPE_",
        "RETRY_STATE_",
        "CONTINUE_AS_NEW_INITIATOR_",
        "WORKFLOW_TASK_FAILED_CAUSE_",
        "WORKFLOW_ID_REUSE_POLICY_",
        "WORKFLOW_ID_CONFLICT_POLICY_",
        "SUGGEST_CONTINUE_AS_NEW_REASON_",
    ];
    match value {
        serde_json::Value::String(s) => {
            if let Some(rest) = PREFIXES.iter().find_map(|p| s.strip_prefix(p)) {
                let short: String = rest
                    .split('_')
                    .map(|w| {
                        let mut c = w.chars();
                        match c.next() {
                            Some(f) => f.to_string() + &c.as_str().to_ascii_lowercase(),
                            None => String::new(),
                        }
                    })
                    .collect();
                rewritten.push(s.clone());
                *s = short;
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                to_shorthand(item, rewritten);
            }
        }
        serde_json::Value::Object(map) => {
            for v in map.values_mut() {
                to_shorthand(v, rewritten);
            }
        }
        _ => {}
    }
}

/// Item 4: a history whose enum values are in the shorthand spelling (older UI and
/// CLI exports) loads, for every enum in it, and equals the canonical one.
#[tokio::test]
async fn history_json_with_shorthand_enum_names_loads() {
    on_every_backend(|b| async move {
        let handle = b
            .client
            .start(
                COUNTER,
                WorkflowOptions::new(b.id("shorthand"), &b.task_queue).args((1,)),
            )
            .await
            .unwrap();
        handle.signal(FINISH).await.unwrap();
        handle.result().await.unwrap();
        let history = history_of(&handle).await;
        let mut sources = vec![temporal_client::history_to_json(&history).unwrap()];
        sources.extend(b.cli_history_json(handle.workflow_id(), handle.run_id().unwrap()));
        for json in sources {
            let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
            let mut rewritten = Vec::new();
            to_shorthand(&mut value, &mut rewritten);
            assert!(
                rewritten.iter().any(|s| s.starts_with("TASK_QUEUE_KIND_"))
                    && rewritten.iter().any(|s| s.starts_with("EVENT_TYPE_")),
                "[{}] the history has several enums: {rewritten:?}",
                b.kind
            );
            let shorthand = serde_json::to_string(&value).unwrap();
            let parsed = temporal_client::history_from_json(&shorthand)
                .unwrap_or_else(|e| panic!("[{}] the shorthand history loads: {e}", b.kind));
            assert_eq!(parsed.events, history.events, "[{}]", b.kind);
        }
    })
    .await;
}

/// Item 11: a request over the frontend's gRPC receive limit (4 MiB) is refused with
/// RESOURCE_EXHAUSTED in the words of the server's gRPC library, and the client does not
/// retry it. The in-process fake has no wire: its blob limit answers first.
#[tokio::test]
async fn a_request_over_the_receive_limit_is_refused_once() {
    on_every_backend(|b| async move {
        if b.kind == Kind::Fake {
            return;
        }
        let big = "x".repeat(5 * 1024 * 1024);
        let before = b.grpc_calls("StartWorkflowExecution");
        let err = b
            .client
            .start(
                SLEEP_ANY,
                WorkflowOptions::new(b.id("too-large"), &b.task_queue).args((big.clone(),)),
            )
            .await
            .unwrap_err();
        let (code, message) = service(&err);
        assert_eq!(code, Code::ResourceExhausted, "[{}] {message}", b.kind);
        assert!(
            message.starts_with("grpc: received message larger than max (")
                && message.ends_with(" vs. 4194304)"),
            "[{}] {message}",
            b.kind
        );
        assert!(
            !temporal_client_core::is_retryable_code(code, &message),
            "[{}] the client's retry rule must not retry it",
            b.kind
        );
        if let (Some(before), Some(after)) = (before, b.grpc_calls("StartWorkflowExecution")) {
            assert_eq!(after - before, 1, "[{}] one attempt, no retry", b.kind);
        }
        // A gzip-compressed request: the server reports the size after decompression,
        // in other words, and the client must not retry that either.
        if b.kind == Kind::Dev {
            let address = b.address().expect("the dev back end has an address");
            let gzip = temporal_client::Client::new(
                temporal_client::Connection::connect(
                    temporal_client::ConnectionOptions::new(address).gzip(true),
                )
                .await
                .unwrap(),
            );
            let err = gzip
                .start(
                    SLEEP_ANY,
                    WorkflowOptions::new(b.id("too-large-gzip"), &b.task_queue).args((big,)),
                )
                .await
                .unwrap_err();
            let (code, message) = service(&err);
            assert_eq!(code, Code::ResourceExhausted, "[{}] {message}", b.kind);
            assert!(message.contains("larger than max"), "{message}");
            assert!(
                !temporal_client_core::is_retryable_code(code, &message),
                "[{}] {message}",
                b.kind
            );
        }
    })
    .await;
}

/// The untyped `sleep` type with any argument: the request is refused before any
/// worker sees it.
const SLEEP_ANY: temporal_client::WorkflowDefinition<(String,), String> =
    temporal_client::WorkflowDefinition::new("sleep");
