"""The closing report a store owner opens in a spreadsheet: CSV bytes, file name, totals."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from queue_app import domain, reports
from queue_app.models import CustomerState as S
from queue_app.models import Queue, Source, StoreStatus
from queue_app.services.snapshot import CustomerRow, StoreSnapshot

OPENED = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)  # 00:30 on the 25th in Paris
HAIRCUT, COLOR = 7, 3  # ids out of display order: rows follow the queue's position


def _snap(customers: list[CustomerRow], timezone: str = "Europe/Paris", opened=OPENED) -> StoreSnapshot:
    queues = (Queue(id=HAIRCUT, store_id=1, name="Haircut", prefix="A", position=0),
              Queue(id=COLOR, store_id=1, name="Color", prefix="B", position=1))
    return StoreSnapshot(store_id=1, name="Café Nord!", description="", timezone=timezone,
                         status=StoreStatus.CLOSING, opened_at=opened, closes_at=opened + timedelta(hours=24),
                         slug="slug", display_key="key", queues=queues, customers=tuple(customers),
                         pass_token="", taken_at=opened)


def _row(id_: int, name: str, *, queue=HAIRCUT, party=None, minute=0, state=S.WAITING, phone="",
         called=None, finished=None, source=Source.QR) -> CustomerRow:
    joined = OPENED + timedelta(hours=9, minutes=minute)
    return CustomerRow(id=id_, queue_id=queue, party_id=party or 100 + id_, party_secret="s", party_size=1,
                       source=source, ticket_number=id_, name=name, phone=phone, state=state,
                       joined_at=joined,
                       called_at=None if called is None else joined + timedelta(minutes=called),
                       finished_at=None if finished is None else joined + timedelta(minutes=finished))


def _parse(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


@pytest.mark.parametrize("name", ["=1+1", "+33", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_gets_a_leading_quote(name):
    assert reports.escape_cell(name) == "'" + name


@pytest.mark.parametrize("name", ["Ann", "a=b", "王小明", "", "'quoted"])
def test_ordinary_cells_are_left_alone(name):
    assert reports.escape_cell(name) == name


def test_the_csv_is_utf8_with_bom_crlf_and_the_spec_columns_in_order():
    data = reports.report_csv(_snap([_row(1, "Ann")]))
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == 2 and data.endswith(b"\r\n")
    assert _parse(data)[0] == ["queue", "ticket", "name", "phone", "party", "source", "state",
                               "joined_at", "called_at", "finished_at", "wait_minutes"]


def test_rows_are_ordered_by_queue_position_then_join_time_with_all_states():
    data = reports.report_csv(_snap([
        _row(1, "Color first", queue=COLOR, minute=0, state=S.DONE, called=2, finished=9),
        _row(2, "Late cut", minute=30, state=S.DELETE),
        _row(3, "Early cut", minute=10, state=S.NO_SHOW, called=4, finished=6),
    ]))
    assert [(r[0], r[2], r[6]) for r in _parse(data)[1:]] == [
        ("Haircut", "Early cut", "no_show"), ("Haircut", "Late cut", "delete"),
        ("Color", "Color first", "done")]


def test_times_are_local_iso_8601_with_offset_and_wait_is_in_minutes():
    [row] = _parse(reports.report_csv(_snap([_row(1, "Ann", state=S.DONE, called=12, finished=20,
                                                  source=Source.WALK_IN)])))[1:]
    assert row[1] == "A-001" and row[5] == "walk-in"
    assert row[7:] == ["2026-11-25T09:30:00+01:00", "2026-11-25T09:42:00+01:00",
                       "2026-11-25T09:50:00+01:00", "12.0"]


def test_someone_never_called_has_blank_called_finished_and_wait():
    [row] = _parse(reports.report_csv(_snap([_row(1, "Ann", state=S.DELETE)])))[1:]
    assert row[8:] == ["", "", ""]


def test_names_with_commas_quotes_newlines_and_formulas_round_trip_safely():
    names = ['Smith, "Bob"\nJr', '=HYPERLINK("http://x","y")', "王小明"]
    data = reports.report_csv(_snap([_row(i, n, minute=i, phone="+886 912") for i, n in enumerate(names, 1)]))
    rows = _parse(data)[1:]
    assert [r[2] for r in rows] == [names[0], "'" + names[1], names[2]]
    assert {r[3] for r in rows} == {"'+886 912"}
    assert b'"Smith, ""Bob""\nJr"' in data  # RFC 4180: quoted, quotes doubled


def test_people_who_came_together_share_a_party_number_counted_per_store():
    data = reports.report_csv(_snap([_row(1, "Ann", party=900), _row(2, "Bob", party=555, minute=1),
                                     _row(3, "Cid", party=900, queue=COLOR, minute=1)]))
    assert {r[2]: r[4] for r in _parse(data)[1:]} == {"Ann": "1", "Bob": "2", "Cid": "1"}


def test_file_name_is_the_slug_and_the_opening_date_in_the_store_zone():
    assert reports.report_filename(_snap([])) == "cafe-nord-2026-11-25.csv"  # still the 24th in UTC
    assert reports.report_filename(_snap([], timezone="America/Los_Angeles")) == "cafe-nord-2026-11-24.csv"


def test_summary_counts_states_waits_and_the_busiest_local_hour():
    summary = reports.summarize(_snap([
        _row(1, "A", state=S.DONE, called=10, finished=15),
        _row(2, "B", minute=20, state=S.DONE, called=30, finished=35),
        _row(3, "C", minute=40, state=S.NO_SHOW, called=2, finished=3),
        _row(4, "D", minute=70, state=S.DELETE),
        _row(5, "E", minute=80),
    ]))
    assert (summary.customers, summary.served, summary.no_shows, summary.removed) == (5, 2, 1, 1)
    assert summary.average_wait == "about 14 min"  # (10 + 30 + 2) / 3
    assert summary.longest_wait == "about 30 min"
    assert summary.busiest_hour == "10:00–11:00 (3 joined)"  # Paris hours: 09:30, 09:50, then 10:10 …


def test_summary_gives_each_queue_s_service_time_by_the_dashboard_s_rule():
    rows = [_row(n, f"P{n}", minute=n, state=S.DONE, called=1, finished=3) for n in range(1, 11)]
    snap = _snap(rows)
    summary = reports.summarize(snap)
    assert summary.service_times == tuple((q.name, "about 2 min") for q in snap.queues[:1]) + tuple(
        (q.name, domain.format_wait(q.default_service_seconds)) for q in snap.queues[1:])


def test_an_empty_store_has_a_header_only_csv_and_dashes_in_the_summary():
    assert _parse(reports.report_csv(_snap([]))) == [list(reports.COLUMNS)]
    summary = reports.summarize(_snap([]))
    assert summary.customers == 0 and summary.average_wait == summary.busiest_hour == "—"
