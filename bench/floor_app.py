"""The floor: a bare python-socketio server (the app's ASGI server, one worker) that broadcasts.

Clients connect exactly as to Reflex (path `/_event/`, namespace `/_event`); a client's `event`
with `{"name": "broadcast", "payload": P}` makes the server emit `P` once to the room of every
connected socket, and `{"name": "echo"}` answers the sender only (the bare round-trip floor).
Run by `bench/floors.py:floor_command` (uvicorn or granian, like the app).
"""

from __future__ import annotations

import socketio

NAMESPACE = "/_event"
sio = socketio.AsyncServer(async_mode="asgi", transports=["websocket"], cors_allowed_origins="*",
                           async_handlers=False)


@sio.on("connect", namespace=NAMESPACE)
async def connect(sid, environ, auth=None):
    await sio.enter_room(sid, "all", namespace=NAMESPACE)
    await sio.emit("event", {"delta": {"floor": {"connected": True}}, "events": []}, to=sid,
                   namespace=NAMESPACE)


@sio.on("event", namespace=NAMESPACE)
async def event(sid, data):
    if data.get("name") == "broadcast":
        await sio.emit("event", data["payload"], room="all", namespace=NAMESPACE)
    else:
        await sio.emit("event", {"delta": {"floor": {"echo": data.get("payload")}}, "events": []},
                       to=sid, namespace=NAMESPACE)


app = socketio.ASGIApp(sio, socketio_path="_event")
