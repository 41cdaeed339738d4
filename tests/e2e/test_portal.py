"""The client's portal in headless Chromium (issue 5: CP-4, CP-5).

Uses its own client (PORTAL_EMAIL), who is given the contact card of Ewa Wiśniewska (plus a matter
of hers created here, with 25 time entries for paging) and, through another share, Budmax's matter
2026/021, which no other browser test touches. The tests run in order and build on each other.
"""

import re
import time
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, create_engine, select

from portal_app.i18n import format_hours, format_money, translate
from portal_app.models import Contact, Firm, Matter, OutboxMessage, PortalSettings, StaffUser, TimeEntry
from portal_app.services import identity, passwords, sharing
from tests.e2e.conftest import portal_login, shot

pytestmark = pytest.mark.e2e

ADDRESS = "portal-klienta-test"
CLIENT = "ewa.e2e@wisniewska.example.com"
PASSWORD = "Spadek-po-dziadku-Janie-1"
NEW_PASSWORD = "Kasztany-w-Parku-Nocą-22"
RESET_PASSWORD = "Zielone-Drzwi-Do-Ogrodu-7"
UNLOCK_PASSWORD = "Cztery-Pory-Roku-Vivaldi-4"
OWN_MATTER = "2026/E2E-5"
ENTRIES = 25


def msg(key: str, lang: str, **params) -> str:
    return translate(lang, key, **params)


@pytest.fixture(scope="module")
def db(app_server):
    engine = create_engine(app_server["db"])
    yield engine
    engine.dispose()


def _share_more(s: Session, admin, kind: str, card_id: int, email: str) -> None:
    """Add `email` to a card, keeping whoever else it is shared with and its chosen scope."""
    view = sharing.load_share(s, admin, kind, card_id)
    sharing.save_share(
        s, admin, kind, card_id, emails=[r.email for r in view.recipients] + [email],
        invoice_types=list(view.invoice_types), invoice_statuses=list(view.invoice_statuses),
        time_entries=view.time_entries, agreements=view.agreements,
    )


@pytest.fixture(scope="module")
def portal(db, app_server):
    """The portal address (this file's own unless one is already on), the cards and the invitation link.

    A portal this file switched on is switched off again afterwards: other files start from the demo data.
    """
    with Session(db, expire_on_commit=False) as s:
        firm = s.exec(select(Firm).where(Firm.name == "Kancelaria Nowak i Wspólnicy")).one()
        settings = s.exec(select(PortalSettings).where(PortalSettings.firm_id == firm.id)).one()
        before = (settings.enabled, settings.address, settings.contact_email)
        if not (settings.enabled and settings.address):
            settings.enabled, settings.address = True, ADDRESS
            settings.contact_email = "biuro@nowak.example.com"
            s.add(settings)
            s.commit()
        address = settings.address
        admin_row = s.exec(select(StaffUser).where(StaffUser.email == "admin@nowak.example.com")).one()
        admin = identity.staff_for_token(s, identity.start_session(s, staff_user_id=admin_row.id))
        ewa = s.exec(select(Contact).where(Contact.name == "Ewa Wiśniewska")).one()
        lease = s.exec(select(Matter).where(Matter.number == "2026/021")).one()
        own = Matter(firm_id=firm.id, contact_id=ewa.id, number=OWN_MATTER, title="Konsultacje e2e")
        s.add(own)
        s.commit()
        today = date.today()
        for n in range(ENTRIES):
            s.add(TimeEntry(firm_id=firm.id, matter_id=own.id, staff_user_id=admin_row.id, work_date=today,
                            minutes=6, description=f"Konsultacja e2e nr {n + 1:02d}"))
        s.commit()
        _share_more(s, admin, "contact", ewa.id, CLIENT)
        _share_more(s, admin, "matter", lease.id, CLIENT)
        mail = s.exec(select(OutboxMessage).where(OutboxMessage.to_email == CLIENT).order_by(OutboxMessage.id)).first()
        # queued from this process, so the link's origin is this process's: keep its path
        path = re.search(r"/portal/\S+/invite/\S+", mail.text).group(0)
        link = app_server["url"] + path
    yield {"address": address, "link": link, "ewa": ewa.id, "lease": lease.id, "url": app_server["url"], "today": today}
    with Session(db) as s:
        settings = s.exec(select(PortalSettings).where(PortalSettings.firm_id == firm.id)).one()
        if (settings.enabled, settings.address) != before[:2]:
            settings.enabled, settings.address, settings.contact_email = before
            s.add(settings)
            s.commit()


