"""View as client: a staff page showing one portal user's dashboard and lists, read-only.

It draws the client's widgets and invoice badges with the portal's own components and message
keys (components/client_view), so "exactly what this client sees" holds label for label.
"""

import reflex as rx

from portal_app.components.client_view import client_matter, dashboard_widgets, invoice_status
from portal_app.components.forms import notice
from portal_app.components.layout import card, staff_shell
from portal_app.pages.workspace import FEES, INVOICE_STATUSES, T, type_label
from portal_app.state.workspace_preview import PreviewAgreement, PreviewInvoice, PreviewState, PreviewTime

S = PreviewState


def _status_label(status):
    """The status text of the client's invoice list (the portal translates it the same way)."""
    return rx.match(status, *[(s, T[f"invoice.status.{s}"]) for s in INVOICE_STATUSES], status)


def _invoice(i: PreviewInvoice) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(i.number, weight="medium")), rx.table.cell(type_label(i.type)),
        rx.table.cell(invoice_status(T, _status_label(i.status), i.overdue)), rx.table.cell(client_matter(i.client, i.matter)),
        rx.table.cell(i.issued), rx.table.cell(i.due), rx.table.cell(i.total, text_align="right", white_space="nowrap"),
        rx.table.cell(i.outstanding, text_align="right", white_space="nowrap"), class_name="preview-invoice",
    )


def _time(t: PreviewTime) -> rx.Component:
    return rx.table.row(rx.table.cell(t.date, white_space="nowrap"), rx.table.cell(client_matter(t.client, t.matter)),
                        rx.table.cell(t.description), rx.table.cell(t.hours, text_align="right"), class_name="preview-time")


def _agreement(a: PreviewAgreement) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(a.title, weight="medium")), rx.table.cell(client_matter(a.client, a.matter)),
        rx.table.cell(rx.match(a.fee_arrangement, *[(f, rx.text(T[f"fee.{f}"])) for f in FEES], rx.text(a.fee_arrangement))),
        rx.table.cell(a.signed_on), rx.table.cell(a.valid_until),
        rx.table.cell(rx.cond(
            a.has_document,
            rx.hstack(rx.icon("download", size=14), rx.text(T["agr.download"]), spacing="1", align="center"),
            rx.text(T["common.none"], color_scheme="gray"),
        )),
        class_name="preview-agreement",
    )


def _table(headers: tuple[str, ...], rows, render, empty_key: str, id_: str) -> rx.Component:
    """A list as the client's page lists it, with the client's own words when it is empty."""
    return rx.vstack(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(T[k]) for k in headers])),
            rx.table.body(rx.foreach(rows, render)),
            width="100%", id=id_,
        ),
        rx.cond(rows.length() == 0, rx.text(T[empty_key], color_scheme="gray", id=f"{id_}-empty")),
        width="100%",
    )


def preview_page() -> rx.Component:
    return staff_shell(
        rx.vstack(
            rx.callout(T["ws.preview.banner"], icon="eye", color_scheme="amber", width="100%", id="preview-banner"),
            notice(S.error, "red", "circle-alert", "preview-error"),
            rx.cond(
                S.client_email != "",
                rx.vstack(
                    rx.heading(S.client_name, size="6", id="preview-client"),
                    rx.text(S.client_email, color_scheme="gray"),
                    dashboard_widgets(T, S.hours_total, S.hours_month, S.pending, S.overdue, id_prefix="preview-"),
                    card(rx.heading(T["portal.menu.invoices"], size="4", padding_bottom="var(--space-3)"),
                         _table(("inv.number", "inv.type", "inv.status", "inv.client_matter", "inv.issued", "inv.due", "inv.total", "inv.outstanding"),
                                S.invoices, _invoice, "inv.empty", "preview-invoices")),
                    card(rx.heading(T["portal.menu.time"], size="4", padding_bottom="var(--space-3)"),
                         _table(("time.date", "inv.client_matter", "time.description", "time.hours"), S.time, _time, "time.empty", "preview-time")),
                    card(rx.heading(T["portal.menu.agreements"], size="4", padding_bottom="var(--space-3)"),
                         _table(("agr.title", "inv.client_matter", "agr.fee", "agr.signed", "agr.valid_until", "agr.document"),
                                S.agreements, _agreement, "agr.empty", "preview-agreements")),
                    spacing="4", width="100%",
                ),
            ),
            spacing="4", width="100%",
        )
    )
