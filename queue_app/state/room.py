"""`/w/[slug]` (a visitor's place in the waiting room) and `/room` (its owner's dashboard).

The visitor page takes its ticket from the JSON API (`Take a ticket` runs a `fetch` in the
browser) and keeps only the position here, read back from the signed token; every slide sends
one shared payload to the whole room, and the page derives its status from it in the browser.
"""

from __future__ import annotations

import asyncio
from http.cookies import SimpleCookie

import reflex as rx

from queue_app import jobs, room_live, routes, tokens
from queue_app.api_v1 import cache as rooms_cache
from queue_app.api_v1.room_tickets import cookie_name
from queue_app.clock import utcnow
from queue_app.config import settings
from queue_app.db import read_session, session
from queue_app.live import adapter
from queue_app.services import auth, closing, room_counter, rooms
from queue_app.services.errors import DomainError, NotAllowed, StoreClosed
from queue_app.state.common import OwnerAuth, log, route_param


def _visitor_load(slug: str):
    with read_session() as db:
        info = rooms.room_info(db, slug)
        room = rooms.room_of_store(db, info.store_id)
    return info, room_live.views_of(room, owner=False)[0]


class VisitorState(rx.State):
    found: bool = True
    name: str = ""
    slug: str = ""
    has_target: bool = False
    position: int = 0  # 0: no ticket yet
    error: str = ""
    window_end: int = 0
    window_size: int = 1
    window_interval: int = 30
    active_windows: int = 2
    paused: bool = False
    closed: bool = False
    until_by_window: list[str] = []
    opens_at: str = ""  # "HH:MM" before a delayed start, else ""

    @rx.event
    async def load(self):
        self.error, self.position = "", 0
        try:
            info, view = await asyncio.to_thread(_visitor_load, route_param(self, "slug"))
        except DomainError:
            self.found = False
            return
        self.found, self.name, self.slug, self.has_target = True, info.name, info.slug, bool(
            info.target_url)
        for key, value in view.items():
            setattr(self, key, value)
        kept = SimpleCookie(self.router.headers.raw_headers.get("cookie", "")).get(cookie_name(info.slug))
        self.position = _position(kept.value if kept else "", info.slug)
        await adapter.join_room(self.router.session.client_token, room_live.visitors_room(info.id))

    @rx.event
    def took(self, answer: dict):
        """The API's answer to `Take a ticket`: trust only the signed token in it."""
        answer = answer if isinstance(answer, dict) else {}
        position = _position(str(answer.get("token", "")), self.slug)
        if position:
            self.position, self.error = position, ""
            return
        problem = answer.get("error") if isinstance(answer.get("error"), dict) else {}
        self.error = str(problem.get("message") or "No ticket this time — please try again.")[:200]


def _position(token: str, slug: str) -> int:
    try:
        return tokens.read_ticket(token, tokens.ticket_key(settings.secret_key), room=slug,
                                  now=int(utcnow().timestamp())).position
    except tokens.TokenError:
        return 0


class RoomDashboardState(rx.State):
    """The owner's waiting room: counts and window live (one emit per slide), and its controls."""

    loaded: bool = False
    name: str = ""
    visitor_url: str = ""
    admission_key: str = ""  # for the owner's checkout, to verify admission tokens
    issued: int = 0
    admitted: int = 0
    expired: int = 0
    waiting: int = 0
    window_end: int = 0
    window_size: int = 0
    window_interval: int = 0
    rate: str = ""
    paused: bool = False
    closed: bool = False
    message: str = ""
    error: str = ""

    async def _store(self):
        token = (await self.get_state(OwnerAuth)).token
        with session() as db:
            return auth.store_for_token(db, token, now=utcnow())

    async def _store_id(self) -> int:
        return (await self._store()).id

    @rx.event
    async def load(self):
        self.message, self.error = "", ""
        try:
            store = await self._store()
        except NotAllowed as refused:
            self.loaded = False
            return rx.redirect(routes.CLOSED if isinstance(refused, StoreClosed) else routes.SIGN_IN)
        with read_session() as db:
            room = rooms.room_of_store(db, store.id)
        if room is None:
            return rx.redirect(routes.DASHBOARD)
        self._show(room)
        self.loaded, self.name = True, store.name
        self.visitor_url = routes.visitor_path(room.slug)
        self.admission_key = tokens.b64(tokens.admission_key(settings.secret_key, room.slug))
        await adapter.join_room(self.router.session.client_token, room_live.owners_room(room.id))
        return None

    def _show(self, room, issued: int | None = None) -> None:
        for key, value in room_live.views_of(room, issued=issued)[1].items():
            setattr(self, key, value)

    async def _act(self, action, done: str):
        """Run `action(db, store_id)` for the signed-in owner; show its error or tell everyone."""
        try:
            store_id = await self._store_id()
        except NotAllowed:
            return rx.redirect(routes.SIGN_IN)
        try:
            with session() as db:
                room = action(db, store_id)
        except DomainError as error:
            self.error, self.message = error.message, ""
            return None
        self.error, self.message = "", done
        rooms_cache.forget(room.slug)
        self._show(room)
        await room_live.publish(room)
        return None

    @rx.event
    async def pause(self):
        return await self._act(lambda db, sid: rooms.set_paused(db, sid, True, now=utcnow()),
                               "Paused: nobody new is let in until you resume.")

    @rx.event
    async def resume(self):
        return await self._act(lambda db, sid: rooms.set_paused(db, sid, False, now=utcnow()),
                               "Resumed.")

    @rx.event
    async def admit_next_batch(self):
        return await self._act(lambda db, sid: rooms.admit_next_batch(
            db, sid, issued=room_counter.issued, now=utcnow()), "The next batch is let in.")

    @rx.event
    async def change_rate(self, data: dict):
        data = data if isinstance(data, dict) else {}  # a forged event may send anything
        return await self._act(lambda db, sid: rooms.set_rate(
            db, sid, size=data.get("window_size"), interval=data.get("window_interval"),
            now=utcnow()), "New rate saved: it applies from the next slide.")

    @rx.event
    async def close_room(self):
        try:
            store_id = await self._store_id()
            with session() as db:
                room = rooms.room_of_store(db, store_id)
                closing.close_store(db, store_id, now=utcnow())
        except DomainError as error:
            self.error = error.message
            return None
        log.info("waiting room of store %s closed by its owner", store_id)
        jobs.deliver_report_soon(store_id)
        if room is not None:
            rooms_cache.forget(room.slug)
            await room_live.publish(room)
        return rx.redirect(routes.CLOSED)
