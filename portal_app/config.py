"""Settings read from the environment: laptop defaults, production by variables."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    return os.environ.get("PORTAL_DATABASE_URL") or f"sqlite:///{PROJECT_ROOT / 'data' / 'portal.db'}"


def base_url() -> str:
    """Public address of the app, used in links inside e-mails."""
    return os.environ.get("PORTAL_BASE_URL", "http://localhost:3000").rstrip("/")


def secure_cookies() -> bool:
    """Session cookies carry the Secure flag when the public address is https (production).

    Reflex writes its cookies from the browser with options compiled into the bundle, so this is
    decided when the frontend is built: build with the production PORTAL_BASE_URL.
    """
    return base_url().lower().startswith("https://")


def api_url() -> str:
    """Public address of the backend (serves uploaded logos); same as base_url in single-port prod."""
    return (
        os.environ.get("PORTAL_API_URL") or os.environ.get("REFLEX_API_URL") or "http://localhost:8000"
    ).rstrip("/")


def data_dir() -> Path:
    """Private files (agreement documents); never under the public upload folder."""
    return Path(os.environ.get("PORTAL_DATA_DIR") or PROJECT_ROOT / "data")


def smtp_settings() -> dict | None:
    """SMTP relay settings, or None to keep mail in the local outbox."""
    host = os.environ.get("PORTAL_SMTP_HOST")
    if not host:
        return None
    return {
        "host": host,
        "port": int(os.environ.get("PORTAL_SMTP_PORT", "587")),
        "user": os.environ.get("PORTAL_SMTP_USER") or None,
        "password": os.environ.get("PORTAL_SMTP_PASSWORD") or None,
        "tls": os.environ.get("PORTAL_SMTP_TLS", "") .lower() in ("1", "true", "yes"),
        "ssl": os.environ.get("PORTAL_SMTP_SSL", "").lower() in ("1", "true", "yes"),
        "timeout": 15,
    }


def _positive_seconds(name: str, default: float) -> float:
    """A positive number of seconds from the environment; unset, empty or unusable gives `default`."""
    try:
        value = float(os.environ.get(name) or default)
    except ValueError:
        return default
    return value if value > 0 else default


def mail_poll_seconds() -> float:
    """How often each backend worker looks for due e-mails (PORTAL_MAIL_POLL_SECONDS, default 20)."""
    return _positive_seconds("PORTAL_MAIL_POLL_SECONDS", 20)


def mail_retry_seconds() -> float:
    """First wait after a failed send, doubled per attempt (PORTAL_MAIL_RETRY_SECONDS, default 30).

    Tests of a relay outage use about a second instead of waiting minutes.
    """
    return _positive_seconds("PORTAL_MAIL_RETRY_SECONDS", 30)


def mail_from() -> str:
    return os.environ.get("PORTAL_MAIL_FROM", "portal@localhost")


def dev_mail_enabled() -> bool:
    """The in-browser outbox exists only while no SMTP relay is configured."""
    return smtp_settings() is None


def redis_url() -> str | None:
    """Redis for Reflex state; required as soon as more than one backend worker runs."""
    return os.environ.get("PORTAL_REDIS_URL") or None


def backend_workers() -> int:
    """Backend processes with Redis: 2 unless PORTAL_WORKERS says otherwise (measured: BENCHMARKS.md)."""
    return max(1, int(os.environ.get("PORTAL_WORKERS") or 2))


def db_pool_size() -> int:
    """PostgreSQL connections each backend process keeps (and may open as many again at a peak).

    Database work runs in the event loop's worker threads (six on two cores), so five kept plus
    five extra cover one process; PORTAL_WORKERS × 10 must stay below the server's max_connections.
    """
    return max(1, int(os.environ.get("PORTAL_DB_POOL_SIZE") or 5))
