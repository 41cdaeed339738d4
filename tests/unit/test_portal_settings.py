"""Portal settings (CP-1): the address rule, who may save, all-or-nothing saves, the public brand."""

import asyncio
import itertools
import os
import re
import string
import time
from pathlib import Path

import pytest
from sqlmodel import select

from portal_app.models import (
    Contact,
    Firm,
    OutboxMessage,
    PortalSettings,
    PortalUser,
    Share,
    ShareRecipient,
    StaffUser,
)
from portal_app.i18n import translate
from portal_app.routes import RESERVED_ADDRESSES
from portal_app.services import client_portal, identity, logo, passwords, sharing
from portal_app.services.errors import FieldErrors, NotAllowed, ServiceError
from portal_app.services.identity import StaffIdentity
from portal_app.services.portal_settings import (
    SettingsForm,
    brand_for_address,
    change_plan,
    load_settings,
    referenced_logo_files,
    save_settings,
    switched_off_brand,
    validate_address,
)

_seq = itertools.count(1)


def make_firm(session, name="Kancelaria Nowak i Wspólnicy", plan="premium", language="pl") -> Firm:
    firm = Firm(name=name, plan=plan, default_language=language)
    session.add(firm)
    session.commit()
    return firm


def make_staff(session, firm, role="administrator") -> StaffUser:
    user = StaffUser(
        firm_id=firm.id, email=f"staff{next(_seq)}@firm.example.com", name="Anna Nowak",
        role=role, password_hash="not-used",
    )
    session.add(user)
    session.commit()
    return user


def staff_identity(session, user) -> StaffIdentity:
    token = identity.start_session(session, staff_user_id=user.id)
    me = identity.staff_for_token(session, token)
    assert me is not None
    return me


def admin_of(session, **firm_kw) -> tuple[Firm, StaffIdentity]:
    firm = make_firm(session, **firm_kw)
    return firm, staff_identity(session, make_staff(session, firm))


def form(address="nowak", company="Kancelaria Nowak", email="biuro@nowak.example.com", enabled=True):
    return SettingsForm(enabled=enabled, company_name=company, address=address, contact_email=email)


def settings_row(session, firm) -> PortalSettings | None:
    session.expire_all()
    return session.exec(select(PortalSettings).where(PortalSettings.firm_id == firm.id)).first()


def refusal(raw) -> ServiceError:
    with pytest.raises(ServiceError) as info:
        validate_address(raw)
    return info.value


# ---- validate_address ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "key", "params"),
    [
        ("-nowak", "address.leading_hyphen", {}),
        ("n", "address.too_short", {"min": 2}),
        ("a" * 51, "address.too_long", {"max": 50, "length": 51}),
        ("", "address.required", {}),
        ("   ", "address.required", {}),
        (None, "address.required", {}),
    ],
    ids=["leading-hyphen", "one-char", "51-letters", "empty", "blank", "none"],
)
def test_validate_address_refuses_shape(raw, key, params):
    exc = refusal(raw)
    assert exc.key == key
    assert exc.params == params


def test_validate_address_refuses_underscore_with_suggestion():
    exc = refusal("nowak_i_wspolnicy")
    assert exc.key == "address.bad_char"
    assert exc.params == {"char": "_", "suggestion": "nowak-i-wspolnicy"}


def test_validate_address_names_the_polish_letter_and_suggests_ascii():
    exc = refusal("kancelaria łódź")
    assert exc.key == "address.bad_char"
    assert exc.params["char"] == "ł"
    assert exc.params["suggestion"] == "kancelaria-lodz"


def test_validate_address_refuses_full_width_letters():
    exc = refusal("ｎｏｗａｋ")
    assert exc.key == "address.bad_char"
    assert exc.params["char"] == "ｎ"
    assert exc.params["suggestion"] == "nowak"


def test_validate_address_refuses_superscript_digit():
    exc = refusal("nowak²")
    assert exc.key == "address.bad_char"
    assert exc.params["char"] == "²"
    assert exc.params["suggestion"] == "nowak2"


@pytest.mark.parametrize("raw", ["nowak wspolnicy", "nowak\twspolnicy", "nowak\nwspolnicy"], ids=["space", "tab", "newline"])
def test_validate_address_refuses_whitespace_inside(raw):
    exc = refusal(raw)
    assert exc.key == "address.space"
    assert exc.params["suggestion"] == "nowak-wspolnicy"


