"""Staff sign-in brake and the backend's verdict on failed events (issue 6)."""

from datetime import timedelta

import pytest

from portal_app.event_errors import raised_in_app_code
from portal_app.models import Firm, StaffUser
from portal_app.models.base import utcnow
from portal_app.services import identity, passwords, staff_signin
from portal_app.services.errors import ServiceError
from portal_app.services.login_throttle import CLIENT_IP, LOCK_FOR

PASSWORD = "Granatowy-Latawiec-Nad-Odrą-7"


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch):
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def lawyer(session):
    firm = Firm(name="Kancelaria Testowa", plan="premium")
    session.add(firm)
    session.flush()
    user = StaffUser(firm_id=firm.id, email="prawnik@testowa.example.com", name="Prawnik",
                     role="user", password_hash=passwords.hash_password(PASSWORD))
    session.add(user)
    session.commit()
    return user


def attempt(session, password, *, email="prawnik@testowa.example.com", ip="10.0.0.1", now=None) -> str:
    try:
        return staff_signin.sign_in(session, email, password, client_ip=ip, now=now)
    except ServiceError as exc:
        return exc.key


def test_right_password_opens_a_session(session, lawyer):
    token = attempt(session, PASSWORD)
    assert identity.staff_for_token(session, token).user_id == lawyer.id


def test_failures_slow_down_then_lock_even_the_right_password(session, lawyer):
    now = utcnow()
    keys = []
    for i in range(staff_signin.STAFF_ACCOUNT.lock_after):
        keys.append(attempt(session, f"zgadywane-{i}", now=now + timedelta(minutes=i)))
    assert keys[:3] == ["login.failed"] * 3
    assert attempt(session, PASSWORD, now=now + timedelta(minutes=5)) == "login.staff_locked"
    later = now + timedelta(minutes=5) + LOCK_FOR
    assert attempt(session, PASSWORD, now=later) not in ("login.staff_locked", "login.failed", "login.wait")


def test_too_soon_after_failures_must_wait(session, lawyer):
    now = utcnow()
    for i in range(staff_signin.STAFF_ACCOUNT.slow_after):
        attempt(session, f"zgadywane-{i}", now=now)
    assert attempt(session, PASSWORD, now=now) == "login.wait"


def test_one_address_guessing_many_accounts_is_braked(session, lawyer):
    now = utcnow()
    for i in range(CLIENT_IP.slow_after):
        attempt(session, "x", email=f"nikt{i}@testowa.example.com", now=now)
    assert attempt(session, PASSWORD, now=now) == "login.wait"
    assert attempt(session, PASSWORD, ip="10.0.0.2", now=now) not in ("login.wait", "login.failed")


def test_account_keys_ignore_case_and_spaces():
    assert staff_signin.account_key("  Prawnik@Testowa.EXAMPLE.com ") == staff_signin.account_key("prawnik@testowa.example.com")


def test_failures_inside_app_code_are_told_apart():
    """A stranger's malformed event fails outside portal_app (quiet); our bug fails inside (logged)."""
    with pytest.raises(TypeError) as outside:
        int([])
    assert not raised_in_app_code(outside.value)
    with pytest.raises(AttributeError) as inside:
        staff_signin.sign_in(None, "a@b.example.com", "x")
    assert raised_in_app_code(inside.value)
