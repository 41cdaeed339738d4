"""Contact search: Polish capitals and diacritics fold, prefixes use the index, the list stays paged."""

import pytest
from sqlalchemy import text
from sqlmodel import select

from portal_app.models import Contact, Firm, StaffUser
from portal_app.services import contacts_matters, staff
from portal_app.services.identity import StaffIdentity
from portal_app.services.search_text import fold, next_prefix
from tests.conftest import add


@pytest.mark.parametrize("raw, folded", [
    ("Łukasz", "lukasz"), ("ŁUK", "luk"), ("łuk", "luk"), ("Żółć", "zolc"), ("żół", "zol"), ("Łódź", "lodz"),
    ("ĄĆĘŁŃÓŚŹŻ ąćęłńóśźż", "acelnoszz acelnoszz"), ("Nowak-Kowalska", "nowak kowalska"),
    ("  Budmax   S.A. ", "budmax s a"), ("Straße", "strasse"), ("ＡＢＣ", "abc"), ("%_", ""),
])
def test_names_fold_to_plain_lower_case_words(raw, folded):
    assert fold(raw) == folded


def test_next_prefix_bounds_every_string_with_the_prefix():
    assert next_prefix("luk") == "lul"
    assert "lukasz" < next_prefix("luk") and "lul" >= next_prefix("luk")
    assert next_prefix("a\ud7ff") == "a\ue000"  # never a surrogate, which UTF-8 cannot store


def member(session, firm_name: str) -> StaffIdentity:
    firm = add(session, Firm(name=firm_name, plan="premium"))
    user = add(session, StaffUser(firm_id=firm.id, email=f"a@{firm_name.lower()}.example.com", name="A", password_hash="x"))
    return StaffIdentity(user_id=user.id, firm_id=firm.id, name="A", email=user.email, role="user", plan="premium",
                         language="pl", timezone="Europe/Warsaw")


@pytest.fixture
def people(session):
    """Five contacts of one firm, and another firm's Łukasz who must never be found."""
    me, other = member(session, "Nowak"), member(session, "Kowalczyk")
    ids = {}
    for name, email in (("Łukasz Nowak", "lukasz@nowak.pl"), ("Żółć i Syn sp. j.", ""), ("Łódź Logistics S.A.", "biuro@lodz-log.pl"),
                        ("Anna Nowak-Kowalska", "anna@kowalska.pl"), ("Zenon Abacki", "zenon@abacki.pl")):
        ids[name] = contacts_matters.create_contact(session, me, {"name": name, "kind": "person", "email": email})
    contacts_matters.create_contact(session, other, {"name": "Łukasz Obcy", "kind": "person", "email": "luk@obcy.pl"})
    return me, ids


def names(session, me, query, page=0):
    return [r.name for r in staff.contacts(session, me, page, query)[0]]


def test_search_finds_polish_names_by_prefix_in_any_case(session, people):
    me, _ids = people
    for query in ("łuk", "ŁUK", "Luk", "łukasz now"):
        assert names(session, me, query) == ["Łukasz Nowak"], query  # never the other firm's Łukasz
    assert names(session, me, "żół") == ["Żółć i Syn sp. j."]
    assert names(session, me, "ŻÓŁĆ") == ["Żółć i Syn sp. j."]
    assert names(session, me, "lodz") == ["Łódź Logistics S.A."]
    assert names(session, me, "kowal") == ["Anna Nowak-Kowalska"]  # a word inside the name
    assert names(session, me, "nowak") == ["Anna Nowak-Kowalska", "Łukasz Nowak"]
    assert names(session, me, "owak") == []  # the middle of a word is not a prefix
    assert names(session, me, "zenon@") == ["Zenon Abacki"]  # e-mail address
    assert names(session, me, "LODZ-LOG.pl") == ["Łódź Logistics S.A."]  # e-mail domain
    assert names(session, me, "%") == names(session, me, "_") == []
    assert names(session, me, "\x00") == []


def test_list_order_folds_too_and_archived_contacts_leave_it(session, people):
    me, ids = people
    # Folded order puts Ł among the L's, not after Z as byte order of the raw names would.
    assert names(session, me, "") == ["Anna Nowak-Kowalska", "Łódź Logistics S.A.", "Łukasz Nowak", "Zenon Abacki",
                                      "Żółć i Syn sp. j."]
    contacts_matters.update_contact(session, me, ids["Zenon Abacki"], {"name": "Ścibor Abacki", "kind": "person", "email": ""})
    assert session.get(Contact, ids["Zenon Abacki"]).search_name == "scibor abacki"
    assert names(session, me, "sci") == ["Ścibor Abacki"] and names(session, me, "zen") == []
    contacts_matters.archive_contact(session, me, ids["Łukasz Nowak"])
    assert names(session, me, "łuk") == []


def test_search_results_are_paginated(session, people):
    me, _ids = people
    for i in range(30):
        contacts_matters.create_contact(session, me, {"name": f"Łąka {i:02d}", "kind": "company", "email": ""})
    first, total = staff.contacts(session, me, 0, "łąka")
    second, _ = staff.contacts(session, me, 1, "ŁĄKA")
    assert total == 30 and len(first) == staff.PAGE_SIZE and len(second) == 30 - staff.PAGE_SIZE
    assert [r.name for r in first + second] == [f"Łąka {i:02d}" for i in range(30)]


def test_prefix_search_and_list_order_use_the_index(session, people):
    me, _ids = people

    def plan(query) -> str:
        sql = str(query.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
        return " | ".join(row[-1] for row in session.exec(text("EXPLAIN QUERY PLAN " + sql)))

    prefix = select(Contact.id).where(Contact.firm_id == me.firm_id, Contact.search_name >= "luk",
                                      Contact.search_name < next_prefix("luk"))
    assert "ix_contact_firm_search" in plan(prefix) and "search_name>" in plan(prefix)
    page = select(Contact.id).where(Contact.firm_id == me.firm_id).order_by(Contact.search_name, Contact.id).limit(25)
    assert "ix_contact_firm_search" in plan(page) and "TEMP B-TREE" not in plan(page)
