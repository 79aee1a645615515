"""Remote check-in: per queue "also online" with a cap; joins from the public page, marked online."""

from __future__ import annotations

import pytest
from sqlmodel import select

from queue_app import reports
from queue_app.models import Customer, Party, Source
from queue_app.services import online
from queue_app.services.errors import NotAllowed, RateLimited, ValidationError
from queue_app.services.snapshot import load_snapshot
from tests.integration.factories import cheap_argon2, open_shop, queue_of  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_argon2")


def person(queue, name="Ann"):
    return [{"name": name, "phone": "", "queue_id": queue.id}]


def test_a_queue_takes_no_online_joins_until_its_owner_turns_it_on(db, now):
    store = open_shop(db, now)
    haircut = queue_of(db, store)
    with pytest.raises(NotAllowed):
        online.join_online(db, store, "browser-1", person(haircut), now=now, client_ip="10.0.0.1")
    online.set_online(db, store, haircut.id, True, now=now)
    party = online.join_online(db, store, "browser-1", person(haircut), now=now, client_ip="10.0.0.1")
    assert party.source is Source.ONLINE
    assert db.exec(select(Customer.ticket_number).where(Customer.party_id == party.id)).one() == 1


def test_an_online_join_only_goes_to_queues_that_are_online(db, now):
    store = open_shop(db, now)
    online.set_online(db, store, queue_of(db, store, 0).id, True, now=now)
    with pytest.raises(ValidationError):
        online.join_online(db, store, "b", person(queue_of(db, store, 1)), now=now, client_ip="ip")


def test_the_cap_counts_online_parties_still_waiting(db, now):
    store = open_shop(db, now)
    haircut = queue_of(db, store)
    online.set_online(db, store, haircut.id, True, now=now, cap=2)
    for i in range(2):
        online.join_online(db, store, f"b{i}", person(haircut, f"P{i}"), now=now, client_ip=f"ip{i}")
    with pytest.raises(NotAllowed, match="full right now"):
        online.join_online(db, store, "b9", person(haircut), now=now, client_ip="ip9")
    with pytest.raises(ValidationError):
        online.set_online(db, store, haircut.id, True, now=now, cap=0)


def test_one_browser_and_one_address_are_rate_limited(db, now):
    store = open_shop(db, now)
    haircut = queue_of(db, store)
    online.set_online(db, store, haircut.id, True, now=now, cap=100)
    for i in range(3):
        online.join_online(db, store, "same-browser", person(haircut), now=now, client_ip=f"ip{i}")
    with pytest.raises(RateLimited):
        online.join_online(db, store, "same-browser", person(haircut), now=now, client_ip="ip-new")
    for i in range(30):
        online.join_online(db, store, f"b{i}", person(haircut), now=now, client_ip="shared-ip")
    with pytest.raises(RateLimited):
        online.join_online(db, store, "fresh", person(haircut), now=now, client_ip="shared-ip")


def test_online_parties_say_online_in_the_report(db, now):
    store = open_shop(db, now)
    haircut = queue_of(db, store)
    online.set_online(db, store, haircut.id, True, now=now)
    online.join_online(db, store, "b", person(haircut, "Zoé"), now=now, client_ip="ip")
    rows = reports.report_rows(load_snapshot(db, store.id, now=now))
    assert [(r["name"], r["source"]) for r in rows] == [("Zoé", "online")]
    assert db.exec(select(Party.source)).all() == [Source.ONLINE]


def test_two_joins_racing_for_the_last_online_place_get_one_party(db, now):
    import threading

    from sqlmodel import Session

    store = open_shop(db, now)
    haircut = queue_of(db, store)
    online.set_online(db, store, haircut.id, True, now=now, cap=1)
    db.commit()
    start, outcomes = threading.Barrier(6), []

    def run(i):
        start.wait(timeout=30)
        with Session(db.get_bind(), expire_on_commit=False) as own:
            try:
                online.join_online(own, store, f"b{i}", person(haircut), now=now, client_ip=f"ip{i}")
                outcomes.append("joined")
            except NotAllowed:
                outcomes.append("full")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["full"] * 5 + ["joined"]


def test_the_public_page_form_joins_online_only_while_a_queue_takes_online_joins(engine, db, now,
                                                                                 monkeypatch):
    import queue_app.db as app_db
    from queue_app.config import settings
    from queue_app.queue_app import app  # noqa: F401  (registers every state class)
    from queue_app.state.public import PublicState, store_key_of_queue
    from queue_app.views.public import store_board
    from tests.conftest import run_async
    from tests.integration.test_room_states import _state

    monkeypatch.setattr(app_db, "engine", lambda: engine)
    store = open_shop(db, now)
    haircut = queue_of(db, store)
    db.commit()

    async def scenario():
        page = await _state(PublicState, slug=store.slug)
        await page.load()
        form = {"name": "Ida", "phone": "", "queue": store_key_of_queue(store.id, haircut.id)}
        return page, [step async for step in page.join(form)]

    assert store_board(load_snapshot(db, store.id, now=now), settings.secret_key)["online"] is False
    db.commit()  # end the read: SQLite's write lock is taken at BEGIN
    page, _ = run_async(scenario())
    assert page.errors == {"form": online.NOT_ONLINE}  # a forged submit without the switch
    assert db.exec(select(Party)).all() == []
    online.set_online(db, store, haircut.id, True, now=now)
    db.commit()
    board = store_board(load_snapshot(db, store.id, now=now), settings.secret_key)
    assert board["online"] is True and [q["online"] for q in board["queues"]] == [True, False]
    db.commit()
    page, answers = run_async(scenario())
    assert page.errors == {}
    assert db.exec(select(Party.source)).all() == [Source.ONLINE]
