"""Closing a store stops joins at once and leads to exactly one report, however many schedulers race.

A store closes by its owner's button or at the end of its lifetime; threads and processes race here.
"""

from __future__ import annotations

import base64
import multiprocessing
import threading
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from reflex.istate.data import RouterData
from reflex.state import State
from sqlmodel import Session, func, select

import queue_app.db as app_db
from queue_app import clock, domain, jobs
from queue_app.db import make_engine
from queue_app.models import Customer, DeliveryState, ReportDelivery, Store, StoreStatus
from queue_app.queue_app import app  # noqa: F401  (registers every state class)
from queue_app.services import auth, closing, customers, passes, stores
from queue_app.services.errors import NotAllowed
from queue_app.state.common import OwnerAuth
from queue_app.state.dashboard import DashboardState
from tests.conftest import run_async
from tests.integration.factories import cheap_argon2, confirm_address  # noqa: F401
from tests.integration.smtp_server import free_port, smtp_server, smtp_settings

pytestmark = pytest.mark.usefixtures("cheap_argon2")


def open_store(db, opened_at, name="Shop", ip="10.0.0.1"):
    form = domain.validate_store_form(email=f"{domain.slugify(name)}@example.com", password="secret123",
                                      confirm="secret123", name=name, queue_names=["Main"],
                                      timezone="Europe/Paris")
    store = confirm_address(db, stores.open_store(db, form, now=opened_at, client_ip=ip), opened_at)
    customers.add_walk_in(db, store.id, name="Ann", phone="", queue_id=stores.queues_of(db, store.id)[0].id,
                          now=opened_at)
    return store


def run_scheduler(engine, at, config, rounds=2) -> None:
    """What one scheduler does every few seconds: close expired stores, deliver due reports."""
    clock.freeze(at)
    context = dict(sessions=lambda: Session(engine, expire_on_commit=False), config=config)
    for _ in range(rounds):
        jobs.close_expired_stores(**context)
        jobs.deliver_reports(**context)


def statuses(engine) -> Counter:
    with Session(engine) as fresh:
        return Counter(fresh.exec(select(Store.status)).all())


def test_the_owners_close_stops_joins_at_once_and_queues_one_report(db, now):
    store = open_store(db, now - timedelta(hours=1))
    [queue] = stores.queues_of(db, store.id)
    shown = passes.current_pass(db, store.id, now=now)
    closing.close_store(db, store.id, now=now)

    assert db.get(Store, store.id).status is StoreStatus.CLOSING
    with pytest.raises(NotAllowed):
        passes.scan(db, shown.token, "phone-1", now=now)
    with pytest.raises(NotAllowed):
        customers.add_walk_in(db, store.id, name="Bob", phone="", queue_id=queue.id, now=now)
    with pytest.raises(NotAllowed, match="already closed"):
        closing.close_store(db, store.id, now=now)
    [row] = db.exec(select(ReportDelivery).where(ReportDelivery.store_id == store.id)).all()
    assert (row.state, row.next_attempt_at) == (DeliveryState.PENDING, now)
    assert db.exec(select(func.count()).select_from(Customer)).one() == 1  # kept until the mail is out


def test_the_owners_close_mails_the_report_at_once_from_a_thread(db, engine, now, tmp_path):
    store = open_store(db, now - timedelta(hours=1), name="Corner Barber")
    closing.close_store(db, store.id, now=now)
    db.commit()
    with smtp_server() as (inbox, port):
        worker = jobs.deliver_report_soon(store.id, sessions=lambda: Session(engine, expire_on_commit=False),
                                          config=smtp_settings(port, tmp_path))
        worker.join(timeout=20)
    assert not worker.is_alive()
    assert [m.mail["Subject"] for m in inbox.received] == ["Queue report: Corner Barber (2026-11-25)"]
    assert statuses(engine) == {StoreStatus.CLOSED: 1}


