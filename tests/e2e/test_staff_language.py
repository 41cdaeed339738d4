"""The staff language switch sticks: chosen in the user menu, it is the account's language on every
page, reload and later sign-in; on the login page it only switches that page.

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
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()

    # The login page: EN switches this page only (nobody is signed in); the demo hint shows
    # because this database holds the demo logins.
    page.goto(url + "/login")
    expect(page.locator("#login-demo-hint")).to_be_visible()
    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("#login-submit")).to_have_text(translate("en", "login.submit"))
    staff_login(page, url, EMAIL, PASSWORD)
    expect(page.get_by_role("heading", name=translate("pl", "contacts.title"))).to_be_visible()
    assert _language(app_server) == "pl"

    # The user menu: English is kept on the account.
    page.click("#user-menu")
    page.get_by_role("menuitem", name="English").click()
    expect(page.get_by_role("heading", name=translate("en", "contacts.title"))).to_be_visible()
    page.get_by_role("link", name=translate("en", "nav.matters")).click()
    expect(page.get_by_role("heading", name=translate("en", "matters.title"))).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name=translate("en", "matters.title"))).to_be_visible()
    assert _language(app_server) == "en"
    shot(page, "lang-01-matters-english")

    page.click("#user-menu")
    page.click("#log-out")
    expect(page.locator("#login-submit")).to_be_visible()
    staff_login(page, url, EMAIL, PASSWORD)
    expect(page.get_by_role("heading", name=translate("en", "contacts.title"))).to_be_visible()
    ctx.close()
