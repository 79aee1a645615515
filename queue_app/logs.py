"""Logging setup: one line per record with the request id of the request or event it belongs to.

`request_id` is a context variable: the HTTP middleware (`RequestIdMiddleware`) sets it for every
HTTP request and websocket connection, `queue_app.instrument` for every Reflex event, and
`asyncio.to_thread` carries it into the worker threads a handler starts. Never secrets in logs.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="-")
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


def new_request_id(prefix: str = "") -> str:
    return prefix + secrets.token_hex(6)


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request id (`-` outside any request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


def log_handler(stream=None) -> logging.Handler:
    """The app's log handler: one line per record, with the request id."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RequestIdFilter())
    return handler


def configure_logging() -> None:
    level = os.environ.get("QUEUE_LOG_LEVEL", "INFO").upper()
    root = logging.getLogger("queue_app")
    if not root.handlers:
        root.addHandler(log_handler())
    root.setLevel(level)


class RequestIdMiddleware:
    """ASGI middleware: a request id per HTTP request (or websocket), echoed in `X-Request-ID`.

    A well-formed `X-Request-ID` from the proxy is kept so its logs and ours line up; anything
    else is replaced by a random id (a header is never trusted to be safe to log).
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or ()).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _SAFE_ID.fullmatch(given) else new_request_id()
        token = request_id.set(rid)

        async def send_with_id(message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()),
                                                  (b"x-request-id", rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id if scope["type"] == "http" else send)
        finally:
            request_id.reset(token)


def report_unhandled(exception: Exception):
    """Reflex's backend exception handler: log with the event's request id, show it, no traceback."""
    import reflex as rx  # noqa: PLC0415

    rid = getattr(exception, "queue_request_id", None) or new_request_id()
    logging.getLogger("queue_app.errors").error("unhandled error", exc_info=exception,
                                                extra={"request_id": rid})
    return rx.toast.error(f"Something went wrong — please try again. (error id {rid})")
