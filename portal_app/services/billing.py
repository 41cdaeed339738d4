"""Invoices, their lines and payments: exact money, the status path, and credit notes.

Each line's VAT is rounded half-up to the grosz on that line (as Polish invoices print it); the
invoice total is the sum of the lines' gross amounts. A credit note's lines are typed as the
positive amounts being credited and stored negative, so the ledger reads naturally; once issued
it lowers the corrected invoice's outstanding amount (services.outstanding).
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import and_, func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, select

from portal_app.models import Contact, Invoice, InvoiceLine, Matter, Payment, StaffUser
from portal_app.services.client_portal import today_for
from portal_app.services.errors import FieldErrors, NotAllowed, ServiceError
from portal_app.services.identity import StaffIdentity
from portal_app.services.outstanding import credited_minor, outstanding_minor
from portal_app.services.workspace import (
    CENT,
    MAX_MINOR,
    AmbiguousAmount,
    Errors,
    amount_field,
    audit,
    check_version,
    choice,
    commit,
    firm_row,
    parse_amount,
    page_offset,
    parse_date,
    row_id,
    text,
    to_minor,
)

TYPES = ("invoice", "advance", "credit_note")
CURRENCIES = ("PLN", "EUR", "USD", "GBP", "CHF")
MAX_LINES = 50
PAGE_SIZE = 25
EDITABLE = ("draft", "approved", "partially_paid")
PAYABLE = ("approved", "partially_paid")
CORRECTABLE = ("approved", "partially_paid", "paid")


@dataclass(frozen=True)
class LineAmounts:
    net_minor: int
    vat_minor: int
    gross_minor: int


def parse_vat_rate(raw) -> Decimal:
    """`23`, `23%`, `8`, `5,5` → Decimal; `zw`/`np` (exempt, not taxed) → 0. ValueError otherwise."""
    value = str(raw or "").strip().lower().rstrip("%").strip().replace(",", ".")
    if value in ("zw", "np", "zw.", "np."):
        return Decimal(0)
    try:
        rate = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    if not rate.is_finite() or rate < 0 or rate > 100 or rate != rate.quantize(CENT):
        raise ValueError(value)
    return rate.normalize() if rate != 0 else Decimal(0)


def line_amounts(net: Decimal, rate: Decimal) -> LineAmounts:
    vat = (net * rate / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)
    return LineAmounts(to_minor(net), to_minor(vat), to_minor(net + vat))


@dataclass(frozen=True)
class LineInput:
    description: str
    net: str
    vat_rate: str


def _lines(lines: list, credit: bool, errors: Errors) -> list[InvoiceLine]:
    if not isinstance(lines, list) or not lines:
        errors["lines"] = ("ws.lines_required", {})
        return []
    if len(lines) > MAX_LINES:
        errors["lines"] = ("ws.lines_too_many", {"max": MAX_LINES})
        return []
    out = []
    for i, line in enumerate(lines):
        description = text(getattr(line, "description", ""), f"line_{i}_description", errors, max_len=500)
        try:
            net = parse_amount(getattr(line, "net", ""))
            if net <= 0 or to_minor(net) >= MAX_MINOR:
                raise ValueError(net)
        except AmbiguousAmount:
            errors[f"line_{i}_net"] = ("ws.amount_ambiguous", {})
            continue
        except ValueError:
            errors[f"line_{i}_net"] = ("ws.amount_positive", {})
            continue
        try:
            rate = parse_vat_rate(getattr(line, "vat_rate", ""))
        except ValueError:
            errors[f"line_{i}_vat"] = ("ws.vat_invalid", {})
            continue
        amounts = line_amounts(-net if credit else net, rate)
        out.append(InvoiceLine(invoice_id=0, position=i, description=description, net_minor=amounts.net_minor,
                               vat_rate=str(rate), vat_minor=amounts.vat_minor, gross_minor=amounts.gross_minor))
    return out


def _number_taken(session: Session, firm_id: int, number: str, invoice_id: int | None) -> bool:
    return bool(session.exec(
        select(func.count()).select_from(Invoice)
        .where(Invoice.firm_id == firm_id, func.lower(Invoice.number) == number.lower(), Invoice.id != (invoice_id or 0))
    ).one())


def _credited_minor(session: Session, invoice_id: int, except_id: int | None) -> int:
    """Sum (negative) of the live credit notes already correcting this invoice."""
    return int(session.exec(
        select(func.coalesce(func.sum(Invoice.total_minor), 0)).where(
            Invoice.corrects_invoice_id == invoice_id, Invoice.status != "cancelled", Invoice.id != (except_id or 0)
        )
    ).one())


def _has_credit_notes(session: Session, invoice_id: int) -> bool:
    """Whether a credit note (a draft too) that is not cancelled corrects this invoice."""
    return session.exec(
        select(Invoice.id).where(Invoice.corrects_invoice_id == invoice_id, Invoice.status != "cancelled").limit(1)
    ).first() is not None


def _check_matter(session: Session, staff: StaffIdentity, contact_id: int, raw, errors: Errors) -> int | None:
    if raw in (None, "", "0", 0):
        return None
    try:
        matter = firm_row(session, staff, Matter, raw)
    except ServiceError:
        errors["matter_id"] = ("errors.invalid", {})
        return None
    if matter.contact_id != contact_id:
        errors["matter_id"] = ("ws.matter_other_client", {})
        return None
    return matter.id


def _apply(session: Session, staff: StaffIdentity, row: Invoice, form: dict, lines: list) -> list[InvoiceLine]:
    """Validate the form onto `row` (not yet saved) and build its lines; FieldErrors on any problem."""
    errors: Errors = {}
    row.number = text(form.get("number"), "number", errors, max_len=50)
    if row.number and "number" not in errors and _number_taken(session, staff.firm_id, row.number, row.id):
        errors["number"] = ("ws.number_taken", {})
    row.matter_id = _check_matter(session, staff, row.contact_id, form.get("matter_id"), errors)
    row.issue_date = parse_date(form.get("issue_date"), "issue_date", errors)
    row.due_date = parse_date(form.get("due_date"), "due_date", errors)
    if row.issue_date and row.due_date and row.due_date < row.issue_date:
        errors["due_date"] = ("ws.due_before_issue", {})
    credit = row.type == "credit_note"
    original = None
    if credit:
        try:
            original = firm_row(session, staff, Invoice, row.corrects_invoice_id)
        except ServiceError:
            original = None
        if original is None or original.contact_id != row.contact_id or original.type == "credit_note":
            errors["corrects_invoice_id"] = ("ws.credit_needs_invoice", {})
            original = None
        elif original.status not in CORRECTABLE:
            errors["corrects_invoice_id"] = ("ws.credit_not_issued", {})
        else:
            row.currency = original.currency
    else:
        currency = choice(form.get("currency"), "currency", CURRENCIES, errors)
        if currency != row.currency and row.paid_minor:
            errors["currency"] = ("ws.invoice_has_payments", {})
        elif currency != row.currency and row.id and _has_credit_notes(session, row.id):
            errors["currency"] = ("ws.currency_has_credit_notes", {})  # they are in the old currency
        row.currency = currency
    built = _lines(lines, credit, errors)
    if not errors:
        row.total_minor = sum(line.gross_minor for line in built)
        if original is not None and original.total_minor + _credited_minor(session, original.id, row.id) + row.total_minor < 0:
            errors["lines"] = ("ws.credit_exceeds", {})
        credited = -_credited_minor(session, row.id, None) if not credit and row.id else 0
        if not credit and row.total_minor < row.paid_minor + credited:
            # paid and credited together are settled: the total may not fall below their sum
            errors["lines"] = ("ws.total_below_credited" if credited else "ws.total_below_paid", {})
    if errors:
        session.rollback()  # forget what was set on a loaded row
        raise FieldErrors(errors)
    return built


def create_invoice(session: Session, staff: StaffIdentity, contact_id, form: dict, lines: list[LineInput]) -> int:
    """A draft for this contact; a credit note names the invoice it corrects in `corrects_invoice_id`."""
    contact = firm_row(session, staff, Contact, contact_id)
    kind = str(form.get("type") or "")
    if kind not in TYPES:
        raise FieldErrors({"type": ("errors.invalid", {})})
    row = Invoice(firm_id=staff.firm_id, contact_id=contact.id, type=kind, status="draft",
                  issue_date=date.today(), due_date=date.today())
    if kind == "credit_note":
        row.corrects_invoice_id = row_id(form.get("corrects_invoice_id"))
    built = _apply(session, staff, row, form, lines)
    try:
        session.add(row)
        session.flush()
    except IntegrityError:
        # the same number saved by a colleague between the check and this insert
        session.rollback()
        raise FieldErrors({"number": ("ws.number_taken", {})}) from None
    for line in built:
        line.invoice_id = row.id
        session.add(line)
    session.commit()
    return row.id


def update_invoice(session: Session, staff: StaffIdentity, invoice_id, form: dict, lines: list[LineInput],
                   expected_version: int | None = None) -> None:
    """Save the edit form; `expected_version` is the invoice's version when the form was opened."""
    row = firm_row(session, staff, Invoice, invoice_id)
    if row.status not in EDITABLE:
        raise ServiceError("ws.invoice_locked")  # the more useful reason when both apply
    check_version(row, expected_version)
    old_lines = session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == row.id)).all()
    with session.no_autoflush:
        built = _apply(session, staff, row, form, lines)
    for old in old_lines:
        session.delete(old)
    flag_modified(row, "total_minor")  # new lines alone are a change of the invoice: one version up
    session.add(row)
    for line in built:
        line.invoice_id = row.id
        session.add(line)
    commit(session)


