"""The development outbox page: staff read the e-mails their firm would have sent."""

from dataclasses import dataclass

import reflex as rx
from sqlmodel import select

from portal_app.config import dev_mail_enabled
from portal_app.db import session_scope
from portal_app.i18n import format_datetime
from portal_app.models import OutboxMessage
from portal_app.services.workspace import row_id
from portal_app.state.staff import StaffState

PAGE_SIZE = 50


@dataclass(frozen=True)
class MailItem:
    id: int
    recipient: str
    subject: str
    created: str
    status: str


class DevMailState(StaffState):
    enabled: bool = True
    messages: list[MailItem] = []
    subject: str = ""
    to_email: str = ""
    html: str = ""
    text: str = ""
    missing: bool = False

    def _allowed(self):
        me = self._staff()
        if me is None:
            return None, self._signed_out()
        self.enabled = dev_mail_enabled()
        return me, None

    @rx.event
    def load_list(self):
        me, redirect = self._allowed()
        if me is None or not self.enabled:
            return redirect
        with session_scope() as session:
            rows = session.exec(
                select(OutboxMessage).where(OutboxMessage.firm_id == me.firm_id)
                .order_by(OutboxMessage.id.desc()).limit(PAGE_SIZE)
            ).all()
        self.messages = [
            MailItem(id=m.id, recipient=m.to_email, subject=m.subject, created=format_datetime(m.created_at, me.timezone, me.language),
                     status=self._msg(f"share.delivery.{m.status}"))
            for m in rows
        ]

    @rx.event
    def load_message(self):
        me, redirect = self._allowed()
        if me is None or not self.enabled:
            return redirect
        ident = row_id(self.message_id) or 0
        with session_scope() as session:
            m = session.get(OutboxMessage, ident)
        if m is None or m.firm_id != me.firm_id:
            self.subject, self.to_email, self.html, self.text, self.missing = "", "", "", "", True
            return
        self.subject, self.to_email, self.text, self.missing = m.subject, m.to_email, m.text, False
        self.html = "<base target=\"_top\">" + m.html