@pytest.fixture(scope="module")
def client(browser, portal):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Europe/London", locale="en-GB")
    page = ctx.new_page()
    yield page
    ctx.close()


def login(page, portal, password: str, email: str = CLIENT) -> None:
    portal_login(page, portal["url"], portal["address"], email, password)


def last_mail_link(db, kind: str, after_id: int = 0) -> str:
    """The link in the newest e-mail to CLIENT with /<kind>/ in it, newer than `after_id` (waits for it)."""
    deadline = time.monotonic() + 15
    while True:
        with Session(db) as s:
            mail = s.exec(select(OutboxMessage).where(
                OutboxMessage.to_email == CLIENT, OutboxMessage.text.contains(f"/{kind}/"), OutboxMessage.id > after_id,
            ).order_by(OutboxMessage.id.desc())).first()
        if mail is not None or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert mail is not None, f"no {kind} e-mail to {CLIENT}"
    return re.search(rf"https?://\S+/{kind}/[A-Za-z0-9_-]+", mail.text).group(0)


def last_mail_id(db) -> int:
    with Session(db) as s:
        return max(s.exec(select(OutboxMessage.id)).all() or [0])


def test_register_in_english_then_polish_keeps_what_was_typed(client, portal):
    client.goto(portal["link"])
    expect(client.locator("#first_name")).to_be_visible()
    # The firm's portal speaks Polish, but this browser asks for English (en-GB): nothing chosen yet, English it is.
    expect(client.get_by_text(msg("register.title", "en"))).to_be_visible()
    expect(client.locator("#timezone")).to_have_value("Europe/London")
    client.fill("#first_name", "Ewa")
    client.fill("#last_name", "Testowa")
    client.fill("#password", "Krótkie-1!")  # too short, and the repeat differs: both said at once
    client.fill("#password_repeat", "Inne-2?")
    client.click("#register-submit")
    expect(client.locator("#password-error")).to_have_text(msg("password.too_short", "en", min=passwords.MIN_LENGTH))
    expect(client.locator("#password_repeat-error")).to_have_text(msg("register.passwords_differ", "en"))
    client.get_by_role("radio", name="EN").click()
    client.fill("#password", PASSWORD)
    client.get_by_role("radio", name="PL").click()
    expect(client.get_by_text(msg("register.title", "pl"))).to_be_visible()
    expect(client.locator("#register-submit")).to_have_text(msg("register.submit", "pl"))
    expect(client.locator("#first_name")).to_have_value("Ewa")
    expect(client.locator("#last_name")).to_have_value("Testowa")
    expect(client.locator("#password")).to_have_value(PASSWORD)
    # The errors still on screen switched with the labels.
    expect(client.locator("#password-error")).to_have_text(msg("password.too_short", "pl", min=passwords.MIN_LENGTH))
    expect(client.locator("#password_repeat-error")).to_have_text(msg("register.passwords_differ", "pl"))
    client.fill("#password_repeat", PASSWORD)
    client.click("#register-submit")
    expect(client.locator("#hours-total")).to_be_visible()
    shot(client, "portal-01-dashboard")


def _dashboard_is(page, minutes: int, pending: list[str], overdue: list[str], lang: str = "pl") -> None:
    expect(page.locator("#hours-total")).to_have_text(format_hours(minutes, lang) + " h")
    nothing = [msg("widget.nothing", lang)]
    expect(page.locator("#widget-pending")).to_contain_text(pending[0] if pending else nothing[0])
    if pending:
        expect(page.locator("#widget-pending .money")).to_have_text(pending)
    if overdue:
        expect(page.locator("#widget-overdue .money")).to_have_text(overdue)
    else:
        expect(page.locator("#widget-overdue")).to_contain_text(nothing[0])


