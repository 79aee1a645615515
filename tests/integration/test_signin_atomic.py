"""Sign-in under pressure: the lock-out holds against parallel guesses, Argon2 holds no lock."""

from __future__ import annotations

import shutil
import sqlite3
import threading

import pytest
from sqlmodel import Session, select

from queue_app import domain
from queue_app.db import make_engine
from queue_app.models import Attempt, OwnerSession
from queue_app.services import auth, security, stores
from queue_app.services.errors import DomainError, RateLimited
from tests.integration.factories import PASSWORD, cheap_argon2, open_shop  # noqa: F401
from tests.integration.interleave import in_thread, wait_until

pytestmark = pytest.mark.usefixtures("cheap_argon2")
GUESSES = 20


def test_twenty_parallel_wrong_guesses_end_locked_and_then_the_right_password_is_refused(
        engine, db, now, monkeypatch):
    """Each guess is held inside the password check until all twenty got there (or 3 s passed).

    Counting after the check let all twenty through as "wrong password" and none locked.
    """
    open_shop(db, now)
    db.commit()
    checking, counting = [], threading.Lock()
    real_verify = auth.verify_password

    def slow_verify(password_hash, password):
        with counting:
            checking.append(password)
        # Fewer than twenty get this far when the rest were refused before the check.
        wait_until(lambda: len(checking) >= GUESSES, seconds=3)
        return real_verify(password_hash, password)

    monkeypatch.setattr(auth, "verify_password", slow_verify)
    guesses = [in_thread(engine, lambda s, i=i: auth.sign_in(
        s, "owner@example.com", f"wrong-{i:04d}", now=now, client_ip=f"10.0.0.{i}"))
        for i in range(GUESSES)]
    outcomes = []
    for guess in guesses:
        try:
            guess.result(timeout=60)
            outcomes.append("signed in")
        except RateLimited:
            outcomes.append("locked")
        except DomainError as error:
            outcomes.append(error.message)
    assert outcomes.count(auth.WRONG_CREDENTIALS) == 5
    assert outcomes.count("locked") == GUESSES - 5
    monkeypatch.setattr(auth, "verify_password", real_verify)
    with pytest.raises(RateLimited):
        auth.sign_in(db, "owner@example.com", PASSWORD, now=now, client_ip="10.0.1.1")
    assert db.exec(select(OwnerSession)).all() == []


def test_a_right_password_uncounts_its_attempt_and_clears_the_failures(db, now):
    open_shop(db, now)
    for _ in range(4):
        with pytest.raises(DomainError):
            auth.sign_in(db, "owner@example.com", "wrong-pass", now=now, client_ip="10.0.0.1")
    auth.sign_in(db, "owner@example.com", PASSWORD, now=now, client_ip="10.0.0.1")
    keys = sorted(db.exec(select(Attempt.key).where(Attempt.key.startswith("signin"))).all())
    assert keys == ["signin-ip:10.0.0.1"] * 4  # only the four failures, by caller


def test_an_overlong_or_odd_email_at_sign_in_is_a_wrong_password_not_a_database_error(db, now):
    open_shop(db, now)
    for email in ("a" * 300 + "@example.com", "x@" + "b" * 400 + ".com", ["owner@example.com"],
                  "\ud800@example.com", None):
        with pytest.raises(DomainError, match="Wrong email or password"):
            auth.sign_in(db, email, PASSWORD + "\ud800", now=now, client_ip="9" * 400)


@pytest.fixture
def sqlite_engine(sqlite_template, tmp_path, monkeypatch):
    path = tmp_path / "queue.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine, path
    engine.dispose()


def _writer_can_start(path) -> bool:
    """Whether another connection could take SQLite's write lock right now (without waiting)."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def test_argon2_never_runs_inside_a_transaction_so_other_writers_never_wait_for_it(
        sqlite_engine, now, monkeypatch):
    engine, path = sqlite_engine
    free_while_hashing = []
    real = security._hasher  # noqa: SLF001

    class Watching:
        def hash(self, password):
            free_while_hashing.append(("hash", _writer_can_start(path)))
            return real.hash(password)

        def verify(self, stored, password):
            free_while_hashing.append(("verify", _writer_can_start(path)))
            return real.verify(stored, password)

    monkeypatch.setattr(security, "_hasher", Watching())
    form = domain.validate_store_form(email="owner@example.com", password=PASSWORD, confirm=PASSWORD,
                                      name="Shop", queue_names=["Main"], timezone="UTC")
    with Session(engine, expire_on_commit=False) as db:
        stores.open_store(db, form, now=now)  # hash
        with pytest.raises(DomainError):
            auth.sign_in(db, "owner@example.com", "wrong-pass", now=now)  # verify
        auth.sign_in(db, "owner@example.com", PASSWORD, now=now)  # verify
        _, link = auth.request_reset(db, "owner@example.com", now=now)
        auth.reset_password(db, link, "brand-new-pass", "brand-new-pass", now=now)  # hash
    assert free_while_hashing == [("hash", True), ("verify", True), ("verify", True), ("hash", True)]
