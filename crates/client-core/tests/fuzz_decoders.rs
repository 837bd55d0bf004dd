//! Fuzzing of everything in core that reads input from the network or the user:
//! payload decoding, failure conversion (with and without encoded attributes), search
//! attribute reading, and the cron and duration parsers.
//!
//! A stable-toolchain harness (`proptest`): each property feeds generated input and
//! checks that the decoder answers with a value or a typed error, never a panic, and that
//! what it reads back is consistent. CI runs the default 256 cases per property (a few
//! seconds); a longer run is `PROPTEST_CASES=200000 cargo test -p temporal-client-core
//! --test fuzz_decoders --release`. A failing case is written to
//! `tests/fuzz_decoders.proptest-regressions` and replayed first on later runs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;

use proptest::prelude::*;
use prost::Message as _;
use temporal_client_core::cron::{parse_cron_string, parse_duration, parse_workflow_cron};
use temporal_client_core::failure::{FailureConverter, TemporalFailure};
use temporal_client_core::payload::{Binary, DataConverter, Payload, ProtoJson};
use temporal_client_core::proto::temporal::api::common::v1::Payloads;
use temporal_client_core::proto::temporal::api::failure::v1::failure::FailureInfo;
use temporal_client_core::proto::temporal::api::failure::v1::{
    ApplicationFailureInfo, CanceledFailureInfo, Failure, ServerFailureInfo, TerminatedFailureInfo,
    TimeoutFailureInfo,
};
use temporal_client_core::search_attributes::{
    Datetime, Int, Keyword, KeywordList, SearchAttributeKey, SearchAttributes,
};
use temporal_client_core::validate_cron_schedule;

/// Metadata values the decoders branch on, mixed with arbitrary bytes.
fn metadata_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"json/plain".to_vec()),
        Just(b"binary/null".to_vec()),
        Just(b"binary/plain".to_vec()),
        Just(b"json/protobuf".to_vec()),
        Just(b"binary/protobuf".to_vec()),
        Just(b"binary/zlib".to_vec()),
        Just(b"Keyword".to_vec()),
        Just(b"INDEXED_VALUE_TYPE_KEYWORD_LIST".to_vec()),
        Just(b"Datetime".to_vec()),
        Just(b"Int".to_vec()),
        Just(b"temporal.api.common.v1.Payloads".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..24),
    ]
}

/// Data that is sometimes JSON of various shapes, sometimes arbitrary bytes.
fn payload_data() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64),
        Just(b"null".to_vec()),
        Just(b"\"text\"".to_vec()),
        Just(b"[\"a\",\"b\"]".to_vec()),
        Just(b"9223372036854775808".to_vec()),
        Just(b"-1.5e308".to_vec()),
        Just(b"{\"payloads\":[{}]}".to_vec()),
        Just(b"\"2026-11-29T22:00:00Z\"".to_vec()),
        Just(b"\"2026-13-45T99:00:00+25:00\"".to_vec()),
        "[ -~]{0,40}".prop_map(String::into_bytes),
        any::<i64>().prop_map(|n| n.to_string().into_bytes()),
        any::<f64>().prop_map(|n| n.to_string().into_bytes()),
    ]
}

fn payload() -> impl Strategy<Value = Payload> {
    (
        proptest::collection::hash_map(
            prop_oneof![
                Just("encoding".to_owned()),
                Just("type".to_owned()),
                Just("messageType".to_owned()),
                "[a-z-]{0,8}",
            ],
            metadata_value(),
            0..4,
        ),
        payload_data(),
    )
        .prop_map(|(metadata, data)| Payload {
            metadata,
            data,
            ..Payload::default()
        })
}

