"""Column helpers shared by the tables."""

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Aware UTC now: sqlmodel's datetime type refuses naive values."""
    return datetime.now(timezone.utc)
