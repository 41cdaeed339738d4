"""The client's side (CP-4, CP-5): dashboard sums with known answers, pages, registration, login."""

import dataclasses
import itertools
import re
import unicodedata
from datetime import date, datetime, timezone

import pytest
from sqlmodel import select

from portal_app.models import (
    Contact,
    Firm,
    Invitation,
    Invoice,
    Matter,
    OutboxMessage,
    PortalSettings,
    PortalUser,
    StaffUser,
    TimeEntry,
)
from portal_app.services import client_portal, identity, passwords, sharing
from portal_app.services.client_portal import PAGE_SIZE
from portal_app.services.errors import FieldErrors, ServiceError
from portal_app.services.portal_settings import brand_for_address

PASSWORD = "Zielony-Parasol-Nad-Wisłą-77"
ALL_STATUSES = ("approved", "partially_paid", "paid", "cancelled")
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch):
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 4)


# ---- factories ------------------------------------------------------------------------------------

def add(session, row):
    session.add(row)
    session.commit()
    return row


def make_firm(session, name="Kancelaria Nowak", address="nowak"):
    firm = add(session, Firm(name=name, plan="premium", default_language="pl"))
    add(session, PortalSettings(firm_id=firm.id, company_name=name, address=address, enabled=True,
                                contact_email="biuro@firm.example.com"))
    user = add(session, StaffUser(firm_id=firm.id, email=f"admin{next(_seq)}@firm.example.com", name="Anna",
                                  role="administrator", password_hash="not-used"))
    admin = identity.staff_for_token(session, identity.start_session(session, staff_user_id=user.id))
    return firm, admin


def contact(session, firm, name="Budmax"):
    return add(session, Contact(firm_id=firm.id, name=name))


def matter(session, c, number):
    return add(session, Matter(firm_id=c.firm_id, contact_id=c.id, number=number, title=f"Title {number}"))


def invoice(session, c, number, *, due, total, paid=0, status="approved", type_="invoice", currency="PLN",
            m=None, issued=date(2026, 1, 1)):
    return add(session, Invoice(
        firm_id=c.firm_id, contact_id=c.id, matter_id=m.id if m else None, number=number, type=type_,
        status=status, issue_date=issued, due_date=due, currency=currency, total_minor=total, paid_minor=paid,
    ))


def work(session, m, staff_id, day, minutes):
    return add(session, TimeEntry(firm_id=m.firm_id, matter_id=m.id, staff_user_id=staff_id, work_date=day,
                                  minutes=minutes))


def share(session, admin, kind, card_id, email, statuses=ALL_STATUSES):
    sharing.save_share(session, admin, kind, card_id, emails=[email], invoice_types=list(sharing.INVOICE_TYPES),
                       invoice_statuses=list(statuses), time_entries=True, agreements=True)


def latest_token(session, email):
    msg = session.exec(select(OutboxMessage).where(OutboxMessage.to_email == email).order_by(OutboxMessage.id.desc())).first()
    return re.findall(r"/invite/([A-Za-z0-9_-]{20,})", msg.text)[0]


def register(session, address, token, **overrides):
    args = dict(first_name="Jan", last_name="Kowalski", password=PASSWORD, password_repeat=PASSWORD,
                timezone="Europe/Warsaw", language="pl")
    args.update(overrides)
    return client_portal.register(session, brand_for_address(session, address), token, **args)


def portal_identity(session, user_id, tz=None):
    me = identity.portal_user_for_token(session, identity.start_session(session, portal_user_id=user_id))
    return dataclasses.replace(me, timezone=tz) if tz else me


def invited(session, email="jan@example.com", address="nowak", **firm_kw):
    """A firm whose contact is shared with `email`; returns (firm, admin, contact, token)."""
    firm, admin = make_firm(session, address=address, **firm_kw)
    c = contact(session, firm)
    share(session, admin, "contact", c.id, email)
    return firm, admin, c, latest_token(session, email)


def field_keys(exc: FieldErrors) -> dict[str, str]:
    return {name: key for name, (key, _params) in exc.fields.items()}


# ---- dashboard ------------------------------------------------------------------------------------

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)  # 11 March 02:00 in Kiritimati (UTC+14)


