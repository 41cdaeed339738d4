"""The migration chain runs up, down and up again on SQLite and PostgreSQL, ending at the models."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import portal_app.models  # noqa: F401  (registers every table)
from portal_app.db import engine
from tests.conftest import alembic_config


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path, monkeypatch):
    """The URL of an empty database of each kind, set as the app's database for alembic."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'chain.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    monkeypatch.setenv("PORTAL_DATABASE_URL", url)
    return url


def _tables() -> set[str]:
    return set(inspect(engine()).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(database):
    cfg = alembic_config()
    command.upgrade(cfg, "head")
    assert _tables() == set(SQLModel.metadata.tables)
    command.downgrade(cfg, "base")
    assert _tables() == set()
    command.upgrade(cfg, "head")
    assert _tables() == set(SQLModel.metadata.tables)


def test_migrated_schema_matches_models(database):
    command.upgrade(alembic_config(), "head")
    with engine().connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diffs == []
