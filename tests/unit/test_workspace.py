"""Staff workspace (issue 8): exact money, duration parsing, status path, role rules, firm scoping."""

import itertools
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlmodel import select

from portal_app.models import (
    Agreement,
    AuditLog,
    Contact,
    Firm,
    Invoice,
    InvoiceLine,
    Matter,
    Payment,
    PortalUser,
    Share,
    ShareInvoiceScope,
    ShareRecipient,
    StaffUser,
    TimeEntry,
)
from portal_app.services import agreements, billing, client_portal, contacts_matters, staff, time_entries
from portal_app.services.billing import LineInput, line_amounts, parse_vat_rate
from portal_app.services.errors import FieldErrors, NotAllowed, ServiceError
from portal_app.services.identity import StaffIdentity
from portal_app.services.time_entries import parse_duration
from portal_app.services.workspace import parse_amount
from tests.conftest import add

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=timezone.utc)
_seq = itertools.count(1)


def member(session, firm, role):
    user = add(session, StaffUser(firm_id=firm.id, email=f"s{next(_seq)}@firm.example.com", name=f"{role} {firm.name}",
                                  role=role, password_hash="x"))
    return StaffIdentity(user_id=user.id, firm_id=firm.id, name=user.name, email=user.email, role=role,
                         plan=firm.plan, language="pl", timezone="Europe/Warsaw")


@pytest.fixture
def firms(session):
    """Two firms, each with an Administrator and a User."""
    nowak = add(session, Firm(name="Nowak", plan="premium"))
    other = add(session, Firm(name="Kowalczyk", plan="standard"))
    return {
        "firm": nowak, "admin": member(session, nowak, "administrator"), "user": member(session, nowak, "user"),
        "other_firm": other, "other": member(session, other, "administrator"),
    }


def new_contact(session, me, name="Budmax sp. z o.o.", **extra):
    return contacts_matters.create_contact(session, me, {"name": name, "kind": "company", "email": "", **extra})


def new_matter(session, me, contact_id, number="2026/001"):
    return contacts_matters.create_matter(session, me, contact_id, {"number": number, "title": "Spór", "status": "open"})


def invoice_form(number="FV/2026/001", **extra):
    return {"number": number, "type": "invoice", "issue_date": "2026-03-01", "due_date": "2026-03-15",
            "currency": "PLN", **extra}


def approved_credit_note(session, staff, contact_id, invoice_id, net, rate="23", number="KOR/2026/001") -> int:
    """An approved credit note of `net` correcting the invoice."""
    note_id = billing.create_invoice(session, staff, contact_id, invoice_form(number, type="credit_note",
                                     corrects_invoice_id=str(invoice_id)), [LineInput("Rabat", net, rate)])
    billing.approve_invoice(session, staff, note_id)
    return note_id


# ---- money ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("1234.56", "1234.56"), ("1 234,56", "1234.56"), ("1,234.56", "1234.56"), ("1.234,5", "1234.50"),
    ("100", "100.00"), ("0,01", "0.01"), ("1,234,000", "1234000.00"), ("\u00a012\u00a0000,00", "12000.00"),
    ("1 500", "1500.00"), ("1.500,00", "1500.00"), ("1,500.00", "1500.00"), ("1 234 567.89", "1234567.89"),
    ("-1 500,00", "-1500.00"), ("1.234.567,89", "1234567.89"), ("1,234,567.8", "1234567.80"),
])
def test_amounts_are_read_in_either_locale(raw, expected):
    assert parse_amount(raw) == Decimal(expected)


@pytest.mark.parametrize("minor", [5, 24600, 123450, 100000000, 999999999])
def test_an_amount_shown_for_editing_reads_back_the_same_in_either_language(minor):
    from portal_app.i18n import format_amount

    assert format_amount(minor, "pl") == format_amount(minor, "pl").replace(".", "")  # Polish: no dot
    for lang in ("pl", "en"):
        assert parse_amount(format_amount(minor, lang)) * 100 == minor


@pytest.mark.parametrize("raw", ["1,500", "1.500", "0,001", "12,345", "999.999", "-1,500"])
def test_a_lone_mark_before_three_digits_is_refused_not_guessed(raw):
    """Thousands in English, a decimal comma in Polish: `0,001` was recorded as a payment of 1,00 zł."""
    from portal_app.services.workspace import AmbiguousAmount, amount_field

    with pytest.raises(AmbiguousAmount):
        parse_amount(raw)
    errors = {}
    assert amount_field(raw, "amount", errors) == 0 and errors == {"amount": ("ws.amount_ambiguous", {})}


