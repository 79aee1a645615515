"""Each Reflex event gets a request id for its log lines and a latency sample for its handler."""

from __future__ import annotations

import asyncio
import io
import logging
import re
from types import SimpleNamespace

import pytest
from prometheus_client import REGISTRY
from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor

from queue_app.instrument import instrument_events
from queue_app.logs import log_handler, report_unhandled


class ShopState:
    def call_next(self):
        """Stands in for a handler: only its qualified name is used."""


@pytest.fixture
def lines(monkeypatch):
    """What `queue_app.*` loggers write, formatted as the app formats them."""
    out, handler = io.StringIO(), log_handler()
    handler.setStream(out)
    logger = logging.getLogger("queue_app")
    logger.addHandler(handler)
    monkeypatch.setattr(logger, "level", logging.INFO)
    yield out
    logger.removeHandler(handler)


def count(handler: str) -> float:
    """How many times `handler` was timed (this process's registry: tests run without the dir)."""
    return REGISTRY.get_sample_value("queue_event_handler_seconds_count", {"handler": handler}) or 0


def test_an_events_log_lines_and_its_error_carry_one_request_id_and_its_latency_is_counted(
        monkeypatch, lines):
    async def handler_that_logs_then_fails(self, *, entry, registered_handler):
        logging.getLogger("queue_app.state").info("working on it")
        await asyncio.sleep(0.01)
        raise RuntimeError("boom")

    monkeypatch.setattr(BaseStateEventProcessor, "_execute_event", handler_that_logs_then_fails)
    instrument_events()
    instrument_events()  # idempotent: wrapped once
    registered = SimpleNamespace(handler=SimpleNamespace(fn=ShopState.call_next))
    before = count("ShopState.call_next")
    with pytest.raises(RuntimeError) as raised:
        asyncio.run(BaseStateEventProcessor._execute_event(None, entry=None, registered_handler=registered))
    rid = raised.value.queue_request_id
    assert re.fullmatch(r"ev-[0-9a-f]{12}", rid)
    assert f"INFO queue_app.state [{rid}]: working on it" in lines.getvalue()
    assert count("ShopState.call_next") == before + 1

    toast = report_unhandled(raised.value)  # Reflex's backend exception handler, later, elsewhere
    assert f"queue_app.errors [{rid}]: unhandled error" in lines.getvalue()
    assert rid in str(toast)