def _unchanged_since_seen(row: Invoice, seen_version) -> None:
    """Approving or cancelling decides on the figures the page showed: refuse if they changed since."""
    if seen_version is not None and seen_version != row.version:
        raise ServiceError("ws.invoice_changed_meanwhile")


def approve_invoice(session: Session, staff: StaffIdentity, invoice_id, seen_version: int | None = None) -> None:
    """Issue a draft to the client; `seen_version` is the invoice's version on the approver's page."""
    row = firm_row(session, staff, Invoice, invoice_id)
    _unchanged_since_seen(row, seen_version)
    if row.status != "draft":
        raise ServiceError("ws.invoice_not_draft")
    if row.type == "credit_note":
        original = session.get(Invoice, row.corrects_invoice_id)
        if original is None or original.status not in CORRECTABLE:
            raise ServiceError("ws.credit_not_issued")
        # what the original still owes changes: a payment or cancellation racing this one is refused
        flag_modified(original, "total_minor")
        session.add(original)
    row.status = "approved"
    session.add(row)
    commit(session)


def cancel_invoice(session: Session, staff: StaffIdentity, invoice_id, seen_version: int | None = None) -> None:
    """Cancel a draft or an approved invoice nobody has paid anything on; logged."""
    row = firm_row(session, staff, Invoice, invoice_id)
    _unchanged_since_seen(row, seen_version)
    if row.paid_minor:
        raise ServiceError("ws.invoice_has_payments")
    if row.status not in ("draft", "approved"):
        raise ServiceError("ws.invoice_locked")
    if row.type != "credit_note" and _credited_minor(session, row.id, None):
        raise ServiceError("ws.invoice_has_credit_notes")
    row.status = "cancelled"
    session.add(row)
    audit(session, staff, "invoice.cancelled", "invoice", row.id, row.number)
    commit(session)


