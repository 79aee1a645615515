"""A headless browser tab: Engine.IO v4 / Socket.IO v5 over one websocket, as Reflex's frontend speaks it.

Only what `.web/utils/state.js` does: websocket transport only, path `/_event/`, `?token=<uuid4>`,
namespace `/_event`, the boot event (hydrate + on_load) in the CONNECT `auth` payload, then
`["event", {...}]` both ways. Messages are timestamped on arrival and parsed only when asked, so
one load-generator core can hold a thousand tabs.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid

from websockets.asyncio.client import connect

NAMESPACE = "/_event"
# Browsers ask for permessage-deflate; BENCH_WS_DEFLATE=1 makes every tab ask for it too.
COMPRESSION = "deflate" if os.environ.get("BENCH_WS_DEFLATE") == "1" else None
EVENT_PREFIX = f"42{NAMESPACE},"


class ConnectRefused(RuntimeError):
    """The server answered the CONNECT packet with an error (or never answered)."""


class Tab:
    """One tab: its own token, one socket, the deltas it received (raw text, arrival time)."""

    def __init__(self, ws_base: str, *, ip: str = "", subprotocol: str = "", parse: bool = False,
                 keep: int = 20) -> None:
        self.token = str(uuid.uuid4())
        self.url = f"{ws_base}/_event/?EIO=4&transport=websocket&token={self.token}"
        self.origin = ws_base.replace("ws", "http", 1)  # a browser sends the page's origin
        self.headers = {"X-Forwarded-For": ip} if ip else {}
        self.subprotocols = [subprotocol] if subprotocol else None
        self.keep, self.parsing = keep, parse
        self.received: list[tuple[float, str]] = []  # (perf_counter at arrival, raw event JSON)
        self.state: dict[str, dict] = {}  # merged deltas (parsing tabs only)
        self.events: list[dict] = []  # events the server asked this tab to run (parsing tabs only)
        self.changed = asyncio.Event()  # set on every message of a parsing tab
        self.frames = 0  # websocket messages received, of every kind (handshake and pings too)
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._connected = asyncio.get_running_loop().create_future()
        self._waiters: list[tuple[str, asyncio.Future]] = []

    async def open(self, boot_event: dict, timeout: float = 30.0) -> None:
        """Open the socket and send CONNECT with the boot event, as the frontend does."""
        self._ws = await asyncio.wait_for(connect(
            self.url, origin=self.origin, additional_headers=self.headers, subprotocols=self.subprotocols,
            compression=COMPRESSION, max_size=None, ping_interval=None, open_timeout=timeout), timeout)
        handshake = await asyncio.wait_for(self._ws.recv(), timeout)
        self.frames += 1
        if not handshake.startswith("0"):
            raise ConnectRefused(f"unexpected Engine.IO handshake {handshake[:80]!r}")
        self._reader = asyncio.create_task(self._read())
        auth = {"event": boot_event}
        await self._ws.send(f"40{NAMESPACE},{json.dumps(auth)}")
        await asyncio.wait_for(asyncio.shield(self._connected), timeout)

    def expect(self, needle: str) -> asyncio.Future:
        """A future resolved with the arrival time of the next message containing `needle`."""
        future = asyncio.get_running_loop().create_future()
        self._waiters.append((needle, future))
        return future

    async def emit(self, name: str, payload: dict, router_data: dict) -> float:
        """Send one event; returns the perf_counter just before the send."""
        frame = EVENT_PREFIX + json.dumps(["event", {"name": name, "payload": payload,
                                                     "router_data": router_data}])
        started = time.perf_counter()
        await self._ws.send(frame)
        return started

    async def wait_for(self, check, timeout: float = 30.0):
        """Wait until `check(tab)` returns something truthy (parsing tabs); returns it."""
        async def poll():
            while not (found := check(self)):
                self.changed.clear()
                await self.changed.wait()
            return found
        return await asyncio.wait_for(poll(), timeout)

    async def close(self) -> None:
        if self._ws is not None:
            try:
                await self._ws.send(f"41{NAMESPACE},")
                await asyncio.wait_for(self._ws.close(), 5)
            except Exception:  # noqa: BLE001  (a dead socket is closed already)
                pass
        if self._reader is not None:
            self._reader.cancel()

    async def _read(self) -> None:
        try:
            async for message in self._ws:
                arrived = time.perf_counter()
                self.frames += 1
                if message == "2":
                    await self._ws.send("3")
                elif message.startswith(EVENT_PREFIX):
                    raw = message[len(EVENT_PREFIX) + 9:-1]  # strip `["event",` … `]`
                    self._arrive(arrived, raw)
                elif message.startswith(f"40{NAMESPACE},") and not self._connected.done():
                    self._connected.set_result(arrived)
                elif message.startswith(f"44{NAMESPACE},") and not self._connected.done():
                    self._connected.set_exception(ConnectRefused(message[:200]))
        except Exception as error:  # noqa: BLE001  (a closed socket ends the reader)
            if not self._connected.done():
                self._connected.set_exception(ConnectRefused(repr(error)))

    def _arrive(self, arrived: float, raw: str) -> None:
        if self.parsing:
            update = json.loads(raw)
            for substate, values in (update.get("delta") or {}).items():
                self.state.setdefault(substate, {}).update(values)
            self.events.extend(update.get("events") or [])
            self.changed.set()
        self.received.append((arrived, raw))
        if len(self.received) > self.keep:
            del self.received[: len(self.received) - self.keep]
        if self._waiters:
            still = []
            for needle, future in self._waiters:
                if future.done():
                    continue
                if needle in raw:
                    future.set_result(arrived)
                else:
                    still.append((needle, future))
            self._waiters = still
