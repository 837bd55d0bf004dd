//! Payloads written by the official Python SDK (tests/fixtures/golden_payloads.json,
//! made by scripts/gen-golden-payloads.py) must read here, and what we write for the
//! same values must read the same in Python.
//!
//! Byte-for-byte: we write the same bytes as Python except where Python's JSON differs
//! by design (it escapes non-ASCII characters and DEL as `\uXXXX`, we write them as
//! UTF-8); those values are compared as decoded JSON. When the project's venv has the Python
//! SDK, `python_reads_what_we_write` also decodes our payloads with Python itself.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use temporal_client_core::payload::{Binary, DataConverter, Payload, ProtoBinary, ProtoJson};
use temporal_client_core::proto::temporal::api::common::v1::WorkflowExecution;

#[derive(Deserialize)]
struct FixturePayload {
    metadata: BTreeMap<String, String>,
    data_base64: String,
    json_value: Value,
}

#[derive(Deserialize)]
struct Entry {
    name: String,
    #[serde(default)]
    python_repr: String,
    #[serde(flatten)]
    single: Option<FixturePayload>,
    #[serde(default)]
    payloads: Vec<FixturePayload>,
}

impl FixturePayload {
    fn payload(&self) -> Payload {
        Payload {
            metadata: self
                .metadata
                .iter()
                .map(|(k, v)| (k.clone(), B64.decode(v).unwrap()))
                .collect(),
            data: B64.decode(&self.data_base64).unwrap(),
            external_payloads: Vec::new(),
        }
    }
}

fn fixtures() -> Vec<Entry> {
    serde_json::from_str(include_str!("fixtures/golden_payloads.json")).unwrap()
}

fn single(entry: &Entry) -> &FixturePayload {
    entry
        .single
        .as_ref()
        .unwrap_or_else(|| panic!("{} has no payload", entry.name))
}

fn execution() -> WorkflowExecution {
    WorkflowExecution {
        workflow_id: "wf".into(),
        run_id: "run".into(),
    }
}

/// Values whose JSON bytes differ from Python's by design (see the module docs).
const JSON_BYTES_DIFFER: &[&str] = &["unicode_string", "emoji_string", "escapes_string"];

const BYTES: &[(&str, &[u8])] = &[("bytes", b"\x00\x01binary"), ("empty_bytes", b"")];

