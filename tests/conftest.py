"""Shared fixtures: a migrated database per test (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.config import Config
from sqlmodel import Session, SQLModel

from alembic import command
from queue_app import clock as app_clock
from queue_app.config import ROOT
from queue_app.db import make_engine

POSTGRES_URL = os.environ.get("QUEUE_TEST_POSTGRES_URL", "")
REDIS_URL = os.environ.get("QUEUE_TEST_REDIS_URL", "")
REQUIRE_SERVICES = os.environ.get("QUEUE_TEST_REQUIRE_SERVICES") == "1"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # the instant every test starts at, whatever today is


def migrate(url: str) -> None:
    """`alembic upgrade head` on `url`, exactly as the start script runs it."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "head")


def require_service(url: str, variable: str) -> str:
    """`url`; without it, fail in CI (every service is required there) or skip on a user's machine."""
    if not url:
        if REQUIRE_SERVICES:
            pytest.fail(f"{variable} is required in CI", pytrace=False)
        pytest.skip(f"this test needs {variable}")
    return url


def _check_reachable(url: str, name: str) -> None:
    try:
        engine = sa.create_engine(url)
        with engine.connect():
            pass
        engine.dispose()
    except sa.exc.OperationalError as error:
        if REQUIRE_SERVICES:
            pytest.fail(f"{name} at {url} is unreachable and CI requires it: {error}", pytrace=False)
        pytest.skip(f"{name} unreachable: {error}")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated to head, dropped at the end."""
    require_service(POSTGRES_URL, "QUEUE_TEST_POSTGRES_URL")
    _check_reachable(POSTGRES_URL, "PostgreSQL")
    name = f"queue_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    migrate(url)
    yield url
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _truncate(engine: sa.Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request, tmp_path) -> Iterator[sa.Engine]:
    """A migrated, empty database engine: each test runs on SQLite, and on PostgreSQL too."""
    if request.param == "sqlite":
        path = tmp_path / "queue.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        engine = make_engine(f"sqlite:///{path}")
    else:
        engine = make_engine(request.getfixturevalue("postgres_database"))
        _truncate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture(autouse=True)
def clock():
    """The app's clock, frozen at NOW for every test; `clock.freeze()` / `clock.advance()` move it.

    Services, handlers, jobs and views all read `queue_app.clock.utcnow()`, so a test never
    depends on the date it runs on. (Servers started as subprocesses keep the real clock.)
    """
    app_clock.freeze(NOW)
    yield app_clock
    app_clock.thaw()


@pytest.fixture
def now(clock) -> datetime:
    """"Now" as the app sees it in this test."""
    return clock.utcnow()


def run_async(coro):
    """Run a coroutine to completion in a thread of its own.

    Playwright's sync API keeps an event loop running in the main thread while the browser
    fixtures live, so `asyncio.run` cannot be called there directly.
    """
    import asyncio
    import contextvars
    from concurrent.futures import ThreadPoolExecutor

    context = contextvars.copy_context()  # Reflex keeps its registries in context variables
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(context.run, asyncio.run, coro).result()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Fast tests first; the browser tests (slow, one server for all) last."""
    items.sort(key=lambda item: "/tests/e2e/" in str(item.fspath) or "e2e" in item.keywords)
