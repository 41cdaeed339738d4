"""What a client sees, as components shared by the portal's pages and the staff's "View as client".

The preview promises exactly the client's view, so both draw the dashboard widgets and the invoice
badges from here: one markup and one set of message keys. `t` is the reading state's catalog var.
"""

import reflex as rx

from portal_app.components.layout import card


def widget(title, icon: str, body: rx.Component, help_text, id_: str) -> rx.Component:
    return card(
        rx.vstack(
            rx.hstack(rx.icon(icon, size=18, color=rx.color("accent", 9)), rx.text(title, size="2", weight="medium", color_scheme="gray"), align="center", spacing="2"),
            body,
            rx.text(help_text, size="1", color_scheme="gray"),
            spacing="2",
        ),
        id=id_,
    )


def money_lines(lines, empty) -> rx.Component:
    """One line per currency (items with an `amount`), or `empty` when nothing is owed."""
    return rx.cond(
        lines.length() > 0,
        rx.vstack(rx.foreach(lines, lambda m: rx.text(m.amount, size="6", weight="bold", class_name="money")), spacing="0"),
        rx.text(empty, size="6", weight="bold", color_scheme="gray"),
    )


def dashboard_widgets(t, hours_total, hours_month, pending, overdue, id_prefix: str = "") -> rx.Component:
    """Hours logged, pending and overdue payments: the portal dashboard's three widgets.

    With no prefix the ids are the portal's own (`widget-hours`, `hours-total`, `widget-pending`…).
    """
    return rx.grid(
        widget(t["widget.hours"], "clock",
               rx.text(hours_total + " h", size="6", weight="bold", id=f"{id_prefix}hours-total"),
               t["widget.hours_month"].replace("{hours}", hours_month), f"{id_prefix}widget-hours"),
        widget(t["widget.pending"], "hourglass", money_lines(pending, t["widget.nothing"]), t["widget.pending_help"], f"{id_prefix}widget-pending"),
        widget(t["widget.overdue"], "triangle-alert", money_lines(overdue, t["widget.nothing"]), t["widget.overdue_help"], f"{id_prefix}widget-overdue"),
        columns=rx.breakpoints(initial="1", md="3"), spacing="4", width="100%",
    )


def overdue_badge(t, overdue) -> rx.Component:
    """Past its due date on the reader's calendar and not fully paid."""
    return rx.cond(overdue, rx.badge(t["invoice.overdue"], color_scheme="red", class_name="invoice-overdue"))


def invoice_status(t, status_label, overdue) -> rx.Component:
    """The status as the client's invoice list shows it, with the overdue badge beside it."""
    return rx.hstack(rx.badge(status_label), overdue_badge(t, overdue), spacing="1")


def client_matter(client, matter) -> rx.Component:
    return rx.vstack(rx.text(client, size="2", weight="medium"), rx.text(matter, size="1", color_scheme="gray"), spacing="0")
