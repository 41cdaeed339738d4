"""Pending agreement uploads cannot fill the disk: orphans are swept, unsaved uploads are capped per person."""

import asyncio
import itertools
import os
import time

import pytest
from sqlmodel import select

from portal_app.models import Agreement, Firm, StaffUser
from portal_app.services import agreements, contacts_matters, documents, identity
from portal_app.services.errors import ServiceError
from portal_app.services.identity import StaffIdentity
from tests.conftest import add

_seq = itertools.count(1)
PDF = documents.sample_pdf("Umowa")
LIMIT_MESSAGE = (f"You already have {documents.MAX_PENDING_PER_STAFF} uploaded files not yet saved with an "
                 "agreement. Save those forms or try again later.")


@pytest.fixture(autouse=True)
def own_folder(tmp_path, monkeypatch):
    """Each test gets an empty documents folder and a process that has not swept yet."""
    folder = tmp_path / "documents"
    monkeypatch.setattr(documents, "documents_dir", lambda: folder)
    monkeypatch.setattr(documents, "_last_sweep", 0.0)
    return folder


def member(session, firm, role="user"):
    user = add(session, StaffUser(firm_id=firm.id, email=f"d{next(_seq)}@firm.example.com", name="Anna",
                                  role=role, password_hash="x", language="en"))
    return StaffIdentity(user_id=user.id, firm_id=firm.id, name=user.name, email=user.email, role=role,
                         plan=firm.plan, language="en", timezone="Europe/Warsaw")


@pytest.fixture
def people(session):
    """A Standard-plan firm (any plan may upload) with two staff members, and another firm."""
    firm = add(session, Firm(name="Nowak", plan="standard"))
    other_firm = add(session, Firm(name="Kowalczyk", plan="premium"))
    me, colleague, other = member(session, firm), member(session, firm), member(session, other_firm, "administrator")
    return dict(me=me, colleague=colleague, other=other)


def saved_agreement(session, me, stored: str) -> int:
    contact = contacts_matters.create_contact(session, me, {"name": f"Klient {next(_seq)}", "kind": "company", "email": ""})
    agreement_id = agreements.create_agreement(session, me, contact, {"title": "Umowa", "fee_arrangement": "fixed"})
    agreements.attach_document(session, me, agreement_id, "Umowa.pdf", stored)
    return agreement_id


