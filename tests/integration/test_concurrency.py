"""Many phones at once: parallel joins, each thread with its own session, as workers would run them."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlmodel import Session, select

from queue_app.models import Customer, Party, Pass, PassState
from queue_app.services import customers, passes
from queue_app.services.errors import DomainError, NotAllowed
from tests.integration.factories import cheap_argon2, open_shop, queue_of, scanned_pass  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_argon2")
THREADS, JOINS_EACH = 8, 10


def _in_parallel(db: Session, count: int, work: Callable[[Session, int], object]) -> tuple[list, list]:
    """Run `work(session, i)` for i in range(count) on `count` threads released at once."""
    db.commit()  # end the test's own transaction: on SQLite it holds the write lock since its last read
    engine = db.get_bind()
    start = threading.Barrier(count)
    results: list = []
    errors: list = []

    def run(i: int) -> None:
        start.wait(timeout=30)
        try:
            with Session(engine, expire_on_commit=False) as session:
                results.append(work(session, i))
        except Exception as error:  # noqa: BLE001  (collected and asserted on below)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a join hung"
    return results, errors


def test_parallel_joins_get_tickets_one_to_n_without_duplicates_or_gaps(db, now):
    store = open_shop(db, now)
    queue = queue_of(db, store)
    tokens = [scanned_pass(db, store, now, browser=f"phone-{i}").token for i in range(THREADS * JOINS_EACH)]

    def join_ten(session: Session, thread: int) -> None:
        for k in range(thread * JOINS_EACH, (thread + 1) * JOINS_EACH):
            customers.join(session, tokens[k], f"phone-{k}", [{"name": f"P{k}", "queue_id": queue.id}],
                           now=now, client_ip=f"10.0.0.{thread}")

    _, errors = _in_parallel(db, THREADS, join_ten)
    assert errors == []
    db.expire_all()
    numbers = sorted(db.exec(select(Customer.ticket_number).where(Customer.queue_id == queue.id)).all())
    assert numbers == list(range(1, THREADS * JOINS_EACH + 1))


def test_parties_spanning_two_queues_in_opposite_orders_all_join(db, now):
    """Party [Haircut, Color] racing party [Color, Haircut] must not deadlock on the ticket counters."""
    store = open_shop(db, now)
    one, two = queue_of(db, store, 0).id, queue_of(db, store, 1).id
    tokens = [scanned_pass(db, store, now, browser=f"phone-{i}").token for i in range(THREADS * 4)]

    def join_four(session: Session, thread: int) -> None:
        order = [one, two] if thread % 2 else [two, one]
        for k in range(thread * 4, (thread + 1) * 4):
            customers.join(session, tokens[k], f"phone-{k}", [{"name": "X", "queue_id": q} for q in order],
                           now=now, client_ip=f"10.0.0.{thread}")

    _, errors = _in_parallel(db, THREADS, join_four)
    assert errors == []
    db.expire_all()
    for queue_id in (one, two):
        numbers = sorted(db.exec(select(Customer.ticket_number).where(Customer.queue_id == queue_id)).all())
        assert numbers == list(range(1, THREADS * 4 + 1))


def test_two_submits_racing_on_one_pass_create_exactly_one_party(db, now):
    store = open_shop(db, now)
    queue = queue_of(db, store)
    token = scanned_pass(db, store, now, browser="phone-1").token

    def submit(session: Session, i: int):
        return customers.join(session, token, "phone-1", [{"name": f"Tap {i}", "queue_id": queue.id}],
                              now=now, client_ip="10.0.0.1")

    parties, errors = _in_parallel(db, 4, submit)
    assert len(parties) == 1
    assert [type(e) for e in errors] == [NotAllowed] * 3
    assert all("already used" in e.message for e in errors)
    db.expire_all()
    assert len(db.exec(select(Party)).all()) == 1 and len(db.exec(select(Customer)).all()) == 1


def test_the_counter_never_shows_two_codes_while_phones_scan_it(db, now):
    """A dashboard reading the current pass while a phone scans it must not create a second one."""
    store = open_shop(db, now)
    passes.current_pass(db, store.id, now=now)

    def scan_or_show(session: Session, i: int) -> None:
        for k in range(20):
            shown = passes.current_pass(session, store.id, now=now)
            if i % 2:
                try:
                    passes.scan(session, shown.token, f"phone-{i}-{k}", now=now)
                except DomainError:
                    pass  # another phone scanned it first: scan the next one
            session.commit()

    _, errors = _in_parallel(db, 4, scan_or_show)
    assert errors == []
    db.expire_all()
    shown = db.exec(select(Pass).where(Pass.store_id == store.id, Pass.state == PassState.NORMAL)).all()
    assert len(shown) == 1
