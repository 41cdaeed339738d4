"""Invoice edits, credit notes and the audit log in the browser (issue 8).

The contact, its share and the client's account are prepared directly in the app's database
(sharing has its own tests); names and addresses are unique to this file.
"""

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, create_engine, select

from portal_app.i18n import format_datetime
from portal_app.models import AuditLog, Contact, Firm, PortalSettings, PortalUser, Share, ShareInvoiceScope, ShareRecipient, StaffUser
from portal_app.services import passwords
from portal_app.services.search_text import fold
from tests.e2e.conftest import portal_login, shot

pytestmark = pytest.mark.e2e

PASSWORD = "Demo-Portal-2026"
CLIENT_EMAIL = "ksiegowosc@lesna-polana.example.com"
CLIENT_PASSWORD = "Polana-w-Lesie-2026!"
FIRM = "Kancelaria Nowak i Wspólnicy"
MONEY = r"\s"  # Babel separates thousands and the currency with (narrow) no-break spaces


def _db(app_server) -> Session:
    return Session(create_engine(app_server["db"]), expire_on_commit=False)


def _contact(app_server, name: str) -> int:
    with _db(app_server) as s:
        firm = s.exec(select(Firm).where(Firm.name == FIRM)).one()
        row = Contact(firm_id=firm.id, name=name, kind="company", email="", search_name=fold(name))
        s.add(row)
        s.commit()
        return row.id


def _shared_client(app_server, contact_id: int) -> str:
    """Share the card's invoices (issued statuses, credit notes not ticked) with a registered client."""
    with _db(app_server) as s:
        settings = s.exec(select(PortalSettings).join(Firm, Firm.id == PortalSettings.firm_id).where(Firm.name == FIRM)).one()
        if not settings.enabled or not settings.address:
            settings.enabled, settings.address = True, settings.address or "nowak-workspace"
            settings.contact_email = settings.contact_email or "biuro@nowak.example.com"
            s.add(settings)
        share = Share(firm_id=settings.firm_id, contact_id=contact_id)
        s.add(share)
        s.flush()
        for status in ("approved", "partially_paid", "paid"):
            s.add(ShareInvoiceScope(share_id=share.id, invoice_type="invoice", invoice_status=status))
        s.add(ShareRecipient(share_id=share.id, firm_id=settings.firm_id, email=CLIENT_EMAIL))
        s.add(PortalUser(firm_id=settings.firm_id, email=CLIENT_EMAIL, first_name="Leon", last_name="Leśny",
                         password_hash=passwords.hash_password(CLIENT_PASSWORD), language="pl", timezone="Europe/Warsaw"))
        s.commit()
        return settings.address


def _staff_page(browser, url: str, email: str):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, timezone_id="Europe/Warsaw", locale="pl-PL")
    page = ctx.new_page()
    page.goto(url + "/login")
    expect(page.locator("#login-submit")).to_be_enabled()  # hydrated: the form submits to the server
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#contacts-table")).to_be_visible()
    return ctx, page


def _pending(client):
    """The client's Pending widget, after a round trip so the dashboard loads afresh."""
    client.click("#portal-nav-invoices")
    client.click("#portal-nav-dashboard")
    return client.locator("#widget-pending")