fn failure_info() -> impl Strategy<Value = Option<FailureInfo>> {
    let details = || proptest::collection::vec(payload(), 0..3);
    prop_oneof![
        Just(None),
        ("[ -~]{0,12}", any::<bool>(), details()).prop_map(|(type_name, non_retryable, d)| {
            Some(FailureInfo::ApplicationFailureInfo(
                ApplicationFailureInfo {
                    r#type: type_name,
                    non_retryable,
                    details: Some(Payloads { payloads: d }),
                    ..ApplicationFailureInfo::default()
                },
            ))
        }),
        (any::<i32>(), details()).prop_map(|(timeout_type, d)| {
            Some(FailureInfo::TimeoutFailureInfo(TimeoutFailureInfo {
                timeout_type,
                last_heartbeat_details: Some(Payloads { payloads: d }),
            }))
        }),
        details().prop_map(|d| {
            Some(FailureInfo::CanceledFailureInfo(CanceledFailureInfo {
                details: Some(Payloads { payloads: d }),
                ..CanceledFailureInfo::default()
            }))
        }),
        "[ -~]{0,12}".prop_map(|identity| {
            Some(FailureInfo::TerminatedFailureInfo(TerminatedFailureInfo {
                identity,
            }))
        }),
        any::<bool>().prop_map(|non_retryable| {
            Some(FailureInfo::ServerFailureInfo(ServerFailureInfo {
                non_retryable,
            }))
        }),
    ]
}

/// A failure chain up to 6 deep, with arbitrary encoded attributes ("Encoded failure"
/// is the message the SDKs write when they move the real one into them).
fn failure() -> BoxedStrategy<Failure> {
    failure_leaf()
        .prop_recursive(6, 12, 1, |inner| {
            (inner, failure_leaf()).prop_map(|(cause, mut outer)| {
                outer.cause = Some(Box::new(cause));
                outer
            })
        })
        .boxed()
}

