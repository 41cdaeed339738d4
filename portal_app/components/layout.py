"""Page shells: the staff workspace, the settings page with its left menu, the client portal."""

import reflex as rx

from portal_app import routes
from portal_app.state.portal import PortalState
from portal_app.state.staff import StaffState


def loading() -> rx.Component:
    return rx.center(rx.spinner(size="3"), height="60vh", width="100%")


def brand_mark() -> rx.Component:
    return rx.hstack(
        rx.icon("scale", size=22, color=rx.color("accent", 9)),
        rx.text("Lexportal", weight="bold", size="4"),
        align="center", spacing="2",
    )


def _nav_link(label, href: str) -> rx.Component:
    return rx.link(label, href=href, size="2", weight="medium", color_scheme="gray", high_contrast=True)


def staff_shell(*content: rx.Component) -> rx.Component:
    """Top bar with the main menu and, top right, General Settings and the user menu."""
    bar = rx.hstack(
        rx.hstack(
            rx.link(brand_mark(), href=routes.CONTACTS, underline="none", color="inherit"),
            rx.separator(orientation="vertical", size="1"),
            _nav_link(StaffState.t["nav.contacts"], routes.CONTACTS),
            _nav_link(StaffState.t["nav.matters"], routes.MATTERS),
            spacing="5", align="center",
        ),
        rx.hstack(
            rx.link(
                rx.hstack(rx.icon("mail", size=16), rx.text(StaffState.t["nav.dev_mail"], size="2"), align="center", spacing="1"),
                href=routes.DEV_MAIL, color_scheme="gray", id="nav-dev-mail",
            ),
            rx.link(
                rx.button(rx.icon("settings", size=16), StaffState.t["nav.settings"], variant="soft", size="2"),
                href=routes.SETTINGS_PORTAL, id="nav-settings",
            ),
            rx.menu.root(
                rx.menu.trigger(
                    rx.button(rx.icon("circle-user", size=16), StaffState.staff_name, variant="ghost", size="2", id="user-menu"),
                ),
                rx.menu.content(
                    rx.menu.item(StaffState.staff_firm, disabled=True),
                    rx.menu.separator(),
                    rx.menu.item(StaffState.t["common.lang.pl"], on_click=StaffState.set_lang("pl")),
                    rx.menu.item(StaffState.t["common.lang.en"], on_click=StaffState.set_lang("en")),
                    rx.menu.separator(),
                    rx.menu.item(StaffState.t["common.log_out"], on_click=StaffState.log_out, id="log-out", color="red"),
                ),
            ),
            spacing="4", align="center",
        ),
        justify="between", align="center", width="100%", padding_x="var(--space-6)", padding_y="var(--space-3)",
        border_bottom=f"1px solid {rx.color('gray', 5)}", background=rx.color("gray", 1),
    )
    return rx.box(
        bar,
        rx.cond(
            StaffState.signed_in,
            rx.box(*content, max_width="1180px", margin_x="auto", padding="var(--space-6)", width="100%"),
            loading(),
        ),
        min_height="100vh", background=rx.color("gray", 2),
    )


def _settings_item(label, icon: str, href: str, item_id: str, active: bool) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon(icon, size=16), rx.text(label), spacing="2", align="center"),
        href=href, id=item_id, padding="var(--space-2)", border_radius="6px", width="100%", underline="none",
        background=rx.color("accent", 3) if active else "transparent",
    )


def settings_shell(*content: rx.Component, active: str = routes.SETTINGS_PORTAL) -> rx.Component:
    """General Settings: a left menu with Client Portal (CP-1.1) and, for Administrators, the audit log."""
    menu = rx.vstack(
        rx.text(StaffState.t["nav.settings"], size="1", weight="bold", color_scheme="gray", text_transform="uppercase"),
        _settings_item(StaffState.t["settings.menu.client_portal"], "globe", routes.SETTINGS_PORTAL,
                       "settings-menu-client-portal", active == routes.SETTINGS_PORTAL),
        rx.cond(
            StaffState.is_admin,
            _settings_item(StaffState.t["audit.title"], "history", routes.SETTINGS_AUDIT_LOG,
                           "settings-menu-audit-log", active == routes.SETTINGS_AUDIT_LOG),
        ),
        width="220px", spacing="2", flex_shrink="0",
    )
    return staff_shell(rx.hstack(menu, rx.box(*content, flex="1", min_width="0"), spacing="6", align="start", width="100%"))


