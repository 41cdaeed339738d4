"""Contact and matter lists and cards, and the share dialog opened from a card (CP-2)."""

from dataclasses import dataclass

import reflex as rx

from portal_app.db import session_scope
from portal_app.i18n import format_date
from portal_app.mail.sender import deliver_soon
from portal_app.services import sharing, staff
from portal_app.services.errors import NotAllowed, ServiceError
from portal_app.state.staff import StaffState


class ContactsState(StaffState):
    rows: list[staff.ContactRow] = []
    page: int = 0
    pages: int = 1
    query: str = ""

    @rx.event
    def load(self):
        me = self._staff()
        if me is None:
            return self._signed_out()
        with session_scope() as session:
            rows, total = staff.contacts(session, me, self.page, self.query)
        self.rows = rows
        self.pages = staff.page_count(total)

    @rx.event
    def search(self, form_data: dict):
        self.query = str(form_data.get("q", ""))[:100] if isinstance(form_data, dict) else ""
        self.page = 0
        return ContactsState.load

    @rx.event
    def go(self, delta: int):
        self.page = min(max(0, self.page + (1 if delta == 1 else -1)), self.pages - 1)
        return ContactsState.load


class MattersState(StaffState):
    rows: list[staff.MatterRow] = []
    page: int = 0
    pages: int = 1

    @rx.event
    def load(self):
        me = self._staff()
        if me is None:
            return self._signed_out()
        with session_scope() as session:
            rows, total = staff.matters(session, me, self.page)
        self.rows = rows
        self.pages = max(1, -(-total // staff.PAGE_SIZE))

    @rx.event
    def go(self, delta: int):
        self.page = min(max(0, self.page + (1 if delta == 1 else -1)), self.pages - 1)
        return MattersState.load


class CardState(StaffState):
    """The open contact or matter card."""

    kind: str = ""
    card_id: int = 0
    contact: staff.ContactRow | None = None
    matter: staff.MatterRow | None = None
    matters: list[staff.MatterRow] = []
    not_found: bool = False

    @rx.event
    def load_contact(self):
        me = self._staff()
        if me is None:
            return self._signed_out()
        try:
            with session_scope() as session:
                self.contact = staff.contact_card(session, me, self.contact_id)
                self.matters = staff.matters(session, me, 0, contact_id=self.contact.id)[0]
            self.kind, self.card_id, self.not_found = "contact", self.contact.id, False
        except NotAllowed:
            self.contact, self.not_found = None, True

    @rx.event
    def load_matter(self):
        me = self._staff()
        if me is None:
            return self._signed_out()
        try:
            with session_scope() as session:
                self.matter = staff.matter_card(session, me, self.matter_id)
            self.kind, self.card_id, self.not_found = "matter", self.matter.id, False
        except NotAllowed:
            self.matter, self.not_found = None, True


@dataclass(frozen=True)
class RecipientItem:
    id: int
    email: str
    registered: bool
    invited: str
    delivery: str


# The sharing rules' refusals (services/sharing._require_sharing), told as who may share and why.
REFUSALS = {
    "settings.refused_role": "share.refused_role",
    "settings.refused_plan": "share.refused_plan",
    "share.portal_disabled": "share.portal_off",
}


class ShareState(StaffState):
    """The Client Portal dialog of a card; the card is re-checked against the caller on every event."""

    open: bool = False
    kind: str = ""
    card_id: int = 0
    card_name: str = ""
    addresses: str = ""
    bad_addresses: list[str] = []
    types: list[str] = []
    statuses: list[str] = []
    time_entries: bool = True
    agreements: bool = True
    recipients: list[RecipientItem] = []
    message: str = ""
    error: str = ""
    refused: str = ""

    def _load(self, me) -> None:
        with session_scope() as session:
            card = sharing.card_for(session, me, self.kind, self.card_id)
            view = sharing.load_share(session, me, self.kind, self.card_id)
        self.card_name = card.name
        self.types = list(view.invoice_types)
        self.statuses = list(view.invoice_statuses)
        self.time_entries = view.time_entries
        self.agreements = view.agreements
        self.recipients = [
            RecipientItem(
                id=r.id, email=r.email, registered=r.registered,
                invited=format_date(r.last_invited_at.date(), self.lang) if r.last_invited_at else "",
                delivery=r.delivery,
            )
            for r in view.recipients
        ]

    def _refuse_or_error(self, exc: ServiceError) -> None:
        """A sharing refusal (role, plan, portal off) replaces the form; anything else sits above it."""
        if exc.key in REFUSALS:
            self.refused = self._msg(REFUSALS[exc.key], **exc.params)
        else:
            self.error = self._msg(exc.key, **exc.params)

    @rx.event
    def open_dialog(self, kind: str, card_id: int):
        me = self._staff()
        if me is None:
            return self._signed_out()
        self.kind, self.card_id = str(kind), card_id
        self.addresses, self.bad_addresses, self.message, self.error, self.refused = "", [], "", "", ""
        try:
            self._load(me)
        except ServiceError as exc:
            # No form for someone who may not share: only why, in the words of who can (the
            # services refuse every save, resend and removal of theirs anyway).
            self.refused = self._msg(REFUSALS.get(exc.key, exc.key), **exc.params)
            self.card_name, self.recipients = "", []
        self.open = True

    @rx.event
    def close_dialog(self):
        self.open = False

    @rx.event
    def set_open(self, value: bool):
        self.open = bool(value)

    @rx.event
    def set_addresses(self, value: str):
        self.addresses = str(value)[:20000]
        self.bad_addresses = []

    @rx.event
    def toggle_type(self, value: str, checked: bool):
        self.types = [t for t in self.types if t != value] + ([value] if checked and value in sharing.INVOICE_TYPES else [])

    @rx.event
    def toggle_status(self, value: str, checked: bool):
        self.statuses = [s for s in self.statuses if s != value] + ([value] if checked and value in sharing.INVOICE_STATUSES else [])

    @rx.event
    def set_time_entries(self, value: bool):
        self.time_entries = bool(value)

    @rx.event
    def set_agreements(self, value: bool):
        self.agreements = bool(value)

    @rx.event
    def save(self):
        me = self._staff()
        if me is None:
            return self._signed_out()
        self.message, self.error = "", ""
        parsed = sharing.parse_addresses(self.addresses)
        bad = [p.raw for p in parsed if p.error]
        self.bad_addresses = bad
        if bad:
            self.error = self._msg("share.bad_addresses", list=", ".join(bad))
            return
        try:
            with session_scope() as session:
                result = sharing.add_to_share(
                    session, me, self.kind, self.card_id, new_emails=[p.email for p in parsed],
                    invoice_types=self.types, invoice_statuses=self.statuses,
                    time_entries=self.time_entries, agreements=self.agreements,
                )
            self._load(me)
        except ServiceError as exc:
            self._refuse_or_error(exc)
            return
        self.addresses = ""
        self.message = self._msg("share.saved", count=len(result.invited))
        if result.already_shared:
            self.message += " " + self._msg("share.already_shared", list=", ".join(result.already_shared))
        return ShareState.deliver

    @rx.event
    def resend(self, recipient_id: int):
        me = self._staff()
        if me is None:
            return self._signed_out()
        self.message, self.error = "", ""  # a refused resend must not sit under the last "sent again"
        try:
            with session_scope() as session:
                sharing.resend_invitation(session, me, recipient_id)
            self._load(me)
        except ServiceError as exc:
            self._refuse_or_error(exc)
            return
        email = next((r.email for r in self.recipients if r.id == recipient_id), "")
        self.message = self._msg("share.resent", email=email)
        return ShareState.deliver

    @rx.event
    def revoke(self, recipient_id: int):
        me = self._staff()
        if me is None:
            return self._signed_out()
        try:
            with session_scope() as session:
                email = sharing.revoke_recipient(session, me, recipient_id)
            self._load(me)
        except ServiceError as exc:
            self._refuse_or_error(exc)
            return
        self.message = self._msg("share.removed", email=email)

    @rx.event(background=True)
    async def deliver(self):
        """Send queued mail off the event loop, then refresh the delivery badges."""
        await deliver_soon()
        async with self:
            me = self._staff()
            if me is not None and self.open and self.kind:
                try:
                    self._load(me)
                except ServiceError:
                    pass
