"""Rooms as the ticket endpoints see them, read from the database at most once a second.

Every ticket and status request needs its room (rate, window end, open or not); a second-old copy
is good enough, since windows slide every few seconds at the fastest, and it keeps the database
out of the hot path. A change made in this process (pause, admit) drops the copy at once.

One read at a time per room: when the copy runs out, the first request reads the room again and
every other request meanwhile gets the copy it replaces (at most `STALE` old), instead of each
starting a read of its own. At thousands of requests a second that stampede, once a second, was
the ticket endpoint's p99 (≈ 100 ms; `make bench`, rooms).
"""

from __future__ import annotations

import asyncio
import time

from starlette.concurrency import run_in_threadpool

from queue_app.db import read_session
from queue_app.services import rooms
from queue_app.services.errors import NotFound

TTL = 1.0
STALE = 2 * TTL  # older than this, a request waits for the fresh copy
MAX_ROOMS = 10_000
_rooms: dict[str, tuple[float, rooms.RoomInfo | None]] = {}
_reading: dict[str, asyncio.Future] = {}  # slug → the read in flight
_epoch = [0]  # bumped by every `forget`: a read that started before it is not kept


def _load(slug: str) -> rooms.RoomInfo | None:
    try:
        with read_session() as db:
            return rooms.room_info(db, slug)
    except NotFound:
        return None


async def room(slug: str) -> rooms.RoomInfo | None:
    """The room with this slug (None: there is none), at most `TTL` (`STALE` under load) old."""
    found = _rooms.get(slug)
    age = time.monotonic() - found[0] if found is not None else None
    if age is not None and age < TTL:
        return found[1]
    reading = _reading.get(slug)
    if reading is None or reading.get_loop() is not asyncio.get_running_loop():
        reading = _reading[slug] = asyncio.ensure_future(_read(slug))
    if age is not None and age < STALE:
        return found[1]  # one request is reading it again; the others go on with this copy
    return await asyncio.shield(reading)


async def _read(slug: str) -> rooms.RoomInfo | None:
    epoch = _epoch[0]
    try:
        info = await run_in_threadpool(_load, slug[:64])
    finally:
        if _reading.get(slug) is asyncio.current_task():
            del _reading[slug]
    if _epoch[0] == epoch:  # no change made here meanwhile: this read is not older than one
        if len(_rooms) > MAX_ROOMS:
            _rooms.clear()
        _rooms[slug] = (time.monotonic(), info)
    return info


def forget(slug: str) -> None:
    """A change made in this process: the next request reads the room again."""
    _epoch[0] += 1
    _rooms.pop(slug, None)
    _reading.pop(slug, None)
