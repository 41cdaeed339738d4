"""Sharing cards with clients (CP-2) and personal invitation links (CP-3), checked from the client's side."""

import itertools
import re
from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from portal_app.models import (
    Agreement,
    Contact,
    Firm,
    Invitation,
    Invoice,
    Matter,
    OutboxMessage,
    PortalSettings,
    PortalUser,
    Share,
    ShareInvoiceScope,
    ShareRecipient,
    StaffUser,
    TimeEntry,
)
from portal_app.models.base import utcnow
from portal_app.services import client_portal, identity, passwords, sharing
from portal_app.services.errors import NotAllowed, ServiceError
from portal_app.services.portal_settings import brand_for_address
from tests.conftest import add

PASSWORD = "Zielony-Parasol-Nad-Wisłą-77"
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch):
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 4)


# ---- factories ------------------------------------------------------------------------------------

def make_firm(session, name="Kancelaria Nowak", address="nowak", plan="premium", enabled=True):
    """A firm, its administrator's identity, and portal settings at `address`."""
    firm = Firm(name=name, plan=plan, default_language="pl")
    session.add(firm)
    session.flush()
    session.add(PortalSettings(firm_id=firm.id, company_name=name, address=address, enabled=enabled,
                               contact_email="biuro@firm.example.com"))
    session.commit()
    return firm, staff(session, firm, "administrator")


def staff(session, firm, role):
    user = StaffUser(firm_id=firm.id, email=f"staff{next(_seq)}@firm.example.com", name="Anna",
                     role=role, password_hash="not-used")
    session.add(user)
    session.commit()
    token = identity.start_session(session, staff_user_id=user.id)
    return identity.staff_for_token(session, token)


def contact(session, firm, name):
    return add(session, Contact(firm_id=firm.id, name=name, email=""))


def matter(session, c, number):
    return add(session, Matter(firm_id=c.firm_id, contact_id=c.id, number=number, title=f"Matter {number}"))


def invoice(session, c, m, number, status="approved", type_="invoice"):
    return add(session, Invoice(
        firm_id=c.firm_id, contact_id=c.id, matter_id=m.id if m else None, number=number, type=type_,
        status=status, issue_date=date(2026, 3, 1), due_date=date(2026, 3, 15), currency="PLN",
        total_minor=10_000, paid_minor=10_000 if status == "paid" else 0,
    ))


def time_entry(session, m, who_id, minutes):
    return add(session, TimeEntry(firm_id=m.firm_id, matter_id=m.id, staff_user_id=who_id,
                                  work_date=date(2026, 3, 2), minutes=minutes, description=f"work {m.number}"))


def agreement(session, c, m, title):
    return add(session, Agreement(firm_id=c.firm_id, contact_id=c.id, matter_id=m.id if m else None, title=title))


def share(session, me, kind, card_id, emails, *, types=sharing.DEFAULT_TYPES, statuses=sharing.DEFAULT_STATUSES,
          time_entries=True, agreements=True):
    return sharing.save_share(session, me, kind, card_id, emails=list(emails), invoice_types=list(types),
                              invoice_statuses=list(statuses), time_entries=time_entries, agreements=agreements)


