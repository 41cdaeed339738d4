"""Sessions: fixation, replay after logout, sign-out of other sessions, idle and absolute time-outs."""

import json
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import text
from sqlmodel import Session, select

from portal_app.models import AuthSession
from portal_app.models.base import utcnow
from portal_app.services.identity import ABSOLUTE_TIMEOUT, IDLE_TIMEOUT, token_hash
from tests.security import reflex_client
from tests.security.conftest import (
    ADDRESS_A, CLIENT_EMAIL, CLIENT_PASSWORD, PASSWORD, SHARED_MATTER, USER_A, Role, outbox_token, register_client,
    share_matter,
)
from tests.security.reflex_client import PORTAL, STAFF

pytestmark = pytest.mark.e2e

PORTAL_LOGIN = PORTAL + ".portal_app___state___portal____portal_login_state.log_in"
ACCOUNT = PORTAL + ".portal_app___state___portal____account_state"
INVOICES = PORTAL + ".portal_app___state___portal____invoices_state"
CONTACTS = STAFF + ".portal_app___state___cards____contacts_state"
PORTAL_COOKIE, STAFF_COOKIE = "portal_token_rx_state_", "staff_token_rx_state_"


def staff_login(tab, email=USER_A, password=PASSWORD) -> str:
    """Log in over the socket; returns the session secret the server handed the tab."""
    updates = tab.call_until(STAFF + ".log_in", {"form_data": {"email": email, "password": password}}, "login_busy", False, path="/login")
    tokens = [v for u in updates for d in (u.get("delta") or {}).values() for k, v in d.items() if k == "staff_token_rx_state_"]
    assert tokens and tokens[-1], f"login failed: {updates}"
    return tokens[-1]


def portal_login(tab, email: str, password: str) -> str:
    updates = tab.call_until(PORTAL_LOGIN, {"form_data": {"email": email, "password": password}}, "busy", False,
                             path=f"/portal/{ADDRESS_A}")
    tokens = [v for u in updates for d in (u.get("delta") or {}).values() for k, v in d.items() if k == "portal_token_rx_state_"]
    assert tokens and tokens[-1], f"login failed: {updates}"
    return tokens[-1]


def staff_in(connect, token: str) -> bool:
    """Does this secret open a staff page? (the on_load guard sends strangers to /login)"""
    tab = connect(Role("probe", staff_token=token), path="/contacts")
    return "/login" not in tab.redirects() and "Budmax" in tab.text()


def client_in(connect, token: str) -> bool:
    tab = connect(Role("probe", portal_token=token), path=f"/portal/{ADDRESS_A}/dashboard")
    return f"/portal/{ADDRESS_A}" not in tab.redirects() and "signed_in_rx_state_\": true" in tab.text()


def test_session_fixation_over_the_socket(connect, db):
    chosen = "attacker-chosen-secret-0123456789abcdef"
    tab = connect(Role("fixer", staff_token=chosen), path="/login")
    issued = staff_login(tab)
    assert issued != chosen
    with db.connect() as c:
        assert c.execute(text("select count(*) from auth_session where token_hash=:h"), {"h": token_hash(chosen)}).scalar() == 0
    assert staff_in(connect, issued)
    assert not staff_in(connect, chosen)


def test_session_fixation_in_the_browser(browser, app_server):
    ctx = browser.new_context()
    chosen = "planted-by-attacker-0123456789abcdefXYZ"
    ctx.add_cookies([{"name": "portal_staff_session", "value": chosen, "url": app_server["url"]}])
    page = ctx.new_page()
    page.goto(app_server["url"] + "/login")
    page.fill("#email", USER_A)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    expect(page).to_have_url(re.compile(r"/contacts$"))
    value = {c["name"]: c["value"] for c in ctx.cookies()}["portal_staff_session"]
    ctx.close()
    assert value != chosen and len(value) >= 40


def test_logout_then_replay(connect):
    tab = connect(path="/login")
    secret = staff_login(tab)
    assert staff_in(connect, secret)
    tab.call(STAFF + ".log_out", {}, path="/contacts")
    assert not staff_in(connect, secret)


def test_portal_logout_then_replay(connect, roles):
    tab = connect(path=f"/portal/{ADDRESS_A}")
    secret = portal_login(tab, CLIENT_EMAIL, CLIENT_PASSWORD)
    assert client_in(connect, secret)
    tab.call(PORTAL + ".log_out", {}, path=f"/portal/{ADDRESS_A}/dashboard")
    assert not client_in(connect, secret)
    assert client_in(connect, roles["client_a"].portal_token), "logging out one tab ended another session"


def test_password_change_signs_out_other_sessions(connect, db, firm_a):
    email, old, new = "zmiana.hasla@budmax.example.com", "stare-haslo-do-portalu-1", "nowe-haslo-do-portalu-2"
    with Session(db, expire_on_commit=False) as s:
        share_matter(s, "2026/014", [email])
        register_client(s, outbox_token(s, email), password=old)
    laptop, phone = connect(path=f"/portal/{ADDRESS_A}"), connect(path=f"/portal/{ADDRESS_A}")
    laptop_secret, phone_secret = portal_login(laptop, email, old), portal_login(phone, email, old)

    account = connect(Role("laptop", portal_token=laptop_secret), path=f"/portal/{ADDRESS_A}/account")
    account.call_until(ACCOUNT + ".change_password", {"form_data": {
        "current_password": old, "new_password": new, "new_password_repeat": new}}, "busy", False)
    assert not client_in(connect, phone_secret)
    assert client_in(connect, laptop_secret)


