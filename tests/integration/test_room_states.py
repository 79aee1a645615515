"""The waiting room's page states, called as a forged websocket event would call them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from reflex.istate.data import RouterData
from reflex.state import State

import queue_app.db as app_db
from queue_app import room_live, tokens
from queue_app.config import settings
from queue_app.models import WaitingRoom
from queue_app.queue_app import app  # noqa: F401  (registers every state class)
from queue_app.services import auth, room_counter, rooms
from queue_app.state.common import OwnerAuth
from queue_app.state.room import RoomDashboardState, VisitorState
from tests.conftest import run_async
from tests.integration.factories import cheap_argon2  # noqa: F401
from tests.integration.test_rooms import open_room

pytestmark = pytest.mark.usefixtures("cheap_argon2")


@pytest.fixture
def app_engine(engine, monkeypatch):
    monkeypatch.setattr(app_db, "engine", lambda: engine)
    monkeypatch.setattr(room_counter, "redis_counter", lambda: None)
    return engine


async def _state(cls, *, slug="", owner_token="", cookie=""):
    root = State(_reflex_internal_init=True)
    root.router = RouterData.from_router_data({
        "token": "tab-1", "ip": "127.0.0.9", "pathname": f"/w/{slug}",
        "headers": {"origin": "http://127.0.0.1:3000", "cookie": cookie}, "query": {"slug": slug}})
    (await root.get_state(OwnerAuth)).token = owner_token
    return await root.get_state(cls)


def _ticket(slug, position, now):
    return tokens.make_ticket(tokens.Ticket(slug, position, int(now.timestamp()),
                                            int((now + timedelta(hours=1)).timestamp())),
                              tokens.ticket_key(settings.secret_key))


def test_a_visitor_page_keeps_only_the_position_its_signed_ticket_says(app_engine, db, now):
    _, room = open_room(db, now)
    db.commit()

    async def scenario():
        page = await _state(VisitorState, slug=room.slug)
        await page.load()
        assert (page.found, page.position, page.window_size) == (True, 0, 10)
        page.took({"token": _ticket(room.slug, 7, now), "position": 1})  # the browser's claim is ignored
        assert page.position == 7
        page.took({"token": _ticket("another-room", 1, now)})
        page.took({"error": {"code": "rate_limited", "message": "Too many tickets"}})
        assert page.position == 7 and page.error == "Too many tickets"
        again = await _state(VisitorState, slug=room.slug,
                             cookie=f"qw_{room.slug}={_ticket(room.slug, 7, now)}")
        await again.load()  # a reload: the ticket comes back from the browser's cookie
        assert again.position == 7
    run_async(scenario())


def test_the_room_dashboard_refuses_a_forged_sign_in_and_admits_for_its_owner(app_engine, db, now):
    store, room = open_room(db, now)
    token = auth.start_session(db, store, now=now)
    for _ in range(15):
        room_counter.db_issue(db, room.id)
    db.commit()

    async def scenario():
        forged = await _state(RoomDashboardState, owner_token="x" * 43)
        assert await forged.admit_next_batch() is not None  # a redirect to sign in
        owner = await _state(RoomDashboardState, owner_token=token)
        await owner.load()
        assert (owner.issued, owner.window_end, owner.loaded) == (15, 0, True)
        await owner.admit_next_batch()
        assert (owner.window_end, owner.admitted, owner.waiting) == (10, 10, 5)
        await owner.pause()
        assert owner.paused and owner.message.startswith("Paused")
        await owner.change_rate({"window_size": "0", "window_interval": "30"})
        assert "between 1 and" in owner.error
    run_async(scenario())
    assert db.get(WaitingRoom, room.id, populate_existing=True).window_end == 10


def test_the_broadcast_to_visitors_carries_the_window_and_no_visitor_data(db, now):
    _, room = open_room(db, now, size=10, interval=30, active=3)
    for _ in range(40):
        room_counter.db_issue(db, room.id)
    [slide] = rooms.slide_due_rooms(db, issued=room_counter.db_issued, now=now)
    view = room_live.visitor_view(slide.room, zone="Europe/Paris", closed=False, now=now)
    # the next slide is at 10:00:30 Paris time; the top window keeps every active interval left
    assert view == {"window_end": 10, "window_size": 10, "window_interval": 30, "active_windows": 3,
                    "paused": False, "closed": False, "until_by_window": ["10:01", "10:01", "10:00"],
                    "opens_at": ""}


def test_before_a_delayed_start_visitors_are_told_when_the_line_opens(db, now):
    from queue_app import domain
    from queue_app.domain.rooms import validate_room_form
    from queue_app.services import stores
    from tests.integration.test_rooms import PASSWORD

    form = domain.validate_store_form(email="later@example.com", password=PASSWORD, confirm=PASSWORD,
                                      name="Holiday orders", queue_names=[], timezone="Europe/Paris",
                                      queues_optional=True)
    starts = validate_room_form(size=5, interval=60, active=2, target_url="", starts="2026-11-25T12:00",
                                zone="Europe/Paris", now=now)  # NOW is 10:00 in Paris
    store = stores.open_store(db, form, now=now, room=starts)
    room = rooms.room_of_store(db, store.id)
    before = room_live.visitor_view(room, zone="Europe/Paris", closed=False, now=now)
    after = room_live.visitor_view(room, zone="Europe/Paris", closed=False,
                                   now=now + timedelta(hours=2, seconds=1))
    assert (before["opens_at"], after["opens_at"]) == ("12:00", "")
