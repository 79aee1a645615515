"""Telling open waiting-room screens that the window moved: one broadcast per slide.

Visitors get the same payload (window end, rate, the "continue before" time of each active
window): each page works out its own status from its own position in the browser, so one emit
reaches every page of the room, on every worker. The owner's screens get the counts.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from queue_app.clock import utcnow
from queue_app.db import read_session
from queue_app.live import adapter
from queue_app.models import Store, StoreStatus, WaitingRoom
from queue_app.services import room_counter, rooms
from queue_app.views.common import local_time

log = logging.getLogger("queue_app.room_live")
_loop: asyncio.AbstractEventLoop | None = None
_states: dict[str, type] = {}


def bind(*, visitor: type, owner: type) -> None:
    """Called once by the composition root with the two page states that show a room."""
    _states.update(visitor=visitor, owner=owner)


async def remember_loop() -> None:
    """Lifespan task: the server's loop, for emits from the scheduler thread."""
    global _loop
    _loop = asyncio.get_running_loop()


def visitors_room(room_id: int) -> str:
    return f"room:{room_id}"


def owners_room(room_id: int) -> str:
    return f"room:{room_id}:owner"


def visitor_view(room: WaitingRoom, *, zone: str, closed: bool, now: datetime) -> dict:
    """What every visitor page shares; no visitor data at all.

    `until_by_window[k]`: when tickets of the k-th active window from the top stop being let in
    (`k = (window_end - position) // window_size`), at the room's rate.
    """
    next_slide = max(room.next_slide_at, now)
    until = [local_time(next_slide + timedelta(seconds=(room.active_windows - 1 - k)
                                                     * room.window_interval), zone)
             for k in range(room.active_windows)]
    opens_at = local_time(room.starts_at, zone) if room.starts_at and room.starts_at > now else ""
    return {"window_end": room.window_end, "window_size": room.window_size,
            "window_interval": room.window_interval, "active_windows": room.active_windows,
            "paused": room.paused, "closed": closed, "until_by_window": until,
            "opens_at": opens_at}  # before a delayed start: when the first group is let in


def owner_view(room: WaitingRoom, *, issued: int, closed: bool) -> dict:
    admitted, expired = rooms.totals(issued, room.window_end, rooms.window_of(room))
    return {"issued": issued, "admitted": admitted, "expired": expired, "waiting": issued - admitted,
            "window_end": room.window_end, "window_size": room.window_size,
            "window_interval": room.window_interval, "paused": room.paused, "closed": closed,
            "rate": f"{room.window_size} every {room.window_interval} s"}


def views_of(room: WaitingRoom, *, issued: int | None = None, owner: bool = True
             ) -> tuple[dict, dict]:
    """(visitor view, owner view) of a room as committed now (`owner=False`: no counter read)."""
    with read_session() as db:
        store = db.get(Store, room.store_id)
        count = issued if issued is not None or not owner else room_counter.issued(db, room)
    closed = store is None or store.status is not StoreStatus.OPEN
    zone = store.timezone if store else "UTC"
    return (visitor_view(room, zone=zone, closed=closed, now=utcnow()),
            owner_view(room, issued=count, closed=closed) if owner else {})


async def publish(room: WaitingRoom, *, visitors: bool = True, issued: int | None = None) -> None:
    """One emit to the room's visitor pages (when the window moved) and one to its owners.

    `issued`: the count the slide saw; None reads the counter now.
    """
    try:
        visitor, owner = await asyncio.to_thread(views_of, room, issued=issued)
        if visitors and "visitor" in _states:
            await adapter.emit_to_room(visitors_room(room.id), _states["visitor"], visitor)
        if "owner" in _states:
            await adapter.emit_to_room(owners_room(room.id), _states["owner"], owner)
    except Exception:  # a lost broadcast is caught up by the next slide or a reload
        log.exception("room %s: broadcast failed", room.id)


def publish_soon(room: WaitingRoom, *, visitors: bool = True) -> None:
    """From the scheduler's thread, after a slide: publish on the server's loop, without waiting."""
    if _loop is None or _loop.is_closed():
        return
    asyncio.run_coroutine_threadsafe(publish(room, visitors=visitors, issued=room.issued_seen),
                                     _loop)
