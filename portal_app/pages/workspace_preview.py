"""View as client: a staff page showing one portal user's dashboard and lists, read-only."""

import reflex as rx

from portal_app.components.forms import notice
from portal_app.components.layout import card, staff_shell
from portal_app.pages.workspace import T, status_badge, type_label
from portal_app.state.workspace_preview import PreviewAgreement, PreviewInvoice, PreviewState, PreviewTime

S = PreviewState


def _widget(label, content, id_: str) -> rx.Component:
    return card(rx.text(label, size="2", color_scheme="gray"), content, id=id_)


def _money_list(items, empty_id: str) -> rx.Component:
    return rx.cond(
        items.length() > 0,
        rx.vstack(rx.foreach(items, lambda m: rx.text(m, size="5", weight="bold", class_name="preview-amount")), spacing="1"),
        rx.text("—", size="5", weight="bold", id=empty_id),
    )


def _invoice(i: PreviewInvoice) -> rx.Component:
    return rx.table.row(
        rx.table.cell(i.number), rx.table.cell(type_label(i.type)), rx.table.cell(status_badge(i.status)), rx.table.cell(i.matter),
        rx.table.cell(i.issued), rx.table.cell(i.due), rx.table.cell(i.total, text_align="right"),
        rx.table.cell(i.outstanding, text_align="right"), class_name="preview-invoice",
    )


def _time(t: PreviewTime) -> rx.Component:
    return rx.table.row(rx.table.cell(t.date), rx.table.cell(t.matter), rx.table.cell(t.description), rx.table.cell(t.hours, text_align="right"),
                        class_name="preview-time")


def _agreement(a: PreviewAgreement) -> rx.Component:
    return rx.table.row(rx.table.cell(a.title), rx.table.cell(a.matter), rx.table.cell(a.signed_on), class_name="preview-agreement")


def _table(headers: tuple[str, ...], rows, render, id_: str) -> rx.Component:
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(T[k]) for k in headers])),
        rx.table.body(rx.foreach(rows, render)),
        width="100%", id=id_,
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
                    rx.grid(
                        _widget(T["ws.preview.hours"], rx.text(S.hours_total, " h", size="5", weight="bold", id="preview-hours"), "preview-hours-card"),
                        _widget(T["ws.preview.pending"], _money_list(S.pending, "preview-pending-none"), "preview-pending"),
                        _widget(T["ws.preview.overdue"], _money_list(S.overdue, "preview-overdue-none"), "preview-overdue"),
                        columns="3", spacing="4", width="100%",
                    ),
                    card(rx.heading(T["ws.invoice.title"], size="4", padding_bottom="var(--space-3)"),
                         _table(("inv.number", "inv.type", "inv.status", "card.matter", "inv.issued", "inv.due", "inv.total", "inv.outstanding"),
                                S.invoices, _invoice, "preview-invoices")),
                    card(rx.heading(T["ws.time.title"], size="4", padding_bottom="var(--space-3)"),
                         _table(("time.date", "time.matter", "time.description", "time.hours"), S.time, _time, "preview-time")),
                    card(rx.heading(T["ws.agreement.title"], size="4", padding_bottom="var(--space-3)"),
                         _table(("agr.title", "card.matter", "agr.signed"), S.agreements, _agreement, "preview-agreements")),
                    spacing="4", width="100%",
                ),
            ),
            spacing="4", width="100%",
        )
    )
