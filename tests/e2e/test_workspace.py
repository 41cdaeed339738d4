"""Staff workspace end to end (issue 8): a staff User enters the data, the shared client sees it.

The portal and the share are prepared directly in the app's database (the User may not share;
sharing has its own tests), with an address and client unique to this file.
"""

import re
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, create_engine, select

from portal_app.i18n import translate
from portal_app.models import (
    Agreement,
    AuditLog,
    Contact,
    Firm,
    Invoice,
    PortalSettings,
    PortalUser,
    Share,
    ShareInvoiceScope,
    ShareRecipient,
)
from portal_app.services import documents, passwords
from tests.e2e.conftest import portal_login, shot

pytestmark = pytest.mark.e2e

PASSWORD = "Demo-Portal-2026"
CLIENT_EMAIL = "zarzad@zielony-ogrod.example.com"
CLIENT_PASSWORD = "Ogrodnik-z-Mazur-2026!"
CONTACT = "Zielony Ogród sp. z o.o."
NBSP = "\u00a0"


def _db(app_server) -> Session:
    return Session(create_engine(app_server["db"]), expire_on_commit=False)


def _portal_address(app_server) -> str:
    """The Nowak firm's portal address, switching the portal on when no other test has."""
    with _db(app_server) as s:
        firm = s.exec(select(Firm).where(Firm.name == "Kancelaria Nowak i Wspólnicy")).one()
        settings = s.exec(select(PortalSettings).where(PortalSettings.firm_id == firm.id)).one()
        if not settings.enabled or not settings.address:
            settings.enabled, settings.address = True, settings.address or "nowak-workspace"
            settings.contact_email = settings.contact_email or "biuro@nowak.example.com"
            s.add(settings)
            s.commit()
        return settings.address


def _share_with_client(app_server, contact_name: str) -> int:
    """Share the contact card (approved/partially paid/paid invoices, time, agreements) with a
    registered client; returns the recipient id (for the staff preview)."""
    with _db(app_server) as s:
        contact = s.exec(select(Contact).where(Contact.name == contact_name)).one()
        share = Share(firm_id=contact.firm_id, contact_id=contact.id, time_entries=True, agreements=True)
        s.add(share)
        s.flush()
        for status in ("approved", "partially_paid", "paid"):
            s.add(ShareInvoiceScope(share_id=share.id, invoice_type="invoice", invoice_status=status))
        recipient = ShareRecipient(share_id=share.id, firm_id=contact.firm_id, email=CLIENT_EMAIL)
        s.add(recipient)
        s.add(PortalUser(firm_id=contact.firm_id, email=CLIENT_EMAIL, first_name="Zofia", last_name="Ogrodniczak",
                         password_hash=passwords.hash_password(CLIENT_PASSWORD), language="pl", timezone="Europe/Warsaw"))
        s.commit()
        return recipient.id


def _money(text: str) -> str:
    """Babel's Polish money with ordinary spaces, for readable assertions."""
    return text.replace(NBSP, " ").replace("\u202f", " ")


