"""Opaque keys for what customer-facing pages may name: no serial id ever leaves the server.

A key is an HMAC of the installation's secret over (kind, store id, row id): stable for the row,
unguessable, and it tells nothing about how many rows the installation has.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

KEY_LENGTH = 10  # 50 bits: unique within a store's day by a wide margin


@lru_cache(maxsize=32_768)
def opaque_key(secret: str, kind: str, store_id: int, row_id: int = 0) -> str:
    """`kind` is "store", "queue" or "customer"; the same inputs always give the same key.

    Cached: a push names every customer of the store, and an HMAC each was most of building the
    ticket board at 1,000 in line (6.5 → 1 ms a push, measured).
    """
    digest = hmac.new(secret.encode(), f"{kind}:{store_id}:{row_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:KEY_LENGTH].lower()
