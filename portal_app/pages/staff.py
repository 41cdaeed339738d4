"""Staff pages: login, contacts, matters and their cards."""

import reflex as rx

from portal_app import routes
from portal_app.components.forms import field, notice, pager
from portal_app.components.layout import brand_mark, card, staff_shell
from portal_app.components.share_dialog import settings_menu, share_dialog
from portal_app.pages.workspace import (
    agreements_section,
    contact_actions,
    contact_dialog,
    invoices_section,
    matter_actions,
    matter_dialog,
    time_section,
)
from portal_app.services.staff import ContactRow, MatterRow
from portal_app.state.cards import CardState, ContactsState, MattersState
from portal_app.state.staff import StaffState
from portal_app.state.workspace import ContactFormState


def login_page() -> rx.Component:
    return rx.center(
        rx.vstack(
            brand_mark(),
            card(
                rx.form(
                    rx.vstack(
                        rx.heading(StaffState.t["login.title"], size="5"),
                        notice(StaffState.login_error, "red", "circle-alert", "login-error"),
                        field(StaffState.t["common.email"], rx.input(name="email", id="email", type="email", auto_complete="username", size="3"), field_id="email"),
                        field(StaffState.t["common.password"], rx.input(name="password", id="password", type="password", auto_complete="current-password", size="3"), field_id="password"),
                        rx.button(StaffState.t["login.submit"], type="submit", size="3", width="100%", loading=StaffState.login_busy, id="login-submit"),
                        rx.cond(StaffState.demo_hint, rx.text(StaffState.t["login.demo_hint"], size="1", color_scheme="gray", id="login-demo-hint")),
                        spacing="4", width="100%",
                    ),
                    on_submit=StaffState.log_in,
                ),
            ),
            rx.hstack(
                rx.button("PL", size="1", variant="ghost", on_click=StaffState.set_lang("pl")),
                rx.button("EN", size="1", variant="ghost", on_click=StaffState.set_lang("en")),
                spacing="2",
            ),
            spacing="4", align="center", width="100%", max_width="400px",
        ),
        min_height="100vh", background=rx.color("gray", 2), padding="var(--space-4)",
    )


def _th(label) -> rx.Component:
    return rx.table.column_header_cell(label)


def _contact_row(c: ContactRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(c.name, href="/contacts/" + c.id.to_string(), weight="medium")),
        rx.table.cell(rx.cond(c.kind == "company", StaffState.t["contacts.kind.company"], StaffState.t["contacts.kind.person"])),
        rx.table.cell(c.email),
        rx.table.cell(c.matters),
    )


def contacts_page() -> rx.Component:
    return staff_shell(
        rx.vstack(
            rx.hstack(
                rx.heading(StaffState.t["contacts.title"], size="6"),
                rx.spacer(),
                rx.form(
                    rx.hstack(
                        rx.input(name="q", id="contacts-search", default_value=ContactsState.query,
                                 placeholder=StaffState.t["ws.contact.search"], type="search"),
                        rx.button(rx.icon("search", size=14), StaffState.t["ws.search"], type="submit", variant="soft", id="contacts-search-submit"),
                        spacing="2",
                    ),
                    on_submit=ContactsState.search, reset_on_submit=False,
                ),
                rx.button(rx.icon("plus", size=14), StaffState.t["ws.contact.new"], on_click=ContactFormState.open_new, id="contact-new"),
                width="100%", align="center", spacing="3",
            ),
            contact_dialog(),
            card(
                rx.table.root(
                    rx.table.header(rx.table.row(_th(StaffState.t["contacts.name"]), _th(StaffState.t["contacts.kind"]), _th(StaffState.t["common.email"]), _th(StaffState.t["contacts.matters"]))),
                    rx.table.body(rx.foreach(ContactsState.rows, _contact_row)),
                    width="100%", id="contacts-table",
                ),
                rx.cond(
                    ContactsState.rows.length() == 0,
                    rx.text(rx.cond(ContactsState.query.strip() != "",
                                    StaffState.t["contacts.no_match"].replace("{query}", ContactsState.query.strip()),
                                    StaffState.t["contacts.empty"]),
                            color_scheme="gray", id="contacts-empty"),
                ),
                pager(ContactsState),
            ),
            spacing="4", width="100%",
        )
    )


