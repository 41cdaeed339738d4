"""Credit notes lower what the corrected invoice still owes, in staff views and the client's portal.

The rule: outstanding = max(0, total − paid − gross of the issued credit notes correcting it);
draft and cancelled credit notes count for nothing. Amounts are exact minor units.
"""

import itertools
from datetime import datetime, timezone

import pytest
from sqlmodel import select

from portal_app.models import Firm, Invoice, PortalUser, Share, ShareInvoiceScope, ShareRecipient, StaffUser
from portal_app.services import billing, client_portal
from portal_app.services.billing import LineInput
from portal_app.services.errors import FieldErrors
from portal_app.services.identity import PortalIdentity, StaffIdentity
from tests.conftest import add

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=timezone.utc)
_seq = itertools.count(1)


@pytest.fixture
def me(session):
    firm = add(session, Firm(name="Nowak", plan="premium"))
    user = add(session, StaffUser(firm_id=firm.id, email=f"cn{next(_seq)}@nowak.example.com", name="Anna", role="user",
                                  password_hash="x"))
    return StaffIdentity(user_id=user.id, firm_id=firm.id, name=user.name, email=user.email, role="user",
                         plan="premium", language="pl", timezone="Europe/Warsaw")


def client_of(session, me, contact_id, types=("invoice",)) -> PortalIdentity:
    """A portal user the contact card is shared with, seeing invoices of `types` in every issued status."""
    share = add(session, Share(firm_id=me.firm_id, contact_id=contact_id))
    for kind in types:
        for status in ("approved", "partially_paid", "paid", "cancelled"):
            add(session, ShareInvoiceScope(share_id=share.id, invoice_type=kind, invoice_status=status))
    email = f"klient{next(_seq)}@example.com"
    add(session, ShareRecipient(share_id=share.id, firm_id=me.firm_id, email=email))
    user = add(session, PortalUser(firm_id=me.firm_id, email=email, first_name="Jan", last_name="K", password_hash="x",
                                   timezone="Europe/Warsaw"))
    return PortalIdentity(user_id=user.id, firm_id=me.firm_id, email=email, first_name="Jan", last_name="K",
                          language="pl", timezone="Europe/Warsaw")


def contact(session, me, name="Budmax"):
    from portal_app.services import contacts_matters

    return contacts_matters.create_contact(session, me, {"name": name, "kind": "company", "email": ""})


def issued_invoice(session, me, contact_id, number, net, rate="23", currency="PLN", due="2026-04-30"):
    form = {"number": number, "type": "invoice", "issue_date": "2026-03-01", "due_date": due, "currency": currency}
    inv = billing.create_invoice(session, me, contact_id, form, [LineInput("Porada", net, rate)])
    billing.approve_invoice(session, me, inv)
    return inv


def credit_note(session, me, contact_id, invoice_id, number, net, rate="23", approve=True):
    form = {"number": number, "type": "credit_note", "issue_date": "2026-03-10", "due_date": "2026-03-10",
            "corrects_invoice_id": str(invoice_id)}
    note = billing.create_invoice(session, me, contact_id, form, [LineInput("Rabat", net, rate)])
    if approve:
        billing.approve_invoice(session, me, note)
    return note


def pay(session, me, invoice_id, amount):
    billing.record_payment(session, me, invoice_id, {"paid_on": "2026-03-12", "amount": amount}, now=NOW)


def staff_outstanding(session, me, invoice_id) -> int:
    return billing.invoice_detail(session, me, invoice_id).invoice.outstanding_minor


def portal_outstanding(session, client) -> dict[str, int]:
    rows, _total = client_portal.invoices(session, client, now=NOW)
    return {r.number: r.outstanding_minor for r in rows}