def test_validate_address_accepts_and_lower_cases():
    assert validate_address("Nowak-i-Wspolnicy") == "nowak-i-wspolnicy"


def test_validate_address_trims_surrounding_spaces():
    assert validate_address("  nowak  ") == "nowak"


def test_validate_address_accepts_both_length_limits():
    assert validate_address("ab") == "ab"
    assert validate_address("A" * 50) == "a" * 50


def test_validate_address_allows_inner_and_trailing_hyphen_and_digits():
    assert validate_address("kancelaria-2026-") == "kancelaria-2026-"


_VALID_SHAPE = set(string.ascii_letters + string.digits + "-")
RESERVED_VALID = sorted(
    name for name in RESERVED_ADDRESSES
    if 2 <= len(name) <= 50 and set(name) <= _VALID_SHAPE and not name.startswith("-")
)


def test_reserved_list_is_mostly_valid_shaped():
    """Guard: the parametrised test below must really cover the route names."""
    assert {"admin", "api", "portal", "login", "settings", "404"} <= set(RESERVED_VALID)


@pytest.mark.parametrize("name", RESERVED_VALID)
def test_reserved_addresses_refused_in_any_case(name):
    for variant in (name, name.upper(), name.capitalize()):
        exc = refusal(variant)
        assert exc.key == "address.reserved", variant


@pytest.mark.parametrize("raw", ["łogin", "Ądmin", "pórtal"])
def test_suggestion_is_itself_a_valid_address(raw):
    exc = refusal(raw)
    assert exc.key == "address.bad_char"
    suggestion = exc.params["suggestion"]
    if suggestion:
        assert validate_address(suggestion) == suggestion


@pytest.mark.parametrize(
    ("raw", "suggestion"),
    [("łogin", "login-2"), ("Ądmin", "admin-2"), ("kancelaria łódź", "kancelaria-lodz"), ("ł", ""), ("ą ę", "a-e"), ("_", "")],
)
def test_suggestion_steps_around_reserved_words_and_is_never_too_short(raw, suggestion):
    assert refusal(raw).params["suggestion"] == suggestion


def test_suggestion_for_a_long_reserved_looking_value_stays_within_the_limit():
    suggestion = refusal("ł" + "a" * 60).params["suggestion"]
    assert len(suggestion) == 50
    assert validate_address(suggestion) == suggestion


def _first_segment(route: str) -> str:
    return route.strip("/").split("/")[0]


def test_every_top_level_route_of_the_app_and_reflex_is_reserved():
    """Fails as soon as someone adds a top-level page, a route constant or an asset without reserving it."""
    from reflex.constants import Endpoint

    from portal_app import routes
    from portal_app.portal_app import app

    table = {_first_segment(route) for route in app._unevaluated_pages}
    constants = {
        _first_segment(value) for name, value in vars(routes).items()
        if name.isupper() and isinstance(value, str) and value.startswith("/") and value != "/"
    }
    reflex_own = {e.value for e in Endpoint} | {"assets", "static", "_next", "404", "favicon"}
    assets = Path(__file__).parents[2] / "assets"  # served from the site root
    app_assets = {path.name.split(".")[0] for path in assets.iterdir()} if assets.is_dir() else set()
    assert {"index", "login", "settings", "portal", "contacts"} <= table  # the scan sees the real table
    assert {"_event", "_upload", "ping", "_health"} <= reflex_own
    needed = {name.lower() for name in table | constants | reflex_own | app_assets if name}
    assert needed - RESERVED_ADDRESSES == set()


def test_reserved_list_names_are_canonical():
    assert all(name == name.strip().lower() for name in RESERVED_ADDRESSES)


# ---- who may load and save ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("plan", "role", "key"),
    [
        ("premium", "user", "settings.refused_role"),
        ("standard", "administrator", "settings.refused_plan"),
        ("free", "administrator", "settings.refused_plan"),
    ],
)
def test_only_premium_admins_load_and_save(session, plan, role, key):
    firm = make_firm(session, plan=plan)
    me = staff_identity(session, make_staff(session, firm, role=role))
    with pytest.raises(NotAllowed) as info:
        load_settings(session, me)
    assert info.value.key == key
    with pytest.raises(NotAllowed) as info:
        save_settings(session, me, form(), expected_version=0)
    assert info.value.key == key
    assert settings_row(session, firm) is None


