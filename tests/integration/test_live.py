"""The live hub: one snapshot read and one payload per room per change; owner screens per tab.

The socket edge is a recorder (`tests/integration/sockets.py`); the hub, the views, the snapshot
and the database are real.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from queue_app import live
from queue_app.config import settings
from queue_app.models import Customer, CustomerState
from queue_app.queue_app import app  # noqa: F401  (binds every state class)
from queue_app.services import auth, customers
from queue_app.services.security import token_hash
from queue_app.state.boards import StoreBoard, TicketBoard
from queue_app.state.dashboard import DashboardState
from queue_app.views import customer
from queue_app.views.common import customer_key
from tests.conftest import run_async
from tests.integration.factories import cheap_argon2, join_party, open_shop  # noqa: F401
from tests.integration.test_state_handlers import app_engine  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_argon2", "app_engine")


def _key(store_id: int, customer_id: int) -> str:
    class _Snap:  # customer keys only need the store id
        pass
    snap = _Snap()
    snap.store_id = store_id
    return customer_key(settings.secret_key, snap, customer_id)


def _counting_reads(monkeypatch) -> list[int]:
    reads: list[int] = []
    real = live.hub.read
    monkeypatch.setattr(live.hub, "read",
                        lambda store_id, *args: reads.append(store_id) or real(store_id, *args))
    return reads


def test_a_change_reads_the_store_once_and_emits_one_payload_per_room(db, now, sockets, monkeypatch):
    shop, other = open_shop(db, now), open_shop(db, now, email="other@example.com", name="Other")
    ann = join_party(db, shop, now, "Ann", browser="p1")
    join_party(db, shop, now, "Bob", browser="p2")
    owner = auth.start_session(db, shop, now=now)
    db.commit()

    async def scenario():
        for tab in ("ann-tab", "bob-tab"):
            await live.hub.show(tab, shop.id, "ticket")
        await live.hub.show("public-tab", shop.id, "public")
        await live.hub.show("other-public", other.id, "public")
        await live.hub.show("tablet", shop.id, "dashboard",
                            {"origin": "http://shop.test", "session": token_hash(owner)})
        sockets.sent.clear()
        reads = _counting_reads(monkeypatch)
        ann_id = db.exec(select(Customer.id).where(Customer.party_id == ann.id)).one()
        customers.change_state(db, shop.id, ann_id, seen=CustomerState.WAITING,
                               target=CustomerState.PROCESSING, now=now)
        db.commit()
        await live.hub.publish(shop.id)
        return reads, ann_id

    reads, ann_id = run_async(scenario())
    assert reads == [shop.id]
    customer_room, public_room = f"store:{shop.id}:customer", f"store:{shop.id}:public"
    assert [to for to, *_ in sockets.sent] == ["tablet", public_room, customer_room]  # owners first
    [board] = sockets.room_emits(customer_room)
    assert board["line"][_key(shop.id, ann_id)] == customer.CALLED
    assert sockets.seen("ann-tab", TicketBoard) == sockets.seen("bob-tab", TicketBoard) == board
    assert sockets.seen("public-tab", StoreBoard)["queues"][0]["serving"] == "A-001"
    assert sockets.frames("other-public") == []  # another store's page gets nothing
    assert sockets.seen("tablet", DashboardState)["queues"][0]["customers"][0]["name"] == "Ann"


def test_a_publish_with_nothing_changed_emits_nothing_to_the_rooms(db, now, sockets):
    shop = open_shop(db, now)
    join_party(db, shop, now, "Ann", browser="p1")
    db.commit()

    async def scenario():
        await live.hub.show("ann-tab", shop.id, "ticket")
        await live.hub.publish(shop.id)
        sockets.sent.clear()
        await live.hub.publish(shop.id)

    run_async(scenario())
    assert sockets.sent == []


def test_a_tab_that_joins_gets_what_its_room_last_got_without_reading_the_store(
        db, now, sockets, monkeypatch):
    shop = open_shop(db, now)
    join_party(db, shop, now, "Ann", browser="p1")
    db.commit()

    async def scenario():
        await live.hub.show("first-tab", shop.id, "ticket")  # the room's first payload: one read
        reads = _counting_reads(monkeypatch)
        await live.hub.show("second-tab", shop.id, "ticket")
        return reads

    assert run_async(scenario()) == []
    assert sockets.seen("second-tab", TicketBoard) == sockets.seen("first-tab", TicketBoard)
    assert sockets.seen("second-tab", TicketBoard)["store_name"] == shop.name


def test_a_tab_that_joins_during_a_publish_waits_for_it_and_gets_the_newer_payload(db, now, sockets,
                                                                                   monkeypatch):
    """Forced interleaving: the publish is paused inside its snapshot read while a tab joins."""
    shop = open_shop(db, now)
    join_party(db, shop, now, "Ann", browser="p1")
    db.commit()
    reading, resume = asyncio.Event(), None

    async def scenario():
        nonlocal resume
        await live.hub.show("old-tab", shop.id, "ticket")
        join_party(db, shop, now, "Bob", browser="p2")
        db.commit()
        loop = asyncio.get_running_loop()
        resume = asyncio.Event()
        real = live.hub.read

        def paused(store_id, *args):
            loop.call_soon_threadsafe(reading.set)
            asyncio.run_coroutine_threadsafe(resume.wait(), loop).result(10)
            return real(store_id, *args)

        monkeypatch.setattr(live.hub, "read", paused)
        publishing = asyncio.create_task(live.hub.publish(shop.id))
        await reading.wait()
        joining = asyncio.create_task(live.hub.show("new-tab", shop.id, "ticket"))
        await asyncio.sleep(0.05)
        assert sockets.frames("new-tab") == []  # the catch-up waits for the publish's lock
        resume.set()
        await asyncio.gather(publishing, joining)

    run_async(scenario())
    assert len(sockets.seen("new-tab", TicketBoard)["line"]) == 2
    assert sockets.seen("new-tab", TicketBoard) == sockets.seen("old-tab", TicketBoard)


def _bob_joins_after_ann(db, now, *, published_before_entry: bool):
    """Ann's page watches; Bob joins and his page enters the room, then his publish runs.

    `published_before_entry`: another change's publish ran after Bob's commit and before his
    page entered the room (it already carried Bob). Returns the shop and Bob's customer row.
    """
    shop = open_shop(db, now)
    join_party(db, shop, now, "Ann", browser="p1")
    db.commit()

    async def scenario():
        await live.hub.show("old-tab", shop.id, "ticket")
        party = join_party(db, shop, now, "Bob", browser="p2")
        db.commit()
        if published_before_entry:
            await live.hub.publish(shop.id)  # someone else's change, after Bob's commit
        await live.hub.show("bob-tab", shop.id, "ticket", changed=True)
        await live.hub.publish(shop.id)  # Bob's own publish
        await asyncio.sleep(0.05)  # time for the background copy, if one is sent
        return party

    party = run_async(scenario())
    [bob] = db.exec(select(Customer).where(Customer.party_id == party.id)).all()
    return shop, bob


def test_a_joined_tab_gets_its_board_even_when_its_publish_finds_nothing_new_to_send(
        db, now, sockets):
    """The join's race: the new party's page joins its room after another publish sent it.

    That publish already carried the new party, so the join's own publish sends the room nothing;
    the copy sent in the background still brings the page its place.
    """
    shop, bob = _bob_joins_after_ann(db, now, published_before_entry=True)
    board = sockets.seen("bob-tab", TicketBoard)
    assert board["line"][_key(shop.id, bob.id)] == 1  # one person ahead of Bob
    assert board == sockets.seen("old-tab", TicketBoard)


def test_a_joined_tab_that_its_own_publish_reached_gets_the_board_once(db, now, sockets):
    """The usual join: the page enters its room, then the join's publish sends the new board.

    The publish reached the page, so the background copy is not sent as well (at 1,000 in line
    it is a 19 KB frame more per join).
    """
    shop, bob = _bob_joins_after_ann(db, now, published_before_entry=False)
    boards = [values for state, values in sockets.frames("bob-tab") if state == TicketBoard.get_full_name()]
    assert len(boards) == 1 and boards[0]["line"][_key(shop.id, bob.id)] == 1
    assert boards[0] == sockets.seen("old-tab", TicketBoard)


def test_a_closed_owner_tab_is_dropped_from_the_registry(db, now, sockets):
    shop = open_shop(db, now)
    owner = auth.start_session(db, shop, now=now)
    db.commit()

    async def scenario():
        await live.hub.show("tablet", shop.id, "dashboard",
                            {"origin": "http://x", "session": token_hash(owner)})
        sockets.offline.add("tablet")
        await live.hub.publish(shop.id)

    run_async(scenario())
    assert live.hub.registry.members(shop.id) == []


def test_a_scan_sends_the_owner_screens_only_the_new_code_and_reads_no_customer(db, now, sockets,
                                                                                monkeypatch):
    shop = open_shop(db, now)
    join_party(db, shop, now, "Ann", browser="p1")
    owner = auth.start_session(db, shop, now=now)
    db.commit()

    async def scenario():
        await live.hub.show("tablet", shop.id, "dashboard",
                            {"origin": "http://shop.test", "session": token_hash(owner)})
        await live.hub.show("ann-tab", shop.id, "ticket")
        sockets.sent.clear()
        read = live.hub.read
        monkeypatch.setattr(live.hub, "read", lambda store_id, *args: (
            reads.append(args) or read(store_id, *args)))
        await live.hub.publish(shop.id, owners_only=True)

    reads: list = []
    run_async(scenario())
    assert reads == [(True,)]  # the counter-only read: no customer rows
    [(to, _, _, values)] = sockets.sent
    assert to == "tablet" and set(values) == {"join_url", "qr_code"}
    assert "Ann" not in repr(values)


def test_a_scans_new_code_skips_the_queue_of_publishes_and_none_brings_back_an_older_one(
        db, now, sockets, monkeypatch):
    """Forced interleaving: a publish of the whole line is held after its read.

    It read the store with the code shown then, and a phone scans that code meanwhile.
    """
    from queue_app.services import passes
    from tests.integration.factories import scanned_pass

    shop = open_shop(db, now)
    owner = auth.start_session(db, shop, now=now)
    db.commit()
    read_done, resume = asyncio.Event(), None

    def shown_url() -> str:
        return sockets.seen("tablet", DashboardState)["join_url"]

    async def scenario():
        nonlocal resume
        await live.hub.show("tablet", shop.id, "dashboard",
                            {"origin": "http://shop.test", "session": token_hash(owner)})
        old_code = passes.current_pass(db, shop.id, now=now).token
        join_party(db, shop, now, "Ann", browser="p1")  # uses the code: a new one is shown
        db.commit()
        loop, resume = asyncio.get_running_loop(), asyncio.Event()
        real = live.hub.read

        def paused(store_id, counter_only=False):
            snap = real(store_id, counter_only)
            if not counter_only:  # the whole line, read: hold it before it is sent
                loop.call_soon_threadsafe(read_done.set)
                asyncio.run_coroutine_threadsafe(resume.wait(), loop).result(10)
            return snap

        monkeypatch.setattr(live.hub, "read", paused)
        publishing = asyncio.create_task(live.hub.publish(shop.id))  # Ann's join
        await read_done.wait()
        before_scan = passes.current_pass(db, shop.id, now=now).token
        scanned_pass(db, shop, now, "p2")  # the next phone scans: another new code
        db.commit()
        newest = passes.current_pass(db, shop.id, now=now).token
        await asyncio.wait_for(live.hub.publish(shop.id, owners_only=True), 5)  # not behind it
        during = shown_url()
        resume.set()
        await publishing
        return old_code, before_scan, newest, during

    old_code, before_scan, newest, during = run_async(scenario())
    assert len({old_code, before_scan, newest}) == 3
    assert during.endswith(newest)  # shown while the publish of the line was still held
    assert shown_url().endswith(newest)  # that publish sent its news without its older code
    assert [c["name"] for c in sockets.seen("tablet", DashboardState)["queues"][0]["customers"]] == ["Ann"]


def test_the_young_collection_is_offered_once_per_publish_after_its_emits_and_coalesced_ones(
        db, now, sockets, monkeypatch):
    from queue_app import gcpolicy

    shop = open_shop(db, now)
    db.commit()
    offered: list[int] = []  # how many emits had gone out each time it was offered
    monkeypatch.setattr(gcpolicy, "collect_young_if_due", lambda: offered.append(len(sockets.sent)))

    async def scenario():
        await live.hub.show("public-tab", shop.id, "public")
        sockets.sent.clear()
        first = asyncio.create_task(live.hub.publish(shop.id))
        await asyncio.sleep(0)
        await live.hub.publish(shop.id)  # while the first is in flight: coalesced into it
        await first

    run_async(scenario())
    assert len(offered) == 1 and offered[0] == len(sockets.sent) > 0


def test_a_publish_builds_the_owner_views_before_it_takes_the_code_lock(db, now, sockets, monkeypatch):
    """A scan's new code waits for the owner sends of a publish only, not for their views."""
    from queue_app.live import core
    from queue_app.live.screens import code_lock

    shop = open_shop(db, now)
    owner = auth.start_session(db, shop, now=now)
    join_party(db, shop, now, "Ann", browser="p1")
    db.commit()
    held_while_built: list[bool] = []
    real = core.TABS["dashboard"]

    def dashboard(snap, context):
        held_while_built.append(live.hub.ledger._locks[code_lock(shop.id)].locked())  # noqa: SLF001
        return real(snap, context)

    async def scenario():
        await live.hub.show("tablet", shop.id, "dashboard",
                            {"origin": "http://shop.test", "session": token_hash(owner)})
        monkeypatch.setitem(core.TABS, "dashboard", dashboard)
        await live.hub.publish(shop.id)

    run_async(scenario())
    assert held_while_built == [False]
    assert [c["name"] for c in sockets.seen("tablet", DashboardState)["queues"][0]["customers"]] == ["Ann"]
