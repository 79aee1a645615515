"""Waiting rooms: open one beside a store, read it, change its rate, and slide its window.

The window slides in `slide_due_rooms`, called by a scheduler job in every worker: each room's
slide is *claimed* with a conditional UPDATE on `next_slide_at` (the row count says who won), so
it happens exactly once per interval across workers and replicas — the seed's leader key, in the
database. Positions come from `services.room_counter`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select, update

from queue_app.domain import rooms as rules
from queue_app.domain.rooms import RoomForm, Window
from queue_app.models import Queue, RoomCounter, RoomMinute, Store, StoreStatus, WaitingRoom
from queue_app.services.errors import NotAllowed, NotFound, ValidationError

Issued = Callable[[Session, WaitingRoom], int]  # how many positions a room handed out (DB row or Redis)
NOBODY_WAITS = "Nobody is waiting: everyone who took a ticket is already let in."


@dataclass(frozen=True)
class RoomInfo:
    """What the ticket endpoints need to know about a room (cached for a second per worker)."""

    id: int
    store_id: int
    slug: str
    name: str
    window: Window
    window_end: int
    slid_at: datetime
    next_slide_at: datetime
    paused: bool
    open: bool
    starts_at: datetime | None
    closes_at: datetime
    target_url: str


def add_room(db: Session, store: Store, form: RoomForm, *, now: datetime) -> WaitingRoom:
    """The room and its counter row, in the caller's transaction (the store's opening)."""
    start = max(form.starts_at or now, now)  # the first batch is let in at the start
    room = WaitingRoom(store_id=store.id, slug=secrets.token_urlsafe(12), window_size=form.window.size,
                       window_interval=form.window.interval_seconds,
                       active_windows=form.window.active_windows, target_url=form.target_url,
                       starts_at=form.starts_at, slid_at=start, next_slide_at=start)
    db.add(room)
    db.flush()
    db.add(RoomCounter(room_id=room.id, store_id=store.id))
    return room


def room_of_store(db: Session, store_id: int) -> WaitingRoom | None:
    return db.exec(select(WaitingRoom).where(WaitingRoom.store_id == store_id)).first()


def room_only(db: Session, store_id: int) -> bool:
    """A waiting room with no counter queue beside it (its owner's screen is the room's)."""
    return room_of_store(db, store_id) is not None and db.exec(
        select(Queue.id).where(Queue.store_id == store_id).limit(1)).first() is None


def room_info(db: Session, slug: object) -> RoomInfo:
    found = db.exec(select(WaitingRoom, Store).join(Store, Store.id == WaitingRoom.store_id)
                    .where(WaitingRoom.slug == str(slug)[:64])).first()
    if found is None:
        raise NotFound("This waiting room does not exist.")
    room, store = found
    return RoomInfo(room.id, store.id, room.slug, store.name, window_of(room), room.window_end,
                    room.slid_at, room.next_slide_at, room.paused,
                    store.status is StoreStatus.OPEN, room.starts_at, store.closes_at, room.target_url)


def window_of(room: WaitingRoom) -> Window:
    return Window(room.window_size, room.window_interval, room.active_windows)


def set_paused(db: Session, store_id: int, paused: bool, *, now: datetime) -> WaitingRoom:
    """Pause stops the slides (visitors keep their place); resume restarts them one interval on."""
    room = _owned_open_room(db, store_id)
    room.paused = paused
    if not paused:
        room.next_slide_at = now + timedelta(seconds=room.window_interval)
    db.add(room)
    db.commit()
    return room


def set_rate(db: Session, store_id: int, *, size: object, interval: object, now: datetime
             ) -> WaitingRoom:
    room = _owned_open_room(db, store_id)
    errors = rules.window_errors(size, interval, room.active_windows)
    if errors:
        raise ValidationError(errors)
    room.window_size, room.window_interval = int(str(size)), int(str(interval))
    room.next_slide_at = min(room.next_slide_at, now + timedelta(seconds=room.window_interval))
    db.add(room)
    db.commit()
    return room


def admit_next_batch(db: Session, store_id: int, *, issued: Issued, now: datetime) -> WaitingRoom:
    """Slide now (the owner's button), with the skip rule; the next slide is one interval later."""
    for _ in range(3):  # the scheduler may claim this interval at the same moment: read again
        room = _owned_open_room(db, store_id)
        count = issued(db, room)
        if rules.slide(room.window_end, count, room.window_size) is None:
            raise NotAllowed(NOBODY_WAITS)
        if _claim_slide(db, room, count, now=now, forced=True):
            return _fresh(db, room.id)
        db.expire_all()
    raise NotAllowed("The window just moved on another screen — try again.")


@dataclass(frozen=True)
class Slide:
    room: WaitingRoom  # as committed after the claim
    moved: bool  # False: skipped (paused, or nobody waits); the totals were still recorded


def slide_due_rooms(db: Session, *, issued: Issued, now: datetime, limit: int = 200) -> list[Slide]:
    """Slide (or skip) every open room whose interval is up; the claims this process won."""
    due = db.exec(select(WaitingRoom).join(Store, Store.id == WaitingRoom.store_id)
                  .where(WaitingRoom.next_slide_at <= now, Store.status == StoreStatus.OPEN)
                  .order_by(WaitingRoom.next_slide_at).limit(limit)).all()
    for room in due:
        db.expunge(room)  # as seen now: the claim below is conditional on exactly this
    db.rollback()
    won = []
    for room in due:
        moved = _claim_slide(db, room, issued(db, room), now=now, forced=False)
        if moved is not None:
            won.append(Slide(_fresh(db, room.id), moved))
    return won


def _fresh(db: Session, room_id: int) -> WaitingRoom:
    """The room as committed, detached, with no transaction left open (SQLite's write lock)."""
    room = db.get(WaitingRoom, room_id, populate_existing=True)
    db.expunge(room)
    db.rollback()
    return room


def _claim_slide(db: Session, room: WaitingRoom, issued: int, *, now: datetime, forced: bool
                 ) -> bool | None:
    """Win this interval's claim, then move the window unless paused or nobody waits.

    The claim (`next_slide_at` and `window_end` as seen) makes a worker that saw the same due room
    do nothing (None). A skipped slide still records the minute's totals (False); True: it moved.
    """
    end = None if room.paused and not forced else rules.slide(room.window_end, issued,
                                                              room.window_size)
    values = {"next_slide_at": now + timedelta(seconds=room.window_interval), "issued_seen": issued}
    if end is not None:
        values |= {"window_end": end, "slid_at": now}
    won = db.exec(update(WaitingRoom).where(WaitingRoom.id == room.id,
                                            WaitingRoom.window_end == room.window_end,
                                            WaitingRoom.next_slide_at == room.next_slide_at)
                  .values(**values))
    if won.rowcount != 1:
        db.rollback()
        return None
    _record_minute(db, room, issued=issued, window_end=end or room.window_end, now=now)
    db.commit()
    return end is not None


def totals(issued: int, window_end: int, window: Window) -> tuple[int, int]:
    """(admitted, expired) so far: positions that reached the window, and that left it."""
    admitted = min(window_end, issued)
    return admitted, min(max(0, window_end - window.active_windows * window.size), issued)


def _record_minute(db: Session, room: WaitingRoom, *, issued: int, window_end: int, now: datetime
                   ) -> None:
    """Running totals at this minute (one row per minute, never per visitor)."""
    minute = now.replace(second=0, microsecond=0)
    admitted, expired = totals(issued, window_end, window_of(room))
    values = {"issued": issued, "admitted": admitted, "expired": expired}
    changed = db.exec(update(RoomMinute).where(RoomMinute.room_id == room.id,
                                               RoomMinute.minute == minute).values(**values))
    if changed.rowcount == 0:
        db.add(RoomMinute(room_id=room.id, store_id=room.store_id, minute=minute, **values))


def minutes_of(db: Session, store_id: int) -> list[RoomMinute]:
    return list(db.exec(select(RoomMinute).where(RoomMinute.store_id == store_id)
                        .order_by(RoomMinute.minute)))


def _owned_open_room(db: Session, store_id: int) -> WaitingRoom:
    store = db.get(Store, store_id)
    if store is None or store.status is not StoreStatus.OPEN:
        raise NotAllowed("This waiting room is closed.")
    room = room_of_store(db, store_id)
    if room is None:
        raise NotFound("This store has no waiting room.")
    return room
