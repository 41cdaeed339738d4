"""The client's side (CP-4, CP-5): registration, login, and exactly what was shared with them.

Every query here is scoped in SQL by the portal user's firm and e-mail through live share
recipients, so removing an address or unticking a status takes effect on the next query.
"""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import and_, case, exists, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal_app.models import (
    Agreement,
    Contact,
    Invitation,
    Invoice,
    Matter,
    PortalUser,
    Share,
    ShareInvoiceScope,
    ShareRecipient,
    TimeEntry,
)
from portal_app.models.base import utcnow
from portal_app.services import passwords
from portal_app.services.errors import FieldErrors, ServiceError
from portal_app.services.identity import PortalIdentity, canonical_email
from portal_app.services.portal_settings import PortalBrand
from portal_app.services.sharing import resolve_invitation

LANGUAGES = ("pl", "en")
TIMEZONES = tuple(sorted(available_timezones() - {"localtime", "Factory"}))
PAGE_SIZE = 20


def valid_timezone(name: str) -> str:
    if name in TIMEZONES or name == "UTC":
        return name
    raise ServiceError("timezone.invalid")


def _name_fields(first: str, last: str, errors: dict) -> tuple[str, str]:
    first, last = (first or "").strip(), (last or "").strip()
    if not first:
        errors["first_name"] = ("register.first_name_required", {})
    elif len(first) > 100:
        errors["first_name"] = ("errors.too_long", {"max": 100})
    if not last:
        errors["last_name"] = ("register.last_name_required", {})
    elif len(last) > 100:
        errors["last_name"] = ("errors.too_long", {"max": 100})
    return first, last


