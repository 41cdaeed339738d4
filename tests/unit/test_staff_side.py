"""What a first user saw on the staff side: the language that did not stick, the client's words on
staff cards, the share dialog offering a form to people who may not share, the preview's labels,
overdue and credit-note figures, and the demo hint on a production login page."""

import asyncio
import itertools
import re
from datetime import date

import pytest

from portal_app.i18n import translate
from portal_app.models import Firm, StaffUser
from portal_app.services import billing, identity, staff
from portal_app.services.demo import DEMO_LOGINS
from portal_app.services.errors import NotAllowed, ServiceError
from portal_app.services.identity import StaffIdentity
from tests.conftest import add

_seq = itertools.count(1)
TODAY = date(2026, 3, 15)


def member(session, language="pl", role="user") -> tuple[StaffUser, StaffIdentity, str]:
    firm = add(session, Firm(name=f"Kancelaria {next(_seq)}", plan="premium"))
    user = add(session, StaffUser(firm_id=firm.id, email=f"s{next(_seq)}@firm.example.com", name="Anna Nowak",
                                  role=role, password_hash="x", language=language))
    token = identity.start_session(session, staff_user_id=user.id)
    return user, identity.staff_for_token(session, token), token


def staff_state(token: str, lang: str = "pl"):
    from reflex.state import State

    from portal_app.state.staff import StaffState

    state = State(_reflex_internal_init=True).get_substate(StaffState.get_full_name().split("."))
    state.staff_token, state.lang = token, lang
    return state


def stored_language(session, user) -> str:
    session.expire_all()
    return session.get(StaffUser, user.id).language


# ---- 1. the language a staff member chooses is kept on the account -------------------------------

def test_set_language_keeps_the_choice_on_the_account(session):
    user, me, token = member(session)
    assert staff.set_language(session, me, "en") == "en"
    assert stored_language(session, user) == "en"
    assert identity.staff_for_token(session, token).language == "en"  # what every page load reads
    later = identity.start_session(session, staff_user_id=user.id)  # a later sign-in
    assert identity.staff_for_token(session, later).language == "en"


@pytest.mark.parametrize("bad", ["de", "", "EN", None, ["en"], "x" * 1000], ids=repr)
def test_set_language_refuses_anything_but_a_known_language(session, bad):
    user, me, _ = member(session)
    with pytest.raises(ServiceError) as info:
        staff.set_language(session, me, bad)
    assert info.value.key == "errors.invalid"
    assert stored_language(session, user) == "pl"


def test_set_language_refuses_an_identity_of_another_firm(session):
    user, me, _ = member(session)
    other, _, _ = member(session)
    forged = StaffIdentity(user_id=user.id, firm_id=other.firm_id, name="", email="", role="user", plan="premium",
                           language="pl", timezone="Europe/Warsaw")
    with pytest.raises(NotAllowed):
        staff.set_language(session, forged, "en")
    assert stored_language(session, user) == "pl"


def test_the_staff_switch_is_saved_and_survives_the_next_page_load(session):
    from portal_app.state.staff import StaffState

    user, _, token = member(session)
    state = staff_state(token)
    StaffState.set_lang.fn(state, "en")
    assert state.lang == "en" and stored_language(session, user) == "en"
    StaffState.require_staff.fn(state)  # the next page's guard used to reset the language to Polish
    assert state.lang == "en" and state.signed_in
    fresh = staff_state(token, lang="pl")  # a reload: a new tab state, same session
    StaffState.require_staff.fn(fresh)
    assert fresh.lang == "en"
    StaffState.set_lang.fn(state, "pl")
    assert stored_language(session, user) == "pl"


@pytest.mark.parametrize("token", ["", "forged"])
def test_on_the_login_page_the_switch_only_changes_the_page(session, token):
    from portal_app.state.staff import StaffState

    user, _, _ = member(session)
    state = staff_state(token)
    StaffState.set_lang.fn(state, "en")
    assert state.lang == "en"
    StaffState.set_lang.fn(state, "xx")
    assert state.lang == "en"
    assert stored_language(session, user) == "pl"
    assert state._lang_chosen  # kept for the sign-in that follows (and a browser default must not undo it)


# ---- 6. the demo hint only where the demo logins exist ---------------------------------------------

def test_demo_logins_exist_only_in_a_database_holding_them(session):
    assert staff.demo_logins_exist(session) is False
    member(session)
    assert staff.demo_logins_exist(session) is False
    firm = add(session, Firm(name="Demo", plan="premium"))
    add(session, StaffUser(firm_id=firm.id, email=DEMO_LOGINS[1][0], name="Piotr", role="user", password_hash="x"))
    assert staff.demo_logins_exist(session) is True


