"""General Settings → Audit log: a paged table of who archived, closed, cancelled or deleted what."""

import reflex as rx

from portal_app import routes
from portal_app.components.forms import pager
from portal_app.components.layout import card, settings_shell
from portal_app.state.audit_log import AuditItem, AuditLogState as S


def _row(item: AuditItem) -> rx.Component:
    return rx.table.row(
        rx.table.cell(item.at, white_space="nowrap"),
        rx.table.cell(item.who),
        rx.table.cell(item.action),
        rx.table.cell(rx.cond(item.href != "", rx.link(item.record, href=item.href), rx.text(item.record))),
        class_name="audit-row",
    )


def audit_log_page() -> rx.Component:
    return settings_shell(
        card(
            rx.heading(S.t["audit.title"], size="6", padding_bottom="var(--space-2)"),
            rx.cond(
                S.refused != "",
                rx.callout(S.refused, icon="lock", color_scheme="amber", id="audit-refused"),
                rx.vstack(
                    rx.text(S.t["audit.intro"], size="2", color_scheme="gray"),
                    rx.table.root(
                        rx.table.header(rx.table.row(*[rx.table.column_header_cell(S.t[k]) for k in (
                            "audit.when", "audit.who", "audit.what", "audit.record")])),
                        rx.table.body(rx.foreach(S.rows, _row)),
                        width="100%", id="audit-table",
                    ),
                    rx.cond(S.rows.length() == 0, rx.text(S.t["audit.empty"], color_scheme="gray", size="2", id="audit-empty")),
                    rx.cond(S.pages > 1, pager(S)),
                    spacing="3", width="100%",
                ),
            ),
        ),
        active=routes.SETTINGS_AUDIT_LOG,
    )
