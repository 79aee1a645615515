"""The one source of "now" (timezone-aware UTC); tests pass their own `now` to services instead."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
