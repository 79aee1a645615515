"""The one source of "now" (timezone-aware UTC) that the whole app reads and tests control.

Services take `now` from their caller; every caller (state handlers, jobs, live pushes, views)
asks `utcnow()`. Tests freeze or move it with `freeze()` / `advance()` (see the `clock` fixture in
`tests/conftest.py`), so no test depends on the date it runs on.
"""

from datetime import UTC, datetime, timedelta

_frozen: datetime | None = None


def utcnow() -> datetime:
    """The current time: the real clock, or the frozen instant while a test holds one."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def freeze(at: datetime) -> None:
    """Stop the clock at `at` (aware); every later `utcnow()` returns it until moved or thawed."""
    global _frozen
    if at.tzinfo is None:
        raise ValueError("freeze() needs a timezone-aware datetime")
    _frozen = at.astimezone(UTC)


def advance(delta: timedelta) -> datetime:
    """Move a frozen clock by `delta` and return the new instant."""
    if _frozen is None:
        raise RuntimeError("advance() needs a frozen clock")
    freeze(_frozen + delta)
    return _frozen


def thaw() -> None:
    """Back to the real clock."""
    global _frozen
    _frozen = None
