"""Messages in Polish and English, and locale-aware numbers, money and dates (Babel)."""

from portal_app.i18n.catalog import LANGUAGES, MESSAGES, catalog, translate
from portal_app.i18n.formats import format_amount, format_date, format_datetime, format_hours, format_money

__all__ = ["LANGUAGES", "MESSAGES", "catalog", "format_amount", "format_date", "format_datetime", "format_hours", "format_money", "translate"]
