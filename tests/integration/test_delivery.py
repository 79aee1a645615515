"""The closing report reaches the owner, and only then is the customers' data deleted.

Real SMTP server, real database: refusals, outages and hangs keep the data and retry; nothing is lost.
"""

from __future__ import annotations

import csv
import email
import io
import logging
import os
import stat
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from sqlmodel import Session, func, select

from queue_app import clock, domain, jobs, reports
from queue_app.models import (
    Customer,
    DeliveryState,
    OwnerSession,
    Party,
    Pass,
    Queue,
    ReportDelivery,
    ResetToken,
    Store,
    StoreStatus,
)
from queue_app.services import auth, closing, customers, delivery, passes, stores
from queue_app.services.errors import NotAllowed
from queue_app.services.snapshot import load_snapshot
from tests.integration.factories import cheap_argon2, confirm_address  # noqa: F401
from tests.integration.smtp_server import Inbox, bodies, csv_attachment, free_port, smtp_server, smtp_settings

pytestmark = pytest.mark.usefixtures("cheap_argon2")
MIN = timedelta(minutes=1)


def open_store(db, opened_at, *, name="Café Nord", timezone="Europe/Paris", email="owner@example.com",
               queues=("Haircut", "Color"), ip="10.0.0.1"):
    form = domain.validate_store_form(email=email, password="secret123", confirm="secret123", name=name,
                                      queue_names=list(queues), timezone=timezone)
    return confirm_address(db, stores.open_store(db, form, now=opened_at, client_ip=ip), opened_at)


def join(db, store, at, people, browser="phone-1"):
    """Scan the counter's code with `browser` and join with `people` (name, phone, queue)."""
    shown = passes.current_pass(db, store.id, now=at)
    passes.scan(db, shown.token, browser, now=at)
    return customers.join(db, shown.token, browser, [{"name": n, "phone": p, "queue_id": q.id}
                                                      for n, p, q in people], now=at, client_ip=browser)


def move(db, store, customer_id, seen, target, at):
    return customers.change_state(db, store.id, customer_id, seen=seen, target=target, now=at)


def deliver(db, engine, at, config):
    """One run of the scheduler's delivery job at time `at` (the test's session holds no lock)."""
    db.commit()
    clock.freeze(at)
    jobs.deliver_reports(sessions=lambda: Session(engine, expire_on_commit=False), config=config)


def left_behind(engine, store_id) -> dict[str, int]:
    """How many rows of each kind of store data are still in the database."""
    with Session(engine) as fresh:
        return {t.__tablename__: fresh.exec(select(func.count()).select_from(t)
                                            .where(t.store_id == store_id)).one()
                for t in (Customer, Party, Pass, Queue, OwnerSession, ResetToken)}


def rows_of(engine, store_id) -> tuple[Store, ReportDelivery]:
    with Session(engine) as fresh:
        return (fresh.get(Store, store_id),
                fresh.exec(select(ReportDelivery).where(ReportDelivery.store_id == store_id)).one())


