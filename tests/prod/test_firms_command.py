"""The onboarding command on an empty, freshly migrated database of each kind (issue 7)."""

import os
import subprocess
import sys

import pytest
from sqlmodel import Session, create_engine, select

from portal_app.models import Firm, StaffUser
from portal_app.services import identity, staff_signin
from portal_app.services.errors import ServiceError
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
    again = run_cli(db_url, *args, password=PASSWORD)
    assert again.returncode == 2
    assert "--admin-email: This e-mail address already belongs to a staff account." in again.stderr
    assert "Reading the password" not in again.stderr  # refused before a password is asked for
    weak = run_cli(db_url, *args[:-3], "ewa@nowa.example.com", "--admin-name", "Ewa", password="za-krótkie")
    assert weak.returncode == 2
    assert "password: Use at least 12 characters." in weak.stderr
    staff = run_cli(db_url, "add-staff", "--firm-id", "1", "--email", "piotr@nowa.example.com", "--name", "Piotr",
                    password=PASSWORD)
    assert staff.returncode == 0, staff.stderr
    huge = run_cli(db_url, "add-staff", "--firm-id", "99999999999999999999", "--email", "x@nowa.example.com",
                   "--name", "X", password=PASSWORD)
    assert (huge.returncode, huge.stderr.splitlines()[0]) == (2, "--firm-id: This item does not exist or is not available to you.")
    engine = create_engine(db_url)
    with Session(engine) as session:
        assert session.exec(select(Firm.name, Firm.plan)).all() == [("Kancelaria Nowa", "standard")]
        rows = session.exec(select(StaffUser.email, StaffUser.role).order_by(StaffUser.id)).all()
        assert rows == [("anna@nowa.example.com", "administrator"), ("piotr@nowa.example.com", "user")]
        assert staff_signin.sign_in(session, "piotr@nowa.example.com", PASSWORD, client_ip="10.1.1.3")
    engine.dispose()


def test_undecodable_password_bytes_are_a_named_refusal(empty_db):
    env = dict(os.environ, PORTAL_DATABASE_URL=empty_db)
    done = subprocess.run([sys.executable, "-m", "portal_app.services.firms", "create-firm", "--name", "Kancelaria Nowa",
                           "--admin-email", "anna@nowa.example.com", "--admin-name", "Anna Nowa"],
                          input=b"Rzeka-\xff\xfe-Wisla-2026\n", cwd=PROJECT_ROOT, env=env, capture_output=True, timeout=60)
    assert done.returncode == 2
    assert "password: This password holds characters that cannot be typed or stored" in done.stderr.decode()
    assert b"Traceback" not in done.stderr


def test_plan_change_password_reset_and_the_list(empty_db):
    create = run_cli(empty_db, "create-firm", "--name", "Kancelaria Nowa", "--admin-email", "anna@nowa.example.com",
                     "--admin-name", "Anna Nowa", password=PASSWORD)
    assert create.returncode == 0, create.stderr
    engine = create_engine(empty_db)
    with Session(engine) as session:
        old_token = staff_signin.sign_in(session, "anna@nowa.example.com", PASSWORD, client_ip="10.1.1.4")
    new_password = "Zimowy-Wieczór-Nad-Notecią-9"
    reset = run_cli(empty_db, "set-password", "--email", "ANNA@nowa.example.com", password=new_password)
    assert reset.returncode == 0, reset.stderr
    unknown = run_cli(empty_db, "set-password", "--email", "nikt@nowa.example.com", password=new_password)
    assert (unknown.returncode, unknown.stderr.splitlines()[0]) == (2, "--email: This item does not exist or is not available to you.")
    assert run_cli(empty_db, "set-plan", "--firm-id", "1", "--plan", "free", password="").returncode == 0
    listed = run_cli(empty_db, "list-firms", password="")
    assert listed.stdout.split() == ["1", "free", "portal", "off", "1", "staff", "Kancelaria", "Nowa"]
    with Session(engine) as session:
        assert identity.staff_for_token(session, old_token) is None  # the reset ended her session
        with pytest.raises(ServiceError):
            staff_signin.sign_in(session, "anna@nowa.example.com", PASSWORD, client_ip="10.1.1.4")
        assert staff_signin.sign_in(session, "anna@nowa.example.com", new_password, client_ip="10.1.1.4")
        assert session.exec(select(Firm.plan)).one() == "free"
    engine.dispose()
