"""The firm's own workspace: staff sign-in and the contact and matter cards, always firm-scoped."""

from dataclasses import dataclass

from sqlalchemy import false, func, or_
from sqlmodel import Session, select

from portal_app.i18n import LANGUAGES
from portal_app.models import Contact, Matter, PortalUser, ShareRecipient, StaffUser
from portal_app.services import passwords
from portal_app.services.demo import DEMO_LOGINS
from portal_app.services.errors import NotAllowed, ServiceError
from portal_app.services.identity import PortalIdentity, StaffIdentity, canonical_email
from portal_app.services.search_text import fold, next_prefix
from portal_app.services.workspace import row_id

PAGE_SIZE = 25


def login(session: Session, email: str, password: str) -> int:
    """The staff user id for these credentials; one message for every failure. Slow: off the loop."""
    try:
        canonical = canonical_email(email)
    except ServiceError:
        canonical = ""
    user = session.exec(select(StaffUser).where(StaffUser.email == canonical)).first() if canonical else None
    password = (password or "")[: passwords.MAX_LENGTH * 4]
    if user is None:
        passwords.burn_time(password)
        raise ServiceError("login.failed")
    if not passwords.check_password(password, user.password_hash):
        raise ServiceError("login.failed")
    return user.id


def set_language(session: Session, staff: StaffIdentity, lang) -> str:
    """Keep the language the staff member chose on their account, so every page, reload and later
    sign-in speaks it (each staff page load reads the language from the account)."""
    if not isinstance(lang, str) or lang not in LANGUAGES:
        raise ServiceError("errors.invalid")
    user = session.get(StaffUser, staff.user_id)
    if user is None or user.firm_id != staff.firm_id:
        raise NotAllowed("errors.not_allowed")
    if user.language != lang:
        user.language = lang
        session.add(user)
        session.commit()
    return lang


def demo_logins_exist(session: Session) -> bool:
    """Whether this database holds the published demo logins (a trial, not production)."""
    emails = [email for email, _ in DEMO_LOGINS]
    return session.exec(select(StaffUser.id).where(StaffUser.email.in_(emails)).limit(1)).first() is not None


@dataclass(frozen=True)
class ContactRow:
    id: int
    name: str
    kind: str
    email: str
    matters: int
    archived: bool = False


@dataclass(frozen=True)
class MatterRow:
    id: int
    number: str
    title: str
    status: str
    contact_id: int
    contact_name: str


def page_count(total: int) -> int:
    return max(1, -(-int(total) // PAGE_SIZE))


def _prefix(column, prefix: str):
    return (column >= prefix) & (column < next_prefix(prefix))


def contact_search(query: str):
    """SQL condition for a search box: a name starting with `query` or having a word that does,
    or an e-mail whose address or domain starts with it. Names compare folded (search_text)."""
    words = fold(query[:100])
    address = "".join(ch for ch in query.strip().lower()[:100] if ch.isprintable())
    matches = []
    if words:
        matches += [_prefix(Contact.search_name, words), Contact.search_name.contains(" " + words)]
    if address:
        matches += [_prefix(Contact.email, address), Contact.email.contains("@" + address, autoescape=True)]
    return or_(*matches) if matches else false()


def contacts(session: Session, staff: StaffIdentity, page: int = 0, query: str = "") -> tuple[list[ContactRow], int]:
    """One page of the firm's live contacts in folded-name order, optionally narrowed by a search.

    The order and a name or e-mail prefix are answered by the (firm, search_name) and (firm, email)
    indexes; a word inside a name or an e-mail domain is a scan of this firm's folded names only.
    """
    cond = (Contact.firm_id == staff.firm_id) & Contact.archived_at.is_(None)
    if isinstance(query, str) and query.strip():
        cond = cond & contact_search(query)
    total = session.exec(select(func.count()).select_from(Contact).where(cond)).one()
    matter_count = (
        select(func.count()).select_from(Matter).where(Matter.contact_id == Contact.id).scalar_subquery()
    )
    rows = session.exec(
        select(Contact, matter_count).where(cond).order_by(Contact.search_name, Contact.id)
        .offset(max(0, page) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return [ContactRow(id=c.id, name=c.name, kind=c.kind, email=c.email, matters=n) for c, n in rows], int(total)


def matters(session: Session, staff: StaffIdentity, page: int = 0, contact_id: int | None = None) -> tuple[list[MatterRow], int]:
    cond = Matter.firm_id == staff.firm_id
    if contact_id is not None:
        cond = cond & (Matter.contact_id == contact_id)
    total = session.exec(select(func.count()).select_from(Matter).where(cond)).one()
    rows = session.exec(
        select(Matter, Contact.name).join(Contact, Contact.id == Matter.contact_id).where(cond)
        .order_by(Matter.number.desc(), Matter.id.desc()).offset(max(0, page) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return [
        MatterRow(id=m.id, number=m.number, title=m.title, status=m.status, contact_id=m.contact_id, contact_name=n)
        for m, n in rows
    ], int(total)


def contact_card(session: Session, staff: StaffIdentity, contact_id) -> ContactRow:
    number = row_id(contact_id)
    row = session.get(Contact, number) if number is not None else None
    if row is None or row.firm_id != staff.firm_id:
        raise NotAllowed("errors.not_found")
    n = session.exec(select(func.count()).select_from(Matter).where(Matter.contact_id == row.id)).one()
    return ContactRow(id=row.id, name=row.name, kind=row.kind, email=row.email, matters=int(n),
                      archived=row.archived_at is not None)


def matter_card(session: Session, staff: StaffIdentity, matter_id) -> MatterRow:
    number = row_id(matter_id)
    row = session.get(Matter, number) if number is not None else None
    if row is None or row.firm_id != staff.firm_id:
        raise NotAllowed("errors.not_found")
    contact = session.get(Contact, row.contact_id)
    return MatterRow(id=row.id, number=row.number, title=row.title, status=row.status,
                     contact_id=row.contact_id, contact_name=contact.name)


def preview_identity(session: Session, staff: StaffIdentity, recipient_id) -> PortalIdentity:
    """The portal user behind a live share recipient of the caller's firm, for a read-only preview.

    The client_portal queries take this identity exactly as they take the client's own, so the
    preview shows what the client sees, no more and no less.
    """
    number = row_id(recipient_id)
    recipient = session.get(ShareRecipient, number) if number is not None else None
    if recipient is None or recipient.firm_id != staff.firm_id or recipient.removed_at is not None:
        raise NotAllowed("errors.not_found")
    user = session.exec(
        select(PortalUser).where(PortalUser.firm_id == staff.firm_id, PortalUser.email == recipient.email)
    ).first()
    if user is None:
        raise ServiceError("ws.preview_not_registered")
    return PortalIdentity(user_id=user.id, firm_id=user.firm_id, email=user.email, first_name=user.first_name,
                          last_name=user.last_name, language=user.language, timezone=user.timezone)
