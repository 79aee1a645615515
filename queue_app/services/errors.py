"""Errors services raise; each carries the message a person should see."""

from __future__ import annotations

import math
from datetime import timedelta

from queue_app.domain import DomainError, ValidationError

__all__ = ["DomainError", "ValidationError", "NotAllowed", "NotFound", "StoreClosed", "RateLimited",
           "StaleUpdate"]


class NotFound(DomainError):
    """The thing does not exist or is not visible to this caller (never says which)."""


class NotAllowed(DomainError):
    """The caller is not signed in for this store, or the store no longer accepts this."""


class StoreClosed(NotAllowed):
    """The store is closed: its owner's screens say so instead of asking to sign in."""


class StaleUpdate(DomainError):
    """A conditional update found the row already changed by someone else."""


class RateLimited(DomainError):
    """Too many attempts; `retry_after` tells when to try again."""

    def __init__(self, retry_after: timedelta) -> None:
        minutes = max(1, math.ceil(retry_after.total_seconds() / 60))
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(f"Too many attempts, try again in {minutes} {unit}.")
        self.retry_after = retry_after
