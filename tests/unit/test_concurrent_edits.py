"""Two tabs or two workers changing one row: the later save is refused, never silently lost.

Forms send the version they opened (a colleague's save in between refuses the stale form), and
every UPDATE or DELETE requires the version it read (a save racing another is refused whole).
"""

from datetime import datetime, timezone

import pytest
from sqlmodel import Session, func, select

from portal_app.models import Agreement, Contact, Invoice, Matter, Payment, TimeEntry
from portal_app.services import agreements, billing, contacts_matters, time_entries
from portal_app.services.billing import LineInput
from portal_app.services.errors import ServiceError
from portal_app.services.workspace import commit
from tests.unit.test_workspace import approved_credit_note, firms, invoice_form, new_contact, new_matter  # noqa: F401 (fixture)

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=timezone.utc)


def approved_invoice(session, me, contact_id, net="1000", number="FV/2026/001") -> int:
    inv_id = billing.create_invoice(session, me, contact_id, invoice_form(number), [LineInput("Opinia", net, "23")])
    billing.approve_invoice(session, me, inv_id)
    return inv_id


def version(session, model, row_id) -> int:
    session.expire_all()
    return session.get(model, row_id).version


def test_an_invoice_form_opened_before_a_colleagues_save_is_refused_and_theirs_kept(session, firms):
    admin, user = firms["admin"], firms["user"]
    inv_id = approved_invoice(session, admin, new_contact(session, admin))
    opened = version(session, Invoice, inv_id)  # both tabs open the edit form at this version

    billing.update_invoice(session, admin, inv_id, invoice_form(), [LineInput("Opinia poprawiona", "1000", "23")], opened)
    with pytest.raises(ServiceError) as refused:
        billing.update_invoice(session, user, inv_id, invoice_form(), [LineInput("Stara wersja", "2000", "23")], opened)

    assert refused.value.key == "ws.changed_meanwhile"
    session.expire_all()
    assert session.get(Invoice, inv_id).total_minor == 123000
    detail = billing.invoice_detail(session, admin, inv_id)
    assert [line.description for line in detail.lines] == ["Opinia poprawiona"]
    # reopened at the new version, the same edit goes through
    billing.update_invoice(session, user, inv_id, invoice_form(), [LineInput("Po odświeżeniu", "2000", "23")],
                           version(session, Invoice, inv_id))
    assert version(session, Invoice, inv_id) == opened + 2


def test_changing_only_the_lines_still_moves_the_invoice_version(session, firms):
    admin = firms["admin"]
    inv_id = approved_invoice(session, admin, new_contact(session, admin))
    before = version(session, Invoice, inv_id)
    billing.update_invoice(session, admin, inv_id, invoice_form(), [LineInput("Inny opis", "1000", "23")], before)
    assert version(session, Invoice, inv_id) == before + 1


def test_contact_matter_time_entry_and_agreement_forms_refuse_a_stale_version(session, firms):
    admin = firms["admin"]
    contact_id = new_contact(session, admin)
    matter_id = new_matter(session, admin, contact_id)
    entry_id = time_entries.log_time(session, admin, matter_id, {"work_date": "2026-03-10", "duration": "1:30",
                                                                  "description": "Analiza", "billable": "on"}, now=NOW)
    agreement_id = agreements.create_agreement(session, admin, contact_id, {"title": "Umowa", "fee_arrangement": "hourly",
                                                                            "status": "active", "signed_on": "2026-03-01"})
    cases = [
        (Contact, contact_id, lambda v: contacts_matters.update_contact(
            session, admin, contact_id, {"name": "Budmax S.A.", "kind": "company", "email": ""}, v)),
        (Matter, matter_id, lambda v: contacts_matters.update_matter(
            session, admin, matter_id, {"number": "2026/001", "title": "Spór o karę", "status": "open"}, v)),
        (TimeEntry, entry_id, lambda v: time_entries.update_time(
            session, admin, entry_id, {"work_date": "2026-03-10", "duration": "2 h", "description": "Analiza",
                                       "billable": "on"}, now=NOW, expected_version=v)),
        (Agreement, agreement_id, lambda v: agreements.update_agreement(
            session, admin, agreement_id, {"title": "Umowa zmieniona", "fee_arrangement": "fixed", "status": "active",
                                           "signed_on": "2026-03-01"}, v)),
    ]
    for model, row_id, save in cases:
        opened = version(session, model, row_id)
        save(opened)
        with pytest.raises(ServiceError) as refused:
            save(opened)
        assert refused.value.key == "ws.changed_meanwhile", model.__name__
        assert version(session, model, row_id) == opened + 1, model.__name__


