"""Invoices in the staff workspace: the card lists, the invoice form with its lines, and the
invoice page (approve, cancel, record or remove a payment, issue a credit note)."""

from dataclasses import dataclass
from datetime import date, timedelta

import reflex as rx
from sqlmodel import select

from portal_app import routes
from portal_app.db import session_scope
from portal_app.i18n import format_amount, format_date, format_money
from portal_app.models import Contact, Invoice, InvoiceLine, Matter
from portal_app.services import billing
from portal_app.services.billing import LineInput
from portal_app.services.client_portal import today_for
from portal_app.services.errors import ServiceError
from portal_app.services.workspace import firm_row
from portal_app.state.staff import StaffState
from portal_app.state.workspace import NO_MATTER, form_strings, matter_options, run

FIELDS = ("number", "type", "issue_date", "due_date", "currency", "matter_id", "corrects_invoice_id")
PAYMENT_DAYS = 14


@dataclass(frozen=True)
class InvoiceItem:
    id: int
    number: str
    type: str
    status: str
    matter: str
    issue_date: str
    due_date: str
    total: str
    outstanding: str
    overdue: bool = False


def is_overdue(inv: billing.InvoiceSummary, today: date) -> bool:
    """The portal's rule (services/outstanding.overdue_condition), on the reader's calendar."""
    return inv.status in ("approved", "partially_paid") and inv.due_date < today and inv.outstanding_minor > 0


def _item(inv: billing.InvoiceSummary, lang: str, today: date) -> InvoiceItem:
    return InvoiceItem(
        id=inv.id, number=inv.number, type=inv.type, status=inv.status, matter=inv.matter_number,
        issue_date=format_date(inv.issue_date, lang), due_date=format_date(inv.due_date, lang),
        total=format_money(inv.total_minor, inv.currency, lang),
        outstanding=format_money(inv.outstanding_minor, inv.currency, lang),
        overdue=is_overdue(inv, today),
    )


