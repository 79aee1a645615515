"""Two stores on one installation: ids and secrets of store A never act on or reveal store B."""

from __future__ import annotations

import pytest
from sqlmodel import select

from queue_app.models import Customer, Party, Queue
from queue_app.services import customers, passes
from queue_app.services.errors import NotFound, ValidationError
from queue_app.services.snapshot import load_snapshot
from queue_app.views import common, customer, public
from tests.integration.factories import cheap_argon2, join_party, open_shop, queue_of, scanned_pass  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_argon2")


@pytest.fixture
def two_stores(db, now):
    """Store A and store B, each with one waiting customer (B's joined by QR, A's a walk-in)."""
    a = open_shop(db, now, email="a@example.com", name="Shop A")
    b = open_shop(db, now, email="b@example.com", name="Shop B")
    ann = customers.add_walk_in(db, a.id, name="Ann of A", phone="+33 1", queue_id=queue_of(db, a).id,
                                now=now)
    party_b = join_party(db, b, now, "Bob of B", browser="phone-b")
    bob = db.exec(select(Customer).where(Customer.party_id == party_b.id)).one()
    return a, b, ann, bob


def _everything(db) -> list[tuple]:
    db.expire_all()
    rows = db.exec(select(Customer).order_by(Customer.id)).all()
    return ([(c.id, c.store_id, c.queue_id, c.state, c.called_at) for c in rows]
            + [(q.id, q.last_ticket) for q in db.exec(select(Queue).order_by(Queue.id))])


def test_owner_of_a_cannot_change_a_customer_of_b(db, now, two_stores):
    a, b, _, bob = two_stores
    before = _everything(db)
    for target in ("processing", "done", "no_show", "delete"):
        with pytest.raises(NotFound):
            customers.change_state(db, a.id, bob.id, seen="waiting", target=target, now=now)
    assert _everything(db) == before


def test_owner_of_a_cannot_call_next_in_a_queue_of_b(db, now, two_stores):
    a, b, _, _ = two_stores
    before = _everything(db)
    with pytest.raises(NotFound):
        customers.call_next(db, a.id, queue_of(db, b).id, now=now)
    assert _everything(db) == before


def test_owner_of_a_cannot_add_a_walk_in_to_a_queue_of_b(db, now, two_stores):
    a, b, _, _ = two_stores
    before = _everything(db)
    with pytest.raises(ValidationError) as refused:
        customers.add_walk_in(db, a.id, name="Intruder", phone="", queue_id=queue_of(db, b).id, now=now)
    assert set(refused.value.errors) == {"queue-0"}
    assert _everything(db) == before


def test_a_pass_of_a_cannot_join_a_queue_of_b(db, now, two_stores):
    a, b, _, _ = two_stores
    token = scanned_pass(db, a, now, browser="phone-a").token
    before = _everything(db)
    with pytest.raises(ValidationError) as refused:
        customers.join(db, token, "phone-a", [{"name": "Eve", "queue_id": queue_of(db, b).id}], now=now)
    assert set(refused.value.errors) == {"queue-0"}
    assert _everything(db) == before
    party = customers.join(db, token, "phone-a", [{"name": "Eve", "queue_id": queue_of(db, a).id}], now=now)
    assert party.store_id == a.id  # the pass was not spent by the refused attempt


def test_a_ticket_of_a_cannot_remove_a_customer_of_b(db, now, two_stores):
    a, b, ann, bob = two_stores
    party_a = db.get(Party, ann.party_id)
    before = _everything(db)
    with pytest.raises(NotFound):
        customers.leave(db, party_a.secret, bob.id, now=now)
    assert _everything(db) == before


def test_a_ticket_secret_of_a_only_ever_shows_store_a_and_its_own_party(db, now, two_stores):
    a, b, ann, bob = two_stores
    party = customers.party_by_secret(db, db.get(Party, ann.party_id).secret)
    assert party.store_id == a.id
    snap = load_snapshot(db, party.store_id, now=now)
    people = customer.own_people(snap, party.secret, "secret")
    assert [p["name"] for p in people] == ["Ann of A"]
    assert "Bob of B" not in repr(snap) and "Shop B" not in repr(snap)
    # B's snapshot with A's secret shows nobody: a secret is only good in its own store.
    assert customer.own_people(load_snapshot(db, b.id, now=now), party.secret, "secret") == []


def test_a_public_summary_of_b_holds_no_data_of_a(db, now, two_stores):
    a, b, _, _ = two_stores
    snap = load_snapshot(db, b.id, now=now)
    board = public.store_board(snap, "secret")
    assert [q["waiting"] for q in board["queues"]] == [1, 0]
    queues_of_b = db.exec(select(Queue).where(Queue.store_id == b.id)).all()
    keys = {common.queue_key("secret", snap, q.id) for q in queues_of_b}
    assert {q["key"] for q in board["queues"]} == keys
    assert "Ann of A" not in repr(board) and "Shop A" not in repr(board)


def test_a_pass_shown_by_a_belongs_to_a_only(db, now, two_stores):
    a, b, _, _ = two_stores
    pass_a = passes.current_pass(db, a.id, now=now)
    pass_b = passes.current_pass(db, b.id, now=now)
    assert pass_a.token != pass_b.token
    scanned, _ = passes.scan(db, pass_a.token, "phone-x", now=now)
    assert scanned.store_id == a.id
    assert passes.current_pass(db, b.id, now=now).token == pass_b.token  # B's counter is untouched
