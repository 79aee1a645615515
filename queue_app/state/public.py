"""`/s/[slug]` (public store page) and `/display/[key]` (wall screen): no names, ever."""

from __future__ import annotations

import asyncio

import reflex as rx

from queue_app import live, qr, routes, views
from queue_app.clock import utcnow
from queue_app.db import session
from queue_app.models import Store, StoreStatus
from queue_app.services import online, passes, stores
from queue_app.services.errors import DomainError, ValidationError
from queue_app.services.security import token_hash
from queue_app.services.snapshot import StoreSnapshot, load_snapshot
from queue_app.state.common import client_ip, page_origin, route_param
from queue_app.state.join import BrowserId


class PublicState(rx.State):
    found: bool = True
    store_name: str = ""
    description: str = ""
    closed: bool = False
    queues: list[dict] = []
    online_queues: list[dict] = []  # queues taking online check-in: the page shows a join form
    errors: dict[str, str] = {}
    busy: bool = False
    _store_id: int = 0

    @classmethod
    def view(cls, snap: StoreSnapshot, context: dict[str, str]) -> dict:
        """Counts and ticket numbers only: never a name or a phone."""
        summaries = views.queue_summaries(snap)
        closed = snap.status is not StoreStatus.OPEN
        return {"store_name": snap.name, "description": snap.description, "closed": closed,
                "queues": summaries,
                "online_queues": [] if closed else [q for q in summaries if q["online"]]}

    @rx.event
    async def join(self, data: dict):
        """Remote check-in: one person, no code from the counter (rate-limited per IP and browser)."""
        if self.busy or not self._store_id:
            return
        self.busy = True
        yield
        browser = token_hash((await self.get_state(BrowserId)).ensure())
        person = {"name": data.get("name"), "phone": data.get("phone"), "queue_id": data.get("queue")}
        try:
            party = await asyncio.to_thread(_join_online, self._store_id, browser, person,
                                            client_ip(self))
        except ValidationError as error:
            self.errors = {k.removesuffix("-0"): v for k, v in error.errors.items()}
            return
        except DomainError as error:
            self.errors = {"form": error.message}
            return
        finally:
            self.busy = False
        self.errors = {}
        live.publish_soon(party.store_id)
        yield rx.redirect(routes.ticket_path(party.secret))

    @rx.event
    def load(self):
        try:
            with session() as db:
                store = stores.store_by_slug(db, route_param(self, "slug"))
                snap = load_snapshot(db, store.id, now=utcnow())
        except DomainError:
            self.found = False
            live.unwatch(self.router.session.client_token)
            return
        self.found, self._store_id, self.errors = True, store.id, {}
        live.show(self, store.id, snap, {})


def _join_online(store_id: int, browser: str, person: dict, ip: str):
    with session() as db:
        store = db.get(Store, store_id)
        return online.join_online(db, store, browser, [person], now=utcnow(), client_ip=ip)


class DisplayState(rx.State):
    found: bool = True
    store_name: str = ""
    closed: bool = False
    queues: list[dict] = []
    qr_code: str = ""
    join_url: str = ""

    @classmethod
    def view(cls, snap: StoreSnapshot, context: dict[str, str]) -> dict:
        """QR code and now-serving numbers; a display whose key was regenerated goes blank."""
        if snap.display_key != context["key"]:
            return {"found": False, "qr_code": "", "join_url": "", "queues": []}
        closed = snap.status is not StoreStatus.OPEN
        url = routes.join_url(context["origin"], snap.pass_token) if snap.pass_token and not closed else ""
        return {"found": True, "store_name": snap.name, "closed": closed,
                "queues": views.queue_summaries(snap), "join_url": url,
                "qr_code": qr.qr_data_uri(url) if url else ""}

    @rx.event
    def load(self):
        try:
            with session() as db:
                store = stores.store_by_display_key(db, route_param(self, "key"))
                if store.status is StoreStatus.OPEN:
                    passes.current_pass(db, store.id, now=utcnow())
                snap = load_snapshot(db, store.id, now=utcnow())
        except DomainError:
            self.found = False
            live.unwatch(self.router.session.client_token)
            return
        live.show(self, store.id, snap, {"key": store.display_key, "origin": page_origin(self)})
