"""Customers: joining with a pass, walk-ins, the owner's state changes, leaving."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, insert
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select, update

from queue_app import domain, metrics
from queue_app.config import settings
from queue_app.domain.snapshot import CustomerRow, StoreSnapshot
from queue_app.models import (
    Customer,
    CustomerState,
    Party,
    Pass,
    PassState,
    Queue,
    Source,
    Store,
    StoreStatus,
)
from queue_app.services import ratelimit
from queue_app.services.errors import NotAllowed, NotFound, StaleUpdate
from queue_app.services.passes import SCAN_AGAIN, STORE_CLOSED
from queue_app.services.snapshot import party_snapshot, read_queues

ALREADY_UPDATED = "This customer was already updated on another screen — check the list again."


class Joined(NamedTuple):
    """A party just joined, with what its ticket page shows (no read after the insert needed)."""

    party: Party
    snapshot: StoreSnapshot  # the store and its queues, with this party's customers only


def join(db: Session, pass_token: str, browser: str, people: Sequence[dict], *, now: datetime,
         client_ip: str = "", queue_key: Callable[[int], str] | None = None) -> Party:
    """Use a scanned pass and insert the party, all in one transaction; exactly one party per pass.

    `queue_key`: the page names queues by opaque keys (queue id → key); each person's `queue_id`
    is then such a key, resolved here among the store's own queues.
    """
    return join_party(db, pass_token, browser, people, now=now, client_ip=client_ip,
                      queue_key=queue_key).party


def join_party(db: Session, pass_token: str, browser: str, people: Sequence[dict], *, now: datetime,
               client_ip: str = "", queue_key: Callable[[int], str] | None = None) -> Joined:
    """`join`, also returning the party's own view, built from what this transaction read and wrote."""
    store = db.connection().execute(_PASS_AND_STORE, {"token": str(pass_token)[:64]}).first()
    if store is None:  # the store's row is held open until this transaction ends (`_open_store`)
        raise NotAllowed(SCAN_AGAIN)
    if store.status is not StoreStatus.OPEN:
        raise NotAllowed(STORE_CLOSED)
    queues = read_queues(db, store.id)
    queue_ids = [q.id for q in queues]
    if queue_key is not None:
        by_key = {queue_key(q): q for q in queue_ids}
        people = [p | {"queue_id": by_key.get(str(p.get("queue_id")), 0)} if isinstance(p, dict) else p
                  for p in people]
    persons = domain.validate_party(people, queue_ids)
    caller = f"{store.id}:{client_ip}"  # per store: a busy store never uses up another's allowance
    ratelimit.take(db, "join-ip", caller, now=now)  # counted atomically; undone by a rollback
    used = db.connection().execute(_USE_PASS, {"pass_id": store.pass_id, "browser": browser,
                                               "since": now - settings.pass_ttl, "at": now})
    if used.rowcount != 1:
        db.rollback()
        raise NotAllowed(SCAN_AGAIN)
    party, rows = _insert_party(db, store.id, persons, Source.QR, now=now, pass_id=store.pass_id)
    db.commit()
    metrics.joined(Source.QR, len(persons))
    return Joined(party, party_snapshot(store, queues, rows, now=now))


def add_walk_in(db: Session, store_id: int, *, name: object, phone: object, queue_id: object,
                now: datetime) -> Customer:
    """A customer without a phone, added by the owner; returns the customer (with ticket number)."""
    store = _open_store(db, store_id)
    persons = domain.validate_party([{"name": name, "phone": phone, "queue_id": queue_id}],
                                    [q.id for q in read_queues(db, store.id)])
    party, _ = _insert_party(db, store.id, persons, Source.WALK_IN, now=now)
    db.commit()
    metrics.joined(Source.WALK_IN)
    return db.exec(select(Customer).where(Customer.party_id == party.id)).one()


