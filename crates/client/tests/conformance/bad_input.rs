//! Bad input, one scenario each (issue 11's list), on every back end: the client refuses
//! what it can check before sending, and otherwise passes on the server's code and
//! meaning; a value of the wrong Rust type, a codec that fails and a malformed history
//! JSON are typed errors that say what went wrong. The frontend limits (long task queue,
//! blob size) and a signal to a closed run are in `fidelity.rs`.

use std::time::Duration;

use async_trait::async_trait;
use temporal_client::payload::{CodecError, DataConverter, Payload, PayloadCodec, PayloadError};
use temporal_client::{Client, Code, Error, QueryDefinition, WorkflowOptions};

use crate::backend::on_every_backend;
use crate::defs::*;

fn service(err: &Error) -> (Code, String) {
    let s = err
        .service_error()
        .unwrap_or_else(|| panic!("expected a service error, got {err:?}"));
    (s.code(), s.message().to_owned())
}

/// An empty workflow id never leaves the client; one over the server's 1,000-character
/// limit is refused by the server with its message, and nothing is created.
#[tokio::test]
async fn empty_and_over_long_workflow_ids_are_refused() {
    on_every_backend(|b| async move {
        let err = b
            .client
            .start(COUNTER, WorkflowOptions::new("", &b.task_queue).args((1,)))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidRequest(_)),
            "[{}] {err:?}",
            b.kind
        );
        assert!(
            err.to_string().contains("workflow id"),
            "[{}] {err}",
            b.kind
        );
        // The same for every operation on a handle with an empty id.
        let empty = b.client.get_handle::<i64>("");
        let refusals = [
            ("describe", empty.describe().await.err()),
            ("cancel", empty.cancel().await.err()),
            ("terminate", empty.terminate().await.err()),
            ("result", empty.result().await.err()),
            (
                "fetch_history",
                empty.fetch_history().into_history().await.err(),
            ),
            ("signal", empty.signal(FINISH).await.err()),
            ("query", empty.query(GET_VALUE).await.err()),
        ];
        for (operation, err) in refusals {
            assert!(
                matches!(
                    err,
                    Some(Error::InvalidRequest(
                        temporal_client::InvalidRequest::EmptyWorkflowId
                    ))
                ),
                "[{}] {operation}: {err:?}",
                b.kind
            );
        }

        let long = format!("{}-{}", b.id("long"), "i".repeat(1_000));
        let err = b
            .client
            .start(
                COUNTER,
                WorkflowOptions::new(&long, &b.task_queue).args((1,)),
            )
            .await
            .unwrap_err();
        let (code, message) = service(&err);
        assert_eq!(code, Code::InvalidArgument, "[{}] {message}", b.kind);
        assert_eq!(
            message,
            format!(
                "WorkflowId exceeds maximum allowed length ({}/1000)",
                long.len()
            ),
            "[{}]",
            b.kind
        );
    })
    .await;
}

/// A cron expression the server would refuse is refused before sending, with the
/// reason; a malformed visibility query is the server's INVALID_ARGUMENT.
#[tokio::test]
async fn malformed_cron_and_visibility_query_are_refused() {
    on_every_backend(|b| async move {
        let err = b
            .client
            .start(
                COUNTER,
                WorkflowOptions::new(b.id("bad-cron"), &b.task_queue)
                    .args((1,))
                    .cron_schedule("61 * * * *"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidRequest(_)),
            "[{}] {err:?}",
            b.kind
        );
        assert!(err.to_string().contains("61 * * * *"), "[{}] {err}", b.kind);

        for query in [
            "WorkflowId = ",
            "WorkflowId == 'x' AND",
            "NoSuchAttribute = 1",
        ] {
            let err = b.client.list(query).into_vec().await.unwrap_err();
            let (code, message) = service(&err);
            assert_eq!(
                code,
                Code::InvalidArgument,
                "[{}] {query}: {message}",
                b.kind
            );
            let err = b.client.count(query).await.unwrap_err();
            assert_eq!(
                service(&err).0,
                Code::InvalidArgument,
                "[{}] {query}",
                b.kind
            );
        }
    })
    .await;
}

