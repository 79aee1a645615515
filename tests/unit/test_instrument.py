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


def test_every_full_garbage_collection_is_timed_in_the_gc_pause_histogram():
    import gc  # noqa: PLC0415

    from queue_app import metrics  # noqa: PLC0415

    metrics.watch_gc()
    metrics.watch_gc()  # once is enough: a second call adds no second callback
    assert gc.callbacks.count(metrics._time_gc) == 1
    labels = {"generation": "2"}
    before = REGISTRY.get_sample_value("queue_gc_pause_seconds_count", labels) or 0
    gc.collect()
    # The callback only records (it must take no lock); the next exposition moves it in.
    metrics.exposition()
    assert REGISTRY.get_sample_value("queue_gc_pause_seconds_count", labels) == before + 1
    assert REGISTRY.get_sample_value("queue_gc_pause_seconds_sum", labels) > 0


def test_the_gc_callback_never_touches_prometheus_so_it_cannot_deadlock_on_its_lock(monkeypatch):
    """A collection can start while this thread holds prometheus_client's value lock."""
    from queue_app import metrics  # noqa: PLC0415

    def observe_in_callback(**_labels):
        raise AssertionError("the gc callback observed the histogram")

    metrics._flush_gc()
    monkeypatch.setattr(metrics.GC_PAUSE_SECONDS, "labels", observe_in_callback)
    metrics._time_gc("start", {"generation": 2})
    metrics._time_gc("stop", {"generation": 2})  # only recorded
    assert list(metrics._gc_pauses)[-1][0] == 2
    monkeypatch.undo()
    metrics._flush_gc()  # ordinary code moves it in
    assert not metrics._gc_pauses
