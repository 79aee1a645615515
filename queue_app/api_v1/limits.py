"""Per-worker request limits for the cheap endpoints (fixed one-minute windows, in memory).

Ticket taking is limited across workers in Redis when it is configured (`room_counter`); this
covers status reads everywhere and tickets without Redis, where one worker serves the API.
"""

from __future__ import annotations

from queue_app.clock import utcnow

MAX_KEYS = 100_000  # a flood of addresses cannot grow this without bound


class MinuteLimiter:
    def __init__(self) -> None:
        self._minute = 0
        self._counts: dict[str, int] = {}

    def hit(self, key: str, limit: int) -> int | None:
        """Count one request of `key`; seconds to wait when it is over `limit`, else None."""
        now = utcnow().timestamp()  # the app's clock: a test's four requests never straddle a minute
        minute = int(now // 60)
        if minute != self._minute or len(self._counts) > MAX_KEYS:
            self._minute, self._counts = minute, {}
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        if limit and count > limit:
            return max(1, int((minute + 1) * 60 - now))
        return None