def _outstanding(session: Session, invoice_id: int) -> int:
    return int(session.exec(select(outstanding_minor()).where(Invoice.id == invoice_id)).one())


def record_payment(session: Session, staff: StaffIdentity, invoice_id, form: dict, now: datetime | None = None) -> None:
    """A payment received on a date: the invoice becomes partially paid, or paid when settled.

    Settled means nothing is outstanding: an issued credit note counts like a payment already made.
    """
    row = firm_row(session, staff, Invoice, invoice_id)
    if row.type == "credit_note" or row.status not in PAYABLE:
        raise ServiceError("ws.invoice_not_payable")
    errors: Errors = {}
    paid_on = parse_date(form.get("paid_on"), "paid_on", errors)
    if paid_on and paid_on > today_for(staff.timezone, now):
        errors["paid_on"] = ("ws.date_future", {})
    elif paid_on and paid_on < row.issue_date:
        errors["paid_on"] = ("ws.paid_before_issue", {})
    amount = amount_field(form.get("amount"), "amount", errors)
    outstanding = _outstanding(session, row.id)
    if "amount" not in errors and amount > outstanding:
        errors["amount"] = ("ws.payment_exceeds", {})
    if errors:
        raise FieldErrors(errors)
    session.add(Payment(firm_id=staff.firm_id, invoice_id=row.id, paid_on=paid_on, amount_minor=amount,
                        recorded_by_id=staff.user_id))
    row.paid_minor += amount
    row.status = "paid" if amount >= outstanding else "partially_paid"
    session.add(row)
    commit(session)  # two payments at once: the version check lets only one count


