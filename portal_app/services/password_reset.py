"""Forgotten portal passwords: a one-hour, single-use link sent only to the stored address (CP-4).

The answer to a request is the same whether or not the address has an account; the link, once
used, sets the new password, ends every session of the account and lifts a sign-in lock.
"""

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, update
from sqlmodel import Session, select

from portal_app import routes
from portal_app.config import base_url
from portal_app.mail.outbox import enqueue
from portal_app.mail.templates import password_reset_email
from portal_app.models import AuthSession, PasswordReset, PortalUser
from portal_app.models.base import utcnow
from portal_app.services import login_throttle, passwords
from portal_app.services.errors import FieldErrors, ServiceError
from portal_app.services.identity import canonical_email, new_token, token_hash
from portal_app.services.portal_settings import PortalBrand

RESET_VALID_FOR = timedelta(hours=1)
MAX_LINKS_PER_HOUR = 3


def reset_link(address: str, token: str) -> str:
    return base_url() + routes.portal_url(address, f"reset/{token}")


def _user_by_email(session: Session, brand: PortalBrand, email: str) -> PortalUser | None:
    try:
        canonical = canonical_email(email)
    except ServiceError:
        return None
    return session.exec(
        select(PortalUser).where(PortalUser.firm_id == brand.firm_id, PortalUser.email == canonical)
    ).first()


def send_reset_link(session: Session, brand: PortalBrand, user: PortalUser, now: datetime | None = None) -> bool:
    """Queue a reset e-mail to the account's stored address; False when the hourly limit is reached. Commits."""
    now = now or utcnow()
    recent = session.exec(
        select(func.count()).select_from(PasswordReset).where(
            PasswordReset.portal_user_id == user.id, PasswordReset.created_at > now - RESET_VALID_FOR
        )
    ).one()
    if recent >= MAX_LINKS_PER_HOUR:
        return False
    token, digest = new_token()
    session.add(PasswordReset(portal_user_id=user.id, token_hash=digest, created_at=now, expires_at=now + RESET_VALID_FOR))
    rendered = password_reset_email(
        lang=user.language, company_name=brand.company_name, contact_email=brand.contact_email,
        logo_url=routes.logo_link(brand.logo_file) if brand.logo_file else None,
        link=reset_link(brand.address, token),
    )
    enqueue(session, to=user.email, rendered=rendered, firm_id=brand.firm_id)
    session.commit()
    return True


def request_reset(session: Session, brand: PortalBrand, email: str, now: datetime | None = None) -> None:
    """Send a link if the address has an account here; say nothing either way."""
    user = _user_by_email(session, brand, email)
    if user is not None:
        send_reset_link(session, brand, user, now)


def _live_link(session: Session, brand: PortalBrand, token: str, now: datetime) -> tuple[PasswordReset, PortalUser] | None:
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    link = session.exec(select(PasswordReset).where(PasswordReset.token_hash == token_hash(token))).first()
    if link is None or link.used_at is not None:
        return None
    expires = link.expires_at if link.expires_at.tzinfo else link.expires_at.replace(tzinfo=timezone.utc)
    if now > expires:
        return None
    user = session.get(PortalUser, link.portal_user_id)
    if user is None or user.firm_id != brand.firm_id:
        return None
    return link, user


def link_email(session: Session, brand: PortalBrand, token: str, now: datetime | None = None) -> str | None:
    """The account's address when the link can still be used, else None."""
    found = _live_link(session, brand, token, now or utcnow())
    return found[1].email if found else None


def reset_password(
    session: Session, brand: PortalBrand, token: str, *, new: str, repeat: str, now: datetime | None = None
) -> int:
    """Set the new password through a live link; ends every session. Slow (bcrypt): off the loop."""
    now = now or utcnow()
    found = _live_link(session, brand, token, now)
    if found is None:
        raise ServiceError("reset.invalid")
    link, user = found
    new = new or ""
    problem = passwords.password_problem(new, avoid=(brand.company_name, brand.address, user.email.split("@")[0]))
    if problem:
        raise FieldErrors({"new_password": problem})
    if new != (repeat or ""):
        raise FieldErrors({"new_password_repeat": ("register.passwords_differ", {})})
    claimed = session.exec(
        update(PasswordReset).where(PasswordReset.id == link.id, PasswordReset.used_at.is_(None)).values(used_at=now)
    )
    if claimed.rowcount != 1:
        session.rollback()
        raise ServiceError("reset.invalid")
    session.exec(  # every other link of the account dies with this one
        update(PasswordReset)
        .where(PasswordReset.portal_user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    user.password_hash = passwords.hash_password(new)
    session.add(user)
    for row in session.exec(select(AuthSession).where(AuthSession.portal_user_id == user.id)):
        session.delete(row)
    session.commit()
    login_throttle.clear(session, login_throttle.account_key(brand.firm_id, user.email))
    return user.id
