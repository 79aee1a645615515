"""Joining, walk-ins, the owner's buttons and leaving, against a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from queue_app.models import Customer, CustomerState, Party, Pass, PassState, Queue, Source
from queue_app.services import closing, customers, passes, ratelimit
from queue_app.services.errors import NotAllowed, NotFound, RateLimited, StaleUpdate, ValidationError
from tests.integration.factories import (  # noqa: F401
    cheap_argon2,
    join_party,
    open_shop,
    queue_of,
    scanned_pass,
)

pytestmark = pytest.mark.usefixtures("cheap_argon2")


def _tickets(db, party) -> list[tuple[str, int]]:
    rows = db.exec(select(Customer).where(Customer.party_id == party.id).order_by(Customer.id)).all()
    return [(c.name, c.ticket_number) for c in rows]


def _walk_in(db, store, now, name="Ann"):
    return customers.add_walk_in(db, store.id, name=name, phone="", queue_id=queue_of(db, store).id, now=now)


def _state(db, customer_id) -> CustomerState:
    db.expire_all()
    return db.get(Customer, customer_id).state


def test_joining_uses_the_pass_and_gives_each_person_a_ticket(db, now):
    store = open_shop(db, now)
    haircut, color = queue_of(db, store, 0), queue_of(db, store, 1)
    token = scanned_pass(db, store, now).token
    party = customers.join(db, token, "phone-1", [
        {"name": " Ann ", "phone": "+33 6 12 34 56 78", "queue_id": haircut.id},
        {"name": "Léo", "phone": "", "queue_id": str(color.id)},
    ], now=now)
    assert _tickets(db, party) == [("Ann", 1), ("Léo", 1)]
    assert len(party.secret) >= 22 and party.source is Source.QR
    used = db.exec(select(Pass).where(Pass.token == token)).one()
    assert used.state is PassState.USED and party.pass_id == used.id


def test_the_view_a_join_builds_from_what_it_wrote_equals_the_one_read_back(db, now):
    """The ticket page a join redirects to is built without reading the party back.

    The customer ids come back from the one INSERT in the order of the people given.
    """
    from queue_app.state.ticket import party_view, party_view_of

    store = open_shop(db, now)
    haircut, color = queue_of(db, store, 0), queue_of(db, store, 1)
    customers.join(db, scanned_pass(db, store, now, "phone-0").token, "phone-0",
                   [{"name": "Earlier", "queue_id": color.id}], now=now)  # tickets do not start at 1
    joined = customers.join_party(db, scanned_pass(db, store, now).token, "phone-1", [
        {"name": "Zoé", "phone": "+33 6 12 34 56 78", "queue_id": color.id},
        {"name": "Ann", "queue_id": haircut.id},
        {"name": "Bob", "queue_id": color.id},
    ], now=now)
    built = party_view_of(joined.snapshot, joined.party.secret)
    db.expire_all()
    read = party_view(db, db.get(Party, joined.party.id))
    assert built == read
    assert [(p["name"], p["ticket"]) for p in built[1]] == [("Zoé", "B-002"), ("Ann", "A-001"),
                                                            ("Bob", "B-003")]
    assert sorted(built[2].values()) == sorted(
        db.exec(select(Customer.id).where(Customer.party_id == joined.party.id)).all())
    assert joined.snapshot.pass_token == "" and joined.snapshot.display_key == ""  # nothing else


def test_a_second_submit_with_the_same_pass_is_refused(db, now):
    store = open_shop(db, now)
    token = scanned_pass(db, store, now).token
    person = [{"name": "Ann", "queue_id": queue_of(db, store).id}]
    customers.join(db, token, "phone-1", person, now=now)
    with pytest.raises(NotAllowed, match="already used"):
        customers.join(db, token, "phone-1", person, now=now + timedelta(seconds=1))
    assert len(db.exec(select(Party)).all()) == 1


def test_a_pass_scanned_by_one_phone_cannot_be_submitted_by_another(db, now):
    store = open_shop(db, now)
    token = scanned_pass(db, store, now, browser="phone-1").token
    with pytest.raises(NotAllowed, match="already used"):
        customers.join(db, token, "phone-2", [{"name": "Eve", "queue_id": queue_of(db, store).id}], now=now)
    assert db.exec(select(Party)).all() == []


def test_a_pass_still_on_the_counter_cannot_be_submitted_without_scanning(db, now):
    store = open_shop(db, now)
    shown = passes.current_pass(db, store.id, now=now)
    with pytest.raises(NotAllowed, match="already used"):
        customers.join(db, shown.token, "phone-1", [{"name": "Ann", "queue_id": queue_of(db, store).id}],
                       now=now)


def test_an_invalid_person_saves_nothing_and_the_pass_stays_usable(db, now):
    store = open_shop(db, now)
    queue = queue_of(db, store)
    token = scanned_pass(db, store, now).token
    with pytest.raises(ValidationError) as refused:
        customers.join(db, token, "phone-1", [{"name": "Ann", "queue_id": queue.id},
                                              {"name": "Bob", "phone": "call me", "queue_id": queue.id}],
                       now=now)
    assert set(refused.value.errors) == {"phone-1"}
    assert db.exec(select(Customer)).all() == [] and db.exec(select(Party)).all() == []
    db.expire_all()
    assert db.exec(select(Pass).where(Pass.token == token)).one().state is PassState.SCANNED
    assert db.get(Queue, queue.id).last_ticket == 0
    party = customers.join(db, token, "phone-1", [{"name": "Ann", "queue_id": queue.id},
                                                  {"name": "Bob", "phone": "0612", "queue_id": queue.id}],
                           now=now)
    assert _tickets(db, party) == [("Ann", 1), ("Bob", 2)]


def test_ticket_numbers_go_up_one_by_one_per_queue(db, now):
    store = open_shop(db, now)
    haircut, color = queue_of(db, store, 0), queue_of(db, store, 1)
    first = join_party(db, store, now, "Ann", "Bob", browser="p1")
    second = join_party(db, store, now, "Cid", queue=color, browser="p2")
    walk_in = customers.add_walk_in(db, store.id, name="Dan", phone="", queue_id=haircut.id, now=now)
    third = join_party(db, store, now, "Eve", browser="p3")
    assert _tickets(db, first) == [("Ann", 1), ("Bob", 2)]
    assert _tickets(db, second) == [("Cid", 1)]
    assert walk_in.ticket_number == 3 and _tickets(db, third) == [("Eve", 4)]


def test_a_walk_in_gets_a_ticket_and_is_marked_as_walk_in(db, now):
    store = open_shop(db, now)
    queue = queue_of(db, store, 1)
    added = customers.add_walk_in(db, store.id, name=" Zoé ", phone="", queue_id=str(queue.id), now=now)
    assert (added.name, added.queue_id, added.ticket_number, added.state) == ("Zoé", queue.id, 1,
                                                                              CustomerState.WAITING)
    assert db.get(Party, added.party_id).source is Source.WALK_IN


def test_a_walk_in_without_a_name_is_refused_on_the_name_field(db, now):
    store = open_shop(db, now)
    with pytest.raises(ValidationError) as refused:
        customers.add_walk_in(db, store.id, name="  ", phone="", queue_id=queue_of(db, store).id, now=now)
    assert set(refused.value.errors) == {"name-0"}
    assert db.exec(select(Customer)).all() == []


def test_calling_then_finishing_records_both_times(db, now):
    store = open_shop(db, now)
    added = _walk_in(db, store, now)
    called = customers.change_state(db, store.id, added.id, seen="waiting", target="processing",
                                    now=now + timedelta(minutes=3))
    done = customers.change_state(db, store.id, added.id, seen="processing", target="done",
                                  now=now + timedelta(minutes=8))
    assert called.called_at == now + timedelta(minutes=3)
    assert (done.state, done.called_at, done.finished_at) == (CustomerState.DONE, now + timedelta(minutes=3),
                                                              now + timedelta(minutes=8))


def test_a_second_tablet_acting_on_the_same_customer_is_told_it_was_already_updated(db, now):
    store = open_shop(db, now)
    added = _walk_in(db, store, now)
    customers.change_state(db, store.id, added.id, seen="waiting", target="processing", now=now)
    with pytest.raises(StaleUpdate) as stale:  # the second tablet still saw "waiting"
        customers.change_state(db, store.id, added.id, seen="waiting", target="delete", now=now)
    assert stale.value.message == customers.ALREADY_UPDATED
    assert _state(db, added.id) is CustomerState.PROCESSING


def test_a_mistake_can_be_undone_by_another_button(db, now):
    store = open_shop(db, now)
    added = _walk_in(db, store, now)
    customers.change_state(db, store.id, added.id, seen="waiting", target="no_show", now=now)
    back = customers.change_state(db, store.id, added.id, seen="no_show", target="waiting", now=now)
    assert (back.state, back.called_at, back.finished_at) == (CustomerState.WAITING, None, None)


def test_a_forged_state_or_customer_id_is_refused(db, now):
    store = open_shop(db, now)
    added = _walk_in(db, store, now)
    for seen, target, customer_id in [("waiting", "served", added.id), ("bogus", "done", added.id),
                                      ("waiting", "processing", "1; drop table customer"),
                                      ("waiting", "processing", None)]:
        with pytest.raises(NotFound):
            customers.change_state(db, store.id, customer_id, seen=seen, target=target, now=now)
    assert _state(db, added.id) is CustomerState.WAITING


def test_call_next_calls_the_customer_who_has_waited_longest(db, now):
    store = open_shop(db, now)
    haircut, color = queue_of(db, store, 0), queue_of(db, store, 1)
    join_party(db, store, now, "Other queue", queue=color, browser="p0")
    ann = customers.add_walk_in(db, store.id, name="Ann", phone="", queue_id=haircut.id, now=now)
    bob = customers.add_walk_in(db, store.id, name="Bob", phone="", queue_id=haircut.id,
                                now=now + timedelta(minutes=1))
    first = customers.call_next(db, store.id, haircut.id, now=now + timedelta(minutes=2))
    second = customers.call_next(db, store.id, haircut.id, now=now + timedelta(minutes=3))
    assert (first.id, second.id) == (ann.id, bob.id)
    assert first.state is CustomerState.PROCESSING
    assert customers.call_next(db, store.id, haircut.id, now=now) is None


def test_call_next_skips_customers_who_are_not_waiting(db, now):
    store = open_shop(db, now)
    queue = queue_of(db, store)
    gone = customers.add_walk_in(db, store.id, name="Gone", phone="", queue_id=queue.id, now=now)
    stays = customers.add_walk_in(db, store.id, name="Stays", phone="", queue_id=queue.id, now=now)
    customers.change_state(db, store.id, gone.id, seen="waiting", target="delete", now=now)
    assert customers.call_next(db, store.id, queue.id, now=now).id == stays.id


def test_a_customer_can_leave_from_their_own_ticket(db, now):
    store = open_shop(db, now)
    party = join_party(db, store, now, "Ann", "Bob")
    ann, bob = db.exec(select(Customer).where(Customer.party_id == party.id).order_by(Customer.id)).all()
    left = customers.leave(db, party.secret, ann.id, now=now)
    assert left.state is CustomerState.DELETE and _state(db, bob.id) is CustomerState.WAITING
    with pytest.raises(StaleUpdate, match="no longer in the queue"):
        customers.leave(db, party.secret, ann.id, now=now)


def test_a_customer_cannot_remove_someone_of_another_party(db, now):
    store = open_shop(db, now)
    mine = join_party(db, store, now, "Me", browser="p1")
    theirs = join_party(db, store, now, "Them", browser="p2")
    them = db.exec(select(Customer).where(Customer.party_id == theirs.id)).one()
    with pytest.raises(NotFound):
        customers.leave(db, mine.secret, them.id, now=now)
    with pytest.raises(NotFound):
        customers.leave(db, "not-a-real-secret-at-all", them.id, now=now)
    assert _state(db, them.id) is CustomerState.WAITING


def test_joins_from_one_address_are_rate_limited(db, now):
    store = open_shop(db, now)
    for i in range(3):  # real joins count…
        join_party(db, store, now + timedelta(seconds=i), f"P{i}", browser=f"p{i}", client_ip="203.0.113.7")
    limit, _ = ratelimit.LIMITS["join-ip"]
    for _ in range(limit - 3):  # …and so would the rest of a busy rush from that address
        ratelimit.record(db, "join-ip", f"{store.id}:203.0.113.7", now=now + timedelta(seconds=3))
    db.commit()
    token = scanned_pass(db, store, now, browser="p-last").token
    person = [{"name": "One too many", "queue_id": queue_of(db, store).id}]
    with pytest.raises(RateLimited) as limited:
        customers.join(db, token, "p-last", person, now=now + timedelta(minutes=1), client_ip="203.0.113.7")
    assert "Too many attempts, try again in 9 minutes" in limited.value.message
    assert customers.join(db, token, "p-last", person, now=now + timedelta(minutes=1),
                          client_ip="198.51.100.1").id  # another address is not affected


def test_a_closed_store_takes_no_more_joins_walk_ins_or_calls(db, now):
    store = open_shop(db, now)
    queue = queue_of(db, store)
    token = scanned_pass(db, store, now).token
    waiting = customers.add_walk_in(db, store.id, name="Ann", phone="", queue_id=queue.id, now=now)
    closing.close_store(db, store.id, now=now)
    with pytest.raises(NotAllowed, match="closed"):
        customers.join(db, token, "phone-1", [{"name": "Bob", "queue_id": queue.id}], now=now)
    with pytest.raises(NotAllowed, match="closed"):
        customers.add_walk_in(db, store.id, name="Cid", phone="", queue_id=queue.id, now=now)
    with pytest.raises(NotAllowed, match="closed"):
        customers.call_next(db, store.id, queue.id, now=now)
    assert _state(db, waiting.id) is CustomerState.WAITING
    assert len(db.exec(select(Customer)).all()) == 1


def test_joins_at_a_busy_store_do_not_block_another_stores_customers_on_the_same_address(db, now):
    """Behind one proxy or carrier NAT many phones share an address: the allowance is per store."""
    busy = open_shop(db, now, email="busy@example.com")
    quiet = open_shop(db, now, email="quiet@example.com")
    for i in range(30):
        join_party(db, busy, now, f"P{i}", browser=f"p{i}", client_ip="100.64.0.1")
    party = join_party(db, quiet, now, "Ann", browser="ann", client_ip="100.64.0.1")
    assert party.store_id == quiet.id
