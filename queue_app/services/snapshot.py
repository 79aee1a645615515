"""One read of everything a store's screens show (the read model is `domain.snapshot`)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from queue_app.domain.snapshot import CustomerRow, QueueRow, StoreSnapshot
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

# The statements are built once, with their parameters bound at each read: building a statement
# (and its cache key) cost as much as running it (measured: 0.6 → 0.35 ms a statement, CPU). Column
# rows go through the connection, not the ORM: nothing here needs an identity map.
_STORE = select(Store.id, Store.name, Store.description, Store.timezone, Store.status, Store.opened_at,
                Store.closes_at, Store.slug, Store.display_key, Store.email_confirmed_at).where(
    Store.id == bindparam("store_id"))
_QUEUES = (select(*(getattr(Queue, name) for name in QueueRow._fields))
           .where(Queue.store_id == bindparam("store_id")).order_by(Queue.position))
# Plain column tuples, not ORM objects: a busy store has thousands of rows, and building
# instances was most of the cost of a live push (measured with py-spy under `make bench`).
_CUSTOMERS = (select(
    Customer.id, Customer.queue_id, Customer.party_id, Party.secret, Party.source,
    Customer.ticket_number, Customer.name, Customer.phone, Customer.state, Customer.joined_at,
    Customer.called_at, Customer.finished_at).join(Party, Party.id == Customer.party_id)
    .where(Customer.store_id == bindparam("store_id")).order_by(col(Customer.id)))
_PARTY_CUSTOMERS = _CUSTOMERS.where(Customer.party_id == bindparam("party_id"))
# The store with the pass its counter shows (at most one is `normal`: a unique index) and the
# owner's live sign-ins, in one statement: two fewer round trips for every publish.
_STORE_LIVE = (select(*_STORE.selected_columns, Pass.id.label("pass_id"), Pass.token.label("pass_token"),
                      select(sa.func.aggregate_strings(OwnerSession.token_hash, ","))
                      .where(OwnerSession.store_id == Store.id, OwnerSession.expires_at > bindparam("now"))
                      .scalar_subquery().label("sign_ins"))
               .outerjoin(Pass, sa.and_(Pass.store_id == Store.id, Pass.state == PassState.NORMAL))
               .where(Store.id == bindparam("store_id")))


def read_queues(db: Session, store_id: int) -> tuple[QueueRow, ...]:
    """A store's queues in position order, as plain rows."""
    return tuple(QueueRow(*row) for row in db.connection().execute(_QUEUES, {"store_id": store_id}))


def party_snapshot(store, queues, customers, *, now: datetime) -> StoreSnapshot:
    """One party's view of its store: the store (a row or a `Store`), its queues, its own people.

    No pass, display key or sign-ins: nothing a ticket page may hold.
    """
    return StoreSnapshot(
        store_id=store.id, name=store.name, description=store.description, timezone=store.timezone,
        status=store.status, opened_at=store.opened_at, closes_at=store.closes_at, slug=store.slug,
        display_key="", queues=tuple(sorted(queues, key=lambda q: q.position)),
        customers=tuple(customers), pass_token="", taken_at=now)


def load_snapshot(db: Session, store_id: int, *, now: datetime, party_id: int | None = None,
                  counter_only: bool = False) -> StoreSnapshot | None:
    """Read a store with its queues, customers, current pass and sign-ins (three queries), or None.

    With `party_id`, only that party's customers (a ticket page's own people: three queries).
    With `counter_only`, no queues and no customers: what the counter's code needs (one query).
    """
    run, key = db.connection().execute, {"store_id": store_id}
    store = run(_STORE, key).first() if party_id is not None else run(_STORE_LIVE, key | {"now": now}).first()
    if store is None:
        return None
    queues = () if counter_only else read_queues(db, store_id)  # the code needs none
    if counter_only:
        rows = []
    elif party_id is None:
        rows = run(_CUSTOMERS, key).all()
    else:
        rows = run(_PARTY_CUSTOMERS, key | {"party_id": party_id}).all()
    sizes = Counter(row[2] for row in rows)
    customers = tuple(CustomerRow(
        id=row[0], queue_id=row[1], party_id=row[2], party_secret=row[3], party_size=sizes[row[2]],
        source=row[4], ticket_number=row[5], name=row[6], phone=row[7], state=row[8],
        joined_at=row[9], called_at=row[10], finished_at=row[11]) for row in rows)
    if party_id is not None:
        return party_snapshot(store, queues, customers, now=now)
    shown = store.pass_id is not None and store.status is StoreStatus.OPEN
    sessions = frozenset(store.sign_ins.split(",")) if store.sign_ins else frozenset()
    return StoreSnapshot(
        store_id=store.id, name=store.name, description=store.description, timezone=store.timezone,
        status=store.status, opened_at=store.opened_at, closes_at=store.closes_at, slug=store.slug,
        display_key=store.display_key, queues=queues, customers=customers,
        pass_token=store.pass_token if shown else "", pass_id=store.pass_id if shown else 0, taken_at=now,
        session_hashes=sessions,
        email_confirmed=store.email_confirmed_at is not None or not confirmation.required())