def _insert_party(db: Session, store_id: int, persons: list[domain.Person], source: Source, *,
                  now: datetime, pass_id: int | None = None) -> tuple[Party, list[CustomerRow]]:
    """Insert the party and its people (Core statements: nothing here needs the unit of work).

    Returns the party and its people as the screens see them, built from the inserted values.
    """
    run = db.connection().execute
    party = Party(store_id=store_id, secret=secrets.token_urlsafe(24), source=source,
                  pass_id=pass_id, created_at=now)
    party.id = run(_INSERT_PARTY, {"store_id": store_id, "secret": party.secret, "source": source,
                                   "pass_id": pass_id, "created_at": now}).scalar_one()
    # Lock the queue rows in one global order (by id): two parties spanning the same queues in
    # opposite orders would otherwise deadlock on PostgreSQL.
    tickets = {i: _next_ticket(db, p.queue_id) for i, p in sorted(enumerate(persons),
                                                                  key=lambda item: item[1].queue_id)}
    ids = run(_INSERT_CUSTOMERS, [
        {"store_id": store_id, "queue_id": person.queue_id, "party_id": party.id,
         "ticket_number": tickets[i], "name": person.name, "phone": person.phone,
         "state": CustomerState.WAITING, "joined_at": now, "called_at": None, "finished_at": None}
        for i, person in enumerate(persons)]).scalars().all()
    rows = [CustomerRow(id=customer_id, queue_id=person.queue_id, party_id=party.id,
                        party_secret=party.secret, party_size=len(persons), source=source,
                        ticket_number=tickets[i], name=person.name, phone=person.phone,
                        state=CustomerState.WAITING, joined_at=now, called_at=None, finished_at=None)
            for i, (customer_id, person) in enumerate(zip(ids, persons, strict=True))]
    return party, rows


def _next_ticket(db: Session, queue_id: int) -> int:
    """Bump the queue's counter in the database (row lock on PostgreSQL): no gaps, no duplicates."""
    return db.connection().execute(_NEXT_TICKET, {"queue_id": queue_id}).scalar_one()


# The join's statements, built once (building one cost about as much as running it). `FOR SHARE OF
# store`: the store is held open until the join commits, as `_open_store` does.
_PASS_AND_STORE = (select(Pass.id.label("pass_id"), Store.id, Store.name, Store.description, Store.timezone,
                          Store.status, Store.opened_at, Store.closes_at, Store.slug)
                   .join(Store, Store.id == Pass.store_id)
                   .where(Pass.token == bindparam("token")).with_for_update(read=True, of=Store))
_USE_PASS = (update(Pass).where(Pass.id == bindparam("pass_id"), Pass.state == PassState.SCANNED,
                                Pass.browser_hash == bindparam("browser"),
                                col(Pass.scanned_at) > bindparam("since"))
             .values(state=PassState.USED, used_at=bindparam("at")))
_INSERT_PARTY = insert(Party).returning(Party.id)
# One INSERT for the whole party; the ids come back in the order of the rows given.
_INSERT_CUSTOMERS = insert(Customer).returning(Customer.id, sort_by_parameter_order=True)
_NEXT_TICKET = (update(Queue).where(Queue.id == bindparam("queue_id"))
                .values(last_ticket=Queue.last_ticket + 1).returning(Queue.last_ticket))


def change_state(db: Session, store_id: int, customer_id: object, *, seen: object, target: object,
                 now: datetime) -> Customer:
    """Move a customer of this store from the state the owner saw to `target`, or `StaleUpdate`."""
    try:
        seen_state, target_state = CustomerState(seen), CustomerState(target)
    except ValueError:
        raise NotFound("That customer is not in this store.") from None
    customer_id = domain.to_int(customer_id)
    if customer_id is None:
        raise NotFound("That customer is not in this store.")
    _open_store(db, store_id)
    domain.check_transition(seen_state, target_state)
    customer = db.exec(_CUSTOMER_OF_STORE, params={"customer_id": customer_id, "store_id": store_id}).first()
    if customer is None:
        raise NotFound("That customer is not in this store.")
    called_at, finished_at = domain.stamp_times(target_state, called_at=customer.called_at, now=now)
    changed = db.connection().execute(_MOVE, {"customer_id": customer_id, "seen": seen_state,
                                              "target": target_state, "called": called_at,
                                              "finished": finished_at})
    if changed.rowcount != 1:
        db.rollback()
        raise StaleUpdate(ALREADY_UPDATED)
    db.commit()
    metrics.moved(target_state)
    for name, value in (("state", target_state), ("called_at", called_at), ("finished_at", finished_at)):
        set_committed_value(customer, name, value)  # what the update wrote, without reading it back
    return customer