@pytest.fixture
def billed(session):
    """Invoices of one shared contact (plus one unshared) with hand-computed dashboard answers."""
    firm, admin = make_firm(session)
    c = contact(session, firm)
    other = contact(session, firm, "Not shared")
    inv = lambda *a, **k: invoice(session, c, *a, **k)  # noqa: E731
    inv("P-future", due=date(2026, 3, 20), total=100_000)
    inv("P-part-overdue", due=date(2026, 2, 1), total=61_500, paid=20_000, status="partially_paid")
    inv("P-paid", due=date(2026, 2, 1), total=50_000, paid=50_000, status="paid")
    inv("P-cancelled", due=date(2026, 2, 1), total=12_300, status="cancelled")
    inv("P-credit-past", due=date(2026, 2, 1), total=-5_000, type_="credit_note")
    inv("P-credit-future", due=date(2026, 3, 20), total=-7_000, type_="credit_note")
    inv("P-draft", due=date(2026, 2, 1), total=99_999, status="draft")
    inv("P-due-local-today", due=date(2026, 3, 11), total=7_000)
    inv("P-due-utc-today", due=date(2026, 3, 10), total=3_000)
    inv("E-future", due=date(2026, 3, 25), total=18_000, currency="EUR")
    inv("E-advance-overdue", due=date(2026, 3, 1), total=5_000, paid=2_000, status="partially_paid",
        type_="advance", currency="EUR")
    invoice(session, other, "X-overdue", due=date(2026, 2, 1), total=1_000_000)
    share(session, admin, "contact", c.id, "jan@example.com")
    user_id = register(session, "nowak", latest_token(session, "jan@example.com"), timezone="Pacific/Kiritimati")
    return portal_identity(session, user_id)


def test_dashboard_sums_per_currency_on_the_users_calendar(billed, session):
    assert billed.timezone == "Pacific/Kiritimati"
    board = client_portal.dashboard(session, billed, now=NOW)
    assert board.pending == {"PLN": 100_000 + 7_000, "EUR": 18_000}
    assert board.overdue == {"PLN": 41_500 + 3_000, "EUR": 3_000}


def test_dashboard_in_utc_counts_utc_today_as_pending(billed, session):
    board = client_portal.dashboard(session, dataclasses.replace(billed, timezone="UTC"), now=NOW)
    assert board.pending == {"PLN": 100_000 + 7_000 + 3_000, "EUR": 18_000}
    assert board.overdue == {"PLN": 41_500, "EUR": 3_000}


def test_dashboard_due_today_is_pending_west_of_utc(session):
    firm, admin, c, token = invited(session)
    invoice(session, c, "due-local-today", due=date(2026, 3, 9), total=1_000)
    invoice(session, c, "due-local-yesterday", due=date(2026, 3, 8), total=2_000)
    me = portal_identity(session, register(session, "nowak", token, timezone="Pacific/Pago_Pago"))
    now = datetime(2026, 3, 10, 5, 0, tzinfo=timezone.utc)  # 9 March 18:00 in Pago Pago (UTC-11)
    board = client_portal.dashboard(session, me, now=now)
    assert (board.pending, board.overdue) == ({"PLN": 1_000}, {"PLN": 2_000})


def test_invoice_list_overdue_flags_follow_the_users_calendar(billed, session):
    rows, total = client_portal.invoices(session, billed, now=NOW)
    flags = {r.number: r.overdue for r in rows}
    assert total == 10  # 11 invoices of the shared contact, minus the draft
    assert "P-draft" not in flags and "X-overdue" not in flags
    assert flags["P-due-local-today"] is False
    assert flags["P-due-utc-today"] is True
    assert flags["P-part-overdue"] is True
    assert flags["P-future"] is False
    assert flags["P-paid"] is False
    assert flags["P-cancelled"] is False


def test_dashboard_respects_unticked_statuses(session):
    firm, admin = make_firm(session)
    c = contact(session, firm)
    invoice(session, c, "approved", due=date(2026, 2, 1), total=1_000)
    invoice(session, c, "partial", due=date(2026, 2, 1), total=5_000, paid=1_000, status="partially_paid")
    share(session, admin, "contact", c.id, "jan@example.com", statuses=("partially_paid",))
    me = portal_identity(session, register(session, "nowak", latest_token(session, "jan@example.com")))
    board = client_portal.dashboard(session, me, now=NOW)
    assert (board.pending, board.overdue) == ({}, {"PLN": 4_000})


