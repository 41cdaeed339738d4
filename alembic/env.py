"""Migrations run against PORTAL_DATABASE_URL (SQLite by default, PostgreSQL in production)."""

from logging.config import fileConfig

from alembic import context
from sqlmodel import SQLModel

import portal_app.models  # noqa: F401  (registers every table)
from portal_app.config import database_url
from portal_app.db import engine

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with engine().connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch migrations copy and drop tables; with foreign keys on, SQLite checks every
            # dropped row against the unindexed copy (hours on a big firm). Checked again below.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
            if connection.dialect.name == "sqlite":
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"migration left rows with broken foreign keys: {broken[:5]}")
        connection.commit()
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
