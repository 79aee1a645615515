"""Waiting-room tickets on Redis: unique, gap-free positions across processes; 503 and recovery."""

from __future__ import annotations

import asyncio
import multiprocessing
import uuid
from dataclasses import dataclass

import pytest
import redis
from starlette.testclient import TestClient

from queue_app.services import room_counter
from tests.conftest import REDIS_URL, require_service
from tests.integration.tcp_proxy import Proxy
from tests.integration.test_api_v1 import HOST, api  # noqa: F401  (fixture)
from tests.integration.test_rooms import open_room


@dataclass(frozen=True)
class FakeRoom:  # what the counter needs of a room: its id and its random slug
    id: int
    slug: str


@pytest.fixture
def redis_url():
    require_service(REDIS_URL, "QUEUE_TEST_REDIS_URL")
    return REDIS_URL


def _issue_many(url: str, slug: str, count: int, out) -> None:
    """One worker process: `count` positions, 16 requests in flight (like a worker's connections)."""
    async def run():
        counter, gate = room_counter.RedisCounter(url), asyncio.Semaphore(16)

        async def one(i: int) -> int:
            async with gate:
                return await counter.issue(FakeRoom(1, slug), f"w{i}", 10**9)
        try:
            return await asyncio.gather(*(one(i) for i in range(count)))
        finally:
            await counter.close()
    try:
        out.put(asyncio.run(run()))
    except Exception as error:  # noqa: BLE001  (reported to the test, never a silent hang)
        out.put(repr(error))


def test_two_worker_processes_get_unique_gap_free_positions(redis_url):
    slug = uuid.uuid4().hex
    results = multiprocessing.get_context("spawn").Queue()
    workers = [multiprocessing.get_context("spawn").Process(
        target=_issue_many, args=(redis_url, slug, 500, results)) for _ in range(2)]
    for worker in workers:
        worker.start()
    answers = [results.get(timeout=180), results.get(timeout=180)]  # spawn + imports, busy machine
    assert all(isinstance(a, list) for a in answers), answers
    got = answers[0] + answers[1]
    for worker in workers:
        worker.join(timeout=30)
    assert sorted(got) == list(range(1, 1001))
    redis.Redis.from_url(redis_url).delete(room_counter.position_key(FakeRoom(1, slug)))


def test_requests_that_arrive_together_share_one_round_trip_and_a_refused_one_takes_no_position(
        redis_url):
    """Eight requests in one pass of the loop go to Redis in one script call.

    The caller over its limit gets `Limited`; the others get the next positions, in arrival
    order, with no gap.
    """
    slug = uuid.uuid4().hex
    room = FakeRoom(1, slug)
    callers = [f"{slug}-{c}" for c in "abacabda"]  # each may take two this minute: "a" asks four times

    async def run():
        counter = room_counter.RedisCounter(redis_url)
        calls = []
        real_script = counter._script

        async def counting(**kwargs):
            calls.append(len(kwargs["keys"]) - 1)
            return await real_script(**kwargs)
        counter._script = counting
        try:
            return await asyncio.gather(*(counter.issue(room, c, 2) for c in callers),
                                        return_exceptions=True), calls
        finally:
            await counter.close()
    got, calls = asyncio.run(run())
    assert calls == [8]
    assert [g if isinstance(g, int) else type(g).__name__ for g in got] == \
        [1, 2, 3, 4, "Limited", 5, 6, "Limited"]
    assert 55 <= got[4].retry_after <= 61
    redis.Redis.from_url(redis_url).delete(room_counter.position_key(room))


def test_with_redis_down_tickets_answer_503_and_come_back_by_themselves(  # noqa: PLR0913
        api, db, now, redis_url, monkeypatch):  # noqa: F811
    target = redis.Redis.from_url(redis_url).connection_pool.connection_kwargs
    proxy = Proxy(int(target.get("port", 6379)))
    db_number = target.get("db", 0)
    counter = room_counter.RedisCounter(f"redis://127.0.0.1:{proxy.port}/{db_number}")
    monkeypatch.setattr(room_counter, "redis_counter", lambda: counter)
    _, room = open_room(db, now)
    db.commit()
    try:
        with TestClient(api, base_url=HOST) as web:
            def take():
                web.cookies.clear()  # a new visitor each time
                return web.post(f"/rooms/{room.slug}/tickets")
            assert take().json()["position"] == 1
            proxy.cut()
            down = take()
            assert down.status_code == 503 and down.headers["retry-after"] == "5"
            assert down.json()["error"]["code"] == "unavailable"
            assert "try again in a few seconds" in down.json()["error"]["message"]
            proxy.restore()
            back = [take() for _ in range(2)]
            assert [b.status_code for b in back] in ([201, 201], [503, 201])  # one stale socket at most
            taken = [b.json()["position"] for b in back if b.status_code == 201]
            assert taken[0] == 2  # the refused request took no position
    finally:
        proxy.close()
        redis.Redis.from_url(redis_url).delete(room_counter.position_key(room))
