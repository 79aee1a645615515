"""Odd input gets a clear answer or is cleaned; nothing half-saved, no traceback (issue #10, 7–8)."""

from __future__ import annotations

import dataclasses
import email
import logging
from email import policy

import pytest
from sqlmodel import Session, select, update

from queue_app import domain
from queue_app.config import settings
from queue_app.mail import mailer
from queue_app.models import Customer, DeliveryState, Queue, ReportDelivery, Store
from queue_app.services import auth, closing, customers, delivery, passes, stores
from queue_app.state import signin
from queue_app.state.join import BrowserId, JoinState
from tests.integration.factories import PASSWORD, cheap_argon2, join_party, open_shop  # noqa: F401
from tests.integration.test_state_handlers import _run, _state, app_engine  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_argon2", "app_engine")


def test_a_lone_surrogate_in_any_name_is_dropped_and_the_rest_is_saved(db, now):
    form = domain.validate_store_form(email="owner@example.com", password="pass\ud800word",
                                      confirm="pass\ud800word", name="Caf\ud800é",
                                      queue_names=["Hair\udfffcut"], timezone="UTC",
                                      description="Open\ud83d late")
    store = stores.open_store(db, form, now=now)
    stores.update_description(db, store, "Back \udc00soon", now=now)
    queue = stores.queues_of(db, store.id)[0]
    customers.add_walk_in(db, store.id, name="Ann\ud800", phone="06\udfff 12", queue_id=queue.id,
                          now=now)
    join_party(db, store, now, "Bob\udbff")
    db.expire_all()
    assert (db.get(Store, store.id).name, db.get(Store, store.id).description) == ("Café", "Back soon")
    assert db.get(Queue, queue.id).name == "Haircut"
    assert [(c.name, c.phone) for c in db.exec(select(Customer))] == [("Ann", "06 12"), ("Bob", "")]
    assert auth.sign_in(db, "owner@example.com", "pass\ud800word", now=now)  # the same password


def test_newlines_in_single_line_fields_become_spaces_but_a_description_keeps_its_lines(db, now):
    form = domain.validate_store_form(email=" Owner@Example.com\n", password=PASSWORD,
                                      confirm=PASSWORD, name="Café\nNord\r\n", timezone="UTC",
                                      queue_names=["Hair\u2028cut"], description="Line 1\nLine 2")
    store = stores.open_store(db, form, now=now)
    queue = stores.queues_of(db, store.id)[0]
    customers.add_walk_in(db, store.id, name="Ann\n\nLee", phone="06\t12", queue_id=queue.id, now=now)
    db.expire_all()
    assert (store.email, store.name, store.description) == ("owner@example.com", "Café Nord",
                                                            "Line 1\nLine 2")
    assert db.get(Queue, queue.id).name == "Hair cut"
    assert [(c.name, c.phone) for c in db.exec(select(Customer))] == [("Ann Lee", "06 12")]


@pytest.mark.parametrize("stored", [12345, ["a" * 30], {"id": "x"}, None, "short"])
def test_a_browser_id_that_is_not_a_string_is_replaced_and_the_join_page_loads(db, now,
                                                                               stored):
    store = open_shop(db, now)
    shown = passes.current_pass(db, store.id, now=now)

    async def scenario():
        page = await _state(JoinState, params={"pass_token": shown.token})
        (await page.get_state(BrowserId)).value = stored
        await JoinState.load.fn(page)
        return page.refused, (await page.get_state(BrowserId)).value

    refused, browser = _run(db, scenario())
    assert refused == "" and isinstance(browser, str) and len(browser) >= 20


@pytest.fixture
def logged(caplog):
    app_logger = logging.getLogger("queue_app")
    app_logger.addHandler(caplog.handler)
    with caplog.at_level(logging.INFO):
        yield caplog
    app_logger.removeHandler(caplog.handler)


def _outbox(tmp_path, monkeypatch):
    config = dataclasses.replace(settings, outbox_dir=tmp_path / "outbox", smtp_host="")
    real_send = mailer.send
    monkeypatch.setattr(mailer, "send", lambda message: real_send(message, config))
    return config.outbox_dir


def test_a_store_name_with_a_newline_still_gets_its_reset_mail_with_a_one_line_subject(
        db, now, tmp_path, monkeypatch):
    """A store opened before names were cleaned may still hold a newline in the database."""
    outbox = _outbox(tmp_path, monkeypatch)
    store = open_shop(db, now)
    store.name = "Café\nNord"
    signin._send_reset_mail(store, "t" * 43)  # noqa: SLF001
    [sent] = list(outbox.glob("*.eml"))
    assert email.message_from_bytes(sent.read_bytes(), policy=policy.default)["Subject"] == \
        "Reset your password for Café Nord"


def test_a_reset_mail_that_cannot_be_built_is_logged_with_the_store_id_and_no_address(
        db, now, tmp_path, monkeypatch, logged):
    _outbox(tmp_path, monkeypatch)
    store = open_shop(db, now)
    store.email = "owner@example.com\nBcc: someone@evil.test"
    signin._send_reset_mail(store, "t" * 43)  # noqa: SLF001
    assert f"reset mail for store {store.id} failed" in logged.text
    assert "example.com" not in logged.text and "evil.test" not in logged.text


def test_a_report_whose_mail_cannot_be_built_is_retried_and_logged_not_crashed(
        db, engine, now, tmp_path, logged):
    store = open_shop(db, now)
    closing.close_store(db, store.id, now=now)
    db.exec(update(Store).where(Store.id == store.id).values(email="owner@example.com\nBcc: x@evil.test"))
    db.commit()
    config = dataclasses.replace(settings, outbox_dir=tmp_path / "outbox", smtp_host="")
    with Session(engine, expire_on_commit=False) as session:
        outcome = delivery.deliver_next(session, now=now, config=config)
    assert outcome.state is DeliveryState.PENDING
    db.expire_all()
    row = db.exec(select(ReportDelivery)).one()
    assert row.last_error and "evil.test" not in row.last_error
    assert f"report of store {store.id} not delivered" in logged.text
    assert "example.com" not in logged.text and "evil.test" not in logged.text


@pytest.mark.parametrize(("page", "param"), [("DisplayState", "key"), ("PublicState", "slug"),
                                             ("TicketState", "secret"), ("JoinState", "pass_token")])
def test_a_lone_surrogate_in_a_link_shows_not_found_instead_of_an_error(db, now, page, param):
    """Found by the handler fuzz: '/display/%ED%A0%80' reached the database and raised."""
    from queue_app.state.public import DisplayState, PublicState
    from queue_app.state.ticket import TicketState

    cls = {"DisplayState": DisplayState, "PublicState": PublicState, "TicketState": TicketState,
           "JoinState": JoinState}[page]
    open_shop(db, now)

    async def load():
        state = await _state(cls, params={param: "\ud800"})
        state.router._page.params[param] = "\ud800"  # noqa: SLF001 (the route's segment)
        await cls.load.fn(state)
        return state

    state = _run(db, load())
    assert getattr(state, "found", True) is False or getattr(state, "refused", "")
