"""Plain HTTP routes beside the Reflex app: health check, and the public API under `/api/v1`."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from queue_app import routes
from queue_app.api_v1 import PREFIX, make_api
from queue_app.db import engine


async def healthz(_request: Request) -> JSONResponse:
    try:
        with engine().connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return JSONResponse({"status": "database unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


api = Starlette(routes=[Route(routes.HEALTH, healthz), Mount(PREFIX, app=make_api())])