@pytest.mark.parametrize("raw", [
    "", "abc", "1,2,3.4.5x", "12.345.6", "1e5", "--1",
    "1.000,000", "1,000.000", "1,234.567",  # a last mark unlike the others is decimal: three decimals were read as thousands
    "١,٥٠٠", "１,５００", "١٢٣",  # digits of other scripts
    "1 50", "12 5,00", "1 2345",  # spaces only group thousands
])
def test_unreadable_amounts_are_refused(raw):
    with pytest.raises(ValueError):
        parse_amount(raw)


@pytest.mark.parametrize("net, rate, vat, gross", [
    ("100.00", "23", 2300, 12300),
    ("0.05", "23", 1, 6),        # 0.0115 → 0.01 (half-up keeps 0.01)
    ("0.10", "5", 1, 11),         # 0.005 → 0.01: half-up, not banker's rounding (0.00)
    ("0.30", "5", 2, 32),         # 0.015 → 0.02
    ("10.00", "8", 80, 1080),
    ("99.99", "0", 0, 9999),
])
def test_line_vat_is_rounded_half_up_on_the_line(net, rate, vat, gross):
    amounts = line_amounts(Decimal(net), parse_vat_rate(rate))
    assert (amounts.net_minor, amounts.vat_minor, amounts.gross_minor) == (int(Decimal(net) * 100), vat, gross)


def test_vat_rates():
    assert parse_vat_rate("23%") == Decimal(23)
    assert parse_vat_rate("5,5") == Decimal("5.5")
    assert parse_vat_rate("zw") == 0
    for bad in ("", "-1", "101", "abc", "1.234", "nan"):
        with pytest.raises(ValueError):
            parse_vat_rate(bad)


def test_invoice_total_is_the_sum_of_rounded_lines(session, firms):
    me = firms["user"]
    c = new_contact(session, me)
    lines = [LineInput("Porada", "0.10", "5"), LineInput("Porada", "0.10", "5"), LineInput("Opinia", "1 000,00", "23")]
    inv_id = billing.create_invoice(session, me, c, invoice_form(), lines)
    inv = session.get(Invoice, inv_id)
    # per line: 0.105 → 0.11 twice, 1230.00 → 1230.22; per-invoice rounding would give 1230.21
    assert inv.total_minor == 11 + 11 + 123000
    assert inv.status == "draft" and inv.paid_minor == 0
    stored = session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == inv_id).order_by(InvoiceLine.position)).all()
    assert [(ln.net_minor, ln.vat_minor, ln.gross_minor) for ln in stored] == [(10, 1, 11), (10, 1, 11), (100000, 23000, 123000)]


def test_invoice_form_errors_are_reported_per_field(session, firms):
    me = firms["user"]
    c = new_contact(session, me)
    billing.create_invoice(session, me, c, invoice_form(), [LineInput("A", "1", "23")])
    with pytest.raises(FieldErrors) as exc:
        billing.create_invoice(session, me, c, invoice_form("fv/2026/001", due_date="2026-02-01", currency="XYZ"),
                               [LineInput("", "-5", "23"), LineInput("B", "10", "300")])
    assert set(exc.value.fields) == {"number", "due_date", "currency", "line_0_description", "line_0_net", "line_1_vat"}
    with pytest.raises(FieldErrors) as exc:
        billing.create_invoice(session, me, c, invoice_form("FV/2"), [])
    assert set(exc.value.fields) == {"lines"}
    assert session.exec(select(Invoice)).all().__len__() == 1


def test_status_path_with_partial_payments(session, firms):
    me = firms["user"]
    c = new_contact(session, me)
    inv_id = billing.create_invoice(session, me, c, invoice_form(), [LineInput("Opinia", "1000", "23")])
    with pytest.raises(ServiceError, match="ws.invoice_not_payable"):
        billing.record_payment(session, me, inv_id, {"paid_on": "2026-03-10", "amount": "100"}, now=NOW)
    billing.approve_invoice(session, me, inv_id)
    with pytest.raises(ServiceError, match="ws.invoice_not_draft"):
        billing.approve_invoice(session, me, inv_id)
    with pytest.raises(FieldErrors) as exc:
        billing.record_payment(session, me, inv_id, {"paid_on": "2026-03-16", "amount": "1230,01"}, now=NOW)
    assert set(exc.value.fields) == {"paid_on", "amount"}  # future in Warsaw; more than outstanding
    with pytest.raises(FieldErrors) as exc:
        billing.record_payment(session, me, inv_id, {"paid_on": "2026-02-28", "amount": "100"}, now=NOW)
    assert exc.value.fields == {"paid_on": ("ws.paid_before_issue", {})}  # issued on 1 March
    billing.record_payment(session, me, inv_id, {"paid_on": "2026-03-10", "amount": "500,50"}, now=NOW)
    inv = session.get(Invoice, inv_id)
    assert (inv.status, inv.paid_minor) == ("partially_paid", 50050)
    with pytest.raises(ServiceError, match="ws.invoice_has_payments"):
        billing.cancel_invoice(session, me, inv_id)
    billing.record_payment(session, me, inv_id, {"paid_on": "2026-03-15", "amount": "729.50"}, now=NOW)
    session.refresh(inv)
    assert (inv.status, inv.paid_minor, inv.total_minor) == ("paid", 123000, 123000)
    with pytest.raises(ServiceError, match="ws.invoice_locked"):
        billing.update_invoice(session, me, inv_id, invoice_form(), [LineInput("Opinia", "2000", "23")])
    with pytest.raises(ServiceError, match="ws.invoice_not_payable"):
        billing.record_payment(session, me, inv_id, {"paid_on": "2026-03-15", "amount": "1"}, now=NOW)
    detail = billing.invoice_detail(session, me, inv_id)
    assert [(p.paid_on, p.amount_minor) for p in detail.payments] == [(date(2026, 3, 10), 50050), (date(2026, 3, 15), 72950)]


