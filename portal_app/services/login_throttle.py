"""Failed portal sign-ins slow down and then lock, per account and per client IP (CP-4).

Counters live in the database (table login_throttle) so several backend workers share them.
Unknown e-mail addresses get counters too: an attacker cannot tell them from real accounts.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal_app.models import LoginThrottle
from portal_app.services.errors import ServiceError


@dataclass(frozen=True)
class Policy:
    slow_after: int  # failures after which every next try must wait
    lock_after: int  # failures that lock the key for LOCK_FOR
    lock_key: str  # message shown while locked


ACCOUNT = Policy(slow_after=3, lock_after=5, lock_key="login.locked")
CLIENT_IP = Policy(slow_after=20, lock_after=50, lock_key="login.ip_locked")
LOCK_FOR = timedelta(minutes=15)
FORGET_AFTER = timedelta(minutes=30)
MAX_WAIT = timedelta(seconds=30)
KEY_MAX = 400


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=timezone.utc)


def account_key(firm_id: int, email: str) -> str:
    return f"account:{firm_id}:{(email or '').strip().lower()}"[:KEY_MAX]


def ip_key(client_ip: str) -> str:
    return f"ip:{client_ip or 'unknown'}"[:KEY_MAX]


def _row(session: Session, key: str) -> LoginThrottle | None:
    return session.exec(select(LoginThrottle).where(LoginThrottle.key == key)).first()


def check(session: Session, keys: list[tuple[str, Policy]], now: datetime) -> None:
    """Refuse the attempt before any password is checked when a key is locked or must still wait.

    Raises ServiceError with the policy's lock message, or "login.wait" with `seconds`.
    """
    wait = timedelta(0)
    for key, policy in keys:
        row = _row(session, key)
        if row is None:
            continue
        locked_until = _aware(row.locked_until)
        if locked_until and now < locked_until:
            raise ServiceError(policy.lock_key, minutes=max(1, -(-int((locked_until - now).total_seconds()) // 60)))
        next_try = _aware(row.next_try_at)
        if next_try and now < next_try:
            wait = max(wait, next_try - now)
    if wait:
        raise ServiceError("login.wait", seconds=max(1, -(-int(wait.total_seconds() * 1000) // 1000)))


def record_failure(session: Session, keys: list[tuple[str, Policy]], now: datetime) -> list[str]:
    """Count one failure on every key; returns the keys that became locked by it. Commits."""
    session.exec(  # forget keys long quiet, so made-up addresses cannot grow the table for ever
        delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - FORGET_AFTER - LOCK_FOR)
    )
    newly_locked = []
    for key, policy in keys:
        row = _row(session, key)
        if row is None:
            row = LoginThrottle(key=key, failures=0, last_failure_at=now)
            session.add(row)
            try:
                session.commit()
            except IntegrityError:  # another worker created it meanwhile
                session.rollback()
                row = _row(session, key)
        elif now - _aware(row.last_failure_at) > FORGET_AFTER and not (
            row.locked_until and now < _aware(row.locked_until)
        ):
            row.failures, row.locked_until, row.next_try_at = 0, None, None
            session.add(row)
            session.commit()
        session.exec(
            update(LoginThrottle)
            .where(LoginThrottle.id == row.id)
            .values(failures=LoginThrottle.failures + 1, last_failure_at=now)
        )
        session.commit()
        session.refresh(row)
        if row.failures >= policy.lock_after:
            if not (row.locked_until and now < _aware(row.locked_until)):
                newly_locked.append(key)
            row.locked_until, row.next_try_at = now + LOCK_FOR, None
        elif row.failures >= policy.slow_after:
            row.next_try_at = now + min(timedelta(seconds=2 ** (row.failures - policy.slow_after)), MAX_WAIT)
        session.add(row)
        session.commit()
    return newly_locked


def clear(session: Session, key: str) -> None:
    """Forget the failures of a key (a successful sign-in or a password reset)."""
    row = _row(session, key)
    if row is not None:
        session.delete(row)
        session.commit()
