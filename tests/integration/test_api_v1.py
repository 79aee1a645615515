"""The public JSON API: waiting-room tickets and status, counter tickets, errors, limits, CORS."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient

import queue_app.db as app_db
from queue_app import tokens
from queue_app.api_v1 import cache as rooms_cache
from queue_app.api_v1 import make_api, room_tickets
from queue_app.api_v1.limits import MinuteLimiter
from queue_app.asgi import FrontDoor
from queue_app.config import settings
from queue_app.models import Party
from queue_app.services import customers, room_counter, rooms, stores
from tests.integration.factories import cheap_argon2  # noqa: F401
from tests.integration.test_rooms import open_room

pytestmark = pytest.mark.usefixtures("cheap_argon2")
HOST = "http://127.0.0.1:3000"


@pytest.fixture
def api(engine, monkeypatch):
    """The API on the test database, with fresh caches and limits; no Redis unless a test says so."""
    monkeypatch.setattr(app_db, "engine", lambda: engine)
    monkeypatch.setattr(rooms_cache, "_rooms", {})
    monkeypatch.setattr(rooms_cache, "_reading", {})
    monkeypatch.setattr(room_tickets, "_limiter", MinuteLimiter())
    monkeypatch.setattr(room_counter, "redis_counter", lambda: None)
    return make_api()


def client(app, **kwargs) -> TestClient:
    return TestClient(app, base_url=HOST, **kwargs)


def slide(db, room, now):
    rooms.slide_due_rooms(db, issued=room_counter.db_issued, now=now)
    rooms_cache.forget(room.slug)


def test_a_visitor_takes_a_ticket_and_the_same_browser_gets_the_same_one_again(api, db, now):
    _, room = open_room(db, now)
    db.commit()
    phone, laptop = client(api), client(api)
    first = phone.post(f"/rooms/{room.slug}/tickets")
    assert first.status_code == 201
    assert first.json() | {"token": "t"} == {
        "token": "t", "position": 1, "status": "waiting", "people_ahead": 0, "window_end": 0,
        "paused": False, "eta_seconds": 0}  # the first slide is due now
    assert "httponly" in first.headers["set-cookie"].lower()
    again = phone.post(f"/rooms/{room.slug}/tickets")
    assert (again.status_code, again.json()["token"]) == (200, first.json()["token"])
    assert laptop.post(f"/rooms/{room.slug}/tickets").json()["position"] == 2


def test_the_status_follows_the_window_and_an_admitted_visitor_gets_a_verifiable_token(api, db, now):
    _, room = open_room(db, now, size=2)
    db.commit()
    web = client(api)
    tickets = [client(api).post(f"/rooms/{room.slug}/tickets").json()["token"] for _ in range(3)]
    bearer = {"Authorization": f"Bearer {tickets[2]}"}
    waiting = web.get(f"/rooms/{room.slug}/ticket", headers=bearer).json()
    assert (waiting["status"], waiting["people_ahead"]) == ("waiting", 2)
    slide(db, room, now)
    assert web.get(f"/rooms/{room.slug}/ticket", headers=bearer).json()["people_ahead"] == 0
    slide(db, room, now + timedelta(seconds=30))
    active = web.get(f"/rooms/{room.slug}/ticket", headers=bearer).json()
    assert active["status"] == "active" and active["eta_seconds"] == 0
    claims = tokens.verify(active["admission_token"],
                           tokens.admission_key(settings.secret_key, room.slug))
    assert claims["typ"] == "admission" and claims["aud"] == room.slug and claims["sub"] == "3"
    assert claims["exp"] == int((now + timedelta(seconds=90)).timestamp())
    query = parse_qs(urlsplit(active["continue_url"]).query)
    assert query["queue_admission"] == [active["admission_token"]]
    for _ in range(4):  # more people come, so the window moves on past the first ticket
        client(api).post(f"/rooms/{room.slug}/tickets")
    slide(db, room, now + timedelta(seconds=60))
    first = web.get(f"/rooms/{room.slug}/ticket", headers={"Authorization": f"Bearer {tickets[0]}"})
    assert first.json()["status"] == "expired" and "admission_token" not in first.json()


def test_the_continue_link_sends_an_admitted_browser_to_the_target_and_others_back(api, db, now):
    _, room = open_room(db, now, size=1)
    db.commit()
    early, late = client(api, follow_redirects=False), client(api, follow_redirects=False)
    early.post(f"/rooms/{room.slug}/tickets")
    late.post(f"/rooms/{room.slug}/tickets")
    slide(db, room, now)
    going = early.get(f"/rooms/{room.slug}/continue")
    assert going.status_code == 303 and going.headers["location"].startswith(
        "https://shop.example/checkout?queue_admission=")
    assert late.get(f"/rooms/{room.slug}/continue").headers["location"] == f"/w/{room.slug}"


def test_a_ticket_is_refused_by_another_room_and_when_tampered_or_expired(api, db, now, clock):
    _, room_a = open_room(db, now)
    other = stores.open_store(db, _form("b@example.com"), now=now, room=_room_form())
    room_b = rooms.room_of_store(db, other.id)
    db.commit()
    web = client(api)
    token = web.post(f"/rooms/{room_a.slug}/tickets").json()["token"]

    def status(slug, value):
        answer = client(api).get(f"/rooms/{slug}/ticket", headers={"Authorization": f"Bearer {value}"})
        return answer.status_code, answer.json()["error"]["code"]

    assert status(room_b.slug, token) == (403, "wrong_room")
    assert status(room_a.slug, token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")) == (
        401, "invalid_token")
    assert client(api).get(f"/rooms/{room_a.slug}/ticket").json()["error"]["code"] == "missing_token"
    clock.advance(timedelta(hours=25))
    assert status(room_a.slug, token) == (401, "token_expired")


def test_errors_have_one_shape_and_the_right_status(api, db, now):
    web = client(api)
    missing = web.post("/rooms/no-such-room/tickets")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "not_found",
                                        "message": "This waiting room does not exist."}}
    assert web.get("/nothing/here").json()["error"]["code"] == "not_found"
    assert web.delete("/openapi.json").status_code == 405


def test_a_closed_room_gives_no_new_tickets(api, db, now):
    from queue_app.services import closing
    store, room = open_room(db, now)
    closing.close_store(db, store.id, now=now)
    answer = client(api).post(f"/rooms/{room.slug}/tickets")
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "room_closed")


def test_too_many_tickets_from_one_address_get_429_with_retry_after(api, db, now, monkeypatch):
    monkeypatch.setattr(room_tickets, "settings", dataclasses.replace(settings, api_join_limit=3))
    _, room = open_room(db, now)
    db.commit()
    answers = [client(api).post(f"/rooms/{room.slug}/tickets") for _ in range(4)]
    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    assert 1 <= int(answers[3].headers["retry-after"]) <= 60
    assert answers[3].json()["error"]["code"] == "rate_limited"


def test_other_websites_are_refused_unless_their_origin_is_configured(api, db, now):
    _, room = open_room(db, now)
    db.commit()
    foreign = {"Origin": "https://evil.example"}
    refused = client(api).post(f"/rooms/{room.slug}/tickets", headers=foreign)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "cross_origin")
    assert client(api).post(f"/rooms/{room.slug}/tickets", headers={"Origin": HOST}).status_code == 201
    allowed = make_api(dataclasses.replace(settings, api_cors_origins=("https://shop.example",)))
    answer = client(allowed).post(f"/rooms/{room.slug}/tickets",
                                  headers={"Origin": "https://shop.example"})
    assert answer.status_code == 201
    assert answer.headers["access-control-allow-origin"] == "https://shop.example"


def test_a_counter_ticket_is_read_by_its_secret_without_names(api, db, now):
    store = stores.open_store(db, _form("c@example.com", queues=["Main"]), now=now)
    queue = stores.queues_of(db, store.id)[0]
    customers.add_walk_in(db, store.id, name="Ann", phone="", queue_id=queue.id, now=now)
    second = customers.add_walk_in(db, store.id, name="Ben", phone="555", queue_id=queue.id, now=now)
    party = db.get(Party, second.party_id)
    answer = client(api).get(f"/tickets/{party.secret}")
    assert answer.status_code == 200
    person = answer.json()["people"][0]
    assert (person["ticket"], person["state"], person["people_ahead"], person["position"]) == (
        "A-002", "waiting", 1, 2)
    assert person["eta_seconds"] == 600 and "Ben" not in answer.text and "555" not in answer.text
    assert client(api).get("/tickets/" + "x" * 32).status_code == 404


def test_the_openapi_document_describes_every_route(api):
    document = client(api).get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    documented = set(document["paths"])
    served = {path for _, path, _, _ in api.routes} - {"/openapi.json", "/rooms/{slug}/continue"}
    assert served == documented
    json.dumps(document)  # plain JSON throughout


def _form(email, queues=()):
    from queue_app import domain
    return domain.validate_store_form(email=email, password="secret123", confirm="secret123",
                                      name="Other", queue_names=list(queues), timezone="UTC",
                                      queues_optional=True)


def _room_form():
    from queue_app.domain.rooms import validate_room_form
    return validate_room_form(size=10, interval=30, active=2, target_url="")


def test_the_front_door_sends_the_api_straight_to_it_and_everything_else_to_the_app(api, db, now):
    """`queue_app.asgi`: `/api/v1/...` skips Reflex's wrapping; pages and the lifespan do not."""
    seen = []

    async def reflex_like(scope, receive, send):  # stands for Reflex's app: records what it got
        seen.append((scope["type"], scope.get("path")))
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"page"})

    _, room = open_room(db, now)
    db.commit()
    slug = room.slug
    with client(FrontDoor(reflex_like, api)) as front:
        taken = front.post(f"/api/v1/rooms/{slug}/tickets")
        assert taken.status_code == 201 and taken.json()["position"] == 1
        assert len(taken.headers["x-request-id"]) == 12
        assert front.get("/api/v1/rooms/no-such-room").json()["error"]["code"] == "not_found"
        assert front.get("/join/abc").text == "page"
        assert front.get("/api/v1").text == "page"  # only what is under the prefix is the API's
    assert seen == [("lifespan", None), ("http", "/join/abc"), ("http", "/api/v1")]
