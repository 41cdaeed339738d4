"""Staff sign-in behind the same brute-force brake as the portal: per account and per client IP.

The counters are the portal's (table login_throttle, services/login_throttle.py) under their own
`staff:` account keys; the client-IP key is shared, so one network guessing at both doors is
slowed down at both. Staff have no self-service reset link, so the lock message says only wait.
"""

from datetime import datetime

from sqlmodel import Session

from portal_app.models.base import utcnow
from portal_app.services import identity, login_throttle, staff
from portal_app.services.errors import ServiceError

STAFF_ACCOUNT = login_throttle.Policy(slow_after=3, lock_after=5, lock_key="login.staff_locked")


def account_key(email: str) -> str:
    try:
        canonical = identity.canonical_email(email)
    except ServiceError:
        canonical = (email or "").strip().lower()
    return f"staff:{canonical}"[: login_throttle.KEY_MAX]


def sign_in(session: Session, email: str, password: str, *, client_ip: str = "", now: datetime | None = None) -> str:
    """A new session secret for these credentials. Slow (bcrypt): call it off the event loop.

    Raises ServiceError("login.failed") for any wrong e-mail or password, or the brake's
    "login.wait" / "login.staff_locked" / "login.ip_locked" before any password is checked.
    """
    now = now or utcnow()
    keys = [(account_key(email), STAFF_ACCOUNT), (login_throttle.ip_key(client_ip), login_throttle.CLIENT_IP)]
    login_throttle.check(session, keys, now)
    try:
        user_id = staff.login(session, email, password)
    except ServiceError:
        if login_throttle.record_failure(session, keys, now):
            login_throttle.check(session, keys, now)
        raise
    login_throttle.clear(session, keys[0][0])
    return identity.start_session(session, staff_user_id=user_id)