def test_a_partially_paid_invoice_cannot_drop_below_what_was_paid(session, firms):
    me = firms["admin"]
    c = new_contact(session, me)
    inv_id = billing.create_invoice(session, me, c, invoice_form(), [LineInput("Opinia", "100", "0")])
    billing.approve_invoice(session, me, inv_id)
    billing.record_payment(session, me, inv_id, {"paid_on": "2026-03-01", "amount": "60"}, now=NOW)
    with pytest.raises(FieldErrors) as exc:
        billing.update_invoice(session, me, inv_id, invoice_form(), [LineInput("Opinia", "50", "0")])
    assert exc.value.fields["lines"][0] == "ws.total_below_paid"
    assert session.get(Invoice, inv_id).total_minor == 10000  # unchanged, lines too
    billing.update_invoice(session, me, inv_id, invoice_form(), [LineInput("Opinia", "80", "0")])
    assert session.get(Invoice, inv_id).total_minor == 8000


def test_cancelled_invoice_is_locked_and_logged_and_leaves_the_widgets(session, firms):
    me = firms["user"]
    firm = firms["firm"]
    c = new_contact(session, me)
    inv_id = billing.create_invoice(session, me, c, invoice_form(due_date="2026-03-10"), [LineInput("A", "100", "23")])
    billing.approve_invoice(session, me, inv_id)
    share = add(session, Share(firm_id=firm.id, contact_id=c))
    for status in ("approved", "partially_paid", "paid", "cancelled"):
        add(session, ShareInvoiceScope(share_id=share.id, invoice_type="invoice", invoice_status=status))
    add(session, ShareRecipient(share_id=share.id, firm_id=firm.id, email="jan@client.example.com"))
    add(session, PortalUser(firm_id=firm.id, email="jan@client.example.com", first_name="Jan", last_name="K",
                            password_hash="x", timezone="Europe/Warsaw"))
    recipient = session.exec(select(ShareRecipient)).one()
    client = staff.preview_identity(session, me, recipient.id)
    assert client_portal.dashboard(session, client, now=NOW).overdue == {"PLN": 12300}
    billing.cancel_invoice(session, me, inv_id)
    assert client_portal.dashboard(session, client, now=NOW).overdue == {}
    with pytest.raises(ServiceError, match="ws.invoice_locked"):
        billing.update_invoice(session, me, inv_id, invoice_form(), [LineInput("A", "1", "23")])
    with pytest.raises(ServiceError, match="ws.invoice_not_draft"):
        billing.approve_invoice(session, me, inv_id)
    log = session.exec(select(AuditLog)).one()
    assert (log.action, log.staff_user_id, log.target_id) == ("invoice.cancelled", me.user_id, inv_id)


