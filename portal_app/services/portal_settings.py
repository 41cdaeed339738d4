"""General Settings → Client Portal (CP-1): who may change it, the address rule, saving."""

import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal_app.models import Firm, Plan, PortalSettings, StaffUser
from portal_app.models.base import utcnow
from portal_app.routes import RESERVED_ADDRESSES
from portal_app.services.errors import FieldErrors, NotAllowed, ServiceError
from portal_app.services.identity import StaffIdentity, canonical_email
from portal_app.services.workspace import visible_text

ADDRESS_MIN = 2
ADDRESS_MAX = 50
_ALLOWED = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
_POLISH = str.maketrans({"ł": "l", "Ł": "L"})


@dataclass(frozen=True)
class SettingsView:
    enabled: bool
    company_name: str
    address: str
    contact_email: str
    logo_file: str | None
    version: int
    in_use: bool


def refusal_reason(staff: StaffIdentity) -> str | None:
    """Why this staff member cannot use the portal settings, as a message key (None = allowed)."""
    if staff.plan != "premium":
        return "settings.refused_plan"
    if not staff.is_admin:
        return "settings.refused_role"
    return None


def require_portal_admin(session: Session, staff: StaffIdentity) -> None:
    """Re-read role and plan from the database: the identity may be minutes old."""
    firm = session.get(Firm, staff.firm_id)
    user = session.get(StaffUser, staff.user_id)
    if firm is None or user is None or user.firm_id != firm.id:
        raise NotAllowed("errors.not_allowed")
    if firm.plan != "premium":
        raise NotAllowed("settings.refused_plan")
    if user.role != "administrator":
        raise NotAllowed("settings.refused_role")


def suggest_address(raw: str) -> str:
    """An ASCII slug close to what was typed: `kancelaria łódź` → `kancelaria-lodz`."""
    text = unicodedata.normalize("NFKD", raw.translate(_POLISH))
    out, dash = [], False
    for ch in text:
        if unicodedata.combining(ch):
            continue
        if ch.isascii() and ch.isalnum():
            out.append(ch.lower())
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")[:ADDRESS_MAX]


def _valid_suggestion(raw: str) -> str:
    """A suggestion that passes every rule itself ("" when nothing sensible is left).

    Folding can land on a reserved word (`łogin` → `login`); a numbered variant keeps the offer
    useful instead of proposing something the next check refuses.
    """
    slug = suggest_address(raw)
    if len(slug) < ADDRESS_MIN:
        return ""
    if slug not in RESERVED_ADDRESSES:
        return slug
    for n in range(2, 100):
        tail = f"-{n}"
        candidate = slug[: ADDRESS_MAX - len(tail)] + tail
        if candidate not in RESERVED_ADDRESSES:
            return candidate
    return ""


def validate_address(raw: str) -> str:
    """The canonical (lower-case) address, or ServiceError naming what is wrong."""
    text = (raw or "").strip()
    if not text:
        raise ServiceError("address.required")
    bad = [ch for ch in text if ch not in _ALLOWED]
    if bad:
        suggestion = _valid_suggestion(text)
        letters = [ch for ch in bad if not ch.isspace()]
        if letters:
            raise ServiceError("address.bad_char", char=letters[0], suggestion=suggestion)
        raise ServiceError("address.space", char=" ", suggestion=suggestion)
    if text.startswith("-"):
        raise ServiceError("address.leading_hyphen")
    if len(text) < ADDRESS_MIN:
        raise ServiceError("address.too_short", min=ADDRESS_MIN)
    if len(text) > ADDRESS_MAX:
        raise ServiceError("address.too_long", max=ADDRESS_MAX, length=len(text))
    canonical = text.lower()
    if canonical in RESERVED_ADDRESSES:
        raise ServiceError("address.reserved")
    return canonical


def _row(session: Session, firm_id: int) -> PortalSettings:
    row = session.exec(select(PortalSettings).where(PortalSettings.firm_id == firm_id)).first()
    if row is None:
        firm = session.get(Firm, firm_id)
        row = PortalSettings(firm_id=firm_id, company_name=firm.name if firm else "")
        session.add(row)
        session.commit()
        session.refresh(row)
    return row


def load_settings(session: Session, staff: StaffIdentity) -> SettingsView:
    require_portal_admin(session, staff)
    row = _row(session, staff.firm_id)
    return SettingsView(
        enabled=row.enabled, company_name=row.company_name, address=row.address or "",
        contact_email=row.contact_email, logo_file=row.logo_file, version=row.version,
        in_use=bool(row.enabled and row.address),
    )


@dataclass(frozen=True)
class SettingsForm:
    enabled: bool
    company_name: str
    address: str
    contact_email: str