def register(
    session: Session,
    brand: PortalBrand,
    token: str,
    *,
    first_name: str,
    last_name: str,
    password: str,
    password_repeat: str,
    timezone: str,
    language: str,
) -> int:
    """Create the account the invitation was for; the link works once. Slow (bcrypt): off the loop."""
    view = resolve_invitation(session, brand.firm_id, token)
    if view.state != "register":
        raise ServiceError(f"invite.{view.state}")
    errors: dict[str, tuple[str, dict]] = {}
    first, last = _name_fields(first_name, last_name, errors)
    password = password or ""
    problem = passwords.password_problem(
        password, avoid=(brand.company_name, brand.address, view.email.split("@")[0])
    )
    if problem:
        errors["password"] = problem
    elif password != (password_repeat or ""):
        errors["password_repeat"] = ("register.passwords_differ", {})
    try:
        tz = valid_timezone(timezone)
    except ServiceError as exc:
        errors["timezone"] = (exc.key, {})
        tz = "UTC"
    if errors:
        raise FieldErrors(errors)
    user = PortalUser(
        firm_id=brand.firm_id, email=view.email, first_name=first, last_name=last,
        password_hash=passwords.hash_password(password),
        language=language if language in LANGUAGES else brand.language, timezone=tz,
    )
    invitation = session.get(Invitation, view.invitation_id)
    claimed = session.exec(
        Invitation.__table__.update()
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if claimed.rowcount != 1:
        session.rollback()
        raise ServiceError("invite.expired")
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ServiceError("invite.login") from None
    return user.id


def login(session: Session, brand: PortalBrand, email: str, password: str) -> int:
    """The portal user id for these credentials; one message for every failure. Slow: off the loop."""
    try:
        canonical = canonical_email(email)
    except ServiceError:
        canonical = ""
    user = session.exec(
        select(PortalUser).where(PortalUser.firm_id == brand.firm_id, PortalUser.email == canonical)
    ).first() if canonical else None
    password = (password or "")[: passwords.MAX_LENGTH * 4]
    if user is None:
        passwords.burn_time(password)
        raise ServiceError("login.failed")
    if not passwords.check_password(password, user.password_hash):
        raise ServiceError("login.failed")
    return user.id


# ---- what is shared with a portal user -------------------------------------------------------

def _live_recipient(user: PortalIdentity):
    return and_(
        ShareRecipient.firm_id == user.firm_id,
        ShareRecipient.email == user.email,
        ShareRecipient.removed_at.is_(None),
        ShareRecipient.share_id == Share.id,
    )


def _card_matches(contact_col, matter_col):
    return or_(Share.contact_id == contact_col, and_(Share.matter_id.is_not(None), Share.matter_id == matter_col))


def invoice_visible(user: PortalIdentity):
    """SQL condition: this invoice was shared with the user, with its type and status ticked."""
    return and_(
        Invoice.firm_id == user.firm_id,
        Invoice.status != "draft",
        exists().where(
            _live_recipient(user),
            _card_matches(Invoice.contact_id, Invoice.matter_id),
            ShareInvoiceScope.share_id == Share.id,
            ShareInvoiceScope.invoice_type == Invoice.type,
            ShareInvoiceScope.invoice_status == Invoice.status,
        ),
    )


def time_entry_visible(user: PortalIdentity):
    return and_(
        TimeEntry.firm_id == user.firm_id,
        exists().where(
            _live_recipient(user),
            Share.time_entries.is_(True),
            Matter.id == TimeEntry.matter_id,
            _card_matches(Matter.contact_id, Matter.id),
        ),
    )


def agreement_visible(user: PortalIdentity):
    return and_(
        Agreement.firm_id == user.firm_id,
        exists().where(
            _live_recipient(user),
            Share.agreements.is_(True),
            _card_matches(Agreement.contact_id, Agreement.matter_id),
        ),
    )


def today_for(tz_name: str, now: datetime | None = None) -> date:
    """The user's calendar date: overdue is judged on it, not on the server's."""
    try:
        zone = ZoneInfo(tz_name)
    except Exception:  # noqa: BLE001 - unknown zone names fall back to UTC
        zone = ZoneInfo("UTC")
    return (now or utcnow()).astimezone(zone).date()


@dataclass(frozen=True)
class Dashboard:
    minutes_total: int
    minutes_this_month: int
    pending: dict[str, int]  # currency → outstanding minor units
    overdue: dict[str, int]


def dashboard(session: Session, user: PortalIdentity, now: datetime | None = None) -> Dashboard:
    """The three widgets, each one SQL aggregate."""
    today = today_for(user.timezone, now)
    month_start = today.replace(day=1)
    minutes_total, minutes_month = session.exec(
        select(
            func.coalesce(func.sum(TimeEntry.minutes), 0),
            func.coalesce(func.sum(case((TimeEntry.work_date >= month_start, TimeEntry.minutes), else_=0)), 0),
        ).where(time_entry_visible(user))
    ).one()
    outstanding = Invoice.total_minor - Invoice.paid_minor
    unpaid = and_(
        invoice_visible(user),
        Invoice.status.in_(("approved", "partially_paid")),
        Invoice.type.in_(("invoice", "advance")),
    )
    rows = session.exec(
        select(
            Invoice.currency,
            func.sum(case((Invoice.due_date >= today, outstanding), else_=0)),
            func.sum(case((Invoice.due_date < today, outstanding), else_=0)),
        )
        .where(unpaid)
        .group_by(Invoice.currency)
        .order_by(Invoice.currency)
    ).all()
    return Dashboard(
        minutes_total=int(minutes_total),
        minutes_this_month=int(minutes_month),
        pending={cur: int(p) for cur, p, _o in rows if p},
        overdue={cur: int(o) for cur, _p, o in rows if o},
    )


@dataclass(frozen=True)
class InvoiceRow:
    id: int
    number: str
    type: str
    status: str
    client: str
    matter: str
    issue_date: date
    due_date: date
    currency: str
    total_minor: int
    paid_minor: int
    overdue: bool


def invoices(session: Session, user: PortalIdentity, page: int = 0, now: datetime | None = None) -> tuple[list[InvoiceRow], int]:
    today = today_for(user.timezone, now)
    cond = invoice_visible(user)
    total = session.exec(select(func.count()).select_from(Invoice).where(cond)).one()
    rows = session.exec(
        select(Invoice, Contact.name, Matter.number, Matter.title)
        .join(Contact, Contact.id == Invoice.contact_id)
        .outerjoin(Matter, Matter.id == Invoice.matter_id)
        .where(cond)
        .order_by(Invoice.issue_date.desc(), Invoice.id.desc())
        .offset(max(0, page) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    out = [
        InvoiceRow(
            id=inv.id, number=inv.number, type=inv.type, status=inv.status, client=cname,
            matter=f"{mnum} {mtitle}" if mnum else "", issue_date=inv.issue_date, due_date=inv.due_date,
            currency=inv.currency, total_minor=inv.total_minor, paid_minor=inv.paid_minor,
            overdue=inv.status in ("approved", "partially_paid") and inv.due_date < today,
        )
        for inv, cname, mnum, mtitle in rows
    ]
    return out, int(total)


@dataclass(frozen=True)
class TimeRow:
    id: int
    work_date: date
    matter: str
    client: str
    description: str
    minutes: int


def time_entries(session: Session, user: PortalIdentity, page: int = 0) -> tuple[list[TimeRow], int]:
    cond = time_entry_visible(user)
    total = session.exec(select(func.count()).select_from(TimeEntry).where(cond)).one()
    rows = session.exec(
        select(TimeEntry, Matter.number, Matter.title, Contact.name)
        .join(Matter, Matter.id == TimeEntry.matter_id)
        .join(Contact, Contact.id == Matter.contact_id)
        .where(cond)
        .order_by(TimeEntry.work_date.desc(), TimeEntry.id.desc())
        .offset(max(0, page) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return [
        TimeRow(id=t.id, work_date=t.work_date, matter=f"{num} {title}", client=cname,
                description=t.description, minutes=t.minutes)
        for t, num, title, cname in rows
    ], int(total)


@dataclass(frozen=True)
class AgreementRow:
    id: int
    title: str
    client: str
    matter: str
    fee_arrangement: str
    signed_on: date | None
    valid_until: date | None


def agreements(session: Session, user: PortalIdentity, page: int = 0) -> tuple[list[AgreementRow], int]:
    cond = agreement_visible(user)
    total = session.exec(select(func.count()).select_from(Agreement).where(cond)).one()
    rows = session.exec(
        select(Agreement, Contact.name, Matter.number, Matter.title)
        .join(Contact, Contact.id == Agreement.contact_id)
        .outerjoin(Matter, Matter.id == Agreement.matter_id)
        .where(cond)
        .order_by(Agreement.signed_on.desc(), Agreement.id.desc())
        .offset(max(0, page) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return [
        AgreementRow(id=a.id, title=a.title, client=cname, matter=f"{mnum} {mtitle}" if mnum else "",
                     fee_arrangement=a.fee_arrangement, signed_on=a.signed_on, valid_until=a.valid_until)
        for a, cname, mnum, mtitle in rows
    ], int(total)


def update_profile(session: Session, user: PortalIdentity, *, first_name: str, last_name: str, language: str, timezone: str) -> None:
    errors: dict[str, tuple[str, dict]] = {}
    first, last = _name_fields(first_name, last_name, errors)
    if language not in LANGUAGES:
        errors["language"] = ("errors.invalid", {})
    try:
        valid_timezone(timezone)
    except ServiceError as exc:
        errors["timezone"] = (exc.key, {})
    if errors:
        raise FieldErrors(errors)
    row = session.get(PortalUser, user.user_id)
    row.first_name, row.last_name, row.language, row.timezone = first, last, language, timezone
    session.add(row)
    session.commit()


def change_password(session: Session, user: PortalIdentity, brand_words: tuple[str, ...], *, current: str, new: str, repeat: str) -> None:
    """Slow (bcrypt twice): off the loop. The caller ends the other sessions."""
    row = session.get(PortalUser, user.user_id)
    errors: dict[str, tuple[str, dict]] = {}
    if not passwords.check_password(current or "", row.password_hash):
        errors["current_password"] = ("account.current_wrong", {})
    problem = passwords.password_problem(new or "", avoid=brand_words + (row.email.split("@")[0],))
    if problem:
        errors["new_password"] = problem
    elif (new or "") != (repeat or ""):
        errors["new_password_repeat"] = ("register.passwords_differ", {})
    if errors:
        raise FieldErrors(errors)
    row.password_hash = passwords.hash_password(new)
    session.add(row)
    session.commit()