def test_dashboard_numbers_are_the_expected_ones(client, portal):
    # Ewa's contact: 210 min (2026/030) + 25 × 6 min (own matter); FV/2026/110 3 690,00 zł not yet due;
    # FZ/2026/020 500,00 − 200,00 € overdue. Matter 2026/021: 120 + 30 min; FV/2026/099 1 800,00 € overdue,
    # less its credit note KOR/2026/004 615,00 €.
    today = portal["today"]
    month_start = today.replace(day=1)
    dated = [(today - timedelta(days=8), 210), (today - timedelta(days=20), 120), (today - timedelta(days=1), 30), (today, 150)]
    _dashboard_is(client, 510, [format_money(369_000, "PLN", "pl")], [format_money(148_500, "EUR", "pl")])
    month = sum(m for d, m in dated if d >= month_start)
    expect(client.locator("#widget-hours")).to_contain_text(format_hours(month, "pl") + " h")


def choose(page, trigger: str, option: str) -> None:
    page.click(trigger)
    page.get_by_role("option", name=option, exact=True).click()


def test_the_switcher_narrows_every_page(client, portal):
    choose(client, "#card-switcher", "Ewa Wiśniewska")
    _dashboard_is(client, 360, [format_money(369_000, "PLN", "pl")], [format_money(30_000, "EUR", "pl")])
    choose(client, "#card-switcher", "Sprawa 2026/021 Umowa najmu hali w Łodzi")
    _dashboard_is(client, 150, [], [format_money(118_500, "EUR", "pl")])
    client.click("#portal-nav-invoices")
    expect(client.locator(".invoice-row")).to_have_count(2)
    expect(client.locator("#invoices-table")).to_contain_text("FV/2026/099")
    expect(client.locator("#invoices-table")).not_to_contain_text("FV/2026/110")
    shot(client, "portal-02-switcher")
    choose(client, "#card-switcher", msg("switcher.all", "pl"))
    expect(client.locator(".invoice-row")).to_have_count(4)
    # every row says whose it is
    expect(client.locator(".invoice-row", has_text="FV/2026/110")).to_contain_text("Ewa Wiśniewska")
    expect(client.locator(".invoice-row", has_text="FV/2026/099")).to_contain_text("Budmax sp. z o.o.")


def test_lists_sort_filter_and_page(client, portal):
    expect(client.locator(".invoice-row")).to_have_count(4)
    choose(client, "#sort", msg("sort.amount_desc", "pl"))
    expect(client.locator(".invoice-row").first).to_contain_text("FV/2026/099")  # per currency (EUR first), largest first
    choose(client, "#status-filter", msg("filter.overdue", "pl"))
    expect(client.locator(".invoice-row")).to_have_count(2)
    choose(client, "#status-filter", msg("invoice.status.paid", "pl"))
    expect(client.locator("#invoices-table-empty")).to_have_text(msg("list.empty_filtered", "pl"))
    choose(client, "#status-filter", msg("filter.status_all", "pl"))
    expect(client.locator(".invoice-row")).to_have_count(4)

    client.click("#portal-nav-time-entries")
    expect(client.locator(".time-row")).to_have_count(20)
    expect(client.get_by_text(msg("common.page_of", "pl", page=1, pages=2))).to_be_visible()
    client.get_by_role("button", name=msg("common.next", "pl")).click()
    expect(client.locator(".time-row")).to_have_count(ENTRIES + 3 - 20)
    choose(client, "#sort", msg("sort.hours_desc", "pl"))
    expect(client.locator(".time-row").first).to_contain_text(format_hours(210, "pl"))
    expect(client.get_by_text(msg("common.page_of", "pl", page=1, pages=2))).to_be_visible()


PHONE = {"width": 390, "height": 844}


