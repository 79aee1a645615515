"""`/s/[slug]` (public store page) and `/display/[key]` (wall screen): no names, ever.

The public page's store data comes from the shared `StoreBoard` (room ``store:<id>:public``); the
display is an owner screen with its own view per tab (its QR code is for the tab's origin).
"""

from __future__ import annotations

import asyncio

import reflex as rx

from queue_app import live, routes
from queue_app.clock import utcnow
from queue_app.config import settings
from queue_app.db import read_session, session
from queue_app.models import Store, StoreStatus
from queue_app.services import online, passes, stores
from queue_app.services.errors import DomainError, ValidationError
from queue_app.services.security import token_hash
from queue_app.services.slugs import public_slugs
from queue_app.state.common import client_ip, page_origin, route_param
from queue_app.state.join import BrowserId
from queue_app.views.common import store_key, store_queue_key


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


def _join_online(store_id: int, browser: str, data: dict):
    """Remote check-in: the queue comes as its opaque key (the page never sees a queue id)."""
    with session() as db:
        store = db.get(Store, store_id)
        ids = {store_key_of_queue(store_id, q.id): q.id for q in stores.queues_of(db, store_id)}
        person = {"name": data.get("name"), "phone": data.get("phone"),
                  "queue_id": ids.get(str(data.get("queue", "")))}
        return online.join_online(db, store, browser, [person], now=utcnow(), client_ip=data["ip"])


def store_key_of_queue(store_id: int, queue_id: int) -> str:
    return store_queue_key(settings.secret_key, store_id, queue_id)


class PublicState(rx.State):
    found: bool = True
    store_key: str = ""
    errors: dict[str, str] = {}  # the online check-in form's messages
    busy: bool = False
    _store_id: int = 0

    @rx.event
    async def join(self, data: dict):
        """Remote check-in: one person, no code from the counter (rate-limited per IP and browser)."""
        data = data if isinstance(data, dict) else {}
        if self.busy or not self._store_id:
            return
        self.busy = True
        yield
        browser = token_hash((await self.get_state(BrowserId)).ensure())
        try:
            party = await asyncio.to_thread(_join_online, self._store_id, browser,
                                            {**data, "ip": client_ip(self)})
        except ValidationError as error:
            self.errors = {k.removesuffix("-0"): v for k, v in error.errors.items()}
            return
        except DomainError as error:
            self.errors = {"form": error.message}
            return
        finally:
            self.busy = False
        self.errors = {}
        live.hub.publish_soon(party.store_id)
        yield rx.redirect(routes.ticket_path(party.secret))

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
        self._store_id, self.errors = store_id, {}
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
