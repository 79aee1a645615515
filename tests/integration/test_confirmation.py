"""With a real mail server, a store's mails go out only once its owner confirmed the address.

Real aiosmtpd server on 127.0.0.1, real database; the owner's screens through their state handlers.
"""

from __future__ import annotations

import time

import pytest
from sqlmodel import Session, select

import queue_app.db as app_db
from queue_app import domain, jobs, reports
from queue_app.mail import mailer
from queue_app.models import Customer, DeliveryState, ReportDelivery, Store, StoreStatus
from queue_app.queue_app import app  # noqa: F401  (registers every state class)
from queue_app.services import auth, closing, confirmation, stores
from queue_app.services.delivery import UNCONFIRMED
from queue_app.services.errors import NotAllowed, RateLimited, ValidationError
from queue_app.services.snapshot import load_snapshot
from queue_app.state.confirm import ConfirmState
from queue_app.state.dashboard import DashboardState
from queue_app.state.signup import SignupState
from tests.conftest import run_async
from tests.integration.factories import cheap_argon2, join_party, link_token, open_shop  # noqa: F401
from tests.integration.smtp_server import Inbox, smtp_server, smtp_settings
from tests.integration.test_state_handlers import _state

pytestmark = pytest.mark.usefixtures("cheap_argon2")
OWNER = "owner@example.com"


@pytest.fixture
def smtp(tmp_path):
    """A real SMTP server and the settings that point the app at it."""
    with smtp_server() as (inbox, port):
        yield inbox, smtp_settings(port, tmp_path, base_url="https://queue.example.com")


def deliver(db, engine, config) -> None:
    db.commit()
    jobs.deliver_reports(sessions=lambda: Session(engine, expire_on_commit=False), config=config)


def wait_for(inbox: Inbox, count: int) -> list:
    deadline = time.monotonic() + 10
    while len(inbox.received) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return inbox.received


def test_the_owner_gets_one_confirmation_link_that_works_once_then_the_report_is_mailed(
        db, engine, now, smtp):
    inbox, config = smtp
    store = open_shop(db, now)
    mailer.send(confirmation.issue(db, store, config=config), config)
    [got] = inbox.received
    assert got.recipients == [OWNER] and got.mail["Subject"] == "Confirm your email for Café Nord"
    token = link_token(got.mail.get_body(("plain",)).get_content(), "https://queue.example.com/confirm/")
    assert not confirmation.may_mail(db.get(Store, store.id), config)

    assert confirmation.confirm(db, token, now=now).id == store.id
    with pytest.raises(NotAllowed):  # single use
        confirmation.confirm(db, token, now=now)
    db.expire_all()
    assert db.get(Store, store.id).email_confirmed_at == now
    join_party(db, store, now, "Ann")
    closing.close_store(db, store.id, now=now)
    deliver(db, engine, config)
    assert [m.mail["Subject"] for m in inbox.received[1:]] == ["Queue report: Café Nord (2026-11-25)"]


def test_an_unconfirmed_owners_report_is_archived_not_mailed_and_only_then_the_data_goes(
        db, engine, now, smtp):
    inbox, config = smtp
    store = open_shop(db, now)
    join_party(db, store, now, "Ann", "Ben")
    expected = reports.report_csv(load_snapshot(db, store.id, now=now))
    closing.close_store(db, store.id, now=now)
    deliver(db, engine, config)

    assert inbox.received == []  # nobody vouched for the address: nothing is sent there
    [archived] = config.report_archive_dir.glob(f"store-{store.id}-*.csv")
    assert archived.read_bytes() == expected  # never lost: every customer is in the archive
    with Session(engine) as fresh:
        row = fresh.exec(select(ReportDelivery).where(ReportDelivery.store_id == store.id)).one()
        assert (row.state, row.last_error) == (DeliveryState.ARCHIVED, UNCONFIRMED)
        assert fresh.get(Store, store.id).status is StoreStatus.CLOSED
        assert fresh.exec(select(Customer).where(Customer.store_id == store.id)).all() == []


def test_no_reset_link_is_issued_for_an_unconfirmed_address_and_one_is_once_confirmed(db, now, smtp):
    _, config = smtp
    store = open_shop(db, now)
    assert auth.request_reset(db, OWNER, now=now, config=config) is None
    token = link_token(confirmation.issue(db, store, config=config).text, "/confirm/")
    confirmation.confirm(db, token, now=now)
    issued = auth.request_reset(db, OWNER, now=now, config=config)
    assert issued is not None and issued[0].id == store.id


