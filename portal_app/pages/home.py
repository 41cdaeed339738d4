"""The front door: what the product is, and the way in for staff."""

import reflex as rx

from portal_app import routes
from portal_app.components.layout import brand_mark
from portal_app.state.base import AppState


def home_page() -> rx.Component:
    return rx.center(
        rx.vstack(
            brand_mark(),
            rx.heading(AppState.t["app.tagline"], size="8", text_align="center"),
            rx.text(AppState.t["settings.intro"], size="4", color_scheme="gray", text_align="center"),
            rx.link(rx.button(AppState.t["login.submit"], size="3"), href=routes.LOGIN),
            spacing="5", align="center", max_width="640px",
        ),
        min_height="100vh", padding="var(--space-6)", background=rx.color("gray", 2),
    )
