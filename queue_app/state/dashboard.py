"""`/store`: the owner's dashboard. Every handler re-checks the sign-in token server-side."""

from __future__ import annotations

import asyncio
from typing import ClassVar

import reflex as rx

from queue_app import jobs, live, routes
from queue_app.clock import utcnow
from queue_app.models import Store
from queue_app.services import auth, closing, customers, stores
from queue_app.services.errors import DomainError, NotAllowed, StaleUpdate, StoreClosed, ValidationError
from queue_app.services.security import token_hash
from queue_app.state.common import OwnerAuth, log, page_origin
from queue_app.state.dashboard_db import (
    add_walk_in_ticket,
    form_of,
    open_dashboard,
    signed_in_store,
    write,
    write_as_owner,
)
from queue_app.state.dashboard_settings import StoreSettings
from queue_app.views import owner


class DashboardState(StoreSettings, rx.State):
    """The view vars are sent by the live hub (`views.owner.dashboard`); handlers act and publish."""

    # Vars holding customers' names and phones, with their empty values: cleared on close,
    # sign-out and purge, so that Reflex's state store (RAM or Redis) keeps none of them.
    PERSONAL: ClassVar[dict[str, object]] = {"queues": []}

    loaded: bool = False
    store_name: str = ""
    description: str = ""
    closes_at: str = ""  # ISO 8601, for the countdown
    closes_local: str = ""
    queues: list[dict] = []
    message: str = ""
    error: str = ""
    editing: bool = False
    closed: bool = False
    qr_code: str = ""  # data URI of the current pass's QR code
    join_url: str = ""
    display_url: str = ""
    public_url: str = ""
    walk_in_ticket: str = ""
    walk_in_error: dict[str, str] = {}
    signed_out: bool = False
    shown_finished: list[int] = []  # queues whose "Finished (n)" section this tab has open
    conflict_id: int = 0  # the customer another screen updated first, and what to tell about it
    conflict: str = ""
    confirm_email: bool = False  # with SMTP: the owner has not opened the confirmation link yet
    _last_action: str = ""  # the last action that succeeded, to tell a double tap
    _last_call: str = ""  # "<customer id>|<called at>" of this tab's last "Call next"
    _shown: dict[str, int] = {}  # queue id → active customers this tab lists, after "Show more"
    async def _owner_store(self) -> Store:
        """The signed-in store, checked on every call; never taken from the page."""
        token = (await self.get_state(OwnerAuth)).token
        return await asyncio.to_thread(signed_in_store, token)

    @rx.event
    async def load(self):
        self.message, self.error, self.editing = "", "", False
        token = (await self.get_state(OwnerAuth)).token
        try:
            store, room_only = await asyncio.to_thread(open_dashboard, token)  # off the event loop
        except NotAllowed as refused:
            self.loaded = False
            self._forget_personal()
            await live.hub.unwatch(self.router.session.client_token)
            return rx.redirect(routes.CLOSED if isinstance(refused, StoreClosed) else routes.SIGN_IN)
        if room_only:  # a waiting room alone: its own screen
            return rx.redirect(routes.ROOM_DASHBOARD)
        await self._show(store.id, token)

    async def _show(self, store_id: int, token: str) -> None:
        """Watch the store on this tab, with what the tab's view depends on, and send the view."""
        await live.hub.show(self.router.session.client_token, store_id, "dashboard",
                            {"origin": page_origin(self), "session": token_hash(token)}
                            | owner.shown_context(self._shown))

    @rx.event
    async def show_more(self, queue_id: int):
        """`Show more` under a queue's customers: this tab lists more of them from now on."""
        shown = owner.show_more(self._shown, queue_id)
        if shown is None:
            return
        token = (await self.get_state(OwnerAuth)).token
        try:
            store = await asyncio.to_thread(signed_in_store, token)
        except NotAllowed:
            self.error = "You are signed out or the store is closed — reload the page."
            return
        self._shown = shown
        await self._show(store.id, token)

    @rx.event
    def start_editing(self):
        self.editing, self.error = True, ""

    @rx.event
    def cancel_editing(self):
        self.editing, self.error = False, ""

    @rx.event
    async def save_description(self, data: dict):
        try:
            token = (await self.get_state(OwnerAuth)).token
            store_id, _ = await asyncio.to_thread(write_as_owner, token, lambda db, store: (
                stores.update_description(db, store, form_of(data).get("description"), now=utcnow())))
        except NotAllowed:
            return rx.redirect(routes.SIGN_IN)
        except ValidationError as error:
            self.error = error.message
            return None
        self.editing, self.error, self.message = False, "", "Description saved."
        live.hub.publish_soon(store_id)

    @rx.event
    async def close_store(self):
        try:
            store = await self._owner_store()
            await asyncio.to_thread(write, closing.close_store, store.id, now=utcnow())
        except NotAllowed:
            return rx.redirect(routes.SIGN_IN)
        except DomainError as error:
            self.error = error.message
            return None
        log.info("store %s closed by its owner", store.id)
        self._forget_personal()
        jobs.deliver_report_soon(store.id)  # the owner gets the report now, not at the next job run
        live.hub.publish_soon(store.id)
        await live.hub.unwatch(self.router.session.client_token)
        return rx.redirect(routes.CLOSED)

    @rx.event
    async def sign_out(self):
        auth_state = await self.get_state(OwnerAuth)
        await asyncio.to_thread(write, auth.sign_out, auth_state.token)
        auth_state.token = ""
        await live.hub.unwatch(self.router.session.client_token)
        self.loaded = False
        self._forget_personal()
        return rx.redirect(routes.SIGN_IN)

    def _forget_personal(self) -> None:
        for name, empty in self.PERSONAL.items():
            setattr(self, name, type(empty)())

    async def _act(self, action, repeat: str = "", customer_id: int = 0) -> object:
        """Run `action(db, store)` for the signed-in store, report its error, publish on success.

        `repeat` names the action; the same action again right after it (a double tap) is a no-op
        here, not "already updated on another screen". A conflict about one customer is shown
        next to that customer (`conflict_id`), where the owner is looking. Returns what `action`
        returned.
        """
        self.message, self.error, self.conflict_id, self.conflict = "", "", 0, ""
        try:
            token = (await self.get_state(OwnerAuth)).token
            store_id, result = await asyncio.to_thread(write_as_owner, token, action)
        except NotAllowed:
            self.error = "You are signed out or the store is closed — reload the page."
            return None
        except StaleUpdate as error:
            if not repeat or repeat != self._last_action:
                if customer_id:
                    self.conflict_id, self.conflict = customer_id, error.message
                else:
                    self.error = error.message
            return None
        except DomainError as error:
            self.error = error.message
            return None
        self._last_action = repeat
        live.hub.publish_soon(store_id)
        return result

    @rx.event
    async def set_state(self, customer_id: int, seen: str, target: str):
        """Call / Done / No-show / Back to waiting / Remove: conditional on the state the owner saw."""
        await self._act(lambda db, store: customers.change_state(
            db, store.id, customer_id, seen=seen, target=target, now=utcnow()),
            repeat=f"{customer_id}:{seen}:{target}", customer_id=customer_id)

    @rx.event
    def toggle_finished(self, queue_id: int):
        """Show or hide a queue's finished customers on this tab only."""
        shown = [q for q in self.shown_finished if q != queue_id]
        self.shown_finished = shown if len(shown) < len(self.shown_finished) else shown + [queue_id]

    @rx.event
    async def call_next(self, queue_id: int, head_id: int = 0):
        """Call the longest-waiting customer; `head_id` is who this screen showed first in line.

        A double tap arrives with the head the first tap called, who is still in that very call:
        the service then returns that call instead of calling one more. After another tablet's
        undo the head is waiting again, so the same tap calls them again.
        """
        last_id, _, last_at = self._last_call.partition("|")
        repeat = last_at if head_id and last_id == str(head_id) else ""
        called = await self._act(lambda db, store: customers.call_next(
            db, store.id, queue_id, now=utcnow(), repeat_of=(head_id, repeat) if repeat else None))
        if called is not None:
            self._last_call = f"{called.id}|{called.called_at.isoformat()}"
        elif not self.error:
            self.message = "Nobody is waiting in this queue."

    @rx.event
    async def add_walk_in(self, data: dict):
        self.walk_in_ticket, self.walk_in_error = "", {}
        try:
            token = (await self.get_state(OwnerAuth)).token
            store_id, ticket = await asyncio.to_thread(write_as_owner, token, lambda db, store: (
                add_walk_in_ticket(db, store.id, form_of(data))))
        except NotAllowed:
            self.walk_in_error = {"form": "You are signed out or the store is closed."}
            return None
        except ValidationError as error:
            self.walk_in_error = {k.split("-")[0]: v for k, v in error.errors.items()}
            return None
        self.walk_in_ticket = ticket
        live.hub.publish_soon(store_id)
        return [rx.set_value("walk-in-name", ""), rx.set_value("walk-in-phone", "")]
