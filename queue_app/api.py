"""Plain HTTP routes beside the Reflex app: liveness, readiness and Prometheus metrics.

Every request (pages and the websocket too: Reflex is mounted inside this app) passes through
`RequestIdMiddleware`, so every log line of a request carries its id.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import sqlalchemy as sa
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from queue_app import jobs, metrics, routes
from queue_app.db import engine
from queue_app.logs import RequestIdMiddleware
from queue_app.readiness import readiness
from queue_app.services import stats


def build(*, database: Callable[[], sa.Engine] = engine, redis_url: str | None = None,
          scheduler_alive: Callable[[], bool | None] = jobs.scheduler_alive) -> Starlette:
    """The Starlette app Reflex mounts itself into (`rx.App(api_transformer=...)`)."""
    redis_url = os.environ.get("REFLEX_REDIS_URL", "") if redis_url is None else redis_url

    def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})  # the process answers: nothing else is checked

    def readyz(_request: Request) -> JSONResponse:
        ready, checks = readiness(database(), redis_url=redis_url, scheduler_alive=scheduler_alive)
        return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                            status_code=200 if ready else 503)

    def counts() -> dict:
        try:
            with Session(database().execution_options(queue_readonly=True)) as db:
                return {"queue_database_up": 1, **stats.counts(db)}
        except sa.exc.SQLAlchemyError:
            return {"queue_database_up": 0}

    def scrape(_request: Request) -> Response:
        body, content_type = metrics.exposition(metrics.DatabaseCollector(counts))
        return Response(body, media_type=content_type)

    return Starlette(routes=[Route(routes.HEALTH, healthz), Route(routes.READY, readyz),
                             Route(routes.METRICS, scrape)],
                     middleware=[Middleware(RequestIdMiddleware)])


api = build()
