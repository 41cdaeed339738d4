"""Matters (sprawy) and the time logged on them."""

from datetime import date

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from portal_app.models.base import version_column

_matter_version = version_column()


class Matter(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key="firm.id", index=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    number: str = Field(max_length=50)
    title: str = Field(max_length=300)
    status: str = Field(default="open", max_length=20)
    version: int = Field(default=1, sa_column=_matter_version)

    __mapper_args__ = {"version_id_col": _matter_version}


_time_entry_version = version_column()


class TimeEntry(SQLModel, table=True):
    __tablename__ = "time_entry"
    __table_args__ = (Index("ix_time_entry_matter_date", "matter_id", "work_date"),)

    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key="firm.id", index=True)
    matter_id: int = Field(foreign_key="matter.id")
    staff_user_id: int = Field(foreign_key="staff_user.id")
    work_date: date
    minutes: int
    description: str = Field(default="", max_length=1000)
    billable: bool = True
    version: int = Field(default=1, sa_column=_time_entry_version)

    __mapper_args__ = {"version_id_col": _time_entry_version}


class MatterMonthTime(SQLModel, table=True):
    """Minutes and entries per matter and calendar month, kept by database triggers on time_entry.

    The client's hour widgets and time-entry counts read these few rows instead of summing every
    entry (a large client has 100,000). Triggers rather than service code keep it exact whatever
    writes time entries: the workspace, demo data, bulk loads, a console. Migration 0004 owns them.
    """

    __tablename__ = "matter_month_time"

    matter_id: int = Field(foreign_key="matter.id", primary_key=True)
    month: date = Field(primary_key=True)
    minutes: int = 0
    entries: int = 0