def test_role_is_reread_from_database_not_trusted_from_identity(session):
    firm, me = admin_of(session)
    user = session.get(StaffUser, me.user_id)
    user.role = "user"
    session.add(user)
    session.commit()
    assert me.is_admin  # the identity is stale on purpose
    with pytest.raises(NotAllowed) as info:
        save_settings(session, me, form(), expected_version=0)
    assert info.value.key == "settings.refused_role"


def test_forged_identity_with_another_firm_id_is_refused(session):
    firm_a, _ = admin_of(session, name="Firm A")
    _, me_b = admin_of(session, name="Firm B")
    forged = StaffIdentity(**{**me_b.__dict__, "firm_id": firm_a.id})
    with pytest.raises(NotAllowed) as info:
        save_settings(session, forged, form(address="hijack"), expected_version=0)
    assert info.value.key == "errors.not_allowed"
    assert settings_row(session, firm_a) is None


def test_admin_of_other_firm_sees_and_saves_only_own_row(session):
    firm_a, me_a = admin_of(session, name="Firm A")
    firm_b, me_b = admin_of(session, name="Firm B")
    save_settings(session, me_a, form(address="firm-a", company="Firm A Legal", email="a@a.example.com"), expected_version=0)

    view_b = load_settings(session, me_b)
    assert view_b.address == ""
    assert view_b.company_name == "Firm B"
    assert view_b.contact_email == ""

    save_settings(session, me_b, form(address="firm-b", company="Firm B Legal", email="b@b.example.com"), expected_version=view_b.version)
    row_a = settings_row(session, firm_a)
    assert (row_a.address, row_a.company_name, row_a.contact_email, row_a.version) == (
        "firm-a", "Firm A Legal", "a@a.example.com", 1,
    )
    assert settings_row(session, firm_b).address == "firm-b"


# ---- saving ---------------------------------------------------------------------------------------

def test_load_creates_row_with_firm_name(session):
    firm, me = admin_of(session, name="Kancelaria Kowalska")
    view = load_settings(session, me)
    assert (view.enabled, view.company_name, view.address, view.version, view.in_use) == (
        False, "Kancelaria Kowalska", "", 0, False,
    )


def test_save_stores_canonical_values_and_bumps_version(session):
    firm, me = admin_of(session)
    view, unused = save_settings(
        session, me, form(address="  Nowak-Legal ", company="  Nowak\u200b Legal\u202e ", email="Biuro@Nowak.Example.com"),
        expected_version=0,
    )
    assert unused is None
    assert (view.address, view.company_name, view.contact_email, view.version, view.in_use) == (
        "nowak-legal", "Nowak Legal", "biuro@nowak.example.com", 1, True,
    )
    row = settings_row(session, firm)
    assert (row.address, row.version, row.enabled) == ("nowak-legal", 1, True)


def test_save_with_bad_email_and_good_address_saves_nothing(session):
    firm, me = admin_of(session)
    save_settings(session, me, form(address="before", email="old@nowak.example.com"), expected_version=0)
    with pytest.raises(FieldErrors) as info:
        save_settings(session, me, form(address="after", email="not an e-mail"), expected_version=1)
    assert set(info.value.fields) == {"contact_email"}
    assert info.value.fields["contact_email"][0] == "email.invalid"
    row = settings_row(session, firm)
    assert (row.address, row.contact_email, row.version) == ("before", "old@nowak.example.com", 1)


def test_save_reports_every_bad_field_at_once(session):
    firm, me = admin_of(session)
    with pytest.raises(FieldErrors) as info:
        save_settings(session, me, form(address="łódź", company=" \u200b\u2066 ", email="@nowak"), expected_version=0)
    fields = info.value.fields
    assert set(fields) == {"address", "company_name", "contact_email"}
    assert fields["address"][0] == "address.bad_char"
    assert fields["company_name"][0] == "settings.company_required"
    assert fields["contact_email"][0] == "email.invalid"
    assert settings_row(session, firm) is None


def test_company_name_too_long(session):
    _, me = admin_of(session)
    with pytest.raises(FieldErrors) as info:
        save_settings(session, me, form(company="x" * 201), expected_version=0)
    assert info.value.fields == {"company_name": ("settings.company_too_long", {"max": 200})}


