"""`/ticket/[secret]`: one party's live ticket; the secret is the only credential.

This state holds the party's own people (names stay on this tab); where each person stands is
read in the browser from the shared `TicketBoard` by the person's opaque key.
"""

from __future__ import annotations

import asyncio

import reflex as rx
from sqlmodel import Session

from queue_app import live
from queue_app.clock import utcnow
from queue_app.config import settings
from queue_app.db import read_session, session
from queue_app.models import Party
from queue_app.services import customers
from queue_app.services.errors import DomainError
from queue_app.services.snapshot import StoreSnapshot, load_snapshot
from queue_app.state.common import route_param
from queue_app.views import customer
from queue_app.views.common import store_key

# A short beep and a vibration when called, where the browser allows (Reflex's call_script).
ALERT_SCRIPT = ("try{navigator.vibrate&&navigator.vibrate([300,100,300]);"
                "const c=new (window.AudioContext||window.webkitAudioContext)();"
                "const o=c.createOscillator();o.frequency.value=880;o.connect(c.destination);"
                "o.start();o.stop(c.currentTime+0.4);}catch(e){}")


def _party(secret: str):
    """The party's store and own people (three small queries, read-only)."""
    with read_session() as db:
        return party_view(db, customers.party_by_secret(db, secret))


def party_view(db: Session, party: Party) -> tuple[int, list[dict], dict[str, int]]:
    """(store id, the party's own people, key → customer id) for the party's ticket page."""
    return party_view_of(load_snapshot(db, party.store_id, now=utcnow(), party_id=party.id), party.secret)


def party_view_of(snap: StoreSnapshot, secret: str) -> tuple[int, list[dict], dict[str, int]]:
    """`party_view` from a snapshot holding the party's people (read, or just inserted)."""
    return (snap.store_id, customer.own_people(snap, secret, settings.secret_key),
            customer.party_ids(snap, secret, settings.secret_key))


def _leave(secret: str, ids: list[int]) -> int:
    """Leave for each id (the people still in line); the store id, 0 when nobody could leave."""
    store_id = 0
    with session() as db:
        for customer_id in ids:
            try:
                store_id = customers.leave(db, secret, customer_id, now=utcnow()).store_id
            except DomainError:
                if len(ids) == 1:
                    raise
    return store_id


def _shown_on(secret: str, state: rx.State) -> str:
    """The party's secret with the tab's current socket: what `_adopt` notes and `load` checks."""
    return f"{secret}@{state.router.session.session_id}"


class TicketState(rx.State):
    _secret: str = ""
    _ids: dict[str, int] = {}  # opaque key → customer id, for Leave
    # The party `JoinState` just made on this tab and the socket it was sent over (`_adopt`): the
    # redirect's load on that socket reads nothing. A load over another socket (the phone lost
    # its connection before the redirect's load went out, and the reconnect's hydrate blanked
    # the page) reads the party as any other load does.
    _shown: str = ""
    found: bool = True
    store_key: str = ""
    people: list[dict] = []  # this party only (key, name, ticket, queue): sent by `load`, not stored
    message: str = ""
    error: str = ""

    def _adopt(self, store_id: int, secret: str, ids: dict[str, int]) -> None:
        """The join page just made this party on this tab: its ticket page's load reads nothing.

        Backend vars only (and `found` when a refused ticket was shown on this tab before), so the
        join's redirect is not preceded by a delta: `_show_joined` sends what the page shows.
        """
        self._secret, self._ids, self._shown = secret, ids, _shown_on(secret, self)
        if not self.found:
            self.found = True

    async def _show_joined(self, store_id: int, people: list[dict]) -> None:
        """Send the party just made its store key and own people; put the tab in its store's room.

        The join also publishes the store: that publish, or the copy of the room's view sent after
        it, brings this page its place in line, whichever of the two runs first.
        """
        own = {"store_key": store_key(settings.secret_key, store_id), "people": people}
        await live.hub.show(self.router.session.client_token, store_id, "ticket",
                            own=(TicketState, own), changed=True)

    @rx.event
    async def load(self):
        if self.message or self.error:  # an assignment is a frame to the phone, even of ""
            self.message, self.error = "", ""
        secret, token = route_param(self, "secret"), self.router.session.client_token
        if self._shown:
            shown, self._shown = self._shown, ""
            if secret and shown == _shown_on(secret, self):  # the redirect from the join that showed it
                return
        try:  # off the event loop: live pushes of every store never wait for a page load
            store_id, people, self._ids = await asyncio.to_thread(_party, secret)
        except DomainError:
            self.found, self.people = False, []
            await live.hub.unwatch(token)
            return
        self.found, self._secret, self.store_key = True, secret, store_key(settings.secret_key, store_id)
        # The party's own names go to this browser only, never into Reflex's state store.
        await live.hub.show(token, store_id, "ticket", own=(TicketState, {"people": people}))

    @rx.event
    async def leave(self, key: str):
        known = isinstance(key, str) and key in self._ids  # a forged payload may be anything
        await self._leave([self._ids[key]] if known else [0], "You left the queue.")

    @rx.event
    async def leave_all(self):
        await self._leave(list(self._ids.values()), "Your whole party left the queue.")

    async def _leave(self, ids: list[int], done: str) -> None:
        self.message, self.error = "", ""
        try:
            store_id = await asyncio.to_thread(_leave, self._secret, ids)
        except DomainError as error:
            self.error = error.message
            return
        if not store_id:
            self.error = "Nobody of your party is in the queue any more."
            return
        self.message = done
        live.hub.publish_soon(store_id)

    @rx.event
    def alert_called(self):
        """A "your turn" banner just appeared: beep and vibrate where the browser allows."""
        return rx.call_script(ALERT_SCRIPT)