def card(*children, **props) -> rx.Component:
    return rx.card(*children, size="3", width="100%", **props)


def portal_brand(state=PortalState, size: str = "6") -> rx.Component:
    """The firm's logo, or its company name when there is no logo (CP-1.7)."""
    return rx.cond(
        state.logo_url != "",
        rx.image(src=rx.get_upload_url(state.logo_url), alt=state.company_name,
                 max_height="64px", max_width="240px", object_fit="contain", id="portal-logo"),
        rx.heading(state.company_name, size=size, id="portal-company-name"),
    )


def language_switch(state=PortalState) -> rx.Component:
    return rx.segmented_control.root(
        rx.segmented_control.item("PL", value="pl"),
        rx.segmented_control.item("EN", value="en"),
        value=state.lang, on_change=PortalState.choose_lang, size="1", id="language-switch",
    )


# Phones and narrow windows (below Reflex's `md`, 48em): the portal shell and lists change layout there.
PHONE = "@media screen and (max-width: 47.99em)"


def _portal_closed(state=PortalState) -> rx.Component:
    """A portal its firm has switched off: say so, and how to reach the firm."""
    return rx.vstack(
        rx.icon("circle-pause", size=32, color=rx.color("amber", 9)),
        rx.heading(state.t["portal.closed_title"], size="5", id="portal-closed"),
        rx.text(state.t["portal.closed"].replace("{company}", state.company_name), color_scheme="gray"),
        rx.cond(
            state.contact_email != "",
            rx.text(
                state.t["portal.closed_contact"].replace("{email}", ""),
                rx.link(state.contact_email, href="mailto:" + state.contact_email, id="portal-closed-email"),
                size="2",
            ),
        ),
        spacing="3", align="center", text_align="center",
    )


def portal_not_found(state=PortalState) -> rx.Component:
    return rx.center(
        card(
            rx.cond(
                state.portal_closed,
                _portal_closed(state),
                rx.vstack(
                    rx.icon("circle-alert", size=32, color=rx.color("amber", 9)),
                    rx.heading(state.t["portal.not_found_title"], size="5", id="portal-not-found"),
                    rx.text(state.t["portal.not_found"], color_scheme="gray"),
                    spacing="3", align="center", text_align="center",
                ),
            ),
            max_width="440px",
        ),
        min_height="100vh", background=rx.color("gray", 2), padding="var(--space-4)",
    )


def auth_card(state, *content: rx.Component) -> rx.Component:
    """Centered branded card used by portal login, registration and dead-end pages."""
    return rx.cond(
        state.brand_loaded,
        rx.cond(
            state.portal_found,
            rx.center(
                rx.vstack(
                    rx.hstack(rx.spacer(), language_switch(state), width="100%"),
                    card(
                        rx.vstack(
                            rx.center(portal_brand(state), width="100%", padding_bottom="var(--space-2)"),
                            *content,
                            spacing="4", width="100%",
                        ),
                    ),
                    rx.cond(
                        state.contact_email != "",
                        rx.text(
                            state.t["portal.contact_us"].replace("{email}", ""),
                            rx.link(state.contact_email, href="mailto:" + state.contact_email, id="portal-contact-email"),
                            size="2", color_scheme="gray", text_align="center", width="100%",
                        ),
                    ),
                    spacing="3", width="100%", max_width="460px",
                ),
                min_height="100vh", background=rx.color("gray", 2), padding="var(--space-4)",
            ),
            portal_not_found(state),
        ),
        loading(),
    )


def _portal_nav(label, page: str, icon: str) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon(icon, size=16), rx.text(label, size="2", weight="medium"), spacing="2", align="center"),
        href="/portal/" + PortalState.portal_address + "/" + page,
        color_scheme="gray", high_contrast=True, underline="none", id=f"portal-nav-{page}",
        white_space="nowrap", flex_shrink="0",
    )


