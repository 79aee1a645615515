"""A close racing customer writes (SPEC §4): every ticket handed out is in the report, none after.

The interleavings are forced: one transaction is paused inside itself at a known statement while
the other runs. On PostgreSQL that is where a plain status read let a join slip past a close.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from queue_app.models import Customer, CustomerState, Store, StoreStatus
from queue_app.services import closing, customers
from queue_app.services.errors import NotAllowed
from queue_app.services.passes import STORE_CLOSED
from queue_app.services.snapshot import load_snapshot
from tests.integration.factories import cheap_argon2, open_shop, queue_of, scanned_pass  # noqa: F401
from tests.integration.interleave import in_thread, pause_at, still_blocked

pytestmark = pytest.mark.usefixtures("cheap_argon2")


def _close_and_read_report(store_id, now):
    def work(session):
        closing.close_store(session, store_id, now=now)
        return [c.name for c in load_snapshot(session, store_id, now=now).customers]
    return work


def test_a_close_waits_for_a_join_in_flight_so_the_report_lists_that_party(engine, db, now):
    store = open_shop(db, now)
    queue, token = queue_of(db, store), scanned_pass(db, store, now).token
    db.commit()
    with pause_at(engine, "INSERT INTO party") as paused:
        joining = in_thread(engine, lambda s: customers.join(
            s, token, "phone-1", [{"name": "Ann", "queue_id": queue.id}], now=now))
        assert paused.reached.wait(10)
        closing_ = in_thread(engine, _close_and_read_report(store.id, now))
        assert still_blocked(closing_)  # the close waits for the join it would otherwise cut off
        paused.release()
        joining.result(timeout=30)
        assert closing_.result(timeout=30) == ["Ann"]  # the ticket the phone got is in the report


@pytest.mark.parametrize("write", ["join", "walk-in", "call"])
def test_a_customer_write_started_during_a_close_is_refused_once_the_close_commits(
        engine, db, now, write):
    store = open_shop(db, now)
    queue, token = queue_of(db, store), scanned_pass(db, store, now).token
    waiting = customers.add_walk_in(db, store.id, name="Bob", phone="", queue_id=queue.id, now=now)
    db.commit()
    writes = {
        "join": lambda s: customers.join(s, token, "phone-1", [{"name": "Ann", "queue_id": queue.id}],
                                         now=now),
        "walk-in": lambda s: customers.add_walk_in(s, store.id, name="Ann", phone="",
                                                   queue_id=queue.id, now=now),
        "call": lambda s: customers.change_state(s, store.id, waiting.id, seen="waiting",
                                                 target="processing", now=now),
    }
    with pause_at(engine, "INSERT INTO report_delivery") as paused:  # the close has set `closing`
        closing_ = in_thread(engine, lambda s: closing.close_store(s, store.id, now=now))
        assert paused.reached.wait(10)
        writing = in_thread(engine, writes[write])
        assert still_blocked(writing)  # it waits for the close instead of reading "open"
        paused.release()
        closing_.result(timeout=30)
        with pytest.raises(NotAllowed) as refused:
            writing.result(timeout=30)
    assert refused.value.message == STORE_CLOSED
    db.expire_all()
    assert db.get(Store, store.id).status is StoreStatus.CLOSING
    assert [(c.name, c.state) for c in db.exec(select(Customer))] == [("Bob", CustomerState.WAITING)]
