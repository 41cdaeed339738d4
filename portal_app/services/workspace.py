"""What every staff change needs: the target row checked against the caller's firm, form-value
parsing (text, dates, money) with field errors, and the audit trail of deletions and archiving.
"""

import re
import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from portal_app.models import AuditLog
from portal_app.services.errors import NotAllowed, ServiceError
from portal_app.services.identity import StaffIdentity

Errors = dict[str, tuple[str, dict]]
CENT = Decimal("0.01")
MAX_MINOR = 10**13  # a hundred billion in major units: beyond any invoice, inside BIGINT


MAX_ID = 2**31 - 1  # PostgreSQL INTEGER: a larger id would be a database error, not "not found"
ID_TEXT = re.compile(r"[0-9]{1,10}")  # ASCII digits only: re's [0-9], unlike \d and str.isdigit()


def row_id(value) -> int | None:
    """A browser-supplied id (an int or a string of ASCII digits) in the database's range, or None.

    Only 0-9: `str.isdigit()` also accepts ³ (which int() refuses) and ١ (which it reads as 1).
    """
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and ID_TEXT.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if 0 < number <= MAX_ID else None


def page_offset(page, size: int) -> int:
    """Offset of a page number from state, bounded so no database is asked for an absurd offset."""
    number = page if isinstance(page, int) and not isinstance(page, bool) else 0
    return min(max(0, number), 100_000) * size


def firm_row(session: Session, staff: StaffIdentity, model, row_id_value):
    """The row of `model` with this id if it belongs to the caller's firm; NotAllowed otherwise."""
    number = row_id(row_id_value)
    row = session.get(model, number) if number is not None else None
    if row is None or getattr(row, "firm_id", None) != staff.firm_id:
        raise NotAllowed("errors.not_found")
    return row


def check_version(row, expected) -> None:
    """Refuse a save from a form opened before someone else changed this row (None: no form)."""
    if expected is not None and expected != row.version:
        raise ServiceError("ws.changed_meanwhile")


def commit(session: Session) -> None:
    """Commit; a row another tab or worker changed since it was read refuses the whole save."""
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        raise ServiceError("ws.changed_meanwhile") from None


def audit(session: Session, staff: StaffIdentity, action: str, target_type: str, target_id: int, summary: str = "") -> None:
    """Record who did an irreversible or hiding change; committed with the change itself."""
    session.add(AuditLog(firm_id=staff.firm_id, staff_user_id=staff.user_id, action=action,
                         target_type=target_type, target_id=target_id, summary=summary[:300]))


def visible_text(value) -> str:
    """The text without control, invisible formatting (zero-width spaces, right-to-left overrides)
    and unpaired surrogate characters: what is stored reads on screen as it is; line breaks and
    tabs stay."""
    return "".join(
        ch for ch in str(value or "") if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
    ).strip()


def text(value, name: str, errors: Errors, *, max_len: int, required: bool = True) -> str:
    result = visible_text(value)
    if required and not result:
        errors[name] = ("ws.required", {})
    elif len(result) > max_len:
        errors[name] = ("errors.too_long", {"max": max_len})
    return result


def choice(value, name: str, allowed: tuple[str, ...], errors: Errors) -> str:
    result = str(value or "")
    if result not in allowed:
        errors[name] = ("errors.invalid", {})
    return result


def parse_date(value, name: str, errors: Errors, *, required: bool = True) -> date | None:
    """An ISO date as the browser's date input sends it."""
    raw = str(value or "").strip()
    if not raw:
        if required:
            errors[name] = ("ws.required", {})
        return None
    try:
        result = date.fromisoformat(raw)
    except ValueError:
        errors[name] = ("ws.date_invalid", {})
        return None
    if not 1900 <= result.year <= 2200:
        errors[name] = ("ws.date_invalid", {})
        return None
    return result


_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]{1,2})?")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


class AmbiguousAmount(ValueError):
    """`1,500` or `0,001`: a thousands separator in English, a decimal comma in Polish."""


def parse_amount(value) -> Decimal:
    """`1 234,50`, `1,234.50`, `1234.5` → Decimal('1234.50'); ValueError on anything else.

    Digits 0-9 only. The last `.` or `,` is the decimal separator when it is followed by one or two
    digits; the other separators (spaces, the other mark) group thousands, in threes. Never
    guessed: a single mark followed by three digits (`1,500`, `1.500`, `0,001`) is refused as
    AmbiguousAmount (read as thousands, `0,001` became a payment of 1,00); a last mark differing
    from the earlier ones must be decimals, so `1.000,000` is refused (it became 1 000 000,00);
    spaces must group thousands (`1 50` is not 150).
    """
    text = _SPACES.sub(" ", str(value or "").strip())
    if not text:
        raise ValueError("empty")
    if not text.isascii():
        raise ValueError(text)  # ١٥٠٠ or １５００: int() would read them, a person may not mean them
    if " " in text:
        parts = text.split(" ")
        if not (re.fullmatch(r"-?[0-9]{1,3}", parts[0]) and all(re.fullmatch(r"[0-9]{3}", p) for p in parts[1:-1])
                and re.fullmatch(r"[0-9]{3}(?:[.,][0-9]{1,2})?", parts[-1])):
            raise ValueError(text)
    raw = text.replace(" ", "")
    if re.fullmatch(r"-?[0-9]{1,3}[.,][0-9]{3}", raw):
        raise AmbiguousAmount(raw)
    last = max(raw.rfind(","), raw.rfind("."))
    decimals = len(raw) - last - 1 if last >= 0 else 0
    whole, fraction = (raw[:last], raw[last + 1:]) if last >= 0 and 1 <= decimals <= 2 else (raw, "")
    if fraction and raw[last] in whole:
        raise ValueError(raw)  # one mark cannot separate both thousands and decimals
    if last >= 0 and not fraction and raw[last] not in raw[:last] and ("," in raw[:last] or "." in raw[:last]):
        raise ValueError(raw)  # `1.000,000`: a last mark unlike the others is the decimal one, and 3 decimals are too many
    groups = re.split(r"[.,]", whole.lstrip("-"))
    if len(groups) > 1 and not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
        raise ValueError(raw)
    if "," in whole and "." in whole:
        raise ValueError(raw)  # thousands grouped by both marks
    raw = whole.replace(",", "").replace(".", "") + ("." + fraction if fraction else "")
    if not _AMOUNT.fullmatch(raw):
        raise ValueError(raw)
    try:
        return Decimal(raw).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise ValueError(raw) from exc


def to_minor(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


def amount_field(value, name: str, errors: Errors, *, positive: bool = True) -> int:
    """Minor units of a typed amount, or 0 with a field error."""
    try:
        minor = to_minor(parse_amount(value))
    except AmbiguousAmount:
        errors[name] = ("ws.amount_ambiguous", {})
        return 0
    except ValueError:
        errors[name] = ("ws.amount_invalid", {})
        return 0
    if positive and minor <= 0:
        errors[name] = ("ws.amount_positive", {})
    elif abs(minor) >= MAX_MINOR:
        errors[name] = ("ws.amount_invalid", {})
    return minor


