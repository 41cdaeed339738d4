"""The client's portal pages: login, invitation/registration, dashboard, lists, account."""

import reflex as rx

from portal_app.components.client_view import client_matter, dashboard_widgets, invoice_status
from portal_app.components.forms import field, notice, pager
from portal_app.components.layout import PHONE, auth_card, brand_mark, card, portal_brand, portal_shell
from portal_app.services.client_portal import INVOICE_STATUS_FILTERS, TIMEZONES
from portal_app.state.portal import (
    AccountState,
    AgreementItem,
    AgreementsState,
    DashboardState,
    ForgotPasswordState,
    InviteState,
    InvoiceItem,
    InvoicesState,
    NotFoundState,
    PortalList,
    PortalLoginState,
    ResetPasswordState,
    TimeEntriesState,
    TimeItem,
)


def _timezone_options() -> rx.Component:
    """Every IANA zone in a native, type-to-search list (a module constant, not state)."""
    return rx.el.datalist(*[rx.el.option(value=z) for z in TIMEZONES], id="timezones")


def _tz_input(value, name: str = "timezone") -> rx.Component:
    return rx.el.input(
        name=name, id=name, list="timezones", default_value=value, key=value, auto_complete="off",
        class_name="rt-reset rt-TextFieldInput", style={
            "width": "100%", "height": "40px", "padding": "0 12px", "border": f"1px solid {rx.color('gray', 7)}",
            "border_radius": "6px", "font_size": "16px", "background": rx.color("gray", 1),
        },
    )


def login_page() -> rx.Component:
    S = PortalLoginState
    return auth_card(
        S,
        rx.heading(S.t["portal.login_title"], size="5", text_align="center", width="100%"),
        rx.form(
            rx.vstack(
                rx.cond(S.from_invitation, rx.callout(S.t["invite.login"], icon="info", size="1", id="invite-login-note")),
                notice(S.error, "red", "circle-alert", "portal-login-error"),
                field(S.t["common.email"], rx.input(name="email", id="email", type="email", auto_complete="username", size="3"), field_id="email"),
                field(S.t["common.password"], rx.input(name="password", id="password", type="password", auto_complete="current-password", size="3"), field_id="password"),
                rx.button(S.t["portal.login_submit"], type="submit", size="3", width="100%", loading=S.busy, id="portal-login-submit"),
                rx.link(S.t["forgot.link"], href="/portal/" + S.portal_address + "/forgot-password", size="2", id="forgot-link"),
                spacing="4", width="100%",
            ),
            on_submit=S.log_in, reset_on_submit=False,
        ),
    )


def _back_to_login(state) -> rx.Component:
    return rx.link(state.t["forgot.back"], href="/portal/" + state.portal_address, size="2", id="back-to-login")


def forgot_password_page() -> rx.Component:
    S = ForgotPasswordState
    return auth_card(
        S,
        rx.heading(S.t["forgot.title"], size="5", text_align="center", width="100%"),
        rx.cond(
            S.sent,
            rx.callout(S.t["forgot.sent"], icon="mail-check", color_scheme="green", id="forgot-sent", role="status"),
            rx.form(
                rx.vstack(
                    rx.text(S.t["forgot.intro"], size="2", color_scheme="gray"),
                    field(S.t["common.email"], rx.input(name="email", id="email", type="email", auto_complete="username", size="3"),
                          error=S.email_error, field_id="email"),
                    rx.button(S.t["forgot.submit"], type="submit", size="3", width="100%", loading=S.busy, disabled=~S.is_hydrated, id="forgot-submit"),
                    spacing="4", width="100%",
                ),
                on_submit=S.request_link,
            ),
        ),
        _back_to_login(S),
    )


