"""Password hashing and rules, the message catalog, and locale formatting of money, hours and dates."""

import re
import string
from datetime import date
from pathlib import Path

import bcrypt
import pytest

from portal_app.i18n import MESSAGES, catalog, format_date, format_hours, format_money, translate
from portal_app.mail.outbox import STATUSES as DELIVERY_STATUSES
from portal_app.models import InvoiceStatus, InvoiceType
from portal_app.services import passwords
from portal_app.services.sharing import InvitationView

APP = Path(__file__).resolve().parents[2] / "portal_app"
KEY = r"([a-z_]+\.[a-z_.]*[a-z_])"


# ---- passwords -------------------------------------------------------------------------------------

@pytest.fixture
def fast_bcrypt(monkeypatch):
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 4)


def test_hash_and_check_round_trip(fast_bcrypt):
    digest = passwords.hash_password("Zielony-Parasol-77")
    assert digest.startswith("$2b$04$")
    assert passwords.check_password("Zielony-Parasol-77", digest)
    assert not passwords.check_password("zielony-parasol-77", digest)
    assert not passwords.check_password("", digest)


def test_two_hashes_of_one_password_differ(fast_bcrypt):
    assert passwords.hash_password("Zielony-Parasol-77") != passwords.hash_password("Zielony-Parasol-77")


def test_long_passwords_are_not_truncated_at_72_bytes(fast_bcrypt):
    base = "ą" * 40  # 80 bytes
    digest = passwords.hash_password(base + "1")
    assert passwords.check_password(base + "1", digest)
    assert not passwords.check_password(base + "2", digest)


def test_a_lone_surrogate_hashes_instead_of_raising(fast_bcrypt):
    """JSON can carry "\\ud800" to any password handler; hashing and checking must not raise."""
    digest = passwords.hash_password("Zielony-Parasol-\ud800")
    assert passwords.check_password("Zielony-Parasol-\ud800", digest)
    assert not passwords.check_password("Zielony-Parasol-\ud801", digest)


@pytest.mark.parametrize("bad_hash", ["", "not-a-hash", "$2b$04$short", "ąęł"])
def test_check_password_with_a_broken_hash_is_false(bad_hash):
    assert passwords.check_password("Zielony-Parasol-77", bad_hash) is False


def test_dummy_hash_costs_as_much_as_a_real_one():
    """An unknown e-mail must cost one real bcrypt check, else login timing reveals accounts."""
    assert passwords._DUMMY_HASH.split("$")[2] == f"{passwords.BCRYPT_ROUNDS:02d}"
    assert isinstance(bcrypt.checkpw(b"probe", passwords._DUMMY_HASH.encode()), bool)  # a valid hash: no ValueError
    assert passwords.check_password("Zielony-Parasol-77", passwords._DUMMY_HASH) is False


@pytest.mark.parametrize(("password", "avoid", "expected"), [
    ("a" * 11, (), "password.too_short"),
    ("Kot na płoci", (), None),
    ("x1y2" * 32, (), None),
    ("x1y2" * 32 + "z", (), "password.too_long"),
    ("ADMINISTRATOR", (), "password.common"),
    ("  administrator  ", (), "password.common"),
    ("abababababababab", (), "password.common"),
    ("Nowak-Wspólnicy-2026", ("Kancelaria Nowak i Wspólnicy",), None),
    ("kancelaria nowak i WSPÓLNICY!", ("Kancelaria Nowak i Wspólnicy",), "password.contains_name"),
    ("Jan-Ma-Kota-Na-Płocie", ("jan",), None),  # words under 4 characters are ignored
    ("mój-portal-nowak-2026", ("nowak",), "password.contains_name"),
    ("Rzeka-\udcff\udcfe-Wisła-2026", (), "password.unreadable"),  # undecodable bytes read from a pipe
])
def test_password_problem(password, avoid, expected):
    problem = passwords.password_problem(password, avoid=avoid)
    assert (problem[0] if problem else None) == expected


def test_common_password_list_loaded():
    common = passwords._common_passwords()
    assert len(common) >= 50
    assert "1qaz2wsx3edc" in common
    assert all(word == word.lower().strip() for word in common)


# ---- the catalog ------------------------------------------------------------------------------------

def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_message_has_english_and_polish_text_with_same_placeholders():
    problems = []
    for key, pair in MESSAGES.items():
        if not (isinstance(pair, tuple) and len(pair) == 2):
            problems.append(f"{key}: not an (English, Polish) pair")
            continue
        en, pl = pair
        if not en.strip() or not pl.strip():
            problems.append(f"{key}: empty text")
        elif _placeholders(en) != _placeholders(pl):
            problems.append(f"{key}: {_placeholders(en)} vs {_placeholders(pl)}")
    assert problems == []
    assert len(MESSAGES) > 150


