//! A payload codec: every argument, result, memo and failure detail is compressed by the
//! client before it leaves the process and decompressed when it comes back. A worker
//! needs the same codec: the Python example worker has it (`--codec zlib`,
//! `crates/testkit/worker/zlib_codec.py`), and on the embedded fake the example gives it
//! to the fake (`FakeServerBuilder::data_converter`). The same shape works for encryption: change what
//! `encode` and `decode` do.
//!
//! ```sh
//! cargo run --example payload_codec
//! ```
//!
//! For a real server, start a second worker with the codec on the task queue
//! `examples-codec`:
//! `.venv/bin/python crates/testkit/worker/worker.py --address host:port --task-queue examples-codec --codec zlib`,
//! then run the example with `TEMPORAL_ADDRESS=host:port`.

use std::io::{Read, Write};
use std::sync::Arc;

use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use prost::Message;
use serde_json::json;
use temporal_client::payload::{CodecError, DataConverter, PayloadCodec};
use temporal_client::proto::temporal::api::common::v1::Payload;
use temporal_client::{Client, WorkflowOptions, async_trait};
use temporal_examples::workflows::ECHO;
use temporal_examples::{Backend, check, connect, unique_id};
use temporal_testkit::{FakeServer, conformance_workflows};

/// The task queue of the worker that has the codec.
const CODEC_TASK_QUEUE: &str = "examples-codec";
/// The encoding of a compressed payload (its `encoding` metadata).
const ENCODING: &[u8] = b"binary/zlib";

/// Compresses each whole payload (metadata included) with zlib.
#[derive(Debug)]
struct ZlibCodec;

fn compress(payload: &Payload) -> Result<Payload, CodecError> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(&payload.encode_to_vec())?;
    Ok(Payload {
        metadata: [("encoding".to_owned(), ENCODING.to_vec())].into(),
        data: encoder.finish()?,
        ..Payload::default()
    })
}

fn decompress(payload: Payload) -> Result<Payload, CodecError> {
    if payload.metadata.get("encoding").map(Vec::as_slice) != Some(ENCODING) {
        return Ok(payload);
    }
    let mut bytes = Vec::new();
    ZlibDecoder::new(payload.data.as_slice()).read_to_end(&mut bytes)?;
    Ok(Payload::decode(bytes.as_slice())?)
}

#[async_trait]
impl PayloadCodec for ZlibCodec {
    async fn encode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
        payloads.iter().map(compress).collect()
    }

    async fn decode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
        payloads.into_iter().map(decompress).collect()
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let converter = DataConverter::default().with_codec(Arc::new(ZlibCodec));
    let (plain_client, backend) = connect().await?;
    // On the embedded fake, the fake's workflows are given the codec, as the Python
    // worker is with `--codec zlib`: they read plain values, the server holds the
    // compressed ones.
    let plain_client = match backend {
        Backend::Fake(_) => {
            let fake = FakeServer::builder()
                .data_converter(converter.clone())
                .build();
            conformance_workflows::register_all_on(&fake, CODEC_TASK_QUEUE);
            Client::from_service(fake)
        }
        Backend::Server(_) => plain_client,
    };
    // The same connection, with the codec added to the default converter.
    let client = Client::builder_from_arc(plain_client.service().clone())
        .namespace(plain_client.namespace())
        .data_converter(converter)
        .build();

    let order = json!({"id": "order-1", "lines": vec!["book"; 50], "note": "gift wrap"});
    let handle = client
        .start(
            ECHO,
            WorkflowOptions::new(unique_id("codec"), CODEC_TASK_QUEUE)
                .args((order.clone(),))
                .memo("customer", "Ada"),
        )
        .await?;
    let echoed = handle.result().await?;
    println!(
        "the workflow echoed {} bytes of JSON back",
        echoed[0].to_string().len()
    );
    check(
        echoed == vec![order.clone()],
        "the value round-trips through the codec",
    )?;

    // What the server stored: a client without the codec sees compressed payloads.
    let raw = plain_client
        .get_handle::<serde_json::Value>(handle.workflow_id())
        .describe()
        .await?;
    let memo = raw
        .execution
        .memo_payloads()
        .get("customer")
        .ok_or("the memo")?;
    println!(
        "the server holds the memo as {:?} ({} bytes)",
        String::from_utf8_lossy(memo.metadata.get("encoding").map_or(&[][..], Vec::as_slice)),
        memo.data.len()
    );
    check(
        memo.metadata.get("encoding").map(Vec::as_slice) == Some(ENCODING),
        "the memo is stored compressed",
    )?;
    let decoded = handle.describe().await?;
    let customer: Option<String> = decoded.execution.memo("customer").transpose()?;
    check(
        customer.as_deref() == Some("Ada"),
        "the codec client decodes the memo",
    )?;
    println!("with the codec, describe reads the memo as {customer:?}");
    Ok(())
}