def reset_password_page() -> rx.Component:
    S = ResetPasswordState
    return auth_card(
        S,
        rx.cond(
            S.link_ok,
            rx.form(
                rx.vstack(
                    rx.heading(S.t["reset.title"], size="5"),
                    rx.text(S.t["reset.intro"].replace("{email}", S.reset_email), size="2", color_scheme="gray", id="reset-email"),
                    notice(S.form_error, "red", "circle-alert", "reset-error"),
                    field(S.t["account.new_password"], rx.input(name="new_password", id="new_password", type="password", auto_complete="new-password", size="3"),
                          error=S.errors.get("new_password", ""), help_text=S.t["register.password_help"], field_id="new_password"),
                    field(S.t["account.new_password_repeat"], rx.input(name="new_password_repeat", id="new_password_repeat", type="password", auto_complete="new-password", size="3"),
                          error=S.errors.get("new_password_repeat", ""), field_id="new_password_repeat"),
                    rx.button(S.t["reset.submit"], type="submit", size="3", width="100%", loading=S.busy, id="reset-submit"),
                    spacing="4", width="100%",
                ),
                on_submit=S.set_new_password, reset_on_submit=False,
            ),
            rx.vstack(
                rx.heading(S.t["reset.invalid_title"], size="5", id="reset-invalid"),
                rx.text(S.t["reset.invalid"], color_scheme="gray"),
                rx.link(rx.button(S.t["reset.ask_again"], variant="soft", width="100%"), href="/portal/" + S.portal_address + "/forgot-password", width="100%"),
                spacing="3", width="100%",
            ),
        ),
        _back_to_login(S),
    )


def _dead_end(title_key: str, text_key: str) -> rx.Component:
    S = InviteState
    return rx.vstack(
        rx.heading(S.t[title_key], size="5", id="invite-dead-end"),
        rx.text(S.t[text_key], color_scheme="gray"),
        rx.link(rx.button(S.t["invite.go_login"], variant="soft", width="100%"), href="/portal/" + S.portal_address, width="100%"),
        spacing="3", width="100%",
    )


def _registration() -> rx.Component:
    S = InviteState
    return rx.form(
        rx.vstack(
            rx.heading(S.t["register.title"], size="5"),
            notice(S.form_error, "red", "circle-alert", "register-error"),
            field(S.t["common.email"], rx.input(value=S.email, read_only=True, disabled=True, id="register-email", size="3"), field_id="register-email"),
            rx.grid(
                field(S.t["register.first_name"], rx.input(name="first_name", id="first_name", auto_complete="given-name", size="3"), error=S.errors.get("first_name", ""), field_id="first_name"),
                field(S.t["register.last_name"], rx.input(name="last_name", id="last_name", auto_complete="family-name", size="3"), error=S.errors.get("last_name", ""), field_id="last_name"),
                columns="2", spacing="3", width="100%",
            ),
            field(S.t["register.password"], rx.input(name="password", id="password", type="password", auto_complete="new-password", size="3"),
                  error=S.errors.get("password", ""), help_text=S.t["register.password_help"], field_id="password"),
            field(S.t["register.password_repeat"], rx.input(name="password_repeat", id="password_repeat", type="password", auto_complete="new-password", size="3"),
                  error=S.errors.get("password_repeat", ""), field_id="password_repeat"),
            field(S.t["register.timezone"], _tz_input(S.timezone), error=S.errors.get("timezone", ""),
                  help_text=S.t["register.timezone_help"], field_id="timezone"),
            _timezone_options(),
            rx.button(S.t["register.submit"], type="submit", size="3", width="100%", loading=S.busy, id="register-submit"),
            spacing="4", width="100%",
        ),
        on_submit=S.register,
    )


def invite_page() -> rx.Component:
    S = InviteState
    return auth_card(
        S,
        rx.match(
            S.invite_state,
            ("register", _registration()),
            ("expired", _dead_end("invite.expired_title", "invite.expired")),
            ("revoked", _dead_end("invite.revoked_title", "invite.revoked")),
            ("invalid", _dead_end("invite.invalid_title", "invite.invalid")),
            rx.spinner(),
        ),
    )


def dashboard_page() -> rx.Component:
    S = DashboardState
    return portal_shell(
        rx.vstack(
            rx.heading(S.t["portal.welcome"].replace("{name}", S.user_name), size="6"),
            rx.cond(
                S.loaded,
                dashboard_widgets(S.t, S.hours_total, S.hours_month, S.pending, S.overdue),
                rx.spinner(),
            ),
            spacing="5", width="100%",
        )
    )


