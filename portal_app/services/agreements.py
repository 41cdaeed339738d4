"""Fee agreements with a client: terms, dates, status and the signed document (stored privately)."""

from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

from sqlalchemy import func
from sqlmodel import Session, select

from portal_app.models import Agreement, Contact, Matter
from portal_app.services.errors import FieldErrors, ServiceError
from portal_app.services.identity import StaffIdentity
from portal_app.services.workspace import Errors, audit, check_version, choice, commit, firm_row, page_offset, parse_date, text

FEE_ARRANGEMENTS = ("hourly", "fixed", "success_fee", "retainer")
STATUSES = ("active", "ended", "terminated")
PAGE_SIZE = 25
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# extension → the signature its content must start with (renamed files are refused); the office
# formats documents.store_document accepts
DOCUMENT_TYPES = {".pdf": b"%PDF-", ".docx": _ZIP, ".odt": _ZIP, ".doc": _OLE}


def check_document(filename: str, data: bytes) -> str:
    """The display name to keep for an acceptable upload; ServiceError naming the problem otherwise."""
    name = PurePath(str(filename or "").replace("\\", "/")).name.strip()[:200]
    suffix = PurePath(name).suffix.lower()
    if not name or suffix not in DOCUMENT_TYPES:
        raise ServiceError("ws.doc_type")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ServiceError("ws.doc_too_large", mb=MAX_DOCUMENT_BYTES // (1024 * 1024))
    if not data or not data.startswith(DOCUMENT_TYPES[suffix]):
        raise ServiceError("ws.doc_content")
    return name


def _fields(session: Session, staff: StaffIdentity, contact_id: int, form: dict) -> dict:
    errors: Errors = {}
    values = {
        "title": text(form.get("title"), "title", errors, max_len=300),
        "fee_arrangement": choice(form.get("fee_arrangement"), "fee_arrangement", FEE_ARRANGEMENTS, errors),
        "status": choice(form.get("status") or "active", "status", STATUSES, errors),
        "signed_on": parse_date(form.get("signed_on"), "signed_on", errors, required=False),
        "valid_until": parse_date(form.get("valid_until"), "valid_until", errors, required=False),
        "matter_id": None,
    }
    if values["signed_on"] and values["valid_until"] and values["valid_until"] < values["signed_on"]:
        errors["valid_until"] = ("ws.valid_before_signed", {})
    raw_matter = form.get("matter_id")
    if raw_matter not in (None, "", "0", 0):
        try:
            matter = firm_row(session, staff, Matter, raw_matter)
        except ServiceError:
            matter = None
        if matter is None or matter.contact_id != contact_id:
            errors["matter_id"] = ("ws.matter_other_client", {})
        else:
            values["matter_id"] = matter.id
    if errors:
        raise FieldErrors(errors)
    return values


def create_agreement(session: Session, staff: StaffIdentity, contact_id, form: dict) -> int:
    contact = firm_row(session, staff, Contact, contact_id)
    row = Agreement(firm_id=staff.firm_id, contact_id=contact.id, **_fields(session, staff, contact.id, form))
    session.add(row)
    session.commit()
    return row.id


def update_agreement(session: Session, staff: StaffIdentity, agreement_id, form: dict, expected_version: int | None = None) -> None:
    """Save the edit form; `expected_version` is the agreement's version when the form was opened."""
    row = firm_row(session, staff, Agreement, agreement_id)
    check_version(row, expected_version)
    for key, value in _fields(session, staff, row.contact_id, form).items():
        setattr(row, key, value)
    session.add(row)
    commit(session)


def attach_document(session: Session, staff: StaffIdentity, agreement_id, display_name: str, stored_name: str) -> str | None:
    """Point the agreement at a stored document; returns the stored name it replaced (to delete)."""
    row = firm_row(session, staff, Agreement, agreement_id)
    previous = row.document_file
    row.document_name, row.document_file = display_name[:200], stored_name
    session.add(row)
    commit(session)
    return previous


def delete_agreement(session: Session, staff: StaffIdentity, agreement_id) -> str | None:
    """Delete (logged); returns the stored document to remove as well."""
    row = firm_row(session, staff, Agreement, agreement_id)
    stored = row.document_file
    audit(session, staff, "agreement.deleted", "agreement", row.id, row.title)
    session.delete(row)
    commit(session)
    return stored


@dataclass(frozen=True)
class AgreementSummary:
    id: int
    title: str
    contact_id: int
    matter_id: int | None
    matter_number: str
    fee_arrangement: str
    status: str
    signed_on: date | None
    valid_until: date | None
    document_name: str


def agreements_for(session: Session, staff: StaffIdentity, *, contact_id=None, matter_id=None, page: int = 0) -> tuple[list[AgreementSummary], int]:
    cond = Agreement.firm_id == staff.firm_id
    if matter_id is not None:
        cond = cond & (Agreement.matter_id == firm_row(session, staff, Matter, matter_id).id)
    else:
        cond = cond & (Agreement.contact_id == firm_row(session, staff, Contact, contact_id).id)
    total = session.exec(select(func.count()).select_from(Agreement).where(cond)).one()
    rows = session.exec(
        select(Agreement, Matter.number).outerjoin(Matter, Matter.id == Agreement.matter_id).where(cond)
        .order_by(Agreement.signed_on.desc(), Agreement.id.desc()).offset(page_offset(page, PAGE_SIZE)).limit(PAGE_SIZE)
    ).all()
    return [
        AgreementSummary(id=a.id, title=a.title, contact_id=a.contact_id, matter_id=a.matter_id, matter_number=num or "",
                         fee_arrangement=a.fee_arrangement, status=a.status, signed_on=a.signed_on,
                         valid_until=a.valid_until, document_name=a.document_name or "")
        for a, num in rows
    ], int(total)
