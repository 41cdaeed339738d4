"""Sharing a contact or matter card with clients' e-mail addresses (CP-2) and invitations (CP-3)."""

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, update
from sqlmodel import Session, select

from portal_app import routes
from portal_app.mail.outbox import delivery_state, enqueue
from portal_app.mail.templates import invitation_email
from portal_app.models import (
    Contact,
    Firm,
    Invitation,
    Matter,
    PortalSettings,
    PortalUser,
    Share,
    ShareInvoiceScope,
    ShareRecipient,
)
from portal_app.models.base import utcnow
from portal_app.models.billing import SHAREABLE_STATUSES, InvoiceStatus, InvoiceType
from portal_app.services.errors import NotAllowed, ServiceError
from portal_app.services.identity import StaffIdentity, canonical_email, new_token, token_hash
from portal_app.services.portal_settings import require_portal_admin

INVITATION_VALID_FOR = timedelta(days=14)
# Resend throttle per recipient: the first resend after a share may follow at once (the client is
# on the phone: "nothing came"); each further one waits RESEND_COOLDOWN, and no address gets more
# than MAX_INVITATIONS_PER_DAY invitations (the share's own included) in any 24 hours.
RESEND_COOLDOWN = timedelta(seconds=60)
MAX_INVITATIONS_PER_DAY = 5
INVOICE_TYPES = tuple(t.value for t in InvoiceType)
INVOICE_STATUSES = tuple(s.value for s in SHAREABLE_STATUSES)
DEFAULT_TYPES = INVOICE_TYPES
DEFAULT_STATUSES = (
    InvoiceStatus.APPROVED.value,
    InvoiceStatus.PARTIALLY_PAID.value,
    InvoiceStatus.PAID.value,
)
CARD_KINDS = ("contact", "matter")
MAX_RECIPIENTS = 50
MAX_PARSED = 1000


@dataclass(frozen=True)
class Card:
    kind: str
    id: int
    firm_id: int
    name: str


@dataclass(frozen=True)
class ParsedAddress:
    raw: str
    email: str
    error: str  # message key, "" when the address is good


@dataclass(frozen=True)
class RecipientView:
    id: int
    email: str
    registered: bool
    last_invited_at: datetime | None
    delivery: str


@dataclass(frozen=True)
class ShareView:
    invoice_types: tuple[str, ...]
    invoice_statuses: tuple[str, ...]
    time_entries: bool
    agreements: bool
    recipients: tuple[RecipientView, ...]


def card_for(session: Session, staff: StaffIdentity, kind: str, card_id) -> Card:
    """The contact or matter the staff member names, refused unless it is their firm's."""
    if kind not in CARD_KINDS:
        raise NotAllowed("errors.not_found")
    model = Contact if kind == "contact" else Matter
    row = session.get(model, _row_id(card_id))
    if row is None or row.firm_id != staff.firm_id:
        raise NotAllowed("errors.not_found")
    name = row.name if kind == "contact" else f"{row.number} {row.title}"
    return Card(kind=kind, id=row.id, firm_id=row.firm_id, name=name)


_MAX_ID = 2**31 - 1  # PostgreSQL INTEGER: a larger id would be a database error, not "not found"