def test_invoice_edit_credit_note_and_locked_invoice(app_server, browser):
    url = app_server["url"]
    contact_id = _contact(app_server, "Leśna Polana sp. z o.o.")
    address = _shared_client(app_server, contact_id)
    staff_ctx, page = _staff_page(browser, url, "asystent@nowak.example.com")
    client_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Europe/Warsaw", locale="pl-PL")
    client = client_ctx.new_page()
    portal_login(client, url, address, CLIENT_EMAIL, CLIENT_PASSWORD)
    expect(client.locator("#widget-pending .money")).to_have_count(0)

    # 1. A draft with one line, then edited: a second line at 8% VAT, totals recomputed exactly.
    page.goto(f"{url}/contacts/{contact_id}")
    page.click("#invoice-new")
    page.fill("#line-description-0", "Porada prawna")
    page.fill("#line-net-0", "1000")
    page.click("#invoice-save")
    expect(page.locator("#invoice-status")).to_have_attribute("data-status", "draft")
    expect(page.locator("#invoice-total")).to_have_text(re.compile(rf"1{MONEY}230,00{MONEY}zł"))
    page.click("#invoice-edit")
    expect(page.locator("#invoice-dialog")).to_be_visible()
    page.click("#line-add")
    page.fill("#line-description-1", "Koszty dojazdu")
    page.fill("#line-net-1", "333,33")
    page.fill("#line-vat-1", "8")
    page.click("#invoice-save")
    expect(page.locator("#invoice-dialog")).to_be_hidden()
    expect(page.locator("#invoice-lines tbody tr")).to_have_count(2)
    # 1000,00 + 230,00 VAT; 333,33 + 26,67 VAT (26,6664 rounded half-up) → 1 590,00
    expect(page.locator("#invoice-net")).to_have_text(re.compile(rf"1{MONEY}333,33{MONEY}zł"))
    expect(page.locator("#invoice-vat")).to_have_text(re.compile(rf"256,67{MONEY}zł"))
    expect(page.locator("#invoice-total")).to_have_text(re.compile(rf"1{MONEY}590,00{MONEY}zł"))
    invoice_url = page.url

    # 2. Approved and partly paid: the client's widget follows.
    page.click("#invoice-approve")
    expect(page.locator("#invoice-status")).to_have_attribute("data-status", "approved")
    page.click("#payment-new")
    page.fill("#payment-amount", "590")
    page.click("#payment-save")
    expect(page.locator("#invoice-status")).to_have_attribute("data-status", "partially_paid")
    expect(page.locator("#invoice-outstanding")).to_have_text(re.compile(rf"1{MONEY}000,00{MONEY}zł"))
    expect(_pending(client).locator(".money")).to_have_text(re.compile(rf"1{MONEY}000,00{MONEY}zł"))

    # 2a. A payment recorded by mistake settles it; removed after confirming, the invoice and the
    #     client's widget owe the 1 000,00 again, and the removal is logged.
    page.click("#payment-new")
    page.fill("#payment-amount", "1000")
    page.click("#payment-save")
    expect(page.locator("#invoice-status")).to_have_attribute("data-status", "paid")
    expect(_pending(client).locator(".money")).to_have_count(0)
    expect(page.locator("#invoice-payments .payment-row")).to_have_count(2)
    page.locator("#invoice-payments .payment-row").nth(1).locator(".payment-remove").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Usunąć tę płatność? Kwota do zapłaty wzrośnie o jej wartość")
    expect(dialog.locator(".payment-remove-which")).to_contain_text(re.compile(rf"1{MONEY}000,00{MONEY}zł"))
    shot(page, "ws-10a-remove-payment-confirm")
    dialog.locator(".payment-remove-confirm").click()
    expect(page.locator("#invoice-message")).to_contain_text("Płatność została usunięta.")
    expect(page.locator("#invoice-status")).to_have_attribute("data-status", "partially_paid")
    expect(page.locator("#invoice-outstanding")).to_have_text(re.compile(rf"1{MONEY}000,00{MONEY}zł"))
    expect(page.locator("#invoice-payments .payment-row")).to_have_count(1)
    expect(page.locator("#invoice-payments .payment-row td").nth(1)).to_have_text(re.compile(rf"590,00{MONEY}zł"))
    expect(_pending(client).locator(".money")).to_have_text(re.compile(rf"1{MONEY}000,00{MONEY}zł"))
    shot(page, "ws-10b-payment-removed")
    with _db(app_server) as s:
        logged = s.exec(select(AuditLog).where(AuditLog.action == "payment.removed")).all()
    assert [(e.target_type, e.summary) for e in logged] == [("invoice", page.locator("#invoice-title").inner_text() + ": 1000.00 PLN")]

    # 3. A credit note of 200,00 + 23% correcting it: 246,00 less outstanding, once approved.
    page.click("#credit-new")
    expect(page.locator("#invoice-dialog")).to_be_visible()
    page.fill("#line-description-0", "Rabat za terminowość")
    page.fill("#line-net-0", "200")
    page.click("#invoice-save")
    expect(page.locator("#invoice-title")).to_contain_text("KOR/")
    expect(page.locator("#invoice-total")).to_have_text(re.compile(rf"[-\u2212]246,00{MONEY}zł"))
    expect(_pending(client).locator(".money")).to_have_text(re.compile(rf"1{MONEY}000,00{MONEY}zł"))  # a draft corrects nothing
    page.click("#invoice-approve")
    expect(page.locator("#invoice-status")).to_have_attribute("data-status", "approved")
    page.click("#invoice-corrects")
    expect(page.locator("#invoice-credited")).to_have_text(re.compile(rf"^[-\u2212]246,00{MONEY}zł$"))  # lowers what is owed
    expect(page.locator("#invoice-outstanding")).to_have_text(re.compile(rf"754,00{MONEY}zł"))
    expect(page.locator("#invoice-credit-notes .invoice-row")).to_have_count(1)
    expect(_pending(client).locator(".money")).to_have_text(re.compile(rf"754,00{MONEY}zł"))
    client.click("#portal-nav-invoices")
    expect(client.locator("#invoices-table .invoice-row")).to_have_count(1)  # credit notes are not shared here
    expect(client.locator("#invoices-table .invoice-row td").nth(7)).to_have_text(re.compile(rf"754,00{MONEY}zł"))
    shot(page, "ws-10-credited-invoice")

    # 4. The User opens the edit dialog; meanwhile an Administrator records the rest, so it is paid.
    #    Saving is refused by the server with the reason, and the paid page offers no edit, saying why.
    page.click("#invoice-edit")
    expect(page.locator("#invoice-dialog")).to_be_visible()
    admin_ctx, admin = _staff_page(browser, url, "admin@nowak.example.com")
    admin.goto(invoice_url)
    admin.click("#payment-new")
    admin.fill("#payment-amount", "754,00")
    admin.click("#payment-save")
    expect(admin.locator("#invoice-status")).to_have_attribute("data-status", "paid")
    admin_ctx.close()
    page.fill("#line-net-0", "1")
    page.click("#invoice-save")
    expect(page.locator("#invoice-dialog-error")).to_have_text("Opłaconego ani anulowanego rachunku nie można zmienić.")
    page.reload()
    expect(page.locator("#invoice-status")).to_have_attribute("data-status", "paid")
    expect(page.locator("#invoice-locked")).to_contain_text("Aby zmienić należność klienta, wystaw korektę.")
    expect(page.locator("#invoice-edit")).to_have_count(0)
    expect(page.locator("#invoice-total")).to_have_text(re.compile(rf"1{MONEY}590,00{MONEY}zł"))  # unchanged
    expect(_pending(client).locator(".money")).to_have_count(0)
    shot(page, "ws-11-paid-locked")
    staff_ctx.close()
    client_ctx.close()