def _choice(state, label, options: list[tuple[str, str]], value, on_change, id_: str) -> rx.Component:
    """A labelled drop-down whose option labels come from the catalog (option list is a constant)."""
    return rx.hstack(
        rx.text(label, size="2", color_scheme="gray"),
        rx.select.root(
            rx.select.trigger(id=id_),
            rx.select.content(*[rx.select.item(state.t[key], value=v) for v, key in options]),
            value=value, on_change=on_change, size="2",
        ),
        align="center", spacing="2",
    )


def _sort_control(state: type[PortalList], sorts: tuple[str, ...]) -> rx.Component:
    return _choice(state, state.t["list.sort"], [(v, f"sort.{v}") for v in sorts], state.sort, state.sort_by, "sort")


def _cards_on_phone(columns: str, areas: list[str]) -> dict:
    """On a phone every row of a list becomes a small card instead of a table row wider than the screen.

    The same row element changes its layout (one element per row at every width): the header
    goes, the row becomes a grid whose `areas` name the cells' classes (`cell-<area>`); cells
    without an area are hidden, and each cell's `.cell-label` (hidden on wider screens) names it.
    """
    names = {name for line in areas for name in line.split() if name != "."}
    cells = {f"& td.cell-{name}": {"grid_area": name} for name in names}
    return {
        PHONE: {
            "& thead": {"display": "none"},
            "& .rt-ScrollAreaViewport > div": {"display": "block !important"},
            "& table, & tbody": {"display": "block", "width": "100%", "height": "auto"},  # Radix gives the table height 0
            "& tbody tr": {
                "display": "grid", "grid_template_columns": columns,
                "grid_template_areas": " ".join(f'"{line}"' for line in areas),
                "column_gap": "var(--space-3)", "row_gap": "var(--space-1)", "align_items": "baseline",
                "padding": "var(--space-3) 0", "box_shadow": "inset 0 -1px var(--gray-a5)",
            },
            "& tbody td": {"display": "none", "padding": "0", "height": "auto", "box_shadow": "none", "min_width": "0",
                           "overflow_wrap": "anywhere"},
            **{selector: {**style, "display": "block"} for selector, style in cells.items()},
            "& td.cell-end": {"text_align": "right", "justify_self": "end"},
            "& .cell-label": {"display": "inline", "margin_right": "var(--space-1)"},
        },
    }


def _label(text) -> rx.Component:
    """A cell's column name, shown only where the list is drawn as cards (the header is hidden there)."""
    return rx.text(text, as_="span", size="1", color_scheme="gray", class_name="cell-label", display="none")


def _table(headers: list, rows, render, empty_text, id_: str, state, controls=(), phone: dict | None = None) -> rx.Component:
    narrowed = (state.card_filter != "all") | (state.status != "all")
    return rx.card(
        rx.vstack(
            rx.hstack(*controls, spacing="4", wrap="wrap", width="100%") if controls else rx.fragment(),
            rx.cond(
                rows.length() > 0,
                rx.vstack(
                    rx.table.root(
                        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                        rx.table.body(rx.foreach(rows, render)),
                        width="100%", id=id_, style=phone or {},
                    ),
                    pager(state),
                    width="100%",
                ),
                rx.cond(
                    state.loaded,
                    rx.text(rx.cond(narrowed, state.t["list.empty_filtered"], empty_text), color_scheme="gray", id=f"{id_}-empty"),
                    rx.spinner(),
                ),
            ),
            spacing="4", width="100%",
        ),
        size=rx.breakpoints(initial="2", sm="3"), width="100%",  # Radix `sm` is 768 px, where PHONE ends
    )


# Phone card of an invoice: number and status, its type, whose it is, then the dates and the amounts.
_INVOICE_CARD = _cards_on_phone("1fr auto", ["number status", "type type", "who who", "due total", "issued outstanding"])


