//! The failure the Python SDK builds for the `fail` conformance workflow's error
//! (tests/fixtures/golden_failure.json, made by scripts/gen-golden-payloads.py) maps to
//! the Rust type with its whole chain and back to the identical proto, and codecs reach
//! its details.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::error::Error as _;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use prost::Message as _;
use serde_json::{Value, json};
use temporal_client_core::failure::{FailureConverter, FailureKind, TemporalFailure};
use temporal_client_core::payload::{CodecError, DataConverter, Payload, PayloadCodec};
use temporal_client_core::proto::temporal::api::enums::v1::ApplicationErrorCategory;
use temporal_client_core::proto::temporal::api::failure::v1::Failure;
use temporal_client_core::proto::temporal::api::failure::v1::failure::FailureInfo;

fn fixture() -> Value {
    serde_json::from_str(include_str!("fixtures/golden_failure.json")).unwrap()
}

fn golden_bytes() -> Vec<u8> {
    B64.decode(fixture()["binary_base64"].as_str().unwrap())
        .unwrap()
}

fn golden() -> Failure {
    Failure::decode(golden_bytes().as_slice()).unwrap()
}

#[test]
fn the_golden_failure_maps_with_its_whole_chain() {
    let failure = TemporalFailure::from_proto(golden());

    assert_eq!(failure.message(), "boom");
    assert_eq!(
        failure.stack_trace(),
        "",
        "the fixture's error was never raised"
    );
    assert_eq!(failure.origin(), "");
    match failure.kind() {
        FailureKind::Application {
            type_name,
            non_retryable,
            details,
            next_retry_delay,
            category,
        } => {
            assert_eq!(type_name, "MyError");
            assert!(*non_retryable);
            assert_eq!(details.len(), 2);
            assert_eq!(*next_retry_delay, None);
            assert_eq!(*category, ApplicationErrorCategory::Unspecified);
        }
        other => panic!("unexpected kind {other:?}"),
    }
    assert!(failure.is_non_retryable());
    let (map, n): (Value, i64) = failure.details().unwrap();
    assert_eq!(map, json!({"k": "v"}));
    assert_eq!(n, 7);
    assert_eq!(failure.detail::<i64>(1).unwrap(), Some(7));
    assert_eq!(failure.to_string(), "boom");
    assert_eq!(failure.kind().to_string(), "application error MyError");

    let cause = failure.cause().expect("a cause");
    assert_eq!(cause.message(), "inner cause");
    assert_eq!(cause.application_type(), Some("InnerError"));
    assert!(!cause.is_non_retryable());
    assert!(cause.details_payloads().is_empty());
    assert!(cause.cause().is_none());
    assert_eq!(cause.to_string(), "inner cause");

    let source = failure.source().map(ToString::to_string);
    assert_eq!(source.as_deref(), Some("inner cause"));
    assert_eq!(failure.chain().count(), 2);
}

#[test]
fn back_to_proto_gives_the_same_message_and_bytes() {
    let original = golden();
    let failure = TemporalFailure::from_proto(original.clone());
    let back = failure.to_proto();
    assert_eq!(back, original);
    assert_eq!(back.encode_to_vec(), golden_bytes());
}

#[test]
fn building_the_same_error_in_rust_gives_pythons_bytes() {
    let dc = DataConverter::default();
    let failure = TemporalFailure::application("boom", "MyError")
        .with_non_retryable(true)
        .with_details(dc.to_payloads(&(json!({"k": "v"}), 7)).unwrap())
        .with_cause(TemporalFailure::application("inner cause", "InnerError"));
    assert_eq!(failure.to_proto().encode_to_vec(), golden_bytes());
}

#[cfg(feature = "proto-json")]
#[test]
fn the_json_form_matches_the_fixture() {
    let as_json = serde_json::to_value(golden()).unwrap();
    assert_eq!(as_json, fixture()["json"]);
}

/// Base64-encodes each payload's data and marks it, so payloads it did not encode are
/// left alone on decode.
#[derive(Debug)]
struct Base64Codec;

const MARK: &str = "test/base64";

#[async_trait::async_trait]
impl PayloadCodec for Base64Codec {
    async fn encode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
        Ok(payloads
            .into_iter()
            .map(|p| Payload {
                metadata: [("encoding".to_owned(), MARK.as_bytes().to_vec())].into(),
                data: B64.encode(p.encode_to_vec()).into_bytes(),
                external_payloads: Vec::new(),
            })
            .collect())
    }

    async fn decode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
        payloads
            .into_iter()
            .map(|p| {
                if p.metadata.get("encoding").map(Vec::as_slice) != Some(MARK.as_bytes()) {
                    return Ok(p);
                }
                let bytes = B64.decode(&p.data)?;
                Ok(Payload::decode(bytes.as_slice())?)
            })
            .collect()
    }
}

fn details_of(f: &Failure) -> &[Payload] {
    match &f.failure_info {
        Some(FailureInfo::ApplicationFailureInfo(i)) => {
            i.details.as_ref().map_or(&[], |d| d.payloads.as_slice())
        }
        _ => &[],
    }
}

#[tokio::test]
async fn a_codec_encodes_the_details_and_attributes_and_decoding_restores_them() {
    let dc = DataConverter::default()
        .with_codec(Arc::new(Base64Codec))
        .with_failure_converter(FailureConverter::new().with_encode_common_attributes(true));
    let failure = TemporalFailure::from_proto(golden());

    let sent = dc.failure_to_proto(&failure).await.unwrap();
    assert_eq!(sent.message, "Encoded failure");
    assert_eq!(details_of(&sent).len(), 2);
    for p in details_of(&sent)
        .iter()
        .chain(sent.encoded_attributes.iter())
        .chain(sent.cause.as_ref().unwrap().encoded_attributes.iter())
    {
        assert_eq!(p.metadata["encoding"], MARK.as_bytes());
    }

    let received = dc.failure_from_proto(sent).await.unwrap();
    assert_eq!(received, failure);
    assert_eq!(received.to_proto(), golden());

    // The Python-written (unencoded) failure still reads through the same converter.
    let plain = dc.failure_from_proto(golden()).await.unwrap();
    assert_eq!(plain, failure);
}