def save_settings(
    session: Session,
    staff: StaffIdentity,
    form: SettingsForm,
    *,
    expected_version: int,
    new_logo_file: str | None = None,
    remove_logo: bool = False,
) -> tuple[SettingsView, str | None]:
    """Validate every field, then save all or nothing.

    Returns the saved view and the name of a logo file that is no longer used (to delete).
    Raises FieldErrors (per field) or ServiceError("settings.changed_meanwhile").
    """
    require_portal_admin(session, staff)
    errors: dict[str, tuple[str, dict]] = {}
    company = visible_text(form.company_name)
    if not company:
        errors["company_name"] = ("settings.company_required", {})
    elif len(company) > 200:
        errors["company_name"] = ("settings.company_too_long", {"max": 200})
    address = None
    try:
        address = validate_address(form.address)
    except ServiceError as exc:
        errors["address"] = (exc.key, exc.params)
    contact = ""
    try:
        contact = canonical_email(form.contact_email)
    except ServiceError as exc:
        errors["contact_email"] = (exc.key, exc.params)
    if address:
        taken = session.exec(
            select(PortalSettings.id).where(
                func.lower(PortalSettings.address) == address, PortalSettings.firm_id != staff.firm_id
            )
        ).first()
        if taken:
            errors["address"] = ("address.taken", {})
    if errors:
        raise FieldErrors(errors)

    row = _row(session, staff.firm_id)
    old_logo = row.logo_file
    logo = new_logo_file if new_logo_file else (None if remove_logo else old_logo)
    try:
        result = session.exec(
            update(PortalSettings)
            .where(PortalSettings.id == row.id, PortalSettings.version == expected_version)
            .values(
                enabled=bool(form.enabled), company_name=company, address=address,
                contact_email=contact, logo_file=logo, version=expected_version + 1,
                updated_at=utcnow(),
            )
        )
    except IntegrityError:
        session.rollback()
        raise FieldErrors({"address": ("address.taken", {})}) from None
    if result.rowcount != 1:
        session.rollback()
        raise ServiceError("settings.changed_meanwhile")
    session.commit()
    unused = old_logo if old_logo and old_logo != logo else None
    return load_settings(session, staff), unused


@dataclass(frozen=True)
class PortalBrand:
    """What a portal page shows before anyone logs in."""

    firm_id: int
    company_name: str
    address: str
    contact_email: str
    logo_file: str | None
    language: str


def canonical_address(address: str) -> str:
    """The stored form of a portal address typed in any case ("" when it cannot be one)."""
    text = (address or "").strip().lower() if isinstance(address, str) else ""
    return text if len(text) <= ADDRESS_MAX else ""


def brand_of(row: PortalSettings, firm: Firm) -> tuple[PortalBrand, bool]:
    """The branding of a portal settings row, and whether the portal is open."""
    brand = PortalBrand(
        firm_id=row.firm_id, company_name=row.company_name, address=row.address or "",
        contact_email=row.contact_email, logo_file=row.logo_file, language=firm.default_language,
    )
    return brand, bool(row.enabled and firm.plan == Plan.PREMIUM.value)


def _brand_at(session: Session, address: str) -> tuple[PortalBrand, bool] | None:
    """The portal configured at this address (any letter case) and whether it is open.

    Addresses are stored in canonical lower case, so the unique index answers (every portal
    event asks this).
    """
    text = canonical_address(address)
    if not text:
        return None
    found = session.exec(
        select(PortalSettings, Firm).join(Firm, Firm.id == PortalSettings.firm_id).where(PortalSettings.address == text)
    ).first()
    return brand_of(*found) if found is not None else None


def brand_for_address(session: Session, address: str) -> PortalBrand | None:
    """The enabled portal at this address (any letter case), or None."""
    found = _brand_at(session, address)
    return found[0] if found and found[1] else None


def switched_off_brand(session: Session, address: str) -> PortalBrand | None:
    """The portal at this address when its firm has switched it off (or left Premium), else None.

    Lets the portal tell its clients "switched off, contact the firm" rather than "no such
    portal"; nothing behind the login is reachable either way.
    """
    found = _brand_at(session, address)
    return found[0] if found and not found[1] else None


def change_plan(session: Session, firm_id: int, plan: str) -> None:
    """Set a firm's plan (an operator's action); leaving Premium switches the portal off.

    Shares and portal accounts stay, so enabling the portal again after an upgrade restores them.
    The settings version is bumped so an administrator's open form cannot silently re-enable it.
    """
    if plan not in {p.value for p in Plan}:
        raise ValueError(f"unknown plan: {plan!r}")
    firm = session.get(Firm, firm_id)
    if firm is None:
        raise ValueError(f"no firm {firm_id}")
    firm.plan = plan
    session.add(firm)
    if plan != Plan.PREMIUM.value:
        session.exec(
            update(PortalSettings)
            .where(PortalSettings.firm_id == firm_id, PortalSettings.enabled.is_(True))
            .values(enabled=False, version=PortalSettings.version + 1, updated_at=utcnow())
        )
    session.commit()


def referenced_logo_files(session: Session) -> set[str]:
    """Every logo file some firm's saved settings point at (the rest may be swept away)."""
    names = session.exec(select(PortalSettings.logo_file).where(PortalSettings.logo_file.is_not(None)))
    return {name for name in names if name}
