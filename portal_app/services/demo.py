"""Demo data for `make run`: two firms, Polish clients, every invoice type and status. Idempotent."""

from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from portal_app.models import (
    Agreement,
    Contact,
    Firm,
    Invoice,
    InvoiceLine,
    Matter,
    PortalSettings,
    StaffUser,
    TimeEntry,
)
from portal_app.services import documents
from portal_app.services.billing import line_amounts
from portal_app.services.search_text import fold
from portal_app.services.passwords import hash_password

DEMO_PASSWORD = "Demo-Portal-2026"
DEMO_LOGINS = (
    ("admin@nowak.example.com", "Administrator, Kancelaria Nowak i Wspólnicy (Premium)"),
    ("asystent@nowak.example.com", "User, Kancelaria Nowak i Wspólnicy (Premium)"),
    ("admin@kowalczyk.example.com", "Administrator, Kowalczyk Legal (Standard)"),
)


def load_demo(session: Session, today: date | None = None) -> bool:
    """Create the demo firms unless they exist; returns True when something was created."""
    if session.exec(select(StaffUser).where(StaffUser.email == DEMO_LOGINS[0][0])).first():
        return False
    today = today or date.today()
    pw = hash_password(DEMO_PASSWORD)

    nowak = Firm(name="Kancelaria Nowak i Wspólnicy", plan="premium", default_language="pl")
    kowalczyk = Firm(name="Kowalczyk Legal sp.k.", plan="standard", default_language="pl")
    session.add_all([nowak, kowalczyk])
    session.flush()
    admin = StaffUser(firm_id=nowak.id, email=DEMO_LOGINS[0][0], name="Anna Nowak", role="administrator", password_hash=pw)
    user = StaffUser(firm_id=nowak.id, email=DEMO_LOGINS[1][0], name="Piotr Zieliński", role="user", password_hash=pw)
    other = StaffUser(firm_id=kowalczyk.id, email=DEMO_LOGINS[2][0], name="Marek Kowalczyk", role="administrator", password_hash=pw)
    session.add_all([admin, user, other])
    session.add(PortalSettings(firm_id=nowak.id, company_name=nowak.name))
    session.add(PortalSettings(firm_id=kowalczyk.id, company_name=kowalczyk.name))
    session.flush()

    def contact(firm, name, kind, email):
        c = Contact(firm_id=firm.id, name=name, kind=kind, email=email, search_name=fold(name))
        session.add(c)
        session.flush()
        return c

    def matter(c, number, title, status="open"):
        m = Matter(firm_id=c.firm_id, contact_id=c.id, number=number, title=title, status=status)
        session.add(m)
        session.flush()
        return m

    budmax = contact(nowak, "Budmax sp. z o.o.", "company", "biuro@budmax.example.com")
    wisniewska = contact(nowak, "Ewa Wiśniewska", "person", "ewa.wisniewska@example.com")
    lazar = contact(nowak, "Łazar Logistics S.A.", "company", "prawny@lazar.example.com")
    zolw = contact(kowalczyk, "Żółw i Syn s.c.", "company", "kontakt@zolw.example.com")

    m1 = matter(budmax, "2026/014", "Spór z podwykonawcą — roboty dodatkowe")
    m2 = matter(budmax, "2026/021", "Umowa najmu hali w Łodzi")
    m3 = matter(wisniewska, "2026/030", "Sprawa spadkowa po Janie Wiśniewskim")
    m4 = matter(lazar, "2025/118", "Windykacja należności — Trans-Pol", status="closed")
    m5 = matter(zolw, "K/2026/003", "Rejestracja znaku towarowego")

    d = lambda days: today + timedelta(days=days)  # noqa: E731
    entries = [
        (m1, admin, -40, 150, "Analiza umowy o roboty budowlane"),
        (m1, user, -12, 90, "Projekt wezwania do zapłaty"),
        (m1, admin, -3, 45, "Rozmowa telefoniczna z klientem"),
        (m2, admin, -20, 120, "Negocjacje warunków najmu"),
        (m2, user, -1, 30, "Korekta aneksu nr 2"),
        (m3, admin, -8, 210, "Przygotowanie wniosku o stwierdzenie nabycia spadku"),
        (m4, user, -90, 60, "Pozew o zapłatę"),
        (m5, other, -5, 75, "Badanie zdolności rejestrowej"),
    ]
    for m, who, days, minutes, text in entries:
        session.add(TimeEntry(firm_id=m.firm_id, matter_id=m.id, staff_user_id=who.id, work_date=d(days), minutes=minutes, description=text))

    invoices = [
        (budmax, m1, "FV/2026/101", "invoice", "approved", -10, 14, "PLN", 1_230_000, 0),
        (budmax, m1, "FV/2026/087", "invoice", "partially_paid", -45, -15, "PLN", 615_000, 200_000),
        (budmax, m1, "FZ/2026/012", "advance", "paid", -60, -46, "PLN", 246_000, 246_000),
        (budmax, m1, "FV/2026/120", "invoice", "draft", -1, 13, "PLN", 999_900, 0),
        (budmax, m2, "FV/2026/099", "invoice", "approved", -30, -2, "EUR", 180_000, 0),
        (budmax, m2, "KOR/2026/004", "credit_note", "approved", -5, 9, "EUR", -61_500, 0),
        (budmax, None, "FV/2026/055", "invoice", "cancelled", -70, -56, "PLN", 123_000, 0),
        (wisniewska, m3, "FV/2026/110", "invoice", "approved", -7, 7, "PLN", 369_000, 0),
        (wisniewska, m3, "FZ/2026/020", "advance", "partially_paid", -25, -11, "EUR", 50_000, 20_000),
        (lazar, m4, "FV/2026/040", "invoice", "paid", -120, -106, "PLN", 2_460_000, 2_460_000),
        (lazar, m4, "FV/2026/051", "invoice", "approved", -100, -86, "PLN", 492_000, 0),
        (zolw, m5, "K/FV/2026/001", "invoice", "approved", -4, 10, "PLN", 150_000, 0),
    ]
    by_number = {}
    for c, m, number, typ, status, issued, due, cur, total, paid in invoices:
        row = Invoice(firm_id=c.firm_id, contact_id=c.id, matter_id=m.id if m else None, number=number,
                      type=typ, status=status, issue_date=d(issued), due_date=d(due), currency=cur,
                      total_minor=total, paid_minor=paid,
                      corrects_invoice_id=by_number["FV/2026/099"].id if typ == "credit_note" else None)
        session.add(row)
        session.flush()
        by_number[number] = row
        session.add(_demo_line(row, m))

    agreements = [
        (budmax, m1, "Umowa o zastępstwo procesowe", "hourly", -50, 315),
        (budmax, None, "Umowa o stałą obsługę prawną", "retainer", -400, 330),
        (wisniewska, m3, "Umowa o prowadzenie sprawy spadkowej", "fixed", -30, None),
        (lazar, m4, "Umowa windykacyjna", "success_fee", -130, -10),
        (zolw, m5, "Umowa — znak towarowy", "fixed", -6, None),
    ]
    for c, m, title, fee, signed, valid in agreements:
        session.add(Agreement(firm_id=c.firm_id, contact_id=c.id, matter_id=m.id if m else None, title=title,
                              fee_arrangement=fee, signed_on=d(signed), valid_until=d(valid) if valid is not None else None,
                              **_demo_document(title) if c is wisniewska else {}))
    session.commit()
    return True


