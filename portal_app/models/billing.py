"""Invoices (rachunki), their lines and payments, and agreements (umowy).

Money is integer minor units plus currency; totals are computed from the lines with Decimal.
"""

from datetime import date, datetime
from enum import Enum

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from portal_app.models.base import utcnow, version_column


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


_invoice_version = version_column()


class Invoice(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("firm_id", "number"),
        Index("ix_invoice_contact_status", "contact_id", "status"),
        Index("ix_invoice_matter_status", "matter_id", "status"),
        # Partial: most invoices correct nothing, and SQLite's statistics counted all those NULLs
        # as one value, judged the full index useless and scanned every invoice per credit lookup.
        Index(
            "ix_invoice_corrects_invoice_id", "corrects_invoice_id",
            sqlite_where=text("corrects_invoice_id IS NOT NULL"),
            postgresql_where=text("corrects_invoice_id IS NOT NULL"),
        ),
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
    corrects_invoice_id: int | None = Field(default=None, foreign_key="invoice.id")
    version: int = Field(default=1, sa_column=_invoice_version)

    __mapper_args__ = {"version_id_col": _invoice_version}


class InvoiceLine(SQLModel, table=True):
    """One line: net amount and VAT rate as typed; VAT and gross rounded half-up on this line."""

    __tablename__ = "invoice_line"

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    position: int = 0
    description: str = Field(max_length=500)
    net_minor: int
    vat_rate: str = Field(max_length=8)
    vat_minor: int
    gross_minor: int


class Payment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key="firm.id")
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    paid_on: date
    amount_minor: int
    recorded_by_id: int = Field(foreign_key="staff_user.id")
    recorded_at: datetime = Field(default_factory=utcnow)


_agreement_version = version_column()


class Agreement(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key="firm.id", index=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    matter_id: int | None = Field(default=None, foreign_key="matter.id", index=True)
    title: str = Field(max_length=300)
    fee_arrangement: str = Field(default="hourly", max_length=30)
    status: str = Field(default="active", max_length=20)
    signed_on: date | None = None
    valid_until: date | None = None
    document_name: str | None = Field(default=None, max_length=200)
    document_file: str | None = Field(default=None, max_length=100)
    version: int = Field(default=1, sa_column=_agreement_version)

    __mapper_args__ = {"version_id_col": _agreement_version}
