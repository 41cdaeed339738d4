"""The seed guide, first click to last, in headless Chromium (issue 2)."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import LOGOS
from tests.e2e.conftest import shot, staff_login

pytestmark = pytest.mark.e2e

PASSWORD = "Demo-Portal-2026"
CLIENT_PASSWORD = "zielony-parasol-nad-Wisłą"
ADDRESS = "kancelaria-nowak"


def open_matter(page, url: str, number: str) -> None:
    page.goto(url + "/matters")
    page.get_by_role("link", name=number).click()
    expect(page.locator("#card-title")).to_contain_text(number)


def share_card(page, addresses: str) -> None:
    page.click("#card-settings")
    page.click("#card-settings-client-portal")
    expect(page.locator("#share-dialog")).to_be_visible()
    page.fill("#share-addresses", addresses)
    page.click("#share-save")


def last_invitation_link(page, url: str, to: str) -> str:
    page.goto(url + "/dev/mail")
    page.locator("#mail-table tr", has_text=to).first.locator("a.mail-link").click()
    expect(page.locator("#mail-to")).to_have_text(to)
    text = page.locator("#mail-text").inner_text()
    return re.search(r"https?://\S+/invite/\S+", text).group(0)


def register(context, link: str, *, first: str, last: str, tz: str):
    page = context.new_page()
    page.goto(link)
    expect(page.locator("#first_name")).to_be_visible()
    return page


def test_seed_flow(app_server, browser):
    url = app_server["url"]
    admin_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    admin = admin_ctx.new_page()

    # 1. The Administrator enables the portal: bad input first, each answered beside its field.
    staff_login(admin, url, "admin@nowak.example.com", PASSWORD)
    admin.click("#nav-settings")
    expect(admin.locator("#settings-menu-client-portal")).to_be_visible()
    if admin.locator("#portal-enabled").get_attribute("data-state") == "checked":  # another test enabled it
        admin.click("#portal-enabled")
        expect(admin.locator("#portal-enabled")).to_have_attribute("data-state", "unchecked")
    admin.click("#portal-enabled")
    expect(admin.locator("#portal-enabled")).to_have_attribute("data-state", "checked")
    admin.fill("#company_name", "Kancelaria Nowak i Wspólnicy")
    admin.fill("#address", "kancelaria łódź")
    expect(admin.locator("#address-error")).to_contain_text("ł")
    expect(admin.locator("#address-suggestion")).to_contain_text("kancelaria-lodz")
    admin.fill("#contact_email", "not-an-email")
    admin.click("#settings-save")
    expect(admin.locator("#contact_email-error")).to_be_visible()
    expect(admin.locator("#settings-form-error")).to_be_visible()
    expect(admin.locator("#address")).to_have_value("kancelaria łódź")  # typing kept

    admin.set_input_files("#logo-upload input[type=file]", str(LOGOS / "invalid" / "gif-named.png"))
    expect(admin.locator("#logo-error")).to_contain_text("GIF")
    admin.set_input_files("#logo-upload input[type=file]", str(LOGOS / "valid" / "rgba-transparent.png"))
    expect(admin.locator("#logo-preview")).to_be_visible()

    admin.fill("#address", ADDRESS)
    expect(admin.locator("#portal-link-preview")).to_have_text(f"{url}/portal/{ADDRESS}")
    admin.fill("#contact_email", "Biuro@Nowak.example.com")
    admin.click("#settings-save")
    expect(admin.locator("#settings-saved")).to_be_visible()
    shot(admin, "01-settings")

    # 2. Share a matter card with a new client, statuses Approved / Partially paid / Paid.
    open_matter(admin, url, "2026/014")
    share_card(admin, "nie-adres, Jan Kowalski <jan.kowalski@budmax.example.com>")
    expect(admin.locator(".bad-address")).to_have_text(["nie-adres"])
    expect(admin.locator(".share-recipient")).to_have_count(0)  # nothing saved
    for status in ("approved", "partially_paid", "paid"):
        expect(admin.locator(f"#share-status-{status}")).to_have_attribute("data-state", "checked")
    expect(admin.locator("#share-status-cancelled")).to_have_attribute("data-state", "unchecked")
    admin.fill("#share-addresses", "Jan Kowalski <Jan.Kowalski@Budmax.example.com>")
    admin.click("#share-save")
    expect(admin.locator("#share-message")).to_be_visible()
    expect(admin.locator(".share-recipient")).to_have_count(1)
    expect(admin.locator(".share-recipient")).to_contain_text("jan.kowalski@budmax.example.com")
    shot(admin, "02-share-dialog")

    # 3. The invitation is in the development outbox.
    link = last_invitation_link(admin, url, "jan.kowalski@budmax.example.com")
    assert f"/portal/{ADDRESS}/invite/" in link
    expect(admin.locator("#mail-html")).to_have_attribute("srcdoc", re.compile("Wyświetl sprawę"))
    html = admin.locator("#mail-html").get_attribute("srcdoc")
    assert re.search(r'<a [^>]*href="' + re.escape(link) + r'"[^>]*>\s*Wyświetl sprawę\s*</a>', html), html
    shot(admin, "03-email")

    # 4. The client registers in Polish with a time zone.
    client_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Europe/Warsaw", locale="pl-PL")
    client = client_ctx.new_page()
    client.goto(link)
    expect(client.locator("#portal-logo")).to_be_visible()
    expect(client.locator("#portal-contact-email")).to_have_text("biuro@nowak.example.com")
    expect(client.locator("#register-email")).to_have_value("jan.kowalski@budmax.example.com")
    expect(client.locator("#timezone")).to_have_value("Europe/Warsaw")
    client.get_by_role("radio", name="EN").click()
    expect(client.locator("#register-submit")).to_have_text("Log in")
    client.get_by_role("radio", name="PL").click()
    expect(client.locator("#register-submit")).to_have_text("Zaloguj się")
    client.fill("#first_name", "Jan")
    client.fill("#last_name", "Kowalski")
    client.fill("#password", CLIENT_PASSWORD)
    client.fill("#password_repeat", CLIENT_PASSWORD + "x")
    client.click("#register-submit")
    expect(client.locator("#password_repeat-error")).to_have_text("Hasła się różnią.")
    expect(client.locator("#first_name")).to_have_value("Jan")
    shot(client, "04-registration")
    client.fill("#password_repeat", CLIENT_PASSWORD)
    client.click("#register-submit")

    # 5. The dashboard: hours and sums of that matter only (demo data: 150+90+45 min; 12 300,00 zł
    #    approved and not due; 6 150,00 − 2 000,00 zł partially paid and overdue).
    expect(client.locator("#hours-total")).to_have_text("4,75 h")
    expect(client.locator("#widget-pending .money")).to_have_text(["12\u00a0300,00\u00a0zł"])
    expect(client.locator("#widget-overdue .money")).to_have_text(["4\u00a0150,00\u00a0zł"])
    shot(client, "05-dashboard")

    # 6. The lists show exactly what was shared.
    client.click("#portal-nav-invoices")
    expect(client.locator(".invoice-row")).to_have_count(3)
    rows = client.locator("#invoices-table").inner_text()
    for number in ("FV/2026/101", "FV/2026/087", "FZ/2026/012"):
        assert number in rows
    for hidden in ("FV/2026/120", "FV/2026/099", "KOR/2026/004", "FV/2026/055"):
        assert hidden not in rows
    client.click("#portal-nav-time-entries")
    expect(client.locator(".time-row")).to_have_count(3)
    client.click("#portal-nav-agreements")
    expect(client.locator(".agreement-row")).to_have_count(1)
    expect(client.locator("#agreements-table")).to_contain_text("Umowa o zastępstwo procesowe")

    # 7. Account settings: the language changes every page.
    client.click("#account-menu")
    client.click("#account-settings")
    expect(client.locator("#profile-save")).to_be_visible()
    client.click("#language")
    client.get_by_role("option", name="English").click()
    client.click("#profile-save")
    expect(client.locator("#profile-saved")).to_be_visible()
    client.click("#portal-nav-dashboard")
    expect(client.get_by_text("Hours logged")).to_be_visible()
    expect(client.locator("#widget-pending .money")).to_have_text(["PLN\u00a012,300.00"])

    # 8. Log out; back in through the portal link, then through the e-mail button.
    client.click("#account-menu")
    client.click("#portal-log-out")
    expect(client.locator("#portal-login-submit")).to_be_visible()
    assert client.url.rstrip("/").endswith(f"/portal/{ADDRESS}")
    client.goto(f"{url}/portal/{ADDRESS}/dashboard")
    expect(client.locator("#portal-login-submit")).to_be_visible()
    client.fill("#email", "JAN.KOWALSKI@budmax.example.com")
    client.fill("#password", "wrong password entirely")
    client.click("#portal-login-submit")
    expect(client.locator("#portal-login-error")).to_be_visible()
    client.fill("#password", CLIENT_PASSWORD)
    client.click("#portal-login-submit")
    expect(client.locator("#hours-total")).to_be_visible()
    client.click("#account-menu")
    client.click("#portal-log-out")
    expect(client.locator("#portal-login-submit")).to_be_visible()
    client.goto(link)  # straight to the login form, then the shared card
    expect(client.locator("#invite-login-note")).to_be_visible()
    client.fill("#email", "jan.kowalski@budmax.example.com")
    client.fill("#password", CLIENT_PASSWORD)
    client.click("#portal-login-submit")
    expect(client.locator("#hours-total")).to_have_text("4.75 h")

    # 9. A second client, of another contact, never sees the first one's matter.
    open_matter(admin, url, "2026/030")
    share_card(admin, "ewa@wisniewska.example.com")
    expect(admin.locator(".share-recipient")).to_have_count(1)
    link2 = last_invitation_link(admin, url, "ewa@wisniewska.example.com")
    other_ctx = browser.new_context(timezone_id="America/New_York", locale="pl-PL")  # registers in Polish
    other = other_ctx.new_page()
    other.goto(link2)
    other.fill("#first_name", "Ewa")
    other.fill("#last_name", "Wiśniewska")
    other.fill("#password", "spadek-po-dziadku-Janie")
    other.fill("#password_repeat", "spadek-po-dziadku-Janie")
    expect(other.locator("#timezone")).to_have_value("America/New_York")
    other.click("#register-submit")
    expect(other.locator("#hours-total")).to_have_text("3,5 h")
    other.click("#portal-nav-invoices")
    expect(other.locator(".invoice-row")).to_have_count(2)
    text = other.locator("#invoices-table").inner_text()
    assert "FV/2026/110" in text and "FV/2026/101" not in text and "FV/2026/087" not in text

    # 10. A plain User and a Standard-plan Administrator are refused, with the reason.
    for email, reason in (("asystent@nowak.example.com", "Tylko Administrator"), ("admin@kowalczyk.example.com", "Premium")):
        ctx = browser.new_context()
        page = ctx.new_page()
        staff_login(page, url, email, PASSWORD)
        page.click("#nav-settings")
        expect(page.locator("#settings-refused")).to_contain_text(reason)
        expect(page.locator("#company_name")).to_have_count(0)
        ctx.close()
    for ctx in (admin_ctx, client_ctx, other_ctx):
        ctx.close()