def outbox(session, to=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if to:
        query = query.where(OutboxMessage.to_email == to)
    return session.exec(query).all()


def token_in(message: OutboxMessage) -> str:
    found = re.findall(r"/invite/([A-Za-z0-9_-]{20,})", message.text)
    assert found, message.text
    return found[0]


def latest_token(session, email):
    return token_in(outbox(session, email)[-1])


def register(session, address, token, **overrides):
    args = dict(first_name="Jan", last_name="Kowalski", password=PASSWORD, password_repeat=PASSWORD,
                timezone="Europe/Warsaw", language="pl")
    args.update(overrides)
    return client_portal.register(session, brand_for_address(session, address), token, **args)


def client(session, address, email):
    """Register `email` through its latest invitation and return its PortalIdentity."""
    user_id = register(session, address, latest_token(session, email))
    token = identity.start_session(session, portal_user_id=user_id)
    return identity.portal_user_for_token(session, token)


def seen(session, who):
    """(invoice numbers, time-entry matters, agreement titles) this portal user sees now."""
    invs, _ = client_portal.invoices(session, who)
    times, _ = client_portal.time_entries(session, who)
    agrs, _ = client_portal.agreements(session, who)
    return {r.number for r in invs}, {r.matter.split()[0] for r in times}, {a.title for a in agrs}


@pytest.fixture
def world(session):
    """Firm A with contact Budmax (matters M1, M2) and contact Wiśniewska (M3)."""
    firm, admin = make_firm(session)
    budmax = contact(session, firm, "Budmax")
    wis = contact(session, firm, "Wiśniewska")
    m1, m2, m3 = matter(session, budmax, "M1"), matter(session, budmax, "M2"), matter(session, wis, "M3")
    invoice(session, budmax, m1, "A-M1")
    invoice(session, budmax, m2, "A-M2")
    invoice(session, budmax, None, "A-none")
    invoice(session, budmax, m1, "A-M1-draft", status="draft")
    invoice(session, budmax, m1, "A-M1-paid", status="paid")
    invoice(session, wis, m3, "W-M3")
    for m in (m1, m2, m3):
        time_entry(session, m, admin.user_id, 60)
    agreement(session, budmax, m1, "agr-M1")
    agreement(session, budmax, None, "agr-Budmax")
    agreement(session, wis, m3, "agr-M3")
    return dict(firm=firm, admin=admin, budmax=budmax, wis=wis, m1=m1, m2=m2, m3=m3)


# ---- parse_addresses ------------------------------------------------------------------------------------

def test_parse_addresses_splits_on_every_separator():
    parsed = sharing.parse_addresses("a@x.example.com,b@x.example.com; c@x.example.com d@x.example.com\n"
                                     "e@x.example.com\r\n\tf@x.example.com")
    assert [p.email for p in parsed] == [f"{c}@x.example.com" for c in "abcdef"]
    assert all(p.error == "" for p in parsed)


def test_parse_addresses_keeps_display_names_out():
    parsed = sharing.parse_addresses("Jan Kowalski <jan@example.com>\nAnna Nowak <Anna@Example.com>")
    assert [(p.email, p.error) for p in parsed] == [("jan@example.com", ""), ("anna@example.com", "")]


def test_parse_addresses_drops_duplicates_differing_by_case():
    parsed = sharing.parse_addresses("Jan@Example.com, jan@example.com; JAN@EXAMPLE.COM\nJan K <jan@EXAMPLE.com>")
    assert [p.email for p in parsed] == ["jan@example.com"]


def test_parse_addresses_flags_bad_ones_individually():
    parsed = sharing.parse_addresses("ok@example.com; nope, x@y\n@example.com ok2@example.com NOPE")
    assert [(p.raw, p.email, p.error) for p in parsed] == [
        ("ok@example.com", "ok@example.com", ""),
        ("nope", "", "email.invalid"),
        ("x@y", "", "email.invalid"),
        ("@example.com", "", "email.invalid"),
        ("ok2@example.com", "ok2@example.com", ""),
    ]


def test_parse_addresses_empty():
    assert sharing.parse_addresses("") == []
    assert sharing.parse_addresses(" ,;\n ") == []


def test_parse_addresses_quoted_display_name_with_comma():
    parsed = sharing.parse_addresses('"Kowalski, Jan" <jan@example.com>; "Nowak, Anna" <anna@example.com>')
    assert [(p.email, p.error) for p in parsed] == [("jan@example.com", ""), ("anna@example.com", "")]


# ---- save_share / load_share -------------------------------------------------------------------------

def test_load_share_defaults(world, session):
    view = sharing.load_share(session, world["admin"], "contact", world["budmax"].id)
    assert view.invoice_types == ("invoice", "advance", "credit_note")
    assert view.invoice_statuses == ("approved", "partially_paid", "paid")
    assert (view.time_entries, view.agreements, view.recipients) == (True, True, ())


def test_save_share_round_trip(world, session):
    share(session, world["admin"], "matter", world["m1"].id, ["Jan@Example.com"],
          types=["advance", "invoice"], statuses=["paid"], time_entries=False, agreements=True)
    view = sharing.load_share(session, world["admin"], "matter", world["m1"].id)
    assert view.invoice_types == ("invoice", "advance")
    assert view.invoice_statuses == ("paid",)
    assert (view.time_entries, view.agreements) == (False, True)
    assert [(r.email, r.registered, r.delivery) for r in view.recipients] == [("jan@example.com", False, "queued")]
    assert view.recipients[0].last_invited_at is not None


def test_empty_invoice_selection_shares_no_invoices(world, session):
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"], types=[], statuses=[])
    view = sharing.load_share(session, world["admin"], "contact", world["budmax"].id)
    assert (view.invoice_types, view.invoice_statuses) == ((), ())
    jan = client(session, "nowak", "jan@example.com")
    invoices, times, agreements = seen(session, jan)
    assert invoices == set()
    assert times == {"M1", "M2"}  # the share itself works
    assert client_portal.dashboard(session, jan).pending == {}


@pytest.mark.parametrize(("types", "statuses"), [(["invoice"], []), ([], ["approved"])])
def test_half_empty_invoice_selection_shares_no_invoices(world, session, types, statuses):
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"], types=types, statuses=statuses)
    jan = client(session, "nowak", "jan@example.com")
    assert seen(session, jan)[0] == set()


def test_drafts_never_shared_even_if_asked(world, session):
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"],
          statuses=["draft", "approved", "paid"])
    assert session.exec(select(ShareInvoiceScope).where(ShareInvoiceScope.invoice_status == "draft")).all() == []
    view = sharing.load_share(session, world["admin"], "contact", world["budmax"].id)
    assert "draft" not in view.invoice_statuses
    jan = client(session, "nowak", "jan@example.com")
    assert seen(session, jan)[0] == {"A-M1", "A-M2", "A-none", "A-M1-paid"}


def test_drafts_invisible_even_with_a_forged_scope_row(world, session):
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    sh = session.exec(select(Share)).one()
    add(session, ShareInvoiceScope(share_id=sh.id, invoice_type="invoice", invoice_status="draft"))
    jan = client(session, "nowak", "jan@example.com")
    assert "A-M1-draft" not in seen(session, jan)[0]


def test_each_share_keeps_its_own_scope_and_switches(world, session):
    admin = world["admin"]
    share(session, admin, "contact", world["budmax"].id, ["jan@example.com"], statuses=["paid"], time_entries=False)
    share(session, admin, "matter", world["m1"].id, ["jan@example.com"], statuses=["approved"], agreements=False)
    jan = client(session, "nowak", "jan@example.com")
    assert seen(session, jan) == ({"A-M1-paid", "A-M1"}, {"M1"}, {"agr-M1", "agr-Budmax"})


def test_chosen_types_and_statuses_are_respected(world, session):
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"],
          types=["invoice"], statuses=["paid"])
    jan = client(session, "nowak", "jan@example.com")
    assert seen(session, jan)[0] == {"A-M1-paid"}


def test_contact_share_covers_all_its_matters_and_loose_items(world, session):
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    jan = client(session, "nowak", "jan@example.com")
    assert seen(session, jan) == (
        {"A-M1", "A-M2", "A-none", "A-M1-paid"}, {"M1", "M2"}, {"agr-M1", "agr-Budmax"},
    )


def test_matter_share_covers_that_matter_only(world, session):
    share(session, world["admin"], "matter", world["m1"].id, ["ola@example.com"])
    ola = client(session, "nowak", "ola@example.com")
    assert seen(session, ola) == ({"A-M1", "A-M1-paid"}, {"M1"}, {"agr-M1"})


def test_time_entries_and_agreements_switches(world, session):
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"],
          time_entries=False, agreements=False)
    jan = client(session, "nowak", "jan@example.com")
    invoices, times, agreements = seen(session, jan)
    assert invoices and times == set() and agreements == set()


def test_two_people_each_see_only_their_own_card(world, session):
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    share(session, world["admin"], "contact", world["wis"].id, ["ewa@example.com"])
    jan = client(session, "nowak", "jan@example.com")
    ewa = client(session, "nowak", "ewa@example.com")
    assert seen(session, jan) == ({"A-M1", "A-M2", "A-none", "A-M1-paid"}, {"M1", "M2"}, {"agr-M1", "agr-Budmax"})
    assert seen(session, ewa) == ({"W-M3"}, {"M3"}, {"agr-M3"})


def test_same_email_in_another_firm_sees_nothing_of_this_firm(world, session):
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    client(session, "nowak", "jan@example.com")
    firm_b, admin_b = make_firm(session, name="Kowalczyk Legal", address="kowalczyk")
    zolw = contact(session, firm_b, "Żółw")
    invoice(session, zolw, None, "B-1")
    share(session, admin_b, "contact", zolw.id, ["jan@example.com"])
    jan_b = client(session, "kowalczyk", "jan@example.com")
    assert seen(session, jan_b) == ({"B-1"}, set(), set())


