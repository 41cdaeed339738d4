"""Sharing a card and what invitations lead to, in headless Chromium (issue 4: CP-2, CP-3).

Uses its own portal address and the Łazar Logistics contact and its matter 2025/118, which no
other browser test touches; the tests run in order and build on each other's sharing.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, create_engine, func, select

from portal_app import routes
from portal_app.models import (
    Contact,
    Firm,
    Invitation,
    Matter,
    OutboxMessage,
    PortalSettings,
    PortalUser,
    Share,
    ShareRecipient,
)
from portal_app.models.base import utcnow
from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e

ADDRESS = "udostepnianie-test"
STAFF_PASSWORD = "Demo-Portal-2026"
CLIENT_PASSWORD = "Windykacja-Trans-Pol-2025"
ANNA = "anna.lazar@lazar.example.com"
PIOTR = "piotr.lazar@lazar.example.com"
EWA = "ewa@lazar.example.com"
MARTA = "marta@lazar.example.com"


@pytest.fixture(scope="module")
def db(app_server):
    """The app's own database, for set-up and for checking what was (not) stored."""
    engine = create_engine(app_server["db"])
    yield engine
    engine.dispose()


FIELDS = ("enabled", "address", "company_name", "contact_email")


@pytest.fixture(scope="module")
def cards(db):
    """Enable Kancelaria Nowak's portal at this file's own address; the Łazar contact and matter ids.

    The firm's portal settings are put back afterwards, so other test files find them as they were.
    """
    with Session(db) as s:
        firm = s.exec(select(Firm).where(Firm.name == "Kancelaria Nowak i Wspólnicy")).one()
        settings = s.exec(select(PortalSettings).where(PortalSettings.firm_id == firm.id)).one()
        settings_id, before = settings.id, {name: getattr(settings, name) for name in FIELDS}
        settings.enabled, settings.address = True, ADDRESS
        settings.company_name, settings.contact_email = "Kancelaria Nowak i Wspólnicy", "biuro@nowak.example.com"
        s.add(settings)
        s.commit()
        contact = s.exec(select(Contact).where(Contact.name == "Łazar Logistics S.A.")).one()
        matter = s.exec(select(Matter).where(Matter.number == "2025/118")).one()
        ids = {"contact": contact.id, "matter": matter.id}
    yield ids
    with Session(db) as s:
        settings = s.get(PortalSettings, settings_id)
        for name, value in before.items():
            setattr(settings, name, value)
        s.add(settings)
        s.commit()


