"""The live ledger's emit count, in process memory and in Redis (shared by every worker)."""

from __future__ import annotations

import asyncio
import random

import pytest

from queue_app.live.ledger import TTL, MemoryLedger, RedisLedger
from tests.conftest import REDIS_URL, require_service


@pytest.fixture(params=["memory", "redis"])
def ledger(request):
    if request.param == "memory":
        return MemoryLedger()
    require_service(REDIS_URL, "QUEUE_TEST_REDIS_URL")
    return RedisLedger(REDIS_URL)


def test_each_rooms_emit_count_goes_up_by_one_per_mark_and_rooms_do_not_share_it(ledger):
    store, other = random.randrange(10**8, 10**9), random.randrange(10**9, 10**10)  # no clash

    async def scenario():
        before = [await ledger.emits(store, "customer"), await ledger.emits(store, "public")]
        marks = [await ledger.mark(store, "customer") for _ in range(3)]
        await ledger.mark(other, "customer")
        after = [await ledger.emits(store, "customer"), await ledger.emits(store, "public"),
                 await ledger.emits(other, "customer")]
        ttl = None
        if isinstance(ledger, RedisLedger):
            client = ledger._redis()  # noqa: SLF001  (what a worker's key holds)
            ttl = await client.ttl(f"queue:live:emits:{store}:customer")
            await client.delete(*(f"queue:live:emits:{s}:customer" for s in (store, other)))
            await client.aclose()
        return before, marks, after, ttl

    before, marks, after, ttl = asyncio.run(scenario())
    assert before == [0, 0] and marks == [1, 2, 3] and after == [3, 0, 1]
    assert ttl is None or 0 < ttl <= TTL  # nothing left behind in Redis for long
