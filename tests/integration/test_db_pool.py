"""The PostgreSQL pool after the database dropped its connections (a restart, an admin's kill).

A connection idle in the pool for `idle_ping_s` or longer is pinged before it is handed out, so
a session after a quiet spell never gets a dead one; a connection in steady use is not pinged
(that ping cost a quarter of a millisecond per session), and one killed within that window fails
its one statement, after which the pool connects afresh.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from queue_app.db import make_engine

pytestmark = pytest.mark.postgres


def _backend(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


def _kill(url: str, pid: int) -> None:
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        assert connection.exec_driver_sql(f"SELECT pg_terminate_backend({pid})").scalar_one()
    admin.dispose()


def test_an_idle_connection_killed_by_the_database_is_replaced_before_use(postgres_database):
    engine = make_engine(postgres_database, idle_ping_s=0.0)  # every returned connection is "idle"
    try:
        first = _backend(engine)
        _kill(postgres_database, first)
        assert _backend(engine) != first  # pinged, found dead, replaced: the caller saw nothing
    finally:
        engine.dispose()


def test_a_connection_in_steady_use_is_not_pinged_and_the_pool_recovers_after_one_failure(
        postgres_database):
    engine = make_engine(postgres_database, idle_ping_s=3600.0)
    try:
        first = _backend(engine)
        _kill(postgres_database, first)
        with pytest.raises(sa.exc.OperationalError):  # no ping: handed out as it was
            _backend(engine)
        assert _backend(engine) != first  # the pool dropped it and connected afresh
    finally:
        engine.dispose()


def test_a_fresh_connection_is_not_pinged(postgres_database):
    pings = []
    engine = make_engine(postgres_database, idle_ping_s=0.0)
    real = engine.dialect.do_ping
    engine.dialect.do_ping = lambda connection: pings.append(1) or real(connection)
    try:
        _backend(engine)
        assert pings == []  # a new connection: nothing to check
        _backend(engine)
        assert pings == [1]  # returned and taken again: checked once
    finally:
        engine.dispose()
