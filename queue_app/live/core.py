"""The hub: which tab shows which store, and one publish per change that reaches all of them.

Customer-facing screens share a room per store and kind (``customer``: ticket pages; ``public``:
public and join pages) and get ONE payload per change, built by a pure function of `views/` and
emitted once. The owner's screens (dashboard, display) get their own full view per tab. The
publishes of a store are serialised by the ledger's lock (across workers with Redis), so every
screen ends on the latest state; see docs/performance.md, "Live layer v2". The counter's code
after a scan goes by `publish_code`, under a lock of its own, so it never waits behind a
publish of the whole line ("Fifth round").
"""

from __future__ import annotations

import asyncio
import logging
import time

from queue_app import gcpolicy, metrics
from queue_app.clock import utcnow
from queue_app.config import settings
from queue_app.db import read_session
from queue_app.domain.snapshot import StoreSnapshot
from queue_app.live import adapter
from queue_app.live.ledger import make_ledger
from queue_app.live.registry import Registry, Watch, make_registry
from queue_app.live.screens import CODE, CODE_FIELDS, ROOM_OF, ROOMS, TABS, code_lock, room_name
from queue_app.models import StoreStatus
from queue_app.services.snapshot import load_snapshot

log = logging.getLogger("queue_app.live")

def read_snapshot(store_id: int, counter_only: bool = False) -> StoreSnapshot | None:
    with read_session() as db:
        return load_snapshot(db, store_id, now=utcnow(), counter_only=counter_only)


