"""The waiting room's closing report: counts per minute (issued, admitted, expired), pure.

The room keeps running totals at the end of each minute it slid or skipped (`RoomMinute`); the
report turns them into per-minute counts. There is nothing personal to report: a visitor is a
position, never a name.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from queue_app import domain

COLUMNS = ("minute", "issued", "admitted", "expired")


@dataclass(frozen=True)
class MinuteTotals:
    minute: datetime
    issued: int
    admitted: int
    expired: int


@dataclass(frozen=True)
class RoomSummary:
    issued: int
    admitted: int
    expired: int
    busiest_minute: str  # e.g. "14:03 (812 tickets)", or "—"


def per_minute(totals: Sequence[MinuteTotals]) -> list[MinuteTotals]:
    """Running totals → what happened in each minute."""
    rows, before = [], MinuteTotals(datetime.min, 0, 0, 0)
    for now in sorted(totals, key=lambda t: t.minute):
        rows.append(MinuteTotals(now.minute, max(0, now.issued - before.issued),
                                 max(0, now.admitted - before.admitted),
                                 max(0, now.expired - before.expired)))
        before = now
    return rows


def report_csv(totals: Sequence[MinuteTotals], zone: str) -> bytes:
    """UTF-8 with BOM, CRLF, one row per minute in the room's time zone."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in per_minute(totals):
        writer.writerow([row.minute.astimezone(ZoneInfo(zone)).isoformat(timespec="minutes"),
                         row.issued, row.admitted, row.expired])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def report_filename(name: str, date: str) -> str:
    return f"{domain.slugify(name)}-waiting-room-{date}.csv"


def summarize(totals: Sequence[MinuteTotals], zone: str) -> RoomSummary:
    last = max(totals, key=lambda t: t.minute) if totals else MinuteTotals(datetime.min, 0, 0, 0)
    rows = per_minute(totals)
    busiest = "—"
    if rows and max(r.issued for r in rows):
        top = max(rows, key=lambda r: r.issued)
        busiest = f"{top.minute.astimezone(ZoneInfo(zone)):%H:%M} ({top.issued} tickets)"
    return RoomSummary(last.issued, last.admitted, last.expired, busiest)
