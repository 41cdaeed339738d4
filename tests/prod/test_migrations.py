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


def test_contact_search_backfill_folds_existing_names(database):
    """Migration 0004 fills the folded search column of contacts created before it, on both databases."""
    from sqlalchemy import text

    cfg = alembic_config()
    command.upgrade(cfg, "0003_workspace")
    with engine().begin() as conn:
        conn.execute(text("INSERT INTO firm (id, name, plan, default_language, created_at) "
                          "VALUES (1, 'F', 'free', 'pl', '2026-01-01 00:00:00')"))
        for i, name in enumerate(("Łukasz Żółć", "Nowak-Kowalska S.A.", "Łódź"), start=1):
            conn.execute(text("INSERT INTO contact (id, firm_id, kind, name, email) VALUES (:i, 1, 'person', :n, '')"),
                         {"i": i, "n": name})
    command.upgrade(cfg, "head")
    with engine().connect() as conn:
        folded = conn.execute(text("SELECT search_name FROM contact ORDER BY id")).scalars().all()
        # byte order on both databases, whatever PostgreSQL's locale: a range is a prefix match
        ordered = conn.execute(text("SELECT search_name FROM contact WHERE search_name >= 'lo' AND search_name < 'lp'")).scalars().all()
    assert folded == ["lukasz zolc", "nowak kowalska s a", "lodz"]
    assert ordered == ["lodz"]
    command.downgrade(cfg, "0003_workspace")
    assert "search_name" not in {c["name"] for c in inspect(engine()).get_columns("contact")}