def parse_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf") and data.endswith(b"\r\n")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def test_the_owner_receives_the_report_and_only_then_is_the_data_deleted(db, engine, now, tmp_path):
    store = open_store(db, now - timedelta(hours=2))
    haircut, color = stores.queues_of(db, store.id)
    auth.sign_in(db, "owner@example.com", "secret123", now=now)
    auth.request_reset(db, "owner@example.com", now=now)
    t = now - timedelta(hours=1)  # 09:00 in Paris
    family = join(db, store, t, [('=HYPERLINK("http://x","y")', "+1 555 0100", haircut),
                                 ("王小明", "", color)])
    # a newline typed into a name becomes a space (names are single-line); the quotes stay quoted
    quoted = customers.add_walk_in(db, store.id, name='Smith, "Bob"\nJr', phone="06 12", queue_id=haircut.id,
                                   now=t + 5 * MIN)
    ann = join(db, store, t + 10 * MIN, [("Ann", "", haircut)], browser="phone-2")
    link, chinese = db.exec(select(Customer).where(Customer.party_id == family.id).order_by(Customer.id))
    move(db, store, link.id, "waiting", "processing", t + 20 * MIN)
    move(db, store, link.id, "processing", "done", t + 30 * MIN)
    move(db, store, quoted.id, "waiting", "no_show", t + 40 * MIN)
    [ann_row] = db.exec(select(Customer).where(Customer.party_id == ann.id))
    move(db, store, ann_row.id, "waiting", "delete", t + 45 * MIN)
    exported = reports.report_csv(load_snapshot(db, store.id, now=now))  # what "Export CSV" downloads

    closing.close_store(db, store.id, now=now)
    assert left_behind(engine, store.id)["customer"] == 4  # closed, but nothing deleted before the mail
    with smtp_server() as (inbox, port):
        deliver(db, engine, now, smtp_settings(port, tmp_path))
        deliver(db, engine, now + timedelta(hours=2), smtp_settings(port, tmp_path))  # never twice

    [got] = inbox.received
    mail = got.mail
    assert got.recipients == ["owner@example.com"] and mail["To"] == "owner@example.com"
    assert mail["Subject"] == "Queue report: Café Nord (2026-11-25)"
    text, html = bodies(mail)
    for line in ("Customers: 4", "Served: 1", "No-shows: 1", "Removed: 1", "Average wait: about 20 min",
                 "Longest wait: about 20 min", "Busiest hour: 09:00–10:00 (4 joined)"):
        assert line in text
    assert "Café Nord" in html and "<td>4</td>" in html and "about 20 min" in html
    name, attached = csv_attachment(mail)
    assert name == "cafe-nord-2026-11-25.csv" and attached == exported
    assert parse_csv(attached) == [
        list(reports.COLUMNS),
        ["Haircut", "A-001", "'" + link.name, "'+1 555 0100", "1", "qr", "done", "2026-11-25T09:00:00+01:00",
         "2026-11-25T09:20:00+01:00", "2026-11-25T09:30:00+01:00", "20.0"],
        ["Haircut", "A-002", 'Smith, "Bob" Jr', "06 12", "2", "walk-in", "no_show",
         "2026-11-25T09:05:00+01:00", "", "2026-11-25T09:40:00+01:00", ""],
        ["Haircut", "A-003", "Ann", "", "3", "qr", "delete", "2026-11-25T09:10:00+01:00", "",
         "2026-11-25T09:45:00+01:00", ""],
        ["Color", "B-001", chinese.name, "", "1", "qr", "waiting", "2026-11-25T09:00:00+01:00", "", "", ""],
    ]
    assert attached.count(b"\r\n") == 5  # CRLF between records; the name's own newline stays inside quotes

    assert set(left_behind(engine, store.id).values()) == {0}
    closed, row = rows_of(engine, store.id)
    assert closed.status is StoreStatus.CLOSED and closed.email == "" and closed.password_hash == ""
    assert (row.state, row.attempts, row.finished_at, row.claimed_until) == (DeliveryState.SENT, 1, now, None)


def test_times_are_local_with_the_right_offsets_in_taipei_and_across_a_los_angeles_dst_change(db, engine,
                                                                                              tmp_path):
    taipei_open = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)  # 04:00 on the 25th in Taipei
    taipei = open_store(db, taipei_open, name="茶館 Tea House", timezone="Asia/Taipei", email="t@example.com")
    [tea] = stores.queues_of(db, taipei.id)[:1]
    customers.add_walk_in(db, taipei.id, name="林", phone="", queue_id=tea.id, now=taipei_open + 210 * MIN)
    la_open = datetime(2026, 11, 1, 5, 0, tzinfo=UTC)  # 22:00 on Oct 31 in LA; clocks fall back at 02:00
    la = open_store(db, la_open, name="Taco Stand", timezone="America/Los_Angeles", email="la@example.com",
                    ip="10.0.0.2")
    [tacos] = stores.queues_of(db, la.id)[:1]
    for hour in (8.5, 9.5, 11):  # 01:30 PDT, 01:30 PST, 03:00 PST
        last = customers.add_walk_in(db, la.id, name=f"at {hour}", phone="", queue_id=tacos.id,
                                     now=datetime(2026, 11, 1, 0, tzinfo=UTC) + timedelta(hours=hour))
    first = db.exec(select(Customer).where(Customer.store_id == la.id).order_by(Customer.id)).first()
    move(db, la, first.id, "waiting", "processing", datetime(2026, 11, 1, 9, 10, tzinfo=UTC))  # 01:10 PST
    end = datetime(2026, 11, 1, 12, tzinfo=UTC)
    closing.close_store(db, taipei.id, now=end)
    closing.close_store(db, la.id, now=end)
    assert last.ticket_number == 3

    with smtp_server() as (inbox, port):
        deliver(db, engine, end, smtp_settings(port, tmp_path))
    mails = {m.mail["Subject"]: csv_attachment(m.mail) for m in inbox.received}
    name, data = mails["Queue report: 茶館 Tea House (2026-11-25)"]
    assert name == "tea-house-2026-11-25.csv"
    assert parse_csv(data)[1][7] == "2026-11-25T07:30:00+08:00"
    name, data = mails["Queue report: Taco Stand (2026-10-31)"]
    assert name == "taco-stand-2026-10-31.csv"  # the opening date there, though it was Nov 1 in UTC
    assert [(r[7], r[8], r[10]) for r in parse_csv(data)[1:]] == [
        ("2026-11-01T01:30:00-07:00", "2026-11-01T01:10:00-08:00", "40.0"),  # a real 40 min, not -20
        ("2026-11-01T01:30:00-08:00", "", ""),
        ("2026-11-01T03:00:00-08:00", "", "")]


