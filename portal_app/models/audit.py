"""Who archived, cancelled or deleted what, and when: deletions leave a trace for the firm."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from portal_app.models.base import utcnow


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_firm_at", "firm_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key="firm.id")
    staff_user_id: int = Field(foreign_key="staff_user.id")
    action: str = Field(max_length=40)
    target_type: str = Field(max_length=20)
    target_id: int
    summary: str = Field(default="", max_length=300)
    at: datetime = Field(default_factory=utcnow)
