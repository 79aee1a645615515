"""Sign-in secrets: hashed passwords, single-use reset links, hashed tokens, nothing in the logs."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, select

from queue_app.models import OwnerSession, ResetToken, Store
from queue_app.services import auth, closing
from queue_app.services.errors import NotAllowed, RateLimited, ValidationError
from tests.integration.factories import PASSWORD, cheap_argon2, open_shop  # noqa: F401

NEW_PASSWORD = "brand-new-pass"


def _reset_link(db, now, email="owner@example.com") -> str:
    issued = auth.request_reset(db, email, now=now, client_ip="10.0.0.1")
    assert issued is not None
    return issued[1]


def _all_text_in_the_database(db) -> str:
    """Every value of every row of every table, as one string."""
    db.expire_all()
    values = []
    for table in SQLModel.metadata.sorted_tables:
        for row in db.exec(sa.select(table)).all():
            values.extend(str(value) for value in row)
    return "\n".join(values)


@contextlib.contextmanager
def _everything_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Capture every app log at any level, plus every SQL statement with its parameters.

    The handler is attached to `queue_app` itself too: once the app configured logging, its logger
    no longer propagates to the root, where caplog listens.
    """
    app_logger = logging.getLogger("queue_app")
    app_logger.addHandler(caplog.handler)
    try:
        with (caplog.at_level(logging.INFO, logger="sqlalchemy.engine"),  # (also sets the handler's level:
              caplog.at_level(logging.DEBUG, logger="queue_app"),  # so the lowest comes last)
              caplog.at_level(logging.DEBUG)):
            logging.getLogger("queue_app.services.auth").debug("capture check")
            yield
    finally:
        app_logger.removeHandler(caplog.handler)
    assert "capture check" in caplog.text


def test_passwords_are_stored_as_argon2id_hashes_only(db, now):
    store = open_shop(db, now)  # the real hasher, with the library's production parameters
    db.expire_all()
    stored = db.get(Store, store.id).password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert PASSWORD not in _all_text_in_the_database(db)


@pytest.mark.usefixtures("cheap_argon2")
def test_sign_in_and_reset_tokens_are_stored_only_hashed(db, now):
    open_shop(db, now)
    session_token = auth.sign_in(db, "owner@example.com", PASSWORD, now=now)
    reset_token = _reset_link(db, now)
    stored = _all_text_in_the_database(db)
    assert session_token not in stored and reset_token not in stored
    assert len(db.exec(select(OwnerSession)).all()) == 1 and len(db.exec(select(ResetToken)).all()) == 1


@pytest.mark.usefixtures("cheap_argon2")
def test_a_reset_link_sets_the_new_password_and_signs_in(db, now):
    open_shop(db, now)
    token = auth.reset_password(db, _reset_link(db, now), NEW_PASSWORD, NEW_PASSWORD, now=now)
    assert auth.store_for_token(db, token, now=now).email == "owner@example.com"
    assert auth.sign_in(db, "owner@example.com", NEW_PASSWORD, now=now)
    with pytest.raises(auth.DomainError, match="Wrong email or password"):
        auth.sign_in(db, "owner@example.com", PASSWORD, now=now)


@pytest.mark.usefixtures("cheap_argon2")
def test_a_reset_link_works_only_once(db, now):
    open_shop(db, now)
    link = _reset_link(db, now)
    auth.reset_password(db, link, NEW_PASSWORD, NEW_PASSWORD, now=now)
    with pytest.raises(NotAllowed, match="not valid any more"):
        auth.check_reset_token(db, link, now=now)
    with pytest.raises(NotAllowed, match="not valid any more"):
        auth.reset_password(db, link, "third-password", "third-password", now=now)
    assert auth.sign_in(db, "owner@example.com", NEW_PASSWORD, now=now)


@pytest.mark.usefixtures("cheap_argon2")
def test_a_reset_link_expires_after_thirty_minutes(db, now):
    open_shop(db, now)
    link = _reset_link(db, now)
    auth.check_reset_token(db, link, now=now + timedelta(minutes=29, seconds=59))
    with pytest.raises(NotAllowed):
        auth.reset_password(db, link, NEW_PASSWORD, NEW_PASSWORD, now=now + timedelta(minutes=30))
    assert auth.sign_in(db, "owner@example.com", PASSWORD, now=now + timedelta(minutes=31))


@pytest.mark.usefixtures("cheap_argon2")
def test_a_tampered_or_made_up_reset_link_is_refused(db, now):
    open_shop(db, now)
    link = _reset_link(db, now)
    tampered = link[:-1] + ("A" if link[-1] != "A" else "B")
    for bad in (tampered, link.upper(), link + "x", "", "short", None, "x" * 5000):
        with pytest.raises(NotAllowed):
            auth.reset_password(db, bad, NEW_PASSWORD, NEW_PASSWORD, now=now)
    auth.check_reset_token(db, link, now=now)  # the real link still works


@pytest.mark.usefixtures("cheap_argon2")
def test_a_reset_with_a_weak_or_mismatched_password_keeps_the_link_usable(db, now):
    open_shop(db, now)
    link = _reset_link(db, now)
    with pytest.raises(ValidationError) as refused:
        auth.reset_password(db, link, "short", "short", now=now)
    assert set(refused.value.errors) == {"password"}
    with pytest.raises(ValidationError) as refused:
        auth.reset_password(db, link, NEW_PASSWORD, "something-else", now=now)
    assert set(refused.value.errors) == {"confirm"}
    assert auth.reset_password(db, link, NEW_PASSWORD, NEW_PASSWORD, now=now)