def test_partial_payment_and_credit_note(session, me):
    c = contact(session, me)
    client = client_of(session, me, c)  # only invoices are shared: the credit note itself stays hidden
    inv = issued_invoice(session, me, c, "FV/1", "1000,00")  # 1 230,00 gross
    pay(session, me, inv, "500,00")
    assert staff_outstanding(session, me, inv) == 73000

    note = credit_note(session, me, c, inv, "KOR/1", "100,00", approve=False)  # 123,00 gross, still a draft
    assert staff_outstanding(session, me, inv) == 73000
    assert client_portal.dashboard(session, client, now=NOW).pending == {"PLN": 73000}

    billing.approve_invoice(session, me, note)
    note_detail = billing.invoice_detail(session, me, note)
    assert (note_detail.invoice.number, note_detail.invoice.outstanding_minor, note_detail.corrects.number) == ("KOR/1", 0, "FV/1")
    detail = billing.invoice_detail(session, me, inv)
    assert (detail.invoice.paid_minor, detail.invoice.credited_minor, detail.invoice.outstanding_minor) == (50000, 12300, 60700)
    assert [r.outstanding_minor for r in billing.invoices_for(session, me, contact_id=c)[0]] == [0, 60700]  # note, invoice
    assert client_portal.dashboard(session, client, now=NOW).pending == {"PLN": 60700}
    assert portal_outstanding(session, client) == {"FV/1": 60700}

    with pytest.raises(FieldErrors) as exc:
        pay(session, me, inv, "607,01")
    assert exc.value.fields["amount"][0] == "ws.payment_exceeds"
    pay(session, me, inv, "607,00")  # the rest settles it: the credit note counts as already paid
    assert session.get(Invoice, inv).status == "paid"
    assert client_portal.dashboard(session, client, now=NOW).pending == {}


def test_a_credit_note_over_the_outstanding_leaves_zero_not_a_negative_debt(session, me):
    c = contact(session, me)
    client = client_of(session, me, c, types=("invoice", "credit_note"))
    inv = issued_invoice(session, me, c, "FV/2", "1000,00", due="2026-03-01")  # overdue on 15 March
    pay(session, me, inv, "1200,00")
    assert client_portal.dashboard(session, client, now=NOW).overdue == {"PLN": 3000}
    assert [r.number for r in client_portal.invoices(session, client, now=NOW, status="overdue")[0]] == ["FV/2"]

    note = credit_note(session, me, c, inv, "KOR/2", "100,00", rate="0")  # 100,00 against 30,00 still owed
    assert staff_outstanding(session, me, inv) == 0
    board = client_portal.dashboard(session, client, now=NOW)
    assert (board.pending, board.overdue) == ({}, {})
    assert client_portal.invoices(session, client, now=NOW, status="overdue")[0] == []
    rows = {r.number: r for r in client_portal.invoices(session, client, now=NOW)[0]}
    assert (rows["FV/2"].outstanding_minor, rows["FV/2"].overdue) == (0, False)
    assert (rows["KOR/2"].total_minor, rows["KOR/2"].outstanding_minor) == (-10000, 0)  # a credit note owes nothing

    billing.cancel_invoice(session, me, note)  # a cancelled credit note corrects nothing
    assert staff_outstanding(session, me, inv) == 3000
    assert client_portal.dashboard(session, client, now=NOW).overdue == {"PLN": 3000}


def test_two_currencies_stay_separate(session, me):
    c = contact(session, me)
    client = client_of(session, me, c)
    eur = issued_invoice(session, me, c, "FV/EUR", "1000,00", currency="EUR")  # 1 230,00 EUR
    pln = issued_invoice(session, me, c, "FV/PLN", "200,00", rate="8")  # 216,00 PLN
    overdue_pln = issued_invoice(session, me, c, "FV/PLN/OLD", "50,00", rate="0", due="2026-03-01")
    credit_note(session, me, c, eur, "KOR/EUR", "0,10", rate="5")  # 0,105 → 0,11 EUR
    pay(session, me, pln, "16,00")
    board = client_portal.dashboard(session, client, now=NOW)
    assert board.pending == {"EUR": 122989, "PLN": 20000}
    assert board.overdue == {"PLN": 5000}
    credit_note(session, me, c, overdue_pln, "KOR/PLN", "50,00", rate="0")
    board = client_portal.dashboard(session, client, now=NOW)
    assert (board.pending, board.overdue) == ({"EUR": 122989, "PLN": 20000}, {})
    assert session.get(Invoice, eur).currency == "EUR"
    assert [n.currency for n in session.exec(select(Invoice).where(Invoice.type == "credit_note"))] == ["EUR", "PLN"]