/// A result read as the wrong Rust type names the type asked for and the payload's
/// encoding; the workflow's value is still there to read with the right type.
#[tokio::test]
async fn a_result_of_the_wrong_type_names_the_type_and_encoding() {
    on_every_backend(|b| async move {
        let handle = b
            .client
            .start(
                "echo",
                WorkflowOptions::new(b.id("wrong-type"), &b.task_queue).args(("text",)),
            )
            .await
            .unwrap();
        let err = b
            .client
            .get_handle::<Vec<i64>>(handle.workflow_id())
            .result()
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, Error::Payload(PayloadError::Deserialize { .. })),
            "[{}] {err:?}",
            b.kind
        );
        assert!(text.contains("i64"), "[{}] {text}", b.kind);
        assert!(text.contains("json/plain"), "[{}] {text}", b.kind);
        let value = b
            .client
            .get_handle::<Vec<String>>(handle.workflow_id())
            .result()
            .await
            .unwrap();
        assert_eq!(value, ["text"]);
    })
    .await;
}

/// A query no handler knows is the worker's refusal, naming the query, not a transport
/// or not-found error.
#[tokio::test]
async fn an_unknown_query_name_is_refused_by_the_worker() {
    const NOPE: QueryDefinition<i64> = QueryDefinition::new("no_such_query");
    on_every_backend(|b| async move {
        let handle = b
            .client
            .start(
                COUNTER,
                WorkflowOptions::new(b.id("unknown-query"), &b.task_queue).args((1,)),
            )
            .await
            .unwrap();
        let err = handle
            .query(NOPE)
            .timeout(Duration::from_secs(10))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::QueryNotRegistered { .. }),
            "[{}] {err:?}",
            b.kind
        );
        assert!(
            err.to_string().contains("no_such_query"),
            "[{}] {err}",
            b.kind
        );
        handle.terminate().await.unwrap();
    })
    .await;
}

/// A codec that fails on encode stops the start before any RPC: the error names the
/// codec's reason and the workflow was never created.
#[tokio::test]
async fn a_failing_codec_stops_the_call_before_sending() {
    #[derive(Debug)]
    struct Refuses;

    #[async_trait]
    impl PayloadCodec for Refuses {
        async fn encode(&self, _: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
            Err("key service unavailable".into())
        }
        async fn decode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
            Ok(payloads)
        }
    }

    on_every_backend(|b| async move {
        let client = Client::builder_from_arc(b.client.service().clone())
            .data_converter(DataConverter::default().with_codec(std::sync::Arc::new(Refuses)))
            .build();
        let id = b.id("codec-fails");
        let err = client
            .start(COUNTER, WorkflowOptions::new(&id, &b.task_queue).args((1,)))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Payload(PayloadError::Codec { .. })),
            "[{}] {err:?}",
            b.kind
        );
        assert!(
            err.to_string().contains("key service unavailable")
                || std::error::Error::source(&err)
                    .is_some_and(|s| s.to_string().contains("key service unavailable")),
            "[{}] {err}",
            b.kind
        );
        let err = b
            .client
            .get_handle::<i64>(&id)
            .describe()
            .await
            .unwrap_err();
        assert!(err.is_not_found(), "[{}] {err:?}", b.kind);
    })
    .await;
}

/// A malformed history JSON is a typed error that names what could not be read.
#[test]
fn a_malformed_history_json_is_a_typed_error() {
    for json in [
        "",
        "{\"events\": [",
        "{\"events\": [{\"eventId\": \"one\"}]}",
        "{\"events\": [{\"eventType\": \"NoSuchEvent\"}]}",
    ] {
        let err = temporal_client::history_from_json(json).unwrap_err();
        assert!(matches!(err, Error::HistoryJson { .. }), "{json}: {err:?}");
        assert!(!err.to_string().is_empty());
    }
}
