"""The one database engine and `session()`; SQLite gets WAL and foreign keys on every connection."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from queue_app import metrics
from queue_app.config import settings

# A pooled PostgreSQL connection idle for longer than this is pinged before it is handed out (a
# database restart leaves dead connections in the pool). One in steady use is not: the ping cost a
# quarter of a millisecond of CPU per session, four sessions per join (py-spy, docs/performance.md
# "Sixth round"). A connection that died within the last second fails its one statement, and the
# pool then drops every connection made before it (SQLAlchemy's disconnect handling).
IDLE_PING_S = 1.0


def make_engine(url: str, *, idle_ping_s: float = IDLE_PING_S) -> sa.Engine:
    """Create an engine with the pragmas and pool settings this app needs.

    `hide_parameters`: a database error never carries names, phones or token hashes into a log.
    """
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg2://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                                  hide_parameters=True)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    made = sa.create_engine(url, pool_size=10, max_overflow=20, hide_parameters=True)
    sa.event.listen(made, "checkin", _note_return)
    sa.event.listen(made, "checkout", _ping_if_idle(made.dialect, idle_ping_s))
    return made


def _note_return(_dbapi_connection, record) -> None:
    if record is not None:
        record.info["returned_at"] = time.monotonic()


def _ping_if_idle(dialect, idle_s: float):
    """A checkout hook: ping a connection that sat in the pool for `idle_s` or longer.

    A new connection has never been returned and is not pinged. A failed ping drops the whole
    pool (a restarted database killed them all); the pool then connects afresh.
    """
    def ping(dbapi_connection, record, _proxy) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < idle_s:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            raise sa.exc.InvalidatePoolError("idle connection is gone") from error
        if not alive:
            raise sa.exc.InvalidatePoolError("idle connection is gone")
    return ping


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # let the "begin" hook issue BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(connection) -> None:
    # Take the write lock at BEGIN: read-then-write transactions never fail on lock upgrade.
    # Read-only sessions (`read_session`) begin deferred, so under WAL they never wait for writers.
    readonly = connection.get_execution_options().get("queue_readonly", False)
    connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


@cache
def engine() -> sa.Engine:
    """The process-wide engine for the configured database (its pool use is a metric)."""
    made = make_engine(settings.database_url)
    metrics.watch_pool(made)
    return made


@contextlib.contextmanager
def session() -> Iterator[Session]:
    """A session on the app's engine; services commit it themselves."""
    with Session(engine(), expire_on_commit=False) as db:
        yield db


@contextlib.contextmanager
def read_session() -> Iterator[Session]:
    """A session for reads only (snapshots for live views): never takes SQLite's write lock."""
    bind = engine().execution_options(queue_readonly=True)
    with Session(bind, expire_on_commit=False) as db:
        yield db


def is_postgres(db: Session) -> bool:
    """Whether this session talks to PostgreSQL (for SKIP LOCKED and friends)."""
    return db.get_bind().dialect.name == "postgresql"
