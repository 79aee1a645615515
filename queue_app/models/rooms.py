"""The waiting room's tables: its window, its counter row, its per-minute totals."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from queue_app.models.columns import foreign_key, utc_time


class WaitingRoom(SQLModel, table=True):
    """A store's waiting room: its rate and the end of the window (the session-queue design).

    No row per visitor: a ticket is a signed position; positions come from `RoomCounter` (or
    Redis). `next_slide_at` is the claim that lets exactly one worker slide the window each time.
    """

    __tablename__ = "waiting_room"

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("store.id", ondelete="CASCADE"),
                                              nullable=False, unique=True))
    slug: str = Field(max_length=64, unique=True)  # the visitor page `/w/[slug]`, unguessable
    window_size: int
    window_interval: int  # seconds
    active_windows: int
    target_url: str = Field(default="", max_length=500)
    starts_at: datetime | None = utc_time(nullable=True)
    paused: bool = False
    window_end: int = 0
    issued_seen: int = 0  # the counter as the last slide saw it (for the dashboard and report)
    slid_at: datetime = utc_time()
    next_slide_at: datetime = utc_time(index=True)


class RoomCounter(SQLModel, table=True):
    """The one database counter row per room (used when Redis is not configured)."""

    __tablename__ = "room_counter"

    room_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("waiting_room.id",
                                                                       ondelete="CASCADE"),
                                             primary_key=True))
    store_id: int = foreign_key("store.id")
    value: int = 0


class RoomMinute(SQLModel, table=True):
    """Running totals of a room at the end of a minute, for the report (counts, no visitor data)."""

    __tablename__ = "room_minute"
    __table_args__ = (sa.UniqueConstraint("room_id", "minute"),)

    id: int | None = Field(default=None, primary_key=True)
    room_id: int = foreign_key("waiting_room.id", index=False)
    store_id: int = foreign_key("store.id")
    minute: datetime = utc_time()
    issued: int = 0
    admitted: int = 0
    expired: int = 0
