"""Agreements on the contact and matter cards: the list, the form dialog and the document upload.

The document is checked by content, stored privately (services.documents, outside the public
upload folder) and only then attached; a replaced or deleted document's file is removed.
"""

import asyncio
from dataclasses import dataclass

import reflex as rx

from portal_app import routes
from portal_app.db import session_scope
from portal_app.i18n import format_date
from portal_app.models import Agreement, Contact, Matter
from portal_app.services import agreements, documents
from portal_app.services.errors import ServiceError
from portal_app.services.workspace import firm_row
from portal_app.state.staff import StaffState
from portal_app.state.workspace import NO_MATTER, form_strings, matter_options, run

FIELDS = ("title", "fee_arrangement", "status", "signed_on", "valid_until", "matter_id")


@dataclass(frozen=True)
class AgreementItem:
    id: int
    title: str
    matter: str
    fee_arrangement: str
    status: str
    signed_on: str
    valid_until: str
    document_name: str
    document_url: str


def _remove_stored(name: str | None) -> None:
    if name:
        try:
            documents.document_path(name).unlink(missing_ok=True)
        except (OSError, documents.DocumentError):
            pass


class AgreementsCardState(StaffState):
    rows: list[AgreementItem] = []
    on_matter: bool = False
    open: bool = False
    editing_id: int = 0
    editing_version: int = 0
    contact_for: int = 0
    form: dict[str, str] = {}
    matter_options: list[list[str]] = []
    errors: dict[str, str] = {}
    form_error: str = ""
    upload_error: str = ""
    pending_name: str = ""
    _pending_stored: str = ""

    def _fill(self):
        me = self._staff()
        if me is None:
            return self._signed_out()
        scope = {"matter_id": self.matter_id} if self.on_matter else {"contact_id": self.contact_id}
        try:
            with session_scope() as session:
                rows, _total = agreements.agreements_for(session, me, **scope)
        except ServiceError:
            self.rows = []
            return
        lang = me.language
        self.rows = [
            AgreementItem(id=a.id, title=a.title, matter=a.matter_number, fee_arrangement=a.fee_arrangement,
                          status=a.status, signed_on=format_date(a.signed_on, lang),
                          valid_until=format_date(a.valid_until, lang), document_name=a.document_name,
                          document_url=routes.staff_document_url(a.id) if a.document_name else "")
            for a in rows
        ]

    @rx.event
    def load_contact(self):
        self.on_matter, self.open, self.upload_error = False, False, ""
        return self._fill()

    @rx.event
    def load_matter(self):
        self.on_matter, self.open, self.upload_error = True, False, ""
        return self._fill()

    @rx.event
    def set_open(self, value: bool):
        self.open = bool(value)

    def _options(self, session, me, contact_id: int) -> None:
        self.contact_for = contact_id
        self.matter_options = matter_options(self, session, me, contact_id)

    @rx.event
    def open_new(self, matter_or_contact: str, card_id: int):
        def work(session, me):
            if matter_or_contact == "matter":
                matter = firm_row(session, me, Matter, card_id)
                self._options(session, me, matter.contact_id)
                return str(matter.id)
            self._options(session, me, firm_row(session, me, Contact, card_id).id)
            return NO_MATTER
        ok, result = run(self, work)
        if not ok:
            return result
        self._drop_pending()
        self.editing_id, self.upload_error = 0, ""
        self.form = {"title": "", "fee_arrangement": "hourly", "status": "active", "signed_on": "", "valid_until": "",
                     "matter_id": result}
        self.open = True

    @rx.event
    def open_edit(self, agreement_id: int):
        def work(session, me):
            row = firm_row(session, me, Agreement, agreement_id)
            self._options(session, me, row.contact_id)
            return row
        ok, row = run(self, work)
        if not ok:
            return row
        self._drop_pending()
        self.editing_id, self.editing_version, self.upload_error = row.id, row.version, ""
        self.form = {"title": row.title, "fee_arrangement": row.fee_arrangement, "status": row.status,
                     "signed_on": row.signed_on.isoformat() if row.signed_on else "",
                     "valid_until": row.valid_until.isoformat() if row.valid_until else "",
                     "matter_id": str(row.matter_id or NO_MATTER), "document_name": row.document_name or ""}
        self.open = True

    @rx.event
    def save(self, form_data: dict):
        values = form_strings(form_data, FIELDS, 400)
        def work(session, me):
            if self._pending_stored:
                documents.require_pending(self._pending_stored)  # before anything is saved
            if self.editing_id:
                agreements.update_agreement(session, me, self.editing_id, values, self.editing_version)
                agreement_id = self.editing_id
            else:
                agreement_id = agreements.create_agreement(session, me, self.contact_for, values)
            if self._pending_stored:
                return agreements.attach_document(session, me, agreement_id, self.pending_name, self._pending_stored)
            return None

        ok, result = run(self, work)
        if not ok:
            self.form = values
            return result
        _remove_stored(result)
        self._pending_stored, self.pending_name = "", ""
        self.open = False
        return self._fill()

    @rx.event
    def delete(self, agreement_id: int):
        ok, stored = run(self, lambda s, me: agreements.delete_agreement(s, me, agreement_id))
        if not ok:
            self.upload_error = self.form_error
            return stored
        _remove_stored(stored)
        return self._fill()

    def _drop_pending(self) -> None:
        _remove_stored(self._pending_stored)
        self._pending_stored, self.pending_name = "", ""

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        """Check and store the dropped file privately; it is attached when the form is saved."""
        me = self._staff()
        if me is None:
            return self._signed_out()
        self.upload_error = ""
        if not self.open or len(files) != 1:
            self.upload_error = self._msg("ws.doc_one_file")
            return
        data = await files[0].read(agreements.MAX_DOCUMENT_BYTES + 1)
        replacing = self._pending_stored

        def admit_and_store(name: str) -> str:
            with session_scope() as session:
                documents.admit_upload(session, me.user_id, replacing=replacing)
            return documents.store_document(data, name, owner=me.user_id)

        try:
            name = agreements.check_document(files[0].filename or "", data)
            stored = await asyncio.to_thread(admit_and_store, name)
        except ServiceError as exc:
            self.upload_error = self._msg(exc.key, **exc.params)
            return
        except documents.DocumentError:
            self.upload_error = self._msg("ws.doc_type")
            return
        await asyncio.to_thread(self._drop_pending)
        self._pending_stored, self.pending_name = stored, name

    @rx.event
    def upload_rejected(self, _files: list):
        self.upload_error = self._msg("ws.doc_too_large", mb=agreements.MAX_DOCUMENT_BYTES // (1024 * 1024))