def test_export_csv_on_the_dashboard_downloads_the_very_bytes_the_report_mail_attaches(
        db, engine, now, tmp_path, monkeypatch):
    monkeypatch.setattr(app_db, "engine", lambda: engine)  # the handler's own `session()`
    store = open_store(db, now - timedelta(hours=1), name="Corner Barber")
    customers.add_walk_in(db, store.id, name="=1+1, \"王\"", phone="+1 2",
                          queue_id=stores.queues_of(db, store.id)[0].id, now=now)
    token = auth.sign_in(db, "corner-barber@example.com", "secret123", now=now)
    db.commit()

    async def export():
        root = State(_reflex_internal_init=True)
        root.router = RouterData.from_router_data({"token": "tab-1", "ip": "127.0.0.9", "headers": {}})
        (await root.get_state(OwnerAuth)).token = token
        spec = await DashboardState.export_csv.fn(await root.get_state(DashboardState))
        return {str(name): value._var_value for name, value in spec.args}

    download = run_async(export())
    closing.close_store(db, store.id, now=now)
    db.commit()
    with smtp_server() as (inbox, port):
        run_scheduler(engine, now, smtp_settings(port, tmp_path), rounds=1)
    [part] = list(inbox.received[0].mail.iter_attachments())
    assert download["filename"] == part.get_filename() == "corner-barber-2026-11-25.csv"
    assert base64.b64decode(download["url"].split("base64,", 1)[1]) == part.get_payload(decode=True)


def test_the_expiry_job_closes_and_reports_only_stores_past_their_lifetime(db, engine, now, tmp_path):
    open_store(db, now - timedelta(hours=24), name="Expired", ip="10.0.0.1")
    young = open_store(db, now - timedelta(hours=23, minutes=59), name="Young", ip="10.0.0.2")
    db.commit()
    with smtp_server() as (inbox, port):
        run_scheduler(engine, now, smtp_settings(port, tmp_path))
    assert [m.mail["Subject"] for m in inbox.received] == ["Queue report: Expired (2026-11-24)"]
    assert statuses(engine) == {StoreStatus.CLOSED: 1, StoreStatus.OPEN: 1}
    with Session(engine) as fresh:
        assert fresh.get(Store, young.id).status is StoreStatus.OPEN


def _open_fifty(db, now) -> None:
    for i in range(50):
        open_store(db, now - timedelta(hours=25), name=f"Shop {i:02d}", ip=f"10.0.{i}.1")
    db.commit()


def _assert_each_reported_once(engine, inbox) -> None:
    subjects = Counter(m.mail["Subject"] for m in inbox.received)
    assert subjects == Counter({f"Queue report: Shop {i:02d} (2026-11-24)": 1 for i in range(50)})
    assert statuses(engine) == {StoreStatus.CLOSED: 50}
    with Session(engine) as fresh:
        assert fresh.exec(select(func.count()).select_from(Customer)).one() == 0


def test_two_scheduler_threads_racing_report_each_of_fifty_expired_stores_exactly_once(db, engine, now,
                                                                                       tmp_path):
    _open_fifty(db, now)
    start, failures = threading.Barrier(2), []

    def scheduler(config):
        start.wait()
        try:
            run_scheduler(engine, now, config)
        except Exception as error:  # noqa: BLE001 (reported to the test thread below)
            failures.append(error)

    with smtp_server() as (inbox, port):
        racers = [threading.Thread(target=scheduler, args=(smtp_settings(port, tmp_path),)) for _ in range(2)]
        for racer in racers:
            racer.start()
        for racer in racers:
            racer.join(timeout=60)
    assert failures == [] and not any(racer.is_alive() for racer in racers)
    _assert_each_reported_once(engine, inbox)


def _scheduler_process(url: str, port: int, folder: str, at: datetime, start) -> None:
    """A replica: its own process, engine and connection pool on the same database."""
    engine = make_engine(url)
    start.wait(timeout=30)
    run_scheduler(engine, at, smtp_settings(port, Path(folder)))
    engine.dispose()


@pytest.mark.parametrize("engine", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_two_replica_processes_racing_on_postgresql_report_each_store_exactly_once(db, engine, now, tmp_path):
    _open_fifty(db, now)
    fork = multiprocessing.get_context("fork")  # forked before the SMTP server's thread: no stray locks
    start, port = fork.Barrier(3), free_port()
    url = engine.url.render_as_string(hide_password=False)
    replicas = [fork.Process(target=_scheduler_process, args=(url, port, str(tmp_path), now, start))
                for _ in range(2)]
    for replica in replicas:
        replica.start()
    with smtp_server(port) as (inbox, _):
        start.wait(timeout=30)
        for replica in replicas:
            replica.join(timeout=60)
    assert [replica.exitcode for replica in replicas] == [0, 0]
    _assert_each_reported_once(engine, inbox)
