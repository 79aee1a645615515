"""The public store page and the join page: one payload per store, no name, phone or serial id."""

from __future__ import annotations

from queue_app.domain.snapshot import StoreSnapshot
from queue_app.models import StoreStatus
from queue_app.views.common import queue_key, queue_summaries, store_key

SHOWN = ("name", "waiting", "serving", "wait", "online")  # online: remote check-in is on


def store_board(snap: StoreSnapshot, secret: str) -> dict:
    """`StoreBoard`'s vars: the store, and per queue its key, counts, now serving and wait."""
    return {
        "store_key": store_key(secret, snap.store_id), "store_name": snap.name,
        "description": snap.description, "closed": snap.status is not StoreStatus.OPEN,
        "queues": [{"key": queue_key(secret, snap, q["id"])} | {k: q[k] for k in SHOWN}
                   for q in queue_summaries(snap)],
        "online": snap.status is StoreStatus.OPEN and any(q["online"] for q in queue_summaries(snap)),
    }
