"""Conformance worker built on the official Python SDK (``temporalio``).

It implements every workflow type listed in ``WORKFLOWS.md`` (same directory),
under the same wire names, so the Rust client's conformance scenarios can run
against a real Temporal worker.

Usage::

    python worker.py --address 127.0.0.1:7233 --namespace default --task-queue TQ

Once the worker has connected and started polling it prints ``WORKER READY`` on
stdout. It runs until SIGTERM or SIGINT, then shuts down cleanly and exits 0.

The workflow sandbox re-imports this module, so everything that is not a
workflow definition stays behind the ``__main__`` guard at the bottom.
"""

import asyncio
from datetime import timedelta
from typing import Any, List, Optional, Type

from temporalio import activity, workflow
from temporalio.common import RetryPolicy, SearchAttributeKey
from temporalio.exceptions import ActivityError, ApplicationError, CancelledError
from temporalio.worker import (
    ExecuteWorkflowInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

CONFORMANCE_STAGE = SearchAttributeKey.for_keyword("ConformanceStage")


@workflow.defn(name="hello")
class Hello:
    @workflow.run
    async def run(self, name: str) -> str:
        return f"Hello, {name}!"


@workflow.defn(name="echo")
class Echo:
    @workflow.run
    async def run(self, *args: Any) -> List[Any]:
        return list(args)


@workflow.defn(name="echo_bytes")
class EchoBytes:
    @workflow.run
    async def run(self, data: bytes) -> bytes:
        return data


@workflow.defn(name="counter")
class Counter:
    # workflow.init: the initial value is set before any signal or update handler
    # runs, so update-with-start sees it.
    @workflow.init
    def __init__(self, initial: int) -> None:
        self.value = initial
        self.finished = False

    @workflow.run
    async def run(self, initial: int) -> int:
        await workflow.wait_condition(lambda: self.finished)
        return self.value

    @workflow.signal(name="increment")
    def increment(self, n: int) -> None:
        self.value += n

    @workflow.signal(name="finish")
    def finish(self) -> None:
        self.finished = True

    @workflow.query(name="get_value")
    def get_value(self) -> int:
        return self.value

    @workflow.query(name="fail_query")
    def fail_query(self) -> int:
        raise ApplicationError("query failed on purpose")

    @workflow.update(name="add")
    def add(self, n: int) -> int:
        self.value += n
        return self.value

    @add.validator
    def validate_add(self, n: int) -> None:
        if n < 0:
            raise ApplicationError("negative increment")


@workflow.defn(name="wait_cancel")
class WaitCancel:
    def __init__(self) -> None:
        self.cleaned = False

    @workflow.run
    async def run(self) -> None:
        try:
            await workflow.wait_condition(lambda: False)
        except asyncio.CancelledError:
            # Cleanup, then re-raise so the workflow ends as Canceled.
            self.cleaned = True
            raise

    @workflow.query(name="cleaned_up")
    def cleaned_up(self) -> bool:
        return self.cleaned


@workflow.defn(name="fail")
class Fail:
    @workflow.run
    async def run(self, message: str) -> None:
        raise ApplicationError(
            message, {"k": "v"}, 7, type="MyError", non_retryable=True
        ) from ApplicationError("inner cause", type="InnerError")


@workflow.defn(name="retry_then_succeed")
class RetryThenSucceed:
    @workflow.run
    async def run(self) -> str:
        attempt = workflow.info().attempt
        if attempt == 1:
            raise ApplicationError("first attempt fails", type="Flaky")
        return f"succeeded on attempt {attempt}"


@workflow.defn(name="continue_as_new")
class ContinueAsNew:
    @workflow.run
    async def run(self, n: int) -> str:
        if n > 0:
            workflow.continue_as_new(n - 1)
        return "done"


@workflow.defn(name="cron")
class Cron:
    @workflow.run
    async def run(self) -> str:
        return "cron run"


@workflow.defn(name="sleep")
class Sleep:
    @workflow.run
    async def run(self, ms: int) -> str:
        await workflow.sleep(timedelta(milliseconds=ms))
        return "slept"


@workflow.defn(name="search_attrs")
class SearchAttrs:
    def __init__(self) -> None:
        self.finished = False

    @workflow.run
    async def run(self) -> str:
        workflow.upsert_search_attributes([CONFORMANCE_STAGE.value_set("upserted")])
        workflow.upsert_memo({"note": "from worker"})
        await workflow.wait_condition(lambda: self.finished)
        return "done"

    @workflow.signal(name="finish")
    def finish(self) -> None:
        self.finished = True


@workflow.defn(name="long_update")
class LongUpdate:
    def __init__(self) -> None:
        self.finished = False

    @workflow.run
    async def run(self) -> str:
        # Let running `slow` updates complete before the workflow closes.
        await workflow.wait_condition(
            lambda: self.finished and workflow.all_handlers_finished()
        )
        return "done"

    @workflow.update(name="slow")
    async def slow(self, ms: int) -> str:
        await workflow.sleep(timedelta(milliseconds=ms))
        return "slow done"

    @workflow.signal(name="finish")
    def finish(self) -> None:
        self.finished = True


@workflow.defn(name="header_echo")
class HeaderEcho:
    def __init__(self) -> None:
        self.finished = False

    @workflow.run
    async def run(self, echo: Any = None) -> Any:
        # `echo` is the start's Temporal header entry "echo", put in place of the
        # arguments by HeaderEchoInterceptor below.
        await workflow.wait_condition(lambda: self.finished)
        return echo

    @workflow.query(name="echo_arg")
    def echo_arg(self, value: Any) -> Any:
        return value

    @workflow.signal(name="finish")
    def finish(self) -> None:
        self.finished = True


class _HeaderEchoInbound(WorkflowInboundInterceptor):
    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        if workflow.info().workflow_type == "header_echo":
            payload = input.headers.get("echo")
            value = workflow.payload_converter().from_payload(payload) if payload else None
            input.args = [value]
        return await super().execute_workflow(input)


class HeaderEchoInterceptor(Interceptor):
    """Lets `header_echo` return the Temporal header a client interceptor sent."""

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> Optional[Type[WorkflowInboundInterceptor]]:
        return _HeaderEchoInbound


@activity.defn(name="complete_async")
async def complete_async(*args: Any) -> Any:
    """Sends its task token to its workflow (signal `activity_token`) and leaves the
    completion to a client: `raise_complete_async`."""
    info = activity.info()
    handle = activity.client().get_workflow_handle(
        info.workflow_id, run_id=info.workflow_run_id
    )
    await handle.signal("activity_token", list(info.task_token))
    activity.raise_complete_async()


@workflow.defn(name="async_activity")
class AsyncActivity:
    """Schedules `complete_async` (id `activity_id`, one attempt) and returns what a
    client completes it with."""

    def __init__(self) -> None:
        self.token: Optional[List[int]] = None
        self.cancel = False

    @workflow.run
    async def run(self, activity_id: str) -> Any:
        handle = workflow.start_activity(
            "complete_async",
            activity_id=activity_id,
            start_to_close_timeout=timedelta(minutes=5),
            retry_policy=RetryPolicy(maximum_attempts=1),
            cancellation_type=workflow.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
        )
        await workflow.wait_condition(lambda: self.cancel or handle.done())
        if not handle.done():
            handle.cancel()
        try:
            return await handle
        except ActivityError as err:
            if isinstance(err.cause, CancelledError):
                return {"canceled": list(err.cause.details)}
            raise

    @workflow.signal(name="activity_token")
    def activity_token(self, token: List[int]) -> None:
        self.token = token

    @workflow.signal(name="cancel_activity")
    def cancel_activity(self) -> None:
        self.cancel = True

    @workflow.query(name="task_token")
    def task_token(self) -> Optional[List[int]]:
        return self.token


WORKFLOWS = [
    Hello,
    Echo,
    EchoBytes,
    Counter,
    WaitCancel,
    Fail,
    RetryThenSucceed,
    ContinueAsNew,
    Cron,
    Sleep,
    SearchAttrs,
    LongUpdate,
    HeaderEcho,
    AsyncActivity,
]

ACTIVITIES = [complete_async]


async def main(address: str, namespace: str, task_queue: str, codec: str = "") -> None:
    import dataclasses
    import signal

    import temporalio.converter
    from temporalio.client import Client
    from temporalio.worker import Worker

    data_converter = temporalio.converter.default()
    if codec == "zlib":
        from zlib_codec import ZlibCodec

        data_converter = dataclasses.replace(data_converter, payload_codec=ZlibCodec())
    elif codec:
        raise ValueError(f"unknown codec {codec!r} (known: zlib)")
    client = await Client.connect(address, namespace=namespace, data_converter=data_converter)
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=ACTIVITIES,
        interceptors=[HeaderEchoInterceptor()],
    )

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    run_task = asyncio.create_task(worker.run())
    # `is_running` turns true once the namespace check passed and the pollers
    # are being started; `run_task` finishing first means startup failed.
    while not worker.is_running:
        if run_task.done():
            await run_task  # raises the startup error
            raise RuntimeError("worker stopped before it started")
        await asyncio.sleep(0.01)
    print("WORKER READY", flush=True)

    stop_task = asyncio.create_task(stop.wait())
    await asyncio.wait({run_task, stop_task}, return_when=asyncio.FIRST_COMPLETED)
    if run_task.done():
        stop_task.cancel()
        await run_task  # the worker died on its own: surface the error
        return
    await worker.shutdown()
    await run_task


if __name__ == "__main__":
    import argparse
    import logging

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", default="localhost:7233")
    parser.add_argument("--namespace", default="default")
    parser.add_argument("--task-queue", required=True)
    parser.add_argument(
        "--codec",
        default="",
        help="payload codec: 'zlib' (zlib_codec.py, the payload_codec example's)",
    )
    opts = parser.parse_args()

    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(opts.address, opts.namespace, opts.task_queue, opts.codec))
