"""`/ticket/[secret]`: one party's live ticket; the secret is the only credential."""

from __future__ import annotations

import asyncio
from typing import ClassVar

import reflex as rx

from queue_app import live, views
from queue_app.clock import utcnow
from queue_app.config import settings
from queue_app.db import read_session, session
from queue_app.models import StoreStatus
from queue_app.services import customers
from queue_app.services.errors import DomainError
from queue_app.services.snapshot import StoreSnapshot, load_snapshot
from queue_app.state.common import route_param


def _load(secret: str):
    with read_session() as db:
        party = customers.party_by_secret(db, secret)
        return party, load_snapshot(db, party.store_id, now=utcnow())


def _leave(secret: str, customer_id: object):
    with session() as db:
        return customers.leave(db, secret, customer_id, now=utcnow())


class TicketState(rx.State):
    # The party's own names: cleared from Reflex's state store once the store closes (live.bind).
    PERSONAL: ClassVar[dict[str, object]] = {"people": []}

    _secret: str = ""
    found: bool = True
    store_name: str = ""
    store_closed: bool = False
    people: list[dict] = []
    your_turn: bool = False
    almost: bool = False
    active: bool = False
    message: str = ""
    error: str = ""

    @classmethod
    def view(cls, snap: StoreSnapshot, context: dict[str, str]) -> dict:
        """This party's people only: the secret in `context` selects them."""
        people = views.ticket_people(snap, context["secret"], settings.almost_position)
        your_turn = any(p["called"] for p in people)
        return {"store_name": snap.name, "store_closed": snap.status is not StoreStatus.OPEN,
                "people": people, "your_turn": your_turn,
                "almost": not your_turn and any(p["almost"] for p in people),
                "active": any(p["state"] in ("waiting", "processing") for p in people)}

    @rx.event
    async def load(self):
        self.message, self.error = "", ""
        secret = route_param(self, "secret")
        try:  # off the event loop: live pushes of every store never wait for a page load
            party, snap = await asyncio.to_thread(_load, secret)
        except DomainError:
            self.found, self.people = False, []
            live.unwatch(self.router.session.client_token)
            return
        self.found, self._secret = True, secret
        live.show(self, party.store_id, snap, {"secret": secret})

    @rx.event
    async def leave(self, customer_id: int):
        try:  # off the event loop, like every database call of a handler
            customer = await asyncio.to_thread(_leave, self._secret, customer_id)
        except DomainError as error:
            self.error = error.message
            return
        self.message = "You left the queue."
        live.publish_soon(customer.store_id)

    @rx.event
    def alert_called(self):
        """The "your turn" banner just appeared: beep and vibrate where the browser allows."""
        from queue_app.pages.ticket import ALERT_SCRIPT  # noqa: PLC0415 (script text lives with the page)

        return rx.call_script(ALERT_SCRIPT)