class Hub:
    """Constructible in tests: pass your own registry, ledger or snapshot reader."""

    def __init__(self, *, registry: Registry | None = None, ledger=None, read=read_snapshot,
                 secret: str | None = None) -> None:
        self.registry = registry or make_registry()
        self.ledger = ledger or make_ledger()
        self.read = read
        self.secret = secret or settings.secret_key
        self.states: dict[str, type] = {}  # room kind or tab screen → the state class it sets
        self.loop: asyncio.AbstractEventLoop | None = None
        self._running: set[int] = set()
        self._again: set[int] = set()  # stores changed again while their publish was in flight
        self._code_running: set[int] = set()  # the same for the counter's code (`publish_code`)
        self._code_again: set[int] = set()
        self._tasks: set[asyncio.Task] = set()

    def bind(self, states: dict[str, type]) -> None:
        """From the composition root: ``{"customer": TicketBoard, "dashboard": DashboardState, …}``."""
        self.states.update(states)

    async def remember_loop(self) -> None:
        """Lifespan task: note the server's event loop, for `publish_soon` from other threads."""
        self.loop = asyncio.get_running_loop()

    async def show(self, token: str, store_id: int, screen: str, context: dict | None = None,
                   own: tuple[type, dict] | None = None, changed: bool = False) -> None:
        """The tab `token` now shows `screen` of `store_id`: watch it and send it the current view.

        `own`: (state class, vars) that only this tab gets, sent to its browser and never stored
        server-side (a ticket page's own names: Reflex's state store keeps no personal data).
        `changed`: the caller changed the store and publishes it (before or after this call). The
        tab's copy of what its room last got is then sent from a task of its own, so the caller
        goes on at once (a join: its redirect, and the publish that brings the owner's screens the
        new customer). The copy still goes, under the store's lock like every publish, so the tab
        ends on the newest view either way: a publish that finds the room's view unchanged sends
        the room nothing, and one that ran before the tab joined the room did not reach it. It
        is not sent when an emit to the room reached the tab since it entered (the usual join).
        """
        if own is not None:
            await adapter.emit_to_tab(token, *own)
        if screen in ROOM_OF:
            kind = ROOM_OF[screen]
            self.registry.remove(token)
            await adapter.join_room(token, room_name(store_id, kind))
            catch_up = self._catch_up(store_id, kind, token, await self.ledger.emits(store_id, kind))
            if changed:
                self._spawn(catch_up)
            else:
                await catch_up
            return
        await adapter.leave_rooms(token)
        watch = Watch(store_id, screen, dict(context or {}))
        self.registry.add(token, watch)
        async with self.ledger.lock(store_id):
            snap = await asyncio.to_thread(self.read, store_id)
            if snap is not None:
                async with self.ledger.lock(code_lock(store_id)):
                    await self._send_owners(store_id, snap, TABS, [(token, watch)])

    async def unwatch(self, token: str) -> None:
        self.registry.remove(token)
        await adapter.leave_rooms(token)

    async def publish(self, store_id: int, owners_only: bool = False) -> None:
        """Send the current state of `store_id` to every screen showing it.

        Coalesced: changes made while a publish of the store is in flight are sent by one more
        publish right after it. `owners_only`: only the counter's code changed (a scan): see
        `publish_code`.
        """
        if owners_only:
            await self.publish_code(store_id)
            return
        if await self._coalesced(store_id, self._running, self._again, self._publish_once):
            await asyncio.sleep(0)  # the sockets' writers send what was emitted, then:
            gcpolicy.collect_young_if_due()  # not in the middle of the next change

    async def publish_code(self, store_id: int) -> None:
        """After a scan: the owner's screens get the counter's new code, and nothing else.

        It never waits behind a publish of the store's customers (in a rush each is a read of
        the whole line and a fan-out; the next phone waits for this code). It has a lock of its
        own, which every send to an owner's screen takes, and the code shown last is remembered:
        a publish that read the store before this code existed leaves its older, used code out.
        """
        await self._coalesced(store_id, self._code_running, self._code_again, self._publish_code_once)

    @staticmethod
    async def _coalesced(store_id: int, running: set[int], again: set[int], once) -> bool:
        """Run `once(store_id)`, then again while it was asked for meanwhile; False if in flight.

        A call while one is in flight only asks for one more round of it, after the current one.
        """
        if store_id in running:
            again.add(store_id)
            return False
        running.add(store_id)
        try:
            while True:
                again.discard(store_id)
                await once(store_id)
                if store_id not in again:
                    return True
        finally:
            running.discard(store_id)

    def publish_soon(self, store_id: int, owners_only: bool = False) -> None:
        """Schedule `publish` from anywhere: an event handler, or the scheduler's thread."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None:
            self._spawn(self.publish(store_id, owners_only))
        elif self.loop is not None and not self.loop.is_closed():
            asyncio.run_coroutine_threadsafe(self.publish(store_id, owners_only), self.loop)

    def _spawn(self, work) -> None:
        """Run `work` in a task of this loop, kept referenced until it is done."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _publish_code_once(self, store_id: int) -> None:
        started = time.perf_counter()
        async with self.ledger.lock(code_lock(store_id)):
            snap = await asyncio.to_thread(self.read, store_id, True)  # no customer read
            members = self.registry.members(store_id) if snap is not None else []
            if snap is not None:
                await self._send_owners(store_id, snap, CODE, members)
        metrics.pushed(time.perf_counter() - started, len(members))

    async def _publish_once(self, store_id: int) -> None:
        started = time.perf_counter()
        async with self.ledger.lock(store_id):
            locked = time.perf_counter()
            snap = await asyncio.to_thread(self.read, store_id)
            if snap is None:  # purged: open pages keep what they show (the closed store)
                await self.ledger.forget(store_id, (*ROOMS, "code"))
                return
            read = time.perf_counter()
            members = self.registry.members(store_id)
            # The owner's screens first. Their views are built before the code lock is taken
            # (at 2,000 listed customers that is half of the send), so a scan's new code waits
            # for the sends only; whether this read's code is still the newest is checked under it.
            built = self._owner_views(snap, TABS, members)
            async with self.ledger.lock(code_lock(store_id)):
                await self._send_owner_views(store_id, snap, built)
            owners = time.perf_counter()
            for kind in ROOMS:
                await self._send_room(store_id, kind, snap)
        done = time.perf_counter()
        metrics.pushed(done - started, len(members) + len(ROOMS))  # tabs + rooms
        log.debug("store %s published in %.1f ms: lock %.1f, read %.1f, %d owner screens %.1f, rooms %.1f",
                  store_id, (done - started) * 1000, (locked - started) * 1000, (read - locked) * 1000,
                  len(members), (owners - read) * 1000, (done - owners) * 1000)

    @staticmethod
    def _owner_views(snap: StoreSnapshot, views: dict, members: list[tuple[str, Watch]]) -> list:
        """Each owner's screen with its view of `snap`: (token, watch, view)."""
        return [(token, watch, views[watch.view](snap, watch.context)) for token, watch in members]

    async def _send_owners(self, store_id: int, snap: StoreSnapshot, views: dict,
                           members: list[tuple[str, Watch]]) -> None:
        """Build each owner's screen its view and send it (call with the store's code lock held)."""
        await self._send_owner_views(store_id, snap, self._owner_views(snap, views, members))

    async def _send_owner_views(self, store_id: int, snap: StoreSnapshot, built: list) -> None:
        """Send the owner's screens their views of `snap` (call with the store's code lock held).

        The snapshot's pass is compared with the newest one these screens were sent: when it is
        older (this publish read the store before a scan's code went out), the view goes without
        the code, so a screen never goes back to a used one. A closed store's view always goes.
        """
        shown = await self.ledger.last(store_id, "code") or 0
        stale = snap.status is StoreStatus.OPEN and snap.pass_id < shown
        if not stale and snap.pass_id != shown:
            await self.ledger.remember(store_id, "code", snap.pass_id)
        for token, watch, view in built:
            if stale:
                view = {name: value for name, value in view.items() if name not in CODE_FIELDS}
            if view and not await adapter.emit_to_tab(token, self.states[watch.view], view):
                self.registry.remove(token)  # the tab was closed; a reconnecting tab shows itself again

    async def _send_room(self, store_id: int, kind: str, snap: StoreSnapshot) -> None:
        """Emit the room's payload if it differs from the last one (call with the lock held)."""
        payload = ROOMS[kind](snap, self.secret)
        if payload != await self.ledger.last(store_id, kind):
            await self.ledger.mark(store_id, kind)  # before the emit: see `_catch_up`
            await adapter.emit_to_room(room_name(store_id, kind), self.states[kind], payload)
            await self.ledger.remember(store_id, kind, payload)

    async def _catch_up(self, store_id: int, kind: str, token: str, emits_at_entry: int) -> None:
        """A tab that just joined gets what its room last got (never older than what follows).

        `emits_at_entry`: the room's emit count read after the tab entered the room. A higher
        count now means an emit was counted, so made, after the tab was in: the tab got it, and
        under the lock it is the room's latest, so nothing is sent twice (a join's own publish).
        """
        async with self.ledger.lock(store_id):
            if await self.ledger.emits(store_id, kind) > emits_at_entry:
                return
            payload = await self.ledger.last(store_id, kind)
            if payload is not None:
                await adapter.emit_to_tab(token, self.states[kind], payload)
                return
            snap = await asyncio.to_thread(self.read, store_id)
            if snap is not None:  # nothing emitted to this room yet: the whole room gets it
                await self._send_room(store_id, kind, snap)

