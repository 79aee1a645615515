"""Pushing fresh views of a store to every tab that shows it.

After a service commits a change to store S, the caller runs `publish_soon(S)`. `publish` reads ONE
snapshot of S, derives each watching tab's view with its page state's pure `view(snapshot, context)`
(a ticket page gets only its own party), and sends just the vars that changed straight down that
tab's websocket with Reflex's `emit_update`. It does not load, lock or save the tab's stored state:
a live view is derived data that the page's `on_load` rebuilds on every (re)connect, and the stored
state keeps only what handlers need (ids, secrets). Tabs whose view did not change get nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any, Protocol

from reflex.state import StateUpdate
from reflex_base.constants.event import SocketEvent
from reflex_base.constants.state import FIELD_MARKER

from queue_app import metrics
from queue_app.clock import utcnow
from queue_app.db import read_session
from queue_app.live.registry import Registry, Watch, make_registry
from queue_app.services.snapshot import StoreSnapshot, load_snapshot

if TYPE_CHECKING:
    import reflex as rx

log = logging.getLogger("queue_app.live")


class LiveView(Protocol):
    """A page state that shows one store live."""

    @classmethod
    def view(cls, snapshot: StoreSnapshot, context: dict[str, str]) -> dict[str, Any]:
        """Every var the page derives from the store, for one tab's private context."""


_app: rx.App | None = None
_loop: asyncio.AbstractEventLoop | None = None
_registry: Registry = Registry()
_views: dict[str, type] = {}
_sent: dict[str, dict[str, Any]] = {}  # token → the view this process last sent (or showed)
_tasks: set[asyncio.Task] = set()
_first: set[str] = set()  # views pushed before the others (the owner's screens)
_running: set[int] = set()  # stores with a push in flight
_again: dict[int, bool] = {}  # stores changed again while their push was in flight → all tabs?


def bind(app: rx.App, views: list[type], first: list[type] = (), registry: Registry | None = None
         ) -> None:
    """Called once by the composition root with every state class that shows a store live.

    Tabs of the `first` views (the counter's dashboard and display) are pushed before the
    customers' phones, so the owner's screens never wait behind a thousand tickets.
    """
    global _app, _registry
    _app = app
    _registry = registry or make_registry()
    _views.update({view.get_full_name(): view for view in views})
    _first.update(view.get_full_name() for view in first)


async def remember_loop() -> None:
    """Lifespan task: note the server's event loop, for `publish_soon` from other threads."""
    global _loop
    _loop = asyncio.get_running_loop()


def show(state: Any, store_id: int, snapshot: StoreSnapshot, context: dict[str, str]) -> None:
    """Set a page state's vars from `snapshot` and register its tab for the live pushes."""
    view = type(state).view(snapshot, context)
    for name, value in view.items():
        setattr(state, name, value)
    token = state.router.session.client_token
    _registry.add(token, Watch(store_id, type(state).get_full_name(), context))
    _sent[token] = view


def unwatch(token: str) -> None:
    _registry.remove(token)
    _sent.pop(token, None)


async def publish(store_id: int, owners_only: bool = False) -> int:
    """Push the current state of `store_id` to every tab watching it; returns how many got a delta.

    Pushes coalesce: changes made while a push of the store is in flight are sent together by
    one more push right after it (each push reads the latest snapshot), so a rush of joins costs
    a few snapshot reads, not one per join. `owners_only`: only the owner's screens can have
    changed (a code was scanned: the counter shows a new one).
    """
    if store_id in _running:
        _again[store_id] = _again.get(store_id, False) or not owners_only
        return 0
    _running.add(store_id)
    try:
        pushed, everyone = 0, not owners_only
        while True:
            pushed += await _publish_once(store_id, everyone)
            if store_id not in _again:
                return pushed
            everyone = _again.pop(store_id)
    finally:
        _running.discard(store_id)


async def _publish_once(store_id: int, everyone: bool) -> int:
    members = sorted(_registry.members(store_id), key=lambda member: member[1].view not in _first)
    if not everyone:
        members = [member for member in members if member[1].view in _first]
    if _app is None or not members:
        return 0
    started = time.perf_counter()
    snapshot = await asyncio.to_thread(_read, store_id)
    if snapshot is None:
        return 0
    pushed = 0
    for token, watch in members:
        view_cls = _views.get(watch.view)
        if view_cls is not None:
            pushed += await _push(token, view_cls, view_cls.view(snapshot, watch.context))
    await asyncio.sleep(0)  # let the websocket writers flush what was queued
    metrics.pushed(time.perf_counter() - started, pushed)
    log.debug("store %s: %d of %d tabs updated in %.1f ms", store_id, pushed, len(members),
              (time.perf_counter() - started) * 1000)
    return pushed


def _read(store_id: int) -> StoreSnapshot | None:
    with read_session() as db:
        return load_snapshot(db, store_id, now=utcnow())


async def _push(token: str, view_cls: type, view: dict[str, Any]) -> bool:
    previous = _sent.get(token, {})
    changed = {name: value for name, value in view.items()
               if name not in previous or previous[name] != value}
    if not changed:
        return False
    namespace = _app.event_namespace
    local_sid = _local_sid(token)
    if local_sid is None and not await _connected(token):
        unwatch(token)  # the tab was closed; a reconnecting tab re-registers in its on_load
        return False
    update = StateUpdate(delta={view_cls.get_full_name(): {
        name + FIELD_MARKER: value for name, value in changed.items()}})
    try:
        if local_sid is not None:  # queue the packet on this worker's socket; flushed after the loop
            await namespace.emit(SocketEvent.EVENT, update, to=local_sid)
        else:  # another worker's socket: Reflex relays it over Redis
            await namespace.emit_update(update, token)
    except Exception:
        log.exception("live update of one tab failed")
        return False
    _sent[token] = view
    return True


def _local_sid(token: str) -> str | None:
    """The socket id of this tab when this worker holds its websocket."""
    manager = _app.event_namespace._token_manager  # noqa: SLF001  (Reflex has no public API)
    record = manager.token_to_socket.get(token)
    return record.sid if record is not None and record.instance_id == manager.instance_id else None


async def _connected(token: str) -> bool:
    manager = _app.event_namespace._token_manager  # noqa: SLF001  (Reflex has no public API)
    record = manager.token_to_socket.get(token)
    if record is not None and record.instance_id == manager.instance_id:
        return True
    return await manager.is_token_connected(token)  # another worker's socket (Redis), or none


def publish_soon(store_id: int, owners_only: bool = False) -> None:
    """Schedule `publish` from anywhere: an event handler, or the scheduler's thread."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is not None:
        task = loop.create_task(publish(store_id, owners_only))
        _tasks.add(task)
        task.add_done_callback(_tasks.discard)
    elif _loop is not None and not _loop.is_closed():
        asyncio.run_coroutine_threadsafe(publish(store_id, owners_only), _loop)
