"""The owner's dashboard: every customer with name and phone, for the signed-in owner only."""

from __future__ import annotations

from datetime import datetime

from queue_app import domain, qr, routes
from queue_app.domain.snapshot import (
    CustomerRow,
    StoreSnapshot,
    average_wait_seconds,
    memo,
    service_estimates,
)
from queue_app.models import CustomerState, Source, StoreStatus
from queue_app.views.common import local_time, queue_summaries

FINISHED_SHOWN = 30  # finished customers listed per queue on the dashboard (newest first)
# Active customers listed per queue until the owner asks for more ("Show more", per tab and
# queue): a tablet redrawing a thousand rows on every change is slow, and each push carried all of
# them (270 KB at 1,000 in line). Everyone being served is always listed.
ACTIVE_SHOWN = 50
SHOWN_MAX = 5000  # what "Show more" can reach (a day's store is far smaller)
# Per open store, the clock-independent part of each row shown last time (a row is frozen, so an
# unchanged customer is found by equality): built once per change of a customer, not per push,
# which was the largest part of a push at 1,000 customers (py-spy). Dropped when the store closes.
_ROWS: dict[int, dict[CustomerRow, dict]] = {}


def dashboard(snap: StoreSnapshot, context: dict[str, str]) -> dict:
    """Every var of the dashboard; `context`: the tab's origin and hashed sign-in token.

    A tab whose sign-in is gone (signed out, or a password reset elsewhere) or whose store has
    closed gets no customer data any more. `context["shown:<queue id>"]`: how many active
    customers of that queue the tab lists (`ACTIVE_SHOWN` unless it asked for more).
    """
    if snap.status is not StoreStatus.OPEN:
        _ROWS.pop(snap.store_id, None)  # no names kept for a closed store
        return {"closed": True, "queues": [], "qr_code": "", "join_url": ""}
    if context.get("session") not in snap.session_hashes:
        return {"signed_out": True, "loaded": False, "queues": [], "qr_code": "", "join_url": ""}
    join_url = routes.join_url(context["origin"], snap.pass_token) if snap.pass_token else ""
    return {
        "store_name": snap.name, "description": snap.description,
        "closes_at": snap.closes_at.isoformat(),
        "closes_local": local_time(snap.closes_at, snap.timezone, "%a %H:%M"),
        "queues": dashboard_queues(snap, snap.taken_at, shown_limits(snap, context)), "closed": False,
        "join_url": join_url, "qr_code": qr.qr_data_uri(join_url) if join_url else "",
        "display_url": routes.display_path(snap.display_key),
        "public_url": routes.public_path(snap.slug), "loaded": True, "signed_out": False,
        "confirm_email": not snap.email_confirmed,  # with SMTP: the link was not opened yet
    }


def counter_code(snap: StoreSnapshot, context: dict[str, str]) -> dict:
    """Only the code to scan (after a scan: nothing else changed), with the same checks."""
    if snap.status is not StoreStatus.OPEN or context.get("session") not in snap.session_hashes:
        return dashboard(snap, context)  # closed or signed out: the same blank view
    join_url = routes.join_url(context["origin"], snap.pass_token) if snap.pass_token else ""
    return {"join_url": join_url, "qr_code": qr.qr_data_uri(join_url) if join_url else ""}


def shown_limits(snap: StoreSnapshot, context: dict[str, str]) -> tuple[int, ...]:
    """Per queue (in order), how many active customers the tab lists."""
    return tuple(_limit(context.get(f"shown:{q.id}")) for q in snap.queues)


def show_more(shown: dict[str, int], queue_id: object) -> dict[str, int] | None:
    """The tab's per-queue list lengths after `Show more` under `queue_id`; None for a bad id."""
    key = domain.to_int(queue_id)
    if key is None or (str(key) not in shown and len(shown) >= 100):  # a forged payload
        return None
    return shown | {str(key): min(_limit(shown.get(str(key))) + ACTIVE_SHOWN, SHOWN_MAX)}


