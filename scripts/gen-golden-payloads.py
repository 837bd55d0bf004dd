"""Generate golden payload and failure fixtures with the official Python SDK.

The Rust data converter must produce the same bytes as the official SDKs, so
these fixtures record what ``temporalio`` (pinned in
scripts/install-test-deps.sh) encodes for a set of named values:

* crates/client-core/tests/fixtures/golden_payloads.json
    A JSON array; each entry is
    ``{"name", "python_repr", "metadata": {key: base64(value)}, "data_base64", "json_value"}``
    where ``json_value`` is the value as JSON when JSON can hold it, else null.
    The ``multi_args`` entry instead has ``payloads``: a list of
    ``{"metadata", "data_base64", "json_value"}``, one per argument.

* crates/client-core/tests/fixtures/golden_failure.json
    ``{"binary_base64": ..., "json": {...}}``: the ``temporal.api.failure.v1.Failure``
    that the default failure converter makes for the ``fail`` conformance
    workflow's error, as binary protobuf (deterministic serialization, base64)
    and as protobuf JSON (camelCase names, sorted keys). The exception is never
    raised, so ``stackTrace`` is empty and the output does not depend on paths.

Run from the repository root, after scripts/install-test-deps.sh:

    .venv/bin/python scripts/gen-golden-payloads.py

Output is deterministic: rerunning gives identical bytes.
"""

import base64
import json
from pathlib import Path

from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, WorkflowExecution
from temporalio.api.failure.v1 import Failure
from temporalio.converter import DataConverter
from temporalio.exceptions import ApplicationError

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "crates" / "client-core" / "tests" / "fixtures"

NOT_JSON = object()  # marker: the value has no JSON form

# (name, value, python_repr or None for repr(value), json_value or NOT_JSON)
VALUES = [
    ("none", None, None, None),
    ("true", True, None, True),
    ("false", False, None, False),
    ("zero", 0, None, 0),
    ("negative_int", -42, None, -42),
    ("int_2_pow_53", 2**53, None, 2**53),
    ("float", 3.5, None, 3.5),
    ("empty_string", "", None, ""),
    ("string", "hello", None, "hello"),
    ("unicode_string", "unicode ✓ 日本", None, "unicode ✓ 日本"),
    ("bytes", b"\x00\x01binary", None, NOT_JSON),
    ("list", [1, "a", None], None, [1, "a", None]),
    (
        "nested_dict",
        {"nested": {"list": [1, 2], "s": "x"}},
        None,
        {"nested": {"list": [1, 2], "s": "x"}},
    ),
    (
        "protobuf_workflow_execution",
        WorkflowExecution(workflow_id="wf", run_id="run"),
        "temporalio.api.common.v1.WorkflowExecution(workflow_id='wf', run_id='run')",
        {"workflowId": "wf", "runId": "run"},
    ),
    # Extra cases that pin down details of Python's JSON encoding.
    ("dict_key_order", {"b": 1, "a": 2, "c": {"z": 0, "y": 1}}, None,
     {"b": 1, "a": 2, "c": {"z": 0, "y": 1}}),
    ("emoji_string", "smile 😀", None, "smile 😀"),
    ("escapes_string", 'tab\t nl\n quote" backslash\\ ctrl\x01 del\x7f', None,
     'tab\t nl\n quote" backslash\\ ctrl\x01 del\x7f'),
    ("float_small", 0.1, None, 0.1),
    ("float_exponent", 1e100, None, 1e100),
    ("float_whole", 2.0, None, 2.0),
    ("empty_list", [], None, []),
    ("empty_dict", {}, None, {}),
    ("empty_bytes", b"", None, NOT_JSON),
]

MULTI_ARGS = [1, "two", None]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def payload_entry(payload: Payload, json_value) -> dict:
    return {
        "metadata": {k: b64(v) for k, v in sorted(payload.metadata.items())},
        "data_base64": b64(payload.data),
        "json_value": None if json_value is NOT_JSON else json_value,
    }


def golden_payloads() -> list:
    conv = DataConverter.default.payload_converter
    entries = []
    for name, value, python_repr, json_value in VALUES:
        (payload,) = conv.to_payloads([value])
        # Round trip, so a fixture can never hold something the SDK can't read.
        back = conv.from_payloads([payload], [type(value)] if value is not None else None)[0]
        assert back == value, (name, back, value)
        entry = {"name": name, "python_repr": python_repr or repr(value)}
        entry.update(payload_entry(payload, json_value))
        entries.append(entry)

    payloads = conv.to_payloads(MULTI_ARGS)
    assert len(payloads) == len(MULTI_ARGS)
    entries.append(
        {
            "name": "multi_args",
            "python_repr": f"to_payloads({MULTI_ARGS!r})",
            "payloads": [payload_entry(p, v) for p, v in zip(payloads, MULTI_ARGS)],
        }
    )
    return entries


def fail_workflow_error() -> ApplicationError:
    """The error the `fail` workflow raises (WORKFLOWS.md), with message "boom"."""
    err = ApplicationError("boom", {"k": "v"}, 7, type="MyError", non_retryable=True)
    err.__cause__ = ApplicationError("inner cause", type="InnerError")
    return err


def golden_failure() -> dict:
    converter = DataConverter.default
    failure = Failure()
    converter.failure_converter.to_failure(
        fail_workflow_error(), converter.payload_converter, failure
    )
    as_json = json_format.MessageToJson(
        failure, preserving_proto_field_name=False, sort_keys=True
    )
    return {
        "binary_base64": b64(failure.SerializeToString(deterministic=True)),
        "json": json.loads(as_json),
    }


def write_json(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path.relative_to(REPO)}")


def main() -> None:
    write_json(FIXTURES / "golden_payloads.json", golden_payloads())
    write_json(FIXTURES / "golden_failure.json", golden_failure())


if __name__ == "__main__":
    main()
