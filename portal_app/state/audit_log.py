"""General Settings → Audit log: the firm's archiving and deletions, for its Administrators only.

The role is checked by the service on every load and page turn, not by hiding the menu item.
"""

from dataclasses import dataclass

import reflex as rx

from portal_app import routes
from portal_app.db import session_scope
from portal_app.i18n import MESSAGES, format_datetime
from portal_app.services import audit_log
from portal_app.services.audit_log import AuditEntry
from portal_app.services.errors import NotAllowed
from portal_app.state.staff import StaffState

# Records that still exist after the logged change (archived, closed, cancelled) link to their card.
_LINKS = {"contact": routes.contact_url, "matter": routes.matter_url, "invoice": routes.invoice_url}


@dataclass(frozen=True)
class AuditItem:
    at: str
    who: str
    action: str
    record: str
    href: str


class AuditLogState(StaffState):
    rows: list[AuditItem] = []
    page: int = 0
    pages: int = 1
    refused: str = ""

    def _item(self, entry: AuditEntry, timezone: str) -> AuditItem:
        action_key, target_key = f"audit.action.{entry.action}", f"audit.target.{entry.target_type}"
        target = self._msg(target_key) if target_key in MESSAGES else entry.target_type
        link = _LINKS.get(entry.target_type)
        return AuditItem(
            at=format_datetime(entry.at, timezone, self.lang),
            who=entry.staff_name,
            action=self._msg(action_key) if action_key in MESSAGES else entry.action,
            record=f"{target} {entry.summary}".strip(),
            href=link(entry.target_id) if link else "",
        )

    @rx.event
    def load(self):
        me = self._staff()
        if me is None:
            return self._signed_out()
        try:
            with session_scope() as session:
                entries, total = audit_log.audit_entries(session, me, self.page)
        except NotAllowed as exc:
            self.rows, self.page, self.pages, self.refused = [], 0, 1, self._msg(exc.key)
            return
        self.refused = ""
        self.rows = [self._item(e, me.timezone) for e in entries]
        self.pages = max(1, -(-total // audit_log.PAGE_SIZE))

    @rx.event
    def open_page(self):
        """on_load: always start at the newest entries."""
        self.page = 0
        return AuditLogState.load

    @rx.event
    def go(self, delta: int):
        self.page = min(max(0, self.page + (1 if delta == 1 else -1)), self.pages - 1)
        return AuditLogState.load
