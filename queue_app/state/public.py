"""`/s/[slug]` (public store page) and `/display/[key]` (wall screen): no names, ever."""

from __future__ import annotations

import asyncio

import reflex as rx

from queue_app import live, qr, routes, views
from queue_app.clock import utcnow
from queue_app.db import read_session, session
from queue_app.display_view import display_view
from queue_app.models import StoreStatus
from queue_app.services import passes, stores
from queue_app.services.errors import DomainError
from queue_app.services.snapshot import StoreSnapshot, load_snapshot
from queue_app.services.summaries import public_summaries
from queue_app.state.common import page_origin, route_param


def _read_snapshot(store_id: int) -> StoreSnapshot | None:
    with read_session() as db:
        return load_snapshot(db, store_id, now=utcnow())


def _find_slug(slug: str) -> int:
    with read_session() as db:
        return stores.store_by_slug(db, slug).id


def _public(slug: str):
    """The public page's store from the per-store cache (a database read at most once a second)."""
    store_id = public_summaries.store_id(slug, _find_slug)
    return store_id, public_summaries.get(store_id, _read_snapshot)


def _display(key: str):
    with session() as db:  # a counter without a code gets one: this may write
        store = stores.store_by_display_key(db, key)
        if store.status is StoreStatus.OPEN:
            passes.current_pass(db, store.id, now=utcnow())
        return store, load_snapshot(db, store.id, now=utcnow())


class PublicState(rx.State):
    found: bool = True
    store_name: str = ""
    description: str = ""
    closed: bool = False
    queues: list[dict] = []

    @classmethod
    def view(cls, snap: StoreSnapshot, context: dict[str, str]) -> dict:
        """Counts and ticket numbers only: never a name or a phone."""
        return {"store_name": snap.name, "description": snap.description,
                "closed": snap.status is not StoreStatus.OPEN,
                "queues": views.queue_summaries(snap)}

    @rx.event
    async def load(self):
        try:  # off the event loop, and from the cache: a flood of loads costs no database reads
            store_id, snap = await asyncio.to_thread(_public, route_param(self, "slug"))
        except DomainError:
            snap = None
        if snap is None:
            self.found = False
            live.unwatch(self.router.session.client_token)
            return
        self.found = True
        live.show(self, store_id, snap, {})


class DisplayState(rx.State):
    found: bool = True
    store_name: str = ""
    closed: bool = False
    pages: list[dict] = []  # pages of up to 8 queue cards (`display_view`)
    recent: list[dict] = []
    last_call: str = ""  # changes on every call: the display chimes and flashes
    last_call_queue: int = 0
    qr_code: str = ""
    join_url: str = ""

    @classmethod
    def view(cls, snap: StoreSnapshot, context: dict[str, str]) -> dict:
        """QR code and now-serving numbers; a display whose key was regenerated goes blank."""
        if snap.display_key != context["key"]:
            return {"found": False, "qr_code": "", "join_url": "", "pages": [], "recent": []}
        closed = snap.status is not StoreStatus.OPEN
        url = routes.join_url(context["origin"], snap.pass_token) if snap.pass_token and not closed else ""
        return {"found": True, "store_name": snap.name, "closed": closed, "join_url": url,
                "qr_code": qr.qr_data_uri(url) if url else "", **display_view(snap)}

    @rx.event
    async def load(self):
        try:  # off the event loop, like every database call of a handler
            store, snap = await asyncio.to_thread(_display, route_param(self, "key"))
        except DomainError:
            self.found = False
            live.unwatch(self.router.session.client_token)
            return
        live.show(self, store.id, snap, {"key": store.display_key, "origin": page_origin(self)})
