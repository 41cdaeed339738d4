"""Removing a payment recorded by mistake: what is owed and the status go back, exactly as recorded.

Only a payment of that invoice, in the caller's firm, on the figures the page showed; logged.
"""

from datetime import datetime, timezone

import pytest
from sqlmodel import func, select

from portal_app.models import AuditLog, Invoice, Payment
from portal_app.services import billing, client_portal
from portal_app.services.billing import LineInput
from portal_app.services.errors import FieldErrors, NotAllowed, ServiceError
from tests.unit.test_credit_notes import client_of
from tests.unit.test_workspace import approved_credit_note, firms, invoice_form, new_contact  # noqa: F401 (fixture)

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=timezone.utc)


def issued(session, me, contact_id, net="1000", number="FV/2026/001") -> int:
    """An approved invoice of `net` at 0% VAT, so the gross is `net` itself."""
    inv_id = billing.create_invoice(session, me, contact_id, invoice_form(number), [LineInput("Opinia", net, "0")])
    billing.approve_invoice(session, me, inv_id)
    return inv_id


def pay(session, me, inv_id, amount) -> int:
    billing.record_payment(session, me, inv_id, {"paid_on": "2026-03-10", "amount": amount}, now=NOW)
    return session.exec(select(func.max(Payment.id)).where(Payment.invoice_id == inv_id)).one()


def state_of(session, me, inv_id) -> tuple[str, int, int, int]:
    """(status, paid, outstanding, version) as the invoice page reads them."""
    session.expire_all()
    inv = billing.invoice_detail(session, me, inv_id).invoice
    return inv.status, inv.paid_minor, inv.outstanding_minor, inv.version


def payment_count(session, inv_id) -> int:
    return session.exec(select(func.count()).select_from(Payment).where(Payment.invoice_id == inv_id)).one()


def test_removing_payments_walks_the_status_back_paid_partially_paid_approved(session, firms):
    user = firms["user"]  # Users may remove payments, as they may record them
    contact_id = new_contact(session, user)
    client = client_of(session, user, contact_id)
    inv_id = issued(session, user, contact_id)
    first = pay(session, user, inv_id, "400")
    second = pay(session, user, inv_id, "600")
    assert state_of(session, user, inv_id)[:3] == ("paid", 100000, 0)
    assert client_portal.dashboard(session, client, now=NOW).pending == {}

    billing.remove_payment(session, user, inv_id, second)
    assert state_of(session, user, inv_id)[:3] == ("partially_paid", 40000, 60000)
    assert [p.id for p in billing.invoice_detail(session, user, inv_id).payments] == [first]
    assert client_portal.dashboard(session, client, now=NOW).pending == {"PLN": 60000}

    billing.remove_payment(session, firms["admin"], inv_id, first)
    assert state_of(session, user, inv_id)[:3] == ("approved", 0, 100000)
    assert payment_count(session, inv_id) == 0
    assert client_portal.dashboard(session, client, now=NOW).pending == {"PLN": 100000}
    pay(session, user, inv_id, "1000")  # payable again, in full
    assert state_of(session, user, inv_id)[:3] == ("paid", 100000, 0)


def test_a_credit_note_still_counts_after_a_payment_is_removed(session, firms):
    """1 000,00 invoice, 300,00 credited, 700,00 paid: settled; removing 200,00 leaves 200,00 owed."""
    admin = firms["admin"]
    contact_id = new_contact(session, admin)
    inv_id = issued(session, admin, contact_id)
    approved_credit_note(session, admin, contact_id, inv_id, "300", rate="0")
    pay(session, admin, inv_id, "500")
    last = pay(session, admin, inv_id, "200")
    assert state_of(session, admin, inv_id)[:3] == ("paid", 70000, 0)

    billing.remove_payment(session, admin, inv_id, last)
    assert state_of(session, admin, inv_id)[:3] == ("partially_paid", 50000, 20000)
    with pytest.raises(FieldErrors) as exc:
        pay(session, admin, inv_id, "200,01")  # the credit note still lowers what may be paid
    assert exc.value.fields["amount"][0] == "ws.payment_exceeds"


def test_removing_the_only_payment_of_a_fully_credited_invoice_leaves_it_approved_and_owing_nothing(session, firms):
    admin = firms["admin"]
    contact_id = new_contact(session, admin)
    inv_id = issued(session, admin, contact_id)
    only = pay(session, admin, inv_id, "100")
    approved_credit_note(session, admin, contact_id, inv_id, "900", rate="0")
    billing.remove_payment(session, admin, inv_id, only)
    assert state_of(session, admin, inv_id)[:3] == ("approved", 0, 10000)


def test_the_invoice_version_moves_and_a_stale_page_is_refused(session, firms):
    admin, user = firms["admin"], firms["user"]
    inv_id = issued(session, admin, new_contact(session, admin))
    first = pay(session, admin, inv_id, "300")
    seen = state_of(session, admin, inv_id)[3]  # both pages show the invoice at this version
    pay(session, user, inv_id, "200")  # a colleague records another payment meanwhile

    with pytest.raises(ServiceError) as refused:
        billing.remove_payment(session, admin, inv_id, first, seen)
    assert refused.value.key == "ws.invoice_changed_meanwhile"
    assert state_of(session, admin, inv_id)[:3] == ("partially_paid", 50000, 50000)
    assert payment_count(session, inv_id) == 2

    now_seen = state_of(session, admin, inv_id)[3]
    billing.remove_payment(session, admin, inv_id, first, now_seen)  # the page reloaded: it goes
    assert state_of(session, admin, inv_id) == ("partially_paid", 20000, 80000, now_seen + 1)


