"""Rooms as the ticket endpoints see them, read from the database at most once a second.

Every ticket and status request needs its room (rate, window end, open or not); a second-old copy
is good enough, since windows slide every few seconds at the fastest, and it keeps the database
out of the hot path. A change made in this process (pause, admit) drops the copy at once.
"""

from __future__ import annotations

import time

from starlette.concurrency import run_in_threadpool

from queue_app.db import read_session
from queue_app.services import rooms
from queue_app.services.errors import NotFound

TTL = 1.0
MAX_ROOMS = 10_000
_rooms: dict[str, tuple[float, rooms.RoomInfo | None]] = {}


def _load(slug: str) -> rooms.RoomInfo | None:
    try:
        with read_session() as db:
            return rooms.room_info(db, slug)
    except NotFound:
        return None


async def room(slug: str) -> rooms.RoomInfo | None:
    """The room with this slug (None: there is none), at most `TTL` seconds old."""
    found = _rooms.get(slug)
    if found is not None and time.monotonic() - found[0] < TTL:
        return found[1]
    info = await run_in_threadpool(_load, slug[:64])
    if len(_rooms) > MAX_ROOMS:
        _rooms.clear()
    _rooms[slug] = (time.monotonic(), info)
    return info


def forget(slug: str) -> None:
    _rooms.pop(slug, None)