def test_removing_an_address_ends_access_at_once_but_keeps_other_cards(world, session):
    admin = world["admin"]
    share(session, admin, "contact", world["budmax"].id, ["jan@example.com", "ola@example.com"])
    share(session, admin, "matter", world["m3"].id, ["jan@example.com"])
    jan = client(session, "nowak", "jan@example.com")
    assert seen(session, jan)[0] == {"A-M1", "A-M2", "A-none", "A-M1-paid", "W-M3"}

    share(session, admin, "contact", world["budmax"].id, ["ola@example.com"])
    assert seen(session, jan) == ({"W-M3"}, {"M3"}, {"agr-M3"})
    view = sharing.load_share(session, admin, "contact", world["budmax"].id)
    assert [r.email for r in view.recipients] == ["ola@example.com"]

    recipient = sharing.load_share(session, admin, "matter", world["m3"].id).recipients[0]
    assert sharing.revoke_recipient(session, admin, recipient.id) == "jan@example.com"
    assert seen(session, jan) == (set(), set(), set())
    assert client_portal.dashboard(session, jan).minutes_total == 0


def test_revoked_recipient_cannot_be_revoked_or_reinvited_again(world, session):
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    rid = session.exec(select(ShareRecipient.id)).one()
    sharing.revoke_recipient(session, world["admin"], rid)
    for action in (sharing.revoke_recipient, sharing.resend_invitation):
        with pytest.raises(NotAllowed) as info:
            action(session, world["admin"], rid)
        assert info.value.key == "errors.not_found"


def test_readding_a_removed_address_restores_access_with_a_new_invitation(world, session):
    admin = world["admin"]
    share(session, admin, "matter", world["m1"].id, ["jan@example.com"])
    jan = client(session, "nowak", "jan@example.com")
    share(session, admin, "matter", world["m1"].id, [])
    assert seen(session, jan)[0] == set()
    before = len(outbox(session))
    assert len(share(session, admin, "matter", world["m1"].id, ["jan@example.com"])) == 1
    assert len(outbox(session)) == before + 1
    assert seen(session, jan)[0] == {"A-M1", "A-M1-paid"}


# ---- who may share ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("plan", "role", "key"), [
    ("premium", "user", "settings.refused_role"),
    ("standard", "administrator", "settings.refused_plan"),
])
def test_only_premium_admins_share(session, plan, role, key):
    firm, _ = make_firm(session, plan=plan)
    me = staff(session, firm, role)
    c = contact(session, firm, "Budmax")
    for call in (
        lambda: share(session, me, "contact", c.id, ["jan@example.com"]),
        lambda: sharing.load_share(session, me, "contact", c.id),
    ):
        with pytest.raises(NotAllowed) as info:
            call()
        assert info.value.key == key
    assert session.exec(select(func.count()).select_from(Share)).one() == 0
    assert outbox(session) == []


def test_admin_of_another_firm_cannot_use_this_firms_cards(world, session):
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    rid = session.exec(select(ShareRecipient.id)).one()
    _, admin_b = make_firm(session, name="Kowalczyk Legal", address="kowalczyk")
    calls = [
        lambda: share(session, admin_b, "contact", world["budmax"].id, ["spy@example.com"]),
        lambda: share(session, admin_b, "matter", world["m1"].id, ["spy@example.com"]),
        lambda: sharing.load_share(session, admin_b, "contact", world["budmax"].id),
        lambda: sharing.resend_invitation(session, admin_b, rid),
        lambda: sharing.revoke_recipient(session, admin_b, rid),
    ]
    for call in calls:
        with pytest.raises(NotAllowed) as info:
            call()
        assert info.value.key == "errors.not_found"
    assert session.exec(select(ShareRecipient.email, ShareRecipient.removed_at)).all() == [("jan@example.com", None)]
    assert [m.to_email for m in outbox(session)] == ["jan@example.com"]


@pytest.mark.parametrize(("kind", "card_id"), [("invoice", 1), ("contact", "abc"), ("contact", None), ("matter", 10**9)])
def test_unknown_cards_are_not_found(world, session, kind, card_id):
    with pytest.raises(NotAllowed) as info:
        share(session, world["admin"], kind, card_id, ["jan@example.com"])
    assert info.value.key == "errors.not_found"


@pytest.mark.parametrize(("enabled", "address"), [(False, "nowak"), (True, None)])
def test_sharing_needs_an_enabled_portal(session, enabled, address):
    firm, admin = make_firm(session, enabled=enabled, address=address)
    c = contact(session, firm, "Budmax")
    with pytest.raises(NotAllowed) as info:
        share(session, admin, "contact", c.id, ["jan@example.com"])
    assert info.value.key == "share.portal_disabled"
    assert outbox(session) == []


def test_bad_or_too_many_addresses_save_nothing(world, session):
    with pytest.raises(ServiceError) as info:
        share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com", "not-an-address"])
    assert info.value.key == "email.invalid"
    with pytest.raises(ServiceError) as info:
        share(session, world["admin"], "contact", world["budmax"].id,
              [f"p{i}@example.com" for i in range(sharing.MAX_RECIPIENTS + 1)])
    assert info.value.key == "share.too_many"
    session.rollback()
    assert session.exec(select(func.count()).select_from(ShareRecipient)).one() == 0
    assert outbox(session) == []


# ---- invitations and the outbox -----------------------------------------------------------------------------

def test_each_new_address_enqueues_exactly_one_message(world, session):
    admin, cid = world["admin"], world["budmax"].id
    invited = share(session, admin, "contact", cid, ["jan@example.com", "ola@example.com", "JAN@example.com"])
    assert len(invited) == 2
    msgs = outbox(session)
    assert sorted(m.to_email for m in msgs) == ["jan@example.com", "ola@example.com"]
    assert {m.recipient_id for m in msgs} == set(invited)
    assert all(m.status == "queued" and m.firm_id == world["firm"].id for m in msgs)

    assert share(session, admin, "contact", cid, ["ola@example.com", "jan@example.com"]) == []
    assert share(session, admin, "contact", cid, ["OLA@example.com", "Jan@Example.COM"]) == []
    assert len(outbox(session)) == 2

    assert len(share(session, admin, "contact", cid, ["ola@example.com", "jan@example.com", "ewa@example.com"])) == 1
    assert [m.to_email for m in outbox(session)][2:] == ["ewa@example.com"]