def test_two_tabs_editing_one_invoice(app_server, browser):
    """The later save from a form opened before a colleague's is refused beside the form, typing kept."""
    url = app_server["url"]
    contact_id = _contact(app_server, "Dwie Karty sp. z o.o.")
    user_ctx, user = _staff_page(browser, url, "asystent@nowak.example.com")
    user.goto(f"{url}/contacts/{contact_id}")
    user.click("#invoice-new")
    user.fill("#line-description-0", "Opinia")
    user.fill("#line-net-0", "1000")
    user.click("#invoice-save")
    expect(user.locator("#invoice-status")).to_have_attribute("data-status", "draft")
    admin_ctx, admin = _staff_page(browser, url, "admin@nowak.example.com")
    admin.goto(user.url)
    for page in (user, admin):
        page.click("#invoice-edit")
        expect(page.locator("#invoice-dialog")).to_be_visible()
    admin.fill("#line-description-0", "Opinia uzgodniona z klientem")
    admin.click("#invoice-save")
    expect(admin.locator("#invoice-dialog")).to_be_hidden()
    expect(admin.locator("#invoice-total")).to_have_text(re.compile(rf"1{MONEY}230,00{MONEY}zł"))

    user.fill("#line-net-0", "2000")
    user.click("#invoice-save")
    expect(user.locator("#invoice-dialog-error")).to_contain_text("W międzyczasie ktoś inny to zmienił.")
    expect(user.locator("#line-net-0")).to_have_value("2000")  # the typing is kept
    shot(user, "ws-13-changed-meanwhile")
    user.keyboard.press("Escape")
    user.reload()
    expect(user.locator("#invoice-lines")).to_contain_text("Opinia uzgodniona z klientem")  # the colleague's change stands
    expect(user.locator("#invoice-total")).to_have_text(re.compile(rf"1{MONEY}230,00{MONEY}zł"))
    user.click("#invoice-edit")
    expect(user.locator("#line-description-0")).to_have_value("Opinia uzgodniona z klientem")
    user.fill("#line-net-0", "2000")
    user.click("#invoice-save")
    expect(user.locator("#invoice-dialog")).to_be_hidden()
    expect(user.locator("#invoice-total")).to_have_text(re.compile(rf"2{MONEY}460,00{MONEY}zł"))

    # The Administrator's page still shows 1 230,00: approving that issues nothing unseen; the page
    # shows the invoice as it stands, and approving what is now shown goes through.
    expect(admin.locator("#invoice-total")).to_have_text(re.compile(rf"1{MONEY}230,00{MONEY}zł"))
    admin.click("#invoice-approve")
    expect(admin.locator("#invoice-action-error")).to_contain_text("W międzyczasie ktoś zmienił ten rachunek.")
    expect(admin.locator("#invoice-total")).to_have_text(re.compile(rf"2{MONEY}460,00{MONEY}zł"))
    expect(admin.locator("#invoice-status")).to_have_attribute("data-status", "draft")
    admin.click("#invoice-approve")
    expect(admin.locator("#invoice-status")).to_have_attribute("data-status", "approved")
    user_ctx.close()
    admin_ctx.close()


