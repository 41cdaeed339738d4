"""Shared fixtures: a fresh database migrated by the real migrations, before the app is imported."""

import os
import shutil
import tempfile
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="portal-test-"))
os.environ.setdefault("PORTAL_DATABASE_URL", f"sqlite:///{_TMP / 'unit.db'}")
os.environ.setdefault("PORTAL_DATA_DIR", str(_TMP / "data"))
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")

import pytest  # noqa: E402
from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

from portal_app.db import engine  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared"
LOGOS = SHARED / "testdata" / "logos"


def add(session, row):
    """Store one row and hand it back with its id, for tests that build their data by hand."""
    session.add(row)
    session.commit()
    return row


def alembic_config() -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.attributes["configure_logger"] = False
    return cfg


@pytest.fixture(scope="session")
def migrated_db():
    """The unit-test database, migrated once per run."""
    command.upgrade(alembic_config(), "head")
    return engine()


@pytest.fixture
def session(migrated_db):
    """A session whose changes are wiped after the test (tables emptied, schema kept)."""
    with Session(migrated_db, expire_on_commit=False) as s:
        yield s
    with migrated_db.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())


# One Chromium for every suite: Playwright's sync API allows a single instance per process.
@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    exe = shutil.which("chromium")
    if exe is None:
        pytest.fail("chromium is not installed: run scripts/ensure_chromium.sh (make test does)")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=exe,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        )
        yield b
        b.close()
