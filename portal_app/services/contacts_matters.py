"""Creating and maintaining the firm's contacts and matters: validated, firm-scoped, archiving logged."""

from sqlalchemy import func
from sqlmodel import Session, select

from portal_app.models import Contact, Matter
from portal_app.models.base import utcnow
from portal_app.services.errors import FieldErrors, ServiceError
from portal_app.services.identity import StaffIdentity, canonical_email
from portal_app.services.search_text import fold
from portal_app.services.workspace import Errors, audit, check_version, choice, commit, firm_row, text

CONTACT_KINDS = ("person", "company")
MATTER_STATUSES = ("open", "closed")


def _contact_fields(form: dict) -> tuple[str, str, str]:
    errors: Errors = {}
    name = text(form.get("name"), "name", errors, max_len=200)
    kind = choice(form.get("kind"), "kind", CONTACT_KINDS, errors)
    email = ""
    if str(form.get("email") or "").strip():
        try:
            email = canonical_email(str(form.get("email"))[:320])
        except ServiceError as exc:
            errors["email"] = (exc.key, exc.params)
    if errors:
        raise FieldErrors(errors)
    return name, kind, email


def create_contact(session: Session, staff: StaffIdentity, form: dict) -> int:
    name, kind, email = _contact_fields(form)
    row = Contact(firm_id=staff.firm_id, name=name, kind=kind, email=email, search_name=fold(name))
    session.add(row)
    session.commit()
    return row.id


def update_contact(session: Session, staff: StaffIdentity, contact_id, form: dict, expected_version: int | None = None) -> None:
    """Save the edit form; `expected_version` is the contact's version when the form was opened."""
    row = firm_row(session, staff, Contact, contact_id)
    check_version(row, expected_version)
    if row.archived_at is not None:
        raise ServiceError("ws.contact_archived")
    row.name, row.kind, row.email = _contact_fields(form)
    row.search_name = fold(row.name)
    session.add(row)
    commit(session)


def archive_contact(session: Session, staff: StaffIdentity, contact_id) -> None:
    """Hide the contact from lists; its matters, invoices and shares stay for the record."""
    row = firm_row(session, staff, Contact, contact_id)
    if row.archived_at is not None:
        return
    row.archived_at = utcnow()
    session.add(row)
    audit(session, staff, "contact.archived", "contact", row.id, row.name)
    commit(session)


def _matter_fields(session: Session, staff: StaffIdentity, form: dict, matter_id: int | None) -> tuple[str, str, str]:
    errors: Errors = {}
    number = text(form.get("number"), "number", errors, max_len=50)
    title = text(form.get("title"), "title", errors, max_len=300)
    status = choice(form.get("status") or "open", "status", MATTER_STATUSES, errors)
    if number and "number" not in errors:
        clash = session.exec(
            select(func.count()).select_from(Matter)
            .where(Matter.firm_id == staff.firm_id, func.lower(Matter.number) == number.lower(), Matter.id != (matter_id or 0))
        ).one()
        if clash:
            errors["number"] = ("ws.number_taken", {})
    if errors:
        raise FieldErrors(errors)
    return number, title, status


def create_matter(session: Session, staff: StaffIdentity, contact_id, form: dict) -> int:
    contact = firm_row(session, staff, Contact, contact_id)
    if contact.archived_at is not None:
        raise ServiceError("ws.contact_archived")
    number, title, status = _matter_fields(session, staff, form, None)
    row = Matter(firm_id=staff.firm_id, contact_id=contact.id, number=number, title=title, status=status)
    session.add(row)
    session.commit()
    return row.id


def update_matter(session: Session, staff: StaffIdentity, matter_id, form: dict, expected_version: int | None = None) -> None:
    """Save the edit form; `expected_version` is the matter's version when the form was opened."""
    row = firm_row(session, staff, Matter, matter_id)
    check_version(row, expected_version)
    row.number, row.title, row.status = _matter_fields(session, staff, form, row.id)
    session.add(row)
    commit(session)


def set_matter_status(session: Session, staff: StaffIdentity, matter_id, status: str) -> None:
    """Close or reopen; closing is logged like archiving."""
    if status not in MATTER_STATUSES:
        raise ServiceError("errors.invalid")
    row = firm_row(session, staff, Matter, matter_id)
    if row.status == status:
        return
    row.status = status
    session.add(row)
    audit(session, staff, f"matter.{status}", "matter", row.id, row.number)
    commit(session)


def matter_choices(session: Session, staff: StaffIdentity, contact_id: int, limit: int = 200) -> list[tuple[int, str]]:
    """The contact's matters for a form's matter field, newest number first, within the caller's firm."""
    matters = session.exec(
        select(Matter).where(Matter.firm_id == staff.firm_id, Matter.contact_id == contact_id)
        .order_by(Matter.number.desc()).limit(limit)
    ).all()
    return [(m.id, f"{m.number} {m.title}"[:80]) for m in matters]
