"""The ASGI app the server runs: `/api/v1` straight to the API, everything else to Reflex.

Reflex wraps its backend in a Starlette app of its own (lifespan, its context middleware, CORS,
a router) around ours (`queue_app.api`: request ids, CORS again, a router) before a request reaches
a route. For a page or an event that is noise; for the waiting room's ticket calls, the cheapest
and most frequent requests of the product, it was about a quarter of their time (`bench/rooms.py`,
py-spy). The front door sends `/api/v1/...` to the API with only the request-id middleware, and
every other request, the lifespan and the websocket to Reflex's app, unchanged.

`scripts/start.sh` serves `queue_app.asgi:app` (a factory, like Reflex's own target).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from queue_app.api_v1 import PREFIX, make_api
from queue_app.logs import RequestIdMiddleware


class FrontDoor:
    def __init__(self, reflex_app: ASGIApp, api: ASGIApp) -> None:
        self.reflex_app, self.api = reflex_app, RequestIdMiddleware(api)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PREFIX + "/"):
            await self.api({**scope, "root_path": scope.get("root_path", "") + PREFIX}, receive, send)
        else:
            await self.reflex_app(scope, receive, send)


def app() -> ASGIApp:
    """The server's factory: Reflex builds its app (as for its own target), the API goes in front."""
    from queue_app.queue_app import app as reflex_app  # noqa: PLC0415  (the composition root)

    return FrontDoor(reflex_app(), make_api())