def test_staff_user_enters_everything_and_the_client_sees_it(app_server, browser, tmp_path):
    url = app_server["url"]
    address = _portal_address(app_server)
    staff_ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, timezone_id="Europe/Warsaw", locale="pl-PL")
    page = staff_ctx.new_page()
    page.goto(url + "/login")
    page.fill("#email", "asystent@nowak.example.com")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#contacts-table")).to_be_visible()

    # 1. A contact: a bad address is answered beside the field, nothing is saved.
    page.click("#contact-new")
    expect(page.locator("#contact-dialog")).to_be_visible()
    page.fill("#contact-name", CONTACT)
    page.fill("#contact-email", "zarzad@@zielony")
    page.click("#contact-save")
    expect(page.locator("#contact-email-error")).to_be_visible()
    page.fill("#contact-email", "Zarzad@Zielony-Ogrod.example.com")
    page.click("#contact-save")
    expect(page.locator("#card-title")).to_have_text(CONTACT)
    contact_url = page.url
    # The staff's own empty texts, not the client's ("…udostępnione przez kancelarię").
    expect(page.locator("#card-matters-empty")).to_have_text(translate("pl", "ws.matter.empty"))
    expect(page.locator("#card-invoices-empty")).to_have_text(translate("pl", "ws.invoice.empty"))
    # A staff User may not share: the dialog says who may, and offers no form.
    page.click("#card-settings")
    page.click("#card-settings-client-portal")
    expect(page.locator("#share-refused")).to_have_text(translate("pl", "share.refused_role"))
    expect(page.locator("#share-save")).to_have_count(0)
    expect(page.locator("#share-addresses")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(page.locator("#share-dialog")).to_have_count(0)
    page.goto(url + "/contacts")
    page.fill("#contacts-search", "nikt-taki")
    page.click("#contacts-search-submit")
    expect(page.locator("#contacts-empty")).to_have_text(translate("pl", "contacts.no_match").replace("{query}", "nikt-taki"))
    page.fill("#contacts-search", "zielony")
    page.click("#contacts-search-submit")
    expect(page.locator("#contacts-table tbody tr")).to_have_count(1)
    expect(page.locator("#contacts-empty")).to_have_count(0)
    expect(page.locator("#contacts-table")).to_contain_text("zarzad@zielony-ogrod.example.com")

    # 2. A matter for it.
    page.goto(contact_url)
    page.click("#matter-new")
    page.fill("#matter-number", "WS/2026/001")
    page.fill("#matter-title", "Spór o dostawę sadzonek")
    page.click("#matter-save")
    expect(page.locator("#card-title")).to_contain_text("WS/2026/001")
    matter_url = page.url
    expect(page.locator("#time-empty")).to_have_text(translate("pl", "ws.time.empty"))

    recipient_id = _share_with_client(app_server, CONTACT)
    client_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Europe/Warsaw", locale="pl-PL")
    client = client_ctx.new_page()
    portal_login(client, url, address, CLIENT_EMAIL, CLIENT_PASSWORD)
    expect(client.locator("#hours-total")).to_have_text("0,0 h")
    expect(client.locator("#widget-pending .money")).to_have_count(0)

    # 3. Time: an unreadable duration is refused, then 1,5 h is logged.
    page.click("#time-new")
    page.fill("#time-duration", "półtorej")
    page.fill("#time-description", "Analiza umowy dostawy")
    page.click("#time-save")
    expect(page.locator("#time-duration-error")).to_be_visible()
    page.fill("#time-duration", "1,5 h")
    page.click("#time-save")
    expect(page.locator(".time-row")).to_have_count(1)
    expect(page.locator("#time-total")).to_have_text("1,5")
    page.click("#time-new")  # a second entry, deleted again after a confirmation
    page.fill("#time-duration", "20 min")
    page.fill("#time-description", "Omyłkowy wpis")
    page.click("#time-save")
    expect(page.locator(".time-row")).to_have_count(2)
    page.locator(".time-row", has_text="Omyłkowy wpis").locator(".time-delete").click()
    page.click(".time-delete-confirm")
    expect(page.locator(".time-row")).to_have_count(1)
    expect(page.locator("#time-total")).to_have_text("1,5")
    client.click("#portal-nav-dashboard")
    expect(client.locator("#hours-total")).to_have_text("1,5 h")

    # 4. An invoice with two lines (VAT rounded per line), approved.
    page.click("#invoice-new")
    expect(page.locator("#invoice-dialog")).to_be_visible()
    page.fill("#line-description-0", "Porada prawna")
    page.fill("#line-net-0", "1 000,00")
    page.click("#line-add")
    page.fill("#line-description-1", "Opłaty kancelaryjne")
    page.fill("#line-net-1", "250,50")
    page.fill("#line-vat-1", "8")
    page.click("#invoice-save")
    expect(page.locator("#invoice-title")).to_contain_text("FV/")
    expect(page.locator("#invoice-status")).to_have_attribute("data-status", "draft")
    # 1000 + 230,00 VAT; 250,50 + 20,04 VAT → 1500,54
    expect(page.locator("#invoice-total")).to_have_text(re.compile(r"1\s500,54\szł"))
    client.click("#portal-nav-dashboard")
    expect(client.locator("#widget-pending .money")).to_have_count(0)  # a draft is never shown
    page.click("#invoice-approve")
    expect(page.locator("#invoice-status")).to_have_attribute("data-status", "approved")
    client.click("#portal-nav-invoices")
    client.click("#portal-nav-dashboard")
    expect(client.locator("#widget-pending .money")).to_have_count(1)
    assert _money(client.locator("#widget-pending .money").inner_text()) == "1 500,54 zł"

    # 5. A partial payment: too much is refused, 500 is recorded.
    expect(page.locator("#invoice-back-matter")).to_have_attribute("href", urlparse(matter_url).path)  # made from the matter
    page.click("#payment-new")
    page.fill("#payment-amount", "0,001")  # a thousand or a tenth of a grosz? asked, not guessed
    page.click("#payment-save")
    expect(page.locator("#payment-amount-error")).to_have_text(translate("pl", "ws.amount_ambiguous"))
    expect(page.locator("#payment-amount")).to_have_value("0,001")
    page.fill("#payment-amount", "2000")
    page.click("#payment-save")
    expect(page.locator("#payment-amount-error")).to_be_visible()
    page.fill("#payment-amount", "500")
    page.click("#payment-save")
    expect(page.locator("#invoice-status")).to_have_attribute("data-status", "partially_paid")
    expect(page.locator(".payment-row")).to_have_count(1)
    expect(page.locator("#invoice-outstanding")).to_have_text(re.compile(r"1\s000,54\szł"))
    client.click("#portal-nav-invoices")
    client.click("#portal-nav-dashboard")
    expect(client.locator("#widget-pending .money")).to_have_text(re.compile(r"1\s000,54\szł"))
    shot(page, "ws-01-invoice")

    # 6. An agreement with its signed PDF, stored privately.
    page.goto(matter_url)
    page.click("#agreement-new")
    page.fill("#agreement-title", "Umowa o zastępstwo procesowe")
    page.fill("#agreement-signed", (date.today() - timedelta(days=1)).isoformat())
    pdf = tmp_path / "umowa-zielony.pdf"
    pdf.write_bytes(documents.sample_pdf("Umowa Zielony Ogrod"))
    page.set_input_files("#agreement-upload input[type=file]", str(pdf))
    expect(page.locator("#agreement-pending")).to_have_text("umowa-zielony.pdf")
    page.click("#agreement-save")
    expect(page.locator(".agreement-row")).to_have_count(1)
    expect(page.locator(".agreement-row")).to_contain_text("umowa-zielony.pdf")
    client.click("#portal-nav-agreements")
    expect(client.locator("#agreements-table")).to_contain_text("Umowa o zastępstwo procesowe")
    with _db(app_server) as s:
        stored = s.exec(select(Agreement.document_file).where(Agreement.document_name == "umowa-zielony.pdf")).one()
    private = Path(app_server["env"]["PORTAL_DATA_DIR"]) / "documents" / stored
    assert private.read_bytes() == pdf.read_bytes()
    assert not list(Path(app_server["env"]["REFLEX_UPLOADED_FILES_DIR"]).rglob(stored))  # never public
    href = page.locator(".agreement-staff-download").get_attribute("href")
    assert page.request.get(href).body() == pdf.read_bytes()  # staff of the firm may download it
    assert client.request.get(href).status == 404  # the staff route is not the client's
    shot(page, "ws-02-matter")

    # 7. The invoice falls overdue: the staff card flags it, and View as client shows the client's
    # own widgets (same labels, same figures) and the overdue badge the client sees.
    with _db(app_server) as s:
        late = s.exec(select(Invoice).where(Invoice.contact_id == int(contact_url.rstrip("/").rsplit("/", 1)[1]))).one()
        late.issue_date, late.due_date = date.today() - timedelta(days=20), date.today() - timedelta(days=6)
        s.add(late)
        s.commit()
    page.goto(contact_url)
    expect(page.locator("#card-invoices .invoice-row .invoice-overdue")).to_have_text(translate("pl", "invoice.overdue"))
    client.click("#portal-nav-invoices")
    expect(client.locator("#invoices-table .invoice-row").get_by_text(translate("pl", "invoice.overdue"), exact=True)).to_have_count(1)
    client.click("#portal-nav-dashboard")
    expect(client.locator("#hours-total")).to_have_text("1,5 h")
    expect(client.locator("#widget-overdue .money")).to_have_count(1)
    client_widgets = [client.locator(f"#widget-{w}").inner_text() for w in ("hours", "pending", "overdue")]
    page.goto(f"{url}/preview/{recipient_id}")
    expect(page.locator("#preview-client")).to_have_text("Zofia Ogrodniczak")
    expect(page.locator("#preview-hours-total")).to_have_text("1,5 h")
    for w, text in zip(("hours", "pending", "overdue"), client_widgets):
        expect(page.locator(f"#preview-widget-{w}")).to_have_text(text, use_inner_text=True)
    expect(page.locator(".preview-invoice")).to_have_count(1)
    expect(page.locator(".preview-invoice .invoice-overdue")).to_have_text(translate("pl", "invoice.overdue"))
    expect(page.locator(".preview-agreement")).to_have_count(1)
    shot(page, "ws-03-preview")

    # 8. Archiving hides the contact from the list and is logged; its card stays readable.
    page.goto(contact_url)
    page.click("#contact-archive")
    page.click("#contact-archive-confirm")
    expect(page.locator("#contacts-table")).to_be_visible()
    page.fill("#contacts-search", "zielony")
    page.click("#contacts-search-submit")
    expect(page.locator("#contacts-table tbody tr")).to_have_count(0)
    page.goto(contact_url)
    expect(page.locator("#contact-archived")).to_be_visible()
    with _db(app_server) as s:
        archived_id = int(contact_url.rstrip("/").rsplit("/", 1)[1])
        logged = s.exec(select(AuditLog.action).where(AuditLog.target_type == "contact", AuditLog.target_id == archived_id)).all()
        assert logged == ["contact.archived"]

    staff_ctx.close()
    client_ctx.close()