def _row_id(value) -> int:
    """A database id from a browser-supplied value; anything else is simply not found."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if type(value) is not int or not 0 < value <= _MAX_ID:
        raise NotAllowed("errors.not_found")
    return value


# Quoted display names, <angle addresses>, list separators, blanks, and everything else.
_TOKENS = re.compile(r'(?P<quoted>"[^"\n]*")|(?P<angle><[^<>\n]*>)|(?P<sep>[,;\n\r])|(?P<space>\s+)|(?P<word>[^\s,;<"]+|[<"][^\s,;<"]*)')


def _candidates(text: str) -> list[str]:
    """The addresses in pasted text, in order, before validation.

    Separators (commas, semicolons, new lines, blanks) count only outside quotes and angle
    brackets, so `"Kowalski, Jan" <jan@example.com>` is one address. Words before an
    `<address>` are its display name, unless they contain an @ themselves; a quoted name stands
    for nothing on its own when an address follows it.
    """
    found: list[str] = []
    run: list[tuple[str, str]] = []  # (kind, text) since the last separator or <address>

    def flush(name_of: str | None) -> None:
        has_address = name_of is not None or any(k == "word" and "@" in t for k, t in run)
        for kind, value in run:
            if kind == "word" and ("@" in value or name_of is None):
                found.append(value)
            elif kind == "quoted" and not has_address:
                found.append(value)
        if name_of is not None:
            found.append(name_of)
        run.clear()

    for match in _TOKENS.finditer(text):
        kind, value = match.lastgroup, match.group()
        if kind == "angle":
            flush(value[1:-1].strip() or value)
        elif kind == "sep":
            flush(None)
        elif kind != "space":
            run.append((kind, value))
    flush(None)
    return found


def parse_addresses(text: str) -> list[ParsedAddress]:
    """Split pasted text into addresses, keep display names out, drop case-insensitive duplicates.

    At most MAX_PARSED distinct pieces are validated: far more than one card may take, so the
    save still refuses an oversized paste, and a huge paste cannot keep the server busy.
    """
    pieces: dict[str, str] = {}
    for raw in _candidates((text or "")[:20000]):
        if len(pieces) == MAX_PARSED:
            break
        pieces.setdefault(raw.lower(), raw)
    seen: set[str] = set()
    result: list[ParsedAddress] = []
    for raw in pieces.values():
        try:
            email = canonical_email(raw)
            error = ""
        except ServiceError as exc:
            email, error = "", exc.key
        key = email or raw.lower()
        if key in seen:
            continue
        seen.add(key)
        result.append(ParsedAddress(raw=raw, email=email, error=error))
    return result


def _share_row(session: Session, card: Card) -> Share | None:
    column = Share.contact_id if card.kind == "contact" else Share.matter_id
    return session.exec(select(Share).where(column == card.id, Share.firm_id == card.firm_id)).first()


def _require_sharing(session: Session, staff: StaffIdentity) -> PortalSettings:
    require_portal_admin(session, staff)
    settings = session.exec(select(PortalSettings).where(PortalSettings.firm_id == staff.firm_id)).first()
    if settings is None or not settings.enabled or not settings.address:
        raise NotAllowed("share.portal_disabled")
    return settings


def load_share(session: Session, staff: StaffIdentity, kind: str, card_id) -> ShareView:
    _require_sharing(session, staff)
    card = card_for(session, staff, kind, card_id)
    share = _share_row(session, card)
    if share is None:
        return ShareView(DEFAULT_TYPES, DEFAULT_STATUSES, True, True, ())
    scopes = session.exec(select(ShareInvoiceScope).where(ShareInvoiceScope.share_id == share.id)).all()
    recipients = session.exec(
        select(ShareRecipient)
        .where(ShareRecipient.share_id == share.id, ShareRecipient.removed_at.is_(None))
        .order_by(ShareRecipient.email)
    ).all()
    emails = [r.email for r in recipients]
    registered = set(
        session.exec(
            select(PortalUser.email).where(PortalUser.firm_id == staff.firm_id, PortalUser.email.in_(emails))
        ).all()
    ) if emails else set()
    delivery = delivery_state(session, [r.id for r in recipients])
    return ShareView(
        invoice_types=tuple(t for t in INVOICE_TYPES if any(s.invoice_type == t for s in scopes)),
        invoice_statuses=tuple(s for s in INVOICE_STATUSES if any(x.invoice_status == s for x in scopes)),
        time_entries=share.time_entries,
        agreements=share.agreements,
        recipients=tuple(
            RecipientView(
                id=r.id, email=r.email, registered=r.email in registered,
                last_invited_at=r.last_invited_at, delivery=delivery.get(r.id, ""),
            )
            for r in recipients
        ),
    )


def save_share(
    session: Session,
    staff: StaffIdentity,
    kind: str,
    card_id,
    *,
    emails: list[str],
    invoice_types: list[str],
    invoice_statuses: list[str],
    time_entries: bool,
    agreements: bool,
) -> list[int]:
    """Store the sharing of a card and queue invitations for new addresses, in one transaction.

    `emails` is the full list the card is shared with after this save: addresses no longer in it
    lose access at once. Returns the ids of the recipients that were invited.
    """
    settings = _require_sharing(session, staff)
    card = card_for(session, staff, kind, card_id)
    if not isinstance(emails, list) or len(emails) > MAX_RECIPIENTS:
        raise ServiceError("share.too_many", max=MAX_RECIPIENTS)
    wanted: list[str] = []
    for raw in emails:
        email = canonical_email(str(raw))
        if email not in wanted:
            wanted.append(email)
    types = _chosen(INVOICE_TYPES, invoice_types)
    statuses = _chosen(INVOICE_STATUSES, invoice_statuses)

    share = _share_row(session, card)
    if share is None:
        share = Share(
            firm_id=card.firm_id,
            contact_id=card.id if kind == "contact" else None,
            matter_id=card.id if kind == "matter" else None,
        )
    share.time_entries = bool(time_entries)
    share.agreements = bool(agreements)
    share.updated_at = utcnow()
    session.add(share)
    session.flush()
    session.exec(delete(ShareInvoiceScope).where(ShareInvoiceScope.share_id == share.id))
    for t in types:
        for s in statuses:
            session.add(ShareInvoiceScope(share_id=share.id, invoice_type=t, invoice_status=s))

    existing = {r.email: r for r in session.exec(select(ShareRecipient).where(ShareRecipient.share_id == share.id))}
    now = utcnow()
    invited: list[int] = []
    for email, row in existing.items():
        if email not in wanted and row.removed_at is None:
            row.removed_at = now
            session.add(row)
    for email in wanted:
        row = existing.get(email)
        if row is not None and row.removed_at is None:
            continue
        if row is None:
            row = ShareRecipient(share_id=share.id, firm_id=card.firm_id, email=email)
        row.removed_at = None
        row.added_at = now
        session.add(row)
        session.flush()
        _invite(session, settings, card, row)
        invited.append(row.id)
    session.commit()
    return invited


def _chosen(allowed: tuple[str, ...], picked) -> list[str]:
    """The allowed values that were picked, in their fixed order; anything else is ignored."""
    picked = picked if isinstance(picked, (list, tuple)) else []
    return [value for value in allowed if any(isinstance(p, str) and p == value for p in picked)]


@dataclass(frozen=True)
class SaveResult:
    invited: list[int]
    already_shared: list[str]


def add_to_share(
    session: Session,
    staff: StaffIdentity,
    kind: str,
    card_id,
    *,
    new_emails: list[str],
    invoice_types: list[str],
    invoice_statuses: list[str],
    time_entries: bool,
    agreements: bool,
) -> SaveResult:
    """What the dialog's *Save* does: store the choices and invite new addresses.

    Everyone the card is shared with right now keeps access (removing is a separate action), so a
    dialog opened before a colleague's change cannot undo it. Addresses already on the card are
    reported, not invited again.
    """
    _require_sharing(session, staff)
    card = card_for(session, staff, kind, card_id)
    if not isinstance(new_emails, list) or len(new_emails) > MAX_RECIPIENTS:
        raise ServiceError("share.too_many", max=MAX_RECIPIENTS)
    added = [canonical_email(str(raw)) for raw in new_emails]
    share = _share_row(session, card)
    current = [] if share is None else list(session.exec(
        select(ShareRecipient.email).where(ShareRecipient.share_id == share.id, ShareRecipient.removed_at.is_(None))
    ).all())
    already = [email for email in dict.fromkeys(added) if email in current]
    invited = save_share(
        session, staff, kind, card_id, emails=list(dict.fromkeys(current + added)),
        invoice_types=invoice_types, invoice_statuses=invoice_statuses,
        time_entries=time_entries, agreements=agreements,
    )
    return SaveResult(invited=invited, already_shared=already)


def resend_invitation(session: Session, staff: StaffIdentity, recipient_id, now: datetime | None = None) -> None:
    """Send the recipient a new link, which replaces their earlier unused ones; throttled.

    Raises:
        ServiceError: share.resend_too_soon or share.resend_limit when the throttle refuses.
    """
    settings = _require_sharing(session, staff)
    row = session.get(ShareRecipient, _row_id(recipient_id))
    if row is None or row.firm_id != staff.firm_id or row.removed_at is not None:
        raise NotAllowed("errors.not_found")
    share = session.get(Share, row.share_id)
    kind = "contact" if share.contact_id else "matter"
    card = card_for(session, staff, kind, share.contact_id or share.matter_id)
    now = now or utcnow()
    _check_resend_throttle(session, row, now)
    _invite(session, settings, card, row, now)
    session.commit()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _check_resend_throttle(session: Session, row: ShareRecipient, now: datetime) -> None:
    """Refuse a resend that would make the firm's mail a relay for one address (see RESEND_COOLDOWN)."""
    def invitations_since(moment: datetime) -> int:
        return session.exec(
            select(func.count()).select_from(Invitation)
            .where(Invitation.recipient_id == row.id, Invitation.created_at >= moment)
        ).one()

    if invitations_since(now - timedelta(days=1)) >= MAX_INVITATIONS_PER_DAY:
        raise ServiceError("share.resend_limit", max=MAX_INVITATIONS_PER_DAY)
    if row.last_invited_at is None or invitations_since(_aware(row.added_at)) < 2:
        return  # the first resend since the address was added
    wait = _aware(row.last_invited_at) + RESEND_COOLDOWN - now
    if wait > timedelta(0):
        raise ServiceError("share.resend_too_soon", seconds=math.ceil(wait.total_seconds()))


