"""Sign in, forgot password and reset password."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import reflex as rx

from queue_app import routes
from queue_app.clock import utcnow
from queue_app.config import settings
from queue_app.db import read_session, session
from queue_app.mail import mailer
from queue_app.mail.messages import reset_password_message
from queue_app.services import auth
from queue_app.services.errors import DomainError, ValidationError
from queue_app.state.common import OwnerAuth, client_ip, log, route_param

FORGOT_SENT = "If an open store uses this address, we sent a link. It is valid for 30 minutes."


_background = ThreadPoolExecutor(max_workers=2, thread_name_prefix="reset-mail")


def _check(check, token: object) -> None:
    """A read-only check of a token (`auth.store_for_token`, `auth.check_reset_token`)."""
    with read_session() as db:
        check(db, token, now=utcnow())


def _form(data: object) -> dict:
    return data if isinstance(data, dict) else {}


def _sign_in(email: object, password: object, ip: str) -> str:
    with session() as db:
        return auth.sign_in(db, email, password, now=utcnow(), client_ip=ip)


def _request_reset(email: object, ip: str):
    with session() as db:
        return auth.request_reset(db, email, now=utcnow(), client_ip=ip)


def _reset_password(token: str, password: object, confirm: object) -> str:
    with session() as db:
        return auth.reset_password(db, token, password, confirm, now=utcnow())


def _send_reset_mail(store, token: str) -> None:
    """Mail the reset link (in a background thread).

    The link points at QUEUE_BASE_URL, or where the owner opened the store — never at the Origin
    of the request asking for it, which anyone can forge.
    """
    try:
        base = settings.base_url or store.origin
        message = reset_password_message(to=store.email, store_name=store.name, minutes=30,
                                         link=routes.reset_url(base, token))
        mailer.send(message)
    except mailer.MailError as error:  # its text names no address
        log.error("reset mail for store %s failed: %s", store.id, error)
    except Exception as error:  # noqa: BLE001  (a thread pool would swallow it without a word)
        log.error("reset mail for store %s failed: %s", store.id, type(error).__name__)


class SigninState(rx.State):
    """`/signin`."""

    error: str = ""
    busy: bool = False

    @rx.event
    async def load(self):
        """A signed-in owner goes straight to the dashboard."""
        self.error, self.busy = "", False
        token = (await self.get_state(OwnerAuth)).token
        if token:
            try:
                await asyncio.to_thread(_check, auth.store_for_token, token)
            except DomainError:
                return None
            return rx.redirect(routes.DASHBOARD)

    @rx.event
    async def submit(self, data: dict):
        try:  # Argon2 takes ~0.1 s: off the event loop, so live pushes of other stores never wait
            form = _form(data)
            token = await asyncio.to_thread(_sign_in, form.get("email"), form.get("password"),
                                            client_ip(self))
        except DomainError as error:
            self.error = error.message
            return None
        self.error = ""
        (await self.get_state(OwnerAuth)).token = token
        return rx.redirect(routes.DASHBOARD)


class ForgotState(rx.State):
    """`/forgot`: always the same answer, whether or not the address has a store."""

    error: str = ""
    sent: str = ""

    @rx.event
    def load(self):
        self.error, self.sent = "", ""

    @rx.event
    async def submit(self, data: dict):
        try:
            issued = await asyncio.to_thread(_request_reset, _form(data).get("email"), client_ip(self))
        except DomainError as error:
            self.error, self.sent = error.message, ""
            return
        if issued is not None:  # mailed in the background: the answer takes as long either way
            _background.submit(_send_reset_mail, *issued)
        self.error, self.sent = "", FORGOT_SENT


class ResetState(rx.State):
    """`/reset/[token]`: the token comes from the URL and is checked by the service."""

    errors: dict[str, str] = {}
    link_ok: bool = True

    @rx.event
    async def load(self):
        self.errors = {}
        try:
            await asyncio.to_thread(_check, auth.check_reset_token, route_param(self, "token"))
            self.link_ok = True
        except DomainError:
            self.link_ok = False

    @rx.event
    async def submit(self, data: dict):
        try:
            form = _form(data)
            token = await asyncio.to_thread(_reset_password, route_param(self, "token"),
                                            form.get("password"), form.get("confirm"))
        except ValidationError as error:
            self.errors = error.errors
            return None
        except DomainError as error:
            self.errors, self.link_ok = {"form": error.message}, False
            return None
        self.errors = {}
        (await self.get_state(OwnerAuth)).token = token
        return rx.redirect(routes.DASHBOARD)
