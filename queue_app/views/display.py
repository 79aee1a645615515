"""The wall display: now serving, counts and the code to scan; no names."""

from __future__ import annotations

from queue_app import qr, routes
from queue_app.domain.snapshot import StoreSnapshot
from queue_app.models import StoreStatus
from queue_app.views.common import queue_summaries

SHOWN = ("name", "prefix", "waiting", "serving", "wait")


def display(snap: StoreSnapshot, context: dict[str, str]) -> dict:
    """QR code and now-serving numbers; a display whose key was regenerated goes blank."""
    if snap.display_key != context.get("key"):
        return {"found": False, "qr_code": "", "join_url": "", "queues": []}
    closed = snap.status is not StoreStatus.OPEN
    url = routes.join_url(context["origin"], snap.pass_token) if snap.pass_token and not closed else ""
    return {"found": True, "store_name": snap.name, "closed": closed,
            "queues": [{k: q[k] for k in SHOWN} for q in queue_summaries(snap)], "join_url": url,
            "qr_code": qr.qr_data_uri(url) if url else ""}


def counter_code(snap: StoreSnapshot, context: dict[str, str]) -> dict:
    """Only the code to scan (after a scan), with the same key check."""
    view = display(snap, context)
    return {k: view[k] for k in ("found", "qr_code", "join_url") if k in view}
