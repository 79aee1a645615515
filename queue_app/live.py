"""Who watches which store, and pushing fresh views to them.

After a service commits a change to store S, the caller runs `publish(S)` (or `publish_soon(S)`
from sync code and other threads). `publish` reads ONE snapshot of S and hands it to every
watching tab's state, whose `show(snapshot)` derives that tab's own view (a ticket page keeps only
its own party). Reflex then sends each tab its delta over its websocket.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Protocol

from reflex.istate.manager.token import BaseStateToken

from queue_app.clock import utcnow
from queue_app.db import session
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


_app: rx.App | None = None
_loop: asyncio.AbstractEventLoop | None = None
_registry = Registry()
_tasks: set[asyncio.Task] = set()
_state_classes: dict[str, type] = {}


def bind(app: rx.App, registry: Registry | None = None) -> None:
    """Called once by the composition root."""
    global _app, _registry
    _app = app
    if registry is not None:
        _registry = registry


def remember_loop(loop: asyncio.AbstractEventLoop) -> None:
    """The event loop that `publish_soon` uses when called from another thread."""
    global _loop
    _loop = loop


def watch(store_id: int, token: str, state_cls: type) -> None:
    """Register a tab (its client token) as showing `store_id` through `state_cls`."""
    global _loop
    _loop = asyncio.get_running_loop()
    _state_classes[state_cls.get_full_name()] = state_cls
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
    with session() as db:
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