def _status_badge(status) -> rx.Component:
    return rx.cond(
        status == "open",
        rx.badge(StaffState.t["matters.status.open"], color_scheme="green"),
        rx.badge(StaffState.t["matters.status.closed"], color_scheme="gray"),
    )


def _matter_row(m: MatterRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(m.number, href="/matters/" + m.id.to_string(), weight="medium")),
        rx.table.cell(rx.link(m.title, href="/matters/" + m.id.to_string())),
        rx.table.cell(rx.link(m.contact_name, href="/contacts/" + m.contact_id.to_string(), color_scheme="gray")),
        rx.table.cell(_status_badge(m.status)),
    )


def _matters_table(rows) -> rx.Component:
    return rx.table.root(
        rx.table.header(rx.table.row(_th(StaffState.t["matters.number"]), _th(StaffState.t["matters.matter"]), _th(StaffState.t["matters.client"]), _th(StaffState.t["matters.status"]))),
        rx.table.body(rx.foreach(rows, _matter_row)),
        width="100%", id="matters-table",
    )


def matters_page() -> rx.Component:
    return staff_shell(
        rx.vstack(
            rx.heading(StaffState.t["matters.title"], size="6"),
            card(
                _matters_table(MattersState.rows),
                rx.cond(MattersState.rows.length() == 0, rx.text(StaffState.t["matters.empty"], color_scheme="gray")),
                pager(MattersState),
            ),
            spacing="4", width="100%",
        )
    )


def _card_header(kind_label, title, subtitle, kind: str) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(kind_label, size="1", weight="bold", color_scheme="gray", text_transform="uppercase"),
            rx.heading(title, size="7", id="card-title"),
            subtitle,
            spacing="1",
        ),
        rx.spacer(),
        settings_menu(kind, CardState.card_id),
        width="100%", align="start",
    )


def _not_found() -> rx.Component:
    return card(rx.text(StaffState.t["errors.not_found"]), id="card-not-found")


def contact_page() -> rx.Component:
    return staff_shell(
        rx.cond(
            CardState.not_found,
            _not_found(),
            rx.cond(
                CardState.contact,
                rx.vstack(
                    rx.link("← " + StaffState.t["card.back_contacts"], href=routes.CONTACTS, size="2", color_scheme="gray"),
                    card(
                        _card_header(StaffState.t["card.contact"], CardState.contact.name, rx.text(CardState.contact.email, color_scheme="gray"), "contact"),
                        rx.box(contact_actions(CardState.contact.id, CardState.contact.archived), padding_top="var(--space-3)"),
                    ),
                    card(
                        rx.heading(StaffState.t["matters.title"], size="4", padding_bottom="var(--space-3)"),
                        _matters_table(CardState.matters),
                        rx.cond(
                            CardState.matters.length() == 0,
                            rx.text(rx.cond(CardState.contact.archived, StaffState.t["matters.empty"], StaffState.t["ws.matter.empty"]),
                                    color_scheme="gray", size="2", id="card-matters-empty"),
                        ),
                    ),
                    invoices_section("contact", CardState.contact.id),
                    agreements_section("contact", CardState.contact.id),
                    contact_dialog(),
                    matter_dialog(),
                    share_dialog(),
                    spacing="4", width="100%",
                ),
            ),
        )
    )


def matter_page() -> rx.Component:
    return staff_shell(
        rx.cond(
            CardState.not_found,
            _not_found(),
            rx.cond(
                CardState.matter,
                rx.vstack(
                    rx.link("← " + StaffState.t["card.back_matters"], href=routes.MATTERS, size="2", color_scheme="gray"),
                    card(
                        _card_header(
                            StaffState.t["card.matter"],
                            CardState.matter.number + " · " + CardState.matter.title,
                            rx.hstack(
                                rx.text(StaffState.t["card.client"] + ":", color_scheme="gray"),
                                rx.link(CardState.matter.contact_name, href="/contacts/" + CardState.matter.contact_id.to_string()),
                                _status_badge(CardState.matter.status),
                                spacing="2", align="center",
                            ),
                            "matter",
                        ),
                        rx.box(matter_actions(CardState.matter.id, CardState.matter.status), padding_top="var(--space-3)"),
                    ),
                    time_section(),
                    invoices_section("matter", CardState.matter.id),
                    agreements_section("matter", CardState.matter.id),
                    matter_dialog(),
                    share_dialog(),
                    spacing="4", width="100%",
                ),
            ),
        )
    )
