"""The client's side (CP-4, CP-5): dashboard sums with known answers, pages, registration, login."""

import dataclasses
import itertools
import re
import unicodedata
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from portal_app.models import (
    Agreement,
    Contact,
    Firm,
    Invitation,
    Invoice,
    LoginThrottle,
    Matter,
    MatterMonthTime,
    OutboxMessage,
    PasswordReset,
    PortalSettings,
    PortalUser,
    StaffUser,
    TimeEntry,
)
from portal_app.services import client_portal, documents, identity, login_throttle, password_reset, passwords, sharing
from portal_app.services.client_portal import PAGE_SIZE
from portal_app.services.errors import FieldErrors, ServiceError
from portal_app.services.portal_settings import brand_for_address
from tests.conftest import add

PASSWORD = "Zielony-Parasol-Nad-Wisłą-77"
ALL_STATUSES = ("approved", "partially_paid", "paid", "cancelled")
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch):
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 4)


# ---- factories ------------------------------------------------------------------------------------

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



def test_monthly_totals_follow_every_write_to_time_entries(session):
    """The triggers of migration 0004 keep matter_month_time equal to a sum over the entries."""
    firm, admin, c, token = invited(session)
    m1, m2 = matter(session, c, "M1"), matter(session, c, "M2")
    me = portal_identity(session, register(session, "nowak", token))

    def rollup():
        rows = session.exec(select(MatterMonthTime).where(MatterMonthTime.entries != 0)).all()
        return {(r.matter_id, r.month): (r.minutes, r.entries) for r in rows}

    def from_entries():
        out: dict = {}
        for e in session.exec(select(TimeEntry)).all():
            key = (e.matter_id, e.work_date.replace(day=1))
            minutes, entries = out.get(key, (0, 0))
            out[key] = (minutes + e.minutes, entries + 1)
        return out

    a = work(session, m1, admin.user_id, date(2026, 3, 31), 50)
    b = work(session, m1, admin.user_id, date(2026, 3, 1), 20)
    work(session, m2, admin.user_id, date(2026, 4, 2), 15)
    assert rollup() == from_entries() == {(m1.id, date(2026, 3, 1)): (70, 2), (m2.id, date(2026, 4, 1)): (15, 1)}
    a.work_date, a.minutes = date(2026, 4, 1), 55  # moved to another month and lengthened
    b.matter_id = m2.id  # moved to another matter
    session.add_all([a, b])
    session.commit()
    assert rollup() == from_entries() == {
        (m1.id, date(2026, 4, 1)): (55, 1), (m2.id, date(2026, 3, 1)): (20, 1), (m2.id, date(2026, 4, 1)): (15, 1),
    }
    session.delete(a)
    session.commit()
    assert rollup() == from_entries()
    board = client_portal.dashboard(session, me, now=datetime(2026, 4, 15, 12, tzinfo=timezone.utc))
    assert (board.minutes_total, board.minutes_this_month) == (35, 15)


@pytest.mark.parametrize("sort", ["date_desc", "date_asc", "hours_desc"])
def test_time_pages_across_months_match_a_plain_sorted_list(session, sort):
    """Pages read only the months they need; every page equals the slice of the whole sorted list."""
    firm, admin, c, token = invited(session)
    matters = [matter(session, c, f"M{i}") for i in range(3)]
    for i in range(130):  # uneven months: 1-17 entries each, spread over three matters
        day = date(2024, 1, 1) + timedelta(days=(i * i) % 700)
        work(session, matters[i % 3], admin.user_id, day, 5 + (i * 7) % 50)
    me = portal_identity(session, register(session, "nowak", token))
    key = {
        "date_desc": lambda e: (-e.work_date.toordinal(), -e.id),
        "date_asc": lambda e: (e.work_date, e.id),
        "hours_desc": lambda e: (-e.minutes, -e.work_date.toordinal(), -e.id),
    }[sort]
    expected = [e.id for e in sorted(session.exec(select(TimeEntry)).all(), key=key)]
    got = []
    for page in range(8):
        rows, total = client_portal.time_entries(session, me, page, sort=sort)
        assert total == 130
        got += [r.id for r in rows]
    assert got == expected
    only = matters[1]
    rows, total = client_portal.time_entries(session, me, 1, sort=sort,
                                             scope=client_portal.Scope(matter_id=only.id))
    assert total == 43 and [r.id for r in rows] == [i for i in expected if session.get(TimeEntry, i).matter_id == only.id][20:40]



