"""Open-store form: queue slots added and removed in the form, then one service call."""

from __future__ import annotations

import asyncio
import itertools

import reflex as rx

from queue_app import domain, jobs, routes
from queue_app.clock import utcnow
from queue_app.db import session
from queue_app.services import auth, confirmation, stores
from queue_app.services.errors import DomainError, ValidationError
from queue_app.state.common import OwnerAuth, client_ip, log, page_origin

_slot_ids = itertools.count(1)


class SignupState(rx.State):
    """The open-store page."""

    slots: list[str] = ["q0"]
    errors: dict[str, str] = {}
    email_taken: bool = False  # the email has an open store: the page offers "Sign in instead"
    timezone: str = "UTC"
    busy: bool = False

    @rx.event
    def add_queue(self):
        if len(self.slots) < domain.QUEUES_MAX:
            self.slots.append(f"q{next(_slot_ids)}")
            self.errors = {k: v for k, v in self.errors.items() if k != "queues"}
        else:
            self.errors = self.errors | {"queues": f"A store has at most {domain.QUEUES_MAX} queues."}

    @rx.event
    def remove_queue(self, slot: str):
        if len(self.slots) > 1 and slot in self.slots:
            self.slots.remove(slot)

    @rx.event
    def set_browser_timezone(self, zone: str):
        if isinstance(zone, str) and not domain.timezone_error(zone):
            self.timezone = zone

    @rx.event
    def load(self):
        """A fresh form on every visit; the time zone is prefilled from the browser."""
        self.slots, self.errors, self.busy = ["q0"], {}, False
        return SignupState.guess_timezone

    @rx.event
    def guess_timezone(self):
        return rx.call_script("Intl.DateTimeFormat().resolvedOptions().timeZone",
                              callback=SignupState.set_browser_timezone)

    @rx.event
    async def submit(self, data: dict):
        self.busy = True
        yield
        try:
            yield await self._open(data)
        finally:
            self.busy = False

    async def _open(self, data: dict):
        data = data if isinstance(data, dict) else {}  # a forged event may send anything
        names = [data.get(f"queue-{slot}", "") for slot in self.slots]
        try:
            form = domain.validate_store_form(
                email=data.get("email"), password=data.get("password"), confirm=data.get("confirm"),
                name=data.get("name"), queue_names=names, timezone=data.get("timezone"))
            store, token, mail = await asyncio.to_thread(  # Argon2 off the event loop
                _open_and_sign_in, form, client_ip(self), page_origin(self))
        except ValidationError as error:
            self.errors = {_slot_key(k, self.slots): v for k, v in error.errors.items()}
            self.email_taken = self.errors.get("email") == stores.EMAIL_TAKEN
            return None
        except DomainError as error:
            self.errors = {"form": error.message}
            return None
        log.info("store %s opened", store.id)
        if mail is not None:
            jobs.mail_soon(mail, store_id=store.id, what="confirmation")
        self.errors = {}
        (await self.get_state(OwnerAuth)).token = token
        return rx.redirect(routes.DASHBOARD)


def _open_and_sign_in(form: domain.StoreForm, ip: str, origin: str):
    with session() as db:
        now = utcnow()
        store = stores.open_store(db, form, now=now, client_ip=ip, origin=origin)
        mail = confirmation.issue(db, store) if confirmation.required() else None
        return store, auth.start_session(db, store, now=now), mail


def _slot_key(key: str, slots: list[str]) -> str:
    """`queue-3` (index) → `queue-q7` (the slot's id), so the message sits under its input."""
    if key.startswith("queue-") and key[6:].isdigit() and int(key[6:]) < len(slots):
        return f"queue-{slots[int(key[6:])]}"
    return key
