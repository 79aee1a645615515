"""The counter store's tables and the str enums of their statuses.

Store, queues, passes, parties, customers, owner sessions, reset tokens, attempts, report deliveries.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from queue_app.models.columns import foreign_key, status_column, utc_time


class StoreStatus(enum.StrEnum):
    OPEN = "open"
    CLOSING = "closing"  # closed for customers; report being delivered, data still kept
    CLOSED = "closed"  # report delivered (or archived) and customer data deleted


class CustomerState(enum.StrEnum):
    WAITING = "waiting"
    PROCESSING = "processing"
    DONE = "done"
    NO_SHOW = "no_show"
    DELETE = "delete"  # shown as "removed"; the name is Jerry0420's


class PassState(enum.StrEnum):
    NORMAL = "normal"
    SCANNED = "scanned"
    USED = "used"


class Source(enum.StrEnum):
    QR = "qr"
    WALK_IN = "walk-in"
    ONLINE = "online"  # remote check-in from the public store page


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    ARCHIVED = "archived"


class Store(SQLModel, table=True):
    __tablename__ = "store"
    __table_args__ = (
        sa.Index("uq_store_open_email", "email", unique=True,
                 sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'")),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)  # stored lower-cased
    password_hash: str = Field(max_length=255)
    name: str = Field(max_length=64)
    description: str = Field(default="", max_length=500)
    timezone: str = Field(max_length=64)
    # The address the owner opened the store at: mailed links use it when QUEUE_BASE_URL is unset
    # (never the Origin of a later request, which anyone can forge).
    origin: str = Field(default="", max_length=255, sa_column_kwargs={"server_default": ""})
    slug: str = Field(max_length=64, unique=True)  # public page, unguessable
    display_key: str = Field(max_length=64, unique=True)  # wall display, regenerable
    status: StoreStatus = status_column(StoreStatus, StoreStatus.OPEN, index=True)
    opened_at: datetime = utc_time()
    closes_at: datetime = utc_time(index=True)
    closed_at: datetime | None = utc_time(nullable=True)
    # With a real mail server, the store's mails wait until the owner opened the link mailed to
    # this address (services/confirmation.py); the hash of that single-use link's token.
    email_confirmed_at: datetime | None = utc_time(nullable=True)
    confirm_token_hash: str | None = Field(default=None, max_length=64, unique=True)


class Queue(SQLModel, table=True):
    __tablename__ = "queue"
    __table_args__ = (sa.UniqueConstraint("store_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = foreign_key("store.id")
    name: str = Field(max_length=32)
    prefix: str = Field(max_length=4)
    position: int
    default_service_seconds: int = 300
    last_ticket: int = 0  # bumped atomically per join: tickets are monotonic per queue
    # Remote check-in: the public store page offers a join form while `online` is on, until
    # `online_cap` online parties wait in this queue.
    online: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    online_cap: int = Field(default=20, sa_column_kwargs={"server_default": "20"})


class Pass(SQLModel, table=True):
    __tablename__ = "pass"
    __table_args__ = (  # the counter shows exactly one code: two screens loading at once can't add two
        sa.Index("uq_pass_one_normal_per_store", "store_id", unique=True,
                 sqlite_where=sa.text("state = 'normal'"), postgresql_where=sa.text("state = 'normal'")),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = foreign_key("store.id")
    token: str = Field(max_length=64, unique=True)  # shown in the QR code; ≥128 random bits
    state: PassState = status_column(PassState, PassState.NORMAL)
    browser_hash: str | None = Field(default=None, max_length=64)  # the browser that scanned it
    created_at: datetime = utc_time()
    scanned_at: datetime | None = utc_time(nullable=True)
    used_at: datetime | None = utc_time(nullable=True)


class Party(SQLModel, table=True):
    __tablename__ = "party"

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = foreign_key("store.id")
    secret: str = Field(max_length=64, unique=True)  # the ticket page's only credential
    source: Source = status_column(Source, Source.QR)
    pass_id: int | None = Field(default=None, sa_column=sa.Column(
        sa.Integer, sa.ForeignKey("pass.id", ondelete="SET NULL"), nullable=True, unique=True))
    created_at: datetime = utc_time()


class Customer(SQLModel, table=True):
    __tablename__ = "customer"
    __table_args__ = (sa.UniqueConstraint("queue_id", "ticket_number"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = foreign_key("store.id")
    queue_id: int = foreign_key("queue.id")
    party_id: int = foreign_key("party.id")
    ticket_number: int
    name: str = Field(max_length=64)
    phone: str = Field(default="", max_length=30)
    state: CustomerState = status_column(CustomerState, CustomerState.WAITING, index=True)
    joined_at: datetime = utc_time()
    called_at: datetime | None = utc_time(nullable=True)
    finished_at: datetime | None = utc_time(nullable=True)


class OwnerSession(SQLModel, table=True):
    __tablename__ = "owner_session"

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = foreign_key("store.id")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = utc_time()
    expires_at: datetime = utc_time(index=True)


class ResetToken(SQLModel, table=True):
    __tablename__ = "reset_token"

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = foreign_key("store.id")
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = utc_time(index=True)
    used_at: datetime | None = utc_time(nullable=True)


class Attempt(SQLModel, table=True):
    """One counted attempt for rate limiting (`key` is e.g. `signin-fail:<email>` or `join:<ip>`)."""

    __tablename__ = "attempt"
    __table_args__ = (sa.Index("ix_attempt_key_at", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300)
    at: datetime = utc_time(index=True)


class ReportDelivery(SQLModel, table=True):
    """The report of one closed store; outlives the store's data so a close is never reported twice."""

    __tablename__ = "report_delivery"

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("store.id"), unique=True,
                                              nullable=False))
    state: DeliveryState = status_column(DeliveryState, DeliveryState.PENDING, index=True)
    attempts: int = 0
    next_attempt_at: datetime = utc_time(index=True)
    claimed_until: datetime | None = utc_time(nullable=True)
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = utc_time()
    finished_at: datetime | None = utc_time(nullable=True)
