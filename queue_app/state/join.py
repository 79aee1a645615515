"""`/join/[pass_token]`: scanning binds the pass to this browser; submitting joins the party."""

from __future__ import annotations

import asyncio
import secrets

import reflex as rx

from queue_app import domain, live, routes, views
from queue_app.clock import utcnow
from queue_app.db import session
from queue_app.models import StoreStatus
from queue_app.services import customers, passes
from queue_app.services.errors import DomainError, ValidationError
from queue_app.services.security import token_hash
from queue_app.services.snapshot import StoreSnapshot, load_snapshot
from queue_app.state.common import client_ip, route_param


class BrowserId(rx.State):
    """A random id for this browser (all its tabs), so a scanned pass stays bound to it."""

    value: str = rx.LocalStorage("", name="queue_browser", sync=True)

    def ensure(self) -> str:
        """The id, made afresh when the browser has none or sent something that is not one."""
        if not isinstance(self.value, str) or not 20 <= len(self.value) <= 64:
            self.value = secrets.token_urlsafe(24)
        return self.value


class JoinState(rx.State):
    """The join page; the pass token is read from the route and checked by the service."""

    _pass: str = ""
    _browser: str = ""
    refused: str = ""
    store_name: str = ""
    description: str = ""
    queues: list[dict] = []
    people: list[dict] = []  # [{"key": "p1"}], one per person of the party
    errors: dict[str, str] = {}
    busy: bool = False

    @classmethod
    def view(cls, snap: StoreSnapshot, context: dict[str, str]) -> dict:
        """The store and its queues' counts and waits; a closing store refuses the join."""
        return {"store_name": snap.name, "description": snap.description,
                "queues": views.queue_summaries(snap),
                "refused": passes.STORE_CLOSED if snap.status is not StoreStatus.OPEN else ""}

    @rx.event
    async def load(self):
        self.refused, self.errors, self.busy = "", {}, False
        self.people = [{"key": "p0"}]
        token = route_param(self, "pass_token")
        browser = (await self.get_state(BrowserId)).ensure()
        try:  # the database work runs off the event loop: live pushes never wait for it
            found, rotated, snap = await asyncio.to_thread(_scan, token, token_hash(browser))
        except DomainError as error:
            self.refused = error.message
            live.unwatch(self.router.session.client_token)
            return
        self._pass, self._browser = token, token_hash(browser)
        live.show(self, found.store_id, snap, {})
        if rotated:  # the counter must show a new code; nothing else changed
            live.publish_soon(found.store_id, owners_only=True)

    @rx.event
    def add_person(self):
        if len(self.people) < domain.PARTY_MAX:
            self.people.append({"key": f"p{secrets.token_hex(4)}"})

    @rx.event
    def remove_person(self, key: str):
        if len(self.people) > 1 and isinstance(key, str):
            self.people = [p for p in self.people if p["key"] != key]

    @rx.event
    async def submit(self, data: dict):
        if self.busy or not self._pass:
            return
        data = data if isinstance(data, dict) else {}
        people = [{"name": data.get(f"name-{p['key']}"), "phone": data.get(f"phone-{p['key']}"),
                   "queue_id": data.get(f"queue-{p['key']}")} for p in self.people]
        self.busy = True
        yield  # show the spinner at once on a slow phone
        try:  # off the event loop, like every database call of a handler
            party = await asyncio.to_thread(_join, self._pass, self._browser, people,
                                            client_ip(self))
        except ValidationError as error:
            self.errors = {_by_key(k, self.people): v for k, v in error.errors.items()}
            return
        except DomainError as error:
            self.errors, self.refused = {}, error.message
            live.unwatch(self.router.session.client_token)  # this page is done: no more pushes
            return
        finally:
            self.busy = False
        self.errors, self._pass = {}, ""
        live.publish_soon(party.store_id)
        yield rx.redirect(routes.ticket_path(party.secret))


def _join(pass_token: str, browser: str, people: list[dict], ip: str):
    with session() as db:
        return customers.join(db, pass_token, browser, people, now=utcnow(), client_ip=ip)


def _scan(token: str, browser: str):
    with session() as db:
        found, rotated = passes.scan(db, token, browser, now=utcnow())
        return found, rotated, load_snapshot(db, found.store_id, now=utcnow())


def _by_key(field: str, people: list[dict]) -> str:
    """`name-2` (index) → `name-p7` (the row's key), so the message sits under its input."""
    kind, _, index = field.partition("-")
    if index.isdigit() and int(index) < len(people):
        return f"{kind}-{people[int(index)]['key']}"
    return field
