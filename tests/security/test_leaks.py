"""What reaches a browser: every websocket frame of every role's visit, and the built JS bundle.

Fail on any password hash, anyone's session secret but the tab's own, a pending invitation token,
another firm's or client's data, or a staff-only field reaching a client.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from tests.security.conftest import ADDRESS_A, firm_a_ids, outbox_token, share_matter
from tests.security.markers import FIRM_A_PRIVATE, FIRM_B_PRIVATE, forbidden_for, found

pytestmark = pytest.mark.e2e

PENDING = "oczekujacy.klient@budmax.example.com"


@pytest.fixture(scope="module")
def pending_token(db, firm_a):
    """An invitation nobody has used yet: its token may only ever be in the e-mail itself."""
    with Session(db, expire_on_commit=False) as s:
        share_matter(s, "2026/014", [PENDING])
        return outbox_token(s, PENDING)


def pages_for(role: str, ids) -> list[str]:
    """Every page the role can reach, plus firm A's private pages it should bounce off."""
    staff = ["/contacts", "/matters", f"/contacts/{ids.contacts[0]}", f"/matters/{ids.matters[0]}",
             "/settings/client-portal", "/dev/mail", f"/dev/mail/{ids.outbox[0]}"]
    portal = [f"/portal/{ADDRESS_A}/{p}" for p in ("dashboard", "invoices", "time-entries", "agreements", "account")]
    public = ["/", "/login", f"/portal/{ADDRESS_A}"]
    return public + staff + portal if role != "admin_a" else public + staff


def cookie(app_server, role) -> list[dict]:
    out = []
    if role.staff_token:
        out.append({"name": "portal_staff_session", "value": role.staff_token, "url": app_server["url"]})
    if role.portal_token:
        out.append({"name": "portal_client_session", "value": role.portal_token, "url": app_server["url"]})
    return out


@pytest.mark.parametrize("role_name", ["nobody", "client_a", "user_a", "admin_b", "admin_a"])
def test_frames_leak_nothing(role_name, roles, db, browser, app_server, pending_token):
    role = roles[role_name]
    ids = firm_a_ids(db)
    ctx = browser.new_context()
    ctx.add_cookies(cookie(app_server, role))
    received: list[str] = []

    def on_socket(ws):
        ws.on("framereceived", lambda payload: received.append(payload if isinstance(payload, str) else payload.decode("utf-8", "replace")))

    page = ctx.new_page()
    page.on("websocket", on_socket)
    try:
        for path in pages_for(role_name, ids):
            page.goto(app_server["url"] + path)
            expect(page.locator("body")).to_be_visible()
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(300)
        text = "\n".join(received)
    finally:
        ctx.close()
    others = [t for r in roles.values() if r.name != role_name for t in (r.staff_token, r.portal_token) if t]
    needles = forbidden_for(role_name) + others + [pending_token]
    assert len(received) > 5, "the websocket frames were not recorded"
    assert found(text, needles) == [], f"{role_name} received what it must not"


def test_bundle_holds_no_data(app_server, roles, pending_token):
    """The built frontend: no database content baked into computed vars, no secrets."""
    build = Path(app_server["env"]["REFLEX_WEB_WORKDIR"])
    files = [p for p in build.rglob("*") if p.is_file() and "node_modules" not in p.parts
             and p.suffix in (".js", ".jsx", ".html", ".json", ".map", ".txt")]
    assert files, "no built frontend found"
    tokens = [t for r in roles.values() for t in (r.staff_token, r.portal_token) if t]
    needles = FIRM_A_PRIVATE + FIRM_B_PRIVATE + ["$2b$", "password_hash", pending_token] + tokens
    hits = {}
    for p in files:
        text = p.read_text(errors="replace")
        if bad := found(text, needles):
            hits[str(p.relative_to(build))] = bad
    assert hits == {}