def test_dashboard_hours_only_of_shared_matters(session):
    firm, admin = make_firm(session)
    budmax, wis = contact(session, firm, "Budmax"), contact(session, firm, "Wiśniewska")
    m1, m2, m3 = matter(session, budmax, "M1"), matter(session, budmax, "M2"), matter(session, wis, "M3")
    work(session, m1, admin.user_id, date(2026, 3, 2), 90)
    work(session, m1, admin.user_id, date(2026, 2, 27), 60)
    work(session, m2, admin.user_id, date(2026, 3, 5), 120)  # M2 is not shared
    work(session, m3, admin.user_id, date(2026, 3, 9), 30)
    work(session, m3, admin.user_id, date(2026, 1, 15), 45)
    share(session, admin, "matter", m1.id, "jan@example.com")
    share(session, admin, "matter", m3.id, "jan@example.com")
    me = portal_identity(session, register(session, "nowak", latest_token(session, "jan@example.com"), timezone="UTC"))
    board = client_portal.dashboard(session, me, now=NOW)
    assert (board.minutes_total, board.minutes_this_month) == (90 + 60 + 30 + 45, 90 + 30)
    rows, total = client_portal.time_entries(session, me)
    assert total == 4
    assert sorted(r.minutes for r in rows) == [30, 45, 60, 90]
    assert {r.matter for r in rows} == {"M1 Title M1", "M3 Title M3"}


def test_this_month_is_the_users_month(session):
    firm, admin = make_firm(session)
    c = contact(session, firm)
    m = matter(session, c, "M1")
    work(session, m, admin.user_id, date(2026, 3, 31), 50)
    work(session, m, admin.user_id, date(2026, 4, 1), 10)
    share(session, admin, "matter", m.id, "jan@example.com")
    me = portal_identity(session, register(session, "nowak", latest_token(session, "jan@example.com"),
                                           timezone="Pacific/Pago_Pago"))
    now = datetime(2026, 4, 1, 5, 0, tzinfo=timezone.utc)  # still 31 March in Pago Pago
    board = client_portal.dashboard(session, me, now=now)
    assert (board.minutes_total, board.minutes_this_month) == (60, 60)
    board_utc = client_portal.dashboard(session, dataclasses.replace(me, timezone="UTC"), now=now)
    assert board_utc.minutes_this_month == 10


# ---- pages ----------------------------------------------------------------------------------------------

def test_invoice_pages(session):
    firm, admin, c, token = invited(session)
    m = matter(session, c, "2026/014")
    for i in range(45):
        invoice(session, c, f"FV/{i:03d}", due=date(2026, 4, 1), total=100 + i, issued=date(2026, 1, 1 + i % 28),
                m=m if i % 2 else None)
    me = portal_identity(session, register(session, "nowak", token))
    pages = [client_portal.invoices(session, me, page=p, now=NOW) for p in range(4)]
    assert [len(rows) for rows, _ in pages] == [PAGE_SIZE, PAGE_SIZE, 5, 0]
    assert PAGE_SIZE == 20
    assert {total for _, total in pages} == {45}
    numbers = [r.number for rows, _ in pages for r in rows]
    assert len(set(numbers)) == 45
    issued = [r.issue_date for rows, _ in pages for r in rows]
    assert issued == sorted(issued, reverse=True)
    first = pages[0][0][0]
    assert first.client == "Budmax"
    assert first.matter in ("", "2026/014 Title 2026/014")
    assert client_portal.invoices(session, me, page=-3, now=NOW)[0] == pages[0][0]


def test_time_entry_pages(session):
    firm, admin, c, token = invited(session)
    m = matter(session, c, "M1")
    for i in range(25):
        work(session, m, admin.user_id, date(2026, 1, 1 + i), 10 + i)
    me = portal_identity(session, register(session, "nowak", token))
    (p0, t0), (p1, t1) = client_portal.time_entries(session, me, 0), client_portal.time_entries(session, me, 1)
    assert (len(p0), len(p1), t0, t1) == (PAGE_SIZE, 5, 25, 25)
    assert p0[0].work_date == date(2026, 1, 25)


# ---- register ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("password", "key"), [
    ("Krótkie-1!", "password.too_short"),
    ("Długie hasło " * 10, "password.too_long"),
    ("1qaz2wsx3edc", "password.common"),
    ("Administrator", "password.common"),
    ("aaaabbbbaaaabbbb", "password.common"),
    ("Jan.Kowalski-lubi-koty-77", "password.contains_name"),
    ("moja KANCELARIA nowak 2026", "password.contains_name"),
    ("zawsze-Kn-Portal-2026", "password.contains_name"),
])
def test_register_password_rules(session, password, key):
    _, _, _, token = invited(session, email="jan.kowalski@example.com", address="kn-portal")
    assert brand_for_address(session, "kn-portal").company_name == "Kancelaria Nowak"
    with pytest.raises(FieldErrors) as info:
        register(session, "kn-portal", token, password=password, password_repeat=password)
    assert field_keys(info.value) == {"password": key}
    assert session.exec(select(PortalUser)).all() == []


