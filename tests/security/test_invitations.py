"""Invitation links: used once, never twice at once, not after expiry or revocation, never for another address."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from portal_app.models import Invitation, PortalUser, ShareRecipient
from portal_app.models.base import utcnow
from portal_app.services import client_portal, sharing
from portal_app.services.errors import ServiceError
from portal_app.services.identity import token_hash
from portal_app.services.portal_settings import brand_for_address
from tests.security.conftest import (
    ADDRESS_A, ADMIN_A, CLIENT_EMAIL, outbox_token, register_client, share_matter, staff_identity,
)
from tests.security.reflex_client import PORTAL

pytestmark = pytest.mark.e2e

INVITE = PORTAL + ".portal_app___state___portal____invite_state"
GOOD = {"first_name": "Jan", "last_name": "Nowy", "password": "zielony-parasol-nad-Odrą-9",
        "password_repeat": "zielony-parasol-nad-Odrą-9", "timezone": "Europe/Warsaw"}


def invite(db, email: str) -> str:
    with Session(db, expire_on_commit=False) as s:
        share_matter(s, "2026/021", [email])
        return outbox_token(s, email)


def accounts(db, email: str) -> int:
    with Session(db) as s:
        return s.exec(select(func.count()).select_from(PortalUser).where(PortalUser.email == email)).one()


def register_over_socket(connect, token: str, form: dict | None = None) -> list[dict]:
    tab = connect(path=f"/portal/{ADDRESS_A}/invite/{token}")
    return tab.call_until(INVITE + ".register", {"form_data": form or GOOD}, "busy", False)


def test_used_link_cannot_register_again(connect, db, firm_a):
    before = accounts(db, CLIENT_EMAIL)
    tab = connect(path=f"/portal/{ADDRESS_A}/invite/{firm_a['used_invitation']}")
    assert '"invite_state_rx_state_": "login"' in tab.text()
    tab.call_until(INVITE + ".register", {"form_data": GOOD}, "busy", False)
    assert accounts(db, CLIENT_EMAIL) == before == 1
    assert CLIENT_EMAIL not in tab.text()  # the link leads to the login form without naming the account


@pytest.mark.slow
def test_twenty_parallel_registrations_make_one_account(db, firm_a):
    email = "rownolegly.klient@budmax.example.com"
    token = invite(db, email)
    results: list[str] = []

    def attempt(i: int):
        with Session(db, expire_on_commit=False) as s:
            try:
                register_client(s, token, first=f"Próba{i}", last="Równoległa")
                results.append("ok")
            except ServiceError as exc:
                results.append(exc.key)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results.count("ok") == 1, results
    assert len(results) == 20
    assert accounts(db, email) == 1


@pytest.mark.slow
def test_parallel_registrations_over_the_socket(connect, db, firm_a):
    email = "rownolegle.karty@budmax.example.com"
    token = invite(db, email)
    tabs = [connect(path=f"/portal/{ADDRESS_A}/invite/{token}") for _ in range(8)]
    for tab in tabs:
        tab.emit(INVITE + ".register", {"form_data": GOOD})
    for tab in tabs:
        tab.wait_for("busy", False)
    assert accounts(db, email) == 1
    signed_in = [t for t in tabs if '"portal_token_rx_state_": "' in t.text().replace('"portal_token_rx_state_": ""', "")]
    assert len(signed_in) == 1


def test_expired_link_refused(connect, db, firm_a):
    email = "przeterminowany@budmax.example.com"
    token = invite(db, email)
    with Session(db) as s:
        inv = s.exec(select(Invitation).where(Invitation.token_hash == token_hash(token))).one()
        inv.expires_at = utcnow() - timedelta(seconds=1)
        s.add(inv)
        s.commit()
    tab = connect(path=f"/portal/{ADDRESS_A}/invite/{token}")
    assert '"invite_state_rx_state_": "expired"' in tab.text()
    register_over_socket(connect, token)
    assert accounts(db, email) == 0


def test_revoked_link_refused(connect, db, firm_a):
    email = "odwolany@budmax.example.com"
    token = invite(db, email)
    with Session(db, expire_on_commit=False) as s:
        rid = s.exec(select(ShareRecipient.id).where(ShareRecipient.email == email)).one()
        sharing.revoke_recipient(s, staff_identity(s, ADMIN_A), rid)
    tab = connect(path=f"/portal/{ADDRESS_A}/invite/{token}")
    assert '"invite_state_rx_state_": "revoked"' in tab.text()
    register_over_socket(connect, token)
    assert accounts(db, email) == 0


def test_link_registers_only_its_own_address(connect, db, firm_a):
    """The form has no address field; one smuggled into the event is ignored."""
    email, attacker = "zaproszony@budmax.example.com", "napastnik@evil.example.com"
    token = invite(db, email)
    register_over_socket(connect, token, {**GOOD, "email": attacker})
    assert accounts(db, email) == 1
    assert accounts(db, attacker) == 0


def test_link_of_one_firm_is_void_in_another(db, firm_a):
    """A token is only looked up within the firm whose portal address is in the link."""
    token = invite(db, "inna.kancelaria@budmax.example.com")
    with Session(db) as s:
        brand = brand_for_address(s, ADDRESS_A)
        other = brand.__class__(**{**brand.__dict__, "firm_id": brand.firm_id + 1})
        with pytest.raises(ServiceError) as refused:
            client_portal.register(s, other, token, first_name="A", last_name="B", password=GOOD["password"],
                                   password_repeat=GOOD["password"], timezone="UTC", language="pl")
    assert refused.value.key == "invite.invalid"
