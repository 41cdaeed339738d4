"""Numbers, money and dates in the reader's locale; money is exact (minor units → Decimal)."""

from datetime import date
from decimal import Decimal

from babel.dates import format_date as _babel_date
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


def format_hours(minutes: int, lang: str) -> str:
    """Hours with one decimal place, e.g. `12,5` (pl) or `12.5` (en)."""
    hours = (Decimal(int(minutes)) / Decimal(60)).quantize(Decimal("0.1"))
    return format_decimal(hours, format="#,##0.0", locale=_locale(lang))


def format_date(value: date | None, lang: str) -> str:
    if value is None:
        return ""
    return _babel_date(value, format="medium", locale=_locale(lang))
