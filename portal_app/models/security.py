"""Guards around portal sign-in: failed-login counters and password-reset links.

Both live in the database so every backend worker sees the same counters and links.
"""

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal_app.models.base import utcnow


class LoginThrottle(SQLModel, table=True):
    """Recent failures for one key: an account ("account:<firm>:<e-mail>") or a client IP ("ip:<address>")."""

    __tablename__ = "login_throttle"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=400, unique=True)
    failures: int = 0
    last_failure_at: datetime = Field(default_factory=utcnow)
    next_try_at: datetime | None = None
    locked_until: datetime | None = None


class PasswordReset(SQLModel, table=True):
    """A one-hour, single-use link to set a new portal password; only the SHA-256 of its token is kept."""

    __tablename__ = "password_reset"

    id: int | None = Field(default=None, primary_key=True)
    portal_user_id: int = Field(foreign_key="portal_user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
