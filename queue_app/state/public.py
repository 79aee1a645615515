"""`/s/[slug]` (public store page) and `/display/[key]` (wall screen): no names, ever.

The public page's store data comes from the shared `StoreBoard` (room ``store:<id>:public``); the
display is an owner screen with its own view per tab (its QR code is for the tab's origin).
"""

from __future__ import annotations

import asyncio

import reflex as rx

from queue_app import live
from queue_app.clock import utcnow
from queue_app.config import settings
from queue_app.db import read_session, session
from queue_app.models import StoreStatus
from queue_app.services import passes, stores
from queue_app.services.errors import DomainError
from queue_app.services.slugs import public_slugs
from queue_app.state.common import page_origin, route_param
from queue_app.views.common import store_key


def _find_slug(slug: str) -> int:
    with read_session() as db:
        return stores.store_by_slug(db, slug).id


def _store_by_slug(slug: str) -> int:
    """Slugs never change: a flood of public page loads costs a dictionary look-up each."""
    return public_slugs.store_id(slug, _find_slug)


def _display_store(key: str) -> tuple[int, str]:
    """The store of a display key, with a code for it to show (made if there is none)."""
    with session() as db:
        store = stores.store_by_display_key(db, key)
        if store.status is StoreStatus.OPEN:
            passes.current_pass(db, store.id, now=utcnow())
        return store.id, store.display_key


class PublicState(rx.State):
    found: bool = True
    store_key: str = ""

    @rx.event
    async def load(self):
        token = self.router.session.client_token
        try:
            store_id = await asyncio.to_thread(_store_by_slug, route_param(self, "slug"))
        except DomainError:
            self.found = False
            await live.hub.unwatch(token)
            return
        self.found, self.store_key = True, store_key(settings.secret_key, store_id)
        await live.hub.show(token, store_id, "public")


class DisplayState(rx.State):
    found: bool = True
    store_name: str = ""
    closed: bool = False
    pages: list[dict] = []  # pages of up to 8 queue cards (`views.display`)
    recent: list[dict] = []
    last_call: str = ""  # changes on every call: the display chimes and flashes
    last_call_queue: int = 0
    qr_code: str = ""
    join_url: str = ""

    @rx.event
    async def load(self):
        token = self.router.session.client_token
        try:
            store_id, key = await asyncio.to_thread(_display_store, route_param(self, "key"))
        except DomainError:
            self.found = False
            await live.hub.unwatch(token)
            return
        self.found = True
        await live.hub.show(token, store_id, "display", {"key": key, "origin": page_origin(self)})
