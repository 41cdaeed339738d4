"""The client's side (CP-4, CP-5): registration, login, and exactly what was shared with them.

Every query here is scoped in SQL by the portal user's firm and e-mail through live share
recipients, so removing an address or unticking a status takes effect on the next query.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import Date, and_, bindparam, case, exists, func, literal, null, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from portal_app.models import (
    Agreement,
    AuthSession,
    Contact,
    Firm,
    Invitation,
    Invoice,
    Matter,
    MatterMonthTime,
    PortalSettings,
    PortalUser,
    Share,
    ShareInvoiceScope,
    ShareRecipient,
    TimeEntry,
)
from portal_app.models.base import utcnow
from portal_app.services import identity, login_throttle, password_reset, passwords
from portal_app.services.errors import FieldErrors, ServiceError
from portal_app.services.identity import PortalIdentity, canonical_email
from portal_app.services.outstanding import outstanding_minor, overdue_condition
from portal_app.services.portal_settings import PortalBrand, brand_of, canonical_address
from portal_app.services.sharing import resolve_invitation
from portal_app.services.workspace import row_id, visible_text

LANGUAGES = ("pl", "en")
TIMEZONES = tuple(sorted(available_timezones() - {"localtime", "Factory"}))
PAGE_SIZE = 20


def valid_timezone(name: str) -> str:
    if name in TIMEZONES or name == "UTC":
        return name
    raise ServiceError("timezone.invalid")


def _name_fields(first: str, last: str, errors: dict) -> tuple[str, str]:
    first, last = visible_text(first), visible_text(last)
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
    if password != (password_repeat or ""):  # beside a weak password too: every problem in one answer
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


def login(
    session: Session, brand: PortalBrand, email: str, password: str, *, client_ip: str = "", now: datetime | None = None
) -> int:
    """The portal user id for these credentials; one message for every failure. Slow: off the loop.

    Repeated failures slow down and then lock, per account and per client IP; the lock sends the
    account (if it exists) a link to set a new password, which also lifts the lock.
    """
    now = now or utcnow()
    try:
        canonical = canonical_email(email)
    except ServiceError:
        canonical = ""
    keys = [
        (login_throttle.account_key(brand.firm_id, canonical or (email or "")[:320]), login_throttle.ACCOUNT),
        (login_throttle.ip_key(client_ip), login_throttle.CLIENT_IP),
    ]
    login_throttle.check(session, keys, now)
    user = session.exec(
        select(PortalUser).where(PortalUser.firm_id == brand.firm_id, PortalUser.email == canonical)
    ).first() if canonical else None
    password = (password or "")[: passwords.MAX_LENGTH * 4]
    if user is None:
        passwords.burn_time(password)
        ok = False
    else:
        ok = passwords.check_password(password, user.password_hash)
    if not ok:
        locked = login_throttle.record_failure(session, keys, now)
        if user is not None and keys[0][0] in locked:
            password_reset.send_reset_link(session, brand, user, now)
        if locked:
            login_throttle.check(session, keys, now)
        raise ServiceError("login.failed")
    login_throttle.clear(session, keys[0][0])
    return user.id


def visit(session: Session, address: str, token: str, now: datetime | None = None) -> tuple[PortalBrand | None, PortalIdentity | None]:
    """The open portal at `address` and the client this session cookie signs in to it.

    One query for what every portal event asks first (portal, session, person), instead of three.
    (None, None) when no open portal is there; (brand, None) when nobody of this firm is signed in.
    """
    text = canonical_address(address)
    if not text:
        return None, None
    digest = identity.token_hash(token) if isinstance(token, str) and 0 < len(token) <= 100 else ""
    found = session.exec(
        select(PortalSettings, Firm, AuthSession, PortalUser)
        .join(Firm, Firm.id == PortalSettings.firm_id)
        .outerjoin(AuthSession, and_(AuthSession.token_hash == digest, AuthSession.kind == "portal"))
        .outerjoin(PortalUser, and_(PortalUser.id == AuthSession.portal_user_id, PortalUser.firm_id == PortalSettings.firm_id))
        .where(PortalSettings.address == text)
    ).first()
    if found is None:
        return None, None
    settings, firm, auth, person = found
    brand, is_open = brand_of(settings, firm)
    if not is_open:
        return None, None
    if auth is None or person is None or not identity.still_live(session, auth, now or utcnow()):
        return brand, None
    return brand, identity.portal_identity(person)


def signed_in_client(session: Session, token: str, now: datetime | None = None) -> PortalIdentity | None:
    """The client this session cookie signs in, while their firm's portal is open.

    For routes without a portal address (agreement downloads): the same rule as `visit` (brand_of:
    enabled and Premium), so switching the portal off or leaving Premium closes them with the pages.
    """
    user = identity.portal_user_for_token(session, token, now)
    if user is None:
        return None
    found = session.exec(
        select(PortalSettings, Firm).join(Firm, Firm.id == PortalSettings.firm_id).where(PortalSettings.firm_id == user.firm_id)
    ).first()
    return user if found is not None and brand_of(*found)[1] else None


# ---- what is shared with a portal user -------------------------------------------------------

def _live_recipient(user: PortalIdentity):
    return and_(
        ShareRecipient.firm_id == user.firm_id,
        ShareRecipient.email == user.email,
        ShareRecipient.removed_at.is_(None),
        ShareRecipient.share_id == Share.id,
    )


@cache
def _alias(row):
    """One alias per table for the whole process: building an alias adapts every column (ms per query)."""
    return aliased(row, name=f"shared_{row.__tablename__}")


def _shared_via(user: PortalIdentity, row, flag, *extra):
    """Ids of `row`'s table reached from this person's live shares, by client card or by matter card.

    Two index-driven joins starting from the person's few share rows, instead of testing every
    row of the firm against the shares (seconds at a million time entries). The callers keep the
    firm condition on the outer row; repeating it here makes SQLite pick the firm index.
    """
    inner = _alias(row)
    matter_col = inner.id if row is Matter else inner.matter_id
    paths = []
    for card_col, row_col in ((Share.contact_id, inner.contact_id), (Share.matter_id, matter_col)):
        paths.append(
            select(inner.id)
            .join(Share, card_col == row_col)
            .join(ShareRecipient, ShareRecipient.share_id == Share.id)
            .where(
                ShareRecipient.firm_id == user.firm_id,
                ShareRecipient.email == user.email,
                ShareRecipient.removed_at.is_(None),
                flag(inner),
                *(cond(inner) for cond in extra),
            )
        )
    return union(*paths)


def invoice_visible(user: PortalIdentity):
    """SQL condition: this invoice was shared with the user, with its type and status ticked."""
    def ticked(inv):
        return exists().where(
            ShareInvoiceScope.share_id == Share.id,
            ShareInvoiceScope.invoice_type == inv.type,
            ShareInvoiceScope.invoice_status == inv.status,
        )

    return and_(
        Invoice.firm_id == user.firm_id,
        Invoice.status != "draft",
        Invoice.id.in_(_shared_via(user, Invoice, ticked)),
    )


def _time_matters(user: PortalIdentity):
    """Ids of the matters whose time entries this person sees."""
    return _shared_via(user, Matter, lambda _m: Share.time_entries.is_(True))


def time_entry_visible(user: PortalIdentity):
    return and_(TimeEntry.firm_id == user.firm_id, TimeEntry.matter_id.in_(_time_matters(user)))


def _months_visible(user: PortalIdentity, scope: "Scope"):
    """SQL condition on matter_month_time: the monthly totals of the matters above, narrowed."""
    cond = MatterMonthTime.matter_id.in_(_time_matters(user))
    if scope.matter_id is not None:
        return and_(cond, MatterMonthTime.matter_id == scope.matter_id)
    if scope.contact_id is not None:
        return and_(cond, MatterMonthTime.matter_id.in_(select(Matter.id).where(Matter.contact_id == scope.contact_id)))
    return cond


def agreement_visible(user: PortalIdentity):
    return and_(
        Agreement.firm_id == user.firm_id,
        Agreement.id.in_(_shared_via(user, Agreement, lambda _a: Share.agreements.is_(True))),
    )


def today_for(tz_name: str, now: datetime | None = None) -> date:
    """The user's calendar date: overdue is judged on it, not on the server's."""
    try:
        zone = ZoneInfo(tz_name)
    except Exception:  # noqa: BLE001 - unknown zone names fall back to UTC
        zone = ZoneInfo("UTC")
    return (now or utcnow()).astimezone(zone).date()


# ---- narrowing to one client or matter (the switcher) ----------------------------------------

@dataclass(frozen=True)
class CardChoice:
    """One client or matter this person may narrow the portal to; value is "contact:<id>" or "matter:<id>"."""

    value: str
    label: str
    kind: str


def card_choices(session: Session, user: PortalIdentity) -> list[CardChoice]:
    """Every client and matter shared with this person: shared contacts, their matters, shared matters."""
    rows = session.exec(_card_choices_statement(), params={"firm_id": user.firm_id, "email": user.email}).all()
    contacts = {cid: name for kind, cid, name, *_ in rows if kind == "contact"}
    by_client: dict[tuple[str, int], list[CardChoice]] = {}
    for cid, name in contacts.items():
        by_client.setdefault((name, cid), [])
    for kind, cid, cname, matter_id, number, title in rows:
        if kind == "matter":
            by_client.setdefault((cname, cid), []).append(
                CardChoice(value=f"matter:{matter_id}", label=f"{number} {title}", kind="matter")
            )
    out: list[CardChoice] = []
    for (cname, cid), items in sorted(by_client.items(), key=lambda kv: (kv[0][0].casefold(), kv[0][1])):
        if cid in contacts:
            out.append(CardChoice(value=f"contact:{cid}", label=cname, kind="contact"))
        out.extend(sorted(items, key=lambda c: (c.label, int(c.value.partition(":")[2]))))  # same label: by id, stable on any database
    return out


@dataclass(frozen=True)
class Scope:
    """What the pages are narrowed to: nothing (everything shared), one client, or one matter."""

    contact_id: int | None = None
    matter_id: int | None = None


EVERYTHING = Scope()


def scope_for(session: Session, user: PortalIdentity, value: str, choices: list[CardChoice] | None = None) -> Scope:
    """Validate a switcher value against what is shared with this person right now.

    `choices`: this person's card_choices, when the caller has just read them.
    """
    if not value or value == "all":
        return EVERYTHING
    if choices is None:
        choices = card_choices(session, user)
    if not isinstance(value, str) or value not in {c.value for c in choices}:
        raise ServiceError("errors.not_found")
    kind, _, ident = value.partition(":")
    return Scope(contact_id=int(ident)) if kind == "contact" else Scope(matter_id=int(ident))


def _invoice_scope(scope: Scope):
    if scope.matter_id is not None:
        return Invoice.matter_id == scope.matter_id
    if scope.contact_id is not None:
        return Invoice.contact_id == scope.contact_id
    return True


def _agreement_scope(scope: Scope):
    if scope.matter_id is not None:
        return Agreement.matter_id == scope.matter_id
    if scope.contact_id is not None:
        return Agreement.contact_id == scope.contact_id
    return True


def _time_scope(scope: Scope):
    if scope.matter_id is not None:
        return TimeEntry.matter_id == scope.matter_id
    if scope.contact_id is not None:
        return TimeEntry.matter_id.in_(select(Matter.id).where(Matter.contact_id == scope.contact_id))
    return True


# ---- the pages ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Dashboard:
    minutes_total: int
    minutes_this_month: int
    pending: dict[str, int]  # currency → outstanding minor units
    overdue: dict[str, int]


def dashboard(session: Session, user: PortalIdentity, now: datetime | None = None, scope: Scope = EVERYTHING) -> Dashboard:
    """The three widgets, each one SQL aggregate (hours over the monthly totals, not every entry)."""
    today = today_for(user.timezone, now)
    kind = "matter" if scope.matter_id is not None else "contact" if scope.contact_id is not None else "all"
    hours, money = _dashboard_statements(kind)
    params = {
        "firm_id": user.firm_id, "email": user.email, "today": today, "month_start": today.replace(day=1),
        "scope_id": scope.matter_id if kind == "matter" else scope.contact_id,
    }
    minutes_total, minutes_month = session.exec(hours, params=params).one()
    rows = session.exec(money, params=params).all()
    return Dashboard(
        minutes_total=int(minutes_total),
        minutes_this_month=int(minutes_month),
        pending={cur: int(p) for cur, p, _o in rows if p},
        overdue={cur: int(o) for cur, _p, o in rows if o},
    )


# ---- built once: the statements every portal navigation runs ------------------------------------
# Building a statement of this size costs more Python than PostgreSQL takes to answer it, so the
# dashboard and the switcher's statements are built once per process with placeholders and run
# with the reader's values. The conditions are the same functions the lists use.

_READER = PortalIdentity(
    user_id=0, firm_id=bindparam("firm_id"), email=bindparam("email"), first_name="", last_name="",
    language="", timezone="",
)
_SCOPE_OF_KIND = {
    "all": EVERYTHING,
    "contact": Scope(contact_id=bindparam("scope_id")),
    "matter": Scope(matter_id=bindparam("scope_id")),
}


@cache
def _dashboard_statements(kind: str):
    scope = _SCOPE_OF_KIND[kind]
    month_start, today = bindparam("month_start", type_=Date), bindparam("today", type_=Date)
    hours = select(
        func.coalesce(func.sum(MatterMonthTime.minutes), 0),
        func.coalesce(func.sum(case((MatterMonthTime.month >= month_start, MatterMonthTime.minutes), else_=0)), 0),
    ).where(_months_visible(_READER, scope))
    outstanding = outstanding_minor()
    money = (
        select(
            Invoice.currency,
            func.sum(case((Invoice.due_date >= today, outstanding), else_=0)),
            func.sum(case((Invoice.due_date < today, outstanding), else_=0)),
        )
        .where(
            invoice_visible(_READER),
            _invoice_scope(scope),
            Invoice.status.in_(("approved", "partially_paid")),
            Invoice.type.in_(("invoice", "advance")),
        )
        .group_by(Invoice.currency)
        .order_by(Invoice.currency)
    )
    return hours, money


@cache
def _card_choices_statement():
    """Shared contacts and every matter reachable (a shared matter, or any matter of a shared contact), one query."""
    shares = (
        select(Share.contact_id, Share.matter_id)
        .where(_live_recipient(_READER), Share.firm_id == _READER.firm_id)
        .subquery()
    )
    contact_ids = select(shares.c.contact_id).where(shares.c.contact_id.is_not(None))
    matter_ids = select(shares.c.matter_id).where(shares.c.matter_id.is_not(None))
    contacts = select(
        literal("contact").label("kind"), Contact.id, Contact.name,
        null().label("matter_id"), null().label("number"), null().label("title"),
    ).where(Contact.firm_id == _READER.firm_id, Contact.id.in_(contact_ids))

    def matters(reached):
        return (
            select(literal("matter"), Matter.contact_id, Contact.name, Matter.id, Matter.number, Matter.title)
            .join(Contact, Contact.id == Matter.contact_id)
            .where(Matter.firm_id == _READER.firm_id, reached)
        )

    # Two index lookups rather than one OR, which PostgreSQL answers by reading the firm's every matter.
    return union(contacts, matters(Matter.id.in_(matter_ids)), matters(Matter.contact_id.in_(contact_ids)))


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
    outstanding_minor: int
    overdue: bool


INVOICE_SORTS = {
    "date_desc": (Invoice.issue_date.desc(), Invoice.id.desc()),
    "date_asc": (Invoice.issue_date.asc(), Invoice.id.asc()),
    "due_asc": (Invoice.due_date.asc(), Invoice.id.asc()),
    "number": (Invoice.number.asc(), Invoice.id.asc()),
    "amount_desc": (Invoice.currency.asc(), Invoice.total_minor.desc(), Invoice.id.desc()),
    "amount_asc": (Invoice.currency.asc(), Invoice.total_minor.asc(), Invoice.id.asc()),
}
INVOICE_STATUS_FILTERS = ("approved", "partially_paid", "paid", "cancelled", "overdue")


def _page(page) -> int:
    try:
        return max(0, min(int(page), 100_000))
    except (TypeError, ValueError, OverflowError):  # JSON may carry Infinity
        return 0


def invoices(
    session: Session, user: PortalIdentity, page: int = 0, now: datetime | None = None, *,
    scope: Scope = EVERYTHING, sort: str = "date_desc", status: str = "",
) -> tuple[list[InvoiceRow], int]:
    """One page of shared invoices; `status` narrows to one status, or "overdue" on the user's calendar."""
    today = today_for(user.timezone, now)
    cond = and_(invoice_visible(user), _invoice_scope(scope))
    if status == "overdue":
        cond = and_(cond, overdue_condition(today))
    elif status in INVOICE_STATUS_FILTERS:
        cond = and_(cond, Invoice.status == status)
    total = session.exec(select(func.count()).select_from(Invoice).where(cond)).one()
    rows = session.exec(
        select(Invoice, Contact.name, Matter.number, Matter.title, outstanding_minor())
        .join(Contact, Contact.id == Invoice.contact_id)
        .outerjoin(Matter, Matter.id == Invoice.matter_id)
        .where(cond)
        .order_by(*INVOICE_SORTS.get(sort, INVOICE_SORTS["date_desc"]))
        .offset(_page(page) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    out = [
        InvoiceRow(
            id=inv.id, number=inv.number, type=inv.type, status=inv.status, client=cname,
            matter=f"{mnum} {mtitle}" if mnum else "", issue_date=inv.issue_date, due_date=inv.due_date,
            currency=inv.currency, total_minor=inv.total_minor, paid_minor=inv.paid_minor, outstanding_minor=int(owed),
            overdue=inv.status in ("approved", "partially_paid") and inv.due_date < today and owed > 0,
        )
        for inv, cname, mnum, mtitle, owed in rows
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


TIME_SORTS = {
    "date_desc": (TimeEntry.work_date.desc(), TimeEntry.id.desc()),
    "date_asc": (TimeEntry.work_date.asc(), TimeEntry.id.asc()),
    "hours_desc": (TimeEntry.minutes.desc(), TimeEntry.work_date.desc(), TimeEntry.id.desc()),
}


def _months_window(months: list[tuple[date, int]], needed: int, sort: str):
    """Only the months that hold the first `needed` entries in date order (newest or oldest first).

    A large client has years of entries; the page sorted by date needs the last month or two.
    `months` is newest first, as (first day of month, entries).
    """
    if sort not in ("date_desc", "date_asc") or not months:
        return True
    seen = 0
    for month, entries in (months if sort == "date_desc" else reversed(months)):
        seen += int(entries)
        if seen >= needed:
            break
    else:
        return True
    if sort == "date_desc":
        return TimeEntry.work_date >= month
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return TimeEntry.work_date < following


def time_entries(
    session: Session, user: PortalIdentity, page: int = 0, *, scope: Scope = EVERYTHING, sort: str = "date_desc"
) -> tuple[list[TimeRow], int]:
    cond = and_(time_entry_visible(user), _time_scope(scope))
    months = session.exec(
        select(MatterMonthTime.month, func.sum(MatterMonthTime.entries))
        .where(_months_visible(user, scope))
        .group_by(MatterMonthTime.month)
        .order_by(MatterMonthTime.month.desc())
    ).all()
    total = sum(int(n) for _m, n in months)
    cond = and_(cond, _months_window(months, (_page(page) + 1) * PAGE_SIZE, sort))
    rows = session.exec(
        select(TimeEntry, Matter.number, Matter.title, Contact.name)
        .join(Matter, Matter.id == TimeEntry.matter_id)
        .join(Contact, Contact.id == Matter.contact_id)
        .where(cond)
        .order_by(*TIME_SORTS.get(sort, TIME_SORTS["date_desc"]))
        .offset(_page(page) * PAGE_SIZE)
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
    has_document: bool


AGREEMENT_SORTS = {
    "date_desc": (Agreement.signed_on.desc(), Agreement.id.desc()),
    "date_asc": (Agreement.signed_on.asc(), Agreement.id.asc()),
    "title": (Agreement.title.asc(), Agreement.id.asc()),
}


def agreements(
    session: Session, user: PortalIdentity, page: int = 0, *, scope: Scope = EVERYTHING, sort: str = "date_desc"
) -> tuple[list[AgreementRow], int]:
    cond = and_(agreement_visible(user), _agreement_scope(scope))
    total = session.exec(select(func.count()).select_from(Agreement).where(cond)).one()
    rows = session.exec(
        select(Agreement, Contact.name, Matter.number, Matter.title)
        .join(Contact, Contact.id == Agreement.contact_id)
        .outerjoin(Matter, Matter.id == Agreement.matter_id)
        .where(cond)
        .order_by(*AGREEMENT_SORTS.get(sort, AGREEMENT_SORTS["date_desc"]))
        .offset(_page(page) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return [
        AgreementRow(id=a.id, title=a.title, client=cname, matter=f"{mnum} {mtitle}" if mnum else "",
                     fee_arrangement=a.fee_arrangement, signed_on=a.signed_on, valid_until=a.valid_until,
                     has_document=bool(a.document_file))
        for a, cname, mnum, mtitle in rows
    ], int(total)


def agreement_document(session: Session, user: PortalIdentity, agreement_id) -> tuple[str, str]:
    """(stored file, download name) of an agreement's document visible to this person."""
    agreement_id = row_id(agreement_id)
    if agreement_id is None:
        raise ServiceError("errors.not_found")
    row = session.exec(
        select(Agreement).where(Agreement.id == agreement_id, agreement_visible(user))
    ).first()
    if row is None or not row.document_file:
        raise ServiceError("errors.not_found")
    return row.document_file, row.document_name or "document.pdf"


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
    if (new or "") != (repeat or ""):
        errors["new_password_repeat"] = ("register.passwords_differ", {})
    if errors:
        raise FieldErrors(errors)
    row.password_hash = passwords.hash_password(new)
    session.add(row)
    session.commit()
