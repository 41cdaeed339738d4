"""View as client: staff see a share recipient's portal through the client's own queries, read-only.

Nothing here writes; numbers and dates are formatted in the client's language and time zone, as
the client's own pages format them, so the two views can be compared figure by figure.
"""

from dataclasses import dataclass

import reflex as rx

from portal_app.db import session_scope
from portal_app.i18n import format_date, format_hours, format_money
from portal_app.services import client_portal, staff
from portal_app.services.errors import ServiceError
from portal_app.state.staff import StaffState


@dataclass(frozen=True)
class PreviewMoney:
    """One currency's amount of a dashboard widget (the fields the portal's widgets read)."""

    currency: str
    amount: str


@dataclass(frozen=True)
class PreviewInvoice:
    number: str
    type: str
    status: str
    client: str
    matter: str
    issued: str
    due: str
    total: str
    outstanding: str
    overdue: bool


@dataclass(frozen=True)
class PreviewTime:
    date: str
    client: str
    matter: str
    description: str
    hours: str


@dataclass(frozen=True)
class PreviewAgreement:
    title: str
    client: str
    matter: str
    fee_arrangement: str
    signed_on: str
    valid_until: str
    has_document: bool


class PreviewState(StaffState):
    client_name: str = ""
    client_email: str = ""
    error: str = ""
    hours_total: str = ""
    hours_month: str = ""
    pending: list[PreviewMoney] = []
    overdue: list[PreviewMoney] = []
    invoices: list[PreviewInvoice] = []
    invoices_total: int = 0
    time: list[PreviewTime] = []
    agreements: list[PreviewAgreement] = []

    @rx.event
    def load(self):
        me = self._staff()
        if me is None:
            return self._signed_out()
        self.error = ""
        try:
            with session_scope() as session:
                user = staff.preview_identity(session, me, self.recipient_id)
                board = client_portal.dashboard(session, user)
                invoices, invoices_total = client_portal.invoices(session, user, 0)
                time, _ = client_portal.time_entries(session, user, 0)
                agreements, _ = client_portal.agreements(session, user, 0)
        except ServiceError as exc:
            self.error = self._msg(exc.key, **exc.params)
            self.client_name = self.client_email = ""
            self.invoices, self.time, self.agreements, self.pending, self.overdue = [], [], [], [], []
            return
        lang = user.language
        self.client_name = f"{user.first_name} {user.last_name}"
        self.client_email = user.email
        self.hours_total = format_hours(board.minutes_total, lang)
        self.hours_month = format_hours(board.minutes_this_month, lang)
        self.pending = [PreviewMoney(c, format_money(v, c, lang)) for c, v in board.pending.items()]
        self.overdue = [PreviewMoney(c, format_money(v, c, lang)) for c, v in board.overdue.items()]
        self.invoices = [
            PreviewInvoice(number=i.number, type=i.type, status=i.status, client=i.client, matter=i.matter,
                           issued=format_date(i.issue_date, lang), due=format_date(i.due_date, lang),
                           total=format_money(i.total_minor, i.currency, lang),
                           outstanding=format_money(i.outstanding_minor, i.currency, lang), overdue=i.overdue)
            for i in invoices
        ]
        self.invoices_total = invoices_total
        self.time = [PreviewTime(format_date(t.work_date, lang), t.client, t.matter, t.description, format_hours(t.minutes, lang))
                     for t in time]
        self.agreements = [PreviewAgreement(a.title, a.client, a.matter, a.fee_arrangement, format_date(a.signed_on, lang),
                                            format_date(a.valid_until, lang), a.has_document)
                           for a in agreements]
