"""Several backend workers on PostgreSQL: payments and edits racing on one invoice.

Each thread is one worker's request with its own connection; a barrier lets them read the invoice
at the same moment. Exactly one payment of the whole amount may count, and the invoice's paid total
is always the sum of its payments.
"""

import threading

from alembic import command
from sqlmodel import Session, func, select

from portal_app.db import engine
from portal_app.models import Firm, Invoice, Payment, StaffUser
from portal_app.services import billing, contacts_matters
from portal_app.services.billing import LineInput
from portal_app.services.errors import ServiceError
from portal_app.services.identity import StaffIdentity
from tests.conftest import alembic_config

RACERS = 6


def _admin(session) -> StaffIdentity:
    firm = Firm(name="Kancelaria", plan="premium")
    session.add(firm)
    session.flush()
    user = StaffUser(firm_id=firm.id, email="admin@firm.example.com", name="Anna", role="administrator", password_hash="x")
    session.add(user)
    session.commit()
    return StaffIdentity(user_id=user.id, firm_id=firm.id, name=user.name, email=user.email, role="administrator",
                         plan="premium", language="pl", timezone="Europe/Warsaw")


def _race(work) -> list[str]:
    """Run `work(session)` on RACERS threads at once; what each one got ("ok" or the refusal's key)."""
    barrier, results = threading.Barrier(RACERS), []

    def one():
        with Session(engine(), expire_on_commit=False) as session:
            barrier.wait()
            try:
                work(session)
                results.append("ok")
            except ServiceError as exc:
                results.append(exc.key)

    threads = [threading.Thread(target=one) for _ in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return sorted(results)


def test_parallel_payments_and_edits_on_one_invoice(pg_url, monkeypatch):
    monkeypatch.setenv("PORTAL_DATABASE_URL", pg_url)
    command.upgrade(alembic_config(), "head")
    with Session(engine(), expire_on_commit=False) as s:
        admin = _admin(s)
        contact = contacts_matters.create_contact(s, admin, {"name": "Budmax", "kind": "company", "email": ""})
        form = {"number": "FV/1", "type": "invoice", "issue_date": "2026-03-01", "due_date": "2026-03-15", "currency": "PLN"}
        inv_id = billing.create_invoice(s, admin, contact, form, [LineInput("Opinia", "10000", "23")])
        billing.approve_invoice(s, admin, inv_id)
        opened = s.get(Invoice, inv_id).version

    # six tabs opened the edit form at one version and save at once: one edit stands
    edits = _race(lambda session: billing.update_invoice(session, admin, inv_id, form, [LineInput("Opinia", "20000", "23")], opened))
    assert edits == ["ok"] + ["ws.changed_meanwhile"] * (RACERS - 1), edits

    paid = _race(lambda session: billing.record_payment(session, admin, inv_id, {"paid_on": "2026-03-10", "amount": "24600"}))
    assert paid.count("ok") == 1, paid
    # the others read it before (changed meanwhile) or after the winner (not payable, or more than owed)
    assert set(paid) <= {"ok", "ws.changed_meanwhile", "ws.invoice_not_payable", "errors.form_invalid"}, paid

    with Session(engine()) as s:
        invoice = s.get(Invoice, inv_id)
        payments = s.exec(select(func.coalesce(func.sum(Payment.amount_minor), 0)).where(Payment.invoice_id == inv_id)).one()
        assert (invoice.paid_minor, payments, invoice.total_minor, invoice.status) == (2460000, 2460000, 2460000, "paid")
