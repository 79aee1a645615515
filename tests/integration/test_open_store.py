"""Opening a store and signing in, against a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from queue_app import domain
from queue_app.models import StoreStatus
from queue_app.services import auth, closing, stores
from queue_app.services.errors import DomainError, NotAllowed, RateLimited, ValidationError


def _form(email="Owner@Example.com", queues=("Haircut", "Color")):
    return domain.validate_store_form(email=email, password="secret123", confirm="secret123",
                                      name="Café Nord", queue_names=list(queues), timezone="Europe/Paris")


def test_open_store_creates_the_store_and_its_queues_with_prefixes(db, now):
    store = stores.open_store(db, _form(), now=now)
    assert store.email == "owner@example.com"
    assert store.closes_at == now + timedelta(hours=24)
    assert [(q.name, q.prefix) for q in stores.queues_of(db, store.id)] == [("Haircut", "A"), ("Color", "B")]


def test_a_second_open_store_with_the_same_email_is_refused_until_the_first_closes(db, now):
    first = stores.open_store(db, _form(), now=now)
    with pytest.raises(ValidationError) as refused:
        stores.open_store(db, _form(email="OWNER@example.com"), now=now)
    assert "already open" in refused.value.errors["email"]
    closing.close_store(db, first.id, now=now)
    second = stores.open_store(db, _form(), now=now)
    assert second.status is StoreStatus.OPEN and second.id != first.id


def test_sign_in_gives_a_token_that_identifies_the_store(db, now):
    store = stores.open_store(db, _form(), now=now)
    token = auth.sign_in(db, " OWNER@example.com ", "secret123", now=now)
    assert auth.store_for_token(db, token, now=now).id == store.id


def test_wrong_email_and_wrong_password_get_the_same_message(db, now):
    stores.open_store(db, _form(), now=now)
    with pytest.raises(DomainError) as wrong_password:
        auth.sign_in(db, "owner@example.com", "nope-nope", now=now)
    with pytest.raises(DomainError) as wrong_email:
        auth.sign_in(db, "nobody@example.com", "secret123", now=now)
    assert wrong_password.value.message == wrong_email.value.message == auth.WRONG_CREDENTIALS


def test_five_failures_lock_the_email_for_fifteen_minutes(db, now):
    stores.open_store(db, _form(), now=now)
    for second in range(5):
        with pytest.raises(DomainError):
            auth.sign_in(db, "owner@example.com", "wrong-password", now=now + timedelta(seconds=second))
    with pytest.raises(RateLimited) as locked:  # even the right password is refused now
        auth.sign_in(db, "owner@example.com", "secret123", now=now + timedelta(seconds=10))
    assert "try again in 15 minutes" in locked.value.message
    token = auth.sign_in(db, "owner@example.com", "secret123", now=now + timedelta(minutes=16))
    assert token


def test_a_closed_store_refuses_its_sign_in_tokens(db, now):
    store = stores.open_store(db, _form(), now=now)
    token = auth.sign_in(db, "owner@example.com", "secret123", now=now)
    closing.close_store(db, store.id, now=now)
    with pytest.raises(NotAllowed):
        auth.store_for_token(db, token, now=now)