def call_next(db: Session, store_id: int, queue_id: object, *, now: datetime,
              repeat_of: tuple[object, str] | None = None) -> Customer | None:
    """Call the longest-waiting customer of a queue of this store; None when nobody waits.

    `repeat_of` = (customer id, ISO `called_at`) of the call the screen's previous tap made: while
    that customer is still in that very call (a double tap), it is returned and nobody else is
    called. Their state and call time tell it apart from a new call of the same person.
    """
    queue = db.exec(select(Queue).where(Queue.id == domain.to_int(queue_id),
                                        Queue.store_id == store_id)).first()
    if queue is None:
        raise NotFound("That queue is not in this store.")
    if repeat_of is not None:
        same = db.exec(select(Customer).where(Customer.id == domain.to_int(repeat_of[0]),
                                              Customer.queue_id == queue.id,
                                              Customer.state == CustomerState.PROCESSING)).first()
        if same is not None and same.called_at.isoformat() == repeat_of[1]:
            return same  # (the caller's session ends this read-only transaction)
    for _ in range(5):  # another tablet may call the same person first: take the next one
        first = db.exec(select(Customer.id).where(Customer.queue_id == queue.id,
                                                  Customer.state == CustomerState.WAITING)
                        .order_by(col(Customer.id)).limit(1)).first()
        if first is None:
            return None
        try:
            return change_state(db, store_id, first, seen=CustomerState.WAITING,
                                target=CustomerState.PROCESSING, now=now)
        except StaleUpdate:
            continue
    raise StaleUpdate(ALREADY_UPDATED)


def leave(db: Session, party_secret: str, customer_id: object, *, now: datetime) -> Customer:
    """A customer leaves from their own ticket page (→ removed); only their own party."""
    party = party_by_secret(db, party_secret)
    customer = db.exec(select(Customer).where(Customer.id == domain.to_int(customer_id),
                                              Customer.party_id == party.id)).first()
    if customer is None:
        raise NotFound("That ticket is not yours.")
    if customer.state not in domain.ACTIVE:
        raise StaleUpdate("You are no longer in the queue.")
    return change_state(db, party.store_id, customer.id, seen=customer.state,
                        target=CustomerState.DELETE, now=now)


def party_by_secret(db: Session, secret: object) -> Party:
    if not isinstance(secret, str) or not 16 <= len(secret) <= 64:
        raise NotFound("This ticket does not exist.")
    party = db.exec(_PARTY, params={"secret": secret}).first()
    if party is None:
        raise NotFound("This ticket does not exist.")
    return party


def _open_store(db: Session, store_id: int) -> Store:
    """The store if it is open, held open until this transaction ends.

    `FOR SHARE` on PostgreSQL: a close (`UPDATE … status`) waits for every customer write in
    flight, so its report lists them, and a write that starts during a close waits for it and then
    finds the store closed. SQLite's `BEGIN IMMEDIATE` already runs writers one at a time.
    """
    store = db.exec(_OPEN_STORE, params={"store_id": store_id}).first()
    if store is None:
        raise NotAllowed(STORE_CLOSED)
    return store


# The owner's and the ticket page's statements, built once.
_OPEN_STORE = select(Store).where(Store.id == bindparam("store_id"),
                                  Store.status == StoreStatus.OPEN).with_for_update(read=True)
_CUSTOMER_OF_STORE = select(Customer).where(Customer.id == bindparam("customer_id"),
                                            Customer.store_id == bindparam("store_id"))
_MOVE = (update(Customer).where(Customer.id == bindparam("customer_id"), Customer.state == bindparam("seen"))
         .values(state=bindparam("target"), called_at=bindparam("called"), finished_at=bindparam("finished")))
_PARTY = select(Party).where(Party.secret == bindparam("secret"))
