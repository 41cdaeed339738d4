"""Deliver queued e-mails through the SMTP relay, from a worker thread, at most once per claim.

Each message is claimed with a conditional UPDATE before it is sent, so concurrent workers (threads
or processes, on SQLite or PostgreSQL) never send the same message twice. No transaction is held
open while talking to the relay. Without a relay (development) mail is only marked 'stored', and
stays readable in the browser outbox.
"""

import asyncio
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from email.utils import parseaddr

import emails
from emails.backend import SMTPBackend
from sqlalchemy import update
from sqlmodel import select

from portal_app import config
from portal_app.db import session_scope
from portal_app.mail.templates import SUBJECT_MAX, single_line
from portal_app.models.base import utcnow
from portal_app.models.mail import OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
MAX_BACKOFF = timedelta(hours=1)
STUCK_AFTER = timedelta(minutes=10)
ERROR_MAX = 500

_DUE = ("queued", "retrying")

# One thread per process for mail: a relay that hangs (up to 15 s a try) then delays only mail, not
# the shared threads that serve pages, sign-ins and uploads. Claims keep several processes apart.
_MAIL_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail")


async def deliver_soon() -> int:
    """Run deliver_due on this process's mail thread; returns how many were delivered."""
    return await asyncio.get_running_loop().run_in_executor(_MAIL_THREAD, deliver_due)


def deliver_due(now: datetime | None = None, limit: int = 20) -> int:
    """Send (or, without a relay, store) up to `limit` due messages, oldest first.

    Returns how many were delivered (status 'sent' or 'stored').
    """
    now = now or utcnow()
    _release_stuck(now)
    delivered = claimed = 0
    while claimed < limit:
        candidates = _due_ids(now, limit - claimed)
        if not candidates:
            break
        for message_id in candidates:
            message = _claim(message_id, now)
            if message is None:
                continue  # another worker took it
            claimed += 1
            if _deliver(message, now):
                delivered += 1
    return delivered


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failed ones: 30 s, 1 min, 2 min, ... up to 1 h.

    The first wait comes from config.mail_retry_seconds (PORTAL_MAIL_RETRY_SECONDS).
    """
    base = timedelta(seconds=config.mail_retry_seconds())
    return min(base * 2 ** min(max(attempts - 1, 0), 30), MAX_BACKOFF)


def _release_stuck(now: datetime) -> None:
    """Put back messages whose sender died mid-send (claimed more than 10 minutes ago)."""
    cutoff = now - STUCK_AFTER
    stuck = (OutboxMessage.status == "sending") & (OutboxMessage.next_attempt_at <= cutoff)
    with session_scope() as session:
        session.exec(
            update(OutboxMessage)
            .where(stuck, OutboxMessage.attempts >= MAX_ATTEMPTS)
            .values(status="failed", last_error="interrupted while sending")
            .execution_options(synchronize_session=False)
        )
        session.exec(
            update(OutboxMessage)
            .where(stuck)
            .values(status="retrying", next_attempt_at=now, last_error="interrupted while sending")
            .execution_options(synchronize_session=False)
        )


def _due_ids(now: datetime, limit: int) -> list[int]:
    with session_scope() as session:
        return list(
            session.exec(
                select(OutboxMessage.id)
                .where(OutboxMessage.status.in_(_DUE), OutboxMessage.next_attempt_at <= now)
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(limit)
            ).all()
        )


def _claim(message_id: int, now: datetime) -> OutboxMessage | None:
    """Atomically move one message to 'sending'; None if another worker got there first.

    next_attempt_at records when the claim was made, which is how stuck sends are recognised.
    """
    with session_scope() as session:
        result = session.exec(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status.in_(_DUE))
            .values(status="sending", attempts=OutboxMessage.attempts + 1, next_attempt_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return None
        return session.get(OutboxMessage, message_id)


def _deliver(message: OutboxMessage, now: datetime) -> bool:
    smtp = config.smtp_settings()
    if smtp is None:
        _finish(message.id, status="stored", sent_at=now)
        return True
    try:
        error = _send(message, smtp)
    except Exception as exc:  # noqa: BLE001 - any failure must end in retrying/failed, never 'sending'
        error = f"{type(exc).__name__}: {exc}"
    if error is None:
        _finish(message.id, status="sent", sent_at=now)
        return True
    error = _redact(error, smtp)
    if message.attempts >= MAX_ATTEMPTS:
        log.error("giving up on outbox message %s after %s attempts: %s", message.id, message.attempts, error)
        _finish(message.id, status="failed", last_error=error)
    else:
        log.warning("outbox message %s attempt %s failed: %s", message.id, message.attempts, error)
        _finish(
            message.id,
            status="retrying",
            next_attempt_at=now + backoff(message.attempts),
            last_error=error,
        )
    return False


def _send(message: OutboxMessage, smtp: dict) -> str | None:
    """Hand one message to the relay; the error text, or None when the relay accepted it.

    The emails SMTP backend reports failures in the returned response instead of raising, so the
    response is checked explicitly.
    """
    options = {
        "host": smtp["host"],
        "port": smtp["port"],
        "tls": bool(smtp.get("tls")),
        "ssl": bool(smtp.get("ssl")),
        "timeout": smtp.get("timeout", 15),
    }
    if smtp.get("user"):
        options["user"] = smtp["user"]
        if smtp.get("password") is not None:
            options["password"] = smtp["password"]
    mail_from = config.mail_from()
    mail = emails.Message(
        html=message.html,
        text=message.text,
        subject=single_line(message.subject, SUBJECT_MAX),
        mail_from=mail_from,
        message_id=_message_id(message, mail_from),
    )
    # Our own backend, closed after the message: passing a dict to send() would cache an open
    # connection on the Message object and never QUIT.
    with SMTPBackend(**options) as backend:
        response = mail.send(to=message.to_email, smtp=backend)
    if response is None:
        return "no recipient"
    if response.success and response.status_code == 250:
        return None
    if response.error is not None:
        return f"{type(response.error).__name__}: {response.error}"
    return f"SMTP {response.last_command or '?'} answered {response.status_code}: {response.status_text!r}"


def _message_id(message: OutboxMessage, mail_from: str) -> str:
    """A Message-ID fixed per outbox row (emails sets none by default).

    A resend after a crash mid-send then carries the same id, so receivers can drop the duplicate.
    """
    domain = parseaddr(mail_from)[1].rpartition("@")[2]
    domain = re.sub(r"[^A-Za-z0-9.-]", "", domain) or "localhost"
    stamp = int(message.created_at.timestamp() * 1_000_000)
    return f"<outbox.{message.id}.{stamp}@{domain}>"


def _redact(error: str, smtp: dict) -> str:
    password = smtp.get("password")
    if password:
        error = error.replace(password, "***")
    return single_line(error, ERROR_MAX)


def _finish(message_id: int, **values) -> None:
    with session_scope() as session:
        session.exec(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == "sending")
            .values(**values)
            .execution_options(synchronize_session=False)
        )
