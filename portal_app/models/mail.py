"""The persistent outbox: every e-mail is stored first, then delivered by a worker."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal_app.models.base import utcnow


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    firm_id: int | None = Field(default=None, foreign_key="firm.id", index=True)
    recipient_id: int | None = Field(default=None, foreign_key="share_recipient.id", index=True)
    to_email: str = Field(max_length=320)
    subject: str = Field(max_length=300)
    html: str
    text: str
    status: str = Field(default="queued", max_length=20, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
