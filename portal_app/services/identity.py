"""E-mail canonical form and sessions: who is calling, decided on the server for every event."""

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, select

from portal_app.models import AuthSession, Firm, PortalUser, StaffUser
from portal_app.models.base import utcnow
from portal_app.services.errors import ServiceError

IDLE_TIMEOUT = timedelta(hours=2)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
_TOUCH_EVERY = timedelta(minutes=1)


def canonical_email(raw: str) -> str:
    """Validated, normalised address (domain in lower-case IDNA-normalised form).

    The local part is lower-cased too: two addresses differing only by case are one identity.
    Compatibility forms (full-width letters) fold to plain ones first, and a local part or domain
    label mixing alphabets (Latin `a` next to a Cyrillic `а`) is refused as a look-alike, as is a
    part made only of Cyrillic or Greek letters that look Latin in an otherwise Latin address.
    Raises ServiceError("email.invalid") (the library's own reason is English only), or "email.confusable".
    """
    text = unicodedata.normalize("NFKC", (raw or "").strip())
    if not text:
        raise ServiceError("email.required")
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise ServiceError("email.invalid") from None
    normalized = result.normalized.lower()
    local, _, domain = normalized.rpartition("@")
    parts = (local, *domain.split("."))
    if any(len(_scripts(part)) > 1 for part in parts):
        raise ServiceError("email.confusable")
    if any(_disguised(part) for part in parts) and any(_scripts(part) == {"LATIN"} for part in parts):
        raise ServiceError("email.confusable")
    return normalized


# Lower-case Cyrillic and Greek letters drawn like Latin ones (from Unicode's confusables): a part
# written only in these (`сое`, `рау`) reads as a Latin word beside a Latin domain.
_LATIN_LOOKALIKES = frozenset("аеорсухіјѕԁһԛԝӏүοαρνιυκϲ")


def _scripts(text: str) -> set[str]:
    """The alphabets of the letters in `text` (LATIN, CYRILLIC, GREEK…), from their Unicode names."""
    return {unicodedata.name(ch, "UNKNOWN").split(" ")[0] for ch in text if ch.isalpha()}


def _disguised(part: str) -> bool:
    letters = [ch for ch in part if ch.isalpha()]
    return bool(letters) and all(ch in _LATIN_LOOKALIKES for ch in letters)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh 256-bit secret and its hash (only the hash is stored)."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


@dataclass(frozen=True)
class StaffIdentity:
    user_id: int
    firm_id: int
    name: str
    email: str
    role: str
    plan: str
    language: str
    timezone: str

    @property
    def is_admin(self) -> bool:
        return self.role == "administrator"


@dataclass(frozen=True)
class PortalIdentity:
    user_id: int
    firm_id: int
    email: str
    first_name: str
    last_name: str
    language: str
    timezone: str


def start_session(session: Session, *, staff_user_id: int | None = None, portal_user_id: int | None = None) -> str:
    token, digest = new_token()
    kind = "staff" if staff_user_id else "portal"
    session.add(
        AuthSession(token_hash=digest, kind=kind, staff_user_id=staff_user_id, portal_user_id=portal_user_id)
    )
    session.commit()
    return token


def end_session(session: Session, token: str) -> None:
    if not token:
        return
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == token_hash(token))).first()
    if row:
        session.delete(row)
        session.commit()


def end_other_sessions(session: Session, *, portal_user_id: int | None = None, staff_user_id: int | None = None, keep_token: str = "") -> None:
    keep = token_hash(keep_token) if keep_token else ""
    query = select(AuthSession)
    if portal_user_id is not None:
        query = query.where(AuthSession.portal_user_id == portal_user_id)
    else:
        query = query.where(AuthSession.staff_user_id == staff_user_id)
    for row in session.exec(query):
        if row.token_hash != keep:
            session.delete(row)
    session.commit()


def _live_session(session: Session, token: str, kind: str, now: datetime | None) -> AuthSession | None:
    if not token or not isinstance(token, str) or len(token) > 100:
        return None
    row = session.exec(
        select(AuthSession).where(AuthSession.token_hash == token_hash(token), AuthSession.kind == kind)
    ).first()
    return row if row is not None and still_live(session, row, now or utcnow()) else None


def still_live(session: Session, row: AuthSession, now: datetime) -> bool:
    """Idle and absolute time-outs: ends an expired session, and notes activity at most once a minute."""
    created = row.created_at.replace(tzinfo=row.created_at.tzinfo or timezone.utc)
    seen = row.last_seen_at.replace(tzinfo=row.last_seen_at.tzinfo or timezone.utc)
    if now - seen > IDLE_TIMEOUT or now - created > ABSOLUTE_TIMEOUT:
        session.delete(row)
        session.commit()
        return False
    if now - seen > _TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
        session.commit()
    return True


def portal_identity(user: PortalUser) -> PortalIdentity:
    return PortalIdentity(
        user_id=user.id, firm_id=user.firm_id, email=user.email, first_name=user.first_name,
        last_name=user.last_name, language=user.language, timezone=user.timezone,
    )


def staff_for_token(session: Session, token: str, now: datetime | None = None) -> StaffIdentity | None:
    row = _live_session(session, token, "staff", now)
    if row is None:
        return None
    user = session.get(StaffUser, row.staff_user_id)
    firm = session.get(Firm, user.firm_id) if user else None
    if user is None or firm is None:
        return None
    return StaffIdentity(
        user_id=user.id, firm_id=firm.id, name=user.name, email=user.email, role=user.role,
        plan=firm.plan, language=user.language, timezone=user.timezone,
    )


def portal_user_for_token(session: Session, token: str, now: datetime | None = None) -> PortalIdentity | None:
    row = _live_session(session, token, "portal", now)
    if row is None:
        return None
    user = session.get(PortalUser, row.portal_user_id)
    return portal_identity(user) if user is not None else None
