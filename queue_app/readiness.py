"""Is this process ready for traffic? Database, schema version, Redis and the scheduler thread.

Liveness (`/healthz`) only says the process answers; readiness (`/readyz`) says it can do its
work, so a load balancer stops sending it requests (and Kubernetes stops routing to the pod)
while one of these is failing, without restarting it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from queue_app.config import ROOT

log = logging.getLogger("queue_app.readiness")
OK = "ok"


@cache
def migration_heads() -> frozenset[str]:
    """The revisions `alembic upgrade head` leads to (read from the migration scripts once)."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def check_database(engine: sa.Engine) -> str:
    """`ok`, or why not: unreachable, or its schema is not at the migrations' head."""
    try:
        with engine.execution_options(queue_readonly=True).connect() as connection:  # no write lock
            connection.execute(sa.text("SELECT 1"))
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
    except sa.exc.SQLAlchemyError as error:
        return f"database unreachable ({type(getattr(error, 'orig', None) or error).__name__})"
    if current != migration_heads():
        at = ", ".join(sorted(current)) or "none"
        return f"migrations not at head (database at {at}, code at {', '.join(sorted(migration_heads()))})"
    return OK


def check_redis(url: str) -> str:
    import redis  # noqa: PLC0415

    try:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
    except redis.RedisError as error:
        return f"redis unreachable ({type(error).__name__})"
    return OK


def check_scheduler(alive: bool | None) -> str:
    if alive is None:
        return "off (QUEUE_SCHEDULER=off)"
    return OK if alive else "scheduler thread not running"


def readiness(engine: sa.Engine, *, redis_url: str, scheduler_alive: Callable[[], bool | None]
              ) -> tuple[bool, dict[str, str]]:
    """(ready?, check → `ok` or the reason); a scheduler switched off does not make it unready."""
    checks = {"database": check_database(engine)}
    if redis_url:
        checks["redis"] = check_redis(redis_url)
    checks["scheduler"] = check_scheduler(scheduler_alive())
    failing = {name: reason for name, reason in checks.items()
               if reason != OK and not reason.startswith("off")}
    if failing:
        log.warning("not ready: %s", "; ".join(f"{name}: {why}" for name, why in failing.items()))
    return not failing, checks
