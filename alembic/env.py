"""Alembic environment bound to `SQLModel.metadata` and the app's database URL."""

from alembic import context
from sqlmodel import SQLModel

import queue_app.models  # noqa: F401  (registers every table on the metadata)
from queue_app.db import make_engine
from queue_app.config import settings

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connectable = context.config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    url = context.config.get_main_option("sqlalchemy.url") or settings.database_url
    engine = make_engine(url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Replicas that start together migrate one after the other (released at commit).
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7270301)")
        context.run_migrations()


run_migrations()
