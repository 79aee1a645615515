"""The one hook into Reflex's event processing: a request id and a latency metric per event.

Reflex 0.10.1 has no public "around each event" hook (`Middleware.postprocess` is never called),
so `instrument_events` wraps `BaseStateEventProcessor._execute_event`, which runs every event
handler in a task of its own. Inside that task the request id is set for every log line the
handler writes; on an error the id rides on the exception, so the error log and the toast the
user sees (`logs.report_unhandled`) name the same id. The latency label is the handler's
qualified name (`DashboardState.call_next`): names from the code, never from the payload.
"""

from __future__ import annotations

import time

from queue_app import metrics
from queue_app.logs import new_request_id, request_id


def instrument_events() -> None:
    """Wrap Reflex's event execution once per process (idempotent)."""
    from reflex_base.event.processor.base_state_processor import (  # noqa: PLC0415
        BaseStateEventProcessor,
    )

    original = BaseStateEventProcessor._execute_event  # noqa: SLF001
    if getattr(original, "queue_instrumented", False):
        return

    async def execute(self, *, entry, registered_handler) -> None:
        rid = new_request_id("ev-")
        request_id.set(rid)  # this task's own context: gone when the event is done
        started = time.perf_counter()
        try:
            await original(self, entry=entry, registered_handler=registered_handler)
        except Exception as error:
            error.queue_request_id = rid
            raise
        finally:
            metrics.handled(registered_handler.handler.fn.__qualname__, time.perf_counter() - started)

    execute.queue_instrumented = True
    BaseStateEventProcessor._execute_event = execute  # noqa: SLF001