def test_address_taken_by_other_firm_in_other_letter_case(session):
    firm_a, me_a = admin_of(session, name="Firm A")
    firm_b, me_b = admin_of(session, name="Firm B")
    save_settings(session, me_a, form(address="Nowak"), expected_version=0)
    with pytest.raises(FieldErrors) as info:
        save_settings(session, me_b, form(address="NOWAK"), expected_version=0)
    assert info.value.fields["address"][0] == "address.taken"
    assert settings_row(session, firm_a).address == "nowak"
    b = settings_row(session, firm_b)
    assert b is None or b.address is None


def test_address_taken_even_if_stored_in_mixed_case(session):
    firm_a, _ = admin_of(session, name="Firm A")
    session.add(PortalSettings(firm_id=firm_a.id, company_name="A", address="Nowak-Legal", enabled=True))
    session.commit()
    _, me_b = admin_of(session, name="Firm B")
    with pytest.raises(FieldErrors) as info:
        save_settings(session, me_b, form(address="nowak-legal"), expected_version=0)
    assert info.value.fields["address"][0] == "address.taken"


def test_firm_may_keep_its_own_address(session):
    _, me = admin_of(session)
    save_settings(session, me, form(address="nowak"), expected_version=0)
    view, _ = save_settings(session, me, form(address="NOWAK", company="Renamed"), expected_version=1)
    assert (view.address, view.company_name, view.version) == ("nowak", "Renamed", 2)


def test_stale_version_is_refused_and_nothing_changes(session):
    firm, me = admin_of(session)
    save_settings(session, me, form(address="first", company="First"), expected_version=0)
    save_settings(session, me, form(address="second", company="Second"), expected_version=1)
    with pytest.raises(ServiceError) as info:
        save_settings(session, me, form(address="third", company="Third"), expected_version=1)
    assert info.value.key == "settings.changed_meanwhile"
    row = settings_row(session, firm)
    assert (row.address, row.company_name, row.version) == ("second", "Second", 2)


def test_idn_contact_email_accepted(session):
    firm, me = admin_of(session)
    view, _ = save_settings(session, me, form(email="biuro@łódź.pl"), expected_version=0)
    assert view.contact_email == "biuro@łódź.pl"
    assert settings_row(session, firm).contact_email == "biuro@łódź.pl"


def test_idn_contact_email_has_one_canonical_form(session):
    _, me = admin_of(session)
    view, _ = save_settings(session, me, form(email="Biuro@XN--D-UGA0V4H.PL"), expected_version=0)
    assert view.contact_email == "biuro@łódź.pl"


def test_logo_replacement_reports_the_unused_file(session):
    _, me = admin_of(session)
    save_settings(session, me, form(), expected_version=0, new_logo_file="old.png")
    view, unused = save_settings(session, me, form(), expected_version=1, new_logo_file="new.png")
    assert (view.logo_file, unused) == ("new.png", "old.png")
    view, unused = save_settings(session, me, form(), expected_version=2)
    assert (view.logo_file, unused) == ("new.png", None)
    view, unused = save_settings(session, me, form(), expected_version=3, remove_logo=True)
    assert (view.logo_file, unused) == (None, "new.png")


# ---- the public brand -------------------------------------------------------------------------------

def test_brand_for_address_is_case_insensitive(session):
    firm, me = admin_of(session, language="en")
    save_settings(session, me, form(address="nowak", company="Nowak Legal", email="biuro@nowak.example.com"), expected_version=0)
    for typed in ("nowak", "NOWAK", " Nowak "):
        brand = brand_for_address(session, typed)
        assert brand is not None, typed
        assert (brand.firm_id, brand.company_name, brand.address, brand.contact_email, brand.language) == (
            firm.id, "Nowak Legal", "nowak", "biuro@nowak.example.com", "en",
        )
    assert brand_for_address(session, "nowak2") is None
    assert brand_for_address(session, "") is None


def test_brand_for_address_none_when_disabled(session):
    _, me = admin_of(session)
    save_settings(session, me, form(address="nowak", enabled=False), expected_version=0)
    assert brand_for_address(session, "nowak") is None


def test_brand_for_address_none_when_firm_not_premium(session):
    firm, me = admin_of(session)
    save_settings(session, me, form(address="nowak"), expected_version=0)
    assert brand_for_address(session, "nowak") is not None
    firm.plan = "standard"
    session.add(firm)
    session.commit()
    assert brand_for_address(session, "nowak") is None


# ---- switching the portal off, and leaving Premium ---------------------------------------------------

