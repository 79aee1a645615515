"""Per store: the lock that serialises its publishes, and the last payload emitted to each room.

In process memory with one worker; in Redis (shared by every worker) with several, so that the
publishes of a store are serialised across workers and a catch-up sends what the room last got.
Each room also has an emit number, counted up just before each emit (`mark`): a tab that noted
it when it entered the room knows, when a higher one is seen, that an emit reached it since.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections import defaultdict
from contextlib import AbstractAsyncContextManager
from typing import Any

TTL = 48 * 3600  # a store lives a day: nothing is left behind for long


class MemoryLedger:
    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._last: dict[tuple[int, str], Any] = {}
        self._emits: dict[tuple[int, str], int] = {}

    def lock(self, store_id: int) -> AbstractAsyncContextManager:
        return self._locks[store_id]

    async def last(self, store_id: int, kind: str) -> Any:
        return self._last.get((store_id, kind))

    async def remember(self, store_id: int, kind: str, payload: Any) -> None:
        self._last[(store_id, kind)] = payload

    async def forget(self, store_id: int, kinds) -> None:
        for kind in kinds:
            self._last.pop((store_id, kind), None)

    async def mark(self, store_id: int, kind: str) -> int:
        """Count one more emit to the room (call it before the emit, with the lock held)."""
        self._emits[(store_id, kind)] = self._emits.get((store_id, kind), 0) + 1
        return self._emits[(store_id, kind)]

    async def emits(self, store_id: int, kind: str) -> int:
        return self._emits.get((store_id, kind), 0)


class RedisLedger:
    def __init__(self, url: str) -> None:
        self._url = url
        self._clients: dict[asyncio.AbstractEventLoop, Any] = {}

    def _redis(self):
        import redis.asyncio  # noqa: PLC0415  (only with several workers)

        loop = asyncio.get_running_loop()
        if loop not in self._clients:
            self._clients = {loop: redis.asyncio.Redis.from_url(self._url)}
        return self._clients[loop]

    def lock(self, store_id: int) -> AbstractAsyncContextManager:
        return self._redis().lock(f"queue:live:lock:{store_id}", timeout=30, blocking_timeout=30)

    async def last(self, store_id: int, kind: str) -> Any:
        raw = await self._redis().get(f"queue:live:last:{store_id}:{kind}")
        return json.loads(raw) if raw else None

    async def remember(self, store_id: int, kind: str, payload: Any) -> None:
        await self._redis().set(f"queue:live:last:{store_id}:{kind}", json.dumps(payload), ex=TTL)

    async def forget(self, store_id: int, kinds) -> None:
        await self._redis().delete(*(f"queue:live:last:{store_id}:{kind}" for kind in kinds))

    async def mark(self, store_id: int, kind: str) -> int:
        key = f"queue:live:emits:{store_id}:{kind}"
        async with self._redis().pipeline(transaction=True) as pipe:
            count, _ = await pipe.incr(key).expire(key, TTL).execute()
        return int(count)

    async def emits(self, store_id: int, kind: str) -> int:
        return int(await self._redis().get(f"queue:live:emits:{store_id}:{kind}") or 0)


def make_ledger() -> MemoryLedger | RedisLedger:
    url = os.environ.get("REFLEX_REDIS_URL", "")
    return RedisLedger(url) if url else MemoryLedger()