@pytest.fixture(scope="module")
def admin(app_server, browser, cards):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.goto(app_server["url"] + routes.LOGIN)
    page.fill("#email", "admin@nowak.example.com")
    page.fill("#password", STAFF_PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#contacts-table")).to_be_visible()
    yield page
    ctx.close()


@pytest.fixture(scope="module")
def clients(browser):
    """One browser context per client person, kept open across the tests like real open tabs.

    Polish browsers: a portal's first page speaks the browser's language where it offers it."""
    contexts = {}

    def get(name: str):
        if name not in contexts:
            contexts[name] = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Europe/Warsaw", locale="pl-PL")
        return contexts[name]

    yield get
    for ctx in contexts.values():
        ctx.close()


def open_dialog(page, url: str, path: str) -> None:
    page.goto(url + path)
    expect(page.locator("#card-title")).to_be_visible()
    page.click("#card-settings")
    page.click("#card-settings-client-portal")
    expect(page.locator("#share-dialog")).to_be_visible()


def recipient(page, email: str):
    return page.locator(f'.share-recipient[data-email="{email}"]')


def outbox_to(db, email: str) -> list[OutboxMessage]:
    with Session(db) as s:
        return list(s.exec(select(OutboxMessage).where(OutboxMessage.to_email == email).order_by(OutboxMessage.id)))


def link_in(message: OutboxMessage) -> str:
    return re.search(r"https?://\S+/invite/[A-Za-z0-9_-]+", message.text).group(0)


def register(page, link: str, first: str, last: str) -> None:
    page.goto(link)
    expect(page.locator("#first_name")).to_be_visible()
    page.fill("#first_name", first)
    page.fill("#last_name", last)
    page.fill("#password", CLIENT_PASSWORD)
    page.fill("#password_repeat", CLIENT_PASSWORD)
    page.click("#register-submit")


def invoice_numbers(page) -> list[str]:
    return [t.split()[0] for t in page.locator(".invoice-row").all_inner_texts()]


def test_an_invalid_address_blocks_the_save_then_three_invitations_go_out(app_server, admin, db, cards):
    url = app_server["url"]
    open_dialog(admin, url, routes.contact_url(cards["contact"]))
    expect(admin.locator("#share-dialog")).to_contain_text("Łazar Logistics S.A.")
    pasted = f'{ANNA}; "Łazar, Piotr" <{PIOTR}>\newa@lazar'
    admin.fill("#share-addresses", pasted)
    admin.click("#share-save")
    expect(admin.locator(".bad-address")).to_have_text(["ewa@lazar"])
    expect(admin.locator("#share-error")).to_contain_text("ewa@lazar")
    expect(admin.locator(".share-recipient")).to_have_count(0)
    expect(admin.locator("#share-addresses")).to_have_value(pasted)  # what was pasted is kept
    with Session(db) as s:
        assert s.exec(select(func.count()).select_from(ShareRecipient).where(
            ShareRecipient.email.in_([ANNA, PIOTR, EWA]))).one() == 0
        assert s.exec(select(Share).where(Share.contact_id == cards["contact"])).first() is None
    assert outbox_to(db, ANNA) == outbox_to(db, PIOTR) == []
    shot(admin, "sharing-01-bad-address")

    admin.fill("#share-addresses", f'{ANNA}; "Łazar, Piotr" <{PIOTR}>\n  EWA@Lazar.example.com , {ANNA.upper()}')
    admin.click("#share-save")
    expect(admin.locator("#share-message")).to_contain_text("3")
    expect(admin.locator(".bad-address")).to_have_count(0)
    expect(admin.locator(".share-recipient")).to_have_count(3)
    for email in (ANNA, EWA, PIOTR):
        expect(recipient(admin, email)).to_contain_text("Zaproszenie oczekuje")
    # The background send refreshed the badges: each mail is in the development outbox.
    for email in (ANNA, EWA, PIOTR):
        expect(recipient(admin, email)).to_contain_text("W skrzynce deweloperskiej")
    expect(admin.locator("#share-recipients")).not_to_contain_text("Wysyłanie")
    for email in (ANNA, PIOTR, EWA):
        (mail,) = outbox_to(db, email)
        assert "Wyświetl kontakt" in mail.html and "„Łazar Logistics S.A.”" in mail.text
        assert f"/portal/{ADDRESS}/invite/" in link_in(mail)

    admin.goto(url + routes.DEV_MAIL)
    for email in (ANNA, PIOTR, EWA):
        expect(admin.locator("#mail-table tr", has_text=email)).to_have_count(1)
    shot(admin, "sharing-02-three-invitations")


def test_the_dialog_shows_who_registered(app_server, admin, db, cards, clients):
    anna = clients("anna").new_page()
    register(anna, link_in(outbox_to(db, ANNA)[-1]), "Anna", "Łazar")
    expect(anna.locator("#hours-total")).to_be_visible()

    open_dialog(admin, app_server["url"], routes.contact_url(cards["contact"]))
    expect(recipient(admin, ANNA)).to_contain_text("Zarejestrowany")
    for email in (PIOTR, EWA):
        expect(recipient(admin, email)).to_contain_text("Zaproszenie oczekuje")
    expect(recipient(admin, ANNA)).to_contain_text("Zaproszono")

    # Pasting someone already on the card invites nobody twice.
    admin.fill("#share-addresses", f"Anna <{ANNA.upper()}>")
    admin.click("#share-save")
    expect(admin.locator("#share-message")).to_contain_text(ANNA)
    assert len(outbox_to(db, ANNA)) == 1

    # A registered person gets "a new matter is available", and shows as registered at once.
    open_dialog(admin, app_server["url"], routes.matter_url(cards["matter"]))
    for status in ("approved", "partially_paid"):
        admin.click(f"#share-status-{status}")
        expect(admin.locator(f"#share-status-{status}")).to_have_attribute("data-state", "unchecked")
    expect(admin.locator("#share-status-paid")).to_have_attribute("data-state", "checked")
    admin.fill("#share-addresses", ANNA)
    admin.click("#share-save")
    expect(recipient(admin, ANNA)).to_contain_text("Zarejestrowany")
    mail = outbox_to(db, ANNA)[-1]
    assert "jest dostępna nowa sprawa" in mail.text and "Wyświetl sprawę" in mail.html
    assert "założyć konto" not in mail.text
    shot(admin, "sharing-03-registered")


def test_removing_an_address_ends_access_in_an_open_portal_tab(app_server, admin, db, cards, clients):
    url = app_server["url"]
    anna = clients("anna").pages[0]
    anna.click("#portal-nav-invoices")
    expect(anna.locator(".invoice-row")).to_have_count(2)
    assert sorted(invoice_numbers(anna)) == ["FV/2026/040", "FV/2026/051"]

    open_dialog(admin, url, routes.contact_url(cards["contact"]))
    recipient(admin, ANNA).locator(".share-remove").click()
    expect(recipient(admin, ANNA)).to_have_count(0)
    expect(admin.locator("#share-message")).to_contain_text(ANNA)
    expect(admin.locator(".share-recipient")).to_have_count(2)

    # The open tab loses the contact card on its next action; the matter card (paid only) stays.
    anna.click("#portal-nav-invoices")
    expect(anna.locator(".invoice-row")).to_have_count(1)
    assert invoice_numbers(anna) == ["FV/2026/040"]
    shot(anna, "sharing-04-after-revoke")

    # Taking the matter away too leaves nothing, and the old contact link says access ended.
    open_dialog(admin, url, routes.matter_url(cards["matter"]))
    recipient(admin, ANNA).locator(".share-remove").click()
    expect(recipient(admin, ANNA)).to_have_count(0)
    anna.click("#portal-nav-agreements")
    expect(anna.locator("#agreements-table-empty")).to_be_visible()
    anna.click("#portal-nav-invoices")
    expect(anna.locator("#invoices-table-empty")).to_be_visible()
    expect(anna.locator(".invoice-row")).to_have_count(0)
    anna.goto(link_in(outbox_to(db, ANNA)[0]))
    expect(anna.locator("#invite-dead-end")).to_have_text("Dostęp zakończony")


def test_resend_sends_a_new_mail_whose_link_works(app_server, admin, db, cards, clients):
    first = outbox_to(db, PIOTR)
    assert len(first) == 1
    open_dialog(admin, app_server["url"], routes.contact_url(cards["contact"]))
    recipient(admin, PIOTR).locator(".share-resend").click()
    expect(admin.locator("#share-message")).to_contain_text(PIOTR)
    mails = outbox_to(db, PIOTR)
    assert len(mails) == 2
    assert link_in(mails[1]) != link_in(mails[0])

    piotr = clients("piotr").new_page()
    register(piotr, link_in(mails[1]), "Piotr", "Łazar")
    piotr.click("#portal-nav-invoices")
    expect(piotr.locator(".invoice-row")).to_have_count(2)
    with Session(db) as s:
        assert s.exec(select(func.count()).select_from(PortalUser).where(PortalUser.email == PIOTR)).one() == 1


def test_a_link_registers_once_and_the_second_attempt_gets_a_clear_page(app_server, db, clients):
    link = link_in(outbox_to(db, EWA)[-1])
    first, second = clients("ewa").new_page(), clients("ewa-again").new_page()
    for page in (first, second):
        page.goto(link)
        expect(page.locator("#first_name")).to_be_visible()
    register(first, link, "Ewa", "Łazar")
    expect(first.locator("#hours-total")).to_be_visible()

    second.fill("#first_name", "Someone")
    second.fill("#last_name", "Else")
    second.fill("#password", CLIENT_PASSWORD + "-2")
    second.fill("#password_repeat", CLIENT_PASSWORD + "-2")
    second.click("#register-submit")
    # Not a form error: the account exists now, so the link leads to the login form (the address
    # not filled in: the link does not tell who registered).
    expect(second.locator("#invite-login-note")).to_contain_text("Masz już konto")
    expect(second.locator("#email")).to_have_value("")
    expect(second.locator("#first_name")).to_have_count(0)
    expect(second.locator("#hours-total")).to_have_count(0)
    second.goto(link)
    expect(second.locator("#portal-login-submit")).to_be_visible()
    expect(second.locator("#email")).to_have_value("")
    expect(second.locator("#first_name")).to_have_count(0)
    shot(second, "sharing-05-used-link")
    with Session(db) as s:
        users = s.exec(select(PortalUser).where(PortalUser.email == EWA)).all()
        assert [(u.first_name, u.last_name) for u in users] == [("Ewa", "Łazar")]


def test_an_expired_link_gets_a_clear_page_and_a_resend_works(app_server, admin, db, cards, clients):
    url = app_server["url"]
    open_dialog(admin, url, routes.matter_url(cards["matter"]))
    admin.fill("#share-addresses", MARTA)
    admin.click("#share-save")
    expect(recipient(admin, MARTA)).to_be_visible()
    (mail,) = outbox_to(db, MARTA)
    with Session(db) as s:
        rid = s.exec(select(ShareRecipient.id).where(ShareRecipient.email == MARTA)).one()
        inv = s.exec(select(Invitation).where(Invitation.recipient_id == rid)).one()
        inv.expires_at = utcnow() - timedelta(minutes=1)
        s.add(inv)
        s.commit()

    marta = clients("marta").new_page()
    marta.goto(link_in(mail))
    expect(marta.locator("#invite-dead-end")).to_have_text("Zaproszenie wygasło")
    expect(marta.locator("#first_name")).to_have_count(0)
    shot(marta, "sharing-06-expired-link")

    recipient(admin, MARTA).locator(".share-resend").click()
    expect(admin.locator("#share-message")).to_contain_text(MARTA)
    fresh = outbox_to(db, MARTA)[-1]
    assert "Wyświetl sprawę" in fresh.html
    marta.goto(link_in(fresh))
    expect(marta.locator("#first_name")).to_be_visible()
    expect(marta.locator("#register-email")).to_have_value(MARTA)


def test_a_failed_send_shows_retrying_in_the_dialog(app_server, admin, db, cards):
    with Session(db) as s:
        rid = s.exec(select(ShareRecipient.id).where(ShareRecipient.email == MARTA)).one()
        message = s.exec(select(OutboxMessage).where(OutboxMessage.recipient_id == rid)
                         .order_by(OutboxMessage.id.desc())).first()
        message.status, message.attempts = "retrying", 2
        message.next_attempt_at = utcnow() + timedelta(hours=1)  # the worker leaves it alone meanwhile
        message.last_error = "SMTPConnectNetworkError: relay down"
        s.add(message)
        s.commit()
    open_dialog(admin, app_server["url"], routes.matter_url(cards["matter"]))
    expect(recipient(admin, MARTA)).to_contain_text("Jeszcze nie dostarczono, ponawiamy")
    expect(admin.locator("#share-recipients")).to_contain_text("ponawiamy")
    shot(admin, "sharing-07-retrying")
