"""Queue e-mails in the database, inside the caller's transaction, and report how they fared.

A mail is written in the same transaction as the change it announces, so it exists exactly when
that change committed; the sender worker delivers it later, off the event loop.
"""

import re

from sqlalchemy import func
from sqlmodel import Session, select

from portal_app.mail.templates import SUBJECT_MAX, Rendered, single_line
from portal_app.models.mail import OutboxMessage

STATUSES = ("queued", "retrying", "sent", "stored", "failed")

# One plain address: no display name, list separators or whitespace that could add recipients.
_ADDRESS = re.compile(r"[^\s@,;:<>\"()\[\]\\]+@[^\s@,;:<>\"()\[\]\\]+\.[^\s@,;:<>\"()\[\]\\]+")


def enqueue(
    session: Session,
    *,
    to: str,
    rendered: Rendered,
    firm_id: int | None,
    recipient_id: int | None = None,
) -> OutboxMessage:
    """Store a message as status 'queued' (caller commits with its own transaction, so the mail exists iff the business change committed)."""
    address = (to or "").strip()
    if len(address) > 320 or not _ADDRESS.fullmatch(address) or single_line(address) != address:
        raise ValueError("invalid recipient address")
    message = OutboxMessage(
        firm_id=firm_id,
        recipient_id=recipient_id,
        to_email=address,
        subject=single_line(rendered.subject, SUBJECT_MAX),
        html=rendered.html,
        text=rendered.text,
        status="queued",
    )
    session.add(message)
    session.flush()
    return message


def delivery_state(session: Session, recipient_ids: list[int]) -> dict[int, str]:
    """Per recipient id: status of its latest message: 'queued' | 'retrying' | 'sent' | 'stored' | 'failed'.

    A message being handed to the relay right now ('sending') counts as 'queued' on its first
    attempt and as 'retrying' after that. Recipients without any message are left out.
    """
    ids = sorted({i for i in recipient_ids if i is not None})
    if not ids:
        return {}
    latest = (
        select(func.max(OutboxMessage.id))
        .where(OutboxMessage.recipient_id.in_(ids))
        .group_by(OutboxMessage.recipient_id)
    )
    rows = session.exec(
        select(OutboxMessage.recipient_id, OutboxMessage.status, OutboxMessage.attempts).where(
            OutboxMessage.id.in_(latest)
        )
    ).all()
    state: dict[int, str] = {}
    for recipient_id, status, attempts in rows:
        if status == "sending":
            status = "retrying" if attempts > 1 else "queued"
        state[recipient_id] = status
    return state
