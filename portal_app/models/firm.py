"""Firms (tenants) and their Client Portal settings."""

from datetime import datetime
from enum import Enum

from sqlmodel import Field, SQLModel

from portal_app.models.base import utcnow


class Plan(str, Enum):
    FREE = "free"
    STANDARD = "standard"
    PREMIUM = "premium"


class Firm(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    plan: str = Field(default=Plan.FREE.value, max_length=20)
    default_language: str = Field(default="pl", max_length=5)
    created_at: datetime = Field(default_factory=utcnow)


class PortalSettings(SQLModel, table=True):
    """One row per firm; `version` lets a save notice that someone else saved meanwhile."""

    __tablename__ = "portal_settings"

    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key="firm.id", unique=True)
    enabled: bool = False
    company_name: str = Field(default="", max_length=200)
    address: str | None = Field(default=None, max_length=50, unique=True)
    contact_email: str = Field(default="", max_length=320)
    logo_file: str | None = Field(default=None, max_length=100)
    version: int = 0
    updated_at: datetime = Field(default_factory=utcnow)
