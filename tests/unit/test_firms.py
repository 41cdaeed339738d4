"""Onboarding a firm in production (issue 7): the firm, its settings and its first Administrator."""

import pytest
from sqlalchemy import func
from sqlmodel import select

from portal_app.models import Firm, PortalSettings, StaffUser
from portal_app.services import firms, identity, passwords, staff_signin
from portal_app.services.errors import FieldErrors

PASSWORD = "Granatowy-Latawiec-Nad-Odrą-7"


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch):
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 4)


def new_firm(session, **overrides):
    fields = dict(name="Kancelaria Nowa sp.k.", plan="premium", language="en",
                  admin_email="Anna.Nowa@Kancelaria-Nowa.example.com", admin_name="  Anna   Nowa ", password=PASSWORD)
    fields.update(overrides)
    return firms.create_firm(session, **fields)


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_a_new_firm_has_switched_off_settings_and_an_administrator_who_can_sign_in(session):
    firm_id, user_id = new_firm(session)
    firm = session.get(Firm, firm_id)
    assert (firm.name, firm.plan, firm.default_language) == ("Kancelaria Nowa sp.k.", "premium", "en")
    settings = session.exec(select(PortalSettings).where(PortalSettings.firm_id == firm_id)).one()
    assert (settings.enabled, settings.company_name, settings.address) == (False, "Kancelaria Nowa sp.k.", None)
    admin = session.get(StaffUser, user_id)
    assert (admin.email, admin.name, admin.role, admin.language) == (
        "anna.nowa@kancelaria-nowa.example.com", "Anna Nowa", "administrator", "en")
    assert admin.password_hash != PASSWORD
    token = staff_signin.sign_in(session, "ANNA.NOWA@kancelaria-nowa.example.com", PASSWORD, client_ip="10.1.1.1")
    who = identity.staff_for_token(session, token)
    assert (who.user_id, who.firm_id, who.is_admin) == (user_id, firm_id, True)


def test_every_wrong_field_is_named_and_nothing_is_saved(session):
    with pytest.raises(FieldErrors) as info:
        new_firm(session, name="  ", plan="gold", language="de", admin_email="nie-adres", admin_name="", password="krótkie")
    assert {field: key for field, (key, _) in info.value.fields.items()} == {
        "firm_name": "ws.required", "plan": "errors.invalid", "language": "errors.invalid",
        "admin_email": "email.invalid", "admin_name": "ws.required", "password": "password.too_short"}
    assert (count(session, Firm), count(session, StaffUser), count(session, PortalSettings)) == (0, 0, 0)


def test_an_address_already_used_by_staff_is_refused_whatever_its_case(session):
    new_firm(session)
    with pytest.raises(FieldErrors) as info:
        new_firm(session, name="Inna Kancelaria", admin_email="ANNA.NOWA@kancelaria-nowa.example.com")
    assert info.value.fields == {"admin_email": ("staff.email_taken", {})}
    assert count(session, Firm) == 1


def test_a_password_made_of_the_firm_name_is_refused(session):
    with pytest.raises(FieldErrors) as info:
        new_firm(session, name="Kancelaria Wierzbicki", password="Kancelaria-Wierzbicki-2026")
    assert info.value.fields["password"][0] == "password.contains_name"


def test_staff_added_to_a_firm_sign_in_to_that_firm_with_their_role(session):
    firm_id, _ = new_firm(session)
    user_id = firms.add_staff(session, firm_id=firm_id, email="piotr@kancelaria-nowa.example.com", name="Piotr",
                              role="user", password=PASSWORD)
    token = staff_signin.sign_in(session, "piotr@kancelaria-nowa.example.com", PASSWORD, client_ip="10.1.1.2")
    who = identity.staff_for_token(session, token)
    assert (who.user_id, who.firm_id, who.is_admin) == (user_id, firm_id, False)
    with pytest.raises(FieldErrors) as info:
        firms.add_staff(session, firm_id=firm_id + 99, email="x@kancelaria-nowa.example.com", name="X",
                        role="owner", password=PASSWORD)
    assert set(info.value.fields) == {"firm_id", "role"}
    assert count(session, StaffUser) == 2


class Terminal:
    """Standard input that is a terminal: the command asks with getpass (replaced below)."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("answers", [["Granatowy-Latawiec-1", "Granatowy-Latawiec-2"], [EOFError], [KeyboardInterrupt]],
                         ids=["passwords differ", "ctrl-d", "ctrl-c"])
def test_no_password_at_the_terminal_saves_nothing(session, monkeypatch, capsys, answers):
    monkeypatch.setattr(firms.sys, "stdin", Terminal())
    replies = iter(answers)

    def ask(prompt=""):
        reply = next(replies)
        if isinstance(reply, type):
            raise reply
        return reply

    monkeypatch.setattr(firms.getpass, "getpass", ask)
    status = firms.main(["create-firm", "--name", "Kancelaria Nowa", "--admin-email", "anna@nowa.example.com",
                         "--admin-name", "Anna Nowa"])
    assert status == 1
    assert capsys.readouterr().err.strip().endswith("Nothing was saved.")
    assert count(session, Firm) == 0


def test_a_password_about_the_person_or_a_word_of_the_firm_name_is_refused(session):
    for overrides in ({"name": "Kowalczyk Legal", "password": "Kowalczyk-Secret-26"},
                      {"admin_name": "Jan Kowalczyk", "admin_email": "jan@biuro.example.pl", "password": "JanKowalczyk-2026"}):
        with pytest.raises(FieldErrors) as info:
            new_firm(session, **overrides)
        assert info.value.fields["password"][0] == "password.contains_name"


def test_invisible_characters_do_not_make_a_name(session):
    with pytest.raises(FieldErrors) as info:
        new_firm(session, name="\u200b", admin_name="\u200b\u200b")
    assert set(info.value.fields) == {"firm_name", "admin_name"}
    firm_id, _ = new_firm(session, name="Evil\u202eLegal  sp.k.")
    assert session.get(Firm, firm_id).name == "EvilLegal sp.k."
