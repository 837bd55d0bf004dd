# The official Python SDK's side of tests/schedule_interop.rs: `create ADDRESS ID TASK_QUEUE`
# creates a schedule, `describe ADDRESS ID` prints one as JSON.
import asyncio, json, sys
from datetime import timedelta
from temporalio.client import (Client, Schedule, ScheduleActionStartWorkflow, ScheduleSpec,
    ScheduleIntervalSpec, ScheduleCalendarSpec, ScheduleRange, ScheduleState, SchedulePolicy,
    ScheduleOverlapPolicy)
from temporalio.api.common.v1 import Payload

async def values(client, items):
    items = list(items)
    if items and isinstance(items[0], Payload):
        return await client.data_converter.decode(items)
    return items

async def main():
    mode, address, sid = sys.argv[1], sys.argv[2], sys.argv[3]
    client = await Client.connect(address)
    if mode == "create":
        await client.create_schedule(sid, Schedule(
            action=ScheduleActionStartWorkflow("echo", args=["py", 7], id="py-wf", task_queue=sys.argv[4], memo={"kind": "from python"}),
            spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=timedelta(seconds=90), offset=timedelta(seconds=5))],
                              calendars=[ScheduleCalendarSpec(hour=[ScheduleRange(9, 17, 2)], comment="office")]),
            policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.BUFFER_ALL),
            state=ScheduleState(note="py note", paused=True)), memo={"owner": "python"})
        print("{}")
        return
    d = await client.get_schedule_handle(sid).describe()
    a = d.schedule.action
    memo = {}
    for k, v in (a.memo or {}).items():
        memo[k] = (await values(client, [v]))[0]
    print(json.dumps({
        "intervals": [[iv.every.total_seconds(), iv.offset.total_seconds()] for iv in d.schedule.spec.intervals],
        "workflow": a.workflow, "id": a.id, "task_queue": a.task_queue,
        "args": await values(client, a.args), "action_memo": memo,
        "memo": await d.memo(), "paused": d.schedule.state.paused, "note": d.schedule.state.note,
        "overlap": d.schedule.policy.overlap.name,
    }))

asyncio.run(main())
sys.stdout.flush()
import os
os._exit(0)  # the SDK's runtime can crash while the interpreter shuts down
