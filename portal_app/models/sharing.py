"""What a firm shares with whom: a card (contact or matter), its recipients and invitations."""

from datetime import datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.models.base import utcnow


class Share(SQLModel, table=True):
    """The sharing of one card; exactly one of contact_id / matter_id is set."""

    __table_args__ = (
        CheckConstraint(
            "(contact_id IS NULL) <> (matter_id IS NULL)", name="ck_share_one_card"
        ),
        UniqueConstraint("contact_id"),
        UniqueConstraint("matter_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key="firm.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    matter_id: int | None = Field(default=None, foreign_key="matter.id")
    time_entries: bool = True
    agreements: bool = True
    updated_at: datetime = Field(default_factory=utcnow)


class ShareInvoiceScope(SQLModel, table=True):
    """One (type, status) pair a share lets through; no rows means no invoices."""

    __tablename__ = "share_invoice_scope"

    share_id: int = Field(foreign_key="share.id", primary_key=True)
    invoice_type: str = Field(max_length=20, primary_key=True)
    invoice_status: str = Field(max_length=20, primary_key=True)


class ShareRecipient(SQLModel, table=True):
    __tablename__ = "share_recipient"
    __table_args__ = (UniqueConstraint("share_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    share_id: int = Field(foreign_key="share.id", index=True)
    firm_id: int = Field(foreign_key="firm.id")
    email: str = Field(max_length=320, index=True)
    added_at: datetime = Field(default_factory=utcnow)
    last_invited_at: datetime | None = None
    removed_at: datetime | None = None


class Invitation(SQLModel, table=True):
    """A personal link for one recipient; only the SHA-256 of its token is kept."""

    id: int | None = Field(default=None, primary_key=True)
    recipient_id: int = Field(foreign_key="share_recipient.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
