"""One read of everything a store's screens show (the read model is `domain.snapshot`)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlmodel import Session, col, select

from queue_app.domain.snapshot import CustomerRow, StoreSnapshot  # noqa: F401  (the read model)
from queue_app.models import (
    Customer,
    OwnerSession,
    Party,
    Pass,
    PassState,
    Queue,
    Store,
    StoreStatus,
)
from queue_app.services import confirmation


def load_snapshot(db: Session, store_id: int, *, now: datetime, party_id: int | None = None,
                  counter_only: bool = False) -> StoreSnapshot | None:
    """Read a store with its queues, customers, current pass and sign-ins (five queries), or None.

    With `party_id`, only that party's customers (a ticket page's own people: three queries).
    With `counter_only`, no queues and no customers: what the counter's code needs (a scan).
    """
    store = db.get(Store, store_id)
    if store is None:
        return None
    queues = () if counter_only else tuple(  # the counter's code needs no queue
        db.exec(select(Queue).where(Queue.store_id == store_id).order_by(Queue.position)))
    # Plain column tuples, not ORM objects: a busy store has thousands of rows, and building
    # instances was most of the cost of a live push (measured with py-spy under `make bench`).
    rows = db.exec(select(
        Customer.id, Customer.queue_id, Customer.party_id, Party.secret, Party.source,
        Customer.ticket_number, Customer.name, Customer.phone, Customer.state, Customer.joined_at,
        Customer.called_at, Customer.finished_at).join(Party, Party.id == Customer.party_id)
        .where(Customer.store_id == store_id,
               *(() if party_id is None else (Customer.party_id == party_id,)))
        .order_by(col(Customer.id))).all() if not counter_only else []
    sizes = Counter(row[2] for row in rows)
    customers = tuple(CustomerRow(
        id=row[0], queue_id=row[1], party_id=row[2], party_secret=row[3], party_size=sizes[row[2]],
        source=row[4], ticket_number=row[5], name=row[6], phone=row[7], state=row[8],
        joined_at=row[9], called_at=row[10], finished_at=row[11]) for row in rows)
    if party_id is not None:
        return StoreSnapshot(
            store_id=store.id, name=store.name, description=store.description, timezone=store.timezone,
            status=store.status, opened_at=store.opened_at, closes_at=store.closes_at, slug=store.slug,
            display_key="", queues=queues, customers=customers, pass_token="", taken_at=now)
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
        session_hashes=sessions,
        email_confirmed=store.email_confirmed_at is not None or not confirmation.required())
