"""Remote check-in: a counter queue that also takes parties from the public store page.

Per queue the owner turns "also online" on, with a cap on online parties waiting in it. The join
needs no one-time code, so it is rate-limited per IP and per browser; the party is marked `online`
and is then like any other (ticket page, position, leave, report, purge).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, func, select

from queue_app import domain
from queue_app.db import is_postgres
from queue_app.models import Customer, CustomerState, Party, Queue, Source, Store, StoreStatus
from queue_app.services import customers, ratelimit
from queue_app.services.errors import NotAllowed, NotFound, ValidationError
from queue_app.services.passes import STORE_CLOSED

CAP_MAX = 500
NOT_ONLINE = "Online check-in is off for this queue — scan the code at the counter."


def set_online(db: Session, store: Store, queue_id: object, on: object, *, now: datetime,
               cap: object = None) -> Queue:
    """The owner turns online check-in of one queue on or off (and may set its cap)."""
    _require_open(store)
    queue = _queue(db, store.id, queue_id)
    if cap is not None:
        if not 1 <= (domain.to_int(cap) or 0) <= CAP_MAX:
            raise ValidationError({"online_cap": f"The cap is 1 to {CAP_MAX} online parties."})
        queue.online_cap = domain.to_int(cap)
    queue.online = bool(on)
    db.add(queue)
    db.commit()
    return queue


def join_online(db: Session, store: Store, browser: str, people: Sequence[dict], *, now: datetime,
                client_ip: str) -> Party:
    """Insert an online party into queues that take online check-in, under their caps."""
    _require_open(store)
    online = [q.id for q in db.exec(select(Queue).where(Queue.store_id == store.id, Queue.online))]
    if not online:
        raise NotAllowed(NOT_ONLINE)
    persons = domain.validate_party(people, online)
    for kind, who in (("online-ip", f"{store.id}:{client_ip}"), ("online-browser", f"{store.id}:{browser}")):
        ratelimit.check(db, kind, who, now=now)
    for queue_id in sorted({p.queue_id for p in persons}):  # one lock order: no deadlocks
        _check_cap(db, queue_id, sum(p.queue_id == queue_id for p in persons))
    party, _ = customers._insert_party(db, store.id, persons, Source.ONLINE, now=now)  # noqa: SLF001
    ratelimit.record(db, "online-ip", f"{store.id}:{client_ip}", now=now)
    ratelimit.record(db, "online-browser", f"{store.id}:{browser}", now=now)
    db.commit()
    return party


def _check_cap(db: Session, queue_id: int, joining: int) -> None:
    """Count waiting online parties with the queue row locked, so two joins cannot both squeeze in."""
    query = select(Queue).where(Queue.id == queue_id)
    queue = db.exec(query.with_for_update() if is_postgres(db) else query).one()
    waiting = db.exec(select(func.count(func.distinct(Customer.party_id))).join(
        Party, Party.id == Customer.party_id).where(
        Customer.queue_id == queue_id, Customer.state == CustomerState.WAITING,
        Party.source == Source.ONLINE)).one()
    if waiting + min(joining, 1) > queue.online_cap:
        db.rollback()
        raise NotAllowed(f"The online line for {queue.name} is full right now — try again later "
                         "or join at the counter.")


def _queue(db: Session, store_id: int, queue_id: object) -> Queue:
    queue = db.exec(select(Queue).where(Queue.id == domain.to_int(queue_id),
                                        Queue.store_id == store_id)).first()
    if queue is None:
        raise NotFound("That queue is not in this store.")
    return queue


def _require_open(store: Store) -> None:
    if store.status is not StoreStatus.OPEN:
        raise NotAllowed(STORE_CLOSED)
