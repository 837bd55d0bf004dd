//! Unit tests of the payload converter, the data converter and codecs, plus a test
//! codec shared with the failure tests.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use prost::Message as _;
use serde::{Deserialize, Serialize};
use serde_json::json;
use temporal_proto::temporal::api::common::v1::{Payload, WorkflowExecution};

use super::encodings::{METADATA_ENCODING, METADATA_MESSAGE_TYPE, new_payload};
use super::*;

/// A strict test codec: wraps each whole payload, XORs its bytes with `key` and marks
/// it `binary/xor-<name>`. Decoding anything without its own mark is an error, so a
/// wrong decode order fails. Records each call in `log`.
#[derive(Debug)]
pub(crate) struct XorCodec {
    pub(crate) name: &'static str,
    pub(crate) key: u8,
    pub(crate) log: Arc<Mutex<Vec<String>>>,
}

impl XorCodec {
    pub(crate) fn new(name: &'static str, key: u8, log: &Arc<Mutex<Vec<String>>>) -> Arc<Self> {
        Arc::new(Self {
            name,
            key,
            log: Arc::clone(log),
        })
    }

    fn mark(&self) -> String {
        format!("binary/xor-{}", self.name)
    }

    fn record(&self, what: &str, n: usize) {
        if let Ok(mut log) = self.log.lock() {
            log.push(format!("{what} {} x{n}", self.name));
        }
    }
}