@pytest.mark.usefixtures("cheap_argon2")
def test_a_reset_signs_out_every_other_device(db, now):
    open_shop(db, now)
    tablet = auth.sign_in(db, "owner@example.com", PASSWORD, now=now)
    laptop = auth.sign_in(db, "owner@example.com", PASSWORD, now=now)
    phone = auth.reset_password(db, _reset_link(db, now), NEW_PASSWORD, NEW_PASSWORD, now=now)
    for gone in (tablet, laptop):
        with pytest.raises(NotAllowed, match="Please sign in"):
            auth.store_for_token(db, gone, now=now)
    assert auth.store_for_token(db, phone, now=now)


@pytest.mark.usefixtures("cheap_argon2")
def test_a_new_reset_link_cancels_the_older_ones_once_used(db, now):
    open_shop(db, now)
    first, second = _reset_link(db, now), _reset_link(db, now)
    auth.reset_password(db, second, NEW_PASSWORD, NEW_PASSWORD, now=now)
    with pytest.raises(NotAllowed):
        auth.check_reset_token(db, first, now=now)


@pytest.mark.usefixtures("cheap_argon2")
def test_forgot_password_answers_the_same_for_an_unknown_or_closed_address(db, now):
    store = open_shop(db, now)
    assert auth.request_reset(db, "nobody@example.com", now=now) is None
    assert auth.request_reset(db, "Owner@Example.com", now=now) is not None
    closing.close_store(db, store.id, now=now)
    assert auth.request_reset(db, "owner@example.com", now=now + timedelta(minutes=1)) is None
    with pytest.raises(ValidationError):
        auth.request_reset(db, "not an email", now=now)


@pytest.mark.usefixtures("cheap_argon2")
def test_forgot_password_is_rate_limited_per_address(db, now):
    open_shop(db, now)
    for minute in range(3):
        assert auth.request_reset(db, "owner@example.com", now=now + timedelta(minutes=minute),
                                  client_ip=f"10.0.0.{minute}")
    with pytest.raises(RateLimited) as limited:
        auth.request_reset(db, "owner@example.com", now=now + timedelta(minutes=3), client_ip="10.0.0.9")
    assert "try again in 57 minutes" in limited.value.message
    assert auth.request_reset(db, "owner@example.com", now=now + timedelta(minutes=61), client_ip="10.0.0.9")


@pytest.mark.usefixtures("cheap_argon2")
def test_forgot_password_is_rate_limited_per_address_of_the_caller_for_unknown_emails_too(db, now):
    for i in range(10):
        assert auth.request_reset(db, f"nobody{i}@example.com", now=now, client_ip="203.0.113.5") is None
    with pytest.raises(RateLimited):
        auth.request_reset(db, "nobody99@example.com", now=now, client_ip="203.0.113.5")
    assert auth.request_reset(db, "nobody99@example.com", now=now, client_ip="198.51.100.7") is None


@pytest.mark.usefixtures("cheap_argon2")
def test_no_password_or_token_appears_in_the_logs(db, now, caplog):
    with _everything_logged(caplog):
        open_shop(db, now)
        session_token = auth.sign_in(db, "owner@example.com", PASSWORD, now=now)
        with pytest.raises(auth.DomainError):
            auth.sign_in(db, "owner@example.com", "wrong-password-typed", now=now)
        link = _reset_link(db, now)
        auth.check_reset_token(db, link, now=now)
        new_session = auth.reset_password(db, link, NEW_PASSWORD, NEW_PASSWORD, now=now)
        auth.store_for_token(db, new_session, now=now)
        auth.sign_out(db, new_session)
    logged = caplog.text + "\n".join(str(record.args) for record in caplog.records)
    assert "INSERT INTO owner_session" in logged  # the SQL was seen, parameters included
    for secret in (PASSWORD, "wrong-password-typed", NEW_PASSWORD, session_token, link, new_session):
        assert secret not in logged


@pytest.mark.usefixtures("cheap_argon2")
def test_a_lock_out_lasts_fifteen_minutes_from_the_fifth_failure_even_when_failures_were_spread_out(db, now):
    open_shop(db, now)
    for minute in (0, 3, 6, 9, 12):
        with pytest.raises(auth.DomainError, match="Wrong email or password"):
            auth.sign_in(db, "owner@example.com", "guess", now=now + timedelta(minutes=minute))
    for minute, wait in ((13, "14 minutes"), (16, "11 minutes"), (26, "1 minute")):
        with pytest.raises(RateLimited, match=f"try again in {wait}"):
            auth.sign_in(db, "owner@example.com", PASSWORD, now=now + timedelta(minutes=minute))
    assert auth.sign_in(db, "owner@example.com", PASSWORD, now=now + timedelta(minutes=27))


@pytest.mark.usefixtures("cheap_argon2")
def test_signing_in_to_a_closed_store_with_its_password_says_it_closed(db, now):
    store = open_shop(db, now)
    closing.close_store(db, store.id, now=now)
    with pytest.raises(NotAllowed, match="This store has closed"):
        auth.sign_in(db, "owner@example.com", PASSWORD, now=now)
    with pytest.raises(auth.DomainError, match="Wrong email or password"):  # no hint without it
        auth.sign_in(db, "owner@example.com", "not-the-password", now=now)