def test_password_length_limits_are_inclusive(session):
    assert passwords.password_problem("Kot-na-płocie") is None  # 13
    assert passwords.password_problem("Kot na płoci") is None  # exactly 12
    assert passwords.password_problem("Kot na płoc")[0] == "password.too_short"  # 11
    assert passwords.password_problem(("Zażółć gęślą jaźń " * 8)[:128]) is None
    assert passwords.password_problem(("Zażółć gęślą jaźń " * 8)[:129])[0] == "password.too_long"


def test_register_reports_every_bad_field_and_keeps_the_link(session):
    firm, _, _, token = invited(session)
    with pytest.raises(FieldErrors) as info:
        register(session, "nowak", token, first_name=" ", last_name="x" * 101, password_repeat="something else",
                 timezone="Mars/Olympus_Mons")
    assert field_keys(info.value) == {
        "first_name": "register.first_name_required",
        "last_name": "errors.too_long",
        "password_repeat": "register.passwords_differ",
        "timezone": "timezone.invalid",
    }
    assert session.exec(select(PortalUser)).all() == []
    assert session.exec(select(Invitation)).one().used_at is None
    assert sharing.resolve_invitation(session, firm.id, token).state == "register"
    assert register(session, "nowak", token) > 0


@pytest.mark.parametrize("tz", ["Mars/Olympus", "localtime", "", "europe/warsaw", "../../etc/passwd"])
def test_register_refuses_unknown_time_zones(session, tz):
    _, _, _, token = invited(session)
    with pytest.raises(FieldErrors) as info:
        register(session, "nowak", token, timezone=tz)
    assert field_keys(info.value) == {"timezone": "timezone.invalid"}


def test_register_stores_the_chosen_profile(session):
    _, _, _, token = invited(session)
    user = session.get(PortalUser, register(session, "nowak", token, first_name=" Ewa ", last_name=" Nowak ",
                                            timezone="Pacific/Kiritimati", language="en"))
    assert (user.email, user.first_name, user.last_name, user.timezone, user.language) == (
        "jan@example.com", "Ewa", "Nowak", "Pacific/Kiritimati", "en",
    )
    assert PASSWORD not in user.password_hash


def test_long_polish_password_registers_and_logs_in(session):
    _, _, _, token = invited(session)
    password = ("Zażółć gęślą jaźń, łódź! " * 5)[:100]
    assert len(password) == 100 and len(password.encode("utf-8")) > 72
    user_id = register(session, "nowak", token, password=password, password_repeat=password)
    brand = brand_for_address(session, "nowak")
    assert client_portal.login(session, brand, "jan@example.com", password) == user_id
    nfd = unicodedata.normalize("NFD", password)
    assert nfd != password
    assert client_portal.login(session, brand, "jan@example.com", nfd) == user_id


def test_long_passwords_differing_after_72_bytes_are_different(session):
    _, _, _, token = invited(session)
    base = ("Zażółć gęślą jaźń, łódź! " * 5)[:90]
    first, second = base + "A" * 10, base + "B" * 10
    assert first.encode()[:72] == second.encode()[:72]
    user_id = register(session, "nowak", token, password=first, password_repeat=first)
    brand = brand_for_address(session, "nowak")
    assert client_portal.login(session, brand, "jan@example.com", first) == user_id
    with pytest.raises(ServiceError) as info:
        client_portal.login(session, brand, "jan@example.com", second)
    assert info.value.key == "login.failed"


# ---- login ---------------------------------------------------------------------------------------------

@pytest.fixture
def registered(session):
    firm, _, _, token = invited(session)
    return register(session, "nowak", token)


@pytest.mark.parametrize(("email", "password"), [
    ("nobody@example.com", PASSWORD),
    ("jan@example.com", PASSWORD + "x"),
    ("jan@example.com", ""),
    ("not an e-mail", PASSWORD),
    ("", ""),
])
def test_login_failures_look_the_same(session, registered, email, password):
    with pytest.raises(ServiceError) as info:
        client_portal.login(session, brand_for_address(session, "nowak"), email, password)
    assert (type(info.value), info.value.key, info.value.params) == (ServiceError, "login.failed", {})


@pytest.mark.parametrize("email", ["jan@example.com", "JAN@Example.COM", "  Jan@example.com "])
def test_login_email_is_case_insensitive(session, registered, email):
    assert client_portal.login(session, brand_for_address(session, "nowak"), email, PASSWORD) == registered


def test_login_is_per_firm(session, registered):
    make_firm(session, name="Kowalczyk Legal", address="kowalczyk")
    with pytest.raises(ServiceError) as info:
        client_portal.login(session, brand_for_address(session, "kowalczyk"), "jan@example.com", PASSWORD)
    assert info.value.key == "login.failed"