CLIENT_PASSWORD = "Zielony-Parasol-Nad-Wisłą-77"


def counts(session) -> tuple[int, int, int]:
    session.expire_all()
    return tuple(len(session.exec(select(model)).all()) for model in (Share, ShareRecipient, PortalUser))


@pytest.fixture
def portal_with_client(session, monkeypatch):
    """An enabled portal at `nowak` with one shared contact and one registered client."""
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 4)
    firm, me = admin_of(session)
    save_settings(session, me, form(address="nowak"), expected_version=0)
    contact = Contact(firm_id=firm.id, name="Budmax")
    session.add(contact)
    session.commit()
    sharing.save_share(session, me, "contact", contact.id, emails=["jan@example.com"],
                       invoice_types=list(sharing.INVOICE_TYPES), invoice_statuses=["approved"],
                       time_entries=True, agreements=True)
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.to_email == "jan@example.com")).one()
    token = re.search(r"/invite/([A-Za-z0-9_-]{20,})", mail.text).group(1)
    user_id = client_portal.register(
        session, brand_for_address(session, "nowak"), token, first_name="Jan", last_name="Kowalski",
        password=CLIENT_PASSWORD, password_repeat=CLIENT_PASSWORD, timezone="Europe/Warsaw", language="pl",
    )
    return firm, me, user_id


def test_disabling_closes_the_portal_but_keeps_shares_and_accounts(session, portal_with_client):
    firm, me, user_id = portal_with_client
    before = counts(session)
    assert before == (1, 1, 1)
    client_token = identity.start_session(session, portal_user_id=user_id)

    view, _ = save_settings(session, me, form(address="nowak", enabled=False), expected_version=1)
    assert (view.enabled, view.in_use) == (False, False)
    assert brand_for_address(session, "nowak") is None  # login, invitations and signed-in pages all need it
    closed = switched_off_brand(session, "NOWAK")
    assert (closed.firm_id, closed.company_name, closed.contact_email) == (
        firm.id, "Kancelaria Nowak", "biuro@nowak.example.com",
    )
    assert counts(session) == before
    assert identity.portal_user_for_token(session, client_token).user_id == user_id  # refused by the brand check only

    save_settings(session, me, form(address="nowak", enabled=True), expected_version=2)
    brand = brand_for_address(session, "nowak")
    assert brand is not None
    assert switched_off_brand(session, "nowak") is None
    assert client_portal.login(session, brand, "jan@example.com", CLIENT_PASSWORD) == user_id
    assert counts(session) == before


def test_switched_off_brand_is_none_for_unknown_or_open_portals(session):
    _, me = admin_of(session)
    save_settings(session, me, form(address="nowak"), expected_version=0)
    assert switched_off_brand(session, "nowak") is None
    assert switched_off_brand(session, "kowalski") is None
    assert switched_off_brand(session, "") is None
    assert switched_off_brand(session, "x" * 51) is None


def test_leaving_premium_switches_the_portal_off_and_coming_back_does_not_reopen_it(session, portal_with_client):
    firm, me, user_id = portal_with_client
    before = counts(session)

    change_plan(session, firm.id, "standard")
    row = settings_row(session, firm)
    assert (session.get(Firm, firm.id).plan, row.enabled, row.version) == ("standard", False, 2)
    assert brand_for_address(session, "nowak") is None
    assert switched_off_brand(session, "nowak").firm_id == firm.id
    with pytest.raises(NotAllowed) as info:
        save_settings(session, me, form(address="nowak", enabled=True), expected_version=2)
    assert info.value.key == "settings.refused_plan"
    assert counts(session) == before

    change_plan(session, firm.id, "premium")
    assert settings_row(session, firm).enabled is False
    assert brand_for_address(session, "nowak") is None
    with pytest.raises(ServiceError) as info:  # a form opened before the downgrade cannot re-enable silently
        save_settings(session, me, form(address="nowak", enabled=True), expected_version=1)
    assert info.value.key == "settings.changed_meanwhile"
    save_settings(session, me, form(address="nowak", enabled=True), expected_version=2)
    brand = brand_for_address(session, "nowak")
    assert client_portal.login(session, brand, "jan@example.com", CLIENT_PASSWORD) == user_id
    assert counts(session) == before


