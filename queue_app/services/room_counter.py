"""Where waiting-room positions come from: Redis `INCR` when Redis is configured, else one row.

Either way a position is taken atomically, so positions are unique and gap-free across workers
and replicas, and no row is written per visitor. The Redis path also counts the caller's tickets
per minute in the same round trip (a Lua script), so a refused request never burns a position.

On Redis the requests that arrive together share one round trip: every `issue` of one pass of
the event loop joins a batch, and one script call counts each caller and takes the batch's
positions with one `INCRBY` (in arrival order). At 64 concurrent requests this took a ticket's
Redis cost from ~40 % of the worker's time to a few per cent (`bench/rooms.py`, py-spy).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from functools import cache
from typing import Protocol

import redis
import redis.asyncio as aioredis
from sqlmodel import Session, select, update

from queue_app.config import settings
from queue_app.models import RoomCounter

REDIS_CONNECT_TIMEOUT = 1.0  # seconds: a Redis that is down fails fast with a clear 503
REDIS_TIMEOUT = 2.0  # a busy Redis (or machine) gets a little longer before the 503
BATCH_MOST = 256  # requests per script call: a bounded Lua run, so Redis never stalls on one
# KEYS[1]: the room's position counter; KEYS[2..]: each request's caller count for this minute.
# Returns, per request, its position, or minus the seconds until its caller may ask again.
_ISSUE = """
local limit, admitted, out = tonumber(ARGV[1]), 0, {}
for i = 2, #KEYS do
  local n = redis.call('INCR', KEYS[i])
  if n == 1 then redis.call('EXPIRE', KEYS[i], 61) end
  if n > limit then out[i - 1] = -math.max(redis.call('TTL', KEYS[i]), 1)
  else admitted = admitted + 1; out[i - 1] = 0 end
end
local position = redis.call('INCRBY', KEYS[1], admitted) - admitted
for i = 1, #out do
  if out[i] == 0 then position = position + 1; out[i] = position end
end
return out
"""


class Unavailable(Exception):
    """The shared counter cannot be reached right now (Redis down); callers answer 503."""


class Limited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


class Room(Protocol):
    id: int
    slug: str


def position_key(room: Room) -> str:
    """Keyed by the random slug, so a new database never inherits an old room's count."""
    return f"queue:room:{room.slug}:issued"


def db_issue(db: Session, room_id: int) -> int:
    """`UPDATE … RETURNING` on the room's one counter row (a row lock; no gaps, no duplicates)."""
    value = db.exec(update(RoomCounter).where(RoomCounter.room_id == room_id)
                    .values(value=RoomCounter.value + 1).returning(RoomCounter.value)).scalar_one()
    db.commit()
    return value


def db_issued(db: Session, room: Room) -> int:
    return db.exec(select(RoomCounter.value).where(RoomCounter.room_id == room.id)).first() or 0


@dataclass
class RedisCounter:
    """Positions in Redis; one async client for the endpoints, one sync client for the jobs."""

    url: str

    def __post_init__(self) -> None:
        options = {"socket_timeout": REDIS_TIMEOUT, "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                   "retry_on_timeout": False}
        self._async = aioredis.Redis.from_url(self.url, **options)
        self._sync = redis.Redis.from_url(self.url, **options)
        self._script = self._async.register_script(_ISSUE)
        self._batches: dict[tuple[str, int], list[tuple[str, asyncio.Future]]] = {}
        self._sending: set[asyncio.Task] = set()  # held until done (the loop keeps weak refs)

    async def issue(self, room: Room, caller: str, limit: int) -> int:
        """The next position, or `Limited` when `caller` took `limit` tickets this minute."""
        key = (position_key(room), limit)
        waiting = asyncio.get_running_loop().create_future()
        batch = self._batches.get(key)
        if batch is None or len(batch) >= BATCH_MOST:
            batch = self._batches[key] = []
            sending = asyncio.create_task(self._send(key, batch))  # starts after this loop pass
            self._sending.add(sending)
            sending.add_done_callback(self._sending.discard)
        batch.append((caller, waiting))
        value = await waiting
        if value < 0:
            raise Limited(-value)
        return value

    async def _send(self, key: tuple[str, int], batch: list[tuple[str, asyncio.Future]]) -> None:
        if self._batches.get(key) is batch:
            del self._batches[key]
        counter, limit = key
        minute = int(time.time() // 60)
        keys = [counter, *(f"queue:rl:ticket:{caller}:{minute}" for caller, _ in batch)]
        try:
            outcome: list = [int(v) for v in await self._script(keys=keys, args=[limit])]
        except redis.RedisError as error:
            outcome = [Unavailable(str(error))] * len(batch)
        except asyncio.CancelledError:  # shutting down: nobody is left waiting forever
            _settle(batch, [Unavailable("shutting down")] * len(batch))
            raise
        _settle(batch, outcome)

    def issued(self, room: Room) -> int:
        try:
            return int(self._sync.get(position_key(room)) or 0)
        except redis.RedisError as error:
            raise Unavailable(str(error)) from None

    def forget(self, room: Room) -> None:
        try:
            self._sync.delete(position_key(room))
        except redis.RedisError:
            pass  # a room's counter holds no personal data; it only costs a few bytes

    async def close(self) -> None:
        await self._async.aclose()
        self._sync.close()


def _settle(batch: list[tuple[str, asyncio.Future]], outcome: list) -> None:
    for (_, waiting), value in zip(batch, outcome, strict=True):
        if waiting.done():
            continue  # its request went away; its position is taken, as it would be unbatched
        if isinstance(value, Exception):
            waiting.set_exception(value)
        else:
            waiting.set_result(value)


@cache
def redis_counter() -> RedisCounter | None:
    """This process's Redis counter when `REFLEX_REDIS_URL` is set, else None (the database row)."""
    return RedisCounter(settings.redis_url) if settings.redis_url else None


def issued(db: Session, room: Room) -> int:
    """How many positions the room handed out, from wherever they are counted."""
    counter = redis_counter()
    return counter.issued(room) if counter else db_issued(db, room)