def test_audit_log_for_administrators_only(app_server, browser):
    url = app_server["url"]
    contact_id = _contact(app_server, "Archiwum Próbne S.A.")
    with _db(app_server) as s:  # the Administrator reads the log on New York time
        admin_row = s.exec(select(StaffUser).where(StaffUser.email == "admin@nowak.example.com")).one()
        old_zone, admin_row.timezone = admin_row.timezone, "America/New_York"
        s.add(admin_row)
        s.commit()
    try:
        user_ctx, page = _staff_page(browser, url, "asystent@nowak.example.com")
        page.goto(f"{url}/contacts/{contact_id}")
        page.click("#contact-archive")
        page.click("#contact-archive-confirm")
        expect(page.locator("#contacts-table")).to_be_visible()
        page.goto(url + "/settings/audit-log")  # a User is refused by the server, not just by the menu
        expect(page.locator("#audit-refused")).to_have_text("Dziennik zdarzeń mogą przeglądać tylko Administratorzy kancelarii.")
        expect(page.locator("#audit-table")).to_have_count(0)
        expect(page.locator("#settings-menu-audit-log")).to_have_count(0)
        user_ctx.close()

        with _db(app_server) as s:
            logged = s.exec(select(AuditLog).where(AuditLog.target_type == "contact", AuditLog.target_id == contact_id)).one()
        admin_ctx, admin = _staff_page(browser, url, "admin@nowak.example.com")
        admin.click("#nav-settings")
        admin.click("#settings-menu-audit-log")
        row = admin.locator(".audit-row", has_text="Archiwum Próbne S.A.")
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(0)).to_have_text(format_datetime(logged.at, "America/New_York", "pl"))
        expect(row.locator("td").nth(1)).to_have_text("Piotr Zieliński")
        expect(row.locator("td").nth(2)).to_have_text("Zarchiwizowano kontakt")
        expect(row.locator("a")).to_have_attribute("href", f"/contacts/{contact_id}")
        shot(admin, "ws-12-audit-log")
        admin_ctx.close()

        other_ctx, other = _staff_page(browser, url, "admin@kowalczyk.example.com")
        other.goto(url + "/settings/audit-log")
        expect(other.locator("#audit-table")).to_be_visible()
        expect(other.locator(".audit-row", has_text="Archiwum Próbne")).to_have_count(0)
        other_ctx.close()
    finally:
        with _db(app_server) as s:
            admin_row = s.exec(select(StaffUser).where(StaffUser.email == "admin@nowak.example.com")).one()
            admin_row.timezone = old_zone
            s.add(admin_row)
            s.commit()