def test_resend_enqueues_one_more_with_a_fresh_token(world, session):
    admin = world["admin"]
    (rid,) = share(session, admin, "matter", world["m1"].id, ["jan@example.com"])
    first = latest_token(session, "jan@example.com")
    sharing.resend_invitation(session, admin, rid)
    msgs = outbox(session, "jan@example.com")
    assert len(msgs) == 2
    second = token_in(msgs[-1])
    assert second != first
    assert session.exec(select(func.count()).select_from(Invitation)).one() == 2
    view = sharing.resolve_invitation(session, world["firm"].id, second)
    assert (view.state, view.email, view.card_kind, view.card_id) == ("register", "jan@example.com", "matter", world["m1"].id)


def test_registered_flag_and_invitation_mail_for_known_person(world, session):
    admin = world["admin"]
    share(session, admin, "matter", world["m1"].id, ["jan@example.com"])
    client(session, "nowak", "jan@example.com")
    assert [r.registered for r in sharing.load_share(session, admin, "matter", world["m1"].id).recipients] == [True]
    share(session, admin, "matter", world["m2"].id, ["jan@example.com"])
    view = sharing.resolve_invitation(session, world["firm"].id, latest_token(session, "jan@example.com"))
    assert (view.state, view.card_id) == ("login", world["m2"].id)


def test_resolve_invitation_register_then_login(world, session):
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    token = latest_token(session, "jan@example.com")
    view = sharing.resolve_invitation(session, world["firm"].id, token)
    assert (view.state, view.email, view.card_kind, view.card_id) == ("register", "jan@example.com", "contact", world["budmax"].id)
    register(session, "nowak", token)
    assert sharing.resolve_invitation(session, world["firm"].id, token).state == "login"


def test_resolve_invitation_expired_after_validity(world, session):
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    token = latest_token(session, "jan@example.com")
    firm_id = world["firm"].id
    assert sharing.resolve_invitation(session, firm_id, token, now=utcnow() + timedelta(days=13)).state == "register"
    assert sharing.resolve_invitation(session, firm_id, token, now=utcnow() + timedelta(days=15)).state == "expired"


def test_register_through_an_expired_link_is_refused(world, session):
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    token = latest_token(session, "jan@example.com")
    inv = session.exec(select(Invitation)).one()
    inv.expires_at = utcnow() - timedelta(minutes=1)
    add(session, inv)
    with pytest.raises(ServiceError) as info:
        register(session, "nowak", token)
    assert info.value.key == "invite.expired"
    assert session.exec(select(PortalUser)).all() == []


def test_resolve_invitation_revoked(world, session):
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    token = latest_token(session, "jan@example.com")
    share(session, world["admin"], "contact", world["budmax"].id, [])
    assert sharing.resolve_invitation(session, world["firm"].id, token).state == "revoked"
    with pytest.raises(ServiceError) as info:
        register(session, "nowak", token)
    assert info.value.key == "invite.revoked"


@pytest.mark.parametrize("token", ["", "short", "x" * 43, "A" * 101, None, 12345])
def test_resolve_invitation_garbage_is_invalid(world, session, token):
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    assert sharing.resolve_invitation(session, world["firm"].id, token).state == "invalid"


def test_token_of_firm_a_is_invalid_at_firm_b(world, session):
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    token = latest_token(session, "jan@example.com")
    firm_b, _ = make_firm(session, name="Kowalczyk Legal", address="kowalczyk")
    assert sharing.resolve_invitation(session, firm_b.id, token).state == "invalid"
    with pytest.raises(ServiceError) as info:
        register(session, "kowalczyk", token)
    assert info.value.key == "invite.invalid"
    assert session.exec(select(PortalUser)).all() == []


def test_registration_link_works_once(world, session):
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    token = latest_token(session, "jan@example.com")
    register(session, "nowak", token)
    with pytest.raises(ServiceError) as info:
        register(session, "nowak", token, first_name="Someone", last_name="Else")
    assert info.value.key == "invite.login"
    users = session.exec(select(PortalUser)).all()
    assert [(u.email, u.first_name) for u in users] == [("jan@example.com", "Jan")]
    assert session.exec(select(Invitation)).one().used_at is not None


def test_link_creates_account_only_for_the_invited_address(world, session):
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    token = latest_token(session, "jan@example.com")
    with pytest.raises(TypeError):
        register(session, "nowak", token, email="mallory@example.com")
    user_id = register(session, "nowak", token)
    assert session.get(PortalUser, user_id).email == "jan@example.com"
    brand = brand_for_address(session, "nowak")
    with pytest.raises(ServiceError):
        client_portal.login(session, brand, "mallory@example.com", PASSWORD)
    assert client_portal.login(session, brand, "jan@example.com", PASSWORD) == user_id


def test_link_of_a_registered_person_leads_to_login_even_after_validity(world, session):
    """CP-3.3: the e-mail button keeps working after logout, also after the 14 days."""
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    token = latest_token(session, "jan@example.com")
    register(session, "nowak", token)
    later = utcnow() + timedelta(days=30)
    assert sharing.resolve_invitation(session, world["firm"].id, token, now=later).state == "login"


# ---- issue 4: parsing edge cases, the dialog's Save, who may act, every link state ----------------------

@pytest.mark.parametrize(("text", "emails"), [
    ('"Kowalski, Jan" jan@example.com', ["jan@example.com"]),
    ('"Nowak; Anna"\t<anna@example.com>\r\n"Kowalski, Jan" <jan@example.com>', ["anna@example.com", "jan@example.com"]),
    ("Jan Kowalski <jan@example.com> ola@example.com Anna Nowak <anna@example.com>",
     ["jan@example.com", "ola@example.com", "anna@example.com"]),
    ("Jan<jan@example.com>,jan@example.com <JAN@example.com>", ["jan@example.com"]),
    ("  jan@example.com  \n\n  ", ["jan@example.com"]),
])
def test_parse_addresses_display_names_and_separators(text, emails):
    parsed = sharing.parse_addresses(text)
    assert [p.email for p in parsed] == emails
    assert all(p.error == "" for p in parsed)


@pytest.mark.parametrize(("text", "bad"), [
    ("jan@example.com>", ["jan@example.com>"]),
    ("Jan <", ["Jan", "<"]),
    ('"only a name"', ['"only a name"']),
    ("Jan Kowalski <not-an-address>", ["not-an-address"]),
    ("<>", ["<>"]),
])
def test_parse_addresses_marks_broken_pieces_as_typed(text, bad):
    parsed = sharing.parse_addresses(text)
    assert [p.raw for p in parsed if p.error] == bad
    assert all(p.email == "" for p in parsed if p.error)


