"""Pure view builders: a `StoreSnapshot` in, the plain dicts each screen shows out.

Each screen gets only what it may see: the ticket view holds one party, the public views no names.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from queue_app import domain
from queue_app.models import CustomerState, Source
from queue_app.services.snapshot import CustomerRow, StoreSnapshot

FINISHED_SHOWN = 30  # finished customers listed per queue on the dashboard (newest first)


def local_time(moment: datetime | None, zone: str, fmt: str = "%H:%M") -> str:
    return "" if moment is None else moment.astimezone(ZoneInfo(zone)).strftime(fmt)


def _memo(snap: StoreSnapshot, name: str, build):
    """Compute a derived view once per snapshot: a push to 1,000 tabs derives it once, not 1,000×."""
    if name not in snap.memo:
        snap.memo[name] = build(snap)
    return snap.memo[name]


def service_seconds(snap: StoreSnapshot) -> dict[int, float]:
    """Average service time per queue id (SPEC §3.4)."""
    return _memo(snap, "service_seconds", _service_seconds)


def _service_seconds(snap: StoreSnapshot) -> dict[int, float]:
    durations: dict[int, list[tuple[datetime, float]]] = {q.id: [] for q in snap.queues}
    for c in snap.customers:
        if c.state is CustomerState.DONE and c.called_at and c.finished_at:
            durations[c.queue_id].append((c.finished_at, (c.finished_at - c.called_at).total_seconds()))
    return {q.id: domain.average_service_seconds(
        [seconds for _, seconds in sorted(durations[q.id])], q.default_service_seconds)
        for q in snap.queues}


def people_ahead(snap: StoreSnapshot) -> dict[int, int]:
    """For each waiting customer id, how many waiting customers of the same queue joined earlier."""
    return _memo(snap, "people_ahead", _people_ahead)


def _people_ahead(snap: StoreSnapshot) -> dict[int, int]:
    seen: dict[int, int] = {}
    ahead: dict[int, int] = {}
    for c in snap.customers:  # join order
        if c.state is CustomerState.WAITING:
            ahead[c.id] = seen.get(c.queue_id, 0)
            seen[c.queue_id] = ahead[c.id] + 1
    return ahead


def queue_summaries(snap: StoreSnapshot) -> list[dict]:
    """Per queue: counts, now serving, wait for a newcomer — safe for public screens."""
    return _memo(snap, "queue_summaries", _queue_summaries)


def _queue_summaries(snap: StoreSnapshot) -> list[dict]:
    averages = service_seconds(snap)
    result = []
    for q in snap.queues:
        mine = [c for c in snap.customers if c.queue_id == q.id]
        waiting = sum(c.state is CustomerState.WAITING for c in mine)
        serving = [domain.ticket_label(q.prefix, c.ticket_number) for c in mine
                   if c.state is CustomerState.PROCESSING]
        result.append({
            "id": q.id, "name": q.name, "prefix": q.prefix, "waiting": waiting,
            "serving": ", ".join(serving) or "—",
            "wait": domain.format_wait(domain.estimated_wait_seconds(waiting, averages[q.id])),
            "average_service": domain.format_wait(averages[q.id]).removeprefix("about "),
            "default_minutes": q.default_service_seconds // 60,
            "online": q.online, "online_cap": q.online_cap,
        })
    return result


def dashboard_queues(snap: StoreSnapshot, now: datetime) -> list[dict]:
    """Queue panels for the owner: summary plus the customer list, active first, in join order."""
    return _memo(snap, f"dashboard_queues@{now.isoformat()}", lambda s: _dashboard_queues(s, now))


def _dashboard_queues(snap: StoreSnapshot, now: datetime) -> list[dict]:
    panels = []
    for summary in queue_summaries(snap):
        mine = [c for c in snap.customers if c.queue_id == summary["id"]]
        active = [c for c in mine if c.state in domain.ACTIVE]
        finished = sorted((c for c in mine if c.state in domain.FINISHED),
                          key=lambda c: c.finished_at or c.joined_at, reverse=True)
        served = [c for c in mine if c.state is CustomerState.DONE and c.called_at]
        waits = [(c.called_at - c.joined_at).total_seconds() for c in served]
        panels.append(summary | {
            "served": len(served),
            "average_wait": domain.format_wait(sum(waits) / len(waits)) if waits else "—",
            "customers": [_owner_row(snap, c, now) for c in active + finished[:FINISHED_SHOWN]],
            "next_id": next((c.id for c in active if c.state is CustomerState.WAITING), 0),
            "active_count": len(active),
        })
    return panels


def _owner_row(snap: StoreSnapshot, c: CustomerRow, now: datetime) -> dict:
    prefix = _memo(snap, "prefixes", lambda s: {q.id: q.prefix for q in s.queues})[c.queue_id]
    end = c.called_at if c.state is not CustomerState.WAITING and c.called_at else (
        c.finished_at if c.state in domain.FINISHED and c.finished_at else now)
    return {
        "id": c.id, "ticket": domain.ticket_label(prefix, c.ticket_number), "name": c.name,
        "phone": c.phone, "state": c.state.value, "state_label": domain.STATE_LABELS[c.state]
        .replace("Your turn", "Called"), "party": f"party of {c.party_size}" if c.party_size > 1
        else "", "walk_in": c.source is Source.WALK_IN, "online": c.source is Source.ONLINE,
        "waited": domain.format_duration(end - c.joined_at),
        "joined": local_time(c.joined_at, snap.timezone),
        "joined_iso": c.joined_at.isoformat(),
    }


def ticket_people(snap: StoreSnapshot, party_secret: str, almost: int) -> list[dict]:
    """The ticket page: only the people of this party, with position and wait."""
    averages = service_seconds(snap)
    ahead = people_ahead(snap)
    queues = {q.id: q for q in snap.queues}
    people = []
    for c in _memo(snap, "by_party", _by_party).get(party_secret, ()):
        q = queues[c.queue_id]
        waiting = c.state is CustomerState.WAITING
        position = ahead.get(c.id, 0)
        people.append({
            "id": c.id, "ticket": domain.ticket_label(q.prefix, c.ticket_number), "name": c.name,
            "queue": q.name, "state": c.state.value, "state_label": domain.STATE_LABELS[c.state],
            "ahead": position if waiting else 0,
            "ahead_text": _ahead_text(position) if waiting else "",
            "wait": domain.format_wait(domain.estimated_wait_seconds(position, averages[q.id]))
            if waiting else "",
            "almost": waiting and position <= almost,
            "called": c.state is CustomerState.PROCESSING,
        })
    return people


def _by_party(snap: StoreSnapshot) -> dict[str, list[CustomerRow]]:
    parties: dict[str, list[CustomerRow]] = {}
    for c in snap.customers:
        parties.setdefault(c.party_secret, []).append(c)
    return parties


def _ahead_text(ahead: int) -> str:
    if ahead == 0:
        return "You are next"
    return "1 person ahead of you" if ahead == 1 else f"{ahead} people ahead of you"