def _fits_the_screen(page, width: int = PHONE["width"]) -> None:
    """Nothing wider than the screen: neither the page nor any list's own scroll area."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate("""() => [...document.querySelectorAll('.rt-ScrollAreaViewport')]
        .filter(v => v.scrollWidth > v.clientWidth + 1).length""") == 0


def _on_screen(locator, width: int = PHONE["width"]) -> None:
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box


def test_on_a_phone_every_list_fits_the_screen(browser, portal):
    ctx = browser.new_context(viewport=PHONE, locale="pl-PL", timezone_id="Europe/London", is_mobile=True, has_touch=True)
    page = ctx.new_page()
    login(page, portal, PASSWORD)
    expect(page.locator("#hours-total")).to_be_visible()
    header = page.locator("#portal-menu").locator("xpath=..")
    assert header.bounding_box()["height"] <= 100  # brand and account menu on one line, the menu below
    for link in ("dashboard", "invoices", "time-entries", "agreements"):
        _on_screen(page.locator(f"#portal-nav-{link}"))
    _on_screen(page.locator("#card-switcher"))

    page.click("#portal-nav-invoices")
    first = page.locator(".invoice-row").first
    expect(first).to_be_visible()
    expect(page).to_have_title(f'{msg("portal.menu.invoices", "pl")} · {msg("title.portal", "pl")}')  # after a client-side move
    expect(page.locator(".invoice-row")).to_have_count(4)  # one element per invoice at every width
    _fits_the_screen(page)
    for part in (".cell-number", ".cell-status", ".cell-type", ".invoice-total", ".cell-due"):
        _on_screen(first.locator(part))
    expect(first.locator(".cell-total .cell-label")).to_have_text(msg("inv.total", "pl"))
    expect(page.locator("#invoices-table thead")).to_be_hidden()
    badge = first.locator(".cell-status .rt-Badge").first
    assert badge.evaluate("b => b.scrollWidth <= b.clientWidth")  # the status is not cut
    shot(page, "portal-05-phone-invoices")

    for link, row in (("time-entries", ".time-row"), ("agreements", ".agreement-row")):
        page.click(f"#portal-nav-{link}")
        expect(page.locator(row).first).to_be_visible()
        _fits_the_screen(page)
        shot(page, f"portal-05-phone-{link}")
    _on_screen(page.locator(".agreement-row", has_text="Umowa o prowadzenie sprawy spadkowej").locator("a.agreement-download"))
    ctx.close()


def test_on_a_desktop_the_lists_stay_tables(client, portal):
    client.click("#portal-nav-invoices")
    expect(client.locator(".invoice-row")).to_have_count(4)
    expect(client.locator("#invoices-table thead")).to_be_visible()
    expect(client.locator(".invoice-row .cell-label")).to_have_count(16)
    for label in client.locator(".invoice-row .cell-label").all()[:4]:
        expect(label).to_be_hidden()  # the header names the columns
    assert client.locator(".invoice-row").first.evaluate("r => getComputedStyle(r).display") == "table-row"


def test_agreement_document_downloads_for_this_client_only(client, portal, browser):
    client.click("#portal-nav-agreements")
    row = client.locator(".agreement-row", has_text="Umowa o prowadzenie sprawy spadkowej")
    expect(row.locator("a.agreement-download")).to_be_visible()
    href = row.locator("a.agreement-download").get_attribute("href")
    answer = client.context.request.get(href)
    assert answer.status == 200
    assert answer.body().startswith(b"%PDF-")
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "/_upload/" not in href
    stranger = browser.new_context()
    assert stranger.request.get(href).status == 404
    stranger.close()
    other_id = int(href.rsplit("/", 1)[1]) + 1000
    assert client.context.request.get(href.rsplit("/", 1)[0] + f"/{other_id}").status == 404


def test_language_and_password_change_take_effect_at_once(client, portal, browser):
    other_ctx = browser.new_context()
    other = other_ctx.new_page()
    login(other, portal, PASSWORD)
    expect(other.locator("#hours-total")).to_be_visible()

    client.click("#account-menu")
    client.click("#account-settings")
    expect(client.locator("#profile-save")).to_be_visible()
    choose(client, "#language", "English")
    client.click("#profile-save")
    expect(client.locator("#profile-saved")).to_have_text(msg("common.saved", "en"))
    expect(client.get_by_role("heading", name=msg("account.title", "en"))).to_be_visible()
    expect(client.locator("#card-switcher")).to_have_count(0)  # account settings are not narrowed by a card
    client.fill("#current_password", PASSWORD)
    client.fill("#new_password", NEW_PASSWORD)
    client.fill("#new_password_repeat", NEW_PASSWORD)
    client.click("#password-save")
    expect(client.locator("#password-changed")).to_have_text(msg("account.password_changed", "en"))

    other.click("#portal-nav-invoices")  # the other device's next action
    expect(other.locator("#portal-login-submit")).to_be_visible()
    expect(other.locator(".invoice-row")).to_have_count(0)
    other_ctx.close()

    client.click("#portal-nav-dashboard")
    _dashboard_is(client, 510, [format_money(369_000, "PLN", "en")], [format_money(148_500, "EUR", "en")], lang="en")


def test_after_logout_the_back_button_shows_no_data(client, portal):
    client.click("#portal-nav-invoices")
    expect(client.locator(".invoice-row")).to_have_count(4)
    client.click("#account-menu")
    client.click("#portal-log-out")
    expect(client.locator("#portal-login-submit")).to_be_visible()
    stored = client.evaluate("() => JSON.stringify([window.localStorage, window.sessionStorage])")
    assert "Ewa" not in stored and "FV/" not in stored
    assert [c for c in client.context.cookies() if c["name"] == "portal_client_session" and c["value"]] == []
    client.go_back()
    expect(client.locator("#portal-login-submit")).to_be_visible()
    for secret in ("FV/2026/110", "Ewa Testowa", "Konsultacja e2e"):
        expect(client.get_by_text(secret)).to_have_count(0)
    shot(client, "portal-03-after-logout-back")


def test_the_e_mail_button_of_a_registered_client_opens_login_then_the_shared_card(client, portal):
    client.goto(portal["link"])  # the invitation to Ewa Wiśniewska's contact card, registered long ago
    expect(client.locator("#portal-login-submit")).to_be_visible()
    assert client.url.rstrip("/").endswith(f"/portal/{portal['address']}")  # the token is not kept in the address bar
    expect(client.locator("#invite-login-note")).to_have_text(msg("invite.login", "en"))
    expect(client.locator("#email")).to_have_value("")  # a forwarded link does not tell who has the account
    client.fill("#email", CLIENT)
    client.fill("#password", NEW_PASSWORD)
    client.click("#portal-login-submit")
    expect(client.locator("#card-switcher")).to_have_text("Ewa Wiśniewska")
    _dashboard_is(client, 360, [format_money(369_000, "PLN", "en")], [format_money(30_000, "EUR", "en")], lang="en")
    shot(client, "portal-06-from-the-e-mail-button")
    choose(client, "#card-switcher", msg("switcher.all", "en"))
    _dashboard_is(client, 510, [format_money(369_000, "PLN", "en")], [format_money(148_500, "EUR", "en")], lang="en")
    client.goto(portal["link"])  # signed in already: straight to the card
    expect(client.locator("#card-switcher")).to_have_text("Ewa Wiśniewska")
    _dashboard_is(client, 360, [format_money(369_000, "PLN", "en")], [format_money(30_000, "EUR", "en")], lang="en")


def test_unknown_addresses_get_a_translated_page_with_the_way_back(browser, client, portal):
    for locale, lang in (("en-GB", "en"), ("pl-PL", "pl")):
        ctx = browser.new_context(locale=locale)
        page = ctx.new_page()
        answer = page.goto(f"{portal['url']}/no-such-page")
        assert answer.status == 404
        expect(page.locator("#not-found")).to_have_text(msg("not_found.title", lang))
        expect(page).to_have_title(msg("not_found.title", lang) + " · Lexportal")
        assert page.evaluate("document.documentElement.lang") == lang
        expect(page.locator("#not-found-home")).to_have_attribute("href", "/")
        shot(page, f"portal-07-not-found-{lang}")
        page.click("#not-found-home")
        expect(page).to_have_url(re.compile(r"/$"))
        ctx.close()
    # A signed-in client (English account) in the same tab: their language, back to their portal.
    client.goto(f"{portal['url']}/portal/{portal['address']}/no-such-page")
    expect(client.locator("#not-found")).to_have_text(msg("not_found.title", "en"))
    expect(client.locator("#not-found-home")).to_have_attribute("href", f"/portal/{portal['address']}")
    client.click("#not-found-home")
    expect(client.locator("#hours-total")).to_be_visible()
    # A mistyped link opened in a new tab: the portal's branding, the client's language, the way back.
    tab = client.context.new_page()
    answer = tab.goto(f"{portal['url']}/portal/{portal['address']}/faktury")
    assert answer.status == 404
    expect(tab.locator("#portal-company-name")).to_be_visible()
    expect(tab.locator("#not-found")).to_have_text(msg("not_found.title", "en"))
    expect(tab.locator("#not-found-home")).to_have_attribute("href", f"/portal/{portal['address']}")
    shot(tab, "portal-07-not-found-new-tab")
    tab.click("#not-found-home")
    expect(tab.locator("#hours-total")).to_be_visible()
    tab.close()
    client.click("#account-menu")
    client.click("#portal-log-out")
    expect(client.locator("#portal-login-submit")).to_be_visible()


def test_password_reset_from_the_e_mail(client, portal, db):
    before = last_mail_id(db)
    client.goto(f"{portal['url']}/portal/{portal['address']}")
    client.click("#forgot-link")
    expect(client.locator("#forgot-submit")).to_be_enabled()  # the page is live, typing will be kept
    client.fill("#email", "ewa.testowa@example")  # no domain ending: said beside the field, not "we have sent it"
    client.click("#forgot-submit")
    expect(client.locator("#email-error")).to_have_text(msg("email.invalid", "en"))
    expect(client.locator("#email")).to_have_value("ewa.testowa@example")
    expect(client.locator("#forgot-sent")).to_have_count(0)
    client.fill("#email", CLIENT.upper())
    client.click("#forgot-submit")
    expect(client.locator("#forgot-sent")).to_be_visible()
    link = last_mail_link(db, "reset", before)
    assert link.startswith(f"{portal['url']}/portal/{portal['address']}/reset/")
    client.goto(link)
    expect(client.locator("#reset-email")).to_contain_text(CLIENT)
    client.fill("#new_password", RESET_PASSWORD)
    client.fill("#new_password_repeat", RESET_PASSWORD + "x")
    client.click("#reset-submit")
    expect(client.locator("#new_password_repeat-error")).to_be_visible()
    client.fill("#new_password_repeat", RESET_PASSWORD)
    client.click("#reset-submit")
    expect(client.locator("#hours-total")).to_be_visible()
    client.goto(link)  # single use
    expect(client.locator("#reset-invalid")).to_be_visible()


def test_repeated_failures_lock_and_the_e_mail_unlocks(browser, portal, db):
    before = last_mail_id(db)
    ctx = browser.new_context(locale="de-DE")  # a language the portal does not offer: the firm's (Polish)
    page = ctx.new_page()
    page.goto(f"{portal['url']}/portal/{portal['address']}")
    expect(page.locator("#portal-login-submit")).to_be_visible()
    page.fill("#email", CLIENT)
    error = page.locator("#portal-login-error")
    seen = []
    deadline = time.monotonic() + 60
    while "login.locked" not in seen and time.monotonic() < deadline:
        page.fill("#password", "not-the-password-at-all")
        page.click("#portal-login-submit")
        expect(page.locator("#portal-login-submit")).to_be_enabled()
        expect(error).to_be_visible()
        text = error.inner_text()
        key = next(k for k in ("login.failed", "login.wait", "login.locked") if text.startswith(msg(k, "pl", seconds=0, minutes=0)[:12]))
        seen.append(key)
        if key == "login.wait":
            time.sleep(int(re.search(r"\d+", text).group(0)))  # the server asked for exactly this pause
    assert seen[:3] == ["login.failed"] * 3 and seen[-1] == "login.locked", seen
    page.fill("#password", RESET_PASSWORD)  # even the right password waits while locked
    page.click("#portal-login-submit")
    expect(error).to_contain_text(msg("login.locked", "pl", minutes=15)[:40])
    shot(page, "portal-04-locked")

    page.goto(last_mail_link(db, "reset", before))  # the unlock e-mail sent when the lock began
    page.fill("#new_password", UNLOCK_PASSWORD)
    page.fill("#new_password_repeat", UNLOCK_PASSWORD)
    page.click("#reset-submit")
    expect(page.locator("#hours-total")).to_be_visible()
    ctx.close()
