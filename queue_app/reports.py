"""The closing report: CSV bytes and the summary totals (pure; no I/O)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from queue_app import domain
from queue_app.domain.snapshot import (
    StoreSnapshot,
    average_wait_seconds,
    service_seconds,
    waited_seconds,
)
from queue_app.models import CustomerState

COLUMNS = ("queue", "ticket", "name", "phone", "party", "source", "state", "joined_at",
           "called_at", "finished_at", "wait_minutes")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: str) -> str:
    """Defuse spreadsheet formulas: a cell starting with = + - @ tab or CR gets a leading '."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def report_rows(snap: StoreSnapshot) -> list[dict[str, str]]:
    """One row per customer ever joined, ordered by queue then join time; local ISO times.

    `party` numbers the store's parties 1, 2, 3 … in the order they joined: people who came
    together share a number, and no database id (which would hint at other stores) leaves the app.
    """
    zone = ZoneInfo(snap.timezone)
    queues = {q.id: q for q in snap.queues}
    order = {q.id: q.position for q in snap.queues}
    parties: dict[int, int] = {}
    for c in snap.customers:  # join order
        parties.setdefault(c.party_id, len(parties) + 1)
    rows = []
    for c in sorted(snap.customers, key=lambda c: (order[c.queue_id], c.joined_at, c.id)):
        q = queues[c.queue_id]
        waited = waited_seconds(c)
        wait = waited / 60 if waited is not None else None
        rows.append({
            "queue": q.name, "ticket": domain.ticket_label(q.prefix, c.ticket_number),
            "name": c.name, "phone": c.phone, "party": str(parties[c.party_id]), "source": c.source.value,
            "state": c.state.value,
            "joined_at": c.joined_at.astimezone(zone).isoformat(timespec="seconds"),
            "called_at": c.called_at.astimezone(zone).isoformat(timespec="seconds")
            if c.called_at else "",
            "finished_at": c.finished_at.astimezone(zone).isoformat(timespec="seconds")
            if c.finished_at else "",
            "wait_minutes": f"{wait:.1f}" if wait is not None else "",
        })
    return rows


def report_csv(snap: StoreSnapshot) -> bytes:
    """UTF-8 with BOM, RFC 4180 (CRLF, quotes doubled), formula-escaped."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for row in report_rows(snap):
        writer.writerow([escape_cell(row[column]) for column in COLUMNS])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def report_date(snap: StoreSnapshot) -> str:
    """The opening date in the store's time zone, YYYY-MM-DD."""
    return snap.opened_at.astimezone(ZoneInfo(snap.timezone)).date().isoformat()


def report_filename(snap: StoreSnapshot) -> str:
    return f"{domain.slugify(snap.name)}-{report_date(snap)}.csv"


@dataclass(frozen=True)
class ReportSummary:
    customers: int
    served: int
    no_shows: int
    removed: int
    average_wait: str
    longest_wait: str
    busiest_hour: str  # e.g. "14:00–15:00 (23 joined)", or "—"
    service_times: tuple[tuple[str, str], ...] = ()  # (queue, "about 4 min"): the dashboard's rule


def summarize(snap: StoreSnapshot) -> ReportSummary:
    """The totals at the top of the report mail."""
    states = Counter(c.state for c in snap.customers)
    waits = [w for c in snap.customers if (w := waited_seconds(c)) is not None]
    average = average_wait_seconds(snap.customers)
    zone = ZoneInfo(snap.timezone)
    hours = Counter(c.joined_at.astimezone(zone).hour for c in snap.customers)
    busiest = "—"
    if hours:
        hour, joined = max(sorted(hours.items()), key=lambda item: item[1])
        busiest = f"{hour:02d}:00–{(hour + 1) % 24:02d}:00 ({joined} joined)"
    return ReportSummary(
        customers=len(snap.customers), served=states[CustomerState.DONE],
        no_shows=states[CustomerState.NO_SHOW], removed=states[CustomerState.DELETE],
        average_wait=domain.format_wait(average) if average is not None else "—",
        longest_wait=domain.format_wait(max(waits)) if waits else "—", busiest_hour=busiest,
        service_times=tuple((q.name, domain.format_wait(service_seconds(snap)[q.id]))
                            for q in snap.queues))
