"""`/store`: the owner's dashboard. Every handler re-checks the sign-in token server-side."""

from __future__ import annotations

import asyncio

import reflex as rx

from queue_app import domain, jobs, live, qr, reports, routes, views
from queue_app.clock import utcnow
from queue_app.db import session
from queue_app.models import Queue, Store, StoreStatus
from queue_app.services import auth, closing, confirmation, customers, online, passes, rooms, stores
from queue_app.services.errors import DomainError, NotAllowed, StaleUpdate, StoreClosed, ValidationError
from queue_app.services.security import token_hash
from queue_app.services.snapshot import StoreSnapshot, load_snapshot
from queue_app.state.common import OwnerAuth, log, page_origin


def _counter_snapshot(store_id: int):
    """The store as the counter shows it: with a code to scan (made if there is none)."""
    with session() as db:
        passes.current_pass(db, store_id, now=utcnow())
        return load_snapshot(db, store_id, now=utcnow())


def _room_only(store_id: int) -> bool:
    with session() as db:
        return rooms.room_only(db, store_id)


class DashboardState(rx.State):
    """Everything the dashboard shows is derived from one snapshot in `show`."""

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
    confirm_email: bool = False  # with SMTP: the owner has not opened the confirmation link yet
    _last_action: str = ""  # the last action that succeeded, to tell a double tap
    @classmethod
    def view(cls, snap: StoreSnapshot, context: dict[str, str]) -> dict:
        """Every var derived from the store; `context["origin"]` is where phones reach the app.

        A tab whose sign-in is gone (signed out, or a password reset elsewhere) or whose store has
        closed gets no customer data any more.
        """
        if snap.status is not StoreStatus.OPEN:
            return {"closed": True, "queues": [], "qr_code": "", "join_url": ""}
        if context.get("session") not in snap.session_hashes:
            return {"signed_out": True, "loaded": False, "queues": [], "qr_code": "", "join_url": ""}
        join_url = routes.join_url(context["origin"], snap.pass_token) if snap.pass_token else ""
        return {
            "store_name": snap.name, "description": snap.description,
            "closes_at": snap.closes_at.isoformat(),
            "closes_local": views.local_time(snap.closes_at, snap.timezone, "%a %H:%M"),
            "queues": views.dashboard_queues(snap, snap.taken_at),
            "closed": snap.status is not StoreStatus.OPEN,
            "join_url": join_url, "qr_code": qr.qr_data_uri(join_url) if join_url else "",
            "display_url": routes.display_path(snap.display_key),
            "public_url": routes.public_path(snap.slug), "loaded": True, "signed_out": False,
            "confirm_email": confirmation.awaiting(snap.email_confirmed),
        }

    async def _owner_store(self) -> Store:
        """The signed-in store, checked on every call; never taken from the page."""
        token = (await self.get_state(OwnerAuth)).token
        with session() as db:
            return auth.store_for_token(db, token, now=utcnow())

    @rx.event
    async def load(self):
        self.message, self.error, self.editing = "", "", False
        try:
            store = await self._owner_store()
        except NotAllowed as refused:
            self.loaded = False
            live.unwatch(self.router.session.client_token)
            return rx.redirect(routes.CLOSED if isinstance(refused, StoreClosed) else routes.SIGN_IN)
        if await asyncio.to_thread(_room_only, store.id):  # a waiting room alone: its own screen
            return rx.redirect(routes.ROOM_DASHBOARD)
        snap = await asyncio.to_thread(_counter_snapshot, store.id)  # off the event loop
        token = (await self.get_state(OwnerAuth)).token
        live.show(self, store.id, snap, {"origin": page_origin(self), "session": token_hash(token)})

    @rx.event
    def start_editing(self):
        self.editing, self.error = True, ""

    @rx.event
    def cancel_editing(self):
        self.editing, self.error = False, ""

    @rx.event
    async def save_description(self, data: dict):
        try:
            store = await self._owner_store()
            with session() as db:
                stores.update_description(db, store, data.get("description"), now=utcnow())
        except NotAllowed:
            return rx.redirect(routes.SIGN_IN)
        except ValidationError as error:
            self.error = error.message
            return None
        self.editing, self.error, self.message = False, "", "Description saved."
        live.publish_soon(store.id)

    @rx.event
    async def close_store(self):
        try:
            store = await self._owner_store()
            with session() as db:
                closing.close_store(db, store.id, now=utcnow())
        except NotAllowed:
            return rx.redirect(routes.SIGN_IN)
        except DomainError as error:
            self.error = error.message
            return None
        log.info("store %s closed by its owner", store.id)
        jobs.deliver_report_soon(store.id)  # the owner gets the report now, not at the next job run
        live.publish_soon(store.id)
        live.unwatch(self.router.session.client_token)
        return rx.redirect(routes.CLOSED)

    @rx.event
    async def sign_out(self):
        auth_state = await self.get_state(OwnerAuth)
        with session() as db:
            auth.sign_out(db, auth_state.token)
        auth_state.token = ""
        live.unwatch(self.router.session.client_token)
        self.loaded = False
        return rx.redirect(routes.SIGN_IN)

    async def _act(self, action, repeat: str = "") -> None:
        """Run `action(db, store)` for the signed-in store, report its error, publish on success.

        `repeat` names the action; the same action again right after it (a double tap) is a no-op
        here, not "already updated on another screen".
        """
        self.message, self.error = "", ""
        try:
            store = await self._owner_store()
            with session() as db:
                action(db, store)
        except NotAllowed:
            self.error = "You are signed out or the store is closed — reload the page."
            return
        except StaleUpdate as error:
            if not repeat or repeat != self._last_action:
                self.error = error.message
            return
        except DomainError as error:
            self.error = error.message
            return
        self._last_action = repeat
        live.publish_soon(store.id)

    @rx.event
    async def set_state(self, customer_id: int, seen: str, target: str):
        """Call / Done / No-show / Back to waiting / Remove: conditional on the state the owner saw."""
        await self._act(lambda db, store: customers.change_state(
            db, store.id, customer_id, seen=seen, target=target, now=utcnow()),
            repeat=f"{customer_id}:{seen}:{target}")

    @rx.event
    async def call_next(self, queue_id: int, head_id: int = 0):
        """Call the longest-waiting customer; `head_id` is who this screen showed first in line."""
        repeat = f"next:{queue_id}:{head_id}"
        if head_id and repeat == self._last_action:
            return  # a double tap: the customer this screen showed is already called
        called = []
        await self._act(lambda db, store: called.append(
            customers.call_next(db, store.id, queue_id, now=utcnow())), repeat=repeat)
        if called and called[0] is None:
            self.message = "Nobody is waiting in this queue."

    @rx.event
    async def add_walk_in(self, data: dict):
        self.walk_in_ticket, self.walk_in_error = "", {}
        added = []
        try:
            store = await self._owner_store()
            with session() as db:
                added.append(customers.add_walk_in(db, store.id, name=data.get("name"),
                                                   phone=data.get("phone"),
                                                   queue_id=data.get("queue"), now=utcnow()))
                prefix = db.get(Queue, added[0].queue_id).prefix
        except NotAllowed:
            self.walk_in_error = {"form": "You are signed out or the store is closed."}
            return
        except ValidationError as error:
            self.walk_in_error = {k.split("-")[0]: v for k, v in error.errors.items()}
            return
        self.walk_in_ticket = domain.ticket_label(prefix, added[0].ticket_number)
        live.publish_soon(store.id)
        return [rx.set_value("walk-in-name", ""), rx.set_value("walk-in-phone", "")]

    @rx.event
    async def export_csv(self):
        try:
            store = await self._owner_store()
        except NotAllowed:
            return rx.redirect(routes.SIGN_IN)
        with session() as db:
            snap = load_snapshot(db, store.id, now=utcnow())
        return rx.download(data=reports.report_csv(snap), filename=reports.report_filename(snap),
                           mime_type="text/csv")

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
        await self._act(lambda db, store: stores.set_default_service(
            db, store, data.get("queue_id"), data.get("minutes"), now=utcnow()))
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
        await self._act(lambda db, store: online.set_online(
            db, store, data.get("queue_id"), data.get("online") == "on", cap=data.get("online_cap"),
            now=utcnow()))
        if not self.error:
            self.message = "Online cap saved."

    @rx.event
    async def regenerate_display_key(self):
        await self._act(lambda db, store: stores.regenerate_display_key(db, store, now=utcnow()))
        if not self.error:
            self.message = "The display has a new link; screens opened with the old one stop."
