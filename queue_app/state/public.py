"""`/s/[slug]` (public store page) and `/display/[key]` (wall screen): no names, ever."""

from __future__ import annotations

import reflex as rx

from queue_app import live, qr, routes, views
from queue_app.clock import utcnow
from queue_app.db import session
from queue_app.display_view import display_view
from queue_app.models import StoreStatus
from queue_app.services import passes, stores
from queue_app.services.errors import DomainError
from queue_app.services.snapshot import StoreSnapshot, load_snapshot
from queue_app.state.common import page_origin, route_param


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
    def load(self):
        try:
            with session() as db:
                store = stores.store_by_slug(db, route_param(self, "slug"))
                snap = load_snapshot(db, store.id, now=utcnow())
        except DomainError:
            self.found = False
            live.unwatch(self.router.session.client_token)
            return
        self.found = True
        live.show(self, store.id, snap, {})


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
