"""`/api/v1`: the public JSON API (Starlette, beside the Reflex app; see `openapi.py`)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from queue_app.api_v1 import counter_tickets, room_tickets
from queue_app.api_v1.errors import ApiError, error_response, on_api_error, on_http_error
from queue_app.api_v1.openapi import openapi
from queue_app.config import Settings, settings

PREFIX = "/api/v1"


class SameOriginOnly:
    """Refuse browser requests from other sites unless their origin is configured.

    Reflex answers CORS for its whole backend with `*` by default (its websocket needs it), so
    "CORS off" for the API is enforced here: a request carrying a foreign `Origin` gets 403.
    """

    def __init__(self, app: ASGIApp, allowed: tuple[str, ...]) -> None:
        self.app, self.allowed = app, set(allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            origin = headers.get(b"origin", b"").decode("latin-1").rstrip("/")
            host = headers.get(b"host", b"").decode("latin-1")
            if origin and origin.split("://", 1)[-1] != host and origin not in self.allowed:
                response = error_response(403, "cross_origin", "This API does not answer "
                                          "other websites' pages (CORS is not enabled for them).")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def make_api(config: Settings = settings) -> Starlette:
    """The versioned API; CORS only for the origins `QUEUE_API_CORS_ORIGINS` lists (none: off)."""
    middleware = [Middleware(SameOriginOnly, allowed=config.api_cors_origins)]
    if config.api_cors_origins:
        middleware.insert(0, Middleware(CORSMiddleware, allow_origins=list(config.api_cors_origins),
                                        allow_methods=["GET", "POST"],
                                        allow_headers=["Authorization"], max_age=600))
    return Starlette(
        routes=[
            Route("/openapi.json", openapi),
            Route("/rooms/{slug}", room_tickets.room_summary),
            Route("/rooms/{slug}/tickets", room_tickets.take_ticket, methods=["POST"]),
            Route("/rooms/{slug}/ticket", room_tickets.ticket_status),
            Route("/rooms/{slug}/continue", room_tickets.go_on),
            Route("/tickets/{secret}", counter_tickets.counter_ticket),
        ],
        middleware=middleware,
        exception_handlers={ApiError: on_api_error, HTTPException: on_http_error},
    )
