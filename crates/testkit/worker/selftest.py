"""Self-test for the conformance worker (worker.py) against a local dev server.

It starts ``temporal server start-dev`` on a free loopback port with the
suite's search attributes, starts worker.py on a fresh task queue, runs every
workflow of WORKFLOWS.md once through the official Python client and checks
the documented results and errors. The server and the worker are always
stopped at the end. Exit code 0 means every check passed.

Usage (after scripts/install-test-deps.sh)::

    .venv/bin/python crates/testkit/worker/selftest.py [-v]

``-v`` also prints what the Python client observed for each error case.
The ``temporal`` CLI is looked up next to the running python, then on PATH.
"""

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    Client,
    WorkflowFailureError,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
)
from temporalio.common import RetryPolicy, SearchAttributeKey
from temporalio.exceptions import (
    ApplicationError,
    CancelledError,
    RetryState,
    TimeoutError,
    TimeoutType,
)

HERE = Path(__file__).resolve().parent
SEARCH_ATTRIBUTES = [
    "ConformanceStage=Keyword",
    "ConformanceCount=Int",
    "ConformanceText=Text",
    "ConformanceScore=Double",
    "ConformanceFlag=Bool",
    "ConformanceWhen=Datetime",
    "ConformanceTags=KeywordList",
]
VERBOSE = "-v" in sys.argv[1:]