#[async_trait::async_trait]
impl PayloadCodec for XorCodec {
    async fn encode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
        self.record("encode", payloads.len());
        Ok(payloads
            .into_iter()
            .map(|p| {
                let data = p
                    .encode_to_vec()
                    .into_iter()
                    .map(|b| b ^ self.key)
                    .collect();
                new_payload(&self.mark(), data)
            })
            .collect())
    }

    async fn decode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
        self.record("decode", payloads.len());
        payloads
            .into_iter()
            .map(|p| {
                if p.metadata.get(METADATA_ENCODING).map(Vec::as_slice)
                    != Some(self.mark().as_bytes())
                {
                    return Err(
                        format!("codec {} got a payload it did not encode", self.name).into(),
                    );
                }
                let bytes: Vec<u8> = p.data.iter().map(|b| b ^ self.key).collect();
                Payload::decode(bytes.as_slice()).map_err(Into::into)
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Order {
    id: u32,
    items: Vec<String>,
    note: Option<String>,
}

fn order() -> Order {
    Order {
        id: 7,
        items: vec!["a".into(), "ü".into()],
        note: None,
    }
}

fn encoding(p: &Payload) -> &str {
    std::str::from_utf8(&p.metadata[METADATA_ENCODING]).unwrap()
}

fn execution() -> WorkflowExecution {
    WorkflowExecution {
        workflow_id: "wf".into(),
        run_id: "run".into(),
    }
}

/// The built-in fast path and the same converter behind the trait object.
fn both() -> [DataConverter; 2] {
    [
        DataConverter::default(),
        DataConverter::new(Arc::new(DefaultPayloadConverter)),
    ]
}

#[test]
fn null_values_become_binary_null_with_empty_data() {
    for dc in both() {
        for p in [
            dc.to_payload(&None::<i32>).unwrap(),
            dc.to_payload(&()).unwrap(),
            dc.to_payload(&serde_json::Value::Null).unwrap(),
            dc.to_payload(&Some(())).unwrap(),
        ] {
            assert_eq!(p.metadata.len(), 1);
            assert_eq!(encoding(&p), "binary/null");
            assert!(p.data.is_empty());
        }
    }
}

#[test]
fn binary_null_reads_as_json_null() {
    for dc in both() {
        let p = new_payload("binary/null", Vec::new());
        assert_eq!(dc.from_payload::<Option<i32>>(&p).unwrap(), None);
        dc.from_payload::<()>(&p).unwrap();
        assert_eq!(
            dc.from_payload::<serde_json::Value>(&p).unwrap(),
            json!(null)
        );
        let err = dc.from_payload::<i32>(&p).unwrap_err();
        match &err {
            PayloadError::Deserialize {
                encoding,
                type_name,
                message,
            } => {
                assert_eq!(encoding, "binary/null");
                assert_eq!(*type_name, "i32");
                assert!(message.contains("invalid type: null"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(
            err.to_string()
                .starts_with("a `binary/null` payload could not be read as `i32`: "),
            "{err}"
        );
    }
}

#[test]
fn bytes_become_binary_plain_and_read_back() {
    for dc in both() {
        let p = dc.to_payload(&Binary(vec![0, 1, 255])).unwrap();
        assert_eq!(encoding(&p), "binary/plain");
        assert_eq!(p.metadata.len(), 1);
        assert_eq!(p.data, [0, 1, 255]);
        assert_eq!(
            dc.from_payload::<Binary>(&p).unwrap(),
            Binary(vec![0, 1, 255])
        );
        assert_eq!(dc.from_payload::<Vec<u8>>(&p).unwrap(), vec![0, 1, 255]);
        assert_eq!(
            dc.from_payload::<Option<Binary>>(&p).unwrap(),
            Some(Binary(vec![0, 1, 255]))
        );
        // `Some(bytes)` is still bytes; empty bytes are not null.
        let p = dc.to_payload(&Some(Binary(vec![9]))).unwrap();
        assert_eq!(
            (encoding(&p), p.data.as_slice()),
            ("binary/plain", &[9u8][..])
        );
        let p = dc.to_payload(&Binary(Vec::new())).unwrap();
        assert_eq!((encoding(&p), p.data.len()), ("binary/plain", 0));
    }
}

#[test]
fn binary_plain_reads_only_as_byte_types() {
    for dc in both() {
        let p = dc.to_payload(&Binary(b"abc".to_vec())).unwrap();
        // serde lets `String` take bytes that are UTF-8; other bytes are an error.
        assert_eq!(dc.from_payload::<String>(&p).unwrap(), "abc");
        let not_utf8 = dc.to_payload(&Binary(vec![0xff])).unwrap();
        let err = dc.from_payload::<String>(&not_utf8).unwrap_err();
        assert!(
            matches!(&err, PayloadError::Deserialize { encoding, .. } if encoding == "binary/plain"),
            "{err:?}"
        );
        assert!(dc.from_payload::<serde_json::Value>(&p).is_err());
        // A fixed-size array must match the length exactly.
        assert_eq!(dc.from_payload::<[u8; 3]>(&p).unwrap(), *b"abc");
        assert!(dc.from_payload::<[u8; 2]>(&p).is_err());
    }
}

#[test]
fn a_vec_of_u8_is_json_not_bytes() {
    let p = DataConverter::default().to_payload(&vec![1u8, 2]).unwrap();
    assert_eq!(
        (encoding(&p), p.data.as_slice()),
        ("json/plain", &b"[1,2]"[..])
    );
}

#[test]
fn other_values_are_compact_json_plain() {
    for dc in both() {
        let p = dc.to_payload(&order()).unwrap();
        assert_eq!(encoding(&p), "json/plain");
        assert_eq!(p.metadata.len(), 1);
        assert_eq!(
            std::str::from_utf8(&p.data).unwrap(),
            r#"{"id":7,"items":["a","ü"],"note":null}"#
        );
        assert_eq!(dc.from_payload::<Order>(&p).unwrap(), order());
        for (value, text) in [
            (json!(true), "true"),
            (json!(-42), "-42"),
            (json!(3.5), "3.5"),
            (json!(""), "\"\""),
            (json!([]), "[]"),
            (json!({}), "{}"),
        ] {
            let p = dc.to_payload(&value).unwrap();
            assert_eq!(
                (encoding(&p), std::str::from_utf8(&p.data).unwrap()),
                ("json/plain", text)
            );
            assert_eq!(dc.from_payload::<serde_json::Value>(&p).unwrap(), value);
        }
        let p = dc.to_payload("str").unwrap();
        assert_eq!(p.data, b"\"str\"");
        assert_eq!(dc.from_payload::<String>(&p).unwrap(), "str");
    }
}

#[test]
fn json_reads_python_style_ascii_escapes() {
    let p = new_payload(
        "json/plain",
        br#"{"b":1,"a":"unicode \u2713 \ud83d\ude00"}"#.to_vec(),
    );
    let v: serde_json::Value = DataConverter::default().from_payload(&p).unwrap();
    assert_eq!(v, json!({"a": "unicode ✓ 😀", "b": 1}));
}

#[test]
fn json_errors_carry_the_serde_message() {
    for dc in both() {
        let p = new_payload("json/plain", br#"{"id":"x","items":[]}"#.to_vec());
        let err = dc.from_payload::<Order>(&p).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("json/plain"), "{text}");
        assert!(text.contains("Order"), "{text}");
        assert!(
            text.contains("invalid type: string \"x\", expected u32"),
            "{text}"
        );

        let trailing = new_payload("json/plain", b"1 2".to_vec());
        let err = dc.from_payload::<i32>(&trailing).unwrap_err();
        assert!(err.to_string().contains("trailing characters"), "{err}");

        let broken = new_payload("json/plain", b"{".to_vec());
        assert!(matches!(
            dc.from_payload::<serde_json::Value>(&broken),
            Err(PayloadError::Deserialize { .. })
        ));
    }
}

#[test]
fn unserializable_values_are_a_serialize_error() {
    for dc in both() {
        let mut map = HashMap::new();
        map.insert((1, 2), 3);
        let err = dc.to_payload(&map).unwrap_err();
        assert!(
            matches!(&err, PayloadError::Serialize(m) if m.contains("key must be a string")),
            "{err:?}"
        );
    }
}

#[test]
fn unknown_and_missing_encodings_are_typed_errors() {
    for dc in both() {
        let p = new_payload("binary/encrypted", b"x".to_vec());
        let err = dc.from_payload::<serde_json::Value>(&p).unwrap_err();
        assert!(matches!(&err, PayloadError::UnknownEncoding(e) if e == "binary/encrypted"));
        assert!(err.to_string().contains("`binary/encrypted`"));

        let p = Payload {
            data: b"1".to_vec(),
            ..Payload::default()
        };
        assert!(matches!(
            dc.from_payload::<i32>(&p),
            Err(PayloadError::MissingMetadata("encoding"))
        ));
    }
}

#[test]
fn proto_binary_has_message_type_and_wire_bytes() {
    for dc in both() {
        let p = dc.to_payload(&ProtoBinary(execution())).unwrap();
        assert_eq!(encoding(&p), "binary/protobuf");
        assert_eq!(
            p.metadata[METADATA_MESSAGE_TYPE],
            b"temporal.api.common.v1.WorkflowExecution"
        );
        assert_eq!(p.metadata.len(), 2);
        assert_eq!(p.data, execution().encode_to_vec());
        let back: ProtoBinary<WorkflowExecution> = dc.from_payload(&p).unwrap();
        assert_eq!(back.0, execution());
        let back: ProtoJson<WorkflowExecution> = dc.from_payload(&p).unwrap();
        assert_eq!(back.into_inner(), execution());
    }
}

#[test]
fn proto_binary_rejects_garbage_and_json() {
    let dc = DataConverter::default();
    let garbage = new_payload("binary/protobuf", vec![0xff, 0xff, 0xff]);
    assert!(matches!(
        dc.from_payload::<ProtoBinary<WorkflowExecution>>(&garbage),
        Err(PayloadError::Deserialize { .. })
    ));
    let json = new_payload("json/protobuf", br#"{"workflowId":"wf"}"#.to_vec());
    let err = dc
        .from_payload::<ProtoBinary<WorkflowExecution>>(&json)
        .unwrap_err();
    assert!(err.to_string().contains("binary form"), "{err}");
}

#[cfg(feature = "proto-json")]
#[test]
fn proto_json_has_message_type_and_json_mapping() {
    for dc in both() {
        let p = dc.to_payload(&ProtoJson(execution())).unwrap();
        assert_eq!(encoding(&p), "json/protobuf");
        assert_eq!(
            p.metadata[METADATA_MESSAGE_TYPE],
            b"temporal.api.common.v1.WorkflowExecution"
        );
        let as_json: serde_json::Value = serde_json::from_slice(&p.data).unwrap();
        assert_eq!(as_json, json!({"workflowId": "wf", "runId": "run"}));
        let back: ProtoJson<WorkflowExecution> = dc.from_payload(&p).unwrap();
        assert_eq!(back.0, execution());
        // Untyped reading sees the JSON.
        let v: serde_json::Value = dc.from_payload(&p).unwrap();
        assert_eq!(v["runId"], "run");
    }
}

/// A converter that claims success without producing anything.
#[derive(Debug)]
struct Lazy;

impl PayloadConverter for Lazy {
    fn to_payload(&self, value: &dyn erased_serde::Serialize) -> Result<Payload, PayloadError> {
        DefaultPayloadConverter.to_payload(value)
    }
    fn from_payload(&self, _payload: &Payload, _into: DecodeInto<'_>) -> Result<(), PayloadError> {
        Ok(())
    }
}

#[test]
fn a_converter_that_decodes_nothing_is_reported() {
    let dc = DataConverter::new(Arc::new(Lazy));
    let p = dc.to_payload(&1).unwrap();
    assert!(matches!(
        dc.from_payload::<i32>(&p),
        Err(PayloadError::NothingDecoded("i32"))
    ));
}

/// A converter with its own encoding for strings, delegating the rest.
#[derive(Debug)]
struct Upper;

impl PayloadConverter for Upper {
    fn to_payload(&self, value: &dyn erased_serde::Serialize) -> Result<Payload, PayloadError> {
        let p = DefaultPayloadConverter.to_payload(value)?;
        match serde_json::from_slice::<String>(&p.data) {
            Ok(s) if p.metadata[METADATA_ENCODING] == b"json/plain" => {
                Ok(new_payload("text/upper", s.to_uppercase().into_bytes()))
            }
            _ => Ok(p),
        }
    }
    fn from_payload(&self, payload: &Payload, into: DecodeInto<'_>) -> Result<(), PayloadError> {
        let encoding = payload.metadata.get(METADATA_ENCODING).map(Vec::as_slice);
        if encoding == Some(b"text/none") {
            return into.null();
        }
        if encoding == Some(b"text/raw") {
            return into.bytes(&payload.data);
        }
        if encoding == Some(b"text/upper") {
            let text = String::from_utf8_lossy(&payload.data).to_lowercase();
            into.deserialize(
                serde::de::value::StrDeserializer::<serde::de::value::Error>::new(&text),
            )
        } else {
            DefaultPayloadConverter.from_payload(payload, into)
        }
    }
}

#[test]
fn custom_converters_plug_in_and_delegate() {
    let dc = DataConverter::new(Arc::new(Upper));
    let p = dc.to_payload("hello").unwrap();
    assert_eq!(
        (encoding(&p), p.data.as_slice()),
        ("text/upper", &b"HELLO"[..])
    );
    assert_eq!(dc.from_payload::<String>(&p).unwrap(), "hello");
    let err = dc.from_payload::<i32>(&p).unwrap_err();
    assert!(
        matches!(&err, PayloadError::Deserialize { encoding, type_name: "i32", .. } if encoding == "text/upper"),
        "{err:?}"
    );
    let p = dc.to_payload(&order()).unwrap();
    assert_eq!(dc.from_payload::<Order>(&p).unwrap(), order());
    let none = new_payload("text/none", b"ignored".to_vec());
    assert_eq!(dc.from_payload::<Option<String>>(&none).unwrap(), None);
    let raw = new_payload("text/raw", vec![1, 2]);
    assert_eq!(dc.from_payload::<Binary>(&raw).unwrap(), Binary(vec![1, 2]));
    assert!(matches!(
        dc.from_payload::<i32>(&raw),
        Err(PayloadError::Deserialize {
            type_name: "i32",
            ..
        })
    ));
    let args = dc.to_payloads(&("a", 1)).unwrap();
    assert_eq!(
        dc.from_payloads::<(String, i32)>(&args).unwrap(),
        ("a".to_owned(), 1)
    );
}

#[test]
fn data_converter_clones_share_and_builders_copy_on_write() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let base = DataConverter::default();
    assert!(!base.has_codecs());
    let with = base.clone().with_codec(XorCodec::new("a", 1, &log));
    assert!(!base.has_codecs(), "the original is unchanged");
    assert!(with.has_codecs());
    assert_eq!(with.codecs().len(), 1);
    assert!(!DataConverter::default().has_codecs());
    let debug = format!("{with:?}");
    assert!(
        debug.contains("XorCodec") && debug.contains("DefaultPayloadConverter"),
        "{debug}"
    );
}

#[tokio::test]
async fn without_codecs_payloads_pass_through_untouched() {
    let dc = DataConverter::default();
    let payloads = dc.to_payloads(&(1, "x")).unwrap();
    let ptr = payloads.as_ptr();
    let out = dc.encode_payloads(payloads).await.unwrap();
    assert_eq!(out.as_ptr(), ptr, "the same buffer, not a copy");
    let out = dc.decode_payloads(out).await.unwrap();
    assert_eq!(out.as_ptr(), ptr);
}

#[tokio::test]
async fn codecs_encode_in_order_and_decode_in_reverse() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let dc = DataConverter::default()
        .with_codec(XorCodec::new("a", 0x11, &log))
        .with_codec(XorCodec::new("b", 0x22, &log));
    let plain = dc.to_payloads(&(1, "two", None::<u8>)).unwrap();
    let encoded = dc.encode_payloads(plain.clone()).await.unwrap();
    assert_eq!(encoded.len(), 3);
    for p in &encoded {
        assert_eq!(encoding(p), "binary/xor-b", "the last codec is outermost");
    }
    let decoded = dc.decode_payloads(encoded.clone()).await.unwrap();
    assert_eq!(decoded, plain);
    assert_eq!(
        *log.lock().unwrap(),
        ["encode a x3", "encode b x3", "decode b x3", "decode a x3"]
    );

    // Decoding with the chain in the wrong order fails: the codecs are strict.
    let wrong = DataConverter::default()
        .with_codec(XorCodec::new("b", 0x22, &log))
        .with_codec(XorCodec::new("a", 0x11, &log));
    let err = wrong.decode_payloads(encoded).await.unwrap_err();
    assert!(matches!(
        err,
        PayloadError::Codec {
            direction: CodecDirection::Decode,
            ..
        }
    ));
    assert!(err.to_string().contains("did not encode"), "{err}");

    // The combined helpers.
    let sent = dc.to_encoded_payloads(&("hi", 2)).await.unwrap();
    let back: (String, i32) = dc.from_encoded_payloads(sent).await.unwrap();
    assert_eq!(back, ("hi".to_owned(), 2));
}

#[test]
fn data_converter_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let dc = DataConverter::default();
    let mut failure = temporal_proto::temporal::api::failure::v1::Failure::default();
    assert_send(&dc.encode_payloads(Vec::new()));
    assert_send(&dc.decode_payloads(Vec::new()));
    assert_send(&dc.to_encoded_payloads(&(1,)));
    assert_send(&dc.from_encoded_payloads::<(i32,)>(Vec::new()));
    assert_send(&dc.encode_failure(&mut failure));
    assert_send(&dc.decode_failure(&mut failure));
}

/// Drops the last payload when decoding (a buggy codec); encodes faithfully.
#[derive(Debug)]
struct DropsOnDecode;

#[async_trait::async_trait]
impl PayloadCodec for DropsOnDecode {
    async fn encode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
        Ok(payloads)
    }

    async fn decode(&self, mut payloads: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
        payloads.pop();
        Ok(payloads)
    }
}

#[tokio::test]
async fn a_codec_that_drops_a_payload_is_an_error_naming_its_step() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let dc = DataConverter::default()
        .with_codec(XorCodec::new("a", 1, &log))
        .with_codec(Arc::new(DropsOnDecode));
    let encoded = dc.to_encoded_payloads(&(1, 2)).await.unwrap();
    assert_eq!(encoded.len(), 2);
    let err = dc.decode_payloads(encoded).await.unwrap_err();
    assert!(
        matches!(
            err,
            PayloadError::CodecCount {
                direction: CodecDirection::Decode,
                step: 1,
                expected: 2,
                actual: 1,
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("payload codec 1"), "{err}");
    // A single value loses nothing silently either: no payload is not "None".
    let one = dc.to_encoded_payloads(&(Some(5),)).await.unwrap();
    let err = dc
        .from_encoded_payloads::<(Option<i64>,)>(one)
        .await
        .unwrap_err();
    assert!(matches!(err, PayloadError::CodecCount { .. }), "{err:?}");
}