LINE_TEXT = {
    "invoice": "Wynagrodzenie za prowadzenie sprawy",
    "advance": "Zaliczka na poczet wynagrodzenia",
    "credit_note": "Rabat od wynagrodzenia — korekta",
}


def _demo_line(invoice: Invoice, matter: Matter | None) -> InvoiceLine:
    """The one line whose gross is the invoice's total: 23% VAT in złoty, none (export) in euro."""
    rate = Decimal(0) if invoice.currency == "EUR" else Decimal(23)
    total = Decimal(invoice.total_minor) / 100
    net = (total * 100 / (100 + rate)).quantize(Decimal("0.01"))
    amounts = line_amounts(net, rate)
    for step in (Decimal("0.01"), Decimal("-0.01")):  # a grosz either way when VAT rounding lands beside the total
        if amounts.gross_minor == invoice.total_minor:
            break
        amounts = line_amounts(net + step, rate)
    assert amounts.gross_minor == invoice.total_minor, invoice.number
    text = LINE_TEXT[invoice.type] + (f" {matter.number}" if matter else "")
    return InvoiceLine(invoice_id=invoice.id, position=0, description=text, net_minor=amounts.net_minor,
                       vat_rate=str(rate), vat_minor=amounts.vat_minor, gross_minor=amounts.gross_minor)


def _demo_document(title: str) -> dict:
    """A small signed-agreement PDF in private storage, so the portal's download can be tried."""
    stored = documents.store_document(documents.sample_pdf("Umowa - sprawa spadkowa 2026/030"), "umowa.pdf")
    return {"document_file": stored, "document_name": f"{title}.pdf"}


def main() -> None:
    from portal_app.db import session_scope

    with session_scope() as session:
        created = load_demo(session)
    print("Demo data loaded." if created else "Demo data already present.")


if __name__ == "__main__":
    main()
