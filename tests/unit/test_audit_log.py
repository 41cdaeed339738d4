"""The audit log page: Administrators read their own firm's entries, paged, in their language and zone."""

import itertools
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from portal_app.models import AuditLog, Firm, StaffUser
from portal_app.services import audit_log, contacts_matters
from portal_app.services.errors import NotAllowed
from portal_app.services.identity import StaffIdentity
from tests.conftest import add

AT = datetime(2026, 3, 4, 13, 5, 9, tzinfo=timezone.utc)
_seq = itertools.count(1)


def member(session, firm, role, tz="Europe/Warsaw"):
    user = add(session, StaffUser(firm_id=firm.id, email=f"audit{next(_seq)}@firm.example.com", name=f"{role.title()} {firm.name}",
                                  role=role, password_hash="x", timezone=tz))
    return StaffIdentity(user_id=user.id, firm_id=firm.id, name=user.name, email=user.email, role=role,
                         plan=firm.plan, language="pl", timezone=tz)


@pytest.fixture
def firms(session):
    nowak, other = add(session, Firm(name="Nowak", plan="standard")), add(session, Firm(name="Kowalczyk", plan="premium"))
    return {"admin": member(session, nowak, "administrator", tz="America/New_York"), "user": member(session, nowak, "user"),
            "other": member(session, other, "administrator")}


def archived_contact(session, me, name, at):
    contact_id = contacts_matters.create_contact(session, me, {"name": name, "kind": "company", "email": ""})
    contacts_matters.archive_contact(session, me, contact_id)
    row = session.exec(select(AuditLog).where(AuditLog.target_id == contact_id, AuditLog.firm_id == me.firm_id)).one()
    row.at = at
    session.add(row)
    session.commit()
    return contact_id


def test_administrators_read_their_firms_entries_newest_first_in_pages(session, firms):
    admin, user, other = firms["admin"], firms["user"], firms["other"]
    for i in range(30):
        archived_contact(session, user, f"Klient {i:02d}", AT + timedelta(minutes=i))
    archived_contact(session, other, "Obcy klient", AT + timedelta(hours=5))
    first, total = audit_log.audit_entries(session, admin, 0)
    second, _ = audit_log.audit_entries(session, admin, 1)
    assert total == 30 and len(first) == audit_log.PAGE_SIZE and len(second) == 5
    assert [e.summary for e in first[:2]] == ["Klient 29", "Klient 28"] and second[-1].summary == "Klient 00"
    assert {(e.staff_name, e.action, e.target_type) for e in first + second} == {("User Nowak", "contact.archived", "contact")}
    assert [e.summary for e in audit_log.audit_entries(session, other)[0]] == ["Obcy klient"]


def test_users_may_not_read_the_log(session, firms):
    archived_contact(session, firms["user"], "Budmax", AT)
    with pytest.raises(NotAllowed, match="audit.admins_only"):
        audit_log.audit_entries(session, firms["user"])


def signed_in(session, me, lang):
    from reflex.state import State

    from portal_app.services import identity
    from portal_app.state.audit_log import AuditLogState

    state = State(_reflex_internal_init=True).get_substate(AuditLogState.get_full_name().split("."))
    state.staff_token = identity.start_session(session, staff_user_id=me.user_id)
    state.lang = lang
    return state


def test_the_page_shows_who_what_which_record_and_when_on_the_readers_clock(session, firms):
    from portal_app.state.audit_log import AuditLogState

    contact_id = archived_contact(session, firms["user"], "Żółć i Syn", AT)
    state = signed_in(session, firms["admin"], "en")  # the admin works in New York
    AuditLogState.load.fn(state)
    assert state.refused == ""
    row = state.rows[0]
    assert (row.at, row.who, row.action, row.record, row.href) == (
        "4 Mar 2026, 08:05:09", "User Nowak", "Archived a contact", "Contact Żółć i Syn", f"/contacts/{contact_id}")
    state.lang = "pl"
    AuditLogState.load.fn(state)
    assert (state.rows[0].at, state.rows[0].action, state.rows[0].record) == (
        "4 mar 2026, 08:05:09", "Zarchiwizowano kontakt", "Kontakt Żółć i Syn")


def test_the_page_refuses_users_and_shows_other_firms_nothing(session, firms):
    from portal_app.state.audit_log import AuditLogState

    archived_contact(session, firms["user"], "Budmax", AT)
    as_user = signed_in(session, firms["user"], "en")
    AuditLogState.load.fn(as_user)
    assert as_user.rows == [] and as_user.refused == "Only Administrators of the firm can read the audit log."
    as_other = signed_in(session, firms["other"], "pl")
    AuditLogState.load.fn(as_other)
    assert as_other.rows == [] and as_other.refused == ""