def test_changing_plan_within_premium_or_below_it_leaves_settings_alone(session):
    firm, me = admin_of(session)
    save_settings(session, me, form(address="nowak"), expected_version=0)
    change_plan(session, firm.id, "premium")
    assert (settings_row(session, firm).enabled, settings_row(session, firm).version) == (True, 1)
    other = make_firm(session, name="Kowalczyk Legal", plan="standard")
    change_plan(session, other.id, "free")
    assert session.get(Firm, other.id).plan == "free"
    assert settings_row(session, other) is None


@pytest.mark.parametrize("plan", ["gold", "", "Premium", None])
def test_change_plan_refuses_unknown_plans(session, plan):
    firm, _ = admin_of(session)
    with pytest.raises(ValueError):
        change_plan(session, firm.id, plan)
    assert session.get(Firm, firm.id).plan == "premium"


def test_change_plan_refuses_unknown_firm(session):
    with pytest.raises(ValueError):
        change_plan(session, 999_999, "standard")


def test_referenced_logo_files_lists_every_firms_saved_logo(session):
    _, me_a = admin_of(session, name="Firm A")
    _, me_b = admin_of(session, name="Firm B")
    admin_of(session, name="Firm C")
    save_settings(session, me_a, form(address="firm-a"), expected_version=0, new_logo_file="logo-a.png")
    save_settings(session, me_b, form(address="firm-b"), expected_version=0, new_logo_file="logo-b.jpg")
    assert referenced_logo_files(session) == {"logo-a.png", "logo-b.jpg"}
    save_settings(session, me_a, form(address="firm-a"), expected_version=1, remove_logo=True)
    assert referenced_logo_files(session) == {"logo-b.jpg"}


# ---- the settings handlers themselves, called the way any browser could call them -----------------

LOGO_FILE = Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "logos" / "valid" / "rgb.png"


class FakeUpload:
    """What Reflex hands an upload handler: something with an async read()."""

    def __init__(self, data: bytes):
        self._data = data

    async def read(self, size: int = -1) -> bytes:
        return self._data if size < 0 else self._data[:size]


def signed_in_state(session, me: StaffIdentity | None):
    from reflex.state import State

    from portal_app.state.settings import PortalSettingsState

    state = State(_reflex_internal_init=True).get_substate(PortalSettingsState.get_full_name().split("."))
    state.staff_token = identity.start_session(session, staff_user_id=me.user_id) if me else "forged"
    state.lang = "en"
    return state


@pytest.fixture
def logos(tmp_path, monkeypatch):
    from portal_app.state import settings as settings_state

    monkeypatch.setattr(settings_state, "logo_dir", lambda: tmp_path)
    return tmp_path


def run(handler, state, *args):
    from portal_app.state.settings import PortalSettingsState

    result = getattr(PortalSettingsState, handler).fn(state, *args)
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


def fill_and_save(state, address="forged", enabled=True):
    run("set_enabled", state, enabled)
    run("set_company_name", state, "Przejęta")
    run("set_address", state, address)
    run("set_contact_email", state, "x@example.com")
    run("save", state)


@pytest.mark.parametrize(
    ("plan", "role", "message"),
    [
        ("premium", "user", "settings.refused_role"),
        ("standard", "administrator", "settings.refused_plan"),
    ],
)
def test_handlers_refuse_users_and_standard_admins(session, logos, plan, role, message):
    firm = make_firm(session, plan=plan)
    me = staff_identity(session, make_staff(session, firm, role=role))
    state = signed_in_state(session, me)
    run("load", state)
    assert state.refused == translate("en", message) and not state.loaded
    fill_and_save(state)
    assert state.form_message == translate("en", message)
    run("upload_logo", state, [FakeUpload(LOGO_FILE.read_bytes())])
    assert list(logos.iterdir()) == []
    assert settings_row(session, firm) is None


def test_handlers_with_a_forged_session_do_nothing(session, logos):
    firm, _ = admin_of(session)
    state = signed_in_state(session, None)
    for handler in ("load", "save"):
        assert run(handler, state) is not None  # a redirect to the login page
    run("upload_logo", state, [FakeUpload(LOGO_FILE.read_bytes())])
    assert list(logos.iterdir()) == []
    assert settings_row(session, firm) is None


