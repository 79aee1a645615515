"""One read of everything a store's screens show: the input of every live view."""

from __future__ import annotations

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
    # Views derived once per snapshot and shared by every tab it is pushed to (see views.py).
    memo: dict = field(default_factory=dict, compare=False, repr=False)


def load_snapshot(db: Session, store_id: int, *, now: datetime) -> StoreSnapshot | None:
    """Read a store with its queues, customers, current pass and sign-ins (five queries), or None."""
    store = db.get(Store, store_id)
    if store is None:
        return None
    queues = tuple(db.exec(select(Queue).where(Queue.store_id == store_id).order_by(Queue.position)))
    rows = db.exec(select(Customer, Party).join(Party, Party.id == Customer.party_id)
                   .where(Customer.store_id == store_id).order_by(col(Customer.id))).all()
    sizes: dict[int, int] = {}
    for customer, _ in rows:
        sizes[customer.party_id] = sizes.get(customer.party_id, 0) + 1
    customers = tuple(CustomerRow(
        id=c.id, queue_id=c.queue_id, party_id=c.party_id, party_secret=p.secret,
        party_size=sizes[c.party_id], source=p.source, ticket_number=c.ticket_number, name=c.name,
        phone=c.phone, state=c.state, joined_at=c.joined_at, called_at=c.called_at,
        finished_at=c.finished_at) for c, p in rows)
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
        session_hashes=sessions)
