"""Database tables, one module per domain area; importing this package registers them all."""

from portal_app.models.audit import AuditLog
from portal_app.models.billing import Agreement, Invoice, InvoiceLine, InvoiceStatus, InvoiceType, Payment
from portal_app.models.firm import Firm, Plan, PortalSettings
from portal_app.models.mail import OutboxMessage
from portal_app.models.matters import Matter, MatterMonthTime, TimeEntry
from portal_app.models.people import (
    AuthSession,
    Contact,
    PortalUser,
    Role,
    StaffUser,
)
from portal_app.models.security import LoginThrottle, PasswordReset
from portal_app.models.sharing import Invitation, Share, ShareInvoiceScope, ShareRecipient

__all__ = [
    "Agreement",
    "AuditLog",
    "AuthSession",
    "Contact",
    "Firm",
    "Invitation",
    "Invoice",
    "InvoiceLine",
    "InvoiceStatus",
    "InvoiceType",
    "LoginThrottle",
    "Matter",
    "MatterMonthTime",
    "OutboxMessage",
    "Payment",
    "PasswordReset",
    "Plan",
    "PortalSettings",
    "PortalUser",
    "Role",
    "Share",
    "ShareInvoiceScope",
    "ShareRecipient",
    "StaffUser",
    "TimeEntry",
]
