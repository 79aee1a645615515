"""`/join/[pass_token]`: scanning binds the pass to this browser; submitting joins the party."""

from __future__ import annotations

import asyncio
import secrets

import reflex as rx

from queue_app import domain, live, routes
from queue_app.clock import utcnow
from queue_app.config import settings
from queue_app.db import session
from queue_app.services import customers, passes
from queue_app.services.errors import DomainError, ValidationError
from queue_app.services.security import token_hash
from queue_app.state.common import client_ip, route_param
from queue_app.state.ticket import TicketState, party_view_of
from queue_app.views.common import store_key, store_queue_key

STORE_CLOSED = passes.STORE_CLOSED  # what the page says when the store closes under it


class BrowserId(rx.State):
    """A random id for this browser (all its tabs), so a scanned pass stays bound to it."""

    value: str = rx.LocalStorage("", name="queue_browser", sync=True)

    def ensure(self) -> str:
        """The id, made afresh when the browser has none or sent something that is not one."""
        if not isinstance(self.value, str) or not 20 <= len(self.value) <= 64:
            self.value = secrets.token_urlsafe(24)
        return self.value


class JoinState(rx.State):
    """The join page; the pass token is read from the route and checked by the service.

    The store's name and queues come from the shared `StoreBoard`; queues are named by opaque
    keys in the page, mapped back to ids here.
    """

    _pass: str = ""
    _browser: str = ""
    _store_id: int = 0
    refused: str = ""
    store_key: str = ""
    people: list[dict] = []  # [{"key": "p1"}], one per person of the party
    errors: dict[str, str] = {}
    busy: bool = False

    @rx.event
    async def load(self):
        self.refused, self.errors, self.busy = "", {}, False
        self.people = [{"key": "p0"}]
        token, tab = route_param(self, "pass_token"), self.router.session.client_token
        browser = (await self.get_state(BrowserId)).ensure()
        try:  # the database work runs off the event loop: live pushes never wait for it
            store_id, rotated = await asyncio.to_thread(_scan, token, token_hash(browser))
        except DomainError as error:
            self.refused = error.message
            await live.hub.unwatch(tab)
            return
        self._pass, self._browser, self._store_id = token, token_hash(browser), store_id
        self.store_key = store_key(settings.secret_key, store_id)
        await live.hub.show(tab, store_id, "join")
        if rotated:  # the counter must show a new code; nothing else changed
            live.hub.publish_soon(store_id, owners_only=True)

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
                   "queue_id": data.get(f"queue-{p['key']}")}  # an opaque key, resolved by the service
                  for p in self.people]
        self.busy = True
        yield  # show the spinner at once on a slow phone
        try:  # off the event loop, like every database call of a handler
            joined = await asyncio.to_thread(_join, self._store_id, self._pass, self._browser, people,
                                             client_ip(self))
        except ValidationError as error:
            self.busy, self.errors = False, {_by_key(k, self.people): v for k, v in error.errors.items()}
            return
        except DomainError as error:
            self.busy, self.errors, self.refused = False, {}, error.message
            await live.hub.unwatch(self.router.session.client_token)  # this page is done
            return
        # Joined: the spinner stays until the ticket page replaces this one (`load` resets it), and
        # nothing public changes here, so the redirect goes out in a frame of its own, no delta.
        if self.errors:
            self.errors = {}
        self._pass = ""
        (store_id, people, ids), secret = joined
        ticket = await self.get_state(TicketState)
        ticket._adopt(store_id, secret, ids)  # before the redirect: the ticket page's load reads nothing
        live.hub.publish_soon(store_id)  # the owner's screens get the new customer soonest
        yield rx.redirect(routes.ticket_path(secret))  # at once, not behind the pushes going out
        await ticket._show_joined(store_id, people)


def _scan(token: str, browser: str) -> tuple[int, bool]:
    """Bind the pass to this browser; the store, and whether the counter needs a new code."""
    with session() as db:
        found, rotated = passes.scan(db, token, browser, now=utcnow())
        return found.store_id, rotated


def _join(store_id: int, pass_token: str, browser: str, people: list[dict], ip: str):
    """Join; the ticket page's view of the new party comes from what the join wrote (no read)."""
    with session() as db:
        joined = customers.join_party(db, pass_token, browser, people, now=utcnow(), client_ip=ip,
                                      queue_key=lambda q: store_queue_key(settings.secret_key, store_id, q))
        return party_view_of(joined.snapshot, joined.party.secret), joined.party.secret


def _by_key(field: str, people: list[dict]) -> str:
    """`name-2` (index) → `name-p7` (the row's key), so the message sits under its input."""
    kind, _, index = field.partition("-")
    if index.isdigit() and int(index) < len(people):
        return f"{kind}-{people[int(index)]['key']}"
    return field
