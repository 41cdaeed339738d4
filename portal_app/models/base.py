"""Column helpers shared by the tables."""

from datetime import datetime, timezone

from sqlalchemy import Column, Integer


def utcnow() -> datetime:
    """Aware UTC now: sqlmodel's datetime type refuses naive values."""
    return datetime.now(timezone.utc)


def version_column() -> Column:
    """An edit counter for a table that two tabs or two workers may change at once.

    Named in the model's `__mapper_args__` as `version_id_col`, it makes every UPDATE and DELETE
    of a row also require the version that was read, so a concurrent change is refused
    (StaleDataError) instead of silently overwritten; forms also compare the version they opened.
    """
    return Column("version", Integer, nullable=False, server_default="1")