#[test]
fn the_fixture_set_is_the_one_these_tests_know() {
    let names: Vec<String> = fixtures().into_iter().map(|e| e.name).collect();
    assert_eq!(
        names,
        [
            "none",
            "true",
            "false",
            "zero",
            "negative_int",
            "int_2_pow_53",
            "float",
            "empty_string",
            "string",
            "unicode_string",
            "bytes",
            "list",
            "nested_dict",
            "protobuf_workflow_execution",
            "dict_key_order",
            "emoji_string",
            "escapes_string",
            "float_small",
            "float_exponent",
            "float_whole",
            "empty_list",
            "empty_dict",
            "empty_bytes",
            "multi_args",
        ]
    );
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Nested {
    nested: Inner,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Inner {
    list: Vec<i32>,
    s: String,
}

#[test]
fn every_python_payload_decodes_to_its_value() {
    let dc = DataConverter::default();
    for entry in fixtures().iter().filter(|e| e.name != "multi_args") {
        let fixture = single(entry);
        let payload = fixture.payload();
        let name = entry.name.as_str();
        match name {
            "none" => {
                assert_eq!(dc.from_payload::<Option<i32>>(&payload).unwrap(), None);
                dc.from_payload::<()>(&payload).unwrap();
                assert_eq!(dc.from_payload::<Value>(&payload).unwrap(), Value::Null);
            }
            "bytes" | "empty_bytes" => {
                let expected = BYTES.iter().find(|(n, _)| *n == name).unwrap().1;
                assert_eq!(
                    dc.from_payload::<Binary>(&payload).unwrap().0,
                    expected,
                    "{name}"
                );
                assert_eq!(
                    dc.from_payload::<Vec<u8>>(&payload).unwrap(),
                    expected,
                    "{name}"
                );
            }
            "protobuf_workflow_execution" => {
                let message: ProtoJson<WorkflowExecution> = dc.from_payload(&payload).unwrap();
                assert_eq!(message.0, execution());
                assert_eq!(
                    dc.from_payload::<Value>(&payload).unwrap(),
                    fixture.json_value
                );
            }
            _ => {
                let value: Value = dc.from_payload(&payload).unwrap();
                assert_eq!(value, fixture.json_value, "{name} ({})", entry.python_repr);
            }
        }
    }
}

#[test]
fn python_payloads_decode_into_typed_rust_values() {
    let dc = DataConverter::default();
    let by_name: HashMap<String, Payload> = fixtures()
        .iter()
        .filter_map(|e| e.single.as_ref().map(|f| (e.name.clone(), f.payload())))
        .collect();
    let p = |n: &str| &by_name[n];
    assert!(dc.from_payload::<bool>(p("true")).unwrap());
    assert!(!dc.from_payload::<bool>(p("false")).unwrap());
    assert_eq!(dc.from_payload::<u8>(p("zero")).unwrap(), 0);
    assert_eq!(dc.from_payload::<i64>(p("negative_int")).unwrap(), -42);
    assert_eq!(dc.from_payload::<u64>(p("int_2_pow_53")).unwrap(), 1 << 53);
    assert_eq!(dc.from_payload::<f64>(p("float")).unwrap(), 3.5);
    assert_eq!(dc.from_payload::<f64>(p("float_small")).unwrap(), 0.1);
    assert_eq!(dc.from_payload::<f64>(p("float_exponent")).unwrap(), 1e100);
    assert_eq!(dc.from_payload::<f64>(p("float_whole")).unwrap(), 2.0);
    assert_eq!(dc.from_payload::<String>(p("empty_string")).unwrap(), "");
    assert_eq!(dc.from_payload::<String>(p("string")).unwrap(), "hello");
    assert_eq!(
        dc.from_payload::<String>(p("unicode_string")).unwrap(),
        "unicode ✓ 日本"
    );
    assert_eq!(
        dc.from_payload::<String>(p("emoji_string")).unwrap(),
        "smile 😀"
    );
    assert_eq!(
        dc.from_payload::<String>(p("escapes_string")).unwrap(),
        "tab\t nl\n quote\" backslash\\ ctrl\u{1} del\u{7f}"
    );
    assert_eq!(
        dc.from_payload::<(i32, String, Option<i32>)>(p("list"))
            .unwrap(),
        (1, "a".to_owned(), None)
    );
    assert_eq!(
        dc.from_payload::<Nested>(p("nested_dict")).unwrap(),
        Nested {
            nested: Inner {
                list: vec![1, 2],
                s: "x".into()
            }
        }
    );
    assert_eq!(
        dc.from_payload::<BTreeMap<String, Value>>(p("dict_key_order"))
            .unwrap()["c"],
        json!({"z": 0, "y": 1})
    );
    assert!(
        dc.from_payload::<Vec<i32>>(p("empty_list"))
            .unwrap()
            .is_empty()
    );
    assert!(
        dc.from_payload::<HashMap<String, i32>>(p("empty_dict"))
            .unwrap()
            .is_empty()
    );
    let binary: ProtoBinary<WorkflowExecution> = dc
        .from_payload(&dc.to_payload(&ProtoBinary(execution())).unwrap())
        .unwrap();
    assert_eq!(binary.0, execution());
}

/// What we write for one fixture's value.
fn our_payload(dc: &DataConverter, name: &str, json_value: &Value) -> Payload {
    match name {
        "none" => dc.to_payload(&None::<Value>).unwrap(),
        "bytes" | "empty_bytes" => {
            let bytes = BYTES.iter().find(|(n, _)| *n == name).unwrap().1;
            dc.to_payload(&Binary(bytes.to_vec())).unwrap()
        }
        "protobuf_workflow_execution" => dc.to_payload(&ProtoJson(execution())).unwrap(),
        _ => dc.to_payload(json_value).unwrap(),
    }
}

#[test]
fn we_write_what_python_writes() {
    let dc = DataConverter::default();
    for entry in fixtures().iter().filter(|e| e.name != "multi_args") {
        let fixture = single(entry);
        let python = fixture.payload();
        let name = entry.name.as_str();
        let ours = our_payload(&dc, name, &fixture.json_value);
        assert_eq!(ours.metadata, python.metadata, "{name}: metadata");
        let exact = match name {
            "none" | "bytes" | "empty_bytes" => true,
            // Python's protobuf JSON sorts keys; we write fields in proto order.
            "protobuf_workflow_execution" => false,
            _ => !JSON_BYTES_DIFFER.contains(&name),
        };
        if exact {
            assert_eq!(
                String::from_utf8_lossy(&ours.data),
                String::from_utf8_lossy(&python.data),
                "{name}: bytes"
            );
            assert_eq!(ours.data, python.data, "{name}: bytes");
        } else {
            let a: Value = serde_json::from_slice(&ours.data).unwrap();
            let b: Value = serde_json::from_slice(&python.data).unwrap();
            assert_eq!(a, b, "{name}: JSON value");
            assert_ne!(
                ours.data, python.data,
                "{name} now matches byte for byte: update the list"
            );
        }
    }
}

#[test]
fn multiple_args_match_python() {
    let dc = DataConverter::default();
    let entry = fixtures()
        .into_iter()
        .find(|e| e.name == "multi_args")
        .unwrap();
    let python: Vec<Payload> = entry.payloads.iter().map(FixturePayload::payload).collect();
    assert_eq!(python.len(), 3);
    let typed: (i64, String, Option<i64>) = dc.from_payloads(&python).unwrap();
    assert_eq!(typed, (1, "two".to_owned(), None));
    let untyped: Vec<Value> = dc.from_payloads(&python).unwrap();
    let expected: Vec<Value> = entry
        .payloads
        .iter()
        .map(|p| p.json_value.clone())
        .collect();
    assert_eq!(untyped, expected);
    assert_eq!(dc.to_payloads(&(1, "two", None::<i64>)).unwrap(), python);
    assert_eq!(dc.to_payloads(&expected).unwrap(), python);
}

/// Decodes our payloads with the official Python SDK, when the venv has it.
#[test]
fn python_reads_what_we_write() {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    let required = std::env::var_os("TEMPORAL_REQUIRE_PYTHON").is_some();
    if !python.exists() {
        assert!(
            !required,
            "TEMPORAL_REQUIRE_PYTHON is set but {python:?} is missing"
        );
        eprintln!("skipped: {python:?} not found (run scripts/install-test-deps.sh)");
        return;
    }
    let dc = DataConverter::default();
    let mut input = serde_json::Map::new();
    let mut expected = serde_json::Map::new();
    for entry in fixtures().iter().filter(|e| e.name != "multi_args") {
        let fixture = single(entry);
        let ours = our_payload(&dc, &entry.name, &fixture.json_value);
        let metadata: BTreeMap<&String, String> = ours
            .metadata
            .iter()
            .map(|(k, v)| (k, B64.encode(v)))
            .collect();
        input.insert(
            entry.name.clone(),
            json!({"metadata": metadata, "data": B64.encode(&ours.data)}),
        );
        let want = match entry.name.as_str() {
            n @ ("bytes" | "empty_bytes") => {
                json!({"bytes": B64.encode(BYTES.iter().find(|(b, _)| *b == n).unwrap().1)})
            }
            _ => json!({"value": fixture.json_value}),
        };
        expected.insert(entry.name.clone(), want);
    }
    // Python has no binary/protobuf fixture (it writes protobuf as JSON), but reads it.
    let ours = dc.to_payload(&ProtoBinary(execution())).unwrap();
    let metadata: BTreeMap<&String, String> = ours
        .metadata
        .iter()
        .map(|(k, v)| (k, B64.encode(v)))
        .collect();
    input.insert(
        "protobuf_binary".into(),
        json!({"metadata": metadata, "data": B64.encode(&ours.data)}),
    );
    expected.insert(
        "protobuf_binary".into(),
        json!({"value": {"workflowId": "wf", "runId": "run"}}),
    );
    let script = r#"
import base64, json, sys
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, WorkflowExecution
from temporalio.converter import DataConverter

conv = DataConverter.default.payload_converter
out = {}
for name, p in json.load(sys.stdin).items():
    payload = Payload(
        metadata={k: base64.b64decode(v) for k, v in p["metadata"].items()},
        data=base64.b64decode(p["data"]),
    )
    hint = WorkflowExecution if name.startswith("protobuf") else None
    value = conv.from_payloads([payload], [hint] if hint else None)[0]
    if isinstance(value, bytes):
        out[name] = {"bytes": base64.b64encode(value).decode()}
    elif isinstance(value, WorkflowExecution):
        out[name] = {"value": json_format.MessageToDict(value)}
    else:
        out[name] = {"value": value}
json.dump(out, sys.stdout)
"#;
    let mut child = Command::new(&python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(Value::Object(input).to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() && stderr.contains("No module named") && !required {
        eprintln!("skipped: the Python SDK is not installed in the venv: {stderr}");
        return;
    }
    assert!(output.status.success(), "python failed: {stderr}");
    let got: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(got, Value::Object(expected));
}
