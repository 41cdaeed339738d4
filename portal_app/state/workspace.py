"""Staff workspace forms on the contact and matter cards: contacts, matters and time entries.

Each handler re-reads the caller and hands the browser-supplied ids to a service that loads the
target row and checks its firm; dialogs open with the stored values as their defaults.
"""

from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx

from portal_app import routes
from portal_app.db import session_scope
from portal_app.i18n import format_date, format_hours
from portal_app.models import Contact, Matter, TimeEntry
from portal_app.services import contacts_matters, time_entries
from portal_app.services.client_portal import today_for
from portal_app.services.errors import FieldErrors, ServiceError
from portal_app.services.workspace import firm_row
from portal_app.state.cards import CardState
from portal_app.state.staff import StaffState


def run(state, work: Callable) -> tuple[bool, object]:
    """Call `work(session, me)`; on refusal put the messages beside the fields and return False."""
    me = state._staff()
    if me is None:
        return False, state._signed_out()
    state.errors, state.form_error = {}, ""
    try:
        with session_scope() as session:
            return True, work(session, me)
    except FieldErrors as exc:
        state.errors = state._field_errors(exc.fields)
        state.form_error = state._msg(exc.key)
    except ServiceError as exc:
        state.form_error = state._msg(exc.key, **exc.params)
    return False, None


NO_MATTER = "0"


def matter_options(state, session, me, contact_id: int) -> list[list[str]]:
    """The matter select of an invoice or agreement form: none, then the contact's matters."""
    return [[NO_MATTER, state._msg("ws.invoice.no_matter")]] + [
        [str(matter_id), label] for matter_id, label in contacts_matters.matter_choices(session, me, contact_id)
    ]


def form_strings(form_data: dict, names: tuple[str, ...], limit: int = 2000) -> dict[str, str]:
    """Only the expected fields, as bounded strings: the browser may send anything, even a non-dict."""
    if not isinstance(form_data, dict):
        form_data = {}
    return {name: str(form_data.get(name, ""))[:limit] for name in names}


class ContactFormState(StaffState):
    """The *New contact* / *Edit contact* dialog, and archiving."""

    open: bool = False
    editing_id: int = 0
    editing_version: int = 0
    form: dict[str, str] = {}
    errors: dict[str, str] = {}
    form_error: str = ""

    @rx.event
    def set_open(self, value: bool):
        self.open = bool(value)

    @rx.event
    def open_new(self):
        self.editing_id, self.form, self.errors, self.form_error = 0, {"kind": "company"}, {}, ""
        self.open = True

    @rx.event
    def open_edit(self, contact_id: int):
        ok, result = run(self, lambda s, me: firm_row(s, me, Contact, contact_id))
        if ok:
            self.editing_id, self.editing_version = result.id, result.version
            self.form = {"name": result.name, "kind": result.kind, "email": result.email}
            self.open = True
        return result if not ok else None

    @rx.event
    def save(self, form_data: dict):
        values = form_strings(form_data, ("name", "kind", "email"), 400)
        if self.editing_id:
            ok, result = run(self, lambda s, me: contacts_matters.update_contact(s, me, self.editing_id, values, self.editing_version))
        else:
            ok, result = run(self, lambda s, me: contacts_matters.create_contact(s, me, values))
        if not ok:
            self.form = values
            return result
        self.open = False
        if self.editing_id:
            return CardState.load_contact
        return rx.redirect(routes.contact_url(result))

    @rx.event
    def archive(self, contact_id: int):
        ok, result = run(self, lambda s, me: contacts_matters.archive_contact(s, me, contact_id))
        return rx.redirect(routes.CONTACTS) if ok else result