@pytest.mark.parametrize("text", ['"\\' * 10000, '\\"' * 10000, "<" * 20000, '"' * 20000, '"x" <' * 4000],
                         ids=["quote-backslash", "backslash-quote", "angles", "quotes", "open-angles"])
def test_parse_addresses_stays_fast_on_hostile_pastes(text):
    import time

    started = time.monotonic()
    parsed = sharing.parse_addresses(text)
    assert time.monotonic() - started < 3
    assert all(p.error for p in parsed)


def test_parse_addresses_validates_at_most_max_parsed_and_the_save_refuses_the_rest(world, session):
    text = " ".join(f"p{i}@example.com" for i in range(sharing.MAX_PARSED + 200))
    parsed = sharing.parse_addresses(text)
    assert len(parsed) == sharing.MAX_PARSED
    with pytest.raises(ServiceError) as info:
        save_from_dialog(session, world["admin"], "contact", world["budmax"].id, [p.email for p in parsed])
    assert info.value.key == "share.too_many"


def save_from_dialog(session, me, kind, card_id, emails, **choices):
    args = dict(invoice_types=list(sharing.DEFAULT_TYPES), invoice_statuses=list(sharing.DEFAULT_STATUSES),
                time_entries=True, agreements=True)
    args.update(choices)
    return sharing.add_to_share(session, me, kind, card_id, new_emails=list(emails), **args)


def test_dialog_save_keeps_everyone_already_on_the_card(world, session):
    """A dialog opened before a colleague added someone must not take that person's access away."""
    admin, cid = world["admin"], world["budmax"].id
    save_from_dialog(session, admin, "contact", cid, ["jan@example.com"])
    colleague = staff(session, world["firm"], "administrator")
    save_from_dialog(session, colleague, "contact", cid, ["ola@example.com"])
    result = save_from_dialog(session, admin, "contact", cid, ["ewa@example.com"])
    assert len(result.invited) == 1 and result.already_shared == []
    view = sharing.load_share(session, admin, "contact", cid)
    assert [r.email for r in view.recipients] == ["ewa@example.com", "jan@example.com", "ola@example.com"]


def test_dialog_save_does_not_reinvite_addresses_already_on_the_card(world, session):
    admin, cid = world["admin"], world["budmax"].id
    save_from_dialog(session, admin, "contact", cid, ["jan@example.com"])
    before = len(outbox(session))
    result = save_from_dialog(session, admin, "contact", cid, ["JAN@Example.com", "ola@example.com", "Ola@example.com"])
    assert result.already_shared == ["jan@example.com"]
    assert len(result.invited) == 1
    assert [m.to_email for m in outbox(session)[before:]] == ["ola@example.com"]


def test_dialog_save_changes_the_scope_without_addresses(world, session):
    admin, cid = world["admin"], world["budmax"].id
    save_from_dialog(session, admin, "contact", cid, ["jan@example.com"])
    result = save_from_dialog(session, admin, "contact", cid, [], invoice_types=[], invoice_statuses=[])
    assert (result.invited, result.already_shared) == ([], [])
    view = sharing.load_share(session, admin, "contact", cid)
    assert (view.invoice_types, view.invoice_statuses) == ((), ())
    assert [r.email for r in view.recipients] == ["jan@example.com"]