def note(msg: str) -> None:
    if VERBOSE:
        print(f"    {msg}", flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def temporal_cli() -> str:
    beside = Path(sys.executable).parent / "temporal"
    if beside.exists():
        return str(beside)
    found = shutil.which("temporal")
    if not found:
        sys.exit("selftest: `temporal` CLI not found; run scripts/install-test-deps.sh")
    return found


def stop_process(proc: "subprocess.Popen | None", name: str) -> "int | None":
    """SIGTERM, wait up to 10 s, then SIGKILL. Returns the exit code."""
    if proc is None:
        return None
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            print(f"selftest: {name} ignored SIGTERM, killing it", flush=True)
            proc.kill()
            proc.wait()
    return proc.returncode


async def wait_for_server(address: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"dev server exited early with code {server.returncode}")
        try:
            # connect() is eager: it dials and calls GetSystemInfo.
            await Client.connect(address, namespace="default")
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


def wait_for_ready(worker: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    assert worker.stdout is not None
    os.set_blocking(worker.stdout.fileno(), False)
    buf = b""
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"worker exited early with code {worker.returncode}")
        chunk = worker.stdout.read()
        if chunk:
            buf += chunk
            if b"WORKER READY\n" in buf:
                return
        time.sleep(0.05)
    raise RuntimeError("worker did not print WORKER READY in time")


async def close_event(client: Client, wf_id: str, run_id: "str | None" = None):
    handle = client.get_workflow_handle(wf_id, run_id=run_id)
    events = [e async for e in handle.fetch_history_events()]
    return events[-1], events


async def expect_raises(exc_type, coro):
    try:
        await coro
    except exc_type as err:
        return err
    raise AssertionError(f"expected {exc_type.__name__}")


# --- one check per workflow type -------------------------------------------


async def check_echo(client: Client, tq: str) -> None:
    args = [1, "a", None, [1, 2], {"x": {"y": 1}}, True, 2.5]
    res = await client.execute_workflow("echo", args=args, id=uid("echo"), task_queue=tq)
    assert res == args, res
    res = await client.execute_workflow("echo", id=uid("echo0"), task_queue=tq)
    assert res == [], res


async def check_echo_bytes(client: Client, tq: str) -> None:
    wf_id = uid("echo-bytes")
    data = b"\x00\x01\xfe\xffbytes"
    res = await client.execute_workflow("echo_bytes", data, id=wf_id, task_queue=tq)
    assert res == data, res
    ev, events = await close_event(client, wf_id)
    payload = ev.workflow_execution_completed_event_attributes.result.payloads[0]
    assert payload.metadata["encoding"] == b"binary/plain", payload.metadata
    assert payload.data == data
    started = events[0].workflow_execution_started_event_attributes.input.payloads[0]
    assert started.metadata["encoding"] == b"binary/plain", started.metadata


async def check_counter(client: Client, tq: str) -> None:
    h = await client.start_workflow("counter", 5, id=uid("counter"), task_queue=tq)
    await h.signal("increment", 3)
    assert await h.query("get_value") == 8
    assert await h.execute_update("add", 2) == 10

    err = await expect_raises(WorkflowUpdateFailedError, h.execute_update("add", -1))
    note(f"update rejected: {type(err).__name__}({err}) cause={type(err.cause).__name__}"
         f"(message={err.cause.message!r}, type={err.cause.type!r}, "
         f"non_retryable={err.cause.non_retryable})")
    assert isinstance(err.cause, ApplicationError), err.cause
    assert err.cause.message == "negative increment", err.cause.message

    err = await expect_raises(WorkflowQueryFailedError, h.query("fail_query"))
    note(f"query failed: {type(err).__name__}({err.message!r})")
    assert err.message == "query failed on purpose", err.message

    err = await expect_raises(WorkflowQueryFailedError, h.query("no_such_query"))
    note(f"unknown query: {type(err).__name__}({err.message!r})")

    assert await h.query("get_value") == 10  # rejected update changed nothing
    await h.signal("finish")
    assert await h.result() == 10

    # A validator rejection leaves no update events in history.
    events = [e async for e in h.fetch_history_events()]
    kinds = {EventType.Name(e.event_type) for e in events}
    note(f"counter history event types: {sorted(kinds)}")
    accepted = [e for e in events
                if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED]
    assert len(accepted) == 1, len(accepted)


async def check_wait_cancel(client: Client, tq: str) -> None:
    h = await client.start_workflow("wait_cancel", id=uid("wait-cancel"), task_queue=tq)
    assert await h.query("cleaned_up") is False
    await h.cancel()
    err = await expect_raises(WorkflowFailureError, h.result())
    note(f"cancel: {type(err).__name__}({err}) "
         f"cause={type(err.cause).__name__}({err.cause}) details={err.cause.details!r}")
    assert isinstance(err.cause, CancelledError), err.cause
    assert (await h.describe()).status.name == "CANCELED"
    # Querying the closed workflow replays it, cleanup included.
    assert await h.query("cleaned_up") is True
    ev, _ = await close_event(client, h.id)
    note(f"close event: {EventType.Name(ev.event_type)} "
         f"attrs={ev.workflow_execution_canceled_event_attributes}".replace("\n", " "))


async def check_fail(client: Client, tq: str) -> None:
    wf_id = uid("fail")
    err = await expect_raises(
        WorkflowFailureError, client.execute_workflow("fail", "boom", id=wf_id, task_queue=tq)
    )
    cause = err.cause
    note(f"fail: {type(err).__name__}({err})")
    note(f"  cause: {type(cause).__name__} message={cause.message!r} type={cause.type!r} "
         f"non_retryable={cause.non_retryable} details={cause.details!r}")
    inner = cause.cause
    note(f"  cause.cause: {type(inner).__name__} message={inner.message!r} type={inner.type!r} "
         f"non_retryable={inner.non_retryable} details={inner.details!r}")
    assert isinstance(cause, ApplicationError)
    assert cause.message == "boom" and cause.type == "MyError" and cause.non_retryable
    assert list(cause.details) == [{"k": "v"}, 7], cause.details
    assert isinstance(inner, ApplicationError)
    assert inner.message == "inner cause" and inner.type == "InnerError"
    assert not inner.non_retryable and list(inner.details) == []

    ev, _ = await close_event(client, wf_id)
    attrs = ev.workflow_execution_failed_event_attributes
    note(f"fail close event retry_state={RetryState(attrs.retry_state).name}")
    # No retry policy was given, so the server reports RETRY_POLICY_NOT_SET
    # (not NON_RETRYABLE_FAILURE) even though the error is non-retryable.
    assert attrs.retry_state == RetryState.RETRY_POLICY_NOT_SET, attrs.retry_state
    failure = attrs.failure
    if VERBOSE:
        from google.protobuf.json_format import MessageToJson

        shown = type(failure)()
        shown.CopyFrom(failure)
        shown.stack_trace = f"<{len(failure.stack_trace)} chars>"
        shown.cause.stack_trace = f"<{len(failure.cause.stack_trace)} chars>"
        note("fail close-event failure proto:\n" + MessageToJson(shown, sort_keys=True))
    assert failure.message == "boom"
    assert failure.application_failure_info.type == "MyError"
    assert failure.application_failure_info.non_retryable
    assert len(failure.application_failure_info.details.payloads) == 2
    assert failure.cause.message == "inner cause"
    assert failure.cause.application_failure_info.type == "InnerError"


async def check_retry_then_succeed(client: Client, tq: str) -> None:
    h = await client.start_workflow(
        "retry_then_succeed",
        id=uid("retry"),
        task_queue=tq,
        retry_policy=RetryPolicy(maximum_attempts=3, initial_interval=timedelta(seconds=1)),
    )
    assert await h.result() == "succeeded on attempt 2"
    first_close, _ = await close_event(client, h.id, h.first_execution_run_id)
    attrs = first_close.workflow_execution_failed_event_attributes
    note(f"retry: first run closed {EventType.Name(first_close.event_type)} "
         f"retry_state={RetryState(attrs.retry_state).name} new_execution_run_id set={bool(attrs.new_execution_run_id)}")
    assert attrs.new_execution_run_id


async def check_continue_as_new(client: Client, tq: str) -> None:
    h = await client.start_workflow("continue_as_new", 3, id=uid("can"), task_queue=tq)
    t0 = time.monotonic()
    assert await h.result() == "done"
    note(f"continue_as_new: result() took {time.monotonic() - t0:.2f}s")
    if VERBOSE:
        from temporalio.api.workflowservice.v1 import ListWorkflowExecutionsRequest
        await asyncio.sleep(1.5)  # visibility is eventually consistent
        runs = await client.workflow_service.list_workflow_executions(
            ListWorkflowExecutionsRequest(namespace="default", query=f"WorkflowId='{h.id}'"))
        for r in sorted(runs.executions, key=lambda r: r.start_time.ToDatetime()):
            note(f"  run start={r.start_time.ToDatetime().time()} "
                 f"close={r.close_time.ToDatetime().time()} status={r.status}")
    desc = await client.get_workflow_handle(h.id).describe()
    assert desc.run_id != h.first_execution_run_id
    err = await expect_raises(Exception, client.get_workflow_handle(
        h.id, run_id=h.first_execution_run_id).result(follow_runs=False))
    note(f"continue_as_new without following runs: {type(err).__name__}({err})")


async def check_cron(client: Client, tq: str) -> None:
    # A real cron schedule waits for the next minute, so only the body is run.
    res = await client.execute_workflow("cron", id=uid("cron"), task_queue=tq)
    assert res == "cron run", res


async def check_sleep(client: Client, tq: str) -> None:
    res = await client.execute_workflow("sleep", 100, id=uid("sleep"), task_queue=tq)
    assert res == "slept", res
    wf_id = uid("sleep-timeout")
    err = await expect_raises(WorkflowFailureError, client.execute_workflow(
        "sleep", 60_000, id=wf_id, task_queue=tq, run_timeout=timedelta(seconds=1)))
    ev, _ = await close_event(client, wf_id)
    assert ev.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT, ev
    retry_state = ev.workflow_execution_timed_out_event_attributes.retry_state
    note(f"run timeout close event retry_state={RetryState(retry_state).name}")
    assert retry_state == RetryState.RETRY_POLICY_NOT_SET, retry_state
    note(f"run timeout: {type(err).__name__}({err}) "
         f"cause={type(err.cause).__name__}({err.cause.message!r}, "
         f"type={err.cause.type!r}, last_heartbeat_details={err.cause.last_heartbeat_details!r})")
    assert isinstance(err.cause, TimeoutError), err.cause
    assert err.cause.type == TimeoutType.START_TO_CLOSE, err.cause.type


async def check_search_attrs(client: Client, tq: str) -> None:
    h = await client.start_workflow("search_attrs", id=uid("sa"), task_queue=tq)
    key = SearchAttributeKey.for_keyword("ConformanceStage")
    deadline = time.monotonic() + 10
    while True:
        desc = await h.describe()
        memo = await desc.memo()
        if desc.typed_search_attributes.get(key) == "upserted" and memo.get("note"):
            break
        assert time.monotonic() < deadline, (desc.typed_search_attributes, memo)
        await asyncio.sleep(0.1)
    assert memo == {"note": "from worker"}, memo
    raw = desc.raw_description.workflow_execution_info.search_attributes.indexed_fields
    note(f"upserted search attribute payload: metadata="
         f"{dict(raw['ConformanceStage'].metadata)} data={raw['ConformanceStage'].data!r}")
    await h.signal("finish")
    assert await h.result() == "done"


async def check_long_update(client: Client, tq: str) -> None:
    h = await client.start_workflow("long_update", id=uid("long-update"), task_queue=tq)
    started = time.monotonic()
    assert await h.execute_update("slow", 2000) == "slow done"
    took = time.monotonic() - started
    assert took >= 2.0, took
    await h.signal("finish")
    assert await h.result() == "done"


CHECKS = [
    check_echo,
    check_echo_bytes,
    check_counter,
    check_wait_cancel,
    check_fail,
    check_retry_then_succeed,
    check_continue_as_new,
    check_cron,
    check_sleep,
    check_search_attrs,
    check_long_update,
]

RUN = uuid.uuid4().hex[:8]


def uid(name: str) -> str:
    return f"selftest-{name}-{RUN}"


async def run_checks(client: Client, tq: str) -> int:
    failed = 0
    for check in CHECKS:
        name = check.__name__.removeprefix("check_")
        t0 = time.monotonic()
        try:
            await asyncio.wait_for(check(client, tq), timeout=60)
            print(f"ok   {name} ({time.monotonic() - t0:.2f}s)", flush=True)
        except Exception as err:
            failed += 1
            print(f"FAIL {name} ({time.monotonic() - t0:.2f}s): {type(err).__name__}: {err}",
                  flush=True)
    print(f"{len(CHECKS) - failed} passed, {failed} failed", flush=True)
    return failed


def main() -> int:
    t_start = time.monotonic()
    port = free_port()
    address = f"127.0.0.1:{port}"
    task_queue = f"selftest-{RUN}"
    server = worker = None
    failed = 1
    try:
        cmd = [temporal_cli(), "server", "start-dev", "--headless", "--ip", "127.0.0.1",
               "--port", str(port), "--log-level", "error"]
        for sa in SEARCH_ATTRIBUTES:
            cmd += ["--search-attribute", sa]
        server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                                  start_new_session=True)
        asyncio.run(wait_for_server(address, server))
        t_server = time.monotonic()
        print(f"dev server up on {address} ({t_server - t_start:.2f}s)", flush=True)

        worker = subprocess.Popen(
            [sys.executable, str(HERE / "worker.py"), "--address", address,
             "--namespace", "default", "--task-queue", task_queue],
            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True)
        wait_for_ready(worker, timeout=30)
        t_worker = time.monotonic()
        print(f"worker ready ({t_worker - t_server:.2f}s)", flush=True)

        async def go() -> int:
            client = await Client.connect(address, namespace="default")
            return await run_checks(client, task_queue)

        failed = asyncio.run(go())
        print(f"checks took {time.monotonic() - t_worker:.2f}s", flush=True)
    finally:
        t_stop = time.monotonic()
        worker_rc = stop_process(worker, "worker")
        server_rc = stop_process(server, "dev server")
        print(f"stopped worker (rc={worker_rc}) and server (rc={server_rc}) "
              f"in {time.monotonic() - t_stop:.2f}s; total {time.monotonic() - t_start:.2f}s",
              flush=True)
    if worker is not None and worker_rc != 0:
        print("FAIL worker did not shut down cleanly on SIGTERM", flush=True)
        failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
