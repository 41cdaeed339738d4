"""People: staff of a firm, the firm's contacts (clients) and client portal accounts."""

from datetime import datetime
from enum import Enum

from sqlalchemy import Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.models.base import utcnow, version_column


class Role(str, Enum):
    ADMINISTRATOR = "administrator"
    USER = "user"


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key="firm.id", index=True)
    email: str = Field(max_length=320, unique=True)
    name: str = Field(max_length=200)
    role: str = Field(default=Role.USER.value, max_length=20)
    password_hash: str = Field(max_length=100)
    language: str = Field(default="pl", max_length=5)
    timezone: str = Field(default="Europe/Warsaw", max_length=64)


# Byte (code point) order on PostgreSQL whatever the database's locale, as SQLite's BINARY: a range
# `>= prefix AND < next` is then exactly a prefix match, answered by the index.
SEARCH_TEXT = String(400).with_variant(String(400, collation="C"), "postgresql")


_contact_version = version_column()


class Contact(SQLModel, table=True):
    """A client of the firm; `search_name` is `services.search_text.fold(name)`, kept by its writers."""

    __table_args__ = (
        Index("ix_contact_firm_search", "firm_id", "search_name"),
        Index("ix_contact_firm_email", "firm_id", "email"),
    )

    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key="firm.id", index=True)
    kind: str = Field(default="company", max_length=20)
    name: str = Field(max_length=200)
    email: str = Field(default="", max_length=320)
    archived_at: datetime | None = None
    search_name: str = Field(default="", sa_type=SEARCH_TEXT)
    version: int = Field(default=1, sa_column=_contact_version)

    __mapper_args__ = {"version_id_col": _contact_version}


class PortalUser(SQLModel, table=True):
    """A client's account in one firm's portal; the e-mail is stored in canonical form."""

    __tablename__ = "portal_user"
    __table_args__ = (UniqueConstraint("firm_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key="firm.id", index=True)
    email: str = Field(max_length=320)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    password_hash: str = Field(max_length=100)
    language: str = Field(default="pl", max_length=5)
    timezone: str = Field(default="UTC", max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class AuthSession(SQLModel, table=True):
    """A signed-in browser: only the SHA-256 of its random secret is kept."""

    __tablename__ = "auth_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=10)
    staff_user_id: int | None = Field(default=None, foreign_key="staff_user.id", index=True)
    portal_user_id: int | None = Field(default=None, foreign_key="portal_user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