class CardInvoicesState(StaffState):
    """Invoices of the open contact or matter card, one page at a time."""

    rows: list[InvoiceItem] = []
    page: int = 0
    pages: int = 1
    on_matter: bool = False

    def _fill(self):
        me = self._staff()
        if me is None:
            return self._signed_out()
        scope = {"matter_id": self.matter_id} if self.on_matter else {"contact_id": self.contact_id}
        try:
            with session_scope() as session:
                rows, total = billing.invoices_for(session, me, page=self.page, **scope)
        except ServiceError:
            self.rows = []
            return
        today = today_for(me.timezone)
        self.rows = [_item(r, me.language, today) for r in rows]
        self.pages = max(1, -(-total // billing.PAGE_SIZE))

    @rx.event
    def load_contact(self):
        self.on_matter, self.page = False, 0
        return self._fill()

    @rx.event
    def load_matter(self):
        self.on_matter, self.page = True, 0
        return self._fill()

    @rx.event
    def go(self, delta: int):
        self.page = min(max(0, self.page + (1 if delta == 1 else -1)), self.pages - 1)
        return self._fill()


class InvoiceFormState(StaffState):
    """New invoice (from a card), new credit note (from an invoice) or edit: one dialog."""

    open: bool = False
    editing_id: int = 0
    editing_version: int = 0
    contact_for: int = 0
    form: dict[str, str] = {}
    lines: list[dict[str, str]] = []
    line_errors: list[str] = []
    matter_options: list[list[str]] = []
    errors: dict[str, str] = {}
    form_error: str = ""

    @rx.event
    def set_open(self, value: bool):
        self.open = bool(value)

    def _prepare(self, session, me, contact_id: int) -> None:
        self.contact_for = contact_id
        self.matter_options = matter_options(self, session, me, contact_id)
        self.errors, self.form_error, self.line_errors = {}, "", []

    @rx.event
    def open_new(self, matter_or_contact: str, card_id: int):
        """From a contact card ("contact", id) or a matter card ("matter", id)."""
        def work(session, me):
            if matter_or_contact == "matter":
                matter = firm_row(session, me, Matter, card_id)
                contact_id, matter_id = matter.contact_id, str(matter.id)
            else:
                contact_id, matter_id = firm_row(session, me, Contact, card_id).id, NO_MATTER
            today = today_for(me.timezone)
            self._prepare(session, me, contact_id)
            self.form = {"number": billing.next_number(session, me, "invoice", today), "type": "invoice",
                         "issue_date": today.isoformat(), "due_date": (today + timedelta(days=PAYMENT_DAYS)).isoformat(),
                         "currency": "PLN", "matter_id": matter_id, "corrects_invoice_id": ""}
        ok, result = run(self, work)
        if not ok:
            return result
        self.editing_id, self.lines = 0, [{"description": "", "net": "", "vat_rate": "23"}]
        self.open = True

    @rx.event
    def open_credit(self, invoice_id: int):
        def work(session, me):
            original = firm_row(session, me, Invoice, invoice_id)
            today = today_for(me.timezone)
            self._prepare(session, me, original.contact_id)
            self.form = {"number": billing.next_number(session, me, "credit_note", today), "type": "credit_note",
                         "issue_date": today.isoformat(), "due_date": today.isoformat(), "currency": original.currency,
                         "matter_id": str(original.matter_id or NO_MATTER), "corrects_invoice_id": str(original.id)}
        ok, result = run(self, work)
        if not ok:
            return result
        self.editing_id, self.lines = 0, [{"description": "", "net": "", "vat_rate": "23"}]
        self.open = True

    @rx.event
    def open_edit(self, invoice_id: int):
        def work(session, me):
            row = firm_row(session, me, Invoice, invoice_id)
            self._prepare(session, me, row.contact_id)
            self.form = {"number": row.number, "type": row.type, "issue_date": row.issue_date.isoformat(),
                         "due_date": row.due_date.isoformat(), "currency": row.currency,
                         "matter_id": str(row.matter_id or NO_MATTER), "corrects_invoice_id": str(row.corrects_invoice_id or "")}
            sign = -1 if row.type == "credit_note" else 1
            self.lines = [
                {"description": ln.description, "net": format_amount(sign * ln.net_minor, self.lang), "vat_rate": ln.vat_rate}
                for ln in session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == row.id).order_by(InvoiceLine.position))
            ] or [{"description": "", "net": "", "vat_rate": "23"}]
            return row.id, row.version
        ok, result = run(self, work)
        if not ok:
            return result
        self.editing_id, self.editing_version = result
        self.open = True

    @rx.event
    def add_line(self):
        if len(self.lines) < billing.MAX_LINES:
            self.lines = self.lines + [{"description": "", "net": "", "vat_rate": "23"}]

    @rx.event
    def remove_line(self):
        if len(self.lines) > 1:
            self.lines = self.lines[:-1]

    @rx.event
    def save(self, form_data: dict):
        form_data = form_data if isinstance(form_data, dict) else {}
        values = form_strings(form_data, FIELDS, 100)
        count = min(len(self.lines), billing.MAX_LINES)
        lines = [
            LineInput(str(form_data.get(f"description_{i}", ""))[:600], str(form_data.get(f"net_{i}", ""))[:40],
                      str(form_data.get(f"vat_{i}", ""))[:10])
            for i in range(count)
        ]
        if self.editing_id:
            ok, result = run(self, lambda s, me: billing.update_invoice(s, me, self.editing_id, values, lines, self.editing_version))
        else:
            ok, result = run(self, lambda s, me: billing.create_invoice(s, me, self.contact_for, values, lines))
        if not ok:
            self.form = {**self.form, **{k: v for k, v in values.items() if k not in ("type", "corrects_invoice_id")}}
            self.lines = [{"description": ln.description, "net": ln.net, "vat_rate": ln.vat_rate} for ln in lines]
            self.line_errors = [
                " ".join(self.errors.get(f"line_{i}_{part}", "") for part in ("description", "net", "vat")).strip()
                for i in range(count)
            ]
            return result
        self.open = False
        if self.editing_id:
            return InvoicePageState.load
        return rx.redirect(routes.invoice_url(result))


@dataclass(frozen=True)
class LineItem:
    description: str
    net: str
    vat_rate: str
    vat: str
    gross: str


@dataclass(frozen=True)
class PaymentItem:
    id: int
    paid_on: str
    amount: str
    recorded_by: str


@dataclass(frozen=True)
class InvoiceView:
    id: int
    number: str
    type: str
    status: str
    contact_id: int
    contact_name: str
    matter_id: int
    matter_number: str
    issue_date: str
    due_date: str
    total: str
    paid: str
    credited: str
    outstanding: str
    net: str
    vat: str
    overdue: bool = False