def test_visit_finds_the_portal_and_its_signed_in_client_in_one_query(session):
    from sqlalchemy import event

    from portal_app.db import engine

    firm, admin, c, token = invited(session)
    me = portal_identity(session, register(session, "nowak", token))
    cookie = identity.start_session(session, portal_user_id=me.user_id)
    other_firm, other_admin, other_c, other_token = invited(session, email="ewa@example.com", address="kowal")
    stranger = identity.start_session(session, portal_user_id=register(session, "kowal", other_token))
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine(), "before_cursor_execute", count)
    try:
        brand, user = client_portal.visit(session, " NOWAK ", cookie)
    finally:
        event.remove(engine(), "before_cursor_execute", count)
    assert (brand.address, brand.firm_id, user) == ("nowak", firm.id, me)
    assert len(statements) == 1
    assert client_portal.visit(session, "nowak", stranger) == (brand, None), "another firm's client"
    assert client_portal.visit(session, "nowak", "") == (brand, None)
    for forged in (None, ["x"], {"a": 1}, "x" * 10_000, 42):
        assert client_portal.visit(session, "nowak", forged) == (brand, None)
    assert client_portal.visit(session, "nie-ma", cookie) == (None, None)
    assert client_portal.visit(session, ["nowak"], cookie) == (None, None)
    later = datetime.now(timezone.utc) + identity.IDLE_TIMEOUT + timedelta(minutes=1)
    assert client_portal.visit(session, "nowak", cookie, now=later) == (brand, None), "idle too long"
    assert client_portal.visit(session, "nowak", cookie) == (brand, None), "and the session is gone"
    settings = session.exec(select(PortalSettings).where(PortalSettings.firm_id == firm.id)).one()
    settings.enabled = False
    session.add(settings)
    session.commit()
    assert client_portal.visit(session, "nowak", stranger) == (None, None), "a switched-off portal"


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
        register(session, "nowak", token, first_name=" \u200b ", last_name="x" * 101, password_repeat="something else",
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


def test_register_reports_a_short_password_and_a_different_repeat_together(session):
    _, _, _, token = invited(session)
    with pytest.raises(FieldErrors) as info:
        register(session, "nowak", token, password="Krótkie-1!", password_repeat="Inne-2?")
    assert field_keys(info.value) == {"password": "password.too_short", "password_repeat": "register.passwords_differ"}


def test_password_change_reports_a_weak_password_and_a_different_repeat_together(session, registered):
    me = portal_identity(session, registered)
    with pytest.raises(FieldErrors) as info:
        client_portal.change_password(session, me, ("Kancelaria Nowak", "nowak"), current=PASSWORD,
                                      new="Krótkie-1!", repeat="Inne-2?")
    assert field_keys(info.value) == {"new_password": "password.too_short", "new_password_repeat": "register.passwords_differ"}


@pytest.mark.parametrize("tz", ["Mars/Olympus", "localtime", "", "europe/warsaw", "../../etc/passwd"])
def test_register_refuses_unknown_time_zones(session, tz):
    _, _, _, token = invited(session)
    with pytest.raises(FieldErrors) as info:
        register(session, "nowak", token, timezone=tz)
    assert field_keys(info.value) == {"timezone": "timezone.invalid"}


def test_register_stores_the_chosen_profile(session):
    _, _, _, token = invited(session)
    user = session.get(PortalUser, register(session, "nowak", token, first_name=" Ewa\u202e ", last_name=" Nowak ",
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


# ---- sign-in throttling (issue 5) -------------------------------------------------------------------

def attempt(session, password, *, at, email="jan@example.com", ip="10.0.0.1", address="nowak"):
    """The message key of a failed login, or "ok"."""
    try:
        client_portal.login(session, brand_for_address(session, address), email, password, client_ip=ip, now=at)
    except ServiceError as exc:
        return exc.key
    return "ok"


def test_failures_slow_down_then_lock_and_e_mail_a_reset_link(session, registered):
    t = NOW
    assert [attempt(session, "wrong-password-123", at=t) for _ in range(3)] == ["login.failed"] * 3
    # the third failure asks for a 1 s pause: even the right password is not checked meanwhile
    assert attempt(session, PASSWORD, at=t) == "login.wait"
    t += timedelta(seconds=1)
    assert attempt(session, "wrong-password-123", at=t) == "login.failed"
    assert attempt(session, PASSWORD, at=t + timedelta(seconds=1)) == "login.wait"  # now 2 s
    t += timedelta(seconds=2)
    assert session.exec(select(OutboxMessage).where(OutboxMessage.to_email == "jan@example.com",
                                                    OutboxMessage.subject.contains("hasł"))).first() is None
    assert attempt(session, "wrong-password-123", at=t) == "login.locked"
    assert attempt(session, PASSWORD, at=t + timedelta(minutes=14)) == "login.locked"
    mails = session.exec(select(OutboxMessage).where(OutboxMessage.to_email == "jan@example.com",
                                                     OutboxMessage.text.contains("/reset/"))).all()
    assert len(mails) == 1
    assert attempt(session, PASSWORD, at=t + timedelta(minutes=15, seconds=1)) == "ok"
    assert session.exec(select(LoginThrottle).where(LoginThrottle.key.startswith("account:"))).first() is None


def test_unknown_addresses_are_throttled_alike_and_get_no_mail(session, registered):
    t = NOW
    keys = []
    for step in range(5):
        keys.append(attempt(session, "whatever-password", at=t, email="nobody@example.com"))
        t += timedelta(seconds=30)
    assert keys == ["login.failed"] * 4 + ["login.locked"]
    assert session.exec(select(OutboxMessage).where(OutboxMessage.to_email == "nobody@example.com")).first() is None
    # another account from another network is not affected
    assert attempt(session, PASSWORD, at=t, ip="10.0.0.2") == "ok"


def test_one_ip_trying_many_accounts_is_locked(session, registered):
    t = NOW
    results = []
    for n in range(login_throttle.CLIENT_IP.lock_after):
        results.append(attempt(session, "whatever-password", at=t, email=f"user{n}@example.com"))
        t += timedelta(seconds=40)
    assert results[-1] == "login.ip_locked" and set(results[:-1]) == {"login.failed"}
    assert attempt(session, PASSWORD, at=t) == "login.ip_locked"
    assert attempt(session, PASSWORD, at=t, ip="10.9.9.9") == "ok"


def test_quiet_time_forgets_failures(session, registered):
    for _ in range(3):
        attempt(session, "wrong-password-123", at=NOW)
    later = NOW + login_throttle.FORGET_AFTER + timedelta(seconds=1)
    assert attempt(session, "wrong-password-123", at=later) == "login.failed"
    assert attempt(session, "wrong-password-123", at=later) == "login.failed"  # counting from 1 again


# ---- forgotten password -------------------------------------------------------------------------------

def reset_token(session, email="jan@example.com"):
    msg = session.exec(select(OutboxMessage).where(OutboxMessage.to_email == email, OutboxMessage.text.contains("/reset/"))
                       .order_by(OutboxMessage.id.desc())).first()
    return re.findall(r"/reset/([A-Za-z0-9_-]{20,})", msg.text)[0]


NEW_PASSWORD = "Kasztanowy-Ogród-Nocą-42"


def test_reset_link_sets_the_password_once_and_ends_every_session(session, registered):
    brand = brand_for_address(session, "nowak")
    other_device = identity.start_session(session, portal_user_id=registered)
    password_reset.request_reset(session, brand, "JAN@example.com")
    token = reset_token(session)
    assert password_reset.link_email(session, brand, token) == "jan@example.com"
    with pytest.raises(FieldErrors) as info:
        password_reset.reset_password(session, brand, token, new="short", repeat="short")
    assert field_keys(info.value) == {"new_password": "password.too_short"}
    assert password_reset.reset_password(session, brand, token, new=NEW_PASSWORD, repeat=NEW_PASSWORD) == registered
    assert identity.portal_user_for_token(session, other_device) is None
    assert client_portal.login(session, brand, "jan@example.com", NEW_PASSWORD) == registered
    with pytest.raises(ServiceError) as info:
        password_reset.reset_password(session, brand, token, new=NEW_PASSWORD + "x", repeat=NEW_PASSWORD + "x")
    assert info.value.key == "reset.invalid"


def test_reset_link_expires_after_an_hour(session, registered):
    brand = brand_for_address(session, "nowak")
    password_reset.request_reset(session, brand, "jan@example.com", now=NOW)
    token = reset_token(session)
    assert password_reset.link_email(session, brand, token, now=NOW + timedelta(minutes=59)) == "jan@example.com"
    assert password_reset.link_email(session, brand, token, now=NOW + timedelta(minutes=61)) is None
    with pytest.raises(ServiceError):
        password_reset.reset_password(session, brand, token, new=NEW_PASSWORD, repeat=NEW_PASSWORD,
                                      now=NOW + timedelta(minutes=61))


def test_reset_request_for_an_unknown_address_sends_nothing(session, registered):
    brand = brand_for_address(session, "nowak")
    before = len(session.exec(select(OutboxMessage)).all())
    password_reset.request_reset(session, brand, "nobody@example.com")
    password_reset.request_reset(session, brand, "not an address")
    assert len(session.exec(select(OutboxMessage)).all()) == before


def test_reset_links_are_limited_per_hour_and_per_firm(session, registered):
    brand = brand_for_address(session, "nowak")
    for _ in range(password_reset.MAX_LINKS_PER_HOUR + 2):
        password_reset.request_reset(session, brand, "jan@example.com", now=NOW)
    assert len(session.exec(select(PasswordReset)).all()) == password_reset.MAX_LINKS_PER_HOUR
    make_firm(session, name="Kowalczyk Legal", address="kowalczyk")
    token = reset_token(session)
    assert password_reset.link_email(session, brand_for_address(session, "kowalczyk"), token, now=NOW) is None


def test_reset_lifts_a_sign_in_lock(session, registered):
    t = NOW
    for _ in range(5):
        attempt(session, "wrong-password-123", at=t)
        t += timedelta(seconds=30)
    assert attempt(session, PASSWORD, at=t) == "login.locked"
    brand = brand_for_address(session, "nowak")
    password_reset.reset_password(session, brand, reset_token(session), new=NEW_PASSWORD, repeat=NEW_PASSWORD, now=t)
    assert attempt(session, NEW_PASSWORD, at=t) == "ok"


# ---- the switcher, sorting and filters ------------------------------------------------------------

@pytest.fixture
def two_cards(session):
    """Jan sees contact Budmax (two matters) and, through a matter card, one matter of Lazar."""
    firm, admin = make_firm(session)
    budmax = contact(session, firm, "Budmax")
    lazar = contact(session, firm, "Lazar")
    b1, b2 = matter(session, budmax, "B/1"), matter(session, budmax, "B/2")
    l1, l2 = matter(session, lazar, "L/1"), matter(session, lazar, "L/2")
    invoice(session, budmax, "FV-B1", due=date(2026, 3, 20), total=10_000, m=b1, issued=date(2026, 1, 5))
    invoice(session, budmax, "FV-B2", due=date(2026, 2, 1), total=20_000, m=b2, issued=date(2026, 1, 3), status="paid", paid=20_000)
    invoice(session, lazar, "FV-L1", due=date(2026, 2, 1), total=40_000, m=l1, issued=date(2026, 1, 4))
    invoice(session, lazar, "FV-L2", due=date(2026, 2, 1), total=80_000, m=l2, issued=date(2026, 1, 2))
    staff_id = session.exec(select(StaffUser.id)).first()
    for m, minutes in ((b1, 60), (b2, 30), (l1, 90), (l2, 600)):
        work(session, m, staff_id, date(2026, 3, 2), minutes)
    share(session, admin, "contact", budmax.id, "jan@example.com")
    share(session, admin, "matter", l1.id, "jan@example.com")
    user_id = register(session, "nowak", latest_token(session, "jan@example.com"))
    return portal_identity(session, user_id), dict(budmax=budmax, lazar=lazar, b1=b1, b2=b2, l1=l1, l2=l2)


def test_switcher_offers_exactly_the_shared_clients_and_matters(session, two_cards):
    me, ids = two_cards
    choices = client_portal.card_choices(session, me)
    assert [(c.value, c.label) for c in choices] == [
        (f"contact:{ids['budmax'].id}", "Budmax"),
        (f"matter:{ids['b1'].id}", "B/1 Title B/1"),
        (f"matter:{ids['b2'].id}", "B/2 Title B/2"),
        (f"matter:{ids['l1'].id}", "L/1 Title L/1"),
    ]
    for forged in (f"contact:{ids['lazar'].id}", f"matter:{ids['l2'].id}", "matter:abc", "contact:", "x"):
        with pytest.raises(ServiceError):
            client_portal.scope_for(session, me, forged)
    assert client_portal.scope_for(session, me, "all") == client_portal.EVERYTHING


def test_narrowing_applies_to_the_dashboard_and_every_list(session, two_cards):
    me, ids = two_cards
    everything = client_portal.dashboard(session, me, now=NOW)
    assert (everything.minutes_total, everything.pending, everything.overdue) == (180, {"PLN": 10_000}, {"PLN": 40_000})
    lazar = client_portal.scope_for(session, me, f"matter:{ids['l1'].id}")
    narrowed = client_portal.dashboard(session, me, now=NOW, scope=lazar)
    assert (narrowed.minutes_total, narrowed.pending, narrowed.overdue) == (90, {}, {"PLN": 40_000})
    budmax = client_portal.scope_for(session, me, f"contact:{ids['budmax'].id}")
    assert [r.number for r in client_portal.invoices(session, me, scope=budmax, now=NOW)[0]] == ["FV-B1", "FV-B2"]
    assert [r.minutes for r in client_portal.time_entries(session, me, scope=budmax, sort="hours_desc")[0]] == [60, 30]
    assert client_portal.time_entries(session, me, scope=lazar)[1] == 1


def test_invoice_sorting_and_status_filter(session, two_cards):
    me, _ids = two_cards
    numbers = lambda **kw: [r.number for r in client_portal.invoices(session, me, now=NOW, **kw)[0]]  # noqa: E731
    assert numbers() == ["FV-B1", "FV-L1", "FV-B2"]
    assert numbers(sort="date_asc") == ["FV-B2", "FV-L1", "FV-B1"]
    assert numbers(sort="amount_desc") == ["FV-L1", "FV-B2", "FV-B1"]
    assert numbers(sort="number") == ["FV-B1", "FV-B2", "FV-L1"]
    assert numbers(sort="'; drop table invoice; --") == numbers()
    assert numbers(status="paid") == ["FV-B2"]
    assert numbers(status="overdue") == ["FV-L1"]
    assert numbers(status="draft") == numbers()  # not a filter anyone may ask for: ignored


# ---- agreement documents ------------------------------------------------------------------------------

def test_documents_are_stored_privately_under_random_names():
    data = documents.sample_pdf("Umowa 2026/030")
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    xref = int(re.search(rb"startxref\n(\d+)", data).group(1))
    assert data[xref:xref + 4] == b"xref"
    first, second = documents.store_document(data, "Umowa.PDF"), documents.store_document(data, "Umowa.pdf")
    assert first != second and first.endswith(".pdf") and len(first) >= 40
    assert documents.document_path(first).parent == documents.documents_dir()
    with documents.open_document(first) as handle:
        assert handle.read() == data
    for bad in ("../unit.db", "..", "", first + "/..", "a" * 10 + ".pdf"):
        with pytest.raises((documents.DocumentError, FileNotFoundError)):
            documents.open_document(bad)
    for data_, name in ((b"", "a.pdf"), (b"x", "a.exe"), (b"x", "noextension")):
        with pytest.raises(documents.DocumentError):
            documents.store_document(data_, name)


def test_agreement_document_only_for_those_it_is_shared_with(session, two_cards):
    me, ids = two_cards
    stored = documents.store_document(documents.sample_pdf("x"), "umowa.pdf")
    mine = add(session, Agreement(firm_id=ids["budmax"].firm_id, contact_id=ids["budmax"].id, title="Umowa",
                                  document_file=stored, document_name="Umowa B.pdf"))
    theirs = add(session, Agreement(firm_id=ids["lazar"].firm_id, contact_id=ids["lazar"].id, matter_id=ids["l2"].id,
                                    title="Cudza", document_file=stored, document_name="Cudza.pdf"))
    assert client_portal.agreement_document(session, me, mine.id) == (stored, "Umowa B.pdf")
    for other in (theirs.id, "abc", None, 10**9):
        with pytest.raises(ServiceError):
            client_portal.agreement_document(session, me, other)
    rows, _ = client_portal.agreements(session, me)
    assert [(r.title, r.has_document) for r in rows] == [("Umowa", True)]


def test_long_quiet_counters_are_swept(session, registered):
    attempt(session, "wrong-password-123", at=NOW, email="made-up-1@example.com")
    later = NOW + login_throttle.FORGET_AFTER + login_throttle.LOCK_FOR + timedelta(seconds=1)
    attempt(session, "wrong-password-123", at=later, email="made-up-2@example.com")
    keys = {row.key for row in session.exec(select(LoginThrottle))}
    assert not any("made-up-1" in k for k in keys) and any("made-up-2" in k for k in keys)


@pytest.mark.parametrize("raw, expected", [(3, 3), ("2", 2), (-5, 0), (10**9, 100_000), (float("inf"), 0),
                                           (float("nan"), 0), ("abc", 0), (None, 0), ([1], 0)])
def test_a_list_page_number_from_the_browser_is_bounded_never_an_error(raw, expected):
    """Python's json reads `Infinity` and `NaN`: int() of them raised OverflowError/ValueError."""
    assert client_portal._page(raw) == expected
