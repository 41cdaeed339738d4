"""Numbers, money and dates in the reader's locale; money is exact (minor units → Decimal)."""

from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_currency, format_decimal

_LOCALES = {"pl": "pl_PL", "en": "en_GB"}


def _locale(lang: str) -> str:
    return _LOCALES.get(lang, "pl_PL")


def format_money(minor: int, currency: str, lang: str) -> str:
    """`1 234,50 zł` in Polish, `PLN 1,234.50` in English (ISO code first, unambiguous)."""
    amount = Decimal(int(minor)).scaleb(-2)
    if lang == "en":
        return format_currency(amount, currency, format="¤¤\xa0#,##0.00", locale=_locale(lang), currency_digits=False)
    return format_currency(amount, currency, locale=_locale(lang))


def format_amount(minor: int, lang: str) -> str:
    """An amount to type over again in a form: `1 234,50` (pl), `1,234.50` (en); parse_amount reads both."""
    return format_decimal(Decimal(int(minor)).scaleb(-2), format="#,##0.00", locale=_locale(lang))


def format_hours(minutes: int, lang: str) -> str:
    """Hours to the hundredth, as billed: `12,5`, `1,25`, `4,75` (pl) or `4.75` (en); at least one decimal.

    One decimal rounded to even showed 1:15 as 1,2 and 4:45 as 4,8: not what the firm bills.
    """
    hours = (Decimal(int(minutes)) / Decimal(60)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return format_decimal(hours, format="#,##0.0#", locale=_locale(lang))


def format_datetime(value: datetime, tz_name: str, lang: str) -> str:
    """A moment on the reader's wall clock: `4 mar 2026, 14:05:09` (pl), `4 Mar 2026, 14:05:09` (en)."""
    try:
        zone = ZoneInfo(tz_name)
    except Exception:  # noqa: BLE001 - an unknown zone name falls back to UTC
        zone = ZoneInfo("UTC")
    moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return _babel_datetime(moment, format="medium", tzinfo=zone, locale=_locale(lang))


def format_date(value: date | None, lang: str) -> str:
    if value is None:
        return ""
    return _babel_date(value, format="medium", locale=_locale(lang))
