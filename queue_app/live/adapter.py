"""The one module that touches Reflex's and python-socketio's internals: rooms of tabs, one emit each.

Reflex gives every browser tab a client token and one socket.io connection (a `sid`) on one worker.
A live page joins a *room* (a plain string, e.g. ``store:7:customer``) and every change is sent to
the room ONCE: socket.io encodes the packet once and writes it to every member's socket.

- `make_sio()` builds the socket.io `AsyncServer` exactly as Reflex 0.10.1 builds its own
  (`reflex/app.py`, `App._setup_state`) and, when ``REFLEX_REDIS_URL`` is set, gives it an
  `AsyncRedisManager`, so a room spans every worker and replica. The composition root passes it as
  ``rx.App(sio=make_sio())``.
- `join_room(token, room)`: the tab whose client token is `token` enters `room` (and leaves the
  other rooms it joined through here: a tab shows one live page at a time). Call it from the page's
  `on_load`; a reconnecting tab has a new sid and no rooms, and its `on_load` runs again.
- `emit_to_room(room, state_cls, values)`: one delta ``{state full name: {var: value}}`` in
  Reflex's client ``"event"`` format, so every tab of `state_cls` in the room sets those vars.
- `emit_to_tab(token, state_cls, values)`: the same for one tab (the owner's screens), wherever
  its socket lives.

Order across workers: with Redis every emit goes through the Redis channel only — this worker
handles it from its own subscription like every other worker — so all workers deliver the emits
in one order, the channel's. The caller (the hub) serialises the emits of a store, so a screen
always ends on the latest payload; without Redis there is one process and one order anyway.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

from reflex.app import _sio_dumps, _sio_loads
from reflex_base.config import get_config
from reflex_base.constants.event import SocketEvent
from reflex_base.constants.state import FIELD_MARKER
from reflex_base.environment import environment
from socketio import AsyncRedisManager, AsyncServer

log = logging.getLogger("queue_app.live")

ROOM_PREFIX = "queue:"  # rooms joined through `join_room`; a tab is in at most one
CHANNEL = "queue-app-socketio"  # the Redis pub/sub channel of the socket.io manager
_ORDERED_HOST = "queue-live-ordered"  # host id of our emits: every worker handles them from Redis

_sio: AsyncServer | None = None


def make_sio() -> AsyncServer:
    """Reflex's own `AsyncServer` (same arguments as reflex/app.py), on Redis when configured."""
    global _sio
    config = get_config()
    url = config.redis_url or ""
    manager = AsyncRedisManager(url, channel=CHANNEL) if url else None
    _sio = AsyncServer(
        async_mode="asgi",
        client_manager=manager,
        cors_allowed_origins=(
            ("*" if config.cors_allowed_origins == ("*",) else list(config.cors_allowed_origins))
            if config.transport == "websocket" else []),
        cors_credentials=config.transport == "websocket",
        max_http_buffer_size=environment.REFLEX_SOCKET_MAX_HTTP_BUFFER_SIZE.get(),
        ping_interval=environment.REFLEX_SOCKET_INTERVAL.get().total_seconds(),
        ping_timeout=environment.REFLEX_SOCKET_TIMEOUT.get().total_seconds(),
        json=SimpleNamespace(dumps=staticmethod(_sio_dumps), loads=staticmethod(_sio_loads)),
        allow_upgrades=False,
        transports=[config.transport],
        async_handlers=False,
    )
    return _sio


def use(sio: AsyncServer) -> None:
    """Adopt an already built server (tests that build their own app)."""
    global _sio
    _sio = sio


def _server() -> AsyncServer:
    if _sio is None:
        msg = "live.adapter: build the app with rx.App(sio=adapter.make_sio())"
        raise RuntimeError(msg)
    return _sio


def _namespace() -> str:
    return get_config().get_event_namespace()


def _token_manager():
    handler = _server().namespace_handlers.get(_namespace())
    return None if handler is None else handler._token_manager  # noqa: SLF001  (no public API)


async def sid_of(token: str) -> str | None:
    """The socket id of a tab on any worker (Reflex records it locally, and in Redis if used)."""
    manager = _token_manager()
    if manager is None:
        return None
    record = manager.token_to_socket.get(token)
    if record is not None and record.instance_id == manager.instance_id:
        return record.sid
    if hasattr(manager, "_fetch_socket_record"):  # RedisTokenManager: the socket may be elsewhere
        try:
            record = await manager._fetch_socket_record(token)  # noqa: SLF001
        except Exception:  # noqa: BLE001  (Redis down: the tab cannot be reached now)
            log.warning("live: socket record lookup failed")
            return None
    return record.sid if record is not None else None


async def join_room(token: str, room: str) -> None:
    """Put the tab's socket into `room` (on whichever worker holds it), out of its other rooms."""
    sid = await sid_of(token)
    if sid is None:
        log.debug("live: a tab without a socket cannot join a room")
        return
    sio, namespace = _server(), _namespace()
    room = ROOM_PREFIX + room.removeprefix(ROOM_PREFIX)
    if sio.manager.is_connected(sid, namespace) or sio.manager.is_pre_connected(sid, namespace):
        for old in list(sio.rooms(sid, namespace=namespace)):
            if isinstance(old, str) and old.startswith(ROOM_PREFIX) and old != room:
                await sio.leave_room(sid, old, namespace=namespace)
    await sio.enter_room(sid, room, namespace=namespace)  # a remote sid: relayed over Redis


async def leave_rooms(token: str) -> None:
    """Take the tab out of every room it joined here (its page no longer shows a store)."""
    sid = await sid_of(token)
    sio, namespace = _server(), _namespace()
    if sid is None or not sio.manager.is_connected(sid, namespace):
        return
    for old in list(sio.rooms(sid, namespace=namespace)):
        if isinstance(old, str) and old.startswith(ROOM_PREFIX):
            await sio.leave_room(sid, old, namespace=namespace)


def delta(state_cls: type, values: dict[str, Any]) -> dict:
    """Reflex's client "event" payload that sets `values` on every tab's `state_cls`."""
    return {"delta": {state_cls.get_full_name(): {
        name + FIELD_MARKER: value for name, value in values.items()}}}


async def emit_to_room(room: str, state_cls: type, values: dict) -> None:
    """One emit of one delta to every tab in `room`, on every worker."""
    await _emit(delta(state_cls, values), ROOM_PREFIX + room.removeprefix(ROOM_PREFIX))


async def emit_to_tab(token: str, state_cls: type, values: dict) -> bool:
    """The same delta to one tab, wherever its socket lives; False if the tab has no socket."""
    sid = await sid_of(token)
    if sid is None:
        return False
    await _emit(delta(state_cls, values), sid)
    return True


async def _emit(payload: dict, to: str) -> None:
    sio, namespace = _server(), _namespace()
    manager = sio.manager
    if not isinstance(manager, AsyncRedisManager):
        await sio.emit(str(SocketEvent.EVENT), payload, to=to, namespace=namespace)
        return
    # Through Redis only (our own subscriber handles it too): one order on every worker.
    if not sio.manager_initialized:  # this worker has had no socket yet: nothing to listen for
        sio.manager_initialized = True
        manager.initialize()
    await manager._publish({  # noqa: SLF001
        "method": "emit", "event": str(SocketEvent.EVENT), "data": [payload], "binary": False,
        "namespace": namespace, "room": to, "skip_sid": None, "callback": None,
        "host_id": _ORDERED_HOST})