def test_credit_notes_reference_the_invoice_and_cannot_exceed_it(session, firms):
    me = firms["user"]
    c = new_contact(session, me)
    other_c = new_contact(session, me, "Inny klient")
    inv_id = billing.create_invoice(session, me, c, invoice_form(currency="EUR"), [LineInput("Opinia", "1000", "23")])
    credit = dict(invoice_form("KOR/2026/001", type="credit_note", currency="PLN"), corrects_invoice_id=str(inv_id))
    with pytest.raises(FieldErrors) as exc:  # a draft cannot be corrected
        billing.create_invoice(session, me, c, credit, [LineInput("Rabat", "100", "23")])
    assert exc.value.fields["corrects_invoice_id"][0] == "ws.credit_not_issued"
    billing.approve_invoice(session, me, inv_id)
    with pytest.raises(FieldErrors) as exc:  # another client's invoice
        billing.create_invoice(session, me, other_c, credit, [LineInput("Rabat", "100", "23")])
    assert exc.value.fields["corrects_invoice_id"][0] == "ws.credit_needs_invoice"
    note_id = billing.create_invoice(session, me, c, credit, [LineInput("Rabat", "100", "23")])
    note = session.get(Invoice, note_id)
    assert (note.total_minor, note.currency, note.corrects_invoice_id, note.type) == (-12300, "EUR", inv_id, "credit_note")
    with pytest.raises(FieldErrors) as exc:  # 123 + 1108 > 1230
        billing.create_invoice(session, me, c, dict(credit, number="KOR/2026/002"), [LineInput("Rabat", "1108", "0")])
    assert exc.value.fields["lines"][0] == "ws.credit_exceeds"
    billing.create_invoice(session, me, c, dict(credit, number="KOR/2026/002"), [LineInput("Rabat", "1107", "0")])
    with pytest.raises(ServiceError, match="ws.invoice_not_payable"):
        billing.record_payment(session, me, note_id, {"paid_on": "2026-03-01", "amount": "1"}, now=NOW)
    detail = billing.invoice_detail(session, me, inv_id)
    assert [n.number for n in detail.credit_notes] == ["KOR/2026/001", "KOR/2026/002"]
    assert billing.invoice_detail(session, me, note_id).corrects.number == "FV/2026/001"


def test_invoice_matter_must_belong_to_the_contact(session, firms):
    me = firms["user"]
    c1, c2 = new_contact(session, me, "A"), new_contact(session, me, "B")
    m2 = new_matter(session, me, c2)
    with pytest.raises(FieldErrors) as exc:
        billing.create_invoice(session, me, c1, invoice_form(matter_id=str(m2)), [LineInput("A", "1", "23")])
    assert exc.value.fields["matter_id"][0] == "ws.matter_other_client"
    inv_id = billing.create_invoice(session, me, c2, invoice_form(matter_id=str(m2)), [LineInput("A", "1", "23")])
    assert [i.id for i in billing.invoices_for(session, me, matter_id=m2)[0]] == [inv_id]
    assert billing.next_number(session, me, "invoice", date(2026, 3, 1)) == "FV/2026/002"



def test_suggested_number_follows_the_highest_of_the_series_not_the_count(session, firms):
    me = firms["user"]
    c = new_contact(session, me, "A")
    for number in ("FV/2026/001", "FV/2026/055", "FV/2026/056", "FZ/2026/300", "FV/2025/900"):
        billing.create_invoice(session, me, c, invoice_form(number=number), [LineInput("A", "1", "23")])
    assert billing.next_number(session, me, "invoice", date(2026, 3, 1)) == "FV/2026/057"
    assert billing.next_number(session, me, "advance", date(2026, 3, 1)) == "FZ/2026/301"
    assert billing.next_number(session, me, "credit_note", date(2026, 3, 1)) == "KOR/2026/001"
    for number in ("FV/2026/999", "FV/2026/1000"):
        billing.create_invoice(session, me, c, invoice_form(number=number), [LineInput("A", "1", "23")])
    assert billing.next_number(session, me, "invoice", date(2026, 3, 1)) == "FV/2026/1001"


# ---- durations ------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, minutes", [
    ("1:30", 90), ("0:05", 5), ("1,5 h", 90), ("1.5h", 90), ("1,5", 90), ("2", 120), ("90 min", 90), ("90m", 90),
    ("2h 15m", 135), ("1 godz. 15 min", 75), ("45 minut", 45), ("0,33 h", 20), ("24:00", 1440), (" 1:30 ", 90),
])
def test_durations(raw, minutes):
    assert parse_duration(raw) == minutes


@pytest.mark.parametrize("raw", ["", "0", "0:00", "1:75", "25h", "abc", "1:30 h", "h", "-1", "1,5 x", "1441 min"])
def test_bad_durations(raw):
    with pytest.raises(ValueError):
        parse_duration(raw)


def test_time_entries_own_edit_and_totals(session, firms):
    user, admin = firms["user"], firms["admin"]
    c = new_contact(session, user)
    m = new_matter(session, user, c)
    form = {"work_date": "2026-03-14", "duration": "1:30", "description": "Analiza", "billable": "on"}
    mine = time_entries.log_time(session, user, m, form, now=NOW)
    theirs = time_entries.log_time(session, admin, m, dict(form, duration="45 min", billable=""), now=NOW)
    summary = time_entries.matter_time(session, user, m)
    assert (summary.total, summary.minutes_total, summary.minutes_billable) == (2, 135, 90)
    with pytest.raises(NotAllowed):
        time_entries.update_time(session, user, theirs, form, now=NOW)
    with pytest.raises(NotAllowed):
        time_entries.delete_time(session, user, theirs)
    time_entries.update_time(session, user, mine, dict(form, duration="2 h"), now=NOW)
    assert session.get(TimeEntry, mine).minutes == 120
    time_entries.delete_time(session, admin, mine)  # an Administrator may correct anyone's
    assert session.get(TimeEntry, mine) is None
    assert session.exec(select(AuditLog.action, AuditLog.staff_user_id)).all() == [("time_entry.deleted", admin.user_id)]