fn failure_leaf() -> impl Strategy<Value = Failure> {
    (
        prop_oneof![Just("Encoded failure".to_owned()), "[ -~]{0,16}"],
        "[ -~]{0,16}",
        proptest::option::of(payload()),
        failure_info(),
    )
        .prop_map(
            |(message, stack_trace, encoded_attributes, failure_info)| Failure {
                message,
                stack_trace,
                encoded_attributes,
                failure_info,
                ..Failure::default()
            },
        )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

/// Every decode of one payload into several Rust shapes: a value or a typed error with
/// a message.
fn decode_every_way(converter: &DataConverter, p: &Payload) {
    fn check<T: std::fmt::Debug>(result: Result<T, impl std::error::Error>) {
        if let Err(error) = result {
            assert!(!error.to_string().is_empty());
        }
    }
    check(converter.from_payload::<String>(p));
    check(converter.from_payload::<i64>(p));
    check(converter.from_payload::<u8>(p));
    check(converter.from_payload::<f64>(p));
    check(converter.from_payload::<bool>(p));
    check(converter.from_payload::<Option<Vec<String>>>(p));
    check(converter.from_payload::<HashMap<String, i64>>(p));
    check(converter.from_payload::<serde_json::Value>(p));
    check(converter.from_payload::<(String, i32)>(p));
    check(converter.from_payload::<Binary>(p));
    check(converter.from_payload::<ProtoJson<Payloads>>(p));
    check(converter.from_payload::<()>(p));
}

proptest! {
    #[test]
    fn payloads_decode_to_a_value_or_a_typed_error(p in payload()) {
        decode_every_way(&DataConverter::default(), &p);
    }

    #[test]
    fn payload_lists_check_their_count(ps in proptest::collection::vec(payload(), 0..4)) {
        let converter = DataConverter::default();
        let result = converter.from_payloads::<(String, i64)>(&ps);
        if ps.len() != 2 {
            prop_assert!(result.is_err(), "two values read from {} payloads", ps.len());
        }
    }

    #[test]
    fn wire_bytes_decode_as_a_payload_or_not_at_all(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
        if let Ok(p) = Payload::decode(bytes.as_slice()) {
            decode_every_way(&DataConverter::default(), &p);
        }
    }

    #[test]
    fn failures_convert_with_their_whole_chain(f in failure()) {
        let depth = std::iter::successors(Some(&f), |f| f.cause.as_deref()).count();
        for converter in [
            DataConverter::default(),
            DataConverter::default()
                .with_failure_converter(FailureConverter::new().with_encode_common_attributes(true)),
        ] {
            let converted = runtime()
                .block_on(converter.failure_from_proto(f.clone()))
                .unwrap();
            prop_assert_eq!(converted.chain().count(), depth);
            let _ = converted.to_string();
            let _ = converted.root_cause().message();
            let _ = converted.details::<(String,)>();
            let _ = converted.detail::<serde_json::Value>(0);
            // What was read goes back to a proto with the same chain.
            let back = runtime().block_on(converter.failure_to_proto(&converted)).unwrap();
            prop_assert_eq!(std::iter::successors(Some(&back), |f| f.cause.as_deref()).count(), depth);
        }
    }

    #[test]
    fn wire_bytes_decode_as_a_failure_or_not_at_all(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(f) = Failure::decode(bytes.as_slice()) {
            let converted = TemporalFailure::from_proto(f);
            let _ = converted.to_string();
            let _ = converted.chain().count();
        }
    }

    #[test]
    fn search_attributes_read_to_a_value_or_a_typed_error(p in payload()) {
        let mut attributes = SearchAttributes::new();
        attributes.insert_raw("Fuzzed", p);
        if let Some(Err(error)) = attributes.get_value("Fuzzed") {
            prop_assert!(!error.to_string().is_empty());
        }
        let _ = attributes.get(&SearchAttributeKey::<Keyword>::from_name("Fuzzed"));
        let _ = attributes.get(&SearchAttributeKey::<Int>::from_name("Fuzzed"));
        let _ = attributes.get(&SearchAttributeKey::<Datetime>::from_name("Fuzzed"));
        let _ = attributes.get(&SearchAttributeKey::<KeywordList>::from_name("Fuzzed"));
    }

    #[test]
    fn cron_strings_parse_or_give_the_reason(
        text in prop_oneof![
            "[ -~]{0,40}",
            proptest::collection::vec(
                prop_oneof![
                    Just("*"), Just("*/5"), Just("1-5"), Just("MON-FRI"), Just("JAN"), Just("L"),
                    Just("0"), Just("59"), Just("60"), Just("99999999999"), Just(","), Just("/"),
                    Just("-"), Just("?"), Just("CRON_TZ=Europe/Paris"), Just("TZ=Nowhere/City"),
                    Just("@every"), Just("1h30m"), Just("@daily"), Just("@hourly"), Just("#"),
                ],
                0..8,
            )
            .prop_map(|parts| parts.join(" ")),
        ]
    ) {
        if let Err(error) = parse_cron_string(&text) {
            prop_assert!(!error.to_string().is_empty());
        }
        let _ = parse_workflow_cron(&text);
        let _ = validate_cron_schedule(&text);
        let _ = parse_duration(&text);
    }
}

/// A failure chain as deep as protobuf decoding allows (prost refuses more than 100
/// nested messages) converts, prints and drops without exhausting the stack.
#[test]
fn the_deepest_decodable_failure_chain_converts() {
    let mut f = Failure {
        message: String::from("root"),
        ..Failure::default()
    };
    for depth in 1..99 {
        f = Failure {
            message: format!("level {depth}"),
            cause: Some(Box::new(f)),
            ..Failure::default()
        };
    }
    let bytes = f.encode_to_vec();
    let decoded = Failure::decode(bytes.as_slice()).unwrap();
    let converted = runtime()
        .block_on(DataConverter::default().failure_from_proto(decoded))
        .unwrap();
    assert_eq!(converted.chain().count(), 99);
    assert_eq!(converted.root_cause().message(), "root");
    assert!(converted.to_string().contains("level 98"));
}
