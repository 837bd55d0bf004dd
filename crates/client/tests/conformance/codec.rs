//! Fidelity item 9: a client with a payload codec, against workers with the same codec
//! (the fake's workflows given the converter, the Python worker run with
//! `--codec zlib`). Every value crosses the codec both ways, and the server holds the
//! codec's output: results, failures, query answers, update outcomes and memo the
//! worker writes.

use std::io::{Read, Write};
use std::sync::Arc;

use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use prost::Message;
use temporal_client::payload::{CodecError, DataConverter, PayloadCodec};
use temporal_client::proto::temporal::api::common::v1::Payload;
use temporal_client::proto::temporal::api::history::v1::history_event::Attributes;
use temporal_client::{Error, WorkflowOptions, async_trait};

use crate::backend::{Backend, Codec, on_every_backend_with};
use crate::defs::*;

/// The encoding the zlib codec writes (`crates/testkit/worker/zlib_codec.py`).
const ZLIB: &[u8] = b"binary/zlib";

/// The `payload_codec` example's codec: each whole payload, zlib-compressed.
#[derive(Debug)]
struct Zlib;

#[async_trait]
impl PayloadCodec for Zlib {
    async fn encode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
        payloads
            .iter()
            .map(|p| {
                let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
                encoder.write_all(&p.encode_to_vec())?;
                Ok(Payload {
                    metadata: [("encoding".to_owned(), ZLIB.to_vec())].into(),
                    data: encoder.finish()?,
                    ..Payload::default()
                })
            })
            .collect()
    }

    async fn decode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
        payloads
            .into_iter()
            .map(|p| {
                if p.metadata.get("encoding").map(Vec::as_slice) != Some(ZLIB) {
                    return Ok(p);
                }
                let mut bytes = Vec::new();
                ZlibDecoder::new(p.data.as_slice()).read_to_end(&mut bytes)?;
                Ok(Payload::decode(bytes.as_slice())?)
            })
            .collect()
    }
}

fn zlib() -> Codec {
    Codec {
        converter: DataConverter::default().with_codec(Arc::new(Zlib)),
        python_name: Some("zlib"),
    }
}

fn is_zlib(p: &Payload) -> bool {
    p.metadata.get("encoding").map(Vec::as_slice) == Some(ZLIB)
}

/// The payloads of the run's closing event as the server stores them (read without
/// the codec).
async fn stored_close_payloads(b: &Backend, workflow_id: &str) -> Vec<Payload> {
    let plain = b.fresh_client().await;
    let history = plain
        .get_handle::<serde_json::Value>(workflow_id)
        .fetch_history()
        .into_history()
        .await
        .unwrap();
    let last = history.events.last().and_then(|e| e.attributes.clone());
    match last {
        Some(Attributes::WorkflowExecutionCompletedEventAttributes(a)) => {
            a.result.map(|r| r.payloads).unwrap_or_default()
        }
        Some(Attributes::WorkflowExecutionFailedEventAttributes(a)) => a
            .failure
            .and_then(|f| match f.failure_info {
                Some(temporal_client::proto::temporal::api::failure::v1::failure::FailureInfo::ApplicationFailureInfo(i)) => i.details,
                _ => None,
            })
            .map(|d| d.payloads)
            .unwrap_or_default(),
        other => panic!("[{}] expected a closing event, got {other:?}", b.kind),
    }
}

#[tokio::test]
async fn signal_query_update_and_result_cross_the_codec() {
    on_every_backend_with(&zlib(), |b| async move {
        let id = b.id("codec-counter");
        let handle = b
            .client
            .start(COUNTER, WorkflowOptions::new(&id, &b.task_queue).args((5,)))
            .await
            .unwrap();
        handle.signal(INCREMENT).args((2,)).await.unwrap();
        let value = b
            .eventually("the signal to be applied", || async {
                let v: i64 = handle.query(GET_VALUE).await.unwrap();
                (v == 7).then_some(v)
            })
            .await;
        assert_eq!(value, 7, "[{}] query answer", b.kind);
        assert_eq!(
            handle.execute_update(ADD).args((3,)).await.unwrap(),
            10,
            "[{}] update result",
            b.kind
        );
        match handle.execute_update(ADD).args((-1,)).await {
            Err(Error::UpdateFailed { cause, .. }) => {
                assert_eq!(cause.message(), "negative increment", "[{}]", b.kind);
            }
            other => panic!("[{}] the validator must reject, got {other:?}", b.kind),
        }
        match handle.query(FAIL_QUERY).await {
            Err(e) => assert!(
                e.to_string().contains("query failed on purpose")
                    || std::iter::successors(std::error::Error::source(&e), |s| s.source())
                        .any(|s| s.to_string().contains("query failed on purpose")),
                "[{}] {e:?}",
                b.kind
            ),
            Ok(v) => panic!("[{}] fail_query must fail, got {v}", b.kind),
        }
        handle.signal(FINISH).await.unwrap();
        assert_eq!(handle.result().await.unwrap(), 10, "[{}] result", b.kind);

        // The worker encoded the result: the server holds the codec's output.
        let stored = stored_close_payloads(&b, &id).await;
        assert!(
            stored.len() == 1 && is_zlib(&stored[0]),
            "[{}] stored result {stored:?}",
            b.kind
        );
    })
    .await;
}

#[tokio::test]
async fn failures_and_worker_memo_cross_the_codec() {
    on_every_backend_with(&zlib(), |b| async move {
        let id = b.id("codec-fail");
        let handle = b
            .client
            .start(
                FAIL,
                WorkflowOptions::new(&id, &b.task_queue).args(("card declined".to_owned(),)),
            )
            .await
            .unwrap();
        let Err(Error::WorkflowFailed { cause, .. }) = handle.result().await else {
            panic!("[{}] expected a failed workflow", b.kind)
        };
        assert_eq!(cause.message(), "card declined", "[{}]", b.kind);
        let details: (serde_json::Value, i64) = cause.details().unwrap();
        assert_eq!(details, (serde_json::json!({"k": "v"}), 7), "[{}]", b.kind);
        assert_eq!(
            cause.cause().map(|c| c.message().to_owned()).as_deref(),
            Some("inner cause"),
            "[{}]",
            b.kind
        );
        let stored = stored_close_payloads(&b, &id).await;
        assert!(
            stored.len() == 2 && stored.iter().all(is_zlib),
            "[{}] stored failure details {stored:?}",
            b.kind
        );

        // Memo the worker writes is encoded too; the codec client reads it.
        let id = b.id("codec-memo");
        let handle = b
            .client
            .start(SEARCH_ATTRS, WorkflowOptions::new(&id, &b.task_queue))
            .await
            .unwrap();
        let plain = b.fresh_client().await;
        let raw = b
            .eventually("the worker's memo", || async {
                let d = plain
                    .get_handle::<serde_json::Value>(&id)
                    .describe()
                    .await
                    .unwrap();
                d.execution.memo_payloads().get("note").cloned()
            })
            .await;
        assert!(is_zlib(&raw), "[{}] stored memo {raw:?}", b.kind);
        let note: Option<String> = handle
            .describe()
            .await
            .unwrap()
            .execution
            .memo("note")
            .transpose()
            .unwrap();
        assert_eq!(note.as_deref(), Some("from worker"), "[{}]", b.kind);
        handle.signal(FINISH).await.unwrap();
        assert_eq!(handle.result().await.unwrap(), "done", "[{}]", b.kind);
    })
    .await;
}
