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


def test_monthly_time_totals_are_backfilled_and_kept_by_triggers(database):
    """Migration 0004 fills matter_month_time from existing entries; its triggers keep it on both databases."""
    from datetime import date

    from sqlmodel import Session, select

    from portal_app.models import Contact, Firm, Matter, MatterMonthTime, StaffUser, TimeEntry

    cfg = alembic_config()
    command.upgrade(cfg, "head")
    with Session(engine()) as s:
        firm = Firm(name="Kancelaria")
        s.add(firm)
        s.flush()
        staff = StaffUser(firm_id=firm.id, email="a@firm.example.com", name="A", password_hash="x")
        client = Contact(firm_id=firm.id, name="Budmax")
        s.add_all([staff, client])
        s.flush()
        m1, m2 = (Matter(firm_id=firm.id, contact_id=client.id, number=n, title=n) for n in ("M1", "M2"))
        s.add_all([m1, m2])
        s.flush()
        ids = dict(firm_id=firm.id, staff_user_id=staff.id)
        s.add_all([TimeEntry(matter_id=m1.id, work_date=date(2026, 1, d), minutes=d, **ids) for d in (1, 15, 31)])
        s.add(TimeEntry(matter_id=m2.id, work_date=date(2026, 2, 1), minutes=7, **ids))
        s.commit()
        matter_ids = (m1.id, m2.id)

    def rollup() -> dict:
        with Session(engine()) as s:
            return {(r.matter_id, r.month): (r.minutes, r.entries)
                    for r in s.exec(select(MatterMonthTime)).all() if r.entries}

    january, february = date(2026, 1, 1), date(2026, 2, 1)
    expected = {(matter_ids[0], january): (47, 3), (matter_ids[1], february): (7, 1)}
    assert rollup() == expected
    command.downgrade(cfg, "0003_workspace")
    command.upgrade(cfg, "head")
    assert rollup() == expected, "the backfill of an existing firm"
    with Session(engine()) as s:
        first = s.exec(select(TimeEntry).where(TimeEntry.minutes == 1)).one()
        first.work_date, first.matter_id, first.minutes = date(2026, 2, 28), matter_ids[1], 3
        s.add(first)
        s.delete(s.exec(select(TimeEntry).where(TimeEntry.minutes == 31)).one())
        s.commit()
    assert rollup() == {(matter_ids[0], january): (15, 1), (matter_ids[1], february): (10, 2)}


def test_contact_search_backfill_folds_existing_names(database):
    """Migration 0005 fills the folded search column of contacts created before it, on both databases."""
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