def test_keys_are_well_formed():
    assert [k for k in MESSAGES if not re.fullmatch(KEY, k)] == []


_SERVICE_KEY_PATTERNS = [
    re.compile(r'\b(?:ServiceError|NotAllowed|FieldErrors|LogoError|_msg)\(\s*"' + KEY + '"'),
    re.compile(r'\(\s*"' + KEY + r'"\s*,\s*\{'),  # ("key", {...}) entries of FieldErrors
    re.compile(r'\breturn\s+"' + KEY + r'"\s*,\s*\{'),  # password_problem's (key, params)
    re.compile(r'\bsuper\(\)\.__init__\(\s*"' + KEY + '"'),
]
_DYNAMIC_PATTERN = re.compile(r'\b(?:ServiceError|NotAllowed|_msg)\(\s*f"([a-z_.]+)\{')
_UI_KEY_PATTERN = re.compile(r'\bt\[\s*"' + KEY + r'"\s*\]')

# Keys built at run time from a value: every value the code can produce must have a message.
DYNAMIC_FAMILIES = {
    "invite.": [s for s in ("register", "login", "expired", "revoked", "invalid")],
    "invoice.type.": [t.value for t in InvoiceType],
    "invoice.status.": [s.value for s in InvoiceStatus],
    "fee.": ["hourly", "fixed", "success_fee", "retainer"],
    "share.delivery.": list(DELIVERY_STATUSES),
}


def _sources(*folders: str) -> dict[str, str]:
    return {str(p.relative_to(APP)): p.read_text(encoding="utf-8") for f in folders for p in sorted((APP / f).glob("*.py"))}


def _keys_used(patterns, *folders) -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    for path, text in _sources(*folders).items():
        for pattern in patterns:
            for key in pattern.findall(text):
                used.setdefault(key, set()).add(path)
    return used


def test_every_message_key_used_by_services_and_states_exists():
    used = _keys_used(_SERVICE_KEY_PATTERNS, "services", "state")
    # the scan must really see the code, not silently match nothing
    assert {"login.failed", "address.taken", "address.bad_char", "settings.refused_plan", "password.too_short",
            "register.passwords_differ", "share.saved", "errors.form_invalid", "logo.damaged",
            "account.current_wrong", "email.invalid", "timezone.invalid"} <= set(used)
    assert len(used) >= 40
    missing = {key: sorted(paths) for key, paths in used.items() if key not in MESSAGES}
    assert missing == {}


def test_every_dynamic_message_family_is_complete():
    prefixes = set()
    for text in _sources("services", "state").values():
        prefixes.update(_DYNAMIC_PATTERN.findall(text))
    assert prefixes, "the scan found no f-string keys at all"
    unknown = prefixes - set(DYNAMIC_FAMILIES)
    assert unknown == set(), f"new dynamic message keys: list their values in DYNAMIC_FAMILIES: {unknown}"
    missing = [p + v for p in prefixes for v in DYNAMIC_FAMILIES[p] if p + v not in MESSAGES]
    assert missing == []


def test_invitation_states_and_delivery_states_have_messages():
    assert InvitationView("register").state == "register"
    for state in DYNAMIC_FAMILIES["invite."]:
        assert f"invite.{state}" in MESSAGES
    for state in ("invalid", "expired", "revoked"):
        assert f"invite.{state}_title" in MESSAGES
    assert [s for s in DELIVERY_STATUSES if f"share.delivery.{s}" not in MESSAGES] == []


def test_every_message_key_used_by_pages_and_components_exists():
    used = _keys_used([_UI_KEY_PATTERN], "pages", "components")
    assert len(used) >= 50
    assert {key: sorted(paths) for key, paths in used.items() if key not in MESSAGES} == {}


def test_translate_fills_placeholders_and_falls_back():
    assert translate("en", "address.too_long", max=50, length=51) == "The address can have at most 50 characters (now 51)."
    assert translate("pl", "address.too_long", max=50, length=51) == "Adres może mieć najwyżej 50 znaków (teraz 51)."
    assert translate("de", "common.save") == "Zapisz"
    assert translate("en", "no.such_key") == "no.such_key"
    assert translate("en", "address.too_long", max=50) == MESSAGES["address.too_long"][0]  # missing param: raw text
    assert catalog("en")["common.save"] == "Save" and catalog("pl")["common.save"] == "Zapisz"


# ---- formats ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("minor", "currency", "lang", "expected"), [
    (123450, "PLN", "pl", "1\xa0234,50\xa0zł"),
    (123450, "PLN", "en", "PLN\xa01,234.50"),
    (123450, "EUR", "pl", "1\xa0234,50\xa0€"),
    (123450, "EUR", "en", "EUR\xa01,234.50"),
    (5, "PLN", "pl", "0,05\xa0zł"),
    (0, "PLN", "en", "PLN\xa00.00"),
    (123456789012, "PLN", "pl", "1\xa0234\xa0567\xa0890,12\xa0zł"),
    (-61500, "PLN", "pl", "-615,00\xa0zł"),
])
def test_format_money(minor, currency, lang, expected):
    assert format_money(minor, currency, lang) == expected


