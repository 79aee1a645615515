"""`/confirm/[token]`: the owner confirms their email address, or says the store is not theirs.

Opening the link changes nothing (a mail scanner fetching it must not confirm); a button does.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from queue_app import jobs, live
from queue_app.clock import utcnow
from queue_app.db import session
from queue_app.services import confirmation
from queue_app.services.errors import DomainError
from queue_app.state.common import log, route_param


def _with_link(action, token: str):
    with session() as db:
        return action(db, token)


class ConfirmState(rx.State):
    """What the link's page shows: the store's name, then what was done."""

    link_ok: bool = True
    store_name: str = ""
    done: str = ""  # "confirmed" or "disowned"
    error: str = ""

    @rx.event
    async def load(self):
        self.done, self.error = "", ""
        try:
            store = await asyncio.to_thread(_with_link, confirmation.store_for_link,
                                            route_param(self, "token"))
        except DomainError:
            self.link_ok, self.store_name = False, ""
            return
        self.link_ok, self.store_name = True, store.name

    @rx.event
    async def confirm(self):
        await self._use(lambda db, token: confirmation.confirm(db, token, now=utcnow()), "confirmed")

    @rx.event
    async def disown(self):
        store = await self._use(lambda db, token: confirmation.disown(db, token, now=utcnow()),
                                "disowned")
        if store is not None:
            log.info("store %s closed: the address's owner did not open it", store.id)
            jobs.deliver_report_soon(store.id)  # archived, not mailed; then the data goes

    async def _use(self, action, outcome: str):
        try:
            store = await asyncio.to_thread(_with_link, action, route_param(self, "token"))
        except DomainError as error:
            self.error, self.link_ok = error.message, False
            return None
        self.done, self.error = outcome, ""
        live.hub.publish_soon(store.id)  # the owner's dashboard drops (or closes on) the banner
        return store