def shown_context(shown: dict[str, int]) -> dict[str, str]:
    """The watch context entries that carry the tab's list lengths (read by `shown_limits`)."""
    return {f"shown:{key}": str(count) for key, count in shown.items()}


def _limit(raw: object) -> int:
    value = domain.to_int(raw)
    return ACTIVE_SHOWN if value is None else max(ACTIVE_SHOWN, min(value, SHOWN_MAX))


def dashboard_queues(snap: StoreSnapshot, now: datetime, limits: tuple[int, ...] = ()) -> list[dict]:
    """Queue panels for the owner: summary, the active customers in join order, the finished apart.

    `limits`: per queue, how many active customers to list (`ACTIVE_SHOWN` where not given).
    """
    limits = limits or (ACTIVE_SHOWN,) * len(snap.queues)
    return memo(snap, f"dashboard_queues@{now.isoformat()}@{limits}",
                lambda s: _dashboard_queues(s, now, limits))


def _dashboard_queues(snap: StoreSnapshot, now: datetime, limits: tuple[int, ...]) -> list[dict]:
    before, rows = _ROWS.pop(snap.store_id, {}), {}
    panels = []
    for summary, limit in zip(queue_summaries(snap), limits, strict=True):
        mine = [c for c in snap.customers if c.queue_id == summary["id"]]
        active = [c for c in mine if c.state in domain.ACTIVE]
        listed = [c for i, c in enumerate(active) if i < limit or c.state is CustomerState.PROCESSING]
        finished = sorted((c for c in mine if c.state in domain.FINISHED),
                          key=lambda c: c.finished_at or c.joined_at, reverse=True)
        served = [c for c in mine if c.state is CustomerState.DONE and c.called_at]
        average = average_wait_seconds(mine)
        panels.append(summary | {
            "served": len(served),
            "average_wait": domain.format_wait(average) if average is not None else "—",
            "customers": [_owner_row(snap, c, now, before, rows) for c in listed],
            "unlisted": len(active) - len(listed),  # behind "Show more"
            "finished": [_owner_row(snap, c, now, before, rows) for c in finished[:FINISHED_SHOWN]],
            "finished_count": len(finished),  # folded behind "Finished (n)" on the dashboard
            "estimate_basis": domain.estimate_basis(service_estimates(snap)[summary["id"]]),
            "next_id": next((c.id for c in active if c.state is CustomerState.WAITING), 0),
            "active_count": len(active),
        })
    _ROWS[snap.store_id] = rows  # only the rows shown now: a removed customer's name is dropped
    return panels


def _owner_row(snap: StoreSnapshot, c: CustomerRow, now: datetime, before: dict, rows: dict) -> dict:
    prefix = memo(snap, "prefixes", lambda s: {q.id: q.prefix for q in s.queues})[c.queue_id]
    end = c.called_at if c.state is not CustomerState.WAITING and c.called_at else (
        c.finished_at if c.state in domain.FINISHED and c.finished_at else now)
    parts = rows[c] = before.get(c) or _row_parts(c, prefix, snap.timezone)
    return parts | {"waited": domain.format_duration(end - c.joined_at)}


def _row_parts(c: CustomerRow, prefix: str, zone: str) -> dict:
    """What a row shows that does not move with the clock."""
    return {
        "id": c.id, "ticket": domain.ticket_label(prefix, c.ticket_number), "name": c.name,
        "phone": c.phone, "state": c.state.value, "state_label": domain.STATE_LABELS[c.state]
        .replace("Your turn", "Called"), "party": f"party of {c.party_size}" if c.party_size > 1
        else "", "walk_in": c.source is Source.WALK_IN, "online": c.source is Source.ONLINE,
        "joined": local_time(c.joined_at, zone),
        "joined_iso": c.joined_at.isoformat(),
    }
