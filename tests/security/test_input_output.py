"""Input and output: hostile names stay text in pages and e-mails, no header injection, no open redirects,
one identity per e-mail address."""

import ast
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from portal_app.models import Contact, Matter, OutboxMessage, PortalSettings
from portal_app.services.errors import ServiceError
from portal_app.services.identity import canonical_email
from tests.conftest import PROJECT_ROOT
from tests.security.conftest import (
    ADDRESS_A, PASSWORD, USER_A, browser_login, firm_a_ids, outbox_token, register_client, share_matter,
)
from tests.security.reflex_client import STAFF

pytestmark = pytest.mark.e2e

XSS_CONTACT = '<img src=x onerror="window.__xss=1">Zła & Spółka'
XSS_MATTER = "2026/666"
XSS_TITLE = "<script>window.__xss=2</script>Sprawa <b>pogrubiona</b>"
XSS_PERSON = "<svg onload=window.__xss=3>"


@pytest.fixture(scope="module")
def hostile_matter(db, firm_a) -> int:
    ids = firm_a_ids(db)
    with Session(db, expire_on_commit=False) as s:
        contact = Contact(firm_id=ids.firm, name=XSS_CONTACT, kind="company", email="zla@example.com")
        s.add(contact)
        s.flush()
        matter = Matter(firm_id=ids.firm, contact_id=contact.id, number=XSS_MATTER, title=XSS_TITLE)
        s.add(matter)
        s.commit()
        return matter.id


def staff_page(browser, app_server, roles):
    ctx = browser.new_context()
    ctx.add_cookies([{"name": "portal_staff_session", "value": roles["admin_a"].staff_token, "url": app_server["url"]}])
    return ctx, ctx.new_page()


def test_hostile_names_render_as_text_in_staff_pages(hostile_matter, browser, app_server, roles):
    ctx, page = staff_page(browser, app_server, roles)
    try:
        page.goto(f"{app_server['url']}/matters/{hostile_matter}")
        expect(page.locator("#card-title")).to_contain_text("<script>")
        expect(page.get_by_text(XSS_CONTACT).first).to_be_visible()
        page.goto(f"{app_server['url']}/contacts")
        expect(page.get_by_text(XSS_CONTACT).first).to_be_visible()
        assert page.evaluate("window.__xss") is None
    finally:
        ctx.close()


def test_hostile_names_are_escaped_in_emails(hostile_matter, db, browser, app_server, roles):
    email = "odbiorca.xss@example.com"
    with Session(db, expire_on_commit=False) as s:
        share_matter(s, XSS_MATTER, [email])
        msg = s.exec(select(OutboxMessage).where(OutboxMessage.to_email == email)).one()
    assert "<script>window" not in msg.html and "<img src=x" not in msg.html
    assert "&lt;script&gt;" in msg.html
    assert "<script>window.__xss=2</script>" in msg.text  # plain text stays literal
    ctx, page = staff_page(browser, app_server, roles)
    try:
        page.goto(f"{app_server['url']}/dev/mail/{msg.id}")
        expect(page.locator("#mail-to")).to_have_text(email)
        sandbox = page.locator("#mail-html").get_attribute("sandbox") or ""
        assert "allow-scripts" not in sandbox and "allow-same-origin" not in sandbox
        assert page.evaluate("window.__xss") is None
    finally:
        ctx.close()


def test_no_header_injection_through_names(db, firm_a):
    email = "naglowki@example.com"
    with Session(db, expire_on_commit=False) as s:
        row = s.exec(select(PortalSettings).where(PortalSettings.address == ADDRESS_A)).one()
        original = row.company_name
        row.company_name = "Nowak\r\nBcc: ofiara@evil.example.com\r\nX-Injected: 1"
        s.add(row)
        s.commit()
        try:
            share_matter(s, "2026/021", [email])
            msg = s.exec(select(OutboxMessage).where(OutboxMessage.to_email == email)).one()
        finally:
            row.company_name = original
            s.add(row)
            s.commit()
    assert "\r" not in msg.subject and "\n" not in msg.subject
    assert "\r" not in msg.to_email and "\n" not in msg.to_email


def test_hostile_person_name_renders_as_text_in_the_portal(db, firm_a, browser, app_server):
    email, password = "skrypt.osoba@budmax.example.com", "fioletowy-kapelusz-w-deszczu-5"
    with Session(db, expire_on_commit=False) as s:
        share_matter(s, "2026/014", [email])
        register_client(s, outbox_token(s, email), password=password, first=XSS_PERSON, last="<i>Kursywa</i>")
    token = browser_login(browser, app_server["url"], email, password, portal=ADDRESS_A)
    ctx = browser.new_context()
    ctx.add_cookies([{"name": "portal_client_session", "value": token, "url": app_server["url"]}])
    page = ctx.new_page()
    try:
        for sub in ("dashboard", "account"):
            page.goto(f"{app_server['url']}/portal/{ADDRESS_A}/{sub}")
            page.wait_for_load_state("networkidle")
        expect(page.locator("body")).to_contain_text("Kursywa")
        assert page.evaluate("window.__xss") is None
        assert page.locator("i", has_text="Kursywa").count() == 0
    finally:
        ctx.close()


def redirect_targets() -> list[str]:
    """The source of every rx.redirect target in the app."""
    out = []
    for path in (PROJECT_ROOT / "portal_app").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "rx.redirect" and node.args:
                out.append(f"{path.name}: {ast.unparse(node.args[0])}")
    return out


def test_redirects_never_take_user_input():
    """Every target is a route constant or a builder fed by server-side values (no next=, no query)."""
    targets = redirect_targets()
    assert targets
    for target in targets:
        expr = target.split(": ", 1)[1]
        assert re.match(r"^(routes\.|'/portal/' \+ PortalState\.portal_address)", expr), target
        assert "router" not in expr and "query" not in expr and "next" not in expr, target


def test_next_parameter_is_ignored(browser, app_server):
    ctx = browser.new_context()
    page = ctx.new_page()
    try:
        page.goto(app_server["url"] + "/login?next=https://evil.example.com/&redirect=javascript:alert(1)")
        page.fill("#email", USER_A)
        page.fill("#password", PASSWORD)
        page.click("#login-submit")
        expect(page).to_have_url(re.compile(re.escape(app_server["url"]) + r"/contacts$"))
    finally:
        ctx.close()


def test_address_case_is_one_identity(connect):
    tab = connect(path="/login")
    updates = tab.call_until(STAFF + ".log_in", {"form_data": {"email": "  ASYSTENT@Nowak.EXAMPLE.com ", "password": PASSWORD}},
                             "login_busy", False, path="/login")
    assert "/contacts" in tab.redirects(updates)


LOOK_ALIKES = [
    ("j\u0430n@budmax.example.com", "Cyrillic а in the local part"),
    ("jan@b\u0443dmax.example.com", "Cyrillic у in the domain"),
    ("\uff4a\uff41\uff4e@budmax.example.com", "full-width letters"),
]


@pytest.mark.parametrize("address,why", LOOK_ALIKES, ids=[w for _, w in LOOK_ALIKES])
def test_look_alike_addresses_are_one_identity_or_refused(address, why):
    try:
        assert canonical_email(address) == "jan@budmax.example.com"
    except ServiceError:
        pass
