"""The firm's audit log for its Administrators: who archived, closed, cancelled or deleted what, when.

Entries are written by `services.workspace.audit` together with the change itself; this module
only reads them, newest first, one page at a time (the (firm, at) index answers the order).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from portal_app.models import AuditLog, StaffUser
from portal_app.services.errors import NotAllowed
from portal_app.services.identity import StaffIdentity
from portal_app.services.workspace import page_offset

PAGE_SIZE = 25


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    staff_name: str
    action: str
    target_type: str
    target_id: int
    summary: str


def audit_entries(session: Session, staff: StaffIdentity, page: int = 0) -> tuple[list[AuditEntry], int]:
    """One page of the caller's firm's entries; only an Administrator may read them."""
    if not staff.is_admin:
        raise NotAllowed("audit.admins_only")
    cond = AuditLog.firm_id == staff.firm_id
    total = session.exec(select(func.count()).select_from(AuditLog).where(cond)).one()
    rows = session.exec(
        select(AuditLog, StaffUser.name)
        .join(StaffUser, StaffUser.id == AuditLog.staff_user_id)
        .where(cond)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .offset(page_offset(page, PAGE_SIZE))
        .limit(PAGE_SIZE)
    ).all()
    return [
        AuditEntry(at=log.at, staff_name=name, action=log.action, target_type=log.target_type,
                   target_id=log.target_id, summary=log.summary)
        for log, name in rows
    ], int(total)
