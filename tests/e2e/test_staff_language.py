"""The staff language switch sticks: chosen in the user menu, it is the account's language on every
page, reload and later sign-in; chosen on the login page, it becomes the account's at the sign-in.

A staff member of their own (created in the app's database), so the demo logins other files use
keep speaking Polish.
"""

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, create_engine, select

from portal_app.i18n import translate
from portal_app.models import Firm, StaffUser
from portal_app.services.passwords import hash_password
from tests.e2e.conftest import shot, staff_login

pytestmark = pytest.mark.e2e

EMAIL = "jezyk@nowak.example.com"
PASSWORD = "Dwujęzyczny-Aplikant-2026"


def _language(app_server) -> str:
    with Session(create_engine(app_server["db"])) as s:
        return s.exec(select(StaffUser.language).where(StaffUser.email == EMAIL)).one()


@pytest.fixture(scope="module")
def polish_user(app_server):
    with Session(create_engine(app_server["db"])) as s:
        firm = s.exec(select(Firm).where(Firm.name == "Kancelaria Nowak i Wspólnicy")).one()
        s.add(StaffUser(firm_id=firm.id, email=EMAIL, name="Jan Język", role="user",
                        password_hash=hash_password(PASSWORD), language="pl"))
        s.commit()


def test_the_chosen_language_stays_on_every_page_and_the_next_sign_in(app_server, browser, polish_user):
    url = app_server["url"]
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="pl-PL")
    page = ctx.new_page()

    # The login page: EN switches the page (nobody is signed in yet, the account stays Polish); the
    # demo hint shows because this database holds the demo logins. A mistyped address keeps it.
    page.goto(url + "/login")
    expect(page.locator("#login-demo-hint")).to_be_visible()
    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("#login-submit")).to_have_text(translate("en", "login.submit"))
    assert _language(app_server) == "pl"
    page.goto(url + "/no-such-page")  # a Polish browser, but English was chosen in this tab
    expect(page.locator("#not-found")).to_have_text(translate("en", "not_found.title"))

    # Signing in after choosing English: English it is, from now on the account's language.
    staff_login(page, url, EMAIL, PASSWORD)
    expect(page.get_by_role("heading", name=translate("en", "contacts.title"))).to_be_visible()
    assert _language(app_server) == "en"
    expect(page).to_have_title("Contacts · Lexportal")
    assert page.evaluate("document.documentElement.lang") == "en"

    # The user menu: Polish is kept on the account, on every page and reload.
    page.click("#user-menu")
    page.get_by_role("menuitem", name=translate("en", "common.lang.pl")).click()
    expect(page.get_by_role("heading", name=translate("pl", "contacts.title"))).to_be_visible()
    page.get_by_role("link", name=translate("pl", "nav.matters")).click()
    expect(page.get_by_role("heading", name=translate("pl", "matters.title"))).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name=translate("pl", "matters.title"))).to_be_visible()
    assert _language(app_server) == "pl"
    expect(page).to_have_title("Sprawy · Lexportal")  # the tab and <html lang> speak Polish too
    assert page.evaluate("document.documentElement.lang") == "pl"

    page.click("#user-menu")
    page.get_by_role("menuitem", name=translate("pl", "common.lang.en")).click()
    expect(page.get_by_role("heading", name=translate("en", "matters.title"))).to_be_visible()
    assert _language(app_server) == "en"
    shot(page, "lang-01-matters-english")

    # The next sign-in on this tab, with nothing chosen on the login page: the account's language.
    page.click("#user-menu")
    page.click("#log-out")
    expect(page.locator("#login-submit")).to_be_visible()
    staff_login(page, url, EMAIL, PASSWORD)
    expect(page.get_by_role("heading", name=translate("en", "contacts.title"))).to_be_visible()
    assert _language(app_server) == "en"
    ctx.close()
