"""The development outbox: e-mails rendered as the client would see them, links clickable."""

import reflex as rx

from portal_app import routes
from portal_app.components.layout import card, staff_shell
from portal_app.state.dev_mail import DevMailState as D
from portal_app.state.dev_mail import MailItem


def _row(m: MailItem) -> rx.Component:
    return rx.table.row(
        rx.table.cell(m.created),
        rx.table.cell(m.recipient),
        rx.table.cell(rx.link(m.subject, href="/dev/mail/" + m.id.to_string(), class_name="mail-link")),
        rx.table.cell(rx.badge(m.status)),
    )


def dev_mail_page() -> rx.Component:
    return staff_shell(
        rx.vstack(
            rx.heading(D.t["devmail.title"], size="6"),
            rx.cond(
                D.enabled,
                rx.vstack(
                    rx.text(D.t["devmail.intro"], color_scheme="gray"),
                    card(
                        rx.table.root(
                            rx.table.header(rx.table.row(
                                rx.table.column_header_cell(D.t["devmail.when"]),
                                rx.table.column_header_cell(D.t["devmail.to"]),
                                rx.table.column_header_cell(D.t["devmail.subject"]),
                                rx.table.column_header_cell(D.t["devmail.status"]),
                            )),
                            rx.table.body(rx.foreach(D.messages, _row)),
                            width="100%", id="mail-table",
                        ),
                        rx.cond(D.messages.length() == 0, rx.text(D.t["devmail.empty"], color_scheme="gray")),
                    ),
                    spacing="4", width="100%",
                ),
                rx.text(D.t["devmail.disabled"]),
            ),
            spacing="4", width="100%",
        )
    )


def dev_mail_message_page() -> rx.Component:
    return staff_shell(
        rx.vstack(
            rx.link("← " + D.t["devmail.back"], href=routes.DEV_MAIL, size="2", color_scheme="gray"),
            rx.cond(D.missing, rx.text(D.t["errors.not_found"], id="mail-missing"), card(
                rx.vstack(
                    rx.hstack(rx.text(D.t["devmail.subject"] + ":", weight="bold"), rx.text(D.subject, id="mail-subject"), spacing="2"),
                    rx.hstack(rx.text(D.t["devmail.to"] + ":", weight="bold"), rx.text(D.to_email, id="mail-to"), spacing="2"),
                    rx.el.iframe(
                        src_doc=D.html, id="mail-html", title="e-mail",
                        sandbox="allow-popups allow-top-navigation-by-user-activation allow-popups-to-escape-sandbox",
                        width="100%", height="640px", border=f"1px solid {rx.color('gray', 5)}", border_radius="8px",
                        background="white",
                    ),
                    rx.text("text/plain", size="1", color_scheme="gray"),
                    rx.el.pre(D.text, id="mail-text", style={"white_space": "pre-wrap", "font_size": "13px", "width": "100%", "padding": "12px", "background": rx.color("gray", 3), "border_radius": "8px"}),
                    spacing="3", width="100%",
                ),
            )),
            spacing="4", width="100%",
        )
    )
