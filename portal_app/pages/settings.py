"""General Settings → Client Portal (CP-1.1–1.8)."""

from typing import Any

import reflex as rx

from portal_app.components.forms import field, notice
from portal_app.components.layout import card, settings_shell
from portal_app.state.settings import MAX_UPLOAD_BYTES, PortalSettingsState as S


def _error(name: str):
    return S.errors.get(name, "")


def _rejection_codes(rejected):
    """Only why the widget refused files goes to the server, never the refused (large) file itself."""
    files = rejected.to(list[dict[str, Any]])
    return files.map(
        lambda f: f.to(dict[str, Any])["errors"].to(list[dict[str, Any]]).map(lambda e: e.to(dict[str, Any])["code"]).join(",")
    )


def _logo_field() -> rx.Component:
    preview = rx.cond(
        S.logo_url != "",
        rx.image(src=rx.get_upload_url(S.logo_url), alt="logo", max_height="72px", max_width="220px",
                 object_fit="contain", id="logo-preview"),
        rx.center(rx.text(S.t["settings.logo_none"], size="1", color_scheme="gray"), width="120px", height="64px",
                  border=f"1px dashed {rx.color('gray', 7)}", border_radius="8px"),
    )
    upload = rx.upload.root(
        rx.vstack(
            rx.icon("image-up", size=20, color=rx.color("gray", 10)),
            rx.text(S.t["settings.logo_drop"], size="2", color_scheme="gray"),
            align="center", spacing="1",
        ),
        id="logo-upload",
        multiple=False,
        max_files=1,
        max_size=MAX_UPLOAD_BYTES,
        on_drop=S.upload_logo(rx.upload_files(upload_id="logo-upload")),
        on_drop_rejected=lambda rejected: S.logo_rejected(_rejection_codes(rejected)),
        border=f"1px dashed {rx.color('accent', 7)}", border_radius="8px", padding="var(--space-4)", cursor="pointer", width="100%",
    )
    return field(
        S.t["settings.logo"],
        rx.vstack(
            rx.hstack(
                preview,
                rx.cond(S.logo_url != "", rx.button(rx.icon("trash-2", size=14), S.t["settings.logo_remove"], variant="soft", color_scheme="red", size="1", on_click=S.remove_logo, id="logo-remove")),
                rx.cond(S.logo_busy, rx.spinner()),
                align="center", spacing="4",
            ),
            upload,
            rx.cond(S.logo_note != "", rx.text(S.logo_note, size="1", color_scheme="blue", id="logo-note")),
            spacing="2", width="100%",
        ),
        error=_error("logo"), help_text=S.t["settings.logo_help"], field_id="logo",
    )


def _form() -> rx.Component:
    return card(
        rx.vstack(
            rx.checkbox(S.t["settings.enable"], checked=S.enabled, on_change=S.set_enabled, id="portal-enabled", size="3"),
            rx.separator(size="4"),
            field(S.t["settings.company_name"],
                  rx.input(value=S.company_name, on_change=S.set_company_name, id="company_name", size="3"),
                  error=_error("company_name"), field_id="company_name"),
            field(
                S.t["settings.address"],
                rx.input(value=S.address, on_change=S.set_address, id="address", size="3", placeholder="kancelaria-nowak"),
                error=_error("address"), help_text=S.t["settings.address_help"], field_id="address",
            ),
            rx.cond(
                S.address_hint != "",
                rx.button(S.t["address.suggestion"].replace("{suggestion}", S.address_hint), size="1", variant="soft",
                          on_click=S.use_suggestion, id="address-suggestion"),
            ),
            rx.box(
                rx.text(S.t["settings.link_preview"], size="1", color_scheme="gray"),
                rx.cond(
                    S.link_preview_ok,
                    rx.hstack(
                        rx.code(S.link_preview, id="portal-link-preview", size="2", variant="ghost"),
                        rx.icon_button(rx.icon("copy", size=14), size="1", variant="soft", id="copy-link",
                                       on_click=[rx.set_clipboard(S.link_preview), rx.toast(S.t["common.copied"])],
                                       title=S.t["common.copy"]),
                        align="center", spacing="2",
                    ),
                    rx.text(S.t["settings.link_preview_pending"], size="2", color_scheme="gray", id="portal-link-preview-pending"),
                ),
                padding="var(--space-3)", background=rx.cond(S.link_preview_ok, rx.color("accent", 2), rx.color("gray", 3)),
                border_radius="8px", width="100%",
            ),
            rx.cond(
                S.address_changing,
                rx.callout(S.t["settings.address_change_warning"], icon="triangle-alert", color_scheme="amber", size="1", id="address-change-warning"),
            ),
            field(S.t["settings.contact_email"],
                  rx.input(value=S.contact_email, on_change=S.set_contact_email, id="contact_email", type="email", size="3"),
                  error=_error("contact_email"), help_text=S.t["settings.contact_email_help"], field_id="contact_email"),
            _logo_field(),
            notice(S.form_message, "red", "circle-alert", "settings-form-error"),
            notice(S.saved_message, "green", "circle-check", "settings-saved"),
            rx.hstack(rx.button(S.t["common.save"], size="3", on_click=S.save, id="settings-save"), justify="end", width="100%"),
            spacing="4", width="100%",
        ),
        max_width="680px",
    )


def client_portal_settings_page() -> rx.Component:
    return settings_shell(
        rx.vstack(
            rx.heading(S.t["settings.title"], size="6"),
            rx.text(S.t["settings.intro"], color_scheme="gray"),
            rx.cond(
                S.refused != "",
                rx.callout(S.refused, icon="lock", color_scheme="amber", id="settings-refused"),
                rx.cond(S.loaded, _form()),
            ),
            spacing="4", width="100%",
        )
    )
