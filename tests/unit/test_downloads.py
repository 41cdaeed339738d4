"""The agreement document route: only the signed-in client the agreement is shared with gets the file."""

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from portal_app import routes
from portal_app.downloads import serve_documents
from portal_app.models import Agreement, Firm, StaffUser
from portal_app.services import documents, identity, portal_settings
from portal_app.state.portal import SESSION_COOKIE
from tests.conftest import add
from tests.unit.test_client_portal import contact, fast_bcrypt, invited, matter, register  # noqa: F401 (fixture)


def _behind():
    return Starlette(routes=[Route("/{path:path}", lambda request: PlainTextResponse("reflex"))])


@pytest.fixture
def setup(session):
    firm, admin, c, token = invited(session)
    user_id = register(session, "nowak", token)
    stored = documents.store_document(documents.sample_pdf("Umowa"), "umowa.pdf")
    shared = add(session, Agreement(firm_id=firm.id, contact_id=c.id, title="Umowa", document_file=stored,
                                    document_name="Umowa o obsługę.pdf"))
    other = contact(session, firm, "Someone else")
    hidden = add(session, Agreement(firm_id=firm.id, contact_id=other.id, matter_id=matter(session, other, "X/1").id,
                                    title="Cudza", document_file=stored, document_name="cudza.pdf"))
    cookie = identity.start_session(session, portal_user_id=user_id)
    return TestClient(serve_documents(_behind())), cookie, shared.id, hidden.id


def test_the_client_gets_the_file_as_an_attachment(setup):
    client, cookie, shared, _hidden = setup
    client.cookies.set(SESSION_COOKIE, cookie)
    answer = client.get(routes.DOCUMENTS_PREFIX + str(shared))
    assert answer.status_code == 200
    assert answer.content.startswith(b"%PDF-")
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["content-disposition"] == (
        "attachment; filename=\"Umowa o obs_ug_.pdf\"; filename*=UTF-8''Umowa%20o%20obs%C5%82ug%C4%99.pdf"
    )
    assert "no-store" in answer.headers["cache-control"]


@pytest.mark.parametrize("case", ["no cookie", "bad cookie", "not shared", "no such id", "not a number",
                                  "superscript digit", "other script's digit", "huge number"])
def test_everyone_else_gets_the_same_404(setup, case):
    client, cookie, shared, hidden = setup
    target = {"not shared": hidden, "no such id": 10**9, "not a number": "1abc", "superscript digit": "%C2%B3",
              "other script's digit": "%D9%A1", "huge number": "9" * 5000}.get(case, shared)
    if case != "no cookie":
        client.cookies.set(SESSION_COOKIE, "x" * 43 if case == "bad cookie" else cookie)
    answer = client.get(routes.DOCUMENTS_PREFIX + str(target))
    assert (answer.status_code, answer.text) == (404, "Not found")


def test_only_reads_and_other_paths_pass_through(setup):
    client, cookie, shared, _hidden = setup
    client.cookies.set(SESSION_COOKIE, cookie)
    assert client.post(routes.DOCUMENTS_PREFIX + str(shared)).status_code == 405
    assert client.get("/portal/nowak").text == "reflex"


def _firm_admin(session, agreement_id):
    """The firm of this agreement and its Administrator, as portal settings are saved."""
    firm = session.get(Firm, session.get(Agreement, agreement_id).firm_id)
    staff = session.exec(select(StaffUser).where(StaffUser.firm_id == firm.id)).first()
    return firm, identity.staff_for_token(session, identity.start_session(session, staff_user_id=staff.id))


def _switch(session, admin, enabled: bool) -> None:
    view = portal_settings.load_settings(session, admin)
    portal_settings.save_settings(
        session, admin,
        portal_settings.SettingsForm(enabled=enabled, company_name=view.company_name, address=view.address,
                                     contact_email=view.contact_email),
        expected_version=view.version,
    )


def test_switching_the_portal_off_closes_downloads_until_it_is_on_again(setup, session):
    client, cookie, shared, _hidden = setup
    client.cookies.set(SESSION_COOKIE, cookie)
    _firm, admin = _firm_admin(session, shared)
    url = routes.DOCUMENTS_PREFIX + str(shared)
    assert client.get(url).status_code == 200

    _switch(session, admin, enabled=False)
    assert (client.get(url).status_code, client.get(url).text) == (404, "Not found")

    _switch(session, admin, enabled=True)
    assert client.get(url).status_code == 200


def test_leaving_premium_closes_downloads_until_the_portal_is_back(setup, session):
    client, cookie, shared, _hidden = setup
    client.cookies.set(SESSION_COOKIE, cookie)
    firm, admin = _firm_admin(session, shared)
    url = routes.DOCUMENTS_PREFIX + str(shared)

    portal_settings.change_plan(session, firm.id, "standard")
    assert (client.get(url).status_code, client.get(url).text) == (404, "Not found")

    portal_settings.change_plan(session, firm.id, "premium")
    assert client.get(url).status_code == 404  # leaving Premium switched the portal off
    admin = identity.staff_for_token(session, identity.start_session(session, staff_user_id=admin.user_id))
    _switch(session, admin, enabled=True)
    assert client.get(url).status_code == 200


def test_a_standard_plan_firm_with_the_portal_still_ticked_serves_nothing(setup, session):
    """The plan alone decides too (an enabled settings row of a firm that is not Premium)."""
    client, cookie, shared, _hidden = setup
    client.cookies.set(SESSION_COOKIE, cookie)
    firm, _admin = _firm_admin(session, shared)
    firm.plan = "standard"
    add(session, firm)
    assert client.get(routes.DOCUMENTS_PREFIX + str(shared)).status_code == 404


@pytest.mark.parametrize("raw", ["%C2%B3", "%D9%A1", "9" * 5000, "1abc", ""])
def test_the_staff_route_answers_odd_ids_with_404_not_an_error(setup, session, raw):
    """A stranger with any cookie value must not reach int() with a superscript digit (a 500 and a traceback)."""
    from portal_app.staff_documents import serve_staff_documents
    from portal_app.state.staff import SESSION_COOKIE as STAFF_COOKIE

    _client, _cookie, shared, _hidden = setup
    _firm, admin = _firm_admin(session, shared)
    staff = TestClient(serve_staff_documents(_behind()), raise_server_exceptions=True)
    for cookie in ("x", identity.start_session(session, staff_user_id=admin.user_id)):
        staff.cookies.set(STAFF_COOKIE, cookie)
        answer = staff.get(routes.STAFF_DOCUMENTS_PREFIX + raw)
        assert (answer.status_code, answer.text) == (404, "Not found")
    assert staff.get(routes.STAFF_DOCUMENTS_PREFIX + str(shared)).status_code == 200  # the real id still serves
