//! Tests of search attributes: exact encoding of each type, round trips, decoding of
//! untyped and differently spelled payloads, and errors.

use super::*;
use std::collections::HashMap;
use std::time::{Duration, UNIX_EPOCH};

use temporal_proto::temporal::api::common::v1 as proto;
use temporal_proto::temporal::api::enums::v1::IndexedValueType;

use super::codec::{ENCODING_KEY, JSON_PLAIN, TYPE_KEY};
use crate::validation::InvalidRequest;

const TEXT: SearchAttributeKey<Text> = SearchAttributeKey::new("ConformanceText");
const STAGE: SearchAttributeKey<Keyword> = SearchAttributeKey::new("ConformanceStage");
const COUNT: SearchAttributeKey<Int> = SearchAttributeKey::new("ConformanceCount");
const SCORE: SearchAttributeKey<Double> = SearchAttributeKey::new("ConformanceScore");
const FLAG: SearchAttributeKey<Bool> = SearchAttributeKey::new("ConformanceFlag");
const WHEN: SearchAttributeKey<Datetime> = SearchAttributeKey::new("ConformanceWhen");
const TAGS: SearchAttributeKey<KeywordList> = SearchAttributeKey::new("ConformanceTags");

fn meta(payload: &proto::Payload, key: &str) -> Vec<u8> {
    payload.metadata.get(key).cloned().unwrap_or_default()
}

fn untyped(data: &[u8]) -> proto::Payload {
    proto::Payload {
        metadata: HashMap::from([(ENCODING_KEY.to_owned(), JSON_PLAIN.to_vec())]),
        data: data.to_vec(),
        ..Default::default()
    }
}

#[test]
fn encodes_each_type_with_exact_bytes() {
    // 2024-01-02T03:04:05.5Z
    let when = UNIX_EPOCH + Duration::new(1_704_164_645, 500_000_000);
    let attributes = SearchAttributes::new()
        .with(&TEXT, "some text")
        .with(&STAGE, "review")
        .with(&COUNT, -42)
        .with(&SCORE, 1.5)
        .with(&FLAG, true)
        .with(&WHEN, when)
        .with(&TAGS, vec!["a".to_owned(), "b\"c".to_owned()]);
    assert_eq!(attributes.check(), Ok(()));
    let cases: [(&str, &[u8], &[u8]); 7] = [
        ("ConformanceText", b"Text", b"\"some text\""),
        ("ConformanceStage", b"Keyword", b"\"review\""),
        ("ConformanceCount", b"Int", b"-42"),
        ("ConformanceScore", b"Double", b"1.5"),
        ("ConformanceFlag", b"Bool", b"true"),
        (
            "ConformanceWhen",
            b"Datetime",
            b"\"2024-01-02T03:04:05.500Z\"",
        ),
        ("ConformanceTags", b"KeywordList", b"[\"a\",\"b\\\"c\"]"),
    ];
    for (name, type_name, data) in cases {
        let payload = attributes.get_raw(name).unwrap();
        assert_eq!(meta(payload, "encoding"), b"json/plain", "{name}");
        assert_eq!(meta(payload, "type"), type_name, "{name}");
        assert_eq!(payload.metadata.len(), 2, "{name}");
        assert_eq!(payload.data, data, "{name}");
    }
}

#[test]
fn round_trips_through_proto() {
    let when = UNIX_EPOCH + Duration::new(1_704_164_645, 123_456_789);
    let before_epoch = UNIX_EPOCH - Duration::new(86_400, 250_000_000);
    let attributes = SearchAttributes::new()
        .with(&TEXT, "t")
        .with(&STAGE, "k")
        .with(&COUNT, i64::MAX)
        .with(&SCORE, -0.25)
        .with(&FLAG, false)
        .with(&WHEN, when)
        .with(&TAGS, Vec::<String>::new());
    let back = SearchAttributes::from_proto(attributes.to_proto());
    assert_eq!(back, attributes);
    assert_eq!(back.get(&TEXT).unwrap().unwrap(), "t");
    assert_eq!(back.get(&STAGE).unwrap().unwrap(), "k");
    assert_eq!(back.get(&COUNT).unwrap().unwrap(), i64::MAX);
    assert_eq!(back.get(&SCORE).unwrap().unwrap(), -0.25);
    assert!(!back.get(&FLAG).unwrap().unwrap());
    assert_eq!(back.get(&WHEN).unwrap().unwrap(), when);
    assert_eq!(back.get(&TAGS).unwrap().unwrap(), Vec::<String>::new());

    let old = SearchAttributes::new().with(&WHEN, before_epoch);
    assert_eq!(
        old.get_raw("ConformanceWhen").unwrap().data,
        b"\"1969-12-30T23:59:59.750Z\""
    );
    assert_eq!(old.get(&WHEN).unwrap().unwrap(), before_epoch);
    assert_eq!(
        old.into_proto().indexed_fields.len(),
        1,
        "into_proto keeps the fields"
    );
}

