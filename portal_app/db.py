"""One engine per process, with SQLite made safe for threads and concurrent writers."""

from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from portal_app.config import database_url, db_pool_size


@lru_cache(maxsize=None)
def _engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    size = db_pool_size()
    return create_engine(url, pool_pre_ping=True, pool_size=size, max_overflow=size)


def engine() -> Engine:
    return _engine_for(database_url())


@contextmanager
def session_scope():
    """A session that commits on success and rolls back on any error."""
    with Session(engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
