"""Time logged on a matter: duration typed the way lawyers type it, own entries editable."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import case, func
from sqlmodel import Session, select

from portal_app.models import Matter, StaffUser, TimeEntry
from portal_app.services.client_portal import today_for
from portal_app.services.errors import FieldErrors, NotAllowed
from portal_app.services.identity import StaffIdentity
from portal_app.services.workspace import Errors, audit, check_version, commit, firm_row, page_offset, parse_date, row_id, text

PAGE_SIZE = 25
MAX_MINUTES = 24 * 60

_CLOCK = re.compile(r"^(\d{1,2}):([0-5]\d)$")
_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*(godzin[ay]?|godz\.?|g|h|minut[ay]?|min\.?|m)?", re.IGNORECASE)


def parse_duration(raw: str) -> int:
    """Minutes in `1:30`, `1,5 h`, `1.5`, `90 min`, `2h 15m`; a bare number means hours.

    Raises ValueError when the text is not a duration or is outside 1 minute … 24 hours.
    """
    value = str(raw or "").strip().lower()
    if not value or len(value) > 30:
        raise ValueError(value)
    clock = _CLOCK.match(value)
    if clock:
        minutes = Decimal(int(clock.group(1)) * 60 + int(clock.group(2)))
    else:
        minutes, pos = Decimal(0), 0
        for match in _PART.finditer(value):
            if value[pos:match.start()].strip():
                raise ValueError(value)
            number, unit = match.group(1).replace(",", "."), (match.group(2) or "h")
            try:
                amount = Decimal(number)
            except InvalidOperation as exc:
                raise ValueError(value) from exc
            minutes += amount if unit.startswith("m") else amount * 60
            pos = match.end()
        if pos == 0 or value[pos:].strip():
            raise ValueError(value)
    whole = int(minutes.to_integral_value(rounding=ROUND_HALF_UP))
    if not 1 <= whole <= MAX_MINUTES:
        raise ValueError(value)
    return whole


def duration_input(minutes: int) -> str:
    """How an edit field shows a stored duration again (`1:30`)."""
    return f"{int(minutes) // 60}:{int(minutes) % 60:02d}"


@dataclass(frozen=True)
class TimeEntryRow:
    id: int
    work_date: date
    minutes: int
    description: str
    billable: bool
    staff_user_id: int
    staff_name: str


@dataclass(frozen=True)
class MatterTime:
    rows: list[TimeEntryRow]
    total: int
    minutes_total: int
    minutes_billable: int


def _fields(session: Session, staff: StaffIdentity, form: dict, now: datetime | None) -> tuple:
    errors: Errors = {}
    work_date = parse_date(form.get("work_date"), "work_date", errors)
    if work_date and work_date > today_for(staff.timezone, now):
        errors["work_date"] = ("ws.date_future", {})
    try:
        minutes = parse_duration(str(form.get("duration", ""))[:40])
    except ValueError:
        minutes = 0
        errors["duration"] = ("ws.duration_invalid", {})
    description = text(form.get("description"), "description", errors, max_len=1000)
    billable = str(form.get("billable", "")).lower() in ("on", "true", "1", "yes")
    who = staff.user_id
    raw_who = form.get("staff_user_id")
    if raw_who not in (None, "", str(staff.user_id), staff.user_id):
        if not staff.is_admin:
            errors["staff_user_id"] = ("ws.time_only_self", {})
        else:
            number = row_id(raw_who)
            member = session.get(StaffUser, number) if number is not None else None
            if member is None or member.firm_id != staff.firm_id:
                errors["staff_user_id"] = ("errors.invalid", {})
            else:
                who = member.id
    if errors:
        raise FieldErrors(errors)
    return work_date, minutes, description, billable, who


def _own(session: Session, staff: StaffIdentity, entry_id) -> TimeEntry:
    """An entry the caller may change: their own, or any of the firm's for an Administrator."""
    row = firm_row(session, staff, TimeEntry, entry_id)
    if row.staff_user_id != staff.user_id and not staff.is_admin:
        raise NotAllowed("ws.time_not_own")
    return row


def log_time(session: Session, staff: StaffIdentity, matter_id, form: dict, now: datetime | None = None) -> int:
    matter = firm_row(session, staff, Matter, matter_id)
    if matter.status != "open":
        raise FieldErrors({"matter": ("ws.matter_closed", {})})
    work_date, minutes, description, billable, who = _fields(session, staff, form, now)
    row = TimeEntry(firm_id=staff.firm_id, matter_id=matter.id, staff_user_id=who, work_date=work_date,
                    minutes=minutes, description=description, billable=billable)
    session.add(row)
    session.commit()
    return row.id


def update_time(session: Session, staff: StaffIdentity, entry_id, form: dict, now: datetime | None = None,
                expected_version: int | None = None) -> None:
    """Save the edit form; `expected_version` is the entry's version when the form was opened."""
    row = _own(session, staff, entry_id)
    check_version(row, expected_version)
    row.work_date, row.minutes, row.description, row.billable, row.staff_user_id = _fields(session, staff, form, now)
    session.add(row)
    commit(session)


def delete_time(session: Session, staff: StaffIdentity, entry_id) -> None:
    row = _own(session, staff, entry_id)
    audit(session, staff, "time_entry.deleted", "time_entry", row.id,
          f"{row.work_date.isoformat()} {row.minutes} min {row.description}")
    session.delete(row)
    commit(session)


def matter_time(session: Session, staff: StaffIdentity, matter_id, page: int = 0) -> MatterTime:
    matter = firm_row(session, staff, Matter, matter_id)
    cond = TimeEntry.matter_id == matter.id
    count, minutes, billable = session.exec(
        select(func.count(), func.coalesce(func.sum(TimeEntry.minutes), 0),
               func.coalesce(func.sum(case((TimeEntry.billable.is_(True), TimeEntry.minutes), else_=0)), 0))
        .where(cond)
    ).one()
    rows = session.exec(
        select(TimeEntry, StaffUser.name).join(StaffUser, StaffUser.id == TimeEntry.staff_user_id).where(cond)
        .order_by(TimeEntry.work_date.desc(), TimeEntry.id.desc())
        .offset(page_offset(page, PAGE_SIZE)).limit(PAGE_SIZE)
    ).all()
    return MatterTime(
        rows=[TimeEntryRow(id=t.id, work_date=t.work_date, minutes=t.minutes, description=t.description,
                           billable=t.billable, staff_user_id=t.staff_user_id, staff_name=name) for t, name in rows],
        total=int(count), minutes_total=int(minutes), minutes_billable=int(billable),
    )


def firm_staff(session: Session, staff: StaffIdentity) -> list[tuple[int, str]]:
    """The firm's staff members, for the *staff member* field of an Administrator."""
    return [(u.id, u.name) for u in session.exec(
        select(StaffUser).where(StaffUser.firm_id == staff.firm_id).order_by(StaffUser.name)
    )]