#[test]
fn decodes_payloads_without_type_metadata() {
    let mut attributes = SearchAttributes::new();
    attributes
        .insert_raw("ConformanceStage", untyped(b"\"x\""))
        .insert_raw("ConformanceText", untyped(b"\"long text\""))
        .insert_raw("ConformanceCount", untyped(b"7"))
        .insert_raw("ConformanceScore", untyped(b"2"))
        .insert_raw("ConformanceFlag", untyped(b"true"))
        .insert_raw("ConformanceWhen", untyped(b"\"2024-01-02T04:04:05+01:00\""))
        .insert_raw("ConformanceTags", untyped(b"[\"p\",\"q\"]"));
    assert_eq!(attributes.get(&STAGE).unwrap().unwrap(), "x");
    assert_eq!(attributes.get(&TEXT).unwrap().unwrap(), "long text");
    assert_eq!(attributes.get(&COUNT).unwrap().unwrap(), 7);
    assert_eq!(attributes.get(&SCORE).unwrap().unwrap(), 2.0);
    assert!(attributes.get(&FLAG).unwrap().unwrap());
    assert_eq!(
        attributes.get(&WHEN).unwrap().unwrap(),
        UNIX_EPOCH + Duration::from_secs(1_704_164_645)
    );
    assert_eq!(attributes.get(&TAGS).unwrap().unwrap(), ["p", "q"]);

    // Untyped reads guess the kind from the JSON.
    assert_eq!(
        attributes.get_value("ConformanceStage").unwrap().unwrap(),
        SearchAttributeValue::Keyword("x".into())
    );
    assert_eq!(
        attributes.get_value("ConformanceCount").unwrap().unwrap(),
        SearchAttributeValue::Int(7)
    );
    assert_eq!(
        attributes.get_value("ConformanceFlag").unwrap().unwrap(),
        SearchAttributeValue::Bool(true)
    );
    assert_eq!(
        attributes.get_value("ConformanceTags").unwrap().unwrap(),
        SearchAttributeValue::KeywordList(vec!["p".into(), "q".into()])
    );
    let mut float = SearchAttributes::new();
    float.insert_raw("f", untyped(b"0.5"));
    assert_eq!(
        float.get_value("f").unwrap().unwrap(),
        SearchAttributeValue::Double(0.5)
    );
}

#[test]
fn untyped_read_uses_type_metadata() {
    let attributes = SearchAttributes::new()
        .with(&TEXT, "words")
        .with(&WHEN, UNIX_EPOCH);
    assert_eq!(
        attributes.get_value("ConformanceText").unwrap().unwrap(),
        SearchAttributeValue::Text("words".into())
    );
    assert_eq!(
        attributes.get_value("ConformanceWhen").unwrap().unwrap(),
        SearchAttributeValue::Datetime(UNIX_EPOCH)
    );
    assert_eq!(
        attributes.get_raw("ConformanceWhen").unwrap().data,
        b"\"1970-01-01T00:00:00Z\""
    );
    assert!(attributes.get_value("missing").is_none());
}