def card_switcher() -> rx.Component:
    """Narrow every portal page to one shared client or matter; shown when there is more than one."""
    return rx.cond(
        PortalState.card_options.length() > 1,
        rx.hstack(
            rx.text(PortalState.t["switcher.label"], size="2", weight="medium", color_scheme="gray"),
            rx.select.root(
                rx.select.trigger(id="card-switcher", min_width="280px", style={PHONE: {"min_width": "0", "width": "100%"}}),
                rx.select.content(
                    rx.select.item(PortalState.t["switcher.all"], value="all"),
                    rx.foreach(
                        PortalState.card_options,
                        lambda o: rx.select.item(
                            rx.cond(o.kind == "matter", PortalState.t["switcher.matter_prefix"] + " " + o.label, o.label),
                            value=o.value,
                        ),
                    ),
                ),
                value=PortalState.card_filter, on_change=PortalState.narrow, size="2",
            ),
            align="center", spacing="2", id="card-switcher-box", wrap="wrap", width="100%",
        ),
    )


def portal_shell(*content: rx.Component, switcher: bool = True) -> rx.Component:
    """Signed-in portal: brand, menu (Dashboard, Invoices, Time entries, Agreements), account menu.

    One bar for every width: on a phone the brand and the account menu share the first line and
    the menu becomes a second line that scrolls sideways, instead of four stacked lines.
    """
    menu = rx.el.nav(
        _portal_nav(PortalState.t["portal.menu.dashboard"], "dashboard", "layout-dashboard"),
        _portal_nav(PortalState.t["portal.menu.invoices"], "invoices", "receipt"),
        _portal_nav(PortalState.t["portal.menu.time"], "time-entries", "clock"),
        _portal_nav(PortalState.t["portal.menu.agreements"], "agreements", "file-text"),
        aria_label=PortalState.t["portal.menu.label"], id="portal-menu",
        display="flex", align_items="center", gap="var(--space-5)", flex="1", min_width="0", flex_wrap="wrap",
        style={PHONE: {"order": "3", "flex": "1 0 100%", "flex_wrap": "nowrap", "overflow_x": "auto",
                       "gap": "var(--space-4)", "padding_y": "var(--space-1)", "& svg": {"display": "none"}}},
    )
    bar = rx.hstack(
        rx.box(portal_brand(PortalState, size="4"), min_width="0", style={PHONE: {
            "flex": "1 1 0",  # beside the account menu, however long the firm's name
            "& img": {"max_height": "36px", "max_width": "150px"},
            "& .rt-Heading": {"font_size": "var(--font-size-3)", "white_space": "nowrap", "overflow": "hidden", "text_overflow": "ellipsis"},
        }}),
        rx.separator(orientation="vertical", size="2", style={PHONE: {"display": "none"}}),
        menu,
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    rx.icon("circle-user", size=16),
                    rx.text(PortalState.user_name, as_="span", overflow="hidden", text_overflow="ellipsis", white_space="nowrap"),
                    variant="soft", size="2", id="account-menu", max_width="45vw", margin_left="auto",
                ),
            ),
            rx.menu.content(
                rx.menu.item(
                    PortalState.t["portal.menu.account"],
                    on_click=rx.redirect("/portal/" + PortalState.portal_address + "/account"),
                    id="account-settings",
                ),
                rx.menu.separator(),
                rx.menu.item(PortalState.t["common.log_out"], on_click=PortalState.log_out, color="red", id="portal-log-out"),
            ),
        ),
        spacing="5", align="center", wrap="wrap", width="100%", padding_x="var(--space-6)", padding_y="var(--space-3)",
        border_bottom=f"1px solid {rx.color('gray', 5)}", background=rx.color("gray", 1),
        style={PHONE: {"padding": "var(--space-2) var(--space-3)", "column_gap": "var(--space-3)", "row_gap": "var(--space-1)"}},
    )
    return rx.cond(
        PortalState.signed_in,
        rx.box(
            bar,
            rx.box(
                rx.vstack(*((card_switcher(),) if switcher else ()), *content, spacing="4", width="100%"),
                max_width="1180px", margin_x="auto", padding="var(--space-6)", width="100%",
                style={PHONE: {"padding": "var(--space-3)"}},
            ),
            min_height="100vh", background=rx.color("gray", 2),
        ),
        loading(),
    )