@pytest.mark.parametrize(("fault", "error"), [("refuse", "554"), ("down", "ConnectionRefusedError"),
                                              ("hang", "timed out")])
def test_a_report_the_server_did_not_take_keeps_the_data_and_is_retried_until_accepted(
        fault, error, db, engine, now, tmp_path):
    store = open_store(db, now - timedelta(hours=3))
    queue = stores.queues_of(db, store.id)[0]
    customers.add_walk_in(db, store.id, name="Ann", phone="", queue_id=queue.id, now=now - MIN)
    closing.close_store(db, store.id, now=now)
    inbox, port = Inbox(), free_port()
    config = smtp_settings(port, tmp_path, smtp_timeout=0.3)
    inbox.mode, inbox.hang_for = fault, 1.0
    with nullcontext() if fault == "down" else smtp_server(port, inbox):
        deliver(db, engine, now, config)

    closed, row = rows_of(engine, store.id)
    assert inbox.received == [] and closed.status is StoreStatus.CLOSING
    assert (row.state, row.attempts, row.next_attempt_at, row.claimed_until) == (DeliveryState.PENDING, 1,
                                                                                 now + MIN, None)
    assert error in row.last_error and "@" not in row.last_error  # the reason, never the address
    assert left_behind(engine, store.id)["customer"] == 1
    with pytest.raises(NotAllowed):  # still closed to customers while we wait
        customers.add_walk_in(db, store.id, name="Bob", phone="", queue_id=queue.id, now=now)

    inbox.mode = "accept"
    with smtp_server(port, inbox):  # the server is back
        deliver(db, engine, now + 30 * timedelta(seconds=1), config)
        assert inbox.received == []  # not before the back-off
        deliver(db, engine, now + MIN, config)
    assert len(inbox.received) == 1
    assert set(left_behind(engine, store.id).values()) == {0}
    assert rows_of(engine, store.id)[1].attempts == 2


@pytest.fixture
def delivery_errors(caplog):
    """Error records of the delivery logger (`queue_app` may not propagate to the root logger)."""
    logger = logging.getLogger("queue_app.delivery")
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)


