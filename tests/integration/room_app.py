"""A minimal Reflex backend on `live.adapter`, served by granian in the adapter tests.

Two test-only HTTP routes drive the adapter from outside: `POST /join` (a tab's token enters a
room) and `POST /emit` (one delta to a room). `GET /whoami` names the worker that answered.
"""

from __future__ import annotations

import os

import reflex as rx
from starlette.requests import Request
from starlette.responses import JSONResponse

from queue_app.live import adapter


class RoomState(rx.State):
    value: str = ""


app = rx.App(sio=adapter.make_sio())


async def _join(request: Request) -> JSONResponse:
    body = await request.json()
    await adapter.join_room(body["token"], body["room"])
    return JSONResponse({"worker": os.getpid(), "sid": await adapter.sid_of(body["token"])})


async def _emit(request: Request) -> JSONResponse:
    body = await request.json()
    await adapter.emit_to_room(body["room"], RoomState, {"value": body["value"]})
    return JSONResponse({"worker": os.getpid()})


async def _whoami(request: Request) -> JSONResponse:
    return JSONResponse({"worker": os.getpid()})


app._api.add_route("/join", _join, methods=["POST"])  # noqa: SLF001  (test-only routes)
app._api.add_route("/emit", _emit, methods=["POST"])  # noqa: SLF001
app._api.add_route("/whoami", _whoami, methods=["GET"])  # noqa: SLF001
asgi = app._api  # noqa: SLF001
