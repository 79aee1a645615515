"""The schema lives in Alembic: a blank database upgraded to head is exactly `SQLModel.metadata`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import queue_app.models  # noqa: F401  (registers every table on the metadata)
from alembic import command
from queue_app.config import ROOT
from queue_app.db import make_engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def blank_url(request, tmp_path) -> Iterator[str]:
    """The URL of an empty database of its own (not the shared, already migrated test tables).

    On PostgreSQL that is a fresh schema first on the `search_path`: creating a whole database
    costs seconds here, a schema milliseconds, and Alembic sees an empty database either way.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    url = sa.engine.make_url(request.getfixturevalue("postgres_database"))
    schema = f"blank_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    yield url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()


def _alembic(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser escaping
    return config


def _differences(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_a_blank_database_upgraded_to_head_matches_the_models(blank_url):
    command.upgrade(_alembic(blank_url), "head")
    assert _differences(blank_url) == []
    assert _tables(blank_url) == set(SQLModel.metadata.tables)


def test_downgrade_to_base_then_upgrade_to_head_works(blank_url):
    config = _alembic(blank_url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    assert _tables(blank_url) == set()
    missing = {diff[1].name for diff in _differences(blank_url) if diff[0] == "add_table"}
    assert missing == set(SQLModel.metadata.tables)  # the comparison does notice a difference
    command.upgrade(config, "head")
    assert _differences(blank_url) == []
