"""Invoices (rachunki) and agreements (umowy). Money is integer minor units plus currency."""

from datetime import date
from enum import Enum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class InvoiceType(str, Enum):
    INVOICE = "invoice"
    ADVANCE = "advance"
    CREDIT_NOTE = "credit_note"


class InvoiceStatus(str, Enum):
    DRAFT = "draft"
    APPROVED = "approved"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    CANCELLED = "cancelled"


SHAREABLE_STATUSES = (
    InvoiceStatus.APPROVED,
    InvoiceStatus.PARTIALLY_PAID,
    InvoiceStatus.PAID,
    InvoiceStatus.CANCELLED,
)


class Invoice(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("firm_id", "number"),
        Index("ix_invoice_contact_status", "contact_id", "status"),
        Index("ix_invoice_matter_status", "matter_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key="firm.id", index=True)
    contact_id: int = Field(foreign_key="contact.id")
    matter_id: int | None = Field(default=None, foreign_key="matter.id")
    number: str = Field(max_length=50)
    type: str = Field(default=InvoiceType.INVOICE.value, max_length=20)
    status: str = Field(default=InvoiceStatus.DRAFT.value, max_length=20)
    issue_date: date
    due_date: date
    currency: str = Field(default="PLN", max_length=3)
    total_minor: int = 0
    paid_minor: int = 0


class Agreement(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key="firm.id", index=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    matter_id: int | None = Field(default=None, foreign_key="matter.id", index=True)
    title: str = Field(max_length=300)
    fee_arrangement: str = Field(default="hourly", max_length=30)
    signed_on: date | None = None
    valid_until: date | None = None
    document_name: str | None = Field(default=None, max_length=200)
    document_file: str | None = Field(default=None, max_length=100)