def _invite(
    session: Session, settings: PortalSettings, card: Card, recipient: ShareRecipient, now: datetime | None = None
) -> None:
    """Create a fresh personal link, retire the recipient's earlier unused ones, queue the e-mail.

    All in the caller's transaction. Only the newest link registers; an earlier one now resolves
    as expired, except for a person who already has an account, whose every link keeps leading to
    login (CP-3.3). The new link is never dated before the recipient's `added_at`, which is what
    tells it apart from links of an earlier, ended sharing (see resolve_invitation).
    """
    token, digest = new_token()
    now = max(now or utcnow(), _aware(recipient.added_at))
    session.exec(
        update(Invitation)
        .where(Invitation.recipient_id == recipient.id, Invitation.used_at.is_(None), Invitation.expires_at > now)
        .values(expires_at=now)
        .execution_options(synchronize_session="fetch")
    )
    session.add(Invitation(recipient_id=recipient.id, token_hash=digest, created_at=now,
                           expires_at=now + INVITATION_VALID_FOR))
    recipient.last_invited_at = now
    session.add(recipient)
    firm = session.get(Firm, card.firm_id)
    # Someone with an account reads it in the language they chose; a newcomer in the firm's.
    account_language = session.exec(
        select(PortalUser.language).where(PortalUser.firm_id == card.firm_id, PortalUser.email == recipient.email)
    ).first()
    registered = account_language is not None
    logo_url = routes.logo_link(settings.logo_file) if settings.logo_file else None
    rendered = invitation_email(
        lang=account_language or (firm.default_language if firm else "pl"),
        company_name=settings.company_name,
        contact_email=settings.contact_email,
        logo_url=logo_url,
        card_kind=card.kind,
        card_name=card.name,
        link=routes.invite_link(settings.address, token),
        already_registered=registered,
    )
    enqueue(session, to=recipient.email, rendered=rendered, firm_id=card.firm_id, recipient_id=recipient.id)


