"""A worker with the official OpenTelemetry interceptor, for the trace propagation test.

It runs ``temporalio.contrib.opentelemetry.TracingInterceptor`` with an in-memory
span exporter and serves one workflow type, ``traced``, with a signal ``poke``, a
query ``state``, an update ``bump`` and a signal ``finish`` that completes it. Each
span the interceptor finishes is kept in memory and printed on stdout as one line::

    SPAN {"name": "RunWorkflow:traced", "trace_id": "<32 hex>", "span_id": "<16 hex>",
          "parent_span_id": "<16 hex or null>", "links": [{"trace_id": ..., "span_id": ...}]}

so the Rust test can compare the trace and span ids the worker continued with the
ones its client sent in the ``_tracer-data`` header.

Usage::

    python tracing_worker.py --address 127.0.0.1:7233 --namespace default --task-queue TQ

It prints ``WORKER READY`` once polling, and runs until SIGTERM or SIGINT.
"""

from temporalio import workflow


@workflow.defn(name="traced")
class Traced:
    def __init__(self) -> None:
        self.pokes = 0
        self.done = False

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self.done)
        return self.pokes

    @workflow.signal(name="poke")
    def poke(self) -> None:
        self.pokes += 1

    @workflow.signal(name="finish")
    def finish(self) -> None:
        self.done = True

    @workflow.query(name="state")
    def state(self) -> int:
        return self.pokes

    @workflow.update(name="bump")
    def bump(self, by: int) -> int:
        self.pokes += by
        return self.pokes


if __name__ == "__main__":
    import argparse
    import asyncio
    import json
    import signal
    from typing import Sequence

    import opentelemetry.trace
    from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from temporalio.client import Client
    from temporalio.contrib.opentelemetry import TracingInterceptor
    from temporalio.worker import Worker

    class ReportingExporter(InMemorySpanExporter):
        """Keeps spans in memory, and prints each one as it arrives."""

        def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
            result = super().export(spans)
            for span in spans:
                context = span.get_span_context()
                print(
                    "SPAN "
                    + json.dumps(
                        {
                            "name": span.name,
                            "trace_id": format(context.trace_id, "032x"),
                            "span_id": format(context.span_id, "016x"),
                            "parent_span_id": (
                                format(span.parent.span_id, "016x") if span.parent else None
                            ),
                            "links": [
                                {
                                    "trace_id": format(link.context.trace_id, "032x"),
                                    "span_id": format(link.context.span_id, "016x"),
                                }
                                for link in span.links
                            ],
                        }
                    ),
                    flush=True,
                )
            return result

    async def main() -> None:
        parser = argparse.ArgumentParser()
        parser.add_argument("--address", required=True)
        parser.add_argument("--namespace", default="default")
        parser.add_argument("--task-queue", required=True)
        args = parser.parse_args()

        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(ReportingExporter()))
        opentelemetry.trace.set_tracer_provider(provider)

        client = await Client.connect(args.address, namespace=args.namespace)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        async with Worker(
            client,
            task_queue=args.task_queue,
            workflows=[Traced],
            interceptors=[TracingInterceptor()],
        ):
            print("WORKER READY", flush=True)
            await stop.wait()

    asyncio.run(main())