def _invoice_row(r: InvoiceItem) -> rx.Component:
    t = InvoicesState.t
    return rx.table.row(
        rx.table.cell(rx.text(r.number, weight="medium"), class_name="cell-number"),
        rx.table.cell(r.type, class_name="cell-type", style={PHONE: {"color": "var(--gray-11)", "font_size": "var(--font-size-1)"}}),
        rx.table.cell(invoice_status(t, r.status, r.overdue), class_name="cell-status cell-end"),
        rx.table.cell(client_matter(r.client, r.matter), class_name="cell-who"),
        rx.table.cell(_label(t["inv.issued"]), r.issued, class_name="cell-issued", style={PHONE: {"white_space": "nowrap"}}),
        rx.table.cell(_label(t["inv.due"]), r.due, class_name="cell-due", style={PHONE: {"white_space": "nowrap"}}),
        rx.table.cell(_label(t["inv.total"]), rx.text(r.total, as_="span", class_name="invoice-total"),
                      text_align="right", white_space="nowrap", class_name="cell-total cell-end"),
        rx.table.cell(_label(t["inv.outstanding"]), r.outstanding, text_align="right", white_space="nowrap",
                      class_name="cell-outstanding cell-end"),
        class_name="invoice-row",
    )


def invoices_page() -> rx.Component:
    S = InvoicesState
    return portal_shell(
        rx.vstack(
            rx.heading(S.t["portal.menu.invoices"], size="6"),
            _table(
                [S.t["inv.number"], S.t["inv.type"], S.t["inv.status"], S.t["inv.client_matter"], S.t["inv.issued"], S.t["inv.due"], S.t["inv.total"], S.t["inv.outstanding"]],
                S.rows, _invoice_row, S.t["inv.empty"], "invoices-table", S, phone=_INVOICE_CARD,
                controls=(
                    _sort_control(S, S.SORTS),
                    _choice(S, S.t["list.status"], [("all", "filter.status_all")]
                            + [(v, "filter.overdue" if v == "overdue" else f"invoice.status.{v}") for v in INVOICE_STATUS_FILTERS],
                            S.status, S.filter_status, "status-filter"),
                ),
            ),
            spacing="4", width="100%",
        )
    )


_TIME_CARD = _cards_on_phone("1fr auto", ["date hours", "who who", "description description"])


def _time_row(r: TimeItem) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.date, white_space="nowrap", class_name="cell-date"),
        rx.table.cell(client_matter(r.client, r.matter), class_name="cell-who"),
        rx.table.cell(r.description, class_name="cell-description"),
        rx.table.cell(r.hours, rx.text("\u00a0h", as_="span", class_name="cell-label", display="none"),
                      text_align="right", white_space="nowrap", class_name="cell-hours cell-end"),
        class_name="time-row",
    )


def time_entries_page() -> rx.Component:
    S = TimeEntriesState
    return portal_shell(
        rx.vstack(
            rx.heading(S.t["portal.menu.time"], size="6"),
            _table([S.t["time.date"], S.t["inv.client_matter"], S.t["time.description"], S.t["time.hours"]],
                   S.rows, _time_row, S.t["time.empty"], "time-table", S, controls=(_sort_control(S, S.SORTS),), phone=_TIME_CARD),
            spacing="4", width="100%",
        )
    )


_AGREEMENT_CARD = _cards_on_phone("1fr auto", ["title document", "who who", "fee fee", "signed valid"])


def _agreement_row(r: AgreementItem) -> rx.Component:
    t = AgreementsState.t
    return rx.table.row(
        rx.table.cell(rx.text(r.title, weight="medium"), class_name="cell-title"),
        rx.table.cell(client_matter(r.client, r.matter), class_name="cell-who"),
        rx.table.cell(_label(t["agr.fee"]), r.fee, class_name="cell-fee"),
        rx.table.cell(rx.cond(r.signed != "", rx.fragment(_label(t["agr.signed"]), r.signed)), class_name="cell-signed"),
        rx.table.cell(rx.cond(r.valid_until != "", rx.fragment(_label(t["agr.valid_until"]), r.valid_until)), class_name="cell-valid cell-end"),
        rx.table.cell(rx.cond(
            r.document_url != "",
            rx.link(rx.hstack(rx.icon("download", size=14), AgreementsState.t["agr.download"], spacing="1", align="center"),
                    href=r.document_url, class_name="agreement-download", is_external=False),
            rx.text(AgreementsState.t["common.none"], color_scheme="gray"),
        ), class_name="cell-document cell-end"),
        class_name="agreement-row",
    )