class MatterFormState(StaffState):
    """*New matter* (from a contact) / *Edit matter*, and closing or reopening."""

    open: bool = False
    editing_id: int = 0
    editing_version: int = 0
    contact_id_for: int = 0
    form: dict[str, str] = {}
    errors: dict[str, str] = {}
    form_error: str = ""

    @rx.event
    def set_open(self, value: bool):
        self.open = bool(value)

    @rx.event
    def open_new(self, contact_id: int):
        self.editing_id, self.contact_id_for = 0, contact_id if isinstance(contact_id, int) else 0
        self.form, self.errors, self.form_error = {"status": "open"}, {}, ""
        self.open = True

    @rx.event
    def open_edit(self, matter_id: int):
        ok, result = run(self, lambda s, me: firm_row(s, me, Matter, matter_id))
        if ok:
            self.editing_id, self.editing_version = result.id, result.version
            self.form = {"number": result.number, "title": result.title, "status": result.status}
            self.open = True
        return result if not ok else None

    @rx.event
    def save(self, form_data: dict):
        values = form_strings(form_data, ("number", "title", "status"), 400)
        if self.editing_id:
            ok, result = run(self, lambda s, me: contacts_matters.update_matter(s, me, self.editing_id, values, self.editing_version))
        else:
            ok, result = run(self, lambda s, me: contacts_matters.create_matter(s, me, self.contact_id_for, values))
        if not ok:
            self.form = values
            return result
        self.open = False
        if self.editing_id:
            return CardState.load_matter
        return rx.redirect(routes.matter_url(result))

    @rx.event
    def set_status(self, matter_id: int, status: str):
        ok, result = run(self, lambda s, me: contacts_matters.set_matter_status(s, me, matter_id, str(status)))
        return CardState.load_matter if ok else result


@dataclass(frozen=True)
class TimeItem:
    id: int
    date: str
    hours: str
    description: str
    billable: bool
    staff_name: str
    mine: bool


class TimeState(StaffState):
    """The matter card's time entries: the list with totals and the log/edit dialog."""

    rows: list[TimeItem] = []
    hours_total: str = ""
    hours_billable: str = ""
    page: int = 0
    pages: int = 1
    staff_options: list[list[str]] = []
    open: bool = False
    editing_id: int = 0
    editing_version: int = 0
    form: dict[str, str] = {}
    errors: dict[str, str] = {}
    form_error: str = ""
    list_error: str = ""

    @rx.event
    def load(self):
        me = self._staff()
        if me is None:
            return self._signed_out()
        self.list_error = ""
        try:
            with session_scope() as session:
                summary = time_entries.matter_time(session, me, self.matter_id, self.page)
                members = time_entries.firm_staff(session, me) if me.is_admin else []
        except ServiceError:
            self.rows = []
            return
        lang = me.language
        self.rows = [
            TimeItem(id=r.id, date=format_date(r.work_date, lang), hours=format_hours(r.minutes, lang),
                     description=r.description, billable=r.billable, staff_name=r.staff_name,
                     mine=me.is_admin or r.staff_user_id == me.user_id)
            for r in summary.rows
        ]
        self.hours_total = format_hours(summary.minutes_total, lang)
        self.hours_billable = format_hours(summary.minutes_billable, lang)
        self.pages = max(1, -(-summary.total // time_entries.PAGE_SIZE))
        self.staff_options = [[str(i), name] for i, name in members]

    @rx.event
    def go(self, delta: int):
        self.page = min(max(0, self.page + (1 if delta == 1 else -1)), self.pages - 1)
        return TimeState.load

    @rx.event
    def set_open(self, value: bool):
        self.open = bool(value)

    @rx.event
    def open_new(self):
        me = self._staff()
        if me is None:
            return self._signed_out()
        self.editing_id, self.errors, self.form_error = 0, {}, ""
        self.form = {"work_date": today_for(me.timezone).isoformat(), "duration": "", "description": "",
                     "billable": "on", "staff_user_id": str(me.user_id)}
        self.open = True

    @rx.event
    def open_edit(self, entry_id: int):
        ok, row = run(self, lambda s, me: firm_row(s, me, TimeEntry, entry_id))
        if not ok:
            return row
        self.editing_id, self.editing_version = row.id, row.version
        self.form = {"work_date": row.work_date.isoformat(), "duration": time_entries.duration_input(row.minutes),
                     "description": row.description, "billable": "on" if row.billable else "",
                     "staff_user_id": str(row.staff_user_id)}
        self.open = True

    @rx.event
    def save(self, form_data: dict):
        values = form_strings(form_data, ("work_date", "duration", "description", "billable", "staff_user_id"))
        if self.editing_id:
            ok, result = run(self, lambda s, me: time_entries.update_time(s, me, self.editing_id, values, expected_version=self.editing_version))
        else:
            ok, result = run(self, lambda s, me: time_entries.log_time(s, me, self.matter_id, values))
        if not ok:
            self.form = values
            return result
        self.open = False
        return TimeState.load

    @rx.event
    def delete(self, entry_id: int):
        ok, result = run(self, lambda s, me: time_entries.delete_time(s, me, entry_id))
        if not ok:
            self.list_error = self.form_error
            return result
        return TimeState.load
