"""`/s/[slug]` (public store page) and `/display/[key]` (wall screen): no names, ever."""

from __future__ import annotations

import reflex as rx

from queue_app import live, qr, routes, views
from queue_app.clock import utcnow
from queue_app.db import session
from queue_app.models import StoreStatus
from queue_app.services import passes, stores
from queue_app.services.errors import DomainError
from queue_app.services.snapshot import StoreSnapshot, load_snapshot
from queue_app.state.common import page_origin, route_param


class PublicState(rx.State):
    _watching: int = 0
    found: bool = True
    store_name: str = ""
    description: str = ""
    closed: bool = False
    queues: list[dict] = []

    def show(self, snap: StoreSnapshot) -> None:
        self.store_name, self.description = snap.name, snap.description
        self.closed = snap.status is not StoreStatus.OPEN
        self.queues = views.queue_summaries(snap)

    @rx.event
    def load(self):
        try:
            with session() as db:
                store = stores.store_by_slug(db, route_param(self, "slug"))
                snap = load_snapshot(db, store.id, now=utcnow())
        except DomainError:
            self.found, self._watching = False, 0
            return
        self.found, self._watching = True, store.id
        live.watch(store.id, self.router.session.client_token, type(self))
        self.show(snap)


class DisplayState(rx.State):
    _watching: int = 0
    _origin: str = ""
    _key: str = ""
    found: bool = True
    store_name: str = ""
    closed: bool = False
    queues: list[dict] = []
    qr_code: str = ""
    join_url: str = ""

    def show(self, snap: StoreSnapshot) -> None:
        if snap.display_key != self._key:  # the owner made a new display link: this one stops
            self.found, self._watching, self.qr_code, self.queues = False, 0, "", []
            return
        self.store_name = snap.name
        self.closed = snap.status is not StoreStatus.OPEN
        self.queues = views.queue_summaries(snap)
        url = routes.join_url(self._origin, snap.pass_token) if snap.pass_token else ""
        self.join_url = url if not self.closed else ""
        self.qr_code = qr.qr_data_uri(url) if self.join_url else ""

    @rx.event
    def load(self):
        try:
            with session() as db:
                store = stores.store_by_display_key(db, route_param(self, "key"))
                passes.current_pass(db, store.id, now=utcnow())
                snap = load_snapshot(db, store.id, now=utcnow())
        except DomainError:
            self.found, self._watching = False, 0
            return
        self.found, self._watching, self._origin = True, store.id, page_origin(self)
        self._key = store.display_key
        live.watch(store.id, self.router.session.client_token, type(self))
        self.show(snap)