def agreements_page() -> rx.Component:
    S = AgreementsState
    return portal_shell(
        rx.vstack(
            rx.heading(S.t["portal.menu.agreements"], size="6"),
            _table([S.t["agr.title"], S.t["inv.client_matter"], S.t["agr.fee"], S.t["agr.signed"], S.t["agr.valid_until"], S.t["agr.document"]],
                   S.rows, _agreement_row, S.t["agr.empty"], "agreements-table", S, controls=(_sort_control(S, S.SORTS),), phone=_AGREEMENT_CARD),
            spacing="4", width="100%",
        )
    )


def account_page() -> rx.Component:
    S = AccountState
    profile = rx.form(
        rx.vstack(
            rx.heading(S.t["account.profile"], size="4"),
            notice(S.profile_message, "green", "circle-check", "profile-saved"),
            rx.grid(
                field(S.t["register.first_name"], rx.input(name="first_name", id="first_name", default_value=S.first_name, key=S.first_name, size="3"), error=S.errors.get("first_name", ""), field_id="first_name"),
                field(S.t["register.last_name"], rx.input(name="last_name", id="last_name", default_value=S.last_name, key=S.last_name, size="3"), error=S.errors.get("last_name", ""), field_id="last_name"),
                columns="2", spacing="3", width="100%",
            ),
            field(S.t["common.language"],
                  rx.select.root(
                      rx.select.trigger(id="language"),
                      rx.select.content(rx.select.item("Polski", value="pl"), rx.select.item("English", value="en")),
                      name="language", default_value=S.language, key=S.language, size="3",
                  ),
                  error=S.errors.get("language", ""), field_id="language"),
            field(S.t["register.timezone"], _tz_input(S.timezone), error=S.errors.get("timezone", ""), field_id="timezone"),
            _timezone_options(),
            rx.button(S.t["account.save_profile"], type="submit", id="profile-save"),
            spacing="4", width="100%",
        ),
        on_submit=S.save_profile,
    )
    password = rx.form(
        rx.vstack(
            rx.heading(S.t["account.change_password"], size="4"),
            notice(S.password_message, "green", "circle-check", "password-changed"),
            field(S.t["account.current_password"], rx.input(name="current_password", id="current_password", type="password", auto_complete="current-password", size="3"), error=S.errors.get("current_password", ""), field_id="current_password"),
            field(S.t["account.new_password"], rx.input(name="new_password", id="new_password", type="password", auto_complete="new-password", size="3"), error=S.errors.get("new_password", ""), field_id="new_password"),
            field(S.t["account.new_password_repeat"], rx.input(name="new_password_repeat", id="new_password_repeat", type="password", auto_complete="new-password", size="3"), error=S.errors.get("new_password_repeat", ""), field_id="new_password_repeat"),
            rx.button(S.t["account.change_password"], type="submit", loading=S.busy, id="password-save"),
            spacing="4", width="100%",
        ),
        on_submit=S.change_password, reset_on_submit=False,
    )
    return portal_shell(
        rx.vstack(
            rx.heading(S.t["account.title"], size="6"),
            rx.grid(card(profile), card(password), columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%"),
            spacing="4", width="100%",
        ),
        switcher=False,  # account settings are not narrowed by a card
    )


def not_found_page() -> rx.Component:
    """Any unknown address (Reflex's 404 route): said in the visitor's language, with the way back.

    A portal visitor goes back to their portal's front page, anyone else to the home page.
    """
    S = NotFoundState
    in_portal = S.portal_address != ""
    return rx.center(
        rx.vstack(
            rx.cond(in_portal, portal_brand(S, size="5"), brand_mark()),
            card(
                rx.vstack(
                    rx.icon("map-pin-off", size=32, color=rx.color("amber", 9)),
                    rx.heading(S.t["not_found.title"], size="5", id="not-found"),
                    rx.text(S.t["not_found.text"], color_scheme="gray"),
                    rx.link(
                        rx.button(rx.cond(in_portal, S.t["not_found.portal"], S.t["not_found.home"]), size="3", width="100%"),
                        href=rx.cond(in_portal, "/portal/" + S.portal_address, "/"), width="100%", id="not-found-home",
                    ),
                    spacing="3", align="center", text_align="center", width="100%",
                ),
            ),
            spacing="4", align="center", width="100%", max_width="440px",
        ),
        min_height="100vh", background=rx.color("gray", 2), padding="var(--space-4)",
    )
