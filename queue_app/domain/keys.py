"""Opaque keys for what customer-facing pages may name: no serial id ever leaves the server.

A key is an HMAC of the installation's secret over (kind, store id, row id): stable for the row,
unguessable, and it tells nothing about how many rows the installation has.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

KEY_LENGTH = 10  # 50 bits: unique within a store's day by a wide margin


def opaque_key(secret: str, kind: str, store_id: int, row_id: int = 0) -> str:
    """`kind` is "store", "queue" or "customer"; the same inputs always give the same key."""
    digest = hmac.new(secret.encode(), f"{kind}:{store_id}:{row_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:KEY_LENGTH].lower()