/// The server accepts, stores and hands back the `type` metadata as the writer sent
/// it, so the protobuf enum spelling must read like the shorthand, for every type.
#[test]
fn reads_both_spellings_of_every_type() {
    fn with_type(type_name: &str, data: &[u8]) -> proto::Payload {
        let mut payload = untyped(data);
        payload
            .metadata
            .insert(TYPE_KEY.to_owned(), type_name.as_bytes().to_vec());
        payload
    }
    let cases: [(SearchAttributeKind, &str, &[u8]); 7] = [
        (
            SearchAttributeKind::Text,
            "INDEXED_VALUE_TYPE_TEXT",
            b"\"t\"",
        ),
        (
            SearchAttributeKind::Keyword,
            "INDEXED_VALUE_TYPE_KEYWORD",
            b"\"k\"",
        ),
        (SearchAttributeKind::Int, "INDEXED_VALUE_TYPE_INT", b"7"),
        (
            SearchAttributeKind::Double,
            "INDEXED_VALUE_TYPE_DOUBLE",
            b"1.5",
        ),
        (
            SearchAttributeKind::Bool,
            "INDEXED_VALUE_TYPE_BOOL",
            b"true",
        ),
        (
            SearchAttributeKind::Datetime,
            "INDEXED_VALUE_TYPE_DATETIME",
            b"\"2024-01-02T03:04:05Z\"",
        ),
        (
            SearchAttributeKind::KeywordList,
            "INDEXED_VALUE_TYPE_KEYWORD_LIST",
            b"[\"a\",\"b\"]",
        ),
    ];
    for (kind, enum_name, data) in cases {
        assert_eq!(SearchAttributeKind::from_type_name(enum_name), Some(kind));
        let mut attributes = SearchAttributes::new();
        attributes.insert_raw("Short", with_type(kind.type_name(), data));
        attributes.insert_raw("Enum", with_type(enum_name, data));
        let short = attributes.get_value("Short").unwrap().unwrap();
        let long = attributes.get_value("Enum").unwrap().unwrap();
        assert_eq!(long.kind(), kind, "{enum_name}");
        assert_eq!(short, long, "{enum_name}");
    }
    let mut attributes = SearchAttributes::new();
    attributes.insert_raw(
        TAGS.name(),
        with_type("INDEXED_VALUE_TYPE_KEYWORD_LIST", b"[\"a\"]"),
    );
    attributes.insert_raw(COUNT.name(), with_type("INDEXED_VALUE_TYPE_INT", b"3"));
    attributes.insert_raw(
        WHEN.name(),
        with_type("INDEXED_VALUE_TYPE_DATETIME", b"\"2024-01-02T03:04:05Z\""),
    );
    assert_eq!(
        attributes.get(&TAGS).unwrap().unwrap(),
        vec!["a".to_owned()]
    );
    assert_eq!(attributes.get(&COUNT).unwrap().unwrap(), 3);
    assert!(attributes.get(&WHEN).unwrap().is_ok());
    assert_eq!(
        SearchAttributeKind::from_type_name("INDEXED_VALUE_TYPE_UNSPECIFIED"),
        None
    );
    assert_eq!(SearchAttributeKind::from_type_name("keyword_list"), None);
}

#[test]
fn typed_read_rejects_other_types() {
    let attributes = SearchAttributes::new().with(&STAGE, "k");
    let as_text: SearchAttributeKey<Text> = SearchAttributeKey::from_name("ConformanceStage");
    let err = attributes.get(&as_text).unwrap().unwrap_err();
    assert_eq!(
        err,
        SearchAttributeError::TypeMismatch {
            name: "ConformanceStage".into(),
            expected: SearchAttributeKind::Text,
            found: "Keyword".into()
        }
    );
    assert!(err.to_string().contains("Keyword"));
    let as_int: SearchAttributeKey<Int> = SearchAttributeKey::from_name("ConformanceStage");
    assert!(matches!(
        attributes.get(&as_int).unwrap(),
        Err(SearchAttributeError::TypeMismatch { .. })
    ));
    // Old servers label keyword lists `Keyword`.
    let as_list: SearchAttributeKey<KeywordList> =
        SearchAttributeKey::from_name("ConformanceStage");
    assert_eq!(attributes.get(&as_list).unwrap().unwrap(), ["k"]);
    assert!(attributes.get(&COUNT).is_none());
}

