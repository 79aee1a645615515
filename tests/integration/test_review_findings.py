"""Findings of the independent review against SPEC.md, each a behaviour a user or attacker would notice.

Each test was written as a strict xfail against the bug it names; the bugs are fixed and the tests
now guard against their return.
"""

from __future__ import annotations

import dataclasses
import email
import functools
import time
from email import policy

import pytest
import sqlalchemy as sa
from sqlmodel import select

from queue_app import live
from queue_app.config import settings
from queue_app.mail import mailer
from queue_app.models import Customer, CustomerState
from queue_app.queue_app import app  # noqa: F401  (registers every state class)
from queue_app.services import auth, closing, customers, stores
from queue_app.state import common, signin
from queue_app.state.dashboard import DashboardState
from queue_app.state.public import DisplayState
from queue_app.state.signin import ForgotState
from tests.conftest import run_async
from tests.integration.factories import cheap_argon2, join_party, open_shop  # noqa: F401
from tests.integration.test_state_handlers import _run, _state, app_engine  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_argon2", "sockets")


def _walk_in(db, store, now, name, phone=""):
    queue = stores.queues_of(db, store.id)[0]
    return customers.add_walk_in(db, store.id, name=name, phone=phone, queue_id=queue.id, now=now)


def test_behind_a_trusted_proxy_a_client_cannot_pick_its_own_address_for_rate_limits(monkeypatch):
    monkeypatch.setattr(common, "settings", dataclasses.replace(settings, trust_proxy=True))

    async def scenario():
        # The attacker sent "X-Forwarded-For: 6.6.6.6"; nginx appended the real peer 203.0.113.9.
        state = await _state(ForgotState)
        state.router = dataclasses.replace(state.router, headers=dataclasses.replace(
            state.router.headers, raw_headers={"x-forwarded-for": "6.6.6.6, 203.0.113.9"}))
        return common.client_ip(state)

    assert run_async(scenario()) == "203.0.113.9"


@pytest.mark.usefixtures("app_engine")
def test_a_forged_origin_never_ends_up_in_the_owners_reset_mail(db, now, tmp_path,
                                                                 monkeypatch):
    outbox = dataclasses.replace(settings, outbox_dir=tmp_path / "outbox", smtp_host="")
    monkeypatch.setattr(mailer, "send", functools.partial(mailer.send, config=outbox))
    open_shop(db, now)

    async def scenario():
        forgot = await _state(ForgotState)
        forgot.router = dataclasses.replace(forgot.router, headers=dataclasses.replace(
            forgot.router.headers, origin="https://evil.example"))
        await ForgotState.submit.fn(forgot, {"email": "owner@example.com"})
        return forgot.sent

    assert _run(db, scenario())
    signin._background.submit(lambda: None).result()  # the mail goes out in the background
    deadline = time.monotonic() + 10
    while not list((tmp_path / "outbox").glob("*.eml")) and time.monotonic() < deadline:
        time.sleep(0.05)
    [eml] = list((tmp_path / "outbox").glob("*.eml"))
    mail = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert "evil.example" not in mail.get_body(("plain",)).get_content()


@pytest.mark.usefixtures("app_engine")
def test_after_a_password_reset_the_other_tablet_gets_no_more_customer_names(db, now, sockets):
    store = open_shop(db, now)
    stolen_tablet = auth.start_session(db, store, now=now)

    async def open_dashboard():
        dash = await _state(DashboardState, token=stolen_tablet)
        await DashboardState.load.fn(dash)
        return dash

    _run(db, open_dashboard())
    assert sockets.seen("tab-1", DashboardState)["loaded"]
    _, reset_token = auth.request_reset(db, "owner@example.com", now=now, client_ip="10.0.0.1")
    auth.reset_password(db, reset_token, "new-secret-1", "new-secret-1", now=now)
    _walk_in(db, store, now, "Zed Secretname", phone="+1 555 0100")

    sockets.sent.clear()
    _run(db, live.hub.publish(store.id))
    pushed = repr(sockets.frames("tab-1"))
    assert "Zed Secretname" not in pushed and "555 0100" not in pushed
    assert sockets.seen("tab-1", DashboardState)["signed_out"] is True


def test_a_database_error_during_a_join_does_not_put_the_phone_number_in_the_log(db, now):
    store = open_shop(db, now)
    first = _walk_in(db, store, now, "Ann")
    duplicate = Customer(store_id=store.id, queue_id=first.queue_id, party_id=first.party_id,
                         ticket_number=first.ticket_number, name="Bob", phone="+1 555 0199",
                         joined_at=now)
    db.add(duplicate)
    with pytest.raises(sa.exc.IntegrityError) as failure:
        db.commit()
    db.rollback()
    assert "555 0199" not in str(failure.value)


def test_a_busy_shop_whose_customers_share_one_wifi_address_keeps_taking_parties(db, now):
    store = open_shop(db, now)
    for i in range(40):  # 4 parties a minute for 10 minutes
        join_party(db, store, now, f"Guest {i}", browser=f"phone-{i}", client_ip="198.51.100.7")
    assert len(db.exec(select(Customer).where(Customer.store_id == store.id)).all()) == 40


@pytest.mark.usefixtures("app_engine")
def test_a_double_tap_on_call_is_not_reported_as_a_conflict(db, now):
    store = open_shop(db, now)
    ann = _walk_in(db, store, now, "Ann")
    token = auth.start_session(db, store, now=now)

    async def scenario():
        dash = await _state(DashboardState, token=token)
        await DashboardState.set_state.fn(dash, ann.id, "waiting", "processing")
        await DashboardState.set_state.fn(dash, ann.id, "waiting", "processing")
        return dash.error

    assert _run(db, scenario()) == ""
    db.expire_all()
    assert db.get(Customer, ann.id).state is CustomerState.PROCESSING


@pytest.mark.usefixtures("app_engine")
def test_the_wall_display_reloaded_after_closing_says_the_store_is_closed(db, now, sockets):
    store = open_shop(db, now)
    key = store.display_key
    closing.close_store(db, store.id, now=now)

    async def scenario():
        display = await _state(DisplayState, params={"key": key})
        await DisplayState.load.fn(display)
        return display

    display = _run(db, scenario())
    assert display.found and sockets.seen("tab-1", DisplayState)["closed"]