def test_admin_of_another_firm_changes_only_their_own_settings(session, logos):
    firm_a, me_a = admin_of(session, name="Firm A")
    save_settings(session, me_a, form(address="firm-a"), expected_version=0)
    firm_b, me_b = admin_of(session, name="Firm B")
    state = signed_in_state(session, me_b)
    run("load", state)
    fill_and_save(state, address="firm-a")
    assert state.errors == {"address": translate("en", "address.taken")}
    fill_and_save(state, address="firm-b")
    assert state.saved_message
    assert (settings_row(session, firm_a).address, settings_row(session, firm_a).company_name) == ("firm-a", "Kancelaria Nowak")
    assert settings_row(session, firm_b).address == "firm-b"


@pytest.mark.parametrize(
    "value", [None, 12345, ["nowak"], {"a": 1}, "ł" * 10_000, "\x00nowak"],
    ids=["none", "int", "list", "dict", "huge", "nul"],
)
def test_setters_survive_crafted_arguments(session, logos, value):
    _, me = admin_of(session)
    state = signed_in_state(session, me)
    run("load", state)
    run("set_address", state, value)
    run("set_company_name", state, value)
    run("set_contact_email", state, value)
    run("set_enabled", state, value)
    run("use_suggestion", state)
    run("logo_rejected", state, value)
    assert len(state.address) <= 100 and len(state.company_name) <= 300 and len(state.contact_email) <= 400
    assert isinstance(state.enabled, bool)


def test_widget_rejections_are_explained(session, logos):
    _, me = admin_of(session)
    state = signed_in_state(session, me)
    run("load", state)
    run("logo_rejected", state, ["file-too-large"])
    assert state.errors["logo"] == translate("en", "logo.too_large_bytes", limit_mb=5)
    run("logo_rejected", state, ["too-many-files", "too-many-files"])
    assert state.errors["logo"] == translate("en", "logo.one_file")


def test_logo_files_are_cleaned_up_along_the_way(session, logos):
    firm, me = admin_of(session)
    state = signed_in_state(session, me)
    run("load", state)
    data = LOGO_FILE.read_bytes()

    run("upload_logo", state, [FakeUpload(data)])
    first = sorted(p.name for p in logos.iterdir())
    run("upload_logo", state, [FakeUpload(data)])
    second = sorted(p.name for p in logos.iterdir())
    assert len(first) == len(second) == 1 and first != second  # a new upload replaces the unsaved one
    run("upload_logo", state, [FakeUpload(b"GIF89a not really")])
    assert state.errors["logo"] == translate("en", "logo.not_image")
    assert sorted(p.name for p in logos.iterdir()) == second
    fill_and_save(state, address="nowak")
    assert settings_row(session, firm).logo_file == second[0]

    run("upload_logo", state, [FakeUpload(data)])
    run("save", state)
    third = settings_row(session, firm).logo_file
    assert sorted(p.name for p in logos.iterdir()) == [third]  # the replaced logo is deleted

    run("upload_logo", state, [FakeUpload(data)])
    run("load", state)  # leaving the page forgets the unsaved upload, and its file
    assert sorted(p.name for p in logos.iterdir()) == [third]

    run("remove_logo", state)
    run("save", state)
    assert settings_row(session, firm).logo_file is None
    assert list(logos.iterdir()) == []


def test_loading_the_page_sweeps_day_old_orphans_and_keeps_every_firms_logo(session, logos):
    _, me_a = admin_of(session, name="Firm A")
    _, me_b = admin_of(session, name="Firm B")
    old = time.time() - 2 * 24 * 3600
    names = {key: logo.store_logo(logos, b"x", "png") for key in ("a", "b", "orphan", "fresh")}
    for key in ("a", "b", "orphan"):
        os.utime(logos / names[key], (old, old))
    save_settings(session, me_a, form(address="firm-a"), expected_version=0, new_logo_file=names["a"])
    save_settings(session, me_b, form(address="firm-b"), expected_version=0, new_logo_file=names["b"])
    run("load", signed_in_state(session, me_a))
    assert sorted(p.name for p in logos.iterdir()) == sorted([names["a"], names["b"], names["fresh"]])


def test_save_with_an_upload_swept_meanwhile_asks_for_the_file_again(session, logos):
    firm, me = admin_of(session)
    state = signed_in_state(session, me)
    run("load", state)
    run("upload_logo", state, [FakeUpload(LOGO_FILE.read_bytes())])
    for path in logos.iterdir():
        path.unlink()
    fill_and_save(state, address="nowak")
    assert state.errors["logo"] == translate("en", "logo.upload_expired")
    assert settings_row(session, firm).address is None
    run("save", state)
    assert settings_row(session, firm).address == "nowak"
