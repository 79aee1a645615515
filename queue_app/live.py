"""Who watches which store, and pushing fresh views to them.

After a service commits a change to store S, the caller runs `publish(S)` (or `publish_soon(S)`
from sync code and other threads). `publish` reads ONE snapshot of S and hands it to every
watching tab's state, whose `show(snapshot)` derives that tab's own view (a ticket page keeps only
its own party). Reflex then sends each tab its delta over its websocket.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import TYPE_CHECKING, Protocol

from reflex.istate.manager.token import BaseStateToken

from queue_app.clock import utcnow
from queue_app.db import read_session
from queue_app.services.snapshot import StoreSnapshot, load_snapshot

if TYPE_CHECKING:
    import reflex as rx

log = logging.getLogger("queue_app.live")


class LiveView(Protocol):
    """A page state that shows one store: `_watching` is the store id it shows (0: none)."""

    _watching: int

    def show(self, snapshot: StoreSnapshot) -> None: ...


class Registry:
    """In-process map store id → {client token: state class}; one worker needs nothing more."""

    def __init__(self) -> None:
        self._by_store: dict[int, dict[str, type]] = {}

    def add(self, store_id: int, token: str, state_cls: type) -> None:
        self._by_store.setdefault(store_id, {})[token] = state_cls

    def remove(self, store_id: int, token: str) -> None:
        self._by_store.get(store_id, {}).pop(token, None)

    def members(self, store_id: int) -> list[tuple[str, type]]:
        return list(self._by_store.get(store_id, {}).items())


class RedisRegistry(Registry):
    """The same map in Redis, shared by every worker and replica (one hash per store)."""

    def __init__(self, url: str) -> None:
        import redis  # noqa: PLC0415  (only with several workers)

        self._redis = redis.Redis.from_url(url, decode_responses=True)

    @staticmethod
    def _key(store_id: int) -> str:
        return f"queue:watchers:{store_id}"

    def add(self, store_id: int, token: str, state_cls: type) -> None:
        self._redis.hset(self._key(store_id), token, state_cls.get_full_name())
        self._redis.expire(self._key(store_id), 48 * 3600)  # a store lives 24 h: no leftovers

    def remove(self, store_id: int, token: str) -> None:
        self._redis.hdel(self._key(store_id), token)

    def members(self, store_id: int) -> list[tuple[str, type]]:
        found = self._redis.hgetall(self._key(store_id))
        return [(token, _state_classes[name]) for token, name in found.items()
                if name in _state_classes]


def make_registry() -> Registry:
    """Redis when Reflex runs on Redis (several workers), else process memory."""
    url = os.environ.get("REFLEX_REDIS_URL", "")
    return RedisRegistry(url) if url else Registry()


_app: rx.App | None = None
_loop: asyncio.AbstractEventLoop | None = None
_registry = Registry()
_tasks: set[asyncio.Task] = set()
_state_classes: dict[str, type] = {}


def bind(app: rx.App, views: list[type], registry: Registry | None = None) -> None:
    """Called once by the composition root with every state class that shows a store live."""
    global _app, _registry
    _app = app
    _registry = registry or make_registry()
    for view in views:
        _state_classes[view.get_full_name()] = view


async def remember_loop() -> None:
    """Lifespan task: note the server's event loop, for `publish_soon` from other threads."""
    global _loop
    _loop = asyncio.get_running_loop()


def watch(store_id: int, token: str, state_cls: type) -> None:
    """Register a tab (its client token) as showing `store_id` through `state_cls`."""
    _registry.add(store_id, token, state_cls)


def unwatch(store_id: int, token: str) -> None:
    _registry.remove(store_id, token)


async def publish(store_id: int) -> int:
    """Push the current state of `store_id` to every tab watching it; returns how many got it."""
    if _app is None:
        return 0
    members = _registry.members(store_id)
    if not members:
        return 0
    started = time.perf_counter()
    snapshot = await asyncio.to_thread(_read, store_id)
    if snapshot is None:
        return 0
    results = await asyncio.gather(*(_push(store_id, token, cls, snapshot) for token, cls in members))
    log.debug("published store %s to %d tabs in %.1f ms", store_id, sum(results),
              (time.perf_counter() - started) * 1000)
    return sum(results)


def _read(store_id: int) -> StoreSnapshot | None:
    with read_session() as db:
        return load_snapshot(db, store_id, now=utcnow())


async def _push(store_id: int, token: str, cls: type, snapshot: StoreSnapshot) -> bool:
    manager = _app.event_namespace._token_manager  # noqa: SLF001  (Reflex has no public API)
    if not await manager.is_token_connected(token):
        _registry.remove(store_id, token)  # the tab was closed
        return False
    try:
        async with _app.modify_state(BaseStateToken(ident=token, cls=cls)) as root:
            view = await root.get_state(cls)
            if view._watching != store_id:  # the tab moved on to another page or store
                _registry.remove(store_id, token)
                return False
            view.show(snapshot)
        return True
    except Exception:
        log.exception("live update of one tab failed")
        return False


def publish_soon(store_id: int) -> None:
    """Schedule `publish` from anywhere: an event handler, or the scheduler's thread."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is not None:
        task = loop.create_task(publish(store_id))
        _tasks.add(task)
        task.add_done_callback(_tasks.discard)
    elif _loop is not None and not _loop.is_closed():
        asyncio.run_coroutine_threadsafe(publish(store_id), _loop)

