"""The onboarding command on an empty, freshly migrated database of each kind (issue 7)."""

import os
import subprocess
import sys

import pytest
from sqlmodel import Session, create_engine, select

from portal_app.models import Firm, StaffUser
from portal_app.services import staff_signin
from tests.conftest import PROJECT_ROOT

PASSWORD = "Granatowy-Latawiec-Nad-Odrą-7"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request, tmp_path):
    """The URL of an empty database of each kind, migrated by the real migrations."""
    url = f"sqlite:///{tmp_path / 'prod.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    env = dict(os.environ, PORTAL_DATABASE_URL=url)
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)
    return url


def run_cli(db_url: str, *args: str, password: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PORTAL_DATABASE_URL=db_url)
    return subprocess.run([sys.executable, "-m", "portal_app.services.firms", *args], input=password + "\n",
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_the_command_creates_a_firm_in_an_empty_database_and_refuses_a_second_with_the_same_admin(empty_db):
    db_url = empty_db
    args = ("create-firm", "--name", "Kancelaria Nowa", "--plan", "standard", "--admin-email", "anna@nowa.example.com",
            "--admin-name", "Anna Nowa")
    done = run_cli(db_url, *args, password=PASSWORD)
    assert done.returncode == 0, done.stderr
    assert "Firm 1 created" in done.stdout
    again = run_cli(db_url, *args, password="za-krótkie")
    assert again.returncode == 2
    assert "email: This e-mail address already belongs to a staff account." in again.stderr
    assert "password: Use at least 12 characters." in again.stderr
    staff = run_cli(db_url, "add-staff", "--firm-id", "1", "--email", "piotr@nowa.example.com", "--name", "Piotr",
                    password=PASSWORD)
    assert staff.returncode == 0, staff.stderr
    engine = create_engine(db_url)
    with Session(engine) as session:
        assert session.exec(select(Firm.name, Firm.plan)).all() == [("Kancelaria Nowa", "standard")]
        rows = session.exec(select(StaffUser.email, StaffUser.role).order_by(StaffUser.id)).all()
        assert rows == [("anna@nowa.example.com", "administrator"), ("piotr@nowa.example.com", "user")]
        assert staff_signin.sign_in(session, "piotr@nowa.example.com", PASSWORD, client_ip="10.1.1.3")
    engine.dispose()