def test_an_invoice_cannot_shrink_below_its_credit_notes(session, me):
    c = contact(session, me)
    inv = issued_invoice(session, me, c, "FV/3", "100,00", rate="0")
    credit_note(session, me, c, inv, "KOR/3", "60,00", rate="0")
    form = {"number": "FV/3", "type": "invoice", "issue_date": "2026-03-01", "due_date": "2026-04-30", "currency": "PLN"}
    with pytest.raises(FieldErrors) as exc:
        billing.update_invoice(session, me, inv, form, [LineInput("Porada", "59,99", "0")])
    assert exc.value.fields["lines"][0] == "ws.total_below_credited"
    billing.update_invoice(session, me, inv, form, [LineInput("Porada", "80,00", "0")])
    assert staff_outstanding(session, me, inv) == 2000


def test_credit_lookup_uses_the_partial_index_when_no_invoice_is_corrected(session, me):
    """Most invoices correct nothing; SQLite once scanned every invoice for each one's credit notes."""
    from datetime import date

    from sqlalchemy import text

    from portal_app.services.outstanding import outstanding_minor

    c = contact(session, me)
    for i in range(300):
        add(session, Invoice(firm_id=me.firm_id, contact_id=c, number=f"B/{i}", status="approved",
                             issue_date=date(2026, 1, 1), due_date=date(2026, 2, 1), total_minor=100))
    session.exec(text("ANALYZE"))
    statement = select(Invoice.id, outstanding_minor()).where(Invoice.contact_id == c)
    compiled = statement.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    plan = " / ".join(row[-1] for row in session.exec(text(f"EXPLAIN QUERY PLAN {compiled}")).all())
    assert "ix_invoice_corrects_invoice_id" in plan, plan


def test_an_invoice_cannot_shrink_below_what_was_paid_and_credited_together(session, me):
    """1 000,00 invoice, 400,00 paid, 300,00 credited: 700,00 is settled, so 699,99 is refused."""
    c = contact(session, me)
    inv = issued_invoice(session, me, c, "FV/4", "1000,00", rate="0")
    pay(session, me, inv, "400,00")
    credit_note(session, me, c, inv, "KOR/4", "300,00", rate="0")
    form = {"number": "FV/4", "type": "invoice", "issue_date": "2026-03-01", "due_date": "2026-04-30", "currency": "PLN"}
    for below in ("699,99", "500,00", "400,00"):  # each above what was paid alone
        with pytest.raises(FieldErrors) as exc:
            billing.update_invoice(session, me, inv, form, [LineInput("Porada", below, "0")])
        assert exc.value.fields["lines"][0] == "ws.total_below_credited"
        assert session.get(Invoice, inv).total_minor == 100000, "nothing saved"
    billing.update_invoice(session, me, inv, form, [LineInput("Porada", "700,00", "0")])
    assert staff_outstanding(session, me, inv) == 0


@pytest.mark.parametrize("approve", [True, False])
def test_an_invoice_with_credit_notes_keeps_its_currency(session, me, approve):
    """Its credit notes are in its currency: switching the invoice alone would mix PLN and EUR debts."""
    c = contact(session, me)
    inv = issued_invoice(session, me, c, "FV/1", "1000,00", currency="EUR")
    note = credit_note(session, me, c, inv, "KOR/1", "100,00", approve=approve)
    form = {"number": "FV/1", "type": "invoice", "issue_date": "2026-03-01", "due_date": "2026-04-30", "currency": "PLN"}
    with pytest.raises(FieldErrors) as exc:
        billing.update_invoice(session, me, inv, form, [LineInput("Porada", "1000,00", "23")])
    assert exc.value.fields["currency"][0] == "ws.currency_has_credit_notes"
    session.expire_all()
    assert session.get(Invoice, inv).currency == "EUR"
    billing.cancel_invoice(session, me, note)  # the credit note cancelled, the currency may change
    billing.update_invoice(session, me, inv, form, [LineInput("Porada", "1000,00", "23")])
    session.expire_all()
    assert session.get(Invoice, inv).currency == "PLN"
