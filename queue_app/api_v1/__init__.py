"""`/api/v1`: the public JSON API, beside the Reflex app (see `openapi.py` for what it serves).

A small ASGI dispatcher rather than a Starlette app of its own: these are the cheapest calls of
the product (a ticket is issued at the rate of the bare floor app, see `bench/rooms.py`), and a
nested Starlette's middleware stack measured about a sixth of a ticket's time.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from queue_app.api_v1 import counter_tickets, room_tickets
from queue_app.api_v1.errors import ApiError, error_response
from queue_app.api_v1.openapi import openapi
from queue_app.config import Settings, settings

PREFIX = "/api/v1"
Handler = Callable[[Request], Awaitable[Response]]
log = logging.getLogger("queue_app.api")
ROUTES: tuple[tuple[str, str, Handler], ...] = (
    ("GET", "/openapi.json", openapi),
    ("GET", "/rooms/{slug}", room_tickets.room_summary),
    ("POST", "/rooms/{slug}/tickets", room_tickets.take_ticket),
    ("GET", "/rooms/{slug}/ticket", room_tickets.ticket_status),
    ("GET", "/rooms/{slug}/continue", room_tickets.go_on),
    ("GET", "/tickets/{secret}", counter_tickets.counter_ticket),
)
CROSS_ORIGIN = ("This API does not answer other websites' pages (CORS is not enabled for them).")


class ApiV1:
    """Route, refuse foreign origins, turn `ApiError` into the one error shape.

    Reflex answers CORS for its whole backend with `*` by default (its websocket needs it), so
    "CORS off" for the API is enforced here: a request carrying a foreign `Origin` gets 403.
    """

    def __init__(self, allowed_origins: tuple[str, ...] = ()) -> None:
        self.allowed = set(allowed_origins)
        self.routes = [(method, path, re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path)
                                                 + "$"), handler)
                       for method, path, handler in ROUTES]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":  # run on its own (tests): nothing to start or stop
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        response = await self._respond(scope, receive)
        await response(scope, receive, send)

    async def _respond(self, scope: Scope, receive: Receive) -> Response:
        headers = dict(scope["headers"])
        origin = headers.get(b"origin", b"").decode("latin-1").rstrip("/")
        if origin and origin.split("://", 1)[-1] != headers.get(b"host", b"").decode("latin-1") \
                and origin not in self.allowed:
            return error_response(403, "cross_origin", CROSS_ORIGIN)
        path, root = scope["path"], scope.get("root_path", "")
        path = path[len(root):] if root and path.startswith(root) else path
        allowed = False
        for method, _, pattern, handler in self.routes:
            if (found := pattern.match(path)) is None:
                continue
            if method != scope["method"] and not (method == "GET" and scope["method"] == "HEAD"):
                allowed = True
                continue
            scope["path_params"] = found.groupdict()
            try:
                return await handler(Request(scope, receive))
            except ApiError as error:
                return error_response(error.status, error.code, error.message, error.retry_after)
            except Exception:  # never a traceback to the caller; the log has it (with request id)
                log.exception("API %s %s failed", scope["method"], path.split("/", 3)[1])
                return error_response(500, "internal", "Something went wrong on our side.")
        if allowed:
            return error_response(405, "method_not_allowed", "Method Not Allowed")
        return error_response(404, "not_found", "Not Found")


def make_api(config: Settings = settings) -> ASGIApp:
    """The versioned API; CORS only for the origins `QUEUE_API_CORS_ORIGINS` lists (none: off)."""
    api = ApiV1(config.api_cors_origins)
    if not config.api_cors_origins:
        return api
    return CORSMiddleware(api, allow_origins=list(config.api_cors_origins),
                          allow_methods=["GET", "POST"], allow_headers=["Authorization"], max_age=600)
