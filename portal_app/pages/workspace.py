"""Staff workspace sections of the contact and matter cards: forms in dialogs, lists with actions."""

import reflex as rx

from portal_app.components.client_view import overdue_badge
from portal_app.components.forms import field, notice
from portal_app.components.layout import card
from portal_app.services import agreements as agreement_rules
from portal_app.services.billing import CURRENCIES
from portal_app.state.staff import StaffState
from portal_app.state.workspace import ContactFormState, MatterFormState, TimeItem, TimeState
from portal_app.state.workspace_agreements import AgreementItem, AgreementsCardState
from portal_app.state.workspace_billing import CardInvoicesState, InvoiceFormState, InvoiceItem

T = StaffState.t
INVOICE_STATUSES = ("draft", "approved", "partially_paid", "paid", "cancelled")
STATUS_COLORS = {"draft": "gray", "approved": "blue", "partially_paid": "amber", "paid": "green", "cancelled": "red"}


def choice(name: str, options, default, field_id: str) -> rx.Component:
    """A Radix select that takes part in the form under `name`; options are (value, label) pairs."""
    return rx.select.root(
        rx.select.trigger(id=field_id, width="100%"),
        rx.select.content(*[rx.select.item(label, value=value) for value, label in options]),
        name=name, default_value=default,
    )


def dynamic_choice(name: str, options, default, field_id: str) -> rx.Component:
    """Like `choice`, for options held in state as [value, label] lists."""
    return rx.select.root(
        rx.select.trigger(id=field_id, width="100%"),
        rx.select.content(rx.foreach(options, lambda o: rx.select.item(o[1], value=o[0]))),
        name=name, default_value=default,
    )


def text_input(S, name: str, label, field_id: str, **props) -> rx.Component:
    return field(label, rx.input(name=name, id=field_id, default_value=S.form.get(name, ""), **props),
                 error=S.errors.get(name, ""), field_id=field_id)


def form_dialog(S, title, body: rx.Component, submit_id: str, dialog_id: str, on_submit) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            rx.form(
                rx.vstack(
                    notice(S.form_error, "red", "circle-alert", f"{dialog_id}-error"),
                    body,
                    rx.hstack(
                        rx.dialog.close(rx.button(T["common.cancel"], variant="soft", color_scheme="gray", type="button")),
                        rx.button(T["common.save"], type="submit", id=submit_id),
                        justify="end", width="100%", spacing="3",
                    ),
                    spacing="3", width="100%",
                ),
                on_submit=on_submit, reset_on_submit=False,
            ),
            max_width="640px", id=dialog_id,
        ),
        open=S.open, on_open_change=S.set_open,
    )


def status_badge(status) -> rx.Component:
    return rx.match(
        status,
        *[(s, rx.badge(T[f"invoice.status.{s}"], color_scheme=STATUS_COLORS[s])) for s in INVOICE_STATUSES],
        rx.badge(status),
    )


def type_label(kind) -> rx.Component:
    return rx.match(kind, *[(k, rx.text(T[f"invoice.type.{k}"])) for k in ("invoice", "advance", "credit_note")], rx.text(kind))


