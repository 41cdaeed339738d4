"""What is still owed on an invoice, as SQL: payments and issued credit notes both lower it.

A lawyer reads "outstanding" as the client's debt on that invoice: its gross total, less what was
paid, less the gross amount of every issued credit note that corrects it (a credit note's total is
stored negative). A draft or cancelled credit note corrects nothing yet. The debt never goes below
zero (a refund is a separate matter), and a cancelled invoice or a credit note itself owes nothing.

These are SQL expressions, not Python, so the portal widgets stay one aggregate each and every
list (staff card, invoice page, client portal, preview) shows the same figure.
"""

from functools import cache

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from portal_app.models import Invoice

NOT_ISSUED = ("draft", "cancelled")  # a credit note in these statuses corrects nothing


@cache
def _note():
    """One alias for the process: building one adapts every column (about a millisecond a query)."""
    return aliased(Invoice, name="credit_note")


def credited_minor(inv=Invoice):
    """Positive minor units credited to `inv` by its issued credit notes (correlated subquery).

    Answered by the partial index ix_invoice_corrects_invoice_id (migration 0006).
    """
    note = _note()
    return (
        select(func.coalesce(-func.sum(note.total_minor), 0))
        .where(
            note.corrects_invoice_id == inv.id,
            note.firm_id == inv.firm_id,
            note.type == "credit_note",
            note.status.notin_(NOT_ISSUED),
        )
        .correlate(inv)
        .scalar_subquery()
    )


def outstanding_minor(inv=Invoice):
    """max(0, total − paid − credited); 0 for a credit note or a cancelled invoice."""
    owed = inv.total_minor - inv.paid_minor - credited_minor(inv)
    return case(
        (or_(inv.type == "credit_note", inv.status == "cancelled"), literal(0)),
        (owed > 0, owed),
        else_=literal(0),
    )


def overdue_condition(today, inv=Invoice):
    """Approved or partially paid, past its due date on the reader's calendar, and still owed."""
    return and_(inv.status.in_(("approved", "partially_paid")), inv.due_date < today, outstanding_minor(inv) > 0)