def test_format_money_is_exact_for_large_amounts():
    assert format_money(10**17 + 1, "PLN", "en") == "PLN\xa01,000,000,000,000,000.01"


@pytest.mark.parametrize(("minutes", "lang", "expected"), [
    (750, "pl", "12,5"),
    (750, "en", "12.5"),
    (0, "en", "0.0"),
    (60, "pl", "1,0"),
    (90000, "pl", "1\xa0500,0"),
    (90000, "en", "1,500.0"),
    (75, "pl", "1,25"),     # 1:15, not 1,2
    (285, "en", "4.75"),    # 4:45, not 4.8
    (100, "pl", "1,67"),    # 1:40, to the hundredth, half up
    (5, "en", "0.08"),
])
def test_format_hours(minutes, lang, expected):
    assert format_hours(minutes, lang) == expected


@pytest.mark.parametrize(("value", "lang", "expected"), [
    (date(2026, 3, 5), "pl", "5 mar 2026"),
    (date(2026, 3, 5), "en", "5 Mar 2026"),
    (date(2026, 12, 31), "pl", "31 gru 2026"),
    (None, "en", ""),
])
def test_format_date(value, lang, expected):
    assert format_date(value, lang) == expected


def test_unknown_language_formats_as_polish():
    assert format_money(123450, "PLN", "de") == format_money(123450, "PLN", "pl")
    assert format_date(date(2026, 3, 5), "xx") == "5 mar 2026"


def test_every_portal_choice_and_sign_in_refusal_has_a_message():
    """Keys the portal builds from values (sort orders, status filters, throttle refusals, fee kinds)."""
    from portal_app.services import client_portal, login_throttle

    sorts = set(client_portal.INVOICE_SORTS) | set(client_portal.TIME_SORTS) | set(client_portal.AGREEMENT_SORTS)
    wanted = {f"sort.{s}" for s in sorts}
    wanted |= {"filter.overdue" if s == "overdue" else f"invoice.status.{s}" for s in client_portal.INVOICE_STATUS_FILTERS}
    wanted |= {login_throttle.ACCOUNT.lock_key, login_throttle.CLIENT_IP.lock_key, "login.wait", "reset.invalid"}
    assert sorted(k for k in wanted if k not in MESSAGES) == []
    # the refusals name the wait: the placeholder the service fills must be in both languages
    assert "{minutes}" in MESSAGES["login.locked"][0] and "{seconds}" in MESSAGES["login.wait"][1]


def test_messages_on_screen_follow_a_language_switch():
    """Errors beside fields and notices were stored as text: the PL/EN switch left them in the old language."""
    from reflex.state import State

    from portal_app.state.portal import InviteState, PortalLoginState, PortalState

    root = State(_reflex_internal_init=True)
    invite, login, portal = (root.get_substate(cls.get_full_name().split("."))
                             for cls in (InviteState, PortalLoginState, PortalState))
    invite.lang = "en"
    invite.errors = invite._field_errors({"password": ("password.too_short", {"min": 12}),
                                          "password_repeat": ("register.passwords_differ", {})})
    login.error = login._msg("login.failed")
    invite.email = "ewa@example.com"  # not a message: never touched
    PortalState.choose_lang.fn(portal, "pl")
    assert dict(invite.errors) == {"password": translate("pl", "password.too_short", min=12),
                                   "password_repeat": translate("pl", "register.passwords_differ")}
    assert login.error == translate("pl", "login.failed") and invite.email == "ewa@example.com"
    PortalState.choose_lang.fn(portal, "en")  # and back again
    assert login.error == translate("en", "login.failed")
    assert invite.errors["password"] == translate("en", "password.too_short", min=12)


def test_a_language_switch_leaves_alone_what_only_reads_like_a_message():
    """A contact named like a notice (or a typed search) is data: only message vars are said again."""
    from reflex.state import State

    from portal_app.state.cards import ContactsState
    from portal_app.state.staff import StaffState

    root = State(_reflex_internal_init=True)
    contacts, staff = (root.get_substate(cls.get_full_name().split(".")) for cls in (ContactsState, StaffState))
    staff.lang = "pl"
    staff.login_error = staff._msg("ws.payment.recorded")
    contacts.query = translate("pl", "ws.payment.recorded")
    StaffState.set_lang.fn(staff, "en")
    assert staff.login_error == translate("en", "ws.payment.recorded")
    assert contacts.query == translate("pl", "ws.payment.recorded")
