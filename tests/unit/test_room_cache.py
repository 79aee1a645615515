"""The ticket endpoints' copy of a room: one database read at a time, never a stampede."""

from __future__ import annotations

import asyncio
import time

import pytest

from queue_app.api_v1 import cache


@pytest.fixture
def reads(monkeypatch):
    """Count the database reads; each takes 50 ms and returns a fresh object."""
    done: list[object] = []

    def load(slug):
        time.sleep(0.05)
        done.append(object())
        return done[-1]

    monkeypatch.setattr(cache, "_load", load)
    monkeypatch.setattr(cache, "_rooms", {})
    monkeypatch.setattr(cache, "_reading", {})
    return done


def test_many_requests_for_a_room_not_cached_yet_share_one_read(reads):
    async def scenario():
        return await asyncio.gather(*(cache.room("slug") for _ in range(50)))

    got = asyncio.run(scenario())
    assert len(reads) == 1 and all(info is reads[0] for info in got)


def test_when_the_copy_runs_out_one_request_reads_again_and_the_others_get_the_copy(reads):
    old = object()

    async def scenario():
        cache._rooms["slug"] = (time.monotonic() - cache.TTL - 0.1, old)  # just out of date
        first = await asyncio.gather(*(cache.room("slug") for _ in range(50)))
        while cache._reading:  # the read started by the first of them
            await asyncio.sleep(0.01)
        return first, await cache.room("slug")

    first, later = asyncio.run(scenario())
    assert all(info is old for info in first)  # nobody waited for the database
    assert len(reads) == 1 and later is reads[0]


def test_a_copy_older_than_stale_is_not_served_the_request_waits_for_the_read(reads):
    async def scenario():
        cache._rooms["slug"] = (time.monotonic() - cache.STALE - 1, object())
        return await cache.room("slug")

    assert asyncio.run(scenario()) is reads[0]


def test_a_read_that_started_before_a_change_here_is_not_kept(reads):
    async def scenario():
        reading = asyncio.ensure_future(cache.room("slug"))
        await asyncio.sleep(0.01)  # the read is in flight
        cache.forget("slug")  # e.g. the owner paused the room in this process
        await reading
        return "slug" in cache._rooms

    assert asyncio.run(scenario()) is False