def test_without_a_mail_server_nothing_is_asked_and_the_report_lands_in_the_outbox(
        db, engine, now, tmp_path):
    config = smtp_settings(0, tmp_path, smtp_host="")
    store = open_shop(db, now)
    assert not confirmation.awaiting(False, config) and confirmation.may_mail(store, config)
    assert auth.request_reset(db, OWNER, now=now, config=config) is not None
    closing.close_store(db, store.id, now=now)
    deliver(db, engine, config)
    assert len(list(config.outbox_dir.glob("*.eml"))) == 1
    assert not config.report_archive_dir.exists()


def test_a_resent_link_replaces_the_old_one_and_resends_are_limited(db, now, smtp):
    _, config = smtp
    store = open_shop(db, now)
    first = link_token(confirmation.issue(db, store, config=config).text, "/confirm/")
    resent = [link_token(confirmation.resend(db, store, now=now, config=config).text, "/confirm/")
              for _ in range(3)]
    with pytest.raises(RateLimited):
        confirmation.resend(db, store, now=now, config=config)
    for old in (first, *resent[:-1]):
        with pytest.raises(NotAllowed):
            confirmation.store_for_link(db, old)
    assert confirmation.confirm(db, resent[-1], now=now).id == store.id


def test_the_addresss_real_owner_can_disown_a_store_then_open_their_own(db, engine, now, smtp):
    inbox, config = smtp
    squatted = open_shop(db, now, name="Not Mine")
    join_party(db, squatted, now, "Mallory")
    form = domain.validate_store_form(email=OWNER, password="secret123", confirm="secret123",
                                      name="Mine", queue_names=["Main"], timezone="UTC")
    with pytest.raises(ValidationError):  # the address is taken while the squatter's store is open
        stores.open_store(db, form, now=now)
    token = link_token(confirmation.issue(db, squatted, config=config).text, "/confirm/")
    assert confirmation.disown(db, token, now=now).status is StoreStatus.CLOSING
    with pytest.raises(NotAllowed):
        confirmation.confirm(db, token, now=now)  # the squatter cannot confirm it afterwards
    deliver(db, engine, config)
    assert inbox.received == [] and len(list(config.report_archive_dir.glob("*.csv"))) == 1
    assert stores.open_store(db, form, now=now).status is StoreStatus.OPEN


def test_the_dashboard_asks_to_confirm_resends_the_link_and_drops_the_banner_once_confirmed(
        engine, db, now, smtp, monkeypatch, sockets):
    inbox, config = smtp
    monkeypatch.setattr(app_db, "engine", lambda: engine)
    monkeypatch.setattr(confirmation, "settings", config)
    monkeypatch.setattr(jobs, "settings", config)
    store = open_shop(db, now)
    owner = auth.start_session(db, store, now=now)

    async def dashboard():
        dash = await _state(DashboardState, token=owner)
        await DashboardState.load.fn(dash)
        return dash

    run_async(dashboard())
    shown = sockets.seen("tab-1", DashboardState)  # what the hub sent the tablet
    assert shown["loaded"] and shown["confirm_email"]

    async def resend():
        dash = await dashboard()
        await DashboardState.resend_confirmation.fn(dash)
        return dash

    assert "We sent a new link" in run_async(resend()).message
    [got] = wait_for(inbox, 1)
    token = link_token(got.mail.get_body(("plain",)).get_content(), "/confirm/")

    async def confirm():
        page = await _state(ConfirmState, params={"token": token})
        page.router._page.params["token"] = token  # noqa: SLF001 (the route's [token] segment)
        await ConfirmState.load.fn(page)
        assert page.link_ok and page.store_name == "Café Nord" and page.done == ""
        await ConfirmState.confirm.fn(page)
        return page

    assert run_async(confirm()).done == "confirmed"
    run_async(dashboard())
    assert not sockets.seen("tab-1", DashboardState)["confirm_email"]


def test_opening_a_store_with_a_mail_server_mails_the_confirmation_link(engine, now, smtp, monkeypatch):
    inbox, config = smtp
    monkeypatch.setattr(app_db, "engine", lambda: engine)
    monkeypatch.setattr(confirmation, "settings", config)
    monkeypatch.setattr(jobs, "settings", config)

    async def sign_up():
        page = await _state(SignupState)
        return await page._open({"email": "New@Example.com", "password": "secret123",  # noqa: SLF001
                                 "confirm": "secret123", "name": "Fresh", "queue-q0": "Main",
                                 "timezone": "UTC"})

    assert run_async(sign_up()) is not None  # the redirect to the dashboard
    [got] = wait_for(inbox, 1)
    assert got.recipients == ["new@example.com"]
    token = link_token(got.mail.get_body(("plain",)).get_content(), "/confirm/")
    with Session(engine) as db:
        assert confirmation.store_for_link(db, token).name == "Fresh"