def test_a_save_racing_another_is_refused_whole(session, firms, migrated_db):
    """A second worker read the invoice before the first committed: its payment is not counted."""
    admin = firms["admin"]
    inv_id = approved_invoice(session, admin, new_contact(session, admin))
    with Session(migrated_db, expire_on_commit=False) as other:
        stale = other.get(Invoice, inv_id)  # read by the other worker before the first payment
        billing.record_payment(session, admin, inv_id, {"paid_on": "2026-03-10", "amount": "1230"}, now=NOW)
        other.add(Payment(firm_id=admin.firm_id, invoice_id=inv_id, paid_on=NOW.date(), amount_minor=123000,
                          recorded_by_id=admin.user_id))
        stale.paid_minor += 123000
        with pytest.raises(ServiceError) as refused:
            commit(other)
    assert refused.value.key == "ws.changed_meanwhile"
    session.expire_all()
    assert session.get(Invoice, inv_id).paid_minor == 123000
    assert session.exec(select(func.count()).select_from(Payment).where(Payment.invoice_id == inv_id)).one() == 1


def test_an_invoice_with_a_live_credit_note_cannot_be_cancelled(session, firms):
    admin = firms["admin"]
    contact_id = new_contact(session, admin)
    inv_id = approved_invoice(session, admin, contact_id)
    note_id = approved_credit_note(session, admin, contact_id, inv_id, "100")
    with pytest.raises(ServiceError) as refused:
        billing.cancel_invoice(session, admin, inv_id)
    assert refused.value.key == "ws.invoice_has_credit_notes"

    billing.cancel_invoice(session, admin, note_id)
    billing.cancel_invoice(session, admin, inv_id)
    session.expire_all()
    assert session.get(Invoice, inv_id).status == "cancelled"


def test_approving_a_credit_note_moves_the_corrected_invoices_version(session, firms):
    """So a payment racing the approval on the corrected invoice is refused instead of overpaying it."""
    admin = firms["admin"]
    contact_id = new_contact(session, admin)
    inv_id = approved_invoice(session, admin, contact_id)
    note_id = billing.create_invoice(session, admin, contact_id, invoice_form("KOR/2026/001", type="credit_note",
                                     corrects_invoice_id=str(inv_id)), [LineInput("Rabat", "100", "23")])
    before = version(session, Invoice, inv_id)
    billing.approve_invoice(session, admin, note_id)
    assert version(session, Invoice, inv_id) == before + 1


# ---- approving or cancelling decides on the figures the page showed -----------------------------------

@pytest.mark.parametrize("act", [billing.approve_invoice, billing.cancel_invoice])
def test_a_draft_changed_after_the_page_showed_it_is_neither_approved_nor_cancelled(session, firms, act):
    """The approver saw 1 230,00; a colleague made it 122 998,77 meanwhile: nothing is issued unseen."""
    admin, user = firms["admin"], firms["user"]
    inv_id = billing.create_invoice(session, user, new_contact(session, user), invoice_form("FV/2026/777"),
                                    [LineInput("Opinia", "1000", "23")])
    seen = billing.invoice_detail(session, admin, inv_id).invoice
    billing.update_invoice(session, user, inv_id, invoice_form("FV/2026/777"), [LineInput("Opinia", "99999", "23")],
                           seen.version)
    with pytest.raises(ServiceError) as refused:
        act(session, admin, inv_id, seen.version)
    assert refused.value.key == "ws.invoice_changed_meanwhile"
    session.expire_all()
    assert (session.get(Invoice, inv_id).status, session.get(Invoice, inv_id).total_minor) == ("draft", 12_299_877)
    act(session, admin, inv_id, billing.invoice_detail(session, admin, inv_id).invoice.version)  # seen now: it goes
    session.expire_all()
    assert session.get(Invoice, inv_id).status == ("approved" if act is billing.approve_invoice else "cancelled")
