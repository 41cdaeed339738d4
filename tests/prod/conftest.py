"""Production services for tests: a private PostgreSQL database and a private Redis DB number.

PostgreSQL (127.0.0.1:5432, user postgres, trust auth) and Redis (127.0.0.1:6379) run on the CI
machine; on a laptop without them these tests are skipped with the reason printed by `-ra`.
"""

import contextlib
import os
import uuid

import pytest
from sqlalchemy import create_engine, text

PG_ADMIN_URL = os.environ.get("PORTAL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


def _pg_admin():
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "not available here"
        engine.dispose()
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}")
    return engine


@contextlib.contextmanager
def private_pg_database():
    """A fresh PostgreSQL database of its own (others use `test`), dropped afterwards."""
    admin = _pg_admin()
    name = f"portal_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        from portal_app.db import _engine_for

        _engine_for.cache_clear()  # forget pooled engines so the database can be dropped
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_url():
    with private_pg_database() as url:
        yield url


@contextlib.contextmanager
def private_redis():
    """Redis DB 7 (private to these tests), emptied before and after."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc.__class__.__name__}")
    client.flushdb()
    try:
        yield REDIS_URL
    finally:
        client.flushdb()
        client.close()


@pytest.fixture(scope="module")
def prod_app(tmp_path_factory):
    """`reflex run --env prod` on PostgreSQL and Redis with the default worker count, demo data loaded.

    Yields the URL, the environment, the log path and the pid of the process group leader.
    """
    import subprocess
    import sys

    from tests.conftest import PROJECT_ROOT
    from tests.e2e.conftest import _free_port, _stop, _wait

    work = tmp_path_factory.mktemp("prod-app")
    with contextlib.ExitStack() as stack:
        db = stack.enter_context(private_pg_database())
        redis = stack.enter_context(private_redis())
        port = _free_port()
        base = f"http://localhost:{port}"
        env = dict(os.environ)
        env.update(
            PORTAL_DATABASE_URL=db,
            PORTAL_REDIS_URL=redis,
            PORTAL_DATA_DIR=str(work / "data"),
            PORTAL_BASE_URL=base,
            PORTAL_API_URL=base,
            REFLEX_UPLOADED_FILES_DIR=str(work / "uploads"),
            REFLEX_WEB_WORKDIR=str(work / ".web"),
            REFLEX_TELEMETRY_ENABLED="false",
        )
        env.pop("PORTAL_SMTP_HOST", None)
        for name in ("GRANIAN_WORKERS", "PORTAL_WORKERS"):
            env.pop(name, None)  # the production default (rxconfig.py) decides the worker count
        subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)
        subprocess.run([sys.executable, "-m", "portal_app.services.demo"], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)
        log_path = work / "reflex.log"
        log = stack.enter_context(open(log_path, "w"))
        proc = subprocess.Popen(
            ["reflex", "run", "--env", "prod", "--single-port", "--backend-port", str(port), "--loglevel", "info"],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            _wait(f"{base}/ping", proc, 300)
            _wait(f"{base}/", proc, 60)
            app = {"url": base, "env": env, "log": log_path, "pid": proc.pid, "redis": redis, "workers_killed": 0}
            yield app
        finally:
            _stop(proc)
        text_ = log_path.read_text(errors="replace")
        errors = [line for line in text_.splitlines() if "Traceback" in line or "[ERROR]" in line]
        # Granian reports each worker a test killed on purpose, and only those.
        killed = [line for line in errors if "Unexpected exit from worker-" in line]
        others = [line for line in errors if line not in killed]
        if others or len(killed) != app["workers_killed"]:
            print(text_[-8000:])
        assert not others, "the production app logged errors"
        assert len(killed) == app["workers_killed"], "a worker died that no test killed"