def confirm_delete(on_confirm, question, class_name: str) -> rx.Component:
    """A trash button that asks first: deleting is logged but cannot be undone."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.icon_button(rx.icon("trash-2", size=14), size="1", variant="ghost", color_scheme="red",
                                               aria_label=T["ws.delete"], class_name=class_name)),
        rx.alert_dialog.content(
            rx.alert_dialog.title(T["ws.delete"]),
            rx.alert_dialog.description(question),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(T["common.cancel"], variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(T["ws.delete"], color_scheme="red", on_click=on_confirm, class_name=class_name + "-confirm")),
                justify="end", spacing="3", padding_top="var(--space-3)",
            ),
        ),
    )


def section(title, action: rx.Component, *content, id_: str) -> rx.Component:
    return card(
        rx.hstack(rx.heading(title, size="4"), rx.spacer(), action, width="100%", align="center", padding_bottom="var(--space-3)"),
        *content,
        id=id_,
    )


# ---- contacts and matters -------------------------------------------------------------------------

def contact_dialog() -> rx.Component:
    S = ContactFormState
    body = rx.vstack(
        text_input(S, "name", T["contacts.name"], "contact-name"),
        field(T["contacts.kind"], choice("kind", [("company", T["contacts.kind.company"]), ("person", T["contacts.kind.person"])],
                                         S.form.get("kind", "company"), "contact-kind"),
              error=S.errors.get("kind", ""), field_id="contact-kind"),
        text_input(S, "email", T["common.email"], "contact-email", input_mode="email"),
        spacing="3", width="100%",
    )
    title = rx.cond(S.editing_id > 0, T["ws.contact.edit"], T["ws.contact.new"])
    return form_dialog(S, title, body, "contact-save", "contact-dialog", S.save)


def matter_dialog() -> rx.Component:
    S = MatterFormState
    body = rx.vstack(
        text_input(S, "number", T["matters.number"], "matter-number"),
        text_input(S, "title", T["ws.matter.title_field"], "matter-title"),
        field(T["matters.status"], choice("status", [("open", T["matters.status.open"]), ("closed", T["matters.status.closed"])],
                                          S.form.get("status", "open"), "matter-status"),
              error=S.errors.get("status", ""), field_id="matter-status"),
        spacing="3", width="100%",
    )
    title = rx.cond(S.editing_id > 0, T["ws.matter.edit"], T["ws.matter.new"])
    return form_dialog(S, title, body, "matter-save", "matter-dialog", S.save)


def archive_button(contact_id) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(rx.icon("archive", size=14), T["ws.contact.archive"], variant="soft",
                                          color_scheme="red", id="contact-archive")),
        rx.alert_dialog.content(
            rx.alert_dialog.title(T["ws.contact.archive"]),
            rx.alert_dialog.description(T["ws.contact.archive_confirm"]),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(T["common.cancel"], variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(T["ws.contact.archive"], color_scheme="red", id="contact-archive-confirm",
                                                 on_click=ContactFormState.archive(contact_id))),
                justify="end", spacing="3", padding_top="var(--space-3)",
            ),
        ),
    )


def contact_actions(contact_id, archived) -> rx.Component:
    """Edit, new matter and archive; an archived contact only says so (its history stays readable)."""
    return rx.cond(
        archived,
        rx.badge(rx.icon("archive", size=12), T["ws.contact.archived"], color_scheme="gray", id="contact-archived"),
        rx.hstack(
            rx.button(rx.icon("pencil", size=14), T["ws.edit"], variant="soft", on_click=ContactFormState.open_edit(contact_id), id="contact-edit"),
            rx.button(rx.icon("plus", size=14), T["ws.matter.new"], variant="soft", on_click=MatterFormState.open_new(contact_id), id="matter-new"),
            archive_button(contact_id),
            spacing="2", wrap="wrap",
        ),
    )


def matter_actions(matter_id, status) -> rx.Component:
    return rx.hstack(
        rx.button(rx.icon("pencil", size=14), T["ws.edit"], variant="soft", on_click=MatterFormState.open_edit(matter_id), id="matter-edit"),
        rx.cond(
            status == "open",
            rx.button(T["ws.matter.close"], variant="soft", color_scheme="gray", on_click=MatterFormState.set_status(matter_id, "closed"), id="matter-close"),
            rx.button(T["ws.matter.reopen"], variant="soft", color_scheme="green", on_click=MatterFormState.set_status(matter_id, "open"), id="matter-reopen"),
        ),
        notice(MatterFormState.form_error, "red", "circle-alert", "matter-action-error"),
        spacing="2", wrap="wrap", align="center",
    )


# ---- time entries ---------------------------------------------------------------------------------

def _time_row(r: TimeItem) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.date),
        rx.table.cell(r.staff_name),
        rx.table.cell(r.description),
        rx.table.cell(r.hours, text_align="right"),
        rx.table.cell(rx.cond(r.billable, rx.icon("check", size=14), rx.text("—", color_scheme="gray"))),
        rx.table.cell(rx.cond(
            r.mine,
            rx.hstack(
                rx.icon_button(rx.icon("pencil", size=14), size="1", variant="ghost", on_click=TimeState.open_edit(r.id),
                               aria_label=T["ws.edit"], class_name="time-edit"),
                confirm_delete(TimeState.delete(r.id), T["ws.time.delete_confirm"], "time-delete"),
                spacing="2",
            ),
        )),
        class_name="time-row",
    )


def time_dialog() -> rx.Component:
    S = TimeState
    body = rx.vstack(
        notice(S.errors.get("matter", ""), "red", "circle-alert", "time-matter-error"),
        rx.grid(
            text_input(S, "work_date", T["time.date"], "time-date", type="date"),
            field(T["ws.time.duration"], rx.input(name="duration", id="time-duration", default_value=S.form.get("duration", ""),
                                                   placeholder="1:30 · 1,5 h · 90 min"),
                  error=S.errors.get("duration", ""), help_text=T["ws.time.duration_help"], field_id="time-duration"),
            columns="2", spacing="3", width="100%",
        ),
        field(T["time.description"], rx.text_area(name="description", id="time-description", default_value=S.form.get("description", ""), rows="3"),
              error=S.errors.get("description", ""), field_id="time-description"),
        rx.cond(
            S.staff_options.length() > 0,
            field(T["ws.time.staff"], dynamic_choice("staff_user_id", S.staff_options, S.form.get("staff_user_id", ""), "time-staff"),
                  error=S.errors.get("staff_user_id", ""), field_id="time-staff"),
        ),
        rx.checkbox(T["ws.time.billable"], name="billable", default_checked=S.form.get("billable", "") == "on", id="time-billable"),
        spacing="3", width="100%",
    )
    title = rx.cond(S.editing_id > 0, T["ws.time.edit"], T["ws.time.new"])
    return form_dialog(S, title, body, "time-save", "time-dialog", S.save)


def time_section() -> rx.Component:
    S = TimeState
    return section(
        T["ws.time.title"],
        rx.button(rx.icon("clock", size=14), T["ws.time.new"], on_click=S.open_new, id="time-new"),
        notice(S.list_error, "red", "circle-alert", "time-list-error"),
        rx.hstack(
            rx.text(T["ws.time.total"], ": ", rx.text.strong(S.hours_total, id="time-total"), " h", size="2"),
            rx.text(T["ws.time.billable_total"], ": ", rx.text.strong(S.hours_billable, id="time-billable-total"), " h", size="2"),
            spacing="5",
        ),
        rx.table.root(
            rx.table.header(rx.table.row(
                *[rx.table.column_header_cell(T[k]) for k in ("time.date", "ws.time.staff", "time.description", "time.hours", "ws.time.billable")],
                rx.table.column_header_cell(""),
            )),
            rx.table.body(rx.foreach(S.rows, _time_row)),
            width="100%", id="time-table",
        ),
        rx.cond(S.rows.length() == 0, rx.text(T["ws.time.empty"], color_scheme="gray", size="2", id="time-empty")),
        rx.cond(S.pages > 1, rx.hstack(
            rx.button(T["common.previous"], on_click=S.go(-1), disabled=S.page <= 0, variant="soft", size="1"),
            rx.button(T["common.next"], on_click=S.go(1), disabled=S.page >= S.pages - 1, variant="soft", size="1"),
            justify="end", width="100%",
        )),
        time_dialog(),
        id_="time-section",
    )


# ---- invoices -------------------------------------------------------------------------------------

def _invoice_row(r: InvoiceItem) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(r.number, href="/invoices/" + r.id.to_string(), weight="medium")),
        rx.table.cell(type_label(r.type)),
        rx.table.cell(rx.hstack(status_badge(r.status), overdue_badge(T, r.overdue), spacing="1")),
        rx.table.cell(r.matter),
        rx.table.cell(r.issue_date),
        rx.table.cell(r.due_date),
        rx.table.cell(r.total, text_align="right"),
        rx.table.cell(r.outstanding, text_align="right"),
        class_name="invoice-row",
    )


def invoice_table(rows, table_id: str) -> rx.Component:
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(T[k]) for k in (
            "inv.number", "inv.type", "inv.status", "card.matter", "inv.issued", "inv.due", "inv.total", "inv.outstanding")])),
        rx.table.body(rx.foreach(rows, _invoice_row)),
        width="100%", id=table_id,
    )


def _line_editor(line, index) -> rx.Component:
    S = InvoiceFormState
    i = index.to_string()
    return rx.vstack(
        rx.grid(
            rx.input(name="description_" + i, default_value=line["description"], placeholder=T["ws.invoice.line_description"],
                     id="line-description-" + i, aria_label=T["ws.invoice.line_description"]),
            rx.input(name="net_" + i, default_value=line["net"], placeholder=T["ws.invoice.line_net"], id="line-net-" + i,
                     aria_label=T["ws.invoice.line_net"], inputmode="decimal"),
            rx.input(name="vat_" + i, default_value=line["vat_rate"], id="line-vat-" + i, aria_label=T["ws.invoice.line_vat"]),
            columns="5fr 2fr 1fr", spacing="2", width="100%",
        ),
        rx.cond(S.line_errors.length() > index,
                rx.cond(S.line_errors[index] != "", rx.text(S.line_errors[index], size="2", color_scheme="red", role="alert"))),
        spacing="1", width="100%", class_name="invoice-line",
    )


def invoice_dialog() -> rx.Component:
    S = InvoiceFormState
    credit = S.form.get("type", "") == "credit_note"
    body = rx.vstack(
        rx.el.input(type="hidden", name="corrects_invoice_id", value=S.form.get("corrects_invoice_id", "")),
        notice(S.errors.get("corrects_invoice_id", ""), "red", "circle-alert", "invoice-corrects-error"),
        rx.grid(
            text_input(S, "number", T["inv.number"], "invoice-number"),
            rx.cond(
                credit,
                rx.fragment(rx.el.input(type="hidden", name="type", value="credit_note"),
                            field(T["inv.type"], rx.text(T["invoice.type.credit_note"]), field_id="invoice-type")),
                field(T["inv.type"], choice("type", [("invoice", T["invoice.type.invoice"]), ("advance", T["invoice.type.advance"])],
                                            S.form.get("type", "invoice"), "invoice-type"),
                      error=S.errors.get("type", ""), field_id="invoice-type"),
            ),
            text_input(S, "issue_date", T["inv.issued"], "invoice-issue-date", type="date"),
            text_input(S, "due_date", T["inv.due"], "invoice-due-date", type="date"),
            rx.cond(
                credit,
                rx.fragment(rx.el.input(type="hidden", name="currency", value=S.form.get("currency", "")),
                            field(T["ws.invoice.currency"], rx.text(S.form.get("currency", "")), field_id="invoice-currency")),
                field(T["ws.invoice.currency"], choice("currency", [(c, c) for c in CURRENCIES], S.form.get("currency", "PLN"), "invoice-currency"),
                      error=S.errors.get("currency", ""), field_id="invoice-currency"),
            ),
            field(T["card.matter"], dynamic_choice("matter_id", S.matter_options, S.form.get("matter_id", "0"), "invoice-matter"),
                  error=S.errors.get("matter_id", ""), field_id="invoice-matter"),
            columns="2", spacing="3", width="100%",
        ),
        rx.text(rx.cond(credit, T["ws.invoice.lines_credit"], T["ws.invoice.lines"]), weight="bold", size="2"),
        rx.grid(
            rx.text(T["ws.invoice.line_description"], size="1", color_scheme="gray"),
            rx.text(T["ws.invoice.line_net"], size="1", color_scheme="gray"),
            rx.text(T["ws.invoice.line_vat"], size="1", color_scheme="gray"),
            columns="5fr 2fr 1fr", spacing="2", width="100%",
        ),
        rx.foreach(S.lines, _line_editor),
        rx.cond(S.errors.get("lines", "") != "", rx.text(S.errors.get("lines", ""), size="2", color_scheme="red", role="alert", id="invoice-lines-error")),
        rx.hstack(
            rx.button(rx.icon("plus", size=14), T["ws.invoice.add_line"], type="button", variant="soft", size="1", on_click=S.add_line, id="line-add"),
            rx.button(rx.icon("minus", size=14), T["ws.invoice.remove_line"], type="button", variant="soft", size="1", color_scheme="gray",
                      on_click=S.remove_line, disabled=S.lines.length() <= 1),
            spacing="2",
        ),
        spacing="3", width="100%",
    )
    title = rx.cond(S.editing_id > 0, T["ws.invoice.edit"], rx.cond(credit, T["ws.invoice.new_credit"], T["ws.invoice.new"]))
    return form_dialog(S, title, body, "invoice-save", "invoice-dialog", S.save)


def invoices_section(kind: str, card_id) -> rx.Component:
    S = CardInvoicesState
    return section(
        T["ws.invoice.title"],
        rx.button(rx.icon("receipt", size=14), T["ws.invoice.new"], on_click=InvoiceFormState.open_new(kind, card_id), id="invoice-new"),
        invoice_table(S.rows, "card-invoices"),
        rx.cond(S.rows.length() == 0, rx.text(T["ws.invoice.empty"], color_scheme="gray", size="2", id="card-invoices-empty")),
        rx.cond(S.pages > 1, rx.hstack(
            rx.button(T["common.previous"], on_click=S.go(-1), disabled=S.page <= 0, variant="soft", size="1"),
            rx.button(T["common.next"], on_click=S.go(1), disabled=S.page >= S.pages - 1, variant="soft", size="1"),
            justify="end", width="100%",
        )),
        invoice_dialog(),
        id_="invoices-section",
    )


# ---- agreements -----------------------------------------------------------------------------------

FEES = ("hourly", "fixed", "success_fee", "retainer")


def _agreement_row(a: AgreementItem) -> rx.Component:
    S = AgreementsCardState
    return rx.table.row(
        rx.table.cell(rx.text(a.title, weight="medium")),
        rx.table.cell(a.matter),
        rx.table.cell(rx.match(a.fee_arrangement, *[(f, rx.text(T[f"fee.{f}"])) for f in FEES], rx.text(a.fee_arrangement))),
        rx.table.cell(rx.match(a.status, *[(s, rx.text(T[f"ws.agreement.status.{s}"])) for s in agreement_rules.STATUSES], rx.text(a.status))),
        rx.table.cell(a.signed_on),
        rx.table.cell(a.valid_until),
        rx.table.cell(rx.cond(a.document_name != "", rx.hstack(
            rx.icon("paperclip", size=14),
            rx.link(a.document_name, href=a.document_url, size="2", class_name="agreement-staff-download"),
            spacing="1"))),
        rx.table.cell(rx.hstack(
            rx.icon_button(rx.icon("pencil", size=14), size="1", variant="ghost", on_click=S.open_edit(a.id), aria_label=T["ws.edit"], class_name="agreement-edit"),
            confirm_delete(S.delete(a.id), T["ws.agreement.delete_confirm"], "agreement-delete"),
            spacing="2",
        )),
        class_name="agreement-row",
    )


def agreement_dialog() -> rx.Component:
    S = AgreementsCardState
    upload = rx.upload.root(
        rx.vstack(rx.icon("file-up", size=18, color=rx.color("gray", 10)),
                  rx.text(T["ws.agreement.drop"], size="2", color_scheme="gray"), align="center", spacing="1"),
        id="agreement-upload", multiple=False, max_files=1, max_size=agreement_rules.MAX_DOCUMENT_BYTES,
        accept={"application/pdf": [".pdf"], "application/msword": [".doc"],
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": [".docx"],
                "application/vnd.oasis.opendocument.text": [".odt"]},
        on_drop=S.upload(rx.upload_files(upload_id="agreement-upload")), on_drop_rejected=S.upload_rejected,
        border=f"1px dashed {rx.color('accent', 7)}", border_radius="8px", padding="var(--space-3)", cursor="pointer", width="100%",
    )
    body = rx.vstack(
        text_input(S, "title", T["agr.title"], "agreement-title"),
        rx.grid(
            field(T["agr.fee"], choice("fee_arrangement", [(f, T[f"fee.{f}"]) for f in FEES], S.form.get("fee_arrangement", "hourly"), "agreement-fee"),
                  error=S.errors.get("fee_arrangement", ""), field_id="agreement-fee"),
            field(T["ws.agreement.status"], choice("status", [(s, T[f"ws.agreement.status.{s}"]) for s in agreement_rules.STATUSES],
                                                   S.form.get("status", "active"), "agreement-status"),
                  error=S.errors.get("status", ""), field_id="agreement-status"),
            text_input(S, "signed_on", T["agr.signed"], "agreement-signed", type="date"),
            text_input(S, "valid_until", T["agr.valid_until"], "agreement-valid-until", type="date"),
            columns="2", spacing="3", width="100%",
        ),
        field(T["card.matter"], dynamic_choice("matter_id", S.matter_options, S.form.get("matter_id", "0"), "agreement-matter"),
              error=S.errors.get("matter_id", ""), field_id="agreement-matter"),
        field(
            T["agr.document"],
            rx.vstack(
                rx.cond(S.form.get("document_name", "") != "", rx.text(T["ws.agreement.current"], ": ", S.form.get("document_name", ""), size="2")),
                upload,
                rx.cond(S.pending_name != "", rx.hstack(rx.icon("paperclip", size=14), rx.text(S.pending_name, size="2", id="agreement-pending"), spacing="1")),
                spacing="2", width="100%",
            ),
            error=S.upload_error, help_text=T["ws.agreement.doc_help"], field_id="agreement-document",
        ),
        spacing="3", width="100%",
    )
    title = rx.cond(S.editing_id > 0, T["ws.agreement.edit"], T["ws.agreement.new"])
    return form_dialog(S, title, body, "agreement-save", "agreement-dialog", S.save)


def agreements_section(kind: str, card_id) -> rx.Component:
    S = AgreementsCardState
    return section(
        T["ws.agreement.title"],
        rx.button(rx.icon("file-plus", size=14), T["ws.agreement.new"], on_click=S.open_new(kind, card_id), id="agreement-new"),
        rx.cond(~S.open, notice(S.upload_error, "red", "circle-alert", "agreement-list-error")),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(T[k]) for k in (
                "agr.title", "card.matter", "agr.fee", "ws.agreement.status", "agr.signed", "agr.valid_until", "agr.document")],
                rx.table.column_header_cell(""))),
            rx.table.body(rx.foreach(S.rows, _agreement_row)),
            width="100%", id="agreements-table",
        ),
        rx.cond(S.rows.length() == 0, rx.text(T["ws.agreement.empty"], color_scheme="gray", size="2")),
        agreement_dialog(),
        id_="agreements-section",
    )
