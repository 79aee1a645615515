"""Who watches which store: per tab (client token) the store, the page's state class and context.

A tab shows one page at a time, so a token has one entry; opening another live page replaces it.
In process memory with one worker; in Redis (shared by every worker and replica) with several.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Watch:
    """One tab: which store it shows, through which state class, with which private context."""

    store_id: int
    view: str  # the state class's full name
    context: dict[str, str] = field(default_factory=dict)  # e.g. the ticket secret, the page origin


class Registry:
    """In-process registry: store id → {token: Watch}."""

    def __init__(self) -> None:
        self._by_store: dict[int, dict[str, Watch]] = {}
        self._by_token: dict[str, Watch] = {}

    def add(self, token: str, watch: Watch) -> None:
        previous = self._by_token.get(token)
        if previous is not None and previous.store_id != watch.store_id:
            self._by_store.get(previous.store_id, {}).pop(token, None)
        self._by_token[token] = watch
        self._by_store.setdefault(watch.store_id, {})[token] = watch

    def remove(self, token: str) -> None:
        watch = self._by_token.pop(token, None)
        if watch is not None:
            self._by_store.get(watch.store_id, {}).pop(token, None)

    def members(self, store_id: int) -> list[tuple[str, Watch]]:
        return list(self._by_store.get(store_id, {}).items())


class RedisRegistry(Registry):
    """The same in Redis: a hash per store (token → watch) and a key per token (its store)."""

    TTL = 48 * 3600  # a store lives a day: nothing is left behind for long

    def __init__(self, url: str) -> None:
        import redis  # noqa: PLC0415  (only with several workers)

        self._redis = redis.Redis.from_url(url, decode_responses=True)

    def add(self, token: str, watch: Watch) -> None:
        previous = self._redis.getset(f"queue:tab:{token}", watch.store_id)
        pipe = self._redis.pipeline()
        if previous is not None and int(previous) != watch.store_id:
            pipe.hdel(f"queue:watchers:{previous}", token)
        pipe.expire(f"queue:tab:{token}", self.TTL)
        pipe.hset(f"queue:watchers:{watch.store_id}", token,
                  json.dumps({"view": watch.view, "context": watch.context}))
        pipe.expire(f"queue:watchers:{watch.store_id}", self.TTL)
        pipe.execute()

    def remove(self, token: str) -> None:
        store_id = self._redis.getdel(f"queue:tab:{token}")
        if store_id is not None:
            self._redis.hdel(f"queue:watchers:{store_id}", token)

    def members(self, store_id: int) -> list[tuple[str, Watch]]:
        found = self._redis.hgetall(f"queue:watchers:{store_id}")
        result = []
        for token, raw in found.items():
            data = json.loads(raw)
            result.append((token, Watch(store_id, data["view"], data["context"])))
        return result


def make_registry() -> Registry:
    """Redis when Reflex runs on Redis (several workers), else process memory."""
    url = os.environ.get("REFLEX_REDIS_URL", "")
    return RedisRegistry(url) if url else Registry()
