"""Sign in, forgot password and reset password."""

from __future__ import annotations

import reflex as rx

from queue_app import routes
from queue_app.clock import utcnow
from queue_app.db import session
from queue_app.mail import mailer
from queue_app.mail.messages import reset_password_message
from queue_app.services import auth
from queue_app.services.errors import DomainError, ValidationError
from queue_app.state.common import OwnerAuth, client_ip, log, page_origin, route_param

FORGOT_SENT = "If an open store uses this address, we sent a link. It is valid for 30 minutes."


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
            with session() as db:
                try:
                    auth.store_for_token(db, token, now=utcnow())
                except DomainError:
                    return None
            return rx.redirect(routes.DASHBOARD)

    @rx.event
    async def submit(self, data: dict):
        try:
            with session() as db:
                token = auth.sign_in(db, data.get("email"), data.get("password"), now=utcnow(),
                                     client_ip=client_ip(self))
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
    def submit(self, data: dict):
        try:
            with session() as db:
                issued = auth.request_reset(db, data.get("email"), now=utcnow(),
                                            client_ip=client_ip(self))
        except DomainError as error:
            self.error, self.sent = error.message, ""
            return
        if issued is not None:
            store, token = issued
            message = reset_password_message(
                to=store.email, store_name=store.name, minutes=30,
                link=routes.reset_url(page_origin(self), token))
            try:
                mailer.send(message)
            except mailer.MailError:
                log.exception("reset mail for store %s failed", store.id)
        self.error, self.sent = "", FORGOT_SENT


class ResetState(rx.State):
    """`/reset/[token]`: the token comes from the URL and is checked by the service."""

    errors: dict[str, str] = {}
    link_ok: bool = True

    @rx.event
    def load(self):
        self.errors = {}
        with session() as db:
            try:
                auth.check_reset_token(db, route_param(self, "token"), now=utcnow())
                self.link_ok = True
            except DomainError:
                self.link_ok = False

    @rx.event
    async def submit(self, data: dict):
        try:
            with session() as db:
                token = auth.reset_password(db, route_param(self, "token"),
                                            data.get("password"), data.get("confirm"), now=utcnow())
        except ValidationError as error:
            self.errors = error.errors
            return None
        except DomainError as error:
            self.errors, self.link_ok = {"form": error.message}, False
            return None
        self.errors = {}
        (await self.get_state(OwnerAuth)).token = token
        return rx.redirect(routes.DASHBOARD)
