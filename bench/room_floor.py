"""The floor for the waiting-room endpoints: a bare Starlette app doing the same work, nothing else.

`POST /join`: Redis `INCR` + an HS256 token (stdlib hmac); `GET /status` with a Bearer token:
verify + Redis `GET` of the window end. Run: `granian --interface asgi bench.room_floor:app`.
"""

import base64
import hashlib
import hmac
import json
import os

import redis.asyncio as aioredis
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

KEY = hashlib.sha256(b"floor").digest()
HEAD = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")
db = aioredis.Redis.from_url(os.environ.get("FLOOR_REDIS_URL", "redis://127.0.0.1:6379/0"))


def b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


async def join(_request):
    position = await db.incr("floor:issued")
    body = HEAD + b"." + b64(json.dumps({"sub": str(position), "room": "floor"}).encode())
    token = body + b"." + b64(hmac.new(KEY, body, hashlib.sha256).digest())
    return JSONResponse({"token": token.decode(), "position": position}, status_code=201)


async def status(request):
    head, body, sig = request.headers.get("authorization", "")[7:].split(".")
    good = b64(hmac.new(KEY, f"{head}.{body}".encode(), hashlib.sha256).digest()).decode()
    if not hmac.compare_digest(sig, good):
        return JSONResponse({"error": "bad token"}, status_code=401)
    position = int(json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))["sub"])
    window = int(await db.get("floor:window") or 0)
    return JSONResponse({"position": position, "status": "active" if position <= window else "waiting"})


app = Starlette(routes=[Route("/join", join, methods=["POST"]), Route("/status", status)])