def test_backoff_doubles_to_an_hour_and_after_the_window_the_csv_is_archived_owner_only(
        db, engine, now, tmp_path, delivery_errors):
    store = open_store(db, now - timedelta(hours=3))
    queue = stores.queues_of(db, store.id)[0]
    customers.add_walk_in(db, store.id, name="王小明", phone="", queue_id=queue.id, now=now - MIN)
    closing.close_store(db, store.id, now=now)
    expected = reports.report_csv(load_snapshot(db, store.id, now=now))
    config = smtp_settings(free_port(), tmp_path, report_retry_for=timedelta(hours=3))  # nobody listens

    waits, at = [], now
    for _ in range(12):
        deliver(db, engine, at, config)
        row = rows_of(engine, store.id)[1]
        if row.state is not DeliveryState.PENDING:
            break
        assert left_behind(engine, store.id)["customer"] == 1
        waits.append((row.next_attempt_at - at) // MIN)
        at = row.next_attempt_at
    assert waits == [1, 2, 4, 8, 16, 32, 60, 57]  # capped at an hour, and the last try at 3 h sharp
    assert (row.state, row.attempts, at) == (DeliveryState.ARCHIVED, 9, now + timedelta(hours=3))

    archive = tmp_path / "archive"
    [saved] = list(archive.iterdir())
    assert saved.name == f"store-{store.id}-cafe-nord-2026-11-25.csv" and saved.read_bytes() == expected
    assert stat.S_IMODE(os.stat(saved).st_mode) == 0o600 and stat.S_IMODE(os.stat(archive).st_mode) == 0o700
    assert set(left_behind(engine, store.id).values()) == {0}
    assert any(r.levelno == logging.ERROR and "archived" in r.getMessage() for r in delivery_errors.records)


def test_a_process_that_died_holding_a_claim_does_not_block_the_report_for_long(db, engine, now, tmp_path):
    store = open_store(db, now - timedelta(hours=3))
    closing.close_store(db, store.id, now=now)
    with smtp_server() as (inbox, port):
        config = smtp_settings(port, tmp_path)
        assert delivery.claim_next(db, now=now, config=config) is not None  # …and then that process died
        deliver(db, engine, now + MIN, config)
        assert inbox.received == []  # its lease still holds: nobody else mails it meanwhile
        deliver(db, engine, now + delivery.MIN_LEASE + MIN, config)
        deliver(db, engine, now + timedelta(hours=1), config)
    assert [m.mail["Subject"] for m in inbox.received] == ["Queue report: Café Nord (2026-11-25)"]
    assert rows_of(engine, store.id)[0].status is StoreStatus.CLOSED


class _Crash(BaseException):
    """The process stops dead here (nothing in the app catches a BaseException)."""


def test_a_crash_between_sent_and_deleted_deletes_on_restart_without_mailing_again(
        db, engine, now, tmp_path, monkeypatch):
    store = open_store(db, now - timedelta(hours=3))
    queue = stores.queues_of(db, store.id)[0]
    customers.add_walk_in(db, store.id, name="Ann", phone="", queue_id=queue.id, now=now - MIN)
    closing.close_store(db, store.id, now=now)
    with smtp_server() as (inbox, port):
        config = smtp_settings(port, tmp_path)
        with monkeypatch.context() as crashing:
            crashing.setattr(delivery, "purge_store", lambda *args: (_ for _ in ()).throw(_Crash()))
            with pytest.raises(_Crash):
                deliver(db, engine, now, config)
        closed, row = rows_of(engine, store.id)
        assert len(inbox.received) == 1 and row.state is DeliveryState.SENT
        assert closed.status is StoreStatus.CLOSING and left_behind(engine, store.id)["customer"] == 1
        deliver(db, engine, now + MIN, config)  # the restarted scheduler
    assert len(inbox.received) == 1
    assert rows_of(engine, store.id)[0].status is StoreStatus.CLOSED
    assert set(left_behind(engine, store.id).values()) == {0}


def test_without_a_mail_server_the_report_lands_in_the_outbox_and_counts_as_delivered(db, engine, now,
                                                                                      tmp_path):
    store = open_store(db, now - timedelta(hours=3))
    queue = stores.queues_of(db, store.id)[0]
    customers.add_walk_in(db, store.id, name="Ann", phone="", queue_id=queue.id, now=now - MIN)
    closing.close_store(db, store.id, now=now)
    expected = reports.report_csv(load_snapshot(db, store.id, now=now))
    deliver(db, engine, now, smtp_settings(0, tmp_path, smtp_host=""))

    [eml] = list((tmp_path / "outbox").glob("*.eml"))
    assert stat.S_IMODE(os.stat(eml).st_mode) == 0o600
    mail = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert mail["To"] == "owner@example.com" and mail["Subject"] == "Queue report: Café Nord (2026-11-25)"
    assert csv_attachment(mail) == ("cafe-nord-2026-11-25.csv", expected)
    assert rows_of(engine, store.id)[1].state is DeliveryState.SENT
    assert set(left_behind(engine, store.id).values()) == {0}