def test_the_login_page_mentions_the_demo_logins_only_when_they_exist(session):
    from portal_app.state.staff import StaffState

    state = staff_state("")
    assert asyncio.run(StaffState.redirect_if_signed_in.fn(state)) is None
    assert state.demo_hint is False  # production: no demo accounts, no hint
    firm = add(session, Firm(name="Demo", plan="premium"))
    add(session, StaffUser(firm_id=firm.id, email=DEMO_LOGINS[0][0], name="Anna", role="administrator", password_hash="x"))
    asyncio.run(StaffState.redirect_if_signed_in.fn(state))
    assert state.demo_hint is True
    _, _, token = member(session)
    assert asyncio.run(StaffState.redirect_if_signed_in.fn(staff_state(token))) is not None  # signed in: on to contacts


# ---- 2. and 4. the words on the pages ------------------------------------------------------------------

def _keys(component) -> set[str]:
    """The message keys a page's compiled markup reads from the catalog."""
    return set(re.findall(r'\["([a-z_]+(?:\.[a-z_]+)+)"\]', str(component)))


def test_staff_cards_have_their_own_empty_texts_not_the_clients():
    from portal_app.pages import staff as staff_pages

    keys = _keys(staff_pages.contact_page()) | _keys(staff_pages.matter_page())
    assert {"ws.invoice.empty", "ws.time.empty", "ws.matter.empty"} <= keys
    assert keys & {"inv.empty", "time.empty", "agr.empty"} == set()  # the portal's, addressed to clients
    for key in ("ws.invoice.empty", "ws.time.empty", "ws.matter.empty"):
        assert "kancelari" not in translate("pl", key) and "law firm" not in translate("en", key)


def test_view_as_client_uses_the_portals_dashboard_and_invoice_words():
    from portal_app.pages import portal, workspace_preview

    preview = _keys(workspace_preview.preview_page())
    dashboard = _keys(portal.dashboard_page())
    invoices = _keys(portal.invoices_page())
    widget_keys = {k for k in dashboard if k.startswith("widget.")}
    assert len(widget_keys) >= 6 and widget_keys <= preview
    assert "invoice.overdue" in invoices and "invoice.overdue" in preview
    assert not {k for k in preview if k in ("ws.preview.hours", "ws.preview.pending", "ws.preview.overdue")}


# ---- 5. overdue on staff lists, credit notes as what they are ----------------------------------------

def summary(status="approved", due=date(2026, 3, 14), total=10_000, paid=0, credited=0, type_="invoice"):
    outstanding = 0 if type_ == "credit_note" or status == "cancelled" else max(0, total - paid - credited)
    return billing.InvoiceSummary(
        id=1, number="FV/2026/001", type=type_, status=status, contact_id=1, contact_name="Budmax", matter_id=None,
        matter_number="", issue_date=date(2026, 3, 1), due_date=due, currency="PLN", total_minor=total,
        paid_minor=paid, credited_minor=credited, outstanding_minor=outstanding,
    )


@pytest.mark.parametrize(
    ("invoice", "overdue"),
    [
        (summary(), True),
        (summary(status="partially_paid", paid=4_000), True),
        (summary(due=TODAY), False),  # due today is not late yet
        (summary(status="paid", paid=10_000), False),
        (summary(status="draft"), False),
        (summary(status="cancelled"), False),
        (summary(credited=10_000), False),  # fully credited: nothing owed
        (summary(type_="credit_note", total=-2_000), False),
    ],
)
def test_staff_lists_flag_overdue_invoices_like_the_portal(invoice, overdue):
    from portal_app.state.workspace_billing import _item, is_overdue

    assert is_overdue(invoice, TODAY) is overdue
    assert _item(invoice, "pl", TODAY).overdue is overdue


def test_the_invoice_page_shows_credit_notes_as_lowering_what_is_owed():
    from portal_app.state.workspace_billing import invoice_view

    def view(credited):
        d = billing.InvoiceDetail(invoice=summary(total=100_000, credited=credited), lines=[], payments=[],
                                  corrects=None, credit_notes=[])
        return invoice_view(d, "pl", TODAY)

    credited = view(12_300).credited.replace("\xa0", " ")
    assert credited in ("-123,00 zł", "\u2212123,00 zł")
    assert view(0).credited.replace("\xa0", " ") == "0,00 zł"  # nothing credited: no minus sign
    assert view(12_300).outstanding.replace("\xa0", " ") == "877,00 zł"
    assert view(12_300).overdue is True
