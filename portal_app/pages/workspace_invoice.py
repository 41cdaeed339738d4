"""The staff invoice page: lines and totals, the status actions, payments (recorded and removed) and credit notes."""

import reflex as rx

from portal_app.components.client_view import overdue_badge
from portal_app.components.forms import field, notice
from portal_app.components.layout import card, staff_shell
from portal_app.pages.workspace import T, invoice_dialog, invoice_table, status_badge, type_label
from portal_app.state.workspace_billing import InvoiceFormState, InvoicePageState, LineItem, PaymentItem

S = InvoicePageState


def _line(ln: LineItem) -> rx.Component:
    return rx.table.row(
        rx.table.cell(ln.description), rx.table.cell(ln.net, text_align="right"), rx.table.cell(ln.vat_rate, text_align="right"),
        rx.table.cell(ln.vat, text_align="right"), rx.table.cell(ln.gross, text_align="right"),
    )


def _remove_payment(p: PaymentItem) -> rx.Component:
    """A small Remove button that asks first, naming the payment: what the client owes goes up again."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(rx.icon("trash-2", size=12), T["ws.payment.remove"], size="1", variant="soft",
                                          color_scheme="red", class_name="payment-remove")),
        rx.alert_dialog.content(
            rx.alert_dialog.title(T["ws.payment.remove_title"]),
            rx.alert_dialog.description(T["ws.payment.remove_confirm"]),
            rx.text(p.paid_on, " · ", p.amount, " · ", p.recorded_by, weight="bold", size="2", padding_top="var(--space-2)",
                    class_name="payment-remove-which"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(T["common.cancel"], variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(T["ws.payment.remove_title"], color_scheme="red", on_click=S.remove_payment(p.id),
                                                 class_name="payment-remove-confirm")),
                justify="end", spacing="3", padding_top="var(--space-3)",
            ),
            max_width="460px",
        ),
    )


def _payment(p: PaymentItem) -> rx.Component:
    return rx.table.row(rx.table.cell(p.paid_on), rx.table.cell(p.amount, text_align="right"), rx.table.cell(p.recorded_by),
                        rx.table.cell(rx.cond(S.invoice.status != "cancelled", _remove_payment(p)), text_align="right"),
                        class_name="payment-row")


def _figure(label, value, id_: str) -> rx.Component:
    return rx.vstack(rx.text(label, size="1", color_scheme="gray"), rx.text(value, size="4", weight="bold", id=id_), spacing="0")


def payment_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(T["ws.payment.new"]),
            rx.form(
                rx.vstack(
                    notice(S.form_error, "red", "circle-alert", "payment-dialog-error"),
                    rx.text(T["inv.outstanding"], ": ", S.invoice.outstanding, size="2", color_scheme="gray"),
                    field(T["ws.payment.date"], rx.input(name="paid_on", type="date", id="payment-date", default_value=S.pay_form.get("paid_on", "")),
                          error=S.errors.get("paid_on", ""), field_id="payment-date"),
                    field(T["ws.payment.amount"], rx.input(name="amount", id="payment-amount", inputmode="decimal", default_value=S.pay_form.get("amount", "")),
                          error=S.errors.get("amount", ""), field_id="payment-amount"),
                    rx.hstack(
                        rx.dialog.close(rx.button(T["common.cancel"], variant="soft", color_scheme="gray", type="button")),
                        rx.button(T["common.save"], type="submit", id="payment-save"),
                        justify="end", width="100%", spacing="3",
                    ),
                    spacing="3", width="100%",
                ),
                on_submit=S.record_payment, reset_on_submit=False,
            ),
            max_width="420px", id="payment-dialog",
        ),
        open=S.pay_open, on_open_change=S.set_pay_open,
    )


def _actions() -> rx.Component:
    inv = S.invoice
    editable = (inv.status == "draft") | (inv.status == "approved") | (inv.status == "partially_paid")
    return rx.hstack(
        rx.cond(editable, rx.button(rx.icon("pencil", size=14), T["ws.edit"], variant="soft", on_click=InvoiceFormState.open_edit(inv.id), id="invoice-edit")),
        rx.cond(inv.status == "draft", rx.button(rx.icon("check", size=14), T["ws.invoice.approve"], on_click=S.approve, id="invoice-approve")),
        rx.cond(
            (inv.type != "credit_note") & ((inv.status == "approved") | (inv.status == "partially_paid")),
            rx.button(rx.icon("banknote", size=14), T["ws.payment.new"], on_click=S.open_payment, id="payment-new"),
        ),
        rx.cond(
            (inv.type != "credit_note") & ((inv.status == "approved") | (inv.status == "partially_paid") | (inv.status == "paid")),
            rx.button(T["ws.invoice.new_credit"], variant="soft", on_click=InvoiceFormState.open_credit(inv.id), id="credit-new"),
        ),
        rx.cond(
            (inv.status == "draft") | (inv.status == "approved"),
            rx.alert_dialog.root(
                rx.alert_dialog.trigger(rx.button(T["ws.invoice.cancel"], variant="soft", color_scheme="red", id="invoice-cancel")),
                rx.alert_dialog.content(
                    rx.alert_dialog.title(T["ws.invoice.cancel"]),
                    rx.alert_dialog.description(T["ws.invoice.cancel_confirm"]),
                    rx.hstack(
                        rx.alert_dialog.cancel(rx.button(T["common.close"], variant="soft", color_scheme="gray")),
                        rx.alert_dialog.action(rx.button(T["ws.invoice.cancel"], color_scheme="red", on_click=S.cancel, id="invoice-cancel-confirm")),
                        justify="end", spacing="3", padding_top="var(--space-3)",
                    ),
                ),
            ),
        ),
        spacing="2", wrap="wrap",
    )


def invoice_page() -> rx.Component:
    inv = S.invoice
    return staff_shell(
        rx.cond(
            S.not_found,
            card(rx.text(T["errors.not_found"]), id="card-not-found"),
            rx.cond(
                inv,
                rx.vstack(
                    rx.hstack(  # back to where invoices are listed: the contact and, if any, its matter
                        rx.link("← " + inv.contact_name, href="/contacts/" + inv.contact_id.to_string(), size="2",
                                color_scheme="gray", id="invoice-back-contact"),
                        rx.cond(inv.matter_number != "", rx.fragment(
                            rx.text("/", size="2", color_scheme="gray"),
                            rx.link(inv.matter_number, href="/matters/" + inv.matter_id.to_string(), size="2",
                                    color_scheme="gray", id="invoice-back-matter"),
                        )),
                        spacing="2", align="center",
                    ),
                    card(
                        rx.hstack(
                            rx.vstack(
                                rx.hstack(type_label(inv.type), rx.cond(inv.matter_number != "", rx.link(inv.matter_number, href="/matters/" + inv.matter_id.to_string())),
                                          spacing="2", color_scheme="gray"),
                                rx.heading(inv.number, size="7", id="invoice-title"),
                                rx.hstack(rx.box(status_badge(inv.status), id="invoice-status", data_status=inv.status),
                                          overdue_badge(T, inv.overdue), spacing="1"),
                                spacing="1",
                            ),
                            rx.spacer(),
                            _actions(),
                            width="100%", align="start",
                        ),
                        notice(S.message, "green", "circle-check", "invoice-message"),
                        notice(S.action_error, "red", "circle-alert", "invoice-action-error"),
                        rx.cond((inv.status == "paid") | (inv.status == "cancelled"),
                                notice(T["ws.invoice.locked_hint"], "gray", "lock", "invoice-locked")),
                        rx.hstack(
                            _figure(T["inv.issued"], inv.issue_date, "invoice-issued"),
                            _figure(T["inv.due"], inv.due_date, "invoice-due"),
                            _figure(T["ws.invoice.net"], inv.net, "invoice-net"),
                            _figure(T["ws.invoice.vat"], inv.vat, "invoice-vat"),
                            _figure(T["inv.total"], inv.total, "invoice-total"),
                            _figure(T["ws.invoice.paid"], inv.paid, "invoice-paid"),
                            rx.cond(inv.type != "credit_note", _figure(T["ws.invoice.credited"], inv.credited, "invoice-credited")),
                            _figure(T["inv.outstanding"], inv.outstanding, "invoice-outstanding"),
                            spacing="6", wrap="wrap", padding_top="var(--space-4)",
                        ),
                    ),
                    card(
                        rx.heading(T["ws.invoice.lines"], size="4", padding_bottom="var(--space-3)"),
                        rx.table.root(
                            rx.table.header(rx.table.row(*[rx.table.column_header_cell(T[k]) for k in (
                                "ws.invoice.line_description", "ws.invoice.line_net", "ws.invoice.line_vat", "ws.invoice.vat", "inv.total")])),
                            rx.table.body(rx.foreach(S.lines, _line)),
                            width="100%", id="invoice-lines",
                        ),
                    ),
                    card(
                        rx.heading(T["ws.payment.title"], size="4", padding_bottom="var(--space-3)"),
                        rx.table.root(
                            rx.table.header(rx.table.row(
                                *[rx.table.column_header_cell(T[k]) for k in ("ws.payment.date", "ws.payment.amount", "ws.payment.by")],
                                rx.table.column_header_cell(""),
                            )),
                            rx.table.body(rx.foreach(S.payments, _payment)),
                            width="100%", id="invoice-payments",
                        ),
                        rx.cond(S.payments.length() == 0, rx.text(T["ws.payment.empty"], color_scheme="gray", size="2")),
                    ),
                    rx.cond(S.corrects, card(
                        rx.heading(T["ws.invoice.corrects"], size="4", padding_bottom="var(--space-3)"),
                        rx.link(S.corrects.number, href="/invoices/" + S.corrects.id.to_string(), id="invoice-corrects"),
                    )),
                    rx.cond(S.credit_notes.length() > 0, card(
                        rx.heading(T["ws.invoice.credit_notes"], size="4", padding_bottom="var(--space-3)"),
                        invoice_table(S.credit_notes, "invoice-credit-notes"),
                    )),
                    payment_dialog(),
                    invoice_dialog(),
                    spacing="4", width="100%",
                ),
            ),
        )
    )