def invoice_view(d: billing.InvoiceDetail, lang: str, today: date) -> InvoiceView:
    """The invoice page's figures. Credit notes lower what is owed, so they show negative, as the
    credit notes themselves do (their totals are stored negative)."""
    inv = d.invoice
    money = lambda minor: format_money(minor, inv.currency, lang)  # noqa: E731
    return InvoiceView(
        id=inv.id, number=inv.number, type=inv.type, status=inv.status, contact_id=inv.contact_id,
        contact_name=inv.contact_name, matter_id=inv.matter_id or 0, matter_number=inv.matter_number,
        issue_date=format_date(inv.issue_date, lang), due_date=format_date(inv.due_date, lang),
        total=money(inv.total_minor), paid=money(inv.paid_minor), credited=money(-inv.credited_minor if inv.credited_minor else 0),
        outstanding=money(inv.outstanding_minor),
        net=money(sum(ln.net_minor for ln in d.lines)), vat=money(sum(ln.vat_minor for ln in d.lines)),
        overdue=is_overdue(inv, today),
    )


class InvoicePageState(StaffState):
    invoice: InvoiceView | None = None
    _seen_version: int | None = None  # the invoice as this page shows it: approve/cancel decide on that
    not_found: bool = False
    lines: list[LineItem] = []
    payments: list[PaymentItem] = []
    corrects: InvoiceItem | None = None
    credit_notes: list[InvoiceItem] = []
    message: str = ""
    action_error: str = ""
    pay_open: bool = False
    pay_form: dict[str, str] = {}
    errors: dict[str, str] = {}
    form_error: str = ""

    @rx.event
    def load(self):
        me = self._staff()
        if me is None:
            return self._signed_out()
        try:
            with session_scope() as session:
                d = billing.invoice_detail(session, me, self.invoice_id)
        except ServiceError:
            self.invoice, self.not_found, self._seen_version = None, True, None
            return
        lang, inv, today = me.language, d.invoice, today_for(me.timezone)
        money = lambda minor: format_money(minor, inv.currency, lang)  # noqa: E731
        self.invoice, self._seen_version = invoice_view(d, lang, today), inv.version
        self.lines = [LineItem(ln.description, money(ln.net_minor), ln.vat_rate + "%", money(ln.vat_minor), money(ln.gross_minor))
                      for ln in d.lines]
        self.payments = [PaymentItem(p.id, format_date(p.paid_on, lang), money(p.amount_minor), p.recorded_by) for p in d.payments]
        self.corrects = _item(d.corrects, lang, today) if d.corrects else None
        self.credit_notes = [_item(c, lang, today) for c in d.credit_notes]
        self.not_found = False

    def _act(self, work, message_key: str):
        self.message, self.action_error = "", ""
        ok, result = run(self, work)
        if not ok:
            self.action_error = self.form_error
            self.form_error = ""
            return result or InvoicePageState.load  # refused: show the invoice as it stands now
        self.message = self._msg(message_key)
        return InvoicePageState.load

    @rx.event
    def approve(self):
        return self._act(lambda s, me: billing.approve_invoice(s, me, self.invoice_id, self._seen_version),
                         "ws.invoice.approved_msg")

    @rx.event
    def cancel(self):
        return self._act(lambda s, me: billing.cancel_invoice(s, me, self.invoice_id, self._seen_version),
                         "ws.invoice.cancelled_msg")

    @rx.event
    def set_pay_open(self, value: bool):
        self.pay_open = bool(value)

    @rx.event
    def open_payment(self):
        me = self._staff()
        if me is None:
            return self._signed_out()
        self.errors, self.form_error = {}, ""
        self.pay_form = {"paid_on": today_for(me.timezone).isoformat(), "amount": ""}
        self.pay_open = True

    @rx.event
    def record_payment(self, form_data: dict):
        values = form_strings(form_data, ("paid_on", "amount"), 40)
        self.message, self.action_error = "", ""
        ok, result = run(self, lambda s, me: billing.record_payment(s, me, self.invoice_id, values))
        if not ok:
            self.pay_form = values
            return result
        self.pay_open = False
        self.message = self._msg("ws.payment.recorded")
        return InvoicePageState.load

    @rx.event
    def remove_payment(self, payment_id: int):
        """The browser names the payment; the service checks it is one of this invoice, in this firm."""
        return self._act(lambda s, me: billing.remove_payment(s, me, self.invoice_id, payment_id, self._seen_version),
                         "ws.payment.removed")
