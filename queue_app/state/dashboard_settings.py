"""The dashboard's settings and files: the report, the confirmation mail, queue and display settings.

A Reflex mixin of `DashboardState` (its handlers keep their names: `dashboard_state.set_online`);
each acts through the dashboard's `_act`, which re-checks the sign-in and publishes.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from queue_app import jobs, routes
from queue_app.clock import utcnow
from queue_app.services import confirmation, online, stores
from queue_app.services.errors import NotAllowed
from queue_app.state.dashboard_db import form_of, report_file


class StoreSettings(rx.State, mixin=True):
    """Handlers of `DashboardState` that change the store's settings or hand out its files."""

    @rx.event
    async def export_csv(self):
        try:
            store = await self._owner_store()
        except NotAllowed:
            return rx.redirect(routes.SIGN_IN)
        csv, filename = await asyncio.to_thread(report_file, store.id)
        return rx.download(data=csv, filename=filename, mime_type="text/csv")

    @rx.event
    async def resend_confirmation(self):
        """Mail a new confirmation link (the old one stops working)."""
        mail = []
        await self._act(lambda db, store: mail.append((store.id, confirmation.resend(
            db, store, now=utcnow()))))
        if mail:
            jobs.mail_soon(mail[0][1], store_id=mail[0][0], what="confirmation")
            self.message = "We sent a new link. Open it from your mailbox to confirm the address."

    @rx.event
    async def set_default_service(self, data: dict):
        form = form_of(data)
        await self._act(lambda db, store: stores.set_default_service(
            db, store, form.get("queue_id"), form.get("minutes"), now=utcnow()))
        if not self.error:
            self.message = "Default service time saved."

    @rx.event
    async def set_online(self, queue_id: int, on: bool):
        """The queue's `Online check-in` switch: the public page offers (or stops) its join form."""
        await self._act(lambda db, store: online.set_online(db, store, queue_id, on, now=utcnow()))
        if not self.error:
            self.message = "Online check-in is on." if on else "Online check-in is off."

    @rx.event
    async def set_online_cap(self, data: dict):
        form = form_of(data)
        await self._act(lambda db, store: online.set_online(
            db, store, form.get("queue_id"), form.get("online") == "on", cap=form.get("online_cap"),
            now=utcnow()))
        if not self.error:
            self.message = "Online cap saved."

    @rx.event
    async def regenerate_display_key(self):
        await self._act(lambda db, store: stores.regenerate_display_key(db, store, now=utcnow()))
        if not self.error:
            self.message = "The display has a new link; screens opened with the old one stop."
