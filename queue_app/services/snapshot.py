"""One read of everything a store's screens show: the input of every live view."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from queue_app.models import (
    Customer,
    CustomerState,
    OwnerSession,
    Party,
    Pass,
    PassState,
    Queue,
    Source,
    Store,
    StoreStatus,
)


@dataclass(frozen=True)
class CustomerRow:
    id: int
    queue_id: int
    party_id: int
    party_secret: str
    party_size: int
    source: Source
    ticket_number: int
    name: str
    phone: str
    state: CustomerState
    joined_at: datetime
    called_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class StoreSnapshot:
    store_id: int
    name: str
    description: str
    timezone: str
    status: StoreStatus
    opened_at: datetime
    closes_at: datetime
    slug: str
    display_key: str
    queues: tuple[Queue, ...]
    customers: tuple[CustomerRow, ...]  # in join order
    pass_token: str  # the pass the counter shows now ("" when none or closed)
    taken_at: datetime
    session_hashes: frozenset[str] = frozenset()  # the owner's live sign-ins (hashed tokens)
    email_confirmed: bool = True  # the owner opened the confirmation link (services/confirmation.py)
    # Views derived once per snapshot and shared by every tab it is pushed to (see views.py).
    memo: dict = field(default_factory=dict, compare=False, repr=False)


def load_snapshot(db: Session, store_id: int, *, now: datetime) -> StoreSnapshot | None:
    """Read a store with its queues, customers, current pass and sign-ins (five queries), or None."""
    store = db.get(Store, store_id)
    if store is None:
        return None
    queues = tuple(db.exec(select(Queue).where(Queue.store_id == store_id).order_by(Queue.position)))
    # Plain column tuples, not ORM objects: a busy store has thousands of rows, and building
    # instances was most of the cost of a live push (measured with py-spy under `make bench`).
    rows = db.exec(select(
        Customer.id, Customer.queue_id, Customer.party_id, Party.secret, Party.source,
        Customer.ticket_number, Customer.name, Customer.phone, Customer.state, Customer.joined_at,
        Customer.called_at, Customer.finished_at).join(Party, Party.id == Customer.party_id)
        .where(Customer.store_id == store_id).order_by(col(Customer.id))).all()
    sizes = Counter(row[2] for row in rows)
    customers = tuple(CustomerRow(
        id=row[0], queue_id=row[1], party_id=row[2], party_secret=row[3], party_size=sizes[row[2]],
        source=row[4], ticket_number=row[5], name=row[6], phone=row[7], state=row[8],
        joined_at=row[9], called_at=row[10], finished_at=row[11]) for row in rows)
    current = db.exec(select(Pass.token).where(Pass.store_id == store_id,
                                                Pass.state == PassState.NORMAL)
                      .order_by(col(Pass.id).desc()).limit(1)).first()
    sessions = frozenset(db.exec(select(OwnerSession.token_hash).where(
        OwnerSession.store_id == store_id, OwnerSession.expires_at > now)).all())
    return StoreSnapshot(
        store_id=store.id, name=store.name, description=store.description, timezone=store.timezone,
        status=store.status, opened_at=store.opened_at, closes_at=store.closes_at, slug=store.slug,
        display_key=store.display_key, queues=queues, customers=customers,
        pass_token=current or "" if store.status is StoreStatus.OPEN else "", taken_at=now,
        session_hashes=sessions, email_confirmed=store.email_confirmed_at is not None)
