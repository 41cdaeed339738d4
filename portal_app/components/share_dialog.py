"""The Client Portal dialog of a contact or matter card (CP-2.2–2.6)."""

import reflex as rx

from portal_app.components.forms import field, notice
from portal_app.services.sharing import INVOICE_STATUSES, INVOICE_TYPES
from portal_app.state.cards import RecipientItem, ShareState


def settings_menu(kind: str, card_id) -> rx.Component:
    """The card's *Settings* button offering *Client Portal* (CP-2.1)."""
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(rx.icon("settings", size=16), ShareState.t["card.settings"], rx.icon("chevron-down", size=14),
                      variant="outline", id="card-settings"),
        ),
        rx.menu.content(
            rx.menu.item(
                rx.hstack(rx.icon("globe", size=14), ShareState.t["card.client_portal"], spacing="2", align="center"),
                on_click=ShareState.open_dialog(kind, card_id), id="card-settings-client-portal",
            ),
        ),
    )


def _checkbox(label, checked, on_change, id_: str) -> rx.Component:
    return rx.checkbox(label, checked=checked, on_change=on_change, id=id_, size="2")


def _recipient(r: RecipientItem) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(r.email, weight="medium", size="2"),
            rx.hstack(
                rx.cond(
                    r.registered,
                    rx.badge(ShareState.t["share.registered"], color_scheme="green", variant="soft"),
                    rx.badge(ShareState.t["share.pending"], color_scheme="amber", variant="soft"),
                ),
                rx.cond(r.invited != "", rx.text(ShareState.t["share.invited_at"].replace("{when}", r.invited), size="1", color_scheme="gray")),
                rx.match(
                    r.delivery,
                    ("retrying", rx.badge(ShareState.t["share.delivery.retrying"], color_scheme="orange")),
                    ("failed", rx.badge(ShareState.t["share.delivery.failed"], color_scheme="red")),
                    ("queued", rx.badge(ShareState.t["share.delivery.queued"], color_scheme="gray")),
                    ("sent", rx.badge(ShareState.t["share.delivery.sent"], color_scheme="green", variant="outline")),
                    ("stored", rx.badge(ShareState.t["share.delivery.stored"], color_scheme="gray", variant="outline")),
                    rx.fragment(),
                ),
                spacing="2", align="center", wrap="wrap",
            ),
            spacing="1", align="start",
        ),
        rx.spacer(),
        rx.cond(r.registered, rx.link(rx.button(rx.icon("eye", size=14), ShareState.t["ws.preview.open"], size="1", variant="soft"),
                                      href="/preview/" + r.id.to_string(), class_name="share-preview")),
        rx.button(ShareState.t["share.resend"], size="1", variant="soft", on_click=ShareState.resend(r.id),
                  class_name="share-resend"),
        rx.button(ShareState.t["share.remove"], size="1", variant="soft", color_scheme="red",
                  on_click=ShareState.revoke(r.id), class_name="share-remove"),
        width="100%", align="center", padding_y="var(--space-2)", border_bottom=f"1px solid {rx.color('gray', 4)}",
        class_name="share-recipient", data_email=r.email,
    )


def share_dialog() -> rx.Component:
    what = rx.vstack(
        rx.text(ShareState.t["share.what"], weight="bold", size="3"),
        rx.grid(
            rx.vstack(
                rx.text(ShareState.t["share.invoice_types"], size="2", weight="medium"),
                *[
                    _checkbox(ShareState.t[f"invoice.type.{t}"], ShareState.types.contains(t),
                              lambda checked, t=t: ShareState.toggle_type(t, checked), f"share-type-{t}")
                    for t in INVOICE_TYPES
                ],
                spacing="2",
            ),
            rx.vstack(
                rx.text(ShareState.t["share.invoice_statuses"], size="2", weight="medium"),
                *[
                    _checkbox(ShareState.t[f"invoice.status.{s}"], ShareState.statuses.contains(s),
                              lambda checked, s=s: ShareState.toggle_status(s, checked), f"share-status-{s}")
                    for s in INVOICE_STATUSES
                ],
                spacing="2",
            ),
            rx.vstack(
                rx.text(ShareState.t["share.what"], size="2", weight="medium", opacity="0"),
                _checkbox(ShareState.t["share.time_entries"], ShareState.time_entries, ShareState.set_time_entries, "share-time-entries"),
                _checkbox(ShareState.t["share.agreements"], ShareState.agreements, ShareState.set_agreements, "share-agreements"),
                spacing="2",
            ),
            columns="3", spacing="4", width="100%",
        ),
        rx.text(ShareState.t["share.drafts_never"], size="1", color_scheme="gray"),
        spacing="3", width="100%",
    )
    people = rx.vstack(
        rx.text(ShareState.t["share.people"], weight="bold", size="3"),
        rx.cond(
            ShareState.recipients.length() > 0,
            rx.vstack(rx.foreach(ShareState.recipients, _recipient), width="100%", spacing="0", id="share-recipients"),
            rx.text(ShareState.t["share.nobody"], size="2", color_scheme="gray"),
        ),
        spacing="2", width="100%",
    )
    refused = rx.vstack(
        rx.callout(ShareState.refused, icon="lock", color_scheme="amber", width="100%", id="share-refused", role="status"),
        rx.hstack(
            rx.dialog.close(rx.button(ShareState.t["common.close"], variant="soft", color_scheme="gray")),
            justify="end", width="100%",
        ),
        spacing="4", width="100%", padding_top="var(--space-3)",
    )
    form = rx.vstack(
        notice(ShareState.error, "red", "circle-alert", "share-error"),
        notice(ShareState.message, "green", "circle-check", "share-message"),
        field(
            ShareState.t["share.addresses"],
            rx.text_area(
                value=ShareState.addresses, on_change=ShareState.set_addresses, id="share-addresses",
                placeholder="jan.kowalski@example.com, Anna Nowak <anna@example.com>", rows="3",
                color_scheme=rx.cond(ShareState.bad_addresses.length() > 0, "red", "gray"),
            ),
            help_text=ShareState.t["share.addresses_help"], field_id="share-addresses",
        ),
        rx.cond(
            ShareState.bad_addresses.length() > 0,
            rx.hstack(
                rx.foreach(ShareState.bad_addresses, lambda a: rx.badge(a, color_scheme="red", class_name="bad-address")),
                wrap="wrap", spacing="1",
            ),
        ),
        what,
        people,
        rx.hstack(
            rx.dialog.close(rx.button(ShareState.t["common.close"], variant="soft", color_scheme="gray")),
            rx.button(ShareState.t["common.save"], on_click=ShareState.save, id="share-save"),
            justify="end", width="100%", spacing="3",
        ),
        spacing="4", width="100%", padding_top="var(--space-3)",
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(ShareState.t["share.title"]),
            rx.dialog.description(
                rx.cond(ShareState.refused != "", ShareState.t["share.refused_title"],
                        ShareState.t["share.card"].replace("{name}", ShareState.card_name)),
                size="2", color_scheme="gray",
            ),
            rx.cond(ShareState.refused != "", refused, form),
            max_width="720px", id="share-dialog",
        ),
        open=ShareState.open, on_open_change=ShareState.set_open,
    )