@dataclass(frozen=True)
class InvitationView:
    state: str  # register | login | expired | revoked | invalid
    email: str = ""
    card_kind: str = ""
    card_id: int = 0
    invitation_id: int = 0


def resolve_invitation(session: Session, firm_id: int, token: str, now: datetime | None = None) -> InvitationView:
    """What a personal link leads to right now."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return InvitationView("invalid")
    now = now or utcnow()
    inv = session.exec(select(Invitation).where(Invitation.token_hash == token_hash(token))).first()
    recipient = session.get(ShareRecipient, inv.recipient_id) if inv else None
    if inv is None or recipient is None or recipient.firm_id != firm_id:
        return InvitationView("invalid")
    share = session.get(Share, recipient.share_id)
    kind = "contact" if share.contact_id else "matter"
    base = dict(email=recipient.email, card_kind=kind, card_id=share.contact_id or share.matter_id, invitation_id=inv.id)
    if recipient.removed_at is not None or _aware(inv.created_at) < _aware(recipient.added_at):
        # Removed now, or a link from before the address was removed and added back.
        return InvitationView("revoked", **base)
    has_account = session.exec(
        select(PortalUser.id).where(PortalUser.firm_id == firm_id, PortalUser.email == recipient.email)
    ).first()
    if has_account:
        return InvitationView("login", **base)
    expires = _aware(inv.expires_at)
    if inv.used_at is not None or now > expires:
        return InvitationView("expired", **base)
    return InvitationView("register", **base)


def revoke_recipient(session: Session, staff: StaffIdentity, recipient_id) -> str:
    """End one person's access to one card at once; returns their address."""
    _require_sharing(session, staff)
    row = session.get(ShareRecipient, _row_id(recipient_id))
    if row is None or row.firm_id != staff.firm_id or row.removed_at is not None:
        raise NotAllowed("errors.not_found")
    row.removed_at = utcnow()
    session.add(row)
    session.commit()
    return row.email