def test_dialog_save_with_a_bad_address_saves_nothing(world, session):
    with pytest.raises(ServiceError) as info:
        save_from_dialog(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com", "nope"])
    assert info.value.key == "email.invalid"
    session.rollback()
    assert session.exec(select(func.count()).select_from(Share)).one() == 0
    assert outbox(session) == []


@pytest.mark.parametrize("garbage", [["invoice", ["paid"]], "invoice", {"invoice": 1}, None, 7])
def test_garbage_scope_choices_share_no_invoices(world, session, garbage):
    sharing.save_share(session, world["admin"], "contact", world["budmax"].id, emails=["jan@example.com"],
                       invoice_types=garbage, invoice_statuses=garbage, time_entries=True, agreements=True)
    assert session.exec(select(ShareInvoiceScope)).all() == []
    jan = client(session, "nowak", "jan@example.com")
    assert seen(session, jan)[0] == set()


def test_registered_person_gets_new_card_mail_not_a_registration_one(world, session):
    admin = world["admin"]
    share(session, admin, "matter", world["m1"].id, ["jan@example.com"])
    first = outbox(session, "jan@example.com")[-1]
    assert "założyć konto" in first.text
    client(session, "nowak", "jan@example.com")
    result = save_from_dialog(session, admin, "contact", world["wis"].id, ["Jan@Example.com"])
    assert len(result.invited) == 1
    mail = outbox(session, "jan@example.com")[-1]
    assert "jest dostępny nowy kontakt" in mail.text and "„Wiśniewska”" in mail.text
    assert "założyć konto" not in mail.text and "założyć konto" not in mail.html
    assert "Wyświetl kontakt" in mail.html
    view = sharing.load_share(session, admin, "contact", world["wis"].id)
    assert [(r.email, r.registered) for r in view.recipients] == [("jan@example.com", True)]
    assert sharing.resolve_invitation(session, world["firm"].id, token_in(mail)).state == "login"


def test_a_registered_person_gets_the_new_card_mail_in_their_own_language(world, session):
    """Their account speaks English in a Polish firm: the mail about the next card does too."""
    admin = world["admin"]
    share(session, admin, "matter", world["m1"].id, ["jan@example.com"])
    who = client(session, "nowak", "jan@example.com")
    session.get(PortalUser, who.user_id).language = "en"
    session.commit()
    save_from_dialog(session, admin, "contact", world["wis"].id, ["jan@example.com"])
    mail = outbox(session, "jan@example.com")[-1]
    assert "View contact" in mail.html and "Wyświetl" not in mail.html
    save_from_dialog(session, admin, "contact", world["budmax"].id, ["ola@example.com"])  # a newcomer: the firm's
    assert "Wyświetl kontakt" in outbox(session, "ola@example.com")[-1].html


@pytest.mark.parametrize(("lang", "kind", "button", "wording"), [
    ("pl", "contact", "Wyświetl kontakt", "udostępnia Ci kontakt"),
    ("pl", "matter", "Wyświetl sprawę", "udostępnia Ci sprawę"),
    ("en", "contact", "View contact", "shared a contact with you"),
    ("en", "matter", "View matter", "shared a matter with you"),
])
def test_invitation_mail_follows_firm_language_and_card_type(world, session, lang, kind, button, wording):
    world["firm"].default_language = lang
    add(session, world["firm"])
    card = world["budmax"] if kind == "contact" else world["m1"]
    share(session, world["admin"], kind, card.id, ["jan@example.com"])
    (mail,) = outbox(session)
    assert wording in mail.subject
    assert button in mail.html and button in mail.text
    name = "Budmax" if kind == "contact" else "M1 Matter M1"
    assert name in mail.text
    assert "biuro@firm.example.com" in mail.text
    assert f"/portal/nowak/invite/{token_in(mail)}" in mail.text


def test_names_are_escaped_and_cannot_break_headers_end_to_end(world, session):
    settings = session.exec(select(PortalSettings)).one()
    settings.company_name = "<b>Nowak & Syn</b>\r\nBcc: spy@example.com"
    add(session, settings)
    world["budmax"].name = "<script>alert(1)</script> & Co"
    add(session, world["budmax"])
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    (mail,) = outbox(session)
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert "<b>" not in mail.html and "<script>" not in mail.html
    assert "&lt;b&gt;Nowak &amp; Syn&lt;/b&gt;" in mail.html
    assert "&lt;script&gt;" in mail.html


# ---- who may share, resend and remove: the handlers' services with every kind of caller and argument ---------

def test_user_and_standard_admin_cannot_resend_or_remove(world, session):
    (rid,) = share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    user = staff(session, world["firm"], "user")
    firm_s, admin_s = make_firm(session, name="Standard", address="standard", plan="standard")
    for me, key in ((user, "settings.refused_role"), (admin_s, "settings.refused_plan")):
        for call in (
            lambda: sharing.resend_invitation(session, me, rid),
            lambda: sharing.revoke_recipient(session, me, rid),
            lambda: save_from_dialog(session, me, "contact", world["budmax"].id, ["spy@example.com"]),
        ):
            with pytest.raises(NotAllowed) as info:
                call()
            assert info.value.key == key
    assert session.exec(select(ShareRecipient.email, ShareRecipient.removed_at)).all() == [("jan@example.com", None)]
    assert len(outbox(session)) == 1


def test_admin_of_another_firm_cannot_use_the_dialog_save_on_this_firms_cards(world, session):
    _, admin_b = make_firm(session, name="Kowalczyk Legal", address="kowalczyk")
    for kind, card in (("contact", world["budmax"]), ("matter", world["m1"])):
        with pytest.raises(NotAllowed) as info:
            save_from_dialog(session, admin_b, kind, card.id, ["spy@example.com"])
        assert info.value.key == "errors.not_found"
    with pytest.raises(NotAllowed):
        sharing.card_for(session, admin_b, "contact", world["budmax"].id)
    assert session.exec(select(Share)).all() == [] and outbox(session) == []


GARBAGE_IDS = ["abc", None, [1], {"id": 1}, 10**30, 2**31, str(2**31), -1, 0, True, 1.0, "1e3", "١", ""]


@pytest.mark.parametrize("bad", GARBAGE_IDS, ids=repr)
def test_garbage_ids_are_simply_not_found(world, session, bad):
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    calls = [
        lambda: sharing.resend_invitation(session, world["admin"], bad),
        lambda: sharing.revoke_recipient(session, world["admin"], bad),
        lambda: sharing.load_share(session, world["admin"], "contact", bad),
        lambda: save_from_dialog(session, world["admin"], "matter", bad, ["jan@example.com"]),
        lambda: sharing.card_for(session, world["admin"], "contact", bad),
        lambda: sharing.card_for(session, world["admin"], bad, world["budmax"].id),
    ]
    for call in calls:
        with pytest.raises(NotAllowed) as info:
            call()
        assert info.value.key == "errors.not_found"
    assert len(outbox(session)) == 1


def test_ids_may_arrive_as_digit_strings(world, session):
    (rid,) = share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    assert sharing.card_for(session, world["admin"], "contact", str(world["budmax"].id)).id == world["budmax"].id
    sharing.resend_invitation(session, world["admin"], str(rid))
    assert sharing.revoke_recipient(session, world["admin"], str(rid)) == "jan@example.com"


def test_matter_id_passed_as_a_contact_is_not_found_across_firms(world, session):
    firm_b, admin_b = make_firm(session, name="Kowalczyk Legal", address="kowalczyk")
    zolw = contact(session, firm_b, "Żółw")
    with pytest.raises(NotAllowed):
        sharing.card_for(session, world["admin"], "contact", zolw.id)
    with pytest.raises(NotAllowed):
        sharing.card_for(session, admin_b, "matter", world["m1"].id)


# ---- scope: one address shared on two contacts, another on one of them ----------------------------------------

def test_shared_address_on_two_contacts_does_not_leak_to_the_other_person(world, session):
    admin = world["admin"]
    share(session, admin, "contact", world["budmax"].id, ["jan@example.com", "ola@example.com"])
    share(session, admin, "contact", world["wis"].id, ["ola@example.com"], statuses=["approved"])
    jan = client(session, "nowak", "jan@example.com")
    ola = client(session, "nowak", "ola@example.com")
    assert seen(session, jan) == ({"A-M1", "A-M2", "A-none", "A-M1-paid"}, {"M1", "M2"}, {"agr-M1", "agr-Budmax"})
    assert seen(session, ola)[0] == {"A-M1", "A-M2", "A-none", "A-M1-paid", "W-M3"}
    assert client_portal.dashboard(session, jan).minutes_total == 120


def test_matter_share_does_not_cover_the_contacts_loose_items(world, session):
    share(session, world["admin"], "matter", world["m2"].id, ["jan@example.com"])
    jan = client(session, "nowak", "jan@example.com")
    assert seen(session, jan) == ({"A-M2"}, {"M2"}, set())


# ---- every state of a personal link --------------------------------------------------------------------------

def test_resend_after_expiry_gives_a_working_link_while_the_old_stays_expired(world, session):
    admin = world["admin"]
    (rid,) = share(session, admin, "contact", world["budmax"].id, ["jan@example.com"])
    old = latest_token(session, "jan@example.com")
    inv = session.exec(select(Invitation)).one()
    inv.expires_at = utcnow() - timedelta(seconds=1)
    add(session, inv)
    assert sharing.resolve_invitation(session, world["firm"].id, old).state == "expired"
    sharing.resend_invitation(session, admin, rid)
    new = latest_token(session, "jan@example.com")
    assert sharing.resolve_invitation(session, world["firm"].id, new).state == "register"
    assert sharing.resolve_invitation(session, world["firm"].id, old).state == "expired"
    with pytest.raises(ServiceError) as info:
        register(session, "nowak", old)
    assert info.value.key == "invite.expired"
    register(session, "nowak", new)
    assert sharing.resolve_invitation(session, world["firm"].id, old).state == "login"


def test_link_of_a_registered_person_is_revoked_when_the_card_is_taken_away(world, session):
    admin = world["admin"]
    (rid,) = share(session, admin, "matter", world["m1"].id, ["jan@example.com"])
    token = latest_token(session, "jan@example.com")
    register(session, "nowak", token)
    sharing.revoke_recipient(session, admin, rid)
    assert sharing.resolve_invitation(session, world["firm"].id, token).state == "revoked"


def test_used_link_without_an_account_is_expired_not_a_second_registration(world, session):
    """A link marked used whose account is gone (e.g. deleted) must not create a new account."""
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    token = latest_token(session, "jan@example.com")
    inv = session.exec(select(Invitation)).one()
    inv.used_at = utcnow()
    add(session, inv)
    assert sharing.resolve_invitation(session, world["firm"].id, token).state == "expired"
    with pytest.raises(ServiceError) as info:
        register(session, "nowak", token)
    assert info.value.key == "invite.expired"
    assert session.exec(select(PortalUser)).all() == []


def test_wellformed_but_unknown_token_is_invalid(world, session):
    share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    token, _digest = identity.new_token()
    assert sharing.resolve_invitation(session, world["firm"].id, token).state == "invalid"
    assert len(token) >= 43  # 256 bits, URL-safe base64
    stored = session.exec(select(Invitation.token_hash)).one()
    assert latest_token(session, "jan@example.com") not in stored and len(stored) == 64


# ---- the dialog's handlers themselves, called the way any browser could call them ----------------------------

def dialog_as(session, firm, role):
    """A ShareState signed in as a new staff member of `firm` with `role`, outside any page."""
    from reflex.state import State

    from portal_app.state.cards import ShareState

    user = StaffUser(firm_id=firm.id, email=f"staff{next(_seq)}@firm.example.com", name="Mallory",
                     role=role, password_hash="not-used", language="en")
    add(session, user)
    state = State(_reflex_internal_init=True).get_substate(ShareState.get_full_name().split("."))
    state.staff_token = identity.start_session(session, staff_user_id=user.id)
    state.lang = "en"
    return state


def test_dialog_handlers_refuse_other_callers_and_change_nothing(world, session):
    (rid,) = share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    firm_s, _ = make_firm(session, name="Standard", address="standard", plan="standard")
    firm_b, _ = make_firm(session, name="Kowalczyk Legal", address="kowalczyk")
    callers = [dialog_as(session, world["firm"], "user"), dialog_as(session, firm_s, "administrator"),
               dialog_as(session, firm_b, "administrator")]
    for dialog in callers:
        cls = type(dialog)
        cls.open_dialog.fn(dialog, "contact", world["budmax"].id)
        assert dialog.refused and dialog.recipients == [] and dialog.card_name == ""  # no form, only why
        dialog.kind, dialog.card_id, dialog.addresses = "contact", world["budmax"].id, "spy@example.com"
        assert cls.save.fn(dialog) is None and (dialog.refused or dialog.error)
        for handler in (cls.resend, cls.revoke):
            dialog.error = dialog.refused = ""
            handler.fn(dialog, rid)
            assert dialog.refused or dialog.error
    assert session.exec(select(ShareRecipient.email, ShareRecipient.removed_at)).all() == [("jan@example.com", None)]
    assert [m.to_email for m in outbox(session)] == ["jan@example.com"]


@pytest.mark.parametrize("bad", ["abc", None, [1], {"id": 1}, 10**30, 1.5], ids=repr)
def test_dialog_handlers_answer_garbage_ids_with_a_message(world, session, bad):
    (rid,) = share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    dialog = dialog_as(session, world["firm"], "administrator")
    cls = type(dialog)
    cls.open_dialog.fn(dialog, "contact", bad)
    assert dialog.refused == "This item does not exist or is not available to you."
    for handler in (cls.resend, cls.revoke):
        dialog.error = ""
        handler.fn(dialog, bad)
        assert dialog.error
    cls.open_dialog.fn(dialog, bad, world["budmax"].id)
    assert dialog.refused and dialog.recipients == []
    assert session.get(ShareRecipient, rid).removed_at is None
    assert len(outbox(session)) == 1


def test_dialog_save_marks_bad_addresses_and_saves_nothing(world, session):
    dialog = dialog_as(session, world["firm"], "administrator")
    cls = type(dialog)
    cls.open_dialog.fn(dialog, "contact", world["budmax"].id)
    assert dialog.error == "" and dialog.card_name == "Budmax"
    cls.set_addresses.fn(dialog, 'jan@example.com, "Kowalski, Jan" <nope>; ola@x')
    assert cls.save.fn(dialog) is None
    assert dialog.bad_addresses == ["nope", "ola@x"]
    assert session.exec(select(Share)).all() == [] and outbox(session) == []
    dialog.addresses = 'jan@example.com, "Kowalski, Jan" <JAN@example.com>; ola@example.com'
    assert cls.save.fn(dialog) is not None  # hands over to the background send
    assert dialog.bad_addresses == [] and dialog.addresses == ""
    assert [r.email for r in dialog.recipients] == ["jan@example.com", "ola@example.com"]
    assert sorted(m.to_email for m in outbox(session)) == ["jan@example.com", "ola@example.com"]


@pytest.mark.parametrize(
    ("plan", "role", "portal_on", "reason"),
    [
        ("premium", "user", True, "share.refused_role"),
        ("standard", "administrator", True, "share.refused_plan"),
        ("standard", "user", True, "share.refused_plan"),
        ("premium", "administrator", False, "share.portal_off"),
    ],
)
def test_someone_who_may_not_share_gets_only_the_reason_and_no_form(session, plan, role, portal_on, reason):
    """The dialog names who may share and why (role, plan, portal off) instead of an editable form."""
    from portal_app.i18n import translate

    firm, _ = make_firm(session, name=f"Firm {plan}", address=f"firm-{plan}-{role}", plan=plan, enabled=portal_on)
    card = contact(session, firm, "Budmax")
    dialog = dialog_as(session, firm, role)
    cls = type(dialog)
    cls.open_dialog.fn(dialog, "contact", card.id)
    assert dialog.open and dialog.refused == translate("en", reason)
    assert dialog.error == "" and dialog.card_name == "" and dialog.recipients == []
    dialog.kind, dialog.card_id, dialog.addresses = "contact", card.id, "spy@example.com"
    assert cls.save.fn(dialog) is None  # the server still refuses a forged save
    assert dialog.refused == translate("en", reason)
    assert session.exec(select(Share)).all() == [] and outbox(session) == []


def test_a_dialog_that_may_share_shows_the_form_again_after_a_refusal(world, session):
    dialog = dialog_as(session, world["firm"], "administrator")
    cls = type(dialog)
    dialog.refused = "left over from another card"
    cls.open_dialog.fn(dialog, "contact", world["budmax"].id)
    assert dialog.refused == "" and dialog.card_name == "Budmax"


# ---- resends: one live link at a time, throttled per recipient; links from before a removal stay dead ---------

def live_links(session, rid, now=None):
    now = now or utcnow()
    return [inv for inv in session.exec(select(Invitation).where(Invitation.recipient_id == rid))
            if inv.used_at is None and inv.expires_at > now]


def test_a_resend_retires_the_earlier_unused_link(world, session):
    admin, firm_id = world["admin"], world["firm"].id
    (rid,) = share(session, admin, "matter", world["m1"].id, ["jan@example.com"])
    old = latest_token(session, "jan@example.com")
    sharing.resend_invitation(session, admin, rid)
    new = latest_token(session, "jan@example.com")
    assert sharing.resolve_invitation(session, firm_id, old).state == "expired"
    assert sharing.resolve_invitation(session, firm_id, new).state == "register"
    assert len(live_links(session, rid)) == 1
    with pytest.raises(ServiceError) as info:
        register(session, "nowak", old)
    assert info.value.key == "invite.expired"
    register(session, "nowak", new)
    assert sharing.resolve_invitation(session, firm_id, old).state == "login"  # CP-3.3 once registered


def test_a_registered_persons_earlier_links_keep_opening_login_after_a_resend(world, session):
    admin, firm_id = world["admin"], world["firm"].id
    (rid,) = share(session, admin, "matter", world["m1"].id, ["jan@example.com"])
    used = latest_token(session, "jan@example.com")
    register(session, "nowak", used)
    sharing.resend_invitation(session, admin, rid)
    sharing.resend_invitation(session, admin, rid, now=utcnow() + timedelta(minutes=2))
    tokens = [token_in(m) for m in outbox(session, "jan@example.com")]
    assert len(tokens) == 3
    later = utcnow() + timedelta(days=30)
    assert [sharing.resolve_invitation(session, firm_id, t, now=later).state for t in tokens] == ["login"] * 3


def test_thirty_resends_send_two_mails_and_leave_one_live_link(world, session):
    """The finding's repro: ShareState.resend(recipient_id) called 30 times in a row."""
    (rid,) = share(session, world["admin"], "contact", world["budmax"].id, ["jan@example.com"])
    dialog = dialog_as(session, world["firm"], "administrator")
    cls = type(dialog)
    cls.open_dialog.fn(dialog, "contact", world["budmax"].id)
    for _ in range(30):
        cls.resend.fn(dialog, rid)
    assert dialog.message == ""
    assert re.fullmatch(r"An invitation was just sent to this address\. You can send it again in \d+ s\.", dialog.error)
    assert len(outbox(session, "jan@example.com")) == 2
    assert len(live_links(session, rid)) == 1


def test_resends_wait_a_minute_after_the_first_and_stop_at_five_a_day(world, session):
    admin = world["admin"]
    (rid,) = share(session, admin, "matter", world["m1"].id, ["jan@example.com"])
    start = utcnow()
    sharing.resend_invitation(session, admin, rid, now=start)  # the first resend may follow the share at once
    with pytest.raises(ServiceError) as info:
        sharing.resend_invitation(session, admin, rid, now=start + timedelta(seconds=30))
    assert (info.value.key, info.value.params) == ("share.resend_too_soon", {"seconds": 30})
    for minute in (1, 2, 3):
        sharing.resend_invitation(session, admin, rid, now=start + timedelta(minutes=minute, seconds=1))
    assert len(outbox(session, "jan@example.com")) == sharing.MAX_INVITATIONS_PER_DAY == 5
    with pytest.raises(ServiceError) as info:
        sharing.resend_invitation(session, admin, rid, now=start + timedelta(hours=5))
    assert (info.value.key, info.value.params) == ("share.resend_limit", {"max": 5})
    assert len(outbox(session, "jan@example.com")) == 5
    sharing.resend_invitation(session, admin, rid, now=start + timedelta(days=1, minutes=2))
    assert len(outbox(session, "jan@example.com")) == 6
    assert len(live_links(session, rid, now=start + timedelta(days=1, minutes=3))) == 1


def test_the_throttle_is_per_recipient(world, session):
    admin = world["admin"]
    jan, ola = share(session, admin, "matter", world["m1"].id, ["jan@example.com", "ola@example.com"])
    sharing.resend_invitation(session, admin, jan)
    with pytest.raises(ServiceError):
        sharing.resend_invitation(session, admin, jan)
    sharing.resend_invitation(session, admin, ola)
    assert len(outbox(session, "ola@example.com")) == 2


@pytest.mark.parametrize("registered", [False, True], ids=["invited", "registered"])
def test_links_from_before_a_removal_stay_revoked_when_the_address_is_added_back(world, session, registered):
    admin, firm_id, m1 = world["admin"], world["firm"].id, world["m1"].id
    (rid,) = share(session, admin, "matter", m1, ["jan@example.com"])
    sharing.resend_invitation(session, admin, rid)
    old_links = [token_in(m) for m in outbox(session, "jan@example.com")]
    if registered:
        register(session, "nowak", old_links[-1])
    share(session, admin, "matter", m1, [])
    assert [sharing.resolve_invitation(session, firm_id, t).state for t in old_links] == ["revoked"] * 2

    assert share(session, admin, "matter", m1, ["jan@example.com"]) == [rid]
    fresh = latest_token(session, "jan@example.com")
    assert fresh not in old_links
    assert [sharing.resolve_invitation(session, firm_id, t).state for t in old_links] == ["revoked"] * 2
    assert sharing.resolve_invitation(session, firm_id, fresh).state == ("login" if registered else "register")
    if not registered:
        with pytest.raises(ServiceError) as info:
            register(session, "nowak", old_links[0])
        assert info.value.key == "invite.revoked"
        register(session, "nowak", fresh)