def age(folder, name: str, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(folder / name, (then, then))


def names(folder) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


# ---- the sweep ----------------------------------------------------------------------------------------------

def test_sweep_removes_old_orphans_only(session, people, own_folder):
    me, other = people["me"], people["other"]
    orphan = documents.store_document(PDF, "a.pdf", owner=me.user_id)
    legacy_orphan = documents.store_document(PDF, "b.pdf")  # a name from before owners were recorded
    young = documents.store_document(PDF, "c.pdf", owner=me.user_id)
    mine_saved = documents.store_document(PDF, "d.pdf", owner=me.user_id)
    theirs_saved = documents.store_document(PDF, "e.pdf", owner=other.user_id)
    saved_agreement(session, me, mine_saved)
    saved_agreement(session, other, theirs_saved)
    stray_part = "Q" * 43 + ".pdf.part"  # left by a worker killed mid-write
    (own_folder / stray_part).write_bytes(b"half")
    (own_folder / "README").write_text("not ours")
    grace = documents.PENDING_GRACE_SECONDS
    for name in (orphan, legacy_orphan, mine_saved, theirs_saved, stray_part, "README"):
        age(own_folder, name, grace + 60)
    age(own_folder, young, grace - 60)

    assert documents.sweep_orphan_documents(session) == 3
    assert orphan not in names(own_folder) and legacy_orphan not in names(own_folder)
    assert stray_part not in names(own_folder)
    assert {young, mine_saved, theirs_saved, "README"} <= names(own_folder)
    # a saved document is never swept, however old it is
    assert documents.sweep_orphan_documents(session, now=time.time() + 365 * 86400) == 1  # the young one, later
    assert {mine_saved, theirs_saved} <= names(own_folder)
    assert set(session.exec(select(Agreement.document_file)).all()) == {mine_saved, theirs_saved}


def test_sweep_of_a_missing_folder_is_a_no_op(session):
    assert documents.sweep_orphan_documents(session) == 0


# ---- the cap on unsaved uploads per staff member -----------------------------------------------------------

def test_unsaved_uploads_are_capped_per_staff_member(session, people, own_folder):
    me, colleague = people["me"], people["colleague"]
    pending = [documents.store_document(PDF, "u.pdf", owner=me.user_id) for _ in range(documents.MAX_PENDING_PER_STAFF)]
    with pytest.raises(ServiceError) as info:
        documents.admit_upload(session, me.user_id)
    assert (info.value.key, info.value.params) == ("ws.doc_pending_limit", {"max": documents.MAX_PENDING_PER_STAFF})

    documents.admit_upload(session, colleague.user_id)  # a colleague is not blocked
    documents.admit_upload(session, me.user_id, replacing=pending[0])  # replacing the form's own upload nets zero
    saved_agreement(session, me, pending[1])
    documents.admit_upload(session, me.user_id)  # a saved one no longer counts
    documents.store_document(PDF, "u.pdf", owner=me.user_id)
    with pytest.raises(ServiceError):
        documents.admit_upload(session, me.user_id)
    age(own_folder, pending[2], documents.PENDING_GRACE_SECONDS + 1)
    documents.admit_upload(session, me.user_id)  # an orphan past the grace period no longer counts either


def test_admit_upload_sweeps_at_most_every_few_minutes(session, people, own_folder):
    me = people["me"]
    first = documents.store_document(PDF, "a.pdf", owner=me.user_id)
    age(own_folder, first, documents.PENDING_GRACE_SECONDS + 60)
    documents.admit_upload(session, me.user_id)
    assert first not in names(own_folder)
    second = documents.store_document(PDF, "b.pdf", owner=me.user_id)
    age(own_folder, second, documents.PENDING_GRACE_SECONDS + 60)
    documents.admit_upload(session, me.user_id)
    assert second in names(own_folder)  # swept moments ago: not again yet
    documents.admit_upload(session, me.user_id, now=time.time() + documents.SWEEP_EVERY_SECONDS)
    assert second not in names(own_folder)


# ---- the upload handler, called the way any browser tab could call it ----------------------------------------

class Upload:
    """What the upload handler reads from an rx.UploadFile."""

    def __init__(self, data: bytes, filename: str):
        self.data, self.filename = data, filename

    async def read(self, size: int = -1) -> bytes:
        return self.data if size < 0 else self.data[:size]


def tab(session, me):
    """A fresh AgreementsCardState tab signed in as `me` with the dialog opened by hand (set_open)."""
    from reflex.state import State

    from portal_app.state.workspace_agreements import AgreementsCardState

    state = State(_reflex_internal_init=True).get_substate(AgreementsCardState.get_full_name().split("."))
    state.staff_token = identity.start_session(session, staff_user_id=me.user_id)
    state.lang = "en"
    AgreementsCardState.set_open.fn(state, True)
    return state


def upload(state, data=PDF, filename="Umowa.pdf"):
    asyncio.run(type(state).upload.fn(state, [Upload(data, filename)]))


def test_abandoned_tabs_cannot_fill_the_disk(session, people, own_folder):
    me = people["me"]
    cap = documents.MAX_PENDING_PER_STAFF
    abandoned = []
    for _ in range(cap):
        state = tab(session, me)
        upload(state)
        assert state.upload_error == "" and state.pending_name == "Umowa.pdf"
        abandoned.append(state._pending_stored)  # the tab is closed without saving
    assert names(own_folder) == set(abandoned)

    refused = tab(session, me)
    upload(refused)
    assert refused.upload_error == LIMIT_MESSAGE and refused._pending_stored == ""
    assert len(names(own_folder)) == cap

    # a colleague still uploads, and a tab replacing its own upload is not blocked by the cap
    colleague = tab(session, people["colleague"])
    upload(colleague)
    assert colleague.upload_error == ""
    again = tab(session, me)
    again._pending_stored = abandoned[-1]
    upload(again)
    assert again.upload_error == "" and abandoned[-1] not in names(own_folder)

    # once the abandoned uploads are past the grace period the next upload sweeps them away
    for name in abandoned[:-1]:
        age(own_folder, name, documents.PENDING_GRACE_SECONDS + 60)
    documents._last_sweep = 0.0
    later = tab(session, me)
    upload(later)
    assert later.upload_error == ""
    assert names(own_folder) == {colleague._pending_stored, again._pending_stored, later._pending_stored}


def test_an_upload_saved_with_its_agreement_survives_the_sweep(session, people, own_folder, monkeypatch):
    from portal_app.state.workspace_agreements import AgreementsCardState

    monkeypatch.setattr(AgreementsCardState, "_fill", lambda self: None)  # the card's list needs a page's route
    me = people["me"]
    contact = contacts_matters.create_contact(session, me, {"name": "Budmax", "kind": "company", "email": ""})
    state = tab(session, me)
    AgreementsCardState.open_new.fn(state, "contact", contact)
    upload(state)
    stored = state._pending_stored
    AgreementsCardState.save.fn(state, {"title": "Umowa o zastępstwo", "fee_arrangement": "hourly", "status": "active",
                                        "signed_on": "", "valid_until": "", "matter_id": "0"})
    assert state.form_error == "" and not state.open
    session.expire_all()
    assert session.exec(select(Agreement.document_file)).all() == [stored]

    age(own_folder, stored, 30 * 86400)
    upload(tab(session, me))  # runs the sweep
    assert stored in names(own_folder)
    assert documents.open_document(stored).read() == PDF


def test_a_form_whose_upload_was_swept_saves_nothing(session, people, own_folder, monkeypatch):
    from portal_app.state.workspace_agreements import AgreementsCardState

    monkeypatch.setattr(AgreementsCardState, "_fill", lambda self: None)
    me = people["me"]
    contact = contacts_matters.create_contact(session, me, {"name": "Budmax", "kind": "company", "email": ""})
    state = tab(session, me)
    AgreementsCardState.open_new.fn(state, "contact", contact)
    upload(state)
    (own_folder / state._pending_stored).unlink()  # the dialog stayed open past the grace period
    form = {"title": "Umowa o zastępstwo", "fee_arrangement": "hourly", "status": "active",
            "signed_on": "", "valid_until": "", "matter_id": "0"}
    AgreementsCardState.save.fn(state, form)
    assert state.form_error.startswith("The uploaded file was kept for two hours only") and state.open
    assert state.form["title"] == "Umowa o zastępstwo"  # the typing is kept
    session.expire_all()
    assert session.exec(select(Agreement)).all() == []  # no agreement without its document