def test_another_firms_staff_is_refused_and_nothing_changes(session, firms):
    admin, other = firms["admin"], firms["other"]
    inv_id = issued(session, admin, new_contact(session, admin))
    payment_id = pay(session, admin, inv_id, "250")
    before = state_of(session, admin, inv_id)
    other_inv = issued(session, other, new_contact(session, other))
    for invoice in (inv_id, other_inv):  # their own invoice with our payment id, too
        with pytest.raises(NotAllowed) as refused:
            billing.remove_payment(session, other, invoice, payment_id)
        assert refused.value.key == "errors.not_found"
    assert state_of(session, admin, inv_id) == before
    assert payment_count(session, inv_id) == 1
    assert session.exec(select(func.count()).select_from(AuditLog).where(AuditLog.action == "payment.removed")).one() == 0


def test_a_payment_of_another_invoice_is_refused(session, firms):
    admin = firms["admin"]
    contact_id = new_contact(session, admin)
    inv_a = issued(session, admin, contact_id, number="FV/2026/001")
    inv_b = issued(session, admin, contact_id, number="FV/2026/002")
    payment_a = pay(session, admin, inv_a, "100")
    pay(session, admin, inv_b, "100")
    with pytest.raises(NotAllowed) as refused:
        billing.remove_payment(session, admin, inv_b, payment_a)  # the page of B naming A's payment
    assert refused.value.key == "errors.not_found"
    assert state_of(session, admin, inv_a)[:2] == ("partially_paid", 10000)
    assert state_of(session, admin, inv_b)[:2] == ("partially_paid", 10000)


@pytest.mark.parametrize("garbage", [None, "", "abc", "1; DROP TABLE payment", [1], {"id": 1}, True, -1, 0, 2**40, 1.0, "١"])
def test_garbage_payment_ids_are_refused(session, firms, garbage):
    admin = firms["admin"]
    inv_id = issued(session, admin, new_contact(session, admin))
    pay(session, admin, inv_id, "100")
    with pytest.raises(NotAllowed) as refused:
        billing.remove_payment(session, admin, inv_id, garbage)
    assert refused.value.key == "errors.not_found"
    assert payment_count(session, inv_id) == 1


def test_the_removal_is_logged_with_the_invoice_and_amount(session, firms):
    user = firms["user"]
    inv_id = issued(session, user, new_contact(session, user), net="1234,50")
    payment_id = pay(session, user, inv_id, "1 000,05")
    billing.remove_payment(session, user, inv_id, payment_id)
    entry = session.exec(select(AuditLog).where(AuditLog.action == "payment.removed")).one()
    assert (entry.firm_id, entry.staff_user_id, entry.target_type, entry.target_id, entry.summary) == (
        user.firm_id, user.user_id, "invoice", inv_id, "FV/2026/001: 1000.05 PLN")


def test_payments_of_a_cancelled_invoice_cannot_be_removed(session, firms):
    """Not reachable through the page (an invoice with payments cannot be cancelled), so forced here."""
    admin = firms["admin"]
    inv_id = issued(session, admin, new_contact(session, admin))
    payment_id = pay(session, admin, inv_id, "100")
    row = session.get(Invoice, inv_id)
    row.status = "cancelled"
    session.add(row)
    session.commit()
    with pytest.raises(ServiceError) as refused:
        billing.remove_payment(session, admin, inv_id, payment_id)
    assert refused.value.key == "ws.payment_invoice_cancelled"
    assert payment_count(session, inv_id) == 1


# ---- the page's handler: whatever the browser sends, the server decides ---------------------------

def invoice_page(session, me, inv_id):
    """A fresh InvoicePageState tab signed in as `me`, on this invoice's page, loaded."""
    from reflex.istate.data import PageData
    from reflex.state import State

    import portal_app.portal_app  # noqa: F401 - the route table gives the state its invoice_id
    from portal_app.services import identity
    from portal_app.state.workspace_billing import InvoicePageState

    root = State(_reflex_internal_init=True)
    root.rx_router_page = PageData(params={"invoice_id": str(inv_id)})
    state = root.get_substate(InvoicePageState.get_full_name().split("."))
    state.staff_token = identity.start_session(session, staff_user_id=me.user_id)
    state.lang = "pl"
    InvoicePageState.load.fn(state)
    return state


def test_the_handler_refuses_any_id_that_is_not_a_payment_of_this_invoice(session, firms):
    from portal_app.state.workspace_billing import InvoicePageState

    admin, other = firms["admin"], firms["other"]
    inv_id = issued(session, admin, new_contact(session, admin))
    pay(session, admin, inv_id, "100")
    foreign = pay(session, other, issued(session, other, new_contact(session, other)), "100")
    page = invoice_page(session, admin, inv_id)
    shown = page.payments[0]
    assert (shown.amount, page.invoice.outstanding) == ("100,00\xa0zł", "900,00\xa0zł")

    for garbage in (foreign, "abc", [shown.id], None, {"id": shown.id}, str(shown.id) + "x"):
        InvoicePageState.remove_payment.fn(page, garbage)
        assert (page.message, page.action_error) == ("", "Ten element nie istnieje lub nie jest dla Ciebie dostępny."), garbage
    assert payment_count(session, inv_id) == 1

    InvoicePageState.remove_payment.fn(page, shown.id)
    assert (page.message, page.action_error) == ("Płatność została usunięta.", "")
    InvoicePageState.load.fn(page)  # what the handler returns next
    assert (page.payments, page.invoice.status, page.invoice.outstanding) == ([], "approved", "1\xa0000,00\xa0zł")