def test_time_entry_validation_and_staff_member(session, firms):
    user, admin = firms["user"], firms["admin"]
    c = new_contact(session, user)
    m = new_matter(session, user, c)
    with pytest.raises(FieldErrors) as exc:
        time_entries.log_time(session, user, m, {"work_date": "2026-03-16", "duration": "3 days", "description": ""}, now=NOW)
    assert set(exc.value.fields) == {"work_date", "duration", "description"}
    # 23:30 UTC on 15 March is already 16 March in Warsaw
    late = datetime(2026, 3, 15, 23, 30, tzinfo=timezone.utc)
    time_entries.log_time(session, user, m, {"work_date": "2026-03-16", "duration": "1", "description": "x"}, now=late)
    form = {"work_date": "2026-03-14", "duration": "1", "description": "x", "staff_user_id": str(admin.user_id)}
    with pytest.raises(FieldErrors) as exc:
        time_entries.log_time(session, user, m, form, now=NOW)
    assert exc.value.fields["staff_user_id"][0] == "ws.time_only_self"
    entry = time_entries.log_time(session, admin, m, dict(form, staff_user_id=str(user.user_id)), now=NOW)
    assert session.get(TimeEntry, entry).staff_user_id == user.user_id
    with pytest.raises(FieldErrors):
        time_entries.log_time(session, admin, m, dict(form, staff_user_id=str(firms["other"].user_id)), now=NOW)
    contacts_matters.set_matter_status(session, user, m, "closed")
    with pytest.raises(FieldErrors):
        time_entries.log_time(session, user, m, form, now=NOW)


# ---- contacts and matters -------------------------------------------------------------------------

def test_names_keep_no_invisible_or_reversing_characters(session, firms):
    """A right-to-left override or zero-width space would make a stored name read as another."""
    user = firms["user"]
    with pytest.raises(FieldErrors) as exc:
        contacts_matters.create_contact(session, user, {"name": "\u200b\u200b", "kind": "company", "email": ""})
    assert exc.value.fields["name"] == ("ws.required", {})
    c = contacts_matters.create_contact(session, user, {"name": "Evil\u202eLegal\u200b\x07\ud800 sp.k.", "kind": "company", "email": ""})
    assert session.get(Contact, c).name == "EvilLegal sp.k."


def test_contacts_create_edit_archive_search(session, firms):
    user = firms["user"]
    with pytest.raises(FieldErrors) as exc:
        contacts_matters.create_contact(session, user, {"name": " ", "kind": "robot", "email": "nie-adres"})
    assert set(exc.value.fields) == {"name", "kind", "email"}
    c = contacts_matters.create_contact(session, user, {"name": "Ewa Wiśniewska", "kind": "person", "email": "Ewa@Example.COM"})
    assert session.get(Contact, c).email == "ewa@example.com"
    new_contact(session, user, "Budmax")
    assert [r.name for r in staff.contacts(session, user, query="wiś")[0]] == ["Ewa Wiśniewska"]
    assert [r.name for r in staff.contacts(session, user, query="EXAMPLE.com")[0]] == ["Ewa Wiśniewska"]
    assert staff.contacts(session, user, query="%")[1] == 0
    contacts_matters.update_contact(session, user, c, {"name": "Ewa Nowak", "kind": "person", "email": ""})
    assert session.get(Contact, c).name == "Ewa Nowak"
    contacts_matters.archive_contact(session, user, c)
    assert [r.name for r in staff.contacts(session, user)[0]] == ["Budmax"]
    assert staff.contact_card(session, user, c).archived
    with pytest.raises(ServiceError, match="ws.contact_archived"):
        contacts_matters.update_contact(session, user, c, {"name": "X", "kind": "person"})
    log = session.exec(select(AuditLog)).one()
    assert (log.action, log.staff_user_id, log.target_id) == ("contact.archived", user.user_id, c)