@pytest.mark.parametrize("column,age", [("last_seen_at", IDLE_TIMEOUT), ("created_at", ABSOLUTE_TIMEOUT)])
def test_time_outs(column, age, connect, db):
    tab = connect(path="/login")
    secret = staff_login(tab)
    assert staff_in(connect, secret)
    old = utcnow() - age - timedelta(minutes=1)
    with Session(db) as s:
        row = s.exec(select(AuthSession).where(AuthSession.token_hash == token_hash(secret))).one()
        setattr(row, column, old)
        s.add(row)
        s.commit()
    assert not staff_in(connect, secret)
    with db.connect() as c:
        assert c.execute(text("select count(*) from auth_session where token_hash=:h"), {"h": token_hash(secret)}).scalar() == 0


def same_tab(connect, tab, role: Role, path: str):
    """The tab `tab` reconnecting (a network blip, a worker restart): same client token, same cookie."""
    tab.close()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(reflex_client.uuid, "uuid4", lambda: tab.token)
        again = connect(role, path=path)
    assert again.token == tab.token
    return again


def end_session_in_database(db, secret: str) -> None:
    """What an idle time-out or "a new password signs out everywhere" does to this session."""
    with db.begin() as c:
        assert c.execute(text("delete from auth_session where token_hash=:h"), {"h": token_hash(secret)}).rowcount == 1


def test_an_ended_portal_session_is_not_resent_to_its_tab(connect, db, firm_a):
    email, password = "wygasla.sesja@budmax.example.com", "granitowy-most-nad-Wisłą-41"
    with Session(db, expire_on_commit=False) as s:
        share_matter(s, SHARED_MATTER, [email])
        register_client(s, outbox_token(s, email), password=password, first="Renata", last="Wygasła")
    secret = portal_login(connect(path=f"/portal/{ADDRESS_A}"), email, password)
    role, page = Role("renata", portal_token=secret), f"/portal/{ADDRESS_A}/invoices"
    tab = connect(role, path=page)
    private = ["FV/2026/101", "FV/2026/087", "Renata Wygasła", "2026/014 Spór z podwykonawcą"]
    assert all(text_ in tab.text() for text_ in private), "the invoices page did not load signed in"
    tab = same_tab(connect, tab, role, page)
    snapshot = json.dumps(tab.initial[0], ensure_ascii=False)
    assert all(text_ in snapshot for text_ in private), "a live session's tab lost its state on reconnect"

    end_session_in_database(db, secret)
    again = same_tab(connect, tab, role, page)
    assert f"/portal/{ADDRESS_A}" in again.redirects()
    leaked = [text_ for text_ in private if text_ in again.text()]
    assert not leaked, f"the reconnected tab was sent data of the ended session: {leaked}"
    assert again.state(again.initial).get(INVOICES, {}).get("rows_rx_state_", []) == []


def test_an_ended_staff_session_is_not_resent_to_its_tab(connect, db):
    secret = staff_login(connect(path="/login"))
    role = Role("piotr", staff_token=secret)
    tab = connect(role, path="/contacts")
    private = ["Budmax", "Łazar Logistics", "Piotr Zieliński"]
    assert all(text_ in tab.text() for text_ in private), "the contacts page did not load signed in"

    end_session_in_database(db, secret)
    again = same_tab(connect, tab, role, "/contacts")
    assert "/login" in again.redirects()
    leaked = [text_ for text_ in private if text_ in again.text()]
    assert not leaked, f"the reconnected tab was sent data of the ended session: {leaked}"


def test_an_open_tab_forgets_what_an_ended_session_loaded(connect, db, firm_a):
    """The session ends while the tab stays connected: its next event clears the rows it holds."""
    email, password = "koniec.sesji@budmax.example.com", "zielony-kajak-na-Warcie-58"
    with Session(db, expire_on_commit=False) as s:
        share_matter(s, SHARED_MATTER, [email])
        register_client(s, outbox_token(s, email), password=password, first="Olga", last="Zamknięta")
    secret = portal_login(connect(path=f"/portal/{ADDRESS_A}"), email, password)
    client = connect(Role("olga", portal_token=secret), path=f"/portal/{ADDRESS_A}/invoices")
    assert "FV/2026/101" in client.text()
    staff_secret = staff_login(connect(path="/login"))
    staff = connect(Role("piotr", staff_token=staff_secret), path="/contacts")
    assert "Budmax" in staff.text()

    end_session_in_database(db, secret)
    end_session_in_database(db, staff_secret)
    portal_view = client.state(client.call(INVOICES + ".go", {"delta": 1}, path=f"/portal/{ADDRESS_A}/invoices"))
    assert portal_view[INVOICES]["rows_rx_state_"] == []
    assert portal_view[PORTAL]["user_name_rx_state_"] == "" and portal_view[PORTAL]["card_options_rx_state_"] == []
    staff_view = staff.state(staff.call(CONTACTS + ".go", {"delta": 1}, path="/contacts"))
    assert staff_view[CONTACTS]["rows_rx_state_"] == []
    assert staff_view[STAFF]["staff_name_rx_state_"] == ""
    assert PORTAL_COOKIE not in json.dumps(portal_view) and STAFF_COOKIE not in json.dumps(staff_view), (
        "a stale tab must not write its cookie: it would overwrite a newer session of the same browser"
    )