#[test]
fn bad_payloads_are_errors() {
    let mut attributes = SearchAttributes::new();
    attributes
        .insert_raw("ConformanceCount", untyped(b"\"seven\""))
        .insert_raw("ConformanceWhen", untyped(b"\"yesterday\""))
        .insert_raw("ConformanceTags", untyped(b"[1]"))
        .insert_raw("ConformanceFlag", untyped(b"not json"))
        .insert_raw("ConformanceScore", untyped(b"1.5"));
    assert!(matches!(
        attributes.get(&COUNT).unwrap(),
        Err(SearchAttributeError::InvalidValue {
            kind: SearchAttributeKind::Int,
            ..
        })
    ));
    let err = attributes.get(&WHEN).unwrap().unwrap_err();
    assert!(err.to_string().contains("RFC 3339"), "{err}");
    assert!(attributes.get(&TAGS).unwrap().is_err());
    assert!(attributes.get(&FLAG).unwrap().is_err());
    assert!(attributes.get_value("ConformanceFlag").unwrap().is_err());
    let as_int: SearchAttributeKey<Int> = SearchAttributeKey::from_name("ConformanceScore");
    assert!(attributes.get(&as_int).unwrap().is_err());

    let mut unknown = untyped(b"1");
    unknown.metadata.insert("type".into(), b"Decimal".to_vec());
    attributes.insert_raw("x", unknown);
    assert!(matches!(
        attributes.get_value("x").unwrap(),
        Err(SearchAttributeError::UnknownType { .. })
    ));
    attributes.insert_raw("null", untyped(b"null"));
    assert!(attributes.get_value("null").unwrap().is_err());
}

#[test]
fn unencodable_values_are_reported_by_check() {
    let attributes = SearchAttributes::new()
        .with(&STAGE, "fine")
        .with(&SCORE, f64::NAN)
        .with(&SCORE, f64::INFINITY);
    assert_eq!(attributes.len(), 1);
    let err = attributes.check().unwrap_err();
    assert!(
        matches!(&err, InvalidRequest::InvalidSearchAttribute { name, .. } if name == "ConformanceScore"),
        "{err:?}"
    );

    let far = UNIX_EPOCH + Duration::from_secs(u64::MAX / 2);
    let err = SearchAttributes::new()
        .with(&WHEN, far)
        .check()
        .unwrap_err();
    assert!(err.to_string().contains("ConformanceWhen"));

    let empty: SearchAttributeKey<Keyword> = SearchAttributeKey::new("");
    let attributes = SearchAttributes::new().with(&empty, "x");
    assert!(attributes.is_empty());
    assert_eq!(
        attributes.check(),
        Err(InvalidRequest::EmptySearchAttributeName)
    );
    let mut raw = SearchAttributes::new();
    raw.insert_raw("", untyped(b"1"));
    assert_eq!(raw.check(), Err(InvalidRequest::EmptySearchAttributeName));
}

#[test]
fn map_access() {
    let mut attributes = SearchAttributes::new();
    attributes.insert(&STAGE, "a");
    attributes.insert_value("Other", SearchAttributeValue::Int(1));
    assert!(attributes.contains("Other"));
    let mut names: Vec<_> = attributes.names().collect();
    names.sort_unstable();
    assert_eq!(names, ["ConformanceStage", "Other"]);
    assert_eq!(attributes.iter_raw().count(), 2);
    assert!(attributes.remove("Other").is_some());
    assert!(!attributes.contains("Other"));
    assert_eq!(attributes.len(), 1);
}

#[test]
fn keys_and_kinds() {
    assert_eq!(STAGE.name(), "ConformanceStage");
    assert_eq!(STAGE.kind(), SearchAttributeKind::Keyword);
    assert_eq!(
        STAGE.clone(),
        SearchAttributeKey::from_name("ConformanceStage")
    );
    assert!(format!("{STAGE:?}").contains("Keyword"));
    for kind in [
        SearchAttributeKind::Text,
        SearchAttributeKind::Keyword,
        SearchAttributeKind::Int,
        SearchAttributeKind::Double,
        SearchAttributeKind::Bool,
        SearchAttributeKind::Datetime,
        SearchAttributeKind::KeywordList,
    ] {
        assert_eq!(
            SearchAttributeKind::from_type_name(kind.type_name()),
            Some(kind)
        );
        assert_eq!(SearchAttributeKind::from_proto(kind.to_proto()), Some(kind));
        assert_eq!(kind.to_string(), kind.type_name());
    }
    assert_eq!(SearchAttributeKind::from_type_name("keyword"), None);
    assert_eq!(
        SearchAttributeKind::from_proto(IndexedValueType::Unspecified),
        None
    );
    assert_eq!(SearchAttributeKind::KeywordList.to_proto() as i32, 7);
}