def test_matters_numbers_unique_per_firm_and_close_reopen(session, firms):
    user, other = firms["user"], firms["other"]
    c = new_contact(session, user)
    m = new_matter(session, user, c, "2026/001")
    with pytest.raises(FieldErrors) as exc:
        new_matter(session, user, c, "2026/001")
    assert exc.value.fields["number"][0] == "ws.number_taken"
    new_matter(session, other, new_contact(session, other), "2026/001")  # another firm may reuse it
    contacts_matters.update_matter(session, user, m, {"number": "2026/001", "title": "Nowy tytuł", "status": "open"})
    contacts_matters.set_matter_status(session, user, m, "closed")
    assert session.get(Matter, m).status == "closed"
    contacts_matters.set_matter_status(session, user, m, "open")
    assert session.get(Matter, m).status == "open"
    assert session.exec(select(AuditLog.action).order_by(AuditLog.id)).all() == ["matter.closed", "matter.open"]


# ---- agreements -----------------------------------------------------------------------------------

def test_agreement_documents_are_checked_by_content():
    assert agreements.check_document("C:\\umowy\\Umowa.pdf", b"%PDF-1.7 ...") == "Umowa.pdf"
    assert agreements.check_document("umowa.docx", b"PK\x03\x04rest") == "umowa.docx"
    for name, data, key in [
        ("umowa.exe", b"MZ", "ws.doc_type"), ("umowa.pdf", b"PK\x03\x04", "ws.doc_content"),
        ("umowa.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "ws.doc_too_large"), ("", b"%PDF-", "ws.doc_type"),
    ]:
        with pytest.raises(ServiceError, match=key):
            agreements.check_document(name, data)


def test_agreements_create_update_delete(session, firms):
    user = firms["user"]
    c = new_contact(session, user)
    m = new_matter(session, user, c)
    form = {"title": "Umowa o zastępstwo", "fee_arrangement": "hourly", "status": "active",
            "signed_on": "2026-03-01", "valid_until": "2026-02-01", "matter_id": str(m)}
    with pytest.raises(FieldErrors) as exc:
        agreements.create_agreement(session, user, c, form)
    assert set(exc.value.fields) == {"valid_until"}
    a = agreements.create_agreement(session, user, c, dict(form, valid_until=""))
    assert agreements.attach_document(session, user, a, "Umowa.pdf", "abc123.pdf") is None
    agreements.update_agreement(session, user, a, dict(form, valid_until="", status="ended"))
    row = session.get(Agreement, a)
    assert (row.status, row.matter_id, row.document_file) == ("ended", m, "abc123.pdf")
    assert [x.document_name for x in agreements.agreements_for(session, user, matter_id=m)[0]] == ["Umowa.pdf"]
    assert agreements.delete_agreement(session, user, a) == "abc123.pdf"
    assert session.exec(select(AuditLog.action)).all() == ["agreement.deleted"]


# ---- role rules and another firm's ids ------------------------------------------------------------

def test_users_and_administrators_may_both_work(session, firms):
    for me in (firms["user"], firms["admin"]):
        c = new_contact(session, me, f"Klient {me.role}")
        m = new_matter(session, me, c, f"{me.role}/1")
        time_entries.log_time(session, me, m, {"work_date": "2026-03-01", "duration": "1", "description": "x"}, now=NOW)
        inv = billing.create_invoice(session, me, c, invoice_form(f"FV/{me.role}"), [LineInput("A", "1", "23")])
        billing.approve_invoice(session, me, inv)
        agreements.create_agreement(session, me, c, {"title": "U", "fee_arrangement": "fixed"})


def test_every_service_refuses_another_firms_ids(session, firms):
    me, other = firms["user"], firms["other"]
    c = new_contact(session, other, "Żółw i Syn")
    m = new_matter(session, other, c)
    t = time_entries.log_time(session, other, m, {"work_date": "2026-03-01", "duration": "1", "description": "x"}, now=NOW)
    inv = billing.create_invoice(session, other, c, invoice_form(), [LineInput("A", "1", "23")])
    a = agreements.create_agreement(session, other, c, {"title": "U", "fee_arrangement": "fixed"})
    share = add(session, Share(firm_id=other.firm_id, contact_id=c))
    rec = add(session, ShareRecipient(share_id=share.id, firm_id=other.firm_id, email="x@example.com"))
    form = {"name": "X", "kind": "person", "number": "9", "title": "T", "work_date": "2026-03-01", "duration": "1",
            "description": "x", "paid_on": "2026-03-01", "amount": "1", "fee_arrangement": "fixed"}
    calls = [
        lambda: contacts_matters.update_contact(session, me, c, form),
        lambda: contacts_matters.archive_contact(session, me, c),
        lambda: contacts_matters.create_matter(session, me, c, form),
        lambda: contacts_matters.update_matter(session, me, m, form),
        lambda: contacts_matters.set_matter_status(session, me, m, "closed"),
        lambda: time_entries.log_time(session, me, m, form, now=NOW),
        lambda: time_entries.update_time(session, me, t, form, now=NOW),
        lambda: time_entries.delete_time(session, me, t),
        lambda: time_entries.matter_time(session, me, m),
        lambda: billing.create_invoice(session, me, c, invoice_form("X"), [LineInput("A", "1", "23")]),
        lambda: billing.update_invoice(session, me, inv, invoice_form(), [LineInput("A", "1", "23")]),
        lambda: billing.approve_invoice(session, me, inv),
        lambda: billing.cancel_invoice(session, me, inv),
        lambda: billing.record_payment(session, me, inv, form, now=NOW),
        lambda: billing.invoice_detail(session, me, inv),
        lambda: billing.invoices_for(session, me, contact_id=c),
        lambda: billing.invoices_for(session, me, matter_id=m),
        lambda: agreements.create_agreement(session, me, c, form),
        lambda: agreements.update_agreement(session, me, a, form),
        lambda: agreements.attach_document(session, me, a, "x.pdf", "x.pdf"),
        lambda: agreements.delete_agreement(session, me, a),
        lambda: agreements.agreements_for(session, me, contact_id=c),
        lambda: staff.preview_identity(session, me, rec.id),
    ]
    for call in calls:
        with pytest.raises(NotAllowed):
            call()
        session.rollback()
    for bad_id in ("abc", None, -1, 10**30, "2147483648", 1.5, True, [inv]):
        with pytest.raises(NotAllowed):
            billing.approve_invoice(session, me, bad_id)
    # a foreign matter or invoice smuggled into one's own contact's form is refused too
    mine = new_contact(session, me, "Mój klient")
    with pytest.raises(FieldErrors):
        billing.create_invoice(session, me, mine, invoice_form("X", matter_id=str(m)), [LineInput("A", "1", "23")])
    with pytest.raises(FieldErrors):
        billing.create_invoice(session, me, mine, dict(invoice_form("Y", type="credit_note"), corrects_invoice_id=str(inv)),
                               [LineInput("A", "1", "23")])
    assert session.get(Invoice, inv).status == "draft"
    assert session.get(Contact, c).archived_at is None
    assert session.exec(select(Payment)).all() == []


def test_staff_document_route_serves_only_the_agreements_firm(session, firms):
    from portal_app import staff_documents
    from portal_app.services import documents, identity

    me, other = firms["user"], firms["other"]
    c = new_contact(session, me)
    a = agreements.create_agreement(session, me, c, {"title": "U", "fee_arrangement": "fixed"})
    pdf = documents.sample_pdf("Umowa")
    agreements.attach_document(session, me, a, "Umowa.pdf", documents.store_document(pdf, "Umowa.pdf"))
    mine = identity.start_session(session, staff_user_id=me.user_id)
    theirs = identity.start_session(session, staff_user_id=other.user_id)
    assert staff_documents._find(mine, str(a)) == (pdf, "Umowa.pdf")
    assert staff_documents._find(theirs, str(a)) is None
    assert staff_documents._find("not-a-session", str(a)) is None


# ---- the workspace handlers themselves, called the way any browser could call them --------------

def signed_in(session, me: StaffIdentity, state_cls):
    """`state_cls` signed in as `me`, outside any page (no route arguments)."""
    from reflex.state import State

    from portal_app.services import identity

    state = State(_reflex_internal_init=True).get_substate(state_cls.get_full_name().split("."))
    state.staff_token = identity.start_session(session, staff_user_id=me.user_id)
    state.lang = "en"
    return state


def test_workspace_handlers_refuse_another_firms_ids_and_change_nothing(session, firms):
    from portal_app.state.workspace import ContactFormState, MatterFormState, TimeState
    from portal_app.state.workspace_agreements import AgreementsCardState
    from portal_app.state.workspace_billing import InvoiceFormState

    me, other = firms["user"], firms["other"]
    c = new_contact(session, other, "Żółw i Syn")
    m = new_matter(session, other, c)
    t = time_entries.log_time(session, other, m, {"work_date": "2026-03-01", "duration": "1", "description": "x"}, now=NOW)
    inv = billing.create_invoice(session, other, c, invoice_form(), [LineInput("A", "1", "23")])
    a = agreements.create_agreement(session, other, c, {"title": "U", "fee_arrangement": "fixed"})
    not_found = "This item does not exist or is not available to you."

    contact_form = signed_in(session, me, ContactFormState)
    ContactFormState.open_edit.fn(contact_form, c)
    assert not contact_form.open and contact_form.form_error == not_found
    contact_form.editing_id = c  # as if a browser forged the dialog's state
    ContactFormState.save.fn(contact_form, {"name": "Przejęty", "kind": "person", "email": ""})
    assert contact_form.form_error == not_found
    ContactFormState.archive.fn(contact_form, c)

    matter_form = signed_in(session, me, MatterFormState)
    MatterFormState.open_edit.fn(matter_form, m)
    assert not matter_form.open and matter_form.form_error == not_found
    MatterFormState.open_new.fn(matter_form, c)
    MatterFormState.save.fn(matter_form, {"number": "X/1", "title": "Obca", "status": "open"})
    assert matter_form.form_error == not_found
    MatterFormState.set_status.fn(matter_form, m, "closed")

    time_state = signed_in(session, me, TimeState)
    TimeState.open_edit.fn(time_state, t)
    assert not time_state.open and time_state.form_error == not_found
    time_state.editing_id = t
    TimeState.save.fn(time_state, {"work_date": "2026-03-01", "duration": "9", "description": "zmiana"})
    TimeState.delete.fn(time_state, t)
    assert time_state.list_error == not_found

    invoice_form_state = signed_in(session, me, InvoiceFormState)
    for kind, card in (("contact", c), ("matter", m)):
        InvoiceFormState.open_new.fn(invoice_form_state, kind, card)
        assert not invoice_form_state.open and invoice_form_state.form_error == not_found
    InvoiceFormState.open_credit.fn(invoice_form_state, inv)
    InvoiceFormState.open_edit.fn(invoice_form_state, inv)
    assert not invoice_form_state.open and invoice_form_state.matter_options == []
    invoice_form_state.contact_for, invoice_form_state.lines = c, [{"description": "", "net": "", "vat_rate": ""}]
    InvoiceFormState.save.fn(invoice_form_state, {**invoice_form("OBCY/1"), "description_0": "A", "net_0": "1", "vat_0": "23"})
    assert invoice_form_state.form_error == not_found
    invoice_form_state.editing_id = inv
    InvoiceFormState.save.fn(invoice_form_state, {**invoice_form("OBCY/2"), "description_0": "A", "net_0": "1", "vat_0": "23"})
    assert invoice_form_state.form_error == not_found

    agreement_state = signed_in(session, me, AgreementsCardState)
    AgreementsCardState.open_new.fn(agreement_state, "contact", c)
    AgreementsCardState.open_edit.fn(agreement_state, a)
    assert not agreement_state.open
    AgreementsCardState.delete.fn(agreement_state, a)
    assert agreement_state.upload_error == not_found

    session.expire_all()
    assert session.get(Contact, c).archived_at is None and session.get(Contact, c).name == "Żółw i Syn"
    assert session.get(Matter, m).status == "open" and session.exec(select(Matter)).all().__len__() == 1
    assert session.get(TimeEntry, t).minutes == 60
    assert [i.number for i in session.exec(select(Invoice))] == ["FV/2026/001"]
    assert session.get(Agreement, a) is not None
    assert session.exec(select(AuditLog)).all() == []


@pytest.mark.parametrize("bad", ["abc", None, [1], {"id": 1}, 10**30, 1.5], ids=repr)
def test_workspace_handlers_answer_garbage_ids_with_a_message(session, firms, bad):
    from portal_app.state.workspace import ContactFormState, TimeState
    from portal_app.state.workspace_billing import InvoiceFormState

    me = firms["admin"]
    contact_form = signed_in(session, me, ContactFormState)
    ContactFormState.open_edit.fn(contact_form, bad)
    assert contact_form.form_error and not contact_form.open
    ContactFormState.archive.fn(contact_form, bad)
    time_state = signed_in(session, me, TimeState)
    TimeState.delete.fn(time_state, bad)
    assert time_state.list_error
    invoice_form_state = signed_in(session, me, InvoiceFormState)
    InvoiceFormState.open_new.fn(invoice_form_state, bad, bad)
    assert invoice_form_state.form_error and not invoice_form_state.open


def test_signed_out_callers_are_sent_to_the_login(session, firms):
    from portal_app.state.workspace import ContactFormState

    state = signed_in(session, firms["user"], ContactFormState)
    state.staff_token = "forged"
    ContactFormState.save.fn(state, {"name": "X", "kind": "person"})
    assert session.exec(select(Contact)).all() == [] and not state.signed_in


@pytest.mark.parametrize("raw, expected", [
    (7, 7), ("7", 7), (" 12 ", 12), ("2147483647", 2**31 - 1),
    ("³", None), ("١", None), ("１２", None), ("1" * 5000, None), ("2147483648", None), ("0", None), ("-1", None),
    (True, None), (None, None), ([1], None), ("1e3", None), ("", None),
])
def test_row_id_takes_ascii_digits_in_the_databases_range_only(raw, expected):
    """str.isdigit() says yes to ³ (which int() refuses: a crash) and ١ (which int() reads as 1)."""
    from portal_app.services.workspace import row_id

    assert row_id(raw) == expected