def _status_after_payments(row: Invoice, outstanding: int) -> str:
    """As recording sets it: paid when nothing is owed, partially paid while something was paid."""
    if not row.paid_minor:
        return "approved"  # credit notes alone never mark an invoice paid
    return "paid" if outstanding <= 0 else "partially_paid"


def remove_payment(session: Session, staff: StaffIdentity, invoice_id, payment_id, seen_version: int | None = None) -> None:
    """Undo a payment recorded by mistake: what is owed goes back up, the status with it; logged.

    `seen_version` is the invoice's version on the remover's page: a payment recorded or removed
    by a colleague since then refuses this, so nobody removes one while reading other figures.
    """
    row = firm_row(session, staff, Invoice, invoice_id)
    payment = firm_row(session, staff, Payment, payment_id)
    if payment.invoice_id != row.id:
        raise NotAllowed("errors.not_found")
    _unchanged_since_seen(row, seen_version)
    if row.status == "cancelled":
        raise ServiceError("ws.payment_invoice_cancelled")
    credited = int(session.exec(select(credited_minor()).where(Invoice.id == row.id)).one())
    row.paid_minor = max(0, row.paid_minor - payment.amount_minor)
    row.status = _status_after_payments(row, row.total_minor - row.paid_minor - credited)  # services.outstanding's rule
    session.delete(payment)
    session.add(row)
    amount = Decimal(payment.amount_minor).scaleb(-2)
    audit(session, staff, "payment.removed", "invoice", row.id, f"{row.number}: {amount:.2f} {row.currency}")
    commit(session)


@dataclass(frozen=True)
class InvoiceSummary:
    id: int
    number: str
    type: str
    status: str
    contact_id: int
    contact_name: str
    matter_id: int | None
    matter_number: str
    issue_date: date
    due_date: date
    currency: str
    total_minor: int
    paid_minor: int
    credited_minor: int
    outstanding_minor: int
    version: int = 0  # the edit counter as read: an approval or cancellation checks it is still the same


@dataclass(frozen=True)
class LineRow:
    description: str
    net_minor: int
    vat_rate: str
    vat_minor: int
    gross_minor: int


@dataclass(frozen=True)
class PaymentRow:
    id: int
    paid_on: date
    amount_minor: int
    recorded_by: str


@dataclass(frozen=True)
class InvoiceDetail:
    invoice: InvoiceSummary
    lines: list[LineRow]
    payments: list[PaymentRow]
    corrects: InvoiceSummary | None
    credit_notes: list[InvoiceSummary]


def _summary_query():
    return select(Invoice, Contact.name, Matter.number, credited_minor(), outstanding_minor()) \
        .join(Contact, Contact.id == Invoice.contact_id).outerjoin(Matter, Matter.id == Invoice.matter_id)


def _summary(inv: Invoice, contact_name: str, matter_number: str | None, credited: int, outstanding: int) -> InvoiceSummary:
    return InvoiceSummary(
        id=inv.id, number=inv.number, type=inv.type, status=inv.status, contact_id=inv.contact_id,
        contact_name=contact_name, matter_id=inv.matter_id, matter_number=matter_number or "",
        issue_date=inv.issue_date, due_date=inv.due_date, currency=inv.currency,
        total_minor=inv.total_minor, paid_minor=inv.paid_minor,
        credited_minor=int(credited) if inv.type != "credit_note" else 0, outstanding_minor=int(outstanding),
        version=inv.version,
    )


def invoices_for(session: Session, staff: StaffIdentity, *, contact_id=None, matter_id=None, page: int = 0) -> tuple[list[InvoiceSummary], int]:
    """One page of a contact's or a matter's invoices (the card checked against the caller first)."""
    cond = Invoice.firm_id == staff.firm_id
    if matter_id is not None:
        cond = cond & (Invoice.matter_id == firm_row(session, staff, Matter, matter_id).id)
    else:
        cond = cond & (Invoice.contact_id == firm_row(session, staff, Contact, contact_id).id)
    total = session.exec(select(func.count()).select_from(Invoice).where(cond)).one()
    rows = session.exec(
        _summary_query().where(cond).order_by(Invoice.issue_date.desc(), Invoice.id.desc())
        .offset(page_offset(page, PAGE_SIZE)).limit(PAGE_SIZE)
    ).all()
    return [_summary(*r) for r in rows], int(total)


def invoice_detail(session: Session, staff: StaffIdentity, invoice_id) -> InvoiceDetail:
    row = firm_row(session, staff, Invoice, invoice_id)
    this = session.exec(_summary_query().where(Invoice.id == row.id)).one()
    lines = session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == row.id).order_by(InvoiceLine.position)).all()
    payments = session.exec(
        select(Payment, StaffUser.name).join(StaffUser, StaffUser.id == Payment.recorded_by_id)
        .where(Payment.invoice_id == row.id).order_by(Payment.paid_on, Payment.id)
    ).all()
    corrects = None
    if row.corrects_invoice_id:
        found = session.exec(_summary_query().where(Invoice.id == row.corrects_invoice_id, Invoice.firm_id == staff.firm_id)).first()
        corrects = _summary(*found) if found else None
    credits = session.exec(_summary_query().where(Invoice.corrects_invoice_id == row.id, Invoice.firm_id == staff.firm_id)
                           .order_by(Invoice.id)).all()
    return InvoiceDetail(
        invoice=_summary(*this),
        lines=[LineRow(ln.description, ln.net_minor, ln.vat_rate, ln.vat_minor, ln.gross_minor) for ln in lines],
        payments=[PaymentRow(id=p.id, paid_on=p.paid_on, amount_minor=p.amount_minor, recorded_by=name) for p, name in payments],
        corrects=corrects,
        credit_notes=[_summary(*c) for c in credits],
    )


def next_number(session: Session, staff: StaffIdentity, kind: str, today: date) -> str:
    """A suggestion the user may overwrite: FV/2026/007, FZ/… for advances, KOR/… for credit notes.

    One after the highest number of this year's series (the longest, then the greatest text, so
    FV/2026/1000 follows FV/2026/999), not the count: after gaps the count suggested numbers from
    the middle of the series.
    """
    prefix = {"advance": "FZ", "credit_note": "KOR"}.get(kind, "FV") + f"/{today.year}/"
    series = and_(Invoice.firm_id == staff.firm_id, Invoice.number.startswith(prefix, autoescape=True))
    longest = session.exec(select(func.max(func.length(Invoice.number))).where(series)).one()
    highest = session.exec(
        select(func.max(Invoice.number)).where(series, func.length(Invoice.number) == longest)
    ).one() if longest else None
    suffix = (highest or "")[len(prefix):]
    n = int(suffix) + 1 if suffix.isascii() and suffix.isdigit() and len(suffix) <= 9 else 1
    while _number_taken(session, staff.firm_id, f"{prefix}{n:03d}", None):
        n += 1
    return f"{prefix}{n:03d}"
